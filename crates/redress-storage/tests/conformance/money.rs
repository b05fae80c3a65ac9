//! The money layer's conformance story: refund intents, idempotency, the refundable limit under
//! concurrent requests, approvals, the ledger, store credit and disputes.

use std::sync::Arc;

use redress_domain::approval::{AbuseRules, ApprovalError, ApprovalPolicy, Person, Role};
use redress_domain::dispute::{Dispute, DisputeError, DisputeReason, DisputeReport, DisputeStatus};
use redress_domain::ledger::{Account, MovementKind};
use redress_domain::refund::{
    CreditSpend, Fee, FeeKind, IdempotencyKey, Refund, RefundError, RefundLine, RefundMethod, RefundReason,
    RefundRequest, RefundStatus,
};
use redress_domain::resolution::RefundAsk;
use redress_domain::*;
use redress_storage::{Storage, StorageError};
use time::Duration;
use uuid::Uuid;

use super::{T0, customer, eur, new_case, order, store};

fn payment(reference: &str, amount: i64, at: time::OffsetDateTime) -> Payment {
    Payment {
        id: PaymentId::from_uuid(Uuid::now_v7()),
        provider: "sandbox".into(),
        provider_reference: reference.into(),
        method: "card".into(),
        authorized: Money::new(amount, eur()),
        captured: Money::new(amount, eur()),
        refunded: Money::zero(eur()),
        status: PaymentStatus::Captured,
        created_at: at,
    }
}

struct Fixture {
    shop: Store,
    order: Order,
    case_id: CaseId,
}

async fn fixture(db: &dyn Storage, slug: &str, payments: Vec<Payment>) -> Fixture {
    let suffix = &Uuid::now_v7().simple().to_string()[20..];
    let shop = store(&format!("{slug}-{suffix}"));
    db.create_store(&shop).await.unwrap();
    let buyer = customer(&shop, "ana@example.com");
    let mut o = order(&shop, &buyer, "1042");
    o.lines[0].unit_price = Money::new(4999, eur());
    o.payments = payments;
    let (o, _) = db.upsert_order(&buyer, &o, T0).await.unwrap();
    let case = db.open_case(new_case(&shop, Some(&o), "charged twice", T0), T0).await.unwrap();
    Fixture { shop, order: o, case_id: case.case.id }
}

fn request(f: &Fixture, key: &str, payment: Option<PaymentId>, amount: i64, method: RefundMethod) -> RefundRequest {
    RefundRequest {
        id: RefundId::from_uuid(Uuid::now_v7()),
        store_id: f.shop.id,
        order_id: f.order.id,
        case_id: f.case_id,
        customer_id: f.order.customer_id,
        payment_id: payment,
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
    }
}

fn to(status: RefundStatus) -> redress_storage::RefundUpdateFn {
    Box::new(move |r: &Refund| match status {
        RefundStatus::Sent => r.send(T0),
        RefundStatus::Succeeded => r.succeed(Some("re_1".into()), "card", T0),
        RefundStatus::Failed => r.fail("card expired", T0),
        _ => r.pending("re_1".into(), "card", T0),
    })
}

pub(crate) async fn story(db: Arc<dyn Storage>) {
    let first = payment("ch_1", 4999, T0);
    let second = payment("ch_2", 4999, T0 + Duration::minutes(2));
    let f = fixture(db.as_ref(), "money", vec![first.clone(), second.clone()]).await;
    let money = db.money();
    let policy = ApprovalPolicy::default();

    // Before anything moved, the balance is the order's report.
    let balance = money.payment_balance(f.shop.id, second.id).await.unwrap();
    assert_eq!(balance.refundable().unwrap().amount_minor, 4999);

    // Refund the duplicate; asking again with the same key finds the same intent.
    let asked = money
        .request_refund(request(&f, "dup-1", Some(second.id), 4999, RefundMethod::OriginalPayment), policy.clone(), T0)
        .await
        .unwrap();
    assert!(asked.created);
    assert_eq!(asked.refund.status, RefundStatus::Approved);
    let again = money
        .request_refund(request(&f, "dup-1", Some(second.id), 4999, RefundMethod::OriginalPayment), policy.clone(), T0)
        .await
        .unwrap();
    assert!(!again.created);
    assert_eq!(again.refund.id, asked.refund.id);
    let reused = money
        .request_refund(request(&f, "dup-1", Some(second.id), 100, RefundMethod::OriginalPayment), policy.clone(), T0)
        .await;
    assert!(matches!(reused, Err(StorageError::IdempotencyMismatch(_))), "{reused:?}");

    // Nothing more is refundable on that payment; bad requests change nothing.
    let over = money
        .request_refund(request(&f, "dup-2", Some(second.id), 1, RefundMethod::OriginalPayment), policy.clone(), T0)
        .await;
    assert!(matches!(over, Err(StorageError::Refund(RefundError::AboveRefundable { .. }))), "{over:?}");
    let unknown = money
        .request_refund(
            request(&f, "dup-3", Some(PaymentId::from_uuid(Uuid::now_v7())), 1, RefundMethod::OriginalPayment),
            policy.clone(),
            T0,
        )
        .await;
    assert!(
        matches!(&unknown, Err(StorageError::Refund(RefundError::Invalid(e))) if e.field == "payment_id"),
        "{unknown:?}"
    );
    let mut usd = request(&f, "dup-4", Some(first.id), 100, RefundMethod::OriginalPayment);
    usd.amount = Money::new(100, Currency::from_code("USD").unwrap());
    let other_currency = money.request_refund(usd, policy.clone(), T0).await;
    assert!(matches!(&other_currency, Err(StorageError::Refund(RefundError::Invalid(_)))), "{other_currency:?}");
    assert_eq!(money.refunds_of_order(f.shop.id, f.order.id).await.unwrap().len(), 1);
    assert_eq!(money.payment_balance(f.shop.id, first.id).await.unwrap().reserved.amount_minor, 0);

    // Execute it: sent, then succeeded; the money is settled and posted.
    let pending = money.refunds_to_execute(T0, 100).await.unwrap();
    assert!(pending.iter().any(|r| r.id == asked.refund.id));
    let sent = money.change_refund(f.shop.id, asked.refund.id, to(RefundStatus::Sent)).await.unwrap();
    assert_eq!((sent.status, sent.attempts), (RefundStatus::Sent, 1));
    assert!(!money.refunds_to_execute(T0, 100).await.unwrap().iter().any(|r| r.id == asked.refund.id));
    assert!(
        money.refunds_to_execute(T0 + Duration::minutes(5), 100).await.unwrap().iter().any(|r| r.id == asked.refund.id)
    );
    let done = money.change_refund(f.shop.id, asked.refund.id, to(RefundStatus::Succeeded)).await.unwrap();
    assert_eq!(done.status, RefundStatus::Succeeded);
    let refused = money.change_refund(f.shop.id, asked.refund.id, to(RefundStatus::Sent)).await;
    assert!(matches!(refused, Err(StorageError::Refund(RefundError::IllegalTransition { .. }))));
    let balance = money.payment_balance(f.shop.id, second.id).await.unwrap();
    assert_eq!((balance.refunded.amount_minor, balance.reserved.amount_minor), (4999, 0));
    let postings = money.postings(f.shop.id, Some(f.order.id)).await.unwrap();
    assert_eq!(
        postings.iter().map(|p| p.kind).collect::<Vec<_>>(),
        vec![MovementKind::Capture, MovementKind::Capture, MovementKind::Refund]
    );
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::ProviderBalance, eur()).0.amount_minor, 4999, "the first capture stays");
    let timeline = db.timeline(f.shop.id, f.case_id).await.unwrap();
    let kinds: Vec<String> = timeline
        .iter()
        .map(|e| serde_json::to_value(&e.entry.event).unwrap()["type"].as_str().unwrap().to_owned())
        .collect();
    for expected in ["money_posted", "refund_requested", "refund_approved", "refund_sent", "refund_succeeded"] {
        assert!(kinds.iter().any(|k| k == expected), "{expected} missing from {kinds:?}");
    }

    // Store credit with a bonus, on the first payment: issued at once.
    let mut credit = request(&f, "credit-1", Some(first.id), 1000, RefundMethod::StoreCredit);
    credit.bonus = Money::new(100, eur());
    let credit = money.request_refund(credit, policy.clone(), T0).await.unwrap().refund;
    money.change_refund(f.shop.id, credit.id, to(RefundStatus::Succeeded)).await.unwrap();
    let balances = money.store_credit(f.shop.id, f.order.customer_id).await.unwrap();
    assert_eq!(balances[0].balance.amount_minor, 1100);
    assert_eq!(money.payment_balance(f.shop.id, first.id).await.unwrap().refundable().unwrap().amount_minor, 3999);

    // Above the limit: waits for a second person; a rejection frees the amount.
    let strict = ApprovalPolicy { default_limit_units: 10, ..ApprovalPolicy::default() };
    let big = money
        .request_refund(request(&f, "big-1", Some(first.id), 3000, RefundMethod::OriginalPayment), strict.clone(), T0)
        .await
        .unwrap()
        .refund;
    assert_eq!(big.status, RefundStatus::AwaitingApproval);
    assert_eq!(money.payment_balance(f.shop.id, first.id).await.unwrap().refundable().unwrap().amount_minor, 999);
    let own = Person::new("maria", Role::Owner).unwrap();
    let (p, s) = (own.clone(), strict.clone());
    let self_approval = money.change_refund(f.shop.id, big.id, Box::new(move |r: &Refund| r.approve(&p, &s, T0))).await;
    assert!(
        matches!(self_approval, Err(StorageError::Refund(RefundError::Approval(ApprovalError::OwnRequest)))),
        "the requester cannot approve their own refund"
    );
    let queue = money.refunds_awaiting_approval(f.shop.id).await.unwrap();
    assert_eq!(queue.iter().map(|r| r.id).collect::<Vec<_>>(), [big.id], "the approvals queue holds the big refund");
    let lead = Person::new("tomasz", Role::TeamLead).unwrap();
    let s = strict.clone();
    money
        .change_refund(f.shop.id, big.id, Box::new(move |r: &Refund| r.reject(&lead, "not the right order", &s, T0)))
        .await
        .unwrap();
    assert!(money.refunds_awaiting_approval(f.shop.id).await.unwrap().is_empty(), "a rejected refund leaves the queue");
    assert_eq!(money.payment_balance(f.shop.id, first.id).await.unwrap().refundable().unwrap().amount_minor, 3999);

    // A failed refund frees its amount too.
    let failing = money
        .request_refund(request(&f, "fail-1", Some(first.id), 500, RefundMethod::OriginalPayment), policy.clone(), T0)
        .await
        .unwrap()
        .refund;
    money.change_refund(f.shop.id, failing.id, to(RefundStatus::Sent)).await.unwrap();
    money.change_refund(f.shop.id, failing.id, to(RefundStatus::Failed)).await.unwrap();
    assert_eq!(money.payment_balance(f.shop.id, first.id).await.unwrap().reserved.amount_minor, 0);

    // A gift card is compensation: no payment, posted at once.
    let gift = money
        .request_refund(request(&f, "gift-1", None, 500, RefundMethod::GiftCard), policy.clone(), T0)
        .await
        .unwrap()
        .refund;
    money.change_refund(f.shop.id, gift.id, to(RefundStatus::Succeeded)).await.unwrap();

    // A dispute: the chargeback is posted, and reversed when won.
    let dispute = Dispute {
        id: DisputeId::from_uuid(Uuid::now_v7()),
        store_id: f.shop.id,
        order_id: f.order.id,
        payment_id: first.id,
        case_id: f.case_id,
        provider_reference: "dp_1".into(),
        amount: Money::new(3999, eur()),
        reason: DisputeReason::ProductNotReceived,
        status: DisputeStatus::NeedsResponse,
        evidence_due_by: T0 + Duration::days(7),
        created_at: T0,
        updated_at: T0,
    };
    money.open_dispute(dispute.clone(), Actor::System).await.unwrap();
    assert!(matches!(money.open_dispute(dispute.clone(), Actor::System).await, Err(StorageError::Conflict(_))));
    money.change_dispute(f.shop.id, dispute.id, DisputeStatus::UnderReview, Actor::System, T0).await.unwrap();
    let won = money.change_dispute(f.shop.id, dispute.id, DisputeStatus::Won, Actor::System, T0).await.unwrap();
    assert_eq!(won.status, DisputeStatus::Won);
    assert!(matches!(
        money.change_dispute(f.shop.id, dispute.id, DisputeStatus::Lost, Actor::System, T0).await,
        Err(StorageError::Dispute(DisputeError::IllegalTransition {
            from: DisputeStatus::Won,
            to: DisputeStatus::Lost
        }))
    ));
    assert_eq!(money.disputes_of_case(f.shop.id, f.case_id).await.unwrap().len(), 1);
    assert_eq!(money.disputes_of_store(f.shop.id).await.unwrap().len(), 1);
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::Chargebacks, eur()).0.amount_minor, 0);
    assert_eq!(ledger.get(Account::StoreCredit, eur()).0.amount_minor, -1100);
    assert_eq!(ledger.get(Account::GiftCards, eur()).0.amount_minor, -500);

    // Another store sees none of it.
    let other = store(&format!("other-{}", &Uuid::now_v7().simple().to_string()[20..]));
    db.create_store(&other).await.unwrap();
    assert!(money.postings(other.id, None).await.unwrap().is_empty());
    assert!(matches!(money.refund(other.id, asked.refund.id).await, Err(StorageError::NotFound("refund"))));

    concurrent_refunds_never_exceed_captured(db.clone()).await;
    fees_lines_and_abuse(db.clone()).await;
    store_credit_is_spent_once_and_never_below_zero(db.clone()).await;
    corrections_reverse_without_editing(db.clone()).await;
    a_resolution_step_asks_for_refunds_in_its_own_transaction(db.clone()).await;
    disputes_take_what_the_provider_reports(db.clone()).await;

    // The refunds made above are counted by status, with their oldest, on both backends.
    // Only live rows: refunds still waiting for approval count, finished ones do not.
    let queues = db.work_queues().await.unwrap();
    let refunds: i64 = queues.iter().filter(|q| q.queue == "refunds").map(|q| q.count).sum();
    assert!(refunds > 0, "{queues:?}");
    assert!(queues.iter().all(|q| q.count > 0 && q.oldest_created_at_us > 0), "{queues:?}");
    let finished = |queue: &str, status: &str| match queue {
        "refunds" => ["succeeded", "failed", "rejected"].contains(&status),
        "outbox" => ["sent", "dead"].contains(&status),
        _ => ["done", "failed"].contains(&status),
    };
    assert!(queues.iter().all(|q| !finished(&q.queue, &q.status)), "{queues:?}");
}

/// Provider events find the payment and the dispute across stores, move the dispute on as far
/// as its lifecycle allows, and post the chargeback once.
async fn disputes_take_what_the_provider_reports(db: Arc<dyn Storage>) {
    let charge = format!("ch_{}", Uuid::now_v7().simple());
    let paid = payment(&charge, 4999, T0);
    let f = fixture(db.as_ref(), "reported", vec![paid.clone()]).await;
    let money = db.money();
    let found = money.order_by_payment_reference(vec!["ch_nobody".into(), charge.clone()]).await.unwrap();
    assert_eq!(found.map(|o| o.id), Some(f.order.id));
    assert!(money.order_by_payment_reference(vec!["ch_nobody".into()]).await.unwrap().is_none());
    let reference = format!("du_{}", Uuid::now_v7().simple());
    assert!(money.dispute_by_reference(&reference).await.unwrap().is_none());
    let dispute = Dispute {
        id: DisputeId::from_uuid(Uuid::now_v7()),
        store_id: f.shop.id,
        order_id: f.order.id,
        payment_id: paid.id,
        case_id: f.case_id,
        provider_reference: reference.clone(),
        amount: Money::new(4999, eur()),
        reason: DisputeReason::General,
        status: DisputeStatus::WarningNeedsResponse,
        evidence_due_by: T0 + Duration::days(7),
        created_at: T0,
        updated_at: T0,
    };
    money.open_dispute(dispute.clone(), Actor::System).await.unwrap();
    let known = money.dispute_by_reference(&reference).await.unwrap().unwrap();
    assert_eq!(known.id, dispute.id);
    let report = |status, amount| DisputeReport {
        status,
        reason: DisputeReason::Fraudulent,
        amount: Money::new(amount, eur()),
        evidence_due_by: T0 + Duration::days(10),
    };
    let stripe = Actor::Integration { name: "stripe".into() };
    let charged = money
        .report_dispute(f.shop.id, dispute.id, report(DisputeStatus::NeedsResponse, 4500), stripe.clone(), T0)
        .await
        .unwrap();
    assert_eq!((charged.status, charged.amount.amount_minor), (DisputeStatus::NeedsResponse, 4500));
    let entries = db.timeline(f.shop.id, f.case_id).await.unwrap().len();
    let same = money
        .report_dispute(f.shop.id, dispute.id, report(DisputeStatus::NeedsResponse, 4500), stripe.clone(), T0)
        .await
        .unwrap();
    assert_eq!(same, charged);
    assert_eq!(db.timeline(f.shop.id, f.case_id).await.unwrap().len(), entries, "a repeated report writes nothing");
    money.report_dispute(f.shop.id, dispute.id, report(DisputeStatus::Lost, 4500), stripe.clone(), T0).await.unwrap();
    let late = money
        .report_dispute(f.shop.id, dispute.id, report(DisputeStatus::UnderReview, 4500), stripe.clone(), T0)
        .await
        .unwrap();
    assert_eq!(late.status, DisputeStatus::Lost);
    let mut dollars = report(DisputeStatus::Lost, 4500);
    dollars.amount = Money::new(4500, Currency::from_code("USD").unwrap());
    let dollars = money.report_dispute(f.shop.id, dispute.id, dollars, stripe.clone(), T0).await;
    assert!(
        matches!(&dollars, Err(StorageError::Dispute(DisputeError::Invalid(e))) if e.field == "amount"),
        "{dollars:?}"
    );
    let other = store(&format!("other-{}", &Uuid::now_v7().simple().to_string()[20..]));
    db.create_store(&other).await.unwrap();
    let foreign = money.report_dispute(other.id, dispute.id, report(DisputeStatus::Lost, 4500), stripe, T0).await;
    assert!(matches!(foreign, Err(StorageError::NotFound("dispute"))), "{foreign:?}");
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::Chargebacks, eur()).0.amount_minor, 4500, "charged back once");
}

fn first_posting(postings: &[redress_domain::ledger::Posting], kind: MovementKind) -> redress_domain::ledger::Posting {
    postings.iter().find(|p| p.kind == kind).cloned().unwrap_or_else(|| panic!("no {kind:?} in {postings:?}"))
}

/// Fees kept from a refund are postings of their own; lines are checked against the order and
/// earlier refunds; the abuse rules flag a customer from their refunds in the window.
async fn fees_lines_and_abuse(db: Arc<dyn Storage>) {
    let paid = payment("ch_fees", 4999, T0);
    let f = fixture(db.as_ref(), "fees", vec![paid.clone()]).await;
    let money = db.money();
    let policy = ApprovalPolicy::default();
    let line = |sku: &str, quantity: u32, amount: i64| RefundLine {
        sku: sku.into(),
        quantity,
        amount: Money::new(amount, eur()),
    };

    // Lines not on the order, too many units or more than the line is worth: refused, nothing written.
    for (lines, field) in
        [(vec![line("SOCKS", 1, 4999)], "lines[0].sku"), (vec![line("TEE-M", 2, 4999)], "lines[0].quantity")]
    {
        let mut asked = request(&f, "bad-lines", Some(paid.id), 4999, RefundMethod::OriginalPayment);
        asked.lines = lines;
        let refused = money.request_refund(asked, policy.clone(), T0).await;
        assert!(
            matches!(&refused, Err(StorageError::Refund(RefundError::Invalid(e))) if e.field == field),
            "{refused:?}"
        );
    }
    assert!(money.refunds_of_order(f.shop.id, f.order.id).await.unwrap().is_empty());
    assert_eq!(money.payment_balance(f.shop.id, paid.id).await.unwrap().reserved.amount_minor, 0);

    // 41.99 back, 5.00 restocking and 3.00 return shipping kept: three postings.
    let mut asked = request(&f, "with-fees", Some(paid.id), 4199, RefundMethod::OriginalPayment);
    asked.lines = vec![line("TEE-M", 1, 4999)];
    asked.reason = RefundReason::Items;
    asked.fees = vec![
        Fee { kind: FeeKind::Restocking, amount: Money::new(500, eur()) },
        Fee { kind: FeeKind::ReturnShipping, amount: Money::new(300, eur()) },
    ];
    let asked = money.request_refund(asked, policy.clone(), T0).await.unwrap().refund;
    money.change_refund(f.shop.id, asked.id, to(RefundStatus::Sent)).await.unwrap();
    money.change_refund(f.shop.id, asked.id, to(RefundStatus::Succeeded)).await.unwrap();
    let postings = money.postings(f.shop.id, Some(f.order.id)).await.unwrap();
    let kinds: Vec<MovementKind> = postings.iter().map(|p| p.kind).collect();
    for kind in [MovementKind::Capture, MovementKind::Refund, MovementKind::RestockingFee, MovementKind::ShippingFee] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
    assert_eq!(first_posting(&postings, MovementKind::Refund).legs[0].amount.amount_minor, 4199);
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::RestockingFees, eur()).0.amount_minor, -500);
    assert_eq!(ledger.get(Account::ShippingFees, eur()).0.amount_minor, -300);
    assert_eq!(ledger.get(Account::Refunds, eur()).0.amount_minor, 4999);

    // The line is refunded in full: not another cent on it, even as a gift card.
    let mut more = request(&f, "more-lines", None, 1, RefundMethod::GiftCard);
    more.lines = vec![line("TEE-M", 1, 1)];
    let refused = money.request_refund(more, policy.clone(), T0).await;
    assert!(
        matches!(&refused, Err(StorageError::Refund(RefundError::Invalid(e))) if e.field == "lines[0].amount"),
        "{refused:?}"
    );

    // The abuse rules: from one refund in the window, the next waits for a second person.
    let strict = ApprovalPolicy {
        abuse: AbuseRules { window_days: 30, max_refunds: Some(1), max_refunded: Default::default() },
        ..ApprovalPolicy::default()
    };
    let flagged = money
        .request_refund(request(&f, "gift-1", None, 100, RefundMethod::GiftCard), strict.clone(), T0)
        .await
        .unwrap();
    assert_eq!(flagged.refund.status, RefundStatus::AwaitingApproval);
    assert!(
        flagged.refund.approval_reason.as_deref().is_some_and(|r| r.contains("abuse")),
        "{:?}",
        flagged.refund.approval_reason
    );
    // Outside the window, the earlier refunds no longer count.
    let later = T0 + Duration::days(45);
    let fresh =
        money.request_refund(request(&f, "gift-2", None, 100, RefundMethod::GiftCard), strict, later).await.unwrap();
    assert_eq!(fresh.refund.status, RefundStatus::Approved, "{:?}", fresh.refund.approval_reason);
}

/// A customer's store credit is spent once per key, never below zero, even by racing spends.
async fn store_credit_is_spent_once_and_never_below_zero(db: Arc<dyn Storage>) {
    let paid = payment("ch_credit", 4999, T0);
    let f = fixture(db.as_ref(), "credit", vec![paid.clone()]).await;
    let money = db.money();
    let customer_id = f.order.customer_id;
    let mut asked = request(&f, "as-credit", Some(paid.id), 1000, RefundMethod::StoreCredit);
    asked.bonus = Money::new(100, eur());
    let credit = money.request_refund(asked, ApprovalPolicy::default(), T0).await.unwrap().refund;
    money.change_refund(f.shop.id, credit.id, Box::new(|r: &Refund| r.succeed(None, "card", T0))).await.unwrap();
    let spend = |key: &str, amount: i64| CreditSpend {
        posting_id: PostingId::from_uuid(Uuid::now_v7()),
        store_id: f.shop.id,
        customer_id,
        idempotency_key: IdempotencyKey::parse(key).unwrap(),
        amount: Money::new(amount, eur()),
        spent_on: "order 2001".into(),
        case_id: Some(f.case_id),
        spent_by: Actor::Agent { name: "maria".into() },
        at: T0,
    };

    let spent = money.spend_store_credit(spend("spend-1", 600)).await.unwrap();
    assert!(spent.created);
    assert_eq!(spent.balance.balance.amount_minor, 500);
    let again = money.spend_store_credit(spend("spend-1", 600)).await.unwrap();
    assert!(!again.created);
    assert_eq!(again.spend.posting_id, spent.spend.posting_id);
    assert_eq!(again.balance.balance.amount_minor, 500);
    assert!(matches!(money.spend_store_credit(spend("spend-1", 100)).await, Err(StorageError::IdempotencyMismatch(_))));
    let over = money.spend_store_credit(spend("spend-2", 501)).await;
    assert!(matches!(&over, Err(StorageError::Refund(RefundError::Invalid(e))) if e.field == "amount"), "{over:?}");
    for bad in [0, -1] {
        let refused = money.spend_store_credit(spend("spend-bad", bad)).await;
        assert!(
            matches!(&refused, Err(StorageError::Refund(RefundError::Invalid(e))) if e.field.starts_with("amount"))
        );
    }
    let mut stranger = spend("spend-3", 1);
    stranger.customer_id = CustomerId::from_uuid(Uuid::now_v7());
    assert!(matches!(money.spend_store_credit(stranger).await, Err(StorageError::NotFound("customer"))));

    // Racing spends: 8 × 1.00 against 5.00 left; five win, the balance ends at zero.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let (db, s) = (db.clone(), spend(&format!("race-{i}"), 100));
            tokio::spawn(async move { db.money().spend_store_credit(s).await })
        })
        .collect();
    let results = super::futures_join(tasks.into_iter()).await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 5, "{results:?}");
    let left = money.store_credit(f.shop.id, customer_id).await.unwrap();
    assert_eq!(left[0].balance.amount_minor, 0);
    assert_eq!(money.credit_spends(f.shop.id, customer_id).await.unwrap().len(), 6);
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::StoreCredit, eur()).0.amount_minor, 0);
    let timeline = db.timeline(f.shop.id, f.case_id).await.unwrap();
    let spent_entries = timeline
        .iter()
        .filter(|e| matches!(&e.entry.event, CaseEvent::MoneyPosted { kind: MovementKind::StoreCreditSpent, .. }))
        .count();
    assert_eq!(spent_entries, 6);
}

/// A correction reverses a posting with a new one; the original is untouched and is corrected
/// once; postings that moved store credit are not corrected in the books alone.
async fn corrections_reverse_without_editing(db: Arc<dyn Storage>) {
    let paid = payment("ch_fix", 4999, T0);
    let f = fixture(db.as_ref(), "fix", vec![paid.clone()]).await;
    let money = db.money();
    let asked = money
        .request_refund(
            request(&f, "to-fix", Some(paid.id), 1000, RefundMethod::OriginalPayment),
            ApprovalPolicy::default(),
            T0,
        )
        .await
        .unwrap()
        .refund;
    money.change_refund(f.shop.id, asked.id, to(RefundStatus::Sent)).await.unwrap();
    money.change_refund(f.shop.id, asked.id, to(RefundStatus::Succeeded)).await.unwrap();
    let postings = money.postings(f.shop.id, Some(f.order.id)).await.unwrap();
    let original = first_posting(&postings, MovementKind::Refund);
    let by = Actor::Agent { name: "lead".into() };
    let fix = money.correct_posting(f.shop.id, original.id, "posted twice".into(), by.clone(), T0).await.unwrap();
    assert_eq!(fix.corrects, Some(original.id));
    assert_eq!(fix.kind, MovementKind::Correction);
    assert!(fix.memo.contains("posted twice"));
    assert_eq!(fix.caused_by, by);
    assert!(fix.legs.iter().zip(&original.legs).all(|(a, b)| a.amount.amount_minor == -b.amount.amount_minor));
    let after = money.postings(f.shop.id, Some(f.order.id)).await.unwrap();
    assert!(after.contains(&original), "the original is as it was");
    assert_eq!(after.len(), postings.len() + 1);
    assert!(matches!(
        money.correct_posting(f.shop.id, original.id, "again".into(), by.clone(), T0).await,
        Err(StorageError::Conflict(_))
    ));
    // A correction needs its reason (checked on a posting not corrected yet).
    let capture = first_posting(&postings, MovementKind::Capture);
    let blank = money.correct_posting(f.shop.id, capture.id, " ".into(), by.clone(), T0).await;
    assert!(matches!(&blank, Err(StorageError::Refund(RefundError::Invalid(e))) if e.field == "reason"), "{blank:?}");
    let missing = PostingId::from_uuid(Uuid::now_v7());
    assert!(matches!(
        money.correct_posting(f.shop.id, missing, "x".into(), by.clone(), T0).await,
        Err(StorageError::NotFound("posting"))
    ));
    let other = store(&format!("other-{}", &Uuid::now_v7().simple().to_string()[20..]));
    db.create_store(&other).await.unwrap();
    assert!(matches!(
        money.correct_posting(other.id, fix.id, "x".into(), by.clone(), T0).await,
        Err(StorageError::NotFound("posting"))
    ));
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::Refunds, eur()).0.amount_minor, 0);
    let timeline = db.timeline(f.shop.id, f.case_id).await.unwrap();
    assert!(
        timeline
            .iter()
            .any(|e| matches!(&e.entry.event, CaseEvent::MoneyPosted { kind: MovementKind::Correction, .. }))
    );
}

/// A resolution step that asks for a refund writes it with the case change, or writes nothing.
async fn a_resolution_step_asks_for_refunds_in_its_own_transaction(db: Arc<dyn Storage>) {
    let paid = payment("ch_step", 4999, T0);
    let f = fixture(db.as_ref(), "step", vec![paid.clone()]).await;
    let step = |key: &'static str, amount: i64| -> redress_storage::ResolutionFn {
        let asked = request(&f, key, Some(paid.id), amount, RefundMethod::OriginalPayment);
        Box::new(move |ctx: &redress_domain::resolution::ResolutionContext| {
            let note = TimelineEntry {
                at: T0,
                actor: Actor::Agent { name: "maria".into() },
                event: CaseEvent::NoteAdded { body: "refund without return".into() },
            };
            let mut resolution = redress_domain::resolution::Resolution::of(ctx.case.record(vec![note], T0));
            resolution.refunds.push(RefundAsk { request: asked, policy: ApprovalPolicy::default() });
            Ok(resolution)
        })
    };
    let before = db.timeline(f.shop.id, f.case_id).await.unwrap().len();
    let too_much = db.resolve_case(f.shop.id, f.case_id, None, step("step-over", 5000)).await;
    assert!(matches!(too_much, Err(StorageError::Refund(RefundError::AboveRefundable { .. }))), "{too_much:?}");
    assert_eq!(db.timeline(f.shop.id, f.case_id).await.unwrap().len(), before, "nothing written");
    assert!(db.money().refunds_of_order(f.shop.id, f.order.id).await.unwrap().is_empty());

    let stored = db.resolve_case(f.shop.id, f.case_id, None, step("step-ok", 1500)).await.unwrap();
    assert_eq!(stored.refunds.len(), 1);
    assert_eq!(stored.refunds[0].status, RefundStatus::Approved);
    let timeline = db.timeline(f.shop.id, f.case_id).await.unwrap();
    let events: Vec<&CaseEvent> = timeline.iter().map(|e| &e.entry.event).collect();
    let note = events.iter().position(|e| matches!(e, CaseEvent::NoteAdded { .. })).unwrap();
    let requested = events.iter().position(|e| matches!(e, CaseEvent::RefundRequested { .. })).unwrap();
    assert!(note < requested, "the remedy first, then its refund");
    assert_eq!(db.money().payment_balance(f.shop.id, paid.id).await.unwrap().reserved.amount_minor, 1500);
}

/// Many tasks race to refund one payment: the sum reserved never exceeds what was captured,
/// and one key raced from many tasks makes one intent.
async fn concurrent_refunds_never_exceed_captured(db: Arc<dyn Storage>) {
    let paid = payment("ch_race", 4999, T0);
    let f = Arc::new(fixture(db.as_ref(), "race", vec![paid.clone()]).await);
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let (db, f) = (db.clone(), f.clone());
            tokio::spawn(async move {
                db.money()
                    .request_refund(
                        request(&f, &format!("race-{i}"), Some(paid.id), 1000, RefundMethod::OriginalPayment),
                        ApprovalPolicy::default(),
                        T0,
                    )
                    .await
            })
        })
        .collect();
    let results = super::futures_join(tasks.into_iter()).await;
    let won = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(won, 4, "4 × 10.00 fit in 49.99: {results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, StorageError::Refund(RefundError::AboveRefundable { .. })))
    );
    let balance = db.money().payment_balance(f.shop.id, paid.id).await.unwrap();
    assert_eq!(balance.reserved.amount_minor, 4000);

    let tasks: Vec<_> = (0..12)
        .map(|_| {
            let (db, f) = (db.clone(), f.clone());
            tokio::spawn(async move {
                db.money()
                    .request_refund(
                        request(&f, "same-key", Some(paid.id), 999, RefundMethod::OriginalPayment),
                        ApprovalPolicy::default(),
                        T0,
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let outcomes = super::futures_join(tasks.into_iter()).await;
    assert_eq!(outcomes.iter().filter(|o| o.created).count(), 1);
    assert!(outcomes.iter().all(|o| o.refund.id == outcomes[0].refund.id));
    let balance = db.money().payment_balance(f.shop.id, paid.id).await.unwrap();
    assert_eq!(balance.reserved.amount_minor, 4999);
    assert_eq!(balance.refundable().unwrap().amount_minor, 0);
}
