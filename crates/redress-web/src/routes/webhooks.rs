//! Webhooks out over HTTP: an admin registers the store's endpoints and the events each wants
//! (the signing secret is in the answer, once), lists them, removes one, or gives one a new
//! secret (shown once too).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::webhooks::{self, EndpointInput, EndpointView, NewEndpoint};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register, list)).routes(routes!(remove)).routes(routes!(rotate_secret))
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

/// Removes an endpoint (admins): nothing more is delivered to it; its deliveries still waiting
/// fail when tried.
#[utoipa::path(delete, path = "/api/v1/webhooks/{endpoint_id}", tag = "webhooks",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")), security(("store_key" = [])),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn remove(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(endpoint_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    webhooks::remove(state.app(), &caller, &endpoint_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Gives an endpoint a new signing secret (admins), in this answer and never again; every
/// delivery from now on, retries included, is signed with it.
#[utoipa::path(post, path = "/api/v1/webhooks/{endpoint_id}/secret", tag = "webhooks",
    params(("endpoint_id" = String, Path, description = "The endpoint's id")), security(("store_key" = [])),
    responses((status = 200, body = NewEndpoint), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, description = "The server has no secrets key", body = ErrorBody)))]
async fn rotate_secret(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(endpoint_id): ApiPath<String>,
) -> Result<Json<NewEndpoint>, ApiError> {
    Ok(Json(webhooks::rotate_secret(state.app(), &caller, &endpoint_id).await?))
}
