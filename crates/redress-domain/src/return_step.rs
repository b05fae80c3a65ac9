//! A step in a return's lifecycle, decided once: [`plan_return_step`] moves a return (approve,
//! label, transit, receipt, inspection, refund, credit, exchange, close, cancel) and plans what
//! the step writes: the return, the case change, and the refund a settlement asks for (the
//! label the customer pays and the restocking fee kept as fees of their own, store credit with
//! the policy's bonus). Storage commits it or nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::approval::Person;
use crate::case::CaseStatus;
use crate::decision::percent_of;
use crate::ids::ReturnId;
use crate::money::Money;
use crate::order::Order;
use crate::policy::{Payer, Policy, amount_in};
use crate::refund::{Fee, FeeKind, IdempotencyKey, RefundLine, RefundMethod, RefundReason};
use crate::remedy::{RefundAsked, RemedyMoney, payment_for, refund_request};
use crate::resolution::{RefundAsk, Resolution, ResolutionContext, ResolutionError};
use crate::returns::{
    ExchangeItem, InspectionOutcome, LineInspection, ReturnAuthorisation, ReturnChange, ReturnError, ReturnLabel,
    ReturnStatus,
};
use crate::store::ValidationError;
use crate::taxonomy::Fault;
use crate::timeline::Actor;

/// A step in a return's lifecycle.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
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

impl ReturnAction {
    /// True for the steps that move money (a refund or credit at settlement).
    pub const fn moves_money(&self) -> bool {
        matches!(self, ReturnAction::Refund { .. } | ReturnAction::Credit { .. })
    }
}

/// The money a return's settlement moves: how, what the customer gets, the fees kept and the
/// store credit bonus.
struct Settlement {
    method: RefundMethod,
    amount: Money,
    fees: Vec<Fee>,
    bonus: Money,
}

fn money_error(e: crate::money::MoneyError) -> ResolutionError {
    ResolutionError::Return(ReturnError::Money(e))
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
    let accepted = rma.accepted_value().map_err(money_error)?;
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
                let fee = percent_of(accepted, policy.returns.restocking_fee_percent).map_err(money_error)?;
                if fee.amount_minor > 0 {
                    fees.push(Fee { kind: FeeKind::Restocking, amount: fee });
                }
            }
            let amount = default_refund(rma, policy)?;
            Some(Settlement { method: RefundMethod::OriginalPayment, amount, fees, bonus: zero })
        }
        ReturnAction::Credit { amount } => {
            let bonus = percent_of(accepted, policy.store_credit.bonus_percent).map_err(money_error)?;
            let total = match amount {
                Some(amount) => *amount,
                None => accepted.checked_add(&bonus).map_err(money_error)?,
            };
            let base = if total.amount_minor > accepted.amount_minor { accepted } else { total };
            let bonus = total.checked_sub(&base).map_err(money_error)?;
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
        .filter(|l| l.inspection.as_ref().is_some_and(|i| i.outcome == InspectionOutcome::Accepted))
        .map(|l| {
            Ok(RefundLine { sku: l.sku.clone(), quantity: l.quantity, amount: l.unit_price.checked_mul(l.quantity)? })
        })
        .collect::<Result<_, crate::money::MoneyError>>()
        .map_err(money_error)?;
    let gross = settlement.fees.iter().try_fold(settlement.amount, |sum, fee| sum.checked_add(&fee.amount));
    let value = lines.iter().try_fold(Money::zero(order.currency), |sum, l| sum.checked_add(&l.amount));
    let lines = if gross.is_ok() && gross == value { lines } else { Vec::new() };
    let payment_id = payment_for(order, settlement.amount, false)?;
    let key = IdempotencyKey::parse(&format!("{}-{}", money.key_base, settled.id))?;
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
        needs_approval: None,
        return_id: Some(settled.id),
    };
    Ok(RefundAsk {
        request: refund_request(ctx.case.id, order, money.refund_ids[0], key, asked)?,
        policy: money.approval.clone(),
    })
}

fn apply_action(
    rma: &ReturnAuthorisation,
    action: ReturnAction,
    policy: &Policy,
    (approver, actor, approval): (&Person, &Actor, &crate::approval::ApprovalPolicy),
    now: OffsetDateTime,
) -> Result<ReturnChange, ResolutionError> {
    let change = match action {
        ReturnAction::Approve => rma.approve_as((approver, actor), approval, now)?,
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
            let accepted = rma.accepted_value().map_err(ReturnError::from)?;
            let bonus = percent_of(accepted, policy.store_credit.bonus_percent).map_err(ReturnError::from)?;
            let amount = match amount {
                Some(amount) => amount,
                None => accepted.checked_add(&bonus).map_err(ReturnError::from)?,
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
    let accepted = rma.accepted_value().map_err(money_error)?;
    let mut amount = accepted;
    if let Some(label) = &rma.label
        && label.paid_by == Payer::Customer
    {
        amount = amount.checked_sub(&label.cost).map_err(money_error)?;
    }
    if rma.fault == Fault::Customer {
        let fee = percent_of(accepted, policy.returns.restocking_fee_percent).map_err(money_error)?;
        amount = amount.checked_sub(&fee).map_err(money_error)?;
    }
    Ok(amount)
}

/// Why a return step cannot find its return.
pub const UNKNOWN_RETURN: &str = "return_id";

/// Moves return `return_id` of the case by `action`, as `money.requested_by` (who also
/// approves, when the step is an approval), and plans what it writes. A settlement (refund,
/// credit, exchange) resolves the case; a refused or cancelled return leaves it open.
pub fn plan_return_step(
    ctx: &ResolutionContext,
    return_id: ReturnId,
    action: ReturnAction,
    policy: &Policy,
    actor: &Actor,
    money: &RemedyMoney,
    now: OffsetDateTime,
) -> Result<Resolution, ResolutionError> {
    let rma = ctx
        .returns
        .iter()
        .find(|r| r.id == return_id && r.case_id == ctx.case.id)
        .ok_or_else(|| ValidationError::new(UNKNOWN_RETURN, "no return with that id on this case"))?;
    let settlement = settlement_money(rma, &action, policy)?;
    let change = apply_action(rma, action, policy, (&money.requested_by, actor, &money.approval), now)?;
    let refunds = match (settlement, ctx.order.as_ref()) {
        (Some(settlement), Some(order)) => vec![settlement_refund(ctx, order, &change.rma, settlement, money)?],
        _ => Vec::new(),
    };
    let case_change = match change.rma.status {
        ReturnStatus::Refunded | ReturnStatus::Exchanged | ReturnStatus::Credited => {
            ctx.case.record(change.entries, now).moving_to(CaseStatus::Resolved, actor, now)
        }
        ReturnStatus::Rejected | ReturnStatus::Cancelled => {
            ctx.case.record(change.entries, now).moving_to(CaseStatus::Open, actor, now)
        }
        _ => ctx.case.record(change.entries, now),
    };
    Ok(Resolution { returns: vec![change.rma], refunds, ..Resolution::of(case_change) })
}
