//! The scenario table: one row per issue kind and order stage, each asserting what the engine
//! offers, what it recommends and which rules it names.

#![allow(clippy::unwrap_used, missing_docs)]

use redress_domain::decision::{CaseFacts, CustomerHistory, Decision, LineQuantity, decide};
use redress_domain::explain::RuleId;
use redress_domain::policy::{AmendableUntil, Policy};
use redress_domain::sample::{Stage, line, order, order_with};
use redress_domain::{IssueKind, LanguageTag, Money, Order, Remedy};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

struct Scenario {
    name: &'static str,
    kind: IssueKind,
    order: Option<Order>,
    facts: fn(&mut CaseFacts),
    policy: Policy,
    history: CustomerHistory,
    recommended: Remedy,
    offers: &'static [Remedy],
    absent: &'static [Remedy],
    rules: &'static [RuleId],
    check: fn(&Decision),
}

fn row(name: &'static str, kind: IssueKind, stage: Option<Stage>) -> Scenario {
    Scenario {
        name,
        kind,
        order: stage.map(|s| order(s, NOW)),
        facts: |_| {},
        policy: Policy::standard(),
        history: CustomerHistory::default(),
        recommended: Remedy::Inform,
        offers: &[],
        absent: &[],
        rules: &[],
        check: |_| {},
    }
}

fn final_sale_order() -> Order {
    order_with(vec![line("SALE-DRESS", "Summer dress", Some("final_sale"), 1, 3500)], Stage::DeliveredDaysAgo(3), NOW)
}

fn mixed_order() -> Order {
    order_with(
        vec![line("SALE-DRESS", "Summer dress", Some("final_sale"), 1, 3500), line("TEE-M", "T-shirt", None, 1, 1999)],
        Stage::DeliveredDaysAgo(3),
        NOW,
    )
}

fn expensive_order(stage: Stage) -> Order {
    order_with(vec![line("COAT-L", "Wool coat", None, 1, 50000)], stage, NOW)
}

fn double_charged() -> Order {
    let mut o = order(Stage::DeliveredDaysAgo(2), NOW);
    let mut second = o.payments[0].clone();
    second.id = redress_domain::PaymentId::from_uuid(uuid::Uuid::from_u128(5));
    second.provider_reference = "ch_2".into();
    o.payments.push(second);
    o
}

fn eur(minor: i64) -> Money {
    Money::new(minor, redress_domain::sample::eur())
}

fn scenarios() -> Vec<Scenario> {
    use IssueKind as K;
    use Remedy as R;
    use RuleId as Rule;
    let not_packed_only = {
        let mut p = Policy::standard();
        p.amendments.allowed_until = AmendableUntil::NotPacked;
        p
    };
    let repeat =
        CustomerHistory { cases_last_90_days: 6, returns_last_90_days: 5, refunds_without_return_last_365_days: 3 };
    vec![
        Scenario {
            recommended: R::CancelOrder,
            rules: &[Rule::AmendBeforeShipping],
            check: |d| assert_eq!(d.offer(Remedy::CancelOrder).unwrap().amount, Some(eur(12898))),
            ..row("cancel before packing", K::CancelOrder, Some(Stage::BeforePacking))
        },
        Scenario {
            recommended: R::CancelOrder,
            rules: &[Rule::AmendBeforeShipping],
            ..row("cancel when packed, policy allows until collection", K::CancelOrder, Some(Stage::Packed))
        },
        Scenario {
            policy: not_packed_only.clone(),
            recommended: R::Escalate,
            offers: &[R::Escalate, R::ReturnRefund],
            absent: &[R::CancelOrder],
            rules: &[Rule::PackedNoAmendment],
            ..row("cancel when packed, policy amends only before packing", K::CancelOrder, Some(Stage::Packed))
        },
        Scenario {
            facts: |f| f.carrier_allows_intercept = true,
            recommended: R::CarrierTrace,
            offers: &[R::CarrierTrace, R::ReturnRefund],
            absent: &[R::CancelOrder],
            rules: &[Rule::WithCarrierNoAmendment, Rule::CarrierIntercept],
            ..row("cancel when handed to carrier that intercepts", K::CancelOrder, Some(Stage::WithCarrier))
        },
        Scenario {
            recommended: R::ReturnRefund,
            absent: &[R::CancelOrder, R::CarrierTrace],
            rules: &[Rule::WithCarrierNoAmendment],
            ..row("cancel when handed to carrier without intercept", K::CancelOrder, Some(Stage::WithCarrier))
        },
        Scenario {
            recommended: R::AmendOrder,
            rules: &[Rule::AmendBeforeShipping],
            ..row("address change before packing", K::ChangeShippingAddress, Some(Stage::BeforePacking))
        },
        Scenario {
            facts: |f| f.carrier_allows_intercept = true,
            recommended: R::CarrierTrace,
            absent: &[R::AmendOrder],
            rules: &[Rule::WithCarrierNoAmendment, Rule::CarrierIntercept],
            ..row("address change with the carrier", K::ChangeShippingAddress, Some(Stage::WithCarrier))
        },
        Scenario {
            recommended: R::AmendOrder,
            absent: &[R::Exchange, R::ReturnRefund],
            rules: &[Rule::AmendBeforeShipping],
            check: |d| assert!(!d.applied(RuleId::ReturnShippingCharged), "nothing is sent back before it ships"),
            ..row("size change before packing", K::ChangeOrderItems, Some(Stage::BeforePacking))
        },
        Scenario {
            recommended: R::Exchange,
            offers: &[R::Exchange, R::ReturnRefund],
            absent: &[R::AmendOrder],
            rules: &[Rule::DeliveredNoAmendment, Rule::WithinWindow],
            ..row(
                "size change after delivery becomes an exchange",
                K::ChangeOrderItems,
                Some(Stage::DeliveredDaysAgo(2)),
            )
        },
        Scenario {
            recommended: R::ReissueInvoice,
            rules: &[Rule::BillingCorrection],
            ..row("billing correction after delivery", K::BillingInfoError, Some(Stage::DeliveredDaysAgo(2)))
        },
        Scenario {
            recommended: R::Inform,
            rules: &[Rule::ParcelInTransit],
            check: |d| assert!(d.reasons.iter().any(|r| r.text.contains("JD0140"))),
            ..row("where is my order, in transit", K::OrderStatus, Some(Stage::WithCarrier))
        },
        Scenario {
            recommended: R::CarrierTrace,
            absent: &[R::Reship, R::RefundKeepItem],
            rules: &[Rule::ParcelInTransit],
            ..row("not received, still in transit", K::NotReceived, Some(Stage::WithCarrier))
        },
        Scenario {
            recommended: R::Reship,
            offers: &[R::Reship, R::RefundKeepItem, R::Compensation],
            absent: &[R::CarrierTrace],
            rules: &[Rule::ParcelLost, Rule::NotCustomersFault, Rule::Compensation],
            check: |d| assert_eq!(d.offer(Remedy::Compensation).unwrap().amount, Some(eur(1289))),
            ..row("not received, lost by the carrier", K::NotReceived, Some(Stage::Lost))
        },
        Scenario {
            recommended: R::CarrierTrace,
            rules: &[Rule::DeliveredNotReceived],
            ..row("marked delivered, not received", K::NotReceived, Some(Stage::DeliveredDaysAgo(1)))
        },
        Scenario {
            recommended: R::Reship,
            rules: &[Rule::PhotosRequired],
            check: |d| assert!(d.offers.iter().filter(|o| o.remedy != Remedy::Inform).all(|o| o.needs_photos)),
            ..row("damaged, no photos yet", K::DamagedInTransit, Some(Stage::DeliveredDaysAgo(1)))
        },
        Scenario {
            facts: |f| f.photos_provided = true,
            recommended: R::Reship,
            offers: &[R::Reship, R::RefundKeepItem, R::PartialRefund, R::Compensation],
            rules: &[Rule::NotCustomersFault, Rule::Compensation],
            ..row("damaged with photos", K::DamagedInTransit, Some(Stage::DeliveredDaysAgo(1)))
        },
        Scenario {
            order: Some(expensive_order(Stage::DeliveredDaysAgo(1))),
            facts: |f| f.photos_provided = true,
            recommended: R::Reship,
            rules: &[Rule::ApprovalAmount],
            check: |d| assert!(d.offer(Remedy::RefundKeepItem).unwrap().needs_approval),
            ..row("damaged, high value refund needs approval", K::DamagedInTransit, None)
        },
        Scenario {
            recommended: R::Exchange,
            rules: &[Rule::ReturnShippingFree, Rule::NotCustomersFault],
            check: |d| assert!(d.offer(Remedy::Exchange).unwrap().requires_return),
            ..row("wrong item", K::WrongItemReceived, Some(Stage::DeliveredDaysAgo(1)))
        },
        Scenario {
            order: Some(order_with(vec![line("SOCKS", "Socks", None, 1, 500)], Stage::DeliveredDaysAgo(1), NOW)),
            recommended: R::Exchange,
            offers: &[R::Exchange, R::Reship, R::RefundKeepItem, R::ReturnRefund],
            rules: &[Rule::KeepItemLabelCostsMore],
            check: |d| assert!(!d.offer(Remedy::Exchange).unwrap().requires_return),
            ..row("wrong item worth less than the label", K::WrongItemReceived, None)
        },
        Scenario {
            facts: |f| f.lines = vec![LineQuantity { sku: "TEE-M".into(), quantity: 1 }],
            recommended: R::Reship,
            rules: &[Rule::NotCustomersFault],
            check: |d| assert_eq!(d.amounts.as_ref().unwrap().goods, eur(1999)),
            ..row("one shirt missing", K::MissingItem, Some(Stage::DeliveredDaysAgo(1)))
        },
        Scenario {
            facts: |f| f.photos_provided = true,
            recommended: R::Exchange,
            ..row("not as described", K::NotAsDescribed, Some(Stage::DeliveredDaysAgo(4)))
        },
        Scenario {
            facts: |f| f.photos_provided = true,
            recommended: R::Reship,
            ..row(
                "defective, outside the window: faults are still put right",
                K::DefectiveItem,
                Some(Stage::DeliveredDaysAgo(60)),
            )
        },
        Scenario {
            recommended: R::Exchange,
            offers: &[R::Exchange, R::StoreCredit, R::ReturnRefund],
            rules: &[
                Rule::WithinWindow,
                Rule::ConditionRequired,
                Rule::ReturnShippingCharged,
                Rule::StoreCreditBonus,
                Rule::PreferredOption,
            ],
            check: |d| {
                let amounts = d.amounts.as_ref().unwrap();
                assert_eq!(amounts.return_shipping, eur(595));
                assert_eq!(amounts.refund_after_return, eur(12898 - 595));
                assert_eq!(d.offer(Remedy::StoreCredit).unwrap().amount, Some(eur(12898 + 1289)));
            },
            ..row("return inside the window", K::ReturnRequest, Some(Stage::DeliveredDaysAgo(5)))
        },
        Scenario {
            recommended: R::Escalate,
            absent: &[R::Exchange, R::StoreCredit, R::ReturnRefund],
            rules: &[Rule::OutsideWindow, Rule::PersonDecides],
            ..row("return outside the window", K::ReturnRequest, Some(Stage::DeliveredDaysAgo(31)))
        },
        Scenario {
            recommended: R::Escalate,
            absent: &[R::ReturnRefund],
            rules: &[Rule::NotDeliveredYet],
            ..row("return before delivery", K::ReturnRequest, Some(Stage::WithCarrier))
        },
        Scenario {
            order: Some(final_sale_order()),
            recommended: R::Escalate,
            absent: &[R::ReturnRefund, R::Exchange],
            rules: &[Rule::FinalSale, Rule::PersonDecides],
            ..row("final-sale item", K::ReturnRequest, None)
        },
        Scenario {
            order: Some(mixed_order()),
            recommended: R::Exchange,
            rules: &[Rule::FinalSale, Rule::WithinWindow],
            check: |d| assert_eq!(d.amounts.as_ref().unwrap().returnable, eur(1999)),
            ..row("final-sale item beside a returnable one", K::ReturnRequest, None)
        },
        Scenario {
            history: repeat,
            recommended: R::Exchange,
            rules: &[Rule::ApprovalHistory, Rule::CustomerLimit],
            check: |d| {
                assert!(d.needs_approval);
                assert!(d.offers.iter().filter(|o| o.remedy != Remedy::Escalate).all(|o| o.needs_approval));
            },
            ..row("repeat offender", K::ReturnRequest, Some(Stage::DeliveredDaysAgo(5)))
        },
        Scenario {
            order: Some(expensive_order(Stage::DeliveredDaysAgo(5))),
            recommended: R::Exchange,
            rules: &[Rule::ApprovalAmount],
            check: |d| {
                assert!(!d.needs_approval, "the exchange moves no money back, so it needs no approval");
                assert!(d.offer(Remedy::ReturnRefund).unwrap().needs_approval);
            },
            ..row("high value return needing approval", K::ReturnRequest, None)
        },
        Scenario {
            policy: Policy::eu_withdrawal(),
            recommended: R::ReturnRefund,
            rules: &[Rule::WithinWindow, Rule::ReturnShippingCharged],
            ..row("EU withdrawal inside 14 days", K::ReturnRequest, Some(Stage::DeliveredDaysAgo(13)))
        },
        Scenario {
            policy: Policy::eu_withdrawal(),
            recommended: R::Escalate,
            rules: &[Rule::OutsideWindow],
            ..row("EU withdrawal after 14 days", K::ReturnRequest, Some(Stage::DeliveredDaysAgo(15)))
        },
        Scenario {
            recommended: R::Exchange,
            rules: &[Rule::WithinWindow],
            ..row("exchange for another size", K::ExchangeRequest, Some(Stage::DeliveredDaysAgo(5)))
        },
        Scenario {
            recommended: R::Inform,
            rules: &[Rule::Information],
            ..row("return policy question without an order", K::ReturnPolicyQuestion, None)
        },
        Scenario {
            recommended: R::Inform,
            rules: &[Rule::Information],
            ..row("where is my refund", K::RefundStatus, Some(Stage::DeliveredDaysAgo(5)))
        },
        Scenario {
            order: Some(double_charged()),
            recommended: R::RefundDuplicateCharge,
            rules: &[Rule::DuplicateCharge],
            check: |d| assert_eq!(d.offer(Remedy::RefundDuplicateCharge).unwrap().amount, Some(eur(12898))),
            ..row("charged twice", K::WrongCharge, None)
        },
        Scenario {
            recommended: R::Escalate,
            absent: &[R::RefundDuplicateCharge],
            rules: &[Rule::NoOvercharge],
            ..row("wrong charge claimed, none found", K::WrongCharge, Some(Stage::DeliveredDaysAgo(2)))
        },
        Scenario {
            recommended: R::Escalate,
            ..row("paid but shown unpaid", K::PaymentNotReflected, Some(Stage::BeforePacking))
        },
        Scenario { recommended: R::Inform, ..row("shop down", K::StoreUnavailable, None) },
        Scenario { recommended: R::Inform, ..row("phishing", K::PhishingReport, None) },
        Scenario { recommended: R::Inform, ..row("thanks", K::Other, None) },
        Scenario {
            order: Some({
                let mut o = order(Stage::BeforePacking, NOW);
                o.cancelled_at = Some(redress_domain::TimeStamp(NOW - time::Duration::days(1)));
                o
            }),
            recommended: R::Inform,
            absent: &[R::CancelOrder],
            rules: &[Rule::OrderCancelled],
            ..row("cancel an order already cancelled", K::CancelOrder, None)
        },
        Scenario {
            recommended: R::Escalate,
            rules: &[Rule::NoOrder],
            ..row("not received, no order found", K::NotReceived, None)
        },
    ]
}

#[test]
fn every_scenario_decides_as_the_policy_says() {
    let table = scenarios();
    let kinds: std::collections::BTreeSet<IssueKind> = table.iter().map(|s| s.kind).collect();
    assert_eq!(kinds.len(), IssueKind::ALL.len(), "every issue kind has a scenario");
    let mut failures = Vec::new();
    for scenario in &table {
        let mut facts = CaseFacts {
            kind: scenario.kind,
            lines: vec![],
            photos_provided: false,
            carrier_allows_intercept: false,
            language: LanguageTag::parse("en").unwrap(),
        };
        (scenario.facts)(&mut facts);
        let decision = decide(
            &facts,
            scenario.order.as_ref(),
            &scenario.policy,
            &scenario.history,
            &redress_domain::given::Given::default(),
            NOW,
        )
        .unwrap();
        let offered: Vec<Remedy> = decision.offers.iter().map(|o| o.remedy).collect();
        let rules: Vec<RuleId> = decision.reasons.iter().map(|r| r.rule).collect();
        let mut problems = Vec::new();
        if decision.recommended != scenario.recommended {
            problems.push(format!("recommended {} instead of {}", decision.recommended, scenario.recommended));
        }
        for remedy in scenario.offers {
            if !offered.contains(remedy) {
                problems.push(format!("{remedy} not offered"));
            }
        }
        for remedy in scenario.absent {
            if offered.contains(remedy) {
                problems.push(format!("{remedy} offered"));
            }
        }
        for rule in scenario.rules {
            if !rules.contains(rule) {
                problems.push(format!("rule {rule} missing"));
            }
        }
        assert!(decision.reasons.iter().all(|r| !r.text.contains('{')), "{}: unfilled slot", scenario.name);
        assert!(offered.contains(&decision.recommended), "{}: recommends what it does not offer", scenario.name);
        if problems.is_empty() {
            (scenario.check)(&decision);
        } else {
            failures.push(format!("{}: {} (offers {offered:?}, rules {rules:?})", scenario.name, problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{} scenario(s) failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn reasons_come_in_the_customers_language() {
    let o = order(Stage::DeliveredDaysAgo(5), NOW);
    for (tag, word) in
        [("es", "plazo"), ("pt", "prazo"), ("pl", "termin"), ("id", "masa"), ("en", "window"), ("fr", "window")]
    {
        let facts = CaseFacts {
            kind: IssueKind::ReturnRequest,
            lines: vec![],
            photos_provided: false,
            carrier_allows_intercept: false,
            language: LanguageTag::parse(tag).unwrap(),
        };
        let d = decide(
            &facts,
            Some(&o),
            &Policy::standard(),
            &CustomerHistory::default(),
            &redress_domain::given::Given::default(),
            NOW,
        )
        .unwrap();
        let within = d.reasons.iter().find(|r| r.rule == RuleId::WithinWindow).unwrap();
        assert!(within.text.contains(word), "{tag}: {}", within.text);
        assert!(within.text.contains("2026-12-15"), "{tag}: {}", within.text);
    }
}

#[test]
fn facts_must_fit_the_order() {
    let o = order(Stage::DeliveredDaysAgo(5), NOW);
    let mut facts = CaseFacts {
        kind: IssueKind::MissingItem,
        lines: vec![LineQuantity { sku: "NOPE".into(), quantity: 1 }],
        photos_provided: false,
        carrier_allows_intercept: false,
        language: LanguageTag::parse("en").unwrap(),
    };
    let history = CustomerHistory::default();
    let e = decide(&facts, Some(&o), &Policy::standard(), &history, &redress_domain::given::Given::default(), NOW)
        .unwrap_err();
    assert!(e.to_string().contains("lines[0].sku"), "{e}");
    facts.lines = vec![LineQuantity { sku: "TEE-M".into(), quantity: 3 }];
    let e = decide(&facts, Some(&o), &Policy::standard(), &history, &redress_domain::given::Given::default(), NOW)
        .unwrap_err();
    assert!(e.to_string().contains("lines[0].quantity"), "{e}");
}

#[test]
fn dry_run_reports_what_a_shorter_window_would_change() {
    use redress_domain::decision::{PastCase, replay};
    let past = |days: i64, n: u128| PastCase {
        case_id: redress_domain::CaseId::from_uuid(uuid::Uuid::from_u128(n)),
        facts: CaseFacts {
            kind: IssueKind::ReturnRequest,
            lines: vec![],
            photos_provided: false,
            carrier_allows_intercept: false,
            language: LanguageTag::parse("en").unwrap(),
        },
        order: Some(order(Stage::DeliveredDaysAgo(days), NOW)),
        history: CustomerHistory::default(),
        decided_at: NOW,
    };
    let cases = vec![past(3, 1), past(20, 2), past(40, 3)];
    let changes = replay(&Policy::standard(), &Policy::eu_withdrawal(), &cases).unwrap();
    let changed: Vec<u128> = changes.iter().map(|c| c.case_id.as_uuid().as_u128()).collect();
    assert!(changed.contains(&2), "20 days: inside 30, outside 14");
    let day20 = changes.iter().find(|c| c.case_id.as_uuid().as_u128() == 2).unwrap();
    assert_eq!(day20.recommended_after, Remedy::Escalate);
    assert!(day20.rules_added.contains(&RuleId::OutsideWindow));
    assert!(replay(&Policy::standard(), &Policy::standard(), &cases).unwrap().is_empty());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_stage() -> impl Strategy<Value = Stage> {
        prop_oneof![
            Just(Stage::BeforePacking),
            Just(Stage::Packed),
            Just(Stage::WithCarrier),
            Just(Stage::Lost),
            (0i64..90).prop_map(Stage::DeliveredDaysAgo),
        ]
    }

    proptest! {
        /// Whatever the kind, stage, prices, history and language, a decision recommends one of
        /// its offers, never a negative amount, and fills every slot of every reason.
        #[test]
        fn decisions_are_always_coherent(
            kind in proptest::sample::select(IssueKind::ALL.to_vec()),
            stage in any_stage(),
            prices in proptest::collection::vec(0i64..200_000, 1..6),
            category in proptest::option::of(proptest::sample::select(vec!["final_sale", "hygiene", "made_to_order", "tops"])),
            cases in 0u32..10, returns in 0u32..10, keeps in 0u32..5,
            photos in any::<bool>(), intercept in any::<bool>(),
            language in proptest::sample::select(vec!["en", "es", "pt-BR", "pl", "id", "de"]),
            eu in any::<bool>(),
        ) {
            let lines = prices
                .iter()
                .enumerate()
                .map(|(i, p)| line(&format!("SKU-{i}"), "Item", if i == 0 { category } else { None }, 1 + (i as u32 % 3), *p))
                .collect();
            let order = order_with(lines, stage, NOW);
            let facts = CaseFacts {
                kind,
                lines: vec![],
                photos_provided: photos,
                carrier_allows_intercept: intercept,
                language: LanguageTag::parse(language).unwrap(),
            };
            let history = CustomerHistory { cases_last_90_days: cases, returns_last_90_days: returns, refunds_without_return_last_365_days: keeps };
            let policy = if eu { Policy::eu_withdrawal() } else { Policy::standard() };
            let decision = decide(&facts, Some(&order), &policy, &history, &redress_domain::given::Given::default(), NOW).unwrap();
            prop_assert!(decision.offers.iter().any(|o| o.remedy == decision.recommended));
            prop_assert!(decision.offers.iter().all(|o| o.amount.is_none_or(|a| !a.is_negative())));
            let filled = decision.reasons.iter().all(|r| !r.text.contains('{') && !r.text.is_empty());
            prop_assert!(filled, "every slot filled");
            if let Some(amounts) = &decision.amounts {
                for m in [amounts.goods, amounts.returnable, amounts.refund_after_return, amounts.return_shipping, amounts.restocking_fee, amounts.store_credit, amounts.compensation] {
                    prop_assert!(!m.is_negative());
                }
                prop_assert!(amounts.returnable.amount_minor <= amounts.goods.amount_minor);
                prop_assert!(amounts.refund_after_return.amount_minor <= amounts.returnable.amount_minor.max(amounts.goods.amount_minor));
            }
        }
    }
}
