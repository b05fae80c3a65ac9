//! Decided once, applied by each storage backend: what recording a payment and writing a
//! refund intent do to the books. Storage loads the rows these planners read, inside its
//! transaction and with the payment serialised, and writes exactly what they return; the rules
//! themselves never live in a backend.
//!
//! - [`sync_payment`]: a payment enters the books as soon as it is known, with its capture
//!   posted (and any refund the shop reported before Redress moved money), so the ledger is
//!   complete at every moment; a capture reported larger since is posted and taken in.
//! - [`plan_refund`]: a refund intent is checked against its order and case (ownership), its
//!   lines against the order and the units that already had a remedy, its value against what
//!   the order can still give back, the payment's balance reserved, and the approval and abuse
//!   rules applied.

use crate::approval::{ApprovalPolicy, RefundHistory};
use crate::case::Case;
use crate::given::Given;
use crate::ids::{CaseId, PaymentId, PostingId};
use crate::ledger::{Posting, PostingContext, PostingLinks};
use crate::money::Money;
use crate::order::Order;
use crate::refund::{
    PaymentBalance, Refund, RefundChange, RefundError, RefundReason, RefundRequest, RefundTotals, check_lines,
    check_value,
};
use crate::store::ValidationError;
use crate::timeline::Actor;
use time::OffsetDateTime;

/// Why recording a payment failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The balance refused the change (a capture below what was refunded, currencies mixed).
    #[error(transparent)]
    Refund(#[from] RefundError),
    /// A posting could not be built.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::LedgerError),
}

impl From<crate::money::MoneyError> for SyncError {
    fn from(e: crate::money::MoneyError) -> Self {
        SyncError::Refund(e.into())
    }
}

impl From<ValidationError> for SyncError {
    fn from(e: ValidationError) -> Self {
        SyncError::Refund(e.into())
    }
}

/// What recording one payment does: its balance row (new or grown) and the postings to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentSync {
    /// The payment's balance after the sync.
    pub balance: PaymentBalance,
    /// True when the row does not exist yet and must be inserted.
    pub is_new: bool,
    /// True when an existing row changed and must be updated.
    pub changed: bool,
    /// The postings bringing the ledger to what the shop reports.
    pub postings: Vec<Posting>,
}

/// Brings a payment's books to what the order reports: `stored` is its balance row as it is
/// (none before money was first recorded on it). New posting ids come from `next_id`.
pub fn sync_payment(
    order: &Order,
    payment_id: PaymentId,
    stored: Option<PaymentBalance>,
    case_id: Option<CaseId>,
    next_id: &mut dyn FnMut() -> PostingId,
    now: OffsetDateTime,
) -> Result<PaymentSync, SyncError> {
    let payment = order
        .payments
        .iter()
        .find(|p| p.id == payment_id)
        .ok_or_else(|| ValidationError::new("payment_id", "no payment with that id on the order"))?;
    let mut context = |caused_by: Actor| PostingContext {
        id: next_id(),
        links: PostingLinks {
            store_id: order.store_id,
            order_id: Some(order.id),
            case_id,
            payment_id: Some(payment_id),
            refund_id: None,
        },
        caused_by,
        rule: Some("payment.reported_by_shop".into()),
        at: now,
    };
    let provider = Actor::Integration { name: payment.provider.clone() };
    match stored {
        None => {
            let balance =
                PaymentBalance::new(payment.captured, payment.refunded, Money::zero(payment.captured.currency))?;
            let mut postings = Vec::new();
            if payment.captured.amount_minor > 0 {
                postings.push(Posting::capture(context(provider.clone()), payment.captured)?);
            }
            if payment.refunded.amount_minor > 0 {
                postings.push(Posting::refund(context(provider), payment.refunded)?);
            }
            Ok(PaymentSync { balance, is_new: true, changed: false, postings })
        }
        Some(balance) if payment.captured.amount_minor > balance.captured.amount_minor => {
            let grown = balance.with_captured(payment.captured)?;
            let posting = Posting::capture(context(Actor::System), payment.captured.checked_sub(&balance.captured)?)?;
            Ok(PaymentSync { balance: grown, is_new: false, changed: true, postings: vec![posting] })
        }
        Some(balance) => Ok(PaymentSync { balance, is_new: false, changed: false, postings: Vec::new() }),
    }
}

/// What storage loaded for a refund intent, inside the write's transaction.
#[derive(Clone, Copy, Debug)]
pub struct RefundInputs<'a> {
    /// The refund's order.
    pub order: &'a Order,
    /// The refund's case.
    pub case: &'a Case,
    /// The order's earlier refunds that give value, summed.
    pub earlier: &'a RefundTotals,
    /// The order's earlier refunds, loaded when the request names lines.
    pub earlier_refunds: &'a [Refund],
    /// What the order's units already had, loaded when the request names lines.
    pub given: &'a Given,
    /// The customer's refunds in the abuse rules' window.
    pub history: &'a RefundHistory,
    /// The payment's balance (synced), for a refund drawn on a payment.
    pub balance: Option<PaymentBalance>,
}

/// A refund intent to write: the intent with its timeline entries, and the payment's balance
/// with the amount reserved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundPlan {
    /// The intent and its entries.
    pub change: RefundChange,
    /// The payment's new balance, for a refund drawn on a payment.
    pub balance: Option<(PaymentId, PaymentBalance)>,
}

/// Plans writing a refund intent (see the module's docs for what is checked).
pub fn plan_refund(
    request: RefundRequest,
    inputs: RefundInputs<'_>,
    policy: &ApprovalPolicy,
    now: OffsetDateTime,
) -> Result<RefundPlan, RefundError> {
    let RefundInputs { order, case, earlier, earlier_refunds, given, history, balance } = inputs;
    // The request's own fields first, so a malformed one is refused for what it is.
    let change = Refund::request(request.clone(), policy, history, now)?;
    if request.order_id != order.id || case.id != request.case_id || case.store_id != request.store_id {
        return Err(ValidationError::new("case_id", "the refund's case and order are not of this store").into());
    }
    if case.order_id != Some(order.id) {
        return Err(ValidationError::new("case_id", "the case is about another order").into());
    }
    if request.customer_id != order.customer_id {
        return Err(ValidationError::new("customer_id", "not the order's customer").into());
    }
    if !request.lines.is_empty() {
        check_lines(order, earlier_refunds, &request.lines)?;
        // A refund settling a return is for the return's own units, counted by the return.
        if request.return_id.is_none() && request.reason == RefundReason::Items {
            let units: Vec<_> = request
                .lines
                .iter()
                .map(|l| crate::decision::LineQuantity { sku: l.sku.clone(), quantity: l.quantity })
                .collect();
            given.check_units(order, &units).map_err(|e| ValidationError::new("lines", e.to_string()))?;
        }
    }
    check_value(order, earlier, &request)?;
    let balance = match (request.payment_id, balance) {
        (Some(payment_id), Some(balance)) => Some((payment_id, balance.reserve(request.amount)?)),
        (Some(_), None) => {
            return Err(ValidationError::new("payment_id", "no payment with that id on the order").into());
        }
        (None, _) => None,
    };
    Ok(RefundPlan { change, balance })
}
