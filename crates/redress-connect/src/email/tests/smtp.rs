//! The SMTP receiver against real clients (lettre, through [`SmtpRelay`], and Python's
//! `smtplib`) and against a hand-driven dialogue; the relay's error classes against the sink.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{Notify, Semaphore};

use crate::email::outbound::tests::sample;
use crate::email::sink::{SinkBehaviour, SmtpSink};
use crate::email::{
    Envelope, InboundEmail, OutboundEmail, Reject, SendError, SmtpHandler, SmtpRelay, SmtpServer, SmtpServerConfig,
    build, message_id_for,
};

/// Every await in these tests is bounded, so a bug fails the test instead of hanging it.
const LIMIT: Duration = Duration::from_secs(20);

async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(LIMIT, future).await.expect("the test took too long")
}

/// A handler that takes mail for `support@shop.example` (and its plus addresses), records what
/// it stores, and can be held inside `deliver` until released.
#[derive(Default)]
struct Recorder {
    stored: Mutex<Vec<(Envelope, Bytes)>>,
    hold: Option<(Arc<Notify>, Arc<Semaphore>)>,
}

#[async_trait]
impl SmtpHandler for Recorder {
    async fn accepts_recipient(&self, address: &str) -> bool {
        crate::email::base_address(address) == "support@shop.example"
    }

    async fn deliver(&self, envelope: &Envelope, raw: Bytes) -> Result<(), Reject> {
        if let Some((entered, release)) = &self.hold {
            entered.notify_one();
            let _permit = release.acquire().await.map_err(|_| Reject::Temporary("closed".into()))?;
        }
        self.stored.lock().unwrap().push((envelope.clone(), raw));
        Ok(())
    }
}

async fn server(handler: Arc<Recorder>, config: SmtpServerConfig) -> SmtpServer {
    SmtpServer::bind("127.0.0.1:0", config, handler).await.unwrap()
}

fn relay_to(address: std::net::SocketAddr) -> SmtpRelay {
    SmtpRelay::from_url(&format!("smtp://{address}?tls=none"), Duration::from_secs(10)).unwrap()
}

fn to_support(mut email: OutboundEmail) -> OutboundEmail {
    email.to.address = redress_domain::EmailAddress::parse("support+12@shop.example").unwrap();
    email
}

#[tokio::test]
async fn lettre_delivers_through_the_receiver_byte_for_byte() {
    let recorder = Arc::new(Recorder::default());
    let server = server(recorder.clone(), SmtpServerConfig::default()).await;
    let mut email = to_support(sample());
    // Lines starting with a dot are stuffed by the client and must be unstuffed here.
    email.text_body = ".hidden\n..two dots\n.\nend".into();
    let built = build(&email).unwrap();
    within(relay_to(server.local_addr()).send(&built)).await.unwrap();
    let stored = recorder.stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    let (envelope, raw) = &stored[0];
    assert_eq!(envelope.mail_from.as_deref(), Some("obsluga@sklep.example"));
    assert_eq!(envelope.recipients, ["support+12@shop.example"]);
    // lettre ends DATA with CRLF . CRLF even after the message's own final CRLF, which adds an
    // empty line; apart from it the bytes are the ones built.
    assert_eq!(raw.strip_suffix(b"\r\n"), Some(built.bytes.as_slice()));
    assert_eq!(InboundEmail::parse(raw).unwrap().full_text, ".hidden\n..two dots\n.\nend");
}

#[tokio::test]
async fn the_reply_to_data_waits_until_the_handler_stored_the_message() {
    let entered = Arc::new(Notify::new());
    let release = Arc::new(Semaphore::new(0));
    let recorder = Arc::new(Recorder { hold: Some((entered.clone(), release.clone())), ..Recorder::default() });
    let server = server(recorder.clone(), SmtpServerConfig::default()).await;
    let relay = relay_to(server.local_addr());
    let built = build(&to_support(sample())).unwrap();
    let sending = tokio::spawn(async move { relay.send(&built).await });
    within(entered.notified()).await;
    // The handler has the message but has not returned: the client has no answer yet.
    assert!(!sending.is_finished());
    assert!(recorder.stored.lock().unwrap().is_empty());
    release.add_permits(1);
    within(sending).await.unwrap().unwrap();
    assert_eq!(recorder.stored.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn refusals_reach_the_sender_as_transient_or_permanent() {
    let sink = SmtpSink::start().await.unwrap();
    let relay = SmtpRelay::from_url(&sink.relay_url(), Duration::from_secs(10)).unwrap();
    let built = build(&sample()).unwrap();
    sink.fail_next(1, Reject::Temporary("database is busy".into()));
    match within(relay.send(&built)).await {
        Err(e @ SendError::Transient { code: Some(451), .. }) => assert!(e.is_retryable()),
        other => panic!("{other:?}"),
    }
    sink.fail_next(1, Reject::Permanent("no such store".into()));
    match within(relay.send(&built)).await {
        Err(e @ SendError::Permanent { code: Some(554), .. }) => {
            assert!(!e.is_retryable());
            assert!(e.to_string().contains("no such store"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(sink.received().is_empty());
    within(relay.send(&built)).await.unwrap();
    assert_eq!(within(sink.wait_for(1)).await.len(), 1);
}

#[tokio::test]
async fn a_lost_reply_is_retried_and_the_copy_carries_the_same_message_id() {
    let sink = SmtpSink::start().await.unwrap();
    let relay = SmtpRelay::from_url(&sink.relay_url(), Duration::from_secs(10)).unwrap();
    let built = build(&sample()).unwrap();
    sink.script(SinkBehaviour::KeepAndHangUp);
    let first = within(relay.send(&built)).await;
    assert!(matches!(first, Err(SendError::Transient { code: None, .. })), "{first:?}");
    // The outbox retries the same bytes: two copies arrived, recognisably one message.
    within(relay.send(&built)).await.unwrap();
    let received = within(sink.wait_for(2)).await;
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].raw, received[1].raw);
    assert_eq!(sink.distinct_message_ids(), std::slice::from_ref(&built.message_id));
    // Another outbox entry is another message.
    let other = OutboundEmail { message_id: message_id_for(uuid::Uuid::from_u128(8), "sklep.example"), ..sample() };
    within(relay.send(&build(&other).unwrap())).await.unwrap();
    within(sink.wait_for(3)).await;
    assert_eq!(sink.distinct_message_ids().len(), 2);
}

#[tokio::test]
async fn an_unreachable_relay_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let result = within(relay_to(address).send(&build(&sample()).unwrap())).await;
    assert!(matches!(result, Err(SendError::Transient { .. })), "{result:?}");
}

/// A hand-driven SMTP client.
struct Client {
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
}

impl Client {
    async fn connect(server: &SmtpServer) -> Client {
        let (read, writer) = TcpStream::connect(server.local_addr()).await.unwrap().into_split();
        Client { reader: BufReader::new(read), writer }
    }

    async fn send(&mut self, text: &str) {
        within(self.writer.write_all(text.as_bytes())).await.unwrap();
    }

    /// One reply, all its lines; empty when the server closed the connection.
    async fn reply(&mut self) -> String {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            if within(self.reader.read_line(&mut line)).await.unwrap() == 0 {
                return reply;
            }
            reply.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return reply;
            }
        }
    }

    async fn says(&mut self, command: &str, code: &str) -> String {
        self.send(&format!("{command}\r\n")).await;
        let reply = self.reply().await;
        assert!(reply.starts_with(code), "{command} → {reply}");
        reply
    }

    async fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        within(self.reader.read_to_end(&mut rest)).await.is_ok()
    }
}

#[tokio::test]
async fn a_full_dialogue_with_every_command_and_its_bounds() {
    let recorder = Arc::new(Recorder::default());
    let config = SmtpServerConfig { max_message_bytes: 200, max_recipients: 2, ..SmtpServerConfig::default() };
    let server = server(recorder.clone(), config).await;
    let mut c = Client::connect(&server).await;
    assert!(c.reply().await.starts_with("220 localhost ESMTP"));
    c.says("MAIL FROM:<a@x.example>", "503").await;
    let ehlo = c.says("EHLO client.example", "250").await;
    for extension in ["SIZE 200", "8BITMIME", "PIPELINING", "ENHANCEDSTATUSCODES", "SMTPUTF8"] {
        assert!(ehlo.contains(extension), "{ehlo}");
    }
    c.says("VRFY support", "502").await;
    c.says("EXPN staff", "502").await;
    c.says("STARTTLS", "502").await;
    c.says("NOOP", "250").await;
    c.says("HELP", "214").await;
    c.says("RCPT TO:<support@shop.example>", "503").await;
    c.says("DATA", "503").await;
    c.says("MAIL FROM:<a@x.example> SIZE=201", "552").await;
    c.says("MAIL FROM:<a@x.example> SIZE=100 BODY=8BITMIME", "250").await;
    c.says("MAIL FROM:<b@x.example>", "503").await;
    c.says("DATA", "554").await;
    c.says("MAIL FROM:<a@x.example>", "250").await;
    c.says("RCPT TO:<stranger@elsewhere.example>", "550").await;
    c.says("RCPT TO:<support@shop.example>", "250").await;
    c.says("RCPT TO:<support+7@shop.example>", "250").await;
    c.says("RCPT TO:<support+8@shop.example>", "452").await;
    c.says("DATA extra", "501").await;
    c.says("DATA", "354").await;
    // Too big: read to its end, refused, and the session goes on.
    c.send(&format!("Subject: big\r\n\r\n{}\r\n.\r\n", "x".repeat(300))).await;
    assert!(c.reply().await.starts_with("552"));
    c.says("RSET", "250").await;
    // Pipelined, with bare LF line ends and dot-stuffing.
    c.send("MAIL FROM:<>\r\nRCPT TO:<support@shop.example>\r\nDATA\r\n").await;
    for code in ["250", "250", "354"] {
        let reply = c.reply().await;
        assert!(reply.starts_with(code), "{reply}");
    }
    c.send("Subject: hi\n\n..dot\nline\n.\n").await;
    assert!(c.reply().await.starts_with("250"));
    c.says(&format!("NOOP {}", "y".repeat(1200)), "500").await;
    c.says("QUIT", "221").await;
    assert!(c.closed().await);
    let stored = recorder.stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    assert!(stored[0].0.is_null_sender());
    assert_eq!(stored[0].0.helo, "client.example");
    assert_eq!(stored[0].1.as_ref(), b"Subject: hi\n\n.dot\nline\n");
}

#[tokio::test]
async fn silent_clients_are_dropped_and_connections_are_bounded() {
    let config = SmtpServerConfig {
        idle_timeout: Duration::from_millis(200),
        max_connections: 1,
        ..SmtpServerConfig::default()
    };
    let server = server(Arc::new(Recorder::default()), config).await;
    let mut first = Client::connect(&server).await;
    assert!(first.reply().await.starts_with("220"));
    let mut second = Client::connect(&server).await;
    assert!(second.reply().await.starts_with("421"));
    // The first says nothing: the idle timeout closes it, without any sleep on our side.
    assert_eq!(first.reply().await, "");
    assert!(first.closed().await);
}

#[tokio::test]
async fn too_many_errors_close_the_connection() {
    let config = SmtpServerConfig { max_errors: 3, ..SmtpServerConfig::default() };
    let server = server(Arc::new(Recorder::default()), config).await;
    let mut c = Client::connect(&server).await;
    c.reply().await;
    for _ in 0..3 {
        c.says("BOGUS", "500").await;
    }
    c.says("BOGUS", "421").await;
    assert!(c.closed().await);
}

#[tokio::test]
async fn python_smtplib_delivers_to_the_receiver() {
    let recorder = Arc::new(Recorder::default());
    let server = server(recorder.clone(), SmtpServerConfig::default()).await;
    let script = r#"
import smtplib, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "Łucja Nowak <lucja@poczta.example>"
m["To"] = "support+5@shop.example"
m["Subject"] = "Zwrot [#5] – żółć"
m["Message-ID"] = "<py-1@poczta.example>"
m.set_content(".kropka na początku\nDzień dobry")
with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=10) as s:
    s.send_message(m)
"#;
    let port = server.local_addr().port().to_string();
    let status = within(tokio::process::Command::new("python3").arg("-c").arg(script).arg(port).status())
        .await
        .expect("python3 runs");
    assert!(status.success());
    let stored = recorder.stored.lock().unwrap().clone();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0.recipients, ["support+5@shop.example"]);
    let email = InboundEmail::parse(&stored[0].1).unwrap();
    assert_eq!(email.subject, "Zwrot [#5] – żółć");
    assert_eq!(email.case_token, Some(redress_domain::case::CaseNumber(5)));
    assert_eq!(email.from.and_then(|f| f.name).as_deref(), Some("Łucja Nowak"));
    assert_eq!(email.body, ".kropka na początku\nDzień dobry");
}
