//! A unit of an order line gets one remedy, whatever the path: any sequence of remedies asked
//! on any cases about one order, each planned against what the earlier ones wrote (as storage
//! runs the planner), never covers a unit twice, never gives a case goodwill compensation
//! twice, and never asks for more money back than the order's goods are worth.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use redress_domain::approval::{ApprovalPolicy, Person, RefundHistory, Role};
use redress_domain::decision::{CustomerHistory, LineQuantity};
use redress_domain::given::Given;
use redress_domain::policy::Policy;
use redress_domain::refund::{Refund, RefundMethod, RefundReason};
use redress_domain::remedy::{RemedyMoney, RemedyRequest, plan_remedy};
use redress_domain::resolution::ResolutionContext;
use redress_domain::sample::{self, Stage};
use redress_domain::{Actor, CaseId, ClaimId, IssueKind, Money, RefundId, Remedy, ReturnId};
use time::macros::datetime;
use uuid::Uuid;

const NOW: time::OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

fn any_remedy() -> impl Strategy<Value = Remedy> {
    prop::sample::select(vec![
        Remedy::RefundKeepItem,
        Remedy::ReturnRefund,
        Remedy::Reship,
        Remedy::Exchange,
        Remedy::PartialRefund,
        Remedy::Compensation,
        Remedy::StoreCredit,
    ])
}

fn any_kind() -> impl Strategy<Value = IssueKind> {
    prop::sample::select(vec![
        IssueKind::DamagedInTransit,
        IssueKind::WrongItemReceived,
        IssueKind::MissingItem,
        IssueKind::NotAsDescribed,
        IssueKind::ReturnRequest,
    ])
}

/// The lines asked for: none (the case's or the whole order), or some units of the order's lines.
fn any_lines() -> impl Strategy<Value = Vec<LineQuantity>> {
    prop_oneof![
        Just(Vec::new()),
        (0_u32..=2).prop_map(|n| vec![LineQuantity { sku: "TEE-M".into(), quantity: n.max(1) }]),
        Just(vec![LineQuantity { sku: "JACKET-M".into(), quantity: 1 }]),
        Just(vec![
            LineQuantity { sku: "TEE-M".into(), quantity: 2 },
            LineQuantity { sku: "JACKET-M".into(), quantity: 1 }
        ]),
    ]
}

/// A step: which of three cases it is on, its kind, the remedy and the lines.
fn any_step() -> impl Strategy<Value = (u8, IssueKind, Remedy, Vec<LineQuantity>)> {
    (0_u8..3, any_kind(), any_remedy(), any_lines())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_unit_gets_one_remedy_whatever_the_sequence(steps in prop::collection::vec(any_step(), 1..10)) {
        let order = sample::order(Stage::DeliveredDaysAgo(2), NOW);
        let goods: i64 = order.lines.iter().map(|l| l.unit_price.amount_minor * i64::from(l.quantity)).sum();
        let (mut returns, mut claims, mut refunds) = (Vec::new(), Vec::new(), Vec::<Refund>::new());
        let mut kinds = [None; 3];
        for (n, (which, kind, remedy, lines)) in steps.into_iter().enumerate() {
            // A case keeps the kind it was opened with.
            let kind = *kinds[usize::from(which)].get_or_insert(kind);
            let Ok(resolution) = plan(&order, (&returns, &claims, &refunds), which, kind, remedy, lines, n) else {
                continue;
            };
            returns.extend(resolution.returns);
            claims.extend(resolution.claims);
            for ask in resolution.refunds {
                // Storage writes each intent through the refund rules; a refused one writes nothing.
                if let Ok(change) = Refund::request(ask.request, &ask.policy, &RefundHistory::default(), NOW) {
                    refunds.push(change.refund);
                }
            }

            let given = Given::of(order.id, &returns, &claims, &refunds);
            for line in &order.lines {
                let units = given.units.get(&line.sku).copied().unwrap_or(0);
                prop_assert!(units <= line.quantity, "{} of {} covered: {given:?}", units, line.sku);
            }
            for case in 0..3_u128 {
                let id = CaseId::from_uuid(Uuid::from_u128(100 + case));
                let compensations = refunds
                    .iter()
                    .filter(|r| r.case_id == id && r.reason == RefundReason::Compensation)
                    .count();
                prop_assert!(compensations <= 1, "case {case} compensated {compensations} times");
            }
            let back: i64 = refunds
                .iter()
                .filter(|r| r.method != RefundMethod::GiftCard && r.reason == RefundReason::Items)
                .map(|r| r.amount.amount_minor)
                .sum();
            prop_assert!(back <= goods, "{back} asked back for {goods} of goods");
        }
    }
}

/// Plans `remedy` on case `which` of `order`, against what earlier steps wrote.
fn plan(
    order: &redress_domain::Order,
    (returns, claims, refunds): (
        &[redress_domain::returns::ReturnAuthorisation],
        &[redress_domain::claim::Claim],
        &[Refund],
    ),
    which: u8,
    kind: IssueKind,
    remedy: Remedy,
    lines: Vec<LineQuantity>,
    n: usize,
) -> Result<redress_domain::resolution::Resolution, redress_domain::resolution::ResolutionError> {
    let mut case = sample::case(kind, NOW);
    case.id = CaseId::from_uuid(Uuid::from_u128(100 + u128::from(which)));
    case.store_id = order.store_id;
    case.order_id = Some(order.id);
    case.customer_id = Some(order.customer_id);
    let context = ResolutionContext {
        case,
        order: Some(order.clone()),
        returns: returns.to_vec(),
        claims: claims.to_vec(),
        refunds: refunds.to_vec(),
    };
    let request = RemedyRequest {
        remedy,
        lines,
        photos_provided: true,
        carrier_allows_intercept: false,
        carrier_reference: None,
        amount: (remedy == Remedy::PartialRefund).then(|| Money::new(500, sample::eur())),
        refund_shipping: None,
        customer_flagged: false,
    };
    let money = RemedyMoney {
        claim_id: ClaimId::from_uuid(Uuid::from_u128(1_000 + n as u128)),
        return_id: ReturnId::from_uuid(Uuid::from_u128(2_000 + n as u128)),
        approval: ApprovalPolicy::default(),
        requested_by: Person::new("maria", Role::Agent).unwrap().identified("agent:maria"),
        key_base: format!("step-{n}"),
        refund_ids: [
            RefundId::from_uuid(Uuid::from_u128(3_000 + 2 * n as u128)),
            RefundId::from_uuid(Uuid::from_u128(3_001 + 2 * n as u128)),
        ],
    };
    let actor = Actor::Agent { name: "maria".into() };
    plan_remedy(&context, (&request, &[]), &Policy::standard(), &CustomerHistory::default(), &actor, &money, NOW)
        .map(|(resolution, _)| resolution)
}

#[test]
fn the_same_units_twice_are_refused_the_second_time() {
    let order = sample::order(Stage::DeliveredDaysAgo(2), NOW);
    let tees = vec![LineQuantity { sku: "TEE-M".into(), quantity: 2 }];
    let first = plan(&order, (&[], &[], &[]), 0, IssueKind::DamagedInTransit, Remedy::RefundKeepItem, tees.clone(), 0)
        .expect("the first refund of the shirts is planned");
    let refunds: Vec<Refund> = first
        .refunds
        .into_iter()
        .map(|ask| Refund::request(ask.request, &ask.policy, &RefundHistory::default(), NOW).unwrap().refund)
        .collect();
    assert_eq!(refunds.len(), 1);
    for (which, remedy) in [(0, Remedy::RefundKeepItem), (1, Remedy::RefundKeepItem), (1, Remedy::Reship)] {
        let again = plan(&order, (&[], &[], &refunds), which, IssueKind::DamagedInTransit, remedy, tees.clone(), 1);
        assert!(
            matches!(again, Err(redress_domain::resolution::ResolutionError::AlreadyGiven(_))),
            "{remedy:?} on case {which}: {again:?}"
        );
    }
}
