//! Shop platforms: a store connects its Shopify or WooCommerce shop, the platform's signed
//! webhooks keep its orders and parcels in Redress, a back-fill reads recent orders, and shops
//! on other platforms import a CSV file.
//!
//! Orders from a platform are stored the way `POST /orders` stores them (one upsert, by order
//! number); a parcel that moves tells the open cases of its order on their timeline, in the
//! same transaction (see [`redress_domain::Order::shipment_changes`]).
//!
//! Who acts: a webhook carries no key; once its signature checks against the store's own
//! webhook secret, Redress acts for the store by [`SystemRule::ShopPlatform`], which may read
//! and report orders and nothing else. Connecting and syncing need an admin.
//!
//! Credentials (API token, consumer key and secret, webhook secret) are sealed with
//! XChaCha20-Poly1305 under the server's [`SecretsKey`] before storage sees them, bound to their
//! store and platform, so a copy of the database opens no shop.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use redress_connect::shop::csv_import::{self, CsvError, CsvLimits, Progress, RejectedRow};
use redress_connect::shop::shopify::admin::{CancelReason, LineEdit, OrdersQuery, ShopifyAdmin, ShopifyConfig};
use redress_connect::shop::woocommerce::{self, WooCommerce, WooConfig};
use redress_connect::shop::{
    HeaderMap, ImportedOrder, MappingError, Platform, Secret, ShopError, TokioSleeper, shopify,
};
use redress_connect::{PaymentProvider, ProviderAnswer, ProviderError, ProviderRefund};
use redress_domain::RefundId;
use redress_domain::{CaseId, Order, OrderId, StoreId};
use redress_storage::{
    Delivery, Ingested, LinkedOrderFn, OrderLink, PlatformConnection, Push, PushOutcome, RecordedEntry, Storage,
    StorageError, TimelineRow,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::caller::{Action, Caller, SystemRule};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::{App, parse_id};

/// The largest platform webhook body accepted (an order payload is tens of kilobytes).
pub use redress_connect::shop::MAX_WEBHOOK_BODY;

/// The Shopify Admin API version Redress speaks.
pub const SHOPIFY_API_VERSION: &str = "2026-01";
/// How far back a store's first back-fill reads.
pub const FIRST_BACKFILL_DAYS: i64 = 60;
/// The most orders one back-fill reads; the next "sync now" goes on from the last sync.
pub const MAX_BACKFILL_ORDERS: usize = 5_000;
/// Orders per page of a back-fill.
const BACKFILL_PAGE: u32 = 100;
/// How long a claimed change is left to the worker that claimed it before another may try.
const PUSH_LEASE: time::Duration = time::Duration::seconds(60);
/// How long the request that amended an order waits for the shop before leaving the change
/// to the worker.
const PUSH_ANSWER_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);
/// The longest credential or address kept.
const MAX_CREDENTIAL: usize = 500;

/// The server's key for credentials at rest: 32 bytes, given as 64 hex digits
/// (`--secrets-key`, `REDRESS_SECRETS_KEY`). `Debug` never prints it.
#[derive(Clone)]
pub struct SecretsKey(Key);

/// Why a secrets key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the secrets key must be 64 hex digits (32 random bytes, e.g. `openssl rand -hex 32`)")]
pub struct SecretsKeyError;

impl SecretsKey {
    /// Reads a key from its 64 hex digits.
    pub fn parse(text: &str) -> Result<Self, SecretsKeyError> {
        let bytes = hex::decode(text.trim()).map_err(|_| SecretsKeyError)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SecretsKeyError)?;
        Ok(Self(bytes.into()))
    }

    /// `plain` sealed for `context`: a fresh 24-byte nonce, then the ciphertext and its tag.
    pub(crate) fn seal(&self, context: &str, plain: &[u8]) -> AppResult<Vec<u8>> {
        let nonce: [u8; 24] = rand::random();
        let sealed = XChaCha20Poly1305::new(&self.0)
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad: context.as_bytes() })
            .map_err(|_| AppError::internal("credentials could not be sealed"))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    /// What [`SecretsKey::seal`] sealed for the same `context`; refused if another key sealed it
    /// or the bytes were changed.
    pub(crate) fn open(&self, context: &str, sealed: &[u8]) -> AppResult<Vec<u8>> {
        let refused =
            || AppError::internal("stored credentials cannot be opened: was the server's secrets key changed?");
        let (nonce, text) = sealed.split_at_checked(24).ok_or_else(refused)?;
        let nonce: [u8; 24] = nonce.try_into().map_err(|_| refused())?;
        XChaCha20Poly1305::new(&self.0)
            .decrypt(&XNonce::from(nonce), Payload { msg: text, aad: context.as_bytes() })
            .map_err(|_| refused())
    }
}

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretsKey(…)")
    }
}

/// What is sealed for a connection.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "platform", rename_all = "snake_case")]
enum Credentials {
    Shopify { access_token: String, webhook_secret: String },
    Woocommerce { consumer_key: String, consumer_secret: String, webhook_secret: String },
}

impl Credentials {
    fn webhook_secret(&self) -> Secret {
        match self {
            Credentials::Shopify { webhook_secret, .. } | Credentials::Woocommerce { webhook_secret, .. } => {
                Secret::new(webhook_secret.clone())
            }
        }
    }
}

/// The sealing context of a store's connection to a platform: sealed credentials moved to
/// another row do not open.
fn context(store_id: StoreId, platform: Platform) -> String {
    format!("redress-platform:{store_id}:{}", platform.as_str())
}

/// A platform a store connects to, by name; a CSV file is not one.
fn platform_named(name: &str) -> AppResult<Platform> {
    match name.trim() {
        "shopify" => Ok(Platform::Shopify),
        "woocommerce" => Ok(Platform::WooCommerce),
        _ => Err(AppError::new(ErrorCode::UnknownValue, "give `shopify` or `woocommerce`").at("platform")),
    }
}

/// A connection to make, as an admin gives it.
#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConnectInput {
    /// `shopify` or `woocommerce`.
    pub platform: String,
    /// The shop's address: `https://{shop}.myshopify.com`, or the WooCommerce site.
    pub base_url: String,
    /// Shopify: the app's Admin API access token.
    #[serde(default)]
    pub access_token: Option<String>,
    /// WooCommerce: the REST API consumer key (`ck_…`).
    #[serde(default)]
    pub consumer_key: Option<String>,
    /// WooCommerce: the REST API consumer secret (`cs_…`).
    #[serde(default)]
    pub consumer_secret: Option<String>,
    /// The secret the platform signs its webhooks with (Shopify: the app's secret).
    pub webhook_secret: String,
}

impl fmt::Debug for ConnectInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectInput").field("platform", &self.platform).field("base_url", &self.base_url).finish()
    }
}

/// A store's connection as anyone may see it: where, and how the sync goes; never a secret.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionView {
    /// `shopify` or `woocommerce`.
    pub platform: String,
    /// The shop's address.
    pub base_url: String,
    /// Where the platform sends its webhooks, relative to the server's address.
    pub webhook_path: String,
    /// When it was connected.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub connected_at: OffsetDateTime,
    /// When the last back-fill finished.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_sync_at: Option<OffsetDateTime>,
    /// What went wrong last, when the last sync or webhook failed.
    pub last_error: Option<String>,
    /// When it went wrong.
    #[serde(with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_error_at: Option<OffsetDateTime>,
}

impl ConnectionView {
    fn of(c: PlatformConnection) -> Self {
        Self {
            webhook_path: format!("/api/v1/platforms/{}/{}/webhooks", c.platform, c.store_id),
            platform: c.platform,
            base_url: c.base_url,
            connected_at: c.connected_at,
            last_sync_at: c.last_sync_at,
            last_error: c.last_error,
            last_error_at: c.last_error_at,
        }
    }
}

/// A credential given: present, not blank, bounded.
fn credential(field: &str, value: Option<&str>) -> AppResult<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| {
        AppError::new(ErrorCode::MissingField, format!("`{field}` is needed for this platform")).at(field)
    })?;
    if value.len() > MAX_CREDENTIAL || value.chars().any(char::is_control) {
        return Err(AppError::invalid(field, format!("at most {MAX_CREDENTIAL} printable characters")));
    }
    Ok(value.to_owned())
}

/// The shop's address: http(s), no credentials, no query, bounded.
fn base_url(text: &str) -> AppResult<String> {
    let text = text.trim().trim_end_matches('/');
    let refused = || AppError::invalid("base_url", "give the shop's address, such as https://example.myshopify.com");
    if text.len() > MAX_CREDENTIAL {
        return Err(refused());
    }
    let url = url::Url::parse(text).map_err(|_| refused())?;
    if !matches!(url.scheme(), "https" | "http")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(refused());
    }
    Ok(text.to_owned())
}

impl App {
    pub(crate) fn secrets(&self) -> AppResult<&SecretsKey> {
        self.secrets_key.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::Unavailable,
                "the server keeps no platform credentials: start it with --secrets-key (REDRESS_SECRETS_KEY)",
            )
        })
    }
}

/// Connects the caller's store to a platform, or replaces the connection's address and
/// credentials. Admins only.
pub async fn connect(app: &App, caller: &Caller, input: ConnectInput) -> AppResult<ConnectionView> {
    let store_id = caller.require(Action::ManageSettings)?;
    let platform = platform_named(&input.platform)?;
    let base_url = base_url(&input.base_url)?;
    let webhook_secret = credential("webhook_secret", Some(&input.webhook_secret))?;
    let credentials = match platform {
        Platform::Shopify => Credentials::Shopify {
            access_token: credential("access_token", input.access_token.as_deref())?,
            webhook_secret,
        },
        _ => Credentials::Woocommerce {
            consumer_key: credential("consumer_key", input.consumer_key.as_deref())?,
            consumer_secret: credential("consumer_secret", input.consumer_secret.as_deref())?,
            webhook_secret,
        },
    };
    let plain = serde_json::to_vec(&credentials).map_err(AppError::internal)?;
    let connection = PlatformConnection {
        store_id,
        platform: platform.as_str().to_owned(),
        base_url,
        sealed_credentials: app.secrets()?.seal(&context(store_id, platform), &plain)?,
        connected_at: app.now(),
        last_sync_at: None,
        last_error: None,
        last_error_at: None,
    };
    app.storage().platforms().connect_platform(&connection).await?;
    Ok(ConnectionView::of(connection))
}

/// The caller's store's connections and how their syncs went. Admins only.
pub async fn connections(app: &App, caller: &Caller) -> AppResult<Vec<ConnectionView>> {
    let store_id = caller.require(Action::ManageSettings)?;
    let stored = app.storage().platforms().platform_connections(store_id).await?;
    Ok(stored.into_iter().map(ConnectionView::of).collect())
}

/// A store's connection to `platform` and its credentials, opened.
async fn opened(
    app: &App,
    store_id: StoreId,
    platform: Platform,
) -> AppResult<Option<(PlatformConnection, Credentials)>> {
    let Some(connection) = app.storage().platforms().platform_connection(store_id, platform.as_str()).await? else {
        return Ok(None);
    };
    let plain = app.secrets()?.open(&context(store_id, platform), &connection.sealed_credentials)?;
    let credentials = serde_json::from_slice(&plain).map_err(AppError::internal)?;
    Ok(Some((connection, credentials)))
}

/// What a webhook did.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookOutcome {
    /// True when this delivery was received before: nothing changed.
    pub duplicate: bool,
    /// The order it created or updated, if any.
    pub order_id: Option<OrderId>,
    /// True when the order was new.
    pub created: bool,
}

impl WebhookOutcome {
    const NOTHING: Self = Self { duplicate: false, order_id: None, created: false };
    const DUPLICATE: Self = Self { duplicate: true, order_id: None, created: false };

    fn of(ingested: Ingested) -> Self {
        match ingested {
            Ingested::Duplicate => Self::DUPLICATE,
            Ingested::Stored { order, created } => Self { duplicate: false, order_id: Some(order.id), created },
        }
    }
}

/// Who acts for a store once its platform's webhook checked out.
fn platform_caller(store_id: StoreId) -> Caller {
    Caller::System { store_id, rule: SystemRule::ShopPlatform }
}

/// The store a webhook URL names and its opened connection; anything unknown is refused as a
/// forged webhook would be, so the answer tells a sender nothing.
async fn webhook_connection(app: &App, store_id: &str, platform: Platform) -> AppResult<(StoreId, Credentials)> {
    let refused = || AppError::unauthorized("the webhook's signature does not match this store's webhook secret");
    let store_id: StoreId = parse_id(store_id, "store").map_err(|_| refused())?;
    let (_, credentials) = opened(app, store_id, platform).await?.ok_or_else(refused)?;
    Ok((store_id, credentials))
}

/// A payload the mapping refused: the sync state shows it, and the answer names it, so the
/// platform's retry finds it again after a fix.
async fn unmappable(app: &App, store_id: StoreId, platform: Platform, error: MappingError) -> AppError {
    let message = format!("a {} webhook could not be read: {error}", platform.as_str());
    if let Err(e) = app.storage().platforms().record_sync(store_id, platform.as_str(), app.now(), Some(&message)).await
    {
        tracing::warn!(error = %e, "the sync error could not be recorded");
    }
    AppError::invalid("body", message)
}

/// Stores an order a platform sent, with its delivery (de-duplicated) and its link.
async fn ingest(
    app: &App,
    caller: &Caller,
    delivery: Option<&Delivery>,
    imported: ImportedOrder,
) -> AppResult<Ingested> {
    caller.require(Action::ReportOrders)?;
    let link = OrderLink {
        platform: imported.remote.platform.as_str().to_owned(),
        remote_id: imported.remote.order_id,
        shipment_ids: imported.remote.shipments,
    };
    Ok(app.storage().platforms().ingest_order(delivery, &link, &imported.customer, &imported.order, app.now()).await?)
}

/// Acts on a Shopify webhook sent to `store_id`: checks `X-Shopify-Hmac-Sha256` against the
/// store's webhook secret (refused: `401`, nothing changes), then acts once per
/// `X-Shopify-Webhook-Id`: orders are created or updated, parcels created or moved on.
pub async fn shopify_webhook(app: &App, store_id: &str, headers: &HeaderMap, body: &[u8]) -> AppResult<WebhookOutcome> {
    let (store_id, credentials) = webhook_connection(app, store_id, Platform::Shopify).await?;
    let webhook = shopify::verify_webhook(&credentials.webhook_secret(), headers, body)
        .map_err(|e| AppError::unauthorized(e.to_string()))?;
    let caller = platform_caller(store_id);
    caller.require(Action::ReportOrders)?;
    let delivery = Delivery {
        store_id,
        platform: Platform::Shopify.as_str().to_owned(),
        delivery_id: webhook.webhook_id.clone(),
        topic: webhook.topic.as_str().chars().take(100).collect(),
        received_at: app.now(),
    };
    let event = match shopify::parse_event(&webhook.topic, body, store_id, &mut uuid::Uuid::now_v7) {
        Ok(event) => event,
        Err(error) => return Err(unmappable(app, store_id, Platform::Shopify, error).await),
    };
    let platforms = app.storage().platforms();
    match event {
        shopify::Event::Order(imported) => {
            Ok(WebhookOutcome::of(ingest(app, &caller, Some(&delivery), *imported).await?))
        }
        shopify::Event::Fulfillment(f) => {
            let Some(shipment) = f.shipment else {
                // A cancelled fulfillment: Shopify's next orders/updated carries the parcels.
                return Ok(if platforms.record_delivery(&delivery).await? {
                    WebhookOutcome::NOTHING
                } else {
                    WebhookOutcome::DUPLICATE
                });
            };
            let fulfillment_id = f.fulfillment_id;
            let change: LinkedOrderFn = Box::new(move |order, link| {
                let (order, link) = with_parcel(order, link, &fulfillment_id, shipment);
                order.validate().map_err(|e| StorageError::Resolution(e.into()))?;
                Ok((order, link))
            });
            // The order is read, given its parcel and written under its lock: two fulfillments
            // of one order at once each keep theirs. An order Redress does not know yet (its
            // orders/create comes too) records the delivery alone.
            Ok(match platforms.change_linked_order(&delivery, &f.order_id, change, app.now()).await? {
                Some(ingested) => WebhookOutcome::of(ingested),
                None => WebhookOutcome::NOTHING,
            })
        }
        // A refund's money arrives with the order's transactions in orders/updated; a topic
        // Redress does not act on is only acknowledged.
        shopify::Event::Refund(_) | shopify::Event::Ignored => Ok(if platforms.record_delivery(&delivery).await? {
            WebhookOutcome::NOTHING
        } else {
            WebhookOutcome::DUPLICATE
        }),
    }
}

/// The order with the parcel a fulfillment reported: the known parcel replaced (keeping its
/// id), or a new one added.
fn with_parcel(
    mut order: Order,
    mut link: OrderLink,
    fulfillment_id: &str,
    mut shipment: redress_domain::Shipment,
) -> (Order, OrderLink) {
    link.shipment_ids.resize(order.shipments.len(), None);
    match link.shipment_ids.iter().position(|id| id.as_deref() == Some(fulfillment_id)) {
        Some(at) => {
            if let Some(known) = order.shipments.get_mut(at) {
                shipment.id = known.id;
                *known = shipment;
            }
        }
        None => {
            order.shipments.push(shipment);
            link.shipment_ids.push(Some(fulfillment_id.to_owned()));
        }
    }
    (order, link)
}

/// Acts on a WooCommerce webhook sent to `store_id`: its ping is acknowledged; anything else
/// must carry `X-WC-Webhook-Signature` under the store's webhook secret (refused: `401`,
/// nothing changes), and is acted on once per `X-WC-Webhook-Delivery-ID`.
pub async fn woocommerce_webhook(
    app: &App,
    store_id: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<WebhookOutcome> {
    let (store_id, credentials) = webhook_connection(app, store_id, Platform::WooCommerce).await?;
    if woocommerce::is_ping(headers, body) {
        return Ok(WebhookOutcome::NOTHING);
    }
    let webhook = woocommerce::verify_webhook(&credentials.webhook_secret(), headers, body)
        .map_err(|e| AppError::unauthorized(e.to_string()))?;
    let caller = platform_caller(store_id);
    caller.require(Action::ReportOrders)?;
    let delivery = Delivery {
        store_id,
        platform: Platform::WooCommerce.as_str().to_owned(),
        delivery_id: webhook.delivery_id.clone(),
        topic: webhook.topic.as_str().chars().take(100).collect(),
        received_at: app.now(),
    };
    match woocommerce::parse_event(&webhook.topic, body, store_id, &mut uuid::Uuid::now_v7) {
        Ok(woocommerce::Event::Order(imported)) => {
            Ok(WebhookOutcome::of(ingest(app, &caller, Some(&delivery), *imported).await?))
        }
        // A deleted order stays in Redress: cases and money refer to it.
        Ok(woocommerce::Event::Deleted { .. } | woocommerce::Event::Ignored) => {
            Ok(if app.storage().platforms().record_delivery(&delivery).await? {
                WebhookOutcome::NOTHING
            } else {
                WebhookOutcome::DUPLICATE
            })
        }
        Err(error) => Err(unmappable(app, store_id, Platform::WooCommerce, error).await),
    }
}

/// What a CSV import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImportOutcome {
    /// Every order was stored.
    Imported {
        /// Orders in the file.
        orders: usize,
        /// How many were new.
        created: usize,
    },
    /// Rows were refused, each with its line and reason: nothing was stored.
    Refused(Vec<RejectedRow>),
}

/// Imports the orders of a CSV file (see [`csv_import`] for its columns) into the store with
/// `slug`, for the operator running `redress import orders` (who acts by
/// [`SystemRule::CsvImport`]): all of them in one transaction, or, when any row is refused,
/// none.
pub async fn import_csv(
    app: &App,
    slug: &str,
    file: &[u8],
    progress: &mut dyn FnMut(Progress),
) -> AppResult<ImportOutcome> {
    let store = crate::stores::by_slug(app, slug)
        .await?
        .ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("no store has the slug `{slug}`")).at("store"))?;
    let caller = Caller::System { store_id: store.id, rule: SystemRule::CsvImport };
    let store_id = caller.require(Action::ReportOrders)?;
    let imported =
        match csv_import::import_orders(file, store_id, &mut uuid::Uuid::now_v7, &CsvLimits::default(), progress) {
            Ok(imported) => imported,
            Err(CsvError::Rejected(rows)) => return Ok(ImportOutcome::Refused(rows)),
            Err(other) => return Err(AppError::invalid("file", other.to_string())),
        };
    let orders: Vec<_> = imported.into_iter().map(|i| (i.customer, i.order)).collect();
    let created = app.storage().platforms().import_orders(&orders, app.now()).await?;
    Ok(ImportOutcome::Imported { orders: orders.len(), created })
}

/// What a back-fill did.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncReport {
    /// The platform read.
    pub platform: String,
    /// Orders stored.
    pub orders: usize,
    /// How many were new.
    pub created: usize,
    /// Orders the platform sent that could not be read, with the reason.
    pub rejected: Vec<String>,
    /// Pages read.
    pub pages: u32,
    /// True when more orders wait for the next sync.
    pub more: bool,
}

/// Reads the store's recent orders from each connected platform (since the last sync, or
/// [`FIRST_BACKFILL_DAYS`] back) and stores them; the sync state records how it went. Admins
/// only ("sync now").
pub async fn backfill(app: &App, caller: &Caller) -> AppResult<Vec<SyncReport>> {
    let store_id = caller.require(Action::ManageSettings)?;
    let mut reports = Vec::new();
    for platform in [Platform::Shopify, Platform::WooCommerce] {
        let Some((connection, credentials)) = opened(app, store_id, platform).await? else { continue };
        let started = app.now();
        let since = connection.last_sync_at.unwrap_or(started - time::Duration::days(FIRST_BACKFILL_DAYS));
        let result = backfill_one(app, store_id, &connection, credentials, since).await;
        let error = match &result {
            Ok(_) => None,
            Err(e) => Some(e.message.clone()),
        };
        app.storage().platforms().record_sync(store_id, platform.as_str(), started, error.as_deref()).await?;
        reports.push(result?);
    }
    if reports.is_empty() {
        return Err(AppError::not_found("platform connection"));
    }
    Ok(reports)
}

/// A platform's failure in the API's terms.
fn shop_error(platform: Platform, e: ShopError) -> AppError {
    let message = format!("{}: {e}", platform.as_str());
    if e.is_transient() {
        AppError::new(ErrorCode::Unavailable, message)
    } else {
        AppError::new(ErrorCode::ProviderRefused, message)
    }
}

async fn backfill_one(
    app: &App,
    store_id: StoreId,
    connection: &PlatformConnection,
    credentials: Credentials,
    since: OffsetDateTime,
) -> AppResult<SyncReport> {
    let ids = &mut uuid::Uuid::now_v7;
    let (platform, orders, rejected, pages, more) = match credentials {
        Credentials::Shopify { access_token, .. } => {
            let config = ShopifyConfig::new(&connection.base_url, SHOPIFY_API_VERSION, Secret::new(access_token));
            let admin =
                ShopifyAdmin::new(config, Arc::new(TokioSleeper)).map_err(|e| shop_error(Platform::Shopify, e))?;
            let query = OrdersQuery::created_since(since, BACKFILL_PAGE);
            let read = admin
                .backfill(&query, None, MAX_BACKFILL_ORDERS, store_id, ids)
                .await
                .map_err(|e| shop_error(Platform::Shopify, e))?;
            let rejected = read.rejected.iter().map(|r| format!("{}: {}", r.remote_id, r.error)).collect();
            (Platform::Shopify, read.orders, rejected, read.pages, read.more)
        }
        Credentials::Woocommerce { consumer_key, consumer_secret, .. } => {
            let config = WooConfig::new(&connection.base_url, Secret::new(consumer_key), Secret::new(consumer_secret));
            let client = WooCommerce::new(config).map_err(|e| shop_error(Platform::WooCommerce, e))?;
            let read = client
                .backfill(Some(since), BACKFILL_PAGE, MAX_BACKFILL_ORDERS, store_id, ids)
                .await
                .map_err(|e| shop_error(Platform::WooCommerce, e))?;
            let rejected = read.rejected.iter().map(|(id, e)| format!("{id}: {e}")).collect();
            (Platform::WooCommerce, read.orders, rejected, read.pages, read.more)
        }
    };
    let caller = platform_caller(store_id);
    let mut created = 0;
    let count = orders.len();
    for imported in orders {
        if let Ingested::Stored { created: true, .. } = ingest(app, &caller, None, imported).await? {
            created += 1;
        }
    }
    Ok(SyncReport { platform: platform.as_str().to_owned(), orders: count, created, rejected, pages, more })
}

/// Refunds for orders that came from Shopify go through that shop's Admin API (so Shopify and
/// the ledger agree: the refund is made on the original payment, in Shopify); every other
/// refund goes to the deployment's payment provider. Exactly once is the refund executor's:
/// the intent is written and marked sent before each call, each call carries the intent's key
/// (`@idempotent` and the marker in the refund's note), and an intent left sent is looked up
/// in the shop before anything is sent again.
pub struct PlatformPayments {
    storage: Arc<dyn Storage>,
    secrets: SecretsKey,
    otherwise: Arc<dyn PaymentProvider>,
}

impl PlatformPayments {
    /// Routes Shopify orders' refunds to their shop (credentials opened with `secrets`), the
    /// rest to `otherwise`.
    pub fn new(storage: Arc<dyn Storage>, secrets: SecretsKey, otherwise: Arc<dyn PaymentProvider>) -> Self {
        Self { storage, secrets, otherwise }
    }

    /// The shop's Admin API client for the store holding the Shopify payment `charge` (the
    /// order's GID); none when the charge is not a Shopify order's.
    async fn shop_of(&self, charge: &str) -> Result<Option<ShopifyAdmin>, ProviderError> {
        if !charge.starts_with("gid://shopify/Order/") {
            return Ok(None);
        }
        let storage_error = |e: redress_storage::StorageError| ProviderError::Unavailable(e.to_string());
        let order = self
            .storage
            .money()
            .order_by_payment_reference(vec![charge.to_owned()])
            .await
            .map_err(storage_error)?
            .ok_or_else(|| ProviderError::Rejected(format!("no order holds the Shopify payment {charge}")))?;
        let connection = self
            .storage
            .platforms()
            .platform_connection(order.store_id, Platform::Shopify.as_str())
            .await
            .map_err(storage_error)?
            .ok_or_else(|| ProviderError::Rejected("the store is no longer connected to Shopify".into()))?;
        let refused = |what: &str| ProviderError::Rejected(format!("the store's Shopify credentials {what}"));
        let plain = self
            .secrets
            .open(&context(order.store_id, Platform::Shopify), &connection.sealed_credentials)
            .map_err(|_| refused("cannot be opened"))?;
        let Ok(Credentials::Shopify { access_token, .. }) = serde_json::from_slice(&plain) else {
            return Err(refused("are not Shopify's"));
        };
        let config = ShopifyConfig::new(&connection.base_url, SHOPIFY_API_VERSION, Secret::new(access_token));
        ShopifyAdmin::new(config, Arc::new(TokioSleeper)).map(Some).map_err(ShopError::into_provider_error)
    }
}

#[async_trait]
impl PaymentProvider for PlatformPayments {
    fn name(&self) -> &str {
        self.otherwise.name()
    }

    async fn refund(&self, refund: &ProviderRefund) -> Result<ProviderAnswer, ProviderError> {
        match self.shop_of(&refund.charge).await? {
            Some(shop) => PaymentProvider::refund(&shop, refund).await,
            None => self.otherwise.refund(refund).await,
        }
    }

    async fn find_refund(&self, charge: &str, refund_id: RefundId) -> Result<Option<ProviderAnswer>, ProviderError> {
        match self.shop_of(charge).await? {
            Some(shop) => PaymentProvider::find_refund(&shop, charge, refund_id).await,
            None => self.otherwise.find_refund(charge, refund_id).await,
        }
    }

    async fn dispute(&self, reference: &str) -> Result<redress_connect::ProviderDispute, ProviderError> {
        self.otherwise.dispute(reference).await
    }

    async fn submit_evidence(
        &self,
        reference: &str,
        evidence: &redress_domain::dispute::StripeEvidence,
    ) -> Result<redress_connect::ProviderDispute, ProviderError> {
        self.otherwise.submit_evidence(reference, evidence).await
    }
}

/// Tells at once what a change's entries tell ([`crate::outgoing`]), and tries a change its
/// order's shop must make (an amended address, lines, a cancellation) at once, for at most a
/// few seconds. Nothing here refuses the change, already committed: what fails is logged, and
/// the worker tells and retries it from the timeline.
pub(crate) async fn tell_now(app: &App, store_id: StoreId, case_id: CaseId, entries: &[RecordedEntry]) {
    if let Err(e) = try_now(app, store_id, case_id, entries).await {
        tracing::warn!(case = %case_id, error = %e.message, "the change will be told by the worker");
    }
}

async fn try_now(app: &App, store_id: StoreId, case_id: CaseId, entries: &[RecordedEntry]) -> AppResult<()> {
    let rows: Vec<TimelineRow> =
        entries.iter().map(|entry| TimelineRow { store_id, case_id, entry: entry.clone() }).collect();
    let platforms = app.storage().platforms();
    for push in crate::outgoing::tell(app, &rows).await? {
        if push.kind == crate::webhooks::WEBHOOK_PUSH {
            continue;
        }
        for push in platforms.claim_pushes(Some((push.store_id, &push.key)), app.now(), PUSH_LEASE, 1).await? {
            if tokio::time::timeout(PUSH_ANSWER_DEADLINE, carry_out(app, push)).await.is_err() {
                tracing::info!(case = %case_id, "the shop is slow; the worker will finish the change");
            }
        }
    }
    Ok(())
}

/// Tells what the timeline recorded since the worker last looked ([`crate::outgoing::tell_due`]),
/// then carries out up to `limit` changes and deliveries due; returns how many entries were
/// read and attempts made.
pub async fn push_due(app: &App, limit: u32) -> AppResult<usize> {
    let told = crate::outgoing::tell_due(app).await?;
    let claimed = app.storage().platforms().claim_pushes(None, app.now(), PUSH_LEASE, limit).await?;
    let tried = claimed.len();
    for push in claimed {
        carry_out(app, push).await?;
    }
    Ok(told + tried)
}

/// Runs [`push_due`] until aborted: again at once while it finds work, after `every` when
/// nothing was due.
pub fn spawn_push_worker(app: Arc<App>, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match push_due(&app, 50).await {
                Ok(0) => tokio::time::sleep(every).await,
                Ok(_) => tokio::task::yield_now().await,
                Err(e) => {
                    tracing::warn!(error = %e.message, "pushing changes to the shops failed; trying again");
                    tokio::time::sleep(every).await;
                }
            }
        }
    })
}

/// Why an attempt failed, and whether the same attempt may succeed later.
pub(crate) struct Failure {
    /// True when it may: timeouts, outages, rate limits, 5xx.
    pub(crate) transient: bool,
    /// What happened, for the record.
    pub(crate) reason: String,
}

impl From<ShopError> for Failure {
    fn from(e: ShopError) -> Self {
        Self { transient: e.is_transient(), reason: e.to_string() }
    }
}

/// One attempt at a claimed change or delivery, and its outcome recorded: done; retried later
/// on the webhooks' schedule (exponential backoff with jitter) when it may succeed then;
/// failed for good when refused or out of attempts (a shop's change is then shown as the
/// connection's last error).
async fn carry_out(app: &App, push: Push) -> AppResult<()> {
    use redress_connect::shop::webhooks_out::{NextAttempt, Outcome, next_attempt};
    let now = app.now();
    let outcome = match attempt(app, &push).await {
        Ok(()) => Outcome::Delivered,
        Err(Failure { transient: true, reason }) => Outcome::Transient(reason),
        Err(Failure { transient: false, reason }) => Outcome::Permanent(reason),
    };
    let reason = match &outcome {
        Outcome::Delivered => String::new(),
        Outcome::Transient(reason) | Outcome::Permanent(reason) => reason.clone(),
    };
    let finished = match next_attempt(&app.push_retry, &outcome, push.attempts, now, rand::random()) {
        NextAttempt::Done => PushOutcome::Done,
        NextAttempt::At(at) => PushOutcome::Retry { at, error: reason },
        NextAttempt::Dead => {
            let error = format!("{} {}: {reason}", push.kind, push.key);
            if push.kind != crate::webhooks::WEBHOOK_PUSH {
                let platforms = app.storage().platforms();
                let record = platforms.record_sync(push.store_id, Platform::Shopify.as_str(), now, Some(&error));
                if let Err(e) = record.await {
                    tracing::warn!(error = %e, "the sync error could not be recorded");
                }
            }
            PushOutcome::Failed { error }
        }
    };
    app.storage().platforms().finish_push(push.store_id, &push.key, &finished).await?;
    Ok(())
}

async fn attempt(app: &App, push: &Push) -> Result<(), Failure> {
    match push.kind.as_str() {
        crate::outgoing::SHIPPING_ADDRESS_PUSH
        | crate::outgoing::ORDER_LINES_PUSH
        | crate::outgoing::CANCEL_ORDER_PUSH => push_to_shop(app, push).await.map_err(Failure::from),
        crate::webhooks::WEBHOOK_PUSH => crate::webhooks::deliver(app, push).await,
        other => Err(Failure { transient: false, reason: format!("Redress does not push `{other}`") }),
    }
}

/// What Shopify's staff see beside a change Redress made.
const STAFF_NOTE: &str = "Changed in Redress at the customer's request";

/// Makes an amendment in the order's Shopify shop, from the order as it is now: a later
/// amendment is never undone by an earlier one retried.
async fn push_to_shop(app: &App, push: &Push) -> Result<(), ShopError> {
    let unavailable = |e: AppError| ShopError::Unavailable(e.message);
    let order_id = push.order_id.ok_or_else(|| ShopError::Rejected("the change names no order".into()))?;
    let link = app
        .storage()
        .platforms()
        .order_link(push.store_id, order_id)
        .await
        .map_err(|e| ShopError::Unavailable(e.to_string()))?
        .ok_or_else(|| ShopError::NotFound("the order's link to its shop".into()))?;
    let Some((connection, Credentials::Shopify { access_token, .. })) =
        opened(app, push.store_id, Platform::Shopify).await.map_err(unavailable)?
    else {
        return Err(ShopError::Rejected("the store is no longer connected to Shopify".into()));
    };
    let config = ShopifyConfig::new(&connection.base_url, SHOPIFY_API_VERSION, Secret::new(access_token));
    let shop = ShopifyAdmin::new(config, Arc::new(TokioSleeper))?;
    let order =
        app.storage().order(push.store_id, order_id).await.map_err(|e| ShopError::Unavailable(e.to_string()))?;
    match push.kind.as_str() {
        crate::outgoing::SHIPPING_ADDRESS_PUSH => {
            shop.update_shipping_address(&link.remote_id, &order.shipping_address).await
        }
        crate::outgoing::CANCEL_ORDER_PUSH => {
            shop.cancel(&link.remote_id, CancelReason::Customer, Some(STAFF_NOTE)).await.map(|_| ())
        }
        _ => {
            let remote =
                shop.order(&link.remote_id).await?.ok_or_else(|| ShopError::NotFound(link.remote_id.clone()))?;
            let edits = line_edits(&order, &remote)?;
            shop.edit_lines(&link.remote_id, &edits, Some(STAFF_NOTE)).await.map(|_| ())
        }
    }
}

/// The quantities Shopify's order must take to match the order's lines, matched by SKU (as
/// the order was read from Shopify): a line Redress no longer has goes to zero. A line Shopify
/// does not have (a variant swapped to) is refused: Redress does not know Shopify's variant id
/// for it, and nothing is changed half-way.
fn line_edits(order: &Order, remote: &shopify::admin::GqlOrder) -> Result<Vec<LineEdit>, ShopError> {
    let draft = shopify::admin::draft_from_graphql(remote).map_err(|e| ShopError::Protocol(e.to_string()))?;
    if let Some(line) = order.lines.iter().find(|line| !draft.lines.iter().any(|l| l.sku == line.sku)) {
        return Err(ShopError::Rejected(format!(
            "Shopify's order has no line with SKU {}: change the variant in Shopify by hand",
            line.sku
        )));
    }
    Ok(draft
        .lines
        .iter()
        .filter_map(|l| {
            let quantity = order.lines.iter().find(|line| line.sku == l.sku).map_or(0, |line| line.quantity);
            Some(LineEdit::SetQuantity { line_id: l.remote.line_id.clone()?, quantity })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_open_only_with_their_key_and_row() {
        let key = SecretsKey::parse(&"01".repeat(32)).unwrap();
        let store = StoreId::from_uuid(uuid::Uuid::from_u128(1));
        let here = context(store, Platform::Shopify);
        let sealed = key.seal(&here, b"shpat_secret").unwrap();
        assert!(!sealed.windows(12).any(|w| w == b"shpat_secret"), "never in clear");
        assert_eq!(key.open(&here, &sealed).unwrap(), b"shpat_secret");
        assert_ne!(key.seal(&here, b"shpat_secret").unwrap(), sealed, "a fresh nonce each time");
        // Another key, another row, or a changed byte: refused.
        let other = SecretsKey::parse(&"02".repeat(32)).unwrap();
        assert!(other.open(&here, &sealed).is_err());
        assert!(key.open(&context(StoreId::from_uuid(uuid::Uuid::from_u128(2)), Platform::Shopify), &sealed).is_err());
        assert!(key.open(&context(store, Platform::WooCommerce), &sealed).is_err());
        let mut changed = sealed.clone();
        if let Some(last) = changed.last_mut() {
            *last ^= 1;
        }
        assert!(key.open(&here, &changed).is_err());
        assert!(key.open(&here, &sealed[..10]).is_err());
        assert_eq!(format!("{key:?}"), "SecretsKey(…)");
    }

    #[test]
    fn a_secrets_key_is_64_hex_digits() {
        assert!(SecretsKey::parse(&"ab".repeat(32)).is_ok());
        assert!(SecretsKey::parse(&"ab".repeat(31)).is_err());
        assert!(SecretsKey::parse(&"zz".repeat(32)).is_err());
        assert!(SecretsKey::parse("").is_err());
    }

    #[test]
    fn a_shop_address_is_http_without_credentials() {
        assert_eq!(base_url(" https://north.myshopify.com/ ").unwrap(), "https://north.myshopify.com");
        for bad in ["ftp://x.example", "https://user:pw@x.example", "https://x.example/?a=1", "not a url", "https://"] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
    }
}
