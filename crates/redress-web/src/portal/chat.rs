//! `/s/{store}/chat`: the assistant as a page, for a customer on a phone or a desk. Plain
//! forms, no JavaScript needed: each message is posted, answered, and the page shows the
//! whole conversation. The conversation's id stays in an HttpOnly cookie of the store's path,
//! never in the address (it is all a client holds to continue a verified conversation).

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_app::ErrorCode;
use redress_app::assistant::{self, Turn, Visitor};
use serde::Deserialize;

use super::{Chrome, PageQuery, held_order, storefront};
use crate::AppState;
use crate::html::{Page, Source, cookie, login_form, login_form_valid, redirect, secure, unknown_store};

/// The cookie keeping the conversation's id.
const CHAT_COOKIE: &str = "redress_chat";

/// One turn of the conversation as shown: the customer's message, or all the assistant said
/// to it, with web addresses as links.
struct ChatLine {
    by_customer: bool,
    by_person: bool,
    parts: Vec<Part>,
}

/// A piece of a line: text, or a link to follow.
struct Part {
    text: String,
    link: bool,
}

/// Splits text at the web addresses in it (a tracking page) so they can be followed.
fn parts(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("https://") {
        let end = rest[at..].find(char::is_whitespace).map_or(rest.len(), |e| at + e);
        if at > 0 {
            parts.push(Part { text: rest[..at].to_owned(), link: false });
        }
        parts.push(Part { text: rest[at..end].to_owned(), link: true });
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        parts.push(Part { text: rest.to_owned(), link: false });
    }
    parts
}

/// The transcript as turns: consecutive lines of one speaker (the customer, the assistant, a
/// person from the team) joined.
fn turns(transcript: Vec<redress_domain::assistant::Said>) -> Vec<ChatLine> {
    let mut turns: Vec<((bool, bool), String)> = Vec::new();
    for said in transcript {
        let who = (said.by_customer, said.by_person);
        match turns.last_mut() {
            Some((by, text)) if *by == who => {
                text.push('\n');
                text.push_str(&said.text);
            }
            _ => turns.push((who, said.text)),
        }
    }
    turns
        .into_iter()
        .map(|((by_customer, by_person), text)| ChatLine { by_customer, by_person, parts: parts(&text) })
        .collect()
}

#[derive(Template)]
#[template(path = "portal/chat.html")]
struct ChatPage<'a> {
    c: &'a Chrome,
    lines: Vec<ChatLine>,
    /// The number of the next line, where live updates start.
    said: u64,
    handed_off: bool,
    error: Option<String>,
    text: String,
    login_token: String,
}

fn chat_cookie(chrome: &Chrome, value: &str, max_age: i64, headers: &HeaderMap) -> String {
    format!("{CHAT_COOKIE}={value}; Path={}; Max-Age={max_age}; HttpOnly; SameSite=Lax{}", chrome.base, secure(headers))
}

/// `GET /s/{slug}/chat`: the conversation so far (with a person's answers since), or the
/// assistant's greeting.
pub(super) async fn page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let Some((store, chrome, mut cookies)) = storefront(&state, &slug, &headers, &query).await else {
        return unknown_store();
    };
    let (login_token, login_cookie) = login_form(&headers);
    cookies.extend(login_cookie);
    let (lines, said, handed_off) = match cookie(&headers, CHAT_COOKIE) {
        Some(id) => match assistant::conversation(state.app(), &store, id).await {
            Ok(conversation) => (turns(conversation.transcript), conversation.said, conversation.handed_off),
            Err(_) => (Vec::new(), 0, false),
        },
        None => (Vec::new(), 0, false),
    };
    let lines = if lines.is_empty() {
        let greeting = redress_text::assistant::say(chrome.w.tag(), "assistant-greeting", &[("shop", &store.name)]);
        vec![ChatLine { by_customer: false, by_person: false, parts: parts(&greeting) }]
    } else {
        lines
    };
    let html = ChatPage { c: &chrome, lines, said, handed_off, error: None, text: String::new(), login_token }.render();
    Page { status: StatusCode::OK, html, cookies }.into_response()
}

/// The chat form.
#[derive(Deserialize)]
pub(super) struct ChatForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    login_token: String,
}

/// `POST /s/{slug}/chat`: one message; the page again with the answer.
pub(super) async fn send(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Source(source): Source,
    headers: HeaderMap,
    Form(form): Form<ChatForm>,
) -> Response {
    let Some((store, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    let refuse = |status: StatusCode, message: String| {
        let (login_token, login_cookie) = login_form(&headers);
        let page = ChatPage {
            c: &chrome,
            lines: Vec::new(),
            said: 0,
            handed_off: false,
            error: Some(message),
            text: form.text.chars().take(redress_domain::assistant::MAX_TEXT_CHARS).collect(),
            login_token,
        };
        Page { status, html: page.render(), cookies: login_cookie.into_iter().collect() }.into_response()
    };
    if !login_form_valid(&headers, &form.login_token) {
        return refuse(StatusCode::FORBIDDEN, chrome.w.t("error-form"));
    }
    let visitor = Visitor { source: &source, holds: held_order(&state, &store, &headers) };
    let turn = |conversation: Option<&str>| Turn {
        conversation: conversation.map(str::to_owned),
        text: form.text.clone(),
        language: Some(chrome.w.tag().to_owned()),
    };
    let mut answered = assistant::converse(state.app(), &store, visitor, turn(cookie(&headers, CHAT_COOKIE))).await;
    // A conversation that is gone (or a cookie of another store) starts over.
    if matches!(&answered, Err(e) if e.code == ErrorCode::NotFound || e.field.as_deref() == Some("conversation")) {
        answered = assistant::converse(state.app(), &store, visitor, turn(None)).await;
    }
    match answered {
        Ok(answer) => redirect(
            &format!("{}/chat#end", chrome.base),
            vec![chat_cookie(&chrome, &answer.conversation, 86_400, &headers)],
        ),
        Err(e) if e.field.as_deref() == Some("text") => {
            refuse(StatusCode::UNPROCESSABLE_ENTITY, chrome.w.t("chat-write-something"))
        }
        Err(e) => {
            tracing::warn!(code = ?e.code, message = %e.message, "an assistant turn failed");
            refuse(StatusCode::SERVICE_UNAVAILABLE, chrome.w.t("chat-failed"))
        }
    }
}

/// Where the page's live updates start.
#[derive(Deserialize)]
pub(super) struct EventsQuery {
    after: Option<u64>,
}

/// `GET /s/{slug}/chat/events`: the conversation named by this browser's cookie, live (see
/// [`crate::chat_live`]).
pub(super) async fn events(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<EventsQuery>,
    headers: HeaderMap,
) -> Response {
    let store = match redress_app::stores::by_slug(state.app(), &slug).await {
        Ok(Some(store)) => store,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let Some(id) = cookie(&headers, CHAT_COOKIE).map(str::to_owned) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match crate::chat_live::open(state, store, id, query.after, &headers).await {
        Ok(live) => live.into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `POST /s/{slug}/chat/restart`: forgets the conversation in this browser.
pub(super) async fn restart(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    let Some((_, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    redirect(&format!("{}/chat", chrome.base), vec![chat_cookie(&chrome, "", 0, &headers)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_split_out_of_the_text() {
        let split = parts("Follow it here: https://www.ups.com/track?tracknum=1Z then wait");
        let shown: Vec<(&str, bool)> = split.iter().map(|p| (p.text.as_str(), p.link)).collect();
        assert_eq!(
            shown,
            [("Follow it here: ", false), ("https://www.ups.com/track?tracknum=1Z", true), (" then wait", false)]
        );
    }
}
