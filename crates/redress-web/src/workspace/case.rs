//! The case view and what an agent does from it: answer, note, change status, take the case,
//! check the payments, and carry out a remedy or a refund after a confirmation page that
//! shows the amount. Each confirmation carries its own idempotency key, so a double click or
//! a resent form does the thing once.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use redress_domain::amendment::Amendment;
use redress_domain::decision::Decision;
use redress_domain::refund::{RefundMethod, RefundReason};
use redress_domain::transaction_check::Finding;
use redress_domain::{
    Actor, Address, Case, CaseEvent, CaseId, CaseStatus, Direction, FulfilmentStage, IssueKind, Money, Order, Remedy,
};
use redress_storage::RecordedEntry;
use redress_text::replies::format_money;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

use super::{Chrome, Desk, desk, error_text, time_left_text};
use crate::AppState;
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiQuery, IdempotentJson};
use crate::html::redirect;
use crate::routes::cases::{Assignment, NewMessage, Note, StatusChange};
use crate::routes::money::{CaseMoney, CheckInput, NewRefund, PersonInput};
use crate::routes::resolution::{AmendmentRequest, OptionsQuery, RemedyRequest};
use crate::routes::understanding::{self, CorrectionRequest};
use crate::routes::{cases, help, money, path_id, resolution};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/cases/{case_id}", get(case_page))
        .route("/desk/{slug}/cases/{case_id}/reply", post(reply))
        .route("/desk/{slug}/cases/{case_id}/note", post(note))
        .route("/desk/{slug}/cases/{case_id}/status", post(status))
        .route("/desk/{slug}/cases/{case_id}/assign", post(assign))
        .route("/desk/{slug}/cases/{case_id}/check", post(check))
        .route("/desk/{slug}/cases/{case_id}/classification", post(classify))
        .route("/desk/{slug}/cases/{case_id}/address", post(change_address))
        .route("/desk/{slug}/cases/{case_id}/photos/{photo_id}", get(photo))
        .route("/desk/{slug}/cases/{case_id}/confirm", get(confirm_page))
        .route("/desk/{slug}/cases/{case_id}/remedy", post(remedy))
        .route("/desk/{slug}/cases/{case_id}/refund", post(refund))
}

/// How times are shown to agents: `2026-11-23 14:05 UTC`.
pub(super) fn when(at: OffsetDateTime) -> String {
    at.format(format_description!("[year]-[month]-[day] [hour]:[minute] UTC")).unwrap_or_default()
}

struct MessageView {
    inbound: bool,
    author: String,
    at: String,
    body: String,
}

struct EventView {
    at: String,
    actor: String,
    what: String,
    detail: String,
}

struct OfferView {
    remedy: &'static str,
    label: String,
    amount: String,
    recommended: bool,
    needs_approval: bool,
    requires_return: bool,
}

struct FindingView {
    summary: String,
    references: String,
    amount: String,
    /// The refund the finding suggests, as confirmation link parameters.
    refund_link: Option<String>,
}

struct PaymentView {
    reference: String,
    method: String,
    captured: String,
    refunded: String,
    refundable: String,
}

struct RefundRow {
    amount: String,
    method: String,
    status: String,
    arrival: String,
    requested_by: String,
}

#[derive(Template)]
#[template(path = "workspace/case.html")]
struct CasePage<'a> {
    c: &'a Chrome,
    case: &'a Case,
    kind: String,
    status: String,
    priority: String,
    time_left: String,
    overdue: bool,
    customer: String,
    order: Option<&'a Order>,
    order_total: String,
    lines: Vec<(String, u32, String)>,
    shipments: Vec<(String, String, String)>,
    payments: Vec<PaymentView>,
    refunds: Vec<RefundRow>,
    /// The order's ledger: account and balance, and whether every currency balances.
    ledger: Vec<(String, String)>,
    balanced: bool,
    /// The case's bank disputes: reference, reason, status, evidence due, time left.
    disputes: Vec<(String, String, String, String, String)>,
    messages: Vec<MessageView>,
    timeline: Vec<EventView>,
    decision: Option<Decision>,
    offers: Vec<OfferView>,
    reasons: Vec<String>,
    findings: Option<Vec<FindingView>>,
    money_case: bool,
    reply: String,
    next_statuses: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    /// The parcel has not reached the carrier: the address can still change.
    address_open: bool,
    /// The customer's photos: link and file name.
    photos: Vec<(String, String)>,
    notice: Option<String>,
    error: Option<String>,
}

/// What a page shows after an action: `?done=` names the message.
#[derive(Deserialize, Default)]
pub(super) struct CaseQuery {
    lang: Option<String>,
    done: Option<String>,
}

fn money_text(money: &Money, tag: &str) -> String {
    format_money(money, tag)
}

fn actor_text(actor: &Actor) -> String {
    match actor {
        Actor::Customer { handle } => handle.clone(),
        Actor::Agent { name } | Actor::Integration { name } => name.clone(),
        Actor::System => "Redress".into(),
    }
}

/// A timeline event in a line: its kind in the agent's language, and its facts.
fn event_view(w: &crate::portal::i18n::Words, tag: &str, entry: &RecordedEntry) -> EventView {
    let value = serde_json::to_value(&entry.entry.event).unwrap_or_default();
    let kind = value.get("type").and_then(|t| t.as_str()).unwrap_or("event").to_owned();
    let mut facts = Vec::new();
    if let Some(fields) = value.as_object() {
        for (name, field) in fields {
            // Ids mean nothing to a person reading the timeline.
            if name == "type" || name == "id" || name.ends_with("_id") || name.ends_with("_ids") {
                continue;
            }
            if let Some(text) = fact_text(field, tag) {
                facts.push(format!("{}: {text}", name.replace('_', " ")));
            }
        }
    }
    let what = w.try_t(&format!("desk-event-{kind}")).unwrap_or_else(|| kind.replace('_', " "));
    EventView { at: when(entry.entry.at), actor: actor_text(&entry.entry.actor), what, detail: facts.join(" · ") }
}

/// A fact of an event as short text: money formatted, lists joined, long objects left out.
fn fact_text(value: &serde_json::Value, tag: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.chars().take(160).collect()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => {
            let parts: Vec<_> = items.iter().filter_map(|i| fact_text(i, tag)).collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        Value::Object(_) => {
            let money: Money = serde_json::from_value(value.clone()).ok()?;
            Some(money_text(&money, tag))
        }
    }
}

/// The last transaction check on the timeline, if any.
fn last_findings(timeline: &[RecordedEntry]) -> Option<Vec<Finding>> {
    timeline.iter().rev().find_map(|entry| match &entry.entry.event {
        CaseEvent::TransactionsChecked { findings } => Some(findings.clone()),
        _ => None,
    })
}

async fn case_page(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    Query(query): Query<CaseQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "inbox").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let notice = query.done.as_deref().map(|key| desk.chrome.w.t(&format!("desk-done-{key}")));
    render_case(&state, &desk, &case_id, notice, None).await
}

/// The case page, with a notice after an action or the error that stopped one.
async fn render_case(
    state: &AppState,
    desk: &Desk,
    case_id: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    match gather(state, desk, case_id, notice, error.clone()).await {
        Ok(html) => desk.page(if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK }, html),
        Err(e) if e.status == StatusCode::NOT_FOUND => desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found"),
        Err(e) => {
            tracing::error!(error = %e.message, "a case page could not be gathered");
            desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable")
        }
    }
}

async fn gather(
    state: &AppState,
    desk: &Desk,
    case_id: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Result<String, askama::Error>, ApiError> {
    let storage = state.storage();
    let store_id = desk.store.id;
    let case = storage.case(store_id, path_id(case_id, "case")?).await?;
    let (messages, timeline) =
        tokio::try_join!(storage.messages(store_id, case.id), storage.timeline(store_id, case.id))?;
    let order = match case.order_id {
        Some(id) => Some(storage.order(store_id, id).await?),
        None => None,
    };
    let customer = match case.customer_id {
        Some(id) => storage.customer(store_id, id).await.ok().map(|c| c.name),
        None => None,
    };
    let w = &desk.chrome.w;
    let tag = w.tag();
    // The agent reads the policy's reasons in their own language.
    let options = OptionsQuery { language: Some(tag.to_owned()), ..OptionsQuery::default() };
    let decision =
        resolution::get_options(State(state.clone()), desk.caller(), Path(case_id.to_owned()), ApiQuery(options))
            .await
            .ok()
            .map(|json| json.0);
    let case_money: Option<CaseMoney> = match &order {
        Some(_) => {
            money::case_money(State(state.clone()), desk.caller(), Path(case_id.to_owned())).await.ok().map(|j| j.0)
        }
        None => None,
    };
    let reply = help::draft_reply(state, &case).await.map(|r| r.body).unwrap_or_default();
    let (time_left, overdue) = time_left_text(w, redress_domain::inbox::time_left(&case, OffsetDateTime::now_utc()));
    let offers = decision
        .as_ref()
        .map(|d| {
            d.offers
                .iter()
                .map(|offer| OfferView {
                    remedy: offer.remedy.as_str(),
                    label: w.t(&format!("desk-remedy-{}", offer.remedy.as_str())),
                    amount: offer.amount.map(|m| money_text(&m, tag)).unwrap_or_default(),
                    recommended: offer.remedy == d.recommended,
                    needs_approval: offer.needs_approval,
                    requires_return: offer.requires_return,
                })
                .collect()
        })
        .unwrap_or_default();
    let reasons = decision.as_ref().map(|d| d.reasons.iter().map(|r| r.text.clone()).collect()).unwrap_or_default();
    let findings = last_findings(&timeline).map(|findings| {
        findings
            .iter()
            .map(|f| FindingView {
                summary: f.summary.clone(),
                references: f.references.join(", "),
                amount: f.amount.map(|m| money_text(&m, tag)).unwrap_or_default(),
                refund_link: match (f.suggested_remedy, f.amount, f.payment_ids.last()) {
                    (Remedy::RefundDuplicateCharge, Some(amount), Some(payment)) => Some(format!(
                        "action=refund&payment={payment}&amount_minor={}&reason=duplicate_charge",
                        amount.amount_minor
                    )),
                    _ => None,
                },
            })
            .collect()
    });
    let page = CasePage {
        c: &desk.chrome,
        kind: w.t(&format!("desk-kind-{}", case.kind.as_str())),
        status: w.t(&format!("case-{}", case.status.as_str())),
        priority: w.t(&format!("desk-priority-{}", case.priority.as_str())),
        time_left,
        overdue,
        customer: customer.unwrap_or_default(),
        order_total: order.as_ref().and_then(|o| o.total().ok()).map(|t| money_text(&t, tag)).unwrap_or_default(),
        lines: order
            .as_ref()
            .map(|o| {
                o.lines
                    .iter()
                    .map(|l| {
                        let variant = l.variant.values().cloned().collect::<Vec<_>>().join(", ");
                        let title =
                            if variant.is_empty() { l.title.clone() } else { format!("{} ({variant})", l.title) };
                        (format!("{title} · {}", l.sku), l.quantity, money_text(&l.unit_price, tag))
                    })
                    .collect()
            })
            .unwrap_or_default(),
        shipments: order
            .as_ref()
            .map(|o| {
                o.shipments
                    .iter()
                    .map(|s| {
                        (
                            w.t(&format!("shipment-{}", s.status.as_str())),
                            s.carrier.clone(),
                            s.tracking_number.clone().unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        payments: case_money
            .as_ref()
            .map(|m| {
                m.payments
                    .iter()
                    .map(|p| PaymentView {
                        reference: p.provider_reference.clone(),
                        method: p.method.clone(),
                        captured: money_text(&p.captured, tag),
                        refunded: money_text(&p.refunded, tag),
                        refundable: money_text(&p.refundable, tag),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        refunds: case_money
            .as_ref()
            .map(|m| {
                m.refunds
                    .iter()
                    .map(|r| RefundRow {
                        amount: money_text(&r.refund.amount, tag),
                        method: w.t(&format!("desk-method-{}", r.refund.method.as_str())),
                        status: w.t(&format!("desk-refund-{}", r.refund.status.as_str())),
                        arrival: r.customer_message.clone(),
                        requested_by: r.refund.requested_by.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        ledger: case_money
            .as_ref()
            .map(|m| {
                m.balances.iter().map(|b| (b.account.as_str().replace('_', " "), money_text(&b.balance, tag))).collect()
            })
            .unwrap_or_default(),
        balanced: case_money.as_ref().is_some_and(|m| m.balanced),
        disputes: case_money
            .as_ref()
            .map(|m| {
                m.disputes
                    .iter()
                    .map(|d| {
                        let reason = serde_json::to_value(d.dispute.reason)
                            .ok()
                            .and_then(|v| v.as_str().map(|r| r.replace('_', " ")))
                            .unwrap_or_default();
                        let left = d
                            .time_left_seconds
                            .map(|s| time_left_text(w, time::Duration::seconds(s)).0)
                            .unwrap_or_default();
                        (
                            d.dispute.provider_reference.clone(),
                            reason,
                            d.dispute.status.as_str().replace('_', " "),
                            when(d.dispute.evidence_due_by),
                            left,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        messages: messages
            .iter()
            .map(|m| MessageView {
                inbound: m.direction == Direction::Inbound,
                author: actor_text(&m.author),
                at: when(m.created_at),
                body: m.body.clone(),
            })
            .collect(),
        timeline: timeline.iter().map(|e| event_view(w, tag, e)).collect(),
        money_case: redress_domain::transaction_check::applies_to(case.kind) && order.is_some(),
        findings,
        offers,
        reasons,
        decision,
        reply,
        next_statuses: case.status.next().iter().map(|s| (s.as_str(), w.t(&format!("case-{}", s.as_str())))).collect(),
        photos: storage
            .attachments_of_case(store_id, case.id)
            .await?
            .into_iter()
            .map(|p| (format!("{}/cases/{}/photos/{}", desk.chrome.base, case.id, p.id), p.filename))
            .collect(),
        address_open: order.as_ref().is_some_and(|o| {
            o.cancelled_at.is_none()
                && matches!(o.fulfilment_stage(), FulfilmentStage::NotPacked | FulfilmentStage::Packed)
        }),
        kinds: IssueKind::ALL.iter().map(|k| (k.as_str(), w.t(&format!("desk-kind-{}", k.as_str())))).collect(),
        notice,
        error,
        order: order.as_ref(),
        case: &case,
    };
    Ok(page.render())
}

/// The outcome of an action: back to the case with a notice, or the case with the error.
async fn after(state: &AppState, desk: &Desk, case_id: &str, done: &str, result: Result<(), ApiError>) -> Response {
    match result {
        Ok(()) => redirect(&format!("{}/cases/{case_id}?done={done}", desk.chrome.base), desk.cookies.clone()),
        Err(e) if e.status.is_server_error() => {
            tracing::error!(error = %e.message, "a workspace action failed");
            desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable")
        }
        Err(e) => render_case(state, desk, case_id, None, Some(error_text(&e))).await,
    }
}

/// Signs the agent in for a posted form and checks its token.
async fn desk_for_form(state: &AppState, slug: &str, headers: &HeaderMap, token: &str) -> Result<Desk, Response> {
    let desk = desk(state, slug, headers, None, "inbox").await?;
    desk.check_form(token).map_err(|answer| *answer)?;
    Ok(desk)
}

/// The reply form.
#[derive(Deserialize)]
pub(super) struct ReplyForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    body: String,
    /// Set the case to wait for the customer once sent.
    #[serde(default)]
    wait: Option<String>,
}

async fn reply(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ReplyForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let message = NewMessage {
        direction: Direction::Outbound,
        body: form.body,
        channel: None,
        author: Some(desk.agent.name.clone()),
        attachments: Vec::new(),
    };
    let mut result = cases::add_message(State(state.clone()), desk.caller(), Path(case_id.clone()), ApiJson(message))
        .await
        .map(|_| ());
    if result.is_ok() && form.wait.is_some() {
        let change = StatusChange { status: CaseStatus::WaitingOnCustomer };
        result = cases::change_status(State(state.clone()), desk.caller(), Path(case_id.clone()), ApiJson(change))
            .await
            .map(|_| ());
    }
    after(&state, &desk, &case_id, "reply", result).await
}

/// The internal note form.
#[derive(Deserialize)]
pub(super) struct NoteForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    body: String,
}

async fn note(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<NoteForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let input = Note { body: form.body, author: None };
    let result = cases::add_note(State(state.clone()), desk.caller(), Path(case_id.clone()), ApiJson(input)).await;
    after(&state, &desk, &case_id, "note", result.map(|_| ())).await
}

/// The status form.
#[derive(Deserialize)]
pub(super) struct StatusForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    status: String,
}

async fn status(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<StatusForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let result = match super::status_named(&form.status) {
        Some(status) => {
            let input = StatusChange { status };
            cases::change_status(State(state.clone()), desk.caller(), Path(case_id.clone()), ApiJson(input))
                .await
                .map(|_| ())
        }
        None => Err(ApiError::invalid("status", format!("`{}` is not a status", form.status))),
    };
    after(&state, &desk, &case_id, "status", result).await
}

/// The take-or-release form.
#[derive(Deserialize)]
pub(super) struct AssignForm {
    #[serde(default)]
    form_token: String,
    /// `me` to take the case, empty to release it.
    #[serde(default)]
    to: String,
}

async fn assign(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<AssignForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let input = Assignment { assignee: (form.to == "me").then(|| desk.agent.name.clone()) };
    let result = cases::assign(State(state.clone()), desk.caller(), Path(case_id.clone()), ApiJson(input)).await;
    after(&state, &desk, &case_id, "assign", result.map(|_| ())).await
}

async fn check(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<super::TokenForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let result = money::check_transactions(
        State(state.clone()),
        desk.caller(),
        Path(case_id.clone()),
        ApiJson(CheckInput::default()),
    )
    .await;
    after(&state, &desk, &case_id, "check", result.map(|_| ())).await
}

/// A photo the customer sent with the case, for the signed-in team.
async fn photo(
    State(state): State<AppState>,
    Path((slug, case_id, photo_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, None, "inbox").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let found = match (path_id::<CaseId>(&case_id, "case"), photo_id.parse::<uuid::Uuid>()) {
        (Ok(case_id), Ok(id)) => state.storage().attachment(desk.store.id, case_id, id).await.ok(),
        _ => None,
    };
    match found {
        Some((info, bytes)) => crate::routes::attachments::image_response(&info, bytes),
        None => desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found"),
    }
}

/// The new delivery address an agent types for the customer.
#[derive(Deserialize)]
pub(super) struct AddressForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    line1: String,
    #[serde(default)]
    line2: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    country: String,
}

/// Changes the delivery address of the case's order through the amendment rules (refused with
/// the reason once the carrier has the parcel).
async fn change_address(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<AddressForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let address = Address {
        name: form.name.trim().to_owned(),
        lines: [form.line1, form.line2].into_iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect(),
        city: form.city.trim().to_owned(),
        postal_code: form.postal_code.trim().to_owned(),
        region: None,
        country: form.country.trim().to_uppercase(),
    };
    let result = match (address.validate(), path_id::<CaseId>(&case_id, "case")) {
        (Err(e), _) => Err(ApiError::invalid(format!("address.{}", e.field), e.problem)),
        (_, Err(e)) => Err(e),
        (Ok(()), Ok(id)) => {
            let input = AmendmentRequest {
                amendment: Amendment::ShippingAddress { address },
                stock: Default::default(),
                carrier_allows_intercept: false,
            };
            resolution::amend_order_for(&state, desk.store.id, id, input, desk.caller().actor(), None).await.map(|_| ())
        }
    };
    after(&state, &desk, &case_id, "address", result).await
}

/// The classification form: the kind an agent says the case is about.
#[derive(Deserialize)]
pub(super) struct ClassifyForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    kind: String,
}

async fn classify(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ClassifyForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let result = match form.kind.parse::<IssueKind>() {
        Ok(kind) => {
            let input = CorrectionRequest { kind: Some(kind), language: None, sentiment: None };
            understanding::correct(State(state.clone()), desk.caller(), Path(case_id.clone()), ApiJson(input))
                .await
                .map(|_| ())
        }
        Err(_) => Err(ApiError::invalid("kind", format!("`{}` is not an issue kind", form.kind))),
    };
    after(&state, &desk, &case_id, "classification", result).await
}

/// What the confirmation page is asked to confirm.
#[derive(Deserialize, Default)]
pub(super) struct ConfirmQuery {
    lang: Option<String>,
    /// `remedy` or `refund`.
    #[serde(default)]
    action: String,
    /// The remedy, for `remedy`.
    #[serde(default)]
    remedy: String,
    /// The payment, for `refund`.
    #[serde(default)]
    payment: String,
    /// The amount in minor units, for `refund`.
    #[serde(default)]
    amount_minor: Option<i64>,
    /// The refund's reason, for `refund`.
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "workspace/confirm.html")]
struct ConfirmPage<'a> {
    c: &'a Chrome,
    case_id: String,
    number: u64,
    subject: String,
    heading: String,
    amount: String,
    details: Vec<String>,
    action: &'static str,
    /// Hidden fields the confirmation posts.
    fields: Vec<(&'static str, String)>,
    /// An amount to type (partial refunds, compensation), in major units.
    amount_input: Option<String>,
    key: String,
    /// The agent's role cannot carry this out: a lead must.
    blocked: bool,
    /// The remedy needs the customer's photos: the agent says they have them.
    ask_photos: bool,
}

async fn confirm_page(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    Query(query): Query<ConfirmQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "inbox").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    match confirmation(&state, &desk, &case_id, &query).await {
        Ok(page) => desk.page(StatusCode::OK, page.render()),
        Err(e) if e.status == StatusCode::NOT_FOUND => desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found"),
        Err(e) => render_case(&state, &desk, &case_id, None, Some(error_text(&e))).await,
    }
}

async fn confirmation<'a>(
    state: &AppState,
    desk: &'a Desk,
    case_id: &str,
    query: &ConfirmQuery,
) -> Result<ConfirmPage<'a>, ApiError> {
    let w = &desk.chrome.w;
    let tag = w.tag();
    let case = state.storage().case(desk.store.id, path_id(case_id, "case")?).await?;
    let key = super::session::new_token();
    let mut page = ConfirmPage {
        c: &desk.chrome,
        case_id: case.id.to_string(),
        number: case.number.0,
        subject: case.subject.clone(),
        heading: String::new(),
        amount: String::new(),
        details: Vec::new(),
        action: "remedy",
        fields: Vec::new(),
        amount_input: None,
        key,
        blocked: false,
        ask_photos: false,
    };
    match query.action.as_str() {
        "remedy" => {
            let remedy: Remedy = query
                .remedy
                .parse()
                .map_err(|_| ApiError::invalid("remedy", format!("`{}` is not a remedy", query.remedy)))?;
            let options = OptionsQuery { language: Some(tag.to_owned()), ..OptionsQuery::default() };
            let decision = resolution::get_options(
                State(state.clone()),
                desk.caller(),
                Path(case_id.to_owned()),
                ApiQuery(options),
            )
            .await?
            .0;
            let offer = decision.offers.iter().find(|o| o.remedy == remedy).ok_or_else(|| {
                ApiError::invalid("remedy", format!("the policy does not offer {} on this case now", remedy.as_str()))
            })?;
            page.heading = w.t(&format!("desk-remedy-{}", remedy.as_str()));
            page.amount = offer.amount.map(|m| money_text(&m, tag)).unwrap_or_default();
            if offer.requires_return {
                page.details.push(w.t("desk-offer-return"));
            }
            page.ask_photos = offer.needs_photos;
            if offer.needs_approval && desk.agent.may_approve() {
                page.details.push(w.t("desk-offer-you-approve"));
                page.fields.push(("approve", "1".to_owned()));
            } else if offer.needs_approval {
                page.details.push(w.t("desk-offer-ask-lead"));
                page.blocked = true;
            }
            page.details.extend(decision.reasons.iter().map(|r| r.text.clone()));
            if matches!(remedy, Remedy::PartialRefund) {
                page.amount_input = Some(offer.amount.map(|m| decimal(&m)).unwrap_or_default());
            }
            page.fields.push(("remedy", remedy.as_str().to_owned()));
        }
        "refund" => {
            let order = match case.order_id {
                Some(id) => state.storage().order(desk.store.id, id).await?,
                None => {
                    return Err(ApiError::invalid(
                        "case",
                        "this case is about no order, so there is nothing to refund",
                    ));
                }
            };
            let payment = order
                .payments
                .iter()
                .find(|p| p.id.to_string() == query.payment)
                .ok_or_else(|| ApiError::invalid("payment", "no such payment on the order"))?;
            let amount_minor = query
                .amount_minor
                .filter(|a| *a > 0)
                .ok_or_else(|| ApiError::invalid("amount", "give an amount above zero"))?;
            let reason: RefundReason = query
                .reason
                .parse()
                .map_err(|_| ApiError::invalid("reason", format!("`{}` is not a refund reason", query.reason)))?;
            let amount = Money::new(amount_minor, order.currency);
            page.action = "refund";
            page.heading = w.t(&format!("desk-refund-reason-{}", reason.as_str()));
            page.amount = money_text(&amount, tag);
            page.details.push(w.t1("desk-refund-to", "reference", &payment.provider_reference));
            page.fields.push(("payment", payment.id.to_string()));
            page.fields.push(("amount_minor", amount_minor.to_string()));
            page.fields.push(("reason", reason.as_str().to_owned()));
        }
        other => return Err(ApiError::invalid("action", format!("`{other}` is not something to confirm"))),
    }
    Ok(page)
}

/// An amount as a person types it: `12.50`.
fn decimal(money: &Money) -> String {
    money.to_string().split(' ').next().unwrap_or_default().to_owned()
}

/// A confirmed remedy.
#[derive(Deserialize)]
pub(super) struct RemedyForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    remedy: String,
    #[serde(default)]
    key: String,
    /// For a partial refund, the amount typed, in major units.
    #[serde(default)]
    amount: Option<String>,
    /// `1` when a lead approves the remedy as they carry it out.
    #[serde(default)]
    approve: Option<String>,
    /// `1` when the agent has the customer's photos.
    #[serde(default)]
    photos: Option<String>,
}

async fn remedy(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RemedyForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if form.approve.is_some()
        && let Err(answer) = super::require(&desk, redress_domain::approval::Role::TeamLead)
    {
        return *answer;
    }
    let result = carry_out_remedy(&state, &desk, &case_id, &form).await;
    after(&state, &desk, &case_id, "remedy", result).await
}

async fn carry_out_remedy(state: &AppState, desk: &Desk, case_id: &str, form: &RemedyForm) -> Result<(), ApiError> {
    let remedy: Remedy =
        form.remedy.parse().map_err(|_| ApiError::invalid("remedy", format!("`{}` is not a remedy", form.remedy)))?;
    let amount = match form.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) => {
            let case = state.storage().case(desk.store.id, path_id(case_id, "case")?).await?;
            let order_id = case.order_id.ok_or_else(|| ApiError::invalid("amount", "the case has no order"))?;
            let currency = state.storage().order(desk.store.id, order_id).await?.currency;
            Some(Money::parse_decimal(text, currency).map_err(|e| ApiError::invalid("amount", e.to_string()))?)
        }
        None => None,
    };
    let body = RemedyRequest {
        remedy,
        lines: Vec::new(),
        photos_provided: form.photos.is_some(),
        carrier_allows_intercept: false,
        // Only a lead's own confirmation approves (checked before this is called).
        approved_by: form.approve.is_some().then(|| desk.agent.name.clone()),
        carrier_reference: None,
        amount,
        refund_shipping: None,
        // The remedy's refunds are asked for by the signed-in agent (the desk's caller).
        requested_by: None,
        customer_flagged: false,
    };
    let hash = Sha256::new()
        .chain_update(format!("desk remedy {case_id} {} {:?}", form.remedy, form.amount).as_bytes())
        .finalize();
    let request = IdempotentJson { body, key: key_of(&form.key)?, request_hash: hex::encode(hash) };
    let response = resolution::carry_out_remedy(State(state.clone()), desk.caller(), Path(case_id.to_owned()), request)
        .await?
        .into_response();
    if response.status().is_success() {
        Ok(())
    } else {
        Err(ApiError::new(response.status(), "refused", "the remedy was refused"))
    }
}

/// The confirmation's idempotency key: the one the page was given.
fn key_of(key: &str) -> Result<Option<String>, ApiError> {
    let key = key.trim();
    if key.is_empty() || key.len() > crate::extract::MAX_IDEMPOTENCY_KEY {
        return Err(ApiError::invalid("key", "the confirmation has expired; open it again from the case"));
    }
    Ok(Some(format!("desk-{key}")))
}

/// A confirmed refund.
#[derive(Deserialize)]
pub(super) struct RefundForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    payment: String,
    #[serde(default)]
    amount_minor: i64,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    key: String,
}

async fn refund(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RefundForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let result = send_refund(&state, &desk, &case_id, &form).await;
    after(&state, &desk, &case_id, "refund", result).await
}

async fn send_refund(state: &AppState, desk: &Desk, case_id: &str, form: &RefundForm) -> Result<(), ApiError> {
    let case = state.storage().case(desk.store.id, path_id(case_id, "case")?).await?;
    let order_id = case.order_id.ok_or_else(|| ApiError::invalid("case", "the case has no order"))?;
    let order = state.storage().order(desk.store.id, order_id).await?;
    let reason: RefundReason = form
        .reason
        .parse()
        .map_err(|_| ApiError::invalid("reason", format!("`{}` is not a refund reason", form.reason)))?;
    let mut headers = HeaderMap::new();
    let key = key_of(&form.key)?.unwrap_or_default();
    headers.insert(
        "idempotency-key",
        HeaderValue::from_str(&key).map_err(|_| ApiError::invalid("key", "the confirmation key is not valid"))?,
    );
    let input = NewRefund {
        payment_id: Some(form.payment.clone()),
        method: RefundMethod::OriginalPayment,
        reason,
        amount: Money::new(form.amount_minor, order.currency),
        lines: Vec::new(),
        fees: Vec::new(),
        bonus: None,
        note: None,
        requested_by: PersonInput { name: desk.agent.name.clone(), role: desk.agent.role },
        customer_flagged: false,
    };
    money::request_refund(State(state.clone()), desk.caller(), Path(case_id.to_owned()), headers, ApiJson(input))
        .await
        .map(|_| ())
}
