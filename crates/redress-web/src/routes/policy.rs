//! The store's written policy over HTTP: read it, save a new version (an admin's act; Redress
//! numbers the versions), and replay a proposal against past cases.

use axum::Json;
use axum::extract::State;
use redress_app::resolution::{self, DryRun, PolicyDocument, PolicyView};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_policy, put_policy)).routes(routes!(dry_run_policy))
}

/// The store's policy in force, parsed and as written.
#[utoipa::path(get, path = "/api/v1/policy", tag = "resolution", security(("store_key" = [])),
    responses((status = 200, body = PolicyView), (status = 401, body = ErrorBody)))]
async fn get_policy(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(resolution::policy(state.app(), &caller).await?))
}

/// Saves a new version of the store's policy (an admin's personal key). The document is
/// checked on load: errors name the line and the field. Redress numbers the versions: the
/// saved document's `version` is the one after the version in force.
#[utoipa::path(put, path = "/api/v1/policy", tag = "resolution", request_body = PolicyDocument,
    security(("store_key" = [])),
    responses((status = 200, body = PolicyView), (status = 400, description = "The document's line and field at fault", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody)))]
async fn put_policy(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(document): ApiJson<PolicyDocument>,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(resolution::save_policy(state.app(), &caller, document).await?))
}

/// Dry run: replays a proposed policy against the store's latest 500 cases and reports the
/// decisions that would change. Nothing is saved or carried out.
#[utoipa::path(post, path = "/api/v1/policy/dry-run", tag = "resolution", request_body = PolicyDocument,
    security(("store_key" = [])),
    responses((status = 200, body = DryRun), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn dry_run_policy(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(document): ApiJson<PolicyDocument>,
) -> Result<Json<DryRun>, ApiError> {
    Ok(Json(resolution::dry_run(state.app(), &caller, document).await?))
}
