//! A local SMTP sink for tests (feature `fake`): the [`super::smtp_server`] on a free loopback
//! port, taking mail for any address and keeping it in memory.
//!
//! It can be scripted to misbehave on the next deliveries, to test an outbox's retries and its
//! exactly-once sending: answer with a temporary or permanent refusal, or keep the message and
//! then hang up without answering — the case where the sender cannot know whether its message
//! arrived and must retry with the same Message-ID.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::watch;

use super::inbound::InboundEmail;
use super::smtp_server::{Envelope, Reject, SmtpHandler, SmtpServer, SmtpServerConfig};

/// A message the sink received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The SMTP envelope.
    pub envelope: Envelope,
    /// The raw message.
    pub raw: Bytes,
}

impl ReceivedMail {
    /// The message read back, for assertions.
    pub fn parsed(&self) -> Option<InboundEmail> {
        InboundEmail::parse(&self.raw).ok()
    }
}

/// What the sink does with one delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SinkBehaviour {
    /// Refuse the message with this answer (nothing is kept).
    Refuse(Reject),
    /// Keep the message, then close the connection without answering.
    KeepAndHangUp,
}

#[derive(Default)]
struct State {
    received: Vec<ReceivedMail>,
    script: VecDeque<SinkBehaviour>,
}

struct Handler {
    state: Mutex<State>,
    count: watch::Sender<usize>,
}

impl Handler {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked while holding the lock has failed already; its data is still
        // the best there is.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl SmtpHandler for Handler {
    async fn accepts_recipient(&self, _address: &str) -> bool {
        true
    }

    async fn deliver(&self, envelope: &Envelope, raw: Bytes) -> Result<(), Reject> {
        let (result, count) = {
            let mut state = self.lock();
            let behaviour = state.script.pop_front();
            let keep = !matches!(behaviour, Some(SinkBehaviour::Refuse(_)));
            if keep {
                state.received.push(ReceivedMail { envelope: envelope.clone(), raw });
            }
            let result = match behaviour {
                None => Ok(()),
                Some(SinkBehaviour::Refuse(reject)) => Err(reject),
                Some(SinkBehaviour::KeepAndHangUp) => Err(Reject::Hangup),
            };
            (result, state.received.len())
        };
        self.count.send_replace(count);
        result
    }
}

/// A running sink.
pub struct SmtpSink {
    server: SmtpServer,
    handler: Arc<Handler>,
}

impl SmtpSink {
    /// Starts a sink on a free loopback port.
    pub async fn start() -> std::io::Result<SmtpSink> {
        let (count, _) = watch::channel(0);
        let handler = Arc::new(Handler { state: Mutex::new(State::default()), count });
        let config = SmtpServerConfig { hostname: "sink.localhost".into(), ..SmtpServerConfig::default() };
        let server = SmtpServer::bind("127.0.0.1:0", config, handler.clone()).await?;
        Ok(SmtpSink { server, handler })
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// The relay URL to give a sender: `smtp://127.0.0.1:<port>?tls=none`.
    pub fn relay_url(&self) -> String {
        format!("smtp://{}?tls=none", self.address())
    }

    /// Makes the next delivery behave so; several calls queue up in order.
    pub fn script(&self, behaviour: SinkBehaviour) {
        self.handler.lock().script.push_back(behaviour);
    }

    /// Refuses the next `n` deliveries with `reject`.
    pub fn fail_next(&self, n: usize, reject: Reject) {
        let mut state = self.handler.lock();
        state.script.extend(std::iter::repeat_n(SinkBehaviour::Refuse(reject), n));
    }

    /// Everything kept so far, in order of arrival.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.handler.lock().received.clone()
    }

    /// Waits until at least `n` messages were kept, then returns them all. Pair it with a
    /// timeout in tests.
    pub async fn wait_for(&self, n: usize) -> Vec<ReceivedMail> {
        let mut count = self.handler.count.subscribe();
        // The sender side lives as long as the sink, so the wait only ends with the count.
        let _ = count.wait_for(|c| *c >= n).await;
        self.received()
    }

    /// The distinct Message-IDs received: with [`Self::received`], tells copies of one message
    /// apart from two messages.
    pub fn distinct_message_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.received().iter().filter_map(|m| m.parsed()?.message_id).collect();
        ids.sort();
        ids.dedup();
        ids
    }
}
