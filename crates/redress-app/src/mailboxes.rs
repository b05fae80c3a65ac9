//! Mail read from a store's own mailbox by IMAP, for shops whose mail stays with their provider:
//! each new message goes through the same path as the SMTP receiver's ([`receive_email`]).
//!
//! The mailbox's address (`imaps://user:password@host/INBOX`) is sealed under the server's
//! secrets key. A poller beside the server claims the mailboxes due in the database (one server
//! reads a mailbox at a time), fetches the messages after the UID it last stored, and records
//! the UID after each message is stored: a restart resumes after the last one, and one read
//! twice (a crash between storing and recording) is recognised by its Message-ID and changes
//! nothing. The mailbox itself is left as it was (messages are read with `BODY.PEEK[]`).

use std::sync::Arc;

use redress_connect::email::{ImapAccount, ImapContent, ImapCursor, ImapLimits, ImapSecurity, fetch_new};
use redress_domain::StoreId;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::App;
use crate::caller::{Action, Caller, SystemRule};
use crate::channels::{dead_letter, receive_email};
use crate::error::{AppError, AppResult};

/// How often a mailbox is read.
pub const POLL_EVERY: Duration = Duration::minutes(1);
/// How long a reading may take before another server may take the mailbox.
const LEASE: Duration = Duration::minutes(5);
/// The bound on connecting and each exchange with the IMAP server.
const IMAP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The mailbox to read, as an admin gives it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MailboxInput {
    /// `imaps://user:password@host[:993]/INBOX` (user and password percent-encoded);
    /// `imap://` (no TLS) only for a server on this machine.
    pub url: String,
}

/// Where the store's mailbox reading stands; never its password.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MailboxStatus {
    /// The mailbox, without its password.
    pub mailbox: String,
    /// When it was last read.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub last_read_at: Option<OffsetDateTime>,
    /// Why the last reading failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Messages taken from it so far.
    pub messages_read: u64,
}

fn context(store_id: StoreId) -> String {
    format!("mailbox {store_id}")
}

/// Reads the store's mail from this mailbox from now on, from its first message (an admin's
/// setting; mail already received by other ways is recognised by its Message-ID).
pub async fn set_mailbox(app: &App, caller: &Caller, input: MailboxInput) -> AppResult<MailboxStatus> {
    let store_id = caller.require(Action::ManageSettings)?;
    if input.url.len() > 1000 {
        return Err(AppError::invalid("url", "at most 1,000 characters"));
    }
    let account =
        ImapAccount::from_url(&input.url, IMAP_TIMEOUT).map_err(|e| AppError::invalid("url", e.to_string()))?;
    let local = matches!(account.host.as_str(), "127.0.0.1" | "::1" | "localhost");
    if account.security == ImapSecurity::Plain && !local {
        return Err(AppError::invalid("url", "use imaps:// (TLS): a password is never sent in clear over the network"));
    }
    let scheme = if account.security == ImapSecurity::Tls { "imaps" } else { "imap" };
    let shown_as = format!("{scheme}://{}@{}:{}/{}", account.username, account.host, account.port, account.mailbox);
    let sealed = app.secrets()?.seal(&context(store_id), input.url.trim().as_bytes())?;
    let storage = app.storage().channels();
    storage.set_mailbox(store_id, &sealed, &shown_as, app.now()).await?;
    let status = storage.mailbox(store_id).await?.ok_or_else(|| AppError::internal("a mailbox set was not kept"))?;
    Ok(status_of(status))
}

/// The store's mailbox reading, if it has a mailbox.
pub async fn mailbox(app: &App, caller: &Caller) -> AppResult<Option<MailboxStatus>> {
    let store_id = caller.require(Action::ManageSettings)?;
    Ok(app.storage().channels().mailbox(store_id).await?.map(status_of))
}

fn status_of(mailbox: redress_storage::channels::Mailbox) -> MailboxStatus {
    MailboxStatus {
        mailbox: mailbox.shown_as,
        last_read_at: mailbox.last_polled_at,
        last_error: mailbox.last_error,
        messages_read: mailbox.messages_read,
    }
}

/// Reads every mailbox due, each claimed so one server reads it; the messages taken.
pub async fn read_due(app: &App) -> AppResult<u32> {
    let storage = app.storage().channels();
    let mut taken = 0;
    for mailbox in storage.claim_mailboxes(app.now(), LEASE, 20).await? {
        let store_id = mailbox.store_id;
        let result = read_one(app, &mailbox).await;
        let error = match &result {
            Ok(n) => {
                taken += n;
                None
            }
            Err(e) => {
                tracing::warn!(store = %store_id, error = %e.message, "a mailbox could not be read");
                Some(e.message.clone())
            }
        };
        let now = app.now();
        storage.mailbox_polled(store_id, now, error.as_deref(), now + POLL_EVERY).await?;
    }
    Ok(taken)
}

/// Reads one mailbox from where it stands; the messages taken.
async fn read_one(app: &App, mailbox: &redress_storage::channels::Mailbox) -> AppResult<u32> {
    let store_id = mailbox.store_id;
    let url = app.secrets()?.open(&context(store_id), &mailbox.sealed_url)?;
    let account = ImapAccount::from_url(&String::from_utf8_lossy(&url), IMAP_TIMEOUT)
        .map_err(|e| AppError::invalid("url", e.to_string()))?;
    let caller = Caller::System { store_id, rule: SystemRule::MailReceiver };
    let storage = app.storage().channels();
    let mut cursor = mailbox.cursor.map(|(uid_validity, last_uid)| ImapCursor { uid_validity, last_uid });
    let mut taken = 0;
    loop {
        let batch = fetch_new(&account, cursor, &ImapLimits::default())
            .await
            .map_err(|e| AppError::new(crate::ErrorCode::Unavailable, e.to_string()))?;
        for message in &batch.messages {
            match &message.content {
                ImapContent::Raw(raw) => {
                    receive_email(app, &caller, raw, false).await?;
                }
                ImapContent::TooLarge { size } => {
                    let reason = format!("the mail is {size} bytes, more than Redress takes; it stays in the mailbox");
                    dead_letter(app, store_id, b"", &reason).await?;
                }
            }
            let next = batch.cursor_after(message);
            storage.mailbox_read_to(store_id, (next.uid_validity, next.last_uid)).await?;
            cursor = Some(next);
            taken += 1;
        }
        if !batch.more || batch.messages.is_empty() {
            return Ok(taken);
        }
    }
}

/// Reads the mailboxes due every `every`, beside the server.
pub fn spawn_reader(app: Arc<App>, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = read_due(&app).await {
                tracing::warn!(error = %e.message, "reading mailboxes failed; trying again");
            }
            tokio::time::sleep(every).await;
        }
    })
}
