//! The self-service assistant over HTTP: `POST /s/{store}/assistant`, public (the customer
//! proves who they are in the conversation, or holds a portal grant in its cookie).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use redress_app::assistant::{self, AssistantAnswer, Turn, Visitor};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::html::Source;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(converse))
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
) -> Result<Json<AssistantAnswer>, ApiError> {
    let store = redress_app::stores::by_slug(state.app(), &slug)
        .await?
        .ok_or_else(|| redress_app::AppError::not_found("store"))?;
    let holds = crate::portal::held_order(&state, &store, &headers);
    let visitor = Visitor { source: &source, holds };
    Ok(Json(assistant::converse(state.app(), &store, visitor, turn).await?))
}
