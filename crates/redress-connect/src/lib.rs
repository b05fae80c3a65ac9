//! Redress's connections to the outside world: payment providers, refunds carried out through
//! them exactly once, and messaging apps.
//!
//! - [`PaymentProvider`] is the interface: send a refund with an idempotency key, find the
//!   refunds made for an intent (reconciliation), read a dispute and submit its evidence.
//! - [`sandbox::Sandbox`] is the built-in provider the demo and the tests use. It can be told
//!   to fail, time out (before or after doing the refund), answer twice, or settle days later.
//! - [`stripe::Stripe`] speaks Stripe's real refund and dispute API shapes over HTTP. It is
//!   tested against `fake_stripe`, a local fake of those endpoints over the sandbox (feature
//!   `fake`), never against the internet.
//! - [`executor::RefundExecutor`] carries refund intents out: the intent is already written;
//!   the executor marks it `sent` before each call, calls with the intent's idempotency key,
//!   retries timeouts with backoff, and reconciles from the provider's answer, its events
//!   (webhooks) or, after a crash, by asking the provider what it did for the intent. An intent
//!   is never paid twice.
//! - [`email`] reads inbound mail (MIME, threading keys, quoted history, robots), builds and
//!   sends outbound mail through an SMTP relay, receives mail over SMTP (answering only after
//!   the caller stored it) and polls IMAP mailboxes; with `fake`, a local SMTP sink for tests.
//! - [`messaging`] talks to customers on WhatsApp, Messenger, Instagram and Telegram: webhook
//!   verification and parsing into one model, senders over each provider's API, the 24-hour
//!   customer-service window, and (feature `fake`) a local fake of the three APIs.
//! - [`shop`] connects shop platforms: Shopify and WooCommerce (webhooks in, back-fill, fixes
//!   pushed back, refunds through the platform), CSV import of orders, and signed webhooks out.

use async_trait::async_trait;
use redress_domain::dispute::{DisputeReason, DisputeStatus, StripeEvidence};
use redress_domain::{Money, RefundId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub mod email;
pub mod executor;
#[cfg(any(test, feature = "fake"))]
pub mod fake_stripe;
pub mod messaging;
pub mod phrasing;
pub mod sandbox;
pub mod shop;
pub mod stripe;
#[cfg(test)]
#[allow(clippy::disallowed_methods)] // Fixtures are dated now; no test waits on the clock.
mod tests;

/// A refund as sent to a provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRefund {
    /// The provider's id of the payment to refund (`ch_…` or `pi_…` at Stripe).
    pub charge: String,
    /// How much.
    pub amount: Money,
    /// The intent's idempotency key: the provider does a key's refund at most once.
    pub idempotency_key: String,
    /// The intent, recorded in the provider's metadata so it can be found again.
    pub refund_id: RefundId,
    /// Stripe's reason, when one fits (`duplicate`, `requested_by_customer`, `fraudulent`).
    pub reason: Option<&'static str>,
}

/// Where a provider says a refund stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderRefundStatus {
    /// Done.
    Succeeded,
    /// Accepted; the money settles later.
    Pending,
    /// Refused; nothing was paid.
    Failed {
        /// The provider's reason.
        reason: String,
    },
}

/// A provider's answer about one refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderAnswer {
    /// The provider's refund id (`re_…`).
    pub reference: String,
    /// The intent it carries out, when the provider knows it.
    pub refund_id: Option<RefundId>,
    /// Where it stands.
    pub status: ProviderRefundStatus,
}

/// A dispute as a provider reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderDispute {
    /// The provider's dispute id (`dp_…`).
    pub reference: String,
    /// The disputed charge.
    pub charge: String,
    /// The amount disputed.
    pub amount: Money,
    /// Why.
    pub reason: DisputeReason,
    /// Where it stands.
    pub status: DisputeStatus,
    /// When the evidence is due.
    pub evidence_due_by: OffsetDateTime,
}

/// Why a provider call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// No answer in time: the refund may or may not have been done. Retry with the same key.
    #[error("the payment provider did not answer in time")]
    Timeout,
    /// The provider could not be reached or failed on its side: retry with the same key.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request for good (e.g. the charge is already refunded).
    #[error("the payment provider refused: {0}")]
    Rejected(String),
    /// The provider answered something this adapter does not understand.
    #[error("unexpected answer from the payment provider: {0}")]
    Protocol(String),
    /// The provider does not offer this.
    #[error("this payment provider does not support {0}")]
    Unsupported(&'static str),
}

impl ProviderError {
    /// True when the same call may be tried again with the same key.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ProviderError::Timeout | ProviderError::Unavailable(_))
    }
}

/// A payment provider.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// The provider's name as payments record it (`sandbox`, `stripe`).
    fn name(&self) -> &str;
    /// Sends a refund. Calling again with the same idempotency key never refunds twice: the
    /// provider answers with the first call's refund.
    async fn refund(&self, refund: &ProviderRefund) -> Result<ProviderAnswer, ProviderError>;
    /// The refund made on `charge` for the intent `refund_id`, if the provider made one.
    async fn find_refund(&self, charge: &str, refund_id: RefundId) -> Result<Option<ProviderAnswer>, ProviderError>;
    /// A dispute by the provider's id.
    async fn dispute(&self, reference: &str) -> Result<ProviderDispute, ProviderError> {
        let _ = reference;
        Err(ProviderError::Unsupported("disputes"))
    }
    /// Submits evidence for a dispute; returns the dispute as it now stands.
    async fn submit_evidence(
        &self,
        reference: &str,
        evidence: &StripeEvidence,
    ) -> Result<ProviderDispute, ProviderError> {
        let _ = (reference, evidence);
        Err(ProviderError::Unsupported("disputes"))
    }
}

/// Stripe's refund reason for a Redress refund reason, where Stripe has one.
pub fn stripe_reason(reason: redress_domain::refund::RefundReason) -> Option<&'static str> {
    use redress_domain::refund::RefundReason;
    match reason {
        RefundReason::DuplicateCharge => Some("duplicate"),
        RefundReason::Items | RefundReason::Shipping | RefundReason::Compensation | RefundReason::Other => {
            Some("requested_by_customer")
        }
    }
}
