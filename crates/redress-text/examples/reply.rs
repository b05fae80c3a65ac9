//! Prints a suggested reply.
//!
//! `cargo run -p redress-text --example reply -- <kind> [remedy|-] [lang]`, e.g.
//! `cargo run -p redress-text --example reply -- damaged_in_transit reship pl`.

use redress_domain::{Currency, IssueKind, Money, Remedy};
use redress_text::replies::{ReplyFacts, suggest_reply};
use time::{Date, Month};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let kind: IssueKind = args.first().and_then(|a| a.parse().ok()).unwrap_or(IssueKind::OrderStatus);
    let remedy: Option<Remedy> = args.get(1).and_then(|a| a.parse().ok());
    let lang = args.get(2).map(String::as_str).unwrap_or("en");
    let facts = ReplyFacts {
        customer_name: Some("Ana".into()),
        order_number: Some("10482".into()),
        items: vec!["Linen shirt M".into(), "Vase Ikebana".into()],
        order_date: Date::from_calendar_date(2026, Month::November, 2).ok(),
        delivery_date: Date::from_calendar_date(2026, Month::November, 27).ok(),
        tracking_number: Some("JJD0099123456".into()),
        tracking_url: Some("https://track.example/JJD0099123456".into()),
        carrier: Some("DHL".into()),
        refund_amount: Currency::from_code("EUR").ok().map(|c| Money::new(4_990, c)),
        expected_refund_date: Date::from_calendar_date(2026, Month::December, 4).ok(),
        policy_reasons: vec!["The vase arrived broken: the carrier is at fault (rule carrier_damage).".into()],
        shop_name: Some("Casa Lumen".into()),
        refund_awaiting_approval: false,
    };
    let r = suggest_reply(kind, remedy, lang, &facts);
    println!("[{}] {}\nSubject: {}\n\n{}", r.language, r.template, r.subject, r.body);
}
