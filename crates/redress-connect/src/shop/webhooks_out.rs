//! Webhooks out: events a store subscribed to, signed as Stripe signs them, delivered with a
//! timeout and retried on a schedule.
//!
//! **Signature.** Each delivery carries `Redress-Signature: t=<unix seconds>,v1=<hex>` where the
//! hex is HMAC-SHA256 of `"{t}.{body}"` under the endpoint's secret. The receiver recomputes it
//! over the raw body, compares in constant time, and refuses a `t` further than its tolerance
//! from its clock (replays). While a secret is being rotated a header may carry one `v1` per
//! secret ([`signature_header_rotating`]); [`verify`] accepts any that matches.
//!
//! **Secret.** `whsec_` and 32 random bytes (URL-safe base64), from [`new_secret`]; the desk
//! shows it once and stores it encrypted. [`crate::shop::Secret`]'s `Debug` never prints it.
//!
//! **Delivery.** [`Deliverer::deliver`] posts the exact bytes that were signed, with
//! `Redress-Event-Id` (receivers de-duplicate on it: a retry carries the same id), follows no
//! redirect, and classifies the answer: 2xx delivered; a timeout, a connection failure, 408,
//! 425, 429 or 5xx transient; any other answer permanent (the endpoint refuses; retrying
//! will not help). [`next_attempt`] turns an attempt count, the clock and a random number into
//! the next try (exponential backoff with equal jitter) or `Dead` after the last one; the
//! durable outbox that calls these is the application layer's.

use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use redress_domain::StoreId;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{Secret, signature};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "Redress-Signature";
/// The event's id, the same on every retry.
pub const EVENT_ID_HEADER: &str = "Redress-Event-Id";
/// Every secret starts with this.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far from the receiver's clock a signature's time may be, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// The most of an endpoint's answer kept for the desk.
pub const MAX_EXCERPT: usize = 1024;

/// A new secret from the operating system's random source (through the thread's CSPRNG).
pub fn new_secret() -> Secret {
    secret_from(&mut rand::rng())
}

/// A new secret from `rng` (tests pass a seeded one).
pub fn secret_from(rng: &mut impl RngCore) -> Secret {
    let mut bytes = [0u8; 32];
    rng.fill_bytes(&mut bytes);
    Secret::new(format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

fn v1(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    hex::encode(signature::sign(secret.expose().as_bytes(), &[t.as_bytes(), b".", body]))
}

/// The `Redress-Signature` value for `body` sent at `timestamp` (Unix seconds).
pub fn signature_header(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", v1(secret, timestamp, body))
}

/// The header with one `v1` per secret, for the days a secret is being replaced.
pub fn signature_header_rotating(secrets: &[&Secret], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&v1(secret, timestamp, body));
    }
    header
}

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// Not `t=…,v1=…`.
    #[error("the signature header is not t=<seconds>,v1=<hex>")]
    Malformed,
    /// No `v1` matches the body under the secret.
    #[error("no signature matches the body")]
    Mismatch,
    /// The signature's time is too far from now: a replay, or a clock far off.
    #[error("the signature is {seconds} s away from now, more than the tolerance")]
    OutsideTolerance {
        /// How far, in seconds.
        seconds: i64,
    },
}

/// Checks a `Redress-Signature` header against the raw `body` at `now`; returns the signed
/// time. The time is checked after the signature, so a forged header learns nothing about
/// the clock.
pub fn verify(
    secret: &Secret,
    header: &str,
    body: &[u8],
    now: OffsetDateTime,
    tolerance: Duration,
) -> Result<i64, SignatureError> {
    if header.len() > 4096 {
        return Err(SignatureError::Malformed);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = Some(value.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", value)) => signatures.push(value),
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let t = timestamp.to_string();
    let key = secret.expose().as_bytes();
    if !signatures.iter().any(|s| signature::verify_hex(key, &[t.as_bytes(), b".", body], s)) {
        return Err(SignatureError::Mismatch);
    }
    let distance = now.unix_timestamp().saturating_sub(timestamp).saturating_abs();
    if u64::try_from(distance).map_or(true, |d| d > tolerance.as_secs()) {
        return Err(SignatureError::OutsideTolerance { seconds: distance });
    }
    Ok(timestamp)
}

/// What happened, as a store subscribes to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// A case was opened.
    #[serde(rename = "case.opened")]
    CaseOpened,
    /// A case was resolved.
    #[serde(rename = "case.resolved")]
    CaseResolved,
    /// A refund went out: the payment provider or platform confirmed it, or the store credit
    /// or gift card was issued.
    #[serde(rename = "refund.sent")]
    RefundSent,
    /// A returned parcel arrived at the shop.
    #[serde(rename = "return.received")]
    ReturnReceived,
    /// An order was amended before it shipped.
    #[serde(rename = "order.amended")]
    OrderAmended,
    /// A test event the desk sends to check an endpoint.
    #[serde(rename = "webhook.test")]
    Test,
}

impl EventType {
    /// Every type, for the desk's subscription form.
    pub const ALL: &'static [EventType] = &[
        EventType::CaseOpened,
        EventType::CaseResolved,
        EventType::RefundSent,
        EventType::ReturnReceived,
        EventType::OrderAmended,
        EventType::Test,
    ];

    /// The dotted name.
    pub const fn as_str(&self) -> &'static str {
        match self {
            EventType::CaseOpened => "case.opened",
            EventType::CaseResolved => "case.resolved",
            EventType::RefundSent => "refund.sent",
            EventType::ReturnReceived => "return.received",
            EventType::OrderAmended => "order.amended",
            EventType::Test => "webhook.test",
        }
    }

    /// The type named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == name)
    }
}

/// The body of every delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// `evt_…`, the same on every retry: receivers de-duplicate on it.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When it happened, Unix seconds.
    pub created: i64,
    /// The store it happened in.
    pub store_id: StoreId,
    /// The object it is about (a case, a refund…), as the JSON API shows it.
    pub data: serde_json::Value,
}

impl EventEnvelope {
    /// An event with the id `evt_{id}` (the outbox row's id, so retries keep it).
    pub fn new(id: Uuid, kind: EventType, created: OffsetDateTime, store_id: StoreId, data: serde_json::Value) -> Self {
        Self { id: format!("evt_{}", id.simple()), kind, created: created.unix_timestamp(), store_id, data }
    }

    /// The bytes to sign and send (serialized once: the signature covers exactly these).
    pub fn to_body(&self) -> Vec<u8> {
        // A struct of strings, numbers and a JSON value always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// Worth trying again later (timeout, connection failure, 408, 425, 429, 5xx).
    Transient(String),
    /// The endpoint refuses (other 4xx, a redirect, a bad URL): retrying will not help.
    Permanent(String),
}

/// One attempt, as the desk shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// How it ended.
    pub outcome: Outcome,
    /// The endpoint's HTTP status, if it answered.
    pub status: Option<u16>,
    /// The start of its answer (at most [`MAX_EXCERPT`] bytes, lossy UTF-8).
    pub excerpt: String,
    /// How long it took.
    pub elapsed: Duration,
}

/// Sends deliveries.
#[derive(Clone, Debug)]
pub struct Deliverer {
    client: reqwest::Client,
}

impl Deliverer {
    /// A deliverer giving each attempt `timeout` in all (connect, send, answer).
    pub fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Redress-Webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client })
    }

    /// Posts `body` (an [`EventEnvelope::to_body`]) to `url`, signed with `secret` at `now`.
    pub async fn deliver(
        &self,
        url: &str,
        secret: &Secret,
        event_id: &str,
        body: Vec<u8>,
        now: OffsetDateTime,
    ) -> Attempt {
        let started = Instant::now();
        let header = signature_header(secret, now.unix_timestamp(), &body);
        let sent = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, header)
            .header(EVENT_ID_HEADER, event_id)
            .body(body)
            .send()
            .await;
        let mut response = match sent {
            Ok(response) => response,
            Err(e) => {
                let outcome = if e.is_builder() {
                    Outcome::Permanent(format!("the endpoint's URL is not usable: {e}"))
                } else if e.is_timeout() {
                    Outcome::Transient("no answer in time".into())
                } else {
                    Outcome::Transient(format!("could not reach the endpoint: {e}"))
                };
                return Attempt { outcome, status: None, excerpt: String::new(), elapsed: started.elapsed() };
            }
        };
        let status = response.status();
        let mut excerpt = Vec::new();
        // Only the start of the answer is kept; the rest is not read.
        while excerpt.len() < MAX_EXCERPT {
            match response.chunk().await {
                Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk[..chunk.len().min(MAX_EXCERPT - excerpt.len())]),
                Ok(None) | Err(_) => break,
            }
        }
        let code = status.as_u16();
        let outcome = if status.is_success() {
            Outcome::Delivered
        } else if matches!(code, 408 | 425 | 429) || status.is_server_error() {
            Outcome::Transient(format!("the endpoint answered {status}"))
        } else if status.is_redirection() {
            Outcome::Permanent(format!("the endpoint answered {status}; redirects are not followed"))
        } else {
            Outcome::Permanent(format!("the endpoint answered {status}"))
        };
        Attempt {
            outcome,
            status: Some(code),
            excerpt: String::from_utf8_lossy(&excerpt).into_owned(),
            elapsed: started.elapsed(),
        }
    }
}

/// How deliveries are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt (before jitter); it doubles each time.
    pub first: Duration,
    /// The longest wait.
    pub cap: Duration,
    /// Attempts in all; after the last the delivery is dead (replayable from the desk).
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    /// 30 s, 1 min, 2 min, … up to 6 h, 12 attempts: about a day and a half in all.
    fn default() -> Self {
        Self { first: Duration::from_secs(30), cap: Duration::from_secs(6 * 3600), max_attempts: 12 }
    }
}

/// What to do after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NextAttempt {
    /// Delivered: nothing more.
    Done,
    /// Try again at this time.
    At(OffsetDateTime),
    /// Give up: the endpoint refused for good or the attempts are used up.
    Dead,
}

/// The next attempt after `attempts_made` attempts (the last ending in `outcome`), from `now`
/// and a `random` number (any `u64`, uniformly drawn). The wait is `first × 2^(n-1)` capped at
/// `cap`, half of it fixed and half jitter ("equal jitter"), so endpoints that fail together do
/// not get their retries together.
pub fn next_attempt(
    policy: &RetryPolicy,
    outcome: &Outcome,
    attempts_made: u32,
    now: OffsetDateTime,
    random: u64,
) -> NextAttempt {
    match outcome {
        Outcome::Delivered => return NextAttempt::Done,
        Outcome::Permanent(_) => return NextAttempt::Dead,
        Outcome::Transient(_) => {}
    }
    if attempts_made >= policy.max_attempts {
        return NextAttempt::Dead;
    }
    let doublings = attempts_made.saturating_sub(1).min(40);
    let base = policy.first.saturating_mul(1u32 << doublings.min(31)).min(policy.cap);
    let base_ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX);
    let half = base_ms / 2;
    let jitter = random % (base_ms - half).saturating_add(1);
    let wait = Duration::from_millis(half.saturating_add(jitter));
    NextAttempt::At(now + wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);

    #[test]
    fn signs_as_documented() {
        let secret = Secret::new("whsec_test");
        let header = signature_header(&secret, 1_700_000_000, b"{\"a\":1}");
        let expected = hex::encode(signature::sign(b"whsec_test", &[b"1700000000.{\"a\":1}"]));
        assert_eq!(header, format!("t=1700000000,v1={expected}"));
    }

    #[test]
    fn verifies_within_tolerance_only() {
        let secret = Secret::new("whsec_test");
        let body = br#"{"id":"evt_1"}"#;
        let t = NOW.unix_timestamp();
        let header = signature_header(&secret, t, body);
        assert_eq!(verify(&secret, &header, body, NOW, DEFAULT_TOLERANCE), Ok(t));
        assert_eq!(verify(&secret, &header, body, NOW + Duration::from_secs(299), DEFAULT_TOLERANCE), Ok(t));
        assert_eq!(
            verify(&secret, &header, body, NOW + Duration::from_secs(301), DEFAULT_TOLERANCE),
            Err(SignatureError::OutsideTolerance { seconds: 301 })
        );
        assert_eq!(
            verify(&secret, &header, b"{\"id\":\"evt_2\"}", NOW, DEFAULT_TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&Secret::new("whsec_other"), &header, body, NOW, DEFAULT_TOLERANCE),
            Err(SignatureError::Mismatch)
        );
        for bad in ["", "t=1", "v1=ab", "t=x,v1=ab", "garbage"] {
            assert_eq!(verify(&secret, bad, body, NOW, DEFAULT_TOLERANCE), Err(SignatureError::Malformed), "{bad}");
        }
    }

    #[test]
    fn accepts_any_secret_of_a_rotation() {
        let (old, new) = (Secret::new("whsec_old"), Secret::new("whsec_new"));
        let header = signature_header_rotating(&[&old, &new], NOW.unix_timestamp(), b"x");
        assert!(verify(&old, &header, b"x", NOW, DEFAULT_TOLERANCE).is_ok());
        assert!(verify(&new, &header, b"x", NOW, DEFAULT_TOLERANCE).is_ok());
        assert!(verify(&Secret::new("whsec_third"), &header, b"x", NOW, DEFAULT_TOLERANCE).is_err());
    }

    #[test]
    fn secrets_are_prefixed_random_and_never_printed() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let (a, b) = (secret_from(&mut rng), secret_from(&mut rng));
        assert!(a.expose().starts_with(SECRET_PREFIX));
        assert_eq!(a.expose().len(), SECRET_PREFIX.len() + 43);
        assert_ne!(a, b);
        assert_ne!(new_secret(), new_secret());
        assert!(!format!("{a:?}").contains(&a.expose()[6..]));
    }

    #[test]
    fn envelopes_name_their_type() {
        let event = EventEnvelope::new(
            Uuid::from_u128(1),
            EventType::CaseOpened,
            NOW,
            StoreId::from_uuid(Uuid::from_u128(2)),
            serde_json::json!({"case": 1}),
        );
        let json: serde_json::Value = serde_json::from_slice(&event.to_body()).unwrap();
        assert_eq!(json["type"], "case.opened");
        assert_eq!(json["id"], "evt_00000000000000000000000000000001");
        assert_eq!(json["created"], NOW.unix_timestamp());
        for t in EventType::ALL {
            assert_eq!(EventType::parse(t.as_str()), Some(*t));
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
    }

    #[test]
    fn the_schedule_backs_off_then_dies() {
        let policy = RetryPolicy { first: Duration::from_secs(30), cap: Duration::from_secs(3600), max_attempts: 5 };
        let transient = Outcome::Transient("503".into());
        // random 0: the fixed half only.
        assert_eq!(next_attempt(&policy, &transient, 1, NOW, 0), NextAttempt::At(NOW + Duration::from_secs(15)));
        assert_eq!(next_attempt(&policy, &transient, 2, NOW, 0), NextAttempt::At(NOW + Duration::from_secs(30)));
        assert_eq!(
            next_attempt(&policy, &transient, 3, NOW, u64::MAX),
            NextAttempt::At(NOW + Duration::from_millis(119_966))
        );
        assert_eq!(next_attempt(&policy, &transient, 5, NOW, 0), NextAttempt::Dead);
        assert_eq!(next_attempt(&policy, &Outcome::Permanent("410".into()), 1, NOW, 0), NextAttempt::Dead);
        assert_eq!(next_attempt(&policy, &Outcome::Delivered, 1, NOW, 0), NextAttempt::Done);
    }

    proptest! {
        #[test]
        fn waits_stay_between_half_and_all_of_the_capped_backoff(attempt in 1u32..200, random in any::<u64>()) {
            let policy = RetryPolicy { max_attempts: 1000, ..RetryPolicy::default() };
            let NextAttempt::At(at) = next_attempt(&policy, &Outcome::Transient(String::new()), attempt, NOW, random) else {
                return Err(TestCaseError::fail("a transient failure below the limit is retried"));
            };
            let wait = at - NOW;
            let base = policy.first.saturating_mul(1u32 << attempt.saturating_sub(1).min(31)).min(policy.cap);
            prop_assert!(wait >= base / 2 && wait <= base, "{wait} for attempt {attempt}");
        }

        #[test]
        fn verify_never_panics(header in "\\PC{0,200}", body in proptest::collection::vec(any::<u8>(), 0..100), skew in -10_000i64..10_000) {
            let secret = Secret::new("whsec_p");
            let _ = verify(&secret, &header, &body, NOW + time::Duration::seconds(skew), DEFAULT_TOLERANCE);
            let good = signature_header(&secret, NOW.unix_timestamp(), &body);
            prop_assert_eq!(verify(&secret, &good, &body, NOW, DEFAULT_TOLERANCE), Ok(NOW.unix_timestamp()));
        }
    }
}
