//! Property tests of the webhook parsers: they never panic, whatever the bytes, and whatever
//! JSON is built from the providers' own field names; a signature or secret token that is not
//! the right one is always refused; and every message the model can hold survives the trip
//! through the fake's documented wire shapes and back.
//!
//! Random JSON seldom gets past an envelope, so the parsers are also fed valid deliveries (built
//! by the fake from random messages) with one to three random edits: a node replaced by random
//! JSON, or a field removed. Those reach every field of every message and status.
//!
//! Cases per property in an ordinary `cargo test`: arbitrary bytes 4,096 per parser; random
//! provider-shaped JSON 4,096 per parser; edited valid deliveries 1,024 per family (WhatsApp,
//! Messenger/Instagram, Telegram); signatures 2,048 twice; round trips 1,024 per family.
//! `REDRESS_FUZZ_CASES=<n>` runs every property `n` times instead.

use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Map, Value, json};

use super::fake::{graph_messaging_payload, telegram_update, whatsapp_payload};
use super::{
    ChatChannel, ChatIdentity, DeliveryStatus, InboundChatMessage, MediaKind, MediaRef, MediaSource, Secret,
    StatusUpdate,
};
use super::{meta, telegram};

/// `default` cases, or `REDRESS_FUZZ_CASES` of them for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("REDRESS_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(default)
}

/// The field names the providers use, so random objects reach deep into the parsers.
const KEYS: &[&str] = &[
    "object",
    "entry",
    "id",
    "time",
    "changes",
    "field",
    "value",
    "messaging_product",
    "metadata",
    "phone_number_id",
    "contacts",
    "wa_id",
    "profile",
    "name",
    "messages",
    "statuses",
    "from",
    "timestamp",
    "type",
    "text",
    "body",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "mime_type",
    "sha256",
    "caption",
    "filename",
    "context",
    "button",
    "interactive",
    "button_reply",
    "list_reply",
    "title",
    "status",
    "recipient_id",
    "errors",
    "code",
    "message",
    "error_data",
    "details",
    "biz_opaque_callback_data",
    "messaging",
    "standby",
    "sender",
    "recipient",
    "mid",
    "attachments",
    "payload",
    "url",
    "reply_to",
    "is_echo",
    "is_deleted",
    "is_unsupported",
    "delivery",
    "mids",
    "watermark",
    "read",
    "update_id",
    "edited_message",
    "message_id",
    "chat",
    "date",
    "photo",
    "file_id",
    "width",
    "height",
    "file_size",
    "reply_to_message",
    "first_name",
    "last_name",
    "username",
    "is_bot",
    "language_code",
    "file_name",
];

/// Values the providers use, for the same reason.
const WORDS: &[&str] = &[
    "whatsapp_business_account",
    "page",
    "instagram",
    "messages",
    "text",
    "image",
    "document",
    "button",
    "interactive",
    "reaction",
    "sent",
    "delivered",
    "read",
    "failed",
    "deleted",
    "private",
    "group",
    "file",
    "1763629200",
    "-1",
    "99999999999999999999",
    "wamid.X",
    "",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        prop::sample::select(WORDS).prop_map(|w| json!(w)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|fields| Value::Object(
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>()
            )),
        ]
    })
}

/// A Meta envelope around random content half the time, so the walk goes past the envelope.
fn meta_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_value().prop_map(|v| v.to_string().into_bytes()),
        (
            prop::sample::select(&["whatsapp_business_account", "page", "instagram"][..]),
            prop::collection::vec(json_value(), 0..4)
        )
            .prop_map(|(object, entry)| json!({ "object": object, "entry": entry }).to_string().into_bytes()),
    ]
}

fn telegram_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_value().prop_map(|v| v.to_string().into_bytes()),
        (any::<i64>(), json_value())
            .prop_map(|(id, message)| json!({ "update_id": id, "message": message }).to_string().into_bytes()),
    ]
}

/// Every JSON pointer in `value`, the root included.
fn pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    match value {
        Value::Object(fields) => {
            for (key, child) in fields {
                pointers(child, &format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// One edit: at the node picked by the index, remove the field (when `remove` and it is one) or
/// put the value in its place.
type Edit = (prop::sample::Index, Value, bool);

fn mutate(mut value: Value, edits: Vec<Edit>) -> Value {
    for (index, replacement, remove) in edits {
        let mut all = Vec::new();
        pointers(&value, "", &mut all);
        let target = all[index.index(all.len())].clone();
        if remove
            && let Some((parent, key)) = target.rsplit_once('/')
            && let Some(Value::Object(fields)) = value.pointer_mut(parent)
            && !key.contains('~')
        {
            fields.remove(key);
            continue;
        }
        if let Some(slot) = value.pointer_mut(&target) {
            *slot = replacement;
        }
    }
    value
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec((any::<prop::sample::Index>(), json_value(), any::<bool>()), 1..4)
}

/// Checks what the Meta parser takes whole: an id to drop repeats by, an account to route by,
/// someone to answer, and something said.
fn meta_batch_is_whole(body: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(batch) = meta::parse(body) {
        for message in batch.messages {
            prop_assert!(!message.provider_message_id.is_empty());
            prop_assert!(!message.account_id.is_empty());
            prop_assert!(!message.conversation_id.is_empty());
            prop_assert!(message.text.is_some() || !message.media.is_empty());
        }
        for status in batch.statuses {
            prop_assert!(!status.provider_message_id.is_empty());
        }
    }
    Ok(())
}

fn signature_headers(value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(meta::SIGNATURE_HEADER, value);
    }
    headers
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(4096)))]

    #[test]
    fn the_meta_parser_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = meta::parse(&body);
    }

    #[test]
    fn the_telegram_parser_never_panics_on_bytes(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = telegram::parse(&body, "1");
    }

    #[test]
    fn the_meta_parser_never_panics_on_provider_shaped_json(body in meta_body()) {
        meta_batch_is_whole(&body)?;
    }

    #[test]
    fn the_telegram_parser_never_panics_on_provider_shaped_json(body in telegram_body()) {
        if let Ok(batch) = telegram::parse(&body, "1") {
            prop_assert!(batch.messages.len() + batch.skipped.len() == 1);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(1024)))]

    #[test]
    fn the_meta_parser_never_panics_on_edited_whatsapp_deliveries(
        messages in prop::collection::vec(whatsapp_message(), 1..3),
        statuses in prop::collection::vec(whatsapp_status(), 0..3),
        edits in edits(),
    ) {
        let body = mutate(whatsapp_payload(&messages, &statuses), edits).to_string();
        meta_batch_is_whole(body.as_bytes())?;
    }

    #[test]
    fn the_meta_parser_never_panics_on_edited_messenger_deliveries(
        instagram in any::<bool>(),
        messages in prop::collection::vec(graph_message(), 1..3),
        edits in edits(),
    ) {
        let channel = if instagram { ChatChannel::Instagram } else { ChatChannel::Messenger };
        let status = StatusUpdate {
            channel,
            account_id: messages[0].account_id.clone(),
            provider_message_id: "m_OUT".into(),
            status: DeliveryStatus::Sent,
            at: messages[0].sent_at,
            recipient_id: Some(messages[0].conversation_id.clone()),
            outbound_id: Some("outbox-1".into()),
            error: None,
        };
        let delivered = StatusUpdate { status: DeliveryStatus::Delivered, outbound_id: None, ..status.clone() };
        let read = StatusUpdate { status: DeliveryStatus::Read, outbound_id: None, ..status.clone() };
        let payload = graph_messaging_payload(channel, &messages, &[status, delivered, read]);
        meta_batch_is_whole(mutate(payload, edits).to_string().as_bytes())?;
    }

    #[test]
    fn the_telegram_parser_never_panics_on_edited_updates(message in telegram_message(), edits in edits()) {
        let body = mutate(telegram_update(1, &message), edits).to_string();
        if let Ok(batch) = telegram::parse(body.as_bytes(), "1") {
            prop_assert!(batch.messages.len() + batch.skipped.len() == 1);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(2048)))]

    #[test]
    fn a_meta_signature_that_is_not_the_bodys_is_refused(
        body in prop::collection::vec(any::<u8>(), 0..256),
        forged in "[0-9a-f]{64}",
        flip in any::<prop::sample::Index>(),
    ) {
        let secret = Secret::new("the app secret");
        let right = meta::signature(&body, &secret);
        let forged = format!("sha256={forged}");
        prop_assume!(forged != right);
        let refused = meta::receive(&signature_headers(&forged), &body, &secret).unwrap_err();
        prop_assert!(refused.is_unauthenticated());
        // The right signature over a body changed in one byte is refused too.
        if !body.is_empty() {
            let mut changed = body.clone();
            let at = flip.index(changed.len());
            changed[at] ^= 0x01;
            let refused = meta::receive(&signature_headers(&right), &changed, &secret).unwrap_err();
            prop_assert!(refused.is_unauthenticated());
        }
    }

    #[test]
    fn a_telegram_secret_token_that_is_not_the_one_set_is_refused(given in "[A-Za-z0-9_-]{0,64}") {
        let secret = Secret::new("the_secret-token");
        prop_assume!(given != "the_secret-token");
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(&given) {
            headers.insert(telegram::SECRET_HEADER, value);
        }
        let refused = telegram::receive(&headers, b"{\"update_id\":1}", &secret, "1").unwrap_err();
        prop_assert!(refused.is_unauthenticated());
    }
}

fn time() -> impl Strategy<Value = time::OffsetDateTime> {
    // 2001 to 2100, whole seconds (WhatsApp and Telegram send seconds) or milliseconds (Meta's
    // messaging events).
    (1_000_000_000_i64..4_102_444_800)
        .prop_map(|s| time::OffsetDateTime::from_unix_timestamp(s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH))
}

fn text() -> impl Strategy<Value = String> {
    "[^\\s]{1}.{0,40}"
}

fn whatsapp_message() -> impl Strategy<Value = InboundChatMessage> {
    let media = prop::option::of((
        prop::sample::select(
            &[MediaKind::Image, MediaKind::Video, MediaKind::Audio, MediaKind::Document, MediaKind::Sticker][..],
        ),
        "[0-9]{6,16}",
        prop::option::of("(image|video|audio|application)/[a-z]{2,8}"),
        prop::option::of("[A-Za-z0-9+/]{43}="),
    ));
    (
        ("[0-9]{8,15}", prop::option::of("[A-Za-z ]{1,20}")),
        "wamid\\.[A-Za-z0-9=]{8,30}",
        "[0-9]{6,16}",
        prop::option::of(text()),
        media,
        time(),
        prop::option::of("wamid\\.[A-Z]{4}"),
    )
        .prop_filter_map(
            "a message needs text or a file",
            |((from, name), id, account, text, media, at, reply_to)| {
                let media: Vec<MediaRef> = media
                    .into_iter()
                    .map(|(kind, media_id, mime_type, sha256)| MediaRef {
                        kind,
                        source: MediaSource::ProviderId(media_id),
                        mime_type,
                        sha256,
                        file_name: None,
                        size: None,
                    })
                    .collect();
                (text.is_some() || !media.is_empty()).then(|| InboundChatMessage {
                    channel: ChatChannel::WhatsApp,
                    account_id: account,
                    provider_message_id: id,
                    sender: ChatIdentity {
                        user_id: from.clone(),
                        phone: Some(format!("+{from}")),
                        display_name: name,
                        username: None,
                        language: None,
                    },
                    conversation_id: from,
                    text,
                    media,
                    sent_at: at,
                    reply_to,
                })
            },
        )
}

fn graph_message() -> impl Strategy<Value = InboundChatMessage> {
    let attachment = (
        prop::sample::select(&[MediaKind::Image, MediaKind::Video, MediaKind::Audio, MediaKind::Document][..]),
        "https://cdn\\.example/[a-z0-9]{1,12}",
    );
    (
        "[0-9]{5,17}",
        "m_[A-Za-z0-9_-]{8,30}",
        "[0-9]{5,17}",
        prop::option::of(text()),
        prop::collection::vec(attachment, 0..3),
        (1_000_000_000_000_i64..4_102_444_800_000),
        prop::option::of("m_[A-Z]{4}"),
    )
        .prop_filter_map(
            "a message needs text or a file",
            |(from, mid, account, text, attachments, millis, reply_to)| {
                let media: Vec<MediaRef> = attachments
                    .into_iter()
                    .map(|(kind, url)| MediaRef {
                        kind,
                        source: MediaSource::Url(url),
                        mime_type: None,
                        sha256: None,
                        file_name: None,
                        size: None,
                    })
                    .collect();
                let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()?;
                (text.is_some() || !media.is_empty()).then(|| InboundChatMessage {
                    channel: ChatChannel::Messenger,
                    account_id: account,
                    provider_message_id: mid,
                    sender: ChatIdentity {
                        user_id: from.clone(),
                        phone: None,
                        display_name: None,
                        username: None,
                        language: None,
                    },
                    conversation_id: from,
                    text,
                    media,
                    sent_at: at,
                    reply_to,
                })
            },
        )
}

fn telegram_message() -> impl Strategy<Value = InboundChatMessage> {
    let photo = prop::option::of(("[A-Za-z0-9_-]{10,40}", 1_u64..20_000_000));
    (
        1_i64..9_999_999_999,
        1_i64..2_000_000_000,
        prop::option::of("[A-Za-zÀ-ÿ]{1,16}"),
        prop::option::of("[a-z_]{5,20}"),
        prop::option::of("(en|es|pl|id|pt-br)"),
        prop::option::of(text()),
        photo,
        time(),
        prop::option::of(1_i64..2_000_000_000),
    )
        .prop_filter_map(
            "a message needs text or a photo",
            |(user, message_id, name, username, language, text, photo, at, reply)| {
                let media: Vec<MediaRef> = photo
                    .into_iter()
                    .map(|(file_id, size)| MediaRef {
                        kind: MediaKind::Image,
                        source: MediaSource::ProviderId(file_id),
                        mime_type: Some("image/jpeg".into()),
                        sha256: None,
                        file_name: None,
                        size: Some(size),
                    })
                    .collect();
                (text.is_some() || !media.is_empty()).then(|| InboundChatMessage {
                    channel: ChatChannel::Telegram,
                    account_id: "4242".into(),
                    provider_message_id: format!("{user}:{message_id}"),
                    sender: ChatIdentity {
                        user_id: user.to_string(),
                        phone: None,
                        display_name: name,
                        username,
                        language,
                    },
                    conversation_id: user.to_string(),
                    text,
                    media,
                    sent_at: at,
                    reply_to: reply.map(|r| format!("{user}:{r}")),
                })
            },
        )
}

fn whatsapp_status() -> impl Strategy<Value = StatusUpdate> {
    (
        "wamid\\.[A-Za-z0-9]{8,20}",
        "[0-9]{6,16}",
        prop::sample::select(&[DeliveryStatus::Sent, DeliveryStatus::Delivered, DeliveryStatus::Read][..]),
        time(),
        "[0-9]{8,15}",
        prop::option::of("[a-z0-9-]{1,36}"),
    )
        .prop_map(|(id, account, status, at, recipient, outbound_id)| StatusUpdate {
            channel: ChatChannel::WhatsApp,
            account_id: account,
            provider_message_id: id,
            status,
            at,
            recipient_id: Some(recipient),
            outbound_id,
            error: None,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(1024)))]

    #[test]
    fn whatsapp_messages_and_statuses_survive_the_wire(
        messages in prop::collection::vec(whatsapp_message(), 0..4),
        statuses in prop::collection::vec(whatsapp_status(), 0..4),
    ) {
        let body = whatsapp_payload(&messages, &statuses).to_string();
        let batch = meta::parse(body.as_bytes()).unwrap();
        // The payload groups by phone number, so compare as sets.
        let mut got = batch.messages.clone();
        let mut want = messages.clone();
        got.sort_by(|a, b| a.provider_message_id.cmp(&b.provider_message_id).then(a.account_id.cmp(&b.account_id)));
        want.sort_by(|a, b| a.provider_message_id.cmp(&b.provider_message_id).then(a.account_id.cmp(&b.account_id)));
        // A sender's name is looked up by `wa_id`; two messages from one number in one batch
        // with different names cannot both keep theirs, so names are compared only when unique.
        for (g, w) in got.iter_mut().zip(want.iter_mut()) {
            if messages.iter().filter(|m| m.sender.user_id == w.sender.user_id && m.account_id == w.account_id).count() > 1 {
                g.sender.display_name = None;
                w.sender.display_name = None;
            }
        }
        prop_assert_eq!(got, want);
        prop_assert_eq!(batch.statuses.len(), statuses.len());
        for status in &statuses {
            prop_assert!(batch.statuses.contains(status), "{:?} lost", status);
        }
        prop_assert!(batch.skipped.is_empty());
    }

    #[test]
    fn messenger_and_instagram_messages_survive_the_wire(
        channel in prop::sample::select(&[ChatChannel::Messenger, ChatChannel::Instagram][..]),
        messages in prop::collection::vec(graph_message(), 0..4),
    ) {
        let messages: Vec<_> = messages.into_iter().map(|m| InboundChatMessage { channel, ..m }).collect();
        let body = graph_messaging_payload(channel, &messages, &[]).to_string();
        let batch = meta::parse(body.as_bytes()).unwrap();
        let mut got = batch.messages;
        let mut want = messages;
        got.sort_by(|a, b| (&a.account_id, &a.provider_message_id).cmp(&(&b.account_id, &b.provider_message_id)));
        want.sort_by(|a, b| (&a.account_id, &a.provider_message_id).cmp(&(&b.account_id, &b.provider_message_id)));
        prop_assert_eq!(got, want);
    }

    #[test]
    fn telegram_messages_survive_the_wire(message in telegram_message(), update_id in any::<i64>()) {
        let body = telegram_update(update_id, &message).to_string();
        let batch = telegram::parse(body.as_bytes(), "4242").unwrap();
        prop_assert_eq!(batch.messages, vec![message]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(1024)))]

    /// A long answer is cut into messages each within the channel's limit, none empty, losing
    /// nothing but the whitespace at the cuts.
    #[test]
    fn a_long_answer_is_cut_within_the_limit(
        text in "([a-zęółśążźćń😀]{1,12}[ \n]{0,3}){0,400}",
        channel in prop_oneof![
            Just(ChatChannel::WhatsApp), Just(ChatChannel::Messenger), Just(ChatChannel::Instagram)
        ],
        small in 5usize..60,
    ) {
        for limit in [channel.text_limit(), super::TextLimit::Characters(small), super::TextLimit::Utf8Bytes(small)] {
            let parts = limit.split(&text);
            for part in &parts {
                prop_assert!(limit.fits(part) && !part.trim().is_empty(), "{limit:?}: {part:?}");
            }
            let squeezed = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            prop_assert_eq!(squeezed(&parts.concat()), squeezed(&text));
        }
    }
}
