//! Stores and their API keys. Creating stores needs the admin key; a store manages its own
//! keys (list, create, revoke) with one of its keys, which is what the workspace's settings call.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_domain::{ApiKeyId, Currency, LanguageTag, Store, StoreSlug};
use redress_storage::ApiKeyRecord;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{new_id, path_id};
use crate::AppState;
use crate::auth::{Admin, StoreCaller, hash_secret, new_store_secret};
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_store, list_stores))
        .routes(routes!(create_api_key))
        .routes(routes!(current_store))
        .routes(routes!(list_own_api_keys, create_own_api_key))
        .routes(routes!(revoke_own_api_key))
}

/// A store to set up.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStore {
    /// Short name for URLs: lower-case letters, digits, dashes.
    pub slug: String,
    /// Name shown to customers.
    pub name: String,
    /// ISO 4217 currency, e.g. `EUR`.
    pub default_currency: String,
    /// BCP 47 language of replies when the customer's is unknown, e.g. `en`.
    pub default_language: String,
}

/// A new API key. The secret is shown once and never stored.
#[derive(Serialize, ToSchema)]
pub struct NewApiKey {
    /// The key's id.
    pub id: ApiKeyId,
    /// What the key is for.
    pub label: String,
    /// The secret to send as `Authorization: Bearer <secret>`. Keep it: it cannot be shown again.
    pub secret: String,
}

/// A store just set up, with its first API key.
#[derive(Serialize, ToSchema)]
pub struct CreatedStore {
    /// The store.
    pub store: Store,
    /// Its first API key.
    pub api_key: NewApiKey,
}

/// A key to create.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What the key is for, e.g. `shopify-sync` or `agent maria`.
    pub label: String,
}

fn validate_label(label: &str) -> Result<String, ApiError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(ApiError::invalid("label", "give the key a label of 1 to 100 characters"));
    }
    Ok(label.to_owned())
}

async fn issue_key(state: &AppState, store_id: redress_domain::StoreId, label: String) -> Result<NewApiKey, ApiError> {
    let secret = new_store_secret();
    let record = ApiKeyRecord {
        id: new_id(ApiKeyId::from_uuid),
        store_id,
        label: label.clone(),
        secret_hash: hash_secret(&secret),
        created_at: OffsetDateTime::now_utc(),
    };
    state.storage().create_api_key(&record).await?;
    Ok(NewApiKey { id: record.id, label, secret })
}

/// Sets up a store and returns its first API key.
#[utoipa::path(post, path = "/api/v1/stores", tag = "stores", request_body = CreateStore,
    security(("admin_key" = [])),
    responses((status = 201, body = CreatedStore), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, description = "The slug is taken", body = ErrorBody)))]
async fn create_store(
    State(state): State<AppState>,
    _admin: Admin,
    ApiJson(input): ApiJson<CreateStore>,
) -> Result<(StatusCode, Json<CreatedStore>), ApiError> {
    let store = Store {
        id: new_id(redress_domain::StoreId::from_uuid),
        slug: StoreSlug::parse(&input.slug)?,
        name: Store::validate_name(&input.name)?,
        default_currency: Currency::from_code(&input.default_currency)
            .map_err(|e| ApiError::invalid("default_currency", e.to_string()))?,
        default_language: LanguageTag::parse(&input.default_language)
            .map_err(|e| ApiError::invalid("default_language", e.problem))?,
        created_at: OffsetDateTime::now_utc(),
    };
    state.storage().create_store(&store).await?;
    let api_key = issue_key(&state, store.id, "default".to_owned()).await?;
    Ok((StatusCode::CREATED, Json(CreatedStore { store, api_key })))
}

/// Every store of the deployment.
#[utoipa::path(get, path = "/api/v1/stores", tag = "stores", security(("admin_key" = [])),
    responses((status = 200, body = Vec<Store>), (status = 401, body = ErrorBody)))]
async fn list_stores(State(state): State<AppState>, _admin: Admin) -> Result<Json<Vec<Store>>, ApiError> {
    Ok(Json(state.storage().stores().await?))
}

/// Creates another API key for a store.
#[utoipa::path(post, path = "/api/v1/stores/{store_id}/api-keys", tag = "stores", request_body = CreateApiKey,
    params(("store_id" = String, Path, description = "The store's id")),
    security(("admin_key" = [])),
    responses((status = 201, body = NewApiKey), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn create_api_key(
    State(state): State<AppState>,
    _admin: Admin,
    Path(store_id): Path<String>,
    ApiJson(input): ApiJson<CreateApiKey>,
) -> Result<(StatusCode, Json<NewApiKey>), ApiError> {
    let store_id = path_id(&store_id, "store")?;
    let label = validate_label(&input.label)?;
    Ok((StatusCode::CREATED, Json(issue_key(&state, store_id, label).await?)))
}

/// The store the calling API key belongs to.
#[utoipa::path(get, path = "/api/v1/store", tag = "stores", security(("store_key" = [])),
    responses((status = 200, body = Store), (status = 401, body = ErrorBody)))]
async fn current_store(State(state): State<AppState>, caller: StoreCaller) -> Result<Json<Store>, ApiError> {
    Ok(Json(state.storage().store(caller.store_id).await?))
}

/// One of the store's keys, without its secret (which was never kept).
#[derive(Serialize, ToSchema)]
pub struct ApiKeyView {
    /// The key's id.
    pub id: ApiKeyId,
    /// What the key is for.
    pub label: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The store's keys.
#[derive(Serialize, ToSchema)]
pub struct ApiKeyList {
    /// Oldest first.
    pub keys: Vec<ApiKeyView>,
}

/// The calling store's API keys, oldest first; secrets are never shown again.
#[utoipa::path(get, path = "/api/v1/store/api-keys", tag = "stores", security(("store_key" = [])),
    responses((status = 200, body = ApiKeyList), (status = 401, body = ErrorBody)))]
pub(crate) async fn list_own_api_keys(
    State(state): State<AppState>,
    caller: StoreCaller,
) -> Result<Json<ApiKeyList>, ApiError> {
    let keys = state.storage().api_keys(caller.store_id).await?;
    Ok(Json(ApiKeyList {
        keys: keys.into_iter().map(|k| ApiKeyView { id: k.id, label: k.label, created_at: k.created_at }).collect(),
    }))
}

/// Creates another key for the calling store; its secret is in this answer only.
#[utoipa::path(post, path = "/api/v1/store/api-keys", tag = "stores", request_body = CreateApiKey,
    security(("store_key" = [])),
    responses((status = 201, body = NewApiKey), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn create_own_api_key(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiJson(input): ApiJson<CreateApiKey>,
) -> Result<(StatusCode, Json<NewApiKey>), ApiError> {
    let label = validate_label(&input.label)?;
    let key = issue_key(&state, caller.store_id, label).await?;
    tracing::info!(store = %caller.store_id, key = %key.id, by = %caller.label, "API key created");
    Ok((StatusCode::CREATED, Json(key)))
}

/// Revokes one of the calling store's keys: it stops working at once on this server, and on
/// other servers of the deployment within a minute (their caches of verified keys expire).
#[utoipa::path(delete, path = "/api/v1/store/api-keys/{key_id}", tag = "stores",
    params(("key_id" = String, Path, description = "The key's id")), security(("store_key" = [])),
    responses((status = 204, description = "Revoked"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn revoke_own_api_key(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(key_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let revoked = state.storage().revoke_api_key(caller.store_id, path_id(&key_id, "API key")?).await?;
    state.keys().forget(&revoked.secret_hash);
    tracing::info!(store = %caller.store_id, key = %revoked.id, by = %caller.label, "API key revoked");
    Ok(StatusCode::NO_CONTENT)
}
