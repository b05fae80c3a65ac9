//! Incidents over HTTP: declare, list, tell the affected customers, resolve.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::incidents::{self, NewIncident, Resolution, Told};
use redress_domain::incident::Incident;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(declare, list_incidents))
        .routes(routes!(tell_affected))
        .routes(routes!(resolve))
}

/// Declares an incident (a lead's or an admin's key): from now on a new case it affects gets
/// its message at once, in the customer's language, and is grouped under it.
#[utoipa::path(post, path = "/api/v1/incidents", tag = "cases", request_body = NewIncident, security(("store_key" = [])),
    responses((status = 201, body = Incident), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn declare(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<NewIncident>,
) -> Result<(StatusCode, Json<Incident>), ApiError> {
    Ok((StatusCode::CREATED, Json(incidents::declare(state.app(), &caller, input).await?)))
}

/// The store's incidents, open first, newest first (at most 100).
#[utoipa::path(get, path = "/api/v1/incidents", tag = "cases", security(("store_key" = [])),
    responses((status = 200, body = Vec<Incident>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_incidents(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<Incident>>, ApiError> {
    Ok(Json(incidents::list(state.app(), &caller).await?))
}

fn incident_id(text: &str) -> Result<Uuid, ApiError> {
    Ok(redress_app::parse_id(text, "incident")?)
}

/// Tells the customers an open incident affects who already wrote (open cases about an order
/// in its SKU's or carrier's scope), each once, and groups their cases under it.
#[utoipa::path(post, path = "/api/v1/incidents/{incident_id}/tell", tag = "cases",
    params(("incident_id" = String, Path, description = "The incident's id")), security(("store_key" = [])),
    responses((status = 200, body = Told), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn tell_affected(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Told>, ApiError> {
    Ok(Json(incidents::tell_affected(state.app(), &caller, incident_id(&id)?).await?))
}

/// Resolves an incident and tells every case grouped under it, in each customer's language.
#[utoipa::path(post, path = "/api/v1/incidents/{incident_id}/resolve", tag = "cases", request_body = Resolution,
    params(("incident_id" = String, Path, description = "The incident's id")), security(("store_key" = [])),
    responses((status = 200, body = Told), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn resolve(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<Resolution>,
) -> Result<Json<Told>, ApiError> {
    Ok(Json(incidents::resolve(state.app(), &caller, incident_id(&id)?, input).await?))
}
