//! Meta's Graph webhooks, which WhatsApp (object `whatsapp_business_account`), Messenger (object
//! `page`) and Instagram (object `instagram`) share: the `X-Hub-Signature-256` check, the GET
//! subscription challenge, and the two payload families, `entry[].changes[].value` with
//! `messages[]` and `statuses[]` (WhatsApp) and `entry[].messaging[]` (Messenger and Instagram).
//!
//! The envelope is parsed strictly (a body that is not one is [`WebhookError::Malformed`]); each
//! event inside is parsed on its own, so one event in a shape Redress does not expect is skipped
//! with its reason and never costs the others in the same delivery.

use hmac::{Hmac, Mac};
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::Value;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{
    ChatChannel, ChatIdentity, DeliveryStatus, InboundChatMessage, MAX_EVENTS_PER_DELIVERY, MediaKind, MediaRef,
    MediaSource, Secret, SkipReason, StatusError, StatusUpdate, Watermark, WebhookBatch, WebhookError, clip,
    from_unix_millis, from_unix_seconds,
};

/// The header Meta signs deliveries in: `sha256=` and the hex HMAC-SHA256 of the raw body, keyed
/// with the app secret.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The largest body taken. Meta's deliveries batch up to 1,000 small events; 3 MiB leaves room
/// for that and refuses anything absurd before its signature is even computed.
pub const MAX_BODY_BYTES: usize = 3 * 1024 * 1024;

/// The longest `hub.challenge` echoed. Meta sends a short number; a bound keeps the echo from
/// being used to reflect arbitrary content.
const MAX_CHALLENGE_CHARS: usize = 256;

/// Checks a Meta delivery's signature, parses it, and says what it held.
///
/// `body` must be the raw bytes as received: the signature is over them, not over any
/// re-serialisation.
pub fn receive(headers: &HeaderMap, body: &[u8], app_secret: &Secret) -> Result<WebhookBatch, WebhookError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(WebhookError::TooLarge { size: body.len(), limit: MAX_BODY_BYTES });
    }
    verify_signature(headers, body, app_secret)?;
    parse(body)
}

/// Checks `X-Hub-Signature-256` against the body, in constant time.
pub fn verify_signature(headers: &HeaderMap, body: &[u8], app_secret: &Secret) -> Result<(), WebhookError> {
    let missing = WebhookError::MissingSignature { header: "X-Hub-Signature-256" };
    let bad = WebhookError::BadSignature { header: "X-Hub-Signature-256" };
    let value = headers.get(SIGNATURE_HEADER).ok_or(missing)?;
    let value = value.to_str().map_err(|_| bad.clone())?.trim();
    let hex_digest = value.strip_prefix("sha256=").ok_or(bad.clone())?;
    let given = hex::decode(hex_digest).map_err(|_| bad.clone())?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(app_secret.expose().as_bytes()).map_err(|_| bad.clone())?;
    mac.update(body);
    // `verify_slice` compares in constant time, so the answer's timing says nothing about how
    // much of a forged signature was right.
    mac.verify_slice(&given).map_err(|_| bad)
}

/// The signature header's value for `body` under `app_secret` (`sha256=<hex>`), as Meta computes
/// it: what the fake signs its deliveries with.
pub fn signature(body: &[u8], app_secret: &Secret) -> String {
    let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(app_secret.expose().as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot run.
        Err(_) => return String::new(),
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The query of Meta's subscription check: `GET <callback>?hub.mode=subscribe&hub.verify_token=…
/// &hub.challenge=…`. Deserialize it from the query string (axum's `Query` does).
#[derive(Clone, Default, Deserialize)]
pub struct SubscriptionQuery {
    /// `subscribe`.
    #[serde(rename = "hub.mode")]
    pub mode: Option<String>,
    /// The verify token set in the app's dashboard.
    #[serde(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    /// The value to echo.
    #[serde(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

impl std::fmt::Debug for SubscriptionQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubscriptionQuery")
            .field("mode", &self.mode)
            .field("verify_token", &self.verify_token.as_ref().map(|_| "<redacted>"))
            .field("challenge", &self.challenge)
            .finish()
    }
}

/// Why a subscription check was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    /// `hub.mode` is not `subscribe`: answer 400.
    #[error("hub.mode is not subscribe")]
    NotSubscribe,
    /// The verify token is missing or wrong: answer 403.
    #[error("hub.verify_token does not match")]
    WrongToken,
    /// The challenge is missing, too long, or holds more than letters, digits, `-`, `_` and `.`:
    /// answer 400.
    #[error("hub.challenge is missing or not a plain token")]
    BadChallenge,
}

/// Answers Meta's subscription check: the challenge to echo as the plain-text body of a 200,
/// only when the mode is `subscribe` and the verify token matches (compared in constant time).
pub fn answer_challenge(query: &SubscriptionQuery, verify_token: &Secret) -> Result<String, ChallengeError> {
    if query.mode.as_deref() != Some("subscribe") {
        return Err(ChallengeError::NotSubscribe);
    }
    let given = query.verify_token.as_deref().ok_or(ChallengeError::WrongToken)?;
    if !bool::from(given.as_bytes().ct_eq(verify_token.expose().as_bytes())) {
        return Err(ChallengeError::WrongToken);
    }
    let challenge = query.challenge.as_deref().ok_or(ChallengeError::BadChallenge)?;
    let plain = challenge.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if challenge.is_empty() || challenge.len() > MAX_CHALLENGE_CHARS || !plain {
        return Err(ChallengeError::BadChallenge);
    }
    Ok(challenge.to_owned())
}

/// Parses a Meta delivery without checking its signature (use [`receive`] for deliveries from the
/// network; this is for bodies already verified, and for tests).
pub fn parse(body: &[u8]) -> Result<WebhookBatch, WebhookError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| malformed(&e.to_string()))?;
    let mut batch = WebhookBatch::default();
    let mut events = Counter(0);
    match envelope.object.as_str() {
        "whatsapp_business_account" => {
            for entry in &envelope.entry {
                whatsapp_entry(entry, &mut batch, &mut events)?;
            }
        }
        "page" => {
            for entry in &envelope.entry {
                messaging_entry(ChatChannel::Messenger, entry, &mut batch, &mut events)?;
            }
        }
        "instagram" => {
            for entry in &envelope.entry {
                messaging_entry(ChatChannel::Instagram, entry, &mut batch, &mut events)?;
            }
        }
        // Another object the app is subscribed to (`user`, `permissions`…): signed and valid,
        // just not Redress's business; a refusal would only bring it back.
        other => batch.skip(None, None, SkipReason::Irrelevant(format!("object {}", clip(other)))),
    }
    Ok(batch)
}

fn malformed(detail: &str) -> WebhookError {
    WebhookError::Malformed { provider: "Meta", detail: clip(detail) }
}

/// Counts events across a delivery, refusing it whole past the limit.
struct Counter(usize);

impl Counter {
    fn add(&mut self, n: usize) -> Result<(), WebhookError> {
        self.0 = self.0.saturating_add(n);
        if self.0 > MAX_EVENTS_PER_DELIVERY {
            return Err(WebhookError::TooManyEvents { limit: MAX_EVENTS_PER_DELIVERY });
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Envelope {
    object: String,
    entry: Vec<Value>,
}

/// A string Meta sometimes sends as a number (ids, timestamps): kept as the text it would be.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Flex(String);

impl<'de> Deserialize<'de> for Flex {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Int(i64),
            Unsigned(u64),
        }
        Ok(Flex(match Raw::deserialize(deserializer)? {
            Raw::Text(text) => text,
            Raw::Int(n) => n.to_string(),
            Raw::Unsigned(n) => n.to_string(),
        }))
    }
}

impl Flex {
    fn number(&self) -> Option<i64> {
        self.0.trim().parse().ok()
    }
}

// ---- WhatsApp: entry[].changes[].value ----

#[derive(Deserialize)]
struct WaEntry {
    #[serde(default)]
    changes: Vec<Value>,
}

#[derive(Deserialize)]
struct WaChange {
    field: String,
    #[serde(default)]
    value: Value,
}

#[derive(Deserialize)]
struct WaValue {
    metadata: Option<WaMetadata>,
    #[serde(default)]
    contacts: Vec<Value>,
    #[serde(default)]
    messages: Vec<Value>,
    #[serde(default)]
    statuses: Vec<Value>,
}

#[derive(Deserialize)]
struct WaMetadata {
    phone_number_id: Flex,
}

#[derive(Deserialize)]
struct WaContact {
    wa_id: Option<Flex>,
    profile: Option<WaProfile>,
}

#[derive(Deserialize)]
struct WaProfile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct WaMessage {
    from: Flex,
    id: String,
    timestamp: Flex,
    #[serde(rename = "type")]
    kind: String,
    text: Option<WaText>,
    image: Option<WaMedia>,
    video: Option<WaMedia>,
    audio: Option<WaMedia>,
    document: Option<WaMedia>,
    sticker: Option<WaMedia>,
    context: Option<WaContext>,
    button: Option<WaButton>,
    interactive: Option<WaInteractive>,
}

#[derive(Deserialize)]
struct WaText {
    body: String,
}

#[derive(Deserialize)]
struct WaMedia {
    id: Flex,
    mime_type: Option<String>,
    sha256: Option<String>,
    caption: Option<String>,
    filename: Option<String>,
}

#[derive(Deserialize)]
struct WaContext {
    id: Option<String>,
}

#[derive(Deserialize)]
struct WaButton {
    text: Option<String>,
}

#[derive(Deserialize)]
struct WaInteractive {
    button_reply: Option<WaTitled>,
    list_reply: Option<WaTitled>,
}

#[derive(Deserialize)]
struct WaTitled {
    title: Option<String>,
}

#[derive(Deserialize)]
struct WaStatus {
    id: String,
    status: String,
    timestamp: Flex,
    recipient_id: Option<Flex>,
    biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    errors: Vec<WaError>,
}

#[derive(Deserialize)]
struct WaError {
    code: Option<i64>,
    title: Option<String>,
    message: Option<String>,
    error_data: Option<WaErrorData>,
}

#[derive(Deserialize)]
struct WaErrorData {
    details: Option<String>,
}

fn whatsapp_entry(entry: &Value, batch: &mut WebhookBatch, events: &mut Counter) -> Result<(), WebhookError> {
    const CHANNEL: ChatChannel = ChatChannel::WhatsApp;
    let entry = WaEntry::deserialize(entry).map_err(|e| malformed(&format!("entry: {e}")))?;
    // Every change counts as at least one event, so a delivery of empty or broken changes is
    // bounded like one of messages.
    for change in &entry.changes {
        let change = match WaChange::deserialize(change) {
            Ok(change) => change,
            Err(e) => {
                events.add(1)?;
                batch.skip(CHANNEL, None, SkipReason::Malformed(clip(&format!("change: {e}"))));
                continue;
            }
        };
        if change.field != "messages" {
            events.add(1)?;
            batch.skip(CHANNEL, None, SkipReason::Irrelevant(clip(&change.field)));
            continue;
        }
        let value = match WaValue::deserialize(&change.value) {
            Ok(value) => value,
            Err(e) => {
                events.add(1)?;
                batch.skip(CHANNEL, None, SkipReason::Malformed(clip(&format!("value: {e}"))));
                continue;
            }
        };
        events.add((value.messages.len() + value.statuses.len()).max(1))?;
        let Some(metadata) = value.metadata else {
            let count = value.messages.len() + value.statuses.len();
            let reason = format!("{count} events in a value without metadata.phone_number_id");
            batch.skip(CHANNEL, None, SkipReason::Malformed(reason));
            continue;
        };
        let account = metadata.phone_number_id.0;
        let contacts: Vec<WaContact> = value.contacts.iter().filter_map(|c| WaContact::deserialize(c).ok()).collect();
        for message in &value.messages {
            whatsapp_message(&account, &contacts, message, batch);
        }
        for status in &value.statuses {
            whatsapp_status(&account, status, batch);
        }
    }
    Ok(())
}

fn whatsapp_message(account: &str, contacts: &[WaContact], raw: &Value, batch: &mut WebhookBatch) {
    const CHANNEL: ChatChannel = ChatChannel::WhatsApp;
    let raw_id = raw.get("id").and_then(Value::as_str).map(clip);
    let message = match WaMessage::deserialize(raw) {
        Ok(message) => message,
        Err(e) => return batch.skip(CHANNEL, raw_id, SkipReason::Malformed(clip(&format!("message: {e}")))),
    };
    if message.id.is_empty() || message.from.0.is_empty() || account.is_empty() {
        return batch.skip(CHANNEL, raw_id, SkipReason::Malformed("an empty id, sender or account".into()));
    }
    let Some(sent_at) = message.timestamp.number().and_then(from_unix_seconds) else {
        return batch.skip(CHANNEL, raw_id, SkipReason::Malformed("message timestamp".into()));
    };
    let media_of = |kind: MediaKind, media: &WaMedia| MediaRef {
        kind,
        source: MediaSource::ProviderId(media.id.0.clone()),
        mime_type: media.mime_type.clone(),
        sha256: media.sha256.clone(),
        file_name: media.filename.clone(),
        size: None,
    };
    let (text, media) = match message.kind.as_str() {
        "text" => (message.text.as_ref().map(|t| t.body.clone()), None),
        "image" => (None, message.image.as_ref().map(|m| (MediaKind::Image, m))),
        "video" => (None, message.video.as_ref().map(|m| (MediaKind::Video, m))),
        "audio" => (None, message.audio.as_ref().map(|m| (MediaKind::Audio, m))),
        "document" => (None, message.document.as_ref().map(|m| (MediaKind::Document, m))),
        "sticker" => (None, message.sticker.as_ref().map(|m| (MediaKind::Sticker, m))),
        // A tap on a template's quick-reply button, or on an interactive message's button or
        // list row: what the customer chose is its text.
        "button" => (message.button.as_ref().and_then(|b| b.text.clone()), None),
        "interactive" => (
            message.interactive.as_ref().and_then(|i| {
                i.button_reply.as_ref().or(i.list_reply.as_ref()).and_then(|choice| choice.title.clone())
            }),
            None,
        ),
        other => {
            return batch.skip(CHANNEL, Some(clip(&message.id)), SkipReason::UnsupportedMessage(clip(other)));
        }
    };
    let caption = media.and_then(|(_, m)| m.caption.clone());
    let text = text.or(caption).filter(|t| !t.trim().is_empty());
    let media: Vec<MediaRef> = media.map(|(kind, m)| media_of(kind, m)).into_iter().collect();
    if text.is_none() && media.is_empty() {
        return batch.skip(CHANNEL, Some(clip(&message.id)), SkipReason::Empty);
    }
    let from = message.from.0;
    let display_name = contacts
        .iter()
        .find(|c| c.wa_id.as_ref().is_some_and(|id| id.0 == from))
        .and_then(|c| c.profile.as_ref())
        .and_then(|p| p.name.clone());
    // A WhatsApp id is the phone number's digits; said with a `+`, it is E.164.
    let phone = (!from.is_empty() && from.chars().all(|c| c.is_ascii_digit())).then(|| format!("+{from}"));
    batch.messages.push(InboundChatMessage {
        channel: CHANNEL,
        account_id: account.to_owned(),
        provider_message_id: message.id,
        sender: ChatIdentity { user_id: from.clone(), phone, display_name, username: None, language: None },
        conversation_id: from,
        text,
        media,
        sent_at,
        reply_to: message.context.and_then(|c| c.id),
    });
}

fn whatsapp_status(account: &str, raw: &Value, batch: &mut WebhookBatch) {
    const CHANNEL: ChatChannel = ChatChannel::WhatsApp;
    let raw_id = raw.get("id").and_then(Value::as_str).map(clip);
    let status = match WaStatus::deserialize(raw) {
        Ok(status) => status,
        Err(e) => return batch.skip(CHANNEL, raw_id, SkipReason::Malformed(clip(&format!("status: {e}")))),
    };
    if status.id.is_empty() {
        return batch.skip(CHANNEL, None, SkipReason::Malformed("a status without a message id".into()));
    }
    let delivery = match status.status.as_str() {
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "read" => DeliveryStatus::Read,
        "failed" => DeliveryStatus::Failed,
        other => return batch.skip(CHANNEL, raw_id, SkipReason::UnknownStatus(clip(other))),
    };
    let Some(at) = status.timestamp.number().and_then(from_unix_seconds) else {
        return batch.skip(CHANNEL, raw_id, SkipReason::Malformed("status timestamp".into()));
    };
    let error = status.errors.into_iter().next().map(|e| StatusError {
        code: e.code,
        title: e.title.or(e.message).unwrap_or_default(),
        details: e.error_data.and_then(|d| d.details),
    });
    batch.statuses.push(StatusUpdate {
        channel: CHANNEL,
        account_id: account.to_owned(),
        provider_message_id: status.id,
        status: delivery,
        at,
        recipient_id: status.recipient_id.map(|r| r.0),
        outbound_id: status.biz_opaque_callback_data,
        error,
    });
}

// ---- Messenger and Instagram: entry[].messaging[] ----

#[derive(Deserialize)]
struct GraphEntry {
    id: Flex,
    #[serde(default)]
    messaging: Vec<Value>,
    #[serde(default)]
    standby: Vec<Value>,
    #[serde(default)]
    changes: Vec<Value>,
}

#[derive(Deserialize)]
struct Messaging {
    sender: Option<GraphId>,
    recipient: Option<GraphId>,
    timestamp: Option<Flex>,
    message: Option<GraphMessage>,
    delivery: Option<GraphDelivery>,
    read: Option<GraphRead>,
}

#[derive(Deserialize)]
struct GraphId {
    id: Flex,
}

#[derive(Deserialize)]
struct GraphMessage {
    mid: String,
    text: Option<String>,
    #[serde(default)]
    attachments: Vec<Value>,
    reply_to: Option<GraphReplyTo>,
    #[serde(default)]
    is_echo: bool,
    metadata: Option<String>,
    #[serde(default)]
    is_deleted: bool,
    #[serde(default)]
    is_unsupported: bool,
}

#[derive(Deserialize)]
struct GraphReplyTo {
    mid: Option<String>,
}

#[derive(Deserialize)]
struct GraphAttachment {
    #[serde(rename = "type")]
    kind: String,
    payload: Option<GraphPayload>,
}

#[derive(Deserialize)]
struct GraphPayload {
    url: Option<String>,
}

#[derive(Deserialize)]
struct GraphDelivery {
    #[serde(default)]
    mids: Vec<String>,
    watermark: Option<Flex>,
}

#[derive(Deserialize)]
struct GraphRead {
    watermark: Option<Flex>,
    mid: Option<String>,
}

fn messaging_entry(
    channel: ChatChannel,
    entry: &Value,
    batch: &mut WebhookBatch,
    events: &mut Counter,
) -> Result<(), WebhookError> {
    let entry = GraphEntry::deserialize(entry).map_err(|e| malformed(&format!("entry: {e}")))?;
    events.add(entry.messaging.len() + entry.standby.len() + entry.changes.len())?;
    // `standby` carries conversations another app owns under the handover protocol, and
    // `changes` carries feed and comment events: neither is a message to this desk.
    for _ in &entry.standby {
        batch.skip(channel, None, SkipReason::Irrelevant("standby".into()));
    }
    for _ in &entry.changes {
        batch.skip(channel, None, SkipReason::Irrelevant("changes".into()));
    }
    for event in &entry.messaging {
        messaging_event(channel, &entry.id.0, event, batch);
    }
    Ok(())
}

fn messaging_event(channel: ChatChannel, account: &str, raw: &Value, batch: &mut WebhookBatch) {
    let event = match Messaging::deserialize(raw) {
        Ok(event) => event,
        Err(e) => {
            let mid = raw.pointer("/message/mid").and_then(Value::as_str).map(clip);
            return batch.skip(channel, mid, SkipReason::Malformed(clip(&format!("messaging: {e}"))));
        }
    };
    let stamp = event.timestamp.as_ref().and_then(Flex::number).and_then(from_unix_millis);
    let (Some(sender), Some(recipient)) = (event.sender, event.recipient) else {
        return batch.skip(channel, None, SkipReason::Malformed("messaging without sender or recipient".into()));
    };
    if sender.id.0.is_empty() || recipient.id.0.is_empty() || account.is_empty() {
        return batch.skip(channel, None, SkipReason::Malformed("an empty sender, recipient or account".into()));
    }
    if let Some(message) = event.message {
        let Some(at) = stamp else {
            return batch.skip(channel, Some(clip(&message.mid)), SkipReason::Malformed("message timestamp".into()));
        };
        return messaging_message(channel, account, sender.id.0, recipient.id.0, at, message, batch);
    }
    // Receipts: Meta's delivery example has no `timestamp`, only the watermark, which then
    // stands for when.
    let receipt_time =
        |watermark: Option<&Flex>| stamp.or_else(|| watermark.and_then(Flex::number).and_then(from_unix_millis));
    if let Some(delivery) = event.delivery {
        let Some(at) = receipt_time(delivery.watermark.as_ref()) else {
            return batch.skip(channel, None, SkipReason::Malformed("a delivery without a time".into()));
        };
        // Per-message receipts when given, and the watermark, which Meta always sends.
        for mid in delivery.mids.into_iter().filter(|mid| !mid.is_empty()) {
            batch.statuses.push(StatusUpdate {
                channel,
                account_id: account.to_owned(),
                provider_message_id: mid,
                status: DeliveryStatus::Delivered,
                at,
                recipient_id: Some(sender.id.0.clone()),
                outbound_id: None,
                error: None,
            });
        }
        if let Some(up_to) = delivery.watermark.as_ref().and_then(Flex::number).and_then(from_unix_millis) {
            batch.watermarks.push(Watermark {
                channel,
                account_id: account.to_owned(),
                customer_id: sender.id.0,
                status: DeliveryStatus::Delivered,
                up_to,
            });
        }
        return;
    }
    if let Some(read) = event.read {
        let Some(at) = receipt_time(read.watermark.as_ref()) else {
            return batch.skip(channel, None, SkipReason::Malformed("a read receipt without a time".into()));
        };
        // Instagram names the message read; Messenger gives a watermark.
        if let Some(mid) = read.mid.filter(|mid| !mid.is_empty()) {
            batch.statuses.push(StatusUpdate {
                channel,
                account_id: account.to_owned(),
                provider_message_id: mid,
                status: DeliveryStatus::Read,
                at,
                recipient_id: Some(sender.id.0.clone()),
                outbound_id: None,
                error: None,
            });
        }
        if let Some(up_to) = read.watermark.as_ref().and_then(Flex::number).and_then(from_unix_millis) {
            batch.watermarks.push(Watermark {
                channel,
                account_id: account.to_owned(),
                customer_id: sender.id.0,
                status: DeliveryStatus::Read,
                up_to,
            });
        }
        return;
    }
    let kind = raw
        .as_object()
        .and_then(|fields| fields.keys().find(|k| !matches!(k.as_str(), "sender" | "recipient" | "timestamp")))
        .map_or_else(|| "empty event".to_owned(), |k| clip(k));
    batch.skip(channel, None, SkipReason::Irrelevant(kind));
}

fn messaging_message(
    channel: ChatChannel,
    account: &str,
    sender: String,
    recipient: String,
    at: time::OffsetDateTime,
    message: GraphMessage,
    batch: &mut WebhookBatch,
) {
    if message.mid.is_empty() {
        return batch.skip(channel, None, SkipReason::Malformed("a message without a mid".into()));
    }
    if message.is_echo {
        // A copy of what the Page sent. With Redress's outbound id in `metadata` it confirms a
        // send (the outbox's reconciliation); without, someone wrote from Meta's own inbox.
        match message.metadata {
            Some(outbound_id) if !outbound_id.is_empty() => batch.statuses.push(StatusUpdate {
                channel,
                account_id: account.to_owned(),
                provider_message_id: message.mid,
                status: DeliveryStatus::Sent,
                at,
                recipient_id: Some(recipient),
                outbound_id: Some(outbound_id),
                error: None,
            }),
            _ => batch.skip(channel, Some(clip(&message.mid)), SkipReason::Echo),
        }
        return;
    }
    if message.is_deleted {
        return batch.skip(channel, Some(clip(&message.mid)), SkipReason::Irrelevant("deleted".into()));
    }
    if message.is_unsupported {
        return batch.skip(channel, Some(clip(&message.mid)), SkipReason::UnsupportedMessage("unsupported".into()));
    }
    let media: Vec<MediaRef> = message
        .attachments
        .iter()
        .filter_map(|a| GraphAttachment::deserialize(a).ok())
        .filter_map(|a| {
            let kind = match a.kind.as_str() {
                "image" => MediaKind::Image,
                "video" => MediaKind::Video,
                "audio" => MediaKind::Audio,
                "file" => MediaKind::Document,
                "sticker" => MediaKind::Sticker,
                // Shares, story mentions, templates, fallbacks, locations: not files.
                _ => return None,
            };
            let url = a.payload?.url?;
            Some(MediaRef {
                kind,
                source: MediaSource::Url(url),
                mime_type: None,
                sha256: None,
                file_name: None,
                size: None,
            })
        })
        .collect();
    let text = message.text.filter(|t| !t.trim().is_empty());
    if text.is_none() && media.is_empty() {
        let reason = if message.attachments.is_empty() {
            SkipReason::Empty
        } else {
            let kind = message.attachments.first().and_then(|a| a.get("type")).and_then(Value::as_str);
            SkipReason::UnsupportedMessage(clip(kind.unwrap_or("attachment")))
        };
        return batch.skip(channel, Some(clip(&message.mid)), reason);
    }
    batch.messages.push(InboundChatMessage {
        channel,
        account_id: account.to_owned(),
        provider_message_id: message.mid,
        sender: ChatIdentity {
            user_id: sender.clone(),
            phone: None,
            display_name: None,
            username: None,
            language: None,
        },
        conversation_id: sender,
        text,
        media,
        sent_at: at,
        reply_to: message.reply_to.and_then(|r| r.mid),
    });
}
