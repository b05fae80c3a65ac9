//! The case timeline: an append-only record of everything that happened on a case.
//!
//! The domain produces [`TimelineEntry`] values; storage appends them in the same transaction
//! as the change they describe and numbers them. Nothing ever edits or deletes an entry.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::case::{CaseStatus, Classification, Priority, Understood};
use crate::ids::MessageId;
use crate::message::Direction;
use crate::store::LanguageTag;
use crate::taxonomy::{Channel, IssueKind};

/// Who did something.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Actor {
    /// The customer, by the email they wrote from.
    Customer {
        /// Their email address or other handle on the channel.
        handle: String,
    },
    /// A support agent of the store.
    Agent {
        /// The agent's name or login.
        name: String,
    },
    /// Another system, through an API key.
    Integration {
        /// The API key's label.
        name: String,
    },
    /// Redress itself (a rule, a timer).
    System,
}

/// Something that happened on a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEvent {
    /// The case was opened.
    Opened {
        /// What the problem is.
        kind: IssueKind,
        /// Where it came from.
        channel: Channel,
        /// The customer's language.
        language: LanguageTag,
        /// How urgent it was judged.
        priority: Priority,
    },
    /// A message was received or sent.
    MessageAdded {
        /// The message.
        message_id: MessageId,
        /// Which way it went.
        direction: Direction,
        /// On which channel.
        channel: Channel,
    },
    /// The status changed.
    StatusChanged {
        /// Before.
        from: CaseStatus,
        /// After.
        to: CaseStatus,
    },
    /// A resolved or closed case was opened again.
    Reopened {
        /// The status it was reopened from.
        from: CaseStatus,
    },
    /// The case was given to someone, or taken back.
    Assigned {
        /// Previous assignee.
        from: Option<String>,
        /// New assignee; none means unassigned.
        to: Option<String>,
    },
    /// An internal note, seen by agents only.
    NoteAdded {
        /// The note.
        body: String,
    },
    /// Message understanding read the first message.
    Understood(Understood),
    /// An agent corrected the classification.
    ClassificationCorrected {
        /// Before.
        from: Classification,
        /// After.
        to: Classification,
    },
    /// The priority changed.
    PriorityChanged {
        /// Before.
        from: Priority,
        /// After.
        to: Priority,
    },
}

/// One entry of a case's timeline: when, who, what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineEntry {
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it.
    pub actor: Actor,
    /// What happened.
    pub event: CaseEvent,
}
