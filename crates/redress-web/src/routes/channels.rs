//! Channels over HTTP: the store's support addresses, and mail forwarded by a provider's
//! webhook as raw MIME (the same path as the SMTP receiver's).

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use redress_app::channels::{self, DeadLetterItem, MAX_EMAIL_BYTES, MailReceipt, OutboxItem, SupportAddresses};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, RawMail};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_support_addresses, put_support_addresses))
        .routes(routes!(inbound_email).layer(DefaultBodyLimit::max(MAX_EMAIL_BYTES)))
        .routes(routes!(list_outbox))
        .routes(routes!(retry_outbox))
        .routes(routes!(list_dead_letters))
}

/// The store's outbox, newest first (the last 200): every email answer with where it stands.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "channels", security(("store_key" = [])),
    responses((status = 200, body = Vec<OutboxItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_outbox(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<OutboxItem>>, ApiError> {
    Ok(Json(channels::outbox(state.app(), &caller).await?))
}

/// Sends a dead outbox entry again (same Message-ID), its attempts counted from zero.
#[utoipa::path(post, path = "/api/v1/outbox/{entry_id}/retry", tag = "channels",
    params(("entry_id" = String, Path, description = "The outbox entry's id")), security(("store_key" = [])),
    responses((status = 204, description = "Queued to be sent now"), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "No dead entry with this id", body = ErrorBody)))]
async fn retry_outbox(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    channels::retry_outbox(state.app(), &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The store's dead letters, newest first (the last 200): received messages that could not be
/// read or stored, with the reason (the raw message is kept).
#[utoipa::path(get, path = "/api/v1/dead-letters", tag = "channels", security(("store_key" = [])),
    responses((status = 200, body = Vec<DeadLetterItem>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_dead_letters(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<DeadLetterItem>>, ApiError> {
    Ok(Json(channels::dead_letters(state.app(), &caller).await?))
}

/// The addresses the store takes mail at.
#[utoipa::path(get, path = "/api/v1/settings/support-addresses", tag = "channels", security(("store_key" = [])),
    responses((status = 200, body = SupportAddresses), (status = 401, body = ErrorBody)))]
async fn get_support_addresses(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<SupportAddresses>, ApiError> {
    Ok(Json(channels::support_addresses(state.app(), &caller).await?))
}

/// Replaces the addresses the store takes mail at (an admin's personal key). Mail to them, with
/// or without a `+<case number>` tag, is received by `--smtp-listen`; the first is the address
/// answers are sent from.
#[utoipa::path(put, path = "/api/v1/settings/support-addresses", tag = "channels", request_body = SupportAddresses,
    security(("store_key" = [])),
    responses((status = 200, body = SupportAddresses), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "Another shop takes mail at one of the addresses", body = ErrorBody)))]
async fn put_support_addresses(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<SupportAddresses>,
) -> Result<Json<SupportAddresses>, ApiError> {
    Ok(Json(channels::set_support_addresses(state.app(), &caller, input).await?))
}

/// A mail received by a provider and forwarded as raw MIME (RFC 5322 bytes, up to 25 MiB). It
/// continues the case it answers (by its threading headers, else its case token), or opens one
/// read by understanding; machines' mail (auto-replies, bounces, lists) is recorded and nothing
/// else; the same Message-ID posted again changes nothing (`duplicate`); a mail that cannot be
/// read is kept as a dead letter with the reason.
#[utoipa::path(post, path = "/api/v1/inbound/email", tag = "channels",
    request_body(content = String, content_type = "message/rfc822", description = "The raw mail"),
    security(("store_key" = [])),
    responses((status = 200, body = MailReceipt), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, description = "The mail is larger than 25 MiB", body = ErrorBody)))]
async fn inbound_email(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    RawMail(raw): RawMail,
) -> Result<Json<MailReceipt>, ApiError> {
    Ok(Json(channels::receive_email(state.app(), &caller, &raw, false).await?))
}
