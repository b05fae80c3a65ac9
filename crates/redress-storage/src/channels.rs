//! Channels at rest, reached through [`crate::Storage::channels`]: the addresses a store takes
//! mail at, the identities customers write from, every message received (raw, de-duplicated by
//! the provider's id so a redelivery changes nothing), the outbox of messages to send and the
//! dead letters that could not be read or stored.
//!
//! A received message is recorded in the same transaction as the case change it makes, and an
//! outbound one is put in the outbox in the same transaction as the message it sends
//! ([`ChannelWrites`]), so neither can be half done.

use async_trait::async_trait;
use redress_domain::case::CaseNumber;
use redress_domain::{Case, CaseId, CustomerId, EmailAddress, MessageId, NewCase, StoreId};
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{CaseUpdateFn, StorageError, StoredChange};

/// The most entries of one case's mail thread read back for `References`.
pub const MAX_THREAD_IDS: usize = 20;

/// The kinds of identity a customer writes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    /// An email address.
    Email,
    /// A phone number (E.164).
    Phone,
    /// A WhatsApp id (the number WhatsApp reports).
    Whatsapp,
    /// A Messenger page-scoped id.
    Messenger,
    /// An Instagram scoped id.
    Instagram,
    /// A Telegram chat id.
    Telegram,
}

impl IdentityKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Email => "email",
            IdentityKind::Phone => "phone",
            IdentityKind::Whatsapp => "whatsapp",
            IdentityKind::Messenger => "messenger",
            IdentityKind::Instagram => "instagram",
            IdentityKind::Telegram => "telegram",
        }
    }

    /// The kind a stored name names.
    pub(crate) fn parse(text: &str) -> Result<Self, StorageError> {
        use IdentityKind::*;
        [Email, Phone, Whatsapp, Messenger, Instagram, Telegram]
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown identity kind {text}")))
    }
}

/// One identity of a customer: `ana@example.com` by email, `48600100200` on WhatsApp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactIdentity {
    /// The kind.
    pub kind: IdentityKind,
    /// The address, number or id, as the channel names it (email addresses as
    /// [`EmailAddress`] normalises them).
    pub value: String,
    /// The customer it belongs to.
    pub customer_id: CustomerId,
}

/// What became of a received message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InboundOutcome {
    /// It opened a case.
    CaseOpened,
    /// It was added to a case it continues.
    Threaded,
    /// A machine sent it (auto-reply, bounce, list): recorded, never a case, never answered.
    Automatic,
}

impl InboundOutcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InboundOutcome::CaseOpened => "case_opened",
            InboundOutcome::Threaded => "threaded",
            InboundOutcome::Automatic => "automatic",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, StorageError> {
        match text {
            "case_opened" => Ok(InboundOutcome::CaseOpened),
            "threaded" => Ok(InboundOutcome::Threaded),
            "automatic" => Ok(InboundOutcome::Automatic),
            other => Err(StorageError::Corrupt(format!("unknown inbound outcome `{other}`"))),
        }
    }
}

/// A received message as recorded, with its raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundRecord {
    /// Its id.
    pub id: Uuid,
    /// The store it was sent to.
    pub store_id: StoreId,
    /// The channel: `email`, `whatsapp`, …
    pub channel: String,
    /// The provider's id of the message (the Message-ID for email): a second delivery with the
    /// same id is the same message.
    pub provider_message_id: String,
    /// The case it opened or continued.
    pub case_id: Option<CaseId>,
    /// The message it became on the case.
    pub message_id: Option<MessageId>,
    /// What became of it.
    pub outcome: InboundOutcome,
    /// Who sent it (an address or id), when known.
    pub sender: Option<String>,
    /// When it arrived.
    pub received_at: OffsetDateTime,
    /// The message as received.
    pub raw: Vec<u8>,
}

/// A received message as looked up by its provider id: what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The case it opened or continued.
    pub case_id: Option<CaseId>,
    /// The message it became.
    pub message_id: Option<MessageId>,
    /// What became of it.
    pub outcome: InboundOutcome,
}

/// Where an outbound message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for its next attempt.
    Pending,
    /// Claimed by a worker until `next_attempt_at`; a worker that died leaves it to be claimed
    /// again after that.
    Sending,
    /// Accepted by the relay.
    Sent,
    /// Refused for good, or out of attempts.
    Dead,
}

impl OutboxStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sending => "sending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dead => "dead",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, StorageError> {
        match text {
            "pending" => Ok(OutboxStatus::Pending),
            "sending" => Ok(OutboxStatus::Sending),
            "sent" => Ok(OutboxStatus::Sent),
            "dead" => Ok(OutboxStatus::Dead),
            other => Err(StorageError::Corrupt(format!("unknown outbox status `{other}`"))),
        }
    }
}

/// An email as the outbox keeps it: everything needed to build the same bytes on every attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    /// The sender's display name (the store's name).
    pub from_name: String,
    /// The store's support address.
    pub from_address: String,
    /// The case's plus address, where replies go.
    pub reply_to: Option<String>,
    /// The customer's name, when known.
    pub to_name: Option<String>,
    /// The customer's address: the one recipient.
    pub to_address: String,
    /// The subject, with the case token.
    pub subject: String,
    /// The plain-text body.
    pub text_body: String,
    /// The HTML body.
    pub html_body: String,
    /// The Message-ID answered.
    pub in_reply_to: Option<String>,
    /// The thread, oldest first.
    pub references: Vec<String>,
    /// The language it is written in.
    pub language: String,
    /// True when Redress wrote it on its own (an automatic answer).
    pub automatic: bool,
}

/// An approved template and the values of its body's placeholders, in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatTemplate {
    /// The template's name as approved.
    pub name: String,
    /// The approved translation's language code.
    pub language: String,
    /// Values for `{{1}}`, `{{2}}`…
    pub parameters: Vec<String>,
}

/// An answer on a messaging app as the outbox keeps it: where it goes and what it says, with
/// what the customer-service window is decided from at each attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingChat {
    /// The shop's account it is sent from (the WhatsApp phone number id, the Page id, the bot id).
    pub account_id: String,
    /// The customer's address on the channel (WhatsApp id, PSID, IGSID, Telegram chat id).
    pub to: String,
    /// The customer's name or number, for people reading the outbox.
    pub to_name: Option<String>,
    /// The text.
    pub text: String,
    /// The provider's id of the customer's message it answers.
    pub reply_to: Option<String>,
    /// When the customer last wrote on the channel, by Redress's clock: the window runs from it.
    #[serde(with = "time::serde::rfc3339")]
    pub last_inbound_at: OffsetDateTime,
    /// The language it is written in.
    pub language: String,
    /// True when Redress wrote it on its own (an automatic answer).
    pub automatic: bool,
    /// The approved template to send instead when the channel takes only templates (WhatsApp
    /// more than 24 hours after the customer's last message), when the shop has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<ChatTemplate>,
}

/// What an outbox entry sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutgoingMessage {
    /// An email (channel `email`).
    Email(OutgoingEmail),
    /// A message on a messaging app (channel `whatsapp`, `messenger`, `instagram`, `telegram`).
    Chat(OutgoingChat),
}

impl OutgoingMessage {
    /// The stored document.
    pub(crate) fn to_json(&self) -> Result<serde_json::Value, StorageError> {
        Ok(match self {
            OutgoingMessage::Email(email) => serde_json::to_value(email)?,
            OutgoingMessage::Chat(chat) => serde_json::to_value(chat)?,
        })
    }

    /// The message a stored document holds, by the entry's channel (rows written before
    /// messaging answers existed hold an email's document without a tag).
    pub(crate) fn from_json(channel: &str, value: serde_json::Value) -> Result<Self, StorageError> {
        Ok(if channel == "email" {
            OutgoingMessage::Email(serde_json::from_value(value)?)
        } else {
            OutgoingMessage::Chat(serde_json::from_value(value)?)
        })
    }
}

/// Which entries a worker sends: mail needs the relay, messaging apps their providers' APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxLane {
    /// Channel `email`.
    Email,
    /// Every messaging app.
    Chat,
}

impl OutboxLane {
    /// The SQL condition on `channel` choosing the lane's entries.
    pub(crate) fn condition(self) -> &'static str {
        match self {
            OutboxLane::Email => "channel = 'email'",
            OutboxLane::Chat => "channel <> 'email'",
        }
    }
}

/// How far a message sent on a messaging app got, as its provider reports it (ordered: a
/// status never moves back).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Delivery {
    /// The provider took it.
    Sent,
    /// It reached the customer's device.
    Delivered,
    /// The customer opened it.
    Read,
    /// The provider could not deliver it.
    Failed,
}

impl Delivery {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
            Delivery::Failed => "failed",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<Self, StorageError> {
        match text {
            "sent" => Ok(Delivery::Sent),
            "delivered" => Ok(Delivery::Delivered),
            "read" => Ok(Delivery::Read),
            "failed" => Ok(Delivery::Failed),
            other => Err(StorageError::Corrupt(format!("unknown delivery `{other}`"))),
        }
    }
}

/// What a provider's status report does to an outbox entry: `None` when it changes nothing.
///
/// A report that the message was sent, delivered or read settles an entry still pending, being
/// sent or given up (a send whose answer was lost) as sent; a failure report makes a sent entry dead
/// with the provider's reason, unless the message was already seen delivered. The furthest
/// status is kept.
pub fn advance_delivery(current: Option<Delivery>, reported: Delivery) -> Option<(OutboxStatus, Delivery)> {
    if current.is_some_and(|c| c >= reported) {
        return None;
    }
    match reported {
        Delivery::Failed if matches!(current, Some(Delivery::Delivered | Delivery::Read)) => None,
        Delivery::Failed => Some((OutboxStatus::Dead, Delivery::Failed)),
        // Even an entry given up on was delivered if the provider says so.
        _ => Some((OutboxStatus::Sent, reported)),
    }
}

/// A messaging app's account as registered by a store: the credentials are sealed by the
/// application, never readable here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelAccount {
    /// The store receiving on it.
    pub store_id: StoreId,
    /// `whatsapp`, `messenger`, `instagram` or `telegram`.
    pub channel: String,
    /// The provider's id of the account.
    pub account_id: String,
    /// The access token (a WhatsApp system user's, a Page's, a Telegram bot's), sealed.
    pub sealed_token: Option<Vec<u8>>,
    /// The secret a Telegram webhook carries, sealed.
    pub sealed_webhook_secret: Option<Vec<u8>>,
    /// True when Meta granted the app the Human Agent permission (answers up to 7 days on
    /// Messenger and Instagram).
    pub human_agent: bool,
}

/// The last message a customer sent on a messaging app to a case, as received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastChat {
    /// The channel.
    pub channel: String,
    /// The message as received (the provider-neutral JSON the webhook became).
    pub raw: Vec<u8>,
    /// When it arrived.
    pub received_at: OffsetDateTime,
}

/// A message waiting in, or gone through, the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Its id; the Message-ID is derived from it.
    pub id: Uuid,
    /// The store.
    pub store_id: StoreId,
    /// The case, and the message on its timeline it sends; none for the assistant's answers
    /// on a messaging app before a case exists (its conversation keeps them).
    pub case_message: Option<(CaseId, MessageId)>,
    /// The channel: `email`, `whatsapp`, `messenger`, `instagram` or `telegram`.
    pub channel: String,
    /// The id it is sent with, the same on every attempt: the Message-ID of an email, the
    /// correlation id a messaging provider carries back in its status reports.
    pub provider_message_id: String,
    /// Where it stands.
    pub status: OutboxStatus,
    /// Attempts started.
    pub attempts: u32,
    /// When it may be tried (pending) or claimed again (sending).
    pub next_attempt_at: OffsetDateTime,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: OffsetDateTime,
    /// When the relay or the provider took it.
    pub sent_at: Option<OffsetDateTime>,
    /// The provider's own id of the message, when it gives one (messaging apps).
    pub delivered_as: Option<String>,
    /// How far it got, as the provider reports (messaging apps).
    pub delivery: Option<Delivery>,
    /// What it sends.
    pub message: OutgoingMessage,
}

/// A store's IMAP mailbox as kept: its sealed address and where the reading stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mailbox {
    /// The store whose mail it is.
    pub store_id: StoreId,
    /// The `imaps://user:password@host/INBOX` address, sealed by the application.
    pub sealed_url: Vec<u8>,
    /// The address without its password, for people.
    pub shown_as: String,
    /// The mailbox's UIDVALIDITY and the highest UID stored, once a message was.
    pub cursor: Option<(u32, u32)>,
    /// When it is read next (or, while claimed, when the claim lapses).
    pub next_poll_at: OffsetDateTime,
    /// When it was last read.
    pub last_polled_at: Option<OffsetDateTime>,
    /// Why the last reading failed.
    pub last_error: Option<String>,
    /// Messages read from it so far.
    pub messages_read: u64,
}

/// How a provider's status report names the message: its own id, and the entry's id when it
/// carries it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryKey {
    /// The provider's id of the message.
    pub provider_id: String,
    /// The entry's id, carried back in the provider's correlation field.
    pub entry_id: Option<Uuid>,
}

/// A message that could not be read or stored, kept whole with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter {
    /// Its id.
    pub id: Uuid,
    /// The store it was sent to, when that could be told.
    pub store_id: Option<StoreId>,
    /// The channel.
    pub channel: String,
    /// Why it was not taken, in words for the desk.
    pub reason: String,
    /// The message as received.
    pub raw: Vec<u8>,
    /// When it arrived.
    pub received_at: OffsetDateTime,
}

/// A dead letter as listed: without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetterInfo {
    /// Its id.
    pub id: Uuid,
    /// The channel.
    pub channel: String,
    /// Why it was not taken.
    pub reason: String,
    /// Its size.
    pub size_bytes: u64,
    /// When it arrived.
    pub received_at: OffsetDateTime,
}

/// What a case change writes for its channel, in the same transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelWrites {
    /// The received message the change records; one already recorded (same store, channel and
    /// provider id) refuses the whole change with `Conflict::Duplicate("inbound message")`.
    pub inbound: Option<InboundRecord>,
    /// The message to send.
    pub outbox: Option<OutboxEntry>,
}

/// The Message-IDs of a case's mail, for threading an answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmailThread {
    /// Received and sent Message-IDs, oldest first (the last [`MAX_THREAD_IDS`]).
    pub ids: Vec<String>,
    /// The customer's last mail, which an answer replies to.
    pub last_received: Option<String>,
}

/// Channels at rest, on both backends.
#[async_trait]
pub trait ChannelStorage: Send + Sync {
    /// Replaces the store's support addresses. An address another store takes mail at is
    /// `Conflict::Duplicate("support address")`.
    async fn set_support_addresses(
        &self,
        store_id: StoreId,
        addresses: &[EmailAddress],
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;
    /// The store's support addresses, in the order given (the first is the one answers are
    /// sent from).
    async fn support_addresses(&self, store_id: StoreId) -> Result<Vec<EmailAddress>, StorageError>;
    /// The store taking mail at `address` (without plus tag).
    async fn store_of_address(&self, address: &EmailAddress) -> Result<Option<StoreId>, StorageError>;

    /// Receives a messaging app's account (a WhatsApp phone number id, a Page id, a bot id) for
    /// its store, or replaces the credentials of one the store has; an account another store
    /// has is `Conflict::Duplicate("account")`.
    async fn add_channel_account(&self, account: &ChannelAccount, now: OffsetDateTime) -> Result<(), StorageError>;
    /// The store a messaging app's account belongs to.
    async fn store_of_account(&self, channel: &str, account_id: &str) -> Result<Option<StoreId>, StorageError>;
    /// A messaging app's account with its sealed credentials.
    async fn channel_account(&self, channel: &str, account_id: &str) -> Result<Option<ChannelAccount>, StorageError>;
    /// The last message the case's customer sent it on a messaging app.
    async fn last_chat(&self, store_id: StoreId, case_id: CaseId) -> Result<Option<LastChat>, StorageError>;
    /// The newest case, not resolved or closed, of the customer.
    async fn open_case_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Option<Case>, StorageError>;
    /// The newest case, not resolved or closed, that a message from `sender` on `channel` went to.
    async fn open_case_of_sender(
        &self,
        store_id: StoreId,
        channel: &str,
        sender: &str,
    ) -> Result<Option<Case>, StorageError>;

    /// Links an identity to a customer; linking it again to the same customer changes nothing,
    /// to another is `Conflict::Duplicate("identity")`.
    async fn link_identity(
        &self,
        store_id: StoreId,
        identity: &ContactIdentity,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;
    /// The customer an identity belongs to.
    async fn customer_of_identity(
        &self,
        store_id: StoreId,
        kind: IdentityKind,
        value: &str,
    ) -> Result<Option<CustomerId>, StorageError>;

    /// What became of the message a provider knows by `provider_message_id`, if it came.
    async fn received(
        &self,
        store_id: StoreId,
        channel: &str,
        provider_message_id: &str,
    ) -> Result<Option<Received>, StorageError>;
    /// Records a message that changes no case (a machine's); false when it was recorded before.
    async fn record_inbound(&self, record: &InboundRecord) -> Result<bool, StorageError>;
    /// Opens a case as [`crate::Storage::open_case`] does, writing `writes` in its transaction.
    async fn open_case_with(
        &self,
        new: NewCase,
        now: OffsetDateTime,
        writes: ChannelWrites,
    ) -> Result<StoredChange, StorageError>;
    /// Changes a case as [`crate::Storage::update_case`] does, writing `writes` in its
    /// transaction.
    async fn update_case_with(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
        writes: ChannelWrites,
    ) -> Result<StoredChange, StorageError>;
    /// The case holding a received or sent message with one of these Message-IDs, trying them
    /// in order.
    async fn case_of_thread(&self, store_id: StoreId, ids: &[&str]) -> Result<Option<CaseId>, StorageError>;
    /// The Message-IDs of a case's mail.
    async fn email_thread(&self, store_id: StoreId, case_id: CaseId) -> Result<EmailThread, StorageError>;
    /// The case with this number.
    async fn case_by_number(&self, store_id: StoreId, number: CaseNumber) -> Result<Option<Case>, StorageError>;

    /// Claims up to `limit` entries due at `now` (pending, or sending with a lapsed claim):
    /// each is marked sending until `now + lease`, its attempts counted. Two workers never
    /// claim the same entry at once.
    async fn claim_outbox(
        &self,
        lane: OutboxLane,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StorageError>;
    /// Marks a claimed entry sent, with the provider's own id of it when it gave one.
    async fn outbox_sent(&self, id: Uuid, now: OffsetDateTime, delivered_as: Option<&str>) -> Result<(), StorageError>;
    /// Applies a messaging provider's status report to the entry it names, by the provider's
    /// id or by the entry's id carried back ([`advance_delivery`] decides); `error` is the
    /// provider's reason for a failure. False when no entry changed.
    async fn outbox_delivery(
        &self,
        channel: &str,
        key: &DeliveryKey,
        reported: Delivery,
        error: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;
    /// Marks a claimed entry failed: pending again from `retry_at`, or dead without one.
    async fn outbox_failed(&self, id: Uuid, error: &str, retry_at: Option<OffsetDateTime>) -> Result<(), StorageError>;
    /// Puts a dead entry back to be sent at `now`, its attempts counted from zero; false when
    /// it is not dead (or not the store's).
    async fn retry_outbox(&self, store_id: StoreId, id: Uuid, now: OffsetDateTime) -> Result<bool, StorageError>;
    /// The store's outbox, newest first, at most `limit`.
    async fn outbox(&self, store_id: StoreId, limit: u32) -> Result<Vec<OutboxEntry>, StorageError>;

    /// Sets the store's IMAP mailbox, reading it from its start at `now`.
    async fn set_mailbox(
        &self,
        store_id: StoreId,
        sealed_url: &[u8],
        shown_as: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;
    /// The store's IMAP mailbox, if it has one.
    async fn mailbox(&self, store_id: StoreId) -> Result<Option<Mailbox>, StorageError>;
    /// Claims up to `limit` mailboxes due at `now`, each until `now + lease`: one server reads
    /// a mailbox at a time.
    async fn claim_mailboxes(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Mailbox>, StorageError>;
    /// Records that the mailbox's messages up to `cursor` (UIDVALIDITY, UID) are stored.
    async fn mailbox_read_to(&self, store_id: StoreId, cursor: (u32, u32)) -> Result<(), StorageError>;
    /// Ends a reading: when it was, its error if it failed, and when to read next.
    async fn mailbox_polled(
        &self,
        store_id: StoreId,
        now: OffsetDateTime,
        error: Option<&str>,
        next_poll_at: OffsetDateTime,
    ) -> Result<(), StorageError>;

    /// Keeps a message that could not be read or stored.
    async fn record_dead_letter(&self, letter: &DeadLetter) -> Result<(), StorageError>;
    /// The store's dead letters, newest first, at most `limit`.
    async fn dead_letters(&self, store_id: StoreId, limit: u32) -> Result<Vec<DeadLetterInfo>, StorageError>;
    /// The channel and raw bytes of the store's dead letter `id`, to try it again.
    async fn dead_letter_raw(&self, store_id: StoreId, id: Uuid) -> Result<Option<(String, Vec<u8>)>, StorageError>;
    /// Removes the store's dead letter `id` once it was tried again; false when there is none.
    async fn remove_dead_letter(&self, store_id: StoreId, id: Uuid) -> Result<bool, StorageError>;
}

/// The stored text of a bounded error (a relay's answer can be long).
pub(crate) fn bounded_error(error: &str) -> String {
    error.chars().take(2000).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_report_settles_a_lost_answer_and_never_moves_back() {
        use Delivery::*;
        assert_eq!(advance_delivery(None, Sent), Some((OutboxStatus::Sent, Sent)));
        assert_eq!(advance_delivery(None, Read), Some((OutboxStatus::Sent, Read)));
        assert_eq!(advance_delivery(Some(Read), Delivered), None);
        assert_eq!(advance_delivery(Some(Sent), Failed), Some((OutboxStatus::Dead, Failed)));
        assert_eq!(advance_delivery(Some(Delivered), Failed), None);
        assert_eq!(advance_delivery(Some(Failed), Read), None);
    }
}
