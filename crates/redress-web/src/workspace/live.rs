//! The desk, live: a case page learns of new timeline entries, new messages and who else has
//! the case open; the inbox learns how many cases changed since it was drawn. Both are
//! server-sent events that each server builds by reading the database every second (as the
//! portal's chat does, [`crate::chat_live`]), and presence is written there too, so agents on
//! different servers see each other. The pages work without the scripts.
//!
//! Also the desk's two scripts: `/assets/desk-live.js` and `/assets/desk-keys.js` (shortcuts).

use std::convert::Infallible;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::Stream;
use redress_app::cases;
use redress_app::desk as aids;
use redress_domain::{CaseId, Direction};
use serde::{Deserialize, Serialize};

use super::case::{actor_text, event_view, when};
use super::{Desk, desk};
use crate::AppState;
use crate::chat_live::{Look, polled};

/// Presence is written every this many looks, a look a second (well inside
/// [`aids::PRESENT_FOR`]).
const HEARTBEAT_EVERY: u32 = 10;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/cases/{case_id}/events", get(case_events))
        .route("/desk/{slug}/inbox/events", get(inbox_events))
        .route("/assets/desk-live.js", get(|| async { crate::chat_live::script(DESK_LIVE_JS) }))
        .route("/assets/desk-keys.js", get(|| async { crate::chat_live::script(DESK_KEYS_JS) }))
}

/// The script keeping the case page and the inbox up to date.
const DESK_LIVE_JS: &str = include_str!("../../assets/desk-live.js");
/// The desk's keyboard shortcuts.
const DESK_KEYS_JS: &str = include_str!("../../assets/desk-keys.js");

/// Where a case page's stream starts: the timeline position and the number of messages the
/// page shows.
#[derive(Deserialize, Default)]
pub(super) struct CasePlace {
    #[serde(default)]
    after: i64,
    #[serde(default)]
    messages: usize,
}

/// A timeline entry as the page shows it.
#[derive(Serialize)]
struct EntryOut {
    what: String,
    actor: String,
    at: String,
    detail: String,
    /// Made by someone else: the page warns a reply being written.
    by_other: bool,
}

/// A message as the page shows it.
#[derive(Serialize)]
struct MessageOut {
    inbound: bool,
    author: String,
    at: String,
    body: String,
}

/// One event of a case page's stream.
#[derive(Serialize)]
struct CaseBatch {
    seq: i64,
    messages: usize,
    viewers: Vec<String>,
    entries: Vec<EntryOut>,
    new_messages: Vec<MessageOut>,
}

/// `GET /desk/{slug}/cases/{id}/events`: the case's new entries and messages and the other
/// agents present, as `case` events; being connected keeps the agent present.
async fn case_events(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    Query(place): Query<CasePlace>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, None, "inbox").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let Ok(id) = cases::case_id(&case_id) else {
        return desk.notice(axum::http::StatusCode::NOT_FOUND, "desk-case-not-found");
    };
    if let Err(e) = aids::see_case(state.app(), &desk.caller(), id).await {
        return super::case::refused(&desk, &e);
    }
    // A reconnecting browser says where it was: `seq:messages`.
    let (after, messages) = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(':'))
        .and_then(|(s, m)| Some((s.trim().parse().ok()?, m.trim().parse().ok()?)))
        .unwrap_or((place.after, place.messages));
    case_stream(state, desk, id, (after, messages)).into_response()
}

/// Where a case page's stream is: what the page shows, who it showed present, how many looks.
struct CaseFollowed {
    state: AppState,
    desk: Desk,
    case_id: CaseId,
    after: i64,
    messages: usize,
    viewers: Option<Vec<String>>,
    looks: u32,
}

fn case_stream(
    state: AppState,
    desk: Desk,
    case_id: CaseId,
    (after, messages): (i64, usize),
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let place = CaseFollowed { state, desk, case_id, after, messages, viewers: None, looks: 0 };
    polled(place, |mut place| async move {
        place.looks = place.looks.wrapping_add(1);
        let batch =
            match look(place.looks, &place.state, &place.desk, place.case_id, (place.after, place.messages)).await {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::debug!(error = %e, "a live case page stops");
                    return (Look::End, place);
                }
            };
        let viewers_changed = place.viewers.as_ref() != Some(&batch.viewers);
        if !viewers_changed && batch.entries.is_empty() && batch.new_messages.is_empty() {
            return (Look::Nothing, place);
        }
        place.after = batch.seq;
        place.messages = batch.messages;
        place.viewers = Some(batch.viewers.clone());
        let id = format!("{}:{}", batch.seq, batch.messages);
        (Look::event(Event::default().event("case").id(id).json_data(&batch)), place)
    })
}

/// One look at the case: presence written now and then, the others present, what is new.
async fn look(
    looks: u32,
    state: &AppState,
    desk: &Desk,
    case_id: CaseId,
    (after, messages): (i64, usize),
) -> redress_app::AppResult<CaseBatch> {
    let app = state.app();
    let caller = desk.caller();
    let present = if looks.is_multiple_of(HEARTBEAT_EVERY) {
        aids::see_case(app, &caller, case_id).await?
    } else {
        aids::present(app, &caller, case_id).await?
    };
    let view = cases::view(app, &caller, case_id).await?;
    let w = &desk.chrome.w;
    let me = caller.actor();
    let entries: Vec<EntryOut> = view
        .timeline
        .iter()
        .filter(|e| e.seq > after)
        .map(|e| {
            let shown = event_view(w, w.tag(), e);
            EntryOut {
                what: shown.what,
                actor: shown.actor,
                at: shown.at,
                detail: shown.detail,
                by_other: e.actor != me && e.actor != redress_domain::Actor::System,
            }
        })
        .collect();
    let new_messages = view
        .messages
        .iter()
        .skip(messages)
        .map(|m| MessageOut {
            inbound: m.direction == Direction::Inbound,
            author: actor_text(w, &m.author),
            at: when(m.created_at),
            body: m.body.clone(),
        })
        .collect();
    Ok(CaseBatch {
        seq: view.timeline.iter().map(|e| e.seq).max().unwrap_or(after).max(after),
        messages: view.messages.len().max(messages),
        viewers: present.into_iter().map(|p| p.name).collect(),
        entries,
        new_messages,
    })
}

/// Where the inbox's stream counts from: the timeline position the page was drawn at.
#[derive(Deserialize, Default)]
pub(super) struct InboxPlace {
    #[serde(default)]
    after: i64,
}

/// `GET /desk/{slug}/inbox/events`: `changed` events carrying how many of the store's cases
/// changed since the page was drawn; the page offers to refresh.
async fn inbox_events(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(place): Query<InboxPlace>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, None, "inbox").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let after = place.after;
    // Always counted from where the page was drawn: an entry PostgreSQL commits late, below a
    // position already seen, is still counted on the next look.
    polled((state, desk, 0u32), move |(state, desk, told)| async move {
        let changed = match aids::store_changes(state.app(), &desk.caller(), after).await {
            Ok((changed, _)) => changed,
            Err(e) => {
                tracing::debug!(error = %e, "a live inbox stops");
                return (Look::End, (state, desk, told));
            }
        };
        if changed == told {
            return (Look::Nothing, (state, desk, told));
        }
        let text = desk.chrome.w.t1("desk-live-inbox-changed", "count", &changed.to_string());
        let event = Event::default().event("changed").json_data(serde_json::json!({ "count": changed, "text": text }));
        (Look::event(event), (state, desk, changed))
    })
    .into_response()
}
