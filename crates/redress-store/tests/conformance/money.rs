//! The money layer's conformance story: refund intents, idempotency, the refundable limit under
//! concurrent requests, approvals, the ledger, store credit and disputes.

use std::sync::Arc;

use redress_domain::approval::{ApprovalPolicy, Person, Role};
use redress_domain::dispute::{Dispute, DisputeReason, DisputeStatus};
use redress_domain::ledger::{Account, MovementKind};
use redress_domain::refund::{
    IdempotencyKey, Refund, RefundError, RefundMethod, RefundReason, RefundRequest, RefundStatus,
};
use redress_domain::*;
use redress_store::{Storage, StoreError};
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
    let (o, _) = db.upsert_order(&buyer, &o).await.unwrap();
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
    }
}

fn to(status: RefundStatus) -> redress_store::RefundUpdateFn {
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
    assert!(matches!(reused, Err(StoreError::IdempotencyMismatch(_))), "{reused:?}");

    // Nothing more is refundable on that payment; bad requests change nothing.
    let over = money
        .request_refund(request(&f, "dup-2", Some(second.id), 1, RefundMethod::OriginalPayment), policy.clone(), T0)
        .await;
    assert!(matches!(over, Err(StoreError::Refund(RefundError::AboveRefundable { .. }))), "{over:?}");
    let unknown = money
        .request_refund(
            request(&f, "dup-3", Some(PaymentId::from_uuid(Uuid::now_v7())), 1, RefundMethod::OriginalPayment),
            policy.clone(),
            T0,
        )
        .await;
    assert!(matches!(unknown, Err(StoreError::NotFound("payment"))), "{unknown:?}");
    let mut usd = request(&f, "dup-4", Some(first.id), 100, RefundMethod::OriginalPayment);
    usd.amount = Money::new(100, Currency::from_code("USD").unwrap());
    assert!(money.request_refund(usd, policy.clone(), T0).await.is_err());
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
    assert!(matches!(refused, Err(StoreError::Refund(RefundError::IllegalTransition { .. }))));
    let balance = money.payment_balance(f.shop.id, second.id).await.unwrap();
    assert_eq!((balance.refunded.amount_minor, balance.reserved.amount_minor), (4999, 0));
    let postings = money.postings(f.shop.id, Some(f.order.id)).await.unwrap();
    assert_eq!(
        postings.iter().map(|p| p.kind).collect::<Vec<_>>(),
        vec![MovementKind::Capture, MovementKind::Capture, MovementKind::Refund]
    );
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::ProviderBalance, eur()).amount_minor, 4999, "the first capture stays");
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
    assert!(self_approval.is_err(), "the requester cannot approve their own refund");
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
    assert!(matches!(money.open_dispute(dispute.clone(), Actor::System).await, Err(StoreError::Conflict(_))));
    money.change_dispute(f.shop.id, dispute.id, DisputeStatus::UnderReview, Actor::System, T0).await.unwrap();
    let won = money.change_dispute(f.shop.id, dispute.id, DisputeStatus::Won, Actor::System, T0).await.unwrap();
    assert_eq!(won.status, DisputeStatus::Won);
    assert!(money.change_dispute(f.shop.id, dispute.id, DisputeStatus::Lost, Actor::System, T0).await.is_err());
    assert_eq!(money.disputes_of_case(f.shop.id, f.case_id).await.unwrap().len(), 1);
    assert_eq!(money.disputes_of_store(f.shop.id).await.unwrap().len(), 1);
    let ledger = money.ledger_balances(f.shop.id).await.unwrap();
    assert!(ledger.is_balanced());
    assert_eq!(ledger.get(Account::Chargebacks, eur()).amount_minor, 0);
    assert_eq!(ledger.get(Account::StoreCredit, eur()).amount_minor, -1100);
    assert_eq!(ledger.get(Account::GiftCards, eur()).amount_minor, -500);

    // Another store sees none of it.
    let other = store(&format!("other-{}", &Uuid::now_v7().simple().to_string()[20..]));
    db.create_store(&other).await.unwrap();
    assert!(money.postings(other.id, None).await.unwrap().is_empty());
    assert!(matches!(money.refund(other.id, asked.refund.id).await, Err(StoreError::NotFound("refund"))));

    concurrent_refunds_never_exceed_captured(db.clone()).await;
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
            .all(|e| matches!(e, StoreError::Refund(RefundError::AboveRefundable { .. })))
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
