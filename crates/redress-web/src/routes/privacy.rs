//! Customers' personal data over HTTP: find a customer by email, export everything held about
//! them, erase it.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use redress_app::privacy::{self, CustomerExport, ErasureOutcome};
use redress_domain::Customer;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{KEY_DESCRIPTION, replayable};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, IdempotencyKey};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(customer_by_email)).routes(routes!(export)).routes(routes!(erase))
}

/// Which customer to find.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CustomerQuery {
    /// The customer's email address.
    #[param(max_length = 320)]
    pub email: String,
}

/// The customer with this email address (an admin's or an integration key): the way to a
/// customer's export or erasure when only their address is known.
#[utoipa::path(get, path = "/api/v1/customers", tag = "privacy", params(CustomerQuery), security(("store_key" = [])),
    responses((status = 200, body = Customer), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn customer_by_email(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<CustomerQuery>,
) -> Result<Json<Customer>, ApiError> {
    Ok(Json(privacy::customer_by_email(state.app(), &caller, &query.email).await?))
}

/// Everything the store holds about a customer, as one JSON document (an admin's or an
/// integration key): the record, contact identities, orders, cases with messages, timelines and
/// photos' metadata, returns, refunds, store credit, surveys and the assistant's conversations.
/// At most the 200 newest cases and orders; `truncated` says when there are more.
#[utoipa::path(get, path = "/api/v1/customers/{customer_id}/export", tag = "privacy",
    params(("customer_id" = String, Path, description = "The customer's id")), security(("store_key" = [])),
    responses((status = 200, body = CustomerExport), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn export(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(customer_id): ApiPath<String>,
) -> Result<Json<CustomerExport>, ApiError> {
    Ok(Json(privacy::export(state.app(), &caller, &customer_id).await?))
}

/// Erases a customer's personal data (an admin's key alone): name, email, addresses, message
/// texts and subjects, notes, photos, raw received mail and chats, contact identities. Amounts,
/// the books, refunds and case kinds and outcomes stay; each erased case's timeline records
/// it. Refused with `409 erasure_blocked`, changing nothing, while a refund is in flight or a
/// dispute is open. Erasing again changes nothing more.
#[utoipa::path(post, path = "/api/v1/customers/{customer_id}/erasure", tag = "privacy",
    params(("customer_id" = String, Path, description = "The customer's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 200, body = ErasureOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "A refund in flight or an open dispute", body = ErrorBody),
        (status = 422, description = "The key was used for another request", body = ErrorBody)))]
async fn erase(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(customer_id): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<Response, ApiError> {
    Ok(replayable(privacy::erase(state.app(), &caller, &customer_id, &key).await?))
}
