//! Return authorisations (RMA) and exchanges, with their lifecycle as a state machine.
//!
//! `requested` → `approved` or `rejected` → `label_issued` → `in_transit` → `received` →
//! `inspected` (each line accepted or rejected) → `refunded`, `exchanged`, `credited` or
//! `closed`; `cancelled` at any point before receipt. Every step is a method returning the new
//! return plus the timeline entries, or a [`ReturnError`] that changes nothing. Quantities are
//! checked against what was delivered less what other returns already claim, so they can never
//! go negative or exceed the delivery.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::amendment::ReplacementItem;
use crate::decision::LineQuantity;
use crate::ids::{CaseId, OrderId, ReturnId, StoreId};
use crate::money::{Currency, Money, MoneyError};
use crate::order::{Order, ShipmentStatus};
use crate::policy::{ItemCondition, Payer};
use crate::store::ValidationError;
use crate::taxonomy::{Fault, IssueKind};
use crate::timeline::{Actor, CaseEvent, TimelineEntry};

/// Where a return stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReturnStatus {
    /// Asked for, not yet decided.
    Requested,
    /// Accepted: the customer may send it.
    Approved,
    /// Refused.
    Rejected,
    /// A return label was issued.
    LabelIssued,
    /// On its way back.
    InTransit,
    /// Arrived at the shop.
    Received,
    /// Each line inspected: accepted or rejected.
    Inspected,
    /// Money refunded.
    Refunded,
    /// Exchanged for another item.
    Exchanged,
    /// Store credit given.
    Credited,
    /// Done.
    Closed,
    /// Called off before it arrived.
    Cancelled,
}

impl ReturnStatus {
    /// Every status.
    pub const ALL: &'static [ReturnStatus] = &[
        Self::Requested,
        Self::Approved,
        Self::Rejected,
        Self::LabelIssued,
        Self::InTransit,
        Self::Received,
        Self::Inspected,
        Self::Refunded,
        Self::Exchanged,
        Self::Credited,
        Self::Closed,
        Self::Cancelled,
    ];

    /// The statuses a return may move to from this one.
    pub const fn next(&self) -> &'static [ReturnStatus] {
        use ReturnStatus::*;
        match self {
            Requested => &[Approved, Rejected, Cancelled],
            // A customer may post it back with their own label.
            Approved => &[LabelIssued, InTransit, Received, Cancelled],
            LabelIssued => &[InTransit, Received, Cancelled],
            InTransit => &[Received, Cancelled],
            Received => &[Inspected],
            Inspected => &[Refunded, Exchanged, Credited, Closed],
            Refunded | Exchanged | Credited | Rejected => &[Closed],
            Closed | Cancelled => &[],
        }
    }

    /// True before the parcel reached the shop: it may still be cancelled.
    pub const fn before_receipt(&self) -> bool {
        matches!(self, Self::Requested | Self::Approved | Self::LabelIssued | Self::InTransit)
    }

    /// True when nothing more happens to it.
    pub const fn is_final(&self) -> bool {
        self.next().is_empty()
    }

    /// True while it holds units of the order (everything but rejected and cancelled).
    pub const fn claims_units(&self) -> bool {
        !matches!(self, Self::Rejected | Self::Cancelled)
    }

    /// The snake_case id.
    pub const fn as_str(&self) -> &'static str {
        use ReturnStatus::*;
        match self {
            Requested => "requested",
            Approved => "approved",
            Rejected => "rejected",
            LabelIssued => "label_issued",
            InTransit => "in_transit",
            Received => "received",
            Inspected => "inspected",
            Refunded => "refunded",
            Exchanged => "exchanged",
            Credited => "credited",
            Closed => "closed",
            Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for ReturnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What inspection found for a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InspectionOutcome {
    /// As required: the money or exchange goes ahead.
    Accepted,
    /// Not as required (used, damaged by the customer, not the item sold).
    Rejected,
}

/// The inspection of one returned line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineInspection {
    /// Accepted or rejected.
    pub outcome: InspectionOutcome,
    /// The conditions found to hold.
    #[serde(default)]
    pub condition: BTreeSet<ItemCondition>,
    /// What the inspector saw.
    #[serde(default)]
    pub note: Option<String>,
    /// Names or addresses of the photos taken.
    #[serde(default)]
    pub photos: Vec<String>,
}

/// One line of a return.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnLine {
    /// The order line's SKU.
    pub sku: String,
    /// Units coming back.
    pub quantity: u32,
    /// Why, from the taxonomy.
    pub reason: IssueKind,
    /// Price of one unit as paid.
    pub unit_price: Money,
    /// The inspection, once done.
    #[serde(default)]
    pub inspection: Option<LineInspection>,
}

/// The label the parcel comes back with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnLabel {
    /// Carrier.
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: String,
    /// What the label costs.
    pub cost: Money,
    /// Who pays for it.
    pub paid_by: Payer,
}

/// An exchange on a return: what goes out instead, and the money in between.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Exchange {
    /// What is sent instead, with quantities.
    pub replacements: Vec<ExchangeItem>,
    /// What the customer owes (positive) or is owed (negative).
    pub price_difference: Money,
    /// Shipped before the return arrives.
    pub instant: bool,
    /// For an instant exchange, the charge held until the return arrives.
    pub held: Option<Money>,
}

/// One item sent in an exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExchangeItem {
    /// The item.
    pub item: ReplacementItem,
    /// Units.
    pub quantity: u32,
}

/// A return authorisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnAuthorisation {
    /// The return's id.
    pub id: ReturnId,
    /// The store.
    pub store_id: StoreId,
    /// The case it belongs to.
    pub case_id: CaseId,
    /// The order the goods came from.
    pub order_id: OrderId,
    /// Where it stands.
    pub status: ReturnStatus,
    /// What comes back.
    pub lines: Vec<ReturnLine>,
    /// The order's currency, which every amount is in.
    pub currency: Currency,
    /// Who caused it; decides who pays the label.
    pub fault: Fault,
    /// The label, once issued.
    #[serde(default)]
    pub label: Option<ReturnLabel>,
    /// The exchange, if one was arranged.
    #[serde(default)]
    pub exchange: Option<Exchange>,
    /// What the customer asked to get instead when choosing an exchange, to be sent once the
    /// return is accepted (the exchange step settles it).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exchange_wanted: Vec<ExchangeItem>,
    /// Money refunded or credited at settlement.
    #[serde(default)]
    pub settled_amount: Option<Money>,
    /// Why it was rejected or cancelled, or a closing note.
    #[serde(default)]
    pub note: Option<String>,
    /// Set when a second person must approve it (the remedy that opened it needed approval):
    /// who asked, who therefore cannot approve, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<ReturnApproval>,
    /// When it was requested.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Counts changes.
    pub version: u64,
}

impl ReturnAuthorisation {
    /// The number the customer and the team call the return by (`RMA-1A2B3C4D`): the end of
    /// its id, the same on every page and message.
    pub fn number(&self) -> String {
        let id = self.id.to_string().replace('-', "");
        format!("RMA-{}", id[id.len().saturating_sub(8)..].to_uppercase())
    }
}

/// A return after a change, with the timeline entries for its case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnChange {
    /// The return as it now is.
    pub rma: ReturnAuthorisation,
    /// What to append to the case's timeline.
    pub entries: Vec<TimelineEntry>,
}

/// Why a change to a return was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    /// The lifecycle does not allow this step.
    #[error("a return cannot go from {from} to {to}")]
    IllegalTransition {
        /// Current status.
        from: ReturnStatus,
        /// Requested status.
        to: ReturnStatus,
    },
    /// A field breaks its rules (quantities included).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An amount could not be computed.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The approver may not approve it (four eyes, or the role).
    #[error(transparent)]
    Approval(#[from] crate::approval::ApprovalError),
}

/// A return that waits for a second person's approval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnApproval {
    /// Why a second person must approve.
    pub because: String,
    /// Who asked for it; they cannot approve it.
    pub requested_by: crate::approval::Person,
}

/// What is needed to request a return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewReturn {
    /// The return's id.
    pub id: ReturnId,
    /// The case.
    pub case_id: CaseId,
    /// Lines with reason.
    pub lines: Vec<RequestedLine>,
    /// Who caused it.
    pub fault: Fault,
}

/// One line asked to be returned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RequestedLine {
    /// The SKU.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// Why, from the taxonomy.
    pub reason: IssueKind,
}

/// Units of each SKU delivered to the customer.
pub fn delivered_units(order: &Order) -> BTreeMap<&str, u32> {
    let mut units: BTreeMap<&str, u32> = BTreeMap::new();
    for shipment in order.shipments.iter().filter(|s| s.status == ShipmentStatus::Delivered) {
        for line in &shipment.lines {
            let entry = units.entry(line.sku.as_str()).or_default();
            *entry = entry.saturating_add(line.quantity);
        }
    }
    units
}

/// Units of each SKU that may still be returned: delivered, less what other live returns hold.
pub fn returnable_units<'o>(order: &'o Order, others: &[ReturnAuthorisation]) -> BTreeMap<&'o str, u32> {
    let mut units = delivered_units(order);
    for rma in others.iter().filter(|r| r.order_id == order.id && r.status.claims_units()) {
        for line in &rma.lines {
            if let Some(left) = units.get_mut(line.sku.as_str()) {
                *left = left.saturating_sub(line.quantity);
            }
        }
    }
    units
}

fn entry(actor: &Actor, at: OffsetDateTime, event: CaseEvent) -> TimelineEntry {
    TimelineEntry { at, actor: actor.clone(), event }
}

impl ReturnAuthorisation {
    /// Requests a return of delivered goods. `others` are the order's other returns, so units
    /// already on their way back cannot be claimed twice.
    pub fn request(
        new: NewReturn,
        order: &Order,
        others: &[ReturnAuthorisation],
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        if new.lines.is_empty() {
            return Err(ValidationError::new("lines", "name at least one line to return").into());
        }
        let mut left = returnable_units(order, others);
        let mut lines = Vec::with_capacity(new.lines.len());
        for (i, wanted) in new.lines.iter().enumerate() {
            let at = format!("lines[{i}]");
            let ordered = order.lines.iter().find(|l| l.sku == wanted.sku).ok_or_else(|| {
                ValidationError::new("sku", format!("`{}` is not on the order", wanted.sku)).within(&at)
            })?;
            let available = left.get(wanted.sku.as_str()).copied().unwrap_or(0);
            if wanted.quantity == 0 || wanted.quantity > available {
                return Err(ValidationError::new(
                    "quantity",
                    format!("must be from 1 to {available}: the units delivered and not already being returned"),
                )
                .within(&at)
                .into());
            }
            if let Some(slot) = left.get_mut(wanted.sku.as_str()) {
                *slot -= wanted.quantity;
            }
            lines.push(ReturnLine {
                sku: wanted.sku.clone(),
                quantity: wanted.quantity,
                reason: wanted.reason,
                unit_price: ordered.unit_price,
                inspection: None,
            });
        }
        let rma = ReturnAuthorisation {
            id: new.id,
            store_id: order.store_id,
            case_id: new.case_id,
            order_id: order.id,
            status: ReturnStatus::Requested,
            lines,
            currency: order.currency,
            fault: new.fault,
            label: None,
            exchange: None,
            exchange_wanted: Vec::new(),
            settled_amount: None,
            note: None,
            approval: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let event = CaseEvent::ReturnRequested {
            return_id: rma.id,
            lines: rma.lines.iter().map(|l| LineQuantity { sku: l.sku.clone(), quantity: l.quantity }).collect(),
        };
        Ok(ReturnChange { entries: vec![entry(actor, now, event)], rma })
    }

    /// Value of the lines coming back.
    pub fn value(&self) -> Result<Money, MoneyError> {
        let currency = self.currency;
        self.lines
            .iter()
            .try_fold(Money::zero(currency), |sum, l| sum.checked_add(&l.unit_price.checked_mul(l.quantity)?))
    }

    /// Value of the lines inspection accepted.
    pub fn accepted_value(&self) -> Result<Money, MoneyError> {
        let currency = self.currency;
        self.lines
            .iter()
            .filter(|l| l.inspection.as_ref().is_some_and(|i| i.outcome == InspectionOutcome::Accepted))
            .try_fold(Money::zero(currency), |sum, l| sum.checked_add(&l.unit_price.checked_mul(l.quantity)?))
    }

    /// Moves to `to` if the lifecycle allows it, recording the step.
    fn step(
        &self,
        to: ReturnStatus,
        amount: Option<Money>,
        note: Option<String>,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        if !self.status.next().contains(&to) {
            return Err(ReturnError::IllegalTransition { from: self.status, to });
        }
        let mut rma = self.clone();
        rma.status = to;
        rma.updated_at = now;
        rma.version += 1;
        if note.is_some() {
            rma.note.clone_from(&note);
        }
        let event = CaseEvent::ReturnStatusChanged { return_id: self.id, from: self.status, to, amount, note };
        Ok(ReturnChange { entries: vec![entry(actor, now, event)], rma })
    }

    /// Approves the return.
    pub fn approve(&self, actor: &Actor, now: OffsetDateTime) -> Result<ReturnChange, ReturnError> {
        self.step(ReturnStatus::Approved, None, None, actor, now)
    }

    /// Approves the return as `approver`: a return waiting for a second person's approval
    /// needs one who is not the person who asked and holds the policy's approver role.
    pub fn approve_as(
        &self,
        (approver, actor): (&crate::approval::Person, &Actor),
        policy: &crate::approval::ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        if let Some(waiting) = &self.approval {
            policy.may_decide(&waiting.requested_by, approver)?;
        }
        self.approve(actor, now)
    }

    /// Refuses the return, saying why.
    pub fn reject(&self, reason: &str, actor: &Actor, now: OffsetDateTime) -> Result<ReturnChange, ReturnError> {
        let reason = required_note(reason, "reason")?;
        self.step(ReturnStatus::Rejected, None, Some(reason), actor, now)
    }

    /// Issues the return label.
    pub fn issue_label(
        &self,
        label: ReturnLabel,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        if label.carrier.trim().is_empty() || label.tracking_number.trim().is_empty() {
            return Err(
                ValidationError::new("tracking_number", "name the carrier and the label's tracking number").into()
            );
        }
        if label.cost.is_negative() {
            return Err(ValidationError::new("cost", "cannot be negative").into());
        }
        let mut change = self.step(ReturnStatus::LabelIssued, None, None, actor, now)?;
        change.rma.label = Some(label);
        Ok(change)
    }

    /// The parcel is on its way back.
    pub fn mark_in_transit(&self, actor: &Actor, now: OffsetDateTime) -> Result<ReturnChange, ReturnError> {
        self.step(ReturnStatus::InTransit, None, None, actor, now)
    }

    /// The parcel arrived. An instant exchange's held charge is released.
    pub fn receive(&self, actor: &Actor, now: OffsetDateTime) -> Result<ReturnChange, ReturnError> {
        let mut change = self.step(ReturnStatus::Received, None, None, actor, now)?;
        if let Some(exchange) = &mut change.rma.exchange {
            exchange.held = None;
        }
        Ok(change)
    }

    /// Records the inspection of every line; each line must be inspected exactly once.
    pub fn inspect(
        &self,
        results: &BTreeMap<String, LineInspection>,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        if !self.status.next().contains(&ReturnStatus::Inspected) {
            return Err(ReturnError::IllegalTransition { from: self.status, to: ReturnStatus::Inspected });
        }
        for sku in results.keys() {
            if !self.lines.iter().any(|l| l.sku == *sku) {
                return Err(ValidationError::new(format!("lines.{sku}"), "not a line of this return").into());
            }
        }
        let mut change = self.step(ReturnStatus::Inspected, None, None, actor, now)?;
        let mut entries = Vec::with_capacity(self.lines.len());
        for line in &mut change.rma.lines {
            let result = results.get(&line.sku).ok_or_else(|| {
                ValidationError::new(format!("lines.{}", line.sku), "inspect every line of the return")
            })?;
            line.inspection = Some(result.clone());
            entries.push(entry(
                actor,
                now,
                CaseEvent::ReturnLineInspected { return_id: self.id, sku: line.sku.clone(), outcome: result.outcome },
            ));
        }
        change.entries.extend(entries);
        Ok(change)
    }

    /// Checks inspection results against the conditions a change-of-mind return must meet:
    /// accepting a line the customer returned by choice without them is refused, so a used
    /// item is not refunded by a slip. Lines returned for a fault (damaged, wrong, defective)
    /// are accepted whatever their state.
    pub fn check_conditions(
        &self,
        results: &BTreeMap<String, LineInspection>,
        required: &BTreeSet<ItemCondition>,
    ) -> Result<(), ValidationError> {
        for line in &self.lines {
            let Some(result) = results.get(&line.sku) else { continue };
            let by_choice = line.reason.typical_fault() == Fault::Customer;
            if by_choice && result.outcome == InspectionOutcome::Accepted {
                let missing: Vec<&str> = required.difference(&result.condition).map(|c| c.as_str()).collect();
                if !missing.is_empty() {
                    return Err(ValidationError::new(
                        format!("lines.{}.condition", line.sku),
                        format!(
                            "the policy requires {} for a change-of-mind return: reject the line, or record what was found",
                            missing.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Refunds `amount`, at most the accepted lines' value.
    pub fn refund(&self, amount: Money, actor: &Actor, now: OffsetDateTime) -> Result<ReturnChange, ReturnError> {
        self.settle(ReturnStatus::Refunded, amount, 100, actor, now)
    }

    /// Gives store credit of `amount`, at most the accepted value plus `bonus_percent`.
    pub fn credit(
        &self,
        amount: Money,
        bonus_percent: u32,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        self.settle(ReturnStatus::Credited, amount, 100 + bonus_percent, actor, now)
    }

    fn settle(
        &self,
        to: ReturnStatus,
        amount: Money,
        cap_percent: u32,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        if self.status != ReturnStatus::Inspected {
            return Err(ReturnError::IllegalTransition { from: self.status, to });
        }
        let cap = crate::decision::percent_of(self.accepted_value()?, cap_percent)?;
        if amount.currency != cap.currency {
            return Err(ValidationError::new("amount.currency", format!("must be {}", cap.currency)).into());
        }
        if amount.amount_minor <= 0 || amount.amount_minor > cap.amount_minor {
            return Err(ValidationError::new(
                "amount",
                format!("must be more than zero and at most {cap}, the value of the accepted lines"),
            )
            .into());
        }
        let mut change = self.step(to, Some(amount), None, actor, now)?;
        change.rma.settled_amount = Some(amount);
        Ok(change)
    }

    /// Arranges an exchange. A normal exchange settles an inspected return; an instant one
    /// ships before the return arrives (approved, label issued or in transit), holding the
    /// returned goods' value as a charge until the parcel is received.
    pub fn exchange(
        &self,
        replacements: Vec<ExchangeItem>,
        instant: bool,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        let allowed = if instant {
            matches!(self.status, ReturnStatus::Approved | ReturnStatus::LabelIssued | ReturnStatus::InTransit)
        } else {
            self.status.next().contains(&ReturnStatus::Exchanged)
        };
        if !allowed {
            return Err(ReturnError::IllegalTransition { from: self.status, to: ReturnStatus::Exchanged });
        }
        if replacements.is_empty() {
            return Err(ValidationError::new("replacements", "name at least one item to send").into());
        }
        if self.exchange.is_some() {
            return Err(ValidationError::new("replacements", "an exchange is already arranged on this return").into());
        }
        let returned = if instant { self.value()? } else { self.accepted_value()? };
        let mut outgoing = Money::zero(returned.currency);
        for (i, item) in replacements.iter().enumerate() {
            if item.quantity == 0 {
                return Err(ValidationError::new(format!("replacements[{i}].quantity"), "must be at least 1").into());
            }
            outgoing = outgoing.checked_add(&item.item.unit_price.checked_mul(item.quantity)?)?;
        }
        let price_difference = outgoing.checked_sub(&returned)?;
        let held = instant.then_some(returned);
        let mut change = if instant {
            ReturnChange {
                rma: ReturnAuthorisation { updated_at: now, version: self.version + 1, ..self.clone() },
                entries: Vec::new(),
            }
        } else {
            if returned.amount_minor == 0 && self.status == ReturnStatus::Inspected {
                return Err(ValidationError::new("lines", "no line was accepted: close the return instead").into());
            }
            self.step(ReturnStatus::Exchanged, Some(price_difference), None, actor, now)?
        };
        change.entries.insert(
            0,
            entry(actor, now, CaseEvent::ExchangeArranged { return_id: self.id, price_difference, instant, held }),
        );
        change.rma.exchange = Some(Exchange { replacements, price_difference, instant, held });
        Ok(change)
    }

    /// Completes an instant exchange once the return is inspected.
    pub fn complete_exchange(&self, actor: &Actor, now: OffsetDateTime) -> Result<ReturnChange, ReturnError> {
        let difference = self.exchange.as_ref().map(|e| e.price_difference);
        if difference.is_none() {
            return Err(ValidationError::new("exchange", "no exchange is arranged on this return").into());
        }
        self.step(ReturnStatus::Exchanged, difference, None, actor, now)
    }

    /// Closes the return (after settlement, after rejection, or when no line was accepted).
    pub fn close(&self, note: Option<&str>, actor: &Actor, now: OffsetDateTime) -> Result<ReturnChange, ReturnError> {
        let note = note.map(|n| required_note(n, "note")).transpose()?;
        self.step(ReturnStatus::Closed, None, note, actor, now)
    }

    /// Calls the return off; only before it is received.
    pub fn cancel(
        &self,
        reason: Option<&str>,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<ReturnChange, ReturnError> {
        let note = reason.map(|n| required_note(n, "reason")).transpose()?;
        self.step(ReturnStatus::Cancelled, None, note, actor, now)
    }
}

fn required_note(text: &str, field: &str) -> Result<String, ValidationError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err(ValidationError::new(field, "give a reason of 1 to 2000 characters"));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::amendment::ReplacementItem;
    use crate::sample::{Stage, eur, order};
    use proptest::prelude::*;
    use time::macros::datetime;
    use uuid::Uuid;

    const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

    fn agent() -> Actor {
        Actor::Agent { name: "maria".into() }
    }

    fn new_return(n: u128, lines: &[(&str, u32)]) -> NewReturn {
        NewReturn {
            id: ReturnId::from_uuid(Uuid::from_u128(n)),
            case_id: CaseId::from_uuid(Uuid::from_u128(7)),
            lines: lines
                .iter()
                .map(|(sku, quantity)| RequestedLine {
                    sku: (*sku).into(),
                    quantity: *quantity,
                    reason: IssueKind::ReturnRequest,
                })
                .collect(),
            fault: Fault::Customer,
        }
    }

    fn requested() -> ReturnAuthorisation {
        let o = order(Stage::DeliveredDaysAgo(3), NOW);
        ReturnAuthorisation::request(new_return(1, &[("TEE-M", 2), ("JACKET-M", 1)]), &o, &[], &agent(), NOW)
            .unwrap()
            .rma
    }

    fn accepted_all(rma: &ReturnAuthorisation) -> BTreeMap<String, LineInspection> {
        rma.lines
            .iter()
            .map(|l| {
                let inspection = LineInspection {
                    outcome: InspectionOutcome::Accepted,
                    condition: BTreeSet::from([ItemCondition::Unused]),
                    note: None,
                    photos: vec![],
                };
                (l.sku.clone(), inspection)
            })
            .collect()
    }

    fn label() -> ReturnLabel {
        ReturnLabel {
            carrier: "DHL".into(),
            tracking_number: "RT1".into(),
            cost: Money::new(595, eur()),
            paid_by: Payer::Customer,
        }
    }

    fn in_status(status: ReturnStatus) -> ReturnAuthorisation {
        let mut rma = requested();
        rma.status = status;
        if status >= ReturnStatus::Inspected && status != ReturnStatus::Cancelled {
            let results = accepted_all(&rma);
            for line in &mut rma.lines {
                line.inspection = results.get(&line.sku).cloned();
            }
        }
        rma
    }

    /// Tries the step to `to` through the method that takes it.
    fn attempt(rma: &ReturnAuthorisation, to: ReturnStatus) -> Result<ReturnChange, ReturnError> {
        let a = agent();
        match to {
            ReturnStatus::Requested => Err(ReturnError::IllegalTransition { from: rma.status, to }),
            ReturnStatus::Approved => rma.approve(&a, NOW),
            ReturnStatus::Rejected => rma.reject("worn", &a, NOW),
            ReturnStatus::LabelIssued => rma.issue_label(label(), &a, NOW),
            ReturnStatus::InTransit => rma.mark_in_transit(&a, NOW),
            ReturnStatus::Received => rma.receive(&a, NOW),
            ReturnStatus::Inspected => rma.inspect(&accepted_all(rma), &a, NOW),
            ReturnStatus::Refunded => rma.refund(Money::new(1000, eur()), &a, NOW),
            ReturnStatus::Exchanged => rma.exchange(vec![replacement(1)], false, &a, NOW),
            ReturnStatus::Credited => rma.credit(Money::new(1000, eur()), 10, &a, NOW),
            ReturnStatus::Closed => rma.close(None, &a, NOW),
            ReturnStatus::Cancelled => rma.cancel(Some("changed my mind"), &a, NOW),
        }
    }

    fn replacement(quantity: u32) -> ExchangeItem {
        ExchangeItem {
            item: ReplacementItem {
                sku: "JACKET-L".into(),
                title: "Rain jacket".into(),
                variant: BTreeMap::from([("size".into(), "L".into())]),
                unit_price: Money::new(9900, eur()),
            },
            quantity,
        }
    }

    #[test]
    fn every_lifecycle_step_is_legal_or_refused() {
        for from in ReturnStatus::ALL {
            for to in ReturnStatus::ALL {
                let rma = in_status(*from);
                let result = attempt(&rma, *to);
                if from.next().contains(to) {
                    let change = result.unwrap_or_else(|e| panic!("{from} -> {to}: {e}"));
                    assert_eq!(change.rma.status, *to, "{from} -> {to}");
                    assert_eq!(change.rma.version, rma.version + 1);
                    assert!(
                        change.entries.iter().any(|e| matches!(e.event, CaseEvent::ReturnStatusChanged { from: f, to: t, .. } if f == *from && t == *to)),
                        "{from} -> {to} is on the timeline"
                    );
                } else {
                    assert!(
                        matches!(result, Err(ReturnError::IllegalTransition { .. })),
                        "{from} -> {to} must be refused, got {result:?}"
                    );
                }
            }
        }
        assert!(
            ReturnStatus::ALL
                .iter()
                .filter(|s| s.before_receipt())
                .all(|s| s.next().contains(&ReturnStatus::Cancelled))
        );
        assert!(
            ReturnStatus::ALL
                .iter()
                .filter(|s| !s.before_receipt())
                .all(|s| !s.next().contains(&ReturnStatus::Cancelled))
        );
        assert!(ReturnStatus::ALL.iter().all(|s| !s.next().contains(&ReturnStatus::Requested)));
    }

    #[test]
    fn a_return_goes_all_the_way_to_a_refund() {
        let a = agent();
        let rma = requested();
        assert_eq!(rma.value().unwrap(), Money::new(2 * 1999 + 8900, eur()));
        let rma = rma.approve(&a, NOW).unwrap().rma;
        let rma = rma.issue_label(label(), &a, NOW).unwrap().rma;
        let rma = rma.mark_in_transit(&a, NOW).unwrap().rma;
        let rma = rma.receive(&a, NOW).unwrap().rma;
        let mut results = accepted_all(&rma);
        results.get_mut("JACKET-M").unwrap().outcome = InspectionOutcome::Rejected;
        let inspected = rma.inspect(&results, &a, NOW).unwrap();
        assert_eq!(inspected.entries.len(), 3, "the step and one entry per line");
        let rma = inspected.rma;
        assert_eq!(rma.accepted_value().unwrap(), Money::new(3998, eur()));
        let too_much = rma.refund(Money::new(3999, eur()), &a, NOW).unwrap_err();
        assert!(matches!(too_much, ReturnError::Invalid(ref e) if e.field == "amount"));
        let refunded = rma.refund(Money::new(3998 - 595, eur()), &a, NOW).unwrap();
        assert_eq!(refunded.rma.settled_amount, Some(Money::new(3403, eur())));
        assert!(refunded.rma.close(Some("done"), &a, NOW).is_ok());
    }

    #[test]
    fn change_of_mind_returns_are_accepted_only_in_the_required_condition() {
        let rma = in_status(ReturnStatus::Received);
        let required = BTreeSet::from([ItemCondition::Unused, ItemCondition::TagsOn]);
        let mut results = accepted_all(&rma);
        let e = rma.check_conditions(&results, &required).unwrap_err();
        assert_eq!(e.field, "lines.TEE-M.condition", "lines in the return's order");
        assert!(e.problem.contains("tags_on"), "{e}");
        for result in results.values_mut() {
            result.condition.insert(ItemCondition::TagsOn);
        }
        assert!(rma.check_conditions(&results, &required).is_ok());
        let worn = LineInspection {
            outcome: InspectionOutcome::Rejected,
            condition: BTreeSet::new(),
            note: Some("worn".into()),
            photos: vec![],
        };
        results.insert("TEE-M".into(), worn);
        assert!(rma.check_conditions(&results, &required).is_ok(), "rejecting is always allowed");
        let mut faulty = rma.clone();
        for line in &mut faulty.lines {
            line.reason = IssueKind::DefectiveItem;
        }
        assert!(
            faulty.check_conditions(&accepted_all(&faulty), &required).is_ok(),
            "faults are taken back as they are"
        );
    }

    #[test]
    fn inspection_must_cover_every_line_and_only_its_lines() {
        let rma = in_status(ReturnStatus::Received);
        let mut partial = accepted_all(&rma);
        partial.remove("TEE-M");
        assert!(
            matches!(rma.inspect(&partial, &agent(), NOW), Err(ReturnError::Invalid(e)) if e.field == "lines.TEE-M")
        );
        let mut extra = accepted_all(&rma);
        extra.insert("HAT".into(), extra["TEE-M"].clone());
        assert!(matches!(rma.inspect(&extra, &agent(), NOW), Err(ReturnError::Invalid(e)) if e.field == "lines.HAT"));
    }

    #[test]
    fn exchanges_settle_the_price_difference() {
        let a = agent();
        let inspected = in_status(ReturnStatus::Inspected);
        let change = inspected.exchange(vec![replacement(1)], false, &a, NOW).unwrap();
        let exchange = change.rma.exchange.clone().unwrap();
        assert_eq!(exchange.price_difference, Money::new(9900 - (2 * 1999 + 8900), eur()));
        assert_eq!(change.rma.status, ReturnStatus::Exchanged);
        assert!(matches!(change.entries[0].event, CaseEvent::ExchangeArranged { instant: false, .. }));

        // Instant: ships while the return is still on its way, with the returned value held.
        let approved = in_status(ReturnStatus::Approved);
        let change = approved.exchange(vec![replacement(1)], true, &a, NOW).unwrap();
        assert_eq!(change.rma.status, ReturnStatus::Approved);
        assert_eq!(change.rma.exchange.as_ref().unwrap().held, Some(Money::new(12898, eur())));
        assert!(
            matches!(change.rma.exchange(vec![replacement(1)], true, &a, NOW), Err(ReturnError::Invalid(e)) if e.field == "replacements"),
            "one exchange per return"
        );
        let received = change.rma.receive(&a, NOW).unwrap().rma;
        assert_eq!(received.exchange.as_ref().unwrap().held, None, "the hold is released on receipt");
        let inspected = received.inspect(&accepted_all(&received), &a, NOW).unwrap().rma;
        assert_eq!(inspected.complete_exchange(&a, NOW).unwrap().rma.status, ReturnStatus::Exchanged);
        assert!(matches!(
            in_status(ReturnStatus::Received).exchange(vec![replacement(1)], true, &a, NOW),
            Err(ReturnError::IllegalTransition { from: ReturnStatus::Received, .. })
        ));
        assert!(
            matches!(in_status(ReturnStatus::Inspected).exchange(vec![replacement(0)], false, &a, NOW), Err(ReturnError::Invalid(e)) if e.field == "replacements[0].quantity")
        );
    }

    #[test]
    fn quantities_are_checked_against_the_delivery() {
        let delivered = order(Stage::DeliveredDaysAgo(3), NOW);
        let a = agent();
        let first = ReturnAuthorisation::request(new_return(1, &[("TEE-M", 1)]), &delivered, &[], &a, NOW).unwrap().rma;
        let too_many = ReturnAuthorisation::request(
            new_return(2, &[("TEE-M", 2)]),
            &delivered,
            std::slice::from_ref(&first),
            &a,
            NOW,
        );
        assert!(matches!(too_many, Err(ReturnError::Invalid(e)) if e.field == "lines[0].quantity"));
        assert!(
            ReturnAuthorisation::request(
                new_return(2, &[("TEE-M", 1)]),
                &delivered,
                std::slice::from_ref(&first),
                &a,
                NOW
            )
            .is_ok()
        );
        let cancelled = first.cancel(None, &a, NOW).unwrap().rma;
        assert!(
            ReturnAuthorisation::request(new_return(3, &[("TEE-M", 2)]), &delivered, &[cancelled], &a, NOW).is_ok()
        );
        let in_transit = order(Stage::WithCarrier, NOW);
        assert!(
            matches!(ReturnAuthorisation::request(new_return(4, &[("TEE-M", 1)]), &in_transit, &[], &a, NOW), Err(ReturnError::Invalid(e)) if e.field == "lines[0].quantity")
        );
        assert!(
            matches!(ReturnAuthorisation::request(new_return(5, &[("HAT", 1)]), &delivered, &[], &a, NOW), Err(ReturnError::Invalid(e)) if e.field == "lines[0].sku")
        );
        assert!(
            matches!(ReturnAuthorisation::request(new_return(6, &[("TEE-M", 0)]), &delivered, &[], &a, NOW), Err(ReturnError::Invalid(e)) if e.field == "lines[0].quantity")
        );
        assert!(
            matches!(ReturnAuthorisation::request(new_return(7, &[]), &delivered, &[], &a, NOW), Err(ReturnError::Invalid(e)) if e.field == "lines")
        );
    }

    fn any_status() -> impl Strategy<Value = ReturnStatus> {
        proptest::sample::select(ReturnStatus::ALL.to_vec())
    }

    proptest! {
        /// Whatever is asked, the units held by live returns never exceed what was delivered,
        /// and what is left to return never goes below zero.
        #[test]
        fn return_quantities_stay_within_the_delivery(
            requests in proptest::collection::vec((0usize..3, 0u32..4, any::<bool>()), 1..25)
        ) {
            let delivered = order(Stage::DeliveredDaysAgo(3), NOW);
            let skus = ["TEE-M", "JACKET-M", "HAT"];
            let mut returns: Vec<ReturnAuthorisation> = Vec::new();
            for (n, (sku, quantity, cancel_one)) in requests.into_iter().enumerate() {
                if cancel_one && let Some(live) = returns.iter_mut().find(|r| r.status == ReturnStatus::Requested) {
                    *live = live.cancel(None, &agent(), NOW).unwrap().rma;
                }
                let _ = ReturnAuthorisation::request(new_return(n as u128 + 10, &[(skus[sku], quantity)]), &delivered, &returns, &agent(), NOW)
                    .map(|c| returns.push(c.rma));
                let delivered_units = delivered_units(&delivered);
                for (sku, units) in &delivered_units {
                    let held: u32 = returns
                        .iter()
                        .filter(|r| r.status.claims_units())
                        .flat_map(|r| &r.lines)
                        .filter(|l| l.sku == *sku)
                        .map(|l| l.quantity)
                        .sum();
                    prop_assert!(held <= *units, "{sku}: {held} held of {units} delivered");
                    prop_assert_eq!(returnable_units(&delivered, &returns)[sku], units - held);
                }
                prop_assert!(returns.iter().all(|r| r.lines.iter().all(|l| l.quantity >= 1)));
            }
        }

        /// Random walks through the lifecycle only take legal steps, and every step taken is on the timeline.
        #[test]
        fn lifecycle_random_walks_stay_legal(moves in proptest::collection::vec(any_status(), 0..40)) {
            let mut rma = requested();
            for to in moves {
                let before = rma.clone();
                match attempt(&rma, to) {
                    Ok(change) => {
                        prop_assert!(before.status.next().contains(&change.rma.status));
                        prop_assert!(!change.entries.is_empty());
                        prop_assert_eq!(change.rma.version, before.version + 1);
                        rma = change.rma;
                    }
                    Err(ReturnError::IllegalTransition { from, .. }) => {
                        prop_assert_eq!(from, before.status);
                        prop_assert!(!before.status.next().contains(&to));
                    }
                    Err(other) => prop_assert!(false, "unexpected {other}"),
                }
            }
        }
    }
}
