//! Cases: open one with a first message, list with filters, read with the timeline, reply,
//! change status, assign, note. Every change goes through the domain's state machine and
//! commits with its timeline entries in one transaction.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_domain::decision::{LineQuantity, affected_lines};
use redress_domain::{
    Actor, Attachment, Case, CaseEvent, CaseId, CaseStatus, Channel, Direction, EmailAddress, EscalationSignal,
    IssueKind, LanguageTag, Message, MessageId, NewCase, OrderId, Priority, Sentiment, person_name,
};
use redress_storage::{CaseCursor, CaseFilter, CaseUpdate, RecordedEntry};
use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{new_id, path_id};
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_case, list_cases))
        .routes(routes!(get_case))
        .routes(routes!(add_message))
        .routes(routes!(change_status))
        .routes(routes!(assign))
        .routes(routes!(add_note))
        .routes(routes!(change_priority))
}

/// The first message of a new case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstMessage {
    /// What the customer wrote.
    pub body: String,
    /// Files sent with it.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A case to open.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenCase {
    /// The order it is about, by id.
    #[serde(default)]
    pub order_id: Option<String>,
    /// The order it is about, by the shop's number.
    #[serde(default)]
    pub order_number: Option<String>,
    /// Where replies go; the order's customer's address if absent.
    #[serde(default)]
    pub customer_email: Option<String>,
    /// A one-line summary.
    pub subject: String,
    /// The channel the message came on.
    pub channel: Channel,
    /// What went wrong; read from the message when absent (`other`, awaiting triage, when
    /// understanding is unsure).
    #[serde(default)]
    pub kind: Option<IssueKind>,
    /// The customer's language; when absent, the customer's known language, else detected from
    /// the message, else the store's default.
    #[serde(default)]
    pub language: Option<String>,
    /// The tone of the message; read from the message when the kind is absent, else `neutral`.
    #[serde(default)]
    pub sentiment: Option<Sentiment>,
    /// Escalation signals in the message; when the kind is absent, those understanding finds
    /// are added.
    #[serde(default)]
    pub escalation: Vec<EscalationSignal>,
    /// The first message.
    pub message: FirstMessage,
    /// The order lines the case is about, with quantities (checked against the order); the
    /// case's decisions and remedies default to them. Empty: the whole order.
    #[serde(default)]
    pub lines: Vec<LineQuantity>,
}

/// A timeline entry as the API shows it.
#[derive(Serialize, ToSchema)]
pub struct TimelineItem {
    /// Position in the append order.
    pub seq: i64,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub event: CaseEvent,
}

/// A case with its messages and timeline.
#[derive(Serialize, ToSchema)]
pub struct CaseView {
    /// The case.
    pub case: Case,
    /// Its messages, oldest first.
    pub messages: Vec<Message>,
    /// Its timeline, oldest first.
    pub timeline: Vec<TimelineItem>,
}

async fn case_view(state: &AppState, store_id: redress_domain::StoreId, case: Case) -> Result<CaseView, ApiError> {
    let storage = state.storage();
    let (messages, timeline) =
        tokio::try_join!(storage.messages(store_id, case.id), storage.timeline(store_id, case.id))?;
    Ok(CaseView { case, messages, timeline: timeline.into_iter().map(TimelineItem::from).collect() })
}

impl From<RecordedEntry> for TimelineItem {
    fn from(r: RecordedEntry) -> Self {
        TimelineItem { seq: r.seq, at: r.entry.at, actor: r.entry.actor, event: r.entry.event }
    }
}

/// Opens a case with its first message.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = OpenCase, security(("store_key" = [])),
    responses((status = 201, body = CaseView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, description = "The order is not in this store", body = ErrorBody)))]
async fn open_case(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiJson(input): ApiJson<OpenCase>,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    let read_message = input.kind.is_none();
    let (stored, messages) = open(&state, &caller, input, read_message).await?;
    // Everything the view shows was just written: answer from it rather than reading it back.
    let timeline = stored.entries.into_iter().map(TimelineItem::from).collect();
    Ok((StatusCode::CREATED, Json(CaseView { case: stored.case, messages, timeline })))
}

/// Opens a case for `caller`, as the API and the portal both do. With `read_message`, the
/// message is read by understanding, which fills what the input leaves open (kind, tone,
/// language) and adds the escalation signals it finds, and the reading goes on the timeline.
pub(crate) async fn open(
    state: &AppState,
    caller: &StoreCaller,
    input: OpenCase,
    read_message: bool,
) -> Result<(redress_storage::StoredChange, Vec<Message>), ApiError> {
    let storage = state.storage();
    let order = match (&input.order_id, &input.order_number) {
        (Some(id), _) => {
            let id: OrderId = id.parse().map_err(|_| ApiError::invalid("order_id", "not an order id"))?;
            Some(storage.order(caller.store_id, id).await?)
        }
        (None, Some(number)) => {
            Some(storage.order_by_number(caller.store_id, number.trim()).await?.ok_or_else(|| {
                ApiError::invalid("order_number", format!("no order numbered `{number}` in this store"))
            })?)
        }
        (None, None) => None,
    };
    let customer = match &order {
        Some(order) => Some(storage.customer(caller.store_id, order.customer_id).await?),
        None => None,
    };
    if !input.lines.is_empty() {
        let Some(order) = &order else {
            return Err(ApiError::invalid("lines", "lines are of an order: give order_id or order_number"));
        };
        affected_lines(order, &input.lines).map_err(|e| ApiError::invalid(e.field, e.problem))?;
    }
    let customer_email = match &input.customer_email {
        Some(email) => Some(EmailAddress::parse(email).map_err(|e| ApiError::invalid("customer_email", e.problem))?),
        None => customer.as_ref().map(|c| c.email.clone()),
    };
    let given_language = input
        .language
        .as_deref()
        .map(LanguageTag::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("language", e.problem))?;
    let analysis = read_message.then(|| {
        let text = format!("{}\n{}", input.subject, input.message.body);
        state.understanding().understand(&text, given_language.as_ref().map(|l| l.as_str()))
    });
    // The language: as given, else as the shop knows the customer, else as detected (when
    // detection is sure), else the store's default.
    let detected_language = || {
        let (tag, confidence) = match &analysis {
            Some(a) if !a.language.from_hint => (a.language.tag, a.language.confidence),
            Some(_) => return None,
            None => state.understanding().detect_language(&format!("{}\n{}", input.subject, input.message.body))?,
        };
        if confidence >= 0.5 { LanguageTag::parse(tag).ok() } else { None }
    };
    let language = match given_language.or_else(|| customer.as_ref().and_then(|c| c.language.clone())) {
        Some(tag) => tag,
        None => match detected_language() {
            Some(tag) => tag,
            None => storage.store(caller.store_id).await?.default_language,
        },
    };
    let understood = analysis.as_ref().map(|a| super::understanding::understood(a, &language));
    let understood_copy = understood.clone();
    let kind = input.kind.unwrap_or(match &understood {
        Some(u) if !u.low_confidence => u.kind,
        _ => IssueKind::Other,
    });
    let sentiment = input.sentiment.or(understood.as_ref().map(|u| u.sentiment)).unwrap_or(Sentiment::Neutral);
    let mut escalation: BTreeSet<_> = input.escalation.into_iter().collect();
    escalation.extend(understood.iter().flat_map(|u| u.escalation.iter().map(|e| e.signal)));
    let customer_actor = Actor::Customer {
        handle: customer_email.as_ref().map_or_else(|| "unknown customer".to_owned(), |e| e.to_string()),
    };
    let opened_by = match input.channel {
        Channel::Phone | Channel::Api => caller.actor(),
        _ => customer_actor.clone(),
    };
    let now = OffsetDateTime::now_utc();
    let case_id = new_id(CaseId::from_uuid);
    let new = NewCase {
        id: case_id,
        store_id: caller.store_id,
        order_id: order.as_ref().map(|o| o.id),
        customer_id: customer.as_ref().map(|c| c.id),
        customer_email,
        subject: input.subject,
        kind,
        language,
        sentiment,
        escalation,
        first_message: Message {
            id: new_id(MessageId::from_uuid),
            store_id: caller.store_id,
            case_id,
            direction: Direction::Inbound,
            channel: input.channel,
            author: customer_actor,
            body: input.message.body,
            attachments: input.message.attachments,
            created_at: now,
        },
        opened_by,
        understood,
        lines: input.lines,
    };
    let message = new.first_message.clone();
    let mut stored = storage.open_case(new, now).await.map_err(|e| prefix_message_fields(e.into()))?;
    let mut messages = vec![message];
    if let Some(understood) = understood_copy
        && let Some((answered, reply)) = answer_automatically(state, &stored.case, &understood).await
    {
        stored.case = answered.case;
        stored.entries.extend(answered.entries);
        messages.push(reply);
    }
    Ok((stored, messages))
}

/// A case update that adds `message` at its own time, storing it with the change.
pub(crate) fn adding(message: Message) -> redress_storage::CaseUpdateFn {
    Box::new(move |case: &Case| {
        Ok(CaseUpdate { change: case.add_message(&message, message.created_at)?, message: Some(message) })
    })
}

/// Sends the reply template as the first answer when the store's policy allows it for this
/// kind and understanding was sure enough. A failure here leaves the case for a person: it is
/// logged, not returned, since the case itself is already stored.
async fn answer_automatically(
    state: &AppState,
    case: &Case,
    understood: &redress_domain::Understood,
) -> Option<(redress_storage::StoredChange, Message)> {
    let storage = state.storage();
    let policy = match super::resolution::policy_of(state, case.store_id).await {
        Ok(policy) => policy,
        Err(e) => {
            tracing::warn!(error = ?e, "cannot read the policy for an automatic answer");
            return None;
        }
    };
    // Only when understanding read the same kind the case has: a customer's own choice of kind
    // is not confirmed by a reading of something else.
    if understood.kind != case.kind
        || !policy.auto_reply.answers(case.kind, understood.confidence_pct, understood.low_confidence)
    {
        return None;
    }
    let draft = match super::help::draft_reply(state, case).await {
        Ok(draft) => draft,
        Err(e) => {
            tracing::warn!(error = ?e, "cannot draft an automatic answer");
            return None;
        }
    };
    let now = OffsetDateTime::now_utc();
    let reply = Message {
        id: new_id(MessageId::from_uuid),
        store_id: case.store_id,
        case_id: case.id,
        direction: Direction::Outbound,
        channel: case.channel,
        author: Actor::System,
        body: format!("{}\n\n{}", draft.subject, draft.body),
        attachments: Vec::new(),
        created_at: now,
    };
    match storage.update_case(case.store_id, case.id, adding(reply.clone())).await {
        Ok(answered) => Some((answered, reply)),
        Err(e) => {
            tracing::warn!(error = %e, "cannot store an automatic answer");
            None
        }
    }
}

/// Domain validation names message fields bare (`body`); in this request they sit under `message`.
fn prefix_message_fields(mut error: ApiError) -> ApiError {
    if let Some(field) = &error.field
        && (field == "body" || field.starts_with("attachments"))
    {
        error.field = Some(format!("message.{field}"));
    }
    error
}

/// Filters and paging for the case list.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// Comma-separated statuses, e.g. `new,open`.
    pub status: Option<String>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only cases assigned to this agent.
    pub assignee: Option<String>,
    /// Only cases about this order.
    pub order_id: Option<String>,
    /// Page size, 1 to 200 (50 if absent).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    /// The cases, newest first.
    pub cases: Vec<Case>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

fn parse_cursor(text: &str) -> Result<CaseCursor, ApiError> {
    let invalid = || ApiError::invalid("cursor", "not a cursor from a previous page's next_cursor");
    let (micros, id) = text.split_once('_').ok_or_else(invalid)?;
    Ok(CaseCursor { created_at_us: micros.parse().map_err(|_| invalid())?, id: id.parse().map_err(|_| invalid())? })
}

/// Lists the store's cases, newest first, with filters and cursor paging.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseQuery), security(("store_key" = [])),
    responses((status = 200, body = CaseList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_cases(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiQuery(query): ApiQuery<CaseQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let mut statuses = Vec::new();
    for part in query.status.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
        let status = serde_json::from_value::<CaseStatus>(serde_json::Value::String(part.to_owned())).map_err(|_| ApiError {
            code: "unknown_value",
            ..ApiError::invalid("status", format!("`{part}` is not a status; use new, open, waiting_on_customer, waiting_on_third_party, resolved or closed"))
        })?;
        statuses.push(status);
    }
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::invalid("limit", "use a page size from 1 to 200"));
    }
    let after = query.cursor.as_deref().map(parse_cursor).transpose()?;
    let order_id = query
        .order_id
        .as_deref()
        .map(|id| id.parse::<OrderId>().map_err(|_| ApiError::invalid("order_id", "not an order id")))
        .transpose()?;
    let filter =
        CaseFilter { statuses, kind: query.kind, priority: query.priority, assignee: query.assignee, order_id };
    let page = state.storage().cases(caller.store_id, &filter, after, limit).await?;
    Ok(Json(CaseList { cases: page.cases, next_cursor: page.next.map(|c| format!("{}_{}", c.created_at_us, c.id)) }))
}

/// One case with its messages and timeline.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}", tag = "cases",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_case(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    let case = state.storage().case(caller.store_id, path_id(&case_id, "case")?).await?;
    Ok(Json(case_view(&state, caller.store_id, case).await?))
}

async fn update(
    state: &AppState,
    caller: &StoreCaller,
    case_id: &str,
    change: impl FnOnce(&Case) -> Result<CaseUpdate, redress_domain::CaseError> + Send + 'static,
) -> Result<Case, ApiError> {
    let case_id = path_id(case_id, "case")?;
    Ok(state.storage().update_case(caller.store_id, case_id, Box::new(change)).await?.case)
}

/// A message to add to a case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// `inbound` from the customer or `outbound` to them.
    pub direction: Direction,
    /// The text.
    pub body: String,
    /// The channel; the case's own if absent.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Who wrote it: an agent's name for outbound, the customer's handle for inbound.
    #[serde(default)]
    pub author: Option<String>,
    /// Files sent with it.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A case after a message was added, with the message.
#[derive(Serialize, ToSchema)]
pub struct MessageAdded {
    /// The case as it now is.
    pub case: Case,
    /// The stored message.
    pub message: Message,
}

/// Adds a message to a case. A customer's answer to a case waiting for them reopens it.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/messages", tag = "cases", request_body = NewMessage,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 201, body = MessageAdded), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The case is closed", body = ErrorBody)))]
pub(crate) async fn add_message(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<NewMessage>,
) -> Result<(StatusCode, Json<MessageAdded>), ApiError> {
    let store_id = caller.store_id;
    let message_id = new_id(MessageId::from_uuid);
    let label = caller.label.clone();
    let case = update(&state, &caller, &case_id, move |case| {
        let now = OffsetDateTime::now_utc();
        let given = input.author.as_deref().map(|name| person_name("author", name)).transpose()?;
        let author = match (input.direction, given) {
            (Direction::Inbound, Some(handle)) => Actor::Customer { handle },
            (Direction::Inbound, None) => Actor::Customer {
                handle: case.customer_email.as_ref().map_or_else(|| "unknown customer".to_owned(), |e| e.to_string()),
            },
            (Direction::Outbound, Some(name)) => Actor::Agent { name },
            (Direction::Outbound, None) => Actor::Integration { name: label },
        };
        let message = Message {
            id: message_id,
            store_id,
            case_id: case.id,
            direction: input.direction,
            channel: input.channel.unwrap_or(case.channel),
            author,
            body: input.body,
            attachments: input.attachments,
            created_at: now,
        };
        let change = case.add_message(&message, now)?;
        Ok(CaseUpdate { change, message: Some(message) })
    })
    .await?;
    let message = state
        .storage()
        .messages(store_id, case.id)
        .await?
        .into_iter()
        .find(|m| m.id == message_id)
        .ok_or_else(|| ApiError::internal("a stored message could not be read back"))?;
    Ok((StatusCode::CREATED, Json(MessageAdded { case, message })))
}

/// A status to move a case to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status. `open` on a resolved or closed case reopens it.
    pub status: CaseStatus,
}

/// Moves a case to another status, as the status machine allows.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/status", tag = "cases", request_body = StatusChange,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed from the current status", body = ErrorBody)))]
pub(crate) async fn change_status(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<StatusChange>,
) -> Result<Json<Case>, ApiError> {
    let actor = caller.actor();
    let case = update(&state, &caller, &case_id, move |case| {
        Ok(CaseUpdate { change: case.change_status(input.status, &actor, OffsetDateTime::now_utc())?, message: None })
    })
    .await?;
    Ok(Json(case))
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::deserialize(deserializer)
}

/// Who to give a case to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The agent's name, or `null` to unassign. Required.
    #[serde(deserialize_with = "present")]
    pub assignee: Option<String>,
}

/// Assigns a case to an agent (which opens a new case) or unassigns it.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/assignee", tag = "cases", request_body = Assignment,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
pub(crate) async fn assign(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<Assignment>,
) -> Result<Json<Case>, ApiError> {
    let actor = caller.actor();
    let case = update(&state, &caller, &case_id, move |case| {
        Ok(CaseUpdate { change: case.assign(input.assignee, &actor, OffsetDateTime::now_utc())?, message: None })
    })
    .await?;
    Ok(Json(case))
}

/// An internal note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The note, seen by agents only.
    pub body: String,
    /// The agent writing it; the API key's label if absent.
    #[serde(default)]
    pub author: Option<String>,
}

/// Adds an internal note to a case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/notes", tag = "cases", request_body = Note,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 201, body = Case), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn add_note(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<Note>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    let actor = match input.author.as_deref().map(|name| person_name("author", name)).transpose()? {
        Some(name) => Actor::Agent { name },
        None => caller.actor(),
    };
    let case = update(&state, &caller, &case_id, move |case| {
        Ok(CaseUpdate { change: case.add_note(&input.body, &actor, OffsetDateTime::now_utc())?, message: None })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(case)))
}

/// A priority to set by hand.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityChange {
    /// The new priority; the response deadline moves with it.
    pub priority: Priority,
}

/// Sets a case's priority by hand.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/priority", tag = "cases", request_body = PriorityChange,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn change_priority(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<PriorityChange>,
) -> Result<Json<Case>, ApiError> {
    let actor = caller.actor();
    let case = update(&state, &caller, &case_id, move |case| {
        Ok(CaseUpdate {
            change: case.change_priority(input.priority, &actor, OffsetDateTime::now_utc())?,
            message: None,
        })
    })
    .await?;
    Ok(Json(case))
}
