//! Sending on WhatsApp through Meta's Cloud API: `POST /{version}/{phone_number_id}/messages`
//! with a bearer token, text (`type: text`) inside the customer-service window and approved
//! templates (`type: template`) outside it; the caller's outbound id rides in
//! `biz_opaque_callback_data`, which every status webhook for the message carries back. Media a
//! customer sent is resolved with `GET /{version}/{media_id}` (a short-lived URL, its MIME type
//! and SHA-256) and downloaded from that URL with the same token.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::graph::{GRAPH_API_URL, GRAPH_API_VERSION, get_json, post_json};
use super::send::{
    ChatApiError, ChatSender, FetchedMedia, OutboundBody, OutboundChat, SentChat, http_client, read_bounded, transport,
    validate,
};
use super::{ChatChannel, MediaRef, MediaSource, Secret};

/// One shop's WhatsApp Business phone number.
#[derive(Clone, Debug)]
pub struct WhatsAppConfig {
    /// The Graph API's base URL ([`GRAPH_API_URL`]; the fake's in tests).
    pub base_url: String,
    /// The Graph API version ([`GRAPH_API_VERSION`]).
    pub api_version: String,
    /// The business phone number's id (not the number itself): the account inbound messages name.
    pub phone_number_id: String,
    /// A system user's access token with `whatsapp_business_messaging`.
    pub access_token: Secret,
    /// How long to wait for an answer.
    pub timeout: Duration,
}

impl WhatsAppConfig {
    /// A configuration calling Meta's Graph API at its current version, waiting 15 seconds.
    pub fn new(phone_number_id: impl Into<String>, access_token: Secret) -> Self {
        Self {
            base_url: GRAPH_API_URL.to_owned(),
            api_version: GRAPH_API_VERSION.to_owned(),
            phone_number_id: phone_number_id.into(),
            access_token,
            timeout: Duration::from_secs(15),
        }
    }
}

/// Sends from one shop's WhatsApp number.
#[derive(Clone, Debug)]
pub struct WhatsAppSender {
    client: reqwest::Client,
    config: WhatsAppConfig,
}

#[derive(Deserialize)]
struct SendAnswer {
    #[serde(default)]
    contacts: Vec<AnswerContact>,
    messages: Vec<AnswerMessage>,
}

#[derive(Deserialize)]
struct AnswerContact {
    wa_id: Option<String>,
}

#[derive(Deserialize)]
struct AnswerMessage {
    id: String,
}

#[derive(Deserialize)]
struct MediaInfo {
    url: String,
    mime_type: Option<String>,
    sha256: Option<String>,
    file_size: Option<u64>,
}

impl WhatsAppSender {
    /// A sender for `config`.
    pub fn new(config: WhatsAppConfig) -> Result<Self, ChatApiError> {
        Ok(Self { client: http_client(config.timeout)?, config })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}/{path}", self.config.base_url.trim_end_matches('/'), self.config.api_version)
    }

    /// The request body the Cloud API documents for `message`.
    pub fn request_body(message: &OutboundChat) -> Result<Value, ChatApiError> {
        let mut body = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": message.to,
            "biz_opaque_callback_data": message.outbound_id,
        });
        match &message.body {
            OutboundBody::Text(text) => {
                body["type"] = json!("text");
                body["text"] = json!({ "preview_url": false, "body": text });
            }
            OutboundBody::Template(template) => {
                let parameters: Vec<Value> =
                    template.body_parameters.iter().map(|p| json!({ "type": "text", "text": p })).collect();
                let mut content = json!({ "name": template.name, "language": { "code": template.language } });
                if !parameters.is_empty() {
                    content["components"] = json!([{ "type": "body", "parameters": parameters }]);
                }
                body["type"] = json!("template");
                body["template"] = content;
            }
            OutboundBody::TaggedText { .. } => return Err(ChatApiError::Unsupported("message tags")),
        }
        if let Some(reply_to) = &message.reply_to {
            body["context"] = json!({ "message_id": reply_to });
        }
        Ok(body)
    }
}

#[async_trait]
impl ChatSender for WhatsAppSender {
    fn channel(&self) -> ChatChannel {
        ChatChannel::WhatsApp
    }

    async fn send(&self, message: &OutboundChat) -> Result<SentChat, ChatApiError> {
        validate(ChatChannel::WhatsApp, message)?;
        let body = Self::request_body(message)?;
        let url = self.url(&format!("{}/messages", self.config.phone_number_id));
        let answer: SendAnswer = post_json(&self.client, &url, &self.config.access_token, &body).await?;
        let id = answer
            .messages
            .into_iter()
            .next()
            .map(|m| m.id)
            .ok_or_else(|| ChatApiError::Protocol("an answer without a message id".into()))?;
        Ok(SentChat { provider_message_id: id, recipient_id: answer.contacts.into_iter().next().and_then(|c| c.wa_id) })
    }

    async fn fetch_media(&self, media: &MediaRef, max_bytes: u64) -> Result<FetchedMedia, ChatApiError> {
        let MediaSource::ProviderId(id) = &media.source else {
            return Err(ChatApiError::Unsupported("media by URL"));
        };
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(ChatApiError::Invalid("a WhatsApp media id is letters and digits".into()));
        }
        let info: MediaInfo = get_json(&self.client, &self.url(id), &self.config.access_token).await?;
        if info.file_size.is_some_and(|size| size > max_bytes) {
            return Err(ChatApiError::MediaTooLarge { limit: max_bytes });
        }
        // The download URL needs the same token; it is Meta's own, returned over the API.
        let response = self
            .client
            .get(&info.url)
            .bearer_auth(self.config.access_token.expose())
            .send()
            .await
            .map_err(transport)?;
        if !response.status().is_success() {
            let status = response.status().as_u16();
            let body = super::send::read_answer(response).await.unwrap_or_default();
            return Err(super::graph::classify(status, None, &body));
        }
        let bytes = read_bounded(response, max_bytes).await?;
        let expected = info.sha256.or_else(|| media.sha256.clone());
        if let Some(expected) = expected
            && !digest_matches(&Sha256::digest(&bytes), expected.trim())
        {
            return Err(ChatApiError::Protocol("the file's SHA-256 does not match Meta's".into()));
        }
        Ok(FetchedMedia { bytes, mime_type: info.mime_type.or_else(|| media.mime_type.clone()) })
    }
}

/// True when `given` is `digest` in hex or in padded standard base64: Meta's samples show the
/// webhook's `sha256` in base64, and hex is what a SHA-256 usually looks like, so both are taken.
pub(super) fn digest_matches(digest: &[u8], given: &str) -> bool {
    hex::encode(digest).eq_ignore_ascii_case(given) || base64(digest) == given
}

/// Standard base64 with padding (RFC 4648 §4), for [`digest_matches`] only.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
