//! Polling an IMAP mailbox (RFC 9051/3501) with `async-imap`, so that a restart neither loses
//! nor duplicates a message.
//!
//! The protocol between this module and its caller:
//!
//! 1. The caller keeps an [`ImapCursor`] per mailbox: the mailbox's UIDVALIDITY and the highest
//!    UID it has *stored*. It starts with none.
//! 2. [`fetch_new`] logs in, selects the mailbox, and returns the messages with a UID above the
//!    cursor's, in UID order, at most [`ImapLimits::max_messages`] of them (with
//!    [`ImapBatch::more`] set when others wait). Messages are read with `BODY.PEEK[]`, so the
//!    mailbox is left as it was (nothing marked seen, moved or deleted): another reader of the
//!    mailbox sees what it saw before.
//! 3. The caller stores each message, and after each one stores the cursor
//!    `(batch.uid_validity, message.uid)` in the same transaction. A crash between two
//!    messages resumes after the last one stored: none lost, none stored twice.
//! 4. If the server's UIDVALIDITY differs from the cursor's, the old UIDs mean nothing any more
//!    (the mailbox was recreated): the batch starts again from the first message and says so
//!    with [`ImapBatch::reset`]; the caller then recognises messages it already has by their
//!    Message-ID.
//!
//! A message larger than [`ImapLimits::max_message_bytes`] is not downloaded: it is returned
//! as [`ImapContent::TooLarge`] so the caller can dead-letter it and move the cursor past it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_imap::Client;
use bytes::Bytes;
use futures_util::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use url::Url;

/// How the connection to the IMAP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImapSecurity {
    /// TLS from the first byte (`imaps://`, port 993), checked against the web's root
    /// certificates.
    Tls,
    /// Plain text (`imap://`, port 143): only for a server on the same machine or in tests.
    Plain,
}

/// A mailbox to poll.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapAccount {
    /// The server's host name.
    pub host: String,
    /// The server's port.
    pub port: u16,
    /// TLS or plain.
    pub security: ImapSecurity,
    /// The login name.
    pub username: String,
    /// The password (never shown by `Debug`).
    pub password: String,
    /// The mailbox to read, usually `INBOX`.
    pub mailbox: String,
    /// The bound on connecting and on each exchange with the server.
    pub timeout: Duration,
}

impl fmt::Debug for ImapAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapAccount")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &"***")
            .field("mailbox", &self.mailbox)
            .finish()
    }
}

impl ImapAccount {
    /// The account a URL names: `imaps://user:pass@host[:993][/Mailbox]` or `imap://…` (plain,
    /// port 143). User and password are percent-decoded; the mailbox defaults to `INBOX`.
    pub fn from_url(url: &str, timeout: Duration) -> Result<ImapAccount, ImapError> {
        let bad = || ImapError::Config("give the mailbox as imaps://user:password@host/INBOX".to_owned());
        let parsed = Url::parse(url.trim()).map_err(|_| bad())?;
        let security = match parsed.scheme() {
            "imaps" => ImapSecurity::Tls,
            "imap" => ImapSecurity::Plain,
            _ => return Err(bad()),
        };
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(bad)?;
        let decode =
            |s: &str| percent_encoding::percent_decode_str(s).decode_utf8().map(|t| t.into_owned()).map_err(|_| bad());
        let username = decode(parsed.username())?;
        let password = decode(parsed.password().unwrap_or_default())?;
        if username.is_empty() {
            return Err(bad());
        }
        let mailbox = decode(parsed.path().trim_start_matches('/'))?;
        Ok(ImapAccount {
            host: host.trim_start_matches('[').trim_end_matches(']').to_owned(),
            port: parsed.port().unwrap_or(if security == ImapSecurity::Tls { 993 } else { 143 }),
            security,
            username,
            password,
            mailbox: if mailbox.is_empty() { "INBOX".to_owned() } else { mailbox },
            timeout,
        })
    }
}

/// Where the caller is in a mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImapCursor {
    /// The mailbox's UIDVALIDITY when `last_uid` was stored.
    pub uid_validity: u32,
    /// The highest UID stored.
    pub last_uid: u32,
}

/// The bounds on one poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImapLimits {
    /// The most messages returned by one poll.
    pub max_messages: usize,
    /// The largest message downloaded.
    pub max_message_bytes: usize,
    /// The most bytes downloaded by one poll (at least one message is always returned).
    pub max_batch_bytes: usize,
}

impl Default for ImapLimits {
    fn default() -> Self {
        Self { max_messages: 50, max_message_bytes: super::inbound::MAX_RAW_BYTES, max_batch_bytes: 64 * 1024 * 1024 }
    }
}

/// A message found by a poll.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImapMessage {
    /// Its UID in the mailbox.
    pub uid: u32,
    /// Its content, or why there is none.
    pub content: ImapContent,
}

/// What was downloaded of a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ImapContent {
    /// The raw RFC 5322 message.
    Raw(Bytes),
    /// Larger than the limit: not downloaded.
    TooLarge {
        /// Its size as the server reports it.
        size: u32,
    },
}

/// What one poll found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImapBatch {
    /// The mailbox's UIDVALIDITY, to store with each message's UID.
    pub uid_validity: u32,
    /// True when the cursor's UIDVALIDITY was not the mailbox's: the batch starts from the
    /// mailbox's first message.
    pub reset: bool,
    /// The new messages, in UID order.
    pub messages: Vec<ImapMessage>,
    /// True when more new messages wait than were returned: poll again.
    pub more: bool,
}

impl ImapBatch {
    /// The cursor to store after the last message of this batch.
    pub fn cursor_after(&self, message: &ImapMessage) -> ImapCursor {
        ImapCursor { uid_validity: self.uid_validity, last_uid: message.uid }
    }
}

/// Why a poll failed. All are worth retrying at the next poll except `Config` and `Login`,
/// which need a person.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The account's settings are unusable.
    #[error("IMAP settings: {0}")]
    Config(String),
    /// The server could not be reached or the connection broke.
    #[error("IMAP connection to {host}: {source}")]
    Connect {
        /// The server.
        host: String,
        /// What failed.
        source: std::io::Error,
    },
    /// The server did not answer in time.
    #[error("the IMAP server did not answer in time")]
    Timeout,
    /// The server refused the user name or password.
    #[error("the IMAP server refused the login: {0}")]
    Login(String),
    /// The server answered something unexpected or refused a command.
    #[error("IMAP: {0}")]
    Protocol(String),
}

impl From<async_imap::error::Error> for ImapError {
    fn from(error: async_imap::error::Error) -> Self {
        ImapError::Protocol(error.to_string())
    }
}

/// Fetches the messages after `cursor` (all of them when `None`), within `limits`.
pub async fn fetch_new(
    account: &ImapAccount,
    cursor: Option<ImapCursor>,
    limits: &ImapLimits,
) -> Result<ImapBatch, ImapError> {
    let connect = TcpStream::connect((account.host.as_str(), account.port));
    let tcp = tokio::time::timeout(account.timeout, connect)
        .await
        .map_err(|_| ImapError::Timeout)?
        .map_err(|source| ImapError::Connect { host: account.host.clone(), source })?;
    match account.security {
        ImapSecurity::Plain => poll(tcp, account, cursor, limits).await,
        ImapSecurity::Tls => {
            let name = ServerName::try_from(account.host.clone())
                .map_err(|_| ImapError::Config(format!("`{}` is not a host name", account.host)))?;
            let handshake = tls_connector()?.connect(name, tcp);
            let tls = tokio::time::timeout(account.timeout, handshake)
                .await
                .map_err(|_| ImapError::Timeout)?
                .map_err(|source| ImapError::Connect { host: account.host.clone(), source })?;
            poll(tls, account, cursor, limits).await
        }
    }
}

fn tls_connector() -> Result<TlsConnector, ImapError> {
    let roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    // ring, the provider lettre's `tokio1-rustls-tls` uses too. rustls now prefers aws-lc-rs
    // for its post-quantum key exchange, but that is a cmake and C build this project avoids;
    // ring's classical key exchange is what IMAP servers offer today anyway.
    #[allow(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ImapError::Config(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The dialogue over an open connection, each exchange bounded by the account's timeout.
async fn poll<S>(
    stream: S,
    account: &ImapAccount,
    cursor: Option<ImapCursor>,
    limits: &ImapLimits,
) -> Result<ImapBatch, ImapError>
where
    S: AsyncRead + AsyncWrite + Unpin + fmt::Debug + Send,
{
    let mut client = Client::new(stream);
    bounded(account.timeout, async {
        match client.read_response().await {
            Ok(Some(_greeting)) => Ok(()),
            Ok(None) => Err(ImapError::Protocol("the server closed the connection before greeting".into())),
            Err(source) => Err(ImapError::Connect { host: account.host.clone(), source }),
        }
    })
    .await?;
    let mut session = bounded(account.timeout, async {
        client.login(&account.username, &account.password).await.map_err(|(e, _)| ImapError::Login(e.to_string()))
    })
    .await?;
    let mailbox = bounded(account.timeout, async { Ok(session.select(&account.mailbox).await?) }).await?;
    let uid_validity =
        mailbox.uid_validity.ok_or_else(|| ImapError::Protocol("the server gave no UIDVALIDITY".into()))?;
    let reset = cursor.is_some_and(|c| c.uid_validity != uid_validity);
    let after = cursor.filter(|c| c.uid_validity == uid_validity).map_or(0, |c| c.last_uid);
    let mut batch = ImapBatch { uid_validity, reset, messages: Vec::new(), more: false };
    if mailbox.exists == 0 || after == u32::MAX {
        let _ = bounded(account.timeout, async { Ok(session.logout().await?) }).await;
        return Ok(batch);
    }
    // `n:*` always includes the highest UID, even when it is below n: filter on our side. A
    // mailbox may hold a million new messages: keep only the lowest UIDs while reading.
    let keep = limits.max_messages.saturating_add(1);
    let mut sizes: Vec<(u32, u32)> = bounded(account.timeout, async {
        let mut stream = session.uid_fetch(format!("{}:*", after + 1), "(UID RFC822.SIZE)").await?;
        let mut sizes = Vec::new();
        while let Some(fetch) = stream.try_next().await? {
            if let Some(uid) = fetch.uid.filter(|uid| *uid > after) {
                sizes.push((uid, fetch.size.unwrap_or(0)));
            }
            if sizes.len() >= keep.saturating_mul(4) {
                sizes.sort_unstable();
                sizes.truncate(keep);
            }
        }
        Ok(sizes)
    })
    .await?;
    sizes.sort_unstable();
    sizes.dedup_by_key(|(uid, _)| *uid);
    batch.more = sizes.len() > limits.max_messages;
    sizes.truncate(limits.max_messages);
    let mut total = 0usize;
    let within_budget = sizes
        .iter()
        .position(|(_, size)| {
            if *size as usize <= limits.max_message_bytes {
                total = total.saturating_add(*size as usize);
            }
            total > limits.max_batch_bytes
        })
        .map_or(sizes.len(), |over| over.max(1));
    if within_budget < sizes.len() {
        sizes.truncate(within_budget);
        batch.more = true;
    }
    let wanted: Vec<String> = sizes
        .iter()
        .filter(|(_, size)| *size as usize <= limits.max_message_bytes)
        .map(|(uid, _)| uid.to_string())
        .collect();
    let mut bodies = std::collections::HashMap::new();
    if !wanted.is_empty() {
        bodies = bounded(account.timeout, async {
            let fetches: Vec<_> = session.uid_fetch(wanted.join(","), "(UID BODY.PEEK[])").await?.try_collect().await?;
            Ok(fetches
                .iter()
                .filter_map(|f| Some((f.uid?, Bytes::copy_from_slice(f.body()?))))
                .collect::<std::collections::HashMap<u32, Bytes>>())
        })
        .await?;
    }
    for (uid, size) in sizes {
        let content = if size as usize > limits.max_message_bytes {
            ImapContent::TooLarge { size }
        } else {
            match bodies.remove(&uid) {
                Some(raw) if raw.len() <= limits.max_message_bytes => ImapContent::Raw(raw),
                Some(raw) => ImapContent::TooLarge { size: u32::try_from(raw.len()).unwrap_or(u32::MAX) },
                // No body for a listed message: most likely expunged by another client between
                // the two fetches, but returning later messages would let the cursor move past
                // it for good. Stop here; the next poll lists it again if it still exists.
                None => {
                    batch.more = true;
                    break;
                }
            }
        };
        batch.messages.push(ImapMessage { uid, content });
    }
    let _ = bounded(account.timeout, async { Ok(session.logout().await?) }).await;
    Ok(batch)
}

async fn bounded<T>(timeout: Duration, future: impl Future<Output = Result<T, ImapError>>) -> Result<T, ImapError> {
    tokio::time::timeout(timeout, future).await.map_err(|_| ImapError::Timeout)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_urls() {
        let account =
            ImapAccount::from_url("imaps://ana%40shop:p%2Fw@imap.example/Support", Duration::from_secs(5)).unwrap();
        assert_eq!(account.security, ImapSecurity::Tls);
        assert_eq!(account.port, 993);
        assert_eq!(account.username, "ana@shop");
        assert_eq!(account.password, "p/w");
        assert_eq!(account.mailbox, "Support");
        assert!(!format!("{account:?}").contains("p/w"));
        let plain = ImapAccount::from_url("imap://u:p@127.0.0.1:1143", Duration::from_secs(5)).unwrap();
        assert_eq!((plain.security, plain.port, plain.mailbox.as_str()), (ImapSecurity::Plain, 1143, "INBOX"));
        for bad in ["http://u:p@x", "imap://x", "nonsense"] {
            assert!(matches!(ImapAccount::from_url(bad, Duration::from_secs(5)), Err(ImapError::Config(_))), "{bad}");
        }
    }
}
