//! Shop settings, for admins only: the policy (edited as TOML, with an error shown beside the
//! line it names), the team (add, change role, reset password, remove), the store's API keys
//! (list, create with the secret shown once, revoke), the store's own help articles, and its
//! shop platforms' connections (connect a shop; its secrets are never shown again) with their
//! sync state and "sync now".
//!
//! Like every desk action, each change calls the same use case as the JSON API with the
//! signed-in admin as the caller, so the application's validation and rules apply unchanged.
//! What only a person in the desk can get wrong (removing or demoting themself) is checked here.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use redress_domain::policy::Policy;
use redress_domain::team::role_label;
use redress_domain::{AgentId, Remedy};
use serde::Deserialize;

use redress_app::help::{self, ArticleInput, ArticleView};
use redress_app::keys::{self, CreateApiKey, KeyKind};
use redress_app::platforms;
use redress_app::resolution::{self, DryRun, PolicyDocument};
use redress_app::team::{self, AgentChange, NewAgent};
use redress_app::{AppError, ErrorCode};

use super::case::when;
use super::{Chrome, Desk, desk, error_text};
use crate::AppState;
use crate::html::redirect;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/settings", get(overview))
        .route("/desk/{slug}/settings/policy", get(policy_page).post(policy_post))
        .route("/desk/{slug}/settings/team", get(team_page).post(add_member))
        .route("/desk/{slug}/settings/team/{agent_id}", post(change_member))
        .route("/desk/{slug}/settings/keys", get(keys_page).post(create_key))
        .route("/desk/{slug}/settings/keys/{key_id}/revoke", post(revoke_key))
        .route("/desk/{slug}/settings/help", get(help_page).post(save_article))
        .route("/desk/{slug}/settings/help/{article_id}/delete", post(delete_article))
        .route("/desk/{slug}/settings/platforms", get(platforms_page))
        .route("/desk/{slug}/settings/platforms/sync", post(sync_now))
        .route("/desk/{slug}/settings/platforms/connect", post(connect_shop))
}

/// The signed-in admin, or the answer to give instead: sign-in for no session, a 403 page
/// saying the settings are for admins for agents and leads.
async fn admin_desk(state: &AppState, slug: &str, headers: &HeaderMap, lang: Option<&str>) -> Result<Desk, Response> {
    let desk = desk(state, slug, headers, lang, "settings").await?;
    if desk.agent.may_manage_shop() {
        Ok(desk)
    } else {
        Err(desk.notice(StatusCode::FORBIDDEN, "desk-settings-admins-only"))
    }
}

/// An admin opening a settings page, with the message `?done=` names.
pub(super) async fn admin_page(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
    query: &DoneQuery,
) -> Result<(Desk, Option<String>), Response> {
    let desk = admin_desk(state, slug, headers, query.lang.as_deref()).await?;
    let notice = done_text(&desk, query.done.as_deref());
    Ok((desk, notice))
}

/// An admin posting a form: signed in as an admin, with the form's token from their session.
pub(super) async fn admin_form(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
    token: &str,
) -> Result<Desk, Response> {
    let desk = admin_desk(state, slug, headers, None).await?;
    desk.check_form(token).map_err(|answer| *answer)?;
    Ok(desk)
}

/// What a settings page shows after a change: `?done=` names the message.
#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    lang: Option<String>,
    done: Option<String>,
}

fn done_text(desk: &Desk, done: Option<&str>) -> Option<String> {
    // Only known messages: the query string is the visitor's to write.
    done.filter(|key| key.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        .and_then(|key| desk.chrome.w.try_t(&format!("desk-settings-done-{key}")))
}

/// The page's status for a refusal: the API's own for the admin's mistakes, 503 for ours
/// (the page already says nothing was changed and to try again).
pub(super) fn status_of(error: &AppError) -> StatusCode {
    match StatusCode::from_u16(error.code.status()) {
        Ok(status) if status.is_client_error() => status,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

// ---------------------------------------------------------------------------------------
// Overview

#[derive(Template)]
#[template(path = "workspace/settings.html")]
struct OverviewPage<'a> {
    c: &'a Chrome,
    policy_version: u32,
    policy_default: bool,
    team: usize,
    keys: usize,
    articles: usize,
    platforms: usize,
}

async fn overview(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match admin_desk(&state, &slug, &headers, query.lang.as_deref()).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let (app, caller) = (state.app(), desk.caller());
    let read = async {
        let policy = resolution::policy(app, &caller).await?;
        let team = team::agents(app, &caller).await?.len();
        let keys = keys::list(app, &caller).await?.len();
        let articles = help::articles(app, &caller).await?.len();
        let platforms = platforms::connections(app, &caller).await?.len();
        Ok::<_, AppError>((policy, team, keys, articles, platforms))
    };
    let (policy, team, keys, articles, platforms) = match read.await {
        Ok(counts) => counts,
        Err(e) => {
            tracing::error!(error = %e, "the settings overview could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let page = OverviewPage {
        c: &desk.chrome,
        policy_version: policy.policy.version,
        policy_default: policy.default,
        team,
        keys,
        articles,
        platforms,
    };
    desk.page(StatusCode::OK, page.render())
}

// ---------------------------------------------------------------------------------------
// Policy

/// One line of the policy document, numbered from 1.
struct SourceLine {
    number: usize,
    text: String,
    /// True for the line an error names.
    bad: bool,
}

/// A decision a proposed policy would change.
struct ChangeRow {
    case_id: String,
    /// The case's number and subject.
    case: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "workspace/settings_policy.html")]
struct PolicyPage<'a> {
    c: &'a Chrome,
    /// The document in the editor: the one in force, or the one just typed.
    source: String,
    /// The version in force.
    version: u32,
    /// The version in force when the admin started editing: a save finding another one in
    /// force is refused, not overwritten.
    based_on: u32,
    /// True when the shop has saved no policy and the default applies.
    default: bool,
    notice: Option<String>,
    error: Option<String>,
    /// The line the error names, when it names one.
    error_line: Option<usize>,
    /// The typed document numbered, shown when there is an error.
    lines: Vec<SourceLine>,
    /// The dry run's answer, when one was asked for.
    dry_run: Option<(usize, Vec<ChangeRow>)>,
}

impl PolicyPage<'_> {
    fn lines_of(source: &str, bad: Option<usize>) -> Vec<SourceLine> {
        source
            .lines()
            .enumerate()
            .map(|(i, text)| SourceLine { number: i + 1, text: text.to_owned(), bad: Some(i + 1) == bad })
            .collect()
    }
}

async fn policy_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PolicyQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match admin_desk(&state, &slug, &headers, query.lang.as_deref()).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    // A preset goes into the editor only; the admin reads it, raises its version and saves.
    let preset = match query.preset.as_deref() {
        Some("default") => Some(redress_domain::policy::STANDARD_POLICY_TOML),
        Some("eu_withdrawal") => Some(redress_domain::policy::EU_WITHDRAWAL_TOML),
        _ => None,
    };
    let notice = match preset {
        Some(_) => Some(desk.chrome.t("desk-policy-preset-loaded")),
        None => done_text(&desk, query.done.as_deref()),
    };
    let typed = preset.map(|source| Draft { source: source.to_owned(), based_on: None });
    render_policy(&state, &desk, typed, notice, None, None).await
}

/// A document the admin is editing: its text, and the version in force it was started from.
struct Draft {
    source: String,
    based_on: Option<u32>,
}

/// The policy page's query: a message after saving, or a preset to load into the editor.
#[derive(Deserialize, Default)]
pub(super) struct PolicyQuery {
    lang: Option<String>,
    done: Option<String>,
    /// `default` or `eu_withdrawal`.
    preset: Option<String>,
}

/// Renders the policy page; `typed` keeps what the admin wrote when it was not saved.
async fn render_policy(
    state: &AppState,
    desk: &Desk,
    typed: Option<Draft>,
    notice: Option<String>,
    error: Option<&AppError>,
    dry_run: Option<DryRun>,
) -> Response {
    let in_force = match resolution::policy(state.app(), &desk.caller()).await {
        Ok(view) => view,
        Err(e) => {
            tracing::error!(error = %e.message, "the policy could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let based_on = typed.as_ref().and_then(|d| d.based_on).unwrap_or(in_force.policy.version);
    let source = typed.map_or(in_force.source, |d| d.source);
    // The API's message already starts with `line N:`; the line itself comes from reading the
    // document again, which is pure and cheap, rather than from parsing the message.
    let error_line = error
        .filter(|e| e.field.as_deref() == Some("source"))
        .and_then(|_| Policy::from_toml(&source).err())
        .and_then(|e| e.line);
    let w = &desk.chrome.w;
    let remedy = |r: Remedy| w.t(&format!("desk-remedy-{}", r.as_str()));
    let dry_run = match dry_run {
        Some(run) => {
            let mut rows = Vec::with_capacity(run.changes.len());
            for change in &run.changes {
                // A case named by its number and subject, as agents know it; its id if it is gone.
                let case = match redress_app::cases::case(state.app(), &desk.caller(), change.case_id).await {
                    Ok(case) => format!("#{} {}", case.number.0, case.subject),
                    Err(_) => change.case_id.to_string(),
                };
                rows.push(ChangeRow {
                    case_id: change.case_id.to_string(),
                    case,
                    before: remedy(change.recommended_before),
                    after: remedy(change.recommended_after),
                });
            }
            Some((run.cases_replayed, rows))
        }
        None => None,
    };
    let page = PolicyPage {
        c: &desk.chrome,
        lines: if error.is_some() { PolicyPage::lines_of(&source, error_line) } else { Vec::new() },
        source,
        version: in_force.policy.version,
        based_on,
        default: in_force.default,
        notice,
        // The document is the only field here, so its name adds nothing to the message.
        error: error.map(|e| if e.field.as_deref() == Some("source") { e.message.clone() } else { error_text(e) }),
        error_line,
        dry_run,
    };
    let status = error.map_or(StatusCode::OK, status_of);
    desk.page(status, page.render())
}

/// The policy form: the document, and whether to save it or only try it.
#[derive(Deserialize)]
pub(super) struct PolicyForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    source: String,
    /// `save` or `dry_run`.
    #[serde(default)]
    action: String,
    /// The version in force when the editor was opened.
    #[serde(default)]
    based_on: Option<u32>,
}

async fn policy_post(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<PolicyForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    // Browsers send text areas with CRLF line ends; the document is kept as typed otherwise.
    let source = form.source.replace("\r\n", "\n");
    let based_on = form.based_on;
    let document = || PolicyDocument { source: Some(source.clone()), preset: None, based_on };
    let draft = || Some(Draft { source: source.clone(), based_on });
    if form.action == "dry_run" {
        return match resolution::dry_run(state.app(), &desk.caller(), document()).await {
            Ok(run) => render_policy(&state, &desk, draft(), None, None, Some(run)).await,
            Err(e) => render_policy(&state, &desk, draft(), None, Some(&e), None).await,
        };
    }
    match resolution::save_policy(state.app(), &desk.caller(), document()).await {
        Ok(_) => redirect(&format!("{}/settings/policy?done=policy", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render_policy(&state, &desk, draft(), None, Some(&e), None).await,
    }
}

// ---------------------------------------------------------------------------------------
// Team

struct MemberRow {
    id: String,
    name: String,
    email: String,
    /// `agent`, `lead` or `admin`.
    role: &'static str,
    role_text: String,
    since: String,
    /// The signed-in admin themself: they may not remove or demote themself.
    me: bool,
}

/// What the add form shows again after a refusal (never the password).
#[derive(Default)]
struct MemberDraft {
    email: String,
    name: String,
    role: String,
}

#[derive(Template)]
#[template(path = "workspace/settings_team.html")]
struct TeamPage<'a> {
    c: &'a Chrome,
    rows: Vec<MemberRow>,
    roles: Vec<(&'static str, String)>,
    draft: MemberDraft,
    notice: Option<String>,
    error: Option<String>,
    /// The add form's field the error is about, to mark it.
    error_field: String,
}

async fn team_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match admin_desk(&state, &slug, &headers, query.lang.as_deref()).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let notice = done_text(&desk, query.done.as_deref());
    render_team(&state, &desk, MemberDraft::default(), notice, None).await
}

async fn render_team(
    state: &AppState,
    desk: &Desk,
    draft: MemberDraft,
    notice: Option<String>,
    error: Option<(StatusCode, String, String)>,
) -> Response {
    let agents = match team::agents(state.app(), &desk.caller()).await {
        Ok(agents) => agents,
        Err(e) => {
            tracing::error!(error = %e.message, "the team could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let w = &desk.chrome.w;
    let role_text = |label: &str| w.t(&format!("desk-role-{label}"));
    let rows = agents
        .iter()
        .map(|a| MemberRow {
            id: a.id.to_string(),
            name: a.name.clone(),
            email: a.email.to_string(),
            role: role_label(a.role),
            role_text: role_text(role_label(a.role)),
            since: when(a.created_at),
            me: a.id == desk.agent.id,
        })
        .collect();
    let (status, error, error_field) = match error {
        Some((status, text, field)) => (status, Some(text), field),
        None => (StatusCode::OK, None, String::new()),
    };
    let page = TeamPage {
        c: &desk.chrome,
        rows,
        roles: ["agent", "lead", "admin"].into_iter().map(|r| (r, role_text(r))).collect(),
        draft,
        notice,
        error,
        error_field,
    };
    desk.page(status, page.render())
}

/// The add form.
#[derive(Deserialize)]
pub(super) struct MemberForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

async fn add_member(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<MemberForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let draft = MemberDraft { email: form.email.clone(), name: form.name.clone(), role: form.role.clone() };
    let input = NewAgent { email: form.email, name: form.name, role: form.role, password: form.password };
    match team::add_agent(state.app(), &desk.caller(), input).await {
        Ok(_) => redirect(&format!("{}/settings/team?done=member-added", desk.chrome.base), desk.cookies.clone()),
        Err(e) => {
            let field = e.field.clone().unwrap_or_default();
            render_team(&state, &desk, draft, None, Some((status_of(&e), error_text(&e), field))).await
        }
    }
}

/// A change to one member: `role` (with the new role), `password` (with the new password) or
/// `remove` (with `confirm=yes`, because it cannot be undone from here).
#[derive(Deserialize)]
pub(super) struct ChangeForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_member(
    State(state): State<AppState>,
    Path((slug, agent_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let w = &desk.chrome.w;
    let myself = agent_id.parse::<AgentId>().is_ok_and(|id| id == desk.agent.id);
    let refuse = |key: &str| Some((StatusCode::CONFLICT, w.t(key), String::new()));
    let result: Result<&str, Option<(StatusCode, String, String)>> = match form.action.as_str() {
        // The shop must keep an admin, and the one acting is the one who knows it is them.
        "role" if myself && form.role.trim() != "admin" => Err(refuse("desk-team-not-yourself")),
        "remove" if myself => Err(refuse("desk-team-not-yourself")),
        "remove" if form.confirm != "yes" => {
            Err(Some((StatusCode::UNPROCESSABLE_ENTITY, w.t("desk-settings-confirm-first"), String::new())))
        }
        "role" => {
            let change = AgentChange { role: Some(form.role), password: None };
            team::change_agent(state.app(), &desk.caller(), &agent_id, change)
                .await
                .map(|_| "role")
                .map_err(|e| Some((status_of(&e), error_text(&e), String::new())))
        }
        "password" => {
            let change = AgentChange { role: None, password: Some(form.password) };
            team::change_agent(state.app(), &desk.caller(), &agent_id, change)
                .await
                .map(|_| "password")
                .map_err(|e| Some((status_of(&e), error_text(&e), String::new())))
        }
        "remove" => team::remove_agent(state.app(), &desk.caller(), &agent_id)
            .await
            .map(|_| "member-removed")
            .map_err(|e| Some((status_of(&e), error_text(&e), String::new()))),
        other => Err(Some((
            StatusCode::BAD_REQUEST,
            format!("action: `{other}` is not role, password or remove"),
            String::new(),
        ))),
    };
    match result {
        // A new password ends the member's sessions, one's own included: sign in with it.
        Ok("password") if myself => redirect(&format!("{}/signin", desk.chrome.base), desk.cookies.clone()),
        Ok(done) => redirect(&format!("{}/settings/team?done={done}", desk.chrome.base), desk.cookies.clone()),
        Err(error) => render_team(&state, &desk, MemberDraft::default(), None, error).await,
    }
}

// ---------------------------------------------------------------------------------------
// API keys

struct KeyRow {
    id: String,
    label: String,
    kind: String,
    created: String,
}

#[derive(Template)]
#[template(path = "workspace/settings_keys.html")]
struct KeysPage<'a> {
    c: &'a Chrome,
    rows: Vec<KeyRow>,
    /// A key just made: its label and its secret, shown this once.
    created: Option<(String, String)>,
    label: String,
    notice: Option<String>,
    error: Option<String>,
}

async fn keys_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match admin_desk(&state, &slug, &headers, query.lang.as_deref()).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let notice = done_text(&desk, query.done.as_deref());
    render_keys(&state, &desk, None, String::new(), notice, None).await
}

async fn render_keys(
    state: &AppState,
    desk: &Desk,
    created: Option<(String, String)>,
    label: String,
    notice: Option<String>,
    error: Option<&AppError>,
) -> Response {
    let keys = match keys::list(state.app(), &desk.caller()).await {
        Ok(keys) => keys,
        Err(e) => {
            tracing::error!(error = %e.message, "the API keys could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let rows = keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.to_string(),
            label: k.label,
            kind: desk
                .chrome
                .t(match k.kind {
                    KeyKind::Integration => "desk-keys-kind-integration",
                    KeyKind::Personal => "desk-keys-kind-personal",
                })
                .split(':')
                .next()
                .unwrap_or_default()
                .to_owned(),
            created: when(k.created_at),
        })
        .collect();
    let shows_secret = created.is_some();
    let page = KeysPage { c: &desk.chrome, rows, created, label, notice, error: error.map(error_text) };
    let mut response = desk.page(error.map_or(StatusCode::OK, status_of), page.render());
    if shows_secret {
        // The secret is on this page only: no cache, no back-button copy.
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A key to create.
#[derive(Deserialize)]
pub(super) struct KeyForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    label: String,
    /// `integration` (the default) or `personal` (the admin's own key).
    #[serde(default)]
    kind: String,
}

async fn create_key(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<KeyForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let kind = if form.kind == "personal" { KeyKind::Personal } else { KeyKind::Integration };
    let input = CreateApiKey { label: form.label.clone(), kind: Some(kind), agent_id: None };
    match keys::create(state.app(), &desk.caller(), input).await {
        // Rendered rather than redirected: the secret must not travel in a URL.
        Ok(key) => render_keys(&state, &desk, Some((key.label, key.secret)), String::new(), None, None).await,
        Err(e) => render_keys(&state, &desk, None, form.label, None, Some(&e)).await,
    }
}

/// A revocation, confirmed with `confirm=yes`.
#[derive(Deserialize)]
pub(super) struct RevokeForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    confirm: String,
}

async fn revoke_key(
    State(state): State<AppState>,
    Path((slug, key_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if form.confirm != "yes" {
        let text = desk.chrome.t("desk-settings-confirm-first");
        let e = AppError::new(ErrorCode::ConfirmationMismatch, text);
        return render_keys(&state, &desk, None, String::new(), None, Some(&e)).await;
    }
    match keys::revoke(state.app(), &desk.caller(), &key_id).await {
        Ok(_) => redirect(&format!("{}/settings/keys?done=key-revoked", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render_keys(&state, &desk, None, String::new(), None, Some(&e)).await,
    }
}

// ---------------------------------------------------------------------------------------
// Help articles

/// The article form's values.
#[derive(Default)]
struct ArticleDraft {
    id: String,
    language: String,
    title: String,
    body: String,
    tags: String,
}

impl From<&ArticleView> for ArticleDraft {
    fn from(a: &ArticleView) -> Self {
        Self {
            id: a.id.clone(),
            language: a.language.clone(),
            title: a.title.clone(),
            body: a.body.clone(),
            tags: a.tags.join(", "),
        }
    }
}

#[derive(Template)]
#[template(path = "workspace/settings_help.html")]
struct HelpPage<'a> {
    c: &'a Chrome,
    articles: Vec<ArticleView>,
    draft: ArticleDraft,
    /// True when the form edits an existing article (its id and language are fixed).
    editing: bool,
    notice: Option<String>,
    error: Option<String>,
    error_field: String,
}

/// Which article to edit, if any.
#[derive(Deserialize, Default)]
pub(super) struct HelpQuery {
    lang: Option<String>,
    done: Option<String>,
    edit: Option<String>,
    language: Option<String>,
    /// An article to start a translation of: the form is filled with it, in a language it
    /// does not have yet.
    translate: Option<String>,
}

async fn help_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HelpQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match admin_desk(&state, &slug, &headers, query.lang.as_deref()).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let notice = done_text(&desk, query.done.as_deref());
    let edit = query.edit.zip(query.language);
    if let Some(id) = query.translate {
        return render_help_translation(&state, &desk, &id).await;
    }
    render_help(&state, &desk, None, edit, notice, None).await
}

/// The article form filled with an article's text, in the first workspace language it lacks.
async fn render_help_translation(state: &AppState, desk: &Desk, id: &str) -> Response {
    let articles = match help::articles(state.app(), &desk.caller()).await {
        Ok(articles) => articles,
        Err(e) => return render_help(state, desk, None, None, None, Some(&e)).await,
    };
    let versions: Vec<&ArticleView> = articles.iter().filter(|a| a.id == id).collect();
    let draft = versions.first().map(|first| {
        let missing =
            desk.chrome.languages.iter().map(|(tag, _)| *tag).find(|tag| !versions.iter().any(|a| a.language == *tag));
        ArticleDraft { language: missing.unwrap_or_default().to_owned(), ..ArticleDraft::from(*first) }
    });
    render_help(state, desk, draft, None, None, None).await
}

async fn render_help(
    state: &AppState,
    desk: &Desk,
    draft: Option<ArticleDraft>,
    edit: Option<(String, String)>,
    notice: Option<String>,
    error: Option<&AppError>,
) -> Response {
    let articles = match help::articles(state.app(), &desk.caller()).await {
        Ok(articles) => articles,
        Err(e) => {
            tracing::error!(error = %e.message, "the help articles could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let editing_one = edit.and_then(|(id, language)| articles.iter().find(|a| a.id == id && a.language == language));
    let editing = editing_one.is_some();
    let draft = draft
        .or_else(|| editing_one.map(ArticleDraft::from))
        .unwrap_or_else(|| ArticleDraft { language: desk.chrome.w.tag().to_owned(), ..ArticleDraft::default() });
    let page = HelpPage {
        c: &desk.chrome,
        articles,
        draft,
        editing,
        notice,
        error: error.map(error_text),
        error_field: error.and_then(|e| e.field.clone()).unwrap_or_default(),
    };
    desk.page(error.map_or(StatusCode::OK, status_of), page.render())
}

/// The article form.
#[derive(Deserialize)]
pub(super) struct ArticleForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    article_id: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    /// Comma-separated.
    #[serde(default)]
    tags: String,
    /// Set when the form edited an existing article.
    #[serde(default)]
    editing: String,
}

async fn save_article(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ArticleForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let body = form.body.replace("\r\n", "\n");
    let input = ArticleInput {
        language: form.language.clone(),
        title: form.title.clone(),
        body: body.clone(),
        tags: form.tags.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
    };
    let id = form.article_id.trim().to_owned();
    match help::save_article(state.app(), &desk.caller(), &id, input).await {
        Ok(_) => redirect(&format!("{}/settings/help?done=article-saved", desk.chrome.base), desk.cookies.clone()),
        Err(e) => {
            let draft = ArticleDraft { id, language: form.language, title: form.title, body, tags: form.tags };
            let edit = (form.editing == "yes").then(|| (draft.id.clone(), draft.language.clone()));
            render_help(&state, &desk, Some(draft), edit, None, Some(&e)).await
        }
    }
}

/// Which translation of an article to delete.
#[derive(Deserialize)]
pub(super) struct DeleteArticleForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    language: String,
}

async fn delete_article(
    State(state): State<AppState>,
    Path((slug, article_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<DeleteArticleForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    match help::delete_article(state.app(), &desk.caller(), &article_id, &form.language).await {
        Ok(_) => redirect(&format!("{}/settings/help?done=article-deleted", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render_help(&state, &desk, None, None, None, Some(&e)).await,
    }
}

// ---------------------------------------------------------------------------------------
// Shop platforms

struct PlatformRow {
    platform: String,
    base_url: String,
    webhook_path: String,
    last_sync: String,
    last_error: Option<String>,
}

#[derive(Template)]
#[template(path = "workspace/settings_platforms.html")]
struct PlatformsPage<'a> {
    c: &'a Chrome,
    rows: Vec<PlatformRow>,
    notice: Option<String>,
    error: Option<String>,
}

async fn platforms_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    match admin_page(&state, &slug, &headers, &query).await {
        Ok((desk, notice)) => render_platforms(&state, &desk, notice, None).await,
        Err(answer) => answer,
    }
}

async fn render_platforms(state: &AppState, desk: &Desk, notice: Option<String>, error: Option<&AppError>) -> Response {
    let connections = match platforms::connections(state.app(), &desk.caller()).await {
        Ok(connections) => connections,
        Err(e) => {
            tracing::error!(error = %e.message, "the platform connections could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let rows = connections
        .into_iter()
        .map(|p| PlatformRow {
            platform: p.platform,
            base_url: p.base_url,
            webhook_path: p.webhook_path,
            last_sync: p.last_sync_at.map_or_else(|| desk.chrome.t("desk-platforms-never"), when),
            last_error: p.last_error,
        })
        .collect();
    let page = PlatformsPage { c: &desk.chrome, rows, notice, error: error.map(error_text) };
    desk.page(error.map_or(StatusCode::OK, status_of), page.render())
}

/// The sync form: only its token.
#[derive(Deserialize)]
pub(super) struct SyncForm {
    #[serde(default)]
    form_token: String,
}

async fn sync_now(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SyncForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    match platforms::backfill(state.app(), &desk.caller()).await {
        Ok(_) => redirect(&format!("{}/settings/platforms?done=synced", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render_platforms(&state, &desk, None, Some(&e)).await,
    }
}

/// The connect form: the platform, the shop's address and its secrets (never shown again).
#[derive(Deserialize)]
pub(super) struct ConnectForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    base_url: String,
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    consumer_key: String,
    #[serde(default)]
    consumer_secret: String,
    #[serde(default)]
    webhook_secret: String,
}

/// Connects the store to its shop through the same use case as `POST /api/v1/platforms`.
async fn connect_shop(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ConnectForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    // A field left empty is one not given: the use case names it when the platform needs it.
    let given = |text: String| Some(text).filter(|t| !t.trim().is_empty());
    let input = platforms::ConnectInput {
        platform: form.platform,
        base_url: form.base_url,
        access_token: given(form.access_token),
        consumer_key: given(form.consumer_key),
        consumer_secret: given(form.consumer_secret),
        webhook_secret: form.webhook_secret,
    };
    match platforms::connect(state.app(), &desk.caller(), input).await {
        Ok(_) => redirect(&format!("{}/settings/platforms?done=connected", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render_platforms(&state, &desk, None, Some(&e)).await,
    }
}
