//! The shipped model: loads, and understands clear messages in all five languages.

use redress_domain::{EscalationSignal, IssueKind, Sentiment};
use redress_text::{EntityKind, Understanding, understand};

#[test]
fn shipped_model_loads() {
    Understanding::load_shipped().expect("the model in model/redress-text.bin must load");
}

#[test]
fn clear_messages_in_five_languages() {
    let cases = [
        ("en", "My parcel says delivered but I never received it", IssueKind::NotReceived),
        ("en", "I was charged twice for order #4412", IssueKind::WrongCharge),
        ("es", "Quiero cancelar mi pedido, todavía no lo han enviado", IssueKind::CancelOrder),
        ("es", "El jarrón llegó roto, la caja venía aplastada", IssueKind::DamagedInTransit),
        ("pt", "Quero devolver o tênis e receber meu dinheiro de volta", IssueKind::ReturnRequest),
        ("pt", "Cadê meu reembolso? Já devolvi há duas semanas", IssueKind::RefundStatus),
        ("pl", "Paczka przyszła, ale brakuje jednej koszulki", IssueKind::MissingItem),
        ("pl", "Zamówiłam rozmiar M, a przyszedł XL", IssueKind::WrongItemReceived),
        ("id", "Saya sudah transfer tapi status pesanan masih menunggu pembayaran", IssueKind::PaymentNotReflected),
        ("id", "Barangnya tidak berfungsi sama sekali, cacat", IssueKind::DefectiveItem),
    ];
    for (lang, text, kind) in cases {
        let a = understand(text, None);
        assert_eq!(a.language.tag, lang, "{text}");
        assert_eq!(a.kind, kind, "{text}: {a:?}");
    }
}

#[test]
fn escalation_sentiment_and_entities_together() {
    let a = understand(
        "This is the third time I'm writing!! Order #88213 was charged $59.98 twice. Fix it or I'll file a chargeback.",
        Some("en"),
    );
    assert_eq!(a.kind, IssueKind::WrongCharge);
    assert_eq!(a.sentiment, Sentiment::Negative);
    let signals: Vec<EscalationSignal> = a.escalation.iter().map(|e| e.signal).collect();
    assert!(signals.contains(&EscalationSignal::Chargeback), "{signals:?}");
    assert!(signals.contains(&EscalationSignal::RepeatContact), "{signals:?}");
    let amount = a.entities.iter().find(|e| e.kind == EntityKind::Amount).expect("amount");
    assert_eq!(amount.money.map(|m| m.amount_minor), Some(5998));
    assert!(a.entities.iter().any(|e| e.kind == EntityKind::OrderNumber && e.value == "88213"));
}

#[test]
fn out_of_scope_stays_other() {
    for text in ["what's the weather like tomorrow in Paris", "set a timer for ten minutes", "hola, ¿qué tal?"] {
        assert_eq!(understand(text, None).kind, IssueKind::Other, "{text}");
    }
}
