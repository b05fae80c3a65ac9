//! Shopify's Admin GraphQL API: back-fill of orders and the fixes Redress pushes back.
//!
//! One endpoint, `POST {base}/admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`.
//! Every operation is a named document (`RedressOrders`, `RedressRefundCreate`, …) so Shopify's
//! logs, and the local fake, can tell them apart.
//!
//! **Rate limit.** Shopify meters by query cost in a leaky bucket and reports it on every answer
//! (`extensions.cost.throttleStatus`: `maximumAvailable`, `currentlyAvailable`, `restoreRate`).
//! The client remembers the bucket and each operation's last `requestedQueryCost`; before a call
//! whose cost is more than what is left it waits for the bucket to refill, and a `THROTTLED`
//! answer (the request was not run) is retried after the wait Shopify's numbers imply. Waits go
//! through the injected [`Sleeper`], so tests take no time. After `max_throttle_waits` waits in a
//! row the call fails with [`ShopError::RateLimited`] (transient).
//!
//! **Exactly-once refunds.** `refundCreate` moves money and is not naturally idempotent:
//! 1. the refund's note carries [`crate::shop::refund_marker`] (`[redress-refund:{id}]`);
//! 2. before creating, the order's refunds are read and one carrying the marker is returned as
//!    found (`created: false`) — this covers an answer lost after Shopify made the refund, a
//!    crash, or a retry days later;
//! 3. from API version 2026-01 the mutation also carries `@idempotent(key: …)` with the intent's
//!    idempotency key, which covers two attempts racing each other within Shopify's retention
//!    window (the caller, [`crate::executor::RefundExecutor`], already runs one attempt per
//!    intent at a time).
//!
//! **Other fixes are idempotent by reading first**: an address is set, not added; line edits
//! compare the wanted quantities with the order's calculated state and commit only a
//! difference (a retried swap whose first commit went through changes nothing); cancelling a
//! cancelled order answers [`CancelOutcome::AlreadyCancelled`]; holds carry the handle
//! `redress` and are placed once per fulfillment order and released by id.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redress_domain::{Address, Currency, Money, RefundId, ShipmentLine, StoreId};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use uuid::Uuid;

use super::super::amount::{format_amount, parse_amount};
use super::super::draft::{MAX_LINES, MAX_SHIPMENTS, bounded, currency_of, rfc3339, shipment_lines_on_order};
use super::super::{
    ImportedOrder, LineDraft, MappingError, OrderDraft, Platform, RefundOutcome, RemoteLine, Secret, ShipmentDraft,
    ShopError, Sleeper, refund_in_note, refund_marker, retry_after, status_error, transport,
};
use super::{
    AddressParts, TransactionFacts, TransactionKind, lines_kept, numeric_id, payment_from_transactions,
    shipment_status, sku_or_standin,
};
use crate::{PaymentProvider, ProviderAnswer, ProviderError, ProviderRefund, ProviderRefundStatus};

/// The handle Redress's fulfillment holds carry, so it releases only its own.
pub const HOLD_HANDLE: &str = "redress";
/// The largest GraphQL answer read; a page of 250 orders is far below it.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// The most orders a page may ask for (Shopify's limit).
pub const MAX_PAGE_SIZE: u32 = 250;

/// Where and how to reach a shop's Admin API.
#[derive(Clone, Debug)]
pub struct ShopifyConfig {
    /// `https://{shop}.myshopify.com` (or a fake's address).
    pub base_url: String,
    /// `2026-01`, … (`@idempotent` on refunds from 2026-01 on).
    pub api_version: String,
    /// The app's Admin API access token.
    pub access_token: Secret,
    /// How long one call may take.
    pub timeout: Duration,
    /// Waits for the bucket allowed in a row before a call fails as rate limited.
    pub max_throttle_waits: u32,
}

impl ShopifyConfig {
    /// A configuration with a 20 s timeout and up to 10 throttle waits in a row.
    pub fn new(base_url: &str, api_version: &str, access_token: Secret) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_version: api_version.to_owned(),
            access_token,
            timeout: Duration::from_secs(20),
            max_throttle_waits: 10,
        }
    }
}

/// Shopify's report of the leaky bucket.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleStatus {
    /// Bucket size.
    pub maximum_available: f64,
    /// Points left now.
    pub currently_available: f64,
    /// Points restored per second.
    pub restore_rate: f64,
}

impl ThrottleStatus {
    /// How long until `cost` points are available, at the restore rate. The longest wait is
    /// a full bucket's refill (Shopify never asks more than the bucket holds).
    pub fn wait_for(&self, cost: f64) -> Duration {
        let missing = (cost.min(self.maximum_available) - self.currently_available).max(0.0);
        if missing == 0.0 || self.restore_rate.is_nan() || self.restore_rate <= 0.0 {
            return Duration::ZERO;
        }
        Duration::from_secs_f64((missing / self.restore_rate).min(3600.0))
    }
}

/// Shopify's cost report (`extensions.cost`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryCost {
    /// The cost Shopify reserved before running the query.
    pub requested_query_cost: f64,
    /// What it really cost; `null` when throttled.
    #[serde(default)]
    pub actual_query_cost: Option<f64>,
    /// The bucket after the query.
    pub throttle_status: ThrottleStatus,
}

/// A GraphQL error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphqlError {
    /// For people.
    pub message: String,
    /// `code`, e.g. `THROTTLED`, `ACCESS_DENIED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<ErrorExtensions>,
}

/// A GraphQL error's extensions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorExtensions {
    /// The error code.
    #[serde(default)]
    pub code: Option<String>,
}

/// A GraphQL answer's extensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Extensions {
    /// The query's cost and the bucket.
    #[serde(default)]
    pub cost: Option<QueryCost>,
}

/// A GraphQL answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphqlResponse<T> {
    /// The data, absent when the request failed as a whole.
    #[serde(default = "none", skip_serializing_if = "Option::is_none")]
    pub data: Option<T>,
    /// Errors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<GraphqlError>,
    /// Cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Extensions>,
}

fn none<T>() -> Option<T> {
    None
}

/// A connection's nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nodes<T> {
    /// The nodes.
    pub nodes: Vec<T>,
}

impl<T> Default for Nodes<T> {
    fn default() -> Self {
        Self { nodes: Vec::new() }
    }
}

/// An object known by id only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdOnly {
    /// Its GID.
    pub id: String,
}

/// `MoneyV2`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyV2 {
    /// Decimal text.
    pub amount: String,
    /// ISO code.
    pub currency_code: String,
}

/// `MoneyBag`: the shop's money (presentment money is not read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MoneyBag {
    /// In the shop's currency.
    pub shop_money: MoneyV2,
}

/// `MailingAddress`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlAddress {
    /// Full name.
    #[serde(default)]
    pub name: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
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
    /// Region code.
    #[serde(default)]
    pub province_code: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default)]
    pub country_code_v2: Option<String>,
}

impl GqlAddress {
    /// The domain address, `None` without a street.
    pub fn to_address(&self) -> Option<Address> {
        AddressParts {
            name: self.name.as_deref(),
            first_name: self.first_name.as_deref(),
            last_name: self.last_name.as_deref(),
            address1: self.address1.as_deref(),
            address2: self.address2.as_deref(),
            city: self.city.as_deref(),
            zip: self.zip.as_deref(),
            region: self.province_code.as_deref(),
            country_code: self.country_code_v2.as_deref(),
        }
        .to_address()
    }
}

/// The customer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlCustomer {
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
}

/// `SelectedOption`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectedOption {
    /// `Size`.
    pub name: String,
    /// `M`.
    pub value: String,
}

/// The variant of a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlVariant {
    /// Its GID.
    pub id: String,
    /// Its options.
    #[serde(default)]
    pub selected_options: Vec<SelectedOption>,
}

/// `LineItem`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlLineItem {
    /// Its GID.
    pub id: String,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Title.
    pub title: String,
    /// Units ordered.
    pub quantity: u32,
    /// Units left after edits.
    #[serde(default)]
    pub current_quantity: Option<u32>,
    /// The variant, when it still exists.
    #[serde(default)]
    pub variant: Option<GqlVariant>,
    /// Unit price before discounts.
    pub original_unit_price_set: MoneyBag,
}

/// `OrderTransaction`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlTransaction {
    /// Its GID.
    pub id: String,
    /// `SALE`, `AUTHORIZATION`, `CAPTURE`, `VOID`, `REFUND`, …
    pub kind: String,
    /// `SUCCESS`, `PENDING`, `FAILURE`, …
    pub status: String,
    /// Gateway.
    #[serde(default)]
    pub gateway: Option<String>,
    /// Amount.
    pub amount_set: MoneyBag,
    /// What it captures, voids or refunds.
    #[serde(default)]
    pub parent_transaction: Option<IdOnly>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `FulfillmentTrackingInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GqlTracking {
    /// Carrier.
    #[serde(default)]
    pub company: Option<String>,
    /// Tracking number.
    #[serde(default)]
    pub number: Option<String>,
}

/// A fulfilled line's line item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GqlFulfilledItem {
    /// Its GID.
    pub id: String,
    /// SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Its variant.
    #[serde(default)]
    pub variant: Option<IdOnly>,
}

/// `FulfillmentLineItem`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlFulfillmentLine {
    /// Units.
    pub quantity: u32,
    /// The order's line.
    pub line_item: GqlFulfilledItem,
}

/// `Fulfillment`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlFulfillment {
    /// Its GID.
    pub id: String,
    /// `SUCCESS`, `CANCELLED`, …
    pub status: String,
    /// `IN_TRANSIT`, `DELIVERED`, …
    #[serde(default)]
    pub display_status: Option<String>,
    /// When made.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Tracking.
    #[serde(default)]
    pub tracking_info: Vec<GqlTracking>,
    /// What is in it.
    #[serde(default)]
    pub fulfillment_line_items: Nodes<GqlFulfillmentLine>,
}

/// `Order`, as the `RedressOrder` fragment reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlOrder {
    /// Its GID.
    pub id: String,
    /// `#1001`.
    pub name: String,
    /// The customer's email.
    #[serde(default)]
    pub email: Option<String>,
    /// When placed.
    pub created_at: String,
    /// When cancelled.
    #[serde(default)]
    pub cancelled_at: Option<String>,
    /// The shop's currency.
    pub currency_code: String,
    /// The customer.
    #[serde(default)]
    pub customer: Option<GqlCustomer>,
    /// Where it goes.
    #[serde(default)]
    pub shipping_address: Option<GqlAddress>,
    /// Who pays.
    #[serde(default)]
    pub billing_address: Option<GqlAddress>,
    /// Lines.
    pub line_items: Nodes<GqlLineItem>,
    /// Transactions.
    #[serde(default)]
    pub transactions: Vec<GqlTransaction>,
    /// Parcels.
    #[serde(default)]
    pub fulfillments: Vec<GqlFulfillment>,
}

fn money_of(bag: &MoneyBag, currency: Currency, field: &str) -> Result<Money, MappingError> {
    if currency_of(&bag.shop_money.currency_code)? != currency {
        return Err(MappingError::Inconsistent(format!("{field} is not in the order's currency {currency}")));
    }
    parse_amount(&bag.shop_money.amount, currency).map_err(|e| MappingError::amount(field, e))
}

/// The draft of an Admin API order.
pub fn draft_from_graphql(o: &GqlOrder) -> Result<OrderDraft, MappingError> {
    if o.line_items.nodes.len() > MAX_LINES {
        return Err(MappingError::TooMany { what: "line items", max: MAX_LINES });
    }
    if o.fulfillments.len() > MAX_SHIPMENTS {
        return Err(MappingError::TooMany { what: "fulfillments", max: MAX_SHIPMENTS });
    }
    let currency = currency_of(&o.currency_code)?;
    let quantities: Vec<(u32, Option<u32>)> =
        o.line_items.nodes.iter().map(|l| (l.quantity, l.current_quantity)).collect();
    let mut lines = Vec::new();
    for ((i, item), quantity) in o.line_items.nodes.iter().enumerate().zip(lines_kept(&quantities)) {
        let Some(quantity) = quantity else { continue };
        let variant_number = item.variant.as_ref().and_then(|v| numeric_id(&v.id));
        lines.push(LineDraft {
            sku: sku_or_standin(item.sku.as_deref(), variant_number, numeric_id(&item.id)),
            title: bounded(&item.title),
            variant: item
                .variant
                .iter()
                .flat_map(|v| v.selected_options.iter())
                .take(10)
                .filter(|o| o.value != "Default Title")
                .map(|o| (super::super::draft::attribute_name(&o.name), bounded(&o.value)))
                .collect(),
            quantity,
            unit_price: money_of(
                &item.original_unit_price_set,
                currency,
                &format!("lineItems[{i}].originalUnitPrice"),
            )?,
            remote: RemoteLine {
                line_id: Some(item.id.clone()),
                variant_id: item.variant.as_ref().map(|v| v.id.clone()),
            },
        });
    }
    let facts = o
        .transactions
        .iter()
        .take(250)
        .enumerate()
        .map(|(i, t)| {
            Ok(TransactionFacts {
                kind: TransactionKind::parse(&t.kind),
                success: t.status.eq_ignore_ascii_case("success"),
                gateway: t.gateway.clone(),
                amount: money_of(&t.amount_set, currency, &format!("transactions[{i}].amount"))?,
            })
        })
        .collect::<Result<Vec<_>, MappingError>>()?;
    let payment = payment_from_transactions(&o.id, currency, &facts)?;
    let mut shipments = Vec::new();
    for f in &o.fulfillments {
        let Some(status) = shipment_status(&f.status, f.display_status.as_deref()) else { continue };
        let parcel = f
            .fulfillment_line_items
            .nodes
            .iter()
            .take(MAX_LINES)
            .map(|l| ShipmentLine {
                sku: sku_or_standin(
                    l.line_item.sku.as_deref(),
                    l.line_item.variant.as_ref().and_then(|v| numeric_id(&v.id)),
                    numeric_id(&l.line_item.id),
                ),
                quantity: l.quantity,
            })
            .collect();
        let tracking = f.tracking_info.first();
        let when = f.updated_at.as_deref().or(f.created_at.as_deref());
        shipments.push(ShipmentDraft {
            remote_id: Some(f.id.clone()),
            carrier: tracking
                .and_then(|t| t.company.as_deref())
                .map(bounded)
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| "unknown".into()),
            tracking_number: tracking.and_then(|t| t.number.as_deref()).map(bounded).filter(|n| !n.is_empty()),
            lines: shipment_lines_on_order(&lines, parcel),
            status,
            at: when.map(|w| rfc3339("fulfillments.updatedAt", w)).transpose()?,
        });
    }
    let customer = o.customer.clone().unwrap_or_default();
    let email = [o.email.as_deref(), customer.email.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|e| !e.is_empty())
        .ok_or(MappingError::Missing("email"))?;
    let shipping_address = o.shipping_address.as_ref().and_then(GqlAddress::to_address);
    let customer_name = [customer.first_name.as_deref(), customer.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(OrderDraft {
        platform: Platform::Shopify,
        remote_id: o.id.clone(),
        number: bounded(o.name.trim().trim_start_matches('#')),
        email: email.to_owned(),
        customer_name: if customer_name.is_empty() {
            shipping_address.as_ref().map(|a| a.name.clone()).unwrap_or_default()
        } else {
            customer_name
        },
        currency,
        lines,
        billing_address: o.billing_address.as_ref().and_then(GqlAddress::to_address),
        shipping_address,
        payments: payment.into_iter().collect(),
        shipments,
        placed_at: rfc3339("createdAt", &o.created_at)?,
        cancelled_at: o.cancelled_at.as_deref().map(|c| rfc3339("cancelledAt", c)).transpose()?,
    })
}

/// An Admin API order as a domain customer and order, with fresh ids from `ids`.
pub fn order_from_graphql(
    o: &GqlOrder,
    store_id: StoreId,
    ids: &mut dyn FnMut() -> Uuid,
) -> Result<ImportedOrder, MappingError> {
    draft_from_graphql(o)?.build(store_id, ids)
}

/// The operations this client sends, each a named GraphQL document.
pub mod documents {
    /// The fields of an order Redress reads.
    pub const ORDER_FRAGMENT: &str = "fragment RedressOrderFields on Order { id name email createdAt cancelledAt currencyCode \
customer { firstName lastName email } \
shippingAddress { name firstName lastName address1 address2 city zip provinceCode countryCodeV2 } \
billingAddress { name firstName lastName address1 address2 city zip provinceCode countryCodeV2 } \
lineItems(first: 250) { nodes { id sku title quantity currentQuantity variant { id selectedOptions { name value } } originalUnitPriceSet { shopMoney { amount currencyCode } } } } \
transactions(first: 100) { id kind status gateway amountSet { shopMoney { amount currencyCode } } parentTransaction { id } createdAt } \
fulfillments(first: 50) { id status displayStatus createdAt updatedAt trackingInfo(first: 1) { company number } \
fulfillmentLineItems(first: 250) { nodes { quantity lineItem { id sku variant { id } } } } } }";
    /// A page of orders.
    pub const ORDERS: &str = "query RedressOrders($first: Int!, $after: String, $query: String) { \
orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) { nodes { ...RedressOrderFields } pageInfo { hasNextPage endCursor } } }";
    /// One order.
    pub const ORDER: &str = "query RedressOrder($id: ID!) { order(id: $id) { ...RedressOrderFields } }";
    /// An order's refunds, transactions and cancellation, for refunds and cancellation.
    pub const ORDER_MONEY: &str = "query RedressOrderMoney($id: ID!) { order(id: $id) { id cancelledAt \
refunds(first: 250) { id note createdAt transactions(first: 20) { nodes { id status } } } \
transactions(first: 100) { id kind status gateway amountSet { shopMoney { amount currencyCode } } parentTransaction { id } } } }";
    /// Shipping address change.
    pub const ORDER_UPDATE: &str = "mutation RedressOrderUpdate($input: OrderInput!) { orderUpdate(input: $input) { order { id } userErrors { field message } } }";
    /// Start an edit.
    pub const EDIT_BEGIN: &str = "mutation RedressOrderEditBegin($id: ID!) { orderEditBegin(id: $id) { calculatedOrder { id lineItems(first: 250) { nodes { id quantity variant { id } } } } userErrors { field message } } }";
    /// Set a line's quantity in an edit.
    pub const EDIT_SET_QUANTITY: &str = "mutation RedressOrderEditSetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!, $restock: Boolean) { orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: $restock) { calculatedOrder { id } userErrors { field message } } }";
    /// Add a variant in an edit.
    pub const EDIT_ADD_VARIANT: &str = "mutation RedressOrderEditAddVariant($id: ID!, $variantId: ID!, $quantity: Int!) { orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity, allowDuplicates: false) { calculatedLineItem { id } userErrors { field message } } }";
    /// Commit an edit.
    pub const EDIT_COMMIT: &str = "mutation RedressOrderEditCommit($id: ID!, $staffNote: String) { orderEditCommit(id: $id, notifyCustomer: false, staffNote: $staffNote) { order { id } userErrors { field message } } }";
    /// Cancel.
    pub const ORDER_CANCEL: &str = "mutation RedressOrderCancel($orderId: ID!, $reason: OrderCancelReason!, $staffNote: String) { orderCancel(orderId: $orderId, reason: $reason, refund: false, restock: true, notifyCustomer: false, staffNote: $staffNote) { job { id } orderCancelUserErrors { field message code } } }";
    /// Refund, for API versions before 2026-01.
    pub const REFUND_CREATE: &str = "mutation RedressRefundCreate($input: RefundInput!) { refundCreate(input: $input) { refund { id transactions(first: 20) { nodes { id status } } } userErrors { field message } } }";
    /// Refund with Shopify's idempotency directive (2026-01 on).
    pub const REFUND_CREATE_IDEMPOTENT: &str = "mutation RedressRefundCreate($input: RefundInput!, $idempotencyKey: String!) { refundCreate(input: $input) @idempotent(key: $idempotencyKey) { refund { id transactions(first: 20) { nodes { id status } } } userErrors { field message } } }";
    /// An order's fulfillment orders and their holds.
    pub const FULFILLMENT_ORDERS: &str = "query RedressFulfillmentOrders($id: ID!) { order(id: $id) { fulfillmentOrders(first: 50) { nodes { id status fulfillmentHolds { id handle } } } } }";
    /// Hold a fulfillment order.
    pub const HOLD: &str = "mutation RedressFulfillmentOrderHold($id: ID!, $fulfillmentHold: FulfillmentOrderHoldInput!) { fulfillmentOrderHold(id: $id, fulfillmentHold: $fulfillmentHold) { fulfillmentOrder { id status } userErrors { field message } } }";
    /// Release Redress's hold.
    pub const RELEASE: &str = "mutation RedressFulfillmentOrderReleaseHold($id: ID!, $holdIds: [ID!]) { fulfillmentOrderReleaseHold(id: $id, holdIds: $holdIds) { fulfillmentOrder { id status } userErrors { field message } } }";
}

/// `pageInfo`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    /// More pages follow.
    pub has_next_page: bool,
    /// The cursor to ask for the next page with.
    #[serde(default)]
    pub end_cursor: Option<String>,
}

/// A page of orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderConnection {
    /// The orders.
    pub nodes: Vec<GqlOrder>,
    /// Where the page ends.
    pub page_info: PageInfo,
}

#[derive(Deserialize)]
struct OrdersData {
    orders: OrderConnection,
}

#[derive(Deserialize)]
struct OrderData<T> {
    order: Option<T>,
}

/// A field error of a mutation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserError {
    /// The path to the field.
    #[serde(default)]
    pub field: Option<Vec<String>>,
    /// For people.
    pub message: String,
    /// A code, where the mutation has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

fn refused(errors: &[UserError]) -> Result<(), ShopError> {
    if errors.is_empty() {
        return Ok(());
    }
    let text = errors.iter().take(5).map(|e| e.message.chars().take(200).collect::<String>()).collect::<Vec<_>>();
    Err(ShopError::Rejected(text.join("; ")))
}

/// Which orders a back-fill reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrdersQuery {
    /// Orders per page, 1 to [`MAX_PAGE_SIZE`].
    pub page_size: u32,
    /// Shopify's search syntax, e.g. `created_at:>='2026-11-01T00:00:00Z'`.
    pub search: Option<String>,
}

impl OrdersQuery {
    /// Orders created at or after `since`, `page_size` a page.
    pub fn created_since(since: OffsetDateTime, page_size: u32) -> Self {
        let at = since
            .to_offset(time::UtcOffset::UTC)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        Self { page_size, search: Some(format!("created_at:>='{at}'")) }
    }
}

/// An order the back-fill could not map, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedOrder {
    /// The order's GID.
    pub remote_id: String,
    /// Why.
    pub error: MappingError,
}

/// What a back-fill read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backfill {
    /// Orders mapped.
    pub orders: Vec<ImportedOrder>,
    /// Orders refused, each with its reason (the rest of the back-fill goes on).
    pub rejected: Vec<RejectedOrder>,
    /// Pages read.
    pub pages: u32,
    /// The cursor after the last page read: resume from it.
    pub end_cursor: Option<String>,
    /// True when the shop has more orders than `max_orders` let the back-fill read.
    pub more: bool,
}

/// A change to an order's lines, before it ships.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineEdit {
    /// Set a line's quantity (zero removes it).
    SetQuantity {
        /// The line's GID (`gid://shopify/LineItem/…`).
        line_id: String,
        /// Units wanted.
        quantity: u32,
    },
    /// Replace a line's variant with another (a size or colour swap), keeping `quantity` units.
    SwapVariant {
        /// The line's GID.
        line_id: String,
        /// The variant wanted (`gid://shopify/ProductVariant/…`).
        variant_id: String,
        /// Units wanted of it.
        quantity: u32,
    },
}

/// What an edit did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    /// The order changed.
    Committed,
    /// The order already was as asked (an earlier attempt went through): nothing was sent.
    AlreadyDone,
}

/// Shopify's `OrderCancelReason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelReason {
    /// The customer asked.
    Customer,
    /// Payment declined.
    Declined,
    /// Fraud.
    Fraud,
    /// Out of stock.
    Inventory,
    /// Staff error.
    Staff,
    /// Anything else.
    Other,
}

impl CancelReason {
    fn as_str(self) -> &'static str {
        match self {
            CancelReason::Customer => "CUSTOMER",
            CancelReason::Declined => "DECLINED",
            CancelReason::Fraud => "FRAUD",
            CancelReason::Inventory => "INVENTORY",
            CancelReason::Staff => "STAFF",
            CancelReason::Other => "OTHER",
        }
    }
}

/// What a cancellation did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelOutcome {
    /// Shopify accepted it; it runs as the job named.
    Cancelling {
        /// The job's GID.
        job_id: Option<String>,
    },
    /// The order was already cancelled.
    AlreadyCancelled,
}

/// A refunded line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundLine {
    /// The line's GID.
    pub line_id: String,
    /// Units.
    pub quantity: u32,
    /// Put the units back in stock (they came back).
    pub restock: bool,
}

/// A refund to make on a Shopify order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// The order's GID.
    pub order_id: String,
    /// The Redress intent: marked in the note so the refund is found again.
    pub refund_id: RefundId,
    /// The intent's idempotency key (sent as `@idempotent(key:)` where the version has it).
    pub idempotency_key: String,
    /// Money back, spread over the order's captured transactions.
    pub amount: Money,
    /// Words for the shop's staff; the marker is added after them.
    pub note: Option<String>,
    /// Lines refunded (may be empty for a money-only refund).
    pub lines: Vec<RefundLine>,
    /// Let Shopify email the customer.
    pub notify: bool,
}

/// A refund found on an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlRefund {
    /// Its GID.
    pub id: String,
    /// The staff note.
    #[serde(default)]
    pub note: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Its transactions' statuses.
    #[serde(default)]
    pub transactions: Nodes<TransactionStatus>,
}

/// A transaction's status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionStatus {
    /// Its GID.
    pub id: String,
    /// `SUCCESS`, `PENDING`, `FAILURE`, …
    pub status: String,
}

/// An order's money, as `RedressOrderMoney` reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlOrderMoney {
    /// Its GID.
    pub id: String,
    /// When cancelled.
    #[serde(default)]
    pub cancelled_at: Option<String>,
    /// Refunds made.
    #[serde(default)]
    pub refunds: Vec<GqlRefund>,
    /// Transactions.
    #[serde(default)]
    pub transactions: Vec<GqlTransaction>,
}

/// The refund's status from its transactions: a failure fails it; anything not yet settled
/// leaves it pending.
fn refund_status(refund: &GqlRefund) -> ProviderRefundStatus {
    let statuses: Vec<String> = refund.transactions.nodes.iter().map(|t| t.status.to_ascii_uppercase()).collect();
    if let Some(failed) = statuses.iter().find(|s| matches!(s.as_str(), "FAILURE" | "ERROR")) {
        ProviderRefundStatus::Failed { reason: format!("Shopify's refund transaction: {failed}") }
    } else if statuses.iter().any(|s| s != "SUCCESS") {
        ProviderRefundStatus::Pending
    } else {
        ProviderRefundStatus::Succeeded
    }
}

/// Splits `amount` over the order's successful sales and captures by what each has left after
/// its refunds, oldest first: `(parent transaction, gateway, amount)`.
fn allocate(order: &GqlOrderMoney, amount: Money) -> Result<Vec<(String, String, Money)>, ShopError> {
    let currency = amount.currency;
    // The amount's text means nothing in another currency (10.00 EUR is not 1000 JPY).
    if let Some(other) = order.transactions.iter().find(|t| t.amount_set.shop_money.currency_code != currency.code()) {
        return Err(ShopError::Rejected(format!(
            "the refund is in {currency} but the order is in {}",
            other.amount_set.shop_money.currency_code
        )));
    }
    let parse = |t: &GqlTransaction| {
        parse_amount(&t.amount_set.shop_money.amount, currency)
            .map_err(|e| ShopError::Protocol(format!("transaction {}: {e}", t.id)))
    };
    let mut refunded: HashMap<&str, i64> = HashMap::new();
    for t in &order.transactions {
        if t.kind.eq_ignore_ascii_case("REFUND")
            && t.status.eq_ignore_ascii_case("SUCCESS")
            && let Some(parent) = &t.parent_transaction
        {
            let entry = refunded.entry(parent.id.as_str()).or_default();
            *entry = entry.checked_add(parse(t)?.amount_minor).ok_or_else(|| ShopError::Protocol("overflow".into()))?;
        }
    }
    let mut left = amount.amount_minor;
    let mut parts = Vec::new();
    for t in &order.transactions {
        if left <= 0 {
            break;
        }
        let kind = t.kind.to_ascii_uppercase();
        if !(kind == "SALE" || kind == "CAPTURE") || !t.status.eq_ignore_ascii_case("SUCCESS") {
            continue;
        }
        let available = parse(t)?.amount_minor.saturating_sub(refunded.get(t.id.as_str()).copied().unwrap_or(0));
        let take = available.min(left);
        if take > 0 {
            parts.push((t.id.clone(), t.gateway.clone().unwrap_or_default(), Money::new(take, currency)));
            left -= take;
        }
    }
    if left > 0 {
        return Err(ShopError::Rejected(format!("the order has less left to refund than {}", format_amount(&amount))));
    }
    Ok(parts)
}

/// True for API versions that know `@idempotent` (2026-01 on, and `unstable`).
fn has_idempotent_directive(version: &str) -> bool {
    version == "unstable" || version >= "2026-01"
}

/// The bucket as last reported, and each operation's last requested cost.
#[derive(Default)]
struct Bucket {
    status: Option<ThrottleStatus>,
    cost: HashMap<&'static str, f64>,
}

/// The Admin GraphQL API of one shop.
pub struct ShopifyAdmin {
    client: reqwest::Client,
    endpoint: String,
    config: ShopifyConfig,
    sleeper: Arc<dyn Sleeper>,
    bucket: Mutex<Bucket>,
}

impl std::fmt::Debug for ShopifyAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyAdmin").field("endpoint", &self.endpoint).finish_non_exhaustive()
    }
}

/// One GraphQL operation: its name (the bucket remembers costs by it) and document.
struct Operation {
    name: &'static str,
    document: String,
}

impl Operation {
    fn new(name: &'static str, document: &str) -> Self {
        Self { name, document: document.to_owned() }
    }

    fn with_order_fragment(name: &'static str, document: &str) -> Self {
        Self { name, document: format!("{document} {}", documents::ORDER_FRAGMENT) }
    }
}

impl ShopifyAdmin {
    /// A client for `config`, waiting on the bucket through `sleeper`.
    pub fn new(config: ShopifyConfig, sleeper: Arc<dyn Sleeper>) -> Result<Self, ShopError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ShopError::Unavailable(e.to_string()))?;
        let endpoint = format!("{}/admin/api/{}/graphql.json", config.base_url, config.api_version);
        Ok(Self { client, endpoint, config, sleeper, bucket: Mutex::new(Bucket::default()) })
    }

    /// The bucket as Shopify last reported it.
    pub fn throttle_status(&self) -> Option<ThrottleStatus> {
        self.bucket.lock().ok().and_then(|b| b.status)
    }

    /// How long to wait before sending `operation`, from what the bucket last said.
    fn wait_before(&self, operation: &'static str) -> Duration {
        let Ok(bucket) = self.bucket.lock() else { return Duration::ZERO };
        match (bucket.status, bucket.cost.get(operation)) {
            (Some(status), Some(cost)) => status.wait_for(*cost),
            _ => Duration::ZERO,
        }
    }

    fn remember(&self, operation: &'static str, cost: &QueryCost) {
        if let Ok(mut bucket) = self.bucket.lock() {
            bucket.cost.insert(operation, cost.requested_query_cost);
            bucket.status = Some(cost.throttle_status);
        }
    }

    /// After a wait the bucket holds at least what the wait was for (the operation's last
    /// cost, or `cost`), so the next check does not wait for it again.
    fn refilled(&self, operation: &'static str, cost: Option<f64>) {
        if let Ok(mut bucket) = self.bucket.lock() {
            let Some(cost) = cost.or_else(|| bucket.cost.get(operation).copied()) else { return };
            if let Some(status) = bucket.status.as_mut() {
                status.currently_available = status.currently_available.max(cost);
            }
        }
    }

    async fn post(&self, operation: &Operation, variables: &Value) -> Result<Vec<u8>, ShopError> {
        let body = json!({ "query": operation.document, "variables": variables, "operationName": operation.name });
        let response = self
            .client
            .post(&self.endpoint)
            .header("X-Shopify-Access-Token", self.config.access_token.expose())
            .json(&body)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let retry = retry_after(response.headers());
        let bytes = read_bounded(response, MAX_RESPONSE_BYTES).await?;
        if !status.is_success() {
            return Err(status_error(status, &bytes, retry));
        }
        Ok(bytes)
    }

    /// Runs `operation`, waiting on the bucket before it and after a `THROTTLED` answer.
    async fn run<T: DeserializeOwned>(&self, operation: &Operation, variables: Value) -> Result<T, ShopError> {
        let mut waits = 0u32;
        loop {
            let wait = self.wait_before(operation.name);
            if !wait.is_zero() {
                if waits >= self.config.max_throttle_waits {
                    return Err(ShopError::RateLimited { retry_after: Some(wait) });
                }
                waits += 1;
                tracing::debug!(
                    operation = operation.name,
                    wait_ms = wait.as_millis() as u64,
                    "waiting for Shopify's bucket"
                );
                self.sleeper.sleep(wait).await;
                self.refilled(operation.name, None);
            }
            let bytes = match self.post(operation, &variables).await {
                Err(ShopError::RateLimited { retry_after }) if waits < self.config.max_throttle_waits => {
                    waits += 1;
                    self.sleeper.sleep(retry_after.unwrap_or(Duration::from_secs(1))).await;
                    continue;
                }
                other => other?,
            };
            let answer: GraphqlResponse<T> =
                serde_json::from_slice(&bytes).map_err(|e| ShopError::Protocol(format!("{}: {e}", operation.name)))?;
            let cost = answer.extensions.as_ref().and_then(|e| e.cost);
            let throttled = answer
                .errors
                .iter()
                .any(|e| e.extensions.as_ref().and_then(|x| x.code.as_deref()) == Some("THROTTLED"));
            if let Some(cost) = &cost {
                self.remember(operation.name, cost);
            }
            if throttled {
                // Not run: wait as Shopify's numbers say (at least a moment) and send it again.
                let wait = cost
                    .map(|c| c.throttle_status.wait_for(c.requested_query_cost))
                    .filter(|w| !w.is_zero())
                    .unwrap_or(Duration::from_secs(1));
                if waits >= self.config.max_throttle_waits {
                    return Err(ShopError::RateLimited { retry_after: Some(wait) });
                }
                waits += 1;
                tracing::debug!(operation = operation.name, wait_ms = wait.as_millis() as u64, "throttled by Shopify");
                self.sleeper.sleep(wait).await;
                self.refilled(operation.name, cost.map(|c| c.requested_query_cost));
                continue;
            }
            if let Some(first) = answer.errors.first() {
                let code = first.extensions.as_ref().and_then(|x| x.code.clone()).unwrap_or_default();
                let text = format!("{code} {}", first.message.chars().take(300).collect::<String>());
                return Err(match code.as_str() {
                    "ACCESS_DENIED" => ShopError::Unauthorized,
                    "INTERNAL_SERVER_ERROR" => ShopError::Unavailable(text),
                    _ => ShopError::Rejected(text),
                });
            }
            return answer.data.ok_or_else(|| ShopError::Protocol(format!("{}: no data", operation.name)));
        }
    }

    /// One page of orders, oldest first, after `after`.
    pub async fn orders_page(&self, query: &OrdersQuery, after: Option<&str>) -> Result<OrderConnection, ShopError> {
        let first = query.page_size.clamp(1, MAX_PAGE_SIZE);
        let op = Operation::with_order_fragment("RedressOrders", documents::ORDERS);
        let data: OrdersData = self.run(&op, json!({ "first": first, "after": after, "query": query.search })).await?;
        Ok(data.orders)
    }

    /// Reads orders page by page from `after` (or the start) until there are no more or
    /// `max_orders` have been read, mapping each; an order that does not map is reported in
    /// [`Backfill::rejected`] and the back-fill goes on.
    pub async fn backfill(
        &self,
        query: &OrdersQuery,
        after: Option<String>,
        max_orders: usize,
        store_id: StoreId,
        ids: &mut (dyn FnMut() -> Uuid + Send),
    ) -> Result<Backfill, ShopError> {
        let mut result = Backfill { end_cursor: after, ..Backfill::default() };
        loop {
            let page = self.orders_page(query, result.end_cursor.as_deref()).await?;
            result.pages += 1;
            for order in &page.nodes {
                match order_from_graphql(order, store_id, ids) {
                    Ok(imported) => result.orders.push(imported),
                    Err(error) => result.rejected.push(RejectedOrder { remote_id: order.id.clone(), error }),
                }
            }
            if page.page_info.end_cursor.is_some() {
                result.end_cursor = page.page_info.end_cursor;
            }
            let read = result.orders.len() + result.rejected.len();
            if !page.page_info.has_next_page || page.nodes.is_empty() {
                return Ok(result);
            }
            if read >= max_orders {
                result.more = true;
                return Ok(result);
            }
        }
    }

    /// One order by GID; `None` when the shop has no such order.
    pub async fn order(&self, order_id: &str) -> Result<Option<GqlOrder>, ShopError> {
        let op = Operation::with_order_fragment("RedressOrder", documents::ORDER);
        let data: OrderData<GqlOrder> = self.run(&op, json!({ "id": order_id })).await?;
        Ok(data.order)
    }

    async fn order_money(&self, order_id: &str) -> Result<GqlOrderMoney, ShopError> {
        let op = Operation::new("RedressOrderMoney", documents::ORDER_MONEY);
        let data: OrderData<GqlOrderMoney> = self.run(&op, json!({ "id": order_id })).await?;
        data.order.ok_or_else(|| ShopError::NotFound(order_id.to_owned()))
    }

    /// Sets the order's shipping address (`orderUpdate`). Setting is idempotent: a retry sets
    /// the same address again.
    pub async fn update_shipping_address(&self, order_id: &str, address: &Address) -> Result<(), ShopError> {
        let (first_name, last_name) = match address.name.trim().rsplit_once(' ') {
            Some((first, last)) => (first.trim(), last),
            None => ("", address.name.trim()),
        };
        let mut input = json!({
            "firstName": first_name,
            "lastName": last_name,
            "address1": address.lines.first().cloned().unwrap_or_default(),
            "address2": address.lines.get(1..).map(|rest| rest.join(", ")).unwrap_or_default(),
            "city": address.city,
            "zip": address.postal_code,
            "countryCode": address.country,
        });
        if let (Some(region), Some(fields)) = (&address.region, input.as_object_mut()) {
            // A short upper-case region is a code (`CA`, `NSW`); anything else is a name.
            let is_code = region.len() <= 3 && region.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            fields.insert(if is_code { "provinceCode" } else { "province" }.to_owned(), json!(region));
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data {
            order_update: Payload,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Payload {
            user_errors: Vec<UserError>,
        }
        let op = Operation::new("RedressOrderUpdate", documents::ORDER_UPDATE);
        let data: Data = self.run(&op, json!({ "input": { "id": order_id, "shippingAddress": input } })).await?;
        refused(&data.order_update.user_errors)
    }

    /// Changes lines through an order edit (`orderEditBegin`, `orderEditSetQuantity`,
    /// `orderEditAddVariant`, `orderEditCommit`), committing only what differs from the order
    /// as it stands, so a retry after a lost commit answer changes nothing.
    pub async fn edit_lines(
        &self,
        order_id: &str,
        edits: &[LineEdit],
        staff_note: Option<&str>,
    ) -> Result<EditOutcome, ShopError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct BeginData {
            order_edit_begin: BeginPayload,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct BeginPayload {
            calculated_order: Option<Calculated>,
            user_errors: Vec<UserError>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Calculated {
            id: String,
            line_items: Nodes<CalculatedLine>,
        }
        #[derive(Deserialize)]
        struct CalculatedLine {
            id: String,
            quantity: u32,
            variant: Option<IdOnly>,
        }
        #[derive(Deserialize)]
        struct Errors {
            #[serde(rename = "userErrors")]
            user_errors: Vec<UserError>,
        }
        #[derive(Deserialize)]
        struct SetData {
            #[serde(rename = "orderEditSetQuantity")]
            payload: Errors,
        }
        #[derive(Deserialize)]
        struct AddData {
            #[serde(rename = "orderEditAddVariant")]
            payload: Errors,
        }
        #[derive(Deserialize)]
        struct CommitData {
            #[serde(rename = "orderEditCommit")]
            payload: Errors,
        }

        let begin: BeginData = self
            .run(&Operation::new("RedressOrderEditBegin", documents::EDIT_BEGIN), json!({ "id": order_id }))
            .await?;
        refused(&begin.order_edit_begin.user_errors)?;
        let calculated = begin
            .order_edit_begin
            .calculated_order
            .ok_or_else(|| ShopError::Protocol("orderEditBegin gave no calculated order".into()))?;
        // Calculated lines carry the order line's number under another type.
        let line_of = |line_id: &str| {
            let wanted = numeric_id(line_id);
            calculated.line_items.nodes.iter().find(|l| wanted.is_some() && numeric_id(&l.id) == wanted)
        };
        let line_with_variant = |variant_id: &str| {
            calculated.line_items.nodes.iter().find(|l| l.variant.as_ref().is_some_and(|v| v.id == variant_id))
        };
        enum Step {
            Set { line: String, quantity: u32 },
            Add { variant: String, quantity: u32 },
        }
        let mut steps = Vec::new();
        for edit in edits.iter().take(MAX_LINES) {
            match edit {
                LineEdit::SetQuantity { line_id, quantity } => {
                    let line = line_of(line_id).ok_or_else(|| ShopError::NotFound(line_id.clone()))?;
                    if line.quantity != *quantity {
                        steps.push(Step::Set { line: line.id.clone(), quantity: *quantity });
                    }
                }
                LineEdit::SwapVariant { line_id, variant_id, quantity } => {
                    let old = line_of(line_id).ok_or_else(|| ShopError::NotFound(line_id.clone()))?;
                    if old.variant.as_ref().is_some_and(|v| &v.id == variant_id) {
                        // Swapping to the variant it already is: a quantity change at most.
                        if old.quantity != *quantity {
                            steps.push(Step::Set { line: old.id.clone(), quantity: *quantity });
                        }
                        continue;
                    }
                    if old.quantity > 0 {
                        steps.push(Step::Set { line: old.id.clone(), quantity: 0 });
                    }
                    match line_with_variant(variant_id) {
                        Some(new) if new.quantity == *quantity => {}
                        Some(new) => steps.push(Step::Set { line: new.id.clone(), quantity: *quantity }),
                        None => steps.push(Step::Add { variant: variant_id.clone(), quantity: *quantity }),
                    }
                }
            }
        }
        if steps.is_empty() {
            // The begun edit is left uncommitted; Shopify discards it.
            return Ok(EditOutcome::AlreadyDone);
        }
        for step in steps {
            match step {
                Step::Set { line, quantity } => {
                    let op = Operation::new("RedressOrderEditSetQuantity", documents::EDIT_SET_QUANTITY);
                    let vars =
                        json!({ "id": calculated.id, "lineItemId": line, "quantity": quantity, "restock": true });
                    let data: SetData = self.run(&op, vars).await?;
                    refused(&data.payload.user_errors)?;
                }
                Step::Add { variant, quantity } => {
                    let op = Operation::new("RedressOrderEditAddVariant", documents::EDIT_ADD_VARIANT);
                    let vars = json!({ "id": calculated.id, "variantId": variant, "quantity": quantity });
                    let data: AddData = self.run(&op, vars).await?;
                    refused(&data.payload.user_errors)?;
                }
            }
        }
        let op = Operation::new("RedressOrderEditCommit", documents::EDIT_COMMIT);
        let data: CommitData = self.run(&op, json!({ "id": calculated.id, "staffNote": staff_note })).await?;
        refused(&data.payload.user_errors)?;
        Ok(EditOutcome::Committed)
    }

    /// Cancels the order (`orderCancel`: restock, no refund — refunds go through Redress's
    /// intents, and no customer email from Shopify). An order already cancelled answers
    /// [`CancelOutcome::AlreadyCancelled`] without a second call.
    pub async fn cancel(
        &self,
        order_id: &str,
        reason: CancelReason,
        staff_note: Option<&str>,
    ) -> Result<CancelOutcome, ShopError> {
        if self.order_money(order_id).await?.cancelled_at.is_some() {
            return Ok(CancelOutcome::AlreadyCancelled);
        }
        #[derive(Deserialize)]
        struct Data {
            #[serde(rename = "orderCancel")]
            payload: Payload,
        }
        #[derive(Deserialize)]
        struct Payload {
            job: Option<IdOnly>,
            #[serde(rename = "orderCancelUserErrors")]
            user_errors: Vec<UserError>,
        }
        let op = Operation::new("RedressOrderCancel", documents::ORDER_CANCEL);
        let vars = json!({ "orderId": order_id, "reason": reason.as_str(), "staffNote": staff_note });
        let data: Data = self.run(&op, vars).await?;
        refused(&data.payload.user_errors)?;
        Ok(CancelOutcome::Cancelling { job_id: data.payload.job.map(|j| j.id) })
    }

    /// The refund made on `order_id` for the intent `refund_id`, if there is one.
    pub async fn find_refund(&self, order_id: &str, refund_id: RefundId) -> Result<Option<GqlRefund>, ShopError> {
        let money = self.order_money(order_id).await?;
        Ok(money.refunds.into_iter().find(|r| r.note.as_deref().and_then(refund_in_note) == Some(refund_id)))
    }

    /// Refunds on the original payment, exactly once per intent (see the module's notes): a
    /// refund already made for `request.refund_id` is returned as found.
    pub async fn refund(&self, request: &RefundRequest) -> Result<(RefundOutcome, ProviderRefundStatus), ShopError> {
        let money = self.order_money(&request.order_id).await?;
        if let Some(found) =
            money.refunds.iter().find(|r| r.note.as_deref().and_then(refund_in_note) == Some(request.refund_id))
        {
            return Ok((RefundOutcome { reference: found.id.clone(), created: false }, refund_status(found)));
        }
        if request.amount.is_negative() {
            return Err(ShopError::Rejected("a refund cannot be negative".into()));
        }
        let parts = allocate(&money, request.amount)?;
        let note = match &request.note {
            Some(note) => format!("{} {}", bounded(note), refund_marker(request.refund_id)),
            None => refund_marker(request.refund_id),
        };
        let transactions: Vec<Value> = parts
            .iter()
            .map(|(parent, gateway, amount)| {
                json!({ "orderId": request.order_id, "parentId": parent, "amount": format_amount(amount), "gateway": gateway, "kind": "REFUND" })
            })
            .collect();
        let lines: Vec<Value> = request
            .lines
            .iter()
            .take(MAX_LINES)
            .map(|l| {
                json!({ "lineItemId": l.line_id, "quantity": l.quantity, "restockType": if l.restock { "RETURN" } else { "NO_RESTOCK" } })
            })
            .collect();
        let input = json!({
            "orderId": request.order_id,
            "note": note,
            "notify": request.notify,
            "refundLineItems": lines,
            "transactions": transactions,
        });
        #[derive(Deserialize)]
        struct Data {
            #[serde(rename = "refundCreate")]
            payload: Payload,
        }
        #[derive(Deserialize)]
        struct Payload {
            refund: Option<GqlRefund>,
            #[serde(rename = "userErrors")]
            user_errors: Vec<UserError>,
        }
        let (op, vars) = if has_idempotent_directive(&self.config.api_version) {
            (
                Operation::new("RedressRefundCreate", documents::REFUND_CREATE_IDEMPOTENT),
                json!({ "input": input, "idempotencyKey": request.idempotency_key }),
            )
        } else {
            (Operation::new("RedressRefundCreate", documents::REFUND_CREATE), json!({ "input": input }))
        };
        let data: Data = self.run(&op, vars).await?;
        refused(&data.payload.user_errors)?;
        let refund = data.payload.refund.ok_or_else(|| ShopError::Protocol("refundCreate gave no refund".into()))?;
        let status = refund_status(&refund);
        Ok((RefundOutcome { reference: refund.id, created: true }, status))
    }

    async fn fulfillment_orders(&self, order_id: &str) -> Result<Vec<FulfillmentOrder>, ShopError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Order {
            fulfillment_orders: Nodes<FulfillmentOrder>,
        }
        let op = Operation::new("RedressFulfillmentOrders", documents::FULFILLMENT_ORDERS);
        let data: OrderData<Order> = self.run(&op, json!({ "id": order_id })).await?;
        Ok(data.order.ok_or_else(|| ShopError::NotFound(order_id.to_owned()))?.fulfillment_orders.nodes)
    }

    /// Holds every fulfillment order of the order that the warehouse could still work on, so
    /// nothing ships while a change is pending. Returns how many holds were placed now (a
    /// retry places none: Redress's hold is already there).
    pub async fn hold_fulfillment(&self, order_id: &str, notes: &str) -> Result<u32, ShopError> {
        let mut placed = 0;
        for fo in self.fulfillment_orders(order_id).await? {
            let holdable = matches!(fo.status.as_str(), "OPEN" | "SCHEDULED" | "ON_HOLD");
            if !holdable || fo.fulfillment_holds.iter().any(|h| h.handle.as_deref() == Some(HOLD_HANDLE)) {
                continue;
            }
            let op = Operation::new("RedressFulfillmentOrderHold", documents::HOLD);
            let hold = json!({ "reason": "OTHER", "reasonNotes": bounded(notes), "handle": HOLD_HANDLE, "notifyMerchant": false });
            let data: HoldData = self.run(&op, json!({ "id": fo.id, "fulfillmentHold": hold })).await?;
            refused(&data.payload.user_errors)?;
            placed += 1;
        }
        Ok(placed)
    }

    /// Releases Redress's holds (only those: other apps' holds stay). Returns how many.
    pub async fn release_fulfillment(&self, order_id: &str) -> Result<u32, ShopError> {
        let mut released = 0;
        for fo in self.fulfillment_orders(order_id).await? {
            let ours: Vec<&str> = fo
                .fulfillment_holds
                .iter()
                .filter(|h| h.handle.as_deref() == Some(HOLD_HANDLE))
                .map(|h| h.id.as_str())
                .collect();
            if ours.is_empty() {
                continue;
            }
            let op = Operation::new("RedressFulfillmentOrderReleaseHold", documents::RELEASE);
            let data: ReleaseData = self.run(&op, json!({ "id": fo.id, "holdIds": ours })).await?;
            refused(&data.payload.user_errors)?;
            released += 1;
        }
        Ok(released)
    }
}

/// `FulfillmentOrder`, as the hold operations read it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FulfillmentOrder {
    /// Its GID.
    pub id: String,
    /// `OPEN`, `ON_HOLD`, `IN_PROGRESS`, `CLOSED`, …
    pub status: String,
    /// Holds on it.
    #[serde(default)]
    pub fulfillment_holds: Vec<FulfillmentHold>,
}

/// `FulfillmentHold`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentHold {
    /// Its GID.
    pub id: String,
    /// The holding app's handle.
    #[serde(default)]
    pub handle: Option<String>,
}

#[derive(Deserialize)]
struct HoldData {
    #[serde(rename = "fulfillmentOrderHold")]
    payload: HoldPayload,
}

#[derive(Deserialize)]
struct ReleaseData {
    #[serde(rename = "fulfillmentOrderReleaseHold")]
    payload: HoldPayload,
}

#[derive(Deserialize)]
struct HoldPayload {
    #[serde(rename = "userErrors")]
    user_errors: Vec<UserError>,
}

/// Reads a body, refusing one larger than `max`.
pub(crate) async fn read_bounded(mut response: reqwest::Response, max: usize) -> Result<Vec<u8>, ShopError> {
    if response.content_length().is_some_and(|l| l > max as u64) {
        return Err(ShopError::Protocol(format!("an answer larger than {max} bytes")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if body.len() + chunk.len() > max {
            return Err(ShopError::Protocol(format!("an answer larger than {max} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Shopify as a payment provider: `charge` is the order's GID (the payment's reference, see
/// [`super`]), a refund is made on the order and Shopify picks the gateway transactions.
#[async_trait]
impl PaymentProvider for ShopifyAdmin {
    fn name(&self) -> &str {
        "shopify"
    }

    async fn refund(&self, refund: &ProviderRefund) -> Result<ProviderAnswer, ProviderError> {
        let request = RefundRequest {
            order_id: refund.charge.clone(),
            refund_id: refund.refund_id,
            idempotency_key: refund.idempotency_key.clone(),
            amount: refund.amount,
            note: refund.reason.map(|r| format!("Redress: {r}")),
            lines: Vec::new(),
            notify: false,
        };
        let (outcome, status) = ShopifyAdmin::refund(self, &request).await.map_err(ShopError::into_provider_error)?;
        Ok(ProviderAnswer { reference: outcome.reference, refund_id: Some(refund.refund_id), status })
    }

    async fn find_refund(&self, charge: &str, refund_id: RefundId) -> Result<Option<ProviderAnswer>, ProviderError> {
        let found = ShopifyAdmin::find_refund(self, charge, refund_id).await.map_err(ShopError::into_provider_error)?;
        Ok(found.map(|r| ProviderAnswer { status: refund_status(&r), reference: r.id, refund_id: Some(refund_id) }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_for_what_the_bucket_lacks() {
        let status = ThrottleStatus { maximum_available: 1000.0, currently_available: 100.0, restore_rate: 50.0 };
        assert_eq!(status.wait_for(50.0), Duration::ZERO);
        assert_eq!(status.wait_for(200.0), Duration::from_secs(2));
        assert_eq!(status.wait_for(5000.0), Duration::from_secs(18), "never more than a full bucket");
        let broken = ThrottleStatus { restore_rate: 0.0, ..status };
        assert_eq!(broken.wait_for(200.0), Duration::ZERO);
    }

    #[test]
    fn knows_which_versions_have_the_idempotent_directive() {
        assert!(!has_idempotent_directive("2025-10"));
        assert!(has_idempotent_directive("2026-01"));
        assert!(has_idempotent_directive("2026-04"));
        assert!(has_idempotent_directive("unstable"));
    }
}
