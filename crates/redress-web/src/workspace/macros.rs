//! The desk's macros page for leads and admins: the store's saved replies, each with a name, a
//! reply in up to five languages and an optional action, created, edited and deleted through
//! the same use cases as `/api/v1/macros`. Agents use them from a case's reply box.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use redress_app::desk::{self as aids, MacroInput};
use redress_domain::approval::Role;
use redress_domain::desk::{LANGUAGES, Macro, MacroAction};
use redress_domain::{CaseStatus, Priority};
use serde::Deserialize;

use super::case::macro_action_text;
use super::{Chrome, Desk, desk, desk_for_form, done_notice, error_text, require};
use crate::AppState;
use crate::html::redirect;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/macros", get(macros_page).post(save))
        .route("/desk/{slug}/macros/{id}/delete", post(delete))
}

/// The actions a macro may carry, as the form names them.
const ACTIONS: [(&str, MacroAction); 4] = [
    ("status:waiting_on_customer", MacroAction::SetStatus { status: CaseStatus::WaitingOnCustomer }),
    ("status:resolved", MacroAction::SetStatus { status: CaseStatus::Resolved }),
    ("priority:high", MacroAction::SetPriority { priority: Priority::High }),
    ("priority:urgent", MacroAction::SetPriority { priority: Priority::Urgent }),
];

/// One macro in the list.
struct MacroRow {
    id: String,
    name: String,
    languages: String,
    action: String,
}

/// The form as shown: empty for a new macro, filled to edit one.
#[derive(Default)]
struct Editing {
    id: String,
    name: String,
    bodies: Vec<(&'static str, String)>,
    action: String,
}

#[derive(Template)]
#[template(path = "workspace/macros.html")]
struct MacrosPage<'a> {
    c: &'a Chrome,
    rows: Vec<MacroRow>,
    editing: Editing,
    actions: Vec<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct PageQuery {
    lang: Option<String>,
    done: Option<String>,
    /// A macro to edit.
    edit: Option<String>,
}

/// A macro as the form posts it.
#[derive(Deserialize, Default)]
pub(super) struct MacroForm {
    #[serde(default)]
    form_token: String,
    /// Empty for a new macro.
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    body_en: String,
    #[serde(default)]
    body_es: String,
    #[serde(default)]
    body_pt: String,
    #[serde(default)]
    body_pl: String,
    #[serde(default)]
    body_id: String,
    #[serde(default)]
    action: String,
}

impl MacroForm {
    fn bodies(&self) -> BTreeMap<String, String> {
        [
            ("en", &self.body_en),
            ("es", &self.body_es),
            ("pt", &self.body_pt),
            ("pl", &self.body_pl),
            ("id", &self.body_id),
        ]
        .into_iter()
        .map(|(l, t)| (l.to_owned(), t.clone()))
        .collect()
    }
}

fn action_id(action: Option<MacroAction>) -> String {
    action.and_then(|a| ACTIONS.iter().find(|(_, x)| *x == a)).map(|(id, _)| (*id).to_owned()).unwrap_or_default()
}

fn editing_of(m: &Macro) -> Editing {
    Editing {
        id: m.id.to_string(),
        name: m.name.clone(),
        bodies: LANGUAGES.iter().map(|l| (*l, m.bodies.get(*l).cloned().unwrap_or_default())).collect(),
        action: action_id(m.action),
    }
}

async fn render(
    state: &AppState,
    desk: &Desk,
    notice: Option<String>,
    error: Option<String>,
    editing: Option<Editing>,
    edit: Option<&str>,
) -> Response {
    let w = &desk.chrome.w;
    let listed = match aids::macros(state.app(), &desk.caller()).await {
        Ok(listed) => listed,
        Err(e) => {
            tracing::error!(error = %e, "the macros could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let editing = editing
        .or_else(|| edit.and_then(|id| listed.iter().find(|m| m.id.to_string() == id)).map(editing_of))
        .unwrap_or_else(|| Editing {
            bodies: LANGUAGES.iter().map(|l| (*l, String::new())).collect(),
            ..Editing::default()
        });
    let rows = listed
        .iter()
        .map(|m| MacroRow {
            id: m.id.to_string(),
            name: m.name.clone(),
            languages: m.bodies.keys().cloned().collect::<Vec<_>>().join(", "),
            action: m.action.map(|a| macro_action_text(w, a)).unwrap_or_default(),
        })
        .collect();
    let actions = ACTIONS.iter().map(|(id, a)| (*id, macro_action_text(w, *a))).collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    desk.page(status, MacrosPage { c: &desk.chrome, rows, editing, actions, notice, error }.render())
}

async fn macros_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "macros").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if let Err(answer) = require(&desk, Role::TeamLead) {
        return *answer;
    }
    let notice = done_notice(&desk.chrome.w, query.done.as_deref());
    render(&state, &desk, notice, None, None, query.edit.as_deref()).await
}

/// A lead posting a form on this page.
async fn lead_form(state: &AppState, slug: &str, headers: &HeaderMap, token: &str) -> Result<Desk, Response> {
    let desk = desk_for_form(state, slug, headers, token).await?;
    require(&desk, Role::TeamLead).map_err(|answer| *answer)?;
    Ok(desk)
}

async fn save(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<MacroForm>,
) -> Response {
    let desk = match lead_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let action = match form.action.as_str() {
        "" => Ok(None),
        chosen => ACTIONS
            .iter()
            .find(|(id, _)| *id == chosen)
            .map(|(_, a)| Some(*a))
            .ok_or_else(|| redress_app::AppError::invalid("action", "choose an action from the list")),
    };
    let id = match form.id.trim() {
        "" => Ok(None),
        id => id.parse().map(Some).map_err(|_| redress_app::AppError::not_found("macro")),
    };
    let result = match (action, id) {
        (Ok(action), Ok(id)) => {
            let input = MacroInput { name: form.name.clone(), bodies: form.bodies(), action };
            aids::save_macro(state.app(), &desk.caller(), id, input).await.map(|_| ())
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(()) => redirect(&format!("{}/macros?done=macro-saved", desk.chrome.base), desk.cookies.clone()),
        Err(e) if e.code.status() >= 500 => {
            tracing::error!(error = %e.message, "a macro could not be saved");
            desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable")
        }
        Err(e) => {
            // The form comes back as the lead wrote it, with what to fix.
            let bodies = form.bodies();
            let editing = Editing {
                id: form.id.clone(),
                name: form.name.clone(),
                bodies: LANGUAGES.iter().map(|l| (*l, bodies.get(*l).cloned().unwrap_or_default())).collect(),
                action: form.action.clone(),
            };
            render(&state, &desk, None, Some(error_text(&e)), Some(editing), None).await
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<super::TokenForm>,
) -> Response {
    let desk = match lead_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let result = match id.parse() {
        Ok(id) => aids::delete_macro(state.app(), &desk.caller(), id).await,
        Err(_) => Err(redress_app::AppError::not_found("macro")),
    };
    match result {
        Ok(()) => redirect(&format!("{}/macros?done=macro-deleted", desk.chrome.base), desk.cookies.clone()),
        Err(e) if e.code.status() >= 500 => desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable"),
        Err(e) => render(&state, &desk, None, Some(error_text(&e)), None, None).await,
    }
}
