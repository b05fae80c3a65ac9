//! A case: one customer problem with one order (or none), and its state machine.
//!
//! Every change is a method that takes the current case and returns a [`CaseChange`] (the new
//! case plus the timeline entries to append) or a [`CaseError`]. Storage commits both in one
//! transaction, so the timeline can never disagree with the case.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::decision::LineQuantity;
use crate::fault::FaultAttribution;
use crate::ids::{AgentId, CaseId, CustomerId, OrderId, StoreId};
use crate::message::{Direction, Message, validate_body};
use crate::store::{EmailAddress, LanguageTag, ValidationError};
use crate::taxonomy::{Channel, EscalationSignal, Fault, IssueKind, Sentiment};
use crate::timeline::{Actor, CaseEvent, TimelineEntry};

/// The human-friendly number of a case within its store, counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = u64))]
#[serde(transparent)]
pub struct CaseNumber(pub u64);

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Nobody has looked at it yet.
    New,
    /// Being worked on.
    Open,
    /// Waiting for the customer to answer.
    WaitingOnCustomer,
    /// Waiting for a carrier, payment provider or supplier.
    WaitingOnThirdParty,
    /// The problem is solved; the customer may still come back.
    Resolved,
    /// Done for good; only an explicit reopen brings it back.
    Closed,
}

impl CaseStatus {
    /// Every status.
    pub const ALL: &'static [CaseStatus] =
        &[Self::New, Self::Open, Self::WaitingOnCustomer, Self::WaitingOnThirdParty, Self::Resolved, Self::Closed];

    /// The statuses an agent may move a case to from this one. Nothing goes back to `new`;
    /// `resolved` and `closed` go back to `open` only through a reopen.
    pub const fn next(&self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            New => &[Open, WaitingOnCustomer, WaitingOnThirdParty, Resolved, Closed],
            Open => &[WaitingOnCustomer, WaitingOnThirdParty, Resolved, Closed],
            WaitingOnCustomer => &[Open, WaitingOnThirdParty, Resolved, Closed],
            WaitingOnThirdParty => &[Open, WaitingOnCustomer, Resolved, Closed],
            Resolved => &[Open, Closed],
            Closed => &[Open],
        }
    }

    /// True for resolved and closed: nothing left to do.
    pub const fn is_done(&self) -> bool {
        matches!(self, CaseStatus::Resolved | CaseStatus::Closed)
    }

    /// The snake_case id.
    pub const fn as_str(&self) -> &'static str {
        use CaseStatus::*;
        match self {
            New => "new",
            Open => "open",
            WaitingOnCustomer => "waiting_on_customer",
            WaitingOnThirdParty => "waiting_on_third_party",
            Resolved => "resolved",
            Closed => "closed",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How soon a case needs a person. Ordered from least to most urgent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// A question that can wait.
    Low,
    /// The usual.
    Normal,
    /// The customer has lost money or goods, or is upset.
    High,
    /// A bank dispute or legal action is threatened.
    Urgent,
}

impl Priority {
    /// Every priority, least urgent first.
    pub const ALL: &'static [Priority] = &[Self::Low, Self::Normal, Self::High, Self::Urgent];

    /// Judges a new case: questions are low, losses are high, a negative tone or a public,
    /// repeated or urgent complaint raises it one step, and a threatened chargeback or legal
    /// action makes it urgent.
    pub fn assess(kind: IssueKind, sentiment: Sentiment, escalation: &BTreeSet<EscalationSignal>) -> Priority {
        if escalation.contains(&EscalationSignal::Chargeback) || escalation.contains(&EscalationSignal::Legal) {
            return Priority::Urgent;
        }
        let mut priority = if kind.is_loss() {
            Priority::High
        } else if matches!(kind, IssueKind::Other | IssueKind::ReturnPolicyQuestion) {
            Priority::Low
        } else {
            Priority::Normal
        };
        let raised = sentiment == Sentiment::Negative
            || escalation.iter().any(|s| {
                matches!(s, EscalationSignal::PublicReview | EscalationSignal::RepeatContact | EscalationSignal::Urgent)
            });
        if raised {
            priority = priority.raised();
        }
        priority
    }

    /// One step more urgent, up to urgent.
    pub const fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Normal,
            Priority::Normal => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }

    /// How long the shop has to give a first answer at this priority.
    pub const fn response_target(&self) -> Duration {
        match self {
            Priority::Urgent => Duration::hours(1),
            Priority::High => Duration::hours(4),
            Priority::Normal => Duration::hours(24),
            Priority::Low => Duration::hours(72),
        }
    }

    /// The snake_case id.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// The team member a case is given to: who they are, and their name when it was given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assignee {
    /// The team member.
    pub agent_id: AgentId,
    /// Their name, as the timeline shows it.
    pub name: String,
}

/// Reads an assignee, or a name kept before assignees were team members by id: such a name
/// names no one now, so the case reads as unassigned.
fn assignee_or_legacy<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Assignee>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Member(Assignee),
        Name(#[allow(dead_code)] String),
    }
    Ok(match Option::<Stored>::deserialize(deserializer)? {
        Some(Stored::Member(assignee)) => Some(assignee),
        Some(Stored::Name(_)) | None => None,
    })
}

/// One customer problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    /// The case's id.
    pub id: CaseId,
    /// The store it belongs to.
    pub store_id: StoreId,
    /// Number within the store, shown to people as `#1042`.
    pub number: CaseNumber,
    /// The order it is about, if any.
    pub order_id: Option<OrderId>,
    /// The customer, if known.
    pub customer_id: Option<CustomerId>,
    /// The address replies go to, if known.
    pub customer_email: Option<EmailAddress>,
    /// A one-line summary.
    pub subject: String,
    /// What went wrong.
    pub kind: IssueKind,
    /// The channel the customer used first.
    pub channel: Channel,
    /// The customer's language.
    pub language: LanguageTag,
    /// Tone of the customer's messages.
    pub sentiment: Sentiment,
    /// Escalation signals found.
    pub escalation: BTreeSet<EscalationSignal>,
    /// How urgent it is.
    pub priority: Priority,
    /// Where it stands.
    pub status: CaseStatus,
    /// The team member working on it.
    #[serde(default, deserialize_with = "assignee_or_legacy")]
    pub assignee: Option<Assignee>,
    /// When it was opened.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When the first answer is due by the priority's target.
    #[serde(with = "time::serde::rfc3339")]
    pub response_due_at: OffsetDateTime,
    /// Who caused the problem, for the case and per line: set by the engine, changed by agents.
    #[serde(default)]
    pub fault: FaultAttribution,
    /// Counts changes; storage uses it to refuse a change made on a stale copy.
    pub version: u64,
    /// True while message understanding was unsure and no person has confirmed the
    /// classification: the case waits for triage instead of an automatic answer.
    #[serde(default)]
    pub needs_triage: bool,
    /// The order lines the case is about, with quantities, as reported when it was opened;
    /// empty when the whole order is concerned or nobody said. Decisions default to them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineQuantity>,
}

/// What is needed to open a case, apart from its number, which storage allocates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCase {
    /// The case's id.
    pub id: CaseId,
    /// The store.
    pub store_id: StoreId,
    /// The order it is about, if any.
    pub order_id: Option<OrderId>,
    /// The customer, if known.
    pub customer_id: Option<CustomerId>,
    /// The address replies go to, if known.
    pub customer_email: Option<EmailAddress>,
    /// A one-line summary.
    pub subject: String,
    /// What went wrong.
    pub kind: IssueKind,
    /// The customer's language.
    pub language: LanguageTag,
    /// Tone of the first message.
    pub sentiment: Sentiment,
    /// Escalation signals in the first message.
    pub escalation: BTreeSet<EscalationSignal>,
    /// The first message; it sets the case's channel.
    pub first_message: Message,
    /// Who opened it.
    pub opened_by: Actor,
    /// What message understanding made of the first message, when it was asked.
    pub understood: Option<Understood>,
    /// The order lines concerned, already checked against the order by the caller.
    pub lines: Vec<LineQuantity>,
}

/// What message understanding made of a message, as recorded on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Understood {
    /// The issue kind it read.
    pub kind: IssueKind,
    /// How sure it was of the kind, 0 to 100.
    pub confidence_pct: u8,
    /// True when it was not sure enough to act on: a person should triage.
    pub low_confidence: bool,
    /// The runner-up kinds, most likely first.
    pub alternatives: Vec<IssueKind>,
    /// The language it detected.
    pub language: LanguageTag,
    /// The tone it read.
    pub sentiment: Sentiment,
    /// Escalation signals with the words that triggered them.
    pub escalation: Vec<SignalFound>,
}

/// An escalation signal and the words that raised it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalFound {
    /// The signal.
    pub signal: EscalationSignal,
    /// The words in the message that raised it.
    pub triggers: Vec<String>,
}

/// An agent's correction of how a case was classified; each given field replaces the current
/// value. Kept as training feedback.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Classification {
    /// The right issue kind.
    pub kind: Option<IssueKind>,
    /// The right language.
    pub language: Option<LanguageTag>,
    /// The right tone.
    pub sentiment: Option<Sentiment>,
}

/// A case after a change, with the timeline entries that record the change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseChange {
    /// The case as it now is.
    pub case: Case,
    /// What to append to its timeline, in order.
    pub entries: Vec<TimelineEntry>,
}

/// Why a change to a case was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The status machine does not allow this move.
    #[error("a case cannot go from {from} to {to}")]
    IllegalTransition {
        /// Current status.
        from: CaseStatus,
        /// Requested status.
        to: CaseStatus,
    },
    /// The change would change nothing.
    #[error("the case is already {0}")]
    NoChange(String),
    /// The case is closed; reopen it first.
    #[error("case {0} is closed: reopen it before adding messages")]
    Closed(CaseNumber),
    /// A field breaks its rules.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// The longest phone call logged: 4 hours.
pub const MAX_CALL_SECONDS: u32 = 4 * 60 * 60;

/// Checks a case subject: present, at most 300 characters.
pub fn validate_subject(subject: &str) -> Result<(), ValidationError> {
    if subject.trim().is_empty() || subject.chars().count() > 300 {
        return Err(ValidationError::new("subject", "give a subject of 1 to 300 characters"));
    }
    Ok(())
}

impl NewCase {
    /// Checks what a case is opened with (subject, first message, lines), so storage can refuse
    /// a bad one before it hands out a case number.
    pub fn validate(&self) -> Result<(), CaseError> {
        validate_subject(&self.subject)?;
        self.first_message.validate()?;
        if !self.lines.is_empty() && self.order_id.is_none() {
            return Err(ValidationError::new("lines", "lines are of an order: name the order").into());
        }
        if self.first_message.case_id != self.id || self.first_message.store_id != self.store_id {
            return Err(ValidationError::new("message", "the first message must belong to the new case").into());
        }
        Ok(())
    }
}

impl Case {
    /// Opens a case with its first message. The priority comes from [`Priority::assess`] and
    /// the response deadline from the priority.
    pub fn open(new: NewCase, number: CaseNumber, now: OffsetDateTime) -> Result<CaseChange, CaseError> {
        new.validate()?;
        let priority = Priority::assess(new.kind, new.sentiment, &new.escalation);
        let channel = new.first_message.channel;
        let case = Case {
            id: new.id,
            store_id: new.store_id,
            number,
            order_id: new.order_id,
            customer_id: new.customer_id,
            customer_email: new.customer_email,
            subject: new.subject.trim().to_owned(),
            kind: new.kind,
            channel,
            language: new.language.clone(),
            sentiment: new.sentiment,
            escalation: new.escalation,
            priority,
            status: CaseStatus::New,
            assignee: None,
            created_at: now,
            updated_at: now,
            response_due_at: now + priority.response_target(),
            fault: FaultAttribution { case: new.kind.typical_fault(), lines: Default::default() },
            version: 1,
            // Unsure understanding and no kind from anyone else: a person should look first.
            needs_triage: new.kind == IssueKind::Other && new.understood.as_ref().is_some_and(|u| u.low_confidence),
            lines: new.lines,
        };
        let mut entries = vec![
            TimelineEntry {
                at: now,
                actor: new.opened_by.clone(),
                event: CaseEvent::Opened { kind: new.kind, channel, language: new.language, priority },
            },
            TimelineEntry {
                at: now,
                actor: new.first_message.author.clone(),
                event: CaseEvent::MessageAdded {
                    message_id: new.first_message.id,
                    direction: new.first_message.direction,
                    channel,
                },
            },
        ];
        if let Some(understood) = new.understood {
            entries.push(TimelineEntry { at: now, actor: Actor::System, event: CaseEvent::Understood(understood) });
        }
        Ok(CaseChange { case, entries })
    }

    /// A copy stamped as changed at `now`.
    fn touched(&self, now: OffsetDateTime) -> Case {
        let mut next = self.clone();
        next.updated_at = now;
        next.version += 1;
        next
    }

    /// The entries for a move to `to`, with a reopen entry when it leaves resolved or closed.
    fn status_entries(&self, to: CaseStatus, actor: &Actor, now: OffsetDateTime) -> Vec<TimelineEntry> {
        let mut entries = Vec::with_capacity(2);
        if self.status.is_done() && !to.is_done() {
            entries.push(TimelineEntry {
                at: now,
                actor: actor.clone(),
                event: CaseEvent::Reopened { from: self.status },
            });
        }
        entries.push(TimelineEntry {
            at: now,
            actor: actor.clone(),
            event: CaseEvent::StatusChanged { from: self.status, to },
        });
        entries
    }

    /// Moves the case to another status, if the status machine allows it.
    pub fn change_status(&self, to: CaseStatus, actor: &Actor, now: OffsetDateTime) -> Result<CaseChange, CaseError> {
        if self.status == to {
            return Err(CaseError::NoChange(to.to_string()));
        }
        if !self.status.next().contains(&to) {
            return Err(CaseError::IllegalTransition { from: self.status, to });
        }
        let entries = self.status_entries(to, actor, now);
        let mut case = self.touched(now);
        case.status = to;
        Ok(CaseChange { case, entries })
    }

    /// Gives the case to a team member, or unassigns it with `None`. Assigning a new case opens
    /// it: someone is now on it.
    pub fn assign(&self, to: Option<Assignee>, actor: &Actor, now: OffsetDateTime) -> Result<CaseChange, CaseError> {
        if self.assignee.as_ref().map(|a| a.agent_id) == to.as_ref().map(|a| a.agent_id) {
            return Err(CaseError::NoChange(match &to {
                Some(assignee) => format!("assigned to {}", assignee.name),
                None => "unassigned".to_owned(),
            }));
        }
        let mut entries = vec![TimelineEntry {
            at: now,
            actor: actor.clone(),
            event: CaseEvent::Assigned {
                from: self.assignee.as_ref().map(|a| a.name.clone()),
                to: to.as_ref().map(|a| a.name.clone()),
            },
        }];
        let mut case = self.touched(now);
        if self.status == CaseStatus::New && to.is_some() {
            entries.extend(self.status_entries(CaseStatus::Open, actor, now));
            case.status = CaseStatus::Open;
        }
        case.assignee = to;
        Ok(CaseChange { case, entries })
    }

    /// Adds a message. A customer's message on a case waiting for them, or on a resolved case,
    /// puts it back in front of an agent; an agent's first answer opens a new case. A closed
    /// case takes no messages until it is reopened.
    pub fn add_message(&self, message: &Message, now: OffsetDateTime) -> Result<CaseChange, CaseError> {
        message.validate()?;
        if message.case_id != self.id || message.store_id != self.store_id {
            return Err(ValidationError::new("message", "the message belongs to another case").into());
        }
        if self.status == CaseStatus::Closed {
            return Err(CaseError::Closed(self.number));
        }
        let next_status = match (message.direction, self.status) {
            (Direction::Inbound, CaseStatus::WaitingOnCustomer | CaseStatus::Resolved) => Some(CaseStatus::Open),
            (Direction::Outbound, CaseStatus::New) => Some(CaseStatus::Open),
            _ => None,
        };
        let mut entries = vec![TimelineEntry {
            at: now,
            actor: message.author.clone(),
            event: CaseEvent::MessageAdded {
                message_id: message.id,
                direction: message.direction,
                channel: message.channel,
            },
        }];
        let mut case = self.touched(now);
        if let Some(status) = next_status {
            entries.extend(self.status_entries(status, &message.author, now));
            case.status = status;
        }
        Ok(CaseChange { case, entries })
    }

    /// Adds an internal note, seen by agents only. Allowed at any status, closed included:
    /// notes document, they do not reopen.
    pub fn add_note(&self, body: &str, actor: &Actor, now: OffsetDateTime) -> Result<CaseChange, CaseError> {
        validate_body(body)?;
        Ok(CaseChange {
            case: self.touched(now),
            entries: vec![TimelineEntry {
                at: now,
                actor: actor.clone(),
                event: CaseEvent::NoteAdded { body: body.to_owned() },
            }],
        })
    }

    /// Logs a phone call with the customer on the timeline, so the case's story stays whole
    /// whatever channel it went through. A call lasts at most [`MAX_CALL_SECONDS`]; its summary
    /// is checked as a message's body is.
    pub fn log_call(
        &self,
        direction: Direction,
        duration_seconds: u32,
        summary: &str,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<CaseChange, CaseError> {
        if duration_seconds > MAX_CALL_SECONDS {
            return Err(ValidationError::new("duration_seconds", "a call lasts at most 4 hours").into());
        }
        validate_body(summary).map_err(|e| ValidationError::new("summary", e.problem))?;
        Ok(CaseChange {
            case: self.touched(now),
            entries: vec![TimelineEntry {
                at: now,
                actor: actor.clone(),
                event: CaseEvent::CallLogged { direction, duration_seconds, summary: summary.trim().to_owned() },
            }],
        })
    }

    /// Corrects the classification (kind, language, tone). The priority is judged again from
    /// the corrected facts, and the case no longer needs triage: a person has looked at it.
    pub fn correct_classification(
        &self,
        correction: &Classification,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<CaseChange, CaseError> {
        let kind = correction.kind.unwrap_or(self.kind);
        let language = correction.language.clone().unwrap_or_else(|| self.language.clone());
        let sentiment = correction.sentiment.unwrap_or(self.sentiment);
        if kind == self.kind && language == self.language && sentiment == self.sentiment && !self.needs_triage {
            return Err(CaseError::NoChange("classified that way".to_owned()));
        }
        let mut case = self.touched(now);
        let mut entries = vec![TimelineEntry {
            at: now,
            actor: actor.clone(),
            event: CaseEvent::ClassificationCorrected {
                from: Classification {
                    kind: Some(self.kind),
                    language: Some(self.language.clone()),
                    sentiment: Some(self.sentiment),
                },
                to: Classification { kind: Some(kind), language: Some(language.clone()), sentiment: Some(sentiment) },
            },
        }];
        let priority = Priority::assess(kind, sentiment, &self.escalation);
        if priority != self.priority {
            entries.push(TimelineEntry {
                at: now,
                actor: actor.clone(),
                event: CaseEvent::PriorityChanged { from: self.priority, to: priority },
            });
            case.response_due_at = self.created_at + priority.response_target();
        }
        case.kind = kind;
        case.language = language;
        case.sentiment = sentiment;
        case.priority = priority;
        case.needs_triage = false;
        Ok(CaseChange { case, entries })
    }

    /// Sets the priority by hand; the response deadline moves with it, counted from opening.
    pub fn change_priority(&self, to: Priority, actor: &Actor, now: OffsetDateTime) -> Result<CaseChange, CaseError> {
        if self.priority == to {
            return Err(CaseError::NoChange(to.as_str().to_owned()));
        }
        let mut case = self.touched(now);
        case.priority = to;
        case.response_due_at = self.created_at + to.response_target();
        Ok(CaseChange {
            case,
            entries: vec![TimelineEntry {
                at: now,
                actor: actor.clone(),
                event: CaseEvent::PriorityChanged { from: self.priority, to },
            }],
        })
    }
}

impl Case {
    /// Records the fault the engine judged from the facts, for the case and each line that
    /// differs from what is recorded; `None` when nothing differs.
    pub fn attribute_fault(&self, judged: &FaultAttribution, now: OffsetDateTime) -> Option<CaseChange> {
        let mut entries = Vec::new();
        if judged.case != self.fault.case {
            entries.push(TimelineEntry {
                at: now,
                actor: Actor::System,
                event: CaseEvent::FaultChanged { sku: None, from: self.fault.case, to: judged.case, note: None },
            });
        }
        for (sku, fault) in &judged.lines {
            let from = self.fault.for_line(sku);
            if *fault != from {
                entries.push(TimelineEntry {
                    at: now,
                    actor: Actor::System,
                    event: CaseEvent::FaultChanged { sku: Some(sku.clone()), from, to: *fault, note: None },
                });
            }
        }
        if entries.is_empty() {
            return None;
        }
        let mut case = self.touched(now);
        case.fault.case = judged.case;
        for (sku, fault) in &judged.lines {
            if *fault == judged.case {
                case.fault.lines.remove(sku);
            } else {
                case.fault.lines.insert(sku.clone(), *fault);
            }
        }
        Some(CaseChange { case, entries })
    }

    /// An agent sets the fault for the case (`sku` none) or one line, with a note saying why.
    pub fn change_fault(
        &self,
        sku: Option<&str>,
        to: Fault,
        note: &str,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<CaseChange, CaseError> {
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 2000 {
            return Err(ValidationError::new("note", "say why, in 1 to 2000 characters").into());
        }
        let from = match sku {
            Some(sku) => self.fault.for_line(sku),
            None => self.fault.case,
        };
        if from == to {
            return Err(CaseError::NoChange(format!("attributed to {to}")));
        }
        let mut case = self.touched(now);
        match sku {
            Some(sku) => {
                case.fault.lines.insert(sku.to_owned(), to);
            }
            None => case.fault.case = to,
        }
        Ok(CaseChange {
            case,
            entries: vec![TimelineEntry {
                at: now,
                actor: actor.clone(),
                event: CaseEvent::FaultChanged { sku: sku.map(str::to_owned), from, to, note: Some(note.to_owned()) },
            }],
        })
    }

    /// Records on the timeline something that happened around the case (a decision, an
    /// amendment, a return's step), stamping the case as changed.
    pub fn record(&self, entries: Vec<TimelineEntry>, now: OffsetDateTime) -> CaseChange {
        CaseChange { case: self.touched(now), entries }
    }
}

impl CaseChange {
    /// Moves the changed case on to `to` within the same change (a refund carried out resolves
    /// the case), when the status machine allows it and the case is not there already.
    pub fn moving_to(mut self, to: CaseStatus, actor: &Actor, now: OffsetDateTime) -> CaseChange {
        if self.case.status != to && self.case.status.next().contains(&to) {
            let entries = self.case.status_entries(to, actor, now);
            self.case.status = to;
            self.entries.extend(entries);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MessageId;
    use proptest::prelude::*;
    use time::macros::datetime;
    use uuid::Uuid;

    const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);
    const T1: OffsetDateTime = datetime!(2026-11-20 10:00 UTC);

    fn agent() -> Actor {
        Actor::Agent { name: "maria".into() }
    }

    fn message(direction: Direction, n: u128) -> Message {
        Message {
            id: MessageId::from_uuid(Uuid::from_u128(n)),
            store_id: StoreId::from_uuid(Uuid::from_u128(1)),
            case_id: CaseId::from_uuid(Uuid::from_u128(2)),
            direction,
            channel: Channel::Email,
            author: match direction {
                Direction::Inbound => Actor::Customer { handle: "ana@example.com".into() },
                Direction::Outbound => agent(),
            },
            body: "Mi paquete llegó roto".into(),
            attachments: vec![],
            created_at: T0,
        }
    }

    fn new_case() -> NewCase {
        NewCase {
            id: CaseId::from_uuid(Uuid::from_u128(2)),
            store_id: StoreId::from_uuid(Uuid::from_u128(1)),
            order_id: None,
            customer_id: None,
            customer_email: Some(EmailAddress::parse("ana@example.com").unwrap()),
            subject: "Paquete roto".into(),
            kind: IssueKind::DamagedInTransit,
            language: LanguageTag::parse("es").unwrap(),
            sentiment: Sentiment::Negative,
            escalation: BTreeSet::new(),
            first_message: message(Direction::Inbound, 10),
            opened_by: Actor::Customer { handle: "ana@example.com".into() },
            understood: None,
            lines: Vec::new(),
        }
    }

    fn case_in(status: CaseStatus) -> Case {
        let mut case = Case::open(new_case(), CaseNumber(7), T0).unwrap().case;
        case.status = status;
        case
    }

    #[test]
    fn opening_records_the_case_and_its_first_message() {
        let change = Case::open(new_case(), CaseNumber(7), T0).unwrap();
        assert_eq!(change.case.status, CaseStatus::New);
        assert_eq!(change.case.priority, Priority::Urgent, "a loss with a negative tone is raised from high");
        assert_eq!(change.case.response_due_at, T0 + Duration::hours(1));
        assert_eq!(change.case.channel, Channel::Email);
        assert_eq!(change.case.number.to_string(), "#7");
        assert!(matches!(change.entries[0].event, CaseEvent::Opened { kind: IssueKind::DamagedInTransit, .. }));
        assert!(matches!(change.entries[1].event, CaseEvent::MessageAdded { direction: Direction::Inbound, .. }));
    }

    #[test]
    fn opening_refuses_bad_input() {
        let mut blank = new_case();
        blank.subject = "  ".into();
        assert!(matches!(Case::open(blank, CaseNumber(1), T0), Err(CaseError::Invalid(e)) if e.field == "subject"));
        let mut empty = new_case();
        empty.first_message.body = "\n".into();
        assert!(matches!(Case::open(empty, CaseNumber(1), T0), Err(CaseError::Invalid(e)) if e.field == "body"));
        let mut foreign = new_case();
        foreign.first_message.case_id = CaseId::from_uuid(Uuid::from_u128(99));
        assert!(Case::open(foreign, CaseNumber(1), T0).is_err());
    }

    #[test]
    fn every_status_transition_is_legal_or_refused() {
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                let case = case_in(*from);
                let result = case.change_status(*to, &agent(), T1);
                if from == to {
                    assert!(matches!(result, Err(CaseError::NoChange(_))), "{from} -> {to}");
                } else if from.next().contains(to) {
                    let change = result.unwrap();
                    assert_eq!(change.case.status, *to);
                    assert_eq!(change.case.version, case.version + 1);
                    assert_eq!(change.case.updated_at, T1);
                    let last = change.entries.last().unwrap();
                    assert_eq!(last.event, CaseEvent::StatusChanged { from: *from, to: *to });
                    let reopened = change.entries.iter().any(|e| matches!(e.event, CaseEvent::Reopened { .. }));
                    assert_eq!(reopened, from.is_done() && !to.is_done(), "{from} -> {to}");
                } else {
                    assert_eq!(result.unwrap_err(), CaseError::IllegalTransition { from: *from, to: *to });
                }
            }
        }
        // Nothing ever goes back to new.
        assert!(CaseStatus::ALL.iter().all(|s| !s.next().contains(&CaseStatus::New)));
    }

    #[test]
    fn messages_move_the_case_as_a_helpdesk_would() {
        let expectations = [
            (Direction::Inbound, CaseStatus::New, Ok(CaseStatus::New)),
            (Direction::Inbound, CaseStatus::Open, Ok(CaseStatus::Open)),
            (Direction::Inbound, CaseStatus::WaitingOnCustomer, Ok(CaseStatus::Open)),
            (Direction::Inbound, CaseStatus::WaitingOnThirdParty, Ok(CaseStatus::WaitingOnThirdParty)),
            (Direction::Inbound, CaseStatus::Resolved, Ok(CaseStatus::Open)),
            (Direction::Inbound, CaseStatus::Closed, Err(())),
            (Direction::Outbound, CaseStatus::New, Ok(CaseStatus::Open)),
            (Direction::Outbound, CaseStatus::Open, Ok(CaseStatus::Open)),
            (Direction::Outbound, CaseStatus::WaitingOnCustomer, Ok(CaseStatus::WaitingOnCustomer)),
            (Direction::Outbound, CaseStatus::WaitingOnThirdParty, Ok(CaseStatus::WaitingOnThirdParty)),
            (Direction::Outbound, CaseStatus::Resolved, Ok(CaseStatus::Resolved)),
            (Direction::Outbound, CaseStatus::Closed, Err(())),
        ];
        for (direction, from, expected) in expectations {
            let result = case_in(from).add_message(&message(direction, 11), T1);
            match expected {
                Ok(status) => {
                    let change = result.unwrap();
                    assert_eq!(change.case.status, status, "{direction:?} on {from}");
                    assert!(matches!(change.entries[0].event, CaseEvent::MessageAdded { .. }));
                    let status_entries = if status == from { 0 } else { 1 + usize::from(from == CaseStatus::Resolved) };
                    assert_eq!(change.entries.len(), 1 + status_entries, "{direction:?} on {from}");
                }
                Err(()) => assert!(matches!(result, Err(CaseError::Closed(_))), "{direction:?} on {from}"),
            }
        }
    }

    #[test]
    fn assignment_opens_a_new_case_and_refuses_no_ops() {
        let case = case_in(CaseStatus::New);
        let maria = Assignee { agent_id: AgentId::from_uuid(uuid::Uuid::from_u128(9)), name: "Maria".into() };
        let change = case.assign(Some(maria.clone()), &agent(), T1).unwrap();
        assert_eq!(change.case.assignee.as_ref().map(|a| a.name.as_str()), Some("Maria"));
        assert_eq!(change.case.status, CaseStatus::Open);
        assert_eq!(change.entries.len(), 2);
        assert!(matches!(change.case.assign(Some(maria), &agent(), T1), Err(CaseError::NoChange(_))));
        let unassigned = change.case.assign(None, &agent(), T1).unwrap();
        assert_eq!(unassigned.case.assignee, None);
        assert_eq!(unassigned.case.status, CaseStatus::Open);
    }

    #[test]
    fn an_assignee_kept_as_a_bare_name_reads_as_unassigned() {
        let mut stored = serde_json::to_value(case_in(CaseStatus::Open)).unwrap();
        stored["assignee"] = serde_json::json!("maria");
        let case: Case = serde_json::from_value(stored).unwrap();
        assert_eq!(case.assignee, None);
    }

    #[test]
    fn notes_are_allowed_even_when_closed() {
        let change = case_in(CaseStatus::Closed).add_note("customer called, sent photos", &agent(), T1).unwrap();
        assert_eq!(change.case.status, CaseStatus::Closed);
        assert!(case_in(CaseStatus::Open).add_note("", &agent(), T1).is_err());
    }

    #[test]
    fn a_call_is_logged_with_its_direction_length_and_summary() {
        let change = case_in(CaseStatus::Open)
            .log_call(Direction::Inbound, 240, "  Customer called: the parcel came wet.  ", &agent(), T1)
            .unwrap();
        assert_eq!(change.case.status, CaseStatus::Open);
        assert_eq!(
            change.entries[0].event,
            CaseEvent::CallLogged {
                direction: Direction::Inbound,
                duration_seconds: 240,
                summary: "Customer called: the parcel came wet.".into()
            }
        );
        let too_long = case_in(CaseStatus::Open).log_call(Direction::Outbound, MAX_CALL_SECONDS + 1, "x", &agent(), T1);
        assert!(matches!(too_long, Err(CaseError::Invalid(e)) if e.field == "duration_seconds"));
        let empty = case_in(CaseStatus::Open).log_call(Direction::Outbound, 0, " ", &agent(), T1);
        assert!(matches!(empty, Err(CaseError::Invalid(e)) if e.field == "summary"));
    }

    #[test]
    fn priority_rules() {
        let none = BTreeSet::new();
        assert_eq!(Priority::assess(IssueKind::Other, Sentiment::Positive, &none), Priority::Low);
        assert_eq!(Priority::assess(IssueKind::OrderStatus, Sentiment::Neutral, &none), Priority::Normal);
        assert_eq!(Priority::assess(IssueKind::NotReceived, Sentiment::Neutral, &none), Priority::High);
        assert_eq!(
            Priority::assess(IssueKind::Other, Sentiment::Neutral, &BTreeSet::from([EscalationSignal::Legal])),
            Priority::Urgent
        );
        assert_eq!(
            Priority::assess(
                IssueKind::OrderStatus,
                Sentiment::Neutral,
                &BTreeSet::from([EscalationSignal::RepeatContact])
            ),
            Priority::High
        );
        let case = case_in(CaseStatus::Open);
        let change = case.change_priority(Priority::Low, &agent(), T1).unwrap();
        assert_eq!(change.case.response_due_at, T0 + Duration::hours(72));
        assert!(change.case.change_priority(Priority::Low, &agent(), T1).is_err());
    }

    fn understood(low_confidence: bool) -> Understood {
        Understood {
            kind: IssueKind::DamagedInTransit,
            confidence_pct: if low_confidence { 31 } else { 92 },
            low_confidence,
            alternatives: vec![IssueKind::DefectiveItem],
            language: LanguageTag::parse("es").unwrap(),
            sentiment: Sentiment::Negative,
            escalation: vec![],
        }
    }

    #[test]
    fn understanding_is_recorded_and_low_confidence_waits_for_triage() {
        let mut sure = new_case();
        sure.understood = Some(understood(false));
        let change = Case::open(sure, CaseNumber(1), T0).unwrap();
        assert!(!change.case.needs_triage);
        assert!(matches!(change.entries.last().unwrap().event, CaseEvent::Understood(_)));
        assert_eq!(change.entries.last().unwrap().actor, Actor::System);

        let mut unsure = new_case();
        unsure.understood = Some(understood(true));
        assert!(!Case::open(unsure.clone(), CaseNumber(1), T0).unwrap().case.needs_triage, "the kind was given");
        unsure.kind = IssueKind::Other;
        assert!(Case::open(unsure, CaseNumber(1), T0).unwrap().case.needs_triage);
    }

    #[test]
    fn corrections_reclassify_rejudge_priority_and_end_triage() {
        let mut unsure = new_case();
        unsure.understood = Some(understood(true));
        unsure.kind = IssueKind::Other;
        let case = Case::open(unsure, CaseNumber(1), T0).unwrap().case;
        assert_eq!(case.priority, Priority::Normal);
        let fix = Classification {
            kind: Some(IssueKind::ReturnPolicyQuestion),
            sentiment: Some(Sentiment::Neutral),
            language: None,
        };
        let change = case.correct_classification(&fix, &agent(), T1).unwrap();
        assert_eq!(change.case.kind, IssueKind::ReturnPolicyQuestion);
        assert_eq!(change.case.language.as_str(), "es");
        assert_eq!(change.case.priority, Priority::Low);
        assert_eq!(change.case.response_due_at, T0 + Duration::hours(72));
        assert!(!change.case.needs_triage);
        assert!(matches!(change.entries[0].event, CaseEvent::ClassificationCorrected { .. }));
        assert!(matches!(
            change.entries[1].event,
            CaseEvent::PriorityChanged { from: Priority::Normal, to: Priority::Low }
        ));
        // Confirming a triaged case as it is still ends triage; repeating it changes nothing.
        let confirmed = case.correct_classification(&Classification::default(), &agent(), T1).unwrap();
        assert!(!confirmed.case.needs_triage && confirmed.entries.len() == 1);
        assert!(matches!(
            confirmed.case.correct_classification(&Classification::default(), &agent(), T1),
            Err(CaseError::NoChange(_))
        ));
    }

    fn any_status() -> impl Strategy<Value = CaseStatus> {
        proptest::sample::select(CaseStatus::ALL.to_vec())
    }

    proptest! {
        /// Whatever sequence of moves is tried, the case only ever takes legal steps, its
        /// version grows by one per accepted change, and every accepted change is on the timeline.
        #[test]
        fn random_walks_stay_legal(moves in proptest::collection::vec(any_status(), 0..40)) {
            let mut case = case_in(CaseStatus::New);
            let mut timeline = 0usize;
            for to in moves {
                let before = case.clone();
                match case.change_status(to, &agent(), T1) {
                    Ok(change) => {
                        prop_assert!(before.status.next().contains(&to));
                        prop_assert_eq!(change.case.version, before.version + 1);
                        prop_assert!(!change.entries.is_empty());
                        timeline += change.entries.len();
                        case = change.case;
                    }
                    Err(_) => prop_assert!(before.status == to || !before.status.next().contains(&to)),
                }
            }
            prop_assert!(timeline as u64 >= case.version - 1);
        }
    }
}

#[cfg(test)]
mod fault_tests {
    use super::*;
    use crate::ids::MessageId;
    use crate::sample::{Stage, order};
    use time::macros::datetime;
    use uuid::Uuid;

    const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);

    fn case(kind: IssueKind) -> Case {
        let case_id = CaseId::from_uuid(Uuid::from_u128(2));
        let store_id = StoreId::from_uuid(Uuid::from_u128(1));
        let customer = Actor::Customer { handle: "ana@example.com".into() };
        let new = NewCase {
            id: case_id,
            store_id,
            order_id: None,
            customer_id: None,
            customer_email: None,
            subject: "Parcel".into(),
            kind,
            language: LanguageTag::parse("en").unwrap(),
            sentiment: Sentiment::Neutral,
            escalation: BTreeSet::new(),
            first_message: Message {
                id: MessageId::from_uuid(Uuid::from_u128(3)),
                store_id,
                case_id,
                direction: Direction::Inbound,
                channel: Channel::Email,
                author: customer.clone(),
                body: "Where is it?".into(),
                attachments: vec![],
                created_at: T0,
            },
            opened_by: customer,
            understood: None,
            lines: Vec::new(),
        };
        Case::open(new, CaseNumber(1), T0).unwrap().case
    }

    #[test]
    fn the_engine_attributes_fault_from_the_facts_and_agents_change_it_with_a_note() {
        let c = case(IssueKind::NotReceived);
        assert_eq!(c.fault.case, Fault::Carrier, "opened with the kind's typical fault");
        let moving = order(Stage::WithCarrier, T0);
        let judged = crate::fault::attribute(IssueKind::NotReceived, Some(&moving), &["TEE-M".into()]);
        assert_eq!(judged.case, Fault::Unknown, "a parcel still moving is nobody's fault yet");
        let change = c.attribute_fault(&judged, T0).unwrap();
        assert_eq!(change.case.fault.case, Fault::Unknown);
        assert!(matches!(
            change.entries[0].event,
            CaseEvent::FaultChanged { sku: None, from: Fault::Carrier, to: Fault::Unknown, .. }
        ));
        assert!(change.case.attribute_fault(&judged, T0).is_none(), "nothing new to record");
        let lost = order(Stage::Lost, T0);
        assert_eq!(crate::fault::attribute(IssueKind::NotReceived, Some(&lost), &[]).case, Fault::Carrier);

        let agent = Actor::Agent { name: "maria".into() };
        let c = change.case;
        assert!(
            matches!(c.change_fault(None, Fault::Retailer, " ", &agent, T0), Err(CaseError::Invalid(e)) if e.field == "note")
        );
        assert!(matches!(c.change_fault(None, Fault::Unknown, "same", &agent, T0), Err(CaseError::NoChange(_))));
        let line =
            c.change_fault(Some("TEE-M"), Fault::Retailer, "label printed with the wrong address", &agent, T0).unwrap();
        assert_eq!(line.case.fault.for_line("TEE-M"), Fault::Retailer);
        assert_eq!(line.case.fault.case, Fault::Unknown);
        assert_eq!(line.case.version, c.version + 1);
        assert!(
            matches!(&line.entries[0].event, CaseEvent::FaultChanged { sku: Some(s), note: Some(_), .. } if s == "TEE-M")
        );
    }

    #[test]
    fn a_change_can_move_the_case_on_when_the_machine_allows() {
        let c = case(IssueKind::DamagedInTransit);
        let system = Actor::System;
        let moved = c.record(vec![], T0).moving_to(CaseStatus::Resolved, &system, T0);
        assert_eq!(moved.case.status, CaseStatus::Resolved);
        assert_eq!(moved.case.version, c.version + 1, "one change, one version");
        assert!(matches!(moved.entries[0].event, CaseEvent::StatusChanged { to: CaseStatus::Resolved, .. }));
        let stays = moved.case.record(vec![], T0).moving_to(CaseStatus::New, &system, T0);
        assert_eq!(stays.case.status, CaseStatus::Resolved, "never back to new");
        assert!(stays.entries.is_empty());
    }

    #[test]
    fn cases_stored_before_fault_existed_still_read() {
        let mut json = serde_json::to_value(case(IssueKind::Other)).unwrap();
        json.as_object_mut().unwrap().remove("fault");
        let read: Case = serde_json::from_value(json).unwrap();
        assert_eq!(read.fault, FaultAttribution::default());
    }
}
