//! The desk's incidents page for leads: declare an incident with its message in the five
//! languages, tell the affected customers in one step, resolve it (telling them again).

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use redress_app::AppResult;
use redress_app::incidents::{self, NewIncident, Resolution};
use redress_domain::approval::Role;
use redress_domain::incident::{IncidentKind, IncidentScope, IncidentStatus, LANGUAGES};
use serde::Deserialize;

use super::case::when;
use super::{Chrome, Desk, desk, error_text, require};
use crate::AppState;
use crate::html::redirect;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/incidents", get(incidents_page).post(declare))
        .route("/desk/{slug}/incidents/{id}/{action}", post(act))
}

const KINDS: [(&str, IncidentKind); 4] = [
    ("store_down", IncidentKind::StoreDown),
    ("checkout_failing", IncidentKind::CheckoutFailing),
    ("carrier_delay", IncidentKind::CarrierDelay),
    ("faulty_batch", IncidentKind::FaultyBatch),
];

struct IncidentRow {
    id: String,
    kind: String,
    scope: String,
    message: String,
    open: bool,
    declared: String,
}

#[derive(Template)]
#[template(path = "workspace/incidents.html")]
struct IncidentsPage<'a> {
    c: &'a Chrome,
    kinds: Vec<(&'static str, String)>,
    languages: [&'static str; 5],
    rows: Vec<IncidentRow>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct PageQuery {
    lang: Option<String>,
    done: Option<String>,
}

/// A declaration or resolution as the form posts it.
#[derive(Deserialize)]
pub(super) struct IncidentForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sku: String,
    #[serde(default)]
    carrier: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    msg_en: String,
    #[serde(default)]
    msg_es: String,
    #[serde(default)]
    msg_pt: String,
    #[serde(default)]
    msg_pl: String,
    #[serde(default)]
    msg_id: String,
}

impl IncidentForm {
    fn messages(&self) -> BTreeMap<String, String> {
        [("en", &self.msg_en), ("es", &self.msg_es), ("pt", &self.msg_pt), ("pl", &self.msg_pl), ("id", &self.msg_id)]
            .into_iter()
            .map(|(l, t)| (l.to_owned(), t.clone()))
            .collect()
    }
}

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

async fn render(state: &AppState, desk: &Desk, notice: Option<String>, error: Option<String>) -> Response {
    let w = &desk.chrome.w;
    let listed = match incidents::list(state.app(), &desk.caller()).await {
        Ok(listed) => listed,
        Err(e) => {
            tracing::error!(error = %e, "the incidents page could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let kind_name = |kind: IncidentKind| {
        let id = KINDS.iter().find(|(_, k)| *k == kind).map_or("store_down", |(id, _)| *id);
        w.t(&format!("desk-incident-kind-{id}"))
    };
    let rows = listed
        .iter()
        .map(|i| IncidentRow {
            id: i.id.to_string(),
            kind: kind_name(i.kind),
            scope: [&i.scope.sku, &i.scope.carrier, &i.scope.region]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" · "),
            message: i.messages.get(w.tag()).or_else(|| i.messages.get("en")).cloned().unwrap_or_default(),
            open: i.status == IncidentStatus::Open,
            declared: format!("{} · {}", when(i.declared_at), i.declared_by),
        })
        .collect();
    let page = IncidentsPage {
        c: &desk.chrome,
        kinds: KINDS.iter().map(|(id, _)| (*id, w.t(&format!("desk-incident-kind-{id}")))).collect(),
        languages: LANGUAGES,
        rows,
        notice,
        error: error.clone(),
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    desk.page(status, page.render())
}

async fn incidents_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "incidents").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if let Err(answer) = require(&desk, Role::TeamLead) {
        return *answer;
    }
    // Only the outcomes this page names, never text from the address bar.
    let notice = query
        .done
        .as_deref()
        .filter(|d| ["incident-declared", "incident-told", "incident-resolved"].contains(d))
        .map(|d| desk.chrome.w.t(&format!("desk-done-{d}")));
    render(&state, &desk, notice, None).await
}

/// Runs a lead's posted step and answers with the page: back to it with `done` on success,
/// the page with the refusal otherwise.
async fn step<F, Fut>(state: &AppState, slug: &str, headers: &HeaderMap, form_token: &str, run: F) -> Response
where
    F: FnOnce(Desk) -> Fut,
    Fut: std::future::Future<Output = (Desk, AppResult<&'static str>)>,
{
    let desk = match desk(state, slug, headers, None, "incidents").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if let Err(answer) = desk.check_form(form_token) {
        return *answer;
    }
    if let Err(answer) = require(&desk, Role::TeamLead) {
        return *answer;
    }
    let (desk, outcome) = run(desk).await;
    match outcome {
        Ok(done) => redirect(&format!("{}/incidents?done={done}", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render(state, &desk, None, Some(error_text(&e))).await,
    }
}

async fn declare(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<IncidentForm>,
) -> Response {
    let token = form.form_token.clone();
    step(&state, &slug, &headers, &token, |desk| async {
        let kind = KINDS.iter().find(|(id, _)| *id == form.kind).map(|(_, k)| *k);
        let outcome = match kind {
            None => Err(redress_app::AppError::invalid("kind", "choose what kind of incident")),
            Some(kind) => {
                let scope = IncidentScope {
                    sku: some(&form.sku),
                    carrier: some(&form.carrier),
                    region: some(&form.region),
                    ..IncidentScope::default()
                };
                let input = NewIncident { kind, scope, messages: form.messages() };
                incidents::declare(state.app(), &desk.caller(), input).await.map(|_| "incident-declared")
            }
        };
        (desk, outcome)
    })
    .await
}

/// Tells the affected customers (`tell`) or resolves (`resolve`) one incident.
async fn act(
    State(state): State<AppState>,
    Path((slug, id, action)): Path<(String, String, String)>,
    headers: HeaderMap,
    Form(form): Form<IncidentForm>,
) -> Response {
    step(&state, &slug, &headers, &form.form_token, |desk| async {
        let (app, caller) = (state.app(), desk.caller());
        let outcome = match (redress_app::parse_id(&id, "incident"), action.as_str()) {
            (Err(e), _) => Err(e),
            (Ok(id), "tell") => incidents::tell_affected(app, &caller, id).await.map(|_| "incident-told"),
            (Ok(id), "resolve") => incidents::resolve(app, &caller, id, Resolution { messages: form.messages() })
                .await
                .map(|_| "incident-resolved"),
            (Ok(_), _) => Err(redress_app::AppError::not_found("incident action")),
        };
        (desk, outcome)
    })
    .await
}
