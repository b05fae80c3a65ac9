//! Carrying out a remedy, decided once: [`plan_remedy`] takes what one resolution step reads
//! (the case, its order, the order's returns, claims and refunds, as they are inside the
//! transaction) and returns everything the step writes (the case change with the decision, the
//! fault and the remedy on the timeline; the return opened, the claim filed, the order
//! cancelled; the refunds the remedy asks for), or a typed refusal. Storage commits the plan
//! or nothing; the application only loads, calls and answers.
//!
//! Rules kept here for every path (portal, desk, API, assistant):
//! - a remedy must be among the options the policy offers now;
//! - a unit gets one remedy: units already refunded, replaced or returned are refused
//!   ([`crate::given`]), and goodwill compensation is given once per case unless the policy
//!   lets it repeat;
//! - a remedy the policy offers only with approval is carried out pending a second person:
//!   its refunds wait in the approvals queue and its return waits to be approved, and the
//!   person who asked can never be the one who approves;
//! - every refund of goods names its lines, so the per-line checks always run.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::amendment::{AmendedOrder, Amendment, StockLevels, amend};
use crate::approval::{ApprovalPolicy, Person};
use crate::case::CaseStatus;
use crate::claim::{Claim, ClaimResolution, NewClaim, is_claim_kind};
use crate::decision::{CaseFacts, CustomerHistory, Decision, LineQuantity, decide, gives_for_units};
use crate::given::Given;
use crate::ids::{CaseId, ClaimId, PaymentId, RefundId, ReturnId};
use crate::money::Money;
use crate::order::Order;
use crate::policy::Policy;
use crate::refund::{Fee, IdempotencyKey, RefundLine, RefundMethod, RefundReason, RefundRequest};
use crate::resolution::{RefundAsk, Resolution, ResolutionContext, ResolutionError};
use crate::returns::{ExchangeItem, NewReturn, RequestedLine, ReturnApproval, ReturnAuthorisation, returnable_units};
use crate::store::ValidationError;
use crate::taxonomy::Remedy;
use crate::timeline::{Actor, CaseEvent, TimelineEntry};

/// A remedy to carry out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The agent flags the customer for review: the remedy's refunds wait for a second person.
    #[serde(default)]
    pub customer_flagged: bool,
}

/// What carrying out a remedy needs beside the request: ids of what it may create, and who
/// asks for the money it moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemedyMoney {
    /// The claim's id, if it files one.
    pub claim_id: ClaimId,
    /// The return's id, if it opens one.
    pub return_id: ReturnId,
    /// The store's approval and abuse rules.
    pub approval: ApprovalPolicy,
    /// Who asks, as authenticated.
    pub requested_by: Person,
    /// The start of the refunds' idempotency keys (derived from the request's own key, so a
    /// retry finds the same refunds).
    pub key_base: String,
    /// Ids for the refunds: the goods, and the shipping.
    pub refund_ids: [RefundId; 2],
}

/// What a refund is asked with, whichever path asks for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundAsked {
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
    /// Why a second person must decide whatever the amount.
    pub needs_approval: Option<String>,
    /// The return it settles.
    pub return_id: Option<ReturnId>,
}

/// The one way a refund request is made, for a refund asked on its own and for a remedy
/// alike: on the case's order, in the order's currency, to the order's customer. Amounts, lines
/// against the order, value bounds, what a payment can give back and the approval rules are
/// checked when storage writes it.
pub fn refund_request(
    case_id: CaseId,
    store_order: &Order,
    id: RefundId,
    idempotency_key: IdempotencyKey,
    asked: RefundAsked,
) -> Result<RefundRequest, ValidationError> {
    let order = store_order;
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
        store_id: order.store_id,
        order_id: order.id,
        case_id,
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
        needs_approval: asked.needs_approval,
        return_id: asked.return_id,
    })
}

/// The payment a refund of `amount` goes back to: one with that much left as the order reports
/// it, the latest for a duplicate charge (the second capture), the first otherwise. Storage
/// still checks what Redress itself has refunded or reserved on it.
pub fn payment_for(order: &Order, amount: Money, latest: bool) -> Result<PaymentId, ValidationError> {
    let fits = |p: &&crate::order::Payment| {
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

/// The lines a remedy is about: what the request names, else what the case was opened
/// about, else (empty) the whole order.
fn concerned(ctx: &ResolutionContext, request: &RemedyRequest) -> Vec<LineQuantity> {
    if request.lines.is_empty() { ctx.case.lines.clone() } else { request.lines.clone() }
}

/// The value of `lines` of `order`, line by line, as refund lines.
fn refund_lines(order: &Order, lines: &[LineQuantity]) -> Result<Vec<RefundLine>, ValidationError> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let ordered = order.lines.iter().find(|o| o.sku == l.sku).ok_or_else(|| {
                ValidationError::new(format!("lines[{i}].sku"), format!("`{}` is not on the order", l.sku))
            })?;
            let amount = ordered
                .unit_price
                .checked_mul(l.quantity)
                .map_err(|e| ValidationError::new(format!("lines[{i}]"), e.to_string()))?;
            Ok(RefundLine { sku: l.sku.clone(), quantity: l.quantity, amount })
        })
        .collect()
}

/// Spreads `amount` over `lines` in proportion to their value (the last line takes the
/// rounding), so a partial refund names the units it is for.
fn spread(amount: Money, lines: Vec<RefundLine>) -> Result<Vec<RefundLine>, ValidationError> {
    let total: i128 = lines.iter().map(|l| i128::from(l.amount.amount_minor)).sum();
    if total <= 0 {
        return Err(ValidationError::new("lines", "the lines concerned have no value to refund"));
    }
    let mut left = i128::from(amount.amount_minor);
    let count = lines.len();
    let mut spread = Vec::with_capacity(count);
    for (i, line) in lines.into_iter().enumerate() {
        let share = if i + 1 == count {
            left
        } else {
            i128::from(amount.amount_minor) * i128::from(line.amount.amount_minor) / total
        };
        left -= share;
        let share = i64::try_from(share).map_err(|_| ValidationError::new("amount", "amount out of range"))?;
        if share > 0 {
            spread.push(RefundLine { amount: Money::new(share, amount.currency), ..line });
        }
    }
    Ok(spread)
}

/// The refunds a remedy moves money with: what, how and why, always with the lines of goods
/// it is for. A cancellation gives back what each payment still holds.
fn remedy_refunds(
    ctx: &ResolutionContext,
    request: &RemedyRequest,
    lines: &[LineQuantity],
    amount: Option<Money>,
    held: Option<&str>,
    money: &RemedyMoney,
) -> Result<Vec<RefundAsk>, ResolutionError> {
    let remedy = request.remedy;
    let Some(order) = ctx.order.as_ref() else {
        if request.refund_shipping.is_some() {
            return Err(ResolutionError::NoOrder);
        }
        return Ok(Vec::new());
    };
    let (method, reason) = match remedy {
        Remedy::RefundKeepItem | Remedy::PartialRefund => (RefundMethod::OriginalPayment, RefundReason::Items),
        Remedy::RefundDuplicateCharge => (RefundMethod::OriginalPayment, RefundReason::DuplicateCharge),
        Remedy::Compensation => (RefundMethod::GiftCard, RefundReason::Compensation),
        Remedy::CancelOrder if request.refund_shipping.is_none() => {
            (RefundMethod::OriginalPayment, RefundReason::Items)
        }
        _ if request.refund_shipping.is_some() => {
            return Err(ValidationError::new(
                "refund_shipping",
                "only a remedy that gives money back (refund_keep_item, partial_refund, refund_duplicate_charge, compensation) refunds shipping too",
            )
            .into());
        }
        _ => return Ok(Vec::new()),
    };
    let ask = |id: RefundId, suffix: &str, asked: RefundAsked| -> Result<RefundAsk, ResolutionError> {
        let key = IdempotencyKey::parse(&format!("{}-{suffix}", money.key_base))?;
        Ok(RefundAsk { request: refund_request(ctx.case.id, order, id, key, asked)?, policy: money.approval.clone() })
    };
    let asked = |payment_id: Option<PaymentId>, reason, amount, lines| RefundAsked {
        payment_id,
        method: if payment_id.is_some() { RefundMethod::OriginalPayment } else { method },
        reason,
        amount,
        lines,
        fees: Vec::new(),
        bonus: None,
        note: Some(format!("remedy {remedy}")),
        requested_by: money.requested_by.clone(),
        customer_flagged: request.customer_flagged,
        needs_approval: held.map(str::to_owned),
        return_id: None,
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
                asks.push(ask(RefundId::from_uuid(uuid_from(payment.id, money.refund_ids[0])), &suffix, refund)?);
            }
        }
        return Ok(asks);
    }
    if let Some(amount) = amount.filter(|a| a.amount_minor > 0) {
        let payment_id = match method {
            RefundMethod::GiftCard => None,
            _ => Some(payment_for(order, amount, remedy == Remedy::RefundDuplicateCharge)?),
        };
        // A refund of goods always names its units (so the per-line checks run): the lines'
        // value, or less (a restocking fee kept, a partial refund) spread over them.
        let lines = match remedy {
            Remedy::RefundKeepItem | Remedy::PartialRefund => {
                let full = refund_lines(order, lines)?;
                let value = full
                    .iter()
                    .try_fold(Money::zero(order.currency), |sum, l| sum.checked_add(&l.amount))
                    .map_err(|e| ValidationError::new("lines", e.to_string()))?;
                if value == amount { full } else { spread(amount, full)? }
            }
            _ => Vec::new(),
        };
        asks.push(ask(money.refund_ids[0], "goods", asked(payment_id, reason, amount, lines))?);
    }
    if let Some(shipping) = request.refund_shipping {
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
            money.refund_ids[1],
            "shipping",
            asked(Some(payment_id), RefundReason::Shipping, shipping, Vec::new()),
        )?);
    }
    Ok(asks)
}

/// A refund id per payment of a cancellation, distinct from the goods refund's id.
fn uuid_from(payment: PaymentId, base: RefundId) -> uuid::Uuid {
    let mut bytes = *base.as_uuid().as_bytes();
    for (b, p) in bytes.iter_mut().zip(payment.as_uuid().as_bytes()) {
        *b ^= *p;
    }
    uuid::Uuid::from_bytes(bytes)
}

/// Carries out a remedy the options offer, and plans everything it writes.
#[allow(clippy::too_many_arguments)] // Each argument is a distinct input the rules read.
pub fn plan_remedy(
    ctx: &ResolutionContext,
    (request, replacements): (&RemedyRequest, &[ExchangeItem]),
    policy: &Policy,
    history: &CustomerHistory,
    actor: &Actor,
    money: &RemedyMoney,
    now: OffsetDateTime,
) -> Result<(Resolution, Decision), ResolutionError> {
    let (claim_id, return_id) = (money.claim_id, money.return_id);
    let case = &ctx.case;
    let remedy = request.remedy;
    let given = match &ctx.order {
        Some(order) => Given::of(order.id, &ctx.returns, &ctx.claims, &ctx.refunds).for_case(case.id),
        None => Given::default(),
    };
    let asked_lines = concerned(ctx, request);
    // A remedy for units names the units still without one; the lines asked must all be free.
    let lines = match (&ctx.order, gives_for_units(remedy)) {
        (Some(order), true) => {
            // Units the order never had are a bad request, not a remedy already given.
            crate::decision::affected_lines(order, &asked_lines)?;
            let lines = if asked_lines.is_empty() { given.available(order, &[]) } else { asked_lines.clone() };
            given.check_units(order, &lines).map_err(ResolutionError::AlreadyGiven)?;
            if lines.is_empty() {
                return Err(ResolutionError::AlreadyGiven(crate::given::AlreadyGiven {
                    sku: order.lines.first().map(|l| l.sku.clone()).unwrap_or_default(),
                    units: 1,
                    left: 0,
                }));
            }
            lines
        }
        _ => asked_lines.clone(),
    };
    if remedy == Remedy::Compensation && given.compensated_here && !policy.compensation.repeat {
        return Err(ResolutionError::CompensatedAlready);
    }
    let facts = CaseFacts {
        kind: case.kind,
        lines: lines.clone(),
        photos_provided: request.photos_provided,
        carrier_allows_intercept: request.carrier_allows_intercept,
        language: case.language.clone(),
    };
    let decision = decide(&facts, ctx.order.as_ref(), policy, history, &given, now)?;
    let offer = decision.offer(remedy).cloned().ok_or_else(|| ResolutionError::NotOffered(remedy.to_string()))?;
    if offer.needs_photos {
        return Err(ValidationError::new("photos_provided", "this remedy needs the customer's photos first").into());
    }
    // Approval is never given by the act itself: the remedy goes ahead pending a second person.
    let held = offer.needs_approval.then(|| {
        decision
            .reasons
            .iter()
            .find(|r| r.rule.as_str().starts_with("approval") || r.rule.as_str() == "customer_limit")
            .map_or_else(
                || format!("the policy offers {remedy} only with a second person's approval"),
                |r| r.text.clone(),
            )
    });
    let amount = match (remedy, request.amount) {
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
        (Remedy::PartialRefund, None) => return Err(ValidationError::new("amount", "say how much to refund").into()),
        (_, Some(_)) => return Err(ValidationError::new("amount", "only a partial refund takes an amount").into()),
        (_, None) => offer.amount,
    };
    if !replacements.is_empty() && remedy != Remedy::Exchange {
        return Err(ValidationError::new("replacements", "only an exchange takes replacements").into());
    }
    if let Some(i) = replacements.iter().position(|r| r.quantity == 0) {
        return Err(ValidationError::new(format!("replacements[{i}].quantity"), "must be at least 1").into());
    }
    let mut entries = vec![TimelineEntry {
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
    let refunds = remedy_refunds(ctx, request, &lines, amount, held.as_deref(), money)?;
    let mut reference = refunds.first().map(|ask| ask.request.id.to_string());
    let mut return_waits = false;
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
            let mut rma = match &held {
                // Waits in `requested` for a second person, who cannot be the one asking now.
                Some(because) => {
                    return_waits = true;
                    let mut rma = requested.rma;
                    rma.approval =
                        Some(ReturnApproval { because: because.clone(), requested_by: money.requested_by.clone() });
                    rma
                }
                None => {
                    let approved = requested.rma.approve(actor, now)?;
                    entries.extend(approved.entries);
                    approved.rma
                }
            };
            if remedy == Remedy::Exchange {
                rma.exchange_wanted = replacements.to_vec();
            }
            reference = Some(rma.id.to_string());
            // A loss put right through a return is also a claim, refunded once the items are back.
            if is_claim_kind(case.kind) && remedy == Remedy::ReturnRefund {
                let new = NewClaim {
                    id: claim_id,
                    case_id: case.id,
                    kind: case.kind,
                    lines: rma
                        .lines
                        .iter()
                        .map(|l| LineQuantity { sku: l.sku.clone(), quantity: l.quantity })
                        .collect(),
                    resolution: ClaimResolution::RefundWithReturn,
                    fault: decision.fault.case,
                    carrier_reference: request.carrier_reference.clone(),
                    return_id: Some(rma.id),
                };
                let (claim, entry) = Claim::file(new, order, actor, now)?;
                entries.push(entry);
                claims.push(claim);
            }
            returns.push(rma);
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
                carrier_reference: request.carrier_reference.clone(),
                return_id: None,
            };
            let (claim, entry) = Claim::file(new, order, actor, now)?;
            entries.push(entry);
            reference = Some(claim.id.to_string());
            claims.push(claim);
        }
        _ => {}
    }
    entries.push(TimelineEntry {
        at: now,
        actor: actor.clone(),
        event: CaseEvent::RemedyCarriedOut { remedy, amount, reference },
    });
    // Where the case stands once the remedy is under way: waiting on the customer for a return
    // to send, on a third party for a trace, open while a second person must approve.
    let status = match remedy {
        _ if held.is_some() => CaseStatus::Open,
        Remedy::ReturnRefund | Remedy::Exchange | Remedy::StoreCredit if offer.requires_return && !return_waits => {
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

/// The timeline entry of an amendment.
pub fn amendment_entry(order: &Order, amended: &AmendedOrder, actor: &Actor, now: OffsetDateTime) -> TimelineEntry {
    TimelineEntry {
        at: now,
        actor: actor.clone(),
        event: CaseEvent::OrderAmended {
            order_id: order.id,
            amendment: amended.kind,
            before: amended.before.clone(),
            after: amended.after.clone(),
            difference: amended.difference,
        },
    }
}
