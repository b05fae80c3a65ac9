//! A local fake of the three messaging APIs, built from their documented shapes, so the senders
//! and the whole server can be tested over real HTTP without the internet:
//!
//! - the Graph API's `POST /{version}/{id}/messages`: WhatsApp Cloud API sends (text and
//!   templates, `messaging_product: whatsapp`) and Send API sends for Messenger and Instagram
//!   (`recipient`, `messaging_type`, `tag`), told apart by their bodies as Meta's one host does;
//!   `GET /{version}/{media id}` and the download it points to; a CDN for Messenger attachments;
//! - the Bot API under `/telegram`: `sendMessage`, `getFile` and the file download,
//!   `setWebhook`.
//!
//! It records what was sent ([`FakeMessaging::sent`]), can be told to fail the next calls with an
//! HTTP status ([`FakeMessaging::fail_next`]), to refuse free-form text to a customer whose
//! window closed ([`FakeMessaging::close_window`]), and produces webhook deliveries as the
//! providers would send them, signed ([`FakeMessaging::whatsapp_delivery`],
//! [`FakeMessaging::graph_delivery`], [`FakeMessaging::telegram_delivery`]), for
//! [`FakeMessaging::deliver`] to POST to a server under test, as often as a test wants the
//! provider to redeliver.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::messenger::GraphMessagingConfig;
use super::telegram::TelegramConfig;
use super::whatsapp::WhatsAppConfig;
use super::{ChatChannel, DeliveryStatus, InboundChatMessage, MediaKind, MediaSource, Secret, StatusUpdate};

/// The credentials the fake accepts and signs with.
#[derive(Clone, Debug)]
pub struct FakeMessagingConfig {
    /// The WhatsApp access token it accepts.
    pub whatsapp_access_token: Secret,
    /// The Page access token it accepts (Messenger and Instagram).
    pub page_access_token: Secret,
    /// The bot token it accepts (`<bot id>:<secret>`).
    pub bot_token: Secret,
    /// The Meta app secret it signs deliveries with.
    pub app_secret: Secret,
    /// The secret token it sends with Telegram deliveries (what `setWebhook` set, if it was
    /// called).
    pub telegram_secret_token: Secret,
}

impl Default for FakeMessagingConfig {
    fn default() -> Self {
        Self {
            whatsapp_access_token: Secret::new("fake-whatsapp-token"),
            page_access_token: Secret::new("fake-page-token"),
            bot_token: Secret::new("4242:fake-bot-token"),
            app_secret: Secret::new("fake-app-secret"),
            telegram_secret_token: Secret::new("fake-telegram-secret"),
        }
    }
}

/// Which of the fake's APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FakeApi {
    /// The WhatsApp Cloud API.
    WhatsApp,
    /// The Send API (Messenger and Instagram).
    SendApi,
    /// The Telegram Bot API.
    Telegram,
}

/// A message the fake accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedSend {
    /// Which API took it.
    pub api: FakeApi,
    /// The sending account in the path (the phone number id, `me`, the bot id).
    pub account: String,
    /// The recipient.
    pub to: String,
    /// The text, for text messages.
    pub text: Option<String>,
    /// The template's name, for WhatsApp templates.
    pub template: Option<String>,
    /// The Send API's `messaging_type`.
    pub messaging_type: Option<String>,
    /// The Send API's `tag`.
    pub tag: Option<String>,
    /// The correlation field (`biz_opaque_callback_data`, `metadata`).
    pub correlation: Option<String>,
    /// The quoted message (WhatsApp's `context.message_id`, Telegram's
    /// `reply_parameters.message_id`).
    pub reply_to: Option<String>,
    /// The id the fake answered with (on Telegram `<chat id>:<message id>`).
    pub provider_message_id: String,
}

/// A webhook delivery as a provider would POST it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// The raw body.
    pub body: Vec<u8>,
    /// The headers to send with it (content type and signature or secret token).
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Default)]
struct Recorded {
    sent: Vec<RecordedSend>,
    failures: HashMap<FakeApi, VecDeque<u16>>,
    attempts: HashMap<FakeApi, usize>,
    media: HashMap<String, (Vec<u8>, String)>,
    closed_windows: HashSet<String>,
    webhook: Option<(String, Secret)>,
    next_id: u64,
}

#[derive(Clone)]
struct Shared {
    recorded: Arc<Mutex<Recorded>>,
    config: Arc<FakeMessagingConfig>,
    base: Arc<str>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Recorded> {
        // A test that panicked while holding the lock has failed already; the data is still fine.
        self.recorded.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Counts an attempt on `api` and pops the failure scheduled for it, if any.
    fn attempt(&self, api: FakeApi) -> Option<u16> {
        let mut recorded = self.lock();
        *recorded.attempts.entry(api).or_default() += 1;
        recorded.failures.get_mut(&api).and_then(VecDeque::pop_front)
    }

    fn next_id(&self) -> u64 {
        let mut recorded = self.lock();
        recorded.next_id += 1;
        recorded.next_id
    }
}

/// The running fake.
#[derive(Clone)]
pub struct FakeMessaging {
    shared: Shared,
    client: reqwest::Client,
}

impl FakeMessaging {
    /// Serves the fake on a free loopback port.
    pub async fn serve(config: FakeMessagingConfig) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let shared = Shared { recorded: Arc::default(), config: Arc::new(config), base: base.into() };
        let app = Router::new()
            .route("/{version}/{id}/messages", post(graph_send))
            .route("/{version}/{id}", get(whatsapp_media_info))
            .route("/media/{id}", get(whatsapp_media_download))
            .route("/cdn/{id}", get(cdn_download))
            .route("/telegram/{bot}/{method}", post(telegram_method))
            .route("/telegram/file/{bot}/{*path}", get(telegram_file))
            .with_state(shared.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "the fake messaging APIs stopped");
            }
        });
        let client = reqwest::Client::builder().build().map_err(std::io::Error::other)?;
        Ok(Self { shared, client })
    }

    /// The base URL to give WhatsApp and Send API configurations.
    pub fn graph_url(&self) -> String {
        self.shared.base.to_string()
    }

    /// The base URL to give Telegram configurations.
    pub fn telegram_url(&self) -> String {
        format!("{}/telegram", self.shared.base)
    }

    /// A WhatsApp configuration for `phone_number_id` pointed at the fake, with its token.
    pub fn whatsapp_config(&self, phone_number_id: &str) -> WhatsAppConfig {
        let mut config = WhatsAppConfig::new(phone_number_id, self.shared.config.whatsapp_access_token.clone());
        config.base_url = self.graph_url();
        config
    }

    /// A Messenger or Instagram configuration pointed at the fake, with its token.
    pub fn graph_messaging_config(&self, channel: ChatChannel) -> GraphMessagingConfig {
        let mut config = GraphMessagingConfig::new(channel, self.shared.config.page_access_token.clone());
        config.base_url = self.graph_url();
        config
    }

    /// A Telegram configuration pointed at the fake, with its token.
    pub fn telegram_config(&self) -> TelegramConfig {
        let mut config = TelegramConfig::new(self.shared.config.bot_token.clone());
        config.base_url = self.telegram_url();
        config
    }

    /// Every message accepted so far, in order.
    pub fn sent(&self) -> Vec<RecordedSend> {
        self.shared.lock().sent.clone()
    }

    /// How many send calls (`…/messages`, `sendMessage`) `api` has had, failed ones included.
    pub fn attempts(&self, api: FakeApi) -> usize {
        self.shared.lock().attempts.get(&api).copied().unwrap_or(0)
    }

    /// Makes the next `times` send calls to `api` fail with HTTP `status` (429, 500…) and the
    /// provider's error body for it.
    pub fn fail_next(&self, api: FakeApi, status: u16, times: usize) {
        self.shared.lock().failures.entry(api).or_default().extend(std::iter::repeat_n(status, times));
    }

    /// From now on, free-form text to `recipient` is refused as outside the customer-service
    /// window (WhatsApp's 131047, the Send API's 10/2018278); templates and `HUMAN_AGENT` pass.
    pub fn close_window(&self, recipient: &str) {
        self.shared.lock().closed_windows.insert(recipient.to_owned());
    }

    /// Makes a file available as WhatsApp media id, Telegram file id or CDN path `id`.
    pub fn add_media(&self, id: &str, bytes: Vec<u8>, mime_type: &str) {
        self.shared.lock().media.insert(id.to_owned(), (bytes, mime_type.to_owned()));
    }

    /// The CDN URL of media `id`, as a Messenger attachment's `payload.url` gives it.
    pub fn cdn_url(&self, id: &str) -> String {
        format!("{}/cdn/{id}", self.shared.base)
    }

    /// The Telegram webhook URL `setWebhook` registered, if any.
    pub fn telegram_webhook(&self) -> Option<String> {
        self.shared.lock().webhook.as_ref().map(|(url, _)| url.clone())
    }

    /// A status webhook event for a message the fake accepted, as the provider would report it
    /// (a Send API message is reported as Messenger's; set `channel` for Instagram).
    pub fn status_of(&self, sent: &RecordedSend, status: DeliveryStatus, at: time::OffsetDateTime) -> StatusUpdate {
        let channel = match sent.api {
            FakeApi::WhatsApp => ChatChannel::WhatsApp,
            FakeApi::SendApi => ChatChannel::Messenger,
            FakeApi::Telegram => ChatChannel::Telegram,
        };
        StatusUpdate {
            channel,
            account_id: sent.account.clone(),
            provider_message_id: sent.provider_message_id.clone(),
            status,
            at,
            recipient_id: Some(sent.to.clone()),
            outbound_id: sent.correlation.clone(),
            error: None,
        }
    }

    /// A signed WhatsApp delivery of these messages and statuses.
    pub fn whatsapp_delivery(&self, messages: &[InboundChatMessage], statuses: &[StatusUpdate]) -> WebhookDelivery {
        self.meta_delivery(&whatsapp_payload(messages, statuses))
    }

    /// A signed Messenger (`page`) or Instagram delivery of these messages and statuses.
    pub fn graph_delivery(
        &self,
        channel: ChatChannel,
        messages: &[InboundChatMessage],
        statuses: &[StatusUpdate],
    ) -> WebhookDelivery {
        self.meta_delivery(&graph_messaging_payload(channel, messages, statuses))
    }

    /// A signed delivery of any Meta payload (an unknown event type, a hand-made edge case).
    pub fn meta_delivery(&self, payload: &Value) -> WebhookDelivery {
        let body = payload.to_string().into_bytes();
        let signature = super::meta::signature(&body, &self.shared.config.app_secret);
        WebhookDelivery {
            body,
            headers: vec![("content-type", "application/json".into()), ("x-hub-signature-256", signature)],
        }
    }

    /// A Telegram delivery of one update holding `message`, with the secret token `setWebhook`
    /// registered (or the configured one).
    pub fn telegram_delivery(&self, update_id: i64, message: &InboundChatMessage) -> WebhookDelivery {
        self.telegram_raw_delivery(&telegram_update(update_id, message))
    }

    /// A Telegram delivery of any update.
    pub fn telegram_raw_delivery(&self, update: &Value) -> WebhookDelivery {
        let secret = {
            let recorded = self.shared.lock();
            recorded.webhook.as_ref().map_or_else(
                || self.shared.config.telegram_secret_token.expose().to_owned(),
                |(_, secret)| secret.expose().to_owned(),
            )
        };
        WebhookDelivery {
            body: update.to_string().into_bytes(),
            headers: vec![("content-type", "application/json".into()), ("x-telegram-bot-api-secret-token", secret)],
        }
    }

    /// POSTs a delivery to `url`, as the provider would; answers the HTTP status. Call it again
    /// with the same delivery for a provider's redelivery.
    pub async fn deliver(&self, url: &str, delivery: &WebhookDelivery) -> Result<u16, reqwest::Error> {
        let mut request = self.client.post(url).body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(*name, value);
        }
        Ok(request.send().await?.status().as_u16())
    }

    /// Meta's subscription check against `url`: answers the HTTP status and body.
    pub async fn verify_subscription(
        &self,
        url: &str,
        verify_token: &str,
        challenge: &str,
    ) -> Result<(u16, String), reqwest::Error> {
        let query = [("hub.mode", "subscribe"), ("hub.verify_token", verify_token), ("hub.challenge", challenge)];
        let response = self.client.get(url).query(&query).send().await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }
}

// ---- Webhook payloads, in the providers' documented shapes ----

fn unix(at: time::OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

fn unix_millis(at: time::OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn kind_name(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
        MediaKind::Audio => "audio",
        MediaKind::Document => "document",
        MediaKind::Sticker => "sticker",
    }
}

/// A WhatsApp `messages` webhook payload: one entry per phone number, with `contacts`,
/// `messages` and `statuses` in its change's value.
pub fn whatsapp_payload(messages: &[InboundChatMessage], statuses: &[StatusUpdate]) -> Value {
    /// One phone number's contacts, messages and statuses.
    type Value3 = (Vec<Value>, Vec<Value>, Vec<Value>);
    let mut values: BTreeMap<&str, Value3> = BTreeMap::new();
    for message in messages {
        let (contacts, wire, _) = values.entry(&message.account_id).or_default();
        let mut contact = json!({ "wa_id": message.sender.user_id });
        if let Some(name) = &message.sender.display_name {
            contact["profile"] = json!({ "name": name });
        }
        contacts.push(contact);
        let mut item = json!({
            "from": message.sender.user_id,
            "id": message.provider_message_id,
            "timestamp": unix(message.sent_at).to_string(),
        });
        match message.media.first() {
            Some(media) => {
                let kind = kind_name(media.kind);
                let id = match &media.source {
                    MediaSource::ProviderId(id) | MediaSource::Url(id) => id,
                };
                let mut object = json!({ "id": id });
                if let Some(mime) = &media.mime_type {
                    object["mime_type"] = json!(mime);
                }
                if let Some(sha) = &media.sha256 {
                    object["sha256"] = json!(sha);
                }
                if let Some(caption) = &message.text {
                    object["caption"] = json!(caption);
                }
                if let Some(name) = &media.file_name {
                    object["filename"] = json!(name);
                }
                item["type"] = json!(kind);
                item[kind] = object;
            }
            None => {
                item["type"] = json!("text");
                item["text"] = json!({ "body": message.text.clone().unwrap_or_default() });
            }
        }
        if let Some(reply_to) = &message.reply_to {
            item["context"] = json!({ "from": message.account_id, "id": reply_to });
        }
        wire.push(item);
    }
    for status in statuses {
        let (_, _, wire) = values.entry(&status.account_id).or_default();
        let name = match status.status {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
        };
        let mut item = json!({
            "id": status.provider_message_id,
            "status": name,
            "timestamp": unix(status.at).to_string(),
            "recipient_id": status.recipient_id.clone().unwrap_or_default(),
        });
        if let Some(outbound) = &status.outbound_id {
            item["biz_opaque_callback_data"] = json!(outbound);
        }
        if let Some(error) = &status.error {
            let mut wire_error = json!({ "code": error.code, "title": error.title, "message": error.title });
            if let Some(details) = &error.details {
                wire_error["error_data"] = json!({ "details": details });
            }
            item["errors"] = json!([wire_error]);
        }
        wire.push(item);
    }
    let entry: Vec<Value> = values
        .into_iter()
        .map(|(account, (contacts, messages, statuses))| {
            let mut value = json!({
                "messaging_product": "whatsapp",
                "metadata": { "display_phone_number": "15550000000", "phone_number_id": account },
            });
            if !messages.is_empty() {
                value["contacts"] = json!(contacts);
                value["messages"] = json!(messages);
            }
            if !statuses.is_empty() {
                value["statuses"] = json!(statuses);
            }
            json!({ "id": "fake-waba", "changes": [{ "value": value, "field": "messages" }] })
        })
        .collect();
    json!({ "object": "whatsapp_business_account", "entry": entry })
}

/// A Messenger (`page`) or Instagram webhook payload: one entry per account, its `messaging[]`
/// holding messages; statuses as the Send API reports them (`Sent` with an outbound id as an
/// echo carrying it in `metadata`, `Delivered` as a `delivery` receipt, `Read` as a `read` event
/// naming the message on Instagram and as a watermark on Messenger; `Failed` has no event).
pub fn graph_messaging_payload(
    channel: ChatChannel,
    messages: &[InboundChatMessage],
    statuses: &[StatusUpdate],
) -> Value {
    let mut entries: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for message in messages {
        let attachments: Vec<Value> = message
            .media
            .iter()
            .map(|media| {
                let kind = match media.kind {
                    MediaKind::Document => "file",
                    other => kind_name(other),
                };
                let url = match &media.source {
                    MediaSource::ProviderId(url) | MediaSource::Url(url) => url,
                };
                json!({ "type": kind, "payload": { "url": url } })
            })
            .collect();
        let mut wire = json!({ "mid": message.provider_message_id });
        if let Some(text) = &message.text {
            wire["text"] = json!(text);
        }
        if !attachments.is_empty() {
            wire["attachments"] = json!(attachments);
        }
        if let Some(reply_to) = &message.reply_to {
            wire["reply_to"] = json!({ "mid": reply_to });
        }
        entries.entry(&message.account_id).or_default().push(json!({
            "sender": { "id": message.sender.user_id },
            "recipient": { "id": message.account_id },
            "timestamp": unix_millis(message.sent_at),
            "message": wire,
        }));
    }
    for status in statuses {
        let customer = status.recipient_id.clone().unwrap_or_default();
        let at = unix_millis(status.at);
        let event = match status.status {
            DeliveryStatus::Sent => json!({
                "sender": { "id": status.account_id },
                "recipient": { "id": customer },
                "timestamp": at,
                "message": {
                    "is_echo": true,
                    "app_id": 1_234_567,
                    "metadata": status.outbound_id,
                    "mid": status.provider_message_id,
                    "text": "…",
                },
            }),
            DeliveryStatus::Delivered => json!({
                "sender": { "id": customer },
                "recipient": { "id": status.account_id },
                "timestamp": at,
                "delivery": { "mids": [status.provider_message_id], "watermark": at },
            }),
            DeliveryStatus::Read if channel == ChatChannel::Instagram => json!({
                "sender": { "id": customer },
                "recipient": { "id": status.account_id },
                "timestamp": at,
                "read": { "mid": status.provider_message_id },
            }),
            DeliveryStatus::Read => json!({
                "sender": { "id": customer },
                "recipient": { "id": status.account_id },
                "timestamp": at,
                "read": { "watermark": at },
            }),
            DeliveryStatus::Failed => continue,
        };
        entries.entry(&status.account_id).or_default().push(event);
    }
    let object = if channel == ChatChannel::Instagram { "instagram" } else { "page" };
    let entry: Vec<Value> = entries
        .into_iter()
        .map(|(account, messaging)| json!({ "id": account, "time": 1_700_000_000_000_i64, "messaging": messaging }))
        .collect();
    json!({ "object": object, "entry": entry })
}

/// A Telegram `Update` holding `message` from a private chat. Its ids follow Redress's
/// `<chat id>:<message id>` form; photos are given in two sizes, as Telegram does.
pub fn telegram_update(update_id: i64, message: &InboundChatMessage) -> Value {
    let number = |id: &str| id.rsplit(':').next().and_then(|n| n.parse::<i64>().ok()).unwrap_or(0);
    let chat_id = message.conversation_id.parse::<i64>().unwrap_or(0);
    let mut from = json!({ "id": message.sender.user_id.parse::<i64>().unwrap_or(0), "is_bot": false });
    if let Some(name) = &message.sender.display_name {
        from["first_name"] = json!(name);
    }
    if let Some(username) = &message.sender.username {
        from["username"] = json!(username);
    }
    if let Some(language) = &message.sender.language {
        from["language_code"] = json!(language);
    }
    let mut wire = json!({
        "message_id": number(&message.provider_message_id),
        "from": from,
        "chat": { "id": chat_id, "type": "private" },
        "date": unix(message.sent_at),
    });
    let mut captioned = false;
    for media in &message.media {
        let file_id = match &media.source {
            MediaSource::ProviderId(id) | MediaSource::Url(id) => id,
        };
        if media.kind == MediaKind::Image {
            let size = media.size.unwrap_or(50_000);
            wire["photo"] = json!([
                { "file_id": format!("{file_id}-thumb"), "file_unique_id": "t", "width": 90, "height": 67, "file_size": 1_000 },
                { "file_id": file_id, "file_unique_id": "f", "width": 1280, "height": 960, "file_size": size },
            ]);
        } else {
            let field = match media.kind {
                MediaKind::Audio => "audio",
                MediaKind::Video => "video",
                MediaKind::Sticker => "sticker",
                MediaKind::Image | MediaKind::Document => "document",
            };
            let mut file = json!({ "file_id": file_id, "file_unique_id": "u" });
            if let Some(mime) = &media.mime_type {
                file["mime_type"] = json!(mime);
            }
            if let Some(name) = &media.file_name {
                file["file_name"] = json!(name);
            }
            if let Some(size) = media.size {
                file["file_size"] = json!(size);
            }
            wire[field] = file;
        }
        captioned = true;
    }
    if let Some(text) = &message.text {
        wire[if captioned { "caption" } else { "text" }] = json!(text);
    }
    if let Some(reply_to) = &message.reply_to {
        wire["reply_to_message"] = json!({
            "message_id": number(reply_to),
            "chat": { "id": chat_id, "type": "private" },
            "date": unix(message.sent_at),
        });
    }
    json!({ "update_id": update_id, "message": wire })
}

// ---- The APIs ----

fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str, details: Option<&str>) -> Response {
    let mut error = json!({ "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "fake" });
    if let Some(subcode) = subcode {
        error["error_subcode"] = json!(subcode);
    }
    if let Some(details) = details {
        error["error_data"] = json!({ "messaging_product": "whatsapp", "details": details });
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    (status, Json(json!({ "error": error }))).into_response()
}

/// The error a Graph API answers a scheduled failure with.
fn scheduled_graph_failure(api: FakeApi, status: u16) -> Response {
    match status {
        429 if api == FakeApi::WhatsApp => graph_error(429, 130_429, None, "(#130429) Rate limit hit", None),
        429 => graph_error(429, 613, None, "Calls to this api have exceeded the rate limit.", None),
        401 => graph_error(401, 190, None, "Error validating access token: Session has expired", None),
        500..=599 => graph_error(status, 2, None, "Service temporarily unavailable", None),
        _ => graph_error(status, 100, None, "(#100) Invalid parameter", None),
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ")
}

fn text_of(value: &Value, pointer: &str) -> Option<String> {
    value.pointer(pointer).and_then(Value::as_str).map(str::to_owned)
}

async fn graph_send(
    State(shared): State<Shared>,
    Path((_version, account)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return graph_error(400, 100, None, "(#100) The parameter body is not valid JSON", None);
    };
    let whatsapp = body.get("messaging_product").and_then(Value::as_str) == Some("whatsapp");
    let (api, token) = if whatsapp {
        (FakeApi::WhatsApp, &shared.config.whatsapp_access_token)
    } else {
        (FakeApi::SendApi, &shared.config.page_access_token)
    };
    if let Some(status) = shared.attempt(api) {
        return scheduled_graph_failure(api, status);
    }
    if bearer(&headers) != Some(token.expose()) {
        return graph_error(401, 190, None, "Invalid OAuth access token - Cannot parse access token", None);
    }
    if whatsapp { whatsapp_send(&shared, account, &body) } else { send_api_send(&shared, account, &body) }
}

fn whatsapp_send(shared: &Shared, account: String, body: &Value) -> Response {
    let Some(to) = text_of(body, "/to").filter(|t| !t.is_empty()) else {
        return graph_error(400, 100, None, "(#100) The parameter to is required.", None);
    };
    let kind = body.get("type").and_then(Value::as_str).unwrap_or("text");
    let (text, template) = match kind {
        "text" => match text_of(body, "/text/body").filter(|t| !t.is_empty() && t.chars().count() <= 4096) {
            Some(text) => (Some(text), None),
            None => return graph_error(400, 100, None, "(#100) Param text['body'] is required and at most 4096", None),
        },
        "template" => match text_of(body, "/template/name") {
            Some(name) if text_of(body, "/template/language/code").is_some() => (None, Some(name)),
            _ => return graph_error(400, 132_000, None, "(#132000) Template name and language are required", None),
        },
        _ => return graph_error(400, 131_051, None, "(#131051) Unsupported message type", None),
    };
    if text.is_some() && shared.lock().closed_windows.contains(&to) {
        return graph_error(
            400,
            131_047,
            None,
            "(#131047) Re-engagement message",
            Some(
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            ),
        );
    }
    let id = format!("wamid.FAKE{:08}", shared.next_id());
    shared.lock().sent.push(RecordedSend {
        api: FakeApi::WhatsApp,
        account,
        to: to.clone(),
        text,
        template,
        messaging_type: None,
        tag: None,
        correlation: text_of(body, "/biz_opaque_callback_data"),
        reply_to: text_of(body, "/context/message_id"),
        provider_message_id: id.clone(),
    });
    Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{ "input": to, "wa_id": to }],
        "messages": [{ "id": id }],
    }))
    .into_response()
}

fn send_api_send(shared: &Shared, account: String, body: &Value) -> Response {
    let Some(to) = text_of(body, "/recipient/id").filter(|t| !t.is_empty()) else {
        return graph_error(400, 100, Some(2_018_001), "(#100) No matching user found", None);
    };
    let messaging_type = text_of(body, "/messaging_type");
    let tag = text_of(body, "/tag");
    match (messaging_type.as_deref(), tag.as_deref()) {
        (Some("RESPONSE" | "UPDATE"), None) | (Some("MESSAGE_TAG"), Some(_)) => {}
        _ => return graph_error(400, 100, None, "(#100) messaging_type is required, and tag with MESSAGE_TAG", None),
    }
    // Messenger counts 2,000 characters; Instagram 1,000 bytes; the fake takes the looser.
    let Some(text) = text_of(body, "/message/text").filter(|t| !t.is_empty() && t.chars().count() <= 2000) else {
        return graph_error(400, 100, None, "(#100) Param message[text] must be 1 to 2000 characters", None);
    };
    if messaging_type.as_deref() != Some("MESSAGE_TAG") && shared.lock().closed_windows.contains(&to) {
        return graph_error(400, 10, Some(2_018_278), "(#10) This message is sent outside of allowed window.", None);
    }
    let id = format!("m_FAKE{:08}", shared.next_id());
    shared.lock().sent.push(RecordedSend {
        api: FakeApi::SendApi,
        account,
        to: to.clone(),
        text: Some(text),
        template: None,
        messaging_type,
        tag,
        correlation: text_of(body, "/message/metadata"),
        reply_to: None,
        provider_message_id: id.clone(),
    });
    Json(json!({ "recipient_id": to, "message_id": id })).into_response()
}

async fn whatsapp_media_info(
    State(shared): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if bearer(&headers) != Some(shared.config.whatsapp_access_token.expose()) {
        return graph_error(401, 190, None, "Invalid OAuth access token", None);
    }
    let Some((bytes, mime)) = shared.lock().media.get(&id).cloned() else {
        return graph_error(404, 100, Some(33), "Unsupported get request. Object does not exist", None);
    };
    Json(json!({
        "messaging_product": "whatsapp",
        "url": format!("{}/media/{id}", shared.base),
        "mime_type": mime,
        "sha256": hex::encode(Sha256::digest(&bytes)),
        "file_size": bytes.len(),
        "id": id,
    }))
    .into_response()
}

async fn whatsapp_media_download(State(shared): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if bearer(&headers) != Some(shared.config.whatsapp_access_token.expose()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    media_bytes(&shared, &id)
}

async fn cdn_download(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    media_bytes(&shared, &id)
}

fn media_bytes(shared: &Shared, id: &str) -> Response {
    match shared.lock().media.get(id).cloned() {
        Some((bytes, mime)) => ([(header::CONTENT_TYPE, mime)], bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn telegram_error(status: u16, description: &str, retry_after: Option<u64>) -> Response {
    let mut body = json!({ "ok": false, "error_code": status, "description": description });
    if let Some(seconds) = retry_after {
        body["parameters"] = json!({ "retry_after": seconds });
    }
    (StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST), Json(body)).into_response()
}

fn telegram_ok(result: Value) -> Response {
    Json(json!({ "ok": true, "result": result })).into_response()
}

async fn telegram_method(
    State(shared): State<Shared>,
    Path((bot, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    if bot.strip_prefix("bot") != Some(shared.config.bot_token.expose()) {
        return telegram_error(401, "Unauthorized", None);
    }
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return telegram_error(400, "Bad Request: invalid JSON", None);
    };
    let bot_id = shared.config.bot_token.expose().split(':').next().unwrap_or_default().to_owned();
    match method.as_str() {
        "sendMessage" => {
            if let Some(status) = shared.attempt(FakeApi::Telegram) {
                return match status {
                    429 => telegram_error(429, "Too Many Requests: retry after 1", Some(1)),
                    _ => telegram_error(status, "Internal Server Error", None),
                };
            }
            let chat = body.get("chat_id").and_then(|c| c.as_i64().or_else(|| c.as_str()?.parse().ok()));
            let Some(chat) = chat else {
                return telegram_error(400, "Bad Request: chat not found", None);
            };
            let Some(text) = text_of(&body, "/text").filter(|t| !t.is_empty() && t.chars().count() <= 4096) else {
                return telegram_error(400, "Bad Request: message text is empty or too long", None);
            };
            let message_id = shared.next_id();
            shared.lock().sent.push(RecordedSend {
                api: FakeApi::Telegram,
                account: bot_id,
                to: chat.to_string(),
                text: Some(text.clone()),
                template: None,
                messaging_type: None,
                tag: None,
                correlation: None,
                reply_to: body.pointer("/reply_parameters/message_id").and_then(Value::as_i64).map(|id| id.to_string()),
                provider_message_id: format!("{chat}:{message_id}"),
            });
            // The fake has no clock of its own; the date is not read by Redress.
            telegram_ok(json!({
                "message_id": message_id,
                "date": 0,
                "chat": { "id": chat, "type": "private" },
                "text": text,
            }))
        }
        "getFile" => {
            let Some(file_id) = text_of(&body, "/file_id") else {
                return telegram_error(400, "Bad Request: file_id is required", None);
            };
            let size = shared.lock().media.get(&file_id).map(|(bytes, _)| bytes.len());
            match size {
                Some(size) => telegram_ok(json!({
                    "file_id": file_id,
                    "file_unique_id": "u",
                    "file_size": size,
                    "file_path": format!("photos/{file_id}"),
                })),
                None => telegram_error(400, "Bad Request: invalid file_id", None),
            }
        }
        "setWebhook" => {
            let (Some(url), Some(secret)) = (text_of(&body, "/url"), text_of(&body, "/secret_token")) else {
                return telegram_error(400, "Bad Request: url and secret_token are required", None);
            };
            shared.lock().webhook = Some((url, Secret::new(secret)));
            Json(json!({ "ok": true, "result": true, "description": "Webhook was set" })).into_response()
        }
        _ => telegram_error(404, "Not Found: method not found", None),
    }
}

async fn telegram_file(State(shared): State<Shared>, Path((bot, path)): Path<(String, String)>) -> Response {
    if bot.strip_prefix("bot") != Some(shared.config.bot_token.expose()) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match path.strip_prefix("photos/") {
        Some(file_id) => media_bytes(&shared, file_id),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
