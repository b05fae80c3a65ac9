//! Messaging apps in: Meta's webhook (WhatsApp Cloud API, Messenger, Instagram) checked by its
//! `X-Hub-Signature-256`, each customer message received into a case.
//!
//! A message is routed to the store that registered the account it was sent to (the WhatsApp
//! phone number id, the Page id), dropped if it came before (by the provider's message id,
//! recorded in the case change's transaction), and continues the open case of its sender: the
//! customer the identity is linked to (whatever channel their case came on), else the last
//! case this sender wrote to; otherwise it opens a case read by understanding.

/// The query Meta's subscription check sends (`hub.mode`, `hub.verify_token`, `hub.challenge`).
pub use redress_connect::messaging::meta::SubscriptionQuery;
use redress_connect::messaging::meta::{self, ChallengeError};
use redress_connect::messaging::{ChatChannel, InboundChatMessage, Secret, WebhookError};
use redress_domain::{Actor, Channel, Direction, Message, MessageId, StoreId};
use redress_storage::channels::{ChannelWrites, IdentityKind, InboundOutcome, InboundRecord};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::caller::{Action, Caller, SystemRule};
use crate::cases::{Arrival, FirstMessage, OpenCase, adding, open_received};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::{App, new_id};

/// The deployment's Meta app: the secret its webhooks are signed with and the token its
/// subscription check carries.
pub struct MetaApp {
    app_secret: Secret,
    verify_token: Secret,
}

impl MetaApp {
    /// The Meta app with these secrets.
    pub fn new(app_secret: &str, verify_token: &str) -> Self {
        Self { app_secret: Secret::new(app_secret), verify_token: Secret::new(verify_token) }
    }
}

/// A messaging account a store receives on.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MessagingAccount {
    /// `whatsapp`, `messenger` or `instagram`.
    pub channel: String,
    /// The WhatsApp phone number id, the Facebook Page id or the Instagram account id.
    pub account_id: String,
}

/// What a webhook delivery did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatReceipt {
    /// Messages stored on a case.
    pub received: u32,
    /// Messages that came before.
    pub duplicates: u32,
    /// Messages for an account no store receives on, and events Redress does not use.
    pub skipped: u32,
}

fn meta_app(app: &App) -> AppResult<&MetaApp> {
    app.meta_app().ok_or_else(|| {
        AppError::unauthorized("Meta webhooks are not configured: start the server with --meta-app-secret")
    })
}

/// Answers Meta's subscription check with the challenge when the verify token matches.
pub fn answer_meta_challenge(app: &App, query: &SubscriptionQuery) -> AppResult<String> {
    meta::answer_challenge(query, &meta_app(app)?.verify_token).map_err(|e| match e {
        ChallengeError::WrongToken => AppError::forbidden("hub.verify_token does not match"),
        other => AppError::invalid("hub.challenge", other.to_string()),
    })
}

/// Receives a Meta webhook delivery: checks `signature` (the `X-Hub-Signature-256` header)
/// over the raw `body`, then stores each customer message (see the module's documentation).
/// Answered only after every message is stored, so Meta redelivers anything not stored.
pub async fn receive_meta_webhook(app: &App, signature: Option<&str>, body: &[u8]) -> AppResult<ChatReceipt> {
    let secret = &meta_app(app)?.app_secret;
    if body.len() > meta::MAX_BODY_BYTES {
        return Err(AppError::new(ErrorCode::BodyTooLarge, "the delivery is larger than Meta sends"));
    }
    let expected = meta::signature(body, secret);
    let given = signature.unwrap_or_default().trim();
    if !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(AppError::unauthorized("no valid X-Hub-Signature-256 for this body"));
    }
    let batch = meta::parse(body).map_err(|e| match e {
        WebhookError::Malformed { detail, .. } => AppError::new(ErrorCode::InvalidBody, detail),
        other => AppError::new(ErrorCode::InvalidBody, other.to_string()),
    })?;
    let mut receipt = ChatReceipt {
        skipped: u32::try_from(batch.skipped.len() + batch.statuses.len() + batch.watermarks.len()).unwrap_or(u32::MAX),
        ..ChatReceipt::default()
    };
    for message in &batch.messages {
        let channel = message.channel.as_str();
        let Some(store_id) = app.storage().channels().store_of_account(channel, &message.account_id).await? else {
            tracing::warn!(channel, account = %message.account_id, "a message for an account no store receives on");
            receipt.skipped += 1;
            continue;
        };
        let caller = Caller::System { store_id, rule: SystemRule::MessagingWebhook };
        if receive_chat(app, &caller, message).await? {
            receipt.received += 1;
        } else {
            receipt.duplicates += 1;
        }
    }
    Ok(receipt)
}

fn identity_kind(channel: ChatChannel) -> IdentityKind {
    match channel {
        ChatChannel::WhatsApp => IdentityKind::Whatsapp,
        ChatChannel::Messenger => IdentityKind::Messenger,
        ChatChannel::Instagram => IdentityKind::Instagram,
        ChatChannel::Telegram => IdentityKind::Telegram,
    }
}

/// Stores one customer message on its case; false when it came before.
async fn receive_chat(app: &App, caller: &Caller, message: &InboundChatMessage) -> AppResult<bool> {
    let store_id: StoreId = caller.require(Action::WorkCases)?;
    let storage = app.storage().channels();
    let channel = message.channel.as_str();
    if storage.received(store_id, channel, &message.provider_message_id).await?.is_some() {
        return Ok(false);
    }
    let sender = &message.sender.user_id;
    let customer = storage.customer_of_identity(store_id, identity_kind(message.channel), sender).await?;
    let case = match customer {
        Some(customer) => storage.open_case_of_customer(store_id, customer).await?,
        None => None,
    };
    let case = match case {
        Some(case) => Some(case),
        None => storage.open_case_of_sender(store_id, channel, sender).await?,
    };
    let handle = message
        .sender
        .phone
        .clone()
        .or_else(|| message.sender.display_name.clone())
        .unwrap_or_else(|| format!("{channel} {sender}"));
    let body = match message.text.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => text.to_owned(),
        _ => format!("({} file(s) sent on {channel}, not kept)", message.media.len()),
    };
    let record = InboundRecord {
        id: uuid::Uuid::now_v7(),
        store_id,
        channel: channel.to_owned(),
        provider_message_id: message.provider_message_id.clone(),
        case_id: None,
        message_id: None,
        outcome: InboundOutcome::Threaded,
        sender: Some(sender.clone()),
        received_at: app.now(),
        raw: serde_json::to_vec(message).map_err(AppError::internal)?,
    };
    let stored = match case {
        Some(case) => {
            let added = Message {
                id: new_id(MessageId::from_uuid),
                store_id,
                case_id: case.id,
                direction: Direction::Inbound,
                channel: Channel::Social,
                author: Actor::Customer { handle },
                body,
                attachments: Vec::new(),
                created_at: app.now(),
            };
            let record = InboundRecord { case_id: Some(case.id), message_id: Some(added.id), ..record };
            let writes = ChannelWrites { inbound: Some(record), outbox: None };
            storage.update_case_with(store_id, case.id, adding(added), writes).await.map(drop).map_err(AppError::from)
        }
        None => {
            let subject: String = body.lines().next().unwrap_or_default().chars().take(80).collect();
            let input = OpenCase {
                order_id: None,
                order_number: None,
                customer_email: None,
                subject,
                channel: Channel::Social,
                kind: None,
                language: message.sender.language.clone().filter(|l| redress_domain::LanguageTag::parse(l).is_ok()),
                sentiment: None,
                escalation: Vec::new(),
                message: FirstMessage { body, attachments: Vec::new() },
                lines: Vec::new(),
            };
            let record = InboundRecord { outcome: InboundOutcome::CaseOpened, ..record };
            let arrival = Arrival { customer, handle: Some(handle), record: Some(record) };
            open_received(app, caller, input, arrival).await.map(drop)
        }
    };
    match stored {
        Ok(()) => Ok(true),
        // Delivered twice at once: the other delivery stored it.
        Err(e) if e.code == ErrorCode::Duplicate => Ok(false),
        Err(e) => Err(e),
    }
}

/// Receives a messaging account's messages for the caller's store (an admin's setting).
pub async fn add_account(app: &App, caller: &Caller, input: MessagingAccount) -> AppResult<()> {
    let store_id = caller.require(Action::ManageSettings)?;
    let channel = match input.channel.as_str() {
        "whatsapp" | "messenger" | "instagram" => input.channel.clone(),
        _ => return Err(AppError::invalid("channel", "use whatsapp, messenger or instagram")),
    };
    let account = input.account_id.trim();
    if account.is_empty() || account.len() > 100 || !account.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid("account_id", "give the account's id: 1 to 100 letters and digits"));
    }
    app.storage().channels().add_channel_account(store_id, &channel, account, app.now()).await.map_err(|e| match e {
        redress_storage::StorageError::Conflict(_) => {
            AppError::new(ErrorCode::Duplicate, "another shop receives on this account").at("account_id")
        }
        other => other.into(),
    })
}
