//! Messaging apps in: Meta's webhook (WhatsApp Cloud API, Messenger, Instagram) checked by its
//! `X-Hub-Signature-256`, each customer message received into a case.
//!
//! A message is routed to the store that registered the account it was sent to (the WhatsApp
//! phone number id, the Page id), dropped if it came before (by the provider's message id,
//! recorded in the case change's transaction), and continues the open case of its sender: the
//! customer the identity is linked to (whatever channel their case came on), else the last
//! case this sender wrote to; otherwise it opens a case read by understanding.
//!
//! Where the store's policy has the assistant answer on messaging apps
//! (`[assistant] on_messaging_apps`), a message that continues no person's case goes to the
//! assistant instead ([`to_assistant`]): its conversation is found by the sender's identity,
//! and the message received, the conversation's new state and the answer to send are saved in
//! one transaction, so a provider's redelivery is answered once. When the assistant hands
//! over, the case it opens is a messaging case: a person's answers go back to the app.

/// The query Meta's subscription check sends (`hub.mode`, `hub.verify_token`, `hub.challenge`).
pub use redress_connect::messaging::meta::SubscriptionQuery;
use redress_connect::messaging::meta::{self, ChallengeError};
use redress_connect::messaging::telegram::{self, TelegramConfig, TelegramSender};
use redress_connect::messaging::{ChatChannel, InboundChatMessage, Secret, WebhookError};
use redress_domain::{Actor, Channel, Direction, Message, MessageId, StoreId};
use redress_storage::channels::{ChannelAccount, ChannelWrites, IdentityKind, InboundOutcome, InboundRecord};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::caller::{Action, Caller, SystemRule};
use crate::cases::{Arrival, FirstMessage, OpenCase, adding, open_received};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::messaging_out::sealing_context;
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

/// A messaging account a store receives on and answers from.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MessagingAccount {
    /// `whatsapp`, `messenger`, `instagram` or `telegram`.
    pub channel: String,
    /// The WhatsApp phone number id, the Facebook Page id or the Instagram account id; for
    /// Telegram the bot's id, which may be left out (it is the token's first part).
    #[serde(default)]
    pub account_id: Option<String>,
    /// The token answers are sent with: a WhatsApp system user's, the Page's (Messenger,
    /// Instagram), the bot's from @BotFather (Telegram; required). Kept sealed, never shown
    /// again. Without one, messages are received but answers cannot be sent.
    #[serde(default)]
    pub access_token: Option<String>,
    /// Meta granted the app the Human Agent permission: on Messenger and Instagram a person may
    /// answer up to 7 days after the customer's last message instead of 24 hours.
    #[serde(default)]
    pub human_agent: bool,
    /// Telegram: the address the server is reached at from the internet (`https://…`); when
    /// given, Redress registers its webhook with Telegram itself.
    #[serde(default)]
    pub webhook_base_url: Option<String>,
}

/// A registered messaging account.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountRegistered {
    /// The channel.
    pub channel: String,
    /// The account's id.
    pub account_id: String,
    /// True when answers can be sent (an access token is kept).
    pub answers: bool,
    /// Telegram: the path Telegram delivers the bot's updates to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_path: Option<String>,
    /// Telegram: the secret token Telegram must send with each update (shown this once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    /// Telegram: true when Redress registered the webhook with Telegram.
    pub webhook_registered: bool,
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
    /// Reports on answers sent (sent, delivered, read, failed) that moved an answer forward.
    #[serde(default)]
    pub statuses: u32,
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
        skipped: count(batch.skipped.len() + batch.watermarks.len()),
        statuses: crate::messaging_out::apply_statuses(app, &batch.statuses).await?,
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

/// The identity writing, as the assistant's conversations know it: `channel:sender`.
fn chat_sender(message: &InboundChatMessage) -> String {
    format!("{}:{}", message.channel.as_str(), message.sender.user_id)
}

/// Stores one customer message on its case, or gives it to the assistant; false when it came
/// before.
async fn receive_chat(app: &App, caller: &Caller, message: &InboundChatMessage) -> AppResult<bool> {
    let store_id: StoreId = caller.require(Action::WorkCases)?;
    let storage = app.storage().channels();
    let channel = message.channel.as_str();
    if storage.received(store_id, channel, &message.provider_message_id).await?.is_some() {
        return Ok(false);
    }
    let sender = &message.sender.user_id;
    let store = app.storage().store(store_id).await?;
    let assistant_answers = crate::resolution::policy_in_force(app, store_id).await?.assistant.on_messaging_apps;
    let conversation = match assistant_answers {
        true => crate::assistant::conversation_of_sender(app, &store, &chat_sender(message)).await?,
        false => None,
    };
    let customer = storage.customer_of_identity(store_id, identity_kind(message.channel), sender).await?;
    // A conversation the assistant still holds continues with it.
    if let Some(stored) = conversation.filter(|c| !c.conversation.handed_off) {
        return to_assistant(app, caller, (&store, customer), message, Some(stored)).await;
    }
    let case = match customer {
        Some(customer) => storage.open_case_of_customer(store_id, customer).await?,
        None => None,
    };
    let case = match case {
        Some(case) => Some(case),
        None => storage.open_case_of_sender(store_id, channel, sender).await?,
    };
    if case.is_none() && assistant_answers {
        return to_assistant(app, caller, (&store, customer), message, None).await;
    }
    to_person(app, caller, message, case, customer).await
}

/// Stores a customer's message for a person: on `case`, or on a new case read by
/// understanding; false when it came before.
async fn to_person(
    app: &App,
    caller: &Caller,
    message: &InboundChatMessage,
    case: Option<redress_domain::Case>,
    customer: Option<redress_domain::CustomerId>,
) -> AppResult<bool> {
    let store_id: StoreId = caller.require(Action::WorkCases)?;
    let storage = app.storage().channels();
    let channel = message.channel.as_str();
    let sender = &message.sender.user_id;
    let handle = message
        .sender
        .phone
        .clone()
        .or_else(|| message.sender.display_name.clone())
        .unwrap_or_else(|| format!("{channel} {sender}"));
    let photos = crate::messaging_out::fetch_photos(app, message).await;
    let attachments: Vec<_> = photos.iter().map(crate::attachments::Photo::attachment).collect();
    let body = match message.text.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => text.to_owned(),
        _ if !photos.is_empty() => format!("({} photo(s) sent on {channel})", photos.len()),
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
                attachments: attachments.clone(),
                created_at: app.now(),
            };
            let record = InboundRecord { case_id: Some(case.id), message_id: Some(added.id), ..record };
            let writes = ChannelWrites { inbound: Some(record), outbox: None };
            storage
                .update_case_with(store_id, case.id, adding(added), writes)
                .await
                .map(|_| case.id)
                .map_err(AppError::from)
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
                message: FirstMessage { body, attachments },
                lines: Vec::new(),
            };
            let record = InboundRecord { outcome: InboundOutcome::CaseOpened, ..record };
            let arrival = Arrival { customer, handle: Some(handle), record: Some(record) };
            open_received(app, caller, input, arrival).await.map(|view| view.case.id)
        }
    };
    match stored {
        Ok(case_id) => {
            // The photos' files, kept beside the case as the portal's are (their names are on
            // the message already).
            if !photos.is_empty()
                && let Err(e) = crate::attachments::save(app, caller, case_id, photos).await
            {
                tracing::warn!(error = ?e, "cannot keep the photos of a chat message");
            }
            Ok(true)
        }
        // Delivered twice at once: the other delivery stored it.
        Err(e) if e.code == ErrorCode::Duplicate => Ok(false),
        Err(e) => Err(e),
    }
}

/// Answers a customer's message with the assistant, as the identity `chat_sender` writing on
/// a messaging app; false when the message came before. The customer an identity is linked to
/// (by an agent) has proved they hold their latest order, as a portal link proves it.
async fn to_assistant(
    app: &App,
    caller: &Caller,
    (store, customer): (&redress_domain::Store, Option<redress_domain::CustomerId>),
    message: &InboundChatMessage,
    stored: Option<redress_storage::assistant::StoredConversation>,
) -> AppResult<bool> {
    let chat_sender = &chat_sender(message);
    let words = message.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let Some(words) = words else {
        // Photos or files alone: the assistant reads words. They go with the case the
        // conversation opened (a claim waiting for photos), else to a person.
        let case = match stored.and_then(|s| s.conversation.case_id) {
            Some(case_id) => Some(app.storage().case(store.id, case_id).await?),
            None => None,
        };
        return to_person(app, caller, message, case, customer).await;
    };
    let text: String = words.chars().take(redress_domain::assistant::MAX_TEXT_CHARS).collect();
    let language = message.sender.language.as_deref().filter(|l| redress_domain::LanguageTag::parse(l).is_ok());
    let (text, language) = crate::assistant::read_turn(&text, language)?;
    let holds = match customer {
        Some(customer) => app
            .storage()
            .orders_of_customer(store.id, customer)
            .await?
            .into_iter()
            .max_by_key(|o| o.placed_at)
            .map(|o| o.id),
        None => None,
    };
    let visitor = crate::assistant::Visitor { source: chat_sender, holds };
    let answered = crate::assistant::answer(app, store, visitor, stored, Some(chat_sender), text, language).await?;
    let conversation = &answered.conversation;
    let now = app.now();
    let record = InboundRecord {
        id: uuid::Uuid::now_v7(),
        store_id: store.id,
        channel: message.channel.as_str().to_owned(),
        provider_message_id: message.provider_message_id.clone(),
        // The case the conversation opened, so a person's answers on it find the chat to go to.
        case_id: conversation.case_id,
        message_id: None,
        outcome: InboundOutcome::Threaded,
        sender: Some(message.sender.user_id.clone()),
        received_at: now,
        raw: serde_json::to_vec(message).map_err(AppError::internal)?,
    };
    let body = answered.replies.join("\n\n");
    let outbox = (!body.trim().is_empty()).then(|| {
        let answer = crate::messaging_out::ChatAnswer {
            case_message: None,
            language: conversation.language.as_str(),
            automatic: true,
        };
        crate::messaging_out::chat_answer(app, store.id, message, now, &body, answer)
    });
    let writes = ChannelWrites { inbound: Some(record), outbox };
    match app.storage().assistant().save_conversation(conversation, answered.version, &writes).await {
        Ok(()) => Ok(true),
        // Delivered twice at once: the other delivery answered it.
        Err(redress_storage::StorageError::Conflict(redress_storage::Conflict::Duplicate(_))) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The longest access token taken.
const MAX_TOKEN_CHARS: usize = 1000;

/// Receives a messaging account's messages for the caller's store and answers from it (an
/// admin's setting); registering it again replaces its token.
pub async fn add_account(app: &App, caller: &Caller, input: MessagingAccount) -> AppResult<AccountRegistered> {
    let store_id = caller.require(Action::ManageSettings)?;
    let Some(channel) = crate::messaging_out::chat_channel(&input.channel) else {
        return Err(AppError::invalid("channel", "use whatsapp, messenger, instagram or telegram"));
    };
    let token = match input.access_token.as_deref().map(str::trim) {
        None => None,
        Some(token)
            if (1..=MAX_TOKEN_CHARS).contains(&token.chars().count())
                && !token.chars().any(|c| c.is_whitespace() || c.is_control()) =>
        {
            Some(Secret::new(token))
        }
        Some(_) => {
            return Err(AppError::invalid("access_token", "give the token as the provider shows it, without spaces"));
        }
    };
    let account_id = match (channel, &token, input.account_id.as_deref().map(str::trim)) {
        (ChatChannel::Telegram, None, _) => {
            return Err(AppError::invalid(
                "access_token",
                "a Telegram bot is registered with its token from @BotFather",
            ));
        }
        (ChatChannel::Telegram, Some(token), given) => {
            let Some(bot) = telegram::bot_id(token) else {
                return Err(AppError::invalid("access_token", "a bot token looks like 123456789:AA…"));
            };
            if given.is_some_and(|given| given != bot) {
                return Err(AppError::invalid("account_id", "the bot's id is the first part of its token"));
            }
            bot.to_owned()
        }
        (_, _, Some(given)) => given.to_owned(),
        (_, _, None) => return Err(AppError::invalid("account_id", "give the account's id")),
    };
    if account_id.is_empty() || account_id.len() > 100 || !account_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(AppError::invalid("account_id", "give the account's id: 1 to 100 letters and digits"));
    }
    let base_url = match input.webhook_base_url.as_deref().map(str::trim) {
        Some(url) if channel == ChatChannel::Telegram => Some(webhook_base(url)?),
        Some(_) => return Err(AppError::invalid("webhook_base_url", "only Telegram bots are registered this way")),
        None => None,
    };
    let mut account = ChannelAccount {
        store_id,
        channel: channel.as_str().to_owned(),
        account_id,
        sealed_token: None,
        sealed_webhook_secret: None,
        human_agent: input.human_agent,
    };
    let webhook_secret = (channel == ChatChannel::Telegram).then(|| {
        let bytes: [u8; 24] = rand::random();
        hex::encode(bytes)
    });
    if let Some(token) = &token {
        let key = app.secrets()?;
        account.sealed_token = Some(key.seal(&sealing_context(&account, "token"), token.expose().as_bytes())?);
        if let Some(secret) = &webhook_secret {
            account.sealed_webhook_secret = Some(key.seal(&sealing_context(&account, "webhook"), secret.as_bytes())?);
        }
    }
    app.storage().channels().add_channel_account(&account, app.now()).await.map_err(|e| match e {
        redress_storage::StorageError::Conflict(_) => {
            AppError::new(ErrorCode::Duplicate, "another shop receives on this account").at("account_id")
        }
        other => other.into(),
    })?;
    let webhook_path =
        (channel == ChatChannel::Telegram).then(|| format!("/api/v1/webhooks/telegram/{}", account.account_id));
    let mut webhook_registered = false;
    if let (Some(base), Some(path), Some(secret), Some(token)) = (base_url, &webhook_path, &webhook_secret, token) {
        let config = TelegramConfig { base_url: app.chat_apis().telegram_url.clone(), ..TelegramConfig::new(token) };
        let sender = TelegramSender::new(config).map_err(|e| AppError::invalid("access_token", e.to_string()))?;
        sender.set_webhook(&format!("{base}{path}"), &Secret::new(secret.as_str())).await.map_err(|e| {
            AppError::new(
                ErrorCode::Unavailable,
                format!("the bot is registered, but Telegram refused its webhook ({e}): register it again to retry"),
            )
        })?;
        webhook_registered = true;
    }
    Ok(AccountRegistered {
        channel: account.channel,
        account_id: account.account_id,
        answers: account.sealed_token.is_some(),
        webhook_path,
        webhook_secret,
        webhook_registered,
    })
}

/// The server's public address for a webhook: `https://host[:port][/prefix]`, without a
/// trailing slash, query or fragment.
fn webhook_base(text: &str) -> AppResult<String> {
    let refused = || {
        AppError::invalid(
            "webhook_base_url",
            "give the server's public https:// address, such as https://help.example.com",
        )
    };
    let url = url::Url::parse(text).map_err(|_| refused())?;
    if url.scheme() != "https" || url.host_str().is_none() || url.query().is_some() || url.fragment().is_some() {
        return Err(refused());
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// Receives a Telegram update for the bot `bot_id`, checked by the secret token Telegram sends
/// (`X-Telegram-Bot-Api-Secret-Token`), which Redress gave it when the bot was registered. An
/// unknown bot and a wrong token are refused alike.
pub async fn receive_telegram_webhook(
    app: &App,
    bot_id: &str,
    secret_token: Option<&str>,
    body: &[u8],
) -> AppResult<ChatReceipt> {
    let refused = || AppError::unauthorized("no valid X-Telegram-Bot-Api-Secret-Token for this bot");
    if body.len() > telegram::MAX_BODY_BYTES {
        return Err(AppError::new(ErrorCode::BodyTooLarge, "the update is larger than Telegram sends"));
    }
    let account = app.storage().channels().channel_account("telegram", bot_id).await?.ok_or_else(refused)?;
    let sealed = account.sealed_webhook_secret.as_deref().ok_or_else(refused)?;
    let expected = app.secrets()?.open(&sealing_context(&account, "webhook"), sealed)?;
    if !bool::from(secret_token.unwrap_or_default().as_bytes().ct_eq(&expected)) {
        return Err(refused());
    }
    let batch = telegram::parse(body, bot_id).map_err(|e| AppError::new(ErrorCode::InvalidBody, e.to_string()))?;
    let caller = Caller::System { store_id: account.store_id, rule: SystemRule::MessagingWebhook };
    let mut receipt = ChatReceipt { skipped: count(batch.skipped.len()), ..ChatReceipt::default() };
    for message in &batch.messages {
        if receive_chat(app, &caller, message).await? {
            receipt.received += 1;
        } else {
            receipt.duplicates += 1;
        }
    }
    Ok(receipt)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
