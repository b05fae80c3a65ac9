//! The fixtures of `tests/fixtures/email/` through [`InboundEmail::parse`]: charsets and
//! transfer encodings decoded, quoted history stripped, threading keys and tokens found,
//! attachments kept, robots recognised.

use redress_domain::case::CaseNumber;

use super::fixture;
use crate::email::{AutomaticReason, InboundEmail, InboundLimits, Sender, SkipReason};

fn parse(name: &str) -> InboundEmail {
    InboundEmail::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn from(email: &InboundEmail) -> (Option<&str>, &str) {
    let from = email.from.as_ref().expect("a sender");
    (from.name.as_deref(), from.address.as_str())
}

#[test]
fn polish_quoted_printable_in_iso_8859_2() {
    let email = parse("polish-qp-iso-8859-2.eml");
    assert_eq!(from(&email), (Some("Zofia Łącka"), "zofia.lacka@poczta.example"));
    assert_eq!(email.to[0].name.as_deref(), Some("Sklep Żółw"));
    assert_eq!(email.subject, "Re: Zamówienie 10042 - rozdarty rękaw");
    assert_eq!(
        email.body,
        "Dzień dobry,\n\npaczka dotarła wczoraj, ale żółta kurtka ma rozdarty rękaw.\n\
         Proszę o zwrot pieniędzy albo wymianę na rozmiar M.\n\nPozdrawiam serdecznie\nZofia Łącka"
    );
    assert!(email.full_text.contains("> Dziękujemy za zamówienie nr 10042."), "{}", email.full_text);
    assert_eq!(email.message_id.as_deref(), Some("5f1c2a9e-pl-1@poczta.example"));
    assert_eq!(email.thread_ids(), ["order-10042@zolw.example"]);
    assert_eq!(email.delivered_to, ["obsluga@zolw.example"]);
    assert_eq!(email.date.map(|d| d.unix_timestamp()), Some(1_772_608_365));
    assert_eq!(email.case_token, None);
    assert_eq!(email.sender, Sender::Person);
    assert!(!email.body_from_html);
}

#[test]
fn polish_quoted_printable_in_utf8_with_a_signature_and_a_token() {
    let email = parse("polish-qp-utf8.eml");
    assert_eq!(from(&email), (Some("Jan Wójcik"), "jan.wojcik@poczta.example"));
    assert_eq!(email.case_token, Some(CaseNumber(1234)));
    assert_eq!(
        email.body,
        "Dzień dobry,\n\nnadal czekam na zwrot 249,99 zł za uszkodzony ekspres do kawy.\n\
         Minęły już dwa tygodnie od nadania paczki zwrotnej."
    );
    assert!(email.full_text.contains("Jan Wójcik\ntel. +48 600 100 200"));
    assert!(email.thread_ids().is_empty());
}

#[test]
fn spanish_in_iso_8859_1_from_an_iphone() {
    let email = parse("spanish-iso-8859-1.eml");
    assert_eq!(from(&email), (Some("Begoña Muñoz"), "begona@correo.example"));
    assert_eq!(email.subject, "Re: Tu pedido 7788 está en camino");
    assert_eq!(
        email.body,
        "Hola,\n\nel pedido llegó con la caja mojada y las zapatillas están dañadas.\n\
         ¿Pueden enviarme otras o devolverme el dinero?"
    );
    assert_eq!(email.thread_ids(), ["ship-7788@nandu.example"]);
}

#[test]
fn indonesian_in_base64_to_a_plus_address() {
    let email = parse("indonesian-base64.eml");
    assert_eq!(from(&email), (Some("Siti Rahayu"), "siti.rahayu@gmail.example"));
    assert_eq!(email.case_token, Some(CaseNumber(77)));
    assert_eq!(
        email.body,
        "Selamat siang,\n\nSaya belum menerima pengembalian dana untuk pesanan 5512.\n\
         Barangnya sudah saya kirim kembali minggu lalu dengan nomor resi JNE 123456789.\n\n\
         Terima kasih,\nSiti Rahayu"
    );
}

#[test]
fn portuguese_html_only_becomes_text() {
    let email = parse("portuguese-html-only.eml");
    assert!(email.body_from_html);
    assert_eq!(from(&email), (Some("João Conceição"), "joao@email.example"));
    for line in
        ["Olá,", "Recebi o tênis errado: pedi o número 42 e veio o 39.", "Como faço para trocar?", "João Conceição"]
    {
        assert!(email.body.lines().any(|l| l.trim() == line), "{line:?} missing from:\n{}", email.body);
    }
    assert!(!email.body.contains("Seu pedido 3301"), "{}", email.body);
    assert!(!email.body.contains("escreveu"), "{}", email.body);
    assert!(!email.body.contains('<'), "no markup left:\n{}", email.body);
    assert!(email.full_text.contains("Seu pedido 3301 foi enviado."), "{}", email.full_text);
    assert_eq!(email.thread_ids(), ["sent-3301@acai.example", "order-3301@acai.example"]);
}

#[test]
fn an_inline_photo_is_kept_as_an_attachment() {
    let email = parse("photo-inline.eml");
    assert!(email.body.starts_with("Hi, the mug arrived broken, see the photo below."), "{}", email.body);
    assert!(!email.body_from_html);
    assert_eq!(email.attachments.len(), 1, "{:?}", email.attachments);
    let photo = &email.attachments[0];
    assert_eq!(photo.filename, "mug.png");
    assert_eq!(photo.content_type, "image/png");
    assert!(photo.inline);
    assert_eq!(photo.content_id.as_deref(), Some("mug-photo@mail.example"));
    assert_eq!(photo.bytes.as_ref(), fixture("photo.png").as_slice());
    assert!(email.skipped_attachments.is_empty());
}

#[test]
fn attachment_limits_skip_and_say_why() {
    let raw = fixture("photo-inline.eml");
    let tiny = InboundLimits { max_attachment_bytes: 10, ..InboundLimits::default() };
    let email = InboundEmail::parse_with(&raw, &tiny).unwrap();
    assert!(email.attachments.is_empty());
    assert_eq!(email.skipped_attachments[0].reason, SkipReason::TooLarge);
    assert_eq!(email.skipped_attachments[0].filename, "mug.png");
    let none = InboundLimits { max_attachments: 0, ..InboundLimits::default() };
    assert_eq!(InboundEmail::parse_with(&raw, &none).unwrap().skipped_attachments[0].reason, SkipReason::TooMany);
    let short = InboundLimits { max_body_bytes: 5, max_text_bytes: 12, ..InboundLimits::default() };
    let email = InboundEmail::parse_with(&raw, &short).unwrap();
    assert_eq!((email.body.as_str(), email.full_text.as_str()), ("Hi, t", "Hi, the mug "));
}

#[test]
fn a_gmail_reply_keeps_only_the_new_text() {
    let email = parse("gmail-reply.eml");
    assert_eq!(
        email.body,
        "Thanks, but the tracking link says the parcel went back to your warehouse.\n\
         Could you send it again to the same address?\n\nBest,\nPriya"
    );
    assert_eq!(email.case_token, Some(CaseNumber(1042)));
    assert_eq!(email.message_id.as_deref(), Some("CAGmail-7=xyz@mail.gmail.example"));
    assert_eq!(email.thread_ids(), ["c3d4@northwind.example", "a1b2@northwind.example"]);
    assert_eq!(email.delivered_to, ["support+1042@northwind.example"]);
}

#[test]
fn an_outlook_reply_keeps_only_the_new_text() {
    let email = parse("outlook-reply.eml");
    assert_eq!(
        email.body,
        "I'd like to return the jacket – it's two sizes too small.\nPlease send me a return label.\n\n\
         Kind regards,\nTom Baker"
    );
    assert_eq!(email.case_token, Some(CaseNumber(2211)));
    // Outlook's X-Auto-Response-Suppress is on mail people write: not a robot.
    assert_eq!(email.sender, Sender::Person);
}

#[test]
fn the_outlook_html_part_alone_strips_the_same_way() {
    // The same reply as an HTML-only mail (what some providers forward to webhooks).
    let raw = fixture("outlook-reply.eml");
    let text = String::from_utf8_lossy(&raw);
    let html_start = text.find("Content-Type: text/html").unwrap();
    let html_end = text.rfind("--_000_AM0PR01MB1234_--").unwrap();
    let headers = text
        .split("\r\n\r\n")
        .next()
        .unwrap()
        .replace("Content-Type: multipart/alternative; boundary=\"_000_AM0PR01MB1234_\"", "X-Dummy: 1");
    let html_only = format!("{headers}\r\n{}", &text[html_start..html_end]);
    let email = InboundEmail::parse(html_only.as_bytes()).unwrap();
    assert!(email.body_from_html);
    assert!(email.body.contains("I'd like to return the jacket – it's two sizes too small."), "{}", email.body);
    assert!(email.body.contains("Tom Baker"), "{}", email.body);
    assert!(!email.body.contains("your order has shipped"), "{}", email.body);
}

#[test]
fn robots_are_recognised() {
    for (name, check) in [
        (
            "bounce-dsn.eml",
            (|r: &AutomaticReason| matches!(r, AutomaticReason::NullReturnPath)) as fn(&AutomaticReason) -> bool,
        ),
        ("auto-reply-es.eml", |r| matches!(r, AutomaticReason::AutoSubmitted(v) if v == "auto-replied")),
        ("newsletter.eml", |r| matches!(r, AutomaticReason::MailingList)),
    ] {
        match parse(name).sender {
            Sender::Automatic { reason } => assert!(check(&reason), "{name}: {reason:?}"),
            Sender::Person => panic!("{name} taken for a person"),
        }
    }
    // Each sign on its own, too: a bounce without Return-Path and Auto-Submitted.
    let raw = String::from_utf8(fixture("bounce-dsn.eml")).unwrap();
    let bare = raw.replace("Return-Path: <>\r\n", "").replace("Auto-Submitted: auto-replied\r\n", "");
    assert_eq!(
        InboundEmail::parse(bare.as_bytes()).unwrap().sender,
        Sender::Automatic { reason: AutomaticReason::DeliveryReport }
    );
    let bare = bare.replace("multipart/report; report-type=delivery-status", "multipart/mixed");
    assert_eq!(
        InboundEmail::parse(bare.as_bytes()).unwrap().sender,
        Sender::Automatic { reason: AutomaticReason::SystemSender("MAILER-DAEMON@mx.northwind.example".into()) }
    );
}

#[test]
fn every_fixture_parses_within_bounds() {
    for name in super::fixture_names() {
        let email = parse(&name);
        assert!(email.from.is_some(), "{name}");
        assert!(!email.body.is_empty(), "{name}");
        assert!(email.body.len() <= email.full_text.len(), "{name}");
    }
}
