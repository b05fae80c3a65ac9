//! Customers' personal data: what erasing it means (GDPR's right to erasure, and the shop's
//! retention period), decided once here for both backends.
//!
//! Erasure redacts in place rather than deleting: names, addresses, email, message text,
//! subjects, notes, call summaries, survey comments and the customer's handle on the timeline
//! are replaced by fixed placeholders, while ids, amounts, kinds, statuses, outcomes and times
//! stay, so the books still balance and the counts of the analytics stay right. Redacting is
//! idempotent: redacting redacted data gives the same data, which is how a second erasure (or a
//! second server's retention pass racing the first) changes nothing.
//!
//! [`plan_erasure`] is the planner: storage loads an [`ErasureSubject`] inside its transaction,
//! runs it and writes the [`Erasure`] it returns, or nothing when it refuses.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::dispute::Dispute;
use crate::ids::{CaseId, CustomerId, DisputeId, RefundId};
use crate::refund::Refund;
use crate::timeline::{Actor, CaseEvent, TimelineEntry};
use crate::{Address, Case, CaseChange, Customer, EmailAddress, Message, Order};

/// What erased text reads as.
pub const ERASED: &str = "[erased]";

/// The name an erased customer, recipient or handle is given.
pub const ERASED_NAME: &str = "erased";

/// Why personal data was erased, as recorded on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ErasureReason {
    /// The customer asked (or the shop acted for them): everything about the customer.
    Request,
    /// The store's retention period passed since the case was over.
    Retention {
        /// The period, in months.
        months: u32,
    },
}

/// The stable placeholder address of an erased customer: unique per customer (so the store's
/// one-customer-per-email rule holds) and derived from the id alone, never from the address.
pub fn placeholder_email(customer_id: CustomerId) -> EmailAddress {
    let text = format!("erased-{}@erased.invalid", customer_id.as_uuid().simple());
    // The text is ASCII letters, digits and a hyphen at a fixed domain: always an address.
    EmailAddress::parse(&text).unwrap_or_else(|_| unreachable!("placeholder address {text}"))
}

/// True for an address [`placeholder_email`] made.
pub fn is_placeholder(email: &EmailAddress) -> bool {
    email.as_str().ends_with("@erased.invalid")
}

/// The customer with name and email replaced; the language stays (it picks the words of the
/// shop's answers, and says nothing of the person alone).
pub fn erase_customer(customer: &Customer) -> Customer {
    Customer { email: placeholder_email(customer.id), name: ERASED_NAME.to_owned(), ..customer.clone() }
}

/// An address with the recipient, street, city, postal code and region replaced; the country
/// stays (analytics count cases per shipping country).
pub fn erase_address(address: &Address) -> Address {
    Address {
        name: ERASED_NAME.to_owned(),
        lines: Vec::new(),
        city: ERASED.to_owned(),
        postal_code: ERASED.to_owned(),
        region: None,
        country: address.country.clone(),
    }
}

/// The order with its shipping and billing addresses erased; lines, payments and parcels (what
/// the books and the carriers' figures rest on) stay.
pub fn erase_order(order: &Order) -> Order {
    Order {
        shipping_address: erase_address(&order.shipping_address),
        billing_address: erase_address(&order.billing_address),
        ..order.clone()
    }
}

/// The case with its subject and reply address erased; kind, status, outcome, priority and
/// times stay.
pub fn erase_case(case: &Case) -> Case {
    Case {
        subject: ERASED.to_owned(),
        customer_email: case.customer_email.as_ref().map(|email| {
            if is_placeholder(email) {
                email.clone()
            } else {
                // A case without a known customer is erased under an address made from its id.
                placeholder_email(case.customer_id.unwrap_or_else(|| CustomerId::from_uuid(case.id.as_uuid())))
            }
        }),
        ..case.clone()
    }
}

/// The message with its text and its files' names erased (both ways: the shop's answers quote
/// names and addresses too); direction, channel, time and the files' types and sizes stay.
pub fn erase_message(message: &Message) -> Message {
    let mut erased = message.clone();
    erased.body = ERASED.to_owned();
    erased.author = erase_actor(&message.author);
    for attachment in &mut erased.attachments {
        attachment.filename = ERASED_NAME.to_owned();
    }
    erased
}

fn erase_actor(actor: &Actor) -> Actor {
    match actor {
        Actor::Customer { .. } => Actor::Customer { handle: ERASED_NAME.to_owned() },
        Actor::Assistant { .. } => Actor::Assistant { customer: ERASED_NAME.to_owned() },
        // The shop's people and systems are not the customer.
        Actor::Agent { .. } | Actor::Integration { .. } | Actor::System => actor.clone(),
    }
}

/// A timeline entry with the customer's handle and every free text about them erased: notes,
/// call summaries, the words that raised an escalation, notes on fault and returns, an
/// amendment's before and after (addresses), a survey's comment. What happened, when, to what
/// and for how much stays.
pub fn erase_entry(entry: &TimelineEntry) -> TimelineEntry {
    let erased = || ERASED.to_owned();
    let event = match &entry.event {
        CaseEvent::NoteAdded { .. } => CaseEvent::NoteAdded { body: erased() },
        CaseEvent::CallLogged { direction, duration_seconds, .. } => {
            CaseEvent::CallLogged { direction: *direction, duration_seconds: *duration_seconds, summary: erased() }
        }
        CaseEvent::Understood(understood) => {
            let mut understood = understood.clone();
            for found in &mut understood.escalation {
                found.triggers.clear();
            }
            CaseEvent::Understood(understood)
        }
        CaseEvent::FaultChanged { sku, from, to, note } => {
            CaseEvent::FaultChanged { sku: sku.clone(), from: *from, to: *to, note: note.as_ref().map(|_| erased()) }
        }
        CaseEvent::OrderAmended { order_id, amendment, difference, .. } => CaseEvent::OrderAmended {
            order_id: *order_id,
            amendment: *amendment,
            before: erased(),
            after: erased(),
            difference: *difference,
        },
        CaseEvent::ReturnStatusChanged { return_id, from, to, amount, note } => CaseEvent::ReturnStatusChanged {
            return_id: *return_id,
            from: *from,
            to: *to,
            amount: *amount,
            note: note.as_ref().map(|_| erased()),
        },
        CaseEvent::SurveyAnswered { score, comment } => {
            CaseEvent::SurveyAnswered { score: *score, comment: comment.as_ref().map(|_| erased()) }
        }
        other => other.clone(),
    };
    TimelineEntry { at: entry.at, actor: erase_actor(&entry.actor), event }
}

/// The last change a case over must have had before `now` for the retention period of
/// `months` to have passed: the same day of the month `months` calendar months back (the
/// month's last day when it is shorter), at the same time.
pub fn retention_cutoff(now: OffsetDateTime, months: u32) -> OffsetDateTime {
    let total = i64::from(now.year()) * 12 + i64::from(u8::from(now.month())) - 1 - i64::from(months);
    let year = i32::try_from(total.div_euclid(12)).unwrap_or(i32::MIN);
    let month =
        time::Month::try_from(u8::try_from(total.rem_euclid(12) + 1).unwrap_or(1)).unwrap_or(time::Month::January);
    let day = now.day().min(month.length(year));
    match time::Date::from_calendar_date(year, month, day) {
        Ok(date) => now.replace_date(date),
        // Before the calendar's start: nothing is that old.
        Err(_) => OffsetDateTime::UNIX_EPOCH,
    }
}

/// A case as loaded for erasure: the case, its messages and its timeline with positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseRecords {
    /// The case.
    pub case: Case,
    /// Its messages.
    pub messages: Vec<Message>,
    /// Its timeline, with each entry's stored position.
    pub timeline: Vec<(i64, TimelineEntry)>,
}

/// What an erasure reads, loaded by storage inside its transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasureSubject {
    /// The customer, when the erasure reaches them (a request; or the retention pass when
    /// they have no case left that is kept).
    pub customer: Option<Customer>,
    /// The customer's orders, erased with the customer.
    pub orders: Vec<Order>,
    /// The cases erased.
    pub cases: Vec<CaseRecords>,
    /// Refunds of those cases and orders.
    pub refunds: Vec<Refund>,
    /// Disputes of those cases.
    pub disputes: Vec<Dispute>,
}

/// One case's erasure: the case with its timeline entry, and what is rewritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseErasure {
    /// The erased case and its [`CaseEvent::CustomerErased`] entry.
    pub change: CaseChange,
    /// Messages to rewrite (only those that changed).
    pub messages: Vec<Message>,
    /// Timeline entries to rewrite, by position (only those that changed).
    pub entries: Vec<(i64, TimelineEntry)>,
}

/// What to write: only what changed, so erasing again writes nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Erasure {
    /// The erased customer, if it changed.
    pub customer: Option<Customer>,
    /// Orders whose addresses changed.
    pub orders: Vec<Order>,
    /// Cases that changed.
    pub cases: Vec<CaseErasure>,
    /// Every case in scope, changed or not: their files, raw received messages, survey
    /// comments and unsent answers are removed by storage (idempotent deletes).
    pub case_ids: Vec<CaseId>,
}

impl Erasure {
    /// True when nothing was left to erase.
    pub fn is_empty(&self) -> bool {
        self.customer.is_none() && self.orders.is_empty() && self.cases.is_empty()
    }
}

/// Why an erasure was refused; nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ErasureRefused {
    /// Money is moving to the customer: erasing now would leave the refund's story (and any
    /// question about it) without the person it is for.
    #[error(
        "refund {0} is still in flight: erase once it succeeded, failed or was rejected, so the customer can still be answered about it"
    )]
    RefundInFlight(RefundId),
    /// The bank is asking about a payment: the shop needs the case as it is for its evidence.
    #[error("dispute {0} is open: the shop's evidence needs the case as it is; erase once the dispute is decided")]
    DisputeOpen(DisputeId),
}

/// Plans an erasure: refuses while a refund is in flight or a dispute is open (the rules the
/// shop needs the personal data for, GDPR art. 17(3)(e)), otherwise redacts every value in
/// scope and appends [`CaseEvent::CustomerErased`] to each case that changed.
pub fn plan_erasure(
    subject: &ErasureSubject,
    reason: ErasureReason,
    actor: &Actor,
    now: OffsetDateTime,
) -> Result<Erasure, ErasureRefused> {
    if let Some(refund) = subject.refunds.iter().find(|r| !r.status.is_final()) {
        return Err(ErasureRefused::RefundInFlight(refund.id));
    }
    if let Some(dispute) = subject.disputes.iter().find(|d| !d.status.next().is_empty()) {
        return Err(ErasureRefused::DisputeOpen(dispute.id));
    }
    let customer = subject.customer.as_ref().map(erase_customer).filter(|c| Some(c) != subject.customer.as_ref());
    let orders = subject.orders.iter().map(erase_order).zip(&subject.orders).filter(|(a, b)| a != *b);
    let mut cases = Vec::new();
    for records in &subject.cases {
        let erased = erase_case(&records.case);
        let messages: Vec<Message> = records
            .messages
            .iter()
            .map(erase_message)
            .zip(&records.messages)
            .filter(|(a, b)| a != *b)
            .map(|(a, _)| a)
            .collect();
        let entries: Vec<(i64, TimelineEntry)> = records
            .timeline
            .iter()
            .map(|(seq, entry)| (*seq, erase_entry(entry)))
            .zip(&records.timeline)
            .filter(|(a, b)| a.1 != b.1)
            .map(|(a, _)| a)
            .collect();
        if erased == records.case && messages.is_empty() && entries.is_empty() {
            continue;
        }
        let mut case = erased;
        case.updated_at = now;
        case.version += 1;
        let entry = TimelineEntry { at: now, actor: actor.clone(), event: CaseEvent::CustomerErased { reason } };
        cases.push(CaseErasure { change: CaseChange { case, entries: vec![entry] }, messages, entries });
    }
    Ok(Erasure {
        customer,
        orders: orders.map(|(a, _)| a).collect(),
        cases,
        case_ids: subject.cases.iter().map(|r| r.case.id).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_is_an_address_unique_per_customer() {
        let a = placeholder_email(CustomerId::from_uuid(uuid::Uuid::from_u128(1)));
        let b = placeholder_email(CustomerId::from_uuid(uuid::Uuid::from_u128(2)));
        assert_ne!(a, b);
        assert!(is_placeholder(&a));
        assert_eq!(a.as_str(), "erased-00000000000000000000000000000001@erased.invalid");
    }

    #[test]
    fn the_cutoff_counts_calendar_months() {
        use time::macros::datetime;
        assert_eq!(retention_cutoff(datetime!(2026-03-31 10:00 UTC), 1), datetime!(2026-02-28 10:00 UTC));
        assert_eq!(retention_cutoff(datetime!(2026-01-15 00:00 UTC), 13), datetime!(2024-12-15 00:00 UTC));
        assert_eq!(retention_cutoff(datetime!(2026-12-05 19:00 UTC), 6), datetime!(2026-06-05 19:00 UTC));
    }

    #[test]
    fn redacting_twice_is_redacting_once() {
        let entry = TimelineEntry {
            at: OffsetDateTime::UNIX_EPOCH,
            actor: Actor::Customer { handle: "ana@example.com".into() },
            event: CaseEvent::NoteAdded { body: "Ana lives at 1 Main St".into() },
        };
        let once = erase_entry(&entry);
        assert_ne!(once, entry);
        assert_eq!(erase_entry(&once), once);
        assert!(!serde_json::to_string(&once).unwrap().contains("ana"));
    }
}
