//! Tests of the messaging edge: signatures and the subscription challenge, parsing the providers'
//! documented payloads (hand-written fixtures in their shapes), the customer-service window at its
//! edges, and the senders against the local fake, through rate limits, outages, closed windows and
//! bad credentials; then a small receiving server fed by the fake, which drops a redelivered
//! message by its key.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

use super::fake::{FakeApi, FakeMessaging, FakeMessagingConfig};
use super::messenger::GraphMessagingSender;
use super::meta::{self, ChallengeError, SubscriptionQuery};
use super::send::{
    ChatApiError, ChatSender, MessageTag, OutboundBody, OutboundChat, RetryPolicy, Template, send_with_retries,
};
use super::telegram::{self, TelegramSender};
use super::whatsapp::{WhatsAppConfig, WhatsAppSender};
use super::window::{ReplyAllowance, reply_allowance};
use super::*;

const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);
const APP_SECRET: &str = "fake-app-secret";

fn secret(value: &str) -> Secret {
    Secret::new(value)
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

fn signed(body: &[u8]) -> HeaderMap {
    headers(&[("x-hub-signature-256", &meta::signature(body, &secret(APP_SECRET)))])
}

fn parse_meta(payload: &Value) -> WebhookBatch {
    let body = payload.to_string();
    meta::receive(&signed(body.as_bytes()), body.as_bytes(), &secret(APP_SECRET)).unwrap()
}

fn parse_telegram(update: &Value) -> WebhookBatch {
    telegram::parse(update.to_string().as_bytes(), "4242").unwrap()
}

fn whatsapp_envelope(value: Value) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "102290129340398", "changes": [{ "value": value, "field": "messages" }] }],
    })
}

fn whatsapp_value(messages: Value) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
        "contacts": [{ "profile": { "name": "Ayu Lestari" }, "wa_id": "6281234567890" }],
        "messages": messages,
    })
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy { attempts: 4, first_delay: Duration::from_millis(1), max_delay: Duration::from_millis(5) }
}

fn text(outbound_id: &str, to: &str, body: &str) -> OutboundChat {
    OutboundChat {
        outbound_id: outbound_id.into(),
        to: to.into(),
        body: OutboundBody::Text(body.into()),
        reply_to: None,
    }
}

// ---- Signatures and the challenge ----

#[test]
fn a_meta_delivery_signed_with_the_app_secret_is_accepted_and_any_other_is_refused() {
    let body = whatsapp_envelope(whatsapp_value(json!([]))).to_string();
    let body = body.as_bytes();
    assert!(meta::receive(&signed(body), body, &secret(APP_SECRET)).is_ok());

    let other_secret = headers(&[("x-hub-signature-256", &meta::signature(body, &secret("another app")))]);
    let tampered = [body, b" "].concat();
    let cases: Vec<(&str, HeaderMap, &[u8])> = vec![
        ("no header", HeaderMap::new(), body),
        ("another secret", other_secret, body),
        ("a changed body", signed(body), &tampered),
        (
            "no sha256= prefix",
            headers(&[("x-hub-signature-256", &meta::signature(body, &secret(APP_SECRET))[7..])]),
            body,
        ),
        ("not hex", headers(&[("x-hub-signature-256", "sha256=zz")]), body),
        (
            "a truncated signature",
            headers(&[("x-hub-signature-256", &meta::signature(body, &secret(APP_SECRET))[..40])]),
            body,
        ),
    ];
    for (case, headers, body) in cases {
        let refused = meta::receive(&headers, body, &secret(APP_SECRET)).unwrap_err();
        assert!(refused.is_unauthenticated(), "{case}: {refused:?}");
    }
    let upper = meta::signature(body, &secret(APP_SECRET)).replace("sha256=", "").to_ascii_uppercase();
    assert!(
        meta::receive(&headers(&[("x-hub-signature-256", &format!("sha256={upper}"))]), body, &secret(APP_SECRET))
            .is_ok()
    );
}

#[test]
fn an_oversized_body_is_refused_before_its_signature_is_computed() {
    let body = vec![b' '; meta::MAX_BODY_BYTES + 1];
    assert_eq!(
        meta::receive(&signed(&body), &body, &secret(APP_SECRET)),
        Err(WebhookError::TooLarge { size: body.len(), limit: meta::MAX_BODY_BYTES })
    );
    let body = vec![b' '; telegram::MAX_BODY_BYTES + 1];
    let refused = telegram::receive(&HeaderMap::new(), &body, &secret("s"), "1").unwrap_err();
    assert!(matches!(refused, WebhookError::TooLarge { .. }));
}

#[test]
fn a_telegram_update_needs_the_secret_token_given_to_set_webhook() {
    let body = json!({ "update_id": 1, "message": { "message_id": 5, "date": 1, "chat": { "id": 7, "type": "private" },
        "from": { "id": 7, "is_bot": false, "first_name": "Rin" }, "text": "hi" } })
    .to_string();
    let token = secret("s3cret_token-1");
    let ok = telegram::receive(
        &headers(&[("x-telegram-bot-api-secret-token", "s3cret_token-1")]),
        body.as_bytes(),
        &token,
        "9",
    );
    assert_eq!(ok.unwrap().messages.len(), 1);
    for (case, given) in [("wrong", Some("s3cret_token-2")), ("prefix", Some("s3cret")), ("missing", None)] {
        let map = given.map_or_else(HeaderMap::new, |g| headers(&[("x-telegram-bot-api-secret-token", g)]));
        let refused = telegram::receive(&map, body.as_bytes(), &token, "9").unwrap_err();
        assert!(refused.is_unauthenticated(), "{case}: {refused:?}");
    }
    assert!(telegram::valid_secret_token("abc_DEF-123"));
    assert!(!telegram::valid_secret_token("with space"));
    assert!(!telegram::valid_secret_token(""));
    assert!(!telegram::valid_secret_token(&"a".repeat(257)));
}

#[test]
fn the_subscription_challenge_is_answered_only_with_the_right_verify_token() {
    let token = secret("verify-me");
    let query = |mode: Option<&str>, verify: Option<&str>, challenge: Option<&str>| SubscriptionQuery {
        mode: mode.map(str::to_owned),
        verify_token: verify.map(str::to_owned),
        challenge: challenge.map(str::to_owned),
    };
    assert_eq!(
        meta::answer_challenge(&query(Some("subscribe"), Some("verify-me"), Some("1158201444")), &token),
        Ok("1158201444".to_owned())
    );
    let refusals = [
        (query(Some("subscribe"), Some("verify-you"), Some("1")), ChallengeError::WrongToken),
        (query(Some("subscribe"), Some("verify-m"), Some("1")), ChallengeError::WrongToken),
        (query(Some("subscribe"), None, Some("1")), ChallengeError::WrongToken),
        (query(Some("unsubscribe"), Some("verify-me"), Some("1")), ChallengeError::NotSubscribe),
        (query(None, Some("verify-me"), Some("1")), ChallengeError::NotSubscribe),
        (query(Some("subscribe"), Some("verify-me"), None), ChallengeError::BadChallenge),
        (query(Some("subscribe"), Some("verify-me"), Some("<script>")), ChallengeError::BadChallenge),
        (query(Some("subscribe"), Some("verify-me"), Some(&"9".repeat(257))), ChallengeError::BadChallenge),
    ];
    for (q, expected) in refusals {
        assert_eq!(meta::answer_challenge(&q, &token), Err(expected), "{q:?}");
    }
    let shown = format!("{:?}", query(Some("subscribe"), Some("verify-me"), Some("1")));
    assert!(!shown.contains("verify-me"), "{shown}");
}

// ---- WhatsApp payloads ----

#[test]
fn a_whatsapp_text_message_becomes_an_inbound_message() {
    let batch = parse_meta(&whatsapp_envelope(whatsapp_value(json!([{
        "from": "6281234567890",
        "id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=",
        "timestamp": "1763629200",
        "type": "text",
        "text": { "body": "Paket saya belum sampai" },
        "context": { "from": "15550783881", "id": "wamid.EARLIER" },
    }]))));
    assert_eq!(batch.skipped, vec![]);
    assert_eq!(
        batch.messages,
        vec![InboundChatMessage {
            channel: ChatChannel::WhatsApp,
            account_id: "106540352242922".into(),
            provider_message_id: "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA=".into(),
            sender: ChatIdentity {
                user_id: "6281234567890".into(),
                phone: Some("+6281234567890".into()),
                display_name: Some("Ayu Lestari".into()),
                username: None,
                language: None,
            },
            conversation_id: "6281234567890".into(),
            text: Some("Paket saya belum sampai".into()),
            media: vec![],
            sent_at: datetime!(2025-11-20 09:00 UTC),
            reply_to: Some("wamid.EARLIER".into()),
        }]
    );
}

#[test]
fn a_whatsapp_image_is_a_media_reference_with_its_caption_as_text() {
    let batch = parse_meta(&whatsapp_envelope(whatsapp_value(json!([
        {
            "from": "6281234567890", "id": "wamid.IMG", "timestamp": "1763629200", "type": "image",
            "image": { "caption": "the box arrived crushed", "mime_type": "image/jpeg",
                       "sha256": "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", "id": "1003383421387256" },
        },
        {
            "from": "6281234567890", "id": "wamid.DOC", "timestamp": "1763629201", "type": "document",
            "document": { "filename": "receipt.pdf", "mime_type": "application/pdf", "sha256": "abc", "id": "2002" },
        },
    ]))));
    let [image, document] = batch.messages.as_slice() else { panic!("{batch:?}") };
    assert_eq!(image.text.as_deref(), Some("the box arrived crushed"));
    assert_eq!(
        image.media,
        vec![MediaRef {
            kind: MediaKind::Image,
            source: MediaSource::ProviderId("1003383421387256".into()),
            mime_type: Some("image/jpeg".into()),
            sha256: Some("SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=".into()),
            file_name: None,
            size: None,
        }]
    );
    assert_eq!(document.text, None);
    assert_eq!(document.media[0].kind, MediaKind::Document);
    assert_eq!(document.media[0].file_name.as_deref(), Some("receipt.pdf"));
}

#[test]
fn whatsapp_status_updates_carry_the_outbound_id_and_the_failure() {
    let value = json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": "15550783881", "phone_number_id": "106540352242922" },
        "statuses": [
            { "id": "wamid.OUT1", "status": "delivered", "timestamp": "1763629260", "recipient_id": "6281234567890",
              "biz_opaque_callback_data": "outbox-7",
              "conversation": { "id": "c1", "origin": { "type": "service" } },
              "pricing": { "billable": false, "pricing_model": "PMP", "category": "service" } },
            { "id": "wamid.OUT2", "status": "failed", "timestamp": "1763629261", "recipient_id": "6281234567890",
              "errors": [{ "code": 131026, "title": "Message undeliverable", "message": "Message undeliverable",
                           "error_data": { "details": "Receiver is incapable of receiving this message" } }] },
            { "id": "wamid.OUT3", "status": "deleted", "timestamp": "1763629262", "recipient_id": "6281234567890" },
        ],
    });
    let batch = parse_meta(&whatsapp_envelope(value));
    assert_eq!(batch.statuses.len(), 2);
    assert_eq!(batch.statuses[0].status, DeliveryStatus::Delivered);
    assert_eq!(batch.statuses[0].outbound_id.as_deref(), Some("outbox-7"));
    assert_eq!(batch.statuses[0].recipient_id.as_deref(), Some("6281234567890"));
    assert_eq!(batch.statuses[1].status, DeliveryStatus::Failed);
    assert_eq!(
        batch.statuses[1].error,
        Some(StatusError {
            code: Some(131_026),
            title: "Message undeliverable".into(),
            details: Some("Receiver is incapable of receiving this message".into()),
        })
    );
    assert_eq!(batch.skipped[0].reason, SkipReason::UnknownStatus("deleted".into()));
}

#[test]
fn events_redress_does_not_read_are_skipped_with_a_reason_and_never_cost_their_neighbours() {
    let messages = json!([
        { "from": "628", "id": "wamid.R", "timestamp": "1763629200", "type": "reaction",
          "reaction": { "message_id": "wamid.OUT1", "emoji": "👍" } },
        { "from": "628", "id": "wamid.BAD", "timestamp": { "not": "a time" }, "type": "text", "text": { "body": "x" } },
        { "from": "628", "id": "wamid.OK", "timestamp": "1763629200", "type": "text", "text": { "body": "still here" } },
        { "from": "628", "id": "wamid.BTN", "timestamp": "1763629200", "type": "button",
          "button": { "payload": "TRACK", "text": "Track my parcel" } },
    ]);
    let mut payload = whatsapp_envelope(whatsapp_value(messages));
    payload["entry"][0]["changes"].as_array_mut().unwrap().push(json!({ "field": "account_update", "value": {} }));
    let batch = parse_meta(&payload);
    let texts: Vec<_> = batch.messages.iter().map(|m| m.text.clone().unwrap()).collect();
    assert_eq!(texts, ["still here", "Track my parcel"]);
    let reasons: Vec<_> = batch.skipped.iter().map(|s| &s.reason).collect();
    assert_eq!(reasons[0], &SkipReason::UnsupportedMessage("reaction".into()));
    assert!(matches!(reasons[1], SkipReason::Malformed(_)), "{reasons:?}");
    assert_eq!(reasons[2], &SkipReason::Irrelevant("account_update".into()));
    assert_eq!(batch.skipped[1].provider_message_id.as_deref(), Some("wamid.BAD"));

    // Another object the app subscribes to is accepted and passed over.
    let other = parse_meta(&json!({ "object": "permissions", "entry": [{ "id": "1", "changes": [] }] }));
    assert_eq!(other.skipped[0].reason, SkipReason::Irrelevant("object permissions".into()));
}

#[test]
fn a_body_that_is_not_a_meta_envelope_is_malformed_and_a_huge_batch_is_refused_whole() {
    for body in
        [&b"not json"[..], b"{}", b"[]", b"{\"object\": 1, \"entry\": []}", b"{\"object\": \"page\", \"entry\": {}}"]
    {
        let refused = meta::receive(&signed(body), body, &secret(APP_SECRET)).unwrap_err();
        assert!(matches!(refused, WebhookError::Malformed { provider: "Meta", .. }), "{refused:?}");
    }
    let one = json!({ "from": "628", "id": "wamid.X", "timestamp": "1", "type": "text", "text": { "body": "x" } });
    let many = Value::Array(vec![one; MAX_EVENTS_PER_DELIVERY + 1]);
    let body = whatsapp_envelope(whatsapp_value(many)).to_string();
    assert_eq!(meta::parse(body.as_bytes()), Err(WebhookError::TooManyEvents { limit: MAX_EVENTS_PER_DELIVERY }));
    let empty_changes = vec![json!({ "field": "messages", "value": "not an object" }); MAX_EVENTS_PER_DELIVERY + 1];
    let body = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "1", "changes": empty_changes }] });
    let refused = meta::parse(body.to_string().as_bytes());
    assert_eq!(refused, Err(WebhookError::TooManyEvents { limit: MAX_EVENTS_PER_DELIVERY }));
}

// ---- Messenger and Instagram payloads ----

fn page_payload(object: &str, messaging: Value) -> Value {
    json!({ "object": object, "entry": [{ "id": "PAGE-1", "time": 1_763_629_200_000_i64, "messaging": messaging }] })
}

#[test]
fn messenger_messages_attachments_echoes_and_receipts() {
    let batch = parse_meta(&page_payload(
        "page",
        json!([
            { "sender": { "id": "PSID-9" }, "recipient": { "id": "PAGE-1" }, "timestamp": 1_763_629_200_123_i64,
              "message": { "mid": "m_TEXT", "text": "Where is order 1042?", "reply_to": { "mid": "m_OURS" } } },
            { "sender": { "id": "PSID-9" }, "recipient": { "id": "PAGE-1" }, "timestamp": 1_763_629_201_000_i64,
              "message": { "mid": "m_IMG", "attachments": [
                  { "type": "image", "payload": { "url": "https://scontent.example/photo.jpg" } },
                  { "type": "fallback", "payload": { "url": "https://example.com/shared" } } ] } },
            { "sender": { "id": "PAGE-1" }, "recipient": { "id": "PSID-9" }, "timestamp": 1_763_629_202_000_i64,
              "message": { "is_echo": true, "app_id": 1_517_776_481_860_111_i64, "metadata": "outbox-8", "mid": "m_OUT8", "text": "On its way" } },
            { "sender": { "id": "PAGE-1" }, "recipient": { "id": "PSID-9" }, "timestamp": 1_763_629_203_000_i64,
              "message": { "is_echo": true, "app_id": 263_902_037_430_900_i64, "mid": "m_INBOX", "text": "typed in Meta's inbox" } },
            // As in Meta's example of a delivery: no timestamp, the watermark says when.
            { "sender": { "id": "PSID-9" }, "recipient": { "id": "PAGE-1" },
              "delivery": { "mids": ["m_OUT8"], "watermark": 1_763_629_204_000_i64 } },
            { "sender": { "id": "PSID-9" }, "recipient": { "id": "PAGE-1" }, "timestamp": 1_763_629_205_000_i64,
              "read": { "watermark": 1_763_629_205_000_i64 } },
            { "sender": { "id": "PSID-9" }, "recipient": { "id": "PAGE-1" }, "timestamp": 1_763_629_206_000_i64,
              "postback": { "title": "Get started", "payload": "GET_STARTED" } },
        ]),
    ));
    let [text, image] = batch.messages.as_slice() else { panic!("{batch:?}") };
    assert_eq!(text.channel, ChatChannel::Messenger);
    assert_eq!(text.account_id, "PAGE-1");
    assert_eq!(text.conversation_id, "PSID-9");
    assert_eq!(text.sender.user_id, "PSID-9");
    assert_eq!(text.reply_to.as_deref(), Some("m_OURS"));
    assert_eq!(text.sent_at, datetime!(2025-11-20 09:00:00.123 UTC));
    assert_eq!(image.text, None);
    assert_eq!(image.media.len(), 1, "the fallback is not a file");
    assert_eq!(image.media[0].source, MediaSource::Url("https://scontent.example/photo.jpg".into()));

    let statuses: Vec<_> =
        batch.statuses.iter().map(|s| (s.provider_message_id.as_str(), s.status, s.outbound_id.as_deref())).collect();
    assert_eq!(
        statuses,
        [("m_OUT8", DeliveryStatus::Sent, Some("outbox-8")), ("m_OUT8", DeliveryStatus::Delivered, None)]
    );
    let marks: Vec<_> = batch.watermarks.iter().map(|w| (w.status, w.customer_id.as_str())).collect();
    assert_eq!(marks, [(DeliveryStatus::Delivered, "PSID-9"), (DeliveryStatus::Read, "PSID-9")]);
    let reasons: Vec<_> = batch.skipped.iter().map(|s| s.reason.clone()).collect();
    assert_eq!(reasons, [SkipReason::Echo, SkipReason::Irrelevant("postback".into())]);
}

#[test]
fn instagram_shares_the_messaging_shape_and_names_the_message_read() {
    let batch = parse_meta(&page_payload(
        "instagram",
        json!([
            { "sender": { "id": "IGSID-3" }, "recipient": { "id": "PAGE-1" }, "timestamp": 1_763_629_200_000_i64,
              "message": { "mid": "aWdfZA", "text": "Masih ada ukuran M?" } },
            { "sender": { "id": "IGSID-3" }, "recipient": { "id": "PAGE-1" }, "timestamp": 1_763_629_201_000_i64,
              "read": { "mid": "aWdfOUT" } },
            { "sender": { "id": "IGSID-3" }, "recipient": { "id": "PAGE-1" }, "timestamp": 1_763_629_202_000_i64,
              "message": { "mid": "aWdfDEL", "is_deleted": true } },
        ]),
    ));
    assert_eq!(batch.messages[0].channel, ChatChannel::Instagram);
    assert_eq!(batch.messages[0].text.as_deref(), Some("Masih ada ukuran M?"));
    assert_eq!(batch.statuses[0].status, DeliveryStatus::Read);
    assert_eq!(batch.statuses[0].provider_message_id, "aWdfOUT");
    assert_eq!(batch.skipped[0].reason, SkipReason::Irrelevant("deleted".into()));
}

// ---- Telegram payloads ----

fn telegram_message(extra: Value) -> Value {
    let mut message = json!({
        "message_id": 311,
        "from": { "id": 777_000_111, "is_bot": false, "first_name": "Lucía", "last_name": "Gómez",
                  "username": "lucia_g", "language_code": "es" },
        "chat": { "id": 777_000_111, "first_name": "Lucía", "type": "private" },
        "date": 1_763_629_200,
    });
    for (k, v) in extra.as_object().unwrap() {
        message[k] = v.clone();
    }
    json!({ "update_id": 90_001, "message": message })
}

#[test]
fn a_telegram_text_message_names_the_chat_the_sender_and_their_language() {
    let batch = parse_telegram(&telegram_message(json!({
        "text": "¿Dónde está mi pedido?", "reply_to_message": { "message_id": 300, "date": 1, "chat": { "id": 777_000_111, "type": "private" } },
    })));
    assert_eq!(
        batch.messages,
        vec![InboundChatMessage {
            channel: ChatChannel::Telegram,
            account_id: "4242".into(),
            provider_message_id: "777000111:311".into(),
            sender: ChatIdentity {
                user_id: "777000111".into(),
                phone: None,
                display_name: Some("Lucía Gómez".into()),
                username: Some("lucia_g".into()),
                language: Some("es".into()),
            },
            conversation_id: "777000111".into(),
            text: Some("¿Dónde está mi pedido?".into()),
            media: vec![],
            sent_at: datetime!(2025-11-20 09:00 UTC),
            reply_to: Some("777000111:300".into()),
        }]
    );
}

#[test]
fn a_telegram_photo_keeps_its_largest_size() {
    let batch = parse_telegram(&telegram_message(json!({
        "caption": "llegó roto",
        "photo": [
            { "file_id": "small", "file_unique_id": "a", "width": 90, "height": 67, "file_size": 1_200 },
            { "file_id": "large", "file_unique_id": "c", "width": 1280, "height": 960, "file_size": 98_000 },
            { "file_id": "medium", "file_unique_id": "b", "width": 320, "height": 240, "file_size": 14_000 },
        ],
    })));
    let message = &batch.messages[0];
    assert_eq!(message.text.as_deref(), Some("llegó roto"));
    assert_eq!(message.media.len(), 1);
    assert_eq!(message.media[0].source, MediaSource::ProviderId("large".into()));
    assert_eq!(message.media[0].size, Some(98_000));
    assert_eq!(message.media[0].mime_type.as_deref(), Some("image/jpeg"));
}

#[test]
fn telegram_groups_bots_edits_and_other_updates_are_passed_over() {
    let mut group = telegram_message(json!({ "text": "hello all" }));
    group["message"]["chat"] = json!({ "id": -100_123, "type": "supergroup", "title": "Shop fans" });
    let mut bot = telegram_message(json!({ "text": "beep" }));
    bot["message"]["from"]["is_bot"] = json!(true);
    let edit = json!({ "update_id": 2, "edited_message": { "message_id": 1, "date": 1, "edit_date": 2,
        "chat": { "id": 7, "type": "private" }, "text": "edited" } });
    let location = telegram_message(json!({ "location": { "latitude": -6.2, "longitude": 106.8 } }));
    let reasons: Vec<_> =
        [group, bot, edit, location].iter().map(|u| parse_telegram(u).skipped[0].reason.clone()).collect();
    assert_eq!(
        reasons,
        [
            SkipReason::NotAPrivateChat,
            SkipReason::NotAPrivateChat,
            SkipReason::Irrelevant("edited_message".into()),
            SkipReason::UnsupportedMessage("location".into()),
        ]
    );
    for body in [&b"{}"[..], b"{\"update_id\": \"one\"}", b"null", b"\xff"] {
        assert!(matches!(telegram::parse(body, "1"), Err(WebhookError::Malformed { provider: "Telegram", .. })));
    }
}

#[test]
fn the_same_delivery_twice_yields_the_same_key_for_the_caller_to_drop() {
    let payload = whatsapp_envelope(whatsapp_value(json!([
        { "from": "628", "id": "wamid.ONCE", "timestamp": "1763629200", "type": "text", "text": { "body": "hi" } },
    ])));
    let first = parse_meta(&payload);
    let again = parse_meta(&payload);
    assert_eq!(first.messages[0].dedup_key(), "whatsapp:106540352242922:wamid.ONCE");
    assert_eq!(first.messages[0].dedup_key(), again.messages[0].dedup_key());
    // Telegram's message ids repeat across chats; the key does not.
    let a = parse_telegram(&telegram_message(json!({ "text": "a" })));
    let mut other_chat = telegram_message(json!({ "text": "b" }));
    other_chat["message"]["chat"]["id"] = json!(555);
    let b = parse_telegram(&other_chat);
    assert_ne!(a.messages[0].dedup_key(), b.messages[0].dedup_key());
}

// ---- The customer-service window ----

#[test]
fn the_whatsapp_window_closes_exactly_24_hours_after_the_customer_wrote() {
    let last = T0;
    let allowance = |now| reply_allowance(ChatChannel::WhatsApp, Some(last), now, true);
    let closes = last + time::Duration::hours(24);
    assert_eq!(allowance(last), ReplyAllowance::FreeForm { until: Some(closes) });
    assert_eq!(allowance(closes - time::Duration::seconds(1)), ReplyAllowance::FreeForm { until: Some(closes) });
    assert_eq!(allowance(closes - time::Duration::nanoseconds(1)), ReplyAllowance::FreeForm { until: Some(closes) });
    assert_eq!(allowance(closes), ReplyAllowance::TemplateOnly);
    assert_eq!(allowance(closes + time::Duration::days(30)), ReplyAllowance::TemplateOnly);
    assert_eq!(reply_allowance(ChatChannel::WhatsApp, None, T0, true), ReplyAllowance::TemplateOnly);
    // A customer's message stamped a minute ahead of Redress's clock counts as now.
    let ahead = T0 + time::Duration::minutes(1);
    assert_eq!(
        reply_allowance(ChatChannel::WhatsApp, Some(ahead), T0, true),
        ReplyAllowance::FreeForm { until: Some(T0 + time::Duration::hours(24)) }
    );
}

#[test]
fn messenger_and_instagram_allow_the_human_agent_tag_for_7_days_when_permitted() {
    for channel in [ChatChannel::Messenger, ChatChannel::Instagram] {
        let at =
            |hours: i64, permitted| reply_allowance(channel, Some(T0), T0 + time::Duration::hours(hours), permitted);
        let week = T0 + time::Duration::days(7);
        assert!(matches!(at(23, true), ReplyAllowance::FreeForm { .. }));
        assert_eq!(at(24, true), ReplyAllowance::Tagged { tag: MessageTag::HumanAgent, until: week });
        assert_eq!(at(24, false), ReplyAllowance::Closed);
        assert_eq!(at(7 * 24 - 1, true), ReplyAllowance::Tagged { tag: MessageTag::HumanAgent, until: week });
        assert_eq!(at(7 * 24, true), ReplyAllowance::Closed);
        assert_eq!(reply_allowance(channel, None, T0, true), ReplyAllowance::Closed);
    }
    let telegram = reply_allowance(ChatChannel::Telegram, Some(T0 - time::Duration::days(400)), T0, false);
    assert_eq!(telegram, ReplyAllowance::FreeForm { until: None });
}

// ---- Sending against the fake ----

async fn fake() -> FakeMessaging {
    FakeMessaging::serve(FakeMessagingConfig::default()).await.unwrap()
}

#[tokio::test]
async fn whatsapp_sends_text_and_templates_with_the_outbound_id_to_correlate() {
    let fake = fake().await;
    let sender = WhatsAppSender::new(fake.whatsapp_config("106540352242922")).unwrap();
    let mut message = text("outbox-1", "6281234567890", "Your refund is on its way.");
    message.reply_to = Some("wamid.CUSTOMER".into());
    let sent = sender.send(&message).await.unwrap();
    assert!(sent.provider_message_id.starts_with("wamid."));
    assert_eq!(sent.recipient_id.as_deref(), Some("6281234567890"));

    fake.close_window("6281234567890");
    let refused = sender.send(&text("outbox-2", "6281234567890", "Still there?")).await.unwrap_err();
    assert!(matches!(refused, ChatApiError::OutsideWindow { .. }), "{refused:?}");
    assert!(!refused.is_retryable());
    let template = OutboundChat {
        outbound_id: "outbox-3".into(),
        to: "6281234567890".into(),
        body: OutboundBody::Template(Template {
            name: "case_update".into(),
            language: "id".into(),
            body_parameters: vec!["R-1042".into()],
        }),
        reply_to: None,
    };
    let templated = sender.send(&template).await.unwrap();

    let sent_log = fake.sent();
    assert_eq!(sent_log.len(), 2);
    assert_eq!(sent_log[0].api, FakeApi::WhatsApp);
    assert_eq!(sent_log[0].account, "106540352242922");
    assert_eq!(sent_log[0].text.as_deref(), Some("Your refund is on its way."));
    assert_eq!(sent_log[0].correlation.as_deref(), Some("outbox-1"));
    assert_eq!(sent_log[0].reply_to.as_deref(), Some("wamid.CUSTOMER"));
    assert_eq!(sent_log[0].provider_message_id, sent.provider_message_id);
    assert_eq!(sent_log[1].template.as_deref(), Some("case_update"));
    assert_eq!(sent_log[1].provider_message_id, templated.provider_message_id);

    let body = WhatsAppSender::request_body(&template).unwrap();
    assert_eq!(body["template"]["components"][0]["parameters"][0], json!({ "type": "text", "text": "R-1042" }));
    let tagged = OutboundChat {
        body: OutboundBody::TaggedText { text: "x".into(), tag: MessageTag::HumanAgent },
        ..text("outbox-4", "628", "x")
    };
    assert_eq!(sender.send(&tagged).await, Err(ChatApiError::Unsupported("message tags")));
    for invalid in
        [text("", "628", "x"), text(&"o".repeat(257), "628", "x"), text("o-5", "", "x"), text("o-6", "628", " ")]
    {
        assert!(matches!(sender.send(&invalid).await, Err(ChatApiError::Invalid(_))), "{invalid:?}");
    }
    assert_eq!(fake.attempts(FakeApi::WhatsApp), 3, "refused before any call");
}

#[tokio::test]
async fn the_sender_retries_429_then_succeeds_and_sends_once() {
    let fake = fake().await;
    let sender = WhatsAppSender::new(fake.whatsapp_config("106540352242922")).unwrap();
    fake.fail_next(FakeApi::WhatsApp, 429, 2);
    let sent = send_with_retries(&sender, &text("outbox-9", "628", "hello"), &quick_retries()).await.unwrap();
    assert_eq!(fake.attempts(FakeApi::WhatsApp), 3);
    assert_eq!(fake.sent().len(), 1);
    assert_eq!(fake.sent()[0].provider_message_id, sent.provider_message_id);

    fake.fail_next(FakeApi::WhatsApp, 500, 1);
    send_with_retries(&sender, &text("outbox-10", "628", "again"), &quick_retries()).await.unwrap();
    assert_eq!(fake.sent().len(), 2);

    fake.fail_next(FakeApi::WhatsApp, 429, 10);
    let gave_up = send_with_retries(&sender, &text("outbox-11", "628", "later"), &quick_retries()).await.unwrap_err();
    assert!(matches!(gave_up, ChatApiError::RateLimited { .. }), "{gave_up:?}");
    assert!(gave_up.is_retryable() && !gave_up.may_have_been_sent(), "the outbox retries it later");
    assert_eq!(fake.sent().len(), 2);
}

#[tokio::test]
async fn graph_errors_are_sorted_into_permanent_and_transient() {
    let fake = fake().await;
    let mut config = fake.whatsapp_config("1065");
    config.access_token = secret("revoked");
    let refused = WhatsAppSender::new(config).unwrap().send(&text("o-1", "628", "x")).await.unwrap_err();
    assert!(matches!(refused, ChatApiError::Unauthorized { .. }), "{refused:?}");
    assert!(!refused.is_retryable());

    let sender = WhatsAppSender::new(fake.whatsapp_config("1065")).unwrap();
    for (status, transient) in [(429, true), (500, true), (503, true), (400, false)] {
        fake.fail_next(FakeApi::WhatsApp, status, 1);
        let error = sender.send(&text("o-2", "628", "x")).await.unwrap_err();
        assert_eq!(error.is_retryable(), transient, "{status}: {error:?}");
    }
    // Graph reports throttling as HTTP 400 with a code as often as with 429.
    let throttled =
        super::graph::classify(400, None, br#"{"error":{"message":"(#130429) Rate limit hit","code":130429}}"#);
    assert!(matches!(throttled, ChatApiError::RateLimited { .. }));
    let temporary =
        super::graph::classify(400, None, br#"{"error":{"message":"Temporary send message failure","code":1200}}"#);
    assert!(matches!(temporary, ChatApiError::Unavailable { .. }));
    let not_json = super::graph::classify(502, Some(Duration::from_secs(3)), b"<html>Bad Gateway</html>");
    assert_eq!(not_json.retry_after(), Some(Duration::from_secs(3)));
}

#[tokio::test]
async fn messenger_answers_within_the_window_and_tags_human_agent_after_it() {
    let fake = fake().await;
    let sender = GraphMessagingSender::new(fake.graph_messaging_config(ChatChannel::Messenger)).unwrap();
    let sent = sender.send(&text("outbox-20", "PSID-9", "We have refunded you.")).await.unwrap();
    assert_eq!(sent.recipient_id.as_deref(), Some("PSID-9"));
    fake.close_window("PSID-9");
    let refused = sender.send(&text("outbox-21", "PSID-9", "Hello again")).await.unwrap_err();
    assert!(matches!(refused, ChatApiError::OutsideWindow { .. }), "{refused:?}");
    let tagged = OutboundChat {
        body: OutboundBody::TaggedText { text: "An agent replies".into(), tag: MessageTag::HumanAgent },
        ..text("outbox-22", "PSID-9", "unused")
    };
    sender.send(&tagged).await.unwrap();
    let log = fake.sent();
    let shapes: Vec<_> =
        log.iter().map(|s| (s.messaging_type.as_deref(), s.tag.as_deref(), s.correlation.as_deref())).collect();
    assert_eq!(
        shapes,
        [(Some("RESPONSE"), None, Some("outbox-20")), (Some("MESSAGE_TAG"), Some("HUMAN_AGENT"), Some("outbox-22"))]
    );

    let template = OutboundChat {
        body: OutboundBody::Template(Template { name: "t".into(), language: "en".into(), body_parameters: vec![] }),
        ..text("outbox-23", "PSID-9", "unused")
    };
    assert_eq!(sender.send(&template).await, Err(ChatApiError::Unsupported("WhatsApp templates")));
    let long = text("outbox-24", "PSID-9", &"x".repeat(2001));
    assert!(matches!(sender.send(&long).await, Err(ChatApiError::Invalid(_))));
    assert_eq!(fake.attempts(FakeApi::SendApi), 3, "refused before any call");
    assert!(GraphMessagingSender::new(fake.graph_messaging_config(ChatChannel::Telegram)).is_err());
    // Instagram counts bytes: 400 emoji are 1,600 of them.
    let instagram = GraphMessagingSender::new(fake.graph_messaging_config(ChatChannel::Instagram)).unwrap();
    let emoji = text("outbox-25", "IGSID-3", &"📦".repeat(400));
    assert!(matches!(instagram.send(&emoji).await, Err(ChatApiError::Invalid(_))));
    instagram.send(&text("outbox-26", "IGSID-3", &"a".repeat(1000))).await.unwrap();
    assert_eq!(ChatChannel::WhatsApp.text_limit(), TextLimit::Characters(4096));
    assert!(TextLimit::Characters(2).fits("żó") && !TextLimit::Utf8Bytes(2).fits("żó"));
}

#[tokio::test]
async fn telegram_sends_quotes_retries_429_and_registers_its_webhook() {
    let fake = fake().await;
    let sender = TelegramSender::new(fake.telegram_config()).unwrap();
    assert_eq!(sender.bot_id(), "4242");
    let mut message = text("outbox-30", "777000111", "Tu reembolso está en camino.");
    message.reply_to = Some("777000111:311".into());
    fake.fail_next(FakeApi::Telegram, 429, 1);
    let sent = send_with_retries(&sender, &message, &quick_retries()).await.unwrap();
    assert_eq!(fake.attempts(FakeApi::Telegram), 2);
    let log = fake.sent();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].to, "777000111");
    assert_eq!(log[0].reply_to.as_deref(), Some("311"));
    assert_eq!(sent.provider_message_id, log[0].provider_message_id);
    assert!(sent.provider_message_id.starts_with("777000111:"));

    fake.fail_next(FakeApi::Telegram, 429, 1);
    let limited = sender.send(&message).await.unwrap_err();
    assert_eq!(limited.retry_after(), Some(Duration::from_secs(1)));

    let hook = secret("per-store_secret-1");
    sender.set_webhook("https://desk.example/webhooks/telegram/store-1", &hook).await.unwrap();
    assert_eq!(fake.telegram_webhook().as_deref(), Some("https://desk.example/webhooks/telegram/store-1"));
    assert!(matches!(
        sender.set_webhook("https://x", &secret("no spaces allowed")).await,
        Err(ChatApiError::Invalid(_))
    ));

    let mut wrong = fake.telegram_config();
    wrong.bot_token = secret("4242:not-the-token");
    let refused = TelegramSender::new(wrong).unwrap().send(&message).await.unwrap_err();
    assert!(matches!(refused, ChatApiError::Unauthorized { .. }), "{refused:?}");
    assert!(TelegramSender::new(super::telegram::TelegramConfig::new(secret("no-colon"))).is_err());
    assert!(TelegramSender::new(super::telegram::TelegramConfig::new(secret("1:a/b"))).is_err());
}

#[tokio::test]
async fn customers_files_are_fetched_bounded_and_checked() {
    let fake = fake().await;
    let photo = b"\xff\xd8\xff\xe0 a jpeg".to_vec();
    fake.add_media("1003383421387256", photo.clone(), "image/jpeg");
    let reference = |source: MediaSource| MediaRef {
        kind: MediaKind::Image,
        source,
        mime_type: None,
        sha256: None,
        file_name: None,
        size: None,
    };

    let whatsapp = WhatsAppSender::new(fake.whatsapp_config("1065")).unwrap();
    let fetched =
        whatsapp.fetch_media(&reference(MediaSource::ProviderId("1003383421387256".into())), 1024).await.unwrap();
    assert_eq!((fetched.bytes.as_slice(), fetched.mime_type.as_deref()), (photo.as_slice(), Some("image/jpeg")));
    let too_small = whatsapp.fetch_media(&reference(MediaSource::ProviderId("1003383421387256".into())), 4).await;
    assert_eq!(too_small.unwrap_err(), ChatApiError::MediaTooLarge { limit: 4 });
    let missing = whatsapp.fetch_media(&reference(MediaSource::ProviderId("404".into())), 1024).await.unwrap_err();
    assert!(!missing.is_retryable(), "{missing:?}");
    assert!(matches!(
        whatsapp.fetch_media(&reference(MediaSource::ProviderId("../me".into())), 1024).await,
        Err(ChatApiError::Invalid(_))
    ));
    // Meta's SHA-256 is taken in hex or in base64 (the empty input's digest, both ways).
    let empty = <sha2::Sha256 as sha2::Digest>::digest(b"");
    let matches = super::whatsapp::digest_matches;
    assert!(matches(&empty, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    assert!(matches(&empty, "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
    assert!(matches(&empty, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
    assert!(!matches(&empty, "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="));
    assert!(matches(b"ab", "YWI=") && matches(b"a", "YQ==") && matches(b"abc", "YWJj"));

    let messenger = GraphMessagingSender::new(fake.graph_messaging_config(ChatChannel::Messenger)).unwrap();
    let fetched =
        messenger.fetch_media(&reference(MediaSource::Url(fake.cdn_url("1003383421387256"))), 1024).await.unwrap();
    assert_eq!(fetched.bytes, photo);
    let gone = messenger.fetch_media(&reference(MediaSource::Url(fake.cdn_url("expired"))), 1024).await.unwrap_err();
    assert!(matches!(gone, ChatApiError::Rejected { code: Some(404), .. }), "{gone:?}");

    let telegram = TelegramSender::new(fake.telegram_config()).unwrap();
    let fetched =
        telegram.fetch_media(&reference(MediaSource::ProviderId("1003383421387256".into())), 1024).await.unwrap();
    assert_eq!(fetched.bytes, photo);
    let over = telegram.fetch_media(&reference(MediaSource::ProviderId("1003383421387256".into())), 8).await;
    assert_eq!(over.unwrap_err(), ChatApiError::MediaTooLarge { limit: 8 });
}

#[tokio::test]
async fn a_refused_connection_is_certainly_unsent_and_a_silent_server_is_ambiguous() {
    // A port that was just free: nothing listens there.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut config = super::telegram::TelegramConfig::new(secret("4242:very-secret-token"));
    config.base_url = closed_url;
    let unreachable = TelegramSender::new(config).unwrap().send(&text("o-1", "7", "x")).await.unwrap_err();
    assert!(matches!(unreachable, ChatApiError::Unreachable { .. }), "{unreachable:?}");
    assert!(unreachable.is_retryable() && !unreachable.may_have_been_sent());
    assert!(!unreachable.to_string().contains("very-secret-token"), "{unreachable}");

    // A server that takes the request and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    let (held_tx, held_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let connection = silent.accept().await;
        // Keep the connection open until the test ends.
        let _ = held_rx.await;
        drop(connection);
    });
    let mut config = WhatsAppConfig::new("1065", secret("token"));
    config.base_url = silent_url;
    config.timeout = Duration::from_millis(200);
    let sender = WhatsAppSender::new(config).unwrap();
    let ambiguous = send_with_retries(&sender, &text("o-2", "628", "x"), &quick_retries()).await.unwrap_err();
    assert!(ambiguous.may_have_been_sent(), "{ambiguous:?}");
    let _ = held_tx.send(());
}

#[test]
fn secrets_never_show_in_debug_output() {
    let config = WhatsAppConfig::new("1065", secret("EAAG-very-secret"));
    let shown = format!("{config:?} {:?}", super::telegram::TelegramConfig::new(secret("1:bot-secret")));
    assert!(!shown.contains("EAAG-very-secret") && !shown.contains("bot-secret"), "{shown}");
    assert!(shown.contains("redacted"));
}

#[test]
fn backoff_doubles_is_capped_honours_the_provider_and_differs_between_messages() {
    let policy =
        RetryPolicy { attempts: 5, first_delay: Duration::from_millis(100), max_delay: Duration::from_secs(1) };
    for attempt in 1..=6 {
        let full = Duration::from_millis(100 * (1 << (attempt - 1))).min(Duration::from_secs(1));
        let wait = policy.delay(attempt, "outbox-1", None);
        assert!(wait >= full / 2 && wait <= full, "attempt {attempt}: {wait:?}");
    }
    assert_eq!(policy.delay(1, "outbox-1", Some(Duration::from_secs(60))), Duration::from_secs(1));
    assert_eq!(policy.delay(1, "outbox-1", Some(Duration::from_millis(300))), Duration::from_millis(300));
    let spread: std::collections::BTreeSet<_> =
        (0..20).map(|i| policy.delay(3, &format!("outbox-{i}"), None)).collect();
    assert!(spread.len() > 10, "{spread:?}");
}

// ---- A receiving server fed by the fake ----

/// What a caller would store: messages by their key (a repeat is dropped), statuses in order.
#[derive(Clone, Default)]
struct Inbox {
    messages: Arc<Mutex<BTreeMap<String, InboundChatMessage>>>,
    dropped: Arc<Mutex<usize>>,
    statuses: Arc<Mutex<Vec<StatusUpdate>>>,
}

impl Inbox {
    fn take(&self, batch: WebhookBatch) {
        for message in batch.messages {
            let mut messages = self.messages.lock().unwrap();
            match messages.entry(message.dedup_key()) {
                std::collections::btree_map::Entry::Occupied(_) => *self.dropped.lock().unwrap() += 1,
                std::collections::btree_map::Entry::Vacant(slot) => {
                    slot.insert(message);
                }
            }
        }
        self.statuses.lock().unwrap().extend(batch.statuses);
    }
}

fn answer(result: Result<WebhookBatch, WebhookError>, inbox: &Inbox) -> StatusCode {
    match result {
        Ok(batch) => {
            inbox.take(batch);
            StatusCode::OK
        }
        Err(WebhookError::MissingSignature { .. } | WebhookError::BadSignature { .. }) => StatusCode::UNAUTHORIZED,
        Err(WebhookError::TooLarge { .. } | WebhookError::TooManyEvents { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
        Err(WebhookError::Malformed { .. }) => StatusCode::BAD_REQUEST,
    }
}

async fn receiving_server(inbox: Inbox, telegram_secret: Secret) -> String {
    let meta_inbox = inbox.clone();
    let app = Router::new()
        .route(
            "/webhooks/meta",
            post(move |headers: HeaderMap, body: Bytes| {
                let inbox = meta_inbox.clone();
                async move { answer(meta::receive(&headers, &body, &secret(APP_SECRET)), &inbox) }
            })
            .get(|Query(query): Query<SubscriptionQuery>| async move {
                match meta::answer_challenge(&query, &secret("verify-me")) {
                    Ok(challenge) => (StatusCode::OK, challenge),
                    Err(ChallengeError::WrongToken) => (StatusCode::FORBIDDEN, String::new()),
                    Err(_) => (StatusCode::BAD_REQUEST, String::new()),
                }
            }),
        )
        .route(
            "/webhooks/telegram/4242",
            post(move |State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes| {
                let telegram_secret = telegram_secret.clone();
                async move { answer(telegram::receive(&headers, &body, &telegram_secret, "4242"), &inbox) }
            }),
        )
        .with_state(inbox);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

fn inbound(channel: ChatChannel, account: &str, id: &str, from: &str, text: &str) -> InboundChatMessage {
    InboundChatMessage {
        channel,
        account_id: account.into(),
        provider_message_id: id.into(),
        sender: ChatIdentity {
            user_id: from.into(),
            phone: (channel == ChatChannel::WhatsApp).then(|| format!("+{from}")),
            display_name: None,
            username: None,
            language: None,
        },
        conversation_id: from.into(),
        text: Some(text.into()),
        media: vec![],
        sent_at: T0,
        reply_to: None,
    }
}

#[tokio::test]
async fn the_fake_delivers_signed_webhooks_twice_and_the_receiver_keeps_one() {
    let fake = fake().await;
    let inbox = Inbox::default();
    let server = receiving_server(inbox.clone(), secret("fake-telegram-secret")).await;
    let meta_url = format!("{server}/webhooks/meta");

    assert_eq!(fake.verify_subscription(&meta_url, "verify-me", "8311").await.unwrap(), (200, "8311".into()));
    assert_eq!(fake.verify_subscription(&meta_url, "guess", "8311").await.unwrap().0, 403);

    let hello = inbound(ChatChannel::WhatsApp, "106540352242922", "wamid.DUP", "6281234567890", "Halo");
    let delivery = fake.whatsapp_delivery(std::slice::from_ref(&hello), &[]);
    assert_eq!(fake.deliver(&meta_url, &delivery).await.unwrap(), 200);
    assert_eq!(fake.deliver(&meta_url, &delivery).await.unwrap(), 200, "a redelivery is acknowledged too");
    assert_eq!(inbox.messages.lock().unwrap().len(), 1);
    assert_eq!(*inbox.dropped.lock().unwrap(), 1);
    assert_eq!(inbox.messages.lock().unwrap().values().next(), Some(&hello));

    // The shop answers; the fake reports the message delivered, naming the outbox row.
    let sender = WhatsAppSender::new(fake.whatsapp_config("106540352242922")).unwrap();
    sender.send(&text("outbox-40", "6281234567890", "Terima kasih")).await.unwrap();
    let status = fake.status_of(&fake.sent()[0], DeliveryStatus::Delivered, T0);
    assert_eq!(
        fake.deliver(&meta_url, &fake.whatsapp_delivery(&[], std::slice::from_ref(&status))).await.unwrap(),
        200
    );
    let statuses = inbox.statuses.lock().unwrap().clone();
    assert_eq!(statuses, vec![status.clone()]);
    assert_eq!(statuses[0].outbound_id.as_deref(), Some("outbox-40"));

    // A delivery signed with another app's secret stores nothing.
    let mut forged = fake.whatsapp_delivery(&[inbound(ChatChannel::WhatsApp, "1065", "wamid.F", "62", "x")], &[]);
    forged.headers[1].1 = meta::signature(&forged.body, &secret("another app"));
    assert_eq!(fake.deliver(&meta_url, &forged).await.unwrap(), 401);
    let mut unsigned = forged.clone();
    unsigned.headers.truncate(1);
    assert_eq!(fake.deliver(&meta_url, &unsigned).await.unwrap(), 401);
    assert_eq!(inbox.messages.lock().unwrap().len(), 1);

    // Messenger through the same endpoint, and Telegram through its own, twice each.
    let page = fake.graph_delivery(
        ChatChannel::Messenger,
        &[inbound(ChatChannel::Messenger, "PAGE-1", "m_1", "PSID-9", "hey")],
        &[],
    );
    let update = fake.telegram_delivery(90_001, &inbound(ChatChannel::Telegram, "4242", "777:5", "777", "hola"));
    let telegram_url = format!("{server}/webhooks/telegram/4242");
    for _ in 0..2 {
        assert_eq!(fake.deliver(&meta_url, &page).await.unwrap(), 200);
        assert_eq!(fake.deliver(&telegram_url, &update).await.unwrap(), 200);
    }
    assert_eq!(inbox.messages.lock().unwrap().len(), 3);
    assert_eq!(*inbox.dropped.lock().unwrap(), 3);
    let mut wrong_token = update.clone();
    wrong_token.headers[1].1 = "guessed".into();
    assert_eq!(fake.deliver(&telegram_url, &wrong_token).await.unwrap(), 401);
    assert_eq!(fake.deliver(&meta_url, &fake.meta_delivery(&json!({ "object": "page" }))).await.unwrap(), 400);
}
