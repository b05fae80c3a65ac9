//! A local fake of Shopify for tests and `redress demo`: the Admin GraphQL endpoint answering
//! the operations [`super::shopify::admin`] sends, with the documented answer shapes, a leaky
//! bucket that throttles (`THROTTLED` with `extensions.cost`), an in-memory order book with
//! refunds, edits, cancellations and fulfillment holds, and signed webhooks sent to any URL.
//!
//! It is not a GraphQL server: it recognises each operation by its `operationName` and reads
//! the variables, which is all a fake of a fixed client needs. [`start`] binds `127.0.0.1:0`
//! and returns the address and a [`FakeShopifyHandle`] to seed orders, script failures
//! ([`FakeShopifyHandle::fail_next`] before doing anything, [`FakeShopifyHandle::lose_next`]
//! after doing an operation, as when its answer is lost) and inspect what the client did.
//!
//! Time: the bucket refills on a [`Clock`]. [`ManualClock`] is both the clock and the client's
//! [`Sleeper`]: a client that waits for the bucket moves the fake's time on, so throttling is
//! tested without waiting.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use redress_domain::{Currency, Money};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::amount::{format_amount, parse_amount};
use super::shopify::admin::{
    ErrorExtensions, Extensions, GqlAddress, GqlCustomer, GqlFulfilledItem, GqlFulfillment, GqlFulfillmentLine,
    GqlLineItem, GqlOrder, GqlTracking, GqlTransaction, GqlVariant, GraphqlError, GraphqlResponse, IdOnly, MoneyBag,
    MoneyV2, Nodes, QueryCost, SelectedOption, ThrottleStatus,
};
use super::shopify::{
    self, AddressPayload, CustomerPayload, FulfillmentPayload, LineItemPayload, OrderPayload, RefundLinePayload,
    RefundPayload, Topic, TransactionPayload, gid, numeric_id,
};
use super::{Secret, Sleeper};

/// Time as the fake's bucket sees it: how long since some fixed start.
pub trait Clock: Send + Sync {
    /// Time elapsed since the clock's start.
    fn elapsed(&self) -> Duration;
}

/// The real clock.
#[derive(Clone, Copy, Debug)]
pub struct SystemClock(Instant);

impl SystemClock {
    /// A clock starting now.
    pub fn new() -> Self {
        Self(Instant::now())
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn elapsed(&self) -> Duration {
        self.0.elapsed()
    }
}

/// A clock that moves only when slept on: the fake's clock and the client's sleeper at once.
#[derive(Clone, Debug, Default)]
pub struct ManualClock {
    millis: Arc<AtomicU64>,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl ManualClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every wait asked of it, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.slept.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// Moves the clock on.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.millis.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn elapsed(&self) -> Duration {
        Duration::from_millis(self.millis.load(Ordering::SeqCst))
    }
}

#[async_trait]
impl Sleeper for ManualClock {
    async fn sleep(&self, duration: Duration) {
        if let Ok(mut slept) = self.slept.lock() {
            slept.push(duration);
        }
        self.advance(duration);
    }
}

/// How the fake is set up.
#[derive(Clone)]
pub struct FakeShopifyConfig {
    /// The Admin API token it accepts.
    pub access_token: Secret,
    /// The app secret its webhooks are signed with.
    pub app_secret: Secret,
    /// Bucket size (Shopify: 1,000 standard, 2,000 Plus).
    pub bucket_size: f64,
    /// Points restored per second (Shopify: 50 standard, 100 Plus).
    pub restore_rate: f64,
    /// The bucket's clock.
    pub clock: Arc<dyn Clock>,
}

impl FakeShopifyConfig {
    /// Shopify's standard bucket on the real clock.
    pub fn new(access_token: Secret, app_secret: Secret) -> Self {
        Self { access_token, app_secret, bucket_size: 1000.0, restore_rate: 50.0, clock: Arc::new(SystemClock::new()) }
    }
}

/// A line of a fake order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeLine {
    /// Numeric id.
    pub id: u64,
    /// The variant's numeric id.
    pub variant_id: u64,
    /// SKU.
    pub sku: String,
    /// Title.
    pub title: String,
    /// Options (`Size` = `M`).
    pub options: Vec<(String, String)>,
    /// Units ordered.
    pub quantity: u32,
    /// Units left after edits, refunds and cancellation.
    pub current_quantity: u32,
    /// Unit price, decimal.
    pub price: String,
}

/// A transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeTransaction {
    /// Numeric id.
    pub id: u64,
    /// `SALE` or `REFUND`.
    pub kind: String,
    /// Gateway.
    pub gateway: String,
    /// Decimal amount.
    pub amount: String,
    /// What it refunds.
    pub parent_id: Option<u64>,
}

/// A fulfillment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeFulfillment {
    /// Numeric id.
    pub id: u64,
    /// `SUCCESS`, `CANCELLED`.
    pub status: String,
    /// `IN_TRANSIT`, `DELIVERED`, … (the REST `shipment_status` in lower case).
    pub display_status: String,
    /// Carrier.
    pub company: String,
    /// Tracking number.
    pub number: String,
    /// Lines and units.
    pub lines: Vec<(u64, u32)>,
}

/// A fulfillment order and its holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeFulfillmentOrder {
    /// Numeric id.
    pub id: u64,
    /// `OPEN`, `ON_HOLD`, `CLOSED`.
    pub status: String,
    /// Holds: id and handle.
    pub holds: Vec<(u64, String)>,
}

/// A refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeRefund {
    /// Numeric id.
    pub id: u64,
    /// Note.
    pub note: String,
    /// Lines and units.
    pub lines: Vec<(u64, u32)>,
    /// Its transactions' ids.
    pub transactions: Vec<u64>,
    /// When.
    pub created_at: OffsetDateTime,
}

/// An order in the fake's book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FakeOrder {
    /// Numeric id.
    pub id: u64,
    /// `#1001`.
    pub name: String,
    /// Email.
    pub email: String,
    /// Customer's first name.
    pub first_name: String,
    /// Customer's last name.
    pub last_name: String,
    /// ISO code.
    pub currency: String,
    /// When placed.
    pub created_at: OffsetDateTime,
    /// When cancelled.
    pub cancelled_at: Option<OffsetDateTime>,
    /// Lines.
    pub lines: Vec<FakeLine>,
    /// Shipping address.
    pub shipping: GqlAddress,
    /// Transactions.
    pub transactions: Vec<FakeTransaction>,
    /// Fulfillments.
    pub fulfillments: Vec<FakeFulfillment>,
    /// Fulfillment orders.
    pub fulfillment_orders: Vec<FakeFulfillmentOrder>,
    /// Refunds.
    pub refunds: Vec<FakeRefund>,
    /// Staff notes of edits and cancellations.
    pub staff_notes: Vec<String>,
}

impl FakeOrder {
    /// The order's GID.
    pub fn gid(&self) -> String {
        gid("Order", self.id)
    }

    fn currency(&self) -> Option<Currency> {
        Currency::from_code(&self.currency).ok()
    }

    fn amount(&self, text: &str) -> Option<Money> {
        parse_amount(text, self.currency()?).ok()
    }

    /// Refunded in all, in minor units.
    pub fn refunded_minor(&self) -> i64 {
        self.transactions
            .iter()
            .filter(|t| t.kind == "REFUND")
            .filter_map(|t| self.amount(&t.amount))
            .map(|m| m.amount_minor)
            .sum()
    }
}

/// A line to seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedLine {
    /// SKU.
    pub sku: String,
    /// Title.
    pub title: String,
    /// Options.
    pub options: Vec<(String, String)>,
    /// Units.
    pub quantity: u32,
    /// Unit price, decimal.
    pub price: String,
}

/// An order to seed; paid in full by one sale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedOrder {
    /// Email.
    pub email: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// ISO code.
    pub currency: String,
    /// Lines.
    pub lines: Vec<SeedLine>,
    /// Where it goes.
    pub shipping: GqlAddress,
    /// When placed.
    pub created_at: OffsetDateTime,
}

impl SeedOrder {
    /// The `n`th demo order: a tee in a size and colour and sometimes a cap, in EUR, to an
    /// address in Kraków.
    pub fn sample(n: u32, created_at: OffsetDateTime) -> Self {
        let sizes = ["S", "M", "L", "XL"];
        let colours = ["Navy", "Grey", "Black"];
        let size = sizes[n as usize % sizes.len()];
        let colour = colours[n as usize % colours.len()];
        let mut lines = vec![SeedLine {
            sku: format!("TEE-{}-{size}", colour.to_uppercase()),
            title: "Organic tee".into(),
            options: vec![("Size".into(), size.into()), ("Color".into(), colour.into())],
            quantity: 1 + n % 2,
            price: "29.99".into(),
        }];
        if n.is_multiple_of(3) {
            lines.push(SeedLine {
                sku: "CAP-1".into(),
                title: "Cap".into(),
                options: Vec::new(),
                quantity: 1,
                price: "15.00".into(),
            });
        }
        Self {
            email: format!("customer{n}@example.com"),
            first_name: "Ana".into(),
            last_name: format!("Nowak {n}"),
            currency: "EUR".into(),
            lines,
            shipping: GqlAddress {
                name: Some(format!("Ana Nowak {n}")),
                first_name: Some("Ana".into()),
                last_name: Some(format!("Nowak {n}")),
                address1: Some(format!("ul. Długa {n}")),
                address2: None,
                city: Some("Kraków".into()),
                zip: Some("30-001".into()),
                province_code: None,
                country_code_v2: Some("PL".into()),
            },
            created_at,
        }
    }
}

/// A variant in the catalogue (for swaps).
#[derive(Clone, Debug, PartialEq, Eq)]
struct FakeVariant {
    sku: String,
    title: String,
    options: Vec<(String, String)>,
    price: String,
}

/// An order edit under way.
#[derive(Clone, Debug)]
struct Edit {
    order_id: u64,
    /// Calculated lines: (line id, variant id, quantity, new?).
    lines: Vec<(u64, u64, u32, bool)>,
}

/// A webhook the fake sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `X-Shopify-Webhook-Id`.
    pub webhook_id: String,
    /// The topic.
    pub topic: String,
    /// The exact body.
    pub body: Vec<u8>,
    /// The receiver's answer.
    pub status: u16,
}

struct Book {
    orders: BTreeMap<u64, FakeOrder>,
    variants: BTreeMap<u64, FakeVariant>,
    edits: HashMap<u64, Edit>,
    idempotent: HashMap<String, Value>,
    next_id: u64,
    next_number: u64,
    available: f64,
    refilled_at: Duration,
    fail_next: u32,
    lose_next: HashMap<String, u32>,
    throttled: u64,
    calls: BTreeMap<String, u64>,
    deliveries: u64,
}

impl Book {
    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

struct Shared {
    config: FakeShopifyConfig,
    book: Mutex<Book>,
}

/// The fake's state, to seed and inspect.
#[derive(Clone)]
pub struct FakeShopifyHandle {
    shared: Arc<Shared>,
}

/// A running fake.
pub struct FakeShopify {
    /// `http://127.0.0.1:{port}`: the client's base URL.
    pub base_url: String,
    /// Its address.
    pub addr: SocketAddr,
    /// Its state.
    pub handle: FakeShopifyHandle,
}

fn lock(shared: &Shared) -> MutexGuard<'_, Book> {
    // A panic while holding the lock leaves the book as it was; the fake keeps serving it.
    shared.book.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FakeShopifyHandle {
    fn book(&self) -> MutexGuard<'_, Book> {
        lock(&self.shared)
    }

    /// Adds an order, paid by one sale, with one open fulfillment order; returns its GID.
    pub fn add_order(&self, seed: SeedOrder) -> String {
        let mut book = self.book();
        let id = book.id();
        book.next_number += 1;
        let name = format!("#{}", 1000 + book.next_number);
        let currency = Currency::from_code(&seed.currency).ok();
        let mut total = 0i64;
        let mut lines = Vec::new();
        for line in seed.lines {
            let variant = book.variants.iter().find(|(_, v)| v.sku == line.sku).map(|(id, _)| *id);
            let variant_id = match variant {
                Some(v) => v,
                None => {
                    let v = book.id();
                    let catalogued = FakeVariant {
                        sku: line.sku.clone(),
                        title: line.title.clone(),
                        options: line.options.clone(),
                        price: line.price.clone(),
                    };
                    book.variants.insert(v, catalogued);
                    v
                }
            };
            let unit = currency.and_then(|c| parse_amount(&line.price, c).ok()).map_or(0, |m| m.amount_minor);
            total = total.saturating_add(unit.saturating_mul(i64::from(line.quantity)));
            lines.push(FakeLine {
                id: book.id(),
                variant_id,
                sku: line.sku,
                title: line.title,
                options: line.options,
                quantity: line.quantity,
                current_quantity: line.quantity,
                price: line.price,
            });
        }
        let sale = FakeTransaction {
            id: book.id(),
            kind: "SALE".into(),
            gateway: "shopify_payments".into(),
            amount: currency.map(|c| format_amount(&Money::new(total, c))).unwrap_or_default(),
            parent_id: None,
        };
        let fulfillment_order = FakeFulfillmentOrder { id: book.id(), status: "OPEN".into(), holds: Vec::new() };
        let order = FakeOrder {
            id,
            name,
            email: seed.email,
            first_name: seed.first_name,
            last_name: seed.last_name,
            currency: seed.currency,
            created_at: seed.created_at,
            cancelled_at: None,
            lines,
            shipping: seed.shipping,
            transactions: vec![sale],
            fulfillments: Vec::new(),
            fulfillment_orders: vec![fulfillment_order],
            refunds: Vec::new(),
            staff_notes: Vec::new(),
        };
        book.orders.insert(id, order);
        gid("Order", id)
    }

    /// Adds a variant to the catalogue (something to swap to); returns its GID.
    pub fn add_variant(&self, sku: &str, title: &str, options: &[(&str, &str)], price: &str) -> String {
        let mut book = self.book();
        let id = book.id();
        let options = options.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        book.variants.insert(id, FakeVariant { sku: sku.into(), title: title.into(), options, price: price.into() });
        gid("ProductVariant", id)
    }

    /// Ships the order's remaining units with `carrier`, its fulfillment order closed.
    pub fn fulfill(&self, order_id: &str, carrier: &str, tracking: &str, display_status: &str) -> Option<String> {
        let mut book = self.book();
        let id = book.id();
        let order = book.orders.get_mut(&numeric_id(order_id)?)?;
        let lines = order.lines.iter().filter(|l| l.current_quantity > 0).map(|l| (l.id, l.current_quantity)).collect();
        order.fulfillments.push(FakeFulfillment {
            id,
            status: "SUCCESS".into(),
            display_status: display_status.into(),
            company: carrier.into(),
            number: tracking.into(),
            lines,
        });
        for fo in &mut order.fulfillment_orders {
            fo.status = "CLOSED".into();
        }
        Some(gid("Fulfillment", id))
    }

    /// An order by GID.
    pub fn order(&self, order_id: &str) -> Option<FakeOrder> {
        self.book().orders.get(&numeric_id(order_id)?).cloned()
    }

    /// Every order, oldest first.
    pub fn orders(&self) -> Vec<FakeOrder> {
        self.book().orders.values().cloned().collect()
    }

    /// The next `n` requests fail with 503 before anything is done.
    pub fn fail_next(&self, n: u32) {
        self.book().fail_next = n;
    }

    /// The next `n` requests for `operation` (e.g. `RedressRefundCreate`) are carried out
    /// and then answered 504, as when the answer is lost on the way back.
    pub fn lose_next(&self, operation: &str, n: u32) {
        self.book().lose_next.insert(operation.to_owned(), n);
    }

    /// Empties the bucket, as another app of the shop would.
    pub fn drain_bucket(&self) {
        let now = self.shared.config.clock.elapsed();
        let mut book = self.book();
        book.available = 0.0;
        book.refilled_at = now;
    }

    /// How many requests were throttled.
    pub fn throttled(&self) -> u64 {
        self.book().throttled
    }

    /// Requests received per operation name.
    pub fn calls(&self) -> BTreeMap<String, u64> {
        self.book().calls.clone()
    }

    /// Sends a webhook for `topic` about `order_id` to `url`, signed with the app secret:
    /// orders topics send the order; fulfillments topics its latest fulfillment; `refunds/create`
    /// its latest refund. Returns what was sent and the receiver's status.
    pub async fn send_webhook(&self, url: &str, topic: &Topic, order_id: &str) -> Result<Delivery, String> {
        let body = {
            let book = self.book();
            let order = numeric_id(order_id)
                .and_then(|id| book.orders.get(&id))
                .ok_or_else(|| format!("no order {order_id}"))?;
            let value = match topic {
                Topic::FulfillmentsCreate | Topic::FulfillmentsUpdate => {
                    let f = order.fulfillments.last().ok_or("the order has no fulfillment")?;
                    serde_json::to_value(fulfillment_payload(order, f))
                }
                Topic::RefundsCreate => {
                    let r = order.refunds.last().ok_or("the order has no refund")?;
                    serde_json::to_value(refund_payload(order, r))
                }
                _ => serde_json::to_value(order_payload(order)),
            };
            serde_json::to_vec(&value.map_err(|e| e.to_string())?).map_err(|e| e.to_string())?
        };
        let webhook_id = {
            let mut book = self.book();
            book.deliveries += 1;
            format!("fake-webhook-{}", book.deliveries)
        };
        let mut delivery = Delivery { webhook_id, topic: topic.as_str().to_owned(), body, status: 0 };
        delivery.status = self.deliver(url, &delivery).await?;
        Ok(delivery)
    }

    /// Sends a delivery again, same id and body, as Shopify does when it retries.
    pub async fn deliver(&self, url: &str, delivery: &Delivery) -> Result<u16, String> {
        let signature = shopify::sign_webhook(&self.shared.config.app_secret, &delivery.body);
        let response = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header(shopify::HMAC_HEADER, signature)
            .header(shopify::TOPIC_HEADER, &delivery.topic)
            .header(shopify::WEBHOOK_ID_HEADER, &delivery.webhook_id)
            .header(shopify::SHOP_DOMAIN_HEADER, "fake-shop.myshopify.com")
            .header(shopify::API_VERSION_HEADER, "2026-01")
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(response.status().as_u16())
    }
}

fn money_bag(amount: &str, currency: &str) -> MoneyBag {
    MoneyBag { shop_money: MoneyV2 { amount: amount.to_owned(), currency_code: currency.to_owned() } }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn options_of(options: &[(String, String)]) -> Vec<SelectedOption> {
    options.iter().map(|(name, value)| SelectedOption { name: name.clone(), value: value.clone() }).collect()
}

/// The order as the Admin API shows it.
fn gql_order(order: &FakeOrder) -> GqlOrder {
    let line = |id: u64| order.lines.iter().find(|l| l.id == id);
    GqlOrder {
        id: order.gid(),
        name: order.name.clone(),
        email: Some(order.email.clone()),
        created_at: rfc3339(order.created_at),
        cancelled_at: order.cancelled_at.map(rfc3339),
        currency_code: order.currency.clone(),
        customer: Some(GqlCustomer {
            first_name: Some(order.first_name.clone()),
            last_name: Some(order.last_name.clone()),
            email: Some(order.email.clone()),
        }),
        shipping_address: Some(order.shipping.clone()),
        billing_address: Some(order.shipping.clone()),
        line_items: Nodes {
            nodes: order
                .lines
                .iter()
                .map(|l| GqlLineItem {
                    id: gid("LineItem", l.id),
                    sku: Some(l.sku.clone()),
                    title: l.title.clone(),
                    quantity: l.quantity,
                    current_quantity: Some(l.current_quantity),
                    variant: Some(GqlVariant {
                        id: gid("ProductVariant", l.variant_id),
                        selected_options: options_of(&l.options),
                    }),
                    original_unit_price_set: money_bag(&l.price, &order.currency),
                })
                .collect(),
        },
        transactions: order.transactions.iter().map(|t| gql_transaction(order, t)).collect(),
        fulfillments: order
            .fulfillments
            .iter()
            .map(|f| GqlFulfillment {
                id: gid("Fulfillment", f.id),
                status: f.status.clone(),
                display_status: Some(f.display_status.clone()),
                created_at: Some(rfc3339(order.created_at)),
                updated_at: Some(rfc3339(order.created_at)),
                tracking_info: vec![GqlTracking { company: Some(f.company.clone()), number: Some(f.number.clone()) }],
                fulfillment_line_items: Nodes {
                    nodes: f
                        .lines
                        .iter()
                        .filter_map(|(id, quantity)| {
                            let l = line(*id)?;
                            Some(GqlFulfillmentLine {
                                quantity: *quantity,
                                line_item: GqlFulfilledItem {
                                    id: gid("LineItem", l.id),
                                    sku: Some(l.sku.clone()),
                                    variant: Some(IdOnly { id: gid("ProductVariant", l.variant_id) }),
                                },
                            })
                        })
                        .collect(),
                },
            })
            .collect(),
    }
}

fn gql_transaction(order: &FakeOrder, t: &FakeTransaction) -> GqlTransaction {
    GqlTransaction {
        id: gid("OrderTransaction", t.id),
        kind: t.kind.clone(),
        status: "SUCCESS".into(),
        gateway: Some(t.gateway.clone()),
        amount_set: money_bag(&t.amount, &order.currency),
        parent_transaction: t.parent_id.map(|p| IdOnly { id: gid("OrderTransaction", p) }),
        created_at: Some(rfc3339(order.created_at)),
    }
}

fn line_payload(l: &FakeLine) -> LineItemPayload {
    let title: Vec<&str> = l.options.iter().map(|(_, v)| v.as_str()).collect();
    LineItemPayload {
        id: l.id,
        variant_id: Some(l.variant_id),
        sku: Some(l.sku.clone()),
        title: Some(l.title.clone()),
        variant_title: Some(title.join(" / ")).filter(|t| !t.is_empty()),
        quantity: l.quantity,
        current_quantity: Some(l.current_quantity),
        price: Some(l.price.clone()),
    }
}

fn transaction_payload(order: &FakeOrder, t: &FakeTransaction) -> TransactionPayload {
    TransactionPayload {
        id: t.id,
        kind: t.kind.to_ascii_lowercase(),
        status: "success".into(),
        amount: t.amount.clone(),
        currency: Some(order.currency.clone()),
        gateway: Some(t.gateway.clone()),
        parent_id: t.parent_id,
        created_at: Some(rfc3339(order.created_at)),
    }
}

fn fulfillment_payload(order: &FakeOrder, f: &FakeFulfillment) -> FulfillmentPayload {
    FulfillmentPayload {
        id: f.id,
        order_id: Some(order.id),
        status: Some(f.status.to_ascii_lowercase()),
        shipment_status: Some(f.display_status.to_ascii_lowercase()),
        tracking_company: Some(f.company.clone()),
        tracking_number: Some(f.number.clone()),
        tracking_numbers: vec![f.number.clone()],
        line_items: f
            .lines
            .iter()
            .filter_map(|(id, quantity)| {
                let l = order.lines.iter().find(|l| l.id == *id)?;
                Some(LineItemPayload { quantity: *quantity, ..line_payload(l) })
            })
            .collect(),
        created_at: Some(rfc3339(order.created_at)),
        updated_at: Some(rfc3339(order.created_at)),
    }
}

fn refund_payload(order: &FakeOrder, r: &FakeRefund) -> RefundPayload {
    RefundPayload {
        id: r.id,
        order_id: Some(order.id),
        note: Some(r.note.clone()),
        created_at: Some(rfc3339(r.created_at)),
        refund_line_items: r
            .lines
            .iter()
            .map(|(id, quantity)| RefundLinePayload {
                line_item_id: *id,
                quantity: *quantity,
                line_item: order.lines.iter().find(|l| l.id == *id).map(line_payload),
            })
            .collect(),
        transactions: order
            .transactions
            .iter()
            .filter(|t| r.transactions.contains(&t.id))
            .map(|t| transaction_payload(order, t))
            .collect(),
    }
}

/// The order as Shopify's webhooks send it.
fn order_payload(order: &FakeOrder) -> OrderPayload {
    let address = AddressPayload {
        first_name: order.shipping.first_name.clone(),
        last_name: order.shipping.last_name.clone(),
        name: order.shipping.name.clone(),
        company: None,
        address1: order.shipping.address1.clone(),
        address2: order.shipping.address2.clone(),
        city: order.shipping.city.clone(),
        zip: order.shipping.zip.clone(),
        province: None,
        province_code: order.shipping.province_code.clone(),
        country: None,
        country_code: order.shipping.country_code_v2.clone(),
    };
    let total = order.transactions.iter().find(|t| t.kind == "SALE").map(|t| t.amount.clone());
    let sold = total.as_deref().and_then(|t| order.amount(t)).map_or(0, |m| m.amount_minor);
    let refunded = order.refunded_minor();
    let financial_status = if refunded == 0 {
        "paid"
    } else if refunded >= sold {
        "refunded"
    } else {
        "partially_refunded"
    };
    OrderPayload {
        id: order.id,
        name: Some(order.name.clone()),
        order_number: order.name.trim_start_matches('#').parse().ok(),
        email: Some(order.email.clone()),
        contact_email: None,
        created_at: Some(rfc3339(order.created_at)),
        cancelled_at: order.cancelled_at.map(rfc3339),
        currency: order.currency.clone(),
        financial_status: Some(financial_status.into()),
        total_price: total,
        payment_gateway_names: vec!["shopify_payments".into()],
        customer: Some(CustomerPayload {
            email: Some(order.email.clone()),
            first_name: Some(order.first_name.clone()),
            last_name: Some(order.last_name.clone()),
        }),
        shipping_address: Some(address.clone()),
        billing_address: Some(address),
        line_items: order.lines.iter().map(line_payload).collect(),
        fulfillments: order.fulfillments.iter().map(|f| fulfillment_payload(order, f)).collect(),
        refunds: order.refunds.iter().map(|r| refund_payload(order, r)).collect(),
        transactions: None,
    }
}

/// What an operation costs the bucket before it runs (Shopify's `requestedQueryCost`).
fn requested_cost(operation: &str, variables: &Value) -> f64 {
    match operation {
        "RedressOrders" => 2.0 + 4.0 * variables.get("first").and_then(Value::as_f64).unwrap_or(10.0),
        "RedressOrder" => 6.0,
        "RedressOrderMoney" | "RedressFulfillmentOrders" => 4.0,
        _ => 10.0,
    }
}

fn user_error(field: &str, message: &str) -> Value {
    json!([{ "field": [field], "message": message }])
}

fn graphql_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "errors": message }))).into_response()
}

async fn graphql(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let token = headers.get("x-shopify-access-token").and_then(|v| v.to_str().ok());
    if token != Some(shared.config.access_token.expose()) {
        return graphql_error(
            StatusCode::UNAUTHORIZED,
            "[API] Invalid API key or access token (unrecognized login or wrong password)",
        );
    }
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return graphql_error(StatusCode::BAD_REQUEST, "the body is not JSON");
    };
    let operation = request.get("operationName").and_then(Value::as_str).unwrap_or_default().to_owned();
    let variables = request.get("variables").cloned().unwrap_or(Value::Null);
    let now = shared.config.clock.elapsed();
    let mut book = lock(&shared);
    *book.calls.entry(operation.clone()).or_default() += 1;
    if book.fail_next > 0 {
        book.fail_next -= 1;
        return graphql_error(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable");
    }
    // The leaky bucket: refill for the time since the last request, then charge.
    let since = now.saturating_sub(book.refilled_at).as_secs_f64();
    book.available = (book.available + since * shared.config.restore_rate).min(shared.config.bucket_size);
    book.refilled_at = now;
    let requested = requested_cost(&operation, &variables);
    let status = |available: f64| ThrottleStatus {
        maximum_available: shared.config.bucket_size,
        currently_available: available,
        restore_rate: shared.config.restore_rate,
    };
    if requested > book.available {
        book.throttled += 1;
        let answer: GraphqlResponse<Value> = GraphqlResponse {
            data: None,
            errors: vec![GraphqlError {
                message: "Throttled".into(),
                extensions: Some(ErrorExtensions { code: Some("THROTTLED".into()) }),
            }],
            extensions: Some(Extensions {
                cost: Some(QueryCost {
                    requested_query_cost: requested,
                    actual_query_cost: None,
                    throttle_status: status(book.available),
                }),
            }),
        };
        return Json(answer).into_response();
    }
    let data = run(&mut book, &operation, &variables);
    let actual = match (&operation[..], &data) {
        ("RedressOrders", Ok(d)) => {
            2.0 + 4.0 * d.pointer("/orders/nodes").and_then(Value::as_array).map_or(0, Vec::len) as f64
        }
        _ => requested,
    };
    book.available -= actual;
    if let Some(lose) = book.lose_next.get_mut(&operation).filter(|n| **n > 0) {
        *lose -= 1;
        return graphql_error(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout");
    }
    let cost = QueryCost {
        requested_query_cost: requested,
        actual_query_cost: Some(actual),
        throttle_status: status(book.available),
    };
    match data {
        Ok(data) => Json(GraphqlResponse {
            data: Some(data),
            errors: Vec::new(),
            extensions: Some(Extensions { cost: Some(cost) }),
        })
        .into_response(),
        Err(message) => {
            let answer: GraphqlResponse<Value> = GraphqlResponse {
                data: None,
                errors: vec![GraphqlError { message, extensions: None }],
                extensions: Some(Extensions { cost: Some(cost) }),
            };
            Json(answer).into_response()
        }
    }
}

fn var<'a>(variables: &'a Value, name: &str) -> Option<&'a str> {
    variables.get(name).and_then(Value::as_str)
}

/// Runs one operation on the book: `Ok(data)` or `Err(a top-level GraphQL error)`.
fn run(book: &mut Book, operation: &str, variables: &Value) -> Result<Value, String> {
    let order_of = |book: &Book, id: Option<&str>| id.and_then(numeric_id).filter(|id| book.orders.contains_key(id));
    match operation {
        "RedressOrders" => {
            let first = variables.get("first").and_then(Value::as_u64).unwrap_or(10).clamp(1, 250) as usize;
            let after =
                var(variables, "after").and_then(|c| c.strip_prefix("cursor-")).and_then(|c| c.parse::<u64>().ok());
            let since = var(variables, "query")
                .and_then(|q| q.split_once(">='"))
                .and_then(|(_, rest)| rest.split('\'').next())
                .and_then(|at| OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok());
            let mut matching: Vec<&FakeOrder> =
                book.orders.values().filter(|o| since.is_none_or(|s| o.created_at >= s)).collect();
            matching.sort_by_key(|o| (o.created_at, o.id));
            let start = match after {
                Some(id) => matching.iter().position(|o| o.id == id).map_or(matching.len(), |p| p + 1),
                None => 0,
            };
            let page: Vec<&FakeOrder> = matching.iter().skip(start).take(first).copied().collect();
            let has_next = start + page.len() < matching.len();
            let nodes: Vec<GqlOrder> = page.iter().map(|o| gql_order(o)).collect();
            Ok(json!({ "orders": {
                "nodes": nodes,
                "pageInfo": { "hasNextPage": has_next, "endCursor": page.last().map(|o| format!("cursor-{}", o.id)) },
            } }))
        }
        "RedressOrder" => {
            let order = var(variables, "id").and_then(numeric_id).and_then(|id| book.orders.get(&id)).map(gql_order);
            Ok(json!({ "order": order }))
        }
        "RedressOrderMoney" => {
            let Some(order) = var(variables, "id").and_then(numeric_id).and_then(|id| book.orders.get(&id)) else {
                return Ok(json!({ "order": null }));
            };
            let refunds: Vec<Value> = order
                .refunds
                .iter()
                .map(|r| {
                    let nodes: Vec<Value> = r
                        .transactions
                        .iter()
                        .map(|t| json!({ "id": gid("OrderTransaction", *t), "status": "SUCCESS" }))
                        .collect();
                    json!({ "id": gid("Refund", r.id), "note": r.note, "createdAt": rfc3339(r.created_at), "transactions": { "nodes": nodes } })
                })
                .collect();
            let transactions: Vec<GqlTransaction> =
                order.transactions.iter().map(|t| gql_transaction(order, t)).collect();
            Ok(
                json!({ "order": { "id": order.gid(), "cancelledAt": order.cancelled_at.map(rfc3339), "refunds": refunds, "transactions": transactions } }),
            )
        }
        "RedressOrderUpdate" => {
            let input = variables.get("input").cloned().unwrap_or(Value::Null);
            let Some(id) = order_of(book, var(&input, "id")) else {
                return Ok(
                    json!({ "orderUpdate": { "order": null, "userErrors": user_error("id", "Order does not exist") } }),
                );
            };
            let a = input.get("shippingAddress").cloned().unwrap_or(Value::Null);
            let text = |k: &str| var(&a, k).map(str::to_owned).filter(|v| !v.is_empty());
            if let Some(order) = book.orders.get_mut(&id) {
                let name = [text("firstName"), text("lastName")].into_iter().flatten().collect::<Vec<_>>().join(" ");
                order.shipping = GqlAddress {
                    name: Some(name),
                    first_name: text("firstName"),
                    last_name: text("lastName"),
                    address1: text("address1"),
                    address2: text("address2"),
                    city: text("city"),
                    zip: text("zip"),
                    province_code: text("provinceCode").or_else(|| text("province")),
                    country_code_v2: text("countryCode"),
                };
            }
            Ok(json!({ "orderUpdate": { "order": { "id": gid("Order", id) }, "userErrors": [] } }))
        }
        "RedressOrderEditBegin" => {
            let Some(id) = order_of(book, var(variables, "id")) else {
                return Ok(
                    json!({ "orderEditBegin": { "calculatedOrder": null, "userErrors": user_error("id", "Order does not exist") } }),
                );
            };
            let lines: Vec<(u64, u64, u32, bool)> = book
                .orders
                .get(&id)
                .map(|o| o.lines.iter().map(|l| (l.id, l.variant_id, l.current_quantity, false)).collect())
                .unwrap_or_default();
            let edit_id = book.id();
            let nodes: Vec<Value> = lines
                .iter()
                .map(|(line, variant, quantity, _)| json!({ "id": gid("CalculatedLineItem", *line), "quantity": quantity, "variant": { "id": gid("ProductVariant", *variant) } }))
                .collect();
            book.edits.insert(edit_id, Edit { order_id: id, lines });
            Ok(
                json!({ "orderEditBegin": { "calculatedOrder": { "id": gid("CalculatedOrder", edit_id), "lineItems": { "nodes": nodes } }, "userErrors": [] } }),
            )
        }
        "RedressOrderEditSetQuantity" => {
            let edit = var(variables, "id").and_then(numeric_id);
            let line = var(variables, "lineItemId").and_then(numeric_id);
            let quantity = variables.get("quantity").and_then(Value::as_u64).and_then(|q| u32::try_from(q).ok());
            let found = edit
                .and_then(|e| book.edits.get_mut(&e))
                .zip(line)
                .and_then(|(edit, line)| edit.lines.iter_mut().find(|l| l.0 == line));
            match (found, quantity) {
                (Some(l), Some(q)) => {
                    l.2 = q;
                    Ok(
                        json!({ "orderEditSetQuantity": { "calculatedOrder": { "id": var(variables, "id") }, "userErrors": [] } }),
                    )
                }
                _ => Ok(
                    json!({ "orderEditSetQuantity": { "calculatedOrder": null, "userErrors": user_error("lineItemId", "The line item does not exist") } }),
                ),
            }
        }
        "RedressOrderEditAddVariant" => {
            let edit = var(variables, "id").and_then(numeric_id);
            let variant = var(variables, "variantId").and_then(numeric_id).filter(|v| book.variants.contains_key(v));
            let quantity = variables
                .get("quantity")
                .and_then(Value::as_u64)
                .and_then(|q| u32::try_from(q).ok())
                .filter(|q| *q > 0);
            let (Some(edit), Some(variant), Some(quantity)) =
                (edit.filter(|e| book.edits.contains_key(e)), variant, quantity)
            else {
                return Ok(
                    json!({ "orderEditAddVariant": { "calculatedLineItem": null, "userErrors": user_error("variantId", "The variant does not exist") } }),
                );
            };
            if book.edits.get(&edit).is_some_and(|e| e.lines.iter().any(|l| l.1 == variant)) {
                return Ok(
                    json!({ "orderEditAddVariant": { "calculatedLineItem": null, "userErrors": user_error("variantId", "The variant is already on the order") } }),
                );
            }
            let line = book.id();
            if let Some(e) = book.edits.get_mut(&edit) {
                e.lines.push((line, variant, quantity, true));
            }
            Ok(
                json!({ "orderEditAddVariant": { "calculatedLineItem": { "id": gid("CalculatedLineItem", line) }, "userErrors": [] } }),
            )
        }
        "RedressOrderEditCommit" => {
            let Some(edit) = var(variables, "id").and_then(numeric_id).and_then(|e| book.edits.remove(&e)) else {
                return Ok(
                    json!({ "orderEditCommit": { "order": null, "userErrors": user_error("id", "The edit does not exist") } }),
                );
            };
            let variants = book.variants.clone();
            let order = book.orders.get_mut(&edit.order_id).ok_or("the edited order is gone")?;
            for (line, variant, quantity, new) in edit.lines {
                if new {
                    let Some(v) = variants.get(&variant) else { continue };
                    order.lines.push(FakeLine {
                        id: line,
                        variant_id: variant,
                        sku: v.sku.clone(),
                        title: v.title.clone(),
                        options: v.options.clone(),
                        quantity,
                        current_quantity: quantity,
                        price: v.price.clone(),
                    });
                } else if let Some(l) = order.lines.iter_mut().find(|l| l.id == line) {
                    l.current_quantity = quantity;
                }
            }
            if let Some(note) = var(variables, "staffNote") {
                order.staff_notes.push(note.to_owned());
            }
            Ok(json!({ "orderEditCommit": { "order": { "id": order.gid() }, "userErrors": [] } }))
        }
        "RedressOrderCancel" => {
            let Some(id) = order_of(book, var(variables, "orderId")) else {
                return Ok(
                    json!({ "orderCancel": { "job": null, "orderCancelUserErrors": user_error("orderId", "Order does not exist") } }),
                );
            };
            let job = book.id();
            let order = book.orders.get_mut(&id).ok_or("the order is gone")?;
            if order.cancelled_at.is_some() {
                return Ok(
                    json!({ "orderCancel": { "job": null, "orderCancelUserErrors": [{ "field": ["orderId"], "message": "Order has already been cancelled", "code": "INVALID" }] } }),
                );
            }
            order.cancelled_at = Some(shop_clock());
            for line in &mut order.lines {
                line.current_quantity = 0;
            }
            if let Some(note) = var(variables, "staffNote") {
                order.staff_notes.push(note.to_owned());
            }
            Ok(json!({ "orderCancel": { "job": { "id": gid("Job", job) }, "orderCancelUserErrors": [] } }))
        }
        "RedressRefundCreate" => {
            let key = var(variables, "idempotencyKey").map(str::to_owned);
            if let Some(earlier) = key.as_ref().and_then(|k| book.idempotent.get(k)) {
                return Ok(earlier.clone());
            }
            let answer = refund_create(book, variables.get("input").unwrap_or(&Value::Null));
            if let Some(key) = key {
                book.idempotent.insert(key, answer.clone());
            }
            Ok(answer)
        }
        "RedressFulfillmentOrders" => {
            let order = var(variables, "id").and_then(numeric_id).and_then(|id| book.orders.get(&id));
            Ok(json!({ "order": order.map(|o| {
                let nodes: Vec<Value> = o.fulfillment_orders.iter().map(|fo| json!({
                    "id": gid("FulfillmentOrder", fo.id),
                    "status": fo.status,
                    "fulfillmentHolds": fo.holds.iter().map(|(id, handle)| json!({ "id": gid("FulfillmentHold", *id), "handle": handle })).collect::<Vec<_>>(),
                })).collect();
                json!({ "fulfillmentOrders": { "nodes": nodes } })
            }) }))
        }
        "RedressFulfillmentOrderHold" => {
            let handle =
                variables.pointer("/fulfillmentHold/handle").and_then(Value::as_str).unwrap_or_default().to_owned();
            let hold_id = book.id();
            let target = var(variables, "id").and_then(numeric_id);
            let fo =
                book.orders.values_mut().flat_map(|o| o.fulfillment_orders.iter_mut()).find(|fo| Some(fo.id) == target);
            let Some(fo) = fo else {
                return Ok(
                    json!({ "fulfillmentOrderHold": { "fulfillmentOrder": null, "userErrors": user_error("id", "Fulfillment order does not exist") } }),
                );
            };
            if !matches!(fo.status.as_str(), "OPEN" | "ON_HOLD" | "SCHEDULED") {
                return Ok(
                    json!({ "fulfillmentOrderHold": { "fulfillmentOrder": null, "userErrors": user_error("id", "The fulfillment order cannot be put on hold") } }),
                );
            }
            if fo.holds.iter().any(|(_, h)| *h == handle) {
                return Ok(
                    json!({ "fulfillmentOrderHold": { "fulfillmentOrder": null, "userErrors": user_error("fulfillmentHold.handle", "A hold with this handle already exists") } }),
                );
            }
            fo.holds.push((hold_id, handle));
            fo.status = "ON_HOLD".into();
            Ok(
                json!({ "fulfillmentOrderHold": { "fulfillmentOrder": { "id": gid("FulfillmentOrder", fo.id), "status": fo.status }, "userErrors": [] } }),
            )
        }
        "RedressFulfillmentOrderReleaseHold" => {
            let target = var(variables, "id").and_then(numeric_id);
            let holds: Vec<u64> = variables
                .get("holdIds")
                .and_then(Value::as_array)
                .map(|ids| ids.iter().filter_map(Value::as_str).filter_map(numeric_id).collect())
                .unwrap_or_default();
            let fo =
                book.orders.values_mut().flat_map(|o| o.fulfillment_orders.iter_mut()).find(|fo| Some(fo.id) == target);
            let Some(fo) = fo else {
                return Ok(
                    json!({ "fulfillmentOrderReleaseHold": { "fulfillmentOrder": null, "userErrors": user_error("id", "Fulfillment order does not exist") } }),
                );
            };
            fo.holds.retain(|(id, _)| !holds.contains(id));
            if fo.holds.is_empty() && fo.status == "ON_HOLD" {
                fo.status = "OPEN".into();
            }
            Ok(
                json!({ "fulfillmentOrderReleaseHold": { "fulfillmentOrder": { "id": gid("FulfillmentOrder", fo.id), "status": fo.status }, "userErrors": [] } }),
            )
        }
        other => Err(format!("the fake does not know the operation `{other}`")),
    }
}

/// `refundCreate` on the book: checks each transaction against what its parent has left.
fn refund_create(book: &mut Book, input: &Value) -> Value {
    let refused = |field: &str, message: &str| json!({ "refundCreate": { "refund": null, "userErrors": user_error(field, message) } });
    let Some(order_id) = var(input, "orderId").and_then(numeric_id).filter(|id| book.orders.contains_key(id)) else {
        return refused("orderId", "Order does not exist");
    };
    let mut planned = Vec::new();
    for t in input.get("transactions").and_then(Value::as_array).into_iter().flatten() {
        let Some(order) = book.orders.get(&order_id) else { return refused("orderId", "Order does not exist") };
        let Some(currency) = order.currency() else { return refused("orderId", "bad currency") };
        let Some(parent) = var(t, "parentId").and_then(numeric_id) else {
            return refused("transactions", "parentId is required");
        };
        let Some(amount) = var(t, "amount").and_then(|a| parse_amount(a, currency).ok()) else {
            return refused("transactions", "amount is not a decimal");
        };
        let Some(sale) = order.transactions.iter().find(|s| s.id == parent && s.kind == "SALE") else {
            return refused("transactions", "The parent transaction does not exist");
        };
        let sold = order.amount(&sale.amount).map_or(0, |m| m.amount_minor);
        let refunded: i64 = order
            .transactions
            .iter()
            .filter(|r| r.parent_id == Some(parent))
            .filter_map(|r| order.amount(&r.amount))
            .map(|m| m.amount_minor)
            .sum();
        if amount.amount_minor <= 0 || refunded + amount.amount_minor > sold {
            return refused("transactions", "Refund amount exceeds the refundable amount");
        }
        planned.push((parent, format_amount(&amount), sale.gateway.clone()));
    }
    let lines: Vec<(u64, u32)> = input
        .get("refundLineItems")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| {
            let id = var(l, "lineItemId").and_then(numeric_id)?;
            let quantity = l.get("quantity").and_then(Value::as_u64).and_then(|q| u32::try_from(q).ok())?;
            Some((id, quantity))
        })
        .collect();
    let refund_id = book.id();
    let mut ids = Vec::new();
    for _ in &planned {
        ids.push(book.id());
    }
    let Some(order) = book.orders.get_mut(&order_id) else { return refused("orderId", "Order does not exist") };
    for ((parent, amount, gateway), id) in planned.into_iter().zip(&ids) {
        order.transactions.push(FakeTransaction {
            id: *id,
            kind: "REFUND".into(),
            gateway,
            amount,
            parent_id: Some(parent),
        });
    }
    for (line, quantity) in &lines {
        if let Some(l) = order.lines.iter_mut().find(|l| l.id == *line) {
            l.current_quantity = l.current_quantity.saturating_sub(*quantity);
        }
    }
    order.refunds.push(FakeRefund {
        id: refund_id,
        note: var(input, "note").unwrap_or_default().to_owned(),
        lines,
        transactions: ids.clone(),
        created_at: shop_clock(),
    });
    let nodes: Vec<Value> =
        ids.iter().map(|t| json!({ "id": gid("OrderTransaction", *t), "status": "SUCCESS" })).collect();
    json!({ "refundCreate": { "refund": { "id": gid("Refund", refund_id), "transactions": { "nodes": nodes } }, "userErrors": [] } })
}

/// The fake's routes.
pub fn router(handle: &FakeShopifyHandle) -> Router {
    Router::new().route("/admin/api/{version}/graphql.json", post(graphql)).with_state(handle.shared.clone())
}

/// Starts the fake on a free loopback port.
pub async fn start(config: FakeShopifyConfig) -> std::io::Result<FakeShopify> {
    let available = config.bucket_size;
    let refilled_at = config.clock.elapsed();
    let shared = Arc::new(Shared {
        config,
        book: Mutex::new(Book {
            orders: BTreeMap::new(),
            variants: BTreeMap::new(),
            edits: HashMap::new(),
            idempotent: HashMap::new(),
            next_id: 1_000_000,
            next_number: 0,
            available,
            refilled_at,
            fail_next: 0,
            lose_next: HashMap::new(),
            throttled: 0,
            calls: BTreeMap::new(),
            deliveries: 0,
        }),
    });
    let handle = FakeShopifyHandle { shared };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = router(&handle);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the fake Shopify stopped");
        }
    });
    Ok(FakeShopify { base_url: format!("http://{addr}"), addr, handle })
}

/// The fake shop's own clock: like the real Shopify, it stamps changes with its time, not the
/// caller's.
#[allow(clippy::disallowed_methods)]
fn shop_clock() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}
