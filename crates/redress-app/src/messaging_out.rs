//! Answers on messaging apps: an answer on a case the customer wrote to on WhatsApp, Messenger,
//! Instagram or Telegram goes back there, from the outbox, as mail does.
//!
//! - **Written** with the message, in the case change's transaction ([`outbound_chat`]): to the
//!   conversation and from the account of the customer's last message on the case.
//! - **Sent** by the outbox worker's chat lane ([`send_chat`]) with the account's access token
//!   (sealed at rest under the server's secrets key). The customer-service window is decided at
//!   each attempt from the customer's last message: free text within 24 hours; on Messenger and
//!   Instagram the `HUMAN_AGENT` tag up to 7 days when the account has that permission; otherwise
//!   the entry is given up with the reason in words, for the desk. Texts over the channel's
//!   limit go as several messages.
//! - **Exactly once**, as far as the providers allow: none takes an idempotency key, so every
//!   send carries the entry's id in the provider's correlation field. A send whose answer was
//!   lost is not repeated at once: the provider's status report carrying the id back settles it
//!   as sent ([`apply_statuses`]); only if none came by the next attempt is it sent again
//!   (a rare duplicate rather than a lost answer). Telegram carries nothing back, so there a
//!   lost answer is simply sent again.
//! - **Followed**: delivered and read reports are kept on the entry; a failure report ends it
//!   with the provider's reason, so the desk can show it and send it again.

use rand::Rng;
use redress_connect::messaging::messenger::{GraphMessagingConfig, GraphMessagingSender};
use redress_connect::messaging::send::{ChatApiError, ChatSender, OutboundBody, OutboundChat, Template};
use redress_connect::messaging::telegram::{TelegramConfig, TelegramSender};
use redress_connect::messaging::whatsapp::{WhatsAppConfig, WhatsAppSender};
use redress_connect::messaging::window::{ReplyAllowance, reply_allowance};
use redress_connect::messaging::{ChatChannel, DeliveryStatus, InboundChatMessage, MediaKind, Secret, StatusUpdate};
use redress_domain::message::MAX_IMAGE_BYTES;
use redress_domain::{Case, MessageId};
use redress_storage::Storage;
use redress_storage::channels::{
    ChannelAccount, ChannelWrites, ChatTemplate, Delivery, DeliveryKey, OutboxEntry, OutboxStatus, OutgoingChat,
    OutgoingMessage,
};
use time::Duration;

use crate::App;
use crate::attachments::Photo;
use crate::clock::Clock;
use crate::error::AppResult;
use crate::outbox::{Attempt, OutboxError, OutboxPolicy};
use crate::platforms::SecretsKey;

/// How long a send whose answer was lost waits for the provider's status report before it is
/// sent again.
const SETTLE_WAIT: Duration = Duration::minutes(5);

/// Where the messaging providers' APIs are: theirs by default, a local fake in tests and demos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatApis {
    /// Meta's Graph API (WhatsApp, Messenger, Instagram).
    pub graph_url: String,
    /// Telegram's Bot API.
    pub telegram_url: String,
}

impl Default for ChatApis {
    fn default() -> Self {
        Self {
            graph_url: redress_connect::messaging::GRAPH_API_URL.to_owned(),
            telegram_url: redress_connect::messaging::telegram::TELEGRAM_API_URL.to_owned(),
        }
    }
}

/// The context an account's credentials are sealed for: another account's sealed bytes do not
/// open under it.
pub(crate) fn sealing_context(account: &ChannelAccount, what: &str) -> String {
    format!("messaging {what} {} {} {}", account.store_id, account.channel, account.account_id)
}

/// The channel a stored name stands for.
pub(crate) fn chat_channel(name: &str) -> Option<ChatChannel> {
    [ChatChannel::WhatsApp, ChatChannel::Messenger, ChatChannel::Instagram, ChatChannel::Telegram]
        .into_iter()
        .find(|c| c.as_str() == name)
}

/// The outbox entry sending `body` on the messaging app the case's customer last wrote on,
/// when they did; nothing otherwise (logged).
pub(crate) async fn outbound_chat(
    app: &App,
    case: &Case,
    message_id: MessageId,
    body: &str,
    automatic: bool,
) -> AppResult<ChannelWrites> {
    let Some(last) = app.storage().channels().last_chat(case.store_id, case.id).await? else {
        tracing::warn!(case = %case.id, "a messaging case has no message from the customer to answer");
        return Ok(ChannelWrites::default());
    };
    let received: InboundChatMessage = match serde_json::from_slice(&last.raw) {
        Ok(message) => message,
        Err(e) => {
            tracing::warn!(case = %case.id, error = %e, "the customer's last chat message cannot be read back");
            return Ok(ChannelWrites::default());
        }
    };
    let answer = ChatAnswer { case_message: Some((case.id, message_id)), language: case.language.as_str(), automatic };
    let mut entry = chat_answer(app, case.store_id, &received, last.received_at, body, answer);
    if let OutgoingMessage::Chat(chat) = &mut entry.message
        && received.channel == ChatChannel::WhatsApp
    {
        chat.template = template_for(app, case).await?;
    }
    Ok(ChannelWrites { inbound: None, outbox: Some(entry) })
}

/// The shop's approved WhatsApp template for an answer on `case` that must wait outside the
/// window: the case's number and a signed link to it in the portal, where the answer is.
async fn template_for(app: &App, case: &Case) -> AppResult<Option<ChatTemplate>> {
    let rules = crate::resolution::policy_in_force(app, case.store_id).await?.messaging;
    let Some((name, language)) = rules.whatsapp_template_for(case.language.as_str()) else { return Ok(None) };
    let store = app.storage().store(case.store_id).await?;
    let link = app.order_link(&store, case.order_id);
    Ok(Some(ChatTemplate {
        name: name.to_owned(),
        language: language.to_owned(),
        parameters: vec![case.number.to_string(), link],
    }))
}

/// What an answer on a messaging app is, besides its words.
pub(crate) struct ChatAnswer<'a> {
    /// The case and the message on it the answer sends; none for the assistant's answers
    /// before a case exists.
    pub case_message: Option<(redress_domain::CaseId, MessageId)>,
    /// The language it is in.
    pub language: &'a str,
    /// Written by Redress, not by a person.
    pub automatic: bool,
}

/// The outbox entry answering `received` (a customer's message that came at `received_at`)
/// with `body`, in the same conversation, from the account it came to, quoting it.
pub(crate) fn chat_answer(
    app: &App,
    store_id: redress_domain::StoreId,
    received: &InboundChatMessage,
    received_at: time::OffsetDateTime,
    body: &str,
    answer: ChatAnswer<'_>,
) -> OutboxEntry {
    let id = uuid::Uuid::now_v7();
    let now = app.now();
    OutboxEntry {
        id,
        store_id,
        case_message: answer.case_message,
        channel: received.channel.as_str().to_owned(),
        // The id the providers carry back in their reports.
        provider_message_id: id.to_string(),
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        created_at: now,
        sent_at: None,
        delivered_as: None,
        delivery: None,
        message: OutgoingMessage::Chat(OutgoingChat {
            account_id: received.account_id.clone(),
            to: received.conversation_id.clone(),
            to_name: received.sender.phone.clone().or_else(|| received.sender.display_name.clone()),
            text: body.trim().to_owned(),
            reply_to: Some(received.provider_message_id.clone()),
            last_inbound_at: received_at,
            language: answer.language.to_owned(),
            automatic: answer.automatic,
            template: None,
        }),
    }
}

/// The chat lane of the outbox worker: the providers' addresses and the key opening the
/// accounts' tokens.
#[derive(Clone, Debug)]
pub struct ChatLane {
    apis: ChatApis,
    key: SecretsKey,
}

impl ChatLane {
    /// The lane sending through `apis` with tokens sealed under `key`.
    pub fn new(apis: ChatApis, key: SecretsKey) -> Self {
        Self { apis, key }
    }
}

/// The account's access token, opened with `key`; `None` when it keeps none.
fn token_of(key: &SecretsKey, account: &ChannelAccount) -> AppResult<Option<Secret>> {
    let Some(sealed) = &account.sealed_token else { return Ok(None) };
    let token = key.open(&sealing_context(account, "token"), sealed)?;
    Ok(Some(Secret::new(String::from_utf8_lossy(&token).into_owned())))
}

/// The sender for one account of `channel`, through `apis`.
fn sender_for(
    apis: &ChatApis,
    channel: ChatChannel,
    account: &ChannelAccount,
    token: Secret,
) -> Result<Box<dyn ChatSender>, ChatApiError> {
    Ok(match channel {
        ChatChannel::WhatsApp => {
            let config =
                WhatsAppConfig { base_url: apis.graph_url.clone(), ..WhatsAppConfig::new(&account.account_id, token) };
            Box::new(WhatsAppSender::new(config)?)
        }
        ChatChannel::Messenger | ChatChannel::Instagram => {
            let config =
                GraphMessagingConfig { base_url: apis.graph_url.clone(), ..GraphMessagingConfig::new(channel, token) };
            Box::new(GraphMessagingSender::new(config)?)
        }
        ChatChannel::Telegram => {
            let config = TelegramConfig { base_url: apis.telegram_url.clone(), ..TelegramConfig::new(token) };
            Box::new(TelegramSender::new(config)?)
        }
    })
}

/// The most photos kept from one message.
const MAX_PHOTOS_PER_MESSAGE: usize = 5;

/// The photos a customer sent with `message`, fetched with the account's token and cleaned
/// like the portal's; none when the account keeps no token. A photo that cannot be fetched or
/// is not a photo is left out (logged): the message is kept either way.
pub(crate) async fn fetch_photos(app: &App, message: &InboundChatMessage) -> Vec<Photo> {
    let images: Vec<_> =
        message.media.iter().filter(|m| m.kind == MediaKind::Image).take(MAX_PHOTOS_PER_MESSAGE).collect();
    if images.is_empty() {
        return Vec::new();
    }
    let account = match app.storage().channels().channel_account(message.channel.as_str(), &message.account_id).await {
        Ok(Some(account)) => account,
        Ok(None) => return Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the account to fetch a customer's photos");
            return Vec::new();
        }
    };
    let Ok(key) = app.secrets() else { return Vec::new() };
    let token = match token_of(key, &account) {
        Ok(Some(token)) => token,
        Ok(None) => return Vec::new(),
        Err(e) => {
            tracing::warn!(error = %e.message, "cannot open the account's token to fetch a customer's photos");
            return Vec::new();
        }
    };
    let sender = match sender_for(app.chat_apis(), message.channel, &account, token) {
        Ok(sender) => sender,
        Err(e) => {
            tracing::warn!(error = %e, "cannot fetch a customer's photos");
            return Vec::new();
        }
    };
    let mut photos = Vec::new();
    for (n, media) in images.into_iter().enumerate() {
        let fetched = match sender.fetch_media(media, MAX_IMAGE_BYTES as u64).await {
            Ok(fetched) => fetched,
            Err(e) => {
                tracing::warn!(error = %e, channel = %message.channel, "a customer's photo could not be fetched");
                continue;
            }
        };
        let extension = match fetched.mime_type.as_deref().or(media.mime_type.as_deref()) {
            Some("image/png") => "png",
            Some("image/webp") => "webp",
            _ => "jpg",
        };
        let name =
            media.file_name.clone().unwrap_or_else(|| format!("{}-photo-{}.{extension}", message.channel, n + 1));
        match Photo::clean(&name, &fetched.bytes, "media") {
            Ok(photo) => photos.push(photo),
            Err(e) => tracing::warn!(error = %e.message, "a customer's file is not a photo Redress keeps"),
        }
    }
    photos
}

/// What to send for an entry (the sender, the messages, the channel), or why it cannot be
/// sent, in words for the desk.
async fn prepare(
    storage: &dyn Storage,
    lane: &ChatLane,
    entry: &OutboxEntry,
    now: time::OffsetDateTime,
) -> Result<Result<(Box<dyn ChatSender>, Vec<OutboundBody>, ChatChannel), String>, OutboxError> {
    let (Some(channel), OutgoingMessage::Chat(chat)) = (chat_channel(&entry.channel), &entry.message) else {
        return Ok(Err(format!("an outbox entry on `{}` is not a messaging answer", entry.channel)));
    };
    let Some(account) = storage.channels().channel_account(&entry.channel, &chat.account_id).await? else {
        return Ok(Err(format!("the {channel} account {} is no longer registered with the shop", chat.account_id)));
    };
    let token = match token_of(&lane.key, &account) {
        Ok(Some(token)) => token,
        Ok(None) => {
            return Ok(Err(format!(
                "no access token for the {channel} account {}: register it again with its access token",
                chat.account_id
            )));
        }
        Err(e) => return Ok(Err(e.message)),
    };
    let parts = channel.text_limit().split(&chat.text);
    let bodies = match reply_allowance(channel, Some(chat.last_inbound_at), now, account.human_agent) {
        ReplyAllowance::FreeForm { .. } => parts.into_iter().map(OutboundBody::Text).collect(),
        ReplyAllowance::Tagged { tag, .. } => {
            parts.into_iter().map(|text| OutboundBody::TaggedText { text, tag }).collect()
        }
        ReplyAllowance::TemplateOnly if chat.template.is_some() => chat
            .template
            .iter()
            .map(|t| {
                OutboundBody::Template(Template {
                    name: t.name.clone(),
                    language: t.language.clone(),
                    body_parameters: t.parameters.clone(),
                })
            })
            .collect(),
        ReplyAllowance::TemplateOnly => {
            return Ok(Err(
                "WhatsApp takes only approved templates more than 24 hours after the customer's last message: \
                 answer by email, wait for the customer to write again, or name the shop's approved template in \
                 the policy ([messaging] whatsapp_template)"
                    .to_owned(),
            ));
        }
        ReplyAllowance::Closed => {
            return Ok(Err(format!(
                "{channel} allows no answer this long after the customer's last message: answer by email, or wait \
                 for the customer to write again"
            )));
        }
    };
    match sender_for(&lane.apis, channel, &account, token) {
        Ok(sender) => Ok(Ok((sender, bodies, channel))),
        Err(e) => Ok(Err(e.to_string())),
    }
}

/// Sends one claimed messaging entry and records the answer.
pub(crate) async fn send_chat(
    storage: &dyn Storage,
    clock: &dyn Clock,
    lane: &ChatLane,
    policy: &OutboxPolicy,
    entry: OutboxEntry,
) -> Result<Attempt, OutboxError> {
    let channels = storage.channels();
    let now = clock.now();
    let (sender, bodies, channel) = match prepare(storage, lane, &entry, now).await? {
        Ok(ready) => ready,
        Err(reason) => {
            tracing::warn!(entry = %entry.id, %reason, "a messaging answer cannot be sent");
            channels.outbox_failed(entry.id, &reason, None).await?;
            return Ok(Attempt::Dead);
        }
    };
    let OutgoingMessage::Chat(chat) = &entry.message else { return Ok(Attempt::Dead) };
    let mut first_id = None;
    let mut failure = None;
    for (part, body) in bodies.into_iter().enumerate() {
        // Each part carries the entry's id back; later parts are told apart by their number.
        let outbound_id = if part == 0 { entry.id.to_string() } else { format!("{}:{part}", entry.id) };
        let message = OutboundChat {
            outbound_id,
            to: chat.to.clone(),
            body,
            reply_to: chat.reply_to.clone().filter(|_| part == 0),
        };
        match sender.send(&message).await {
            Ok(sent) => {
                first_id.get_or_insert(sent.provider_message_id);
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    let Some(error) = failure else {
        channels.outbox_sent(entry.id, clock.now(), first_id.as_deref()).await?;
        return Ok(Attempt::Sent);
    };
    let text = error.to_string();
    // A lost answer on a provider that reports back waits for the report before sending again.
    let settles_by_report = error.may_have_been_sent() && channel != ChatChannel::Telegram;
    if error.is_retryable() && entry.attempts < policy.max_attempts {
        let jitter = rand::rng().random::<f64>();
        let mut wait = policy.retry_delay(entry.attempts, jitter);
        if settles_by_report {
            wait = wait.max(SETTLE_WAIT);
        }
        if let Some(hint) = error.retry_after().and_then(|d| Duration::try_from(d).ok()) {
            wait = wait.max(hint);
        }
        tracing::warn!(entry = %entry.id, attempts = entry.attempts, error = %text, "a messaging answer will be tried again");
        channels.outbox_failed(entry.id, &text, Some(clock.now() + wait)).await?;
        return Ok(Attempt::Retrying);
    }
    tracing::error!(entry = %entry.id, attempts = entry.attempts, error = %text, "a messaging answer was given up");
    channels.outbox_failed(entry.id, &text, None).await?;
    Ok(Attempt::Dead)
}

/// Applies providers' status reports to the answers they name; the number applied.
pub(crate) async fn apply_statuses(app: &App, statuses: &[StatusUpdate]) -> AppResult<u32> {
    let mut applied = 0;
    for status in statuses {
        let reported = match status.status {
            DeliveryStatus::Sent => Delivery::Sent,
            DeliveryStatus::Delivered => Delivery::Delivered,
            DeliveryStatus::Read => Delivery::Read,
            DeliveryStatus::Failed => Delivery::Failed,
        };
        let entry_id = status
            .outbound_id
            .as_deref()
            .and_then(|id| id.split(':').next())
            .and_then(|id| id.parse::<uuid::Uuid>().ok());
        let key = DeliveryKey { provider_id: status.provider_message_id.clone(), entry_id };
        let error = status.error.as_ref().map(|e| {
            let code = e.code.map(|c| format!("{c} ")).unwrap_or_default();
            match &e.details {
                Some(details) => format!("{code}{}: {details}", e.title),
                None => format!("{code}{}", e.title),
            }
        });
        if app
            .storage()
            .channels()
            .outbox_delivery(status.channel.as_str(), &key, reported, error.as_deref(), app.now())
            .await?
        {
            applied += 1;
        }
    }
    Ok(applied)
}
