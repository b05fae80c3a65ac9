//! Sending to customers: the [`ChatSender`] interface every provider implements, the message and
//! error types it speaks, and [`send_with_retries`] for rate limits and passing outages.
//!
//! # What each provider offers for exactly-once
//!
//! | Provider | Idempotency key | Carries the caller's id back | Where |
//! |---|---|---|---|
//! | WhatsApp Cloud API | none | `biz_opaque_callback_data` | every status webhook |
//! | Messenger / Instagram Send API | none | `metadata` | the `message_echoes` webhook |
//! | Telegram Bot API | none | nothing | — |
//!
//! So exactly-once is the caller's: (1) write the outbound message, with its id, in the same
//! transaction as the case change (the outbox); (2) send with that id as
//! [`OutboundChat::outbound_id`]; (3) record the provider's message id from [`SentChat`] and mark
//! it sent; (4) on an error that [`ChatApiError::may_have_been_sent`], do not send again at once:
//! a status or echo webhook naming the outbound id ([`super::StatusUpdate::outbound_id`]) settles
//! it as sent; only when none came in a while (minutes) send again, accepting a rare duplicate
//! over a lost reply. Errors that are [`ChatApiError::is_retryable`] and not ambiguous are
//! certain not to have been delivered and are retried with backoff; the rest are permanent and
//! dead-lettered with their reason.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use super::{ChatChannel, MediaRef, clip};

/// The longest outbound id taken: it travels in the providers' correlation fields, the shortest
/// of which (WhatsApp's `biz_opaque_callback_data`) holds 512 characters.
pub const MAX_OUTBOUND_ID_CHARS: usize = 256;

/// The largest answer read from a provider's API (JSON answers are a few hundred bytes).
pub(crate) const MAX_ANSWER_BYTES: u64 = 1024 * 1024;

/// A message to send to a customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundChat {
    /// The caller's id of this outbound message (its outbox row): sent in the provider's
    /// correlation field so status webhooks can name it.
    pub outbound_id: String,
    /// Where to: the customer's WhatsApp id, PSID or IGSID, or Telegram chat id (an inbound
    /// message's [`super::InboundChatMessage::conversation_id`]).
    pub to: String,
    /// What to send.
    pub body: OutboundBody,
    /// The provider's id of a customer message this one answers, shown quoted where the
    /// provider supports it (WhatsApp, Telegram); ignored on Messenger and Instagram.
    pub reply_to: Option<String>,
}

/// The content of an outbound message; which ones a channel allows at a given moment is
/// [`super::window::reply_allowance`]'s answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboundBody {
    /// Free-form text, inside the customer-service window (any time on Telegram).
    Text(String),
    /// Text with a Messenger/Instagram message tag, after the 24-hour window.
    TaggedText {
        /// The text.
        text: String,
        /// The tag.
        tag: MessageTag,
    },
    /// An approved WhatsApp template, the only thing WhatsApp delivers outside the window.
    Template(Template),
}

/// A Messenger/Instagram message tag: permission to send outside the 24-hour window for one
/// purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageTag {
    /// A person answering a customer's question, within 7 days of the customer's last message;
    /// the app needs Meta's Human Agent permission.
    HumanAgent,
}

impl MessageTag {
    /// The Send API's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageTag::HumanAgent => "HUMAN_AGENT",
        }
    }
}

/// An approved WhatsApp message template and the values for its body's placeholders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// The template's name as approved in WhatsApp Manager.
    pub name: String,
    /// The approved translation's language code (`en_US`, `pt_BR`, `id`…).
    pub language: String,
    /// Values for `{{1}}`, `{{2}}`… in the body, in order.
    pub body_parameters: Vec<String>,
}

/// A provider's acceptance of a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentChat {
    /// The provider's id of the message sent, which its status webhooks name (on Telegram
    /// `<chat id>:<message id>`).
    pub provider_message_id: String,
    /// The customer's id as the provider resolved it, when it says (WhatsApp's `wa_id`).
    pub recipient_id: Option<String>,
}

/// A customer's file, fetched.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchedMedia {
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type, from the provider's metadata or the download's `Content-Type`.
    pub mime_type: Option<String>,
}

impl std::fmt::Debug for FetchedMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchedMedia").field("bytes", &self.bytes.len()).field("mime_type", &self.mime_type).finish()
    }
}

/// Why a call to a provider failed, sorted by what the caller can do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatApiError {
    /// The provider could not be reached (no connection was made): nothing was sent. Retry.
    #[error("the messaging provider could not be reached: {detail}")]
    Unreachable {
        /// What failed.
        detail: String,
    },
    /// The request went out but no answer came (a timeout, a dropped connection): the message
    /// may have been delivered. See the module's note on exactly-once.
    #[error("no answer from the messaging provider: {detail}")]
    NoAnswer {
        /// What failed.
        detail: String,
    },
    /// The provider failed on its side (5xx, or an error it documents as temporary): retry.
    #[error("the messaging provider is unavailable: {detail}")]
    Unavailable {
        /// The provider's message.
        detail: String,
        /// How long the provider asked to wait, when it did.
        retry_after: Option<Duration>,
    },
    /// Too many messages (429, or a rate-limit code): retry after the wait.
    #[error("the messaging provider is rate limiting: {detail}")]
    RateLimited {
        /// The provider's message.
        detail: String,
        /// How long the provider asked to wait, when it did.
        retry_after: Option<Duration>,
    },
    /// Free-form text was refused because the customer-service window is closed: send a
    /// template (WhatsApp) or a tagged message (Messenger, Instagram) instead, or wait for the
    /// customer.
    #[error("outside the customer-service window: {detail}")]
    OutsideWindow {
        /// The provider's message.
        detail: String,
    },
    /// The token was refused (expired, revoked, wrong): fix the store's settings.
    #[error("the messaging provider refused the credentials: {detail}")]
    Unauthorized {
        /// The provider's message.
        detail: String,
    },
    /// The provider refused this message for good (unknown recipient, blocked bot, template
    /// not approved…).
    #[error("the messaging provider refused the message ({code:?}): {detail}")]
    Rejected {
        /// The provider's error code, when given.
        code: Option<i64>,
        /// The provider's message.
        detail: String,
    },
    /// Refused before sending: the message breaks a documented limit.
    #[error("the message cannot be sent: {0}")]
    Invalid(String),
    /// The channel has no such thing (a template on Telegram, a tag on WhatsApp).
    #[error("{0} is not available on this channel")]
    Unsupported(&'static str),
    /// The file is larger than the caller's limit.
    #[error("the file is larger than {limit} bytes")]
    MediaTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The provider answered something this adapter does not understand.
    #[error("unexpected answer from the messaging provider: {0}")]
    Protocol(String),
}

impl ChatApiError {
    /// True when trying the same call again later can succeed (rate limits, outages, lost
    /// connections). The rest are permanent: dead-letter them with their reason.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ChatApiError::Unreachable { .. }
                | ChatApiError::NoAnswer { .. }
                | ChatApiError::Unavailable { .. }
                | ChatApiError::RateLimited { .. }
        )
    }

    /// True when the message may have reached the customer although the call failed: sending
    /// again at once could deliver it twice.
    pub fn may_have_been_sent(&self) -> bool {
        matches!(self, ChatApiError::NoAnswer { .. })
    }

    /// The wait the provider asked for, when it asked.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ChatApiError::Unavailable { retry_after, .. } | ChatApiError::RateLimited { retry_after, .. } => {
                *retry_after
            }
            _ => None,
        }
    }
}

/// A messaging provider's send API, for one shop's account.
#[async_trait]
pub trait ChatSender: Send + Sync {
    /// The channel it sends on.
    fn channel(&self) -> ChatChannel;

    /// Sends one message. Not idempotent at the provider (see the module's note): call it once
    /// per outbound message and attempt, and record the answer.
    async fn send(&self, message: &OutboundChat) -> Result<SentChat, ChatApiError>;

    /// Fetches a customer's attachment, refusing more than `max_bytes`.
    async fn fetch_media(&self, media: &MediaRef, max_bytes: u64) -> Result<FetchedMedia, ChatApiError>;
}

/// Checks a message against the limits every provider documents, before any call.
pub(crate) fn validate(channel: ChatChannel, message: &OutboundChat) -> Result<(), ChatApiError> {
    let id = &message.outbound_id;
    if id.is_empty() || id.chars().count() > MAX_OUTBOUND_ID_CHARS {
        return Err(ChatApiError::Invalid(format!("the outbound id must be 1 to {MAX_OUTBOUND_ID_CHARS} characters")));
    }
    if message.to.trim().is_empty() || message.to.len() > 256 {
        return Err(ChatApiError::Invalid("the recipient must be 1 to 256 characters".into()));
    }
    let text = match &message.body {
        OutboundBody::Text(text) | OutboundBody::TaggedText { text, .. } => text,
        OutboundBody::Template(template) => {
            if template.name.is_empty() || template.name.len() > 512 || template.language.is_empty() {
                return Err(ChatApiError::Invalid("a template needs a name and a language".into()));
            }
            // WhatsApp caps a template's body text at 1,024 characters, placeholders filled.
            let total: usize = template.body_parameters.iter().map(|p| p.chars().count()).sum();
            if template.body_parameters.len() > 100 || total > 1024 {
                return Err(ChatApiError::Invalid("the template's parameters are too long".into()));
            }
            return Ok(());
        }
    };
    if text.trim().is_empty() {
        return Err(ChatApiError::Invalid("the text is empty".into()));
    }
    let limit = channel.text_limit();
    if !limit.fits(text) {
        return Err(ChatApiError::Invalid(format!("{channel} takes at most {limit:?}; split the text")));
    }
    Ok(())
}

/// How [`send_with_retries`] retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls in all, the first included (at least 1).
    pub attempts: u32,
    /// The wait after the first failure; doubled after each further one.
    pub first_delay: Duration,
    /// The longest wait, also the cap on a provider's own `retry_after`.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 4, first_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30) }
    }
}

impl RetryPolicy {
    /// The wait before call `attempt + 1` after call `attempt` (from 1) failed: the provider's
    /// `retry_after` when given, otherwise exponential backoff with jitter. The jitter is drawn
    /// from the outbound id, not from a random source, so runs are reproducible while messages
    /// that failed together still spread out.
    pub fn delay(&self, attempt: u32, outbound_id: &str, provider_hint: Option<Duration>) -> Duration {
        if let Some(hint) = provider_hint {
            return hint.min(self.max_delay);
        }
        let exponent = attempt.saturating_sub(1).min(20);
        let backoff = self.first_delay.saturating_mul(1 << exponent).min(self.max_delay);
        let mut hasher = DefaultHasher::new();
        (outbound_id, attempt).hash(&mut hasher);
        // Half the backoff is fixed, half scaled by a fraction in [0, 1).
        let fraction = (hasher.finish() % 1000) as f64 / 1000.0;
        backoff / 2 + backoff.div_f64(2.0).mul_f64(fraction)
    }
}

/// Sends, retrying what is certain not to have been delivered (rate limits, outages, refused
/// connections) with `policy`'s backoff. An ambiguous failure
/// ([`ChatApiError::may_have_been_sent`]) is returned at once, never retried blind.
pub async fn send_with_retries(
    sender: &dyn ChatSender,
    message: &OutboundChat,
    policy: &RetryPolicy,
) -> Result<SentChat, ChatApiError> {
    let mut attempt = 1;
    loop {
        match sender.send(message).await {
            Ok(sent) => return Ok(sent),
            Err(e) if e.is_retryable() && !e.may_have_been_sent() && attempt < policy.attempts => {
                let wait = policy.delay(attempt, &message.outbound_id, e.retry_after());
                tracing::warn!(
                    channel = %sender.channel(),
                    outbound_id = %message.outbound_id,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    error = %e,
                    "message not sent; retrying"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A reqwest client with the timeout. Redirects are followed a few times (Meta's media URLs may
/// bounce to a CDN); reqwest drops the `Authorization` header when a redirect leaves the host, so
/// a token never follows a request elsewhere.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, ChatApiError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .map_err(|e| ChatApiError::Protocol(e.without_url().to_string()))
}

/// A transport failure, sorted into "nothing went out" and "no answer". The URL is dropped from
/// the message: Telegram's carries the bot token.
pub(crate) fn transport(e: reqwest::Error) -> ChatApiError {
    let e = e.without_url();
    let detail = clip(&e.to_string());
    if e.is_builder() {
        ChatApiError::Protocol(detail)
    } else if e.is_connect() {
        ChatApiError::Unreachable { detail }
    } else {
        ChatApiError::NoAnswer { detail }
    }
}

/// Reads a response body, refusing more than `max` bytes without reading them all.
pub(crate) async fn read_bounded(mut response: reqwest::Response, max: u64) -> Result<Vec<u8>, ChatApiError> {
    if response.content_length().is_some_and(|length| length > max) {
        return Err(ChatApiError::MediaTooLarge { limit: max });
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(transport)? {
        if bytes.len() as u64 + chunk.len() as u64 > max {
            return Err(ChatApiError::MediaTooLarge { limit: max });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads a provider's API answer (JSON), bounded.
pub(crate) async fn read_answer(response: reqwest::Response) -> Result<Vec<u8>, ChatApiError> {
    read_bounded(response, MAX_ANSWER_BYTES).await.map_err(|e| match e {
        ChatApiError::MediaTooLarge { limit } => ChatApiError::Protocol(format!("an answer over {limit} bytes")),
        other => other,
    })
}

/// The `Retry-After` header in seconds, when present.
pub(crate) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}
