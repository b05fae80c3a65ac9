//! The desk's mail page: the outbox (every answer by email or on a messaging app, with where it
//! stands, how far the app says it got, and a button to send a dead one again) and the dead
//! letters (mail that could not be read, with why).

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use redress_app::channels::{self, DeadLetterItem, OutboxItem};
use serde::Deserialize;

use super::case::when;
use super::{Chrome, desk, desk_for_form_in, done_notice, error_text};
use crate::AppState;
use crate::html::redirect;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/mail", get(mail_page))
        .route("/desk/{slug}/mail/{entry_id}/retry", post(retry))
        .route("/desk/{slug}/mail/dead-letters/{letter_id}/retry", post(retry_letter))
}

struct OutboxRow {
    id: String,
    /// The case the entry answers; empty for the assistant's answers before a case.
    case_id: String,
    channel: String,
    to: String,
    subject: String,
    status: String,
    dead: bool,
    attempts: u32,
    at: String,
    error: String,
}

struct DeadLetterRow {
    id: String,
    /// Mail, which can be read again.
    retriable: bool,
    reason: String,
    size: String,
    at: String,
}

#[derive(Template)]
#[template(path = "workspace/mail.html")]
struct MailPage<'a> {
    c: &'a Chrome,
    outbox: Vec<OutboxRow>,
    letters: Vec<DeadLetterRow>,
    notice: Option<String>,
    error: Option<String>,
}

/// What the mail page shows after a retry.
#[derive(Deserialize, Default)]
pub(super) struct MailQuery {
    lang: Option<String>,
    done: Option<String>,
}

async fn mail_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<MailQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "mail").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let notice = done_notice(&desk.chrome.w, query.done.as_deref());
    render(&state, &desk, notice, None).await
}

async fn render(state: &AppState, desk: &super::Desk, notice: Option<String>, error: Option<String>) -> Response {
    let caller = desk.caller();
    let (outbox, letters): (Vec<OutboxItem>, Vec<DeadLetterItem>) =
        match tokio::try_join!(channels::outbox(state.app(), &caller), channels::dead_letters(state.app(), &caller)) {
            Ok(lists) => lists,
            Err(e) => {
                tracing::error!(error = %e, "the mail page could not be read");
                return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
            }
        };
    let w = &desk.chrome.w;
    let outbox = outbox
        .into_iter()
        .map(|item| OutboxRow {
            status: match &item.delivery {
                Some(delivery) => {
                    format!(
                        "{} · {}",
                        w.t(&format!("desk-mail-status-{}", item.status)),
                        w.t(&format!("desk-mail-delivery-{delivery}"))
                    )
                }
                None => w.t(&format!("desk-mail-status-{}", item.status)),
            },
            channel: match item.channel.as_str() {
                "email" => w.t("desk-mail-channel-email"),
                "whatsapp" => "WhatsApp".to_owned(),
                "messenger" => "Messenger".to_owned(),
                "instagram" => "Instagram".to_owned(),
                "telegram" => "Telegram".to_owned(),
                other => other.to_owned(),
            },
            dead: item.status == "dead",
            id: item.id,
            case_id: item.case_id.unwrap_or_default(),
            to: item.to,
            subject: item.subject,
            attempts: item.attempts,
            at: when(item.sent_at.unwrap_or(item.created_at)),
            error: item.last_error.unwrap_or_default(),
        })
        .collect();
    let letters = letters
        .into_iter()
        .map(|letter| DeadLetterRow {
            retriable: letter.channel == "email" && letter.size_bytes > 0,
            id: letter.id,
            reason: letter.reason,
            size: format!("{} KiB", letter.size_bytes.div_ceil(1024)),
            at: when(letter.received_at),
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    desk.page(status, MailPage { c: &desk.chrome, outbox, letters, notice, error }.render())
}

/// A retry's form: only the token.
#[derive(Deserialize)]
pub(super) struct RetryForm {
    #[serde(default)]
    form_token: String,
}

async fn retry(
    State(state): State<AppState>,
    Path((slug, entry_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RetryForm>,
) -> Response {
    let desk = match desk_for_form_in(&state, &slug, &headers, &form.form_token, "mail").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    match channels::retry_outbox(state.app(), &desk.caller(), &entry_id).await {
        Ok(()) => redirect(&format!("{}/mail?done=retried", desk.chrome.base), desk.cookies.clone()),
        Err(e) => render(&state, &desk, None, Some(error_text(&e))).await,
    }
}

/// Takes a dead letter in again; the page says what became of it.
async fn retry_letter(
    State(state): State<AppState>,
    Path((slug, letter_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<RetryForm>,
) -> Response {
    let desk = match desk_for_form_in(&state, &slug, &headers, &form.form_token, "mail").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    match channels::retry_dead_letter(state.app(), &desk.caller(), &letter_id).await {
        Ok(receipt) => {
            let done = match receipt.outcome {
                redress_app::channels::MailOutcome::DeadLetter => "letter-refused",
                _ => "letter-taken",
            };
            redirect(&format!("{}/mail?done={done}", desk.chrome.base), desk.cookies.clone())
        }
        Err(e) => render(&state, &desk, None, Some(error_text(&e))).await,
    }
}
