//! The agent workspace: server-rendered pages under `/desk/{store}` for the shop's support
//! team, in the same five languages as the portal. An agent signs in with email and password,
//! works the inbox (ranked by status, priority and time left), opens a case with the customer,
//! order, payments, parcels and timeline side by side, answers with a suggested reply, and
//! carries out the policy's remedies and refunds after a confirmation that shows the amount.
//! Leads approve refunds above the limit; admins edit the shop's settings.
//!
//! Every action calls the same use case as the JSON API ([`redress_app`]) with the signed-in
//! team member as the [`Caller`], so the rules, the idempotency and the timeline are the
//! application's, and the signed-in person (never a form field) is who acts.

mod analytics;
mod case;
mod incidents;
mod live;
mod macros;
mod mail;
mod money;
mod privacy;
pub mod session;
mod settings;
mod webhooks;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use redress_app::inbox::{Inbox, InboxRequest};
use redress_app::team::{SESSION_HOURS, SignInRefused};
use redress_app::{AppError, Caller};
use redress_domain::approval::Role;
use redress_domain::inbox::{self, InboxFilter};
use redress_domain::team::{Agent, role_label};
use redress_domain::{CaseStatus, Channel, IssueKind, Priority, Store};
use serde::Deserialize;
use time::Duration;

use crate::AppState;
use crate::html::{
    Page, Source, cookie, language_cookie, login_form, login_form_valid, redirect, secure, store_and_words,
    unknown_store,
};
use crate::portal::i18n::{LANGUAGES, Words};
use session::COOKIE;

/// Cases shown on one inbox page.
const INBOX_PAGE: u32 = 100;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk", get(choose_store))
        .route("/desk/{slug}", get(inbox_page))
        .route("/desk/{slug}/bulk", post(bulk))
        .route("/desk/{slug}/views", post(save_view))
        .route("/desk/{slug}/views/{view_id}/delete", post(delete_view))
        .route("/desk/{slug}/signin", get(sign_in_page).post(sign_in))
        .route("/desk/{slug}/signout", post(sign_out))
        .merge(analytics::router())
        .merge(case::router())
        .merge(incidents::router())
        .merge(live::router())
        .merge(macros::router())
        .merge(mail::router())
        .merge(money::router())
        .merge(privacy::router())
        .merge(settings::router())
        .merge(webhooks::router())
        .layer(axum::middleware::from_fn(crate::html::refuse_nul_text))
}

/// What every workspace page shows around its content.
pub struct Chrome {
    w: Words,
    store_name: String,
    base: String,
    languages: &'static [(&'static str, &'static str)],
    /// The signed-in agent's name, empty on the sign-in page.
    agent_name: String,
    role: String,
    form_token: String,
    may_approve: bool,
    may_manage: bool,
    /// The page's place in the navigation: `inbox`, `approvals`, `disputes`, `settings` or empty.
    section: &'static str,
}

impl Chrome {
    /// The text of `key`.
    fn t(&self, key: &str) -> String {
        self.w.t(key)
    }
}

/// A signed-in agent on one of their store's pages.
pub(crate) struct Desk {
    store: Store,
    agent: Agent,
    token: String,
    chrome: Chrome,
    cookies: Vec<String>,
}

impl Desk {
    /// The caller the use cases see: this team member, confined to their store.
    fn caller(&self) -> Caller {
        Caller::member(&self.agent)
    }

    /// A page with this desk's cookies.
    fn page(&self, status: StatusCode, html: Result<String, askama::Error>) -> Response {
        Page { status, html, cookies: self.cookies.clone() }.into_response()
    }

    /// Checks a posted form's token; a mismatch is a page from elsewhere posting as the agent.
    fn check_form(&self, posted: &str) -> Result<(), Box<Response>> {
        if session::form_token_valid(&self.token, posted) {
            Ok(())
        } else {
            Err(Box::new(self.notice(StatusCode::FORBIDDEN, "desk-form-expired")))
        }
    }

    fn notice(&self, status: StatusCode, key: &str) -> Response {
        self.page(status, NoticePage { c: &self.chrome, text: self.chrome.t(key) }.render())
    }
}

/// The signed-in agent for `slug`, or the answer to give instead: the sign-in page for a
/// browser without a session (or with another store's), a 404 for an unknown store.
pub(crate) async fn desk(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
    lang: Option<&str>,
    section: &'static str,
) -> Result<Desk, Response> {
    let Some((store, w)) = store_and_words(state, slug, headers, lang).await else { return Err(unknown_store()) };
    let base = format!("/desk/{}", store.slug);
    let signed_in = match cookie(headers, COOKIE) {
        Some(token) => match redress_app::team::session(state.app(), &store, token).await {
            Ok(agent) => agent.map(|agent| (agent, token.to_owned())),
            Err(e) => {
                tracing::error!(error = %e, "a desk session could not be read");
                None
            }
        },
        None => None,
    };
    let Some((agent, token)) = signed_in else { return Err(redirect(&format!("{base}/signin"), Vec::new())) };
    let cookies = if lang.is_some() { vec![language_cookie(w.tag(), headers)] } else { Vec::new() };
    let chrome = Chrome {
        store_name: store.name.clone(),
        base,
        languages: LANGUAGES,
        agent_name: agent.name.clone(),
        role: w.t(&format!("desk-role-{}", role_label(agent.role))),
        form_token: session::form_token(&token),
        may_approve: agent.may_approve(),
        may_manage: agent.may_manage_shop(),
        section,
        w,
    };
    Ok(Desk { store, agent, token, chrome, cookies })
}

/// Signs the agent in for a posted form and checks its token.
pub(crate) async fn desk_for_form(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
    token: &str,
) -> Result<Desk, Response> {
    desk_for_form_in(state, slug, headers, token, "inbox").await
}

/// [`desk_for_form`] for a form of the desk's `section` (the page a refusal is shown on).
pub(crate) async fn desk_for_form_in(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
    token: &str,
    section: &'static str,
) -> Result<Desk, Response> {
    let desk = desk(state, slug, headers, None, section).await?;
    desk.check_form(token).map_err(|answer| *answer)?;
    Ok(desk)
}

/// A refusal as a line an agent can act on: the message, naming the field when there is one.
pub(crate) fn error_text(error: &AppError) -> String {
    match &error.field {
        Some(field) if !field.is_empty() => format!("{field}: {}", error.message),
        _ => error.message.clone(),
    }
}

#[derive(Template)]
#[template(path = "workspace/notice.html")]
struct NoticePage<'a> {
    c: &'a Chrome,
    text: String,
}

/// `/desk`: where a team signs in. The deployment's shops are not listed to whoever asks: a
/// deployment with one shop goes straight to its sign-in, otherwise each team uses its shop's
/// own address.
async fn choose_store(State(state): State<AppState>) -> Response {
    let only = match redress_app::stores::single_store(state.app()).await {
        Ok(only) => only,
        Err(e) => {
            tracing::error!(error = %e, "the stores could not be read");
            None
        }
    };
    match only {
        Some(slug) => redirect(&format!("/desk/{slug}/signin"), Vec::new()),
        None => Html(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Redress desk</title><main><h1>Sign in \
             to your shop's desk</h1><p>Open your shop's own desk address: <code>/desk/&lt;your shop&gt;</code>. \
             Your admin can give it to you.</p></main></html>"
                .to_owned(),
        )
        .into_response(),
    }
}

/// Query parameters every page takes.
#[derive(Deserialize, Default)]
pub(crate) struct LangQuery {
    /// A language to switch to.
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "workspace/signin.html")]
struct SignInPage<'a> {
    c: &'a Chrome,
    error: Option<String>,
    email: String,
    /// Ties the form to this browser's sign-in cookie.
    login_token: String,
}

fn signed_out_chrome(store: &Store, w: Words) -> Chrome {
    Chrome {
        store_name: store.name.clone(),
        base: format!("/desk/{}", store.slug),
        languages: LANGUAGES,
        agent_name: String::new(),
        role: String::new(),
        form_token: String::new(),
        may_approve: false,
        may_manage: false,
        section: "",
        w,
    }
}

async fn sign_in_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let Some((store, w)) = store_and_words(&state, &slug, &headers, query.lang.as_deref()).await else {
        return unknown_store();
    };
    let mut cookies = if query.lang.is_some() { vec![language_cookie(w.tag(), &headers)] } else { Vec::new() };
    let (login_token, login_cookie) = login_form(&headers);
    cookies.extend(login_cookie);
    let chrome = signed_out_chrome(&store, w);
    let page = SignInPage { c: &chrome, error: None, email: String::new(), login_token };
    Page { status: StatusCode::OK, html: page.render(), cookies }.into_response()
}

/// The sign-in form.
#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    login_token: String,
}

async fn sign_in(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Source(source): Source,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let Some((store, w)) = store_and_words(&state, &slug, &headers, None).await else { return unknown_store() };
    let chrome = signed_out_chrome(&store, w);
    let email_text: String = form.email.trim().chars().take(320).collect();
    let (login_token, login_cookie) = login_form(&headers);
    let refuse = |status: StatusCode, key: &str| {
        let page = SignInPage {
            c: &chrome,
            error: Some(chrome.t(key)),
            email: email_text.clone(),
            login_token: login_token.clone(),
        };
        Page { status, html: page.render(), cookies: login_cookie.clone().into_iter().collect() }.into_response()
    };
    if !login_form_valid(&headers, &form.login_token) {
        return refuse(StatusCode::FORBIDDEN, "desk-form-expired");
    }
    let password: String = form.password.chars().take(200).collect();
    let signed_in = match redress_app::team::sign_in(state.app(), &store, (&email_text, &password), &source).await {
        Ok(Ok(signed_in)) => signed_in,
        Ok(Err(SignInRefused::TooMany)) => return refuse(StatusCode::TOO_MANY_REQUESTS, "desk-signin-too-many"),
        Ok(Err(SignInRefused::Wrong)) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, "desk-signin-failed"),
        Err(e) => {
            tracing::error!(error = %e, "a sign-in failed");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let cookie = format!(
        "{COOKIE}={}; Path=/desk/{}; Max-Age={}; HttpOnly; SameSite=Strict{}",
        signed_in.token,
        store.slug,
        SESSION_HOURS * 3600,
        secure(&headers)
    );
    redirect(&format!("/desk/{}", store.slug), vec![cookie])
}

/// A form that only carries its token.
#[derive(Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    form_token: String,
}

async fn sign_out(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let desk = match desk(&state, &slug, &headers, None, "").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if let Err(answer) = desk.check_form(&form.form_token) {
        return *answer;
    }
    if let Err(e) = redress_app::team::sign_out(state.app(), &desk.token).await {
        tracing::error!(error = %e, "a workspace session could not be ended");
        return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
    }
    let gone =
        format!("{COOKIE}=; Path=/desk/{}; Max-Age=0; HttpOnly; SameSite=Strict{}", desk.store.slug, secure(&headers));
    redirect(&format!("{}/signin", desk.chrome.base), vec![gone])
}

/// The inbox's filters, as the form sends them (empty means any).
#[derive(Deserialize, Default)]
pub(crate) struct InboxQuery {
    lang: Option<String>,
    /// The outcome of a form carried out on the inbox.
    done: Option<String>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    escalated: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    q: String,
}

/// One inbox row.
struct InboxRow {
    id: String,
    number: u64,
    subject: String,
    customer: String,
    kind: String,
    language: String,
    priority: Priority,
    priority_label: String,
    status: String,
    time_left: String,
    overdue: bool,
    assignee: String,
    escalated: bool,
    triage: bool,
}

#[derive(Template)]
#[template(path = "workspace/inbox.html")]
struct InboxPage<'a> {
    c: &'a Chrome,
    rows: Vec<InboxRow>,
    shown: u64,
    total: u64,
    query: &'a InboxQuery,
    statuses: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    channels: Vec<(&'static str, String)>,
    error: Option<String>,
    service: Option<String>,
    /// The team, for the assignee filter and the bulk assignment: id and name.
    team: Vec<(String, String)>,
    /// The saved views the agent sees: id, name, address, the team's.
    views: Vec<(String, String, String, bool)>,
    /// The filters as a query string (what a saved view keeps).
    filters: String,
    /// The timeline position the list was drawn at (where the live count starts).
    after: i64,
    /// What a bulk action did: how many changed, and each case that did not with why.
    bulk_done: Option<String>,
    bulk_failed: Vec<String>,
}

impl InboxQuery {
    /// The filters set, as the inbox's query string.
    fn filters(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("status", &self.status),
            ("kind", &self.kind),
            ("language", &self.language),
            ("escalated", &self.escalated),
            ("assignee", &self.assignee),
            ("channel", &self.channel),
            ("q", &self.q),
        ] {
            if !value.trim().is_empty() {
                out.append_pair(name, value.trim());
            }
        }
        out.finish()
    }
}

/// What a bulk action reports on the inbox.
#[derive(Default)]
struct BulkReport {
    done: Option<String>,
    failed: Vec<String>,
}

/// The desk's line on follow-through: targets met and satisfaction, when there is anything.
fn service_line(w: &Words, report: Option<redress_app::follow_through::FollowThroughReport>) -> Option<String> {
    let report = report.filter(|r| r.first_response_judged + r.resolution_judged + r.csat.answers > 0)?;
    let pct = |p: Option<f64>| p.map_or_else(|| "–".to_owned(), |p| format!("{p}%"));
    Some(w.ta(
        "desk-sla-line",
        &[
            ("response", &pct(report.first_response_met_pct)),
            ("resolution", &pct(report.resolution_met_pct)),
            ("csat", &format!("{:.1}", report.csat.mean)),
            ("answers", &report.csat.answers.to_string()),
        ],
    ))
}

/// "2 h 5 min", "overdue 40 min": the time before the first answer is due.
pub(crate) fn time_left_text(w: &Words, left: Duration) -> (String, bool) {
    let minutes = left.whole_minutes().abs();
    let span = match (minutes / 60 / 24, minutes / 60 % 24, minutes % 60) {
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    };
    if left.is_negative() { (w.t1("desk-overdue", "time", &span), true) } else { (span, false) }
}

fn parse_choice<T: std::str::FromStr>(text: &str, field: &str) -> Result<Option<T>, String> {
    if text.is_empty() {
        Ok(None)
    } else {
        text.parse().map(Some).map_err(|_| format!("{field}: `{text}` is not known"))
    }
}

/// The inbox request a query asks for.
fn inbox_request(query: &InboxQuery, agent: &Agent) -> Result<InboxRequest, String> {
    let statuses = match query.status.as_str() {
        // The default view: what still needs someone.
        "" => vec![CaseStatus::New, CaseStatus::Open, CaseStatus::WaitingOnCustomer, CaseStatus::WaitingOnThirdParty],
        "all" => Vec::new(),
        other => vec![status_named(other).ok_or_else(|| format!("status: `{other}` is not known"))?],
    };
    let (assignee, unassigned) = match query.assignee.as_str() {
        "" => (None, false),
        "me" => (Some(agent.id), false),
        "none" => (None, true),
        id => (Some(id.parse().map_err(|_| format!("assignee: `{id}` is not a team member"))?), false),
    };
    let escalated = match query.escalated.as_str() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        other => return Err(format!("escalated: `{other}` is not yes or no")),
    };
    Ok(InboxRequest {
        statuses,
        kind: parse_choice(&query.kind, "kind")?,
        assignee,
        filter: InboxFilter {
            language: (!query.language.is_empty()).then(|| query.language.clone()),
            escalated,
            channel: parse_choice::<Channel>(&query.channel, "channel")?,
            unassigned,
            search: (!query.q.trim().is_empty()).then(|| query.q.trim().chars().take(200).collect()),
        },
        limit: INBOX_PAGE,
    })
}

async fn inbox_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<InboxQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "inbox").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let notice = done_notice(&desk.chrome.w, query.done.as_deref());
    render_inbox(&state, &desk, &query, BulkReport { done: notice, failed: Vec::new() }).await
}

/// The inbox for `query`, with what a bulk action or a saved view just did.
async fn render_inbox(state: &AppState, desk: &Desk, query: &InboxQuery, report: BulkReport) -> Response {
    let w = &desk.chrome.w;
    let app = state.app();
    // Drawn from this position: the live count says how many cases changed after it.
    let after = redress_app::desk::store_changes(app, &desk.caller(), i64::MAX).await.map_or(0, |(_, last)| last);
    let team = redress_app::team::agents(app, &desk.caller()).await.unwrap_or_default();
    let views = redress_app::desk::views(app, &desk.caller()).await.unwrap_or_default();
    let (found, error) = match inbox_request(query, &desk.agent) {
        Ok(request) => match redress_app::inbox::inbox(app, &desk.caller(), request).await {
            Ok(found) => (found, None),
            Err(e) => (Inbox::default(), Some(error_text(&e))),
        },
        Err(problem) => (Inbox::default(), Some(problem)),
    };
    let now = app.now();
    let shown_ids: Vec<_> = found.cases.iter().map(|c| c.id).collect();
    // The business-hours deadlines, where the case has been planned; the plain first-answer
    // deadline otherwise (a case opened a moment ago).
    let clocks = redress_app::follow_through::clocks(app, &desk.caller(), &shown_ids).await.unwrap_or_default();
    let service = service_line(w, redress_app::follow_through::report(app, &desk.caller()).await.ok());
    let rows = found
        .cases
        .iter()
        .map(|case| {
            let clock = clocks.get(&case.id);
            let left = match clock {
                Some(sla) => redress_app::follow_through::time_left(sla, now),
                None => Some(inbox::time_left(case, now)),
            };
            let (time_left, overdue) = match (left, clock) {
                (Some(left), _) => time_left_text(w, left),
                (None, Some(sla)) if sla.paused => (w.t("desk-sla-paused"), false),
                (None, _) => (String::new(), false),
            };
            let waiting = matches!(case.status, CaseStatus::New | CaseStatus::Open);
            InboxRow {
                id: case.id.to_string(),
                number: case.number.0,
                subject: case.subject.clone(),
                customer: case.customer_email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                kind: w.t(&format!("desk-kind-{}", case.kind.as_str())),
                language: case.language.to_string(),
                priority: case.priority,
                priority_label: w.t(&format!("desk-priority-{}", case.priority.as_str())),
                status: w.t(&format!("case-{}", case.status.as_str())),
                time_left: if waiting { time_left } else { String::new() },
                overdue: waiting && overdue,
                assignee: case.assignee.as_ref().map(|a| a.name.clone()).unwrap_or_default(),
                escalated: !case.escalation.is_empty(),
                triage: case.needs_triage,
            }
        })
        .collect::<Vec<_>>();
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = InboxPage {
        c: &desk.chrome,
        shown: u64::try_from(rows.len()).unwrap_or(u64::MAX),
        rows,
        total: found.total,
        query,
        statuses: CaseStatus::ALL.iter().map(|s| (s.as_str(), w.t(&format!("case-{}", s.as_str())))).collect(),
        kinds: IssueKind::ALL.iter().map(|k| (k.as_str(), w.t(&format!("desk-kind-{}", k.as_str())))).collect(),
        channels: Channel::ALL.iter().map(|c| (c.as_str(), c.as_str().replace('_', " "))).collect(),
        error,
        service,
        team: team.iter().map(|a| (a.id.to_string(), a.name.clone())).collect(),
        views: views
            .iter()
            .map(|v| {
                (v.id.to_string(), v.name.clone(), format!("{}?{}", desk.chrome.base, v.query), v.agent_id.is_none())
            })
            .collect(),
        filters: query.filters(),
        after,
        bulk_done: report.done,
        bulk_failed: report.failed,
    };
    desk.page(status, page.render())
}

/// `POST /desk/{slug}/bulk`: an action on the chosen cases (`case` repeated), each through its
/// own use case; the inbox comes back with how many changed and which did not, and why.
async fn bulk(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut fields: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    fields.truncate(redress_app::desk::MAX_BULK + 20);
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let desk = match desk_for_form(&state, &slug, &headers, &field("form_token")).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    // The inbox comes back with the filters it was showing.
    let query: InboxQuery = serde_urlencoded::from_str(&field("filters")).unwrap_or_default();
    let w = &desk.chrome.w;
    let ids: Result<Vec<_>, _> =
        fields.iter().filter(|(k, _)| k == "case").map(|(_, v)| redress_app::cases::case_id(v)).collect();
    let action = match field("action").as_str() {
        "assign" => Ok(redress_app::desk::BulkAction::Assign(Some(field("to")).filter(|t| !t.is_empty()))),
        "resolve" => Ok(redress_app::desk::BulkAction::Status(CaseStatus::Resolved)),
        "status" => status_named(&field("status"))
            .map(redress_app::desk::BulkAction::Status)
            .ok_or_else(|| AppError::invalid("status", "choose a status from the list")),
        _ => Err(AppError::invalid("action", "choose what to do with the cases")),
    };
    let outcome = match (ids, action) {
        (Ok(ids), Ok(action)) => redress_app::desk::bulk(state.app(), &desk.caller(), &ids, action).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let report = match outcome {
        Ok(outcomes) => {
            let changed = outcomes.iter().filter(|o| o.result.is_ok()).count();
            BulkReport {
                done: Some(w.t1("desk-bulk-done", "count", &changed.to_string())),
                failed: outcomes
                    .iter()
                    .filter_map(|o| {
                        let e = o.result.as_ref().err()?;
                        let which = o.number.map_or_else(|| o.case_id.to_string(), |n| format!("#{n}"));
                        Some(format!("{which}: {}", error_text(e)))
                    })
                    .collect(),
            }
        }
        Err(e) if e.code.status() >= 500 => {
            tracing::error!(error = %e.message, "a bulk action failed");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
        Err(e) => BulkReport { done: None, failed: vec![error_text(&e)] },
    };
    render_inbox(&state, &desk, &query, report).await
}

/// The save-a-view form.
#[derive(Deserialize)]
pub(crate) struct ViewForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    filters: String,
    /// `1`: the whole team's (leads and admins).
    #[serde(default)]
    team: Option<String>,
}

/// `POST /desk/{slug}/views`: the inbox's filters saved under a name.
async fn save_view(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ViewForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let saved =
        redress_app::desk::save_view(state.app(), &desk.caller(), &form.name, &form.filters, form.team.is_some()).await;
    let query: InboxQuery = serde_urlencoded::from_str(&form.filters).unwrap_or_default();
    match saved {
        Ok(view) => {
            let sep = if view.query.is_empty() { "" } else { "&" };
            redirect(&format!("{}?{}{sep}done=view-saved", desk.chrome.base, view.query), desk.cookies.clone())
        }
        Err(e) if e.code.status() >= 500 => desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable"),
        Err(e) => render_inbox(&state, &desk, &query, BulkReport { done: None, failed: vec![error_text(&e)] }).await,
    }
}

/// `POST /desk/{slug}/views/{id}/delete`.
async fn delete_view(
    State(state): State<AppState>,
    Path((slug, view_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<TokenForm>,
) -> Response {
    let desk = match desk_for_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let result = match view_id.parse() {
        Ok(id) => redress_app::desk::delete_view(state.app(), &desk.caller(), id).await,
        Err(_) => Err(AppError::not_found("view")),
    };
    match result {
        Ok(()) => redirect(&format!("{}?done=view-deleted", desk.chrome.base), desk.cookies.clone()),
        Err(e) if e.code.status() >= 500 => desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable"),
        Err(e) => {
            render_inbox(&state, &desk, &InboxQuery::default(), BulkReport { done: None, failed: vec![error_text(&e)] })
                .await
        }
    }
}

/// The status a form names, as the API spells it.
pub(crate) fn status_named(text: &str) -> Option<CaseStatus> {
    CaseStatus::ALL.iter().copied().find(|s| s.as_str() == text)
}

/// The notice after a form was carried out: only the outcomes the desk itself names, never
/// text from the address bar.
pub(crate) fn done_notice(w: &Words, done: Option<&str>) -> Option<String> {
    const KNOWN: &[&str] = &[
        "approved",
        "rejected",
        "reply",
        "reply-kept",
        "macro-saved",
        "macro-deleted",
        "view-saved",
        "view-deleted",
        "note",
        "call",
        "status",
        "assign",
        "check",
        "classification",
        "address",
        "remedy",
        "refund",
        "saved",
        "added",
        "changed",
        "removed",
        "created",
        "revoked",
        "deleted",
        "policy",
        "retried",
        "letter-taken",
        "letter-refused",
        "erased",
    ];
    let key = done.filter(|d| KNOWN.contains(d))?;
    Some(w.t(&format!("desk-done-{key}")))
}

/// True when the role may see the page; the answer to give otherwise.
pub(crate) fn require(desk: &Desk, needed: Role) -> Result<(), Box<Response>> {
    if desk.agent.role >= needed {
        Ok(())
    } else {
        Err(Box::new(desk.notice(StatusCode::FORBIDDEN, "desk-role-too-low")))
    }
}
