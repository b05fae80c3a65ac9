//! Sending on Messenger and Instagram through Meta's Send API: `POST /{version}/me/messages` with
//! the Page's access token (for Instagram, the token of the Page linked to the Instagram
//! account), `messaging_type: RESPONSE` inside the 24-hour window and `MESSAGE_TAG` with
//! `tag: HUMAN_AGENT` after it. The caller's outbound id rides in `message.metadata`, which the
//! `message_echoes` webhook carries back. Customers' attachments arrive as CDN URLs and are
//! fetched as they are.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};

use super::graph::{GRAPH_API_URL, GRAPH_API_VERSION, post_json};
use super::send::{
    ChatApiError, ChatSender, FetchedMedia, OutboundBody, OutboundChat, SentChat, http_client, read_bounded, transport,
    validate,
};
use super::{ChatChannel, MediaRef, MediaSource, Secret};

/// One shop's Facebook Page (Messenger) or Instagram professional account.
#[derive(Clone, Debug)]
pub struct GraphMessagingConfig {
    /// [`ChatChannel::Messenger`] or [`ChatChannel::Instagram`].
    pub channel: ChatChannel,
    /// The Graph API's base URL ([`GRAPH_API_URL`]; the fake's in tests).
    pub base_url: String,
    /// The Graph API version ([`GRAPH_API_VERSION`]).
    pub api_version: String,
    /// The Page access token, with `pages_messaging` (and `instagram_manage_messages` for
    /// Instagram).
    pub page_access_token: Secret,
    /// How long to wait for an answer.
    pub timeout: Duration,
}

impl GraphMessagingConfig {
    /// A configuration calling Meta's Graph API at its current version, waiting 15 seconds.
    pub fn new(channel: ChatChannel, page_access_token: Secret) -> Self {
        Self {
            channel,
            base_url: GRAPH_API_URL.to_owned(),
            api_version: GRAPH_API_VERSION.to_owned(),
            page_access_token,
            timeout: Duration::from_secs(15),
        }
    }
}

/// Sends from one shop's Page or Instagram account.
#[derive(Clone, Debug)]
pub struct GraphMessagingSender {
    client: reqwest::Client,
    config: GraphMessagingConfig,
}

#[derive(Deserialize)]
struct SendAnswer {
    recipient_id: Option<String>,
    message_id: String,
}

impl GraphMessagingSender {
    /// A sender for `config`; refuses a channel other than Messenger or Instagram.
    pub fn new(config: GraphMessagingConfig) -> Result<Self, ChatApiError> {
        if !matches!(config.channel, ChatChannel::Messenger | ChatChannel::Instagram) {
            return Err(ChatApiError::Unsupported("the Send API outside Messenger and Instagram"));
        }
        Ok(Self { client: http_client(config.timeout)?, config })
    }

    /// The request body the Send API documents for `message`.
    pub fn request_body(message: &OutboundChat) -> Result<Value, ChatApiError> {
        let (text, tag) = match &message.body {
            OutboundBody::Text(text) => (text, None),
            OutboundBody::TaggedText { text, tag } => (text, Some(tag)),
            OutboundBody::Template(_) => return Err(ChatApiError::Unsupported("WhatsApp templates")),
        };
        let mut body = json!({
            "recipient": { "id": message.to },
            "messaging_type": "RESPONSE",
            "message": { "text": text, "metadata": message.outbound_id },
        });
        if let Some(tag) = tag {
            body["messaging_type"] = json!("MESSAGE_TAG");
            body["tag"] = json!(tag.as_str());
        }
        Ok(body)
    }
}

#[async_trait]
impl ChatSender for GraphMessagingSender {
    fn channel(&self) -> ChatChannel {
        self.config.channel
    }

    async fn send(&self, message: &OutboundChat) -> Result<SentChat, ChatApiError> {
        validate(self.config.channel, message)?;
        let body = Self::request_body(message)?;
        let url = format!("{}/{}/me/messages", self.config.base_url.trim_end_matches('/'), self.config.api_version);
        let answer: SendAnswer = post_json(&self.client, &url, &self.config.page_access_token, &body).await?;
        Ok(SentChat { provider_message_id: answer.message_id, recipient_id: answer.recipient_id })
    }

    async fn fetch_media(&self, media: &MediaRef, max_bytes: u64) -> Result<FetchedMedia, ChatApiError> {
        let MediaSource::Url(url) = &media.source else {
            return Err(ChatApiError::Unsupported("media by provider id"));
        };
        // The URL came in a signed delivery from Meta and points at its CDN, which signs the URL
        // itself: no token is sent with it, so a wrong URL leaks nothing.
        if !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(ChatApiError::Invalid("an attachment URL must be http(s)".into()));
        }
        let response = self.client.get(url).send().await.map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            // An expired CDN link answers 403 or 404 and will not come back.
            return Err(if status.is_server_error() {
                ChatApiError::Unavailable { detail: format!("HTTP {status}"), retry_after: None }
            } else {
                ChatApiError::Rejected { code: Some(i64::from(status.as_u16())), detail: format!("HTTP {status}") }
            });
        }
        let mime_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .or_else(|| media.mime_type.clone());
        let bytes = read_bounded(response, max_bytes).await?;
        Ok(FetchedMedia { bytes, mime_type })
    }
}
