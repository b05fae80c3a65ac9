//! The case timeline: an append-only record of everything that happened on a case.
//!
//! The domain produces [`TimelineEntry`] values; storage appends them in the same transaction
//! as the change they describe and numbers them. Nothing ever edits or deletes an entry.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::case::{CaseStatus, Classification, Priority, Understood};
use crate::claim::ClaimResolution;
use crate::decision::LineQuantity;
use crate::dispute::{DisputeReason, DisputeStatus};
use crate::explain::RuleId;
use crate::ids::{ClaimId, DisputeId, MessageId, OrderId, PaymentId, PostingId, RefundId, ReturnId};
use crate::ledger::MovementKind;
use crate::message::Direction;
use crate::money::Money;
use crate::refund::{RefundMethod, RefundReason};
use crate::returns::{InspectionOutcome, ReturnStatus};
use crate::store::LanguageTag;
use crate::taxonomy::{Channel, Fault, IssueKind, Remedy};
use crate::transaction_check::Finding;

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
    /// The self-service assistant, acting for the customer who proved they hold the order,
    /// within what the policy lets a customer do alone.
    Assistant {
        /// The customer it acted for: the order's email.
        customer: String,
    },
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
    /// A phone call with the customer, logged by the agent who took or made it.
    CallLogged {
        /// Inbound: the customer called; outbound: the shop called them.
        direction: Direction,
        /// How long it lasted, in seconds (0: not answered).
        duration_seconds: u32,
        /// What was said and agreed.
        summary: String,
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
    /// Fault was attributed by the engine or changed by an agent, for the case or one line.
    FaultChanged {
        /// The line's SKU; none for the whole case.
        sku: Option<String>,
        /// Before.
        from: Fault,
        /// After.
        to: Fault,
        /// Why, when a person changed it.
        note: Option<String>,
    },
    /// The engine decided what can be done.
    Decided {
        /// The policy applied.
        policy_id: String,
        /// Its version.
        policy_version: u32,
        /// Remedies offered, in order of preference.
        offers: Vec<Remedy>,
        /// The one recommended.
        recommended: Remedy,
        /// The rules that produced it.
        rules: Vec<RuleId>,
    },
    /// A remedy was chosen and carried out (or handed to the money layer).
    RemedyCarriedOut {
        /// The remedy.
        remedy: Remedy,
        /// Money it moves to the customer, if any.
        amount: Option<Money>,
        /// What it created: a return or claim id, or a description.
        reference: Option<String>,
    },
    /// The order was changed before shipping.
    OrderAmended {
        /// The order.
        order_id: OrderId,
        /// What kind of amendment.
        amendment: crate::amendment::AmendmentKind,
        /// The changed part before.
        before: String,
        /// The changed part after.
        after: String,
        /// What the customer owes (positive) or is owed (negative).
        difference: Money,
    },
    /// A return was requested.
    ReturnRequested {
        /// The return.
        return_id: ReturnId,
        /// What is coming back.
        lines: Vec<LineQuantity>,
    },
    /// A return moved through its lifecycle.
    ReturnStatusChanged {
        /// The return.
        return_id: ReturnId,
        /// Before.
        from: ReturnStatus,
        /// After.
        to: ReturnStatus,
        /// Money moved by the step (refund, credit, price difference), if any.
        amount: Option<Money>,
        /// Why, where a person said so.
        note: Option<String>,
    },
    /// A returned line was inspected.
    ReturnLineInspected {
        /// The return.
        return_id: ReturnId,
        /// The line.
        sku: String,
        /// Accepted or rejected.
        outcome: InspectionOutcome,
    },
    /// An exchange was arranged on a return.
    ExchangeArranged {
        /// The return.
        return_id: ReturnId,
        /// What the customer owes (positive) or is owed (negative).
        price_difference: Money,
        /// Shipped before the return arrives, with a charge held.
        instant: bool,
        /// The charge held until the return arrives.
        held: Option<Money>,
    },
    /// A claim was filed.
    ClaimFiled {
        /// The claim.
        claim_id: ClaimId,
        /// What went wrong.
        kind: IssueKind,
        /// How it is resolved.
        resolution: ClaimResolution,
        /// Money to the customer, if any.
        amount: Option<Money>,
        /// The carrier's reference for the carrier claim, if one was filed.
        carrier_reference: Option<String>,
    },
    /// A refund was asked for (the intent is written; no money has moved yet).
    RefundRequested {
        /// The refund intent.
        refund_id: RefundId,
        /// What the customer gets.
        amount: Money,
        /// How.
        method: RefundMethod,
        /// The payment it goes back to, if any.
        payment_id: Option<PaymentId>,
        /// Why.
        reason: RefundReason,
    },
    /// A refund waits for a second person.
    RefundAwaitingApproval {
        /// The refund intent.
        refund_id: RefundId,
        /// Why it needs one.
        because: String,
    },
    /// A refund was approved, by a person or by the rule that it is within the limit.
    RefundApproved {
        /// The refund intent.
        refund_id: RefundId,
        /// The approver, when a person approved.
        by: Option<String>,
        /// The rule, when a rule approved.
        rule: Option<String>,
    },
    /// A refund was rejected by an approver.
    RefundRejected {
        /// The refund intent.
        refund_id: RefundId,
        /// The approver.
        by: String,
        /// Why.
        note: String,
    },
    /// A refund was handed to the payment provider (attempt 1, 2, … with the same key).
    RefundSent {
        /// The refund intent.
        refund_id: RefundId,
        /// Which attempt.
        attempt: u32,
    },
    /// The provider accepted the refund; the money arrives later.
    RefundPending {
        /// The refund intent.
        refund_id: RefundId,
        /// The provider's refund id.
        provider_reference: String,
        /// When the customer should have it by.
        #[serde(with = "crate::refund::iso_date")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        expected_by: time::Date,
    },
    /// The refund went through (or the credit or gift card was issued).
    RefundSucceeded {
        /// The refund intent.
        refund_id: RefundId,
        /// What the customer gets.
        amount: Money,
        /// The provider's refund id, for refunds to the original method.
        provider_reference: Option<String>,
        /// When the customer should have it by.
        #[serde(with = "crate::refund::iso_date::option")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        expected_by: Option<time::Date>,
    },
    /// The provider refused the refund; nothing was paid.
    RefundFailed {
        /// The refund intent.
        refund_id: RefundId,
        /// The provider's reason.
        reason: String,
    },
    /// Money moved: a balanced ledger posting was written.
    MoneyPosted {
        /// The posting.
        posting_id: PostingId,
        /// What kind of movement.
        kind: MovementKind,
        /// The amount that moved.
        amount: Money,
        /// In words.
        memo: String,
    },
    /// The order's payments were checked against it.
    TransactionsChecked {
        /// What was found (nothing wrong when empty).
        findings: Vec<Finding>,
    },
    /// The customer's bank opened a dispute.
    DisputeOpened {
        /// The dispute.
        dispute_id: DisputeId,
        /// Why.
        reason: DisputeReason,
        /// The amount disputed.
        amount: Money,
        /// When the evidence is due.
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        evidence_due_by: OffsetDateTime,
    },
    /// A dispute moved on.
    DisputeStatusChanged {
        /// The dispute.
        dispute_id: DisputeId,
        /// Before.
        from: DisputeStatus,
        /// After.
        to: DisputeStatus,
    },
    /// The payment provider reported a dispute's details changed: the amount, the reason or the
    /// evidence deadline, as they now are.
    DisputeUpdated {
        /// The dispute.
        dispute_id: DisputeId,
        /// The amount disputed.
        amount: Money,
        /// Why.
        reason: DisputeReason,
        /// When the evidence is due.
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        evidence_due_by: OffsetDateTime,
    },
    /// The shop or its carrier reported a parcel of the case's order: sent, moved on,
    /// delivered, lost or returned to the sender. Decisions read the order as it now is.
    ShipmentChanged {
        /// The order.
        order_id: crate::OrderId,
        /// The parcel.
        shipment_id: crate::ShipmentId,
        /// Its carrier.
        carrier: String,
        /// Its tracking number, once there is one.
        tracking_number: Option<String>,
        /// Where it was before; none for a parcel first reported now.
        from: Option<crate::ShipmentStatus>,
        /// Where it is now.
        to: crate::ShipmentStatus,
    },
    /// A service deadline is near.
    SlaWarning {
        /// Which one.
        target: crate::follow_through::SlaTarget,
        /// When it falls.
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        due_at: OffsetDateTime,
    },
    /// A service deadline passed: the case was escalated.
    SlaBreached {
        /// Which one.
        target: crate::follow_through::SlaTarget,
        /// When it fell.
        #[serde(with = "time::serde::rfc3339")]
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
        due_at: OffsetDateTime,
    },
    /// Redress followed the case up on its own.
    FollowedUp {
        /// The step.
        step: crate::follow_through::FollowUpStep,
        /// The return or refund it was about, if any.
        subject: Option<String>,
    },
    /// The customer answered the satisfaction survey.
    SurveyAnswered {
        /// From 1 (bad) to 5 (very good).
        score: u8,
        /// Their words, if any.
        comment: Option<String>,
    },
    /// The customer's personal data on the case was erased (their request, or the store's
    /// retention period): the case's words are placeholders from here back.
    CustomerErased {
        /// Why.
        reason: crate::privacy::ErasureReason,
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
