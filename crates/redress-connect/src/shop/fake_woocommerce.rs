//! A local fake of WooCommerce's REST API v3 for tests and `redress demo`: `GET /orders` with
//! `page`, `per_page`, `after` and the `X-WP-Total`/`X-WP-TotalPages` headers, `GET`/`PUT
//! /orders/{id}` (shipping, line quantities, status), `GET`/`POST /orders/{id}/refunds`, basic
//! auth with the consumer key and secret, and signed webhooks sent to any URL.
//!
//! Orders are kept in WooCommerce's own shape ([`WooOrder`]), so what the fake serves is what
//! the client parses. [`start`] binds `127.0.0.1:0`; the [`FakeWooHandle`] seeds orders, scripts
//! failures (before doing anything, or after, as when an answer is lost) and inspects state.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use redress_domain::{Currency, Money};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Secret;
use super::amount::{format_amount, parse_amount};
use super::woocommerce::{
    self, Topic, WooAddress, WooLineItem, WooMeta, WooOrder, WooRefund, WooRefundSummary, basic_credentials,
};

/// How the fake is set up.
#[derive(Clone, Debug)]
pub struct FakeWooConfig {
    /// `ck_…` it accepts.
    pub consumer_key: Secret,
    /// `cs_…` it accepts.
    pub consumer_secret: Secret,
    /// The secret its webhooks are signed with.
    pub webhook_secret: Secret,
}

struct Book {
    orders: BTreeMap<u64, WooOrder>,
    refunds: HashMap<u64, Vec<WooRefund>>,
    next_id: u64,
    fail_next: u32,
    lose_next: u32,
    deliveries: u64,
    requests: u64,
}

struct Shared {
    config: FakeWooConfig,
    book: Mutex<Book>,
}

/// The fake's state, to seed and inspect.
#[derive(Clone)]
pub struct FakeWooHandle {
    shared: Arc<Shared>,
}

/// A running fake.
pub struct FakeWooCommerce {
    /// `http://127.0.0.1:{port}`: the client's base URL.
    pub base_url: String,
    /// Its address.
    pub addr: SocketAddr,
    /// Its state.
    pub handle: FakeWooHandle,
}

/// A webhook the fake sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// `X-WC-Webhook-Delivery-ID`.
    pub delivery_id: String,
    /// The topic.
    pub topic: String,
    /// The exact body.
    pub body: Vec<u8>,
    /// The receiver's answer.
    pub status: u16,
}

fn lock(shared: &Shared) -> MutexGuard<'_, Book> {
    shared.book.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn woo_date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    at.to_offset(time::UtcOffset::UTC).format(&format).unwrap_or_default()
}

/// The `n`th demo order: paid by card, a tee in a size (as a variation) to Jakarta, in EUR.
pub fn sample_order(n: u32, created_at: OffsetDateTime) -> WooOrder {
    let sizes = ["S", "M", "L"];
    let size = sizes[n as usize % sizes.len()];
    let quantity = 1 + n % 2;
    let subtotal = format!("{}.00", 25 * quantity);
    let address = WooAddress {
        first_name: "Budi".into(),
        last_name: format!("Santoso {n}"),
        company: String::new(),
        address_1: format!("Jl. Sudirman {n}"),
        address_2: String::new(),
        city: "Jakarta".into(),
        state: "JK".into(),
        postcode: "10220".into(),
        country: "ID".into(),
        email: None,
    };
    WooOrder {
        id: 0,
        number: None,
        status: "processing".into(),
        currency: "EUR".into(),
        date_created_gmt: Some(woo_date(created_at)),
        date_modified_gmt: Some(woo_date(created_at)),
        date_paid_gmt: Some(woo_date(created_at)),
        total: subtotal.clone(),
        billing: WooAddress { email: Some(format!("budi{n}@example.com")), ..address.clone() },
        shipping: address,
        payment_method: Some("stripe".into()),
        transaction_id: Some(format!("ch_woo_{n}")),
        line_items: vec![WooLineItem {
            id: 0,
            name: "Batik shirt".into(),
            product_id: 50,
            variation_id: 51 + u64::from(n % 3),
            quantity,
            subtotal: subtotal.clone(),
            total: subtotal,
            sku: Some(format!("BATIK-{size}")),
            meta_data: vec![WooMeta {
                key: "pa_size".into(),
                value: json!(size.to_lowercase()),
                display_key: Some("Size".into()),
                display_value: Some(json!(size)),
            }],
        }],
        refunds: Vec::new(),
        meta_data: Vec::new(),
    }
}

impl FakeWooHandle {
    fn book(&self) -> MutexGuard<'_, Book> {
        lock(&self.shared)
    }

    /// Adds an order (its id, number and line ids are assigned); returns its id.
    pub fn add_order(&self, mut order: WooOrder) -> u64 {
        let mut book = self.book();
        book.next_id += 1;
        let id = book.next_id;
        order.id = id;
        order.number = Some(id.to_string());
        for line in &mut order.line_items {
            book.next_id += 1;
            line.id = book.next_id;
        }
        book.orders.insert(id, order);
        id
    }

    /// An order.
    pub fn order(&self, id: u64) -> Option<WooOrder> {
        self.book().orders.get(&id).cloned()
    }

    /// An order's refunds.
    pub fn refunds(&self, id: u64) -> Vec<WooRefund> {
        self.book().refunds.get(&id).cloned().unwrap_or_default()
    }

    /// Marks an order shipped with the Shipment Tracking extension's meta data.
    pub fn ship(&self, id: u64, carrier: &str, tracking: &str) {
        if let Some(order) = self.book().orders.get_mut(&id) {
            order.status = "completed".into();
            order.meta_data.push(WooMeta {
                key: "_wc_shipment_tracking_items".into(),
                value: json!([{ "tracking_provider": carrier, "tracking_number": tracking, "tracking_id": format!("t{id}") }]),
                display_key: None,
                display_value: None,
            });
        }
    }

    /// The next `n` requests fail with 503 before anything is done.
    pub fn fail_next(&self, n: u32) {
        self.book().fail_next = n;
    }

    /// The next `n` writes are carried out and then answered 504.
    pub fn lose_next(&self, n: u32) {
        self.book().lose_next = n;
    }

    /// Requests received.
    pub fn requests(&self) -> u64 {
        self.book().requests
    }

    /// Sends a webhook for `topic` about order `id` to `url`, signed with the webhook secret.
    pub async fn send_webhook(&self, url: &str, topic: &Topic, id: u64) -> Result<Delivery, String> {
        let (body, delivery_id) = {
            let mut book = self.book();
            let body = match topic {
                Topic::OrderDeleted => serde_json::to_vec(&json!({ "id": id })),
                _ => serde_json::to_vec(book.orders.get(&id).ok_or_else(|| format!("no order {id}"))?),
            }
            .map_err(|e| e.to_string())?;
            book.deliveries += 1;
            (body, book.deliveries.to_string())
        };
        let mut delivery = Delivery { delivery_id, topic: topic.as_str().to_owned(), body, status: 0 };
        delivery.status = self.deliver(url, &delivery).await?;
        Ok(delivery)
    }

    /// Sends a delivery again, same id and body.
    pub async fn deliver(&self, url: &str, delivery: &Delivery) -> Result<u16, String> {
        let signature = woocommerce::sign_webhook(&self.shared.config.webhook_secret, &delivery.body);
        let response = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header(woocommerce::SIGNATURE_HEADER, signature)
            .header(woocommerce::TOPIC_HEADER, &delivery.topic)
            .header(woocommerce::DELIVERY_ID_HEADER, &delivery.delivery_id)
            .header(woocommerce::WEBHOOK_ID_HEADER, "1")
            .header(woocommerce::SOURCE_HEADER, "https://fake-woo.example/")
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|e| e.to_string())?;
        Ok(response.status().as_u16())
    }
}

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "code": code, "message": message, "data": { "status": status.as_u16() } }))).into_response()
}

/// Checks the credentials and the scripted failures: `Some` is the answer to give instead.
fn refused(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    let credentials = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(basic_credentials);
    let expected = (shared.config.consumer_key.expose(), shared.config.consumer_secret.expose());
    if credentials.as_ref().map(|(k, s)| (k.as_str(), s.as_str())) != Some(expected) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot list resources.",
        ));
    }
    let mut book = lock(shared);
    book.requests += 1;
    if book.fail_next > 0 {
        book.fail_next -= 1;
        return Some(error(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "Service Unavailable"));
    }
    None
}

/// After a write: the scripted lost answer, or the answer.
fn answer(shared: &Shared, status: StatusCode, body: Value) -> Response {
    let mut book = lock(shared);
    if book.lose_next > 0 {
        book.lose_next -= 1;
        return error(StatusCode::GATEWAY_TIMEOUT, "timeout", "Gateway Timeout");
    }
    (status, Json(body)).into_response()
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
}

async fn list_orders(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let page = query.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).max(1);
    let per_page = query.get("per_page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(10).clamp(1, 100);
    let after = query
        .get("after")
        .and_then(|a| OffsetDateTime::parse(a, &time::format_description::well_known::Rfc3339).ok())
        .map(woo_date);
    let book = lock(&shared);
    let matching: Vec<&WooOrder> = book
        .orders
        .values()
        .filter(|o| after.as_ref().is_none_or(|a| o.date_created_gmt.as_ref().is_some_and(|c| c > a)))
        .collect();
    let total = matching.len();
    let pages = total.div_ceil(per_page);
    let slice: Vec<&WooOrder> = matching.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let mut response = Json(json!(slice)).into_response();
    let headers = response.headers_mut();
    for (name, value) in [("x-wp-total", total), ("x-wp-totalpages", pages)] {
        if let Ok(value) = value.to_string().parse() {
            headers.insert(name, value);
        }
    }
    response
}

async fn get_order(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    match lock(&shared).orders.get(&id) {
        Some(order) => Json(order).into_response(),
        None => not_found(),
    }
}

async fn update_order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let updated = {
        let mut book = lock(&shared);
        let Some(order) = book.orders.get_mut(&id) else { return not_found() };
        if let Some(shipping) = body.get("shipping") {
            match serde_json::from_value::<WooAddress>(shipping.clone()) {
                Ok(address) => order.shipping = address,
                Err(e) => return error(StatusCode::BAD_REQUEST, "rest_invalid_param", &e.to_string()),
            }
        }
        if let Some(status) = body.get("status").and_then(Value::as_str) {
            order.status = status.to_owned();
        }
        for item in body.get("line_items").and_then(Value::as_array).into_iter().flatten() {
            let Some(line) =
                item.get("id").and_then(Value::as_u64).and_then(|l| order.line_items.iter_mut().find(|x| x.id == l))
            else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "woocommerce_rest_invalid_item_id",
                    "Order item ID provided is not associated with order.",
                );
            };
            if let Some(q) = item.get("quantity").and_then(Value::as_u64).and_then(|q| u32::try_from(q).ok()) {
                line.quantity = q;
            }
            if let Some(s) = item.get("subtotal").and_then(Value::as_str) {
                line.subtotal = s.to_owned();
            }
            if let Some(t) = item.get("total").and_then(Value::as_str) {
                line.total = t.to_owned();
            }
        }
        order.clone()
    };
    answer(&shared, StatusCode::OK, json!(updated))
}

async fn list_refunds(State(shared): State<Arc<Shared>>, headers: HeaderMap, Path(id): Path<u64>) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let book = lock(&shared);
    if !book.orders.contains_key(&id) {
        return not_found();
    }
    Json(json!(book.refunds.get(&id).cloned().unwrap_or_default())).into_response()
}

async fn create_refund(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refusal) = refused(&shared, &headers) {
        return refusal;
    }
    let refund = {
        let mut book = lock(&shared);
        book.next_id += 1;
        let refund_id = book.next_id;
        let Some(order) = book.orders.get_mut(&id) else { return not_found() };
        let Ok(currency) = Currency::from_code(&order.currency) else {
            return error(StatusCode::INTERNAL_SERVER_ERROR, "bad_currency", "bad currency");
        };
        let Some(amount) = body.get("amount").and_then(Value::as_str).and_then(|a| parse_amount(a, currency).ok())
        else {
            return error(StatusCode::BAD_REQUEST, "rest_invalid_param", "Invalid parameter(s): amount");
        };
        let total = parse_amount(&order.total, currency).map_or(0, |m| m.amount_minor);
        let refunded: i64 = order
            .refunds
            .iter()
            .filter_map(|r| parse_amount(&r.total, currency).ok())
            .map(|m| m.amount_minor.saturating_abs())
            .sum();
        if amount.amount_minor <= 0 || refunded + amount.amount_minor > total {
            return error(
                StatusCode::BAD_REQUEST,
                "woocommerce_rest_cannot_create_order_refund",
                "Invalid refund amount.",
            );
        }
        let reason = body.get("reason").and_then(Value::as_str).unwrap_or_default().to_owned();
        let meta_data: Vec<WooMeta> = body
            .get("meta_data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| {
                Some(WooMeta {
                    key: m.get("key")?.as_str()?.to_owned(),
                    value: m.get("value").cloned().unwrap_or(Value::Null),
                    display_key: None,
                    display_value: None,
                })
            })
            .collect();
        order.refunds.push(WooRefundSummary {
            id: refund_id,
            reason: reason.clone(),
            total: format_amount(&Money::new(-amount.amount_minor, currency)),
        });
        if refunded + amount.amount_minor == total {
            order.status = "refunded".into();
        }
        let refund = WooRefund {
            id: refund_id,
            amount: format_amount(&amount),
            reason,
            refunded_payment: body.get("api_refund").and_then(Value::as_bool).unwrap_or(true),
            meta_data,
        };
        book.refunds.entry(id).or_default().push(refund.clone());
        refund
    };
    answer(&shared, StatusCode::CREATED, json!(refund))
}

/// The fake's routes.
pub fn router(handle: &FakeWooHandle) -> Router {
    Router::new()
        .route("/wp-json/wc/v3/orders", get(list_orders))
        .route("/wp-json/wc/v3/orders/{id}", get(get_order).put(update_order))
        .route("/wp-json/wc/v3/orders/{id}/refunds", get(list_refunds).post(create_refund))
        .with_state(handle.shared.clone())
}

/// Starts the fake on a free loopback port.
pub async fn start(config: FakeWooConfig) -> std::io::Result<FakeWooCommerce> {
    let shared = Arc::new(Shared {
        config,
        book: Mutex::new(Book {
            orders: BTreeMap::new(),
            refunds: HashMap::new(),
            next_id: 700,
            fail_next: 0,
            lose_next: 0,
            deliveries: 0,
            requests: 0,
        }),
    });
    let handle = FakeWooHandle { shared };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = router(&handle);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the fake WooCommerce stopped");
        }
    });
    Ok(FakeWooCommerce { base_url: format!("http://{addr}"), addr, handle })
}
