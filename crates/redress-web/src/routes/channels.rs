//! Channels over HTTP: the store's support addresses and messaging accounts, mail forwarded by
//! a provider's webhook as raw MIME (the same path as the SMTP receiver's), the outbox and dead
//! letters, and Meta's messaging webhook.

use axum::Json;
use axum::extract::Query;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use redress_app::channels::{
    self, DeadLetterItem, IdentityInput, MAX_EMAIL_BYTES, MailReceipt, OutboxItem, SupportAddresses,
};
use redress_app::mailboxes::{self, MailboxInput, MailboxStatus};
use redress_app::messaging::SubscriptionQuery;
use redress_app::messaging::{self, AccountRegistered, ChatReceipt, MessagingAccount};
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
        .routes(routes!(retry_dead_letter))
        .routes(routes!(add_messaging_account))
        .routes(routes!(link_identity))
        .routes(routes!(meta_challenge, meta_webhook))
        .routes(routes!(telegram_webhook))
        .routes(routes!(get_mailbox, put_mailbox))
}

/// The IMAP mailbox the store's mail is read from, and where the reading stands (an admin's
/// personal key); never its password.
#[utoipa::path(get, path = "/api/v1/settings/mailbox", tag = "channels", security(("store_key" = [])),
    responses((status = 200, body = MailboxStatus), (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No mailbox is read", body = ErrorBody)))]
async fn get_mailbox(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<MailboxStatus>, ApiError> {
    let status = mailboxes::mailbox(state.app(), &caller).await?;
    Ok(Json(status.ok_or_else(|| redress_app::AppError::not_found("mailbox"))?))
}

/// Reads the store's mail from an IMAP mailbox (`imaps://user:password@host/INBOX`), every
/// minute, from its first message; mail already received another way is recognised by its
/// Message-ID. The address is kept sealed and never shown again (an admin's personal key).
#[utoipa::path(put, path = "/api/v1/settings/mailbox", tag = "channels", request_body = MailboxInput,
    security(("store_key" = [])),
    responses((status = 200, body = MailboxStatus), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 503, description = "The server keeps no secrets (no --secrets-key)", body = ErrorBody)))]
async fn put_mailbox(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<MailboxInput>,
) -> Result<Json<MailboxStatus>, ApiError> {
    Ok(Json(mailboxes::set_mailbox(state.app(), &caller, input).await?))
}

/// Receives a messaging app account's messages and answers from it (an admin's personal key):
/// Meta's webhooks for this WhatsApp phone number id, Page id or Instagram account id, or a
/// Telegram bot's updates, open and continue this store's cases, and agents' answers go back
/// on the same app with the account's token (kept sealed, never shown again). A Telegram bot
/// gets its webhook address and secret token, shown once.
#[utoipa::path(post, path = "/api/v1/settings/messaging-accounts", tag = "channels", request_body = MessagingAccount,
    security(("store_key" = [])),
    responses((status = 201, description = "Received from now on", body = AccountRegistered), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "Another shop receives on this account", body = ErrorBody),
        (status = 503, description = "The server keeps no secrets (no --secrets-key), or Telegram refused the webhook", body = ErrorBody)))]
async fn add_messaging_account(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<MessagingAccount>,
) -> Result<(StatusCode, Json<AccountRegistered>), ApiError> {
    Ok((StatusCode::CREATED, Json(messaging::add_account(state.app(), &caller, input).await?)))
}

/// A Telegram bot's webhook, checked by the secret token Redress gave when the bot was
/// registered (`X-Telegram-Bot-Api-Secret-Token`): each private message continues its
/// sender's open case or opens one; an update delivered again changes nothing.
#[utoipa::path(post, path = "/api/v1/webhooks/telegram/{bot_id}", tag = "channels",
    params(("bot_id" = String, Path, description = "The bot's id"),
        ("X-Telegram-Bot-Api-Secret-Token" = String, Header, description = "The bot's webhook secret")),
    request_body(content = String, content_type = "application/json", description = "A Telegram update"),
    responses((status = 200, body = ChatReceipt), (status = 400, description = "Not a Telegram update", body = ErrorBody),
        (status = 401, description = "Unknown bot or wrong secret token", body = ErrorBody)))]
async fn telegram_webhook(
    State(state): State<AppState>,
    ApiPath(bot_id): ApiPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ChatReceipt>, ApiError> {
    let secret = headers.get("x-telegram-bot-api-secret-token").and_then(|v| v.to_str().ok());
    Ok(Json(messaging::receive_telegram_webhook(state.app(), &bot_id, secret, &body).await?))
}

/// Links an identity (an email address, a phone number, a WhatsApp, Messenger, Instagram or
/// Telegram id) to one of the store's customers: a message from it then continues the
/// customer's open case, whatever channel the case came on.
#[utoipa::path(post, path = "/api/v1/customers/{customer_id}/identities", tag = "channels", request_body = IdentityInput,
    params(("customer_id" = String, Path, description = "The customer's id")), security(("store_key" = [])),
    responses((status = 204, description = "Linked"), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, description = "No such customer in the store", body = ErrorBody),
        (status = 409, description = "The identity belongs to another customer", body = ErrorBody)))]
async fn link_identity(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(customer_id): ApiPath<String>,
    ApiJson(input): ApiJson<IdentityInput>,
) -> Result<StatusCode, ApiError> {
    channels::link_identity(state.app(), &caller, &customer_id, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Meta's subscription check: echoes `hub.challenge` when `hub.verify_token` is the
/// deployment's (`--meta-verify-token`).
#[utoipa::path(get, path = "/api/v1/webhooks/meta", tag = "channels",
    params(("hub.mode" = String, Query, description = "`subscribe`"),
        ("hub.verify_token" = String, Query, description = "The verify token"),
        ("hub.challenge" = String, Query, description = "The value to echo")),
    responses((status = 200, description = "The challenge", body = String, content_type = "text/plain"),
        (status = 400, body = ErrorBody), (status = 401, description = "Meta webhooks are not configured", body = ErrorBody),
        (status = 403, description = "Wrong verify token", body = ErrorBody)))]
async fn meta_challenge(
    State(state): State<AppState>,
    Query(query): Query<SubscriptionQuery>,
) -> Result<String, ApiError> {
    Ok(messaging::answer_meta_challenge(state.app(), &query)?)
}

/// Meta's webhook (WhatsApp Cloud API, Messenger, Instagram), checked by `X-Hub-Signature-256`
/// against the app secret: each customer message continues its sender's open case or opens
/// one; a message delivered again is recognised by its id and changes nothing. Answered after
/// everything is stored.
#[utoipa::path(post, path = "/api/v1/webhooks/meta", tag = "channels",
    params(("X-Hub-Signature-256" = String, Header, description = "Meta's signature of the body")),
    request_body(content = String, content_type = "application/json", description = "A Meta webhook delivery"),
    responses((status = 200, body = ChatReceipt), (status = 400, description = "Not a Meta delivery", body = ErrorBody),
        (status = 401, description = "No valid signature, or Meta webhooks not configured", body = ErrorBody)))]
async fn meta_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<ChatReceipt>, ApiError> {
    let signature = headers.get("x-hub-signature-256").and_then(|v| v.to_str().ok());
    Ok(Json(messaging::receive_meta_webhook(state.app(), signature, &body).await?))
}

/// The store's outbox, newest first (the last 200): every answer by email or on a messaging app
/// with where it stands.
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

/// Takes a dead letter in again, as if it had just arrived: it opens or continues a case, or,
/// refused again, stays a dead letter with the new reason (the old one goes either way).
#[utoipa::path(post, path = "/api/v1/dead-letters/{letter_id}/retry", tag = "channels",
    params(("letter_id" = String, Path, description = "The dead letter's id")), security(("store_key" = [])),
    responses((status = 200, description = "What became of the mail this time", body = MailReceipt),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No dead letter with this id", body = ErrorBody),
        (status = 409, description = "A letter with nothing to read again", body = ErrorBody)))]
async fn retry_dead_letter(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MailReceipt>, ApiError> {
    Ok(Json(channels::retry_dead_letter(state.app(), &caller, &id).await?))
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
