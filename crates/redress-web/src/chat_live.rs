//! A conversation with the assistant, live: what the shop says (the assistant, or a person
//! answering on the case after a hand-off) reaches the customer's open chat without a reload,
//! as server-sent events. Each server reads the conversation from the database on a short
//! interval, so an agent's answer through any server of the deployment arrives; no server keeps
//! anything in memory but the client's place.
//!
//! Also the two scripts the chats run: `/assets/chat-live.js` (the portal's chat page; the page
//! works without it) and `/assets/widget.js` (the chat box a shop puts on its own site, talking
//! to `POST /s/{store}/assistant` across origins the store's policy allows).

use std::convert::Infallible;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::Stream;
use redress_app::assistant;
use redress_domain::Store;

use crate::AppState;

/// How often an open chat or desk page looks for changes.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// How long one stream stays open; the browser reconnects on its own, from where it was.
const OPEN_FOR: Duration = Duration::from_secs(300);

/// The conversation live from `after` (or past the last event a reconnecting browser saw),
/// refused at once when there is no such conversation rather than answered with an empty
/// stream.
pub(crate) async fn open(
    state: AppState,
    store: Store,
    conversation: String,
    after: Option<u64>,
    headers: &HeaderMap,
) -> redress_app::AppResult<Sse<impl Stream<Item = Result<Event, Infallible>> + use<>>> {
    assistant::lines_after(state.app(), &store, &conversation, u64::MAX).await?;
    let after = start_after(after, headers);
    Ok(stream(state, store, conversation, after))
}

/// The lines to send after: the `after` asked for, or past the last event the browser saw
/// when it reconnects (`Last-Event-ID`).
fn start_after(after: Option<u64>, headers: &HeaderMap) -> u64 {
    let seen = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
    after.unwrap_or(0).max(seen.unwrap_or(0))
}

/// What one event carries: new lines, and whether a person has the conversation.
#[derive(serde::Serialize)]
struct Batch<'a> {
    lines: &'a [assistant::ChatLine],
    handed_off: bool,
}

/// The conversation's lines from number `after` on, then each new line as it comes, as
/// `lines` events whose id is the number of the next line. The stream ends when the
/// conversation cannot be read (gone, or the database down) or after [`OPEN_FOR`].
fn stream(
    state: AppState,
    store: Store,
    conversation: String,
    after: u64,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    polled((state, store, conversation, after), |(state, store, conversation, after)| async move {
        let new = match assistant::lines_after(state.app(), &store, &conversation, after).await {
            Ok(new) => new,
            Err(e) => {
                tracing::debug!(error = %e, "a live chat stops");
                return (Look::End, (state, store, conversation, after));
            }
        };
        let Some(last) = new.lines.last() else { return (Look::Nothing, (state, store, conversation, after)) };
        let after = last.number + 1;
        let batch = Batch { lines: &new.lines, handed_off: new.handed_off };
        let look = Look::event(Event::default().event("lines").id(after.to_string()).json_data(&batch));
        (look, (state, store, conversation, after))
    })
}

/// What one look at the database found.
pub(crate) enum Look {
    /// Something to tell the browser.
    Send(Event),
    /// Nothing new: look again after [`POLL_EVERY`].
    Nothing,
    /// The stream ends (what it follows is gone, or cannot be read).
    End,
}

impl Look {
    /// An event to send, or the end when it could not be written.
    pub(crate) fn event(event: Result<Event, axum::Error>) -> Look {
        match event {
            Ok(event) => Look::Send(event),
            Err(e) => {
                tracing::error!(error = %e, "a live event could not be written");
                Look::End
            }
        }
    }
}

/// A stream of server-sent events made by looking at the database at once and then every
/// [`POLL_EVERY`], for at most [`OPEN_FOR`] (the browser reconnects on its own). `look` gets
/// the place and gives it back with what it found; nothing is kept but the place.
pub(crate) fn polled<P, F, Fut>(place: P, look: F) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    P: Send + 'static,
    F: Fn(P) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = (Look, P)> + Send,
{
    let ends = tokio::time::Instant::now() + OPEN_FOR;
    let events = futures_util::stream::unfold((place, look, true), move |(mut place, look, mut first)| async move {
        loop {
            if !first {
                tokio::time::sleep(POLL_EVERY).await;
            }
            first = false;
            if tokio::time::Instant::now() >= ends {
                return None;
            }
            let (found, next) = look(place).await;
            place = next;
            match found {
                Look::Send(event) => return Some((Ok(event), (place, look, false))),
                Look::Nothing => {}
                Look::End => return None,
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::default())
}

/// The script showing new lines on the portal's chat page.
const CHAT_LIVE_JS: &str = include_str!("../assets/chat-live.js");
/// The chat box for a shop's own site.
const WIDGET_JS: &str = include_str!("../assets/widget.js");

/// A script served from `/assets` (the pages' CSP runs only such files, never inline code).
pub(crate) fn script(body: &'static str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
            // Shops' pages load the widget from another origin.
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        ],
        body,
    )
        .into_response()
}

/// `GET /assets/chat-live.js`.
pub(crate) async fn chat_live_js() -> Response {
    script(CHAT_LIVE_JS)
}

/// `GET /assets/widget.js`.
pub(crate) async fn widget_js() -> Response {
    script(WIDGET_JS)
}
