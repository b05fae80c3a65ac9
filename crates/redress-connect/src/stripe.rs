//! A payment provider speaking Stripe's API: `POST /v1/refunds` (form-encoded, with the
//! `Idempotency-Key` header and the intent in `metadata[redress_refund_id]`),
//! `GET /v1/refunds?charge=…` to reconcile, `GET /v1/disputes/{id}` and `POST /v1/disputes/{id}`
//! with `evidence[…]` fields to answer a dispute. Any service speaking these shapes works; the
//! base URL is configurable, and the tests point it at a local fake.

use std::time::Duration;

use async_trait::async_trait;
use redress_domain::dispute::{DisputeReason, DisputeStatus, StripeEvidence};
use redress_domain::{Currency, Money, RefundId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{PaymentProvider, ProviderAnswer, ProviderDispute, ProviderError, ProviderRefund, ProviderRefundStatus};

/// How old a signed webhook may be, as Stripe's libraries allow.
const WEBHOOK_TOLERANCE_SECONDS: i64 = 300;

/// Checks a `Stripe-Signature` header (`t=…,v1=…`): HMAC-SHA256 of `{t}.{body}` with the
/// endpoint's secret, within the tolerance of `now` (Unix seconds).
pub fn signature_valid(secret: &str, header: &str, body: &[u8], now: i64) -> bool {
    use hmac::{Hmac, Mac};
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.extend(hex::decode(v).ok()),
            _ => {}
        }
    }
    let Some(t) = timestamp else { return false };
    if (now - t).abs() > WEBHOOK_TOLERANCE_SECONDS {
        return false;
    }
    signatures.iter().any(|signature| {
        let Ok(mut mac) = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()) else { return false };
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    })
}

/// The metadata key under which each refund names the Redress intent it carries out.
pub const METADATA_KEY: &str = "redress_refund_id";

/// Stripe's refund object (the fields Redress reads and the fake writes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundObject {
    /// `re_…`.
    pub id: String,
    /// Always `refund`.
    pub object: String,
    /// Minor units.
    pub amount: i64,
    /// The charge refunded.
    pub charge: Option<String>,
    /// The payment intent refunded, when refunded by intent.
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// Lower-case ISO code.
    pub currency: String,
    /// `pending`, `requires_action`, `succeeded`, `failed` or `canceled`.
    pub status: String,
    /// Why it failed, when it did.
    #[serde(default)]
    pub failure_reason: Option<String>,
    /// `duplicate`, `fraudulent` or `requested_by_customer`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Key-value metadata.
    #[serde(default)]
    pub metadata: std::collections::BTreeMap<String, String>,
    /// Unix seconds.
    pub created: i64,
}

/// Stripe's list envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListObject<T> {
    /// Always `list`.
    pub object: String,
    /// The page.
    pub data: Vec<T>,
    /// True when more pages follow.
    pub has_more: bool,
    /// The list's path.
    pub url: String,
}

/// Stripe's `evidence_details`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceDetails {
    /// Unix seconds by which evidence is due.
    pub due_by: Option<i64>,
    /// Evidence was submitted.
    pub has_evidence: bool,
    /// The deadline passed.
    pub past_due: bool,
    /// How many times evidence was submitted.
    pub submission_count: u32,
}

/// Stripe's dispute object (the fields Redress reads and the fake writes).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeObject {
    /// `dp_…`.
    pub id: String,
    /// Always `dispute`.
    pub object: String,
    /// Minor units.
    pub amount: i64,
    /// The disputed charge.
    pub charge: String,
    /// The payment intent the charge belongs to, when there is one.
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// Lower-case ISO code.
    pub currency: String,
    /// Stripe's reason.
    pub reason: DisputeReason,
    /// Stripe's status.
    pub status: DisputeStatus,
    /// Deadline and submissions.
    pub evidence_details: EvidenceDetails,
    /// The evidence submitted so far.
    #[serde(default)]
    pub evidence: StripeEvidence,
}

/// Stripe's error envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// The error.
    pub error: ErrorDetail,
}

/// Stripe's error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// `invalid_request_error`, `card_error`, `idempotency_error`, `api_error`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// A code such as `charge_already_refunded`.
    #[serde(default)]
    pub code: Option<String>,
    /// For people.
    pub message: String,
}

/// The Stripe-compatible provider.
#[derive(Clone)]
pub struct Stripe {
    client: reqwest::Client,
    base: String,
    secret_key: String,
}

impl Stripe {
    /// A provider calling `base` (e.g. `https://api.stripe.com`) with `secret_key`; a call
    /// without an answer in `timeout` is a [`ProviderError::Timeout`].
    pub fn new(base: &str, secret_key: &str, timeout: Duration) -> Result<Self, ProviderError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| ProviderError::Unavailable(e.to_string()))?;
        Ok(Self { client, base: base.trim_end_matches('/').to_owned(), secret_key: secret_key.to_owned() })
    }

    async fn answer<T: serde::de::DeserializeOwned>(response: reqwest::Response) -> Result<T, ProviderError> {
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| ProviderError::Protocol(e.to_string()));
        }
        let detail = serde_json::from_slice::<ErrorObject>(&body).map(|e| e.error).unwrap_or(ErrorDetail {
            kind: "api_error".into(),
            code: None,
            message: String::from_utf8_lossy(&body).chars().take(200).collect(),
        });
        let text = format!("{}: {}", detail.code.as_deref().unwrap_or(&detail.kind), detail.message);
        if status.is_server_error()
            || status.as_u16() == 429
            || detail.kind == "idempotency_error" && status.as_u16() == 409
        {
            Err(ProviderError::Unavailable(text))
        } else {
            Err(ProviderError::Rejected(text))
        }
    }
}

fn transport(e: reqwest::Error) -> ProviderError {
    if e.is_timeout() { ProviderError::Timeout } else { ProviderError::Unavailable(e.to_string()) }
}

/// What a Stripe refund object says, as a provider answer.
pub fn answer_of(refund: &RefundObject) -> ProviderAnswer {
    let status = match refund.status.as_str() {
        "succeeded" => ProviderRefundStatus::Succeeded,
        "failed" | "canceled" => ProviderRefundStatus::Failed {
            reason: refund.failure_reason.clone().unwrap_or_else(|| refund.status.clone()),
        },
        _ => ProviderRefundStatus::Pending,
    };
    ProviderAnswer {
        reference: refund.id.clone(),
        refund_id: refund.metadata.get(METADATA_KEY).and_then(|id| id.parse().ok()),
        status,
    }
}

/// What a dispute object says, in Redress's terms: a `due_by` of zero or none (the bank takes
/// no response) is the Unix epoch, so no time is left.
pub fn dispute_of(d: &DisputeObject) -> Result<ProviderDispute, ProviderError> {
    let currency =
        Currency::from_code(&d.currency.to_ascii_uppercase()).map_err(|e| ProviderError::Protocol(e.to_string()))?;
    let due = d.evidence_details.due_by.unwrap_or(0);
    Ok(ProviderDispute {
        reference: d.id.clone(),
        charge: d.charge.clone(),
        amount: Money::new(d.amount, currency),
        reason: d.reason,
        status: d.status,
        evidence_due_by: OffsetDateTime::from_unix_timestamp(due)
            .map_err(|e| ProviderError::Protocol(e.to_string()))?,
    })
}

/// The form fields of an evidence submission: `evidence[field]=text` for every field given.
pub fn evidence_form(evidence: &StripeEvidence) -> Vec<(String, String)> {
    let value = serde_json::to_value(evidence).unwrap_or_default();
    let mut form: Vec<(String, String)> = value
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|s| (format!("evidence[{k}]"), s.to_owned())))
        .collect();
    form.push(("submit".into(), "true".into()));
    form
}

#[async_trait]
impl PaymentProvider for Stripe {
    fn name(&self) -> &str {
        "stripe"
    }

    async fn refund(&self, refund: &ProviderRefund) -> Result<ProviderAnswer, ProviderError> {
        let target = if refund.charge.starts_with("pi_") { "payment_intent" } else { "charge" };
        let mut form = vec![
            (target.to_owned(), refund.charge.clone()),
            ("amount".to_owned(), refund.amount.amount_minor.to_string()),
            (format!("metadata[{METADATA_KEY}]"), refund.refund_id.to_string()),
        ];
        if let Some(reason) = refund.reason {
            form.push(("reason".to_owned(), reason.to_owned()));
        }
        let response = self
            .client
            .post(format!("{}/v1/refunds", self.base))
            .bearer_auth(&self.secret_key)
            .header("Idempotency-Key", &refund.idempotency_key)
            .form(&form)
            .send()
            .await
            .map_err(transport)?;
        let object: RefundObject = Self::answer(response).await?;
        if object.amount != refund.amount.amount_minor {
            return Err(ProviderError::Protocol(format!(
                "refunded {} instead of {}",
                object.amount, refund.amount.amount_minor
            )));
        }
        Ok(answer_of(&object))
    }

    async fn find_refund(&self, charge: &str, refund_id: RefundId) -> Result<Option<ProviderAnswer>, ProviderError> {
        let target = if charge.starts_with("pi_") { "payment_intent" } else { "charge" };
        let mut starting_after: Option<String> = None;
        loop {
            let mut query = vec![(target, charge.to_owned()), ("limit", "100".to_owned())];
            if let Some(after) = &starting_after {
                query.push(("starting_after", after.clone()));
            }
            let response = self
                .client
                .get(format!("{}/v1/refunds", self.base))
                .bearer_auth(&self.secret_key)
                .query(&query)
                .send()
                .await
                .map_err(transport)?;
            let page: ListObject<RefundObject> = Self::answer(response).await?;
            let wanted = refund_id.to_string();
            if let Some(found) = page.data.iter().find(|r| r.metadata.get(METADATA_KEY) == Some(&wanted)) {
                return Ok(Some(answer_of(found)));
            }
            match (page.has_more, page.data.last()) {
                (true, Some(last)) => starting_after = Some(last.id.clone()),
                _ => return Ok(None),
            }
        }
    }

    async fn dispute(&self, reference: &str) -> Result<ProviderDispute, ProviderError> {
        let response = self
            .client
            .get(format!("{}/v1/disputes/{reference}", self.base))
            .bearer_auth(&self.secret_key)
            .send()
            .await
            .map_err(transport)?;
        dispute_of(&Self::answer::<DisputeObject>(response).await?)
    }

    async fn submit_evidence(
        &self,
        reference: &str,
        evidence: &StripeEvidence,
    ) -> Result<ProviderDispute, ProviderError> {
        let response = self
            .client
            .post(format!("{}/v1/disputes/{reference}", self.base))
            .bearer_auth(&self.secret_key)
            .form(&evidence_form(evidence))
            .send()
            .await
            .map_err(transport)?;
        dispute_of(&Self::answer::<DisputeObject>(response).await?)
    }
}

#[cfg(test)]
mod signature_tests {
    use super::signature_valid;
    use hmac::{Hmac, Mac};

    fn sign(secret: &str, t: i64, body: &str) -> String {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    }

    #[test]
    fn stripe_signatures_are_checked_with_the_secret_and_the_time() {
        let body = r#"{"type":"refund.updated"}"#;
        let header = sign("whsec_test", 1_700_000_000, body);
        assert!(signature_valid("whsec_test", &header, body.as_bytes(), 1_700_000_100));
        assert!(!signature_valid("whsec_other", &header, body.as_bytes(), 1_700_000_100));
        assert!(!signature_valid("whsec_test", &header, b"{}", 1_700_000_100));
        assert!(!signature_valid("whsec_test", &header, body.as_bytes(), 1_700_001_000), "too old");
        assert!(!signature_valid("whsec_test", "v1=00", body.as_bytes(), 1_700_000_000));
        let two = format!("{header},v1=deadbeef");
        assert!(signature_valid("whsec_test", &two, body.as_bytes(), 1_700_000_000));
    }
}
