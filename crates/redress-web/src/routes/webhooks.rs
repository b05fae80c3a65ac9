//! Webhooks out over HTTP: an admin registers the store's endpoints and the events each wants
//! (the signing secret is in the answer, once) and lists them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::webhooks::{self, EndpointInput, EndpointView, NewEndpoint};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register, list))
}

/// Registers an endpoint for the store's events (admins). Deliveries are signed with
/// `Redress-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{body}">` under the secret
/// in this answer, which is never shown again; retried with backoff until answered 2xx; the
/// receiver de-duplicates on `Redress-Event-Id`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = EndpointInput,
    security(("store_key" = [])),
    responses((status = 201, body = NewEndpoint), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 503, description = "The server has no secrets key", body = ErrorBody)))]
async fn register(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<EndpointInput>,
) -> Result<(StatusCode, Json<NewEndpoint>), ApiError> {
    Ok((StatusCode::CREATED, Json(webhooks::register(state.app(), &caller, input).await?)))
}

/// The store's webhook endpoints (admins); never their secrets.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", security(("store_key" = [])),
    responses((status = 200, body = Vec<EndpointView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<EndpointView>>, ApiError> {
    Ok(Json(webhooks::endpoints(state.app(), &caller).await?))
}
