//! A local fake of Stripe's refund and dispute endpoints, backed by the [`Sandbox`], so the
//! Stripe adapter and the whole server can be tested over real HTTP without the internet.
//! Serve it on `127.0.0.1:0` with [`serve`]; script the sandbox to fail, hang or settle late.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use redress_domain::dispute::StripeEvidence;
use redress_domain::{Currency, Money, RefundId};

use crate::sandbox::{Sandbox, SandboxRefund};
use crate::stripe::{DisputeObject, ErrorDetail, ErrorObject, EvidenceDetails, ListObject, METADATA_KEY, RefundObject};
use crate::{PaymentProvider, ProviderError, ProviderRefund, ProviderRefundStatus};

#[derive(Clone)]
struct Fake {
    sandbox: Sandbox,
    secret_key: Arc<str>,
}

fn error(status: StatusCode, kind: &str, code: Option<&str>, message: &str) -> Response {
    let body = ErrorObject {
        error: ErrorDetail { kind: kind.to_owned(), code: code.map(str::to_owned), message: message.to_owned() },
    };
    (status, Json(body)).into_response()
}

/// `None` when the caller gave the fake's key; otherwise the 401 to answer.
fn refused(fake: &Fake, headers: &HeaderMap) -> Option<Response> {
    let given = headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    (given != Some(&*fake.secret_key))
        .then(|| error(StatusCode::UNAUTHORIZED, "invalid_request_error", None, "Invalid API Key provided"))
}

fn object_of(refund: &SandboxRefund) -> RefundObject {
    let (status, failure_reason) = match &refund.status {
        ProviderRefundStatus::Succeeded => ("succeeded", None),
        ProviderRefundStatus::Pending => ("pending", None),
        ProviderRefundStatus::Failed { reason } => ("failed", Some(reason.clone())),
    };
    let by_intent = refund.charge.starts_with("pi_");
    RefundObject {
        id: refund.reference.clone(),
        object: "refund".into(),
        amount: refund.amount.amount_minor,
        charge: (!by_intent).then(|| refund.charge.clone()),
        payment_intent: by_intent.then(|| refund.charge.clone()),
        currency: refund.amount.currency.code().to_ascii_lowercase(),
        status: status.into(),
        failure_reason,
        reason: None,
        metadata: [(METADATA_KEY.to_owned(), refund.refund_id.to_string())].into(),
        created: 0,
    }
}

async fn create_refund(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(response) = refused(&fake, &headers) {
        return response;
    }
    let Some(charge) = form.get("charge").or_else(|| form.get("payment_intent")).cloned() else {
        return error(StatusCode::BAD_REQUEST, "invalid_request_error", Some("parameter_missing"), "Missing charge");
    };
    let Some(amount) = form.get("amount").and_then(|a| a.parse::<i64>().ok()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            Some("parameter_invalid_integer"),
            "Invalid amount",
        );
    };
    let Some(refund_id) = form.get(&format!("metadata[{METADATA_KEY}]")).and_then(|id| id.parse::<RefundId>().ok())
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            None,
            "the fake needs metadata[redress_refund_id]",
        );
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned);
    let currency = fake.sandbox.charge_currency(&charge).or_else(|| Currency::from_code("EUR").ok());
    let Some(currency) = currency else {
        return error(StatusCode::INTERNAL_SERVER_ERROR, "api_error", None, "no currency");
    };
    let request =
        ProviderRefund { charge, amount: Money::new(amount, currency), idempotency_key: key, refund_id, reason: None };
    match fake.sandbox.refund(&request).await {
        Ok(answer) => {
            let made = fake.sandbox.refunds().into_iter().find(|r| r.reference == answer.reference);
            match made {
                Some(refund) => Json(object_of(&refund)).into_response(),
                None => error(StatusCode::INTERNAL_SERVER_ERROR, "api_error", None, "refund lost"),
            }
        }
        Err(ProviderError::Rejected(message)) => {
            let code = message.split(':').next().filter(|c| !c.contains(' '));
            error(StatusCode::BAD_REQUEST, "invalid_request_error", code, &message)
        }
        Err(other) => error(StatusCode::INTERNAL_SERVER_ERROR, "api_error", None, &other.to_string()),
    }
}

async fn list_refunds(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(response) = refused(&fake, &headers) {
        return response;
    }
    let charge = query.get("charge").or_else(|| query.get("payment_intent")).cloned().unwrap_or_default();
    let limit = query.get("limit").and_then(|l| l.parse::<usize>().ok()).unwrap_or(10).clamp(1, 100);
    let all: Vec<RefundObject> =
        fake.sandbox.refunds().iter().filter(|r| charge.is_empty() || r.charge == charge).map(object_of).collect();
    let start = match query.get("starting_after") {
        Some(after) => all.iter().position(|r| &r.id == after).map_or(all.len(), |i| i + 1),
        None => 0,
    };
    let data: Vec<RefundObject> = all.iter().skip(start).take(limit).cloned().collect();
    let has_more = start + data.len() < all.len();
    Json(ListObject { object: "list".into(), data, has_more, url: "/v1/refunds".into() }).into_response()
}

fn dispute_object(fake: &Fake, dispute: &crate::ProviderDispute) -> DisputeObject {
    let evidence = fake.sandbox.evidence(&dispute.reference);
    DisputeObject {
        id: dispute.reference.clone(),
        object: "dispute".into(),
        amount: dispute.amount.amount_minor,
        charge: dispute.charge.clone(),
        payment_intent: None,
        currency: dispute.amount.currency.code().to_ascii_lowercase(),
        reason: dispute.reason,
        status: dispute.status,
        evidence_details: EvidenceDetails {
            due_by: Some(dispute.evidence_due_by.unix_timestamp()),
            has_evidence: evidence.is_some(),
            past_due: false,
            submission_count: u32::from(evidence.is_some()),
        },
        evidence: evidence.unwrap_or_default(),
    }
}

async fn get_dispute(State(fake): State<Fake>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Some(response) = refused(&fake, &headers) {
        return response;
    }
    match fake.sandbox.dispute(&id).await {
        Ok(dispute) => Json(dispute_object(&fake, &dispute)).into_response(),
        Err(e) => error(StatusCode::NOT_FOUND, "invalid_request_error", Some("resource_missing"), &e.to_string()),
    }
}

async fn update_dispute(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Some(response) = refused(&fake, &headers) {
        return response;
    }
    let fields: serde_json::Map<String, serde_json::Value> = form
        .iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("evidence[")?.strip_suffix(']')?;
            Some((name.to_owned(), serde_json::Value::String(v.clone())))
        })
        .collect();
    let evidence: StripeEvidence = match serde_json::from_value(serde_json::Value::Object(fields)) {
        Ok(evidence) => evidence,
        Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_request_error", None, &e.to_string()),
    };
    match fake.sandbox.submit_evidence(&id, &evidence).await {
        Ok(dispute) => Json(dispute_object(&fake, &dispute)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, "invalid_request_error", None, &e.to_string()),
    }
}

/// The fake's routes over `sandbox`, answering only `secret_key`.
pub fn router(sandbox: Sandbox, secret_key: &str) -> Router {
    Router::new()
        .route("/v1/refunds", post(create_refund).get(list_refunds))
        .route("/v1/disputes/{id}", get(get_dispute).post(update_dispute))
        .with_state(Fake { sandbox, secret_key: secret_key.into() })
}

/// Serves the fake on a free loopback port; returns its base URL.
pub async fn serve(sandbox: Sandbox, secret_key: &str) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = router(sandbox, secret_key);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the fake Stripe stopped");
        }
    });
    Ok(base)
}
