//! The agent workspace: server-rendered pages under `/desk/{store}` for the shop's support
//! team, in the same five languages as the portal. An agent signs in with email and password,
//! works the inbox (ranked by status, priority and time left), opens a case with the customer,
//! order, payments, parcels and timeline side by side, answers with a suggested reply, and
//! carries out the policy's remedies and refunds after a confirmation that shows the amount.
//! Leads approve refunds above the limit; admins edit the shop's settings.
//!
//! Every action goes through the same handler as the JSON API, called with a
//! [`StoreCaller::agent`], so the rules, the idempotency and the timeline are the API's, and
//! the signed-in person (not a form field) is who the timeline names.

mod case;
mod money;
pub mod session;
mod settings;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::USER_AGENT;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use redress_domain::approval::Role;
use redress_domain::inbox::{self, InboxFilter};
use redress_domain::team::{Agent, role_label};
use redress_domain::{Case, CaseStatus, Channel, EmailAddress, IssueKind, Priority, Store};
use redress_storage::{AgentSession, CaseFilter};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};

use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::ApiError;
use crate::html::{Page, cookie, language_cookie, redirect, secure, store_and_words, unknown_store};
use crate::portal::i18n::{LANGUAGES, Words};
use session::{COOKIE, SESSION_HOURS};

/// Most cases the inbox ranks at once; beyond this the filters narrow it.
const INBOX_LIMIT: usize = 2000;
/// Cases shown on one inbox page.
const INBOX_PAGE: usize = 100;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk", get(choose_store))
        .route("/desk/{slug}", get(inbox_page))
        .route("/desk/{slug}/signin", get(sign_in_page).post(sign_in))
        .route("/desk/{slug}/signout", post(sign_out))
        .merge(case::router())
        .merge(money::router())
        .merge(settings::router())
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
    /// The caller the API's handlers see: this agent, confined to their store.
    fn caller(&self) -> StoreCaller {
        StoreCaller::agent(&self.agent)
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
        Some(token) => state
            .storage()
            .team()
            .session(&session::token_hash(token), OffsetDateTime::now_utc())
            .await
            .ok()
            .flatten()
            .filter(|(session, _)| session.store_id == store.id)
            .map(|(_, agent)| (agent, token.to_owned())),
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

/// An API error as a line an agent can act on: the message, naming the field when there is one.
pub(crate) fn error_text(error: &ApiError) -> String {
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

/// `/desk`: the stores of this deployment, to pick where to sign in.
async fn choose_store(State(state): State<AppState>) -> Response {
    let stores = state.storage().stores().await.unwrap_or_default();
    match stores.as_slice() {
        [only] => redirect(&format!("/desk/{}/signin", only.slug), Vec::new()),
        _ => {
            let mut html = String::from(
                "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Redress desk</title><main><h1>Sign in to \
                 a shop</h1><ul>",
            );
            for store in &stores {
                html.push_str(&format!(
                    "<li><a href=\"/desk/{}/signin\">{}</a></li>",
                    store.slug,
                    askama::filters::escape(&store.name, askama::filters::Html)
                        .map(|e| e.to_string())
                        .unwrap_or_default()
                ));
            }
            html.push_str("</ul></main></html>");
            Html(html).into_response()
        }
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
    let cookies = if query.lang.is_some() { vec![language_cookie(w.tag(), &headers)] } else { Vec::new() };
    let chrome = signed_out_chrome(&store, w);
    let page = SignInPage { c: &chrome, error: None, email: String::new() };
    Page { status: StatusCode::OK, html: page.render(), cookies }.into_response()
}

/// The sign-in form.
#[derive(Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn sign_in(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let Some((store, w)) = store_and_words(&state, &slug, &headers, None).await else { return unknown_store() };
    let chrome = signed_out_chrome(&store, w);
    let email_text = form.email.trim().to_owned();
    let refuse = |status: StatusCode, key: &str| {
        let page = SignInPage { c: &chrome, error: Some(chrome.t(key)), email: email_text.clone() };
        Page { status, html: page.render(), cookies: Vec::new() }.into_response()
    };
    // Guessing is limited per address, with the portal's counter (keys cannot collide: these
    // start with `desk:`).
    let guard = format!("desk:{}:{}", store.id, email_text.to_lowercase());
    let limiter = state.portal_keys();
    if limiter.too_many_failures(&guard) {
        return refuse(StatusCode::TOO_MANY_REQUESTS, "desk-signin-too-many");
    }
    let account = match EmailAddress::parse(&email_text) {
        Ok(email) => state.storage().team().agent_sign_in(store.id, &email).await.ok().flatten(),
        Err(_) => None,
    };
    // Argon2 takes tens of milliseconds of CPU: off the async workers. An unknown address is
    // checked against a decoy so it takes as long as a wrong password.
    let (hash, password) = (account.as_ref().map(|(_, h)| h.clone()), form.password);
    let matches = tokio::task::spawn_blocking(move || {
        let hash = hash.unwrap_or_else(|| session::decoy_hash().to_owned());
        session::password_matches(&hash, &password)
    })
    .await
    .unwrap_or(false);
    let Some((agent, _)) = account.filter(|_| matches) else {
        limiter.record_failure(&guard);
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "desk-signin-failed");
    };
    let token = session::new_token();
    let now = OffsetDateTime::now_utc();
    let record = AgentSession {
        token_hash: session::token_hash(&token),
        store_id: store.id,
        agent_id: agent.id,
        created_at: now,
        expires_at: now + Duration::hours(SESSION_HOURS),
    };
    if let Err(e) = state.storage().team().start_session(&record).await {
        tracing::error!(error = %e, "a workspace session could not be saved");
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
    }
    tracing::info!(agent = %agent.id, store = %store.id, user_agent = ?headers.get(USER_AGENT), "agent signed in");
    let cookie = format!(
        "{COOKIE}={token}; Path=/desk/{}; Max-Age={}; HttpOnly; SameSite=Strict{}",
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
    if let Err(e) = state.storage().team().end_session(&session::token_hash(&desk.token)).await {
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
    shown: usize,
    total: usize,
    query: &'a InboxQuery,
    statuses: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    channels: Vec<(&'static str, String)>,
    error: Option<String>,
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

/// The filter an inbox query asks for: storage's part and the domain's part.
fn inbox_filters(query: &InboxQuery, agent: &Agent) -> Result<(CaseFilter, InboxFilter), String> {
    let statuses = match query.status.as_str() {
        // The default view: what still needs someone.
        "" => vec![CaseStatus::New, CaseStatus::Open, CaseStatus::WaitingOnCustomer, CaseStatus::WaitingOnThirdParty],
        "all" => Vec::new(),
        other => vec![status_named(other).ok_or_else(|| format!("status: `{other}` is not known"))?],
    };
    let (assignee, unassigned) = match query.assignee.as_str() {
        "" => (None, false),
        "me" => (Some(agent.name.clone()), false),
        "none" => (None, true),
        name => (Some(name.to_owned()), false),
    };
    let escalated = match query.escalated.as_str() {
        "" => None,
        "yes" => Some(true),
        "no" => Some(false),
        other => return Err(format!("escalated: `{other}` is not yes or no")),
    };
    let storage = CaseFilter { statuses, kind: parse_choice(&query.kind, "kind")?, assignee, ..CaseFilter::default() };
    let domain = InboxFilter {
        language: (!query.language.is_empty()).then(|| query.language.clone()),
        escalated,
        channel: parse_choice::<Channel>(&query.channel, "channel")?,
        unassigned,
        search: (!query.q.trim().is_empty()).then(|| query.q.trim().to_owned()),
    };
    Ok((storage, domain))
}

/// Reads up to [`INBOX_LIMIT`] cases passing the filters, page by page.
pub(crate) async fn filtered_cases(
    state: &AppState,
    store: &Store,
    storage_filter: &CaseFilter,
    filter: &InboxFilter,
) -> Result<Vec<Case>, ApiError> {
    let mut cases = Vec::new();
    let mut after = None;
    loop {
        let page = state.storage().cases(store.id, storage_filter, after, 500).await?;
        cases.extend(page.cases.into_iter().filter(|c| filter.matches(c)));
        after = page.next;
        if after.is_none() || cases.len() >= INBOX_LIMIT {
            break;
        }
    }
    cases.truncate(INBOX_LIMIT);
    Ok(cases)
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
    let w = &desk.chrome.w;
    let (mut cases, error) = match inbox_filters(&query, &desk.agent) {
        Ok((storage_filter, filter)) => match filtered_cases(&state, &desk.store, &storage_filter, &filter).await {
            Ok(cases) => (cases, None),
            Err(e) => (Vec::new(), Some(error_text(&e))),
        },
        Err(problem) => (Vec::new(), Some(problem)),
    };
    inbox::rank(&mut cases);
    let now = OffsetDateTime::now_utc();
    let total = cases.len();
    let rows = cases
        .iter()
        .take(INBOX_PAGE)
        .map(|case| {
            let (time_left, overdue) = time_left_text(w, inbox::time_left(case, now));
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
                assignee: case.assignee.clone().unwrap_or_default(),
                escalated: !case.escalation.is_empty(),
                triage: case.needs_triage,
            }
        })
        .collect::<Vec<_>>();
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let page = InboxPage {
        c: &desk.chrome,
        shown: rows.len(),
        rows,
        total,
        query: &query,
        statuses: CaseStatus::ALL.iter().map(|s| (s.as_str(), w.t(&format!("case-{}", s.as_str())))).collect(),
        kinds: IssueKind::ALL.iter().map(|k| (k.as_str(), w.t(&format!("desk-kind-{}", k.as_str())))).collect(),
        channels: Channel::ALL.iter().map(|c| (c.as_str(), c.as_str().replace('_', " "))).collect(),
        error,
    };
    desk.page(status, page.render())
}

/// The status a form names, as the API spells it.
pub(crate) fn status_named(text: &str) -> Option<CaseStatus> {
    CaseStatus::ALL.iter().copied().find(|s| s.as_str() == text)
}

/// True when the role may see the page; the answer to give otherwise.
pub(crate) fn require(desk: &Desk, needed: Role) -> Result<(), Box<Response>> {
    if desk.agent.role >= needed {
        Ok(())
    } else {
        Err(Box::new(desk.notice(StatusCode::FORBIDDEN, "desk-role-too-low")))
    }
}
