//! Money pages of the workspace: the approvals queue (refunds above the limit waiting for a
//! second person) and the disputes list with the time left to answer each.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use redress_app::{AppError, money};
use redress_domain::approval::Role;
use redress_domain::refund::Refund;
use serde::Deserialize;

use super::case::when;
use super::{Chrome, LangQuery, desk, done_notice, error_text, require, time_left_text};
use crate::AppState;
use crate::html::redirect;
use redress_text::replies::format_money;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/approvals", get(approvals_page))
        .route("/desk/{slug}/approvals/{refund_id}", post(decide))
        .route("/desk/{slug}/disputes", get(disputes_page))
}

struct ApprovalRow {
    id: String,
    case_id: String,
    amount: String,
    reason: String,
    why: String,
    requested_by: String,
    at: String,
    own: bool,
}

#[derive(Template)]
#[template(path = "workspace/approvals.html")]
struct ApprovalsPage<'a> {
    c: &'a Chrome,
    rows: Vec<ApprovalRow>,
    notice: Option<String>,
    error: Option<String>,
}

/// What the approvals page shows after a decision.
#[derive(Deserialize, Default)]
pub(super) struct ApprovalsQuery {
    lang: Option<String>,
    done: Option<String>,
}

async fn approvals_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<ApprovalsQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "approvals").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let notice = done_notice(&desk.chrome.w, query.done.as_deref());
    render(&state, &desk, notice, None).await
}

async fn render(state: &AppState, desk: &super::Desk, notice: Option<String>, error: Option<String>) -> Response {
    let refunds: Vec<Refund> = match money::approvals(state.app(), &desk.caller()).await {
        Ok(refunds) => refunds,
        Err(e) => {
            tracing::error!(error = %e, "the approvals queue could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let w = &desk.chrome.w;
    let rows = refunds
        .iter()
        .map(|r| ApprovalRow {
            id: r.id.to_string(),
            case_id: r.case_id.to_string(),
            amount: format_money(&r.amount, w.tag()),
            reason: w.t(&format!("desk-refund-reason-{}", r.reason.as_str())),
            why: r.approval_reason.clone().unwrap_or_default(),
            requested_by: r.requested_by.name.clone(),
            at: when(r.created_at),
            own: r.requested_by.same_as(&desk.agent.person()),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    desk.page(status, ApprovalsPage { c: &desk.chrome, rows, notice, error }.render())
}

/// An approver's decision.
#[derive(Deserialize)]
pub(super) struct DecisionForm {
    #[serde(default)]
    form_token: String,
    /// `approve` or `reject`.
    #[serde(default)]
    decision: String,
    /// Why, for a rejection.
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    Path((slug, refund_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<DecisionForm>,
) -> Response {
    let desk = match desk(&state, &slug, &headers, None, "approvals").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if let Err(answer) = desk.check_form(&form.form_token).and_then(|()| require(&desk, Role::TeamLead)) {
        return *answer;
    }
    let caller = desk.caller();
    let result: Result<&str, AppError> = match form.decision.as_str() {
        "approve" => money::approve_refund(state.app(), &caller, &refund_id).await.map(|_| "approved"),
        "reject" => money::reject_refund(state.app(), &caller, &refund_id, form.note).await.map(|_| "rejected"),
        _ => Err(AppError::invalid("decision", "choose approve or reject")),
    };
    match result {
        Ok(done) => redirect(&format!("{}/approvals?done={done}", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render(&state, &desk, None, Some(error_text(&e))).await,
    }
}

struct DisputeRow {
    case_id: String,
    reference: String,
    amount: String,
    reason: String,
    status: String,
    due: String,
    time_left: String,
    urgent: bool,
}

#[derive(Template)]
#[template(path = "workspace/disputes.html")]
struct DisputesPage<'a> {
    c: &'a Chrome,
    rows: Vec<DisputeRow>,
}

async fn disputes_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "disputes").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let disputes = match money::disputes(state.app(), &desk.caller()).await {
        Ok(disputes) => disputes,
        Err(e) => {
            tracing::error!(error = %e, "the disputes could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let w = &desk.chrome.w;
    let now = state.app().now();
    let rows = disputes
        .iter()
        .map(|view| {
            let d = &view.dispute;
            let left = d.time_left(now);
            let reason =
                serde_json::to_value(d.reason).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            DisputeRow {
                case_id: d.case_id.to_string(),
                reference: d.provider_reference.clone(),
                amount: format_money(&d.amount, w.tag()),
                reason: reason.replace('_', " "),
                status: d.status.as_str().replace('_', " "),
                due: when(d.evidence_due_by),
                urgent: left.is_some_and(|l| l.whole_hours() < 72),
                time_left: left.map(|l| time_left_text(w, l).0).unwrap_or_default(),
            }
        })
        .collect();
    desk.page(StatusCode::OK, DisputesPage { c: &desk.chrome, rows }.render())
}
