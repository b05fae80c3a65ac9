//! The self-service assistant over HTTP: `POST /s/{store}/assistant`, public (the customer
//! proves who they are in the conversation, or holds a portal grant in its cookie), and its
//! live lines as server-sent events. Pages of the shop's own sites (the policy's
//! `assistant.chat_origins`) may call both from the browser: their origin is answered with the
//! CORS headers, without cookies.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::assistant::{self, AssistantAnswer, Turn, Visitor};
use redress_domain::Store;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::html::Source;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(converse))
        .route("/s/{store}/assistant", axum::routing::options(preflight))
        .routes(routes!(live_lines))
}

async fn store(state: &AppState, slug: &str) -> Result<Store, ApiError> {
    Ok(redress_app::stores::by_slug(state.app(), slug)
        .await?
        .ok_or_else(|| redress_app::AppError::new(redress_app::ErrorCode::NotFound, "no shop at this address"))?)
}

/// The CORS headers for a page of `origin`, when the store's policy lets its sites hold the
/// chat box; none otherwise (the browser then keeps the answer from the page).
async fn cross_origin(state: &AppState, store: &Store, headers: &HeaderMap) -> Result<HeaderMap, ApiError> {
    let mut answer = HeaderMap::new();
    answer.insert(header::VARY, HeaderValue::from_static("Origin"));
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return Ok(answer) };
    if assistant::chat_origin_allowed(state.app(), store, origin).await?
        && let Ok(value) = HeaderValue::from_str(origin)
    {
        answer.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    Ok(answer)
}

/// The browser's question before a shop's page posts to the assistant.
async fn preflight(State(state): State<AppState>, ApiPath(slug): ApiPath<String>, headers: HeaderMap) -> Response {
    let allowed = match store(&state, &slug).await {
        Ok(store) => cross_origin(&state, &store, &headers).await,
        Err(e) => Err(e),
    };
    match allowed {
        Ok(mut answer) if answer.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN) => {
            answer.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, GET"));
            answer.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
            answer.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            (StatusCode::NO_CONTENT, answer).into_response()
        }
        Ok(answer) => (StatusCode::FORBIDDEN, answer).into_response(),
        Err(e) => e.into_response(),
    }
}

/// One message to the store's assistant, and its answer. Start a conversation without
/// `conversation`; send the id it answers with on the next message. Nothing about an order is
/// revealed or changed before the customer gives the order's number and email (wrong pairs are
/// limited as in the portal's look-up) or holds a portal grant. The assistant carries out only
/// what the policy lets a customer do alone, and hands the conversation to a person (with a
/// case) when asked, on escalation signals, when unsure twice, or when money beyond the
/// self-service limit is involved.
#[utoipa::path(post, path = "/s/{store}/assistant", tag = "assistant", request_body = Turn,
    params(("store" = String, Path, description = "The store's slug")),
    responses((status = 200, body = AssistantAnswer), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such store or conversation"),
        (status = 409, body = ErrorBody, description = "Another message of the conversation was answered meanwhile")))]
async fn converse(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    Source(source): Source,
    headers: HeaderMap,
    ApiJson(turn): ApiJson<Turn>,
) -> Result<(HeaderMap, Json<AssistantAnswer>), ApiError> {
    let store = store(&state, &slug).await?;
    let cors = cross_origin(&state, &store, &headers).await?;
    // A shop's page holds no portal grant: only the portal's own pages send its cookie.
    let holds = crate::portal::held_order(&state, &store, &headers)
        .filter(|_| !cors.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    let visitor = Visitor { source: &source, holds };
    Ok((cors, Json(assistant::converse(state.app(), &store, visitor, turn).await?)))
}

/// Where a live chat starts.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LiveQuery {
    /// The number of the first line wanted (the `lines` of the last answer); 0 for the whole
    /// conversation kept.
    after: Option<u64>,
}

/// A conversation's lines as they come, as server-sent events: first those from `after` on,
/// then each new one, the assistant's and a person's answers after a hand-off alike. Each
/// `lines` event carries `{"lines": [{"number", "by_customer", "text"}], "handed_off"}` and
/// the number of the next line as its id, so a reconnecting browser (`Last-Event-ID`) misses
/// nothing. The stream closes after a few minutes; browsers reconnect by themselves.
#[utoipa::path(get, path = "/s/{store}/assistant/{conversation}/events", tag = "assistant",
    params(("store" = String, Path, description = "The store's slug"),
        ("conversation" = String, Path, description = "The conversation's id"), LiveQuery),
    responses((status = 200, description = "The lines, as they come", content_type = "text/event-stream", body = String),
        (status = 404, body = ErrorBody, description = "No such store or conversation")))]
async fn live_lines(
    State(state): State<AppState>,
    ApiPath((slug, conversation)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<LiveQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let store = store(&state, &slug).await?;
    let cors = cross_origin(&state, &store, &headers).await?;
    let live = crate::chat_live::open(state, store, conversation, query.after, &headers).await?;
    Ok((cors, live).into_response())
}
