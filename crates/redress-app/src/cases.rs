//! Cases: open one with a first message (read by understanding when its kind is not given),
//! list with filters, read with the timeline, add messages, change status, priority and
//! assignee, add notes, correct the classification. Every change goes through the domain's
//! state machine and commits with its timeline entries in one transaction.

use std::collections::BTreeSet;

use redress_domain::decision::{LineQuantity, affected_lines};
use redress_domain::{
    Actor, Assignee, Attachment, Case, CaseEvent, CaseId, CaseStatus, Channel, Classification, Direction, EmailAddress,
    EscalationSignal, IssueKind, LanguageTag, Message, MessageId, NewCase, OrderId, Priority, Sentiment, SignalFound,
    Understood, person_name,
};
use redress_storage::{CaseCursor, CaseFilter, CaseUpdate, RecordedEntry, StoredChange};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::caller::{Action, Caller, SystemRule};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::paging::{cursor_text, page_size, parse_cursor};
use crate::resolution::visible_case;
use crate::{App, new_id, parse_id};

/// The first message of a new case.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FirstMessage {
    /// What the customer wrote.
    pub body: String,
    /// Files sent with it.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A case to open.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// A one-line summary, 1 to 300 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 300))]
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

/// A timeline entry as shown.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineItem {
    /// Position in the append order.
    pub seq: i64,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub event: CaseEvent,
}

impl From<RecordedEntry> for TimelineItem {
    fn from(r: RecordedEntry) -> Self {
        TimelineItem { seq: r.seq, at: r.entry.at, actor: r.entry.actor, event: r.entry.event }
    }
}

/// A case with its messages and timeline.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseView {
    /// The case.
    pub case: Case,
    /// Its messages, oldest first.
    pub messages: Vec<Message>,
    /// Its timeline, oldest first.
    pub timeline: Vec<TimelineItem>,
}

/// What understanding made of a message, in the domain's terms, with the language to fall back
/// on when it could not tell.
pub fn understood(analysis: &redress_text::Analysis, fallback_language: &LanguageTag) -> Understood {
    Understood {
        kind: analysis.kind,
        confidence_pct: (analysis.confidence.clamp(0.0, 1.0) * 100.0).round() as u8,
        low_confidence: analysis.low_confidence,
        alternatives: analysis.alternatives.iter().map(|a| a.kind).collect(),
        // A language Redress does not answer in (German, Turkish…) is recognised but not
        // taken: the case speaks the store's language, and triage sees the tag.
        language: if analysis.language.supported {
            LanguageTag::parse(analysis.language.tag).unwrap_or_else(|_| fallback_language.clone())
        } else {
            fallback_language.clone()
        },
        sentiment: analysis.sentiment,
        escalation: analysis
            .escalation
            .iter()
            .map(|e| SignalFound { signal: e.signal, triggers: e.triggers.clone() })
            .collect(),
    }
}

/// Opens a case for the caller. Without a kind, the message is read by understanding, which
/// fills what the input leaves open (kind, tone, language) and adds the escalation signals it
/// finds; the reading goes on the timeline, and the policy may answer it at once. A customer
/// opens cases only about the order they hold.
pub async fn open(app: &App, caller: &Caller, input: OpenCase) -> AppResult<CaseView> {
    open_received(app, caller, input, Arrival::default()).await
}

/// How a message received on a channel arrived, for [`open_received`].
#[derive(Default)]
pub(crate) struct Arrival {
    /// The customer its sender is known as (used when no order names one).
    pub customer: Option<redress_domain::CustomerId>,
    /// How the sender is named when the case has no email (a phone number, a chat name).
    pub handle: Option<String>,
    /// The received message, recorded in the case's transaction with the case and first
    /// message filled in (a message recorded before refuses the case with
    /// `Conflict::Duplicate`).
    pub record: Option<redress_storage::channels::InboundRecord>,
}

/// Opens a case as [`open`] does, for a message that arrived on a channel.
pub(crate) async fn open_received(
    app: &App,
    caller: &Caller,
    input: OpenCase,
    arrival: Arrival,
) -> AppResult<CaseView> {
    let Arrival { customer, handle, record: received } = arrival;
    let store_id = caller.require(Action::WorkCases)?;
    let read_message = input.kind.is_none();
    let storage = app.storage();
    let order = match (&input.order_id, &input.order_number) {
        (Some(id), _) => {
            let id: OrderId = id.parse().map_err(|_| AppError::invalid("order_id", "not an order id"))?;
            Some(storage.order(store_id, id).await?)
        }
        (None, Some(number)) => Some(storage.order_by_number(store_id, number.trim()).await?.ok_or_else(|| {
            AppError::invalid("order_number", format!("no order numbered `{}` in this store", number.trim()))
        })?),
        (None, None) => None,
    };
    if let Caller::Customer { order_id, .. } = caller
        && order.as_ref().map(|o| o.id) != Some(*order_id)
    {
        return Err(AppError::not_found("order"));
    }
    let customer = match (&order, customer) {
        (Some(order), _) => Some(storage.customer(store_id, order.customer_id).await?),
        (None, Some(known)) => Some(storage.customer(store_id, known).await?),
        (None, None) => None,
    };
    if !input.lines.is_empty() {
        let Some(order) = &order else {
            return Err(AppError::invalid("lines", "lines are of an order: give order_id or order_number"));
        };
        affected_lines(order, &input.lines)?;
    }
    let customer_email = match &input.customer_email {
        Some(email) => Some(EmailAddress::parse(email).map_err(|e| AppError::invalid("customer_email", e.problem))?),
        None => customer.as_ref().map(|c| c.email.clone()),
    };
    let given_language = input
        .language
        .as_deref()
        .map(LanguageTag::parse)
        .transpose()
        .map_err(|e| AppError::invalid("language", e.problem))?;
    redress_domain::case::validate_subject(&input.subject)?;
    redress_domain::message::validate_body(&input.message.body).map_err(|e| AppError::from(e).at("message.body"))?;
    let text = format!("{}\n{}", input.subject, input.message.body);
    // Earlier cases about the same order are earlier contacts: writing again is a signal.
    let earlier_contacts = match (&order, read_message) {
        (Some(order), true) => {
            let filter = CaseFilter { order_id: Some(order.id), ..CaseFilter::default() };
            u32::try_from(storage.cases(store_id, &filter, None, 20).await?.cases.len()).unwrap_or(u32::MAX)
        }
        _ => 0,
    };
    let analysis = read_message.then(|| {
        let context = redress_text::Context {
            lang_hint: given_language.as_ref().map(|l| l.as_str()),
            earlier_messages_from_customer: earlier_contacts,
        };
        app.understanding().understand_with(&text, &context)
    });
    // The language: as given, else as the shop knows the customer, else as detected (when
    // detection is sure), else the store's default.
    let detected_language = || {
        let (tag, confidence) = match &analysis {
            Some(a) if !a.language.from_hint && a.language.supported => (a.language.tag, a.language.confidence),
            Some(_) => return None,
            None => app.understanding().detect_language(&text)?,
        };
        if confidence >= 0.5 { LanguageTag::parse(tag).ok() } else { None }
    };
    let language = match given_language.or_else(|| customer.as_ref().and_then(|c| c.language.clone())) {
        Some(tag) => tag,
        None => match detected_language() {
            Some(tag) => tag,
            None => storage.store(store_id).await?.default_language,
        },
    };
    let understood = analysis.as_ref().map(|a| understood(a, &language));
    let kind = input.kind.unwrap_or(match &understood {
        Some(u) if !u.low_confidence => u.kind,
        _ => IssueKind::Other,
    });
    let sentiment = input.sentiment.or(understood.as_ref().map(|u| u.sentiment)).unwrap_or(Sentiment::Neutral);
    let mut escalation: BTreeSet<_> = input.escalation.into_iter().collect();
    escalation.extend(understood.iter().flat_map(|u| u.escalation.iter().map(|e| e.signal)));
    let customer_actor = Actor::Customer {
        handle: customer_email
            .as_ref()
            .map(ToString::to_string)
            .or(handle)
            .unwrap_or_else(|| "unknown customer".to_owned()),
    };
    let opened_by = match input.channel {
        Channel::Phone | Channel::Api => caller.actor(),
        _ => customer_actor.clone(),
    };
    let now = app.now();
    let case_id = new_id(CaseId::from_uuid);
    let new = NewCase {
        id: case_id,
        store_id,
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
            store_id,
            case_id,
            direction: Direction::Inbound,
            channel: input.channel,
            author: customer_actor,
            body: input.message.body,
            attachments: input.message.attachments,
            created_at: now,
        },
        opened_by,
        understood: understood.clone(),
        lines: input.lines,
    };
    let message = new.first_message.clone();
    let writes = redress_storage::channels::ChannelWrites {
        inbound: received.map(|record| redress_storage::channels::InboundRecord {
            case_id: Some(case_id),
            message_id: Some(message.id),
            ..record
        }),
        outbox: None,
    };
    let mut stored =
        storage.channels().open_case_with(new, now, writes).await.map_err(|e| prefix_message_fields(e.into()))?;
    let mut messages = vec![message];
    // An open incident this case is about answers it at once, instead of the template.
    let answered = match crate::incidents::answer_new_case(app, &stored.case, order.as_ref()).await {
        Some(answered) => Some(answered),
        None => match understood {
            Some(understood) => answer_automatically(app, &stored.case, &understood).await,
            None => None,
        },
    };
    if let Some((answered, reply)) = answered {
        stored.case = answered.case;
        stored.entries.extend(answered.entries);
        messages.push(reply);
    }
    // Everything the view shows was just written: answer from it rather than reading it back.
    let timeline = stored.entries.into_iter().map(TimelineItem::from).collect();
    Ok(CaseView { case: stored.case, messages, timeline })
}

/// Domain validation names message fields bare (`body`); in this request they sit under `message`.
fn prefix_message_fields(mut error: AppError) -> AppError {
    if let Some(field) = &error.field
        && (field == "body" || field.starts_with("attachments"))
    {
        error.field = Some(format!("message.{field}"));
    }
    error
}

/// Sends the reply template as the first answer when the store's policy allows it for this
/// kind and understanding was sure enough. A failure here leaves the case for a person: it is
/// logged, not returned, since the case itself is already stored.
async fn answer_automatically(app: &App, case: &Case, understood: &Understood) -> Option<(StoredChange, Message)> {
    let system = Caller::System { store_id: case.store_id, rule: SystemRule::AutomaticAnswer };
    let policy = match crate::resolution::policy_in_force(app, case.store_id).await {
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
    let draft = match crate::help::draft_reply(app, &system, case).await {
        Ok(draft) => draft,
        Err(e) => {
            tracing::warn!(error = ?e, "cannot draft an automatic answer");
            return None;
        }
    };
    send_system_answer(app, case, format!("{}\n\n{}", draft.subject, draft.body), None).await
}

/// Answers a case as Redress itself (from the outbox on an email or messaging case), with a note on
/// the timeline in the same change when given. A failure leaves the case for a person: it is
/// logged, not returned, since whatever called this has already been stored.
pub(crate) async fn send_system_answer(
    app: &App,
    case: &Case,
    body: String,
    note: Option<String>,
) -> Option<(StoredChange, Message)> {
    let now = app.now();
    let reply = Message {
        id: new_id(MessageId::from_uuid),
        store_id: case.store_id,
        case_id: case.id,
        direction: Direction::Outbound,
        channel: case.channel,
        author: Actor::System,
        body,
        attachments: Vec::new(),
        created_at: now,
    };
    let writes = match crate::channels::outbound_writes(app, case, reply.id, &reply.body, true).await {
        Ok(writes) => writes,
        Err(e) => {
            tracing::warn!(error = ?e, "cannot write a system answer to the outbox");
            return None;
        }
    };
    let sends_mail = writes.outbox.is_some();
    let message = reply.clone();
    let update: redress_storage::CaseUpdateFn = Box::new(move |case: &Case| {
        let mut change = case.add_message(&message, message.created_at)?;
        if let Some(note) = note {
            let noted = change.case.add_note(&note, &Actor::System, message.created_at)?;
            change.entries.extend(noted.entries);
            change.case = noted.case;
        }
        Ok(CaseUpdate { change, message: Some(message) })
    });
    match app.storage().channels().update_case_with(case.store_id, case.id, update, writes).await {
        Ok(answered) => {
            if sends_mail {
                app.wake_outbox();
            }
            Some((answered, reply))
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot store a system answer");
            None
        }
    }
}

/// A case update that adds `message` at its own time, storing it with the change.
pub(crate) fn adding(message: Message) -> redress_storage::CaseUpdateFn {
    Box::new(move |case: &Case| {
        Ok(CaseUpdate { change: case.add_message(&message, message.created_at)?, message: Some(message) })
    })
}

/// Which cases to list.
#[derive(Clone, Debug, Default)]
pub struct CaseQuery {
    /// Only these statuses (any when empty).
    pub statuses: Vec<CaseStatus>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only cases assigned to this team member (an id).
    pub assignee: Option<String>,
    /// Only cases about this order (an id).
    pub order_id: Option<String>,
    /// Page size, 1 to 200 (50 if absent).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of cases.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseList {
    /// The cases, newest first.
    pub cases: Vec<Case>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Reads comma-separated statuses.
pub fn parse_statuses(text: &str) -> AppResult<Vec<CaseStatus>> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| {
            serde_json::from_value::<CaseStatus>(serde_json::Value::String(part.to_owned())).map_err(|_| {
                AppError::new(
                    ErrorCode::UnknownValue,
                    format!("`{part}` is not a status; use new, open, waiting_on_customer, waiting_on_third_party, resolved or closed"),
                )
                .at("status")
            })
        })
        .collect()
}

/// The store's cases, newest first, with filters and cursor paging. A customer lists only the
/// cases about their order.
pub async fn list(app: &App, caller: &Caller, query: CaseQuery) -> AppResult<CaseList> {
    let store_id = caller.require(Action::Read)?;
    let limit = page_size(query.limit)?;
    let after = match query.cursor.as_deref() {
        Some(text) => parse_cursor(text).map(|(created_at_us, id)| Some(CaseCursor { created_at_us, id }))?,
        None => None,
    };
    let mut order_id = query
        .order_id
        .as_deref()
        .map(|id| id.parse::<OrderId>().map_err(|_| AppError::invalid("order_id", "not an order id")))
        .transpose()?;
    if let Caller::Customer { order_id: own, .. } = caller {
        if order_id.is_some_and(|asked| asked != *own) {
            return Ok(CaseList { cases: Vec::new(), next_cursor: None });
        }
        order_id = Some(*own);
    }
    let assignee = query
        .assignee
        .as_deref()
        .map(|id| id.parse().map_err(|_| AppError::invalid("assignee", "not a team member's id")))
        .transpose()?;
    let filter =
        CaseFilter { statuses: query.statuses, kind: query.kind, priority: query.priority, assignee, order_id };
    let page = app.storage().cases(store_id, &filter, after, limit).await?;
    Ok(CaseList { cases: page.cases, next_cursor: page.next.map(|c| cursor_text(c.created_at_us, c.id)) })
}

/// One case with its messages and timeline.
pub async fn view(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<CaseView> {
    caller.require(Action::Read)?;
    let case = visible_case(app, caller, case_id).await?;
    let storage = app.storage();
    let (messages, timeline) =
        tokio::try_join!(storage.messages(case.store_id, case.id), storage.timeline(case.store_id, case.id))?;
    Ok(CaseView { case, messages, timeline: timeline.into_iter().map(TimelineItem::from).collect() })
}

/// One case.
pub async fn case(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<Case> {
    caller.require(Action::Read)?;
    visible_case(app, caller, case_id).await
}

async fn update(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    change: impl FnOnce(&Case) -> Result<CaseUpdate, redress_domain::CaseError> + Send + 'static,
) -> AppResult<StoredChange> {
    let store_id = caller.require(Action::WorkCases)?;
    visible_case(app, caller, case_id).await?;
    Ok(app.storage().update_case(store_id, case_id, Box::new(change)).await?)
}

pub(crate) fn staff_only(caller: &Caller) -> AppResult<()> {
    if caller.is_customer() { Err(AppError::forbidden("that is for the shop's team")) } else { Ok(()) }
}

/// A message to add to a case.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// `inbound` from the customer or `outbound` to them.
    pub direction: Direction,
    /// The text.
    pub body: String,
    /// The channel; the case's own if absent.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// For an inbound message relayed by the shop's system: the customer's handle on the
    /// channel (the case's email if absent). Outbound messages are written by the caller.
    #[serde(default)]
    pub author: Option<String>,
    /// Files sent with it.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// A case after a message was added, with the message.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageAdded {
    /// The case as it now is.
    pub case: Case,
    /// The stored message.
    pub message: Message,
}

/// Adds a message to a case. An outbound message is written by the caller (a customer only
/// writes inbound, as themselves); a customer's answer to a case waiting for them reopens it.
pub async fn add_message(app: &App, caller: &Caller, case_id: CaseId, input: NewMessage) -> AppResult<MessageAdded> {
    let store_id = caller.require(Action::WorkCases)?;
    let message_id = new_id(MessageId::from_uuid);
    let now = app.now();
    if caller.is_customer() && (input.direction == Direction::Outbound || input.author.is_some()) {
        return Err(AppError::forbidden("a customer writes to the shop as themselves"));
    }
    if input.direction == Direction::Outbound && input.author.is_some() {
        return Err(AppError::invalid("author", "an outbound message is written by the caller; leave author out"));
    }
    let writer = caller.actor();
    let customer_handle = match caller {
        Caller::Customer { handle, .. } => Some(handle.clone()),
        _ => None,
    };
    let current = visible_case(app, caller, case_id).await?;
    // An answer goes out on the case's channel (email, a messaging app), from the outbox, in the
    // same transaction; one written for another channel is recorded only.
    let writes = if input.direction == Direction::Outbound && input.channel.is_none_or(|c| c == current.channel) {
        crate::channels::outbound_writes(app, &current, message_id, &input.body, false).await?
    } else {
        redress_storage::channels::ChannelWrites::default()
    };
    let sends_mail = writes.outbox.is_some();
    let change = move |case: &Case| {
        let given = input.author.as_deref().map(|name| person_name("author", name)).transpose()?;
        let author = match input.direction {
            Direction::Inbound => Actor::Customer {
                handle: given.or(customer_handle).unwrap_or_else(|| {
                    case.customer_email.as_ref().map_or_else(|| "unknown customer".to_owned(), |e| e.to_string())
                }),
            },
            Direction::Outbound => writer,
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
    };
    let stored = app.storage().channels().update_case_with(store_id, case_id, Box::new(change), writes).await?;
    if sends_mail {
        app.wake_outbox();
    }
    let message = app
        .storage()
        .messages(store_id, case_id)
        .await?
        .into_iter()
        .find(|m| m.id == message_id)
        .ok_or_else(|| AppError::internal("a stored message could not be read back"))?;
    Ok(MessageAdded { case: stored.case, message })
}

/// Moves a case to another status, as the status machine allows.
pub async fn change_status(app: &App, caller: &Caller, case_id: CaseId, to: CaseStatus) -> AppResult<Case> {
    staff_only(caller)?;
    let (actor, now) = (caller.actor(), app.now());
    let stored = update(app, caller, case_id, move |case| {
        Ok(CaseUpdate { change: case.change_status(to, &actor, now)?, message: None })
    })
    .await?;
    Ok(stored.case)
}

/// Gives a case to a member of the store's team (by id), or takes it back with `None`.
pub async fn assign(app: &App, caller: &Caller, case_id: CaseId, assignee: Option<&str>) -> AppResult<Case> {
    staff_only(caller)?;
    caller.require(Action::WorkCases)?;
    visible_case(app, caller, case_id).await?;
    let to = match assignee {
        Some(id) => Some(team_member(app, caller, id).await?),
        None => None,
    };
    let (actor, now) = (caller.actor(), app.now());
    let stored = update(app, caller, case_id, move |case| {
        Ok(CaseUpdate { change: case.assign(to, &actor, now)?, message: None })
    })
    .await?;
    Ok(stored.case)
}

/// The member of the caller's team with this id, as a case is assigned to them; anyone else
/// (a name, an id from another store, a removed member) is refused.
pub async fn team_member(app: &App, caller: &Caller, id: &str) -> AppResult<Assignee> {
    let store_id = caller.require(Action::WorkCases)?;
    let id = id
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("assignee", "not a team member's id; see GET /api/v1/agents"))?;
    let agent = app.storage().team().agent(store_id, id).await.map_err(|e| match e {
        redress_storage::StorageError::NotFound(_) => AppError::invalid("assignee", "no such member on the team"),
        other => other.into(),
    })?;
    Ok(Assignee { agent_id: agent.id, name: agent.name })
}

/// Adds an internal note to a case's timeline, written by the caller.
pub async fn add_note(app: &App, caller: &Caller, case_id: CaseId, body: String) -> AppResult<Case> {
    staff_only(caller)?;
    let (actor, now) = (caller.actor(), app.now());
    let stored = update(app, caller, case_id, move |case| {
        Ok(CaseUpdate { change: case.add_note(&body, &actor, now)?, message: None })
    })
    .await?;
    Ok(stored.case)
}

/// A phone call to log on a case.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PhoneCall {
    /// `inbound` (the customer called) or `outbound` (the shop called them).
    pub direction: Direction,
    /// How long it lasted, in seconds, at most 14,400 (0: not answered).
    pub duration_seconds: u32,
    /// What was said and agreed, for the team.
    pub summary: String,
}

/// Logs a phone call on a case's timeline; the caller is the agent who took or made it.
pub async fn log_call(app: &App, caller: &Caller, case_id: CaseId, call: PhoneCall) -> AppResult<Case> {
    staff_only(caller)?;
    let (actor, now) = (caller.actor(), app.now());
    let stored = update(app, caller, case_id, move |case| {
        let change = case.log_call(call.direction, call.duration_seconds, &call.summary, &actor, now)?;
        Ok(CaseUpdate { change, message: None })
    })
    .await?;
    Ok(stored.case)
}

/// Sets a case's priority by hand.
pub async fn change_priority(app: &App, caller: &Caller, case_id: CaseId, to: Priority) -> AppResult<Case> {
    staff_only(caller)?;
    let (actor, now) = (caller.actor(), app.now());
    let stored = update(app, caller, case_id, move |case| {
        Ok(CaseUpdate { change: case.change_priority(to, &actor, now)?, message: None })
    })
    .await?;
    Ok(stored.case)
}

/// A correction of how a case was classified; absent fields stay as they are.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The right issue kind.
    #[serde(default)]
    pub kind: Option<IssueKind>,
    /// The right language (BCP 47).
    #[serde(default)]
    pub language: Option<String>,
    /// The right tone.
    #[serde(default)]
    pub sentiment: Option<Sentiment>,
}

/// Corrects a case's kind, language or tone. The priority is judged again, triage ends, and
/// the correction is kept as training feedback.
pub async fn correct_classification(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    input: CorrectionRequest,
) -> AppResult<Case> {
    staff_only(caller)?;
    let correction = Classification {
        kind: input.kind,
        language: input
            .language
            .as_deref()
            .map(LanguageTag::parse)
            .transpose()
            .map_err(|e| AppError::invalid("language", e.problem))?,
        sentiment: input.sentiment,
    };
    let (actor, now) = (caller.actor(), app.now());
    let stored = update(app, caller, case_id, move |case| {
        Ok(CaseUpdate { change: case.correct_classification(&correction, &actor, now)?, message: None })
    })
    .await?;
    Ok(stored.case)
}

/// Reads a case id given as text.
pub fn case_id(text: &str) -> AppResult<CaseId> {
    parse_id(text, "case")
}
