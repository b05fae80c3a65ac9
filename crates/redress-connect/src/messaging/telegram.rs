//! Telegram through the Bot API. In: an `Update` POSTed to the URL given to `setWebhook`, with
//! the `secret_token` given there in the `X-Telegram-Bot-Api-Secret-Token` header (Telegram does
//! not sign bodies); Redress reads `update.message` from private chats (text, caption, the
//! largest of a photo's sizes, documents, voice notes) and passes over the other update types.
//! Out: `sendMessage` (with `reply_parameters` to quote), `getFile` and the file download for
//! customers' attachments, and `setWebhook` to register a shop's bot.
//!
//! The bot token is part of every Bot API URL (`/bot<token>/<method>`), so no URL is ever put in
//! an error or a log line.

use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

use super::send::{
    ChatApiError, ChatSender, FetchedMedia, OutboundBody, OutboundChat, SentChat, http_client, read_answer,
    read_bounded, transport, validate,
};
use super::{
    ChatChannel, ChatIdentity, InboundChatMessage, MediaKind, MediaRef, MediaSource, Secret, SkipReason, WebhookBatch,
    WebhookError, clip, from_unix_seconds,
};

/// The Bot API's host.
pub const TELEGRAM_API_URL: &str = "https://api.telegram.org";

/// The header Telegram sends the webhook's secret token in.
pub const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// The largest update body taken: one update per request, its text at most 4,096 characters.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Checks the secret token, parses the update, and says what it held. `bot_id` is the bot the
/// webhook URL belongs to (Telegram's updates do not name it): it becomes
/// [`InboundChatMessage::account_id`].
pub fn receive(
    headers: &HeaderMap,
    body: &[u8],
    secret_token: &Secret,
    bot_id: &str,
) -> Result<WebhookBatch, WebhookError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(WebhookError::TooLarge { size: body.len(), limit: MAX_BODY_BYTES });
    }
    verify_secret_token(headers, secret_token)?;
    parse(body, bot_id)
}

/// Checks `X-Telegram-Bot-Api-Secret-Token`, in constant time.
pub fn verify_secret_token(headers: &HeaderMap, secret_token: &Secret) -> Result<(), WebhookError> {
    const HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";
    let given = headers.get(SECRET_HEADER).ok_or(WebhookError::MissingSignature { header: HEADER })?;
    if bool::from(given.as_bytes().ct_eq(secret_token.expose().as_bytes())) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature { header: HEADER })
    }
}

/// True when `token` is a secret token `setWebhook` accepts: 1 to 256 of `A-Z`, `a-z`, `0-9`,
/// `_` and `-`.
pub fn valid_secret_token(token: &str) -> bool {
    (1..=256).contains(&token.len()) && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Parses an update without checking the secret token (use [`receive`] for requests from the
/// network).
pub fn parse(body: &[u8], bot_id: &str) -> Result<WebhookBatch, WebhookError> {
    const CHANNEL: ChatChannel = ChatChannel::Telegram;
    let malformed = |detail: String| WebhookError::Malformed { provider: "Telegram", detail: clip(&detail) };
    let update: Update = serde_json::from_slice(body).map_err(|e| malformed(e.to_string()))?;
    let mut batch = WebhookBatch::default();
    let Some(raw) = update.message else {
        // An edit, a channel post, a callback query, a membership change…: named by its field.
        let kind = update.rest.keys().next().map_or_else(|| "empty update".to_owned(), |k| clip(k));
        batch.skip(CHANNEL, None, SkipReason::Irrelevant(kind));
        return Ok(batch);
    };
    let message = match Message::deserialize(&raw) {
        Ok(message) => message,
        Err(e) => {
            batch.skip(CHANNEL, None, SkipReason::Malformed(clip(&format!("message: {e}"))));
            return Ok(batch);
        }
    };
    // Message ids are unique only within a chat.
    let id = format!("{}:{}", message.chat.id, message.message_id);
    let from = match message.from {
        Some(from) if message.chat.kind == "private" && !from.is_bot => from,
        _ => {
            batch.skip(CHANNEL, Some(id), SkipReason::NotAPrivateChat);
            return Ok(batch);
        }
    };
    let Some(sent_at) = from_unix_seconds(message.date) else {
        batch.skip(CHANNEL, Some(id), SkipReason::Malformed("date".into()));
        return Ok(batch);
    };
    let mut media = Vec::new();
    // A photo comes in several sizes; the largest is the one worth keeping.
    if let Some(photo) = message.photo.iter().max_by_key(|p| p.width.saturating_mul(p.height)) {
        media.push(MediaRef {
            kind: MediaKind::Image,
            source: MediaSource::ProviderId(photo.file_id.clone()),
            // Telegram re-encodes photos (as opposed to images sent as files) as JPEG.
            mime_type: Some("image/jpeg".into()),
            sha256: None,
            file_name: None,
            size: photo.file_size,
        });
    }
    let files = [
        (MediaKind::Document, &message.document),
        (MediaKind::Video, &message.video),
        (MediaKind::Audio, &message.audio),
        (MediaKind::Audio, &message.voice),
        (MediaKind::Sticker, &message.sticker),
    ];
    for (kind, file) in files {
        if let Some(file) = file {
            media.push(MediaRef {
                kind,
                source: MediaSource::ProviderId(file.file_id.clone()),
                mime_type: file.mime_type.clone(),
                sha256: None,
                file_name: file.file_name.clone(),
                size: file.file_size,
            });
        }
    }
    let text = message.text.or(message.caption).filter(|t| !t.trim().is_empty());
    if text.is_none() && media.is_empty() {
        let kind = raw
            .as_object()
            .and_then(|fields| {
                fields
                    .keys()
                    .find(|k| !matches!(k.as_str(), "message_id" | "from" | "chat" | "date" | "reply_to_message"))
            })
            .map_or(SkipReason::Empty, |k| SkipReason::UnsupportedMessage(clip(k)));
        batch.skip(CHANNEL, Some(id), kind);
        return Ok(batch);
    }
    let display_name = match (from.first_name.as_deref(), from.last_name.as_deref()) {
        (Some(first), Some(last)) => Some(format!("{first} {last}")),
        (Some(name), None) | (None, Some(name)) => Some(name.to_owned()),
        (None, None) => None,
    };
    batch.messages.push(InboundChatMessage {
        channel: CHANNEL,
        account_id: bot_id.to_owned(),
        provider_message_id: id,
        sender: ChatIdentity {
            user_id: from.id.to_string(),
            phone: None,
            display_name,
            username: from.username,
            language: from.language_code,
        },
        conversation_id: message.chat.id.to_string(),
        text,
        media,
        sent_at,
        reply_to: message.reply_to_message.map(|r| format!("{}:{}", message.chat.id, r.message_id)),
    });
    Ok(batch)
}

#[derive(Deserialize)]
struct Update {
    #[serde(rename = "update_id")]
    _update_id: i64,
    message: Option<Value>,
    #[serde(flatten)]
    rest: serde_json::Map<String, Value>,
}

#[derive(Deserialize)]
struct Message {
    message_id: i64,
    from: Option<User>,
    chat: Chat,
    date: i64,
    text: Option<String>,
    caption: Option<String>,
    #[serde(default)]
    photo: Vec<PhotoSize>,
    document: Option<File>,
    video: Option<File>,
    audio: Option<File>,
    voice: Option<File>,
    sticker: Option<File>,
    reply_to_message: Option<Reply>,
}

#[derive(Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    is_bot: bool,
    first_name: Option<String>,
    last_name: Option<String>,
    username: Option<String>,
    language_code: Option<String>,
}

#[derive(Deserialize)]
struct Chat {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct PhotoSize {
    file_id: String,
    width: u64,
    height: u64,
    file_size: Option<u64>,
}

#[derive(Deserialize)]
struct File {
    file_id: String,
    mime_type: Option<String>,
    file_name: Option<String>,
    file_size: Option<u64>,
}

#[derive(Deserialize)]
struct Reply {
    message_id: i64,
}

/// One shop's Telegram bot.
#[derive(Clone, Debug)]
pub struct TelegramConfig {
    /// The Bot API's base URL ([`TELEGRAM_API_URL`]; the fake's in tests).
    pub base_url: String,
    /// The token @BotFather gave (`<bot id>:<secret>`).
    pub bot_token: Secret,
    /// How long to wait for an answer.
    pub timeout: Duration,
}

impl TelegramConfig {
    /// A configuration calling Telegram, waiting 15 seconds.
    pub fn new(bot_token: Secret) -> Self {
        Self { base_url: TELEGRAM_API_URL.to_owned(), bot_token, timeout: Duration::from_secs(15) }
    }
}

/// The bot's id: the part of its token before the colon, which is not secret.
pub fn bot_id(bot_token: &Secret) -> Option<&str> {
    bot_token.expose().split_once(':').map(|(id, _)| id).filter(|id| !id.is_empty())
}

/// Sends from one shop's bot.
#[derive(Clone, Debug)]
pub struct TelegramSender {
    client: reqwest::Client,
    config: TelegramConfig,
}

#[derive(Deserialize)]
struct Answer<T> {
    ok: bool,
    result: Option<T>,
    description: Option<String>,
    error_code: Option<i64>,
    parameters: Option<Parameters>,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
}

#[derive(Deserialize)]
struct SentMessage {
    message_id: i64,
    chat: Chat,
}

#[derive(Deserialize)]
struct FileInfo {
    file_path: Option<String>,
    file_size: Option<u64>,
}

impl TelegramSender {
    /// A sender for `config`; refuses a token that could not be a bot token (it goes into URLs).
    pub fn new(config: TelegramConfig) -> Result<Self, ChatApiError> {
        let token = config.bot_token.expose();
        if bot_id(&config.bot_token).is_none()
            || !token.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-'))
        {
            return Err(ChatApiError::Invalid("a bot token is `<bot id>:<secret>`".into()));
        }
        Ok(Self { client: http_client(config.timeout)?, config })
    }

    /// The bot's id, the [`InboundChatMessage::account_id`] of messages to it.
    pub fn bot_id(&self) -> &str {
        bot_id(&self.config.bot_token).unwrap_or_default()
    }

    fn base(&self) -> &str {
        self.config.base_url.trim_end_matches('/')
    }

    async fn call<T: DeserializeOwned>(&self, method: &str, body: &Value) -> Result<T, ChatApiError> {
        let url = format!("{}/bot{}/{method}", self.base(), self.config.bot_token.expose());
        let response = self.client.post(url).json(body).send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let bytes = read_answer(response).await?;
        let answer: Answer<T> = match serde_json::from_slice(&bytes) {
            Ok(answer) => answer,
            Err(_) if status >= 500 => {
                return Err(ChatApiError::Unavailable { detail: format!("HTTP {status}"), retry_after: None });
            }
            Err(e) => return Err(ChatApiError::Protocol(clip(&e.to_string()))),
        };
        match answer {
            Answer { ok: true, result: Some(result), .. } => Ok(result),
            Answer { ok: true, result: None, .. } => Err(ChatApiError::Protocol("ok without a result".into())),
            Answer { description, error_code, parameters, .. } => {
                let code = error_code.unwrap_or(i64::from(status));
                let detail = clip(description.as_deref().unwrap_or("no description"));
                let retry_after = parameters.and_then(|p| p.retry_after).map(Duration::from_secs);
                Err(match code {
                    429 => ChatApiError::RateLimited { detail, retry_after },
                    // A wrong token answers 401, or 404 as if the bot did not exist.
                    401 | 404 => ChatApiError::Unauthorized { detail },
                    500..=599 => ChatApiError::Unavailable { detail, retry_after },
                    // 403: the customer blocked the bot; 400: no such chat, text too long…
                    _ => ChatApiError::Rejected { code: Some(code), detail },
                })
            }
        }
    }

    /// The `sendMessage` body the Bot API documents for `message`.
    pub fn request_body(message: &OutboundChat) -> Result<Value, ChatApiError> {
        let OutboundBody::Text(text) = &message.body else {
            return Err(ChatApiError::Unsupported(match message.body {
                OutboundBody::Template(_) => "WhatsApp templates",
                _ => "message tags",
            }));
        };
        // A numeric chat id is sent as a number; `@channel` names as they are.
        let chat_id = message.to.parse::<i64>().map_or_else(|_| json!(message.to), |id| json!(id));
        let mut body = json!({ "chat_id": chat_id, "text": text });
        // Redress names Telegram messages `<chat id>:<message id>`; the quote needs the latter.
        let quoted =
            message.reply_to.as_deref().and_then(|r| r.rsplit(':').next()).and_then(|id| id.parse::<i64>().ok());
        if let Some(quoted) = quoted {
            body["reply_parameters"] = json!({ "message_id": quoted, "allow_sending_without_reply": true });
        }
        Ok(body)
    }

    /// Registers `url` as the bot's webhook, with `secret_token` for Telegram to send back in
    /// [`SECRET_HEADER`], for message updates only.
    pub async fn set_webhook(&self, url: &str, secret_token: &Secret) -> Result<(), ChatApiError> {
        if !valid_secret_token(secret_token.expose()) {
            return Err(ChatApiError::Invalid("a secret token is 1 to 256 of A-Z, a-z, 0-9, _ and -".into()));
        }
        let body = json!({ "url": url, "secret_token": secret_token.expose(), "allowed_updates": ["message"] });
        let done: bool = self.call("setWebhook", &body).await?;
        if done { Ok(()) } else { Err(ChatApiError::Protocol("setWebhook answered false".into())) }
    }
}

#[async_trait]
impl ChatSender for TelegramSender {
    fn channel(&self) -> ChatChannel {
        ChatChannel::Telegram
    }

    async fn send(&self, message: &OutboundChat) -> Result<SentChat, ChatApiError> {
        validate(ChatChannel::Telegram, message)?;
        let body = Self::request_body(message)?;
        let sent: SentMessage = self.call("sendMessage", &body).await?;
        Ok(SentChat {
            provider_message_id: format!("{}:{}", sent.chat.id, sent.message_id),
            recipient_id: Some(sent.chat.id.to_string()),
        })
    }

    async fn fetch_media(&self, media: &MediaRef, max_bytes: u64) -> Result<FetchedMedia, ChatApiError> {
        let MediaSource::ProviderId(file_id) = &media.source else {
            return Err(ChatApiError::Unsupported("media by URL"));
        };
        if media.size.is_some_and(|size| size > max_bytes) {
            return Err(ChatApiError::MediaTooLarge { limit: max_bytes });
        }
        let info: FileInfo = self.call("getFile", &json!({ "file_id": file_id })).await?;
        if info.file_size.is_some_and(|size| size > max_bytes) {
            return Err(ChatApiError::MediaTooLarge { limit: max_bytes });
        }
        // Without a path the file is over the Bot API's 20 MB download limit.
        let path = info.file_path.ok_or(ChatApiError::MediaTooLarge { limit: max_bytes })?;
        if path.split('/').any(|part| part == ".." || part.is_empty()) || path.contains(['?', '#']) {
            return Err(ChatApiError::Protocol("an unexpected file path".into()));
        }
        let url = format!("{}/file/bot{}/{path}", self.base(), self.config.bot_token.expose());
        let response = self.client.get(url).send().await.map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            return Err(if status.is_server_error() {
                ChatApiError::Unavailable { detail: format!("HTTP {status}"), retry_after: None }
            } else {
                ChatApiError::Rejected { code: Some(i64::from(status.as_u16())), detail: format!("HTTP {status}") }
            });
        }
        let bytes = read_bounded(response, max_bytes).await?;
        Ok(FetchedMedia { bytes, mime_type: media.mime_type.clone() })
    }
}
