//! The shipped model: loads, and understands clear messages in all five languages.

use redress_domain::{EscalationSignal, IssueKind, Sentiment};
use redress_text::{Context, EntityKind, Understanding, understand, understand_with};

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

#[test]
fn urgency_and_repeated_contact_from_phrasing_in_five_languages() {
    let cases = [
        ("It's a gift for tomorrow, where is my parcel?", EscalationSignal::Urgent),
        ("Nobody answers me, I have written to you three times about my refund.", EscalationSignal::RepeatContact),
        ("Es un regalo para mañana y el paquete no llega.", EscalationSignal::Urgent),
        ("Já mandei três e-mails e ninguém me responde sobre o reembolso.", EscalationSignal::RepeatContact),
        ("Piszę już trzeci raz w sprawie zwrotu, nikt nie odpisuje.", EscalationSignal::RepeatContact),
        ("Kak ini buat kado besok, paketnya kok belum sampai?", EscalationSignal::Urgent),
    ];
    for (text, signal) in cases {
        let a = understand(text, None);
        assert!(
            a.escalation.iter().any(|e| e.signal == signal && !e.triggers.is_empty()),
            "{text}: {:?}",
            a.escalation
        );
    }
    let calm = understand("This is my first time ordering, I paid by bank transfer today. No rush.", None);
    assert!(calm.escalation.is_empty(), "{:?}", calm.escalation);
}

#[test]
fn earlier_messages_raise_repeat_contact_whatever_the_text_says() {
    let text = "Hello, any news about my order 4412?";
    assert!(understand(text, None).escalation.is_empty());
    let a = understand_with(text, &Context { earlier_messages_from_customer: 2, ..Context::default() });
    let e = a.escalation.iter().find(|e| e.signal == EscalationSignal::RepeatContact).expect("repeat_contact");
    assert!(e.from_context);
    assert_eq!(e.confidence, 1.0);
}

#[test]
fn other_languages_are_reported_and_marked_for_triage() {
    for (text, tag) in [
        ("Hallo, wo ist meine Bestellung? Ich warte schon seit zwei Wochen auf das Paket.", "de"),
        ("Bonjour, je n'ai toujours pas reçu ma commande, pouvez-vous vérifier ?", "fr"),
        ("Buongiorno, il pacco è arrivato rotto e vorrei un rimborso.", "it"),
        ("Hallo, mijn bestelling is nog steeds niet aangekomen, kunnen jullie kijken?", "nl"),
        ("Merhaba, siparişim hâlâ gelmedi, ne zaman gelir?", "tr"),
    ] {
        let a = understand(text, None);
        assert_eq!(a.language.tag, tag, "{text}");
        assert!(!a.language.supported && a.low_confidence, "{text}: {a:?}");
        assert_eq!(Understanding::shipped().detect_language(text), None);
    }
    let a = understand("Hallo, wo ist meine Bestellung?", Some("en"));
    assert!(a.language.supported && a.language.from_hint);
}
