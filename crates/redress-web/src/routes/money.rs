//! Money on a case: refunds (with an `Idempotency-Key`), approvals, "where is my refund",
//! the ledger, store credit, transaction checks and disputes with their evidence packs.
//!
//! A refund request writes the intent first; if it needs no second person it is carried out at
//! once through the payment provider. Retrying the request with the same key answers with the
//! same intent (200 instead of 201) and never refunds twice.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_domain::approval::{ApprovalPolicy, Person};
use redress_domain::dispute::{
    Dispute, DisputeReason, DisputeReport, DisputeStatus, EvidencePack, EvidenceSources, PolicyShown,
};
use redress_domain::ledger::{Account, Balances, Posting};
use redress_domain::message::{Direction, Message};
use redress_domain::refund::{
    CreditSpend, ExpectedArrival, Fee, IdempotencyKey, Refund, RefundError, RefundLine, RefundMethod, RefundReason,
    RefundRequest, RefundStatus, StoreCredit,
};
use redress_domain::transaction_check::{self, CheckContext, Finding};
use redress_domain::{
    Actor, Case, CaseEvent, CaseId, Channel, CustomerId, DisputeId, EscalationSignal, IssueKind, MessageId, Money,
    NewCase, Order, PaymentId, PostingId, RefundId, Sentiment, StoreId, TimelineEntry, ValidationError,
};
use redress_storage::StorageError;
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
    OpenApiRouter::new()
        .routes(routes!(request_refund))
        .routes(routes!(get_refund))
        .routes(routes!(approve_refund))
        .routes(routes!(reject_refund))
        .routes(routes!(case_money))
        .routes(routes!(check_transactions))
        .routes(routes!(ledger))
        .routes(routes!(store_credit))
        .routes(routes!(spend_store_credit))
        .routes(routes!(credit_spends))
        .routes(routes!(ledger_postings))
        .routes(routes!(correct_posting))
        .routes(routes!(open_dispute))
        .routes(routes!(get_dispute))
        .routes(routes!(change_dispute))
        .routes(routes!(dispute_evidence))
        .routes(routes!(submit_evidence))
        .routes(routes!(stripe_webhook))
}

/// How old a signed webhook may be, as Stripe's libraries allow.
const WEBHOOK_TOLERANCE_SECONDS: i64 = 300;

/// Checks a `Stripe-Signature` header (`t=…,v1=…`): HMAC-SHA256 of `{t}.{body}` with the
/// endpoint's secret, within the tolerance of `now`.
pub(crate) fn stripe_signature_valid(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    use hmac::{Hmac, Mac};
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = timestamp else { return false };
    if (now - t).abs() > WEBHOOK_TOLERANCE_SECONDS {
        return false;
    }
    signatures.iter().any(|signature| {
        let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()) else { return false };
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    })
}

/// A Stripe event, as much of it as Redress reads.
#[derive(Deserialize)]
struct StripeEvent {
    #[serde(rename = "type")]
    kind: String,
    data: StripeEventData,
}

#[derive(Deserialize)]
struct StripeEventData {
    object: serde_json::Value,
}

/// What a webhook did.
#[derive(Serialize, ToSchema)]
pub struct WebhookReceipt {
    /// True once the event was checked and taken.
    pub received: bool,
    /// The refund it settled, if it was about one Redress made.
    pub refund_id: Option<RefundId>,
    /// The dispute it recorded or updated, if it was about a payment Redress knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispute_id: Option<DisputeId>,
}

/// The issue kind of a case opened for a dispute on an order that had none, from the bank's
/// reason.
fn dispute_case_kind(reason: DisputeReason) -> IssueKind {
    match reason {
        DisputeReason::Duplicate => IssueKind::WrongCharge,
        DisputeReason::ProductNotReceived => IssueKind::NotReceived,
        DisputeReason::ProductUnacceptable => IssueKind::NotAsDescribed,
        DisputeReason::CreditNotProcessed => IssueKind::RefundStatus,
        _ => IssueKind::Other,
    }
}

/// Records what a Stripe dispute event says: the dispute Redress already has is updated
/// (status as far as its lifecycle allows, amount, reason, deadline); a new one is opened on
/// the latest case of the order holding the disputed payment (a case is opened for it when the
/// order has none) and brought to the reported status. None when no order of this deployment
/// holds the payment.
async fn on_dispute_event(
    state: &AppState,
    object: &redress_connect::stripe::DisputeObject,
) -> Result<Option<Dispute>, ApiError> {
    let reported = redress_connect::stripe::dispute_of(object)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("not a dispute object: {e}")))?;
    let report = DisputeReport {
        status: reported.status,
        reason: reported.reason,
        amount: reported.amount,
        evidence_due_by: reported.evidence_due_by,
    };
    let actor = Actor::Integration { name: "stripe".into() };
    let now = OffsetDateTime::now_utc();
    let money = state.storage().money();
    if let Some(known) = money.dispute_by_reference(&reported.reference).await? {
        return Ok(Some(money.report_dispute(known.store_id, known.id, report, actor, now).await?));
    }
    let references = std::iter::once(reported.charge.clone()).chain(object.payment_intent.clone()).collect();
    let Some(order) = money.order_by_payment_reference(references).await? else { return Ok(None) };
    let payment = order
        .payments
        .iter()
        .find(|p| {
            p.provider_reference == reported.charge || Some(&p.provider_reference) == object.payment_intent.as_ref()
        })
        .ok_or_else(|| ApiError::internal("the order found has no such payment"))?;
    if reported.amount.currency != order.currency {
        return Err(ApiError::invalid("data.object.currency", format!("the order is in {}", order.currency)));
    }
    let filter = redress_storage::CaseFilter { order_id: Some(order.id), ..Default::default() };
    let latest = state.storage().cases(order.store_id, &filter, None, 1).await?.cases.into_iter().next();
    let case_id = match latest {
        Some(case) => case.id,
        None => open_dispute_case(state, &order, &reported, &actor, now).await?,
    };
    let opening = if reported.status.as_str().starts_with("warning") {
        DisputeStatus::WarningNeedsResponse
    } else {
        DisputeStatus::NeedsResponse
    };
    let dispute = Dispute {
        id: new_id(DisputeId::from_uuid),
        store_id: order.store_id,
        order_id: order.id,
        payment_id: payment.id,
        case_id,
        provider_reference: reported.reference.clone(),
        amount: reported.amount,
        reason: reported.reason,
        status: opening,
        evidence_due_by: reported.evidence_due_by,
        created_at: now,
        updated_at: now,
    };
    let opened = match money.open_dispute(dispute, actor.clone()).await {
        Ok(opened) => opened,
        // The same event delivered twice at once: the other delivery opened it.
        Err(StorageError::Conflict(_)) => money
            .dispute_by_reference(&reported.reference)
            .await?
            .ok_or_else(|| ApiError::internal("the dispute was neither opened nor found"))?,
        Err(other) => return Err(other.into()),
    };
    Ok(Some(money.report_dispute(opened.store_id, opened.id, report, actor, now).await?))
}

/// Opens a case for a dispute on an order that has none, as a message from the provider.
async fn open_dispute_case(
    state: &AppState,
    order: &Order,
    reported: &redress_connect::ProviderDispute,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<CaseId, ApiError> {
    let customer = state.storage().customer(order.store_id, order.customer_id).await?;
    let store = state.storage().store(order.store_id).await?;
    let case_id = new_id(CaseId::from_uuid);
    let body = format!(
        "Stripe reports a bank dispute {} on payment {} of order {}: {}, reason {}, evidence due by {}.",
        reported.reference,
        reported.charge,
        order.number,
        reported.amount,
        serde_json::to_value(reported.reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
        reported.evidence_due_by
    );
    let new = NewCase {
        id: case_id,
        store_id: order.store_id,
        order_id: Some(order.id),
        customer_id: Some(customer.id),
        customer_email: Some(customer.email.clone()),
        subject: format!("Bank dispute on order {}", order.number),
        kind: dispute_case_kind(reported.reason),
        language: customer.language.clone().unwrap_or(store.default_language),
        sentiment: Sentiment::Negative,
        escalation: [EscalationSignal::Chargeback].into_iter().collect(),
        lines: Vec::new(),
        first_message: Message {
            id: new_id(MessageId::from_uuid),
            store_id: order.store_id,
            case_id,
            direction: Direction::Inbound,
            channel: Channel::Api,
            author: actor.clone(),
            body,
            attachments: Vec::new(),
            created_at: now,
        },
        opened_by: actor.clone(),
        understood: None,
    };
    Ok(state.storage().open_case(new, now).await?.case.id)
}

/// Stripe's webhook, checked by the `Stripe-Signature` header against the endpoint secret:
/// - `refund.updated`, `refund.failed` and `charge.refund.updated` settle the refund intent
///   they name (a refund pending at the bank succeeds or fails later);
/// - `charge.dispute.created`, `charge.dispute.updated` and `charge.dispute.closed` record the
///   dispute on the payment they name (its status, reason, amount and evidence deadline), on the
///   order's latest case or a case opened for it, posting the chargeback and, once won, the
///   money coming back; a repeated or late event changes nothing.
///
/// Other events are acknowledged and ignored.
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
    // The signature is the webhook's credential: without a valid one the caller is unknown.
    let secret = state.stripe_webhook_secret().ok_or_else(|| {
        ApiError::unauthorized("Stripe webhooks are not accepted here: no webhook signing secret is configured")
    })?;
    let signature = headers.get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !stripe_signature_valid(secret, signature, &body, OffsetDateTime::now_utc().unix_timestamp()) {
        return Err(ApiError::unauthorized("the Stripe-Signature header is missing, stale or does not match the body"));
    }
    let event: StripeEvent = serde_json::from_slice(&body)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("not a Stripe event: {e}")))?;
    if matches!(event.kind.as_str(), "charge.dispute.created" | "charge.dispute.updated" | "charge.dispute.closed") {
        let object: redress_connect::stripe::DisputeObject =
            serde_json::from_value(event.data.object).map_err(|e| {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("not a dispute object: {e}"))
            })?;
        let dispute = on_dispute_event(&state, &object).await?;
        return Ok(Json(WebhookReceipt { received: true, refund_id: None, dispute_id: dispute.map(|d| d.id) }));
    }
    if !matches!(event.kind.as_str(), "refund.updated" | "refund.failed" | "charge.refund.updated" | "refund.created") {
        return Ok(Json(WebhookReceipt { received: true, refund_id: None, dispute_id: None }));
    }
    let object: redress_connect::stripe::RefundObject = serde_json::from_value(event.data.object)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("not a refund object: {e}")))?;
    let answer = redress_connect::stripe::answer_of(&object);
    let refund = state.refunds().on_event(&answer).await.map_err(|e| match e {
        redress_connect::executor::ExecuteError::Store(store) => ApiError::from(store),
        other => ApiError::internal(other),
    })?;
    Ok(Json(WebhookReceipt { received: true, refund_id: refund.map(|r| r.id), dispute_id: None }))
}

/// A person acting on money, as the request names them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Name or login, as on the timeline.
    pub name: String,
    /// `agent`, `team_lead` or `owner`.
    pub role: redress_domain::approval::Role,
}

impl PersonInput {
    pub(crate) fn person(&self, field: &str) -> Result<Person, ApiError> {
        Person::new(&self.name, self.role).map_err(|e| ApiError::invalid(format!("{field}.name"), e.problem))
    }
}

/// A refund to make on a case's order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRefund {
    /// The payment it goes back to (required for `original_payment` and `store_credit`).
    #[serde(default)]
    pub payment_id: Option<String>,
    /// `original_payment`, `store_credit` or `gift_card`.
    pub method: RefundMethod,
    /// Why.
    pub reason: RefundReason,
    /// What the customer gets, in the order's currency.
    pub amount: Money,
    /// The lines refunded, for partial refunds per line (they add up to amount plus fees).
    #[serde(default)]
    pub lines: Vec<RefundLine>,
    /// Fees kept (return shipping, restocking).
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// Store credit bonus set by policy.
    #[serde(default)]
    pub bonus: Option<Money>,
    /// A note for the team.
    #[serde(default)]
    pub note: Option<String>,
    /// Who asks.
    pub requested_by: PersonInput,
    /// The agent flags the customer for review: a second person must approve this refund,
    /// whatever its amount. Optional: the store's abuse rules (`[limits]` in its policy) flag
    /// customers by their refunds in the policy's window without it.
    #[serde(default)]
    pub customer_flagged: bool,
}

/// A refund with what the customer is told about it.
#[derive(Serialize, ToSchema)]
pub struct RefundView {
    /// The refund intent.
    pub refund: Refund,
    /// When the money should arrive (an estimate from today while not yet sent).
    pub expected_arrival: ExpectedArrival,
    /// "Where is my refund", in words for the customer.
    pub customer_message: String,
}

fn payment_method(order: &Order, refund: &Refund) -> String {
    refund
        .payment_id
        .and_then(|id| order.payments.iter().find(|p| p.id == id))
        .map_or_else(|| "card".to_owned(), |p| p.method.clone())
}

pub(crate) fn refund_view(order: &Order, refund: Refund, now: OffsetDateTime) -> RefundView {
    let method = payment_method(order, &refund);
    let expected = refund.expected.unwrap_or_else(|| ExpectedArrival::for_refund(refund.method, &method, now));
    let amount = refund.amount;
    let (from, to) = (expected.earliest, expected.latest);
    let channel = match refund.method {
        RefundMethod::OriginalPayment => format!("to your {}", method.replace('_', " ")),
        RefundMethod::StoreCredit => "as store credit".to_owned(),
        RefundMethod::GiftCard => "as a gift card".to_owned(),
    };
    let customer_message = match refund.status {
        RefundStatus::Succeeded if refund.method != RefundMethod::OriginalPayment => {
            format!("Your refund of {amount} was issued {channel} and can be used now.")
        }
        RefundStatus::Succeeded | RefundStatus::PendingSettlement | RefundStatus::Sent => {
            format!("Your refund of {amount} was sent {channel}. It should arrive between {from} and {to}.")
        }
        RefundStatus::Failed => {
            format!(
                "Your refund of {amount} could not be sent {channel}; we are looking into it and will write to you."
            )
        }
        RefundStatus::Rejected => format!("The refund of {amount} was not approved; an agent will explain why."),
        RefundStatus::Requested | RefundStatus::AwaitingApproval | RefundStatus::Approved => format!(
            "Your refund of {amount} is being processed {channel}. Once sent it usually arrives between {from} and {to}."
        ),
    };
    RefundView { refund, expected_arrival: expected, customer_message }
}

fn idempotency_key(headers: &HeaderMap) -> Result<IdempotencyKey, ApiError> {
    let value = headers.get("idempotency-key").ok_or_else(|| ApiError {
        status: StatusCode::BAD_REQUEST,
        code: "missing_field",
        field: Some("Idempotency-Key".into()),
        message: "send an `Idempotency-Key` header (e.g. a UUID) and the same key when retrying".into(),
    })?;
    let text = value.to_str().map_err(|_| ApiError::invalid("Idempotency-Key", "use visible ASCII characters"))?;
    IdempotencyKey::parse(text).map_err(|e| ApiError::invalid("Idempotency-Key", e.problem))
}

async fn case_and_order(state: &AppState, store_id: StoreId, case_id: &str) -> Result<(Case, Order), ApiError> {
    let case = state.storage().case(store_id, path_id::<CaseId>(case_id, "case")?).await?;
    let order_id = case.order_id.ok_or_else(|| {
        ApiError::new(StatusCode::CONFLICT, "case_without_order", "the case is about no order; link it to one first")
    })?;
    let order = state.storage().order(store_id, order_id).await?;
    Ok((case, order))
}

fn body_payment(order: &Order, text: Option<&str>) -> Result<Option<PaymentId>, ApiError> {
    let Some(text) = text else { return Ok(None) };
    let id: PaymentId = text.parse().map_err(|_| ApiError::invalid("payment_id", "not a payment id"))?;
    if !order.payments.iter().any(|p| p.id == id) {
        return Err(ApiError::invalid("payment_id", "no payment with that id on the case's order"));
    }
    Ok(Some(id))
}

/// Carries out a refund that may be paid now (approved, or sent and left unanswered), through
/// the payment provider's exactly-once executor; any other refund is answered as it is. Both
/// routes that ask for refunds (POST refunds and a remedy) and approvals go through here.
///
/// The executor runs as a task of its own: when the provider has not answered within the
/// state's answer deadline, the refund is answered as it stands (`sent`, still pending) and
/// the task finishes it in the background, committing the provider's answer when it comes. A
/// server stopped meanwhile leaves a `sent` intent, which the refund worker reconciles.
pub(crate) async fn execute(state: &AppState, refund: Refund) -> Result<Refund, ApiError> {
    if !matches!(refund.status, RefundStatus::Approved | RefundStatus::Sent) {
        return Ok(refund);
    }
    let (store_id, id) = (refund.store_id, refund.id);
    let executor = state.refunds().clone();
    let task = tokio::spawn(async move { executor.execute(store_id, id).await });
    match tokio::time::timeout(state.refund_answer_deadline(), task).await {
        Ok(Ok(done)) => done.map_err(|e| match e {
            redress_connect::executor::ExecuteError::Store(store) => ApiError::from(store),
            other => ApiError::internal(other),
        }),
        Ok(Err(panicked)) => Err(ApiError::internal(panicked)),
        Err(_) => {
            tracing::info!(refund = %id, "the payment provider is slow; answering with the refund pending");
            Ok(state.storage().money().refund(store_id, id).await?)
        }
    }
}

/// True while the refund waits on the payment provider: approved or sent, no answer yet.
pub(crate) fn awaiting_provider(refund: &Refund) -> bool {
    refund.method == RefundMethod::OriginalPayment
        && matches!(refund.status, RefundStatus::Approved | RefundStatus::Sent)
}

/// The approval and abuse rules money going out is judged by: the store's written policy once
/// it has saved one, the server's defaults otherwise.
pub(crate) async fn approval_policy(state: &AppState, store_id: StoreId) -> Result<ApprovalPolicy, ApiError> {
    Ok(match state.storage().policy(store_id).await? {
        Some(stored) => ApprovalPolicy::from_policy(&stored.policy),
        None => state.approval().clone(),
    })
}

/// What a refund is asked for with, whichever route asks for it.
pub(crate) struct RefundAsked {
    /// The payment it goes back to (none for gift cards).
    pub payment_id: Option<PaymentId>,
    /// How.
    pub method: RefundMethod,
    /// Why.
    pub reason: RefundReason,
    /// What the customer gets.
    pub amount: Money,
    /// Lines, for refunds per line.
    pub lines: Vec<RefundLine>,
    /// Fees kept.
    pub fees: Vec<Fee>,
    /// Store credit bonus.
    pub bonus: Option<Money>,
    /// A note.
    pub note: Option<String>,
    /// Who asks.
    pub requested_by: Person,
    /// An agent flags the customer for review.
    pub customer_flagged: bool,
}

/// The one way a refund request is made, for POST refunds and for a remedy alike: the refund
/// is on the case's order, in the order's currency, to the order's customer. Everything else
/// (amounts, lines against the order, what is refundable, approval and abuse rules) is checked
/// by the domain and storage when it is written.
pub(crate) fn refund_request(
    case: &Case,
    order: &Order,
    id: RefundId,
    idempotency_key: IdempotencyKey,
    asked: RefundAsked,
) -> Result<RefundRequest, ValidationError> {
    if asked.amount.currency != order.currency {
        return Err(ValidationError::new("amount.currency", format!("use the order's currency {}", order.currency)));
    }
    if let Some(payment_id) = asked.payment_id
        && !order.payments.iter().any(|p| p.id == payment_id)
    {
        return Err(ValidationError::new("payment_id", "no payment with that id on the case's order"));
    }
    Ok(RefundRequest {
        id,
        store_id: case.store_id,
        order_id: order.id,
        case_id: case.id,
        customer_id: order.customer_id,
        payment_id: asked.payment_id,
        idempotency_key,
        method: asked.method,
        reason: asked.reason,
        lines: asked.lines,
        amount: asked.amount,
        fees: asked.fees,
        bonus: asked.bonus.unwrap_or(Money::zero(order.currency)),
        note: asked.note,
        requested_by: asked.requested_by,
        customer_flagged: asked.customer_flagged,
    })
}

/// Asks for a refund on the case's order. The intent is written first with the
/// `Idempotency-Key`; within the approval limit it is carried out at once, otherwise it waits
/// for a second person. A payment provider slower than the answer deadline (5 s) gets `202`
/// with the refund `sent`: it is finished in the background; read it with GET
/// /refunds/{id}. The same key again answers with the same refund (200).
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/refunds", tag = "money", request_body = NewRefund,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = String, Header, description = "The client's key for this refund: 1 to 255 visible ASCII characters; retry with the same key")),
    security(("store_key" = [])),
    responses((status = 201, description = "Written (and carried out when no approval is needed)", body = RefundView),
        (status = 202, description = "Written and sent; the payment provider has not answered yet and the refund is finished in the background", body = RefundView),
        (status = 200, description = "The key's refund, already written", body = RefundView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The case has no order", body = ErrorBody),
        (status = 422, description = "More than is refundable, or the key was used for another refund", body = ErrorBody)))]
pub(crate) async fn request_refund(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewRefund>,
) -> Result<(StatusCode, Json<RefundView>), ApiError> {
    let key = idempotency_key(&headers)?;
    let (case, order) = case_and_order(&state, caller.store_id, &case_id).await?;
    let payment_id = body_payment(&order, input.payment_id.as_deref())?;
    let asked = RefundAsked {
        payment_id,
        method: input.method,
        reason: input.reason,
        amount: input.amount,
        lines: input.lines,
        fees: input.fees,
        bonus: input.bonus,
        note: input.note,
        requested_by: input.requested_by.person("requested_by")?,
        customer_flagged: input.customer_flagged,
    };
    let request = refund_request(&case, &order, new_id(RefundId::from_uuid), key, asked)?;
    let policy = approval_policy(&state, caller.store_id).await?;
    let now = OffsetDateTime::now_utc();
    let outcome = state.storage().money().request_refund(request, policy, now).await.map_err(|e| match e {
        StorageError::NotFound("payment") => ApiError::invalid("payment_id", "no payment with that id on the order"),
        other => other.into(),
    })?;
    let refund = execute(&state, outcome.refund).await?;
    let status = match (outcome.created, awaiting_provider(&refund)) {
        (false, _) => StatusCode::OK,
        (true, true) => StatusCode::ACCEPTED,
        (true, false) => StatusCode::CREATED,
    };
    Ok((status, Json(refund_view(&order, refund, now))))
}

/// A refund, with where it is and when the customer can expect the money.
#[utoipa::path(get, path = "/api/v1/refunds/{refund_id}", tag = "money",
    params(("refund_id" = String, Path, description = "The refund's id")), security(("store_key" = [])),
    responses((status = 200, body = RefundView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_refund(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(refund_id): Path<String>,
) -> Result<Json<RefundView>, ApiError> {
    let refund = state.storage().money().refund(caller.store_id, path_id(&refund_id, "refund")?).await?;
    let order = state.storage().order(caller.store_id, refund.order_id).await?;
    Ok(Json(refund_view(&order, refund, OffsetDateTime::now_utc())))
}

/// An approver's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// Who approves: not the requester, and with the role the policy asks for.
    pub approver: PersonInput,
}

/// An approver's rejection.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// Who rejects: not the requester, and with the role the policy asks for.
    pub approver: PersonInput,
    /// Why, for the timeline.
    pub note: String,
}

/// Approves a refund waiting for a second person, then carries it out.
#[utoipa::path(post, path = "/api/v1/refunds/{refund_id}/approve", tag = "money", request_body = Approval,
    params(("refund_id" = String, Path, description = "The refund's id")), security(("store_key" = [])),
    responses((status = 200, body = RefundView),
        (status = 202, description = "Approved and sent; the payment provider has not answered yet", body = RefundView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "The requester's own request, or a role too low", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not waiting for approval", body = ErrorBody)))]
pub(crate) async fn approve_refund(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(refund_id): Path<String>,
    ApiJson(input): ApiJson<Approval>,
) -> Result<(StatusCode, Json<RefundView>), ApiError> {
    let approver = input.approver.person("approver")?;
    let id: RefundId = path_id(&refund_id, "refund")?;
    let policy = approval_policy(&state, caller.store_id).await?;
    let refund = state
        .storage()
        .money()
        .change_refund(
            caller.store_id,
            id,
            Box::new(move |r: &Refund| r.approve(&approver, &policy, OffsetDateTime::now_utc())),
        )
        .await?;
    let refund = execute(&state, refund).await?;
    let order = state.storage().order(caller.store_id, refund.order_id).await?;
    let status = if awaiting_provider(&refund) { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((status, Json(refund_view(&order, refund, OffsetDateTime::now_utc()))))
}

/// Rejects a refund waiting for a second person; the amount is free again.
#[utoipa::path(post, path = "/api/v1/refunds/{refund_id}/reject", tag = "money", request_body = Rejection,
    params(("refund_id" = String, Path, description = "The refund's id")), security(("store_key" = [])),
    responses((status = 200, body = RefundView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "The requester's own request, or a role too low", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not waiting for approval", body = ErrorBody)))]
pub(crate) async fn reject_refund(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(refund_id): Path<String>,
    ApiJson(input): ApiJson<Rejection>,
) -> Result<Json<RefundView>, ApiError> {
    let approver = input.approver.person("approver")?;
    let id: RefundId = path_id(&refund_id, "refund")?;
    let policy = approval_policy(&state, caller.store_id).await?;
    let note = input.note;
    let refund = state
        .storage()
        .money()
        .change_refund(
            caller.store_id,
            id,
            Box::new(move |r: &Refund| r.reject(&approver, &note, &policy, OffsetDateTime::now_utc())),
        )
        .await?;
    let order = state.storage().order(caller.store_id, refund.order_id).await?;
    Ok(Json(refund_view(&order, refund, OffsetDateTime::now_utc())))
}

/// A payment with what it can still give back.
#[derive(Serialize, ToSchema)]
pub struct PaymentMoney {
    /// The payment.
    pub payment_id: PaymentId,
    /// The provider's reference.
    pub provider_reference: String,
    /// The method the customer paid with.
    pub method: String,
    /// Captured.
    pub captured: Money,
    /// Refunded.
    pub refunded: Money,
    /// Held by refunds in flight.
    pub reserved: Money,
    /// Still refundable.
    pub refundable: Money,
}

/// One account's balance in one currency.
#[derive(Serialize, ToSchema)]
pub struct AccountBalance {
    /// The account.
    pub account: Account,
    /// The balance (debits positive).
    pub balance: Money,
}

fn account_balances(balances: &Balances) -> Vec<AccountBalance> {
    balances
        .by_account
        .iter()
        .filter(|(_, sum)| **sum != 0)
        .map(|((account, currency), sum)| AccountBalance { account: *account, balance: Money::new(*sum, *currency) })
        .collect()
}

/// A dispute with the time left to answer.
#[derive(Serialize, ToSchema)]
pub struct DisputeView {
    /// The dispute.
    pub dispute: Dispute,
    /// Seconds left to submit evidence; none when no answer is expected.
    pub time_left_seconds: Option<i64>,
}

fn dispute_view(dispute: Dispute) -> DisputeView {
    let time_left_seconds = dispute.time_left(OffsetDateTime::now_utc()).map(|d| d.whole_seconds());
    DisputeView { dispute, time_left_seconds }
}

/// Everything about money on a case's order.
#[derive(Serialize, ToSchema)]
pub struct CaseMoney {
    /// The order's payments and what each can still give back.
    pub payments: Vec<PaymentMoney>,
    /// The order's refunds.
    pub refunds: Vec<RefundView>,
    /// The order's ledger postings, oldest first.
    pub postings: Vec<Posting>,
    /// The order's balance per account and currency.
    pub balances: Vec<AccountBalance>,
    /// True when the order's postings balance in every currency (they always should).
    pub balanced: bool,
    /// The case's disputes.
    pub disputes: Vec<DisputeView>,
}

/// The money on a case's order: payments and what is refundable, refunds with their expected
/// dates, the ledger postings and balances, disputes.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/money", tag = "money",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = CaseMoney), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The case has no order", body = ErrorBody)))]
pub(crate) async fn case_money(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
) -> Result<Json<CaseMoney>, ApiError> {
    let (case, order) = case_and_order(&state, caller.store_id, &case_id).await?;
    let money = state.storage().money();
    let mut payments = Vec::new();
    for payment in &order.payments {
        let balance = money.payment_balance(caller.store_id, payment.id).await?;
        payments.push(PaymentMoney {
            payment_id: payment.id,
            provider_reference: payment.provider_reference.clone(),
            method: payment.method.clone(),
            captured: balance.captured,
            refunded: balance.refunded,
            reserved: balance.reserved,
            refundable: balance.refundable().map_err(ApiError::internal)?,
        });
    }
    let now = OffsetDateTime::now_utc();
    let refunds = money
        .refunds_of_order(caller.store_id, order.id)
        .await?
        .into_iter()
        .map(|r| refund_view(&order, r, now))
        .collect();
    let postings = money.postings(caller.store_id, Some(order.id)).await?;
    let balances = Balances::of(&postings).map_err(ApiError::internal)?;
    let disputes = money.disputes_of_case(caller.store_id, case.id).await?.into_iter().map(dispute_view).collect();
    Ok(Json(CaseMoney {
        payments,
        refunds,
        balanced: balances.is_balanced(),
        balances: account_balances(&balances),
        postings,
        disputes,
    }))
}

/// What to check beyond the order's own facts.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    /// The shop shows the order as unpaid (the customer says they paid).
    #[serde(default)]
    pub order_marked_unpaid: bool,
}

/// What a transaction check found.
#[derive(Serialize, ToSchema)]
pub struct CheckResult {
    /// True for the money kinds of case (`wrong_charge`, `payment_not_reflected`, `refund_status`).
    pub money_case: bool,
    /// The findings, each with transaction references and a suggested remedy; empty when all is well.
    pub findings: Vec<Finding>,
}

/// Compares the case's order with its payments and refunds: double charges, captures above the
/// order total, authorisations never captured, captured but shown unpaid, refunds late. The
/// findings go on the case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/transaction-check", tag = "money", request_body = CheckInput,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = CheckResult), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "The case has no order", body = ErrorBody)))]
pub(crate) async fn check_transactions(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<CheckInput>,
) -> Result<Json<CheckResult>, ApiError> {
    let (case, order) = case_and_order(&state, caller.store_id, &case_id).await?;
    let refunds = state.storage().money().refunds_of_order(caller.store_id, order.id).await?;
    let now = OffsetDateTime::now_utc();
    let context = CheckContext { refunds: &refunds, order_marked_unpaid: input.order_marked_unpaid };
    let findings = transaction_check::check(&order, &context, now).map_err(ApiError::internal)?;
    let entry = TimelineEntry {
        at: now,
        actor: caller.actor(),
        event: CaseEvent::TransactionsChecked { findings: findings.clone() },
    };
    state.storage().money().append_timeline(caller.store_id, case.id, vec![entry]).await?;
    Ok(Json(CheckResult { money_case: transaction_check::applies_to(case.kind), findings }))
}

/// The store's ledger.
#[derive(Serialize, ToSchema)]
pub struct LedgerView {
    /// Balance per account and currency.
    pub balances: Vec<AccountBalance>,
    /// True when every currency sums to zero (it always should).
    pub balanced: bool,
}

/// The store's ledger balances per account and currency.
#[utoipa::path(get, path = "/api/v1/ledger", tag = "money", security(("store_key" = [])),
    responses((status = 200, body = LedgerView), (status = 401, body = ErrorBody)))]
async fn ledger(State(state): State<AppState>, caller: StoreCaller) -> Result<Json<LedgerView>, ApiError> {
    let balances = state.storage().money().ledger_balances(caller.store_id).await?;
    Ok(Json(LedgerView { balanced: balances.is_balanced(), balances: account_balances(&balances) }))
}

/// A customer's store credit, per currency.
#[utoipa::path(get, path = "/api/v1/customers/{customer_id}/store-credit", tag = "money",
    params(("customer_id" = String, Path, description = "The customer's id")), security(("store_key" = [])),
    responses((status = 200, body = Vec<StoreCredit>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn store_credit(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(customer_id): Path<String>,
) -> Result<Json<Vec<StoreCredit>>, ApiError> {
    let customer_id: CustomerId = path_id(&customer_id, "customer")?;
    state.storage().customer(caller.store_id, customer_id).await?;
    Ok(Json(state.storage().money().store_credit(caller.store_id, customer_id).await?))
}

/// Store credit to spend.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpend {
    /// How much, in the currency of the credit to spend.
    pub amount: Money,
    /// What it pays for, e.g. the new order's number.
    pub spent_on: String,
    /// The case it is spent on, if any: the spend goes on its timeline.
    #[serde(default)]
    pub case_id: Option<String>,
    /// Who spends it; the API key's name when absent.
    #[serde(default)]
    pub spent_by: Option<PersonInput>,
}

/// A spend and the credit left.
#[derive(Serialize, ToSchema)]
pub struct SpendView {
    /// The spend.
    pub spend: CreditSpend,
    /// The customer's credit in that currency, after it.
    pub balance: StoreCredit,
}

/// Spends a customer's store credit (e.g. against a new order): the balance goes down, never
/// below zero, even when two spends race for the last of it, and `store_credit_spent` is
/// posted. Takes an `Idempotency-Key`: the same key answers with the same spend (200).
#[utoipa::path(post, path = "/api/v1/customers/{customer_id}/store-credit/spend", tag = "money", request_body = NewSpend,
    params(("customer_id" = String, Path, description = "The customer's id"),
        ("Idempotency-Key" = String, Header, description = "The client's key for this spend; retry with the same key")),
    security(("store_key" = [])),
    responses((status = 201, body = SpendView), (status = 200, description = "The key's spend, already made", body = SpendView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "More than the customer's credit (`insufficient_store_credit`), or the key was used for another spend", body = ErrorBody)))]
async fn spend_store_credit(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(customer_id): Path<String>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewSpend>,
) -> Result<(StatusCode, Json<SpendView>), ApiError> {
    let idempotency_key = idempotency_key(&headers)?;
    let customer_id: CustomerId = path_id(&customer_id, "customer")?;
    let case_id = input
        .case_id
        .as_deref()
        .map(|id| id.parse::<CaseId>().map_err(|_| ApiError::invalid("case_id", "not a case id")))
        .transpose()?;
    let spent_by = match &input.spent_by {
        Some(person) => person.person("spent_by")?.actor(),
        None => caller.actor(),
    };
    let spend = CreditSpend {
        posting_id: new_id(PostingId::from_uuid),
        store_id: caller.store_id,
        customer_id,
        idempotency_key,
        amount: input.amount,
        spent_on: input.spent_on.trim().to_owned(),
        case_id,
        spent_by,
        at: OffsetDateTime::now_utc(),
    };
    let outcome = state.storage().money().spend_store_credit(spend).await.map_err(|e| match e {
        StorageError::Refund(RefundError::Invalid(v)) if v.field == "amount" => ApiError {
            field: Some("amount".into()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "insufficient_store_credit", v.problem)
        },
        StorageError::NotFound("case") => ApiError::invalid("case_id", "no case with that id in this store"),
        other => other.into(),
    })?;
    let status = if outcome.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(SpendView { spend: outcome.spend, balance: outcome.balance })))
}

/// A customer's store credit spends, oldest first.
#[utoipa::path(get, path = "/api/v1/customers/{customer_id}/store-credit/spends", tag = "money",
    params(("customer_id" = String, Path, description = "The customer's id")), security(("store_key" = [])),
    responses((status = 200, body = Vec<CreditSpend>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn credit_spends(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(customer_id): Path<String>,
) -> Result<Json<Vec<CreditSpend>>, ApiError> {
    let customer_id: CustomerId = path_id(&customer_id, "customer")?;
    state.storage().customer(caller.store_id, customer_id).await?;
    Ok(Json(state.storage().money().credit_spends(caller.store_id, customer_id).await?))
}

/// The store's ledger postings, oldest first: every movement with its legs, links and cause.
#[utoipa::path(get, path = "/api/v1/ledger/postings", tag = "money", security(("store_key" = [])),
    responses((status = 200, body = Vec<Posting>), (status = 401, body = ErrorBody)))]
async fn ledger_postings(State(state): State<AppState>, caller: StoreCaller) -> Result<Json<Vec<Posting>>, ApiError> {
    Ok(Json(state.storage().money().postings(caller.store_id, None).await?))
}

/// A correction of a posting.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCorrection {
    /// Why the original is wrong, for the books and the case's timeline.
    pub reason: String,
    /// Who corrects it.
    pub by: PersonInput,
}

/// Corrects a posting: a new `correction` posting with every leg of the original reversed,
/// naming it, with the reason and the person; on the original's case timeline. The original is
/// never edited. A posting is corrected once; one that moved store credit is refused (the
/// customer's balance would no longer match the books: spend or issue credit instead).
#[utoipa::path(post, path = "/api/v1/ledger/postings/{posting_id}/corrections", tag = "money", request_body = NewCorrection,
    params(("posting_id" = String, Path, description = "The posting to correct")), security(("store_key" = [])),
    responses((status = 201, body = Posting), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Already corrected, or it moved store credit", body = ErrorBody)))]
async fn correct_posting(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(posting_id): Path<String>,
    ApiJson(input): ApiJson<NewCorrection>,
) -> Result<(StatusCode, Json<Posting>), ApiError> {
    let posting_id: PostingId = path_id(&posting_id, "posting")?;
    let by = input.by.person("by")?.actor();
    let correction = state
        .storage()
        .money()
        .correct_posting(caller.store_id, posting_id, input.reason, by, OffsetDateTime::now_utc())
        .await
        .map_err(|e| match e {
            StorageError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "cannot_correct", message),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(correction)))
}

/// A dispute the payment provider reported.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDispute {
    /// The disputed payment, on the case's order.
    pub payment_id: String,
    /// The provider's dispute id (`dp_…`).
    pub provider_reference: String,
    /// The amount disputed.
    pub amount: Money,
    /// Stripe's reason.
    pub reason: DisputeReason,
    /// `needs_response` (a chargeback) or `warning_needs_response` (an inquiry).
    pub status: DisputeStatus,
    /// When the evidence is due (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub evidence_due_by: OffsetDateTime,
}

/// Records a dispute on the case's order; a chargeback is posted to the ledger.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/disputes", tag = "money", request_body = NewDispute,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 201, body = DisputeView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Already recorded, or the case has no order", body = ErrorBody)))]
async fn open_dispute(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<NewDispute>,
) -> Result<(StatusCode, Json<DisputeView>), ApiError> {
    let (case, order) = case_and_order(&state, caller.store_id, &case_id).await?;
    let payment_id = body_payment(&order, Some(&input.payment_id))?.ok_or_else(|| ApiError::internal("no payment"))?;
    if input.amount.currency != order.currency {
        return Err(ApiError::invalid("amount.currency", format!("use the order's currency {}", order.currency)));
    }
    let now = OffsetDateTime::now_utc();
    let dispute = Dispute {
        id: new_id(DisputeId::from_uuid),
        store_id: caller.store_id,
        order_id: order.id,
        payment_id,
        case_id: case.id,
        provider_reference: input.provider_reference.trim().to_owned(),
        amount: input.amount,
        reason: input.reason,
        status: input.status,
        evidence_due_by: input.evidence_due_by,
        created_at: now,
        updated_at: now,
    };
    let dispute = state.storage().money().open_dispute(dispute, caller.actor()).await.map_err(|e| match e {
        StorageError::Conflict(_) => ApiError::new(
            StatusCode::CONFLICT,
            "conflict",
            "a dispute with that provider reference is already recorded in this store",
        ),
        other => other.into(),
    })?;
    Ok((StatusCode::CREATED, Json(dispute_view(dispute))))
}

/// A dispute with the time left to answer.
#[utoipa::path(get, path = "/api/v1/disputes/{dispute_id}", tag = "money",
    params(("dispute_id" = String, Path, description = "The dispute's id")), security(("store_key" = [])),
    responses((status = 200, body = DisputeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_dispute(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(dispute_id): Path<String>,
) -> Result<Json<DisputeView>, ApiError> {
    let dispute = state.storage().money().dispute(caller.store_id, path_id(&dispute_id, "dispute")?).await?;
    Ok(Json(dispute_view(dispute)))
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
    caller: StoreCaller,
    Path(dispute_id): Path<String>,
    ApiJson(input): ApiJson<DisputeStatusChange>,
) -> Result<Json<DisputeView>, ApiError> {
    let id: DisputeId = path_id(&dispute_id, "dispute")?;
    let dispute = state
        .storage()
        .money()
        .change_dispute(caller.store_id, id, input.status, caller.actor(), OffsetDateTime::now_utc())
        .await?;
    Ok(Json(dispute_view(dispute)))
}

/// How to export an evidence pack.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EvidenceQuery {
    /// `json` (Stripe's evidence field names, the default) or `document` (Markdown to read).
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

/// The dispute and its evidence pack, assembled from the case's record.
async fn evidence_pack(
    state: &AppState,
    store_id: StoreId,
    dispute_id: &str,
    policy_version: Option<&str>,
) -> Result<(Dispute, EvidencePack), ApiError> {
    let storage = state.storage();
    let dispute = storage.money().dispute(store_id, path_id(dispute_id, "dispute")?).await?;
    let order = storage.order(store_id, dispute.order_id).await?;
    let customer = storage.customer(store_id, order.customer_id).await?;
    let (messages, timeline, refunds) = tokio::try_join!(
        storage.messages(store_id, dispute.case_id),
        storage.timeline(store_id, dispute.case_id),
        storage.money().refunds_of_order(store_id, order.id)
    )?;
    let timeline: Vec<TimelineEntry> = timeline.into_iter().map(|r| r.entry).collect();
    let policy = policy_version.map(|version| PolicyShown {
        version: version.to_owned(),
        text: format!("The refund policy {version} shown to the customer at checkout."),
    });
    let pack = EvidencePack::assemble(&EvidenceSources {
        dispute: &dispute,
        order: &order,
        customer: &customer,
        messages: &messages,
        timeline: &timeline,
        refunds: &refunds,
        policy: policy.as_ref(),
    });
    Ok((dispute, pack))
}

/// Sends the evidence pack to the payment provider (Stripe's `POST /v1/disputes/{id}` with
/// `evidence[…]` fields) and records the dispute as under review.
#[utoipa::path(post, path = "/api/v1/disputes/{dispute_id}/submit", tag = "money",
    params(("dispute_id" = String, Path, description = "The dispute's id"), EvidenceQuery), security(("store_key" = [])),
    responses((status = 200, body = DisputeView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The dispute takes no evidence now", body = ErrorBody),
        (status = 502, description = "The provider refused or could not be reached", body = ErrorBody)))]
async fn submit_evidence(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(dispute_id): Path<String>,
    ApiQuery(query): ApiQuery<EvidenceQuery>,
) -> Result<Json<DisputeView>, ApiError> {
    let (dispute, pack) = evidence_pack(&state, caller.store_id, &dispute_id, query.policy_version.as_deref()).await?;
    let to = match dispute.status {
        DisputeStatus::NeedsResponse => DisputeStatus::UnderReview,
        DisputeStatus::WarningNeedsResponse => DisputeStatus::WarningUnderReview,
        other => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "no_response_expected",
                format!("the dispute is {} and takes no evidence", other.as_str()),
            ));
        }
    };
    state.refunds().provider().submit_evidence(&dispute.provider_reference, &pack.evidence).await.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_GATEWAY,
            "provider_refused",
            format!("the payment provider did not take the evidence: {e}"),
        )
    })?;
    let dispute = state
        .storage()
        .money()
        .change_dispute(caller.store_id, dispute.id, to, caller.actor(), OffsetDateTime::now_utc())
        .await?;
    Ok(Json(dispute_view(dispute)))
}

/// The evidence pack for a dispute, assembled from the case's own record: order and receipt,
/// carrier and tracking, delivery confirmation, customer communication, refunds, the case's
/// history. As JSON in Stripe's evidence field names, or as a readable document.
#[utoipa::path(get, path = "/api/v1/disputes/{dispute_id}/evidence", tag = "money",
    params(("dispute_id" = String, Path, description = "The dispute's id"), EvidenceQuery), security(("store_key" = [])),
    responses((status = 200, body = EvidencePack, description = "The pack (`format=document`: text/markdown)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn dispute_evidence(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(dispute_id): Path<String>,
    ApiQuery(query): ApiQuery<EvidenceQuery>,
) -> Result<Response, ApiError> {
    let (_, pack) = evidence_pack(&state, caller.store_id, &dispute_id, query.policy_version.as_deref()).await?;
    Ok(match query.format.unwrap_or(EvidenceFormat::Json) {
        EvidenceFormat::Json => Json(pack).into_response(),
        EvidenceFormat::Document => ([(CONTENT_TYPE, "text/markdown; charset=utf-8")], pack.document()).into_response(),
    })
}

#[cfg(test)]
mod tests {
    use super::stripe_signature_valid;
    use hmac::{Hmac, Mac};

    fn sign(secret: &str, t: i64, body: &str) -> String {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn stripe_signatures_are_checked_with_the_secret_and_the_time() {
        let body = r#"{"type":"refund.updated"}"#;
        let header = sign("whsec_test", 1_700_000_000, body);
        assert!(stripe_signature_valid("whsec_test", &header, body.as_bytes(), 1_700_000_100));
        assert!(!stripe_signature_valid("whsec_other", &header, body.as_bytes(), 1_700_000_100));
        assert!(!stripe_signature_valid("whsec_test", &header, b"{}", 1_700_000_100));
        assert!(!stripe_signature_valid("whsec_test", &header, body.as_bytes(), 1_700_001_000), "too old");
        assert!(!stripe_signature_valid("whsec_test", "v1=00", body.as_bytes(), 1_700_000_000));
        let two = format!("{header},v1=deadbeef");
        assert!(stripe_signature_valid("whsec_test", &two, body.as_bytes(), 1_700_000_000));
    }
}
