//! The resolution engine over HTTP: the options for a case (the decision with its reasons in
//! the customer's language), carrying out a chosen remedy, amending an order before it ships,
//! driving returns through their lifecycle, changing fault, and the store's policy.
//!
//! Every write goes through [`redress_storage::Storage::resolve_case`], so the case, its
//! timeline, the order, the returns and the claims change together or not at all. Writes take
//! an `Idempotency-Key` header: the key is reserved in the write's own transaction and the
//! first answer is kept, so a retry gets the same answer and never a second refund.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_domain::amendment::{Amendment, StockLevels, amend};
use redress_domain::approval::{ApprovalPolicy, Person, Role};
use redress_domain::claim::{Claim, ClaimResolution, NewClaim, is_claim_kind};
use redress_domain::decision::{
    CaseFacts, CustomerHistory, Decision, LineQuantity, PastCase, ReplayChange, decide, percent_of, replay,
};
use redress_domain::policy::{Payer, Policy, amount_in};
use redress_domain::refund::{
    Fee, FeeKind, IdempotencyKey as RefundKey, Refund, RefundLine, RefundMethod, RefundReason,
};
use redress_domain::resolution::{RefundAsk, Resolution, ResolutionContext, ResolutionError};
use redress_domain::returns::{
    ExchangeItem, LineInspection, NewReturn, RequestedLine, ReturnAuthorisation, ReturnLabel, ReturnStatus,
    returnable_units,
};
use redress_domain::{
    Actor, Case, CaseEvent, CaseId, CaseStatus, ClaimId, Fault, LanguageTag, Money, Order, PaymentId, RefundId, Remedy,
    ReturnId, StoreId, ValidationError,
};
use redress_storage::{CaseFilter, IdempotencyKey, StoredPolicy, StoredResolution};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::money::{PersonInput, RefundAsked, RefundView, approval_policy, execute, refund_request, refund_view};
use super::{new_id, path_id};
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, IdempotentJson};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_options))
        .routes(routes!(carry_out_remedy))
        .routes(routes!(amend_order))
        .routes(routes!(request_return, list_returns))
        .routes(routes!(move_return))
        .routes(routes!(change_fault))
        .routes(routes!(get_policy, put_policy))
        .routes(routes!(dry_run_policy))
}

/// The store's policy in force: its own, or the default one shipped with Redress.
pub(crate) async fn policy_of(state: &AppState, store_id: StoreId) -> Result<Policy, ApiError> {
    Ok(state.storage().policy(store_id).await?.map_or_else(Policy::standard, |p| p.policy))
}

/// The customer's history, not counting the case in hand.
async fn history_of(state: &AppState, case: &Case, now: OffsetDateTime) -> Result<CustomerHistory, ApiError> {
    let Some(customer_id) = case.customer_id else { return Ok(CustomerHistory::default()) };
    let mut history = state.storage().customer_history(case.store_id, customer_id, now).await?;
    history.cases_last_90_days = history.cases_last_90_days.saturating_sub(1);
    Ok(history)
}

/// Runs a write under an optional Idempotency-Key: a key seen before answers with the first
/// answer (or refuses a different request under the same key); a new key is reserved by the
/// write and its answer kept.
async fn idempotently<T, F, Fut>(
    state: &AppState,
    store_id: StoreId,
    request: (Option<String>, String),
    status: StatusCode,
    work: F,
) -> Result<Response, ApiError>
where
    T: Serialize,
    F: FnOnce(Option<IdempotencyKey>) -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let (key, request_hash) = request;
    if let Some(key) = &key
        && let Some(stored) = state.storage().idempotent_answer(store_id, key).await?
    {
        if stored.request_hash != request_hash {
            return Err(ApiError {
                field: Some("Idempotency-Key".into()),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "this Idempotency-Key was used for a different request; use a new key for a new request",
                )
            });
        }
        let Some((status, body)) = stored.answer else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "request_in_progress",
                "a request with this Idempotency-Key is being carried out or was carried out without its answer being kept; read the case to see where it stands",
            ));
        };
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
        let mut response = (status, [(CONTENT_TYPE, "application/json")], body).into_response();
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(response);
    }
    let reservation = key.clone().map(|key| IdempotencyKey { key, request_hash, at: OffsetDateTime::now_utc() });
    let value = work(reservation).await?;
    let body = serde_json::to_string(&value).map_err(ApiError::internal)?;
    if let Some(key) = &key {
        state.storage().save_idempotent_answer(store_id, key, status.as_u16(), &body).await?;
    }
    Ok((status, [(CONTENT_TYPE, "application/json")], body).into_response())
}

/// Options for a case: the facts the customer or agent adds to what the order says.
#[derive(Deserialize, IntoParams, Default)]
#[serde(deny_unknown_fields)]
pub struct OptionsQuery {
    /// Lines concerned as `SKU:quantity`, comma separated; the lines the case was opened with,
    /// else the whole order, if absent.
    pub lines: Option<String>,
    /// The customer has sent photos.
    pub photos_provided: Option<bool>,
    /// The carrier can stop a parcel in transit.
    pub carrier_allows_intercept: Option<bool>,
    /// The language to explain the reasons in (`en`, `es`, `pt`, `pl`, `id`); the customer's
    /// by default. An agent reads the reasons in their own language.
    pub language: Option<String>,
}

fn parse_lines(text: &str) -> Result<Vec<LineQuantity>, ApiError> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (sku, quantity) = part.rsplit_once(':').unwrap_or((part, "1"));
            let quantity = quantity
                .parse()
                .map_err(|_| ApiError::invalid("lines", format!("`{part}` is not SKU:quantity, e.g. TEE-M:1")))?;
            Ok(LineQuantity { sku: sku.to_owned(), quantity })
        })
        .collect()
}

/// What can be done about a case now: the remedies on offer, the one recommended, the amounts
/// and the rules that produced them, in the customer's language. Reads only.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/options", tag = "resolution", params(
        ("case_id" = String, Path, description = "The case's id"), OptionsQuery), security(("store_key" = [])),
    responses((status = 200, body = Decision), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn get_options(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiQuery(query): ApiQuery<OptionsQuery>,
) -> Result<Json<Decision>, ApiError> {
    let case = state.storage().case(caller.store_id, path_id(&case_id, "case")?).await?;
    let facts = CaseFacts {
        kind: case.kind,
        lines: query.lines.as_deref().map(parse_lines).transpose()?.unwrap_or_else(|| case.lines.clone()),
        photos_provided: query.photos_provided.unwrap_or(false),
        carrier_allows_intercept: query.carrier_allows_intercept.unwrap_or(false),
        language: match query.language.as_deref() {
            Some(tag) => LanguageTag::parse(tag).map_err(|e| ApiError::invalid("language", e.problem))?,
            None => case.language.clone(),
        },
    };
    Ok(Json(options_for(&state, &case, &facts).await?))
}

/// The decision on `case` with `facts`, read from the case's order, the store's policy and the
/// customer's history now: what the options route answers and what the portal shows.
pub(crate) async fn options_for(state: &AppState, case: &Case, facts: &CaseFacts) -> Result<Decision, ApiError> {
    let order = match case.order_id {
        Some(id) => Some(state.storage().order(case.store_id, id).await?),
        None => None,
    };
    let now = OffsetDateTime::now_utc();
    let policy = policy_of(state, case.store_id).await?;
    let history = history_of(state, case, now).await?;
    Ok(decide(facts, order.as_ref(), &policy, &history, now).map_err(ResolutionError::from)?)
}

/// A remedy to carry out.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemedyRequest {
    /// One of the remedies the options offer.
    pub remedy: Remedy,
    /// Lines concerned; the lines the case was opened with, else the whole order, if empty.
    #[serde(default)]
    pub lines: Vec<LineQuantity>,
    /// The customer has sent photos.
    #[serde(default)]
    pub photos_provided: bool,
    /// The carrier can stop a parcel in transit.
    #[serde(default)]
    pub carrier_allows_intercept: bool,
    /// The team member approving a remedy that needs approval.
    #[serde(default)]
    pub approved_by: Option<String>,
    /// The carrier's reference, when a claim was made to the carrier.
    #[serde(default)]
    pub carrier_reference: Option<String>,
    /// For a partial refund, how much: more than zero, at most the goods concerned.
    #[serde(default)]
    pub amount: Option<Money>,
    /// The shipping charge to give back as well, as a refund of its own (reason `shipping`) to
    /// the original payment method; only with a remedy that moves money.
    #[serde(default)]
    pub refund_shipping: Option<Money>,
    /// Who asks for the money the remedy moves (the refund's requester, who cannot approve it
    /// later); the API key's name as an agent when absent.
    #[serde(default)]
    pub requested_by: Option<PersonInput>,
    /// The agent flags the customer for review: the remedy's refunds wait for a second person.
    #[serde(default)]
    pub customer_flagged: bool,
}

/// What carrying out a remedy did.
#[derive(Serialize, ToSchema)]
pub struct RemedyOutcome {
    /// The case as it now is.
    pub case: Case,
    /// The decision the remedy was chosen from.
    pub decision: Decision,
    /// Returns opened.
    pub returns: Vec<ReturnAuthorisation>,
    /// Claims filed.
    pub claims: Vec<Claim>,
    /// The order, if the remedy changed it (a cancellation).
    pub order: Option<Order>,
    /// The refunds the remedy asked for (refund without return, partial refund, duplicate
    /// charge, compensation as a gift card, shipping), written with the remedy and carried out
    /// like any refund: at once within the approval limit, otherwise waiting for a second person.
    pub refunds: Vec<RefundView>,
}

/// Carries out a remedy the options offer: opens a return (approved at once when no approval is
/// needed), files a claim (reship or refund, with the carrier's reference), cancels the order,
/// or asks for the money it moves, always with the decision and the fault on the timeline. A
/// remedy that moves money (refund without return, partial refund, duplicate charge,
/// compensation, `refund_shipping`) writes its refund intents in the same transaction as the
/// remedy, then carries them out exactly as POST /cases/{id}/refunds does (approval limits and
/// abuse rules, the provider's exactly-once executor); the answer shows them. Takes an
/// `Idempotency-Key`: a retry answers with the first answer and never refunds twice.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/remedy", tag = "resolution", request_body = RemedyRequest,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    security(("store_key" = [])),
    responses((status = 201, body = RemedyOutcome), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not on offer, needs approval, or the case changed", body = ErrorBody),
        (status = 422, description = "Idempotency-Key reused for another request", body = ErrorBody)))]
pub(crate) async fn carry_out_remedy(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    request: IdempotentJson<RemedyRequest>,
) -> Result<Response, ApiError> {
    let case_id: CaseId = path_id(&case_id, "case")?;
    let store_id = caller.store_id;
    let input = request.body;
    if let Some(name) = &input.approved_by
        && name.trim().is_empty()
    {
        return Err(ApiError::invalid("approved_by", "name the team member approving"));
    }
    let actor = input.approved_by.clone().map_or_else(|| caller.actor(), |name| Actor::Agent { name });
    let requested_by = match &input.requested_by {
        Some(person) => person.person("requested_by")?,
        None => caller_person(&caller)?,
    };
    let key_base = refund_key_base(case_id, request.key.as_deref());
    let writer = state.clone();
    idempotently(&state, store_id, (request.key, request.request_hash), StatusCode::CREATED, |key| async move {
        let asker = RemedyAsker { actor, requested_by, key_base };
        carry_out_remedy_for(&writer, store_id, case_id, (input, Vec::new()), asker, key).await
    })
    .await
}

/// What carrying out a remedy needs beside the request: the ids of what it may create, and
/// what asking for the money it moves takes.
struct RemedyMoney {
    /// The claim's id, if it files one.
    claim_id: ClaimId,
    /// The return's id, if it opens one.
    return_id: ReturnId,
    /// The store's approval and abuse rules.
    approval: ApprovalPolicy,
    /// Who asks.
    requested_by: Person,
    /// The start of the refunds' idempotency keys.
    key_base: String,
    /// Ids for the refunds: the goods, and the shipping.
    ids: [RefundId; 2],
}

/// The API key's caller as the person asking for money: an agent by the key's name.
fn caller_person(caller: &StoreCaller) -> Result<Person, ApiError> {
    let name = match caller.actor() {
        Actor::Integration { name } | Actor::Agent { name } => name,
        _ => "api".to_owned(),
    };
    Person::new(&name, Role::Agent).map_err(|e| ApiError::invalid("requested_by.name", e.problem))
}

/// The idempotency keys of a remedy's refunds start with this: from the client's
/// Idempotency-Key when it sent one (so a retry finds the same refunds), fresh otherwise.
pub(crate) fn refund_key_base(case_id: CaseId, key: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    match key {
        Some(key) => {
            let mut hasher = Sha256::new();
            hasher.update(case_id.to_string().as_bytes());
            hasher.update([0]);
            hasher.update(key.as_bytes());
            format!("remedy-{}", &hex::encode(hasher.finalize())[..40])
        }
        None => format!("remedy-{}", uuid::Uuid::now_v7()),
    }
}

/// Carries out refunds a resolution step wrote, as POST refunds does, and shows them as the
/// customer is told about them.
async fn carry_out_refunds(
    state: &AppState,
    store_id: StoreId,
    order: Option<&Order>,
    refunds: Vec<Refund>,
) -> Result<Vec<RefundView>, ApiError> {
    let Some(first) = refunds.first() else { return Ok(Vec::new()) };
    let order = match order {
        Some(order) => order.clone(),
        None => state.storage().order(store_id, first.order_id).await?,
    };
    let now = OffsetDateTime::now_utc();
    let mut views = Vec::with_capacity(refunds.len());
    for refund in refunds {
        views.push(refund_view(&order, execute(state, refund).await?, now));
    }
    Ok(views)
}

/// The payment a refund of `amount` goes back to: one with that much left as the order reports
/// it, the latest for a duplicate charge (the second capture), the first otherwise. Storage
/// still checks what Redress itself has refunded or reserved on it.
fn payment_for(order: &Order, amount: Money, latest: bool) -> Result<PaymentId, ValidationError> {
    let fits = |p: &&redress_domain::Payment| {
        p.captured.checked_sub(&p.refunded).is_ok_and(|left| left.amount_minor >= amount.amount_minor)
    };
    let found = if latest {
        order.payments.iter().filter(fits).max_by_key(|p| p.created_at)
    } else {
        order.payments.iter().find(fits)
    };
    found
        .map(|p| p.id)
        .ok_or_else(|| ValidationError::new("amount", format!("no payment of the order has {amount} left to refund")))
}

/// The refunds a remedy moves money with: what, how and why, with the lines when the amount is
/// exactly their value (so line refunds are checked against the order like any other). A
/// cancellation gives back what each payment still holds.
fn remedy_refunds(
    ctx: &ResolutionContext,
    remedy: Remedy,
    amount: Option<Money>,
    input: &RemedyRequest,
    money: &RemedyMoney,
) -> Result<Vec<RefundAsk>, ResolutionError> {
    let Some(order) = ctx.order.as_ref() else {
        if input.refund_shipping.is_some() {
            return Err(ResolutionError::NoOrder);
        }
        return Ok(Vec::new());
    };
    let (method, reason) = match remedy {
        Remedy::RefundKeepItem | Remedy::PartialRefund => (RefundMethod::OriginalPayment, RefundReason::Items),
        Remedy::RefundDuplicateCharge => (RefundMethod::OriginalPayment, RefundReason::DuplicateCharge),
        Remedy::Compensation => (RefundMethod::GiftCard, RefundReason::Compensation),
        Remedy::CancelOrder if input.refund_shipping.is_none() => (RefundMethod::OriginalPayment, RefundReason::Items),
        _ if input.refund_shipping.is_some() => {
            return Err(ValidationError::new(
                "refund_shipping",
                "only a remedy that gives money back (refund_keep_item, partial_refund, refund_duplicate_charge, compensation) refunds shipping too",
            )
            .into());
        }
        _ => return Ok(Vec::new()),
    };
    let ask = |id: RefundId, suffix: &str, asked: RefundAsked| -> Result<RefundAsk, ResolutionError> {
        let key = RefundKey::parse(&format!("{}-{suffix}", money.key_base))?;
        Ok(RefundAsk { request: refund_request(&ctx.case, order, id, key, asked)?, policy: money.approval.clone() })
    };
    let asked = |payment_id, reason, amount, lines| RefundAsked {
        payment_id,
        method: if payment_id.is_some() { RefundMethod::OriginalPayment } else { method },
        reason,
        amount,
        lines,
        fees: Vec::new(),
        bonus: None,
        note: Some(format!("remedy {remedy}")),
        requested_by: money.requested_by.clone(),
        customer_flagged: input.customer_flagged,
    };
    let mut asks = Vec::new();
    if remedy == Remedy::CancelOrder {
        // A cancelled order gives back all that was taken for it: a refund per payment with
        // money left on it, as the order reports it (storage refuses more than is refundable).
        for payment in &order.payments {
            let left = payment
                .captured
                .checked_sub(&payment.refunded)
                .map_err(|e| ValidationError::new("order", e.to_string()))?;
            if left.amount_minor > 0 {
                let suffix = format!("cancel-{}", payment.id);
                let refund = asked(Some(payment.id), reason, left, Vec::new());
                asks.push(ask(new_id(RefundId::from_uuid), &suffix, refund)?);
            }
        }
        return Ok(asks);
    }
    if let Some(amount) = amount.filter(|a| a.amount_minor > 0) {
        let payment_id = match method {
            RefundMethod::GiftCard => None,
            _ => Some(payment_for(order, amount, remedy == Remedy::RefundDuplicateCharge)?),
        };
        let lines = match remedy {
            Remedy::RefundKeepItem => {
                let chosen: Vec<RefundLine> = if input.lines.is_empty() {
                    order
                        .lines
                        .iter()
                        .map(|l| Ok(RefundLine { sku: l.sku.clone(), quantity: l.quantity, amount: l.total()? }))
                        .collect::<Result<_, redress_domain::MoneyError>>()
                } else {
                    input
                        .lines
                        .iter()
                        .filter_map(|l| {
                            let ordered = order.lines.iter().find(|o| o.sku == l.sku)?;
                            Some(ordered.unit_price.checked_mul(l.quantity).map(|value| RefundLine {
                                sku: l.sku.clone(),
                                quantity: l.quantity,
                                amount: value,
                            }))
                        })
                        .collect::<Result<_, redress_domain::MoneyError>>()
                }
                .map_err(|e| ValidationError::new("lines", e.to_string()))?;
                let value = chosen.iter().try_fold(Money::zero(order.currency), |sum, l| sum.checked_add(&l.amount));
                if value.is_ok_and(|v| v == amount) { chosen } else { Vec::new() }
            }
            Remedy::PartialRefund => match input.lines.as_slice() {
                [one] => vec![RefundLine { sku: one.sku.clone(), quantity: one.quantity, amount }],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        asks.push(ask(money.ids[0], "goods", asked(payment_id, reason, amount, lines))?);
    }
    if let Some(shipping) = input.refund_shipping {
        if shipping.currency != order.currency || shipping.amount_minor <= 0 {
            return Err(ValidationError::new(
                "refund_shipping",
                format!("give more than zero in the order's currency {}", order.currency),
            )
            .into());
        }
        let payment_id =
            payment_for(order, shipping, false).map_err(|e| ValidationError::new("refund_shipping", e.problem))?;
        asks.push(ask(
            money.ids[1],
            "shipping",
            asked(Some(payment_id), RefundReason::Shipping, shipping, Vec::new()),
        )?);
    }
    Ok(asks)
}

/// Who carries out a remedy: the actor on the timeline, the person asking for the money it
/// moves, and the start of its refunds' idempotency keys.
pub(crate) struct RemedyAsker {
    /// Who the timeline names.
    pub(crate) actor: Actor,
    /// Who asks for the refunds.
    pub(crate) requested_by: Person,
    /// See [`refund_key_base`].
    pub(crate) key_base: String,
}

/// Carries out a remedy on a case by `actor` and commits it with the decision, the fault and
/// the remedy on the timeline: the one way the API and the customer portal both take. For an
/// exchange, `replacements` is what the customer chose to get instead (the portal offers the
/// variants the shop listed with their stock); it is kept on the return and sent once the
/// return is accepted.
pub(crate) async fn carry_out_remedy_for(
    state: &AppState,
    store_id: StoreId,
    case_id: CaseId,
    (input, replacements): (RemedyRequest, Vec<ExchangeItem>),
    asker: RemedyAsker,
    key: Option<IdempotencyKey>,
) -> Result<RemedyOutcome, ApiError> {
    let RemedyAsker { actor, requested_by, key_base } = asker;
    let case = state.storage().case(store_id, case_id).await?;
    let now = OffsetDateTime::now_utc();
    let policy = policy_of(state, store_id).await?;
    let history = history_of(state, &case, now).await?;
    let decided: Arc<Mutex<Option<Decision>>> = Arc::default();
    let out = decided.clone();
    let money = RemedyMoney {
        approval: approval_policy(state, store_id).await?,
        requested_by,
        key_base,
        ids: [new_id(RefundId::from_uuid), new_id(RefundId::from_uuid)],
        claim_id: new_id(ClaimId::from_uuid),
        return_id: new_id(ReturnId::from_uuid),
    };
    let stored = state
        .storage()
        .resolve_case(
            store_id,
            case_id,
            key,
            Box::new(move |ctx: &ResolutionContext| {
                let (resolution, decision) =
                    carry_out(ctx, (&input, &replacements), &policy, &history, &actor, &money, now)?;
                if let Ok(mut slot) = out.lock() {
                    *slot = Some(decision);
                }
                Ok(resolution)
            }),
        )
        .await?;
    let decision = decided
        .lock()
        .ok()
        .and_then(|mut d| d.take())
        .ok_or_else(|| ApiError::internal("the decision was not kept"))?;
    let refunds = carry_out_refunds(state, store_id, stored.order.as_ref(), stored.refunds.clone()).await?;
    let StoredResolution { case, returns, claims, order, .. } = stored;
    Ok(RemedyOutcome { case, decision, returns, claims, order, refunds })
}

fn carry_out(
    ctx: &ResolutionContext,
    (input, replacements): (&RemedyRequest, &[ExchangeItem]),
    policy: &Policy,
    history: &CustomerHistory,
    actor: &Actor,
    money: &RemedyMoney,
    now: OffsetDateTime,
) -> Result<(Resolution, Decision), ResolutionError> {
    let (claim_id, return_id) = (money.claim_id, money.return_id);
    let case = &ctx.case;
    // What the request names, else what the case was opened about, else the whole order.
    let lines = if input.lines.is_empty() { case.lines.clone() } else { input.lines.clone() };
    let facts = CaseFacts {
        kind: case.kind,
        lines: lines.clone(),
        photos_provided: input.photos_provided,
        carrier_allows_intercept: input.carrier_allows_intercept,
        language: case.language.clone(),
    };
    let decision = decide(&facts, ctx.order.as_ref(), policy, history, now)?;
    let remedy = input.remedy;
    let offer = decision.offer(remedy).cloned().ok_or_else(|| ResolutionError::NotOffered(remedy.to_string()))?;
    if offer.needs_photos {
        return Err(ValidationError::new("photos_provided", "this remedy needs the customer's photos first").into());
    }
    if offer.needs_approval && input.approved_by.is_none() {
        return Err(ResolutionError::NeedsApproval(remedy.to_string()));
    }
    let amount = match (remedy, input.amount) {
        (Remedy::PartialRefund, Some(amount)) => {
            let goods = decision.amounts.as_ref().map(|a| a.goods);
            let fits = goods.is_some_and(|g| {
                amount.currency == g.currency && amount.amount_minor > 0 && amount.amount_minor <= g.amount_minor
            });
            if !fits {
                let most = goods.map_or_else(|| "-".to_owned(), |g| g.to_string());
                return Err(ValidationError::new("amount", format!("give more than zero and at most {most}")).into());
            }
            Some(amount)
        }
        (Remedy::PartialRefund, None) => {
            return Err(ValidationError::new("amount", "say how much to refund").into());
        }
        (_, Some(_)) => {
            return Err(ValidationError::new("amount", "only a partial refund takes an amount").into());
        }
        (_, None) => offer.amount,
    };
    if !replacements.is_empty() && remedy != Remedy::Exchange {
        return Err(ValidationError::new("replacements", "only an exchange takes replacements").into());
    }
    if let Some(i) = replacements.iter().position(|r| r.quantity == 0) {
        return Err(ValidationError::new(format!("replacements[{i}].quantity"), "must be at least 1").into());
    }
    let mut entries = vec![redress_domain::TimelineEntry {
        at: now,
        actor: Actor::System,
        event: CaseEvent::Decided {
            policy_id: decision.policy_id.clone(),
            policy_version: decision.policy_version,
            offers: decision.offers.iter().map(|o| o.remedy).collect(),
            recommended: decision.recommended,
            rules: decision.reasons.iter().map(|r| r.rule).collect(),
        },
    }];
    let fault_change = case.attribute_fault(&decision.fault, now);
    if let Some(change) = &fault_change {
        entries.extend(change.entries.iter().cloned());
    }
    let mut returns = Vec::new();
    let mut claims = Vec::new();
    let mut order_after = None;
    let refunds = remedy_refunds(ctx, remedy, amount, input, money)?;
    let mut reference = refunds.first().map(|ask| ask.request.id.to_string());
    match remedy {
        Remedy::AmendOrder => {
            return Err(ValidationError::new(
                "remedy",
                "send the change itself to POST /api/v1/cases/{case_id}/amendments",
            )
            .into());
        }
        Remedy::CancelOrder => {
            let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
            let amended =
                amend(order, &Amendment::CancelOrder, policy, &StockLevels::new(), false, &case.language, now)?;
            entries.push(amendment_entry(order, &amended, actor, now));
            order_after = Some(amended.order);
        }
        Remedy::ReturnRefund | Remedy::Exchange | Remedy::StoreCredit if offer.requires_return => {
            let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
            let lines: Vec<RequestedLine> = if lines.is_empty() {
                let left = returnable_units(order, &ctx.returns);
                order
                    .lines
                    .iter()
                    .filter_map(|l| {
                        let quantity = left.get(l.sku.as_str()).copied().unwrap_or(0);
                        (quantity > 0).then(|| RequestedLine { sku: l.sku.clone(), quantity, reason: case.kind })
                    })
                    .collect()
            } else {
                lines
                    .iter()
                    .map(|l| RequestedLine { sku: l.sku.clone(), quantity: l.quantity, reason: case.kind })
                    .collect()
            };
            let new = NewReturn { id: return_id, case_id: case.id, lines, fault: decision.fault.case };
            let requested = ReturnAuthorisation::request(new, order, &ctx.returns, actor, now)?;
            entries.extend(requested.entries);
            // The policy offered it without approval (or a person approved it): approved at once.
            let mut approved = requested.rma.approve(actor, now)?;
            if remedy == Remedy::Exchange {
                approved.rma.exchange_wanted = replacements.to_vec();
            }
            entries.extend(approved.entries);
            reference = Some(approved.rma.id.to_string());
            // A loss put right through a return is also a claim, refunded once the items are back.
            if is_claim_kind(case.kind) && remedy == Remedy::ReturnRefund {
                let new = NewClaim {
                    id: claim_id,
                    case_id: case.id,
                    kind: case.kind,
                    lines: approved
                        .rma
                        .lines
                        .iter()
                        .map(|l| LineQuantity { sku: l.sku.clone(), quantity: l.quantity })
                        .collect(),
                    resolution: ClaimResolution::RefundWithReturn,
                    fault: decision.fault.case,
                    carrier_reference: input.carrier_reference.clone(),
                    return_id: Some(approved.rma.id),
                };
                let (claim, entry) = Claim::file(new, order, actor, now)?;
                entries.push(entry);
                claims.push(claim);
            }
            returns.push(approved.rma);
        }
        Remedy::Reship | Remedy::RefundKeepItem if is_claim_kind(case.kind) => {
            let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
            let resolution =
                if remedy == Remedy::Reship { ClaimResolution::Reship } else { ClaimResolution::RefundWithoutReturn };
            let new = NewClaim {
                id: claim_id,
                case_id: case.id,
                kind: case.kind,
                lines: lines.clone(),
                resolution,
                fault: decision.fault.case,
                carrier_reference: input.carrier_reference.clone(),
                return_id: None,
            };
            let (claim, entry) = Claim::file(new, order, actor, now)?;
            entries.push(entry);
            reference = Some(claim.id.to_string());
            claims.push(claim);
        }
        _ => {}
    }
    entries.push(redress_domain::TimelineEntry {
        at: now,
        actor: actor.clone(),
        event: CaseEvent::RemedyCarriedOut { remedy, amount, reference },
    });
    // Where the case stands once the remedy is under way.
    let status = match remedy {
        Remedy::ReturnRefund | Remedy::Exchange | Remedy::StoreCredit if offer.requires_return => {
            CaseStatus::WaitingOnCustomer
        }
        Remedy::CarrierTrace => CaseStatus::WaitingOnThirdParty,
        Remedy::Escalate => CaseStatus::Open,
        _ => CaseStatus::Resolved,
    };
    let mut change = case.record(entries, now).moving_to(status, actor, now);
    if let Some(fault) = fault_change {
        change.case.fault = fault.case.fault;
    }
    Ok((Resolution { order: order_after, returns, claims, refunds, ..Resolution::of(change) }, decision))
}

fn amendment_entry(
    order: &Order,
    amended: &redress_domain::amendment::AmendedOrder,
    actor: &Actor,
    now: OffsetDateTime,
) -> redress_domain::TimelineEntry {
    redress_domain::TimelineEntry {
        at: now,
        actor: actor.clone(),
        event: CaseEvent::OrderAmended {
            order_id: order.id,
            amendment: amended.kind.to_owned(),
            before: amended.before.clone(),
            after: amended.after.clone(),
            difference: amended.difference,
        },
    }
}

/// An amendment to the case's order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentRequest {
    /// The change.
    pub amendment: Amendment,
    /// Units in stock per SKU, as the shop's stock system reports them, for swaps and larger quantities.
    #[serde(default)]
    pub stock: BTreeMap<String, u32>,
    /// The carrier can stop a parcel in transit (offered as an alternative when it is too late).
    #[serde(default)]
    pub carrier_allows_intercept: bool,
}

/// An order after an amendment.
#[derive(Serialize, ToSchema)]
pub struct AmendmentOutcome {
    /// The case.
    pub case: Case,
    /// The order as it now is.
    pub order: Order,
    /// The changed part before, in words.
    pub before: String,
    /// The changed part after, in words.
    pub after: String,
    /// What the customer owes (positive) or is owed (negative), for the money layer to settle.
    pub difference: Money,
}

/// Amends the case's order before it ships: address, variant (with a stock check), quantity,
/// billing details, cancel a line or the whole order. Once the carrier has it, refused with
/// 409 `too_late_to_amend`, the reason in the customer's language and the alternatives.
/// Takes an `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/amendments", tag = "resolution", request_body = AmendmentRequest,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    security(("store_key" = [])),
    responses((status = 200, body = AmendmentOutcome), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Too late, out of stock, no change, or the order is cancelled", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn amend_order(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    request: IdempotentJson<AmendmentRequest>,
) -> Result<Response, ApiError> {
    let case_id: CaseId = path_id(&case_id, "case")?;
    let store_id = caller.store_id;
    let actor = caller.actor();
    let input = request.body;
    let writer = state.clone();
    idempotently(&state, store_id, (request.key, request.request_hash), StatusCode::OK, |key| async move {
        amend_order_for(&writer, store_id, case_id, input, actor, key).await
    })
    .await
}

/// Amends a case's order by `actor` and resolves the case, with the amendment on its timeline:
/// the one way the API and the customer portal both take.
pub(crate) async fn amend_order_for(
    state: &AppState,
    store_id: StoreId,
    case_id: CaseId,
    input: AmendmentRequest,
    actor: Actor,
    key: Option<IdempotencyKey>,
) -> Result<AmendmentOutcome, ApiError> {
    let policy = policy_of(state, store_id).await?;
    let stored = state
        .storage()
        .resolve_case(
            store_id,
            case_id,
            key,
            Box::new(move |ctx: &ResolutionContext| {
                let now = OffsetDateTime::now_utc();
                let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
                let amended = amend(
                    order,
                    &input.amendment,
                    &policy,
                    &input.stock,
                    input.carrier_allows_intercept,
                    &ctx.case.language,
                    now,
                )
                .map_err(|e| match e {
                    redress_domain::amendment::AmendmentError::Invalid(v) => {
                        ResolutionError::Invalid(v.within("amendment"))
                    }
                    other => other.into(),
                })?;
                let entry = amendment_entry(order, &amended, &actor, now);
                let change = ctx.case.record(vec![entry], now).moving_to(CaseStatus::Resolved, &actor, now);
                Ok(Resolution { order: Some(amended.order), ..Resolution::of(change) })
            }),
        )
        .await?;
    let order = stored.order.ok_or_else(|| ApiError::internal("the amended order was not returned"))?;
    let (before, after, difference) = stored
        .entries
        .iter()
        .find_map(|e| match &e.entry.event {
            CaseEvent::OrderAmended { before, after, difference, .. } => {
                Some((before.clone(), after.clone(), *difference))
            }
            _ => None,
        })
        .ok_or_else(|| ApiError::internal("the amendment was not recorded"))?;
    Ok(AmendmentOutcome { case: stored.case, order, before, after, difference })
}

/// A return to request, line by line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// What comes back, with the reason for each line.
    pub lines: Vec<RequestedLine>,
}

/// A return and the case it belongs to.
#[derive(Serialize, ToSchema)]
pub struct ReturnOutcome {
    /// The case.
    pub case: Case,
    /// The return.
    #[serde(rename = "return")]
    pub rma: ReturnAuthorisation,
    /// The refund a settlement asked for (refund or credit), carried out like any refund.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refunds: Vec<RefundView>,
}

/// Requests a return of delivered lines, each with its reason (from the taxonomy) and quantity;
/// it waits in `requested` for approval. Takes an `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/returns", tag = "resolution", request_body = ReturnRequest,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    security(("store_key" = [])),
    responses((status = 201, body = ReturnOutcome), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_return(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    request: IdempotentJson<ReturnRequest>,
) -> Result<Response, ApiError> {
    let case_id: CaseId = path_id(&case_id, "case")?;
    let store_id = caller.store_id;
    let actor = caller.actor();
    let return_id = new_id(ReturnId::from_uuid);
    let lines = request.body.lines;
    let writer = state.clone();
    idempotently(&state, store_id, (request.key, request.request_hash), StatusCode::CREATED, |key| async move {
        let stored = writer
            .storage()
            .resolve_case(
                store_id,
                case_id,
                key,
                Box::new(move |ctx: &ResolutionContext| {
                    let now = OffsetDateTime::now_utc();
                    let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
                    let new = NewReturn { id: return_id, case_id: ctx.case.id, lines, fault: ctx.case.fault.case };
                    let change = ReturnAuthorisation::request(new, order, &ctx.returns, &actor, now)?;
                    Ok(Resolution { returns: vec![change.rma], ..Resolution::of(ctx.case.record(change.entries, now)) })
                }),
            )
            .await?;
        one_return(stored)
    })
    .await
}

fn one_return(stored: StoredResolution) -> Result<ReturnOutcome, ApiError> {
    let rma = stored.returns.into_iter().next().ok_or_else(|| ApiError::internal("the return was not written"))?;
    Ok(ReturnOutcome { case: stored.case, rma, refunds: Vec::new() })
}

/// A case's returns and claims.
#[derive(Serialize, ToSchema)]
pub struct ReturnsAndClaims {
    /// Returns, oldest first.
    pub returns: Vec<ReturnAuthorisation>,
    /// Claims, oldest first.
    pub claims: Vec<Claim>,
}

/// A case's returns and claims.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/returns", tag = "resolution",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = ReturnsAndClaims), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_returns(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
) -> Result<Json<ReturnsAndClaims>, ApiError> {
    let storage = state.storage();
    let case = storage.case(caller.store_id, path_id(&case_id, "case")?).await?;
    let (returns, claims) = tokio::try_join!(
        storage.returns_of_case(caller.store_id, case.id),
        storage.claims_of_case(caller.store_id, case.id)
    )?;
    Ok(Json(ReturnsAndClaims { returns, claims }))
}

/// A step in a return's lifecycle.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ReturnAction {
    /// Accept the request.
    Approve,
    /// Refuse it, saying why.
    Reject {
        /// Why.
        reason: String,
    },
    /// Issue the return label; its cost and payer come from the policy unless given.
    IssueLabel {
        /// Carrier.
        carrier: String,
        /// The label's tracking number.
        tracking_number: String,
        /// What the label costs, if not the policy's price.
        #[serde(default)]
        cost: Option<Money>,
    },
    /// The parcel is on its way back.
    MarkInTransit,
    /// The parcel arrived.
    Receive,
    /// Inspection results, one per line, keyed by SKU.
    Inspect {
        /// Results by SKU.
        lines: BTreeMap<String, LineInspection>,
    },
    /// Refund; by default the accepted lines less the customer's label and restocking fee.
    Refund {
        /// The amount, if not the default.
        #[serde(default)]
        amount: Option<Money>,
    },
    /// Store credit; by default the accepted lines plus the policy's bonus.
    Credit {
        /// The amount, if not the default.
        #[serde(default)]
        amount: Option<Money>,
    },
    /// Exchange for other items, settling the price difference; `instant` ships before the return arrives.
    Exchange {
        /// What is sent instead.
        replacements: Vec<ExchangeItem>,
        /// Ship now, holding the returned goods' value until the parcel arrives.
        #[serde(default)]
        instant: bool,
    },
    /// Finish an instant exchange once the return is inspected.
    CompleteExchange,
    /// Close the return.
    Close {
        /// A closing note.
        #[serde(default)]
        note: Option<String>,
    },
    /// Call the return off (only before it is received).
    Cancel {
        /// Why.
        #[serde(default)]
        reason: Option<String>,
    },
}

/// Moves a return through its lifecycle: approve or reject, issue label, in transit, receive,
/// inspect each line, then refund, exchange, credit or close; cancel before receipt. A step the
/// lifecycle does not allow is 409 `illegal_transition` and changes nothing. Refunding or
/// crediting asks for the money in the same transaction (to the original payment method, or as
/// store credit with the policy's bonus), the label the customer pays and the restocking fee
/// kept as fees of their own, and carries it out like POST /cases/{id}/refunds. Takes an
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/returns/{return_id}/actions", tag = "resolution",
    request_body = ReturnAction,
    params(("case_id" = String, Path, description = "The case's id"), ("return_id" = String, Path, description = "The return's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    security(("store_key" = [])),
    responses((status = 200, body = ReturnOutcome), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed from the return's status", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn move_return(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path((case_id, return_id)): Path<(String, String)>,
    request: IdempotentJson<ReturnAction>,
) -> Result<Response, ApiError> {
    let case_id: CaseId = path_id(&case_id, "case")?;
    let return_id: ReturnId = path_id(&return_id, "return")?;
    let store_id = caller.store_id;
    let policy = policy_of(&state, store_id).await?;
    let actor = caller.actor();
    let action = request.body;
    let money = RemedyMoney {
        approval: approval_policy(&state, store_id).await?,
        requested_by: caller_person(&caller)?,
        key_base: format!("return-{}", &refund_key_base(case_id, request.key.as_deref())["remedy-".len()..]),
        ids: [new_id(RefundId::from_uuid), new_id(RefundId::from_uuid)],
        claim_id: new_id(ClaimId::from_uuid),
        return_id,
    };
    let writer = state.clone();
    idempotently(&state, store_id, (request.key, request.request_hash), StatusCode::OK, |key| async move {
        let stored = writer
            .storage()
            .resolve_case(
                store_id,
                case_id,
                key,
                Box::new(move |ctx: &ResolutionContext| {
                    let now = OffsetDateTime::now_utc();
                    let rma = ctx
                        .returns
                        .iter()
                        .find(|r| r.id == return_id && r.case_id == ctx.case.id)
                        .ok_or_else(|| ValidationError::new("return_id", "no return with that id on this case"))?;
                    let settlement = settlement_money(rma, &action, &policy)?;
                    let change = apply_action(rma, action, &policy, &actor, now)?;
                    let refunds = match (settlement, ctx.order.as_ref()) {
                        (Some(settlement), Some(order)) => {
                            vec![settlement_refund(ctx, order, &change.rma, settlement, &money)?]
                        }
                        _ => Vec::new(),
                    };
                    // Money back, an exchange or credit settles the case; a refused return leaves it open.
                    let case_change = match change.rma.status {
                        ReturnStatus::Refunded | ReturnStatus::Exchanged | ReturnStatus::Credited => {
                            ctx.case.record(change.entries, now).moving_to(CaseStatus::Resolved, &actor, now)
                        }
                        ReturnStatus::Rejected | ReturnStatus::Cancelled => {
                            ctx.case.record(change.entries, now).moving_to(CaseStatus::Open, &actor, now)
                        }
                        _ => ctx.case.record(change.entries, now),
                    };
                    Ok(Resolution { returns: vec![change.rma], refunds, ..Resolution::of(case_change) })
                }),
            )
            .await
            .map_err(|e| match e {
                redress_storage::StorageError::Resolution(ResolutionError::Invalid(v)) if v.field == "return_id" => {
                    ApiError::not_found("return")
                }
                other => other.into(),
            })?;
        let refunds = carry_out_refunds(&writer, store_id, stored.order.as_ref(), stored.refunds.clone()).await?;
        Ok(ReturnOutcome { refunds, ..one_return(stored)? })
    })
    .await
}

/// The money a return's settlement moves: how, what the customer gets, the fees kept and the
/// store credit bonus.
struct Settlement {
    method: RefundMethod,
    amount: Money,
    fees: Vec<Fee>,
    bonus: Money,
}

/// What refunding or crediting `rma` moves, before the step is taken: by default, the accepted
/// lines less the label the customer pays and the restocking fee (each kept as a fee), or as
/// credit the accepted lines plus the policy's bonus; an amount given is taken as it is (above
/// the accepted value, the rest of a credit is its bonus). None for any other action.
fn settlement_money(
    rma: &ReturnAuthorisation,
    action: &ReturnAction,
    policy: &Policy,
) -> Result<Option<Settlement>, ResolutionError> {
    let money = |e| ResolutionError::Return(redress_domain::returns::ReturnError::Money(e));
    let accepted = rma.accepted_value().map_err(money)?;
    let zero = Money::zero(rma.currency);
    Ok(match action {
        ReturnAction::Refund { amount: Some(amount) } => {
            Some(Settlement { method: RefundMethod::OriginalPayment, amount: *amount, fees: Vec::new(), bonus: zero })
        }
        ReturnAction::Refund { amount: None } => {
            let mut fees = Vec::new();
            if let Some(label) = &rma.label
                && label.paid_by == Payer::Customer
                && label.cost.amount_minor > 0
            {
                fees.push(Fee { kind: FeeKind::ReturnShipping, amount: label.cost });
            }
            if rma.fault == Fault::Customer {
                let fee = percent_of(accepted, policy.returns.restocking_fee_percent).map_err(money)?;
                if fee.amount_minor > 0 {
                    fees.push(Fee { kind: FeeKind::Restocking, amount: fee });
                }
            }
            let amount = default_refund(rma, policy)?;
            Some(Settlement { method: RefundMethod::OriginalPayment, amount, fees, bonus: zero })
        }
        ReturnAction::Credit { amount } => {
            let bonus = percent_of(accepted, policy.store_credit.bonus_percent).map_err(money)?;
            let total = match amount {
                Some(amount) => *amount,
                None => accepted.checked_add(&bonus).map_err(money)?,
            };
            let base = if total.amount_minor > accepted.amount_minor { accepted } else { total };
            let bonus = total.checked_sub(&base).map_err(money)?;
            Some(Settlement { method: RefundMethod::StoreCredit, amount: base, fees: Vec::new(), bonus })
        }
        _ => None,
    })
}

/// The refund a settled return asks for, with the accepted lines when the refund (and its fees)
/// is exactly their value.
fn settlement_refund(
    ctx: &ResolutionContext,
    order: &Order,
    settled: &ReturnAuthorisation,
    settlement: Settlement,
    money: &RemedyMoney,
) -> Result<RefundAsk, ResolutionError> {
    let lines: Vec<RefundLine> = settled
        .lines
        .iter()
        .filter(|l| {
            l.inspection.as_ref().is_some_and(|i| i.outcome == redress_domain::returns::InspectionOutcome::Accepted)
        })
        .map(|l| {
            Ok(RefundLine { sku: l.sku.clone(), quantity: l.quantity, amount: l.unit_price.checked_mul(l.quantity)? })
        })
        .collect::<Result<_, redress_domain::MoneyError>>()
        .map_err(|e| ResolutionError::Return(redress_domain::returns::ReturnError::Money(e)))?;
    let gross = settlement.fees.iter().try_fold(settlement.amount, |sum, fee| sum.checked_add(&fee.amount));
    let value = lines.iter().try_fold(Money::zero(order.currency), |sum, l| sum.checked_add(&l.amount));
    let lines = if gross.is_ok() && gross == value { lines } else { Vec::new() };
    let payment_id = payment_for(order, settlement.amount, false)?;
    let key = RefundKey::parse(&format!("{}-{}", money.key_base, settled.id))?;
    let asked = RefundAsked {
        payment_id: Some(payment_id),
        method: settlement.method,
        reason: RefundReason::Items,
        amount: settlement.amount,
        lines,
        fees: settlement.fees,
        bonus: Some(settlement.bonus),
        note: Some(format!("return {}", settled.id)),
        requested_by: money.requested_by.clone(),
        customer_flagged: false,
    };
    Ok(RefundAsk {
        request: refund_request(&ctx.case, order, money.ids[0], key, asked)?,
        policy: money.approval.clone(),
    })
}

fn apply_action(
    rma: &ReturnAuthorisation,
    action: ReturnAction,
    policy: &Policy,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<redress_domain::returns::ReturnChange, ResolutionError> {
    let change = match action {
        ReturnAction::Approve => rma.approve(actor, now)?,
        ReturnAction::Reject { reason } => rma.reject(&reason, actor, now)?,
        ReturnAction::IssueLabel { carrier, tracking_number, cost } => {
            let cost = cost
                .or_else(|| amount_in(&policy.returns.label_cost, rma.currency))
                .unwrap_or(Money::zero(rma.currency));
            if cost.currency != rma.currency {
                return Err(ValidationError::new("cost.currency", format!("must be {}", rma.currency)).into());
            }
            let paid_by = policy.return_shipping_payer(rma.fault);
            rma.issue_label(ReturnLabel { carrier, tracking_number, cost, paid_by }, actor, now)?
        }
        ReturnAction::MarkInTransit => rma.mark_in_transit(actor, now)?,
        ReturnAction::Receive => rma.receive(actor, now)?,
        ReturnAction::Inspect { lines } => {
            rma.check_conditions(&lines, &policy.returns.condition)?;
            rma.inspect(&lines, actor, now)?
        }
        ReturnAction::Refund { amount } => {
            let amount = match amount {
                Some(amount) => amount,
                None => default_refund(rma, policy)?,
            };
            rma.refund(amount, actor, now)?
        }
        ReturnAction::Credit { amount } => {
            let accepted = rma.accepted_value().map_err(redress_domain::returns::ReturnError::from)?;
            let bonus = percent_of(accepted, policy.store_credit.bonus_percent)
                .map_err(redress_domain::returns::ReturnError::from)?;
            let amount = match amount {
                Some(amount) => amount,
                None => accepted.checked_add(&bonus).map_err(redress_domain::returns::ReturnError::from)?,
            };
            rma.credit(amount, policy.store_credit.bonus_percent, actor, now)?
        }
        ReturnAction::Exchange { replacements, instant } => rma.exchange(replacements, instant, actor, now)?,
        ReturnAction::CompleteExchange => rma.complete_exchange(actor, now)?,
        ReturnAction::Close { note } => rma.close(note.as_deref(), actor, now)?,
        ReturnAction::Cancel { reason } => rma.cancel(reason.as_deref(), actor, now)?,
    };
    Ok(change)
}

/// The refund after inspection: accepted lines, less the label when the customer pays it and
/// the restocking fee when the customer changed their mind.
fn default_refund(rma: &ReturnAuthorisation, policy: &Policy) -> Result<Money, ResolutionError> {
    let money = |e| ResolutionError::Return(redress_domain::returns::ReturnError::Money(e));
    let accepted = rma.accepted_value().map_err(money)?;
    let mut amount = accepted;
    if let Some(label) = &rma.label
        && label.paid_by == Payer::Customer
    {
        amount = amount.checked_sub(&label.cost).map_err(money)?;
    }
    if rma.fault == Fault::Customer {
        let fee = percent_of(accepted, policy.returns.restocking_fee_percent).map_err(money)?;
        amount = amount.checked_sub(&fee).map_err(money)?;
    }
    Ok(amount)
}

/// A change of fault, by a person, with a note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultChange {
    /// The line's SKU; absent for the whole case.
    #[serde(default)]
    pub sku: Option<String>,
    /// Who caused it.
    pub fault: Fault,
    /// Why; required.
    pub note: String,
}

/// Changes who is at fault, for the case or one line, with a note saying why. Fault decides who
/// pays return shipping and whether compensation is offered. Takes an `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/fault", tag = "resolution", request_body = FaultChange,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Retries with the same key get the first answer")),
    security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_fault(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    request: IdempotentJson<FaultChange>,
) -> Result<Response, ApiError> {
    let case_id: CaseId = path_id(&case_id, "case")?;
    let store_id = caller.store_id;
    let actor = caller.actor();
    let input = request.body;
    let writer = state.clone();
    idempotently(&state, store_id, (request.key, request.request_hash), StatusCode::OK, |key| async move {
        let stored = writer
            .storage()
            .resolve_case(
                store_id,
                case_id,
                key,
                Box::new(move |ctx: &ResolutionContext| {
                    if let Some(sku) = &input.sku
                        && !ctx.order.as_ref().is_some_and(|o| o.lines.iter().any(|l| l.sku == *sku))
                    {
                        return Err(ValidationError::new("sku", format!("`{sku}` is not on the case's order")).into());
                    }
                    let now = OffsetDateTime::now_utc();
                    let change = ctx.case.change_fault(input.sku.as_deref(), input.fault, &input.note, &actor, now)?;
                    Ok(Resolution::of(change))
                }),
            )
            .await?;
        Ok(stored.case)
    })
    .await
}

/// A store's policy.
#[derive(Serialize, ToSchema)]
pub struct PolicyView {
    /// The policy in force.
    pub policy: Policy,
    /// Its TOML document.
    pub source: String,
    /// True when the store has saved none and the default applies.
    pub default: bool,
}

/// The store's policy in force, parsed and as written.
#[utoipa::path(get, path = "/api/v1/policy", tag = "resolution", security(("store_key" = [])),
    responses((status = 200, body = PolicyView), (status = 401, body = ErrorBody)))]
pub(crate) async fn get_policy(
    State(state): State<AppState>,
    caller: StoreCaller,
) -> Result<Json<PolicyView>, ApiError> {
    Ok(Json(match state.storage().policy(caller.store_id).await? {
        Some(stored) => PolicyView { policy: stored.policy, source: stored.source, default: false },
        None => PolicyView {
            policy: Policy::standard(),
            source: redress_domain::policy::STANDARD_POLICY_TOML.to_owned(),
            default: true,
        },
    }))
}

/// A policy document.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// The TOML document; see the default with GET /api/v1/policy. Or leave it out and name a preset.
    #[serde(default)]
    pub source: Option<String>,
    /// `default` or `eu_withdrawal`, instead of a document.
    #[serde(default)]
    pub preset: Option<String>,
}

fn read_policy(document: &PolicyDocument) -> Result<(Policy, String), ApiError> {
    let source = match (&document.source, document.preset.as_deref()) {
        (Some(source), None) => source.clone(),
        (None, Some("default")) => redress_domain::policy::STANDARD_POLICY_TOML.to_owned(),
        (None, Some("eu_withdrawal")) => redress_domain::policy::EU_WITHDRAWAL_TOML.to_owned(),
        (None, Some(other)) => {
            return Err(ApiError {
                code: "unknown_value",
                ..ApiError::invalid("preset", format!("`{other}` is not a preset; use default or eu_withdrawal"))
            });
        }
        _ => return Err(ApiError::invalid("source", "give either a `source` document or a `preset`")),
    };
    let policy = Policy::from_toml(&source).map_err(|e| ApiError::invalid("source", e.to_string()))?;
    Ok((policy, source))
}

/// Saves a new version of the store's policy. The document is checked on load: errors name
/// the line and the field. Its `version` must be above the one in force.
#[utoipa::path(put, path = "/api/v1/policy", tag = "resolution", request_body = PolicyDocument,
    security(("store_key" = [])),
    responses((status = 200, body = PolicyView), (status = 400, description = "The document's line and field at fault", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 409, description = "The version is not above the one in force", body = ErrorBody)))]
pub(crate) async fn put_policy(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiJson(document): ApiJson<PolicyDocument>,
) -> Result<Json<PolicyView>, ApiError> {
    let (policy, source) = read_policy(&document)?;
    let stored = StoredPolicy { policy: policy.clone(), source: source.clone(), saved_at: OffsetDateTime::now_utc() };
    state.storage().save_policy(caller.store_id, &stored).await?;
    Ok(Json(PolicyView { policy, source, default: false }))
}

/// What a proposed policy would change.
#[derive(Serialize, ToSchema)]
pub struct DryRun {
    /// Cases replayed.
    pub cases_replayed: usize,
    /// The cases whose decision would change.
    pub changes: Vec<ReplayChange>,
}

/// Dry run: replays a proposed policy against the store's latest 500 cases (with their orders
/// as they are now, at the time each case was opened) and reports the decisions that would
/// change. Nothing is saved or carried out.
#[utoipa::path(post, path = "/api/v1/policy/dry-run", tag = "resolution", request_body = PolicyDocument,
    security(("store_key" = [])),
    responses((status = 200, body = DryRun), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn dry_run_policy(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiJson(document): ApiJson<PolicyDocument>,
) -> Result<Json<DryRun>, ApiError> {
    let (proposed, _) = read_policy(&document)?;
    let current = policy_of(&state, caller.store_id).await?;
    let storage = state.storage();
    let page = storage.cases(caller.store_id, &CaseFilter::default(), None, 500).await?;
    let mut past = Vec::with_capacity(page.cases.len());
    for case in page.cases {
        let order = match case.order_id {
            Some(id) => Some(storage.order(caller.store_id, id).await?),
            None => None,
        };
        past.push(PastCase {
            case_id: case.id,
            facts: CaseFacts {
                kind: case.kind,
                lines: vec![],
                photos_provided: false,
                carrier_allows_intercept: false,
                language: case.language.clone(),
            },
            order,
            history: CustomerHistory::default(),
            decided_at: case.created_at,
        });
    }
    let changes = replay(&current, &proposed, &past).map_err(ResolutionError::from)?;
    Ok(Json(DryRun { cases_replayed: past.len(), changes }))
}
