//! Storage for the money layer: refund intents, payments' refundable balances, the ledger,
//! store credit and disputes, behind [`MoneyStorage`], which both backends implement.
//!
//! The rules both keep:
//! - a refund intent is written (and its amount reserved on the payment) in one transaction,
//!   with the payment serialised: SQLite's single writer runs one write at a time, PostgreSQL
//!   locks the payment row `FOR UPDATE`. Two requests racing for the last euro cannot both win,
//!   and the schema's `CHECK (refunded + reserved <= captured)` refuses it should they try;
//! - `(store, idempotency key)` is unique: the same key finds the same intent;
//! - every money movement is a balanced posting written with its timeline entry; postings are
//!   append-only in both schemas.
//!
//! What a refund's change does to money (reserve, release, settle, post, credit) is decided
//! here once, by [`effects`], and applied by each backend in its own transaction.

use async_trait::async_trait;
use redress_domain::approval::{ApprovalPolicy, RefundHistory};
use redress_domain::dispute::{Dispute, DisputeReport, DisputeStatus};
use redress_domain::ledger::{Account, Balances, MovementKind, Posting, PostingContext, PostingLinks};
use redress_domain::refund::{
    CreditSpend, FeeKind, PaymentBalance, Refund, RefundChange, RefundError, RefundMethod, RefundReason, RefundRequest,
    RefundStatus, StoreCredit,
};
use redress_domain::{
    Actor, CaseEvent, CaseId, CustomerId, DisputeId, Money, Order, OrderId, PaymentId, PostingId, RefundId, StoreId,
    TimelineEntry,
};
use time::OffsetDateTime;

use crate::{Conflict, RecordedEntry, StorageError};

/// A change to make to a refund, run against the refund as it is inside the transaction.
pub type RefundUpdateFn = Box<dyn FnOnce(&Refund) -> Result<RefundChange, RefundError> + Send>;

/// A refund request's answer: the intent, and whether this call wrote it (false when the key
/// found an existing one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundOutcome {
    /// The intent.
    pub refund: Refund,
    /// True when this call created it.
    pub created: bool,
}

/// A store credit spend's answer: the spend, the credit left, and whether this call made it
/// (false when the key found an earlier spend).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendOutcome {
    /// The spend.
    pub spend: CreditSpend,
    /// The customer's credit in the spend's currency, after it.
    pub balance: StoreCredit,
    /// True when this call spent it.
    pub created: bool,
}

/// Storage of the money layer.
#[async_trait]
pub trait MoneyStorage: Send + Sync {
    /// Writes a refund intent, or finds the one with the same idempotency key. In one
    /// transaction: checks the order, case and payment belong to the store, makes the payment's
    /// balance row (posting the capture) the first time, reserves the amount, applies the
    /// approval rule and appends the timeline entries. A key reused for a different request is
    /// refused with [`StorageError::IdempotencyMismatch`].
    async fn request_refund(
        &self,
        request: RefundRequest,
        policy: ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<RefundOutcome, StorageError>;
    /// One refund intent.
    async fn refund(&self, store_id: StoreId, id: RefundId) -> Result<Refund, StorageError>;
    /// An order's refunds, oldest first.
    async fn refunds_of_order(&self, store_id: StoreId, order_id: OrderId) -> Result<Vec<Refund>, StorageError>;
    /// Refunds with work to do, across stores: approved ones, and sent ones last touched
    /// before `sent_before` (a call that never answered, or a server that died mid-call).
    async fn refunds_to_execute(&self, sent_before: OffsetDateTime, limit: u32) -> Result<Vec<Refund>, StorageError>;
    /// A refund by id in whichever store holds it. Only for the refund worker and provider
    /// events, which act for the deployment; everything acting for a store uses [`Self::refund`].
    async fn refund_anywhere(&self, id: RefundId) -> Result<Option<Refund>, StorageError>;
    /// Applies `change` to the refund as it is now and commits what it does to money with it:
    /// a rejection or failure releases the reserved amount; a success settles it, posts the
    /// movement and issues store credit. A refused change writes nothing.
    async fn change_refund(
        &self,
        store_id: StoreId,
        id: RefundId,
        change: RefundUpdateFn,
    ) -> Result<Refund, StorageError>;
    /// What a payment can still give back (from the order's report when no money moved yet).
    async fn payment_balance(&self, store_id: StoreId, payment_id: PaymentId) -> Result<PaymentBalance, StorageError>;
    /// A page of the store's payments as their rows record them, by id: at most `limit`, after
    /// the payment `after` when given. What reconciliation checks against the books.
    async fn recorded_payments(
        &self,
        store_id: StoreId,
        after: Option<PaymentId>,
        limit: u32,
    ) -> Result<Vec<redress_domain::reconcile::RecordedPayment>, StorageError>;
    /// The store's postings, oldest first; only an order's when one is named.
    async fn postings(&self, store_id: StoreId, order_id: Option<OrderId>) -> Result<Vec<Posting>, StorageError>;
    /// A page of the store's postings, oldest first: at most `limit`, after the posting
    /// `after` when given (a cursor: the last posting of the previous page).
    async fn postings_page(
        &self,
        store_id: StoreId,
        after: Option<PostingId>,
        limit: u32,
    ) -> Result<Vec<Posting>, StorageError>;
    /// The store's balances per account and currency.
    async fn ledger_balances(&self, store_id: StoreId) -> Result<Balances, StorageError>;
    /// A customer's store credit, per currency.
    async fn store_credit(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<StoreCredit>, StorageError>;
    /// Records a dispute the provider reported, with the chargeback posting.
    async fn open_dispute(&self, dispute: Dispute, actor: Actor) -> Result<Dispute, StorageError>;
    /// Moves a dispute on; a won dispute posts the money coming back.
    async fn change_dispute(
        &self,
        store_id: StoreId,
        id: DisputeId,
        to: DisputeStatus,
        actor: Actor,
        now: OffsetDateTime,
    ) -> Result<Dispute, StorageError>;
    /// Takes what the payment provider reports about a dispute (see [`Dispute::reported`]),
    /// posting the chargeback or the money coming back when its status change makes one.
    async fn report_dispute(
        &self,
        store_id: StoreId,
        id: DisputeId,
        report: DisputeReport,
        actor: Actor,
        now: OffsetDateTime,
    ) -> Result<Dispute, StorageError>;
    /// A dispute by the provider's id, in whichever store holds it. Only for provider events,
    /// which act for the deployment.
    async fn dispute_by_reference(&self, reference: &str) -> Result<Option<Dispute>, StorageError>;
    /// The order holding a payment with one of these provider references (a charge `ch_…` or a
    /// payment intent `pi_…`), in whichever store holds it. Only for provider events.
    async fn order_by_payment_reference(&self, references: Vec<String>) -> Result<Option<Order>, StorageError>;
    /// One dispute.
    async fn dispute(&self, store_id: StoreId, id: DisputeId) -> Result<Dispute, StorageError>;
    /// A case's disputes, oldest first.
    async fn disputes_of_case(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Dispute>, StorageError>;
    /// Spends a customer's store credit, or finds the spend with the same idempotency key. In
    /// one transaction: checks the customer (and the case, if named) belong to the store, takes
    /// the amount off the balance, refusing to go below zero (two spends racing for the last
    /// euro queue: the SQLite writer thread, a conditional `UPDATE` on PostgreSQL; the schema's
    /// `CHECK (balance_minor >= 0)` refuses it should they try), posts `store_credit_spent` and
    /// puts it on the case's timeline. A key reused for another spend is
    /// [`StorageError::IdempotencyMismatch`].
    async fn spend_store_credit(&self, spend: CreditSpend) -> Result<SpendOutcome, StorageError>;
    /// A customer's spends, oldest first.
    async fn credit_spends(&self, store_id: StoreId, customer_id: CustomerId)
    -> Result<Vec<CreditSpend>, StorageError>;
    /// Posts a correction of an earlier posting: every leg reversed, with the reason and the
    /// person, on the original's case timeline when it has a case. The original is never
    /// touched; a posting is corrected at most once ([`Conflict::AlreadyCorrected`] after that).
    /// Corrections fix the books only: no money moves at a provider and no credit balance changes,
    /// so postings that moved store credit are refused (spend or issue credit instead).
    async fn correct_posting(
        &self,
        store_id: StoreId,
        posting_id: PostingId,
        reason: String,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<Posting, StorageError>;
    /// The store's disputes, the one due soonest first: the workspace's disputes list.
    async fn disputes_of_store(&self, store_id: StoreId) -> Result<Vec<Dispute>, StorageError>;
    /// The store's refunds waiting for a second person, oldest first: the approvals queue.
    async fn refunds_awaiting_approval(&self, store_id: StoreId) -> Result<Vec<Refund>, StorageError>;
    /// Appends entries to a case's timeline (e.g. a transaction check's findings).
    async fn append_timeline(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        entries: Vec<TimelineEntry>,
    ) -> Result<Vec<RecordedEntry>, StorageError>;
}

/// A fresh posting id.
pub(crate) fn new_posting_id() -> PostingId {
    PostingId::from_uuid(uuid::Uuid::now_v7())
}

/// The payment's balance as the order reports it, for the first time money moves on it.
pub(crate) fn reported_balance(order: &Order, payment_id: PaymentId) -> Result<PaymentBalance, StorageError> {
    let payment = order.payments.iter().find(|p| p.id == payment_id).ok_or(StorageError::NotFound("payment"))?;
    Ok(PaymentBalance::new(payment.captured, payment.refunded, Money::zero(payment.captured.currency))?)
}

/// A refund's fees in minor units, as the `fees_minor` column keeps them.
pub(crate) fn fees_minor(refund: &Refund) -> Result<i64, StorageError> {
    refund
        .fees
        .iter()
        .try_fold(0i64, |sum, fee| sum.checked_add(fee.amount.amount_minor))
        .ok_or_else(|| StorageError::from(RefundError::Money(redress_domain::MoneyError::Overflow)))
}

/// A stored refund's reason and method, read back from their columns.
pub(crate) fn reason_and_method(reason: &str, method: &str) -> Result<(RefundReason, RefundMethod), StorageError> {
    let reason = reason.parse().map_err(|_| StorageError::Corrupt(format!("refund reason `{reason}`")))?;
    let method = match method {
        "original_payment" => RefundMethod::OriginalPayment,
        "store_credit" => RefundMethod::StoreCredit,
        "gift_card" => RefundMethod::GiftCard,
        other => return Err(StorageError::Corrupt(format!("refund method `{other}`"))),
    };
    Ok((reason, method))
}

/// What a refund's change does to money.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// The payment's new balance, when it changes.
    pub balance: Option<PaymentBalance>,
    /// Store credit to add for the customer.
    pub credit: Option<Money>,
    /// The postings to write: the refund (or credit, or gift card) and a posting per fee kept.
    pub postings: Vec<Posting>,
    /// Timeline entries beyond the change's own.
    pub entries: Vec<TimelineEntry>,
}

/// The timeline entry recording a posting: the amount is its first debit.
pub(crate) fn posted_entry(posting: &Posting) -> Option<TimelineEntry> {
    let amount = posting.legs.iter().map(|l| l.amount).find(|m| m.amount_minor > 0)?;
    Some(TimelineEntry {
        at: posting.at,
        actor: posting.caused_by.clone(),
        event: CaseEvent::MoneyPosted {
            posting_id: posting.id,
            kind: posting.kind,
            amount,
            memo: posting.memo.clone(),
        },
    })
}

/// Decides what moving `before` to `after` does to money, given the payment's balance.
pub(crate) fn effects(
    before: &Refund,
    after: &Refund,
    balance: Option<PaymentBalance>,
    now: OffsetDateTime,
) -> Result<Effects, StorageError> {
    let mut effects = Effects::default();
    if !before.status.reserves() || after.status.reserves() {
        return Ok(effects);
    }
    match after.status {
        RefundStatus::Rejected | RefundStatus::Failed => {
            effects.balance = balance.map(|b| b.release(after.amount)).transpose()?;
        }
        RefundStatus::Succeeded => {
            effects.balance = balance.map(|b| b.settle(after.amount)).transpose()?;
            let context = || PostingContext {
                id: new_posting_id(),
                links: PostingLinks {
                    store_id: after.store_id,
                    order_id: Some(after.order_id),
                    case_id: Some(after.case_id),
                    payment_id: after.payment_id,
                    refund_id: Some(after.id),
                },
                caused_by: after.decided_by.as_ref().unwrap_or(&after.requested_by).actor(),
                rule: None,
                at: now,
            };
            let posting = match after.method {
                RefundMethod::OriginalPayment => Posting::refund(context(), after.amount)?,
                RefundMethod::StoreCredit => {
                    effects.credit = Some(after.amount.checked_add(&after.bonus).map_err(RefundError::from)?);
                    Posting::store_credit_issued(context(), after.amount, after.bonus)?
                }
                RefundMethod::GiftCard => {
                    Posting::compensation(context(), after.amount, after.gift_code.as_deref().unwrap_or("gift card"))?
                }
            };
            effects.postings.push(posting);
            for fee in &after.fees {
                let kind = match fee.kind {
                    FeeKind::ReturnShipping => MovementKind::ShippingFee,
                    FeeKind::Restocking => MovementKind::RestockingFee,
                };
                effects.postings.push(Posting::fee_kept(context(), kind, fee.amount)?);
            }
            effects.entries.extend(effects.postings.iter().filter_map(posted_entry));
        }
        _ => {}
    }
    Ok(effects)
}

/// The posting a dispute's change makes: a chargeback when it opens as a chargeback or turns
/// into one, the money coming back when it is won after a chargeback.
pub(crate) fn dispute_posting(
    before: Option<DisputeStatus>,
    dispute: &Dispute,
    actor: &Actor,
) -> Result<Option<Posting>, StorageError> {
    let is_chargeback = |s: DisputeStatus| {
        matches!(
            s,
            DisputeStatus::NeedsResponse | DisputeStatus::UnderReview | DisputeStatus::Won | DisputeStatus::Lost
        )
    };
    let context = PostingContext {
        id: new_posting_id(),
        links: PostingLinks {
            store_id: dispute.store_id,
            order_id: Some(dispute.order_id),
            case_id: Some(dispute.case_id),
            payment_id: Some(dispute.payment_id),
            refund_id: None,
        },
        caused_by: actor.clone(),
        rule: Some(format!("dispute.{}", dispute.status.as_str())),
        at: dispute.updated_at,
    };
    let was_chargeback = before.is_some_and(is_chargeback);
    if !was_chargeback && is_chargeback(dispute.status) {
        return Ok(Some(Posting::chargeback(context, dispute.amount)?));
    }
    if was_chargeback && dispute.status == DisputeStatus::Won {
        return Ok(Some(Posting::dispute_reversal(context, dispute.amount)?));
    }
    Ok(None)
}

/// The error for a key already used for another request.
pub(crate) fn mismatch(refund: &Refund) -> StorageError {
    StorageError::IdempotencyMismatch(format!(
        "the idempotency key `{}` was already used for a different refund ({}); use a new key for a new refund",
        refund.idempotency_key.as_str(),
        refund.id
    ))
}

/// Store credit as the balance row says.
pub(crate) fn credit_of(
    customer_id: CustomerId,
    currency: &str,
    balance_minor: i64,
) -> Result<StoreCredit, StorageError> {
    let currency = redress_domain::Currency::from_code(currency).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    Ok(StoreCredit { customer_id, balance: Money::new(balance_minor, currency) })
}

/// A customer's refund history for the abuse rules, from `(count, currency, sum of whole
/// billions, sum of the rest)` rows of their refunds in the window, one per currency (rejected
/// and failed ones already left out by the query). A sum beyond what money can hold is held at
/// the largest amount: it is far above any limit either way.
pub(crate) fn history_of(rows: Vec<(i64, String, i64, i64)>) -> Result<RefundHistory, StorageError> {
    let mut history = RefundHistory::default();
    for (count, currency, billions, rest) in rows {
        let currency =
            redress_domain::Currency::from_code(&currency).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        history.refunds = history.refunds.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
        let wide = i128::from(billions) * 1_000_000_000 + i128::from(rest);
        history.refunded.insert(currency, i64::try_from(wide).unwrap_or(i64::MAX));
    }
    Ok(history)
}

/// Where the abuse rules' window starts.
pub(crate) fn window_start(policy: &ApprovalPolicy, now: OffsetDateTime) -> OffsetDateTime {
    now - time::Duration::days(i64::from(policy.abuse.window_days))
}

/// The posting recording a spend of store credit.
pub(crate) fn spend_posting(spend: &CreditSpend) -> Result<Posting, StorageError> {
    let context = PostingContext {
        id: spend.posting_id,
        links: PostingLinks {
            store_id: spend.store_id,
            order_id: None,
            case_id: spend.case_id,
            payment_id: None,
            refund_id: None,
        },
        caused_by: spend.spent_by.clone(),
        rule: None,
        at: spend.at,
    };
    let mut posting = Posting::store_credit_spent(context, spend.amount)?;
    posting.memo = format!("{} on {}", posting.memo, spend.spent_on.trim());
    Ok(posting)
}

/// The error for a spend key already used for another spend.
pub(crate) fn spend_mismatch(spend: &CreditSpend) -> StorageError {
    StorageError::IdempotencyMismatch(format!(
        "the idempotency key `{}` was already used for a different spend ({}); use a new key for a new spend",
        spend.idempotency_key.as_str(),
        spend.posting_id
    ))
}

/// The correction of `original`, checked: a posting that moved store credit is refused, since
/// the customer's balance would no longer match the books.
pub(crate) fn correction_of(
    original: &Posting,
    reason: &str,
    by: Actor,
    now: OffsetDateTime,
) -> Result<Posting, StorageError> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(RefundError::from(redress_domain::ValidationError::new(
            "reason",
            "say why, in 1 to 2000 characters",
        ))
        .into());
    }
    if original.legs.iter().any(|l| l.account == Account::StoreCredit) {
        return Err(Conflict::CreditPosting.into());
    }
    let context = PostingContext {
        id: new_posting_id(),
        links: original.links.clone(),
        caused_by: by,
        rule: Some("ledger.correction".into()),
        at: now,
    };
    Ok(Posting::correction(context, original, reason)?)
}
