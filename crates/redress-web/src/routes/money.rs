//! Money on a case over HTTP: refunds (with a required `Idempotency-Key`), approvals by the
//! authenticated second person, "where is my refund", the ledger, store credit, transaction
//! checks and disputes with their evidence packs, and the payment provider's webhook.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_app::cases::case_id;
use redress_app::money::{
    self, CaseMoney, CheckInput, CheckResult, DisputeView, LedgerView, NewDispute, NewRefund, NewSpend, PostingsPage,
    ReconciliationReport, RefundView, SpendView, WebhookReceipt,
};
use redress_domain::dispute::{DisputeStatus, EvidencePack};
use redress_domain::ledger::Posting;
use redress_domain::refund::{CreditSpend, StoreCredit};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{KEY_DESCRIPTION, replayable};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, IdempotencyKey, OptionalJson};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(request_refund))
        .routes(routes!(get_refund))
        .routes(routes!(approve_refund))
        .routes(routes!(reject_refund))
        .routes(routes!(approvals))
        .routes(routes!(case_money))
        .routes(routes!(check_transactions))
        .routes(routes!(ledger))
        .routes(routes!(store_credit))
        .routes(routes!(spend_store_credit))
        .routes(routes!(credit_spends))
        .routes(routes!(ledger_postings))
        .routes(routes!(reconciliation))
        .routes(routes!(correct_posting))
        .routes(routes!(open_dispute, list_disputes))
        .routes(routes!(get_dispute))
        .routes(routes!(change_dispute))
        .routes(routes!(dispute_evidence))
        .routes(routes!(submit_evidence))
        .routes(routes!(stripe_webhook))
}

/// Asks for a refund on the case's order, as the caller (who can never approve it). The intent
/// is written first under the `Idempotency-Key`; within the approval limit it is carried out at
/// once, otherwise it waits for a second person. A payment provider slower than the answer
/// deadline gets `202` with the refund `sent`, finished in the background.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/refunds", tag = "money", request_body = NewRefund,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 201, description = "Written (and carried out when no approval is needed)", body = RefundView),
        (status = 202, description = "Written and sent; the provider has not answered yet", body = RefundView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "The case has no order", body = ErrorBody),
        (status = 422, description = "More than is refundable, or the key was used for another refund", body = ErrorBody)))]
async fn request_refund(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(input): ApiJson<NewRefund>,
) -> Result<Response, ApiError> {
    Ok(replayable(money::request_refund(state.app(), &caller, case_id(&id)?, input, &key).await?))
}

/// A refund, with where it is and when the customer can expect the money.
#[utoipa::path(get, path = "/api/v1/refunds/{refund_id}", tag = "money",
    params(("refund_id" = String, Path, description = "The refund's id")), security(("store_key" = [])),
    responses((status = 200, body = RefundView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_refund(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(refund_id): ApiPath<String>,
) -> Result<Json<RefundView>, ApiError> {
    Ok(Json(money::refund(state.app(), &caller, &refund_id).await?))
}

/// Approves a refund waiting for a second person, then carries it out. The approver is who is
/// authenticated (a team lead or admin, signed in or with their personal key), never a name in
/// the body; the person who asked cannot approve.
#[utoipa::path(post, path = "/api/v1/refunds/{refund_id}/approve", tag = "money",
    params(("refund_id" = String, Path, description = "The refund's id")), security(("store_key" = [])),
    responses((status = 200, body = RefundView),
        (status = 202, description = "Approved and sent; the payment provider has not answered yet", body = RefundView),
        (status = 401, body = ErrorBody),
        (status = 403, description = "An integration key, the requester's own request, or a role too low", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not waiting for approval", body = ErrorBody)))]
async fn approve_refund(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(refund_id): ApiPath<String>,
) -> Result<(StatusCode, Json<RefundView>), ApiError> {
    let view = money::approve_refund(state.app(), &caller, &refund_id).await?;
    let status = if money::awaiting_provider(&view.refund) { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, Json(view)))
}

/// An approver's rejection.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Why, for the timeline.
    pub note: String,
}

/// Rejects a refund waiting for a second person; the amount is free again. The rejecter is
/// who is authenticated, and not the person who asked.
#[utoipa::path(post, path = "/api/v1/refunds/{refund_id}/reject", tag = "money", request_body = Rejection,
    params(("refund_id" = String, Path, description = "The refund's id")), security(("store_key" = [])),
    responses((status = 200, body = RefundView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "An integration key, the requester's own request, or a role too low", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not waiting for approval", body = ErrorBody)))]
async fn reject_refund(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(refund_id): ApiPath<String>,
    ApiJson(input): ApiJson<Rejection>,
) -> Result<Json<RefundView>, ApiError> {
    Ok(Json(money::reject_refund(state.app(), &caller, &refund_id, input.note).await?))
}

/// The refunds waiting for a second person, oldest first.
#[utoipa::path(get, path = "/api/v1/approvals", tag = "money", security(("store_key" = [])),
    responses((status = 200, body = Vec<redress_domain::refund::Refund>), (status = 401, body = ErrorBody)))]
async fn approvals(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<redress_domain::refund::Refund>>, ApiError> {
    Ok(Json(money::approvals(state.app(), &caller).await?))
}

/// The money on a case's order: payments and what is refundable, refunds with their expected
/// dates, the ledger postings and balances, disputes.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/money", tag = "money",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = CaseMoney), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The case has no order", body = ErrorBody)))]
async fn case_money(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<CaseMoney>, ApiError> {
    Ok(Json(money::case_money(state.app(), &caller, case_id(&id)?).await?))
}

/// Compares the case's order with its payments and refunds: double charges, captures above the
/// order total, authorisations never captured, captured but shown unpaid, refunds late. The
/// findings go on the case's timeline. The body is optional.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/transaction-check", tag = "money",
    request_body(content = Option<CheckInput>, description = "Optional"),
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = CheckResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "The case has no order", body = ErrorBody)))]
async fn check_transactions(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    OptionalJson(input): OptionalJson<CheckInput>,
) -> Result<Json<CheckResult>, ApiError> {
    Ok(Json(money::check_transactions(state.app(), &caller, case_id(&id)?, input).await?))
}

/// The store's ledger balances per account and currency.
#[utoipa::path(get, path = "/api/v1/ledger", tag = "money", security(("store_key" = [])),
    responses((status = 200, body = LedgerView), (status = 401, body = ErrorBody)))]
async fn ledger(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> Result<Json<LedgerView>, ApiError> {
    Ok(Json(money::ledger(state.app(), &caller).await?))
}

/// Reconciles every payment's captured, refunded and reserved amounts with the ledger and the
/// refund intents, and lists the figures that disagree (none when the books are whole). The
/// same check runs from the command line: `redress reconcile`.
#[utoipa::path(get, path = "/api/v1/ledger/reconciliation", tag = "money", security(("store_key" = [])),
    responses((status = 200, body = ReconciliationReport), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn reconciliation(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<ReconciliationReport>, ApiError> {
    Ok(Json(money::reconcile(state.app(), &caller, |_| {}).await?))
}

/// A page of postings.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PostingsQuery {
    /// Page size, 1 to 500 (100 if absent).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// The store's ledger postings, oldest first, a page at a time: every movement with its legs,
/// links and cause.
#[utoipa::path(get, path = "/api/v1/ledger/postings", tag = "money", params(PostingsQuery), security(("store_key" = [])),
    responses((status = 200, body = PostingsPage), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn ledger_postings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<PostingsQuery>,
) -> Result<Json<PostingsPage>, ApiError> {
    Ok(Json(money::postings(state.app(), &caller, query.after.as_deref(), query.limit).await?))
}

/// A correction of a posting.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCorrection {
    /// Why the original is wrong, for the books and the case's timeline.
    pub reason: String,
}

/// Corrects a posting, as the caller (a team lead or admin): a new `correction` posting with
/// every leg of the original reversed. The original is never edited; a posting is corrected
/// once; one that moved store credit is refused.
#[utoipa::path(post, path = "/api/v1/ledger/postings/{posting_id}/corrections", tag = "money", request_body = NewCorrection,
    params(("posting_id" = String, Path, description = "The posting to correct")), security(("store_key" = [])),
    responses((status = 201, body = Posting), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already corrected, or it moved store credit", body = ErrorBody)))]
async fn correct_posting(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(posting_id): ApiPath<String>,
    ApiJson(input): ApiJson<NewCorrection>,
) -> Result<(StatusCode, Json<Posting>), ApiError> {
    Ok((StatusCode::CREATED, Json(money::correct_posting(state.app(), &caller, &posting_id, input.reason).await?)))
}

/// A customer's store credit, per currency.
#[utoipa::path(get, path = "/api/v1/customers/{customer_id}/store-credit", tag = "money",
    params(("customer_id" = String, Path, description = "The customer's id")), security(("store_key" = [])),
    responses((status = 200, body = Vec<StoreCredit>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn store_credit(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(customer_id): ApiPath<String>,
) -> Result<Json<Vec<StoreCredit>>, ApiError> {
    Ok(Json(money::store_credit(state.app(), &caller, &customer_id).await?))
}

/// Spends a customer's store credit (e.g. against a new order), as the caller: the balance goes
/// down, never below zero, even when two spends race for the last of it.
#[utoipa::path(post, path = "/api/v1/customers/{customer_id}/store-credit/spend", tag = "money", request_body = NewSpend,
    params(("customer_id" = String, Path, description = "The customer's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 201, body = SpendView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "More than the customer's credit (`insufficient_store_credit`), or the key was used for another spend", body = ErrorBody)))]
async fn spend_store_credit(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(customer_id): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(input): ApiJson<NewSpend>,
) -> Result<Response, ApiError> {
    Ok(replayable(money::spend_store_credit(state.app(), &caller, &customer_id, input, &key).await?))
}

/// A customer's store credit spends, oldest first.
#[utoipa::path(get, path = "/api/v1/customers/{customer_id}/store-credit/spends", tag = "money",
    params(("customer_id" = String, Path, description = "The customer's id")), security(("store_key" = [])),
    responses((status = 200, body = Vec<CreditSpend>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn credit_spends(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(customer_id): ApiPath<String>,
) -> Result<Json<Vec<CreditSpend>>, ApiError> {
    Ok(Json(money::credit_spends(state.app(), &caller, &customer_id).await?))
}

/// Records a dispute on the case's order; a chargeback is posted to the ledger. A dispute never
/// claims more than its payment captured.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/disputes", tag = "money", request_body = NewDispute,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 201, body = DisputeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Already recorded, or the case has no order", body = ErrorBody)))]
async fn open_dispute(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<NewDispute>,
) -> Result<(StatusCode, Json<DisputeView>), ApiError> {
    Ok((StatusCode::CREATED, Json(money::open_dispute(state.app(), &caller, case_id(&id)?, input).await?)))
}

/// The store's disputes, the one due soonest first.
#[utoipa::path(get, path = "/api/v1/disputes", tag = "money", security(("store_key" = [])),
    responses((status = 200, body = Vec<DisputeView>), (status = 401, body = ErrorBody)))]
async fn list_disputes(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<DisputeView>>, ApiError> {
    Ok(Json(money::disputes(state.app(), &caller).await?))
}

/// A dispute with the time left to answer.
#[utoipa::path(get, path = "/api/v1/disputes/{dispute_id}", tag = "money",
    params(("dispute_id" = String, Path, description = "The dispute's id")), security(("store_key" = [])),
    responses((status = 200, body = DisputeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_dispute(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(dispute_id): ApiPath<String>,
) -> Result<Json<DisputeView>, ApiError> {
    Ok(Json(money::dispute(state.app(), &caller, &dispute_id).await?))
}

/// A dispute's new status.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeStatusChange {
    /// The status as the provider reports it.
    pub status: DisputeStatus,
}

/// Moves a dispute on as the provider reports it; a won chargeback posts the money coming back.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute_id}/status", tag = "money", request_body = DisputeStatusChange,
    params(("dispute_id" = String, Path, description = "The dispute's id")), security(("store_key" = [])),
    responses((status = 200, body = DisputeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not a move the dispute can make", body = ErrorBody)))]
async fn change_dispute(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(dispute_id): ApiPath<String>,
    ApiJson(input): ApiJson<DisputeStatusChange>,
) -> Result<Json<DisputeView>, ApiError> {
    Ok(Json(money::change_dispute(state.app(), &caller, &dispute_id, input.status).await?))
}

/// How to export an evidence pack.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EvidenceQuery {
    /// `json` (Stripe's evidence field names, the default) or `document` (Markdown to read).
    #[param(inline)]
    pub format: Option<EvidenceFormat>,
    /// The refund policy version shown to the customer, e.g. `default@3`.
    pub policy_version: Option<String>,
}

/// An evidence pack's export format.
#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceFormat {
    /// Stripe's evidence field names, as JSON.
    Json,
    /// A readable Markdown document.
    Document,
}

/// Sends the evidence pack to the payment provider and records the dispute as under review.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute_id}/submit", tag = "money",
    params(("dispute_id" = String, Path, description = "The dispute's id"), EvidenceQuery), security(("store_key" = [])),
    responses((status = 200, body = DisputeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The dispute takes no evidence now", body = ErrorBody),
        (status = 422, description = "The provider refused the evidence (`provider_refused`)", body = ErrorBody),
        (status = 503, description = "The provider could not be reached; try again", body = ErrorBody)))]
async fn submit_evidence(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(dispute_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<EvidenceQuery>,
) -> Result<Json<DisputeView>, ApiError> {
    Ok(Json(money::submit_evidence(state.app(), &caller, &dispute_id, query.policy_version.as_deref()).await?))
}

/// The evidence pack for a dispute, assembled from the case's own record. As JSON in Stripe's
/// evidence field names, or as a readable document.
#[utoipa::path(get, path = "/api/v1/disputes/{dispute_id}/evidence", tag = "money",
    params(("dispute_id" = String, Path, description = "The dispute's id"), EvidenceQuery), security(("store_key" = [])),
    responses((status = 200, description = "The pack: JSON, or with `format=document` Markdown",
            content((EvidencePack = "application/json"), (String = "text/markdown"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn dispute_evidence(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(dispute_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<EvidenceQuery>,
) -> Result<Response, ApiError> {
    let (_, pack) = money::evidence_pack(state.app(), &caller, &dispute_id, query.policy_version.as_deref()).await?;
    Ok(match query.format.unwrap_or(EvidenceFormat::Json) {
        EvidenceFormat::Json => Json(pack).into_response(),
        EvidenceFormat::Document => ([(CONTENT_TYPE, "text/markdown; charset=utf-8")], pack.document()).into_response(),
    })
}

/// Stripe's webhook, checked by the `Stripe-Signature` header against the endpoint secret:
/// refund events settle the refund they name; dispute events record the dispute on the payment
/// they name. Other events are acknowledged and ignored.
#[utoipa::path(post, path = "/api/v1/webhooks/stripe", tag = "money",
    params(("Stripe-Signature" = String, Header, description = "Stripe's signature of the body")),
    request_body(content = String, content_type = "application/json", description = "A Stripe event"),
    responses((status = 200, body = WebhookReceipt), (status = 400, description = "Not a Stripe event", body = ErrorBody),
        (status = 401, description = "No valid signature, or no webhook secret configured", body = ErrorBody)))]
async fn stripe_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<WebhookReceipt>, ApiError> {
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    Ok(Json(money::stripe_webhook(state.app(), signature, &body).await?))
}
