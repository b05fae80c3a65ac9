//! The case view and what an agent does from it: answer, note, change status, take the case,
//! check the payments, and carry out a remedy or a refund after a confirmation page that
//! shows the amount. Each confirmation carries its own idempotency key, so a double click or
//! a resent form does the thing once.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use redress_app::cases::{self, CorrectionRequest, NewMessage, TimelineItem};
use redress_app::desk as aids;
use redress_app::idempotency::RequestKey;
use redress_app::money::{self, CaseMoney, CheckInput, NewRefund};
use redress_app::resolution::{self, AmendmentRequest, OptionsRequest};
use redress_app::{AppError, AppResult, ErrorCode};
use redress_domain::amendment::Amendment;
use redress_domain::decision::Decision;
use redress_domain::desk::MacroAction;
use redress_domain::privacy::ErasureReason;
use redress_domain::refund::{RefundMethod, RefundReason};
use redress_domain::remedy::RemedyRequest;
use redress_domain::transaction_check::Finding;
use redress_domain::{
    Actor, Address, Case, CaseEvent, CaseStatus, Direction, IssueKind, LanguageTag, Money, Order, Remedy,
};
use redress_text::replies::format_money;
use serde::Deserialize;
use time::OffsetDateTime;
use time::macros::format_description;

use super::{Chrome, Desk, desk, desk_for_form, done_notice, error_text, time_left_text};
use crate::AppState;
use crate::html::redirect;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/cases/{case_id}", get(case_page))
        .route("/desk/{slug}/cases/{case_id}/reply", post(reply))
        .route("/desk/{slug}/cases/{case_id}/note", post(note))
        .route("/desk/{slug}/cases/{case_id}/call", post(call))
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

/// A timeline entry as a line of the page.
pub(super) struct EventView {
    pub(super) at: String,
    pub(super) actor: String,
    pub(super) what: String,
    pub(super) detail: String,
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
    /// The address form's own idempotency key: sent twice, the change is made once.
    address_key: String,
    /// The customer's photos: link and file name.
    photos: Vec<(String, String)>,
    /// The case is the signed-in agent's.
    mine: bool,
    notice: Option<String>,
    error: Option<String>,
    /// The last timeline position the page shows: a reply carries it, so a case that changed
    /// meanwhile is noticed before the reply goes.
    seen: i64,
    /// Messages the page shows (where the live stream starts).
    message_count: usize,
    /// The other team members who have the case open.
    viewers: String,
    /// The team, for the assignee choice: id and name.
    team: Vec<(String, String)>,
    /// The store's macros: id and name.
    macros: Vec<(String, String)>,
    /// The macro filled into the reply box, if one was chosen.
    applied: Option<AppliedView>,
    /// What changed since the agent started the reply: they confirm before it goes.
    collision: Vec<String>,
    /// The case may be resolved from here.
    resolvable: bool,
}

/// A macro filled into the reply box.
struct AppliedView {
    id: String,
    name: String,
    /// What sending also does, in words; empty when nothing.
    action: String,
    /// The variables the case had no value for, in words; empty when none.
    missing: String,
}

/// The reply box's state when the page is drawn again: the text the agent wrote, the macro
/// they chose, and what changed meanwhile.
#[derive(Default)]
pub(super) struct Draft {
    body: Option<String>,
    macro_id: Option<String>,
    collision: Vec<String>,
}

/// What a page shows after an action: `?done=` names the message.
#[derive(Deserialize, Default)]
pub(super) struct CaseQuery {
    lang: Option<String>,
    done: Option<String>,
    /// A macro to fill the reply box with.
    #[serde(rename = "macro")]
    macro_id: Option<String>,
}

fn money_text(money: &Money, tag: &str) -> String {
    format_money(money, tag)
}

/// Who did something, as agents read it.
pub(super) fn actor_text(w: &crate::portal::i18n::Words, actor: &Actor) -> String {
    match actor {
        Actor::Customer { handle } => handle.clone(),
        Actor::Agent { name } | Actor::Integration { name } => name.clone(),
        Actor::System => "Redress".into(),
        Actor::Assistant { customer } => w.t1("desk-actor-assistant", "customer", customer),
    }
}

/// A timeline event in a line: its kind in the agent's language, and its facts.
pub(super) fn event_view(w: &crate::portal::i18n::Words, tag: &str, entry: &TimelineItem) -> EventView {
    let value = serde_json::to_value(&entry.event).unwrap_or_default();
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
    if let CaseEvent::CustomerErased { reason } = &entry.event {
        facts.push(match reason {
            ErasureReason::Request => w.t("desk-erased-request"),
            ErasureReason::Retention { months } => w.t1("desk-erased-retention", "months", &months.to_string()),
        });
    }
    let what = w.try_t(&format!("desk-event-{kind}")).unwrap_or_else(|| kind.replace('_', " "));
    EventView { at: when(entry.at), actor: actor_text(w, &entry.actor), what, detail: facts.join(" · ") }
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
fn last_findings(timeline: &[TimelineItem]) -> Option<Vec<Finding>> {
    timeline.iter().rev().find_map(|entry| match &entry.event {
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
    let notice = done_notice(&desk.chrome.w, query.done.as_deref());
    let just_sent = matches!(query.done.as_deref(), Some("reply" | "reply-kept"));
    let draft = Draft { macro_id: query.macro_id.filter(|m| !m.is_empty()), ..Draft::default() };
    render_draft(&state, &desk, &case_id, (notice, just_sent), None, draft).await
}

/// An answer for a case that could not be read: not found, or the refusal.
pub(super) fn refused(desk: &Desk, e: &AppError) -> Response {
    if e.code == ErrorCode::NotFound {
        desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found")
    } else if e.code.status() < 500 {
        desk.notice(StatusCode::FORBIDDEN, "desk-role-too-low")
    } else {
        tracing::error!(error = %e.message, "a case could not be read");
        desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable")
    }
}

/// The case page, with a notice after an action or the error that stopped one.
async fn render_case(
    state: &AppState,
    desk: &Desk,
    case_id: &str,
    notice: (Option<String>, bool),
    error: Option<String>,
) -> Response {
    render_draft(state, desk, case_id, notice, error, Draft::default()).await
}

/// The case page with the reply box as the agent left it.
async fn render_draft(
    state: &AppState,
    desk: &Desk,
    case_id: &str,
    notice: (Option<String>, bool),
    error: Option<String>,
    draft: Draft,
) -> Response {
    let status = match (&error, draft.collision.is_empty()) {
        (Some(_), _) => StatusCode::UNPROCESSABLE_ENTITY,
        (None, false) => StatusCode::CONFLICT,
        (None, true) => StatusCode::OK,
    };
    match gather(state, desk, case_id, notice, error, draft).await {
        Ok(html) => desk.page(status, html),
        Err(e) if e.code == ErrorCode::NotFound => desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found"),
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
    (notice, just_sent): (Option<String>, bool),
    mut error: Option<String>,
    draft: Draft,
) -> AppResult<Result<String, askama::Error>> {
    let app = state.app();
    let caller = desk.caller();
    let case_id = cases::case_id(case_id)?;
    let viewers = aids::see_case(app, &caller, case_id).await?;
    let cases::CaseView { case, messages, timeline } = cases::view(app, &caller, case_id).await?;
    let order = match case.order_id {
        Some(id) => Some(redress_app::orders::order(app, &caller, &id.to_string()).await?),
        None => None,
    };
    let customer = match &order {
        Some(order) => Some(redress_app::orders::customer(app, &caller, order).await?.name),
        None => None,
    };
    let tag = desk.chrome.w.tag();
    // The agent reads the policy's reasons in their own language. A decision that cannot be
    // made is shown as such, not hidden.
    let options = OptionsRequest { language: LanguageTag::parse(tag).ok(), ..OptionsRequest::default() };
    let (decision, decision_error) = match resolution::options(app, &caller, case.id, options).await {
        Ok(decision) => (Some(decision), None),
        Err(e) if e.code.status() < 500 => (None, Some(error_text(&e))),
        Err(e) => return Err(e),
    };
    let case_money: Option<CaseMoney> = match &order {
        Some(_) => Some(money::case_money(app, &caller, case.id).await?),
        None => None,
    };
    let address_open = match &order {
        Some(order) => redress_app::orders::amendable(app, &caller, order).await?,
        None => false,
    };
    let photos = redress_app::attachments::list(app, &caller, case.id).await?;
    // Right after a reply is sent, and whenever the suggestion is what was last sent, the box
    // starts empty: the same words again would invite sending them twice.
    let answered = messages.iter().any(|m| m.direction == Direction::Outbound);
    let last_sent = messages.iter().rev().find(|m| m.direction == Direction::Outbound).map(|m| m.body.trim());
    let draft_text = redress_app::help::draft_reply(app, &caller, &case).await?.body;
    let suggested = if just_sent || last_sent == Some(draft_text.trim()) { String::new() } else { draft_text };
    let w = &desk.chrome.w;
    let mut applied = None;
    let mut reply = suggested;
    if let Some(id) = draft.macro_id.as_deref() {
        match macro_id(id) {
            Ok(id) => match aids::apply_macro(app, &caller, case.id, id).await {
                Ok(filled) => {
                    applied = Some(applied_view(w, &filled));
                    reply = filled.text;
                }
                Err(e) if e.code.status() < 500 => error = Some(error_text(&e)),
                Err(e) => return Err(e),
            },
            Err(e) => error = Some(error_text(&e)),
        }
    }
    if let Some(body) = draft.body {
        reply = body;
    }
    let team = redress_app::team::agents(app, &caller).await?;
    let macros = aids::macros(app, &caller).await?;
    // The first answer is due only until it is given, and never on a case that waits or is done.
    let due = !answered && matches!(case.status, CaseStatus::New | CaseStatus::Open);
    let (time_left, overdue) = if due {
        time_left_text(w, redress_domain::inbox::time_left(&case, app.now()))
    } else {
        (String::new(), false)
    };
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
    let reasons = match (&decision, decision_error) {
        (Some(d), _) => d.reasons.iter().map(|r| r.text.clone()).collect(),
        (None, Some(problem)) => vec![problem],
        (None, None) => Vec::new(),
    };
    let findings = last_findings(&timeline).map(|findings| {
        findings
            .iter()
            .map(|f| FindingView {
                summary: f.summary.clone(),
                references: f.references.join(", "),
                amount: f.amount.map(|m| money_text(&m, tag)).unwrap_or_default(),
                // Offered only while the payment can still give that much back.
                refund_link: match (f.suggested_remedy, f.amount, f.payment_ids.last()) {
                    (Remedy::RefundDuplicateCharge, Some(amount), Some(payment))
                        if refundable(case_money.as_ref(), *payment) >= amount.amount_minor
                            && amount.amount_minor > 0 =>
                    {
                        Some(format!(
                            "action=refund&payment={payment}&amount_minor={}&reason=duplicate_charge",
                            amount.amount_minor
                        ))
                    }
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
                            s.carrier_name(),
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
                author: actor_text(w, &m.author),
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
        photos: photos
            .into_iter()
            .map(|p| (format!("{}/cases/{}/photos/{}", desk.chrome.base, case.id, p.id), p.filename))
            .collect(),
        address_open,
        address_key: RequestKey::fresh().as_str().to_owned(),
        mine: case.assignee.as_ref().is_some_and(|a| a.agent_id == desk.agent.id),
        kinds: IssueKind::ALL.iter().map(|k| (k.as_str(), w.t(&format!("desk-kind-{}", k.as_str())))).collect(),
        notice,
        error,
        seen: timeline.iter().map(|e| e.seq).max().unwrap_or(0),
        message_count: messages.len(),
        viewers: viewers.iter().map(|v| v.name.as_str()).collect::<Vec<_>>().join(", "),
        team: team.iter().map(|a| (a.id.to_string(), a.name.clone())).collect(),
        macros: macros.iter().map(|m| (m.id.to_string(), m.name.clone())).collect(),
        applied,
        collision: draft.collision,
        resolvable: case.status.next().contains(&CaseStatus::Resolved),
        order: order.as_ref(),
        case: &case,
    };
    Ok(page.render())
}

/// The outcome of an action: back to the case with a notice, or the case with the error.
async fn after(state: &AppState, desk: &Desk, case_id: &str, done: &str, result: AppResult<()>) -> Response {
    match result {
        Ok(()) => redirect(&format!("{}/cases/{case_id}?done={done}", desk.chrome.base), desk.cookies.clone()),
        Err(e) if e.code.status() >= 500 => {
            tracing::error!(error = %e.message, "a desk action failed");
            desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable")
        }
        Err(e) => render_case(state, desk, case_id, (None, false), Some(error_text(&e))).await,
    }
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
    /// The last timeline position the agent saw when they wrote the reply.
    #[serde(default)]
    seen: Option<i64>,
    /// `1`: the agent was told what changed and sends anyway.
    #[serde(default)]
    force: Option<String>,
    /// The macro the reply was filled from: its action runs once the reply is sent.
    #[serde(default, rename = "macro")]
    macro_id: Option<String>,
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
    // A case that changed since the agent looked (another agent answered, the customer wrote)
    // is shown again with what changed; nothing is sent until the agent confirms.
    if let (Some(seen), None, Ok(id)) = (form.seen, form.force.as_deref(), cases::case_id(&case_id)) {
        match aids::changes_since(state.app(), &desk.caller(), id, seen).await {
            Ok(changes) if !changes.is_empty() => {
                let w = &desk.chrome.w;
                let collision = changes
                    .iter()
                    .map(|e| {
                        let shown = event_view(w, w.tag(), e);
                        format!("{} · {} · {}", shown.what, shown.actor, shown.at)
                    })
                    .collect();
                let draft = Draft { body: Some(form.body), macro_id: form.macro_id, collision };
                return render_draft(&state, &desk, &case_id, (None, false), None, draft).await;
            }
            Ok(_) => {}
            Err(e) => return after(&state, &desk, &case_id, "reply", Err(e)).await,
        }
    }
    let done = match send_reply(&state, &desk, &case_id, form).await {
        Ok(Sent::AsAsked) => Ok("reply"),
        Ok(Sent::StatusKept) => Ok("reply-kept"),
        Err(e) => Err(e),
    };
    match done {
        Ok(done) => after(&state, &desk, &case_id, done, Ok(())).await,
        Err(e) => after(&state, &desk, &case_id, "reply", Err(e)).await,
    }
}

/// What happened to a reply that went out.
enum Sent {
    /// Sent, and the case moved as asked.
    AsAsked,
    /// Sent, but the case could not move as asked (it had changed meanwhile).
    StatusKept,
}

/// What a payment of the case's order can still give back, in minor units (0 when unknown).
fn refundable(money: Option<&CaseMoney>, payment: redress_domain::PaymentId) -> i64 {
    money.and_then(|m| m.payments.iter().find(|p| p.payment_id == payment)).map_or(0, |p| p.refundable.amount_minor)
}

/// A filled macro as the page names it.
fn applied_view(w: &crate::portal::i18n::Words, filled: &aids::AppliedMacro) -> AppliedView {
    let variables = filled.missing.iter().map(|v| v.replace('_', " ")).collect::<Vec<_>>().join(", ");
    AppliedView {
        id: filled.r#macro.id.to_string(),
        name: filled.r#macro.name.clone(),
        action: filled.r#macro.action.map(|a| macro_action_text(w, a)).unwrap_or_default(),
        missing: if variables.is_empty() { String::new() } else { w.t1("desk-macro-missing", "variables", &variables) },
    }
}

/// What a macro's action does, in words.
pub(super) fn macro_action_text(w: &crate::portal::i18n::Words, action: MacroAction) -> String {
    match action {
        MacroAction::SetStatus { status } => {
            w.t1("desk-macro-action-status", "status", &w.t(&format!("case-{}", status.as_str())))
        }
        MacroAction::SetPriority { priority } => {
            w.t1("desk-macro-action-priority", "priority", &w.t(&format!("desk-priority-{}", priority.as_str())))
        }
    }
}

/// A macro's id as a form gives it.
fn macro_id(text: &str) -> AppResult<uuid::Uuid> {
    text.trim().parse().map_err(|_| AppError::invalid("macro", "choose a macro from the list"))
}

/// Sends the reply, then what was asked besides (wait for the customer, the macro's action).
/// Once the reply is sent, nothing that follows turns it into an error: a case another agent
/// moved meanwhile is reported as kept, never as a failed send.
async fn send_reply(state: &AppState, desk: &Desk, case_id: &str, form: ReplyForm) -> AppResult<Sent> {
    let app = state.app();
    let caller = desk.caller();
    let id = cases::case_id(case_id)?;
    if redress_domain::desk::has_unfilled(&form.body) {
        return Err(AppError::invalid(
            "body",
            "the reply still holds a macro variable such as {customer_name}: write it in",
        ));
    }
    let action = match form.macro_id.as_deref().filter(|m| !m.is_empty()) {
        Some(m) => {
            let m = macro_id(m)?;
            let found = aids::macros(app, &caller).await?.into_iter().find(|x| x.id == m);
            found.ok_or_else(|| AppError::not_found("macro"))?.action
        }
        None => None,
    };
    let message = NewMessage {
        direction: Direction::Outbound,
        body: form.body,
        channel: None,
        author: None,
        attachments: Vec::new(),
    };
    let added = cases::add_message(app, &caller, id, message).await?;
    let mut kept = false;
    if form.wait.is_some() && added.case.status != CaseStatus::WaitingOnCustomer {
        // Another agent may have answered and set the case waiting meanwhile: what this agent
        // asked for is then true, and their reply was sent, so that is no error.
        if let Err(e) = cases::change_status(app, &caller, id, CaseStatus::WaitingOnCustomer).await {
            let now = cases::case(app, &caller, id).await.map(|c| c.status);
            if now.as_ref().ok() != Some(&CaseStatus::WaitingOnCustomer) {
                tracing::info!(error = %e.message, "a reply was sent; the case kept its status");
                kept = true;
            }
        }
    }
    if let Some(action) = action
        && let Err(e) = aids::run_action(app, &caller, id, action).await
    {
        tracing::info!(error = %e.message, "a reply was sent; the macro's action was not carried out");
        kept = true;
    }
    Ok(if kept { Sent::StatusKept } else { Sent::AsAsked })
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
    let result = match cases::case_id(&case_id) {
        Ok(id) => cases::add_note(state.app(), &desk.caller(), id, form.body).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &desk, &case_id, "note", result).await
}

/// The phone call form: direction, minutes, what was said.
#[derive(Deserialize)]
pub(super) struct CallForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    summary: String,
}

async fn call(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CallForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let direction = if form.direction == "outbound" { Direction::Outbound } else { Direction::Inbound };
    // Minutes as a person types them ("4", "2.5", "2,5"), kept in whole seconds.
    let minutes = form.minutes.trim().replace(',', ".");
    let seconds = match minutes.parse::<f64>() {
        Ok(m) if m.is_finite() && (0.0..=f64::from(redress_domain::case::MAX_CALL_SECONDS) / 60.0).contains(&m) => {
            Ok((m * 60.0).round() as u32)
        }
        _ if minutes.is_empty() => Ok(0),
        _ => Err(redress_app::AppError::invalid("duration_seconds", "give the call's length in minutes, up to 240")),
    };
    let result = match (cases::case_id(&case_id), seconds) {
        (Ok(id), Ok(duration_seconds)) => {
            let call = cases::PhoneCall { direction, duration_seconds, summary: form.summary };
            cases::log_call(state.app(), &desk.caller(), id, call).await.map(|_| ())
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    after(&state, &desk, &case_id, "call", result).await
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
    let result = match (super::status_named(&form.status), cases::case_id(&case_id)) {
        (Some(status), Ok(id)) => cases::change_status(state.app(), &desk.caller(), id, status).await.map(|_| ()),
        (None, _) => Err(AppError::invalid("status", "choose a status from the list")),
        (_, Err(e)) => Err(e),
    };
    after(&state, &desk, &case_id, "status", result).await
}

/// The take-or-release form.
#[derive(Deserialize)]
pub(super) struct AssignForm {
    #[serde(default)]
    form_token: String,
    /// `me` to take the case, empty to release it, or a team member's id.
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
    let to = match form.to.as_str() {
        "me" => Some(desk.agent.id.to_string()),
        "" => None,
        other => Some(other.to_owned()),
    };
    let result = match cases::case_id(&case_id) {
        Ok(id) => cases::assign(state.app(), &desk.caller(), id, to.as_deref()).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &desk, &case_id, "assign", result).await
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
    let result = match cases::case_id(&case_id) {
        Ok(id) => money::check_transactions(state.app(), &desk.caller(), id, CheckInput::default()).await.map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &desk, &case_id, "check", result).await
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
    let Ok(id) = cases::case_id(&case_id) else { return desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found") };
    match redress_app::attachments::photo(state.app(), &desk.caller(), id, &photo_id).await {
        Ok((info, bytes)) => crate::routes::attachments::image_response(&info, bytes),
        Err(e) if e.code.status() < 500 => desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found"),
        Err(e) => {
            tracing::error!(error = %e.message, "a case photo could not be read");
            desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable")
        }
    }
}

/// The new delivery address an agent types for the customer.
#[derive(Deserialize)]
pub(super) struct AddressForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    key: String,
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
    let result = amend_address(&state, &desk, &case_id, form).await;
    after(&state, &desk, &case_id, "address", result).await
}

async fn amend_address(state: &AppState, desk: &Desk, case_id: &str, form: AddressForm) -> AppResult<()> {
    let id = cases::case_id(case_id)?;
    let address = Address {
        name: form.name.trim().to_owned(),
        lines: [form.line1, form.line2].into_iter().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect(),
        city: form.city.trim().to_owned(),
        postal_code: form.postal_code.trim().to_owned(),
        region: None,
        country: form.country.trim().to_uppercase(),
    };
    address.validate().map_err(|e| AppError::invalid(format!("address.{}", e.field), e.problem))?;
    let input = AmendmentRequest {
        amendment: Amendment::ShippingAddress { address },
        stock: Default::default(),
        carrier_allows_intercept: false,
    };
    resolution::amend_order(state.app(), &desk.caller(), id, input, &form_key(&form.key)?).await.map(|_| ())
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
    let result = match (form.kind.parse::<IssueKind>(), cases::case_id(&case_id)) {
        (Ok(kind), Ok(id)) => {
            let input = CorrectionRequest { kind: Some(kind), language: None, sentiment: None };
            cases::correct_classification(state.app(), &desk.caller(), id, input).await.map(|_| ())
        }
        (Err(_), _) => Err(AppError::invalid("kind", "choose a kind from the list")),
        (_, Err(e)) => Err(e),
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
        Err(e) if e.code == ErrorCode::NotFound => desk.notice(StatusCode::NOT_FOUND, "desk-case-not-found"),
        Err(e) => render_case(&state, &desk, &case_id, (None, false), Some(error_text(&e))).await,
    }
}

async fn confirmation<'a>(
    state: &AppState,
    desk: &'a Desk,
    case_id: &str,
    query: &ConfirmQuery,
) -> AppResult<ConfirmPage<'a>> {
    let w = &desk.chrome.w;
    let tag = w.tag();
    let app = state.app();
    let caller = desk.caller();
    let case = cases::case(app, &caller, cases::case_id(case_id)?).await?;
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
        // Each confirmation carries its own key: a double click or a resent form acts once.
        key: RequestKey::fresh().as_str().to_owned(),
        ask_photos: false,
    };
    match query.action.as_str() {
        "remedy" => {
            let remedy: Remedy =
                query.remedy.parse().map_err(|_| AppError::invalid("remedy", "choose a remedy from the options"))?;
            let options = OptionsRequest { language: LanguageTag::parse(tag).ok(), ..OptionsRequest::default() };
            let decision = resolution::options(app, &caller, case.id, options).await?;
            let offer = decision.offers.iter().find(|o| o.remedy == remedy).ok_or_else(|| {
                AppError::invalid("remedy", format!("the policy does not offer {} on this case now", remedy.as_str()))
            })?;
            page.heading = w.t(&format!("desk-remedy-{}", remedy.as_str()));
            page.amount = offer.amount.map(|m| money_text(&m, tag)).unwrap_or_default();
            if offer.requires_return {
                page.details.push(w.t("desk-offer-return"));
            }
            page.ask_photos = offer.needs_photos;
            if offer.needs_approval {
                // Four eyes on every path: whoever asks, a second person approves, in Approvals.
                page.details.push(w.t("desk-offer-ask-lead"));
            }
            page.details.extend(decision.reasons.iter().map(|r| r.text.clone()));
            if matches!(remedy, Remedy::PartialRefund) {
                page.amount_input = Some(offer.amount.map(|m| decimal(&m)).unwrap_or_default());
            }
            page.fields.push(("remedy", remedy.as_str().to_owned()));
        }
        "refund" => {
            let order = match case.order_id {
                Some(id) => redress_app::orders::order(app, &caller, &id.to_string()).await?,
                None => {
                    return Err(AppError::invalid(
                        "case",
                        "this case is about no order, so there is nothing to refund",
                    ));
                }
            };
            let payment = order
                .payments
                .iter()
                .find(|p| p.id.to_string() == query.payment)
                .ok_or_else(|| AppError::invalid("payment", "no such payment on the order"))?;
            let amount_minor = query
                .amount_minor
                .filter(|a| *a > 0)
                .ok_or_else(|| AppError::invalid("amount", "give an amount above zero"))?;
            let reason: RefundReason =
                query.reason.parse().map_err(|_| AppError::invalid("reason", "choose a refund reason"))?;
            let amount = Money::new(amount_minor, order.currency);
            page.action = "refund";
            page.heading = w.t(&format!("desk-refund-reason-{}", reason.as_str()));
            page.amount = money_text(&amount, tag);
            page.details.push(w.t1("desk-refund-to", "reference", &payment.provider_reference));
            page.fields.push(("payment", payment.id.to_string()));
            page.fields.push(("amount_minor", amount_minor.to_string()));
            page.fields.push(("reason", reason.as_str().to_owned()));
        }
        _ => return Err(AppError::invalid("action", "there is nothing to confirm here")),
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
    let result = carry_out_remedy(&state, &desk, &case_id, &form).await;
    after(&state, &desk, &case_id, "remedy", result).await
}

async fn carry_out_remedy(state: &AppState, desk: &Desk, case_id: &str, form: &RemedyForm) -> AppResult<()> {
    let app = state.app();
    let caller = desk.caller();
    let id = cases::case_id(case_id)?;
    let remedy: Remedy =
        form.remedy.parse().map_err(|_| AppError::invalid("remedy", "choose a remedy from the options"))?;
    let amount = match form.amount.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(text) => {
            let case = cases::case(app, &caller, id).await?;
            let order_id = case.order_id.ok_or_else(|| AppError::invalid("amount", "the case has no order"))?;
            let currency = redress_app::orders::order(app, &caller, &order_id.to_string()).await?.currency;
            Some(Money::parse_decimal(text, currency).map_err(|e| AppError::invalid("amount", e.to_string()))?)
        }
        None => None,
    };
    let request = RemedyRequest {
        remedy,
        lines: Vec::new(),
        photos_provided: form.photos.is_some(),
        carrier_allows_intercept: false,
        carrier_reference: None,
        amount,
        refund_shipping: None,
        customer_flagged: false,
    };
    resolution::carry_out_remedy(app, &caller, id, (request, Vec::new()), &form_key(&form.key)?).await.map(|_| ())
}

/// The confirmation's idempotency key: the one the page was given.
fn form_key(key: &str) -> AppResult<RequestKey> {
    if key.trim().is_empty() {
        return Err(AppError::invalid("key", "the confirmation has expired; open it again from the case"));
    }
    RequestKey::parse(&format!("desk-{}", key.trim()))
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

async fn send_refund(state: &AppState, desk: &Desk, case_id: &str, form: &RefundForm) -> AppResult<()> {
    let app = state.app();
    let caller = desk.caller();
    let case = cases::case(app, &caller, cases::case_id(case_id)?).await?;
    let order_id = case.order_id.ok_or_else(|| AppError::invalid("case", "the case has no order"))?;
    let order: Order = redress_app::orders::order(app, &caller, &order_id.to_string()).await?;
    let reason: RefundReason =
        form.reason.parse().map_err(|_| AppError::invalid("reason", "choose a refund reason"))?;
    let input = NewRefund {
        payment_id: Some(form.payment.clone()),
        method: RefundMethod::OriginalPayment,
        reason,
        amount: Money::new(form.amount_minor, order.currency),
        lines: Vec::new(),
        fees: Vec::new(),
        bonus: None,
        note: None,
        customer_flagged: false,
    };
    money::request_refund(app, &caller, case.id, input, &form_key(&form.key)?).await.map(|_| ())
}
