//! Webhooks out: a store registers endpoints and the events each wants (removes them, gives
//! them new secrets); every event is written, from the timeline ([`crate::outgoing`]), as one
//! delivery per subscribed endpoint in the durable outbox the shops' changes use
//! (`platform_pushes`, kind [`WEBHOOK_PUSH`]), and the push worker posts it signed as Stripe
//! signs (`Redress-Signature: t=…,v1=…` over `"{t}.{body}"`, [`webhooks_out`]), retried with
//! backoff and jitter until delivered or out of attempts. The receiver de-duplicates on
//! `Redress-Event-Id`, the same on every retry and replay. Admins see the deliveries with
//! their attempts and send one again.
//!
//! An endpoint's secret is made here, shown once in the answer that made it, and kept sealed
//! under the server's secrets key like the platforms' credentials.

use redress_connect::shop::Secret;
use redress_connect::shop::webhooks_out::{self, Deliverer, EventType, Outcome};
use redress_domain::StoreId;
use redress_storage::{Push, WebhookEndpoint};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::App;
use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::platforms::Failure;

/// The outbox kind of a webhook delivery.
pub(crate) const WEBHOOK_PUSH: &str = "webhook";
/// The most endpoints a store keeps.
pub const MAX_ENDPOINTS: usize = 20;
/// The longest endpoint URL.
const MAX_URL: usize = 500;
/// How long one delivery may take.
const DELIVERY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// An endpoint to register.
#[derive(Clone, Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EndpointInput {
    /// Where events are posted (`https://…`).
    pub url: String,
    /// The events it wants: `case.opened`, `case.resolved`, `refund.sent`, `return.received`,
    /// `order.amended`, `webhook.test`.
    pub events: Vec<String>,
}

/// An endpoint as anyone may see it; never its secret.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndpointView {
    /// Its id.
    pub id: Uuid,
    /// Where events are posted.
    pub url: String,
    /// The events it wants.
    pub events: Vec<String>,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

impl EndpointView {
    fn of(e: &WebhookEndpoint) -> Self {
        Self { id: e.id, url: e.url.clone(), events: e.events.clone(), created_at: e.created_at }
    }
}

/// An endpoint just made, with its signing secret: shown this once.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEndpoint {
    /// The endpoint.
    pub endpoint: EndpointView,
    /// The secret deliveries are signed with (`whsec_…`); Redress never shows it again.
    pub secret: String,
}

/// The sealing context of an endpoint's secret.
fn context(store_id: StoreId, id: Uuid) -> String {
    format!("redress-webhook:{store_id}:{id}")
}

/// An endpoint's address: http(s), no credentials, bounded.
fn endpoint_url(text: &str) -> AppResult<String> {
    let text = text.trim();
    let refused = || AppError::invalid("url", "give the endpoint's address, such as https://example.com/redress");
    if text.len() > MAX_URL {
        return Err(refused());
    }
    let url = url::Url::parse(text).map_err(|_| refused())?;
    if !matches!(url.scheme(), "https" | "http")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(refused());
    }
    Ok(text.to_owned())
}

/// A new signing secret for an endpoint, and the same sealed for storage.
fn new_sealed_secret(app: &App, store_id: StoreId, id: Uuid) -> AppResult<(Secret, Vec<u8>)> {
    let secret = webhooks_out::new_secret();
    let sealed = app.secrets()?.seal(&context(store_id, id), secret.expose().as_bytes())?;
    Ok((secret, sealed))
}

/// Registers an endpoint for the caller's store (admins); the answer carries its secret, once.
pub async fn register(app: &App, caller: &Caller, input: EndpointInput) -> AppResult<NewEndpoint> {
    let store_id = caller.require(Action::ManageSettings)?;
    let url = endpoint_url(&input.url)?;
    if input.events.is_empty() || input.events.len() > EventType::ALL.len() {
        return Err(AppError::invalid("events", "name one or more events"));
    }
    let mut events = Vec::new();
    for (i, name) in input.events.iter().enumerate() {
        let kind = EventType::parse(name.trim()).ok_or_else(|| {
            AppError::new(ErrorCode::UnknownValue, format!("`{}` is not an event Redress sends", name.trim()))
                .at(format!("events[{i}]"))
        })?;
        if !events.contains(&kind.as_str().to_owned()) {
            events.push(kind.as_str().to_owned());
        }
    }
    let platforms = app.storage().platforms();
    if platforms.webhook_endpoints(store_id).await?.len() >= MAX_ENDPOINTS {
        return Err(AppError::invalid("url", format!("a store keeps at most {MAX_ENDPOINTS} endpoints")));
    }
    let id = Uuid::now_v7();
    let (secret, sealed_secret) = new_sealed_secret(app, store_id, id)?;
    let endpoint = WebhookEndpoint { id, store_id, url, events, sealed_secret, created_at: app.now() };
    platforms.add_webhook_endpoint(&endpoint).await?;
    Ok(NewEndpoint { endpoint: EndpointView::of(&endpoint), secret: secret.expose().to_owned() })
}

/// The names of the events an endpoint may want, as `register` takes them.
pub fn event_names() -> Vec<&'static str> {
    EventType::ALL.iter().map(|e| e.as_str()).collect()
}

/// The caller's store's endpoints (admins).
pub async fn endpoints(app: &App, caller: &Caller) -> AppResult<Vec<EndpointView>> {
    let store_id = caller.require(Action::ManageSettings)?;
    Ok(app.storage().platforms().webhook_endpoints(store_id).await?.iter().map(EndpointView::of).collect())
}

/// Removes one of the caller's store's endpoints (admins): nothing more is delivered to it, and
/// its deliveries still waiting fail when tried.
pub async fn remove(app: &App, caller: &Caller, id: &str) -> AppResult<()> {
    let store_id = caller.require(Action::ManageSettings)?;
    let id: Uuid = crate::parse_id(id, "webhook endpoint")?;
    if app.storage().platforms().remove_webhook_endpoint(store_id, id).await? {
        Ok(())
    } else {
        Err(AppError::not_found("webhook endpoint"))
    }
}

/// Gives one of the caller's store's endpoints a new signing secret (admins), shown this once
/// in the answer; every delivery from now on, retries included, is signed with it.
pub async fn rotate_secret(app: &App, caller: &Caller, id: &str) -> AppResult<NewEndpoint> {
    let store_id = caller.require(Action::ManageSettings)?;
    let id: Uuid = crate::parse_id(id, "webhook endpoint")?;
    let platforms = app.storage().platforms();
    let endpoints = platforms.webhook_endpoints(store_id).await?;
    let endpoint = endpoints.iter().find(|e| e.id == id).ok_or_else(|| AppError::not_found("webhook endpoint"))?;
    let (secret, sealed) = new_sealed_secret(app, store_id, id)?;
    if !platforms.replace_webhook_secret(store_id, id, &sealed).await? {
        return Err(AppError::not_found("webhook endpoint"));
    }
    Ok(NewEndpoint { endpoint: EndpointView::of(endpoint), secret: secret.expose().to_owned() })
}

/// The most deliveries the desk lists.
pub const DELIVERIES_SHOWN: u32 = 100;
/// The longest delivery key (`webhook:{endpoint}:{position}`).
const MAX_KEY: usize = 100;

/// A delivery as the desk shows it: which event to which endpoint, and how its attempts went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryView {
    /// Names the delivery, for replaying it.
    pub key: String,
    /// The event's type (`case.opened`, …).
    pub event_type: String,
    /// The event's id (`evt_…`), as the receiver sees it.
    pub event_id: String,
    /// The endpoint's address, if the endpoint is still there.
    pub endpoint_url: Option<String>,
    /// `pending`, `done` or `failed`.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: OffsetDateTime,
}

/// The caller's store's latest deliveries, newest first (admins).
pub async fn deliveries(app: &App, caller: &Caller) -> AppResult<Vec<DeliveryView>> {
    let store_id = caller.require(Action::ManageSettings)?;
    let platforms = app.storage().platforms();
    let endpoints = platforms.webhook_endpoints(store_id).await?;
    let rows = platforms.pushes(store_id, WEBHOOK_PUSH, DELIVERIES_SHOWN).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let payload = &row.push.payload;
            let text = |value: &serde_json::Value| value.as_str().unwrap_or_default().to_owned();
            let endpoint_id = text(&payload["endpoint_id"]);
            DeliveryView {
                event_type: text(&payload["event"]["type"]),
                event_id: text(&payload["event"]["id"]),
                endpoint_url: endpoints.iter().find(|e| e.id.to_string() == endpoint_id).map(|e| e.url.clone()),
                key: row.push.key,
                status: row.status,
                attempts: row.push.attempts,
                last_error: row.last_error,
                created_at: row.created_at,
            }
        })
        .collect())
}

/// Sends one of the caller's store's deliveries again, whatever became of it (admins): due at
/// once, its attempts counted from zero, the same event id (the receiver de-duplicates on it).
pub async fn replay(app: &App, caller: &Caller, key: &str) -> AppResult<()> {
    let store_id = caller.require(Action::ManageSettings)?;
    if key.len() > MAX_KEY || !key.starts_with("webhook:") {
        return Err(AppError::not_found("webhook delivery"));
    }
    if app.storage().platforms().replay_push(store_id, key, app.now()).await? {
        Ok(())
    } else {
        Err(AppError::not_found("webhook delivery"))
    }
}

/// One delivery attempt of a claimed webhook push.
pub(crate) async fn deliver(app: &App, push: &Push) -> Result<(), Failure> {
    let broken = |reason: String| Failure { transient: false, reason };
    let endpoint_id: Uuid = push
        .payload
        .get("endpoint_id")
        .and_then(|v| v.as_str())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| broken("the delivery names no endpoint".into()))?;
    let event = push.payload.get("event").ok_or_else(|| broken("the delivery has no event".into()))?;
    let event_id = event.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    let endpoints = app
        .storage()
        .platforms()
        .webhook_endpoints(push.store_id)
        .await
        .map_err(|e| Failure { transient: true, reason: e.to_string() })?;
    let endpoint =
        endpoints.iter().find(|e| e.id == endpoint_id).ok_or_else(|| broken("the endpoint was removed".into()))?;
    let secrets = app.secrets().map_err(|e| broken(e.message))?;
    let secret =
        secrets.open(&context(push.store_id, endpoint.id), &endpoint.sealed_secret).map_err(|e| broken(e.message))?;
    let secret = Secret::new(String::from_utf8(secret).map_err(|_| broken("the stored secret is not text".into()))?);
    let body = serde_json::to_vec(event).map_err(|e| broken(e.to_string()))?;
    let deliverer = Deliverer::new(DELIVERY_TIMEOUT).map_err(|e| broken(e.to_string()))?;
    let attempt = deliverer.deliver(&endpoint.url, &secret, &event_id, body, app.now()).await;
    match attempt.outcome {
        Outcome::Delivered => Ok(()),
        Outcome::Transient(reason) => Err(Failure { transient: true, reason }),
        Outcome::Permanent(reason) => Err(Failure { transient: false, reason }),
    }
}
