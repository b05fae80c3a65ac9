//! Shop platforms over HTTP: the webhooks Shopify and WooCommerce send (authenticated by their
//! signature under the store's webhook secret, not by a key), and an admin's connection,
//! sync state and "sync now".

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use redress_app::platforms::MAX_WEBHOOK_BODY;
use redress_app::platforms::{self, ConnectInput, ConnectionView, SyncReport, WebhookOutcome};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    let webhooks = OpenApiRouter::new()
        .routes(routes!(shopify_webhook))
        .routes(routes!(woocommerce_webhook))
        // A platform's order payload may be larger than the API's other bodies.
        .layer(DefaultBodyLimit::max(MAX_WEBHOOK_BODY));
    OpenApiRouter::new().routes(routes!(connect, list_connections)).routes(routes!(sync_now)).merge(webhooks)
}

/// Shopify's webhooks for a store (`orders/create`, `orders/updated`, `orders/cancelled`,
/// `fulfillments/create`, `fulfillments/update`, `refunds/create`), checked by
/// `X-Shopify-Hmac-Sha256` against the store's webhook secret and acted on once per
/// `X-Shopify-Webhook-Id`: a delivery sent again answers `duplicate: true` and changes nothing.
#[utoipa::path(post, path = "/api/v1/platforms/shopify/{store_id}/webhooks", tag = "platforms",
    params(("store_id" = String, Path, description = "The store's id"),
        ("X-Shopify-Hmac-Sha256" = String, Header, description = "Shopify's signature of the body"),
        ("X-Shopify-Topic" = String, Header, description = "The topic"),
        ("X-Shopify-Webhook-Id" = String, Header, description = "The delivery's id")),
    request_body(content = String, content_type = "application/json", description = "Shopify's payload"),
    responses((status = 200, body = WebhookOutcome),
        (status = 400, description = "Not a payload of the documented shape", body = ErrorBody),
        (status = 401, description = "No valid signature for this store", body = ErrorBody),
        (status = 413, body = ErrorBody)))]
async fn shopify_webhook(
    State(state): State<AppState>,
    ApiPath(store_id): ApiPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<WebhookOutcome>, ApiError> {
    Ok(Json(platforms::shopify_webhook(state.app(), &store_id, &headers, &body).await?))
}

/// WooCommerce's webhooks for a store (`order.created`, `order.updated`, `order.deleted`,
/// `order.restored`), checked by `X-WC-Webhook-Signature` against the store's webhook secret
/// and acted on once per `X-WC-Webhook-Delivery-ID`. WooCommerce's unsigned ping is
/// acknowledged.
#[utoipa::path(post, path = "/api/v1/platforms/woocommerce/{store_id}/webhooks", tag = "platforms",
    params(("store_id" = String, Path, description = "The store's id"),
        ("X-WC-Webhook-Signature" = String, Header, description = "WooCommerce's signature of the body"),
        ("X-WC-Webhook-Topic" = String, Header, description = "The topic"),
        ("X-WC-Webhook-Delivery-ID" = String, Header, description = "The delivery's id")),
    request_body(content = String, content_type = "application/json", description = "WooCommerce's payload"),
    responses((status = 200, body = WebhookOutcome),
        (status = 400, description = "Not a payload of the documented shape", body = ErrorBody),
        (status = 401, description = "No valid signature for this store", body = ErrorBody),
        (status = 413, body = ErrorBody)))]
async fn woocommerce_webhook(
    State(state): State<AppState>,
    ApiPath(store_id): ApiPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<WebhookOutcome>, ApiError> {
    Ok(Json(platforms::woocommerce_webhook(state.app(), &store_id, &headers, &body).await?))
}

/// Connects the store to its Shopify or WooCommerce shop, or replaces the connection's address
/// and credentials (admins). Credentials are kept encrypted and never shown again.
#[utoipa::path(post, path = "/api/v1/platforms", tag = "platforms", request_body = ConnectInput,
    security(("store_key" = [])),
    responses((status = 200, body = ConnectionView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 503, description = "The server has no secrets key", body = ErrorBody)))]
async fn connect(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<ConnectInput>,
) -> Result<Json<ConnectionView>, ApiError> {
    Ok(Json(platforms::connect(state.app(), &caller, input).await?))
}

/// The store's platform connections with their sync state and last error (admins).
#[utoipa::path(get, path = "/api/v1/platforms", tag = "platforms", security(("store_key" = [])),
    responses((status = 200, body = Vec<ConnectionView>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn list_connections(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<ConnectionView>>, ApiError> {
    Ok(Json(platforms::connections(state.app(), &caller).await?))
}

/// Sync now (admins): reads the recent orders of every connected platform, since the last
/// sync (60 days back the first time), and stores them.
#[utoipa::path(post, path = "/api/v1/platforms/sync", tag = "platforms", security(("store_key" = [])),
    responses((status = 200, body = Vec<SyncReport>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No platform is connected", body = ErrorBody),
        (status = 422, description = "The platform refused", body = ErrorBody),
        (status = 503, description = "The platform is not answering", body = ErrorBody)))]
async fn sync_now(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<SyncReport>>, ApiError> {
    Ok(Json(platforms::backfill(state.app(), &caller).await?))
}
