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

/// A message waiting in, or gone through, the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    /// Its id; the Message-ID is derived from it.
    pub id: Uuid,
    /// The store.
    pub store_id: StoreId,
    /// The case.
    pub case_id: CaseId,
    /// The message on the case's timeline it sends.
    pub message_id: MessageId,
    /// The channel: `email`.
    pub channel: String,
    /// The id the provider will know it by (the Message-ID), the same on every attempt.
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
    /// When the relay took it.
    pub sent_at: Option<OffsetDateTime>,
    /// The mail.
    pub email: OutgoingEmail,
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
    /// the store; an account another store has is `Conflict::Duplicate("account")`.
    async fn add_channel_account(
        &self,
        store_id: StoreId,
        channel: &str,
        account_id: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;
    /// The store a messaging app's account belongs to.
    async fn store_of_account(&self, channel: &str, account_id: &str) -> Result<Option<StoreId>, StorageError>;
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
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StorageError>;
    /// Marks a claimed entry sent.
    async fn outbox_sent(&self, id: Uuid, now: OffsetDateTime) -> Result<(), StorageError>;
    /// Marks a claimed entry failed: pending again from `retry_at`, or dead without one.
    async fn outbox_failed(&self, id: Uuid, error: &str, retry_at: Option<OffsetDateTime>) -> Result<(), StorageError>;
    /// Puts a dead entry back to be sent at `now`, its attempts counted from zero; false when
    /// it is not dead (or not the store's).
    async fn retry_outbox(&self, store_id: StoreId, id: Uuid, now: OffsetDateTime) -> Result<bool, StorageError>;
    /// The store's outbox, newest first, at most `limit`.
    async fn outbox(&self, store_id: StoreId, limit: u32) -> Result<Vec<OutboxEntry>, StorageError>;

    /// Keeps a message that could not be read or stored.
    async fn record_dead_letter(&self, letter: &DeadLetter) -> Result<(), StorageError>;
    /// The store's dead letters, newest first, at most `limit`.
    async fn dead_letters(&self, store_id: StoreId, limit: u32) -> Result<Vec<DeadLetterInfo>, StorageError>;
}

/// The stored text of a bounded error (a relay's answer can be long).
pub(crate) fn bounded_error(error: &str) -> String {
    error.chars().take(2000).collect()
}
