//! Channels: where a store takes mail, mail received into cases, and answers on email cases
//! written to the outbox (which [`crate::outbox`] sends).
//!
//! A received mail, whatever the way in (the SMTP receiver, `POST /api/v1/inbound/email`):
//! 1. is read by the email parser; one that cannot be read is kept as a dead letter with the
//!    reason, so nothing accepted is lost;
//! 2. is looked up by its Message-ID: a redelivery answers what the first delivery did and
//!    changes nothing;
//! 3. from a machine (auto-reply, bounce, list, null envelope sender) is recorded and nothing
//!    else: no case, no answer, so two robots cannot loop;
//! 4. continues the case its threading headers name (In-Reply-To, References against every
//!    Message-ID received or sent), else the case its token names (`[#1234]` in the subject or
//!    `support+1234@`) when the sender is the case's customer, else opens a case through
//!    [`crate::cases::open`]'s path, read by understanding like any other;
//! 5. is recorded (raw) in the same transaction as the case change.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use redress_connect::email::{
    Envelope, InboundEmail, Reject, SmtpHandler, base_address, html_from_text, message_id_for, plus_address,
    subject_with_token,
};
use redress_domain::{Actor, Case, CaseId, CaseStatus, Channel, Direction, EmailAddress, Message, MessageId, StoreId};
use redress_storage::channels::{
    ChannelWrites, ContactIdentity, DeadLetter, DeadLetterInfo, IdentityKind, InboundOutcome, InboundRecord,
    OutboxEntry, OutboxStatus, OutgoingEmail, OutgoingMessage,
};
use redress_storage::{Conflict, StorageError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::attachments::Photo;
use crate::caller::{Action, Caller, SystemRule};
use crate::cases::{Arrival, FirstMessage, OpenCase, adding, open_received};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::{App, new_id};

/// The largest raw mail taken, in bytes: what the parser reads.
pub const MAX_EMAIL_BYTES: usize = redress_connect::email::inbound::MAX_RAW_BYTES;

/// The most support addresses a store has.
pub const MAX_SUPPORT_ADDRESSES: usize = 20;

/// The most photos kept from one mail.
const MAX_PHOTOS_PER_MAIL: usize = 10;

/// The channel name of email in the channel tables.
const EMAIL: &str = "email";

/// What became of a received mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MailOutcome {
    /// It opened a case.
    CaseOpened,
    /// It was added to the case it continues.
    Threaded,
    /// A machine sent it: recorded, no case, no answer.
    Automatic,
    /// It came before: nothing changed.
    Duplicate,
    /// It could not be read or stored: kept as a dead letter with the reason.
    DeadLetter,
}

/// What a received mail did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailReceipt {
    /// What became of it.
    pub outcome: MailOutcome,
    /// The case it opened or continued.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub case_id: Option<CaseId>,
    /// The message it became.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub message_id: Option<MessageId>,
    /// Why it became a dead letter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl MailReceipt {
    fn of(outcome: MailOutcome, case_id: Option<CaseId>, message_id: Option<MessageId>) -> Self {
        MailReceipt { outcome, case_id, message_id, reason: None }
    }
}

/// The addresses a store takes mail at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SupportAddresses {
    /// The addresses, without plus tags (`support@shop.example`); the first is the one answers
    /// are sent from. At most 20.
    pub addresses: Vec<String>,
}

/// Replaces the store's support addresses (an admin's setting). Each address may belong to one
/// store only.
pub async fn set_support_addresses(app: &App, caller: &Caller, input: SupportAddresses) -> AppResult<SupportAddresses> {
    let store_id = caller.require(Action::ManageSettings)?;
    let addresses = input.addresses;
    if addresses.len() > MAX_SUPPORT_ADDRESSES {
        return Err(AppError::invalid("addresses", format!("give at most {MAX_SUPPORT_ADDRESSES} addresses")));
    }
    let mut parsed = Vec::new();
    for (i, text) in addresses.iter().enumerate() {
        let address = EmailAddress::parse(text).map_err(|e| AppError::invalid(format!("addresses[{i}]"), e.problem))?;
        if base_address(address.as_str()) != address.as_str() {
            return Err(AppError::invalid(
                format!("addresses[{i}]"),
                "give the address without a +number tag: case numbers are added to it",
            ));
        }
        if !parsed.contains(&address) {
            parsed.push(address);
        }
    }
    app.storage().channels().set_support_addresses(store_id, &parsed, app.now()).await.map_err(|e| match e {
        StorageError::Conflict(Conflict::Duplicate(_)) => {
            AppError::new(ErrorCode::Duplicate, "another shop takes mail at one of these addresses").at("addresses")
        }
        other => other.into(),
    })?;
    Ok(SupportAddresses { addresses: parsed.iter().map(ToString::to_string).collect() })
}

/// The store's support addresses.
pub async fn support_addresses(app: &App, caller: &Caller) -> AppResult<SupportAddresses> {
    let store_id = caller.require(Action::Read)?;
    let addresses = app.storage().channels().support_addresses(store_id).await?;
    Ok(SupportAddresses { addresses: addresses.iter().map(ToString::to_string).collect() })
}

/// An identity a customer writes from, as an agent links it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IdentityInput {
    /// `email`, `phone`, `whatsapp`, `messenger`, `instagram` or `telegram`.
    pub kind: String,
    /// The address, the phone number (E.164, `+48600100200`), the WhatsApp number's digits, or
    /// the id the app gives the customer.
    pub value: String,
}

/// Links an identity to one of the store's customers (a team member's act), so that a message
/// from it continues the customer's open case whatever channel it came on. An identity belongs
/// to one customer.
pub async fn link_identity(app: &App, caller: &Caller, customer_id: &str, input: IdentityInput) -> AppResult<()> {
    let store_id = caller.require(Action::WorkCases)?;
    team_only(caller)?;
    let customer_id: redress_domain::CustomerId = crate::parse_id(customer_id, "customer")?;
    let value = input.value.trim();
    let (kind, value) = match input.kind.as_str() {
        "email" => {
            let address = EmailAddress::parse(value).map_err(|e| AppError::invalid("value", e.problem))?;
            (IdentityKind::Email, address.to_string())
        }
        "phone" | "whatsapp" => {
            let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
            let bare = digits.strip_prefix('+').unwrap_or(&digits);
            if !(6..=15).contains(&bare.len()) || !bare.chars().all(|c| c.is_ascii_digit()) {
                return Err(AppError::invalid("value", "give the number with its country code, e.g. +48600100200"));
            }
            if input.kind == "phone" {
                (IdentityKind::Phone, format!("+{bare}"))
            } else {
                (IdentityKind::Whatsapp, bare.to_owned())
            }
        }
        kind @ ("messenger" | "instagram" | "telegram") => {
            if value.is_empty() || value.len() > 64 || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(AppError::invalid("value", "give the id the app gives the customer: letters and digits"));
            }
            let kind = match kind {
                "messenger" => IdentityKind::Messenger,
                "instagram" => IdentityKind::Instagram,
                _ => IdentityKind::Telegram,
            };
            (kind, value.to_owned())
        }
        _ => return Err(AppError::invalid("kind", "use email, phone, whatsapp, messenger, instagram or telegram")),
    };
    let identity = ContactIdentity { kind, value, customer_id };
    app.storage().channels().link_identity(store_id, &identity, app.now()).await.map_err(|e| match e {
        StorageError::Conflict(_) => {
            AppError::new(ErrorCode::Duplicate, "this identity belongs to another customer").at("value")
        }
        other => other.into(),
    })
}

/// The store taking mail at `address` (a plus tag is ignored), if any.
pub async fn store_taking_mail(app: &App, address: &str) -> AppResult<Option<StoreId>> {
    let Ok(address) = EmailAddress::parse(&base_address(address)) else {
        return Ok(None);
    };
    Ok(app.storage().channels().store_of_address(&address).await?)
}

/// The id a mail is known by: its Message-ID, or for a mail without one, a hash of its bytes
/// (so a redelivery of the same bytes is still recognised).
fn provider_id(email: Option<&InboundEmail>, raw: &[u8]) -> String {
    match email.and_then(|e| e.message_id.clone()) {
        Some(id) => id,
        None => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    }
}

/// Receives one raw mail for the caller's store (see the module's documentation for what
/// happens to it). `null_sender` is true when the SMTP envelope had the null sender `<>`.
pub async fn receive_email(app: &App, caller: &Caller, raw: &[u8], null_sender: bool) -> AppResult<MailReceipt> {
    let store_id = caller.require(Action::WorkCases)?;
    if raw.len() > MAX_EMAIL_BYTES {
        return Err(AppError::new(
            ErrorCode::BodyTooLarge,
            format!("the mail is {} bytes; at most {MAX_EMAIL_BYTES} are taken", raw.len()),
        ));
    }
    let storage = app.storage().channels();
    let email = match InboundEmail::parse(raw) {
        Ok(email) => email,
        Err(e) => return dead_letter(app, store_id, raw, &format!("the mail cannot be read: {e}")).await,
    };
    let provider_message_id = provider_id(Some(&email), raw);
    if let Some(seen) = storage.received(store_id, EMAIL, &provider_message_id).await? {
        return Ok(MailReceipt::of(MailOutcome::Duplicate, seen.case_id, seen.message_id));
    }
    let sender = email.reply_to.as_ref().or(email.from.as_ref()).map(|m| m.address.clone());
    let mut record = InboundRecord {
        id: uuid::Uuid::now_v7(),
        store_id,
        channel: EMAIL.to_owned(),
        provider_message_id,
        case_id: None,
        message_id: None,
        outcome: InboundOutcome::Automatic,
        sender: sender.as_ref().map(ToString::to_string),
        received_at: app.now(),
        raw: raw.to_vec(),
    };
    if email.sender.is_automatic() || null_sender {
        storage.record_inbound(&record).await?;
        return Ok(MailReceipt::of(MailOutcome::Automatic, None, None));
    }
    let Some(sender) = sender else {
        return dead_letter(app, store_id, raw, "the mail has no sender address to answer").await;
    };
    let customer = customer_of(app, store_id, &sender).await?;
    let photos = photos_of(&email);
    let body = body_of(&email);
    let stored: AppResult<(CaseId, MessageId, MailOutcome)> = match thread_case(app, store_id, &email, &sender).await? {
        Some(case) => {
            let message = Message {
                id: new_id(MessageId::from_uuid),
                store_id,
                case_id: case.id,
                direction: Direction::Inbound,
                channel: Channel::Email,
                author: Actor::Customer { handle: sender.to_string() },
                body,
                attachments: photos.iter().map(Photo::attachment).collect(),
                created_at: app.now(),
            };
            record.outcome = InboundOutcome::Threaded;
            record.case_id = Some(case.id);
            record.message_id = Some(message.id);
            let message_id = message.id;
            let writes = ChannelWrites { inbound: Some(record), outbox: None };
            match storage.update_case_with(store_id, case.id, adding(message), writes).await {
                Ok(_) => Ok((case.id, message_id, MailOutcome::Threaded)),
                Err(e) => Err(e.into()),
            }
        }
        None => {
            record.outcome = InboundOutcome::CaseOpened;
            let subject = match email.subject.replace('\0', "").trim() {
                "" => body.lines().next().unwrap_or_default().chars().take(80).collect(),
                subject => subject.chars().take(300).collect(),
            };
            let input = OpenCase {
                order_id: None,
                order_number: None,
                customer_email: Some(sender.to_string()),
                subject,
                channel: Channel::Email,
                kind: None,
                language: None,
                sentiment: None,
                escalation: Vec::new(),
                message: FirstMessage { body, attachments: photos.iter().map(Photo::attachment).collect() },
                lines: Vec::new(),
            };
            open_received(app, caller, input, Arrival { customer, handle: None, record: Some(record) }).await.and_then(
                |view| {
                    let first =
                        view.messages.first().ok_or_else(|| AppError::internal("a case opened without its message"))?;
                    Ok((view.case.id, first.id, MailOutcome::CaseOpened))
                },
            )
        }
    };
    let (case_id, message_id, outcome) = match stored {
        Ok(done) => done,
        // Delivered twice at once: the other delivery stored it first.
        Err(e) if e.code == ErrorCode::Duplicate => {
            let seen = storage.received(store_id, EMAIL, &provider_id(Some(&email), raw)).await?;
            return Ok(MailReceipt::of(
                MailOutcome::Duplicate,
                seen.as_ref().and_then(|s| s.case_id),
                seen.and_then(|s| s.message_id),
            ));
        }
        // The mail breaks a rule of what a case holds: kept, with why, rather than refused
        // again on every redelivery.
        Err(e) if (400..500).contains(&e.code.status()) => {
            return dead_letter(app, store_id, raw, &format!("the mail cannot become a case: {}", e.message)).await;
        }
        Err(e) => return Err(e),
    };
    if let Some(customer_id) = customer {
        let identity = ContactIdentity { kind: IdentityKind::Email, value: sender.to_string(), customer_id };
        if let Err(e) = storage.link_identity(store_id, &identity, app.now()).await {
            tracing::warn!(error = %e, "cannot link the sender's address to the customer");
        }
    }
    if !photos.is_empty() {
        let system = Caller::System { store_id, rule: SystemRule::MailReceiver };
        if let Err(e) = crate::attachments::save(app, &system, case_id, photos).await {
            tracing::warn!(error = ?e, "cannot keep the photos of a mail");
        }
    }
    Ok(MailReceipt::of(outcome, Some(case_id), Some(message_id)))
}

/// Keeps a mail that cannot be taken, with the reason, and says so.
pub(crate) async fn dead_letter(app: &App, store_id: StoreId, raw: &[u8], reason: &str) -> AppResult<MailReceipt> {
    let letter = DeadLetter {
        id: uuid::Uuid::now_v7(),
        store_id: Some(store_id),
        channel: EMAIL.to_owned(),
        reason: reason.to_owned(),
        raw: raw.to_vec(),
        received_at: app.now(),
    };
    app.storage().channels().record_dead_letter(&letter).await?;
    tracing::warn!(store = %store_id, reason, "a mail was kept as a dead letter");
    Ok(MailReceipt {
        outcome: MailOutcome::DeadLetter,
        case_id: None,
        message_id: None,
        reason: Some(reason.to_owned()),
    })
}

/// The customer the sender is: by a linked identity, else by the address the shop knows.
async fn customer_of(
    app: &App,
    store_id: StoreId,
    sender: &EmailAddress,
) -> AppResult<Option<redress_domain::CustomerId>> {
    let storage = app.storage();
    if let Some(id) = storage.channels().customer_of_identity(store_id, IdentityKind::Email, sender.as_str()).await? {
        return Ok(Some(id));
    }
    Ok(storage.customer_by_email(store_id, sender).await?.map(|c| c.id))
}

/// The case a mail continues: by its threading headers, else by its token when the sender is
/// the case's customer (a token alone is easy to copy). A closed case is not continued.
async fn thread_case(
    app: &App,
    store_id: StoreId,
    email: &InboundEmail,
    sender: &EmailAddress,
) -> AppResult<Option<Case>> {
    let storage = app.storage();
    let ids = email.thread_ids();
    let mut case = match storage.channels().case_of_thread(store_id, &ids).await? {
        Some(id) => Some(storage.case(store_id, id).await?),
        None => None,
    };
    if case.is_none()
        && let Some(number) = email.case_token
    {
        case =
            storage.channels().case_by_number(store_id, number).await?.filter(|c| {
                c.customer_email.as_ref().is_some_and(|e| e.as_str().eq_ignore_ascii_case(sender.as_str()))
            });
    }
    Ok(case.filter(|c| c.status != CaseStatus::Closed))
}

/// The text stored for a mail: the new words, else the whole text, else a note that it had none.
/// NUL characters, which no text needs and PostgreSQL cannot keep, are dropped.
fn body_of(email: &InboundEmail) -> String {
    [&email.body, &email.full_text]
        .into_iter()
        .map(|text| text.replace('\0', ""))
        .find(|text| !text.trim().is_empty())
        .map_or_else(|| "(the mail had no text)".to_owned(), |text| text.trim().to_owned())
}

/// The mail's pictures that are photos Redress keeps (JPEG, PNG, WebP), cleaned; others are
/// left in the raw mail.
fn photos_of(email: &InboundEmail) -> Vec<Photo> {
    email
        .attachments
        .iter()
        .filter(|a| a.content_type.starts_with("image/"))
        .filter_map(|a| Photo::clean(&a.filename, &a.bytes, "attachments").ok())
        .take(MAX_PHOTOS_PER_MAIL)
        .collect()
}

/// The outbox entry sending `body` back on the case's channel: by email on an email case, on
/// the messaging app the customer last wrote on for a messaging case; nothing on other channels
/// (the portal shows answers itself).
pub(crate) async fn outbound_writes(
    app: &App,
    case: &Case,
    message_id: MessageId,
    body: &str,
    automatic: bool,
) -> AppResult<ChannelWrites> {
    match case.channel {
        Channel::Email => outbound_email(app, case, message_id, body, automatic).await,
        Channel::Social => crate::messaging_out::outbound_chat(app, case, message_id, body, automatic).await,
        _ => Ok(ChannelWrites::default()),
    }
}

/// The outbox entry sending `body` by email on `case`, when the case has an address to send to
/// and the store an address to send from; nothing otherwise (logged).
pub(crate) async fn outbound_email(
    app: &App,
    case: &Case,
    message_id: MessageId,
    body: &str,
    automatic: bool,
) -> AppResult<ChannelWrites> {
    let Some(to) = &case.customer_email else {
        return Ok(ChannelWrites::default());
    };
    let storage = app.storage();
    let Some(support) = storage.channels().support_addresses(case.store_id).await?.into_iter().next() else {
        tracing::warn!(store = %case.store_id, "an email case cannot be answered by email: the store has no support address");
        return Ok(ChannelWrites::default());
    };
    let store = storage.store(case.store_id).await?;
    let thread = storage.channels().email_thread(case.store_id, case.id).await?;
    let to_name = match case.customer_id {
        Some(id) => Some(storage.customer(case.store_id, id).await?.name).filter(|n| !n.trim().is_empty()),
        None => None,
    };
    let id = uuid::Uuid::now_v7();
    let domain = support.as_str().rsplit_once('@').map_or("localhost", |(_, domain)| domain);
    let subject = if case.subject.to_lowercase().starts_with("re:") {
        case.subject.clone()
    } else {
        format!("Re: {}", case.subject)
    };
    let footer = redress_text::replies::email_footer(case.language.as_str(), &case.number.to_string(), &store.name);
    let text_body = format!("{}\n\n-- \n{footer}", body.trim_end());
    let now = app.now();
    let entry = OutboxEntry {
        id,
        store_id: case.store_id,
        case_message: Some((case.id, message_id)),
        channel: EMAIL.to_owned(),
        provider_message_id: message_id_for(id, domain),
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        created_at: now,
        sent_at: None,
        delivered_as: None,
        delivery: None,
        message: OutgoingMessage::Email(OutgoingEmail {
            from_name: store.name.clone(),
            from_address: support.to_string(),
            reply_to: Some(plus_address(&support, case.number).to_string()),
            to_name,
            to_address: to.to_string(),
            subject: subject_with_token(&subject, case.number),
            html_body: html_from_text(&text_body, &case.language),
            text_body,
            in_reply_to: thread.last_received,
            references: thread.ids,
            language: case.language.to_string(),
            automatic,
        }),
    };
    Ok(ChannelWrites { inbound: None, outbox: Some(entry) })
}

/// A message in the outbox, as the desk and the API show it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxItem {
    /// Its id.
    pub id: String,
    /// The case it answers; absent for the assistant's answers on a messaging app before a
    /// case was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    /// `email`, `whatsapp`, `messenger`, `instagram` or `telegram`.
    pub channel: String,
    /// `pending`, `sending`, `sent` or `dead`.
    pub status: String,
    /// On messaging apps, how far it got as the provider reports: `sent`, `delivered`, `read`
    /// or `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// When it is tried next (pending) or its claim lapses (sending).
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub next_attempt_at: time::OffsetDateTime,
    /// Why the last attempt failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The recipient: an email address, or the customer's number or name on a messaging app.
    pub to: String,
    /// The subject, or a message's first line.
    pub subject: String,
    /// The id it is sent with, the same on every attempt: the Message-ID, or on a messaging app
    /// the id the provider carries back.
    pub message_id: String,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: time::OffsetDateTime,
    /// When the relay or the provider took it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub sent_at: Option<time::OffsetDateTime>,
}

impl From<OutboxEntry> for OutboxItem {
    fn from(entry: OutboxEntry) -> Self {
        let (to, subject) = match entry.message {
            OutgoingMessage::Email(mail) => (mail.to_address, mail.subject),
            OutgoingMessage::Chat(chat) => (
                chat.to_name.unwrap_or(chat.to),
                chat.text.lines().next().unwrap_or_default().chars().take(80).collect(),
            ),
        };
        OutboxItem {
            id: entry.id.to_string(),
            case_id: entry.case_message.map(|(case, _)| case.to_string()),
            channel: entry.channel,
            status: entry.status.as_str().to_owned(),
            delivery: entry.delivery.map(|d| d.as_str().to_owned()),
            attempts: entry.attempts,
            next_attempt_at: entry.next_attempt_at,
            last_error: entry.last_error,
            to,
            subject,
            message_id: entry.provider_message_id,
            created_at: entry.created_at,
            sent_at: entry.sent_at,
        }
    }
}

/// A received message that could not be read or stored, as listed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeadLetterItem {
    /// Its id.
    pub id: String,
    /// The channel it came on.
    pub channel: String,
    /// Why it was not taken.
    pub reason: String,
    /// Its size in bytes (the raw message is kept).
    pub size_bytes: u64,
    /// When it arrived.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: time::OffsetDateTime,
}

impl From<DeadLetterInfo> for DeadLetterItem {
    fn from(letter: DeadLetterInfo) -> Self {
        DeadLetterItem {
            id: letter.id.to_string(),
            channel: letter.channel,
            reason: letter.reason,
            size_bytes: letter.size_bytes,
            received_at: letter.received_at,
        }
    }
}

/// How many outbox entries and dead letters are listed.
const LISTED: u32 = 200;

/// The store's outbox, newest first (the last 200), for the shop's team.
pub async fn outbox(app: &App, caller: &Caller) -> AppResult<Vec<OutboxItem>> {
    let store_id = caller.require(Action::Read)?;
    team_only(caller)?;
    Ok(app.storage().channels().outbox(store_id, LISTED).await?.into_iter().map(OutboxItem::from).collect())
}

/// Sends a dead outbox entry again, its attempts counted from zero.
pub async fn retry_outbox(app: &App, caller: &Caller, id: &str) -> AppResult<()> {
    let store_id = caller.require(Action::WorkCases)?;
    team_only(caller)?;
    let id: uuid::Uuid = crate::parse_id(id, "outbox entry")?;
    if !app.storage().channels().retry_outbox(store_id, id, app.now()).await? {
        return Err(AppError::not_found("dead outbox entry"));
    }
    app.wake_outbox();
    Ok(())
}

/// The store's dead letters, newest first (the last 200), for the shop's team.
pub async fn dead_letters(app: &App, caller: &Caller) -> AppResult<Vec<DeadLetterItem>> {
    let store_id = caller.require(Action::Read)?;
    team_only(caller)?;
    Ok(app.storage().channels().dead_letters(store_id, LISTED).await?.into_iter().map(DeadLetterItem::from).collect())
}

/// Takes a dead letter in again, as if it had just arrived (after the cause was mended: an
/// upgrade that reads it, a setting fixed): it opens or continues a case, or, refused again,
/// stays a dead letter with the new reason. Either way the old letter goes, so one remains at
/// most. Only mail can be taken again; other channels' letters carry nothing to read.
pub async fn retry_dead_letter(app: &App, caller: &Caller, id: &str) -> AppResult<MailReceipt> {
    let store_id = caller.require(Action::WorkCases)?;
    team_only(caller)?;
    let id: uuid::Uuid = crate::parse_id(id, "dead letter")?;
    let storage = app.storage().channels();
    let Some((channel, raw)) = storage.dead_letter_raw(store_id, id).await? else {
        return Err(AppError::not_found("dead letter"));
    };
    if channel != EMAIL || raw.is_empty() {
        return Err(AppError::new(
            ErrorCode::IllegalTransition,
            format!("a dead letter from {channel} holds no message to read again"),
        ));
    }
    let system = Caller::System { store_id, rule: SystemRule::MailReceiver };
    let receipt = receive_email(app, &system, &raw, false).await?;
    storage.remove_dead_letter(store_id, id).await?;
    Ok(receipt)
}

fn team_only(caller: &Caller) -> AppResult<()> {
    if caller.is_customer() { Err(AppError::forbidden("that is for the shop's team")) } else { Ok(()) }
}

/// The SMTP receiver's side ([`SmtpHandler`]): takes mail for the stores' support addresses and
/// answers `250` once [`receive_email`] stored it (as a case message, a machine's mail or a
/// dead letter); a storage failure is `451`, so the sender keeps the mail and retries.
pub struct MailReceiver {
    app: Arc<App>,
}

impl MailReceiver {
    /// The receiver for `app`.
    pub fn new(app: Arc<App>) -> Self {
        Self { app }
    }
}

#[async_trait]
impl SmtpHandler for MailReceiver {
    async fn accepts_recipient(&self, address: &str) -> bool {
        match store_taking_mail(&self.app, address).await {
            Ok(store) => store.is_some(),
            Err(e) => {
                tracing::error!(error = ?e, "cannot look up a recipient");
                false
            }
        }
    }

    async fn deliver(&self, envelope: &Envelope, raw: Bytes) -> Result<(), Reject> {
        let mut stores = BTreeSet::new();
        for recipient in &envelope.recipients {
            match store_taking_mail(&self.app, recipient).await {
                Ok(Some(store)) => {
                    stores.insert(store);
                }
                Ok(None) => {}
                Err(e) => return Err(Reject::Temporary(format!("cannot look up a recipient: {}", e.message))),
            }
        }
        for store_id in stores {
            let caller = Caller::System { store_id, rule: SystemRule::MailReceiver };
            if let Err(e) = receive_email(&self.app, &caller, &raw, envelope.is_null_sender()).await {
                tracing::error!(error = ?e, "a received mail could not be stored");
                return Err(Reject::Temporary("the mail could not be stored; try again later".into()));
            }
        }
        Ok(())
    }
}
