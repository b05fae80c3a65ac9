//! The store's webhooks in the desk, for admins: its endpoints and the latest deliveries with
//! their attempts, status and last error, each with a button to send it again. Endpoints are
//! added, given new secrets (shown once, on the page that made them) and removed (after a
//! confirmation) here or over the API (`/api/v1/webhooks`): the same use cases.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;

use redress_app::AppError;
use redress_app::webhooks;

use super::case::when;
use super::settings::{DoneQuery, admin_form, admin_page, status_of};
use super::{Chrome, Desk, error_text};
use crate::AppState;
use crate::html::redirect;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/settings/webhooks", get(webhooks_page))
        .route("/desk/{slug}/settings/webhooks/replay", post(replay))
        .route("/desk/{slug}/settings/webhooks/add", post(add))
        .route("/desk/{slug}/settings/webhooks/{endpoint_id}/secret", post(new_secret))
        .route("/desk/{slug}/settings/webhooks/{endpoint_id}/remove", post(remove))
}

struct EndpointRow {
    id: String,
    url: String,
    events: String,
}

/// A secret shown the one time it exists in clear: after adding an endpoint or re-keying it.
struct ShownSecret {
    url: String,
    secret: String,
}

struct DeliveryRow {
    key: String,
    event_type: String,
    event_id: String,
    endpoint: String,
    status: String,
    attempts: u32,
    last_error: Option<String>,
    created: String,
}

#[derive(Template)]
#[template(path = "workspace/settings_webhooks.html")]
struct WebhooksPage<'a> {
    c: &'a Chrome,
    endpoints: Vec<EndpointRow>,
    deliveries: Vec<DeliveryRow>,
    events: Vec<&'static str>,
    secret: Option<ShownSecret>,
    notice: Option<String>,
    error: Option<String>,
}

async fn webhooks_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Response {
    match admin_page(&state, &slug, &headers, &query).await {
        Ok((desk, notice)) => render(&state, &desk, notice, None, None).await,
        Err(answer) => answer,
    }
}

async fn render(
    state: &AppState,
    desk: &Desk,
    notice: Option<String>,
    error: Option<&AppError>,
    secret: Option<ShownSecret>,
) -> Response {
    let caller = desk.caller();
    let read = async {
        Ok::<_, AppError>((
            webhooks::endpoints(state.app(), &caller).await?,
            webhooks::deliveries(state.app(), &caller).await?,
        ))
    };
    let (endpoints, deliveries) = match read.await {
        Ok(read) => read,
        Err(e) => {
            tracing::error!(error = %e.message, "the webhooks could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let endpoints = endpoints
        .into_iter()
        .map(|e| EndpointRow { id: e.id.to_string(), url: e.url, events: e.events.join(", ") })
        .collect();
    let deliveries = deliveries
        .into_iter()
        .map(|d| DeliveryRow {
            status: desk
                .chrome
                .w
                .try_t(&format!("desk-webhooks-status-{}", d.status))
                .unwrap_or_else(|| d.status.clone()),
            endpoint: d.endpoint_url.unwrap_or_else(|| desk.chrome.t("desk-webhooks-endpoint-removed")),
            key: d.key,
            event_type: d.event_type,
            event_id: d.event_id,
            attempts: d.attempts,
            last_error: d.last_error,
            created: when(d.created_at),
        })
        .collect();
    let events = webhooks::event_names();
    let page =
        WebhooksPage { c: &desk.chrome, endpoints, deliveries, events, secret, notice, error: error.map(error_text) };
    desk.page(error.map_or(StatusCode::OK, status_of), page.render())
}

/// The replay form: the delivery's key and the form's token.
#[derive(Deserialize)]
pub(super) struct ReplayForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    key: String,
}

async fn replay(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ReplayForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    match webhooks::replay(state.app(), &desk.caller(), &form.key).await {
        Ok(()) => redirect(&format!("{}/settings/webhooks?done=replayed", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render(&state, &desk, None, Some(&e), None).await,
    }
}

/// Adds an endpoint from the form's address and ticked events; the page shows its secret once.
async fn add(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let desk = match admin_form(&state, &slug, &headers, &field("form_token")).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let events = fields.iter().filter(|(k, _)| k == "events").map(|(_, v)| v.clone()).collect();
    let input = webhooks::EndpointInput { url: field("url"), events };
    match webhooks::register(state.app(), &desk.caller(), input).await {
        Ok(made) => {
            let shown = ShownSecret { url: made.endpoint.url, secret: made.secret };
            let notice = Some(desk.chrome.t("desk-webhooks-added"));
            render(&state, &desk, notice, None, Some(shown)).await
        }
        Err(e) => render(&state, &desk, None, Some(&e), None).await,
    }
}

/// A form acting on one endpoint: the token, and the confirmation a removal needs.
#[derive(Deserialize)]
pub(super) struct EndpointForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    confirm: String,
}

/// Gives an endpoint a new secret; the page shows it once.
async fn new_secret(
    State(state): State<AppState>,
    Path((slug, endpoint_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<EndpointForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    match webhooks::rotate_secret(state.app(), &desk.caller(), &endpoint_id).await {
        Ok(made) => {
            let shown = ShownSecret { url: made.endpoint.url, secret: made.secret };
            let notice = Some(desk.chrome.t("desk-webhooks-rekeyed"));
            render(&state, &desk, notice, None, Some(shown)).await
        }
        Err(e) => render(&state, &desk, None, Some(&e), None).await,
    }
}

/// Removes an endpoint once the admin ticked the confirmation.
async fn remove(
    State(state): State<AppState>,
    Path((slug, endpoint_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<EndpointForm>,
) -> Response {
    let desk = match admin_form(&state, &slug, &headers, &form.form_token).await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if form.confirm != "yes" {
        let refusal = AppError::invalid("confirm", desk.chrome.t("desk-webhooks-confirm-needed"));
        return render(&state, &desk, None, Some(&refusal), None).await;
    }
    match webhooks::remove(state.app(), &desk.caller(), &endpoint_id).await {
        Ok(()) => {
            redirect(&format!("{}/settings/webhooks?done=endpoint-removed", desk.chrome.base), desk.cookies.clone())
        }
        Err(e) => render(&state, &desk, None, Some(&e), None).await,
    }
}
