//! Messaging apps: customers write to a shop on WhatsApp, Facebook Messenger, Instagram or
//! Telegram, and the shop answers there. This module is the wire edge only; it knows nothing of
//! cases, storage or HTTP routes, and reads no clock.
//!
//! # Receiving
//!
//! A provider POSTs a webhook; the caller hands the headers and the *raw* body bytes to
//! [`meta::receive`] (WhatsApp, Messenger and Instagram share Meta's Graph webhook family and its
//! `X-Hub-Signature-256` header) or [`telegram::receive`] (the `X-Telegram-Bot-Api-Secret-Token`
//! header). Both check the size, then the signature, then parse into a [`WebhookBatch`] of
//! [`InboundChatMessage`]s and [`StatusUpdate`]s in one provider-neutral model.
//!
//! - A refused signature is [`WebhookError::is_unauthenticated`]: answer 401 and store nothing.
//! - A body that is not the provider's envelope is [`WebhookError::Malformed`]: answer 400.
//! - Anything else is answered 200, *after* the batch is stored: providers redeliver on any
//!   other answer, and a delivery acknowledged before it is durable is lost on a crash. Events
//!   Redress does not use (reactions, postbacks, edits, group chats…) land in
//!   [`WebhookBatch::skipped`] with the reason, for the log; they are not errors, because a
//!   provider would redeliver them forever.
//! - Providers deliver at least once (Meta and Telegram both retry until they get a 2xx), so the
//!   same message can arrive twice, even in two concurrent requests. The caller drops repeats by
//!   [`InboundChatMessage::dedup_key`] under a unique constraint, in the same transaction that
//!   stores the message.
//!
//! Meta's subscription check (a GET with `hub.mode=subscribe`, `hub.verify_token` and
//! `hub.challenge`) is answered by [`meta::answer_challenge`].
//!
//! Routing to a store: Meta signs with the app's secret, so one Redress deployment registered as
//! one Meta app verifies every delivery with one secret and then finds the store by
//! [`InboundChatMessage::account_id`] (the shop's WhatsApp phone number id, Page id or Instagram
//! account id). Telegram's updates do not name the bot, so each shop's bot gets its own webhook
//! URL (set with [`telegram::TelegramSender::set_webhook`]) and its own secret token, and the
//! caller passes the bot's id in.
//!
//! # Sending
//!
//! A [`send::ChatSender`] per provider ([`whatsapp::WhatsAppSender`],
//! [`messenger::GraphMessagingSender`] for Messenger and Instagram, [`telegram::TelegramSender`])
//! sends one [`send::OutboundChat`] and answers with the provider's message id or a
//! [`send::ChatApiError`] that says whether trying again can help. The base URL is configurable so
//! the tests talk to [`fake`], a local fake of the three APIs.
//!
//! Exactly once: none of these APIs takes an idempotency key, so a request that timed out may
//! have been delivered. The caller's outbox writes the outbound message (with its own id) in the
//! same transaction as the case change, sends it with that id in the provider's correlation
//! field (WhatsApp's `biz_opaque_callback_data`, the Send API's `metadata`), and records the
//! provider's message id on success. After an ambiguous failure
//! ([`send::ChatApiError::may_have_been_sent`]) it waits for the provider's status or echo
//! webhook, which carries the outbound id back ([`StatusUpdate::outbound_id`]), before deciding
//! to send again; Telegram offers neither, so there the caller chooses between a rare duplicate
//! and a rare loss, and should choose the duplicate.
//!
//! # The customer-service window
//!
//! WhatsApp lets a business send free-form text only within 24 hours of the customer's last
//! message, and approved templates after that; Messenger and Instagram allow 24 hours, then 7
//! days with the `HUMAN_AGENT` tag for apps granted it. [`window::reply_allowance`] decides, from
//! the last inbound time and a `now` the caller passes.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[cfg(any(test, feature = "fake"))]
pub mod fake;
mod graph;
pub mod messenger;
pub mod meta;
pub mod send;
pub mod telegram;
pub mod whatsapp;
pub mod window;

pub use graph::{GRAPH_API_URL, GRAPH_API_VERSION};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

/// A messaging app Redress speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ChatChannel {
    /// WhatsApp Business, through Meta's Cloud API.
    #[serde(rename = "whatsapp")]
    WhatsApp,
    /// Facebook Messenger, through a Facebook Page.
    #[serde(rename = "messenger")]
    Messenger,
    /// Instagram Direct, through an Instagram professional account.
    #[serde(rename = "instagram")]
    Instagram,
    /// Telegram, through a bot.
    #[serde(rename = "telegram")]
    Telegram,
}

impl ChatChannel {
    /// The stable lower-case name stored and shown (`whatsapp`, `messenger`, `instagram`,
    /// `telegram`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChatChannel::WhatsApp => "whatsapp",
            ChatChannel::Messenger => "messenger",
            ChatChannel::Instagram => "instagram",
            ChatChannel::Telegram => "telegram",
        }
    }

    /// The longest text one message may carry, as each provider documents it; the caller splits
    /// longer replies.
    pub fn text_limit(self) -> TextLimit {
        match self {
            ChatChannel::WhatsApp | ChatChannel::Telegram => TextLimit::Characters(4096),
            ChatChannel::Messenger => TextLimit::Characters(2000),
            // Instagram counts UTF-8 bytes, so a reply in Indonesian fits more than one full of
            // emoji.
            ChatChannel::Instagram => TextLimit::Utf8Bytes(1000),
        }
    }
}

/// How long a message's text may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextLimit {
    /// At most this many characters (Unicode scalar values).
    Characters(usize),
    /// At most this many bytes of UTF-8.
    Utf8Bytes(usize),
}

impl TextLimit {
    /// True when `text` is within the limit.
    pub fn fits(self, text: &str) -> bool {
        match self {
            TextLimit::Characters(max) => text.chars().nth(max).is_none(),
            TextLimit::Utf8Bytes(max) => text.len() <= max,
        }
    }

    /// `text` cut into messages within the limit, in order: each cut at the last paragraph
    /// break, else line break, else space, in the second half of what fits (so no part is
    /// tiny), else wherever the limit falls, on a character boundary. Empty text gives none.
    pub fn split(self, text: &str) -> Vec<String> {
        let mut parts = Vec::new();
        let mut rest = text.trim();
        while !rest.is_empty() {
            if self.fits(rest) {
                parts.push(rest.to_owned());
                break;
            }
            // The longest prefix within the limit, ending on a character boundary.
            let fitting = match self {
                TextLimit::Characters(max) => rest.char_indices().nth(max).map_or(rest.len(), |(at, _)| at),
                TextLimit::Utf8Bytes(max) => {
                    (0..=max.min(rest.len())).rev().find(|&at| rest.is_char_boundary(at)).unwrap_or(0)
                }
            };
            let head = &rest[..fitting];
            let cut = ["\n\n", "\n", " "]
                .iter()
                .find_map(|gap| head.rfind(gap).filter(|&at| at >= fitting / 2))
                .unwrap_or(fitting)
                .max(head.chars().next().map_or(1, char::len_utf8));
            parts.push(rest[..cut].trim_end().to_owned());
            rest = rest[cut..].trim_start();
        }
        parts
    }
}

impl fmt::Display for ChatChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret (an app secret, a verify token, an access token, a bot token). Its `Debug` never
/// shows the value, so a configuration can be logged whole.
#[derive(Clone)]
pub struct Secret(Box<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().into_boxed_str())
    }

    /// The value, for signing or for an `Authorization` header; never for a log line.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Who wrote, as the provider identifies them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatIdentity {
    /// The provider's stable id for the person: the WhatsApp id (`wa_id`, the phone number's
    /// digits), the Page-scoped id (PSID) on Messenger, the Instagram-scoped id (IGSID), the
    /// Telegram user id. Scoped to the shop's account on Messenger and Instagram.
    pub user_id: String,
    /// The phone number in E.164 (`+` and digits), on WhatsApp.
    pub phone: Option<String>,
    /// The name the person shows, when the provider gives one.
    pub display_name: Option<String>,
    /// A handle (`@username` on Telegram, without the `@`), when given.
    pub username: Option<String>,
    /// The language the person's app is set to (an IETF tag such as `pt-br`), when given
    /// (Telegram gives it).
    pub language: Option<String>,
}

/// What sort of file a customer attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A photo.
    Image,
    /// A video.
    Video,
    /// An audio file or a voice note.
    Audio,
    /// Any other file (a PDF invoice, a receipt).
    Document,
    /// A sticker.
    Sticker,
}

/// Where a customer's file can be fetched from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MediaSource {
    /// An id to resolve through the provider's API with the account's token: a WhatsApp media
    /// id, a Telegram `file_id`.
    ProviderId(String),
    /// A URL to fetch as it is (Messenger and Instagram attachments are on Meta's CDN).
    Url(String),
}

/// A customer's attachment, not yet fetched: [`send::ChatSender::fetch_media`] fetches it. Fetch
/// soon: WhatsApp media ids and Meta CDN URLs expire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRef {
    /// What it is.
    pub kind: MediaKind,
    /// Where to fetch it.
    pub source: MediaSource,
    /// Its MIME type, when the provider says.
    pub mime_type: Option<String>,
    /// The hex SHA-256 of its bytes, when the provider says (WhatsApp does; the fetch checks it).
    pub sha256: Option<String>,
    /// Its file name, for documents.
    pub file_name: Option<String>,
    /// Its size in bytes, when the provider says.
    pub size: Option<u64>,
}

/// A message a customer sent to a shop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundChatMessage {
    /// Where it came from.
    pub channel: ChatChannel,
    /// The shop's account it was sent to: the WhatsApp phone number id, the Facebook Page id, the
    /// Instagram account id, the Telegram bot id. The caller finds the store by it.
    pub account_id: String,
    /// The provider's id of the message (`wamid.…`, `mid.…`; `<chat id>:<message id>` on
    /// Telegram, whose message ids are unique only within a chat). Stable across redeliveries.
    pub provider_message_id: String,
    /// Who wrote.
    pub sender: ChatIdentity,
    /// The address replies go to: the WhatsApp id, the PSID or IGSID, the Telegram chat id.
    pub conversation_id: String,
    /// The text, or the caption of the attached media.
    pub text: Option<String>,
    /// Attached files to fetch.
    pub media: Vec<MediaRef>,
    /// When the customer sent it, by the provider's clock.
    pub sent_at: OffsetDateTime,
    /// The provider's id of the message this one answers, when the customer replied to one (in
    /// the same form as [`InboundChatMessage::provider_message_id`]).
    pub reply_to: Option<String>,
}

impl InboundChatMessage {
    /// The key to drop redeliveries by: channel, account and the provider's message id.
    pub fn dedup_key(&self) -> String {
        format!("{}:{}:{}", self.channel, self.account_id, self.provider_message_id)
    }
}

/// Where a message the shop sent stands, as the provider reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// The provider accepted it and sent it on.
    Sent,
    /// It reached the customer's device.
    Delivered,
    /// The customer opened it.
    Read,
    /// It could not be delivered; see the error.
    Failed,
}

/// Why a provider could not deliver a message, as its status webhook says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusError {
    /// The provider's error code (WhatsApp's `131026`, `131047`…), when given.
    pub code: Option<i64>,
    /// The provider's short description.
    pub title: String,
    /// More detail, when given.
    pub details: Option<String>,
}

/// A change in the status of a message the shop sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusUpdate {
    /// The channel.
    pub channel: ChatChannel,
    /// The shop's account (as in [`InboundChatMessage::account_id`]).
    pub account_id: String,
    /// The provider's id of the message the shop sent.
    pub provider_message_id: String,
    /// The new status. Statuses can arrive out of order (a `read` before its `delivered`), so
    /// the caller keeps the furthest (`DeliveryStatus` is ordered) and never moves back.
    pub status: DeliveryStatus,
    /// When, by the provider's clock.
    pub at: OffsetDateTime,
    /// The customer it was sent to, when given.
    pub recipient_id: Option<String>,
    /// The caller's outbound message id, carried back from the send (WhatsApp's
    /// `biz_opaque_callback_data`, the Send API's `metadata` on an echo): how an outbox that
    /// crashed before recording the provider's id finds out its message was sent.
    pub outbound_id: Option<String>,
    /// Why it failed, for [`DeliveryStatus::Failed`].
    pub error: Option<StatusError>,
}

/// "Everything the shop sent before this moment was delivered (or read)": Messenger reports
/// deliveries and reads as a watermark, without message ids.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watermark {
    /// The channel.
    pub channel: ChatChannel,
    /// The shop's account.
    pub account_id: String,
    /// The customer whose device reports it.
    pub customer_id: String,
    /// [`DeliveryStatus::Delivered`] or [`DeliveryStatus::Read`].
    pub status: DeliveryStatus,
    /// Messages sent at or before this time have that status.
    pub up_to: OffsetDateTime,
}

/// Why an event in a delivery was passed over. Kept so the caller can log it; none is an error,
/// since the provider would only deliver it again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// An event of a kind Redress does not use (a reaction, a postback, an edit, an account
    /// update, a Telegram callback query…), named by its type.
    Irrelevant(String),
    /// A message of a type Redress does not read (a location, a contact card, a poll…).
    UnsupportedMessage(String),
    /// A copy of a message the shop itself sent, without an outbound id Redress set.
    Echo,
    /// A message without text or attachments.
    Empty,
    /// A Telegram message in a group or channel rather than a private chat, or from a bot.
    NotAPrivateChat,
    /// A status Redress does not track (WhatsApp's `deleted`, `played`…).
    UnknownStatus(String),
    /// The event lacked a field the provider documents, or held it in another shape.
    Malformed(String),
}

/// An event passed over, with where it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The channel, when the event named one (a delivery for another Meta object does not).
    pub channel: Option<ChatChannel>,
    /// The provider's message id, when there was one.
    pub provider_message_id: Option<String>,
    /// Why.
    pub reason: SkipReason,
}

/// What one webhook delivery said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookBatch {
    /// Customers' messages, in the order delivered.
    pub messages: Vec<InboundChatMessage>,
    /// Status changes of messages the shop sent.
    pub statuses: Vec<StatusUpdate>,
    /// Delivery and read watermarks (Messenger).
    pub watermarks: Vec<Watermark>,
    /// Events passed over, with why.
    pub skipped: Vec<Skipped>,
}

impl WebhookBatch {
    fn skip(
        &mut self,
        channel: impl Into<Option<ChatChannel>>,
        provider_message_id: Option<String>,
        reason: SkipReason,
    ) {
        self.skipped.push(Skipped { channel: channel.into(), provider_message_id, reason });
    }
}

/// Why a webhook delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is over the limit: answer 413.
    #[error("the webhook body is {size} bytes, over the limit of {limit}")]
    TooLarge {
        /// The body's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The signature (or secret token) header is absent: answer 401.
    #[error("the {header} header is missing")]
    MissingSignature {
        /// The header expected.
        header: &'static str,
    },
    /// The signature does not match the body, or the secret token is wrong: answer 401.
    #[error("the {header} header does not match")]
    BadSignature {
        /// The header checked.
        header: &'static str,
    },
    /// The body is not the provider's envelope (not JSON, or without its documented fields):
    /// answer 400.
    #[error("the webhook body is not a {provider} delivery: {detail}")]
    Malformed {
        /// Whose envelope was expected.
        provider: &'static str,
        /// What was wrong, for the log.
        detail: String,
    },
    /// The delivery holds more events than Redress takes in one request: answer 413.
    #[error("the delivery holds more than {limit} events")]
    TooManyEvents {
        /// The limit.
        limit: usize,
    },
}

impl WebhookError {
    /// True when the sender could not prove it is the provider (answer 401, store nothing).
    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, WebhookError::MissingSignature { .. } | WebhookError::BadSignature { .. })
    }
}

/// The most events Redress takes from one delivery: messages, statuses, messaging events, and
/// changes or entries holding none (each counts once, so a flood of empty ones is bounded too).
/// Meta batches at most 1,000 updates in one delivery; a larger one is refused whole rather than
/// cut, so nothing is dropped silently.
pub const MAX_EVENTS_PER_DELIVERY: usize = 1000;

/// Shortens provider-supplied text kept in errors and skip reasons, so a hostile body cannot
/// make log lines large.
fn clip(text: &str) -> String {
    const MAX: usize = 200;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// A Unix time in seconds, as the providers send it, as a time.
fn from_unix_seconds(seconds: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

/// A Unix time in milliseconds (Messenger), as a time.
fn from_unix_millis(millis: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()
}
