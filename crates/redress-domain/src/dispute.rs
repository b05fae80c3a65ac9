//! Disputes and chargebacks, following Stripe's statuses and reasons, with their response
//! deadline, and the evidence pack assembled from the case's own record.
//!
//! The evidence pack uses Stripe's evidence field names (`shipping_carrier`,
//! `shipping_tracking_number`, `customer_communication`, `refund_policy`, …) so it can be sent
//! as it is; [`EvidencePack::document`] renders the same facts as a readable document.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::{CaseId, DisputeId, OrderId, PaymentId, StoreId};
use crate::message::{Direction, Message};
use crate::money::Money;
use crate::order::{Order, ShipmentStatus};
use crate::refund::{Refund, RefundStatus};
use crate::store::{Customer, ValidationError};
use crate::timeline::{Actor, CaseEvent, TimelineEntry};

/// A dispute's status, as Stripe names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    /// An inquiry (early warning): answer before it becomes a chargeback.
    WarningNeedsResponse,
    /// An inquiry answered, under review.
    WarningUnderReview,
    /// An inquiry closed without a chargeback.
    WarningClosed,
    /// A chargeback: evidence is due by the deadline.
    NeedsResponse,
    /// Evidence sent; the bank is deciding.
    UnderReview,
    /// Decided for the shop: the money comes back.
    Won,
    /// Decided for the customer: the money stays with them.
    Lost,
    /// Prevented before it became a dispute.
    Prevented,
}

impl DisputeStatus {
    /// The snake_case id, as Stripe writes it.
    pub const fn as_str(&self) -> &'static str {
        use DisputeStatus::*;
        match self {
            WarningNeedsResponse => "warning_needs_response",
            WarningUnderReview => "warning_under_review",
            WarningClosed => "warning_closed",
            NeedsResponse => "needs_response",
            UnderReview => "under_review",
            Won => "won",
            Lost => "lost",
            Prevented => "prevented",
        }
    }

    /// The statuses a dispute may move to from this one.
    pub const fn next(&self) -> &'static [DisputeStatus] {
        use DisputeStatus::*;
        match self {
            WarningNeedsResponse => &[WarningUnderReview, WarningClosed, NeedsResponse, Prevented],
            WarningUnderReview => &[WarningClosed, NeedsResponse],
            NeedsResponse => &[UnderReview, Won, Lost],
            UnderReview => &[Won, Lost],
            WarningClosed | Won | Lost | Prevented => &[],
        }
    }

    /// True while the shop is expected to answer.
    pub const fn needs_response(&self) -> bool {
        matches!(self, Self::WarningNeedsResponse | Self::NeedsResponse)
    }
}

/// Why the customer disputed, as Stripe names the reasons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DisputeReason {
    /// The bank could not process the payment.
    BankCannotProcess,
    /// A check was returned.
    CheckReturned,
    /// The customer says a refund was promised and not made.
    CreditNotProcessed,
    /// The customer started a dispute without a specific reason.
    CustomerInitiated,
    /// The customer's bank says the debit was not authorised.
    DebitNotAuthorized,
    /// The customer says they were charged twice.
    Duplicate,
    /// The card holder says they did not make the payment.
    Fraudulent,
    /// Any other reason.
    General,
    /// Wrong account details.
    IncorrectAccountDetails,
    /// Not enough funds.
    InsufficientFunds,
    /// Not following the card network's rules.
    Noncompliant,
    /// The customer says the goods never arrived.
    ProductNotReceived,
    /// The customer says the goods were defective or not as described.
    ProductUnacceptable,
    /// The customer says a subscription was cancelled.
    SubscriptionCanceled,
    /// The customer does not recognise the payment.
    Unrecognized,
}

/// A bank dispute or chargeback on a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispute {
    /// The dispute's id in Redress.
    pub id: DisputeId,
    /// The store.
    pub store_id: StoreId,
    /// The order.
    pub order_id: OrderId,
    /// The payment disputed.
    pub payment_id: PaymentId,
    /// The case that tracks it.
    pub case_id: CaseId,
    /// The provider's dispute id (`dp_…` at Stripe).
    pub provider_reference: String,
    /// The amount disputed.
    pub amount: Money,
    /// Why.
    pub reason: DisputeReason,
    /// Where it stands.
    pub status: DisputeStatus,
    /// When the evidence is due.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub evidence_due_by: OffsetDateTime,
    /// When it was opened.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// Why a dispute change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisputeError {
    /// The status cannot move that way.
    #[error("a dispute cannot go from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition {
        /// Current status.
        from: DisputeStatus,
        /// Requested status.
        to: DisputeStatus,
    },
    /// A field breaks its rules.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// What a payment provider reports about a dispute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeReport {
    /// Where it stands.
    pub status: DisputeStatus,
    /// Why.
    pub reason: DisputeReason,
    /// The amount disputed.
    pub amount: Money,
    /// When the evidence is due.
    pub evidence_due_by: OffsetDateTime,
}

/// A dispute after a change, with the timeline entries for its case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisputeChange {
    /// The dispute as it now is.
    pub dispute: Dispute,
    /// What to append to the case's timeline.
    pub entries: Vec<TimelineEntry>,
}

impl Dispute {
    /// Checks the dispute against the order holding its payment: a dispute claims more than
    /// zero, in the order's currency, and never more than the payment captured.
    pub fn check_against(&self, order: &crate::order::Order) -> Result<(), DisputeError> {
        let payment = order
            .payments
            .iter()
            .find(|p| p.id == self.payment_id)
            .ok_or_else(|| ValidationError::new("payment_id", "no payment with that id on the order"))?;
        if self.amount.currency != payment.captured.currency {
            return Err(ValidationError::new(
                "amount.currency",
                format!("the payment is in {}", payment.captured.currency),
            )
            .into());
        }
        if self.amount.amount_minor <= 0 || self.amount.amount_minor > payment.captured.amount_minor {
            return Err(ValidationError::new(
                "amount",
                format!("a dispute claims more than zero and at most the {} the payment captured", payment.captured),
            )
            .into());
        }
        Ok(())
    }

    /// Records a dispute the provider reported.
    pub fn open(dispute: Dispute, actor: &Actor) -> Result<DisputeChange, DisputeError> {
        if dispute.amount.amount_minor <= 0 {
            return Err(ValidationError::new("amount.amount_minor", "must be above zero").into());
        }
        if dispute.provider_reference.trim().is_empty() || dispute.provider_reference.len() > 255 {
            return Err(ValidationError::new("provider_reference", "give the provider's dispute id").into());
        }
        if !matches!(dispute.status, DisputeStatus::WarningNeedsResponse | DisputeStatus::NeedsResponse) {
            return Err(
                ValidationError::new("status", "a dispute opens as needs_response or warning_needs_response").into()
            );
        }
        let entries = vec![TimelineEntry {
            at: dispute.created_at,
            actor: actor.clone(),
            event: CaseEvent::DisputeOpened {
                dispute_id: dispute.id,
                reason: dispute.reason,
                amount: dispute.amount,
                evidence_due_by: dispute.evidence_due_by,
            },
        }];
        Ok(DisputeChange { dispute, entries })
    }

    /// Moves the dispute on, as the provider reports it.
    pub fn change_status(
        &self,
        to: DisputeStatus,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<DisputeChange, DisputeError> {
        if !self.status.next().contains(&to) {
            return Err(DisputeError::IllegalTransition { from: self.status, to });
        }
        let mut dispute = self.clone();
        dispute.status = to;
        dispute.updated_at = now;
        let entries = vec![TimelineEntry {
            at: now,
            actor: actor.clone(),
            event: CaseEvent::DisputeStatusChanged { dispute_id: self.id, from: self.status, to },
        }];
        Ok(DisputeChange { dispute, entries })
    }

    /// Takes what the payment provider now reports about the dispute (a webhook, or a read of
    /// it): the status moves on when the lifecycle allows it, and a status it cannot move to
    /// (an older event arriving late, or the same status again) is left as it is, since events
    /// may come out of order; a new amount (in the dispute's currency), reason or deadline is
    /// taken with a `DisputeUpdated` entry. Reporting what is already known changes nothing.
    pub fn reported(
        &self,
        report: &DisputeReport,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<DisputeChange, DisputeError> {
        if report.amount.currency != self.amount.currency || report.amount.amount_minor <= 0 {
            return Err(ValidationError::new(
                "amount",
                format!("a dispute's amount stays above zero in {}", self.amount.currency),
            )
            .into());
        }
        let mut change = if report.status != self.status && self.status.next().contains(&report.status) {
            self.change_status(report.status, actor, now)?
        } else {
            DisputeChange { dispute: self.clone(), entries: Vec::new() }
        };
        let dispute = &mut change.dispute;
        if dispute.amount != report.amount
            || dispute.reason != report.reason
            || dispute.evidence_due_by != report.evidence_due_by
        {
            dispute.amount = report.amount;
            dispute.reason = report.reason;
            dispute.evidence_due_by = report.evidence_due_by;
            dispute.updated_at = now;
            change.entries.push(TimelineEntry {
                at: now,
                actor: actor.clone(),
                event: CaseEvent::DisputeUpdated {
                    dispute_id: self.id,
                    amount: report.amount,
                    reason: report.reason,
                    evidence_due_by: report.evidence_due_by,
                },
            });
        }
        Ok(change)
    }

    /// Time left to answer, zero once past; none when no answer is expected.
    pub fn time_left(&self, now: OffsetDateTime) -> Option<Duration> {
        self.status.needs_response().then(|| (self.evidence_due_by - now).max(Duration::ZERO))
    }
}

/// Evidence in Stripe's field names (the text fields; files are uploaded separately).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StripeEvidence {
    /// The customer's billing address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<String>,
    /// Communication with the customer, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_communication: Option<String>,
    /// The customer's email address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email_address: Option<String>,
    /// The customer's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// Why the second charge is not a duplicate, for `duplicate` disputes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_charge_explanation: Option<String>,
    /// What was sold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_description: Option<String>,
    /// The receipt, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// The refund policy the customer was shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_policy: Option<String>,
    /// How the refund policy was shown to the customer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_policy_disclosure: Option<String>,
    /// Why the customer is not owed a refund, or what was refunded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refund_refusal_explanation: Option<String>,
    /// The delivery address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<String>,
    /// The carrier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_carrier: Option<String>,
    /// When it shipped (YYYY-MM-DD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_date: Option<String>,
    /// The tracking number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_tracking_number: Option<String>,
    /// Anything else: delivery confirmation, the timeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uncategorized_text: Option<String>,
}

/// The refund policy as the customer saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyShown {
    /// Policy id and version, e.g. `default@3`.
    pub version: String,
    /// The text shown.
    pub text: String,
}

/// The facts an evidence pack is built from: all of them the case's own record.
pub struct EvidenceSources<'a> {
    /// The dispute.
    pub dispute: &'a Dispute,
    /// The order.
    pub order: &'a Order,
    /// The customer.
    pub customer: &'a Customer,
    /// The case's messages.
    pub messages: &'a [Message],
    /// The case's timeline.
    pub timeline: &'a [TimelineEntry],
    /// Refunds on the order.
    pub refunds: &'a [Refund],
    /// The refund policy the customer was shown, when known.
    pub policy: Option<&'a PolicyShown>,
}

/// An evidence pack: Stripe's fields, ready to send, and the dispute it answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidencePack {
    /// The dispute.
    pub dispute_id: DisputeId,
    /// The provider's dispute id.
    pub provider_reference: String,
    /// The evidence, in Stripe's field names.
    pub evidence: StripeEvidence,
}

fn address_text(address: &crate::order::Address) -> String {
    let mut parts = vec![address.name.clone()];
    parts.extend(address.lines.iter().cloned());
    parts.push(format!("{} {}", address.postal_code, address.city));
    if let Some(region) = &address.region {
        parts.push(region.clone());
    }
    parts.push(address.country.clone());
    parts.join(", ")
}

impl EvidencePack {
    /// Assembles the pack from the case's record.
    pub fn assemble(sources: &EvidenceSources<'_>) -> EvidencePack {
        let order = sources.order;
        let mut evidence = StripeEvidence {
            billing_address: Some(address_text(&order.billing_address)),
            shipping_address: Some(address_text(&order.shipping_address)),
            customer_email_address: Some(sources.customer.email.to_string()),
            customer_name: Some(sources.customer.name.clone()),
            ..StripeEvidence::default()
        };
        let mut receipt = format!("Order {} placed {}\n", order.number, order.placed_at.date());
        let mut products = Vec::new();
        for line in &order.lines {
            let total = line.total().map(|t| t.to_string()).unwrap_or_default();
            let _ = writeln!(receipt, "{} × {} ({}) {}", line.quantity, line.title, line.sku, total);
            let variant: Vec<String> = line.variant.iter().map(|(k, v)| format!("{k} {v}")).collect();
            products.push(if variant.is_empty() {
                format!("{} × {}", line.quantity, line.title)
            } else {
                format!("{} × {} ({})", line.quantity, line.title, variant.join(", "))
            });
        }
        if let Ok(total) = order.total() {
            let _ = writeln!(receipt, "Total {total}");
        }
        for payment in &order.payments {
            let _ = writeln!(
                receipt,
                "Payment {} via {} ({}): captured {}, refunded {}",
                payment.provider_reference, payment.provider, payment.method, payment.captured, payment.refunded
            );
        }
        evidence.receipt = Some(receipt);
        evidence.product_description = Some(products.join("; "));

        if let Some(shipment) = order.shipments.iter().find(|s| s.tracking_number.is_some()).or(order.shipments.first())
        {
            evidence.shipping_carrier = Some(shipment.carrier.clone());
            evidence.shipping_tracking_number = shipment.tracking_number.clone();
            let shipped = shipment
                .status_times
                .get(&ShipmentStatus::HandedToCarrier)
                .or_else(|| shipment.status_times.get(&ShipmentStatus::InTransit));
            evidence.shipping_date = shipped.map(|t| t.0.date().to_string());
            if let Some(delivered) = shipment.status_times.get(&ShipmentStatus::Delivered) {
                evidence.uncategorized_text = Some(format!(
                    "Delivery confirmed by {} on {} (tracking {}).",
                    shipment.carrier,
                    delivered.0.date(),
                    shipment.tracking_number.as_deref().unwrap_or("none")
                ));
            }
        }

        if !sources.messages.is_empty() {
            let mut communication = String::new();
            for message in sources.messages {
                let who = match message.direction {
                    Direction::Inbound => "Customer",
                    Direction::Outbound => "Shop",
                };
                let _ = writeln!(communication, "[{}] {who}: {}", message.created_at.date(), message.body.trim());
            }
            evidence.customer_communication = Some(communication);
        }

        if let Some(policy) = sources.policy {
            evidence.refund_policy = Some(policy.text.clone());
            evidence.refund_policy_disclosure = Some(format!(
                "Refund policy version {} was shown to the customer at checkout and on the case.",
                policy.version
            ));
        }

        let settled: Vec<&Refund> = sources.refunds.iter().filter(|r| r.status == RefundStatus::Succeeded).collect();
        if !settled.is_empty() {
            let listed: Vec<String> = settled
                .iter()
                .map(|r| {
                    format!(
                        "{} on {} ({})",
                        r.amount,
                        r.updated_at.date(),
                        r.provider_reference.as_deref().unwrap_or("store credit")
                    )
                })
                .collect();
            evidence.refund_refusal_explanation = Some(format!("Already refunded: {}.", listed.join("; ")));
        }

        if sources.dispute.reason == crate::dispute::DisputeReason::Duplicate {
            let references: Vec<&str> = order.payments.iter().map(|p| p.provider_reference.as_str()).collect();
            evidence.duplicate_charge_explanation = Some(format!(
                "Payments on this order: {}. {}",
                references.join(", "),
                if settled.is_empty() {
                    "Each payment is for a distinct charge."
                } else {
                    "Any duplicate was refunded as listed."
                }
            ));
        }

        let mut history = evidence.uncategorized_text.take().unwrap_or_default();
        let steps: Vec<String> = sources
            .timeline
            .iter()
            .filter(|e| !matches!(e.event, CaseEvent::MessageAdded { .. }))
            .map(|e| format!("{} {}", e.at.date(), event_words(&e.event)))
            .collect();
        if !steps.is_empty() {
            if !history.is_empty() {
                history.push('\n');
            }
            let _ = write!(history, "Case history:\n{}", steps.join("\n"));
        }
        evidence.uncategorized_text = (!history.is_empty()).then_some(history);

        EvidencePack {
            dispute_id: sources.dispute.id,
            provider_reference: sources.dispute.provider_reference.clone(),
            evidence,
        }
    }

    /// The pack as a readable document (Markdown).
    pub fn document(&self) -> String {
        let mut out = format!("# Evidence for dispute {}\n", self.provider_reference);
        let value = serde_json::to_value(&self.evidence).unwrap_or_default();
        if let Some(fields) = value.as_object() {
            for (name, text) in fields {
                let title = name.replace('_', " ");
                let _ = write!(
                    out,
                    "\n## {}{}\n\n{}\n",
                    title[..1].to_uppercase(),
                    &title[1..],
                    text.as_str().unwrap_or_default().trim_end()
                );
            }
        }
        out
    }
}

fn event_words(event: &CaseEvent) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(|t| t.replace('_', " ")))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::CustomerId;
    use crate::money::Currency;
    use crate::order::{Address, OrderLine, Shipment, TimeStamp};
    use crate::store::EmailAddress;
    use std::collections::BTreeMap;
    use time::macros::datetime;
    use uuid::Uuid;

    const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn dispute(status: DisputeStatus, reason: DisputeReason) -> Dispute {
        Dispute {
            id: DisputeId::from_uuid(Uuid::from_u128(1)),
            store_id: StoreId::from_uuid(Uuid::from_u128(2)),
            order_id: OrderId::from_uuid(Uuid::from_u128(3)),
            payment_id: PaymentId::from_uuid(Uuid::from_u128(4)),
            case_id: CaseId::from_uuid(Uuid::from_u128(5)),
            provider_reference: "dp_1".into(),
            amount: Money::new(4999, eur()),
            reason,
            status,
            evidence_due_by: T0 + Duration::days(7),
            created_at: T0,
            updated_at: T0,
        }
    }

    #[test]
    fn disputes_open_move_and_count_down() {
        let opened =
            Dispute::open(dispute(DisputeStatus::NeedsResponse, DisputeReason::ProductNotReceived), &Actor::System)
                .unwrap();
        assert!(matches!(opened.entries[0].event, CaseEvent::DisputeOpened { .. }));
        assert_eq!(opened.dispute.time_left(T0 + Duration::days(2)), Some(Duration::days(5)));
        assert_eq!(opened.dispute.time_left(T0 + Duration::days(9)), Some(Duration::ZERO));
        let review = opened.dispute.change_status(DisputeStatus::UnderReview, &Actor::System, T0).unwrap().dispute;
        assert_eq!(review.time_left(T0), None);
        assert!(matches!(
            review.change_status(DisputeStatus::NeedsResponse, &Actor::System, T0),
            Err(DisputeError::IllegalTransition { from: DisputeStatus::UnderReview, to: DisputeStatus::NeedsResponse })
        ));
        assert!(
            matches!(Dispute::open(dispute(DisputeStatus::Won, DisputeReason::General), &Actor::System), Err(DisputeError::Invalid(e)) if e.field == "status")
        );
        let json = serde_json::to_value(DisputeReason::ProductUnacceptable).unwrap();
        assert_eq!(json, "product_unacceptable");
        assert_eq!(serde_json::to_value(DisputeStatus::WarningNeedsResponse).unwrap(), "warning_needs_response");
    }

    #[test]
    fn provider_reports_move_disputes_on_and_late_events_change_nothing() {
        let opened = Dispute::open(dispute(DisputeStatus::NeedsResponse, DisputeReason::General), &Actor::System)
            .unwrap()
            .dispute;
        let report = |status, amount| DisputeReport {
            status,
            reason: DisputeReason::Fraudulent,
            amount: Money::new(amount, eur()),
            evidence_due_by: T0 + Duration::days(10),
        };
        let moved = opened.reported(&report(DisputeStatus::UnderReview, 4000), &Actor::System, T0).unwrap();
        assert_eq!(moved.dispute.status, DisputeStatus::UnderReview);
        assert_eq!(moved.dispute.amount.amount_minor, 4000);
        assert_eq!(moved.dispute.reason, DisputeReason::Fraudulent);
        assert_eq!(moved.entries.len(), 2);
        assert!(matches!(moved.entries[1].event, CaseEvent::DisputeUpdated { .. }));
        // The same report again, or an older status arriving late: nothing changes.
        let again = moved.dispute.reported(&report(DisputeStatus::UnderReview, 4000), &Actor::System, T0).unwrap();
        assert!(again.entries.is_empty());
        assert_eq!(again.dispute, moved.dispute);
        let late = moved.dispute.reported(&report(DisputeStatus::NeedsResponse, 4000), &Actor::System, T0).unwrap();
        assert_eq!(late.dispute.status, DisputeStatus::UnderReview);
        assert!(late.entries.is_empty());
        let usd = DisputeReport {
            amount: Money::new(1, Currency::from_code("USD").unwrap()),
            ..report(DisputeStatus::Won, 1)
        };
        assert!(
            matches!(moved.dispute.reported(&usd, &Actor::System, T0), Err(DisputeError::Invalid(e)) if e.field == "amount")
        );
        assert!(
            matches!(moved.dispute.reported(&report(DisputeStatus::Won, 0), &Actor::System, T0), Err(DisputeError::Invalid(e)) if e.field == "amount")
        );
    }

    #[test]
    fn evidence_comes_from_the_case_record_in_stripe_field_names() {
        let address = Address {
            name: "Ana".into(),
            lines: vec!["Calle 1".into()],
            city: "Madrid".into(),
            postal_code: "28001".into(),
            region: None,
            country: "ES".into(),
        };
        let order = Order {
            id: OrderId::from_uuid(Uuid::from_u128(3)),
            store_id: StoreId::from_uuid(Uuid::from_u128(2)),
            number: "1042".into(),
            customer_id: CustomerId::from_uuid(Uuid::from_u128(6)),
            currency: eur(),
            lines: vec![OrderLine {
                sku: "VASE".into(),
                title: "Vase".into(),
                variant: BTreeMap::new(),
                category: None,
                quantity: 1,
                unit_price: Money::new(4999, eur()),
                other_variants: Vec::new(),
            }],
            shipping_address: address.clone(),
            billing_address: address,
            payments: vec![],
            shipments: vec![Shipment {
                id: crate::ids::ShipmentId::from_uuid(Uuid::from_u128(7)),
                carrier: "correos".into(),
                tracking_number: Some("PK123".into()),
                lines: vec![],
                status: ShipmentStatus::Delivered,
                status_times: BTreeMap::from([
                    (ShipmentStatus::HandedToCarrier, TimeStamp(T0)),
                    (ShipmentStatus::Delivered, TimeStamp(T0 + Duration::days(2))),
                ]),
            }],
            placed_at: T0,
            cancelled_at: None,
        };
        let customer = Customer {
            id: order.customer_id,
            store_id: order.store_id,
            email: EmailAddress::parse("ana@example.com").unwrap(),
            name: "Ana Pérez".into(),
            language: None,
        };
        let d = dispute(DisputeStatus::NeedsResponse, DisputeReason::ProductNotReceived);
        let policy = PolicyShown { version: "default@3".into(), text: "Returns within 30 days.".into() };
        let pack = EvidencePack::assemble(&EvidenceSources {
            dispute: &d,
            order: &order,
            customer: &customer,
            messages: &[],
            timeline: &[],
            refunds: &[],
            policy: Some(&policy),
        });
        let json = serde_json::to_value(&pack.evidence).unwrap();
        assert_eq!(json["shipping_carrier"], "correos");
        assert_eq!(json["shipping_tracking_number"], "PK123");
        assert_eq!(json["shipping_date"], "2026-11-20");
        assert_eq!(json["customer_email_address"], "ana@example.com");
        assert_eq!(json["refund_policy"], "Returns within 30 days.");
        assert!(json["uncategorized_text"].as_str().unwrap().contains("Delivery confirmed by correos on 2026-11-22"));
        assert!(json.get("customer_communication").is_none());
        let document = pack.document();
        assert!(document.starts_with("# Evidence for dispute dp_1"));
        assert!(document.contains("## Shipping tracking number\n\nPK123"));
    }
}
