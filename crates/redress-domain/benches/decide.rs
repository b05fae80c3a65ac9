//! How long one decision takes on realistic orders: `cargo bench -p redress-domain --bench decide`.
//! The target is well under 100 µs, so self-service answers are instant.

#![allow(missing_docs)]

use redress_domain::decision::{CaseFacts, CustomerHistory, decide};
use redress_domain::policy::Policy;
use redress_domain::sample::{Stage, line, order, order_with};
use redress_domain::{IssueKind, LanguageTag, Order};
use time::OffsetDateTime;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

fn main() {
    divan::main();
}

fn facts(kind: IssueKind, language: &str) -> CaseFacts {
    CaseFacts {
        kind,
        lines: vec![],
        photos_provided: true,
        carrier_allows_intercept: true,
        language: LanguageTag::parse(language).unwrap_or_else(|e| panic!("{e}")),
    }
}

/// A basket of twelve lines, two of them final sale, delivered five days ago.
fn big_order() -> Order {
    let lines = (0..12)
        .map(|i| {
            let category = if i % 6 == 0 { Some("final_sale") } else { None };
            line(&format!("SKU-{i}"), &format!("Item {i}"), category, 1 + i % 3, 1500 + i64::from(i) * 700)
        })
        .collect();
    order_with(lines, Stage::DeliveredDaysAgo(5), NOW)
}

#[divan::bench(args = [
    (IssueKind::ReturnRequest, "es"),
    (IssueKind::DamagedInTransit, "pl"),
    (IssueKind::CancelOrder, "pt"),
    (IssueKind::NotReceived, "id"),
    (IssueKind::WrongCharge, "en"),
])]
fn decide_three_line_order(bencher: divan::Bencher, (kind, language): (IssueKind, &str)) {
    let policy = Policy::standard();
    let stage = match kind {
        IssueKind::CancelOrder => Stage::WithCarrier,
        IssueKind::NotReceived => Stage::Lost,
        _ => Stage::DeliveredDaysAgo(5),
    };
    let order = order(stage, NOW);
    let facts = facts(kind, language);
    let history =
        CustomerHistory { cases_last_90_days: 1, returns_last_90_days: 1, refunds_without_return_last_365_days: 0 };
    bencher.bench(|| {
        decide(divan::black_box(&facts), Some(&order), &policy, &history, &redress_domain::given::Given::default(), NOW)
    });
}

#[divan::bench]
fn decide_twelve_line_return(bencher: divan::Bencher) {
    let policy = Policy::standard();
    let order = big_order();
    let facts = facts(IssueKind::ReturnRequest, "pt-BR");
    let history = CustomerHistory::default();
    bencher.bench(|| {
        decide(divan::black_box(&facts), Some(&order), &policy, &history, &redress_domain::given::Given::default(), NOW)
    });
}

#[divan::bench]
fn load_policy_document(bencher: divan::Bencher) {
    bencher.bench(|| Policy::from_toml(divan::black_box(redress_domain::policy::STANDARD_POLICY_TOML)));
}
