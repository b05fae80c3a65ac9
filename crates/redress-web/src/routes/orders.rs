//! Orders over HTTP, as the shop's systems report them.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::orders::{self, OrderInput, OrderList, OrderQuery};
use redress_domain::Order;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upsert_order, list_orders)).routes(routes!(get_order))
}

/// Stores or updates an order by its number (201 when new, 200 when updated). Its payments
/// enter the books at once.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = OrderInput,
    security(("store_key" = [])),
    responses((status = 201, body = Order), (status = 200, body = Order), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn upsert_order(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<OrderInput>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let reported = orders::report(state.app(), &caller, input).await?;
    Ok((if reported.created { StatusCode::CREATED } else { StatusCode::OK }, Json(reported.order)))
}

/// Which orders to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrderListQuery {
    /// Orders of the customer with this email.
    pub customer_email: Option<String>,
    /// The order with this number.
    pub number: Option<String>,
    /// Comma-separated stages: `not_packed`, `packed`, `with_carrier`, `delivered`, `cancelled`.
    pub stage: Option<String>,
    /// Orders with a parcel in this status, e.g. `in_transit` or `lost`.
    pub shipment_status: Option<String>,
    /// Placed at or after this time (RFC 3339).
    pub placed_from: Option<String>,
    /// Placed before this time (RFC 3339).
    pub placed_before: Option<String>,
    /// Page size, 1 to 200 (50 if absent).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// The store's orders, newest placed first: filter by customer, number, stage, parcel status
/// and placing time (filters combine), a page at a time.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(OrderListQuery), security(("store_key" = [])),
    responses((status = 200, body = OrderList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn list_orders(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<OrderListQuery>,
) -> Result<Json<OrderList>, ApiError> {
    let query = OrderQuery {
        customer_email: query.customer_email,
        number: query.number,
        stage: query.stage,
        shipment_status: query.shipment_status,
        placed_from: query.placed_from,
        placed_before: query.placed_before,
        limit: query.limit,
        cursor: query.cursor,
    };
    Ok(Json(orders::list(state.app(), &caller, query).await?))
}

/// One order.
#[utoipa::path(get, path = "/api/v1/orders/{order_id}", tag = "orders",
    params(("order_id" = String, Path, description = "The order's id")), security(("store_key" = [])),
    responses((status = 200, body = Order), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_order(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(order_id): ApiPath<String>,
) -> Result<Json<Order>, ApiError> {
    Ok(Json(orders::order(state.app(), &caller, &order_id).await?))
}
