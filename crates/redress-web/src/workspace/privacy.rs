//! A customer's personal data from the desk (admins): download everything held about them as
//! JSON, and erase it after a confirmation page where the admin types their email address.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use redress_app::idempotency::RequestKey;
use redress_app::privacy;
use redress_app::{AppError, ErrorCode};
use serde::Deserialize;

use super::{Chrome, Desk, LangQuery, desk, error_text};
use crate::AppState;
use crate::html::redirect;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/customers/{customer_id}/export", get(export))
        .route("/desk/{slug}/customers/{customer_id}/erase", get(erase_page).post(erase))
}

async fn export(
    State(state): State<AppState>,
    Path((slug, customer_id)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let document = match privacy::export(state.app(), &desk.caller(), &customer_id).await {
        Ok(document) => document,
        Err(e) => return refused(&desk, &e),
    };
    let body = match serde_json::to_vec_pretty(&document) {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "an export could not be written");
            return desk.notice(StatusCode::INTERNAL_SERVER_ERROR, "desk-unavailable");
        }
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) =
        HeaderValue::from_str(&format!("attachment; filename=\"customer-{}.json\"", document.customer.id))
    {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// A refusal as a page: the role's words for a refusal by role, the message otherwise.
fn refused(desk: &Desk, error: &AppError) -> Response {
    match error.code {
        ErrorCode::Forbidden => desk.notice(StatusCode::FORBIDDEN, "desk-role-too-low"),
        ErrorCode::NotFound => desk.notice(StatusCode::NOT_FOUND, "desk-customer-not-found"),
        _ => {
            tracing::error!(error = %error, "a customer's data could not be read");
            desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable")
        }
    }
}

#[derive(Template)]
#[template(path = "workspace/erase.html")]
struct ErasePage<'a> {
    c: &'a Chrome,
    customer_id: String,
    email: String,
    /// The case the admin came from, to go back to.
    back: String,
    /// The form's own idempotency key: sent twice, the erasure is made once.
    key: String,
    error: Option<String>,
}

/// The case the admin came from.
#[derive(Deserialize, Default)]
struct EraseQuery {
    lang: Option<String>,
    case: Option<String>,
}

async fn erase_page(
    State(state): State<AppState>,
    Path((slug, customer_id)): Path<(String, String)>,
    Query(query): Query<EraseQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let back = query.case.unwrap_or_default();
    render(&state, &desk, &customer_id, back, RequestKey::fresh().as_str().to_owned(), None).await
}

async fn render(
    state: &AppState,
    desk: &Desk,
    customer_id: &str,
    back: String,
    key: String,
    error: Option<String>,
) -> Response {
    let customer = match privacy::customer_to_erase(state.app(), &desk.caller(), customer_id).await {
        Ok(customer) => customer,
        Err(e) => return refused(desk, &e),
    };
    // Only a case id goes back into the page's links.
    let back = if back.parse::<uuid::Uuid>().is_ok() { back } else { String::new() };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ErasePage {
        c: &desk.chrome,
        customer_id: customer.id.to_string(),
        email: customer.email.to_string(),
        back,
        key,
        error,
    };
    desk.page(status, page.render())
}

/// The confirmation as posted.
#[derive(Deserialize)]
struct EraseForm {
    #[serde(default)]
    form_token: String,
    #[serde(default)]
    key: String,
    #[serde(default)]
    case: String,
    #[serde(default)]
    confirm_email: String,
}

async fn erase(
    State(state): State<AppState>,
    Path((slug, customer_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<EraseForm>,
) -> Response {
    let desk = match desk(&state, &slug, &headers, None, "").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    if let Err(answer) = desk.check_form(&form.form_token) {
        return *answer;
    }
    let result = match RequestKey::parse(&form.key) {
        Ok(key) => privacy::erase_confirmed(state.app(), &desk.caller(), &customer_id, &form.confirm_email, &key).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) if form.case.parse::<uuid::Uuid>().is_ok() => {
            redirect(&format!("{}/cases/{}?done=erased", desk.chrome.base, form.case), desk.cookies.clone())
        }
        Ok(_) => redirect(&format!("{}?done=erased", desk.chrome.base), desk.cookies.clone()),
        Err(e) if e.code == ErrorCode::Forbidden => refused(&desk, &e),
        Err(e) if e.code == ErrorCode::ConfirmationMismatch => {
            let error = desk.chrome.t("desk-erase-mismatch");
            render(&state, &desk, &customer_id, form.case, form.key, Some(error)).await
        }
        Err(e) => render(&state, &desk, &customer_id, form.case, form.key, Some(error_text(&e))).await,
    }
}
