//! The store's webhooks in the desk, for admins: its endpoints and the latest deliveries with
//! their attempts, status and last error, each with a button to send it again. Endpoints are
//! made, removed and given new secrets over the API (`/api/v1/webhooks`).

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
}

struct EndpointRow {
    url: String,
    events: String,
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
        Ok((desk, notice)) => render(&state, &desk, notice, None).await,
        Err(answer) => answer,
    }
}

async fn render(state: &AppState, desk: &Desk, notice: Option<String>, error: Option<&AppError>) -> Response {
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
    let endpoints = endpoints.into_iter().map(|e| EndpointRow { url: e.url, events: e.events.join(", ") }).collect();
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
    let page = WebhooksPage { c: &desk.chrome, endpoints, deliveries, notice, error: error.map(error_text) };
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
        Err(e) => render(&state, &desk, None, Some(&e)).await,
    }
}
