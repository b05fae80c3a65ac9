//! WooCommerce: webhooks in, and the REST API v3 (`/wp-json/wc/v3`) for back-fill and fixes.
//!
//! [`verify_webhook`] checks `X-WC-Webhook-Signature` (base64 HMAC-SHA256 of the raw body under
//! the webhook's secret, constant time) before reading `X-WC-Webhook-Topic` and
//! `X-WC-Webhook-Delivery-ID` (de-duplicate on it). WooCommerce's ping when a webhook is saved
//! is unsigned (`webhook_id=…`): [`is_ping`] recognises it so the route can answer `200` and do
//! nothing.
//!
//! How WooCommerce's order becomes Redress's:
//! - amounts are decimal strings read exactly; a line's unit price is its `subtotal` (before
//!   discounts) divided by its quantity, refused if it does not divide exactly (the `price`
//!   field is a float and is never read);
//! - a line without a SKU is known as `woo-variation-{id}` or `woo-product-{id}`;
//! - variant attributes come from the line's visible meta data (`display_key`/`display_value`:
//!   `Size` = `M`), with `Color` written `colour`;
//! - one payment per paid order (`date_paid` set, or `processing`/`completed`/`refunded`):
//!   provider `woocommerce`, reference `wc-order-{id}` (refunds go through WooCommerce's refund
//!   endpoint with `api_refund`, so its gateway pays), captured the order `total`, refunded the
//!   sum of its `refunds`;
//! - parcels from the Shipment Tracking extension's `_wc_shipment_tracking_items` meta; a
//!   `completed` order without tracking is taken as sent (carrier `unknown`), so Redress never
//!   offers to amend an order that has left;
//! - dates are the `_gmt` fields, which WooCommerce writes without an offset: UTC.
//!
//! **Exactly-once refunds** work as for Shopify: the refund carries the intent in its meta data
//! (`redress_refund_id`) and its reason ([`super::refund_marker`]); before creating, the order's
//! refunds are read and one for the intent is returned as found. Line quantity and address
//! changes set values, so repeating them is harmless; cancelling sets the status.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use redress_domain::{Address, Money, RefundId, ShipmentLine, ShipmentStatus, StoreId};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use super::amount::{format_amount, parse_amount};
use super::draft::{MAX_LINES, attribute_name, bounded, checked_sum, currency_of, from_json};
use super::shopify::admin::read_bounded;
use super::{
    ImportedOrder, LineDraft, MAX_WEBHOOK_BODY, MappingError, OrderDraft, PaymentDraft, Platform, RefundOutcome,
    RemoteLine, Secret, ShipmentDraft, ShopError, WebhookError, header, refund_in_note, refund_marker, required_header,
    retry_after, signature, status_error, transport,
};
use crate::{PaymentProvider, ProviderAnswer, ProviderError, ProviderRefund, ProviderRefundStatus};

/// The base64 HMAC-SHA256 of the raw body.
pub const SIGNATURE_HEADER: &str = "x-wc-webhook-signature";
/// `order.created`, `order.updated`, …
pub const TOPIC_HEADER: &str = "x-wc-webhook-topic";
/// One delivery's id.
pub const DELIVERY_ID_HEADER: &str = "x-wc-webhook-delivery-id";
/// The webhook's id in the shop.
pub const WEBHOOK_ID_HEADER: &str = "x-wc-webhook-id";
/// The shop's URL.
pub const SOURCE_HEADER: &str = "x-wc-webhook-source";
/// The meta data key Redress's refunds carry their intent under.
pub const REFUND_META_KEY: &str = "redress_refund_id";
/// The most orders a page may ask for (WooCommerce's limit).
pub const MAX_PAGE_SIZE: u32 = 100;
/// The largest answer read.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// A webhook topic.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// `order.created`.
    OrderCreated,
    /// `order.updated`.
    OrderUpdated,
    /// `order.deleted`.
    OrderDeleted,
    /// `order.restored`.
    OrderRestored,
    /// Anything else.
    Other(String),
}

impl Topic {
    /// The topic named by `X-WC-Webhook-Topic`.
    pub fn parse(text: &str) -> Self {
        match text {
            "order.created" => Topic::OrderCreated,
            "order.updated" => Topic::OrderUpdated,
            "order.deleted" => Topic::OrderDeleted,
            "order.restored" => Topic::OrderRestored,
            other => Topic::Other(other.to_owned()),
        }
    }

    /// As WooCommerce writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Topic::OrderCreated => "order.created",
            Topic::OrderUpdated => "order.updated",
            Topic::OrderDeleted => "order.deleted",
            Topic::OrderRestored => "order.restored",
            Topic::Other(other) => other,
        }
    }
}

/// A webhook whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// What it is about.
    pub topic: Topic,
    /// `X-WC-Webhook-Delivery-ID`: de-duplicate on it.
    pub delivery_id: String,
    /// The webhook's id in the shop.
    pub webhook_id: Option<String>,
    /// The shop's URL.
    pub source: Option<String>,
}

/// True for WooCommerce's unsigned ping (`webhook_id=12`), sent when a webhook is saved.
pub fn is_ping(headers: &HeaderMap, body: &[u8]) -> bool {
    !headers.contains_key(SIGNATURE_HEADER)
        && body.len() < 64
        && body.strip_prefix(b"webhook_id=").is_some_and(|id| !id.is_empty() && id.iter().all(u8::is_ascii_digit))
}

/// Checks a webhook: size, then the HMAC of the raw body under the webhook's `secret`
/// (constant time), then the headers.
pub fn verify_webhook(secret: &Secret, headers: &HeaderMap, body: &[u8]) -> Result<Webhook, WebhookError> {
    if body.len() > MAX_WEBHOOK_BODY {
        return Err(WebhookError::TooLarge { max: MAX_WEBHOOK_BODY });
    }
    let signature = required_header(headers, SIGNATURE_HEADER)?;
    if !signature::verify_base64(secret.expose().as_bytes(), body, signature) {
        return Err(WebhookError::BadSignature);
    }
    Ok(Webhook {
        topic: Topic::parse(required_header(headers, TOPIC_HEADER)?),
        delivery_id: required_header(headers, DELIVERY_ID_HEADER)?.to_owned(),
        webhook_id: header(headers, WEBHOOK_ID_HEADER)?.map(str::to_owned),
        source: header(headers, SOURCE_HEADER)?.map(str::to_owned),
    })
}

/// The `X-WC-Webhook-Signature` value for `body`.
pub fn sign_webhook(secret: &Secret, body: &[u8]) -> String {
    signature::sign_base64(secret.expose().as_bytes(), body)
}

/// An address (`billing`, `shipping`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooAddress {
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// Company.
    #[serde(default)]
    pub company: String,
    /// Street line 1.
    #[serde(default)]
    pub address_1: String,
    /// Street line 2.
    #[serde(default)]
    pub address_2: String,
    /// City.
    #[serde(default)]
    pub city: String,
    /// Region code.
    #[serde(default)]
    pub state: String,
    /// Postal code.
    #[serde(default)]
    pub postcode: String,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country: String,
    /// Email (billing only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl WooAddress {
    /// The domain address, `None` without a street (virtual orders have empty shipping).
    pub fn to_address(&self) -> Option<Address> {
        let lines: Vec<String> =
            [&self.address_1, &self.address_2].into_iter().map(|l| bounded(l)).filter(|l| !l.is_empty()).collect();
        if lines.is_empty() {
            return None;
        }
        let name = [&self.first_name, &self.last_name]
            .into_iter()
            .map(|n| bounded(n))
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        Some(Address {
            name,
            lines,
            city: bounded(&self.city),
            postal_code: bounded(&self.postcode),
            region: Some(bounded(&self.state)).filter(|s| !s.is_empty()),
            country: bounded(&self.country).to_ascii_uppercase(),
        })
    }

    /// WooCommerce's address for a domain one (names split at the last space).
    pub fn from_address(address: &Address) -> Self {
        let (first_name, last_name) = match address.name.trim().rsplit_once(' ') {
            Some((first, last)) => (first.trim().to_owned(), last.to_owned()),
            None => (String::new(), address.name.trim().to_owned()),
        };
        Self {
            first_name,
            last_name,
            company: String::new(),
            address_1: address.lines.first().cloned().unwrap_or_default(),
            address_2: address.lines.get(1..).map(|rest| rest.join(", ")).unwrap_or_default(),
            city: address.city.clone(),
            state: address.region.clone().unwrap_or_default(),
            postcode: address.postal_code.clone(),
            country: address.country.clone(),
            email: None,
        }
    }
}

/// A meta data entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooMeta {
    /// Key; a leading `_` hides it from people.
    pub key: String,
    /// Any JSON.
    #[serde(default)]
    pub value: Value,
    /// The attribute's name for people (`Size`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_key: Option<String>,
    /// Its value for people (`M`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_value: Option<Value>,
}

/// A line item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooLineItem {
    /// Its id.
    pub id: u64,
    /// Product name.
    #[serde(default)]
    pub name: String,
    /// The product.
    #[serde(default)]
    pub product_id: u64,
    /// The variation, 0 for simple products.
    #[serde(default)]
    pub variation_id: u64,
    /// Units.
    pub quantity: u32,
    /// Price of all units before discounts.
    pub subtotal: String,
    /// After discounts.
    #[serde(default)]
    pub total: String,
    /// SKU, often empty.
    #[serde(default)]
    pub sku: Option<String>,
    /// Attributes and other meta data.
    #[serde(default)]
    pub meta_data: Vec<WooMeta>,
}

/// A refund as listed on the order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooRefundSummary {
    /// Its id.
    pub id: u64,
    /// Why.
    #[serde(default)]
    pub reason: String,
    /// Negative decimal (`"-10.00"`).
    pub total: String,
}

/// An order, as the REST API and webhooks send it (fields Redress reads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooOrder {
    /// Its id.
    pub id: u64,
    /// The number the customer sees.
    #[serde(default)]
    pub number: Option<String>,
    /// `pending`, `processing`, `on-hold`, `completed`, `cancelled`, `refunded`, `failed`, …
    pub status: String,
    /// ISO code.
    pub currency: String,
    /// When placed, UTC without offset.
    #[serde(default)]
    pub date_created_gmt: Option<String>,
    /// When last changed, UTC without offset.
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    /// When paid, UTC without offset.
    #[serde(default)]
    pub date_paid_gmt: Option<String>,
    /// Grand total.
    pub total: String,
    /// Who pays (and their email).
    #[serde(default)]
    pub billing: WooAddress,
    /// Where it goes.
    #[serde(default)]
    pub shipping: WooAddress,
    /// Gateway id (`stripe`, `bacs`).
    #[serde(default)]
    pub payment_method: Option<String>,
    /// The gateway's transaction id.
    #[serde(default)]
    pub transaction_id: Option<String>,
    /// Lines.
    #[serde(default)]
    pub line_items: Vec<WooLineItem>,
    /// Refunds so far.
    #[serde(default)]
    pub refunds: Vec<WooRefundSummary>,
    /// Meta data (shipment tracking among it).
    #[serde(default)]
    pub meta_data: Vec<WooMeta>,
}

/// A refund, as `/orders/{id}/refunds` lists and creates it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WooRefund {
    /// Its id.
    pub id: u64,
    /// Positive decimal.
    pub amount: String,
    /// Why (Redress's carry the marker).
    #[serde(default)]
    pub reason: String,
    /// True when the gateway paid it back.
    #[serde(default)]
    pub refunded_payment: bool,
    /// Meta data (Redress's carry [`REFUND_META_KEY`]).
    #[serde(default)]
    pub meta_data: Vec<WooMeta>,
}

impl WooRefund {
    /// The Redress intent this refund carries out, by its meta data or its reason's marker.
    pub fn redress_refund(&self) -> Option<RefundId> {
        self.meta_data
            .iter()
            .find(|m| m.key == REFUND_META_KEY)
            .and_then(|m| m.value.as_str())
            .and_then(|v| v.parse().ok())
            .or_else(|| refund_in_note(&self.reason))
    }
}

/// WooCommerce's `_gmt` dates: `2026-11-01T10:00:00`, UTC. An offset form is read too.
fn woo_date(field: &'static str, text: &str) -> Result<OffsetDateTime, MappingError> {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(text, &format)
        .map(PrimitiveDateTime::assume_utc)
        .or_else(|_| super::draft::rfc3339(field, text))
        .map_err(|_| MappingError::Date { field, text: text.chars().take(40).collect() })
}

/// The payment reference of a WooCommerce order (what refunds name as the charge).
pub fn payment_reference(order_id: u64) -> String {
    format!("wc-order-{order_id}")
}

/// The order id in a payment reference made by [`payment_reference`].
pub fn order_of_reference(reference: &str) -> Option<u64> {
    reference.strip_prefix("wc-order-")?.parse().ok()
}

fn line_sku(item: &WooLineItem) -> String {
    match item.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(sku) => bounded(sku),
        None if item.variation_id != 0 => format!("woo-variation-{}", item.variation_id),
        None => format!("woo-product-{}", item.product_id),
    }
}

/// Parcels from the Shipment Tracking extension's meta data.
fn tracked_parcels(o: &WooOrder, lines: &[LineDraft]) -> Vec<ShipmentDraft> {
    let all: Vec<ShipmentLine> =
        lines.iter().map(|l| ShipmentLine { sku: l.sku.clone(), quantity: l.quantity }).collect();
    let items = o.meta_data.iter().find(|m| m.key == "_wc_shipment_tracking_items").and_then(|m| m.value.as_array());
    let mut parcels = Vec::new();
    for item in items.into_iter().flatten().take(super::draft::MAX_SHIPMENTS) {
        let text = |key: &str| item.get(key).and_then(Value::as_str).map(bounded).filter(|v| !v.is_empty());
        let at = match item.get("date_shipped") {
            Some(Value::String(s)) => s.parse::<i64>().ok(),
            Some(Value::Number(n)) => n.as_i64(),
            _ => None,
        }
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
        parcels.push(ShipmentDraft {
            remote_id: text("tracking_id"),
            carrier: text("tracking_provider")
                .or_else(|| text("custom_tracking_provider"))
                .unwrap_or_else(|| "unknown".into()),
            tracking_number: text("tracking_number"),
            lines: all.clone(),
            status: ShipmentStatus::HandedToCarrier,
            at,
        });
    }
    if parcels.is_empty() && o.status == "completed" {
        parcels.push(ShipmentDraft {
            remote_id: None,
            carrier: "unknown".into(),
            tracking_number: None,
            lines: all,
            status: ShipmentStatus::HandedToCarrier,
            at: None,
        });
    }
    parcels
}

/// The draft of a WooCommerce order.
pub fn draft_from_woo(o: &WooOrder) -> Result<OrderDraft, MappingError> {
    if o.line_items.len() > MAX_LINES {
        return Err(MappingError::TooMany { what: "line items", max: MAX_LINES });
    }
    let currency = currency_of(&o.currency)?;
    let mut lines = Vec::new();
    for (i, item) in o.line_items.iter().enumerate() {
        if item.quantity == 0 {
            continue;
        }
        let subtotal = parse_amount(item.subtotal.trim(), currency)
            .map_err(|e| MappingError::amount(format!("line_items[{i}].subtotal"), e))?;
        let quantity = i64::from(item.quantity);
        if subtotal.amount_minor % quantity != 0 {
            return Err(MappingError::Inconsistent(format!(
                "line_items[{i}]: a subtotal of {} is not {} equal unit prices",
                format_amount(&subtotal),
                item.quantity
            )));
        }
        let variant: BTreeMap<String, String> = item
            .meta_data
            .iter()
            .filter(|m| !m.key.starts_with('_'))
            .filter_map(|m| {
                let name = m.display_key.as_deref().unwrap_or(&m.key);
                let value = m.display_value.as_ref().unwrap_or(&m.value).as_str()?;
                Some((attribute_name(name), bounded(value)))
            })
            .take(10)
            .collect();
        lines.push(LineDraft {
            sku: line_sku(item),
            title: bounded(&item.name),
            variant,
            quantity: item.quantity,
            unit_price: Money::new(subtotal.amount_minor / quantity, currency),
            remote: RemoteLine {
                line_id: Some(item.id.to_string()),
                variant_id: Some(if item.variation_id != 0 { item.variation_id } else { item.product_id }.to_string()),
            },
        });
    }
    let paid = o.date_paid_gmt.as_deref().is_some_and(|d| !d.is_empty())
        || matches!(o.status.as_str(), "processing" | "completed" | "refunded");
    let mut payments = Vec::new();
    if paid {
        let total = parse_amount(o.total.trim(), currency).map_err(|e| MappingError::amount("total", e))?;
        let refunds = o
            .refunds
            .iter()
            .take(250)
            .enumerate()
            .map(|(i, r)| {
                parse_amount(r.total.trim(), currency)
                    .map(|m| Money::new(m.amount_minor.saturating_abs(), currency))
                    .map_err(|e| MappingError::amount(format!("refunds[{i}].total"), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        payments.push(PaymentDraft {
            provider: "woocommerce".into(),
            reference: payment_reference(o.id),
            method: bounded(o.payment_method.as_deref().filter(|m| !m.is_empty()).unwrap_or("unknown")),
            authorized: total,
            captured: total,
            refunded: checked_sum(currency, &refunds)?,
            voided: false,
            created_at: o
                .date_paid_gmt
                .as_deref()
                .filter(|d| !d.is_empty())
                .map(|d| woo_date("date_paid_gmt", d))
                .transpose()?,
        });
    }
    let shipments = tracked_parcels(o, &lines);
    let placed_at =
        woo_date("date_created_gmt", o.date_created_gmt.as_deref().ok_or(MappingError::Missing("date_created_gmt"))?)?;
    let cancelled_at = if o.status == "cancelled" {
        Some(o.date_modified_gmt.as_deref().map(|d| woo_date("date_modified_gmt", d)).transpose()?.unwrap_or(placed_at))
    } else {
        None
    };
    let email = o
        .billing
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .ok_or(MappingError::Missing("billing.email"))?;
    let name = [&o.billing.first_name, &o.billing.last_name]
        .into_iter()
        .map(|n| n.trim())
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(OrderDraft {
        platform: Platform::WooCommerce,
        remote_id: o.id.to_string(),
        number: bounded(o.number.as_deref().filter(|n| !n.trim().is_empty()).unwrap_or(&o.id.to_string())),
        email: email.to_owned(),
        customer_name: name,
        currency,
        lines,
        shipping_address: o.shipping.to_address(),
        billing_address: o.billing.to_address(),
        payments,
        shipments,
        placed_at,
        cancelled_at,
    })
}

/// An order payload (webhook body or REST answer) as a domain customer and order.
pub fn order_from_woocommerce(
    body: &[u8],
    store_id: StoreId,
    ids: &mut dyn FnMut() -> Uuid,
) -> Result<ImportedOrder, MappingError> {
    if body.len() > MAX_WEBHOOK_BODY {
        return Err(MappingError::TooMany { what: "bytes", max: MAX_WEBHOOK_BODY });
    }
    let order: WooOrder = from_json(body)?;
    draft_from_woo(&order)?.build(store_id, ids)
}

/// A webhook's meaning in domain terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An order to create or update.
    Order(Box<ImportedOrder>),
    /// The order was deleted (trashed) in the shop.
    Deleted {
        /// Its id.
        order_id: u64,
    },
    /// A topic Redress does not act on.
    Ignored,
}

/// What a verified webhook's body means, by topic.
pub fn parse_event(
    topic: &Topic,
    body: &[u8],
    store_id: StoreId,
    ids: &mut dyn FnMut() -> Uuid,
) -> Result<Event, MappingError> {
    match topic {
        Topic::OrderCreated | Topic::OrderUpdated | Topic::OrderRestored => {
            Ok(Event::Order(Box::new(order_from_woocommerce(body, store_id, ids)?)))
        }
        Topic::OrderDeleted => {
            #[derive(Deserialize)]
            struct Deleted {
                id: u64,
            }
            if body.len() > MAX_WEBHOOK_BODY {
                return Err(MappingError::TooMany { what: "bytes", max: MAX_WEBHOOK_BODY });
            }
            let deleted: Deleted = from_json(body)?;
            Ok(Event::Deleted { order_id: deleted.id })
        }
        Topic::Other(_) => Ok(Event::Ignored),
    }
}

/// Where and how to reach a shop's REST API.
#[derive(Clone, Debug)]
pub struct WooConfig {
    /// The site, e.g. `https://shop.example` (the API is under `/wp-json/wc/v3`).
    pub base_url: String,
    /// `ck_…`.
    pub consumer_key: Secret,
    /// `cs_…`.
    pub consumer_secret: Secret,
    /// How long one call may take.
    pub timeout: Duration,
}

impl WooConfig {
    /// A configuration with a 20 s timeout.
    pub fn new(base_url: &str, consumer_key: Secret, consumer_secret: Secret) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            consumer_key,
            consumer_secret,
            timeout: Duration::from_secs(20),
        }
    }
}

/// A page of orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WooPage {
    /// The orders.
    pub orders: Vec<WooOrder>,
    /// `X-WP-TotalPages`, when sent.
    pub total_pages: Option<u32>,
    /// `X-WP-Total`, when sent.
    pub total: Option<u64>,
}

/// A line's new quantity, with the unit price its totals are recomputed from (WooCommerce
/// keeps a line's totals as given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineQuantity {
    /// The line item's id.
    pub line_id: u64,
    /// Units wanted (0 removes it).
    pub quantity: u32,
    /// Price of one unit.
    pub unit_price: Money,
}

/// A refunded line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WooRefundLine {
    /// The line item's id.
    pub line_id: u64,
    /// Units.
    pub quantity: u32,
    /// Money for them.
    pub refund_total: Money,
}

/// A refund to make on a WooCommerce order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WooRefundRequest {
    /// The order.
    pub order_id: u64,
    /// The Redress intent.
    pub refund_id: RefundId,
    /// Money back.
    pub amount: Money,
    /// Words for the shop (the marker is added).
    pub reason: Option<String>,
    /// Lines refunded.
    pub lines: Vec<WooRefundLine>,
    /// Pay it back through the gateway (`api_refund`); false records a manual refund.
    pub through_gateway: bool,
}

/// A shop's REST API v3.
pub struct WooCommerce {
    client: reqwest::Client,
    api: String,
    config: WooConfig,
}

impl std::fmt::Debug for WooCommerce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WooCommerce").field("api", &self.api).finish_non_exhaustive()
    }
}

impl WooCommerce {
    /// A client for `config`. The consumer key and secret go as HTTP basic auth, which
    /// WooCommerce accepts over HTTPS only: point it at `https://` in production.
    pub fn new(config: WooConfig) -> Result<Self, ShopError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ShopError::Unavailable(e.to_string()))?;
        Ok(Self { api: format!("{}/wp-json/wc/v3", config.base_url), client, config })
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.api))
            .basic_auth(self.config.consumer_key.expose(), Some(self.config.consumer_secret.expose()))
    }

    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(T, HeaderMap), ShopError> {
        let response = request.send().await.map_err(transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let retry = retry_after(&headers);
        let body = read_bounded(response, MAX_RESPONSE_BYTES).await?;
        if !status.is_success() {
            return Err(status_error(status, &body, retry));
        }
        let value = serde_json::from_slice(&body).map_err(|e| ShopError::Protocol(e.to_string()))?;
        Ok((value, headers))
    }

    /// One page of orders (`page` from 1), oldest first, created after `after` if given.
    pub async fn orders_page(
        &self,
        after: Option<OffsetDateTime>,
        page: u32,
        per_page: u32,
    ) -> Result<WooPage, ShopError> {
        let mut query = vec![
            ("page", page.max(1).to_string()),
            ("per_page", per_page.clamp(1, MAX_PAGE_SIZE).to_string()),
            ("orderby", "date".to_owned()),
            ("order", "asc".to_owned()),
            // `after` is read as UTC, not the site's time zone.
            ("dates_are_gmt", "true".to_owned()),
        ];
        if let Some(after) = after {
            let at = after
                .to_offset(time::UtcOffset::UTC)
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(|e| ShopError::Protocol(e.to_string()))?;
            query.push(("after", at));
        }
        let (orders, headers): (Vec<WooOrder>, _) =
            self.send(self.request(reqwest::Method::GET, "/orders").query(&query)).await?;
        let number =
            |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
        Ok(WooPage {
            orders,
            total_pages: number("x-wp-totalpages").map(|n| u32::try_from(n).unwrap_or(u32::MAX)),
            total: number("x-wp-total"),
        })
    }

    /// Reads every page (up to `max_orders` orders) created after `after`, mapping each; an
    /// order that does not map is returned with its reason and the rest go on.
    pub async fn backfill(
        &self,
        after: Option<OffsetDateTime>,
        per_page: u32,
        max_orders: usize,
        store_id: StoreId,
        ids: &mut (dyn FnMut() -> Uuid + Send),
    ) -> Result<WooBackfill, ShopError> {
        let mut result = WooBackfill::default();
        let mut page = 1;
        loop {
            let answer = self.orders_page(after, page, per_page).await?;
            result.pages = page;
            for order in &answer.orders {
                match draft_from_woo(order).and_then(|d| d.build(store_id, ids)) {
                    Ok(imported) => result.orders.push(imported),
                    Err(error) => result.rejected.push((order.id, error)),
                }
            }
            // Without the header, a full page may have more after it.
            let last = match answer.total_pages {
                Some(total) => page >= total,
                None => answer.orders.len() < per_page.clamp(1, MAX_PAGE_SIZE) as usize,
            };
            if last || answer.orders.is_empty() {
                return Ok(result);
            }
            if result.orders.len() + result.rejected.len() >= max_orders {
                result.more = true;
                return Ok(result);
            }
            page += 1;
        }
    }

    /// One order.
    pub async fn order(&self, order_id: u64) -> Result<WooOrder, ShopError> {
        Ok(self.send(self.request(reqwest::Method::GET, &format!("/orders/{order_id}"))).await?.0)
    }

    async fn update(&self, order_id: u64, body: Value) -> Result<WooOrder, ShopError> {
        Ok(self.send(self.request(reqwest::Method::PUT, &format!("/orders/{order_id}")).json(&body)).await?.0)
    }

    /// Sets the shipping address.
    pub async fn update_shipping_address(&self, order_id: u64, address: &Address) -> Result<WooOrder, ShopError> {
        self.update(order_id, json!({ "shipping": WooAddress::from_address(address) })).await
    }

    /// Sets lines' quantities (and their totals from the unit price).
    pub async fn set_line_quantities(&self, order_id: u64, lines: &[LineQuantity]) -> Result<WooOrder, ShopError> {
        let items = lines
            .iter()
            .take(MAX_LINES)
            .map(|l| {
                let total = l.unit_price.checked_mul(l.quantity).map_err(|e| ShopError::Rejected(e.to_string()))?;
                Ok(json!({ "id": l.line_id, "quantity": l.quantity, "subtotal": format_amount(&total), "total": format_amount(&total) }))
            })
            .collect::<Result<Vec<_>, ShopError>>()?;
        self.update(order_id, json!({ "line_items": items })).await
    }

    /// Cancels the order (status `cancelled`); cancelling again changes nothing.
    pub async fn cancel(&self, order_id: u64) -> Result<WooOrder, ShopError> {
        self.update(order_id, json!({ "status": "cancelled" })).await
    }

    /// The order's refunds.
    pub async fn refunds(&self, order_id: u64) -> Result<Vec<WooRefund>, ShopError> {
        let request =
            self.request(reqwest::Method::GET, &format!("/orders/{order_id}/refunds")).query(&[("per_page", "100")]);
        Ok(self.send(request).await?.0)
    }

    /// The refund made for the intent, if there is one.
    pub async fn find_refund(&self, order_id: u64, refund_id: RefundId) -> Result<Option<WooRefund>, ShopError> {
        Ok(self.refunds(order_id).await?.into_iter().find(|r| r.redress_refund() == Some(refund_id)))
    }

    /// Refunds exactly once per intent: one already made for `request.refund_id` is returned
    /// as found (`created: false`).
    pub async fn refund(&self, request: &WooRefundRequest) -> Result<RefundOutcome, ShopError> {
        if let Some(found) = self.find_refund(request.order_id, request.refund_id).await? {
            return Ok(RefundOutcome { reference: found.id.to_string(), created: false });
        }
        if request.amount.is_negative() {
            return Err(ShopError::Rejected("a refund cannot be negative".into()));
        }
        // The amount goes as decimal text, which means nothing in another currency.
        let order = self.order(request.order_id).await?;
        if !order.currency.eq_ignore_ascii_case(request.amount.currency.code()) {
            return Err(ShopError::Rejected(format!(
                "the refund is in {} but the order is in {}",
                request.amount.currency,
                order.currency.chars().take(10).collect::<String>()
            )));
        }
        let reason = match &request.reason {
            Some(reason) => format!("{} {}", bounded(reason), refund_marker(request.refund_id)),
            None => refund_marker(request.refund_id),
        };
        let lines: Vec<Value> = request
            .lines
            .iter()
            .take(MAX_LINES)
            .map(|l| json!({ "id": l.line_id, "quantity": l.quantity, "refund_total": format_amount(&l.refund_total) }))
            .collect();
        let body = json!({
            "amount": format_amount(&request.amount),
            "reason": reason,
            "api_refund": request.through_gateway,
            "line_items": lines,
            "meta_data": [{ "key": REFUND_META_KEY, "value": request.refund_id.to_string() }],
        });
        let path = format!("/orders/{}/refunds", request.order_id);
        let (refund, _): (WooRefund, _) = self.send(self.request(reqwest::Method::POST, &path).json(&body)).await?;
        Ok(RefundOutcome { reference: refund.id.to_string(), created: true })
    }
}

/// What a back-fill read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WooBackfill {
    /// Orders mapped.
    pub orders: Vec<ImportedOrder>,
    /// Orders refused, by id, with the reason.
    pub rejected: Vec<(u64, MappingError)>,
    /// Pages read.
    pub pages: u32,
    /// True when `max_orders` stopped it before the last page.
    pub more: bool,
}

/// WooCommerce as a payment provider: `charge` is the payment reference
/// (`wc-order-{id}`); the refund goes through WooCommerce's gateway (`api_refund`).
#[async_trait]
impl PaymentProvider for WooCommerce {
    fn name(&self) -> &str {
        "woocommerce"
    }

    async fn refund(&self, refund: &ProviderRefund) -> Result<ProviderAnswer, ProviderError> {
        let order_id = order_of_reference(&refund.charge)
            .ok_or_else(|| ProviderError::Rejected(format!("`{}` is not a WooCommerce order", refund.charge)))?;
        let request = WooRefundRequest {
            order_id,
            refund_id: refund.refund_id,
            amount: refund.amount,
            reason: refund.reason.map(|r| format!("Redress: {r}")),
            lines: Vec::new(),
            through_gateway: true,
        };
        let outcome = WooCommerce::refund(self, &request).await.map_err(ShopError::into_provider_error)?;
        Ok(ProviderAnswer {
            reference: outcome.reference,
            refund_id: Some(refund.refund_id),
            status: ProviderRefundStatus::Succeeded,
        })
    }

    async fn find_refund(&self, charge: &str, refund_id: RefundId) -> Result<Option<ProviderAnswer>, ProviderError> {
        let order_id = order_of_reference(charge)
            .ok_or_else(|| ProviderError::Rejected(format!("`{charge}` is not a WooCommerce order")))?;
        let found =
            WooCommerce::find_refund(self, order_id, refund_id).await.map_err(ShopError::into_provider_error)?;
        Ok(found.map(|r| ProviderAnswer {
            reference: r.id.to_string(),
            refund_id: Some(refund_id),
            status: ProviderRefundStatus::Succeeded,
        }))
    }
}

/// Basic-auth credentials from an `Authorization` header (for the fake).
#[cfg(any(test, feature = "fake"))]
pub(crate) fn basic_credentials(value: &str) -> Option<(String, String)> {
    use base64::Engine;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (key, secret) = text.split_once(':')?;
    Some((key.to_owned(), secret.to_owned()))
}
