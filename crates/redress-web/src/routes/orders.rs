//! Orders, as the shop's systems report them. Sending an order again with the same number
//! updates it; payments keep their ids by provider reference and shipments by position.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_domain::{
    Address, Currency, Customer, CustomerId, EmailAddress, LanguageTag, Money, Order, OrderId, OrderLine, Payment,
    PaymentId, PaymentStatus, Shipment, ShipmentId, ShipmentLine, ShipmentStatus, TimeStamp,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{new_id, path_id};
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upsert_order, list_orders)).routes(routes!(get_order))
}

/// The customer who placed an order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// Email address; identifies the customer within the store.
    pub email: String,
    /// Name as given at checkout.
    pub name: String,
    /// Preferred language (BCP 47), if known.
    #[serde(default)]
    pub language: Option<String>,
}

/// A payment on the order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// Payment provider, e.g. `stripe`.
    pub provider: String,
    /// The provider's id for the payment.
    pub provider_reference: String,
    /// Method, e.g. `card`, `blik`, `pix`.
    pub method: String,
    /// Amount authorised.
    pub authorized: Money,
    /// Amount captured.
    pub captured: Money,
    /// Amount refunded (zero if absent).
    #[serde(default)]
    pub refunded: Option<Money>,
    /// Status.
    pub status: PaymentStatus,
    /// When it was made (the order's time if absent).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub created_at: Option<OffsetDateTime>,
}

/// A parcel of the order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentInput {
    /// Carrier, e.g. `dhl`.
    pub carrier: String,
    /// Tracking number, once there is one.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// What is in the parcel.
    pub lines: Vec<ShipmentLine>,
    /// Where it is.
    pub status: ShipmentStatus,
    /// When each status was reached.
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, String>)]
    pub status_times: BTreeMap<ShipmentStatus, TimeStamp>,
}

/// An order as the shop's systems report it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The shop's order number.
    pub number: String,
    /// Who placed it.
    pub customer: CustomerInput,
    /// Currency of every amount.
    pub currency: Currency,
    /// What was ordered.
    pub lines: Vec<OrderLine>,
    /// Where it goes.
    pub shipping_address: Address,
    /// Who pays; the shipping address if absent.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// Payments.
    #[serde(default)]
    pub payments: Vec<PaymentInput>,
    /// Parcels.
    #[serde(default)]
    pub shipments: Vec<ShipmentInput>,
    /// When it was placed.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub placed_at: OffsetDateTime,
}

/// Stores or updates an order by its number (201 when new, 200 when updated).
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderInput,
    security(("store_key" = [])),
    responses((status = 201, body = Order), (status = 200, body = Order), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn upsert_order(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let email =
        EmailAddress::parse(&input.customer.email).map_err(|e| ApiError::invalid("customer.email", e.problem))?;
    let language = input
        .customer
        .language
        .as_deref()
        .map(LanguageTag::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("customer.language", e.problem))?;
    if input.customer.name.trim().is_empty() {
        return Err(ApiError::invalid("customer.name", "the customer's name is missing"));
    }
    let customer = Customer {
        id: new_id(CustomerId::from_uuid),
        store_id: caller.store_id,
        email,
        name: input.customer.name.trim().to_owned(),
        language,
    };
    // Fresh ids; storage keeps the stored ones when the order is already known.
    let order = Order {
        id: new_id(OrderId::from_uuid),
        store_id: caller.store_id,
        number: input.number.trim().to_owned(),
        customer_id: customer.id,
        currency: input.currency,
        lines: input.lines,
        billing_address: input.billing_address.unwrap_or_else(|| input.shipping_address.clone()),
        shipping_address: input.shipping_address,
        payments: input
            .payments
            .into_iter()
            .map(|p| Payment {
                id: new_id(PaymentId::from_uuid),
                refunded: p.refunded.unwrap_or(Money::zero(p.authorized.currency)),
                created_at: p.created_at.unwrap_or(input.placed_at),
                provider: p.provider,
                provider_reference: p.provider_reference,
                method: p.method,
                authorized: p.authorized,
                captured: p.captured,
                status: p.status,
            })
            .collect(),
        shipments: input
            .shipments
            .into_iter()
            .map(|s| Shipment {
                id: new_id(ShipmentId::from_uuid),
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                lines: s.lines,
                status: s.status,
                status_times: s.status_times,
            })
            .collect(),
        placed_at: input.placed_at,
    };
    order.validate()?;
    let (order, created) = state.storage().upsert_order(&customer, &order).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(order)))
}

/// Which orders to list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OrderQuery {
    /// Orders of the customer with this email.
    pub customer_email: Option<String>,
    /// The order with this number.
    pub number: Option<String>,
}

/// A list of orders.
#[derive(Serialize, ToSchema)]
pub struct OrderList {
    /// The orders, newest first.
    pub orders: Vec<Order>,
}

/// Orders of a customer (by email) or by number.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderQuery), security(("store_key" = [])),
    responses((status = 200, body = OrderList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_orders(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiQuery(query): ApiQuery<OrderQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let storage = state.storage();
    let orders = match (query.customer_email, query.number) {
        (_, Some(number)) => storage.order_by_number(caller.store_id, number.trim()).await?.into_iter().collect(),
        (Some(email), None) => {
            let email = EmailAddress::parse(&email).map_err(|e| ApiError::invalid("customer_email", e.problem))?;
            match storage.customer_by_email(caller.store_id, &email).await? {
                Some(customer) => storage.orders_of_customer(caller.store_id, customer.id).await?,
                None => Vec::new(),
            }
        }
        (None, None) => return Err(ApiError::invalid("customer_email", "give customer_email or number")),
    };
    Ok(Json(OrderList { orders }))
}

/// One order.
#[utoipa::path(get, path = "/api/v1/orders/{order_id}", tag = "orders",
    params(("order_id" = String, Path, description = "The order's id")), security(("store_key" = [])),
    responses((status = 200, body = Order), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_order(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(order_id): Path<String>,
) -> Result<Json<Order>, ApiError> {
    let order_id: OrderId = path_id(&order_id, "order")?;
    Ok(Json(state.storage().order(caller.store_id, order_id).await?))
}
