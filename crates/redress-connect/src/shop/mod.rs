//! Shop platforms: orders in from Shopify, WooCommerce and CSV files, fixes pushed back to the
//! platform, and signed webhooks out to the shop's own systems.
//!
//! Everything here is a self-contained component with no storage and no web code in it: the
//! application layer stores what these functions return and calls the clients from its jobs.
//!
//! - [`amount`]: decimal strings such as `"12.50"` to exact integer minor units and back, per
//!   currency exponent (no floats anywhere).
//! - [`OrderDraft`]: the one place a platform's order becomes a domain [`Order`] and
//!   [`Customer`] ([`ImportedOrder`]), so every source maps addresses, payments and parcels the
//!   same way and is checked by [`Order::validate`].
//! - [`shopify`]: webhook check (`X-Shopify-Hmac-Sha256`), webhook payloads to domain values, and
//!   [`shopify::admin::ShopifyAdmin`], the Admin GraphQL client (back-fill with cursor pagination
//!   and the leaky bucket, address change, line edits, cancellation, refunds exactly once,
//!   fulfillment holds).
//! - [`woocommerce`]: webhook check (`X-WC-Webhook-Signature`), order payloads, and
//!   [`woocommerce::WooCommerce`], the REST v3 client.
//! - [`csv_import`]: orders from a documented CSV format, every rejected row reported with its
//!   line, nothing returned unless every row is good.
//! - [`webhooks_out`]: Stripe-style `Redress-Signature` signing and checking, the event envelope,
//!   the deliverer and the retry schedule.
//! - `fake_shopify` and `fake_woocommerce` (feature `fake`): local fakes of both platforms
//!   built from their documented shapes, for tests and `redress demo`.
//!
//! Both clients also implement [`crate::PaymentProvider`], so a refund decided in Redress for a
//! platform's order goes through the platform (and so through its payment gateway) with the
//! existing [`crate::executor::RefundExecutor`]'s exactly-once protocol; see
//! [`shopify::admin`] for how a refund is found again when an answer is lost.
//!
//! # Wiring (for the application layer)
//!
//! - Webhook route: read the raw body (at most [`MAX_WEBHOOK_BODY`]), call
//!   [`shopify::verify_webhook`] / [`woocommerce::verify_webhook`] (answer `401` on error;
//!   [`woocommerce::is_ping`] first), record the delivery id and stop if it was seen, then
//!   [`shopify::parse_event`] / [`woocommerce::parse_event`] and upsert the
//!   [`ImportedOrder`] (its `customer` and `order`), keeping [`RemoteOrder`] beside it.
//! - Back-fill job: [`shopify::admin::ShopifyAdmin::backfill`] (resume from `end_cursor`) or
//!   [`woocommerce::WooCommerce::backfill`]; `ids` is `&mut uuid::Uuid::now_v7`.
//! - Fixes: `update_shipping_address`, `edit_lines` / `set_line_quantities`, `cancel`,
//!   `hold_fulfillment` / `release_fulfillment`; a [`ShopError`] says if the job should retry
//!   ([`ShopError::is_transient`]).
//! - Refunds: register the client as the provider named by the payment (`shopify`,
//!   `woocommerce`); the payment's reference is what the client needs.
//! - Outbound: [`webhooks_out::EventEnvelope::to_body`], [`webhooks_out::Deliverer::deliver`],
//!   [`webhooks_out::next_attempt`] with `rand::random()` and the clock.
//! - CSV: [`csv_import::import_orders`]; store the orders only on `Ok`.
//! - Demo: `fake_shopify::start` / `fake_woocommerce::start` (feature `fake`) give a base URL
//!   for the clients and a handle to seed orders (`SeedOrder::sample`,
//!   `fake_woocommerce::sample_order`) and send signed webhooks to the server.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use redress_domain::{Customer, Order};

pub mod amount;
pub mod csv_import;
mod draft;
#[cfg(any(test, feature = "fake"))]
pub mod fake_shopify;
#[cfg(any(test, feature = "fake"))]
pub mod fake_woocommerce;
pub mod shopify;
mod signature;
#[cfg(test)]
mod tests;
pub mod webhooks_out;
pub mod woocommerce;

pub use draft::{LineDraft, MappingError, OrderDraft, PaymentDraft, ShipmentDraft};
/// The headers a webhook arrived with (the `http` crate's map, as axum and reqwest use it).
pub use reqwest::header::HeaderMap;

/// The largest webhook body accepted: Shopify and WooCommerce order payloads are tens of
/// kilobytes; anything near this is not an order.
pub const MAX_WEBHOOK_BODY: usize = 2 * 1024 * 1024;

/// Which platform an order came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Shopify (webhooks and the Admin GraphQL API).
    Shopify,
    /// WooCommerce (webhooks and the REST API v3).
    WooCommerce,
    /// A CSV file.
    Csv,
}

impl Platform {
    /// The snake_case name, as stored with sync state.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Platform::Shopify => "shopify",
            Platform::WooCommerce => "woocommerce",
            Platform::Csv => "csv",
        }
    }
}

/// The platform's ids for an order's parts, kept beside the domain order so fixes can be sent
/// back: the domain knows lines by SKU, the platform by its own ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteOrder {
    /// Where the order came from.
    pub platform: Platform,
    /// The platform's order id (`gid://shopify/Order/…`, WooCommerce's numeric id as text, or
    /// the CSV's order number).
    pub order_id: String,
    /// One entry per `order.lines`, in the same order.
    pub lines: Vec<RemoteLine>,
    /// One entry per `order.shipments`, in the same order: the platform's id of the parcel.
    pub shipments: Vec<Option<String>>,
}

/// The platform's ids for one order line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteLine {
    /// The line's id (`gid://shopify/LineItem/…`, WooCommerce's line item id).
    pub line_id: Option<String>,
    /// The variant's id (`gid://shopify/ProductVariant/…`, WooCommerce's variation or product id).
    pub variant_id: Option<String>,
}

/// An order as a platform reported it, in domain terms, ready for `upsert_order`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportedOrder {
    /// Who placed it (a fresh id: storage keeps the stored customer of the same email).
    pub customer: Customer,
    /// The order, already checked by [`Order::validate`] (fresh ids: storage keeps stored ones).
    pub order: Order,
    /// The platform's ids for it.
    pub remote: RemoteOrder,
}

/// A secret (API token, app secret, webhook secret) that never appears in logs: `Debug` prints
/// a placeholder and there is no `Display`; [`Secret::expose`] is the one way to the text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it (a header, an HMAC key).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Waits. Throttle waits go through this so tests (and a paused tokio clock) never wait for
/// real.
#[async_trait]
pub trait Sleeper: Send + Sync {
    /// Returns after `duration`.
    async fn sleep(&self, duration: Duration);
}

/// Sleeps on tokio's clock, which `tokio::time::pause` makes virtual in tests.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

#[async_trait]
impl Sleeper for TokioSleeper {
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

/// Why a call to a platform failed. [`ShopError::is_transient`] says whether the same call may
/// be tried again later.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShopError {
    /// No answer in time: the change may or may not have been made. Retry; exactly-once calls
    /// look the result up first.
    #[error("the shop platform did not answer in time")]
    Timeout,
    /// The platform could not be reached or failed on its side (5xx, connection refused).
    #[error("the shop platform is unavailable: {0}")]
    Unavailable(String),
    /// Rate limited (HTTP 429, or GraphQL `THROTTLED` after waiting for the bucket as long as
    /// allowed). Retry later.
    #[error("the shop platform is rate limiting us")]
    RateLimited {
        /// How long the platform asked us to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// The credentials were refused (401/403): retrying will not help until they change.
    #[error("the shop platform refused our credentials")]
    Unauthorized,
    /// The order, line or variant does not exist on the platform.
    #[error("not found on the shop platform: {0}")]
    NotFound(String),
    /// The platform refused the request for good (validation or user errors).
    #[error("the shop platform refused: {0}")]
    Rejected(String),
    /// The platform answered something this client does not understand.
    #[error("unexpected answer from the shop platform: {0}")]
    Protocol(String),
}

impl ShopError {
    /// True when the same call may succeed later: timeouts, outages and rate limits.
    pub const fn is_transient(&self) -> bool {
        matches!(self, ShopError::Timeout | ShopError::Unavailable(_) | ShopError::RateLimited { .. })
    }

    /// The same failure in the payment provider interface's terms.
    pub fn into_provider_error(self) -> crate::ProviderError {
        use crate::ProviderError;
        match self {
            ShopError::Timeout => ProviderError::Timeout,
            ShopError::Unavailable(text) => ProviderError::Unavailable(text),
            ShopError::RateLimited { .. } => ProviderError::Unavailable("rate limited".into()),
            ShopError::Unauthorized => ProviderError::Rejected("credentials refused".into()),
            ShopError::NotFound(text) | ShopError::Rejected(text) => ProviderError::Rejected(text),
            ShopError::Protocol(text) => ProviderError::Protocol(text),
        }
    }
}

/// A transport failure in [`ShopError`] terms.
pub(crate) fn transport(e: reqwest::Error) -> ShopError {
    if e.is_timeout() { ShopError::Timeout } else { ShopError::Unavailable(e.to_string()) }
}

/// What an error status means, before the body is looked at.
pub(crate) fn status_error(status: reqwest::StatusCode, body: &[u8], retry_after: Option<Duration>) -> ShopError {
    let text: String = String::from_utf8_lossy(body).chars().take(300).collect();
    match status.as_u16() {
        401 | 403 => ShopError::Unauthorized,
        404 => ShopError::NotFound(text),
        408 => ShopError::Timeout,
        429 => ShopError::RateLimited { retry_after },
        500..=599 => ShopError::Unavailable(format!("{status}: {text}")),
        _ => ShopError::Rejected(format!("{status}: {text}")),
    }
}

/// Seconds from a `Retry-After` header, when it holds a number.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds: f64 = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// Why an inbound webhook was refused. Every variant but [`WebhookError::TooLarge`] should be
/// answered `401`: the sender is not who it claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is larger than [`MAX_WEBHOOK_BODY`].
    #[error("the webhook body is larger than {max} bytes")]
    TooLarge {
        /// The limit.
        max: usize,
    },
    /// A header the platform always sends is missing.
    #[error("the webhook has no {0} header")]
    MissingHeader(&'static str),
    /// A header is not what the platform sends (not text, too long).
    #[error("the webhook's {0} header is malformed")]
    BadHeader(&'static str),
    /// The signature does not match the body: forged, altered, or signed with another secret.
    #[error("the webhook's signature does not match its body")]
    BadSignature,
}

/// A header's value as text, bounded; `None` when absent.
pub(crate) fn header<'a>(
    headers: &'a reqwest::header::HeaderMap,
    name: &'static str,
) -> Result<Option<&'a str>, WebhookError> {
    match headers.get(name) {
        None => Ok(None),
        Some(value) => {
            let text = value.to_str().map_err(|_| WebhookError::BadHeader(name))?;
            if text.len() > 512 {
                return Err(WebhookError::BadHeader(name));
            }
            Ok(Some(text.trim()))
        }
    }
}

/// A header the platform always sends.
pub(crate) fn required_header<'a>(
    headers: &'a reqwest::header::HeaderMap,
    name: &'static str,
) -> Result<&'a str, WebhookError> {
    header(headers, name)?.filter(|v| !v.is_empty()).ok_or(WebhookError::MissingHeader(name))
}

/// The marker put in a refund's note (Shopify) or reason (WooCommerce) so the refund made for
/// a Redress refund intent can be found again when the answer to its creation was lost.
pub fn refund_marker(refund_id: redress_domain::RefundId) -> String {
    format!("[redress-refund:{refund_id}]")
}

/// The Redress refund intent named by a refund's note, if the note carries our marker.
pub fn refund_in_note(note: &str) -> Option<redress_domain::RefundId> {
    let start = note.find("[redress-refund:")? + "[redress-refund:".len();
    let rest = note.get(start..)?;
    let end = rest.find(']')?;
    rest.get(..end)?.parse().ok()
}

/// What a refund call did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundOutcome {
    /// The platform's refund id.
    pub reference: String,
    /// True when this call created it; false when it was found already made (an earlier
    /// attempt whose answer was lost).
    pub created: bool,
}
