//! The outbox worker: sends the answers written to the outbox, mail through the SMTP relay and
//! messaging answers through their providers ([`crate::messaging_out`]), one worker per lane.
//!
//! Each round claims the entries due (storage marks them `sending` until the claim lapses, so
//! two workers, or two servers, never send one entry at once), builds each into the same bytes
//! with the same Message-ID on every attempt, sends it and records the answer: sent; pending
//! again after a backoff that doubles with every attempt, with jitter; or dead after the last
//! try or a permanent refusal. A worker killed between the relay's answer and the record leaves
//! the entry `sending`: it is claimed again when the claim lapses and sent with the same
//! Message-ID, which receiving systems use to drop the copy.
//!
//! The worker wakes when an answer is written ([`crate::App::wake_outbox`]) and otherwise
//! every [`OutboxPolicy::poll_every`] to find retries that came due; its time comes from the
//! application's clock, so tests move the clock instead of waiting.

use std::sync::Arc;

use rand::Rng;
use redress_connect::email::{AutoSubmitted, BuiltEmail, Mailbox, OutboundEmail, SmtpRelay, build};
use redress_domain::{EmailAddress, LanguageTag};
use redress_storage::Storage;
use redress_storage::channels::{OutboxEntry, OutboxLane, OutgoingMessage};
use time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::messaging_out::{ChatLane, send_chat};

/// What a worker sends with.
#[derive(Clone, Debug)]
pub enum Carrier {
    /// Mail, through the SMTP relay.
    Mail(SmtpRelay),
    /// Messaging answers, through the providers' APIs.
    Chat(ChatLane),
}

impl Carrier {
    fn lane(&self) -> OutboxLane {
        match self {
            Carrier::Mail(_) => OutboxLane::Email,
            Carrier::Chat(_) => OutboxLane::Chat,
        }
    }
}

/// How patiently the outbox is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxPolicy {
    /// Attempts before an entry is dead.
    pub max_attempts: u32,
    /// The wait after the first failure; doubled after each further one.
    pub first_retry: Duration,
    /// The longest wait between attempts.
    pub max_retry: Duration,
    /// How long a claim lasts: longer than one send can take.
    pub lease: Duration,
    /// Entries claimed per round.
    pub batch: u32,
    /// How often the worker looks for retries that came due when nothing wakes it.
    pub poll_every: std::time::Duration,
}

impl Default for OutboxPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_retry: Duration::seconds(30),
            max_retry: Duration::hours(2),
            lease: Duration::minutes(5),
            batch: 20,
            poll_every: std::time::Duration::from_secs(5),
        }
    }
}

impl OutboxPolicy {
    /// The wait before the next attempt after `attempts` failed ones: `first_retry` doubled per
    /// attempt, at most `max_retry`, of which a random half (`jitter` in 0..1) is taken off so
    /// that mail failing together does not retry together.
    pub fn retry_delay(&self, attempts: u32, jitter: f64) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        let full = self.first_retry.saturating_mul(1_i32 << doublings).min(self.max_retry);
        full - full * (jitter.clamp(0.0, 1.0) / 2.0)
    }
}

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Entries the relay took.
    pub sent: u32,
    /// Entries to try again later.
    pub retrying: u32,
    /// Entries given up.
    pub dead: u32,
}

/// Why the worker could not run a round.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The outbox could not be read or written.
    #[error(transparent)]
    Storage(#[from] redress_storage::StorageError),
}

/// The mail an entry sends, as the builder takes it.
fn outbound(entry: &OutboxEntry) -> Result<OutboundEmail, String> {
    let OutgoingMessage::Email(mail) = &entry.message else {
        return Err(format!("an outbox entry on `{}` is not an email", entry.channel));
    };
    let address = |text: &str| EmailAddress::parse(text).map_err(|e| format!("{text}: {}", e.problem));
    Ok(OutboundEmail {
        message_id: entry.provider_message_id.clone(),
        from: Mailbox { name: Some(mail.from_name.clone()), address: address(&mail.from_address)? },
        reply_to: mail
            .reply_to
            .as_deref()
            .map(|text| address(text).map(|address| Mailbox { name: Some(mail.from_name.clone()), address }))
            .transpose()?,
        to: Mailbox { name: mail.to_name.clone(), address: address(&mail.to_address)? },
        subject: mail.subject.clone(),
        text_body: mail.text_body.clone(),
        html_body: mail.html_body.clone(),
        in_reply_to: mail.in_reply_to.clone(),
        references: mail.references.clone(),
        language: LanguageTag::parse(&mail.language).map_err(|e| e.problem)?,
        auto_submitted: if mail.automatic { AutoSubmitted::AutoReplied } else { AutoSubmitted::No },
        date: entry.created_at,
    })
}

/// What became of one entry.
pub(crate) enum Attempt {
    Sent,
    Retrying,
    Dead,
}

/// Runs one round of the carrier's lane: claims what is due and sends it, the entries of a
/// round at once (so their records share commits and a slow recipient does not hold the others
/// up).
pub async fn send_due(
    storage: &Arc<dyn Storage>,
    clock: &Arc<dyn Clock>,
    carrier: &Carrier,
    policy: &OutboxPolicy,
) -> Result<RoundReport, OutboxError> {
    let claimed = storage.channels().claim_outbox(carrier.lane(), clock.now(), policy.lease, policy.batch).await?;
    let mut sends = tokio::task::JoinSet::new();
    for entry in claimed {
        let (storage, clock, carrier, policy) = (storage.clone(), clock.clone(), carrier.clone(), policy.clone());
        sends.spawn(async move {
            match &carrier {
                Carrier::Mail(relay) => send_one(storage.as_ref(), clock.as_ref(), relay, &policy, entry).await,
                Carrier::Chat(lane) => send_chat(storage.as_ref(), clock.as_ref(), lane, &policy, entry).await,
            }
        });
    }
    let mut report = RoundReport::default();
    let mut failure = None;
    while let Some(done) = sends.join_next().await {
        match done {
            Ok(Ok(Attempt::Sent)) => report.sent += 1,
            Ok(Ok(Attempt::Retrying)) => report.retrying += 1,
            Ok(Ok(Attempt::Dead)) => report.dead += 1,
            // The entry stays claimed and is taken again when its claim lapses.
            Ok(Err(e)) => failure = Some(e),
            Err(e) => tracing::error!(error = %e, "an outbox send stopped"),
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// Sends one claimed entry and records the answer.
async fn send_one(
    storage: &dyn Storage,
    clock: &dyn Clock,
    relay: &SmtpRelay,
    policy: &OutboxPolicy,
    entry: OutboxEntry,
) -> Result<Attempt, OutboxError> {
    let channels = storage.channels();
    let built: Result<BuiltEmail, String> = outbound(&entry).and_then(|mail| build(&mail).map_err(|e| e.to_string()));
    let outcome = match built {
        Ok(built) => relay.send(&built).await.map_err(|e| (e.is_retryable(), e.to_string())),
        Err(e) => Err((false, e)),
    };
    match outcome {
        Ok(()) => {
            channels.outbox_sent(entry.id, clock.now(), None).await?;
            Ok(Attempt::Sent)
        }
        Err((retryable, error)) if retryable && entry.attempts < policy.max_attempts => {
            let jitter = rand::rng().random::<f64>();
            let at = clock.now() + policy.retry_delay(entry.attempts, jitter);
            tracing::warn!(entry = %entry.id, attempts = entry.attempts, %error, "an email will be tried again");
            channels.outbox_failed(entry.id, &error, Some(at)).await?;
            Ok(Attempt::Retrying)
        }
        Err((_, error)) => {
            tracing::error!(entry = %entry.id, attempts = entry.attempts, %error, "an email was given up");
            channels.outbox_failed(entry.id, &error, None).await?;
            Ok(Attempt::Dead)
        }
    }
}

/// A running worker; dropping it stops it.
#[derive(Debug)]
pub struct OutboxWorker {
    task: JoinHandle<()>,
    wake: Arc<Notify>,
}

impl OutboxWorker {
    /// A handle telling whether the worker's task ended.
    pub(crate) fn abort_handle(&self) -> tokio::task::AbortHandle {
        self.task.abort_handle()
    }

    /// Starts a worker for the carrier's lane: a round now, then one whenever it is woken
    /// ([`OutboxWorker::wake`]) or `policy.poll_every` passed, and again at once while rounds
    /// find a full batch.
    pub fn start(storage: Arc<dyn Storage>, clock: Arc<dyn Clock>, carrier: Carrier, policy: OutboxPolicy) -> Self {
        match &carrier {
            Carrier::Mail(relay) => tracing::info!(relay = relay.describe(), "the outbox worker sends mail"),
            Carrier::Chat(_) => tracing::info!("the outbox worker sends messaging answers"),
        }
        let wake = Arc::new(Notify::new());
        let woken = wake.clone();
        let task = tokio::spawn(async move {
            loop {
                match send_due(&storage, &clock, &carrier, &policy).await {
                    Ok(report) if report.sent + report.retrying + report.dead >= policy.batch => continue,
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "the outbox worker could not run"),
                }
                tokio::select! {
                    () = woken.notified() => {}
                    () = tokio::time::sleep(policy.poll_every) => {}
                }
            }
        });
        Self { task, wake }
    }

    /// Tells the worker there is something to send now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

impl Drop for OutboxWorker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_doubling_with_jitter_up_to_the_limit() {
        let policy = OutboxPolicy::default();
        assert_eq!(policy.retry_delay(1, 0.0), Duration::seconds(30));
        assert_eq!(policy.retry_delay(2, 0.0), Duration::seconds(60));
        assert_eq!(policy.retry_delay(3, 1.0), Duration::seconds(60));
        assert_eq!(policy.retry_delay(40, 0.0), Duration::hours(2));
        for attempts in 1..12 {
            let low = policy.retry_delay(attempts, 1.0);
            let high = policy.retry_delay(attempts, 0.0);
            assert!(low * 2 == high && low > Duration::ZERO, "{attempts}: {low} {high}");
        }
    }
}
