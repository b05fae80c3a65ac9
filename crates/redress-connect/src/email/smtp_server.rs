//! A small SMTP receiver (RFC 5321) for `--smtp-listen`: it takes mail for the stores' support
//! addresses and hands each message to the caller, answering `250` only once the caller has
//! stored it.
//!
//! Why our own: of the embeddable servers on crates.io, `mailin-embedded` runs a thread per
//! connection with a synchronous handler, `samotop` is built on async-std and unmaintained, and
//! the tokio ones are young single-author crates that answer DATA before the application has
//! the message. The guarantee this module exists for, *nothing accepted with `250` is lost*,
//! needs the answer to wait for an async store, so the protocol is written here: it is small
//! (the commands below), and every input is bounded.
//!
//! The protocol, as the caller sees it through [`SmtpHandler`]:
//!
//! 1. `RCPT TO` asks [`SmtpHandler::accepts_recipient`]; a refused address gets `550` and the
//!    sending server bounces to its user (we never send bounces ourselves, so we cannot be used
//!    to spam third parties).
//! 2. After the end of DATA, [`SmtpHandler::deliver`] gets the envelope and the raw message
//!    (dot-unstuffed). The reply waits for it: `Ok` gives `250`; [`Reject::Temporary`] `451`
//!    (the sender retries later); [`Reject::Permanent`] `554` (the sender bounces);
//!    [`Reject::Hangup`] closes the connection without a reply, which a sending server treats
//!    as "not delivered, retry" (the test sink uses it to lose a reply on purpose).
//!
//! Offered: EHLO/HELO, MAIL (with `SIZE=`, `BODY=8BITMIME`, `SMTPUTF8`), RCPT, DATA, RSET,
//! NOOP, QUIT, HELP; extensions SIZE, 8BITMIME, PIPELINING, ENHANCEDSTATUSCODES, SMTPUTF8.
//! Refused: VRFY and EXPN (they would tell spammers which addresses exist), STARTTLS and AUTH
//! (not offered: run it behind the shop's MX or on a private network), BDAT.
//!
//! Bounds: command lines of 1,000 bytes (RFC 5321's 512 plus room for parameters), messages of
//! [`SmtpServerConfig::max_message_bytes`] (advertised with SIZE, enforced while reading),
//! [`SmtpServerConfig::max_recipients`] per message, [`SmtpServerConfig::max_connections`] at
//! once, [`SmtpServerConfig::max_errors`] bad commands per connection, and an idle timeout on
//! every read and write.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// The longest command line read, CRLF included.
const MAX_COMMAND_LINE: usize = 1000;
/// DATA is read in pieces of at most this many bytes; a longer line is read as several pieces.
const DATA_PIECE: usize = 64 * 1024;
/// The most commands one connection may send: a real sender needs a handful per message.
const MAX_COMMANDS: usize = 10_000;
/// The most bytes of an over-long command line skipped before the connection is closed.
const MAX_SKIPPED_LINE: usize = 64 * 1024;

/// What the server needs to know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpServerConfig {
    /// The name the server greets with (`220 <hostname> ESMTP`).
    pub hostname: String,
    /// The largest message accepted, in bytes, advertised with SIZE.
    pub max_message_bytes: usize,
    /// The most recipients of one message.
    pub max_recipients: usize,
    /// The most connections served at once; more are answered `421` and closed.
    pub max_connections: usize,
    /// The most bad commands on one connection before it is closed.
    pub max_errors: usize,
    /// How long a client may stay silent (or not read our replies) before it is dropped.
    pub idle_timeout: Duration,
}

impl Default for SmtpServerConfig {
    fn default() -> Self {
        Self {
            hostname: "localhost".to_owned(),
            max_message_bytes: super::inbound::MAX_RAW_BYTES,
            max_recipients: 100,
            max_connections: 256,
            max_errors: 10,
            // RFC 5321 §4.5.3.2 asks servers to wait at least 5 minutes for a command.
            idle_timeout: Duration::from_secs(300),
        }
    }
}

/// Who sent a message and to whom, as the SMTP dialogue said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The name the client gave in EHLO/HELO.
    pub helo: String,
    /// The reverse path of MAIL FROM; `None` for the null sender `<>` that bounces and
    /// auto-replies use.
    pub mail_from: Option<String>,
    /// The accepted recipients of RCPT TO, in order.
    pub recipients: Vec<String>,
    /// The client's address.
    pub peer: SocketAddr,
}

impl Envelope {
    /// True for the null sender `<>`: a bounce or an auto-reply, never to be answered.
    pub fn is_null_sender(&self) -> bool {
        self.mail_from.is_none()
    }
}

/// How the caller refuses a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reject {
    /// Not now (storage is down): `451`, the sender keeps the message and retries.
    Temporary(String),
    /// Never (unparseable beyond repair, a store that no longer exists): `554`, the sender
    /// bounces it.
    Permanent(String),
    /// Close the connection without answering. A sending server then retries, not knowing
    /// whether the message arrived; tests use it to lose the reply after storing.
    Hangup,
}

/// The caller's side of the receiver.
#[async_trait]
pub trait SmtpHandler: Send + Sync + 'static {
    /// True when mail for `address` (as given in RCPT TO, without angle brackets) is taken:
    /// a store's support address, with or without a plus tag.
    async fn accepts_recipient(&self, address: &str) -> bool;

    /// Stores a message durably; the sender is told `250` only after this returned `Ok`.
    async fn deliver(&self, envelope: &Envelope, raw: Bytes) -> Result<(), Reject>;
}

/// A running receiver. Dropping it (or [`SmtpServer::shutdown`]) stops accepting connections;
/// sessions under way finish their current dialogue.
#[derive(Debug)]
pub struct SmtpServer {
    local_addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl SmtpServer {
    /// Binds `addr` (port 0 for a free port) and serves in the background.
    pub async fn bind(
        addr: impl ToSocketAddrs,
        config: SmtpServerConfig,
        handler: Arc<dyn SmtpHandler>,
    ) -> io::Result<SmtpServer> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let accept = tokio::spawn(serve(listener, config, handler));
        Ok(SmtpServer { local_addr, accept })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting connections.
    pub fn shutdown(self) {
        self.accept.abort();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Serves SMTP on `listener` until the task is dropped, each connection in its own task.
pub async fn serve(listener: TcpListener, config: SmtpServerConfig, handler: Arc<dyn SmtpHandler>) {
    let config = Arc::new(config);
    let slots = Arc::new(Semaphore::new(config.max_connections));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Accept fails on a full file table or a connection reset before accept: the
                // listener itself is fine, so keep serving.
                tracing::warn!(%error, "SMTP accept failed");
                continue;
            }
        };
        let config = Arc::clone(&config);
        let handler = Arc::clone(&handler);
        let slot = Arc::clone(&slots).try_acquire_owned();
        tokio::spawn(async move {
            match slot {
                Ok(_slot) => {
                    if let Err(error) = session(stream, peer, &config, handler.as_ref()).await {
                        tracing::debug!(%peer, %error, "SMTP session ended");
                    }
                }
                Err(_) => {
                    let mut stream = stream;
                    let reply = b"421 4.3.2 Too many connections, try again later\r\n";
                    let _ = tokio::time::timeout(config.idle_timeout, stream.write_all(reply)).await;
                }
            }
        });
    }
}

/// How a bounded read ended.
#[derive(Debug, PartialEq, Eq)]
enum Read {
    /// A whole line, its `\n` included.
    Line,
    /// The bound was reached before a `\n`.
    Cut,
    /// The connection closed.
    Closed,
}

/// Appends to `out` up to and including the next `\n`, reading at most `max` bytes.
async fn read_bounded<R: AsyncBufRead + Unpin>(reader: &mut R, out: &mut Vec<u8>, max: usize) -> io::Result<Read> {
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Read::Closed);
        }
        let room = max.saturating_sub(out.len());
        let window = &available[..available.len().min(room)];
        if let Some(end) = window.iter().position(|&b| b == b'\n') {
            out.extend_from_slice(&window[..=end]);
            reader.consume(end + 1);
            return Ok(Read::Line);
        }
        let taken = window.len();
        out.extend_from_slice(window);
        reader.consume(taken);
        if out.len() >= max {
            return Ok(Read::Cut);
        }
    }
}

/// Why a session ended early.
#[derive(Debug, thiserror::Error)]
enum SessionEnd {
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    #[error("idle for too long")]
    Idle,
    #[error("closed by the client")]
    Closed,
    #[error("a bound was reached (errors, commands, line or message size)")]
    Limit,
    #[error("hung up on the handler's request")]
    Hangup,
}

struct Connection<R, W> {
    reader: R,
    writer: W,
    idle: Duration,
}

impl<R: AsyncBufRead + Unpin, W: AsyncWrite + Unpin> Connection<R, W> {
    async fn read(&mut self, out: &mut Vec<u8>, max: usize) -> Result<Read, SessionEnd> {
        out.clear();
        tokio::time::timeout(self.idle, read_bounded(&mut self.reader, out, max))
            .await
            .map_err(|_| SessionEnd::Idle)?
            .map_err(SessionEnd::Io)
    }

    /// Sends a reply. With pipelining the client may have sent several commands at once: the
    /// replies are then buffered and flushed together once no command is left to read.
    async fn reply(&mut self, text: &str, flush_now: bool) -> Result<(), SessionEnd>
    where
        R: HasBuffer,
    {
        let write = async {
            self.writer.write_all(text.as_bytes()).await?;
            self.writer.write_all(b"\r\n").await?;
            if flush_now || self.reader.buffered_is_empty() {
                self.writer.flush().await?;
            }
            Ok::<_, io::Error>(())
        };
        tokio::time::timeout(self.idle, write).await.map_err(|_| SessionEnd::Idle)?.map_err(SessionEnd::Io)
    }
}

/// A reader that can tell whether it holds unread input (the next pipelined command).
trait HasBuffer {
    fn buffered_is_empty(&self) -> bool;
}

impl<T: tokio::io::AsyncRead> HasBuffer for BufReader<T> {
    fn buffered_is_empty(&self) -> bool {
        self.buffer().is_empty()
    }
}

/// The transaction under way: MAIL FROM given, recipients so far.
struct Transaction {
    mail_from: Option<String>,
    recipients: Vec<String>,
}

async fn session(
    stream: TcpStream,
    peer: SocketAddr,
    config: &SmtpServerConfig,
    handler: &dyn SmtpHandler,
) -> Result<(), SessionEnd> {
    let (read, write) = stream.into_split();
    let mut conn =
        Connection { reader: BufReader::new(read), writer: BufWriter::new(write), idle: config.idle_timeout };
    conn.reply(&format!("220 {} ESMTP Redress", config.hostname), true).await?;
    let mut helo: Option<String> = None;
    let mut transaction: Option<Transaction> = None;
    let mut errors = 0usize;
    let mut line = Vec::with_capacity(MAX_COMMAND_LINE);
    for _ in 0..MAX_COMMANDS {
        match conn.read(&mut line, MAX_COMMAND_LINE).await? {
            Read::Closed => return Err(SessionEnd::Closed),
            Read::Cut => {
                // Skip the rest of the over-long line, up to a bound.
                let mut rest = Vec::new();
                let mut skipped = 0;
                while conn.read(&mut rest, MAX_COMMAND_LINE).await? == Read::Cut {
                    skipped += rest.len();
                    if skipped > MAX_SKIPPED_LINE {
                        return too_many_errors(&mut conn).await;
                    }
                }
                errors += 1;
                conn.reply("500 5.5.2 Line too long", false).await?;
                if errors > config.max_errors {
                    return too_many_errors(&mut conn).await;
                }
                continue;
            }
            Read::Line => {}
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, argument) = match text.split_once(' ') {
            Some((verb, argument)) => (verb.to_ascii_uppercase(), argument.trim()),
            None => (text.to_ascii_uppercase(), ""),
        };
        let outcome = match verb.as_str() {
            "EHLO" | "HELO" if argument.is_empty() => Err("501 5.5.4 Say who you are: EHLO <domain>".to_owned()),
            "EHLO" => {
                helo = Some(bounded(argument));
                transaction = None;
                Ok(format!(
                    "250-{} greets {}\r\n250-SIZE {}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8",
                    config.hostname,
                    bounded(argument),
                    config.max_message_bytes
                ))
            }
            "HELO" => {
                helo = Some(bounded(argument));
                transaction = None;
                Ok(format!("250 {}", config.hostname))
            }
            "MAIL" if helo.is_none() => Err("503 5.5.1 Say EHLO first".to_owned()),
            "MAIL" if transaction.is_some() => Err("503 5.5.1 Already in a transaction; RSET first".to_owned()),
            "MAIL" => match mail_from(argument, config.max_message_bytes) {
                Ok(mail_from) => {
                    transaction = Some(Transaction { mail_from, recipients: Vec::new() });
                    Ok("250 2.1.0 OK".to_owned())
                }
                Err(reply) => Err(reply),
            },
            "RCPT" => match transaction.as_mut() {
                None => Err("503 5.5.1 MAIL FROM first".to_owned()),
                Some(t) if t.recipients.len() >= config.max_recipients => {
                    // A 4xx, not an error: RFC 5321 says the client sends the rest later.
                    Ok("452 4.5.3 Too many recipients".to_owned())
                }
                Some(t) => match rcpt_to(argument) {
                    Err(reply) => Err(reply),
                    Ok(address) if handler.accepts_recipient(&address).await => {
                        t.recipients.push(address);
                        Ok("250 2.1.5 OK".to_owned())
                    }
                    Ok(_) => Ok("550 5.1.1 No such mailbox here".to_owned()),
                },
            },
            "DATA" if !argument.is_empty() => Err("501 5.5.4 DATA takes no argument".to_owned()),
            "DATA" => match transaction.take() {
                None => Err("503 5.5.1 MAIL FROM first".to_owned()),
                Some(t) if t.recipients.is_empty() => Ok("554 5.5.1 No valid recipients".to_owned()),
                Some(t) => {
                    conn.reply("354 End data with <CR><LF>.<CR><LF>", true).await?;
                    let envelope = Envelope {
                        helo: helo.clone().unwrap_or_default(),
                        mail_from: t.mail_from,
                        recipients: t.recipients,
                        peer,
                    };
                    match read_data(&mut conn, config.max_message_bytes).await? {
                        None => Ok(format!("552 5.3.4 Message larger than {} bytes", config.max_message_bytes)),
                        Some(raw) => match handler.deliver(&envelope, raw).await {
                            Ok(()) => Ok("250 2.0.0 OK, stored".to_owned()),
                            Err(Reject::Temporary(why)) => Ok(format!("451 4.3.0 {}", one_line(&why))),
                            Err(Reject::Permanent(why)) => Ok(format!("554 5.6.0 {}", one_line(&why))),
                            Err(Reject::Hangup) => return Err(SessionEnd::Hangup),
                        },
                    }
                }
            },
            "RSET" => {
                transaction = None;
                Ok("250 2.0.0 OK".to_owned())
            }
            "NOOP" => Ok("250 2.0.0 OK".to_owned()),
            "HELP" => Ok("214 2.0.0 See RFC 5321".to_owned()),
            "QUIT" => {
                conn.reply("221 2.0.0 Bye", true).await?;
                return Ok(());
            }
            "VRFY" | "EXPN" => Ok("502 5.5.1 Not telling which addresses exist".to_owned()),
            "STARTTLS" | "AUTH" | "BDAT" | "TURN" | "ETRN" => Err("502 5.5.1 Not offered here".to_owned()),
            _ => Err("500 5.5.2 Unknown command".to_owned()),
        };
        match outcome {
            Ok(reply) => conn.reply(&reply, false).await?,
            Err(reply) => {
                errors += 1;
                if errors > config.max_errors {
                    return too_many_errors(&mut conn).await;
                }
                conn.reply(&reply, false).await?;
            }
        }
    }
    conn.reply("421 4.7.0 Too many commands, closing", true).await?;
    Err(SessionEnd::Limit)
}

async fn too_many_errors<R: AsyncBufRead + Unpin + HasBuffer, W: AsyncWrite + Unpin>(
    conn: &mut Connection<R, W>,
) -> Result<(), SessionEnd> {
    conn.reply("421 4.7.0 Too many errors, closing", true).await?;
    Err(SessionEnd::Limit)
}

/// Reads the message after `354` up to the lone `.` line, undoing dot-stuffing. Returns `None`
/// when it was larger than `max` bytes: it is then read to its end and dropped, so the dialogue
/// can go on, unless it goes on for another `max` bytes, when the connection is closed.
async fn read_data<R: AsyncBufRead + Unpin, W: AsyncWrite + Unpin>(
    conn: &mut Connection<R, W>,
    max: usize,
) -> Result<Option<Bytes>, SessionEnd> {
    let mut message = Vec::new();
    let mut too_big = false;
    let mut piece = Vec::with_capacity(DATA_PIECE);
    let mut at_line_start = true;
    let mut dropped = 0usize;
    loop {
        let read = conn.read(&mut piece, DATA_PIECE).await?;
        if read == Read::Closed {
            return Err(SessionEnd::Closed);
        }
        if at_line_start && (piece == b".\r\n" || piece == b".\n") {
            break;
        }
        let content = if at_line_start && piece.first() == Some(&b'.') { &piece[1..] } else { &piece[..] };
        at_line_start = read == Read::Line;
        if too_big {
            dropped += content.len();
            if dropped > max {
                return Err(SessionEnd::Limit);
            }
            continue;
        }
        if message.len() + content.len() > max {
            too_big = true;
            message = Vec::new();
        } else {
            message.extend_from_slice(content);
        }
    }
    Ok((!too_big).then(|| Bytes::from(message)))
}

/// The reverse path of `MAIL FROM:<path> [params]`; `Ok(None)` for `<>`.
fn mail_from(argument: &str, max_size: usize) -> Result<Option<String>, String> {
    let rest = strip_prefix_ignore_case(argument, "FROM:").ok_or("501 5.5.4 Syntax: MAIL FROM:<address>")?;
    let (path, params) = path_and_params(rest).ok_or("501 5.1.7 Bad sender address syntax")?;
    for param in params.split_whitespace() {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        match key.to_ascii_uppercase().as_str() {
            "SIZE" => match value.parse::<u64>() {
                Ok(size) if size > max_size as u64 => {
                    return Err(format!("552 5.3.4 Message larger than {max_size} bytes"));
                }
                Ok(_) => {}
                Err(_) => return Err("501 5.5.4 Bad SIZE value".to_owned()),
            },
            "BODY" if value.eq_ignore_ascii_case("7BIT") || value.eq_ignore_ascii_case("8BITMIME") => {}
            "SMTPUTF8" => {}
            _ => return Err("555 5.5.4 Unsupported MAIL parameter".to_owned()),
        }
    }
    Ok((!path.is_empty()).then_some(path))
}

/// The forward path of `RCPT TO:<path>`.
fn rcpt_to(argument: &str) -> Result<String, String> {
    let rest = strip_prefix_ignore_case(argument, "TO:").ok_or("501 5.5.4 Syntax: RCPT TO:<address>")?;
    match path_and_params(rest) {
        Some((path, params)) if !path.is_empty() && params.trim().is_empty() => Ok(path),
        Some((_, params)) if !params.trim().is_empty() => Err("555 5.5.4 RCPT parameters are not supported".to_owned()),
        _ => Err("501 5.1.3 Bad recipient address syntax".to_owned()),
    }
}

/// Splits `<path> params` (angle brackets required, as RFC 5321 says, though a bare address is
/// tolerated for old clients); drops a source route (`<@relay:user@host>`).
fn path_and_params(text: &str) -> Option<(String, &str)> {
    let text = text.trim_start();
    let (path, params) = match text.strip_prefix('<') {
        Some(inner) => {
            let end = inner.find('>')?;
            (&inner[..end], &inner[end + 1..])
        }
        None => text.split_once(' ').unwrap_or((text, "")),
    };
    let path = match path.split_once(':') {
        Some((route, address)) if route.starts_with('@') => address,
        _ => path,
    };
    let path = path.trim();
    let valid = path.is_empty() || (path.len() <= 254 && !path.contains(|c: char| c.is_whitespace() || c.is_control()));
    valid.then(|| (path.to_owned(), params))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// A client-given name as we repeat it: printable, at most 100 characters.
fn bounded(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// A handler's reason as one reply line.
fn one_line(text: &str) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(200).collect();
    if line.trim().is_empty() { "Not accepted".to_owned() } else { line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(mail_from("FROM:<ana@x.example>", 100), Ok(Some("ana@x.example".into())));
        assert_eq!(mail_from("from:<ana@x.example> SIZE=50 BODY=8BITMIME", 100), Ok(Some("ana@x.example".into())));
        assert_eq!(mail_from("FROM:<>", 100), Ok(None));
        assert_eq!(mail_from("FROM: <@relay.example:ana@x.example>", 100), Ok(Some("ana@x.example".into())));
        assert!(mail_from("FROM:<a@x> SIZE=500", 100).unwrap_err().starts_with("552"));
        assert!(mail_from("FROM:<a@x> SIZE=lots", 100).unwrap_err().starts_with("501"));
        assert!(mail_from("FROM:<a@x> XFOO=1", 100).unwrap_err().starts_with("555"));
        assert!(mail_from("TO:<a@x>", 100).unwrap_err().starts_with("501"));
        assert!(mail_from("FROM:<a b@x>", 100).unwrap_err().starts_with("501"));
        assert!(mail_from("FROM:<unclosed", 100).unwrap_err().starts_with("501"));
        assert_eq!(rcpt_to("TO:<support+12@shop.example>"), Ok("support+12@shop.example".into()));
        assert_eq!(rcpt_to("To:support@shop.example"), Ok("support@shop.example".into()));
        assert!(rcpt_to("TO:<>").unwrap_err().starts_with("501"));
        assert!(rcpt_to("TO:<a@x> NOTIFY=NEVER").unwrap_err().starts_with("555"));
        assert!(rcpt_to("TÓ:<a@x>").unwrap_err().starts_with("501"));
    }

    #[tokio::test]
    async fn bounded_reads_cut_long_lines_and_see_the_end() {
        let mut input: &[u8] = b"short\nthis line is long\nend";
        let mut reader = BufReader::new(&mut input);
        let mut out = Vec::new();
        assert_eq!(read_bounded(&mut reader, &mut out, 10).await.unwrap(), Read::Line);
        assert_eq!(out, b"short\n");
        out.clear();
        assert_eq!(read_bounded(&mut reader, &mut out, 10).await.unwrap(), Read::Cut);
        assert_eq!(out, b"this line ");
        out.clear();
        assert_eq!(read_bounded(&mut reader, &mut out, 10).await.unwrap(), Read::Line);
        assert_eq!(out, b"is long\n");
        out.clear();
        assert_eq!(read_bounded(&mut reader, &mut out, 10).await.unwrap(), Read::Closed);
        assert_eq!(out, b"end");
    }
}
