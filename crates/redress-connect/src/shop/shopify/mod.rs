//! Shopify: webhooks in, and the Admin GraphQL API ([`admin`]) for back-fill and fixes.
//!
//! A webhook is checked before anything in it is believed: [`verify_webhook`] recomputes the
//! base64 HMAC-SHA256 of the raw body under the app's secret and compares it with
//! `X-Shopify-Hmac-Sha256` in constant time; only then are the topic and `X-Shopify-Webhook-Id`
//! (the same for every retry of one delivery, so the caller de-duplicates on it) read.
//!
//! [`parse_event`] turns the body into domain values. Orders go through [`order_from_shopify`]
//! (`orders/create`, `orders/updated`, `orders/cancelled`); `fulfillments/create|update` give a
//! [`FulfillmentEvent`]; `refunds/create` a [`RefundEvent`].
//!
//! How Shopify's order becomes Redress's:
//! - amounts are the shop's currency (`currency`, `price`, `total_price`), read exactly by
//!   [`super::amount`]; presentment currencies are not used;
//! - a line's quantity is its `current_quantity` (what is left after edits and removals); a
//!   line with none left is dropped, unless none is left on any line (a cancelled order), when
//!   the original quantities are kept so the order still says what was bought;
//! - a line without a SKU gets a stable stand-in, `shopify-variant-{id}` (or
//!   `shopify-line-{id}` without a variant), the same from webhooks and from the Admin API;
//! - webhooks carry only `variant_title` (`"M / Red"`), not the option names, so its parts are
//!   kept as `option1`, `option2`…; the Admin API's `selectedOptions` names them (`size`,
//!   `colour`). Prefer [`admin::ShopifyAdmin::order`] on a webhook where both shape one order;
//! - one payment per order: provider `shopify`, reference the order's GID (a refund is made on
//!   the order and Shopify picks the gateway transactions), amounts from the transactions when
//!   the payload has them, from `financial_status`, `total_price` and the refunds otherwise;
//! - each fulfillment not cancelled is a shipment; its status comes from `shipment_status`
//!   ([`shipment_status`]).

use std::collections::BTreeMap;

use redress_domain::{Address, Currency, Money, RefundId, Shipment, ShipmentId, ShipmentLine, ShipmentStatus, StoreId};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::amount::parse_amount;
use super::draft::{
    MAX_LINES, MAX_SHIPMENTS, bounded, checked_sum, currency_of, from_json, rfc3339, shipment_lines_on_order,
};
use super::{
    ImportedOrder, LineDraft, MAX_WEBHOOK_BODY, MappingError, OrderDraft, PaymentDraft, Platform, RemoteLine, Secret,
    ShipmentDraft, WebhookError, header, required_header, signature,
};

pub mod admin;

/// The base64 HMAC-SHA256 of the raw body.
pub const HMAC_HEADER: &str = "x-shopify-hmac-sha256";
/// `orders/create`, `refunds/create`, …
pub const TOPIC_HEADER: &str = "x-shopify-topic";
/// The delivery's id: the same on every retry of one delivery.
pub const WEBHOOK_ID_HEADER: &str = "x-shopify-webhook-id";
/// `{shop}.myshopify.com`.
pub const SHOP_DOMAIN_HEADER: &str = "x-shopify-shop-domain";
/// The API version the payload is shaped by.
pub const API_VERSION_HEADER: &str = "x-shopify-api-version";
/// When Shopify triggered the delivery.
pub const TRIGGERED_AT_HEADER: &str = "x-shopify-triggered-at";

/// A webhook topic.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Topic {
    /// `orders/create`.
    OrdersCreate,
    /// `orders/updated`.
    OrdersUpdated,
    /// `orders/cancelled`.
    OrdersCancelled,
    /// `fulfillments/create`.
    FulfillmentsCreate,
    /// `fulfillments/update`.
    FulfillmentsUpdate,
    /// `refunds/create`.
    RefundsCreate,
    /// Any other topic: acknowledged, not acted on.
    Other(String),
}

impl Topic {
    /// The topic named by `X-Shopify-Topic`.
    pub fn parse(text: &str) -> Self {
        match text {
            "orders/create" => Topic::OrdersCreate,
            "orders/updated" => Topic::OrdersUpdated,
            "orders/cancelled" => Topic::OrdersCancelled,
            "fulfillments/create" => Topic::FulfillmentsCreate,
            "fulfillments/update" => Topic::FulfillmentsUpdate,
            "refunds/create" => Topic::RefundsCreate,
            other => Topic::Other(other.to_owned()),
        }
    }

    /// The topic as Shopify writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Topic::OrdersCreate => "orders/create",
            Topic::OrdersUpdated => "orders/updated",
            Topic::OrdersCancelled => "orders/cancelled",
            Topic::FulfillmentsCreate => "fulfillments/create",
            Topic::FulfillmentsUpdate => "fulfillments/update",
            Topic::RefundsCreate => "refunds/create",
            Topic::Other(other) => other,
        }
    }
}

/// A webhook whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// What it is about.
    pub topic: Topic,
    /// `X-Shopify-Webhook-Id`: de-duplicate deliveries on it (Shopify retries with the same id).
    pub webhook_id: String,
    /// The shop that sent it.
    pub shop_domain: Option<String>,
    /// The API version of the payload.
    pub api_version: Option<String>,
    /// When Shopify triggered it (as sent, RFC 3339).
    pub triggered_at: Option<String>,
}

/// Checks a webhook: size, then the HMAC of the raw body under the app's `secret` (constant
/// time), then the headers. Nothing but the signature header is read before the body is
/// known to come from Shopify.
pub fn verify_webhook(secret: &Secret, headers: &HeaderMap, body: &[u8]) -> Result<Webhook, WebhookError> {
    if body.len() > MAX_WEBHOOK_BODY {
        return Err(WebhookError::TooLarge { max: MAX_WEBHOOK_BODY });
    }
    let signature = required_header(headers, HMAC_HEADER)?;
    if !signature::verify_base64(secret.expose().as_bytes(), body, signature) {
        return Err(WebhookError::BadSignature);
    }
    Ok(Webhook {
        topic: Topic::parse(required_header(headers, TOPIC_HEADER)?),
        webhook_id: required_header(headers, WEBHOOK_ID_HEADER)?.to_owned(),
        shop_domain: header(headers, SHOP_DOMAIN_HEADER)?.map(str::to_owned),
        api_version: header(headers, API_VERSION_HEADER)?.map(str::to_owned),
        triggered_at: header(headers, TRIGGERED_AT_HEADER)?.map(str::to_owned),
    })
}

/// The `X-Shopify-Hmac-Sha256` value for `body` (what Shopify sends; the fake signs with it).
pub fn sign_webhook(secret: &Secret, body: &[u8]) -> String {
    signature::sign_base64(secret.expose().as_bytes(), body)
}

/// Shopify's global id for a REST numeric id: `gid://shopify/Order/123`.
pub fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

/// The numeric id at the end of a GID (`gid://shopify/Order/123` → 123).
pub fn numeric_id(gid: &str) -> Option<u64> {
    gid.rsplit('/').next()?.split('?').next()?.parse().ok()
}

/// The SKU an order line is known by: Shopify's, or a stand-in from the variant (or line) id.
pub(crate) fn sku_or_standin(sku: Option<&str>, variant_id: Option<u64>, line_id: Option<u64>) -> String {
    match (sku.map(str::trim).filter(|s| !s.is_empty()), variant_id, line_id) {
        (Some(sku), _, _) => bounded(sku),
        (None, Some(variant), _) => format!("shopify-variant-{variant}"),
        (None, None, Some(line)) => format!("shopify-line-{line}"),
        (None, None, None) => "shopify-unknown".to_owned(),
    }
}

/// Where a fulfillment is, from its `status` and `shipment_status` (REST, lower case) or
/// `status` and `displayStatus` (GraphQL, upper case). `None`: not a parcel (cancelled, or
/// the fulfillment failed). A fulfillment Shopify calls a success with no tracking news has
/// left the warehouse; a tracking `failure` is a failed lookup, not a lost parcel, so it says
/// nothing beyond that either.
pub fn shipment_status(status: &str, tracking: Option<&str>) -> Option<ShipmentStatus> {
    match status.to_ascii_lowercase().as_str() {
        "cancelled" | "canceled" | "error" | "failure" => return None,
        "pending" | "open" => return Some(ShipmentStatus::Pending),
        _ => {}
    }
    let tracking = tracking.map(str::to_ascii_lowercase);
    Some(match tracking.as_deref() {
        Some("canceled" | "cancelled") => return None,
        Some("delivered" | "picked_up") => ShipmentStatus::Delivered,
        Some(
            "in_transit"
            | "out_for_delivery"
            | "attempted_delivery"
            | "ready_for_pickup"
            | "delayed"
            | "not_delivered"
            | "buyer_action_required"
            | "returning_to_sender",
        ) => ShipmentStatus::InTransit,
        Some("label_printed" | "label_purchased" | "submitted") => ShipmentStatus::Packed,
        Some("label_voided") => ShipmentStatus::Pending,
        _ => ShipmentStatus::HandedToCarrier,
    })
}

/// An address as Shopify writes it (orders' `shipping_address` and `billing_address`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressPayload {
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// Street line 1.
    #[serde(default)]
    pub address1: Option<String>,
    /// Street line 2.
    #[serde(default)]
    pub address2: Option<String>,
    /// City.
    #[serde(default)]
    pub city: Option<String>,
    /// Postal code.
    #[serde(default)]
    pub zip: Option<String>,
    /// Region name.
    #[serde(default)]
    pub province: Option<String>,
    /// Region code.
    #[serde(default)]
    pub province_code: Option<String>,
    /// Country name.
    #[serde(default)]
    pub country: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country_code: Option<String>,
}

/// The parts of an address common to REST and GraphQL, in Redress's terms.
pub(crate) struct AddressParts<'a> {
    pub name: Option<&'a str>,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub address1: Option<&'a str>,
    pub address2: Option<&'a str>,
    pub city: Option<&'a str>,
    pub zip: Option<&'a str>,
    pub region: Option<&'a str>,
    pub country_code: Option<&'a str>,
}

impl AddressParts<'_> {
    /// The domain address; `None` when there is no street (Shopify sends an empty object for
    /// orders with nothing to ship).
    pub(crate) fn to_address(&self) -> Option<Address> {
        let text = |v: Option<&str>| v.map(bounded).filter(|s| !s.is_empty());
        let lines: Vec<String> = [self.address1, self.address2].into_iter().filter_map(text).collect();
        if lines.is_empty() {
            return None;
        }
        let name = text(self.name).unwrap_or_else(|| {
            [self.first_name, self.last_name].into_iter().filter_map(text).collect::<Vec<_>>().join(" ")
        });
        Some(Address {
            name,
            lines,
            city: text(self.city).unwrap_or_default(),
            postal_code: text(self.zip).unwrap_or_default(),
            region: text(self.region),
            country: text(self.country_code).unwrap_or_default().to_ascii_uppercase(),
        })
    }
}

impl AddressPayload {
    fn to_address(&self) -> Option<Address> {
        AddressParts {
            name: self.name.as_deref(),
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
            address1: self.address1.as_deref(),
            address2: self.address2.as_deref(),
            city: self.city.as_deref(),
            zip: self.zip.as_deref(),
            region: self.province_code.as_deref().or(self.province.as_deref()),
            country_code: self.country_code.as_deref(),
        }
        .to_address()
    }
}

/// The customer on an order payload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPayload {
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
}

/// A line item (orders' `line_items`, fulfillments' `line_items`, refunds' `line_item`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItemPayload {
    /// Numeric id.
    pub id: u64,
    /// The variant, when the product still exists.
    #[serde(default)]
    pub variant_id: Option<u64>,
    /// SKU; often empty.
    #[serde(default)]
    pub sku: Option<String>,
    /// Product title.
    #[serde(default)]
    pub title: Option<String>,
    /// `"M / Red"`: the variant's option values.
    #[serde(default)]
    pub variant_title: Option<String>,
    /// Units ordered.
    pub quantity: u32,
    /// Units left after edits and removals (newer API versions).
    #[serde(default)]
    pub current_quantity: Option<u32>,
    /// Unit price in the shop's currency.
    #[serde(default)]
    pub price: Option<String>,
}

/// A transaction (refunds' `transactions`; orders' `transactions` where the sender adds them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionPayload {
    /// Numeric id.
    pub id: u64,
    /// `sale`, `authorization`, `capture`, `void`, `refund`.
    pub kind: String,
    /// `success`, `pending`, `failure`, `error`.
    pub status: String,
    /// Amount in `currency`.
    pub amount: String,
    /// The shop's currency.
    #[serde(default)]
    pub currency: Option<String>,
    /// `shopify_payments`, `manual`, `gift_card`, …
    #[serde(default)]
    pub gateway: Option<String>,
    /// The transaction this one captures, voids or refunds.
    #[serde(default)]
    pub parent_id: Option<u64>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// A fulfillment (orders' `fulfillments`; the `fulfillments/*` payload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentPayload {
    /// Numeric id.
    pub id: u64,
    /// The order, in the `fulfillments/*` payload.
    #[serde(default)]
    pub order_id: Option<u64>,
    /// `pending`, `open`, `success`, `cancelled`, `error`, `failure`.
    #[serde(default)]
    pub status: Option<String>,
    /// The carrier's latest news: `in_transit`, `delivered`, …
    #[serde(default)]
    pub shipment_status: Option<String>,
    /// Carrier.
    #[serde(default)]
    pub tracking_company: Option<String>,
    /// Tracking number.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// Tracking numbers, when several.
    #[serde(default)]
    pub tracking_numbers: Vec<String>,
    /// What is in it.
    #[serde(default)]
    pub line_items: Vec<LineItemPayload>,
    /// When made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A refunded line (refunds' `refund_line_items`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundLinePayload {
    /// The order's line item.
    pub line_item_id: u64,
    /// Units refunded.
    pub quantity: u32,
    /// The line item itself.
    #[serde(default)]
    pub line_item: Option<LineItemPayload>,
}

/// A refund (orders' `refunds`; the `refunds/create` payload).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPayload {
    /// Numeric id.
    pub id: u64,
    /// The order, in the `refunds/create` payload.
    #[serde(default)]
    pub order_id: Option<u64>,
    /// The staff note; Redress's refunds carry [`super::refund_marker`] in it.
    #[serde(default)]
    pub note: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Lines refunded.
    #[serde(default)]
    pub refund_line_items: Vec<RefundLinePayload>,
    /// The money moved.
    #[serde(default)]
    pub transactions: Vec<TransactionPayload>,
}

/// An order as Shopify's webhooks send it (the REST Order resource; fields Redress reads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPayload {
    /// Numeric id.
    pub id: u64,
    /// `#1001`.
    #[serde(default)]
    pub name: Option<String>,
    /// 1001.
    #[serde(default)]
    pub order_number: Option<u64>,
    /// The customer's email.
    #[serde(default)]
    pub email: Option<String>,
    /// The contact email, when `email` is empty.
    #[serde(default)]
    pub contact_email: Option<String>,
    /// When placed.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When cancelled.
    #[serde(default)]
    pub cancelled_at: Option<String>,
    /// The shop's currency.
    pub currency: String,
    /// `pending`, `authorized`, `paid`, `partially_refunded`, `refunded`, `voided`, …
    #[serde(default)]
    pub financial_status: Option<String>,
    /// Total charged, in the shop's currency.
    #[serde(default)]
    pub total_price: Option<String>,
    /// Gateways used.
    #[serde(default)]
    pub payment_gateway_names: Vec<String>,
    /// The customer.
    #[serde(default)]
    pub customer: Option<CustomerPayload>,
    /// Where it goes.
    #[serde(default)]
    pub shipping_address: Option<AddressPayload>,
    /// Who pays.
    #[serde(default)]
    pub billing_address: Option<AddressPayload>,
    /// Lines.
    #[serde(default)]
    pub line_items: Vec<LineItemPayload>,
    /// Parcels.
    #[serde(default)]
    pub fulfillments: Vec<FulfillmentPayload>,
    /// Refunds so far.
    #[serde(default)]
    pub refunds: Vec<RefundPayload>,
    /// Transactions, when the sender includes them (webhooks do not; the REST
    /// `transactions.json` does).
    #[serde(default)]
    pub transactions: Option<Vec<TransactionPayload>>,
}

/// What a transaction did, in the terms the payment summary needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TransactionKind {
    Sale,
    Authorization,
    Capture,
    Void,
    Refund,
    Other,
}

impl TransactionKind {
    pub(crate) fn parse(kind: &str) -> Self {
        match kind.to_ascii_lowercase().as_str() {
            "sale" => Self::Sale,
            "authorization" => Self::Authorization,
            "capture" => Self::Capture,
            "void" => Self::Void,
            "refund" => Self::Refund,
            _ => Self::Other,
        }
    }
}

/// A transaction's facts, from REST or GraphQL.
pub(crate) struct TransactionFacts {
    pub kind: TransactionKind,
    pub success: bool,
    pub gateway: Option<String>,
    pub amount: Money,
}

/// The order's one payment from its transactions: authorised = sales + authorisations,
/// captured = sales + captures, refunded = refunds (successful ones only). `None` when no money
/// was authorised or taken.
pub(crate) fn payment_from_transactions(
    order_gid: &str,
    currency: Currency,
    transactions: &[TransactionFacts],
) -> Result<Option<PaymentDraft>, MappingError> {
    fn ok<'a>(
        transactions: &'a [TransactionFacts],
        kinds: &'a [TransactionKind],
    ) -> impl Iterator<Item = &'a Money> + 'a {
        transactions.iter().filter(move |t| t.success && kinds.contains(&t.kind)).map(|t| &t.amount)
    }
    use TransactionKind::*;
    let authorized = checked_sum(currency, ok(transactions, &[Sale, Authorization]))?;
    let captured = checked_sum(currency, ok(transactions, &[Sale, Capture]))?;
    let refunded = checked_sum(currency, ok(transactions, &[Refund]))?;
    if authorized.amount_minor == 0 && captured.amount_minor == 0 {
        return Ok(None);
    }
    let method = transactions
        .iter()
        .find(|t| t.success && matches!(t.kind, Sale | Authorization))
        .and_then(|t| t.gateway.clone())
        .unwrap_or_else(|| "unknown".to_owned());
    Ok(Some(PaymentDraft {
        provider: "shopify".into(),
        reference: order_gid.to_owned(),
        method: bounded(&method),
        authorized,
        captured,
        refunded,
        voided: ok(transactions, &[Void]).next().is_some(),
        created_at: None,
    }))
}

fn transaction_facts(t: &TransactionPayload, currency: Currency, at: &str) -> Result<TransactionFacts, MappingError> {
    if let Some(code) = &t.currency
        && currency_of(code)? != currency
    {
        return Err(MappingError::Inconsistent(format!("{at} is in {code}, not the order's {currency}")));
    }
    Ok(TransactionFacts {
        kind: TransactionKind::parse(&t.kind),
        success: t.status.eq_ignore_ascii_case("success"),
        gateway: t.gateway.clone(),
        amount: parse_amount(&t.amount, currency).map_err(|e| MappingError::amount(format!("{at}.amount"), e))?,
    })
}

/// The order's payment when the payload has no transactions: from `financial_status`,
/// `total_price` and the refunds' transactions.
fn payment_from_status(
    p: &OrderPayload,
    order_gid: &str,
    currency: Currency,
) -> Result<Option<PaymentDraft>, MappingError> {
    let status = p.financial_status.as_deref().unwrap_or("pending");
    let (captures, voided) = match status {
        "paid" | "partially_refunded" | "refunded" => (true, false),
        "authorized" => (false, false),
        "voided" => (false, true),
        // pending, partially_paid, expired: what moved is not known from the order alone.
        _ => return Ok(None),
    };
    let total = p.total_price.as_deref().ok_or(MappingError::Missing("total_price"))?;
    let total = parse_amount(total, currency).map_err(|e| MappingError::amount("total_price", e))?;
    let mut refunds = Vec::new();
    for (i, refund) in p.refunds.iter().enumerate() {
        for (j, t) in refund.transactions.iter().enumerate() {
            let facts = transaction_facts(t, currency, &format!("refunds[{i}].transactions[{j}]"))?;
            if facts.success && facts.kind == TransactionKind::Refund {
                refunds.push(facts.amount);
            }
        }
    }
    let captured = if captures { total } else { Money::zero(currency) };
    let mut refunded = checked_sum(currency, &refunds)?;
    if status == "refunded" && refunded.amount_minor == 0 {
        // Refunded in full, the refunds themselves not in this payload.
        refunded = captured;
    }
    Ok(Some(PaymentDraft {
        provider: "shopify".into(),
        reference: order_gid.to_owned(),
        method: bounded(p.payment_gateway_names.first().map_or("unknown", String::as_str)),
        authorized: total,
        captured,
        refunded,
        voided,
        created_at: None,
    }))
}

/// `"M / Red"` → `option1 = M`, `option2 = Red` (webhooks do not name the options).
fn options_from_title(title: Option<&str>) -> BTreeMap<String, String> {
    match title.map(str::trim).filter(|t| !t.is_empty() && *t != "Default Title") {
        None => BTreeMap::new(),
        Some(title) => {
            title.split(" / ").take(3).enumerate().map(|(i, v)| (format!("option{}", i + 1), bounded(v))).collect()
        }
    }
}

/// Order lines from line items: current quantities, or the original ones when nothing is left
/// on any line (see the module's notes).
pub(crate) fn lines_kept(quantities: &[(u32, Option<u32>)]) -> Vec<Option<u32>> {
    let current = |(ordered, current): &(u32, Option<u32>)| current.unwrap_or(*ordered);
    let anything_left = quantities.iter().any(|q| current(q) > 0);
    quantities
        .iter()
        .map(|q| {
            let quantity = if anything_left { current(q) } else { q.0 };
            (quantity > 0).then_some(quantity)
        })
        .collect()
}

fn shipment_draft(f: &FulfillmentPayload) -> Result<Option<ShipmentDraft>, MappingError> {
    let Some(status) = shipment_status(f.status.as_deref().unwrap_or("success"), f.shipment_status.as_deref()) else {
        return Ok(None);
    };
    let when = f.updated_at.as_deref().or(f.created_at.as_deref());
    let at_time = when.map(|w| rfc3339("fulfillments.updated_at", w)).transpose()?;
    let lines = f
        .line_items
        .iter()
        .take(MAX_LINES)
        .map(|l| ShipmentLine { sku: sku_or_standin(l.sku.as_deref(), l.variant_id, Some(l.id)), quantity: l.quantity })
        .collect();
    Ok(Some(ShipmentDraft {
        remote_id: Some(gid("Fulfillment", f.id)),
        carrier: f
            .tracking_company
            .as_deref()
            .map(bounded)
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "unknown".into()),
        tracking_number: f
            .tracking_number
            .as_deref()
            .or(f.tracking_numbers.first().map(String::as_str))
            .map(bounded)
            .filter(|t| !t.is_empty()),
        lines,
        status,
        at: at_time,
    }))
}

/// The draft of an order payload.
pub fn draft_from_payload(p: &OrderPayload) -> Result<OrderDraft, MappingError> {
    if p.line_items.len() > MAX_LINES {
        return Err(MappingError::TooMany { what: "line items", max: MAX_LINES });
    }
    if p.fulfillments.len() > MAX_SHIPMENTS {
        return Err(MappingError::TooMany { what: "fulfillments", max: MAX_SHIPMENTS });
    }
    let currency = currency_of(&p.currency)?;
    let order_gid = gid("Order", p.id);
    let quantities: Vec<(u32, Option<u32>)> = p.line_items.iter().map(|l| (l.quantity, l.current_quantity)).collect();
    let mut lines = Vec::new();
    for ((i, item), quantity) in p.line_items.iter().enumerate().zip(lines_kept(&quantities)) {
        let Some(quantity) = quantity else { continue };
        let price = item.price.as_deref().ok_or(MappingError::Missing("line_items.price"))?;
        lines.push(LineDraft {
            sku: sku_or_standin(item.sku.as_deref(), item.variant_id, Some(item.id)),
            title: bounded(item.title.as_deref().unwrap_or_default()),
            variant: options_from_title(item.variant_title.as_deref()),
            quantity,
            unit_price: parse_amount(price, currency)
                .map_err(|e| MappingError::amount(format!("line_items[{i}].price"), e))?,
            remote: RemoteLine {
                line_id: Some(gid("LineItem", item.id)),
                variant_id: item.variant_id.map(|v| gid("ProductVariant", v)),
            },
        });
    }
    let payment = match &p.transactions {
        Some(transactions) => {
            let facts = transactions
                .iter()
                .enumerate()
                .map(|(i, t)| transaction_facts(t, currency, &format!("transactions[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            payment_from_transactions(&order_gid, currency, &facts)?
        }
        None => payment_from_status(p, &order_gid, currency)?,
    };
    let mut shipments = Vec::new();
    for f in &p.fulfillments {
        if let Some(mut s) = shipment_draft(f)? {
            s.lines = shipment_lines_on_order(&lines, s.lines);
            shipments.push(s);
        }
    }
    let customer = p.customer.clone().unwrap_or_default();
    let email = [p.email.as_deref(), p.contact_email.as_deref(), customer.email.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|e| !e.is_empty())
        .ok_or(MappingError::Missing("email"))?;
    let customer_name = [customer.first_name.as_deref(), customer.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let shipping_address = p.shipping_address.as_ref().and_then(AddressPayload::to_address);
    let number = match (&p.name, p.order_number) {
        (Some(name), _) if !name.trim().is_empty() => bounded(name.trim().trim_start_matches('#')),
        (_, Some(number)) => number.to_string(),
        _ => p.id.to_string(),
    };
    Ok(OrderDraft {
        platform: Platform::Shopify,
        remote_id: order_gid,
        number,
        email: email.to_owned(),
        customer_name: if customer_name.is_empty() {
            shipping_address.as_ref().map(|a| a.name.clone()).unwrap_or_default()
        } else {
            customer_name
        },
        currency,
        lines,
        billing_address: p.billing_address.as_ref().and_then(AddressPayload::to_address),
        shipping_address,
        payments: payment.into_iter().collect(),
        shipments,
        placed_at: rfc3339("created_at", p.created_at.as_deref().ok_or(MappingError::Missing("created_at"))?)?,
        cancelled_at: p.cancelled_at.as_deref().map(|c| rfc3339("cancelled_at", c)).transpose()?,
    })
}

/// An order webhook's body (`orders/create`, `orders/updated`, `orders/cancelled`) as a domain
/// customer and order, with fresh ids from `ids`.
pub fn order_from_shopify(
    body: &[u8],
    store_id: StoreId,
    ids: &mut dyn FnMut() -> Uuid,
) -> Result<ImportedOrder, MappingError> {
    if body.len() > MAX_WEBHOOK_BODY {
        return Err(MappingError::TooMany { what: "bytes", max: MAX_WEBHOOK_BODY });
    }
    let payload: OrderPayload = from_json(body)?;
    draft_from_payload(&payload)?.build(store_id, ids)
}

/// A fulfillment created or updated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FulfillmentEvent {
    /// The order's GID.
    pub order_id: String,
    /// The fulfillment's GID: the shipment to create or update.
    pub fulfillment_id: String,
    /// The parcel (fresh id; keep the stored one for a known fulfillment). `None` when the
    /// fulfillment was cancelled or failed: no parcel.
    pub shipment: Option<Shipment>,
}

/// A unit count refunded on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundedLine {
    /// The line's SKU (or stand-in).
    pub sku: String,
    /// The line item's GID.
    pub line_id: String,
    /// Units.
    pub quantity: u32,
}

/// A refund made in Shopify (by Redress or by the shop's staff).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundEvent {
    /// The order's GID.
    pub order_id: String,
    /// The refund's GID.
    pub refund_id: String,
    /// The Redress refund intent it carries out, when the note has our marker: such a refund
    /// is already in the ledger and must not be counted again.
    pub redress_refund: Option<RefundId>,
    /// Money refunded by its successful transactions; `None` with no transactions (a
    /// restock-only refund).
    pub amount: Option<Money>,
    /// Lines refunded.
    pub lines: Vec<RefundedLine>,
    /// When.
    pub created_at: Option<OffsetDateTime>,
}

/// A webhook's meaning in domain terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// An order to create or update (boxed: it is much larger than the others).
    Order(Box<ImportedOrder>),
    /// A parcel to create or update.
    Fulfillment(FulfillmentEvent),
    /// A refund made.
    Refund(RefundEvent),
    /// A topic Redress does not act on.
    Ignored,
}

fn refund_event(r: &RefundPayload) -> Result<RefundEvent, MappingError> {
    let order_id = r.order_id.ok_or(MappingError::Missing("order_id"))?;
    let mut amounts = Vec::new();
    let mut currency = None;
    for (i, t) in r.transactions.iter().enumerate().take(250) {
        let code = t.currency.as_deref().ok_or(MappingError::Missing("transactions.currency"))?;
        let c = currency_of(code)?;
        if currency.is_some_and(|known| known != c) {
            return Err(MappingError::Inconsistent("refund transactions in several currencies".into()));
        }
        currency = Some(c);
        let facts = transaction_facts(t, c, &format!("transactions[{i}]"))?;
        if facts.success && facts.kind == TransactionKind::Refund {
            amounts.push(facts.amount);
        }
    }
    let amount = currency.map(|c| checked_sum(c, &amounts)).transpose()?;
    let lines = r
        .refund_line_items
        .iter()
        .take(MAX_LINES)
        .map(|l| RefundedLine {
            sku: match &l.line_item {
                Some(item) => sku_or_standin(item.sku.as_deref(), item.variant_id, Some(item.id)),
                None => sku_or_standin(None, None, Some(l.line_item_id)),
            },
            line_id: gid("LineItem", l.line_item_id),
            quantity: l.quantity,
        })
        .collect();
    Ok(RefundEvent {
        order_id: gid("Order", order_id),
        refund_id: gid("Refund", r.id),
        redress_refund: r.note.as_deref().and_then(super::refund_in_note),
        amount,
        lines,
        created_at: r.created_at.as_deref().map(|c| rfc3339("created_at", c)).transpose()?,
    })
}

/// What a verified webhook's body means, by topic.
pub fn parse_event(
    topic: &Topic,
    body: &[u8],
    store_id: StoreId,
    ids: &mut dyn FnMut() -> Uuid,
) -> Result<Event, MappingError> {
    if body.len() > MAX_WEBHOOK_BODY {
        return Err(MappingError::TooMany { what: "bytes", max: MAX_WEBHOOK_BODY });
    }
    match topic {
        Topic::OrdersCreate | Topic::OrdersUpdated | Topic::OrdersCancelled => {
            Ok(Event::Order(Box::new(order_from_shopify(body, store_id, ids)?)))
        }
        Topic::FulfillmentsCreate | Topic::FulfillmentsUpdate => {
            let f: FulfillmentPayload = from_json(body)?;
            let order_id = f.order_id.ok_or(MappingError::Missing("order_id"))?;
            let shipment = shipment_draft(&f)?.map(|s| Shipment {
                id: ShipmentId::from_uuid(ids()),
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                lines: s.lines,
                status: s.status,
                status_times: s.at.map(|at| (s.status, redress_domain::TimeStamp(at))).into_iter().collect(),
            });
            Ok(Event::Fulfillment(FulfillmentEvent {
                order_id: gid("Order", order_id),
                fulfillment_id: gid("Fulfillment", f.id),
                shipment,
            }))
        }
        Topic::RefundsCreate => Ok(Event::Refund(refund_event(&from_json(body)?)?)),
        Topic::Other(_) => Ok(Event::Ignored),
    }
}
