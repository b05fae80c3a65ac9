//! Tests of the providers and the executor: the Stripe adapter against the local fake, and
//! exactly-once execution through timeouts, failures, repeated answers and late settlement.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use redress_domain::approval::{ApprovalPolicy, Person, Role};
use redress_domain::dispute::{DisputeReason, DisputeStatus, StripeEvidence};
use redress_domain::ledger::MovementKind;
use redress_domain::refund::{IdempotencyKey, Refund, RefundMethod, RefundReason, RefundRequest, RefundStatus};
use redress_domain::*;
use redress_storage::Storage;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::executor::{RefundExecutor, RetryPolicy};
use crate::sandbox::{Behaviour, Sandbox};
use crate::stripe::Stripe;
use crate::{PaymentProvider, ProviderDispute, ProviderError, ProviderRefund, ProviderRefundStatus};

const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);
const KEY: &str = "sk_test_fake";

fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

fn provider_refund(key: &str, charge: &str, amount: i64) -> ProviderRefund {
    ProviderRefund {
        charge: charge.into(),
        amount: Money::new(amount, eur()),
        idempotency_key: key.into(),
        refund_id: RefundId::from_uuid(Uuid::now_v7()),
        reason: Some("duplicate"),
    }
}

async fn stripe(sandbox: &Sandbox, timeout: Duration) -> Stripe {
    let base = crate::fake_stripe::serve(sandbox.clone(), KEY).await.unwrap();
    Stripe::new(&base, KEY, timeout).unwrap()
}

#[tokio::test]
async fn stripe_adapter_refunds_once_per_key_and_finds_refunds_again() {
    let sandbox = Sandbox::new();
    sandbox.add_charge("ch_1", Money::new(4999, eur()));
    let stripe = stripe(&sandbox, Duration::from_secs(5)).await;
    let request = provider_refund("key-1", "ch_1", 4999);
    let first = stripe.refund(&request).await.unwrap();
    assert_eq!(first.status, ProviderRefundStatus::Succeeded);
    assert_eq!(first.refund_id, Some(request.refund_id));
    let again = stripe.refund(&request).await.unwrap();
    assert_eq!(again.reference, first.reference);
    assert_eq!(sandbox.refunds().len(), 1);
    assert_eq!(stripe.find_refund("ch_1", request.refund_id).await.unwrap(), Some(first));
    assert_eq!(stripe.find_refund("ch_1", RefundId::from_uuid(Uuid::now_v7())).await.unwrap(), None);
    let over = stripe.refund(&provider_refund("key-2", "ch_1", 1)).await;
    assert!(
        matches!(over, Err(ProviderError::Rejected(ref m)) if m.starts_with("charge_already_refunded")),
        "{over:?}"
    );
    let wrong_key = Stripe::new(&stripe_base(&sandbox).await, "sk_wrong", Duration::from_secs(5)).unwrap();
    assert!(matches!(wrong_key.refund(&provider_refund("key-3", "ch_1", 1)).await, Err(ProviderError::Rejected(_))));
}

async fn stripe_base(sandbox: &Sandbox) -> String {
    crate::fake_stripe::serve(sandbox.clone(), KEY).await.unwrap()
}

#[tokio::test]
async fn stripe_adapter_times_out_and_reports_failures_and_pending() {
    let sandbox = Sandbox::new().with_hang(Duration::from_secs(30));
    let stripe = stripe(&sandbox, Duration::from_millis(200)).await;
    sandbox.script(Behaviour::TimeOutBeforeExecuting);
    assert_eq!(stripe.refund(&provider_refund("t-1", "ch_9", 100)).await, Err(ProviderError::Timeout));
    sandbox.script(Behaviour::Fail("expired_or_canceled_card".into()));
    let failed = stripe.refund(&provider_refund("t-2", "ch_9", 100)).await.unwrap();
    assert_eq!(failed.status, ProviderRefundStatus::Failed { reason: "expired_or_canceled_card".into() });
    sandbox.script(Behaviour::SettleLater);
    let pending = stripe.refund(&provider_refund("t-3", "pi_9", 100)).await.unwrap();
    assert_eq!(pending.status, ProviderRefundStatus::Pending);
    sandbox.settle(&pending.reference, true).unwrap();
    let found = stripe.find_refund("pi_9", pending.refund_id.unwrap()).await.unwrap().unwrap();
    assert_eq!(found.status, ProviderRefundStatus::Succeeded);
}

#[tokio::test]
async fn stripe_adapter_reads_disputes_and_submits_evidence_in_stripe_field_names() {
    let sandbox = Sandbox::new();
    sandbox.add_dispute(ProviderDispute {
        reference: "dp_1".into(),
        charge: "ch_1".into(),
        amount: Money::new(4999, eur()),
        reason: DisputeReason::ProductNotReceived,
        status: DisputeStatus::NeedsResponse,
        evidence_due_by: T0,
    });
    let stripe = stripe(&sandbox, Duration::from_secs(5)).await;
    let dispute = stripe.dispute("dp_1").await.unwrap();
    assert_eq!(
        (dispute.reason, dispute.status, dispute.evidence_due_by),
        (DisputeReason::ProductNotReceived, DisputeStatus::NeedsResponse, T0)
    );
    let evidence = StripeEvidence {
        shipping_carrier: Some("inpost".into()),
        shipping_tracking_number: Some("6000123".into()),
        ..StripeEvidence::default()
    };
    let submitted = stripe.submit_evidence("dp_1", &evidence).await.unwrap();
    assert_eq!(submitted.status, DisputeStatus::UnderReview);
    assert_eq!(sandbox.evidence("dp_1"), Some(evidence.clone()));
    assert!(stripe.submit_evidence("dp_1", &evidence).await.is_err(), "a dispute under review takes no more evidence");
    assert!(stripe.dispute("dp_missing").await.is_err());
}

struct World {
    db: Arc<dyn Storage>,
    store_id: StoreId,
    order: Order,
    case_id: CaseId,
    _dir: tempfile::TempDir,
}

async fn world(captured: i64) -> World {
    let dir = tempfile::tempdir().unwrap();
    let db: Arc<dyn Storage> =
        Arc::new(redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap());
    let store = Store {
        id: StoreId::from_uuid(Uuid::now_v7()),
        slug: StoreSlug::parse("shop").unwrap(),
        name: "Shop".into(),
        default_currency: eur(),
        default_language: LanguageTag::parse("en").unwrap(),
        created_at: T0,
    };
    db.create_store(&store).await.unwrap();
    let customer = Customer {
        id: CustomerId::from_uuid(Uuid::now_v7()),
        store_id: store.id,
        email: EmailAddress::parse("ana@example.com").unwrap(),
        name: "Ana".into(),
        language: None,
    };
    let address = Address {
        name: "Ana".into(),
        lines: vec!["Calle 1".into()],
        city: "Madrid".into(),
        postal_code: "28001".into(),
        region: None,
        country: "ES".into(),
    };
    let order = Order {
        id: OrderId::from_uuid(Uuid::now_v7()),
        store_id: store.id,
        number: "1042".into(),
        customer_id: customer.id,
        currency: eur(),
        lines: vec![OrderLine {
            sku: "VASE".into(),
            title: "Vase".into(),
            variant: BTreeMap::new(),
            category: None,
            quantity: 1,
            unit_price: Money::new(captured, eur()),
            other_variants: Vec::new(),
        }],
        shipping_address: address.clone(),
        billing_address: address,
        payments: vec![Payment {
            id: PaymentId::from_uuid(Uuid::now_v7()),
            provider: "sandbox".into(),
            provider_reference: "ch_1".into(),
            method: "card".into(),
            authorized: Money::new(captured, eur()),
            captured: Money::new(captured, eur()),
            refunded: Money::zero(eur()),
            status: PaymentStatus::Captured,
            created_at: T0,
        }],
        shipments: vec![],
        placed_at: T0,
        cancelled_at: None,
    };
    let (order, _) = db.upsert_order(&customer, &order, T0).await.unwrap();
    let case_id = CaseId::from_uuid(Uuid::now_v7());
    let new = NewCase {
        id: case_id,
        store_id: store.id,
        order_id: Some(order.id),
        customer_id: Some(customer.id),
        customer_email: Some(customer.email.clone()),
        subject: "Charged twice".into(),
        kind: IssueKind::WrongCharge,
        language: LanguageTag::parse("en").unwrap(),
        sentiment: Sentiment::Negative,
        escalation: BTreeSet::new(),
        first_message: Message {
            id: MessageId::from_uuid(Uuid::now_v7()),
            store_id: store.id,
            case_id,
            direction: Direction::Inbound,
            channel: Channel::Email,
            author: Actor::Customer { handle: "ana@example.com".into() },
            body: "You charged me twice".into(),
            attachments: vec![],
            created_at: T0,
        },
        opened_by: Actor::Customer { handle: "ana@example.com".into() },
        understood: None,
        lines: Vec::new(),
    };
    db.open_case(new, T0).await.unwrap();
    World { db, store_id: store.id, order, case_id, _dir: dir }
}

async fn ask(w: &World, key: &str, amount: i64, method: RefundMethod) -> Refund {
    let request = RefundRequest {
        id: RefundId::from_uuid(Uuid::now_v7()),
        store_id: w.store_id,
        order_id: w.order.id,
        case_id: w.case_id,
        customer_id: w.order.customer_id,
        payment_id: (method != RefundMethod::GiftCard).then(|| w.order.payments[0].id),
        idempotency_key: IdempotencyKey::parse(key).unwrap(),
        method,
        reason: RefundReason::DuplicateCharge,
        lines: vec![],
        amount: Money::new(amount, eur()),
        fees: vec![],
        bonus: Money::zero(eur()),
        note: None,
        requested_by: Person::new("maria", Role::Agent).unwrap(),
        customer_flagged: false,
        needs_approval: None,
        return_id: None,
    };
    w.db.money().request_refund(request, ApprovalPolicy::default(), OffsetDateTime::now_utc()).await.unwrap().refund
}

fn fast(attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempts,
        first_backoff: Duration::from_millis(10),
        call_timeout: Duration::from_millis(150),
        reconcile_after: Duration::ZERO,
    }
}

async fn refund_postings(w: &World) -> usize {
    w.db.money()
        .postings(w.store_id, Some(w.order.id))
        .await
        .unwrap()
        .iter()
        .filter(|p| p.kind == MovementKind::Refund)
        .count()
}

#[tokio::test]
async fn a_timeout_is_retried_with_the_same_key_and_pays_once() {
    for behaviour in [Behaviour::TimeOutBeforeExecuting, Behaviour::TimeOutAfterExecuting] {
        let w = world(4999).await;
        let sandbox = Sandbox::new();
        sandbox.script(behaviour.clone());
        let executor = RefundExecutor::new(w.db.clone(), Arc::new(sandbox.clone()), fast(3));
        let refund = ask(&w, "dup-1", 4999, RefundMethod::OriginalPayment).await;
        let done = executor.execute(w.store_id, refund.id).await.unwrap();
        assert_eq!(done.status, RefundStatus::Succeeded, "{behaviour:?}");
        assert_eq!(done.attempts, 2);
        assert_eq!(sandbox.calls(), 2);
        assert_eq!(sandbox.refunds().len(), 1, "{behaviour:?}: paid once");
        assert!(done.expected.is_some());
        assert_eq!(refund_postings(&w).await, 1);
        // Executing again, or clicking twice, changes nothing.
        let again = executor.execute(w.store_id, refund.id).await.unwrap();
        assert_eq!(again, done);
        assert_eq!(sandbox.calls(), 2);
    }
}

#[tokio::test]
async fn a_server_that_never_heard_back_reconciles_instead_of_paying_again() {
    let w = world(4999).await;
    let sandbox = Sandbox::new();
    sandbox.script(Behaviour::TimeOutAfterExecuting);
    let first = RefundExecutor::new(w.db.clone(), Arc::new(sandbox.clone()), fast(1));
    let refund = ask(&w, "dup-1", 4999, RefundMethod::OriginalPayment).await;
    let left = first.execute(w.store_id, refund.id).await.unwrap();
    assert_eq!(left.status, RefundStatus::Sent, "no answer: the intent stays sent");
    // A restarted server's worker finds it, asks the provider, and adopts its refund.
    let restarted = RefundExecutor::new(w.db.clone(), Arc::new(sandbox.clone()), fast(3));
    assert_eq!(restarted.run_due().await.unwrap(), 1);
    let done = w.db.money().refund(w.store_id, refund.id).await.unwrap();
    assert_eq!(done.status, RefundStatus::Succeeded);
    assert_eq!((sandbox.calls(), sandbox.refunds().len()), (1, 1));
    assert_eq!(restarted.run_due().await.unwrap(), 0);
}

#[tokio::test]
async fn failures_release_the_amount_and_late_settlement_arrives_by_event() {
    let w = world(4999).await;
    let sandbox = Sandbox::new();
    let executor = Arc::new(RefundExecutor::new(w.db.clone(), Arc::new(sandbox.clone()), fast(3)));
    sandbox.script(Behaviour::Fail("card_closed".into()));
    let failing = ask(&w, "f-1", 1000, RefundMethod::OriginalPayment).await;
    let failed = executor.execute(w.store_id, failing.id).await.unwrap();
    assert_eq!((failed.status, failed.failure.as_deref()), (RefundStatus::Failed, Some("card_closed")));
    let balance = w.db.money().payment_balance(w.store_id, w.order.payments[0].id).await.unwrap();
    assert_eq!(balance.refundable().unwrap().amount_minor, 4999);

    // The provider's notices are applied here, in order, as the worker would apply them.
    let mut events = sandbox.subscribe();
    sandbox.script(Behaviour::SettleLater);
    let late = ask(&w, "late-1", 1000, RefundMethod::OriginalPayment).await;
    let pending = executor.execute(w.store_id, late.id).await.unwrap();
    assert_eq!(pending.status, RefundStatus::PendingSettlement);
    sandbox.settle(pending.provider_reference.as_deref().unwrap(), true).unwrap();
    let notice = events.recv().await.unwrap();
    let settled = executor.on_event(&notice).await.unwrap().expect("the notice names the refund");
    assert_eq!(settled.status, RefundStatus::Succeeded);

    sandbox.script(Behaviour::AnswerTwice);
    let twice = ask(&w, "twice-1", 500, RefundMethod::OriginalPayment).await;
    assert_eq!(executor.execute(w.store_id, twice.id).await.unwrap().status, RefundStatus::Succeeded);
    let repeated = events.try_recv().expect("the answer came again as a notice");
    assert_eq!(executor.on_event(&repeated).await.unwrap().map(|r| r.status), Some(RefundStatus::Succeeded));
    assert_eq!(refund_postings(&w).await, 2, "the repeated answer posted nothing more");
    let balance = w.db.money().payment_balance(w.store_id, w.order.payments[0].id).await.unwrap();
    assert_eq!((balance.refunded.amount_minor, balance.reserved.amount_minor), (1500, 0));
    assert!(w.db.money().ledger_balances(w.store_id).await.unwrap().is_balanced());
}

#[tokio::test]
async fn credit_and_gift_cards_are_issued_without_a_provider() {
    let w = world(4999).await;
    let sandbox = Sandbox::new();
    let executor = RefundExecutor::new(w.db.clone(), Arc::new(sandbox.clone()), fast(3));
    let credit = ask(&w, "c-1", 2000, RefundMethod::StoreCredit).await;
    assert_eq!(executor.execute(w.store_id, credit.id).await.unwrap().status, RefundStatus::Succeeded);
    let gift = ask(&w, "g-1", 500, RefundMethod::GiftCard).await;
    let issued = executor.execute(w.store_id, gift.id).await.unwrap();
    assert!(issued.gift_code.as_deref().is_some_and(|c| c.starts_with("GIFT-")));
    assert_eq!(sandbox.calls(), 0);
    let credit = w.db.money().store_credit(w.store_id, w.order.customer_id).await.unwrap();
    assert_eq!(credit[0].balance.amount_minor, 2000);
}

#[tokio::test]
async fn the_executor_over_the_stripe_adapter_pays_once_through_timeouts() {
    let w = world(4999).await;
    let sandbox = Sandbox::new().with_hang(Duration::from_secs(30));
    sandbox.add_charge("ch_1", Money::new(4999, eur()));
    sandbox.script(Behaviour::TimeOutAfterExecuting);
    let stripe = stripe(&sandbox, Duration::from_millis(300)).await;
    let executor = RefundExecutor::new(w.db.clone(), Arc::new(stripe), fast(3));
    let refund = ask(&w, "dup-1", 4999, RefundMethod::OriginalPayment).await;
    let done = executor.execute(w.store_id, refund.id).await.unwrap();
    assert_eq!(done.status, RefundStatus::Succeeded);
    assert!(done.provider_reference.as_deref().is_some_and(|r| r.starts_with("re_")));
    assert_eq!(sandbox.refunds().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executing_an_intent_already_in_flight_answers_at_once_and_pays_once() {
    let w = world(4999).await;
    let sandbox = Sandbox::new();
    sandbox.script(Behaviour::Hold);
    let executor = Arc::new(RefundExecutor::new(w.db.clone(), Arc::new(sandbox.clone()), fast(3)));
    let refund = ask(&w, "slow-1", 4999, RefundMethod::OriginalPayment).await;
    let first = {
        let executor = executor.clone();
        tokio::spawn(async move { executor.execute(refund.store_id, refund.id).await })
    };
    sandbox.wait_for_calls(1).await;
    // A second execution while the first waits on the provider: the intent as stored.
    let meanwhile = tokio::time::timeout(Duration::from_secs(5), executor.execute(w.store_id, refund.id))
        .await
        .expect("answers without waiting for the first execution")
        .unwrap();
    assert_eq!(meanwhile.status, RefundStatus::Sent);
    sandbox.release();
    let done = tokio::time::timeout(Duration::from_secs(5), first).await.expect("the first finishes").unwrap().unwrap();
    assert_eq!(done.status, RefundStatus::Succeeded);
    assert_eq!(sandbox.refunds().len(), 1, "paid once");
    // Once the first is done, the intent can be claimed again (and there is nothing left to do).
    assert_eq!(executor.execute(w.store_id, refund.id).await.unwrap(), done);
}
