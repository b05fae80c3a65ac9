//! Stores and their API keys over HTTP. The operator's key sets stores up; a store's keys are
//! managed by its admins (integration keys, keys for others) and by each team member (their own
//! personal keys), which is what the desk's settings call too.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::keys::{self, ApiKeyView, CreateApiKey, NewApiKey};
use redress_app::stores::{self, AddedAdmin, CreateStore, CreatedStore};
use redress_app::team::NewAgent;
use redress_domain::Store;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_store, list_stores))
        .routes(routes!(create_api_key))
        .routes(routes!(add_store_admin))
        .routes(routes!(current_store))
        .routes(routes!(list_own_api_keys, create_own_api_key))
        .routes(routes!(revoke_own_api_key))
}

/// Sets up a store (the operator's key), with an integration key and, when `admin` is given,
/// its first admin and their personal key.
#[utoipa::path(post, path = "/api/v1/stores", tag = "stores", request_body = CreateStore,
    security(("admin_key" = [])),
    responses((status = 201, body = CreatedStore), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, description = "The slug is taken", body = ErrorBody)))]
async fn create_store(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<CreateStore>,
) -> Result<(StatusCode, Json<CreatedStore>), ApiError> {
    Ok((StatusCode::CREATED, Json(stores::create(state.app(), &caller, input).await?)))
}

/// Every store of the deployment (the operator's key).
#[utoipa::path(get, path = "/api/v1/stores", tag = "stores", security(("admin_key" = [])),
    responses((status = 200, body = Vec<Store>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_stores(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<Store>>, ApiError> {
    Ok(Json(stores::list(state.app(), &caller).await?))
}

/// An integration key to make for a store.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OperatorKeyRequest {
    /// What the key is for.
    pub label: String,
}

/// Creates another integration key for a store (the operator's key).
#[utoipa::path(post, path = "/api/v1/stores/{store_id}/api-keys", tag = "stores", request_body = OperatorKeyRequest,
    params(("store_id" = String, Path, description = "The store's id")),
    security(("admin_key" = [])),
    responses((status = 201, body = NewApiKey), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_api_key(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(store_id): ApiPath<String>,
    ApiJson(input): ApiJson<OperatorKeyRequest>,
) -> Result<(StatusCode, Json<NewApiKey>), ApiError> {
    Ok((StatusCode::CREATED, Json(stores::create_key(state.app(), &caller, &store_id, &input.label).await?)))
}

/// Adds an admin to a store (the operator's key): for a store set up without one, or whose
/// admins have all left. The answer carries their personal key, shown once.
#[utoipa::path(post, path = "/api/v1/stores/{store_id}/admins", tag = "stores", request_body = NewAgent,
    params(("store_id" = String, Path, description = "The store's id")),
    security(("admin_key" = [])),
    responses((status = 201, body = AddedAdmin), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "A member with this email exists", body = ErrorBody)))]
async fn add_store_admin(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(store_id): ApiPath<String>,
    ApiJson(input): ApiJson<NewAgent>,
) -> Result<(StatusCode, Json<AddedAdmin>), ApiError> {
    Ok((StatusCode::CREATED, Json(stores::add_admin(state.app(), &caller, &store_id, input).await?)))
}

/// The store the calling key belongs to.
#[utoipa::path(get, path = "/api/v1/store", tag = "stores", security(("store_key" = [])),
    responses((status = 200, body = Store), (status = 401, body = ErrorBody)))]
async fn current_store(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> Result<Json<Store>, ApiError> {
    Ok(Json(stores::current(state.app(), &caller).await?))
}

/// The store's keys.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    /// Oldest first.
    pub keys: Vec<ApiKeyView>,
}

/// The store's API keys (an admin sees all, a team member their own personal keys), oldest
/// first; secrets are never shown again.
#[utoipa::path(get, path = "/api/v1/store/api-keys", tag = "stores", security(("store_key" = [])),
    responses((status = 200, body = ApiKeyList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_own_api_keys(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<ApiKeyList>, ApiError> {
    Ok(Json(ApiKeyList { keys: keys::list(state.app(), &caller).await? }))
}

/// Creates a key; its secret is in this answer only. An integration key (or a personal key for
/// someone else) needs an admin; a team member makes personal keys for themselves.
#[utoipa::path(post, path = "/api/v1/store/api-keys", tag = "stores", request_body = CreateApiKey,
    security(("store_key" = [])),
    responses((status = 201, body = NewApiKey), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn create_own_api_key(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<CreateApiKey>,
) -> Result<(StatusCode, Json<NewApiKey>), ApiError> {
    Ok((StatusCode::CREATED, Json(keys::create(state.app(), &caller, input).await?)))
}

/// Revokes a key: it stops working at once, on every server.
#[utoipa::path(delete, path = "/api/v1/store/api-keys/{key_id}", tag = "stores",
    params(("key_id" = String, Path, description = "The key's id")), security(("store_key" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn revoke_own_api_key(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(key_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    keys::revoke(state.app(), &caller, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
