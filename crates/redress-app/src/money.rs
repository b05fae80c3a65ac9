//! Money on a case: refunds (written first, then carried out exactly once), approvals by a
//! second person, "where is my refund", the ledger, store credit, transaction checks and bank
//! disputes with their evidence packs.
//!
//! Who approves is who is authenticated: a request body never names an approver. Which
//! approval limit applies is read from one place, the store's policy in force
//! ([`approval_policy`]), on every path.

use redress_connect::ProviderError;
use redress_domain::approval::ApprovalPolicy;
use redress_domain::dispute::{
    Dispute, DisputeReason, DisputeReport, DisputeStatus, EvidencePack, EvidenceSources, PolicyShown,
};
use redress_domain::ledger::{Account, Balances, Posting, wide_money};
use redress_domain::message::{Direction, Message};
use redress_domain::refund::{
    CreditSpend, ExpectedArrival, Fee, IdempotencyKey, Refund, RefundError, RefundLine, RefundMethod, RefundReason,
    RefundStatus, StoreCredit,
};
use redress_domain::remedy::{RefundAsked, refund_request};
use redress_domain::transaction_check::{self, CheckContext, Finding};
use redress_domain::{
    Actor, Case, CaseEvent, CaseId, Channel, CustomerId, DisputeId, EscalationSignal, IssueKind, MessageId, Money,
    NewCase, Order, PaymentId, PostingId, RefundId, Sentiment, StoreId, TimelineEntry,
};
use redress_storage::{Conflict, StorageError};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::caller::{Action, Caller, SystemRule};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::idempotency::{Answer, Replayed, RequestKey, fingerprint, once};
use crate::{App, new_id, parse_id};

/// A refund with what the customer is told about it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundView {
    /// The refund intent.
    pub refund: Refund,
    /// When the money should arrive (an estimate from today while not yet sent).
    pub expected_arrival: ExpectedArrival,
    /// "Where is my refund", in words for the customer.
    pub customer_message: String,
}

impl Answer for RefundView {
    /// Written (201), or written and sent with the provider still to answer (202).
    fn status(&self) -> u16 {
        if awaiting_provider(&self.refund) { 202 } else { 201 }
    }
}

fn payment_method(order: &Order, refund: &Refund) -> String {
    refund
        .payment_id
        .and_then(|id| order.payments.iter().find(|p| p.id == id))
        .map_or_else(|| "card".to_owned(), |p| p.method.clone())
}

/// A refund as the customer is told about it.
pub fn refund_view(order: &Order, refund: Refund, now: OffsetDateTime) -> RefundView {
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
        RefundStatus::AwaitingApproval => {
            format!(
                "Your refund of {amount} is waiting for a team member's approval; we will write to you once it is decided."
            )
        }
        RefundStatus::Requested | RefundStatus::Approved => format!(
            "Your refund of {amount} is being processed {channel}. Once sent it usually arrives between {from} and {to}."
        ),
    };
    RefundView { refund, expected_arrival: expected, customer_message }
}

/// True while the refund waits on the payment provider: approved or sent, no answer yet.
pub fn awaiting_provider(refund: &Refund) -> bool {
    refund.method == RefundMethod::OriginalPayment
        && matches!(refund.status, RefundStatus::Approved | RefundStatus::Sent)
}

/// The approval and abuse rules money going out is judged by: the store's policy in force (its
/// own, or the default), the same on every path and in every currency.
pub async fn approval_policy(app: &App, store_id: StoreId) -> AppResult<ApprovalPolicy> {
    Ok(ApprovalPolicy::from_policy(&crate::resolution::policy_in_force(app, store_id).await?))
}

/// Carries out a refund that may be paid now (approved, or sent and left unanswered), through
/// the payment provider's exactly-once executor; any other refund is answered as it is.
///
/// The executor runs as a task of its own: when the provider has not answered within the
/// application's answer deadline, the refund is answered as it stands (`sent`, still pending)
/// and the task finishes it in the background. A server stopped meanwhile leaves a `sent`
/// intent, which the refund worker reconciles.
pub(crate) async fn execute(app: &App, refund: Refund) -> AppResult<Refund> {
    if !matches!(refund.status, RefundStatus::Approved | RefundStatus::Sent) {
        return Ok(refund);
    }
    let (store_id, id) = (refund.store_id, refund.id);
    let executor = app.refunds().clone();
    let task = tokio::spawn(async move { executor.execute(store_id, id).await });
    match tokio::time::timeout(app.refund_answer_deadline, task).await {
        Ok(Ok(done)) => done.map_err(execute_error),
        Ok(Err(panicked)) => Err(AppError::internal(panicked)),
        Err(_) => {
            tracing::info!(refund = %id, "the payment provider is slow; answering with the refund pending");
            Ok(app.storage().money().refund(store_id, id).await?)
        }
    }
}

fn execute_error(e: redress_connect::executor::ExecuteError) -> AppError {
    match e {
        redress_connect::executor::ExecuteError::Store(storage) => storage.into(),
        other => AppError::internal(other),
    }
}

/// Carries out the refunds a resolution step wrote, and shows them as the customer is told.
pub(crate) async fn carry_out_refunds(app: &App, order: &Order, refunds: Vec<Refund>) -> AppResult<Vec<RefundView>> {
    let now = app.now();
    let mut views = Vec::with_capacity(refunds.len());
    for refund in refunds {
        views.push(refund_view(order, execute(app, refund).await?, now));
    }
    Ok(views)
}

/// The case (which the caller may see) and its order.
pub(crate) async fn case_and_order(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<(Case, Order)> {
    let store_id = caller.store_id()?;
    let case = app.storage().case(store_id, case_id).await?;
    caller.may_see(&case)?;
    let order_id = case.order_id.ok_or_else(|| {
        AppError::new(ErrorCode::CaseWithoutOrder, "the case is about no order; link it to one first")
    })?;
    Ok((case, app.storage().order(store_id, order_id).await?))
}

/// A refund to make on a case's order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// Fees kept (return shipping, restocking), only from a refund of goods.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// Store credit bonus set by policy.
    #[serde(default)]
    pub bonus: Option<Money>,
    /// A note for the team.
    #[serde(default)]
    pub note: Option<String>,
    /// The agent flags the customer for review: a second person must approve this refund,
    /// whatever its amount. Optional: the store's abuse rules (`[limits]` in its policy) flag
    /// customers by their refunds in the policy's window without it.
    #[serde(default)]
    pub customer_flagged: bool,
}

fn payment_of(order: &Order, text: Option<&str>) -> AppResult<Option<PaymentId>> {
    let Some(text) = text else { return Ok(None) };
    let id: PaymentId = text.parse().map_err(|_| AppError::invalid("payment_id", "not a payment id"))?;
    if !order.payments.iter().any(|p| p.id == id) {
        return Err(AppError::invalid("payment_id", "no payment with that id on the case's order"));
    }
    Ok(Some(id))
}

/// Asks for a refund on the case's order, as the caller (who is who asks, and so can never
/// approve it). The intent is written first under the request's key; within the approval limit
/// it is carried out at once, otherwise it waits for a second person. The same key again
/// answers with the first answer.
pub async fn request_refund(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    input: NewRefund,
    key: &RequestKey,
) -> AppResult<Replayed<RefundView>> {
    let store_id = caller.require(Action::Resolve)?;
    if caller.is_customer() {
        return Err(AppError::forbidden("customers choose a remedy; a team member asks for refunds"));
    }
    let requested_by = caller.person()?;
    once(app, caller, key, fingerprint("request_refund", caller, &(case_id, &input))?, |_| async move {
        let (case, order) = case_and_order(app, caller, case_id).await?;
        let payment_id = payment_of(&order, input.payment_id.as_deref())?;
        let asked = RefundAsked {
            payment_id,
            method: input.method,
            reason: input.reason,
            amount: input.amount,
            lines: input.lines,
            fees: input.fees,
            bonus: input.bonus,
            note: input.note,
            requested_by,
            customer_flagged: input.customer_flagged,
            needs_approval: None,
            return_id: None,
        };
        let refund_key = IdempotencyKey::parse(key.as_str())?;
        let request = refund_request(case.id, &order, new_id(RefundId::from_uuid), refund_key, asked)?;
        let policy = approval_policy(app, store_id).await?;
        let outcome = app.storage().money().request_refund(request, policy, app.now()).await.map_err(|e| match e {
            StorageError::NotFound("payment") => {
                AppError::invalid("payment_id", "no payment with that id on the order")
            }
            other => other.into(),
        })?;
        let refund = execute(app, outcome.refund).await?;
        Ok(refund_view(&order, refund, app.now()))
    })
    .await
}

/// A refund, with where it is and when the customer can expect the money.
pub async fn refund(app: &App, caller: &Caller, refund_id: &str) -> AppResult<RefundView> {
    let store_id = caller.require(Action::Read)?;
    let refund = app.storage().money().refund(store_id, parse_id(refund_id, "refund")?).await?;
    let case = app.storage().case(store_id, refund.case_id).await?;
    caller.may_see(&case)?;
    let order = app.storage().order(store_id, refund.order_id).await?;
    Ok(refund_view(&order, refund, app.now()))
}

/// Approves a refund waiting for a second person, then carries it out. The approver is the
/// authenticated caller: a team lead or admin who is not the person who asked.
pub async fn approve_refund(app: &App, caller: &Caller, refund_id: &str) -> AppResult<RefundView> {
    let store_id = caller.require(Action::Approve)?;
    let approver = caller.person()?;
    let id: RefundId = parse_id(refund_id, "refund")?;
    let policy = approval_policy(app, store_id).await?;
    let now = app.now();
    let refund = app
        .storage()
        .money()
        .change_refund(store_id, id, Box::new(move |r: &Refund| r.approve(&approver, &policy, now)))
        .await?;
    let refund = execute(app, refund).await?;
    let order = app.storage().order(store_id, refund.order_id).await?;
    Ok(refund_view(&order, refund, app.now()))
}

/// Rejects a refund waiting for a second person, saying why; the amount is free again.
pub async fn reject_refund(app: &App, caller: &Caller, refund_id: &str, note: String) -> AppResult<RefundView> {
    let store_id = caller.require(Action::Approve)?;
    let approver = caller.person()?;
    let id: RefundId = parse_id(refund_id, "refund")?;
    let policy = approval_policy(app, store_id).await?;
    let now = app.now();
    let refund = app
        .storage()
        .money()
        .change_refund(store_id, id, Box::new(move |r: &Refund| r.reject(&approver, &note, &policy, now)))
        .await?;
    let order = app.storage().order(store_id, refund.order_id).await?;
    Ok(refund_view(&order, refund, app.now()))
}

/// The refunds waiting for a second person, oldest first: the approvals queue.
pub async fn approvals(app: &App, caller: &Caller) -> AppResult<Vec<Refund>> {
    let store_id = caller.require(Action::Read)?;
    Ok(app.storage().money().refunds_awaiting_approval(store_id).await?)
}

/// A payment with what it can still give back.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountBalance {
    /// The account.
    pub account: Account,
    /// The balance (debits positive).
    pub balance: Money,
    /// True when the balance is beyond what money can hold (a damaged row): it is shown at the
    /// end of the range, and the books need a look.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub out_of_range: bool,
}

fn account_balances(balances: &Balances) -> Vec<AccountBalance> {
    balances
        .by_account
        .iter()
        .filter(|(_, sum)| **sum != 0)
        .map(|((account, currency), sum)| {
            let (balance, fits) = wide_money(*sum, *currency);
            AccountBalance { account: *account, balance, out_of_range: !fits }
        })
        .collect()
}

/// A dispute with the time left to answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisputeView {
    /// The dispute.
    pub dispute: Dispute,
    /// Seconds left to submit evidence; none when no answer is expected.
    pub time_left_seconds: Option<i64>,
}

/// A dispute as shown, with the time left from `now`.
pub fn dispute_view(dispute: Dispute, now: OffsetDateTime) -> DisputeView {
    let time_left_seconds = dispute.time_left(now).map(|d| d.whole_seconds());
    DisputeView { dispute, time_left_seconds }
}

/// Everything about money on a case's order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
pub async fn case_money(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<CaseMoney> {
    caller.require(Action::Read)?;
    let (case, order) = case_and_order(app, caller, case_id).await?;
    let store_id = case.store_id;
    let money = app.storage().money();
    let mut payments = Vec::new();
    for payment in &order.payments {
        let balance = money.payment_balance(store_id, payment.id).await?;
        payments.push(PaymentMoney {
            payment_id: payment.id,
            provider_reference: payment.provider_reference.clone(),
            method: payment.method.clone(),
            captured: balance.captured,
            refunded: balance.refunded,
            reserved: balance.reserved,
            refundable: balance.refundable().unwrap_or(Money::zero(balance.captured.currency)),
        });
    }
    let now = app.now();
    let refunds =
        money.refunds_of_order(store_id, order.id).await?.into_iter().map(|r| refund_view(&order, r, now)).collect();
    let postings = money.postings(store_id, Some(order.id)).await?;
    let balances = Balances::of(&postings);
    let disputes = money.disputes_of_case(store_id, case.id).await?.into_iter().map(|d| dispute_view(d, now)).collect();
    Ok(CaseMoney {
        payments,
        refunds,
        balanced: balances.is_balanced(),
        balances: account_balances(&balances),
        postings,
        disputes,
    })
}

/// What to check beyond the order's own facts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckInput {
    /// The shop shows the order as unpaid (the customer says they paid).
    #[serde(default)]
    pub order_marked_unpaid: bool,
}

/// What a transaction check found.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckResult {
    /// True for the money kinds of case (`wrong_charge`, `payment_not_reflected`, `refund_status`).
    pub money_case: bool,
    /// The findings, each with transaction references and a suggested remedy; empty when all is well.
    pub findings: Vec<Finding>,
}

/// Compares the case's order with its payments and refunds: double charges, captures above the
/// order total, authorisations never captured, captured but shown unpaid, refunds late. The
/// findings go on the case's timeline.
pub async fn check_transactions(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    input: CheckInput,
) -> AppResult<CheckResult> {
    let store_id = caller.require(Action::WorkCases)?;
    let (case, order) = case_and_order(app, caller, case_id).await?;
    let refunds = app.storage().money().refunds_of_order(store_id, order.id).await?;
    let now = app.now();
    let context = CheckContext { refunds: &refunds, order_marked_unpaid: input.order_marked_unpaid };
    let findings = transaction_check::check(&order, &context, now).map_err(AppError::internal)?;
    let entry = TimelineEntry {
        at: now,
        actor: caller.actor(),
        event: CaseEvent::TransactionsChecked { findings: findings.clone() },
    };
    app.storage().money().append_timeline(store_id, case.id, vec![entry]).await?;
    Ok(CheckResult { money_case: transaction_check::applies_to(case.kind), findings })
}

/// The store's ledger.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerView {
    /// Balance per account and currency.
    pub balances: Vec<AccountBalance>,
    /// True when every currency sums to zero (it always should).
    pub balanced: bool,
}

/// The store's ledger balances per account and currency.
pub async fn ledger(app: &App, caller: &Caller) -> AppResult<LedgerView> {
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let balances = app.storage().money().ledger_balances(store_id).await?;
    Ok(LedgerView { balanced: balances.is_balanced(), balances: account_balances(&balances) })
}

/// The most discrepancies one reconciliation lists; past it the report says it stopped.
pub const MAX_DISCREPANCIES: usize = 1_000;

/// What reconciling the store's payments with its books found.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReconciliationReport {
    /// Payments checked.
    pub payments_checked: u64,
    /// Every ledger posting balances (each currency of each posting sums to zero).
    pub ledger_balanced: bool,
    /// The figures payments record that the books do not bear out; empty when all agree.
    pub discrepancies: Vec<redress_domain::reconcile::Discrepancy>,
    /// More discrepancies were found than are listed.
    pub truncated: bool,
}

/// Checks every payment's captured, refunded and reserved amounts against the ledger and the
/// refund intents, a page of payments at a time; `progress` hears how many were checked so far.
pub async fn reconcile(
    app: &App,
    caller: &Caller,
    mut progress: impl FnMut(u64) + Send,
) -> AppResult<ReconciliationReport> {
    const PAGE: u32 = 200;
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let money = app.storage().money();
    let mut report = ReconciliationReport {
        payments_checked: 0,
        ledger_balanced: money.ledger_balances(store_id).await?.is_balanced(),
        discrepancies: Vec::new(),
        truncated: false,
    };
    let mut after = None;
    loop {
        let payments = money.recorded_payments(store_id, after, PAGE).await?;
        let Some(last) = payments.last() else { break };
        after = Some(last.payment_id);
        // An order's postings and refunds are read once for all its payments.
        let mut books: std::collections::BTreeMap<redress_domain::OrderId, (Vec<Posting>, Vec<Refund>)> =
            Default::default();
        for payment in &payments {
            let (postings, refunds) = match books.entry(payment.order_id) {
                std::collections::btree_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::btree_map::Entry::Vacant(slot) => {
                    let postings = money.postings(store_id, Some(payment.order_id)).await?;
                    let refunds = money.refunds_of_order(store_id, payment.order_id).await?;
                    slot.insert((postings, refunds))
                }
            };
            for found in redress_domain::reconcile::reconcile_payment(payment, postings, refunds) {
                if report.discrepancies.len() < MAX_DISCREPANCIES {
                    report.discrepancies.push(found);
                } else {
                    report.truncated = true;
                }
            }
        }
        report.payments_checked += payments.len() as u64;
        progress(report.payments_checked);
        if payments.len() < PAGE as usize {
            break;
        }
    }
    Ok(report)
}

fn refuse_customer(caller: &Caller) -> AppResult<()> {
    if caller.is_customer() { Err(AppError::forbidden("the shop's books are for its team")) } else { Ok(()) }
}

/// The most postings on one page.
pub const MAX_POSTINGS_PAGE: u32 = 500;

/// A page of the store's postings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostingsPage {
    /// Postings, oldest first.
    pub postings: Vec<Posting>,
    /// Where the next page starts (pass it as `after`), when there is one.
    pub next: Option<PostingId>,
}

/// The store's ledger postings, oldest first, a page at a time: every movement with its legs,
/// links and cause.
pub async fn postings(app: &App, caller: &Caller, after: Option<&str>, limit: Option<u32>) -> AppResult<PostingsPage> {
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let limit = limit.unwrap_or(100);
    if !(1..=MAX_POSTINGS_PAGE).contains(&limit) {
        return Err(AppError::invalid("limit", format!("give 1 to {MAX_POSTINGS_PAGE}")));
    }
    let after = after
        .map(|a| a.parse::<PostingId>().map_err(|_| AppError::invalid("after", "not a posting id")))
        .transpose()?;
    let mut postings = app.storage().money().postings_page(store_id, after, limit + 1).await?;
    let next = if postings.len() > limit as usize {
        postings.truncate(limit as usize);
        postings.last().map(|p| p.id)
    } else {
        None
    };
    Ok(PostingsPage { postings, next })
}

/// A customer's store credit, per currency.
pub async fn store_credit(app: &App, caller: &Caller, customer_id: &str) -> AppResult<Vec<StoreCredit>> {
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let customer_id: CustomerId = parse_id(customer_id, "customer")?;
    app.storage().customer(store_id, customer_id).await?;
    Ok(app.storage().money().store_credit(store_id, customer_id).await?)
}

/// Store credit to spend.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSpend {
    /// How much, in the currency of the credit to spend.
    pub amount: Money,
    /// What it pays for, e.g. the new order's number.
    pub spent_on: String,
    /// The case it is spent on, if any: the spend goes on its timeline.
    #[serde(default)]
    pub case_id: Option<String>,
}

/// A spend and the credit left.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SpendView {
    /// The spend.
    pub spend: CreditSpend,
    /// The customer's credit in that currency, after it.
    pub balance: StoreCredit,
}

impl Answer for SpendView {
    fn status(&self) -> u16 {
        201
    }
}

/// Spends a customer's store credit (e.g. against a new order), as the caller: the balance
/// goes down, never below zero, even when two spends race for the last of it, and
/// `store_credit_spent` is posted.
pub async fn spend_store_credit(
    app: &App,
    caller: &Caller,
    customer_id: &str,
    input: NewSpend,
    key: &RequestKey,
) -> AppResult<Replayed<SpendView>> {
    let store_id = caller.require(Action::Resolve)?;
    refuse_customer(caller)?;
    let customer_id: CustomerId = parse_id(customer_id, "customer")?;
    once(app, caller, key, fingerprint("spend_store_credit", caller, &(customer_id, &input))?, |_| async move {
        let case_id = input
            .case_id
            .as_deref()
            .map(|id| id.parse::<CaseId>().map_err(|_| AppError::invalid("case_id", "not a case id")))
            .transpose()?;
        let spend = CreditSpend {
            posting_id: new_id(PostingId::from_uuid),
            store_id,
            customer_id,
            idempotency_key: IdempotencyKey::parse(key.as_str())?,
            amount: input.amount,
            spent_on: input.spent_on.trim().to_owned(),
            case_id,
            spent_by: caller.actor(),
            at: app.now(),
        };
        let outcome = app.storage().money().spend_store_credit(spend).await.map_err(|e| match e {
            StorageError::Refund(RefundError::Invalid(v)) if v.field == "amount" => {
                AppError::new(ErrorCode::InsufficientStoreCredit, v.problem).at("amount")
            }
            StorageError::NotFound("case") => AppError::invalid("case_id", "no case with that id in this store"),
            other => other.into(),
        })?;
        Ok(SpendView { spend: outcome.spend, balance: outcome.balance })
    })
    .await
}

/// A customer's store credit spends, oldest first.
pub async fn credit_spends(app: &App, caller: &Caller, customer_id: &str) -> AppResult<Vec<CreditSpend>> {
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let customer_id: CustomerId = parse_id(customer_id, "customer")?;
    app.storage().customer(store_id, customer_id).await?;
    Ok(app.storage().money().credit_spends(store_id, customer_id).await?)
}

/// Corrects a posting, as the caller (a team lead or admin): a new `correction` posting with
/// every leg of the original reversed, naming it, with the reason; on the original's case
/// timeline. The original is never edited; a posting is corrected once.
pub async fn correct_posting(app: &App, caller: &Caller, posting_id: &str, reason: String) -> AppResult<Posting> {
    let store_id = caller.require(Action::CorrectLedger)?;
    let posting_id: PostingId = parse_id(posting_id, "posting")?;
    Ok(app.storage().money().correct_posting(store_id, posting_id, reason, caller.actor(), app.now()).await?)
}

/// A dispute the payment provider reported.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDispute {
    /// The disputed payment, on the case's order.
    pub payment_id: String,
    /// The provider's dispute id (`dp_…`).
    pub provider_reference: String,
    /// The amount disputed: more than zero, at most what the payment captured.
    pub amount: Money,
    /// Stripe's reason.
    pub reason: DisputeReason,
    /// `needs_response` (a chargeback) or `warning_needs_response` (an inquiry).
    pub status: DisputeStatus,
    /// When the evidence is due (RFC 3339).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub evidence_due_by: OffsetDateTime,
}

/// Records a dispute on the case's order; a chargeback is posted to the ledger. A dispute can
/// never claim more than its payment captured.
pub async fn open_dispute(app: &App, caller: &Caller, case_id: CaseId, input: NewDispute) -> AppResult<DisputeView> {
    let store_id = caller.require(Action::Disputes)?;
    let (case, order) = case_and_order(app, caller, case_id).await?;
    let payment_id = payment_of(&order, Some(&input.payment_id))?
        .ok_or_else(|| AppError::invalid("payment_id", "name the payment"))?;
    let reference = input.provider_reference.trim();
    if reference.is_empty() || reference.len() > 255 {
        return Err(AppError::invalid("provider_reference", "give the provider's dispute id, 1 to 255 characters"));
    }
    let now = app.now();
    let dispute = Dispute {
        id: new_id(DisputeId::from_uuid),
        store_id,
        order_id: order.id,
        payment_id,
        case_id: case.id,
        provider_reference: reference.to_owned(),
        amount: input.amount,
        reason: input.reason,
        status: input.status,
        evidence_due_by: input.evidence_due_by,
        created_at: now,
        updated_at: now,
    };
    dispute.check_against(&order)?;
    let dispute = app.storage().money().open_dispute(dispute, caller.actor()).await.map_err(|e| match e {
        StorageError::Conflict(Conflict::Duplicate(_)) => AppError::new(
            ErrorCode::Duplicate,
            "a dispute with that provider reference is already recorded in this store",
        ),
        other => other.into(),
    })?;
    Ok(dispute_view(dispute, now))
}

/// A dispute with the time left to answer.
pub async fn dispute(app: &App, caller: &Caller, dispute_id: &str) -> AppResult<DisputeView> {
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let dispute = app.storage().money().dispute(store_id, parse_id(dispute_id, "dispute")?).await?;
    Ok(dispute_view(dispute, app.now()))
}

/// The store's disputes, the one due soonest first.
pub async fn disputes(app: &App, caller: &Caller) -> AppResult<Vec<DisputeView>> {
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let now = app.now();
    Ok(app.storage().money().disputes_of_store(store_id).await?.into_iter().map(|d| dispute_view(d, now)).collect())
}

/// Moves a dispute on as the provider reports it; a won chargeback posts the money coming back.
pub async fn change_dispute(app: &App, caller: &Caller, dispute_id: &str, to: DisputeStatus) -> AppResult<DisputeView> {
    let store_id = caller.require(Action::Disputes)?;
    let id: DisputeId = parse_id(dispute_id, "dispute")?;
    let dispute = app.storage().money().change_dispute(store_id, id, to, caller.actor(), app.now()).await?;
    Ok(dispute_view(dispute, app.now()))
}

/// The dispute and its evidence pack, assembled from the case's own record: order and receipt,
/// carrier and tracking, delivery confirmation, customer communication, refunds, the case's
/// history. `policy_version` names the refund policy shown to the customer.
pub async fn evidence_pack(
    app: &App,
    caller: &Caller,
    dispute_id: &str,
    policy_version: Option<&str>,
) -> AppResult<(Dispute, EvidencePack)> {
    let store_id = caller.require(Action::Read)?;
    refuse_customer(caller)?;
    let storage = app.storage();
    let dispute = storage.money().dispute(store_id, parse_id(dispute_id, "dispute")?).await?;
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

/// Sends the evidence pack to the payment provider and records the dispute as under review.
pub async fn submit_evidence(
    app: &App,
    caller: &Caller,
    dispute_id: &str,
    policy_version: Option<&str>,
) -> AppResult<DisputeView> {
    let store_id = caller.require(Action::Disputes)?;
    let (dispute, pack) = evidence_pack(app, caller, dispute_id, policy_version).await?;
    let to = match dispute.status {
        DisputeStatus::NeedsResponse => DisputeStatus::UnderReview,
        DisputeStatus::WarningNeedsResponse => DisputeStatus::WarningUnderReview,
        other => {
            return Err(AppError::new(
                ErrorCode::IllegalTransition,
                format!("the dispute is {} and takes no evidence", other.as_str()),
            ));
        }
    };
    app.refunds().provider().submit_evidence(&dispute.provider_reference, &pack.evidence).await.map_err(|e| {
        // A refusal is the provider's final word on this request; only a provider that could not
        // be reached (or answered nonsense) is a failure worth retrying.
        let code = match e {
            ProviderError::Rejected(_) | ProviderError::Unsupported(_) => ErrorCode::ProviderRefused,
            ProviderError::Timeout | ProviderError::Unavailable(_) | ProviderError::Protocol(_) => {
                ErrorCode::Unavailable
            }
        };
        AppError::new(code, format!("the payment provider did not take the evidence: {e}"))
    })?;
    let dispute = app.storage().money().change_dispute(store_id, dispute.id, to, caller.actor(), app.now()).await?;
    Ok(dispute_view(dispute, app.now()))
}

/// What a payment provider's webhook did.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookReceipt {
    /// True once the event was checked and taken.
    pub received: bool,
    /// The refund it settled, if it was about one Redress made.
    pub refund_id: Option<RefundId>,
    /// The dispute it recorded or updated, if it was about a payment Redress knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispute_id: Option<DisputeId>,
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

fn invalid_event(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::InvalidJson, format!("not a {what}: {e}"))
}

/// Takes a Stripe webhook, checked by its `Stripe-Signature` against the endpoint's secret
/// (the signature is the caller's credential):
/// - `refund.updated`, `refund.failed`, `charge.refund.updated` settle the refund they name;
/// - `charge.dispute.created`, `.updated` and `.closed` record the dispute on the payment they
///   name, on the order's latest case or a case opened for it.
///
/// Other events are acknowledged and ignored.
pub async fn stripe_webhook(app: &App, signature: &str, body: &[u8]) -> AppResult<WebhookReceipt> {
    let secret = app.stripe_webhook_secret.as_deref().ok_or_else(|| {
        AppError::unauthorized("Stripe webhooks are not accepted here: no webhook signing secret is configured")
    })?;
    if !redress_connect::stripe::signature_valid(secret, signature, body, app.now().unix_timestamp()) {
        return Err(AppError::unauthorized("the Stripe-Signature header is missing, stale or does not match the body"));
    }
    let event: StripeEvent = serde_json::from_slice(body).map_err(|e| invalid_event("Stripe event", e))?;
    if matches!(event.kind.as_str(), "charge.dispute.created" | "charge.dispute.updated" | "charge.dispute.closed") {
        let object: redress_connect::stripe::DisputeObject =
            serde_json::from_value(event.data.object).map_err(|e| invalid_event("dispute object", e))?;
        let dispute = on_dispute_event(app, &object).await?;
        return Ok(WebhookReceipt { received: true, refund_id: None, dispute_id: dispute.map(|d| d.id) });
    }
    if !matches!(event.kind.as_str(), "refund.updated" | "refund.failed" | "charge.refund.updated" | "refund.created") {
        return Ok(WebhookReceipt { received: true, refund_id: None, dispute_id: None });
    }
    let object: redress_connect::stripe::RefundObject =
        serde_json::from_value(event.data.object).map_err(|e| invalid_event("refund object", e))?;
    let answer = redress_connect::stripe::answer_of(&object);
    let refund = app.refunds().on_event(&answer).await.map_err(execute_error)?;
    Ok(WebhookReceipt { received: true, refund_id: refund.map(|r| r.id), dispute_id: None })
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

/// Records what a Stripe dispute event says: the dispute Redress already has is updated; a new
/// one is opened on the latest case of the order holding the disputed payment (a case is opened
/// for it when the order has none). None when no order of this deployment holds the payment.
async fn on_dispute_event(app: &App, object: &redress_connect::stripe::DisputeObject) -> AppResult<Option<Dispute>> {
    let reported = redress_connect::stripe::dispute_of(object).map_err(|e| invalid_event("dispute object", e))?;
    let report = DisputeReport {
        status: reported.status,
        reason: reported.reason,
        amount: reported.amount,
        evidence_due_by: reported.evidence_due_by,
    };
    let actor = Actor::Integration { name: "stripe".into() };
    let now = app.now();
    let money = app.storage().money();
    if let Some(known) = money.dispute_by_reference(&reported.reference).await? {
        return Ok(Some(money.report_dispute(known.store_id, known.id, report, actor, now).await?));
    }
    let references = std::iter::once(reported.charge.clone()).chain(object.payment_intent.clone()).collect();
    let Some(order) = money.order_by_payment_reference(references).await? else { return Ok(None) };
    let system = Caller::System { store_id: order.store_id, rule: SystemRule::PaymentProviderWebhook };
    let payment = order
        .payments
        .iter()
        .find(|p| {
            p.provider_reference == reported.charge || Some(&p.provider_reference) == object.payment_intent.as_ref()
        })
        .ok_or_else(|| AppError::internal("the order found has no such payment"))?;
    let filter = redress_storage::CaseFilter { order_id: Some(order.id), ..Default::default() };
    let latest = app.storage().cases(order.store_id, &filter, None, 1).await?.cases.into_iter().next();
    let case_id = match latest {
        Some(case) => case.id,
        None => open_dispute_case(app, &system, &order, &reported, &actor).await?,
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
    // Stripe names the fields of its object; ours map onto them.
    dispute.check_against(&order).map_err(|e| {
        let error = AppError::from(e);
        let field = match error.field.as_deref() {
            Some("amount.currency") => "data.object.currency",
            _ => "data.object.amount",
        };
        error.at(field)
    })?;
    let opened =
        match money.open_dispute(dispute, actor.clone()).await {
            Ok(opened) => opened,
            // The same event delivered twice at once: the other delivery opened it.
            Err(StorageError::Conflict(Conflict::Duplicate(_))) => money
                .dispute_by_reference(&reported.reference)
                .await?
                .ok_or_else(|| AppError::internal("the dispute was neither opened nor found"))?,
            Err(other) => return Err(other.into()),
        };
    Ok(Some(money.report_dispute(opened.store_id, opened.id, report, actor, now).await?))
}

/// Opens a case for a dispute on an order that has none, as a message from the provider.
async fn open_dispute_case(
    app: &App,
    system: &Caller,
    order: &Order,
    reported: &redress_connect::ProviderDispute,
    actor: &Actor,
) -> AppResult<CaseId> {
    let store_id = system.require(Action::WorkCases)?;
    let customer = app.storage().customer(store_id, order.customer_id).await?;
    let store = app.storage().store(store_id).await?;
    let case_id = new_id(CaseId::from_uuid);
    let now = app.now();
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
        store_id,
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
            store_id,
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
    Ok(app.storage().open_case(new, now).await?.case.id)
}
