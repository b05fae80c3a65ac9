//! Refund intents: money to give back, written down before any payment provider hears of it.
//!
//! A [`Refund`] is an intent with an [`IdempotencyKey`]: asking twice with the same key finds
//! the same intent, and the key goes to the provider so a retried call cannot pay twice. Its
//! [`RefundStatus`] moves along a small state machine:
//!
//! ```text
//! requested ─┬─> awaiting_approval ─┬─> approved ──> sent ─┬─> succeeded
//!            │                      └─> rejected           ├─> pending_settlement ─┬─> succeeded
//!            └─> approved (within the limit)               │                      └─> failed
//!                                                          ├─> sent (a retry)
//!                                                          └─> failed
//! ```
//!
//! Store credit and gift cards need no provider: an approved one succeeds at once.
//!
//! The amount a payment can still give back is kept by [`PaymentBalance`]: captured minus
//! refunded minus what intents in flight have reserved. An intent reserves its amount when it
//! is requested and releases it if rejected or failed, so two requests racing for the last
//! euro cannot both win.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime, Weekday};

use crate::approval::{ApprovalError, ApprovalPolicy, Person, RefundHistory};
use crate::ids::{CaseId, CustomerId, OrderId, PaymentId, RefundId, ReturnId, StoreId};
use crate::money::{Money, MoneyError};
use crate::order::Order;
use crate::store::ValidationError;
use crate::timeline::{Actor, CaseEvent, TimelineEntry};

/// A client's key for one refund request: the same key always means the same intent.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(transparent)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Accepts 1 to 255 visible ASCII characters (what Stripe accepts too).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        if text.is_empty() || text.len() > 255 || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ValidationError::new(
                "idempotency_key",
                "use 1 to 255 visible ASCII characters, e.g. a UUID, and the same key when retrying",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for IdempotencyKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        IdempotencyKey::parse(&text).map_err(|e| serde::de::Error::custom(e.problem))
    }
}

/// How the money goes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundMethod {
    /// To the card, wallet or account the customer paid with, through the payment provider.
    OriginalPayment,
    /// As store credit, optionally with a bonus set by policy.
    StoreCredit,
    /// As a gift card or coupon code: compensation, not tied to a payment.
    GiftCard,
}

impl RefundMethod {
    /// The snake_case id, as stored.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::OriginalPayment => "original_payment",
            Self::StoreCredit => "store_credit",
            Self::GiftCard => "gift_card",
        }
    }

    /// True when the money comes out of a payment's captured amount.
    pub const fn draws_on_payment(&self) -> bool {
        matches!(self, Self::OriginalPayment | Self::StoreCredit)
    }
}

/// Why money goes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// Items returned or not kept (give the lines).
    Items,
    /// The shipping charge.
    Shipping,
    /// The customer was charged twice.
    DuplicateCharge,
    /// Goodwill for a problem the shop or its carrier caused.
    Compensation,
    /// Anything else; say why in the note.
    Other,
}

impl RefundReason {
    /// Every reason.
    pub const ALL: &'static [RefundReason] =
        &[Self::Items, Self::Shipping, Self::DuplicateCharge, Self::Compensation, Self::Other];

    /// The snake_case id.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Items => "items",
            Self::Shipping => "shipping",
            Self::DuplicateCharge => "duplicate_charge",
            Self::Compensation => "compensation",
            Self::Other => "other",
        }
    }
}

impl std::str::FromStr for RefundReason {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|reason| reason.as_str() == text)
            .ok_or_else(|| ValidationError::new("reason", format!("`{text}` is not a refund reason")))
    }
}

/// A fee kept from a refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeeKind {
    /// Return shipping paid by the customer.
    ReturnShipping,
    /// Restocking fee.
    Restocking,
}

/// A fee kept from a refund: the customer gets the refund's amount, the shop keeps this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// What the fee is for.
    pub kind: FeeKind,
    /// How much.
    pub amount: Money,
}

/// Part of an order line refunded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundLine {
    /// The line's SKU.
    pub sku: String,
    /// How many units.
    pub quantity: u32,
    /// Money for them.
    pub amount: Money,
}

/// Where a refund intent stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Written down, the approval rule not yet applied.
    Requested,
    /// Waiting for a second person with the right role.
    AwaitingApproval,
    /// May be paid out.
    Approved,
    /// Refused by an approver; the reserved amount is free again.
    Rejected,
    /// Handed to the provider with the idempotency key; the answer is not known yet.
    Sent,
    /// The provider accepted it; the money arrives later.
    PendingSettlement,
    /// Paid out.
    Succeeded,
    /// The provider refused it; the reserved amount is free again.
    Failed,
}

impl RefundStatus {
    /// Every status.
    pub const ALL: &'static [RefundStatus] = &[
        Self::Requested,
        Self::AwaitingApproval,
        Self::Approved,
        Self::Rejected,
        Self::Sent,
        Self::PendingSettlement,
        Self::Succeeded,
        Self::Failed,
    ];

    /// The statuses a refund may move to from this one.
    pub const fn next(&self) -> &'static [RefundStatus] {
        use RefundStatus::*;
        match self {
            Requested => &[AwaitingApproval, Approved],
            AwaitingApproval => &[Approved, Rejected],
            Approved => &[Sent, Succeeded],
            Sent => &[Sent, PendingSettlement, Succeeded, Failed],
            PendingSettlement => &[Succeeded, Failed],
            Rejected | Succeeded | Failed => &[],
        }
    }

    /// True while the intent holds its amount against the payment.
    pub const fn reserves(&self) -> bool {
        matches!(self, Self::Requested | Self::AwaitingApproval | Self::Approved | Self::Sent | Self::PendingSettlement)
    }

    /// True when nothing more will happen.
    pub const fn is_final(&self) -> bool {
        matches!(self, Self::Rejected | Self::Succeeded | Self::Failed)
    }

    /// The snake_case id, as stored.
    pub const fn as_str(&self) -> &'static str {
        use RefundStatus::*;
        match self {
            Requested => "requested",
            AwaitingApproval => "awaiting_approval",
            Approved => "approved",
            Rejected => "rejected",
            Sent => "sent",
            PendingSettlement => "pending_settlement",
            Succeeded => "succeeded",
            Failed => "failed",
        }
    }
}

/// Why a refund was refused or could not move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefundError {
    /// More than the payment can still give back.
    #[error("{requested} is more than the {refundable} still refundable on this payment")]
    AboveRefundable {
        /// Asked for.
        requested: Money,
        /// What is left: captured minus refunded minus refunds in flight.
        refundable: Money,
    },
    /// The status machine does not allow the move.
    #[error("a refund cannot go from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition {
        /// Current status.
        from: RefundStatus,
        /// Requested status.
        to: RefundStatus,
    },
    /// A field breaks its rules.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The approval rules refuse it.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// The amounts mix currencies or overflow.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// More value than the order's goods or payments can account for.
    #[error("{asked} is more than the {left} the order still has to give back as {what}")]
    AboveOrderValue {
        /// What is bounded: `goods`, `compensation` or `gift cards`.
        what: &'static str,
        /// Asked for (amount plus fees for goods).
        asked: Money,
        /// What is left under the bound.
        left: Money,
    },
}

/// What a payment can still give back, kept in storage beside the payment.
///
/// Invariant: `0 ≤ refunded + reserved ≤ captured`, all in one currency. Every method keeps it
/// or returns an error and changes nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentBalance {
    /// Captured by the provider.
    pub captured: Money,
    /// Refunded and settled (or reported refunded by the shop).
    pub refunded: Money,
    /// Held by refund intents in flight.
    pub reserved: Money,
}

impl PaymentBalance {
    /// A balance; refused unless the invariant holds.
    pub fn new(captured: Money, refunded: Money, reserved: Money) -> Result<Self, RefundError> {
        let balance = Self { captured, refunded, reserved };
        let held = refunded.checked_add(&reserved)?;
        let _ = captured.checked_sub(&held)?;
        if captured.is_negative()
            || refunded.is_negative()
            || reserved.is_negative()
            || held.amount_minor > captured.amount_minor
        {
            return Err(
                ValidationError::new("refunded", "refunded and reserved cannot exceed what was captured").into()
            );
        }
        Ok(balance)
    }

    /// Captured minus refunded minus reserved.
    pub fn refundable(&self) -> Result<Money, MoneyError> {
        self.captured.checked_sub(&self.refunded)?.checked_sub(&self.reserved)
    }

    /// Holds `amount` for a new intent; refused above what is refundable.
    pub fn reserve(&self, amount: Money) -> Result<Self, RefundError> {
        if amount.amount_minor <= 0 {
            return Err(ValidationError::new("amount.amount_minor", "must be above zero").into());
        }
        let refundable = self.refundable()?;
        if amount.currency != refundable.currency {
            return Err(MoneyError::CurrencyMismatch { left: refundable.currency, right: amount.currency }.into());
        }
        if amount.amount_minor > refundable.amount_minor {
            return Err(RefundError::AboveRefundable { requested: amount, refundable });
        }
        Ok(Self { reserved: self.reserved.checked_add(&amount)?, ..*self })
    }

    /// Frees `amount` held by an intent that was rejected or failed.
    pub fn release(&self, amount: Money) -> Result<Self, RefundError> {
        let reserved = self.reserved.checked_sub(&amount)?;
        Self::new(self.captured, self.refunded, reserved)
    }

    /// Turns `amount` held by an intent into refunded money, once it succeeded.
    pub fn settle(&self, amount: Money) -> Result<Self, RefundError> {
        let reserved = self.reserved.checked_sub(&amount)?;
        Self::new(self.captured, self.refunded.checked_add(&amount)?, reserved)
    }

    /// The capture grew (the shop reported a later capture); refunds are untouched.
    pub fn with_captured(&self, captured: Money) -> Result<Self, RefundError> {
        Self::new(captured, self.refunded, self.reserved)
    }
}

/// Dates as `2026-11-27` in JSON (serde `with` module).
#[allow(missing_docs)]
pub mod iso_date {
    time::serde::format_description!(inner, Date, "[year]-[month]-[day]");
    pub use inner::*;
}

/// When the customer can expect the money, by method: shown in "where is my refund".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExpectedArrival {
    /// Earliest day the money can show.
    #[serde(with = "iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub earliest: Date,
    /// Day by which it should have shown; after it, the refund is late.
    #[serde(with = "iso_date")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub latest: Date,
}

fn add_business_days(mut day: Date, days: u32) -> Date {
    let mut left = days;
    while left > 0 {
        day = day.next_day().unwrap_or(day);
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    day
}

impl ExpectedArrival {
    /// Business days, earliest and latest, for money to show after a refund is sent: cards
    /// take 5 to 10, bank transfers 2 to 5, instant methods (BLIK, wallets) 1 to 3; store
    /// credit and gift cards are usable the same day.
    pub fn business_days(method: RefundMethod, payment_method: &str) -> (u32, u32) {
        match method {
            RefundMethod::StoreCredit | RefundMethod::GiftCard => (0, 0),
            RefundMethod::OriginalPayment => match payment_method {
                "blik" | "paypal" | "apple_pay" | "google_pay" | "wallet" | "pix" => (1, 3),
                "bank_transfer" | "sepa_debit" | "ideal" | "bank" => (2, 5),
                _ => (5, 10),
            },
        }
    }

    /// The window for a refund sent (or, for credit, issued) at `sent_at`.
    pub fn for_refund(method: RefundMethod, payment_method: &str, sent_at: OffsetDateTime) -> Self {
        let (earliest, latest) = Self::business_days(method, payment_method);
        let day = sent_at.date();
        Self { earliest: add_business_days(day, earliest), latest: add_business_days(day, latest) }
    }
}

/// A refund intent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refund {
    /// The intent's id.
    pub id: RefundId,
    /// The store.
    pub store_id: StoreId,
    /// The order it refunds.
    pub order_id: OrderId,
    /// The case it was made on.
    pub case_id: CaseId,
    /// The customer who gets the money.
    pub customer_id: CustomerId,
    /// The payment it draws on; none for gift cards.
    pub payment_id: Option<PaymentId>,
    /// The client's key: one key, one intent.
    pub idempotency_key: IdempotencyKey,
    /// How the money goes back.
    pub method: RefundMethod,
    /// Why.
    pub reason: RefundReason,
    /// The order lines refunded, for partial refunds per line.
    pub lines: Vec<RefundLine>,
    /// What the customer gets (before any store credit bonus).
    pub amount: Money,
    /// Fees kept from the refund.
    pub fees: Vec<Fee>,
    /// Extra store credit on top, set by policy (zero otherwise).
    pub bonus: Money,
    /// A note for the team.
    pub note: Option<String>,
    /// Where it stands.
    pub status: RefundStatus,
    /// Who asked for it.
    pub requested_by: Person,
    /// The return it settles, when it settles one: its units are counted by the return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_id: Option<ReturnId>,
    /// Why it needs a second person, when it does.
    pub approval_reason: Option<String>,
    /// Who approved or rejected it.
    pub decided_by: Option<Person>,
    /// Calls made to the provider so far.
    pub attempts: u32,
    /// The provider's id for the refund, once known.
    pub provider_reference: Option<String>,
    /// The gift card or coupon code, for gift cards.
    pub gift_code: Option<String>,
    /// Why the provider refused it, when it did.
    pub failure: Option<String>,
    /// When the customer can expect the money, once sent.
    pub expected: Option<ExpectedArrival>,
    /// When it was asked for.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// When it last changed.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: OffsetDateTime,
}

/// What a refund is asked with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundRequest {
    /// The new intent's id.
    pub id: RefundId,
    /// The store.
    pub store_id: StoreId,
    /// The order.
    pub order_id: OrderId,
    /// The case.
    pub case_id: CaseId,
    /// The customer.
    pub customer_id: CustomerId,
    /// The payment, for refunds to the original method or as store credit.
    pub payment_id: Option<PaymentId>,
    /// The client's key.
    pub idempotency_key: IdempotencyKey,
    /// How.
    pub method: RefundMethod,
    /// Why.
    pub reason: RefundReason,
    /// Lines, for partial refunds per line.
    pub lines: Vec<RefundLine>,
    /// What the customer gets.
    pub amount: Money,
    /// Fees kept.
    pub fees: Vec<Fee>,
    /// Store credit bonus.
    pub bonus: Money,
    /// A note.
    pub note: Option<String>,
    /// Who asks.
    pub requested_by: Person,
    /// An agent flags the customer for review: the refund waits for a second person whatever
    /// the amount. The abuse rules flag customers by their history on top of this.
    pub customer_flagged: bool,
    /// Why a second person must decide whatever the amount, when something already says so
    /// (a remedy the policy offered only with approval).
    pub needs_approval: Option<String>,
    /// The return it settles, if any.
    pub return_id: Option<ReturnId>,
}

impl RefundRequest {
    /// True when `other` asks for the same thing: a retry with the same key must not change
    /// what is refunded.
    pub fn same_as(&self, refund: &Refund) -> bool {
        self.order_id == refund.order_id
            && self.case_id == refund.case_id
            && self.payment_id == refund.payment_id
            && self.method == refund.method
            && self.reason == refund.reason
            && self.amount == refund.amount
            && self.fees == refund.fees
            && self.bonus == refund.bonus
            && self.lines == refund.lines
            && self.note == refund.note
            && self.requested_by.same_as(&refund.requested_by)
    }
}

/// A refund after a change, with the timeline entries for its case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundChange {
    /// The refund as it now is.
    pub refund: Refund,
    /// What to append to the case's timeline.
    pub entries: Vec<TimelineEntry>,
}

fn entry(at: OffsetDateTime, actor: Actor, event: CaseEvent) -> TimelineEntry {
    TimelineEntry { at, actor, event }
}

impl Refund {
    /// Checks a request and writes the intent: amounts positive and in the payment's
    /// currency, gift cards without a payment and the others with one, lines adding up to the
    /// amount when given. Then applies the approval rule: within the policy's limit and for a
    /// customer neither flagged by an agent nor by the abuse rules given their refund `history`
    /// (the customer's refunds in the rules' window, this one left out), it is approved at once;
    /// otherwise it waits for a second person. Lines are checked against the order by
    /// [`check_lines`], which storage runs with the order's earlier refunds.
    /// The caller reserves the amount on the payment (see [`PaymentBalance::reserve`]).
    pub fn request(
        request: RefundRequest,
        policy: &ApprovalPolicy,
        history: &RefundHistory,
        now: OffsetDateTime,
    ) -> Result<RefundChange, RefundError> {
        let currency = request.amount.currency;
        if request.amount.amount_minor <= 0 {
            return Err(ValidationError::new("amount.amount_minor", "must be above zero").into());
        }
        if request.bonus.is_negative() || request.bonus.currency != currency {
            return Err(ValidationError::new("bonus", "a bonus is zero or more, in the refund's currency").into());
        }
        if request.bonus.amount_minor > 0 && request.method != RefundMethod::StoreCredit {
            return Err(ValidationError::new("bonus", "only store credit carries a bonus").into());
        }
        for (i, fee) in request.fees.iter().enumerate() {
            if fee.amount.amount_minor <= 0 || fee.amount.currency != currency {
                return Err(ValidationError::new(
                    format!("fees[{i}].amount"),
                    "a fee is above zero, in the refund's currency",
                )
                .into());
            }
        }
        if request.method.draws_on_payment() != request.payment_id.is_some() {
            return Err(ValidationError::new(
                "payment_id",
                if request.method.draws_on_payment() {
                    "name the payment the refund goes back to"
                } else {
                    "a gift card is not tied to a payment; leave payment_id out"
                },
            )
            .into());
        }
        if !request.lines.is_empty() {
            let mut total = Money::zero(currency);
            for (i, line) in request.lines.iter().enumerate() {
                if line.quantity == 0
                    || line.amount.amount_minor <= 0
                    || line.amount.currency != currency
                    || line.sku.trim().is_empty()
                {
                    return Err(ValidationError::new(
                        format!("lines[{i}]"),
                        "a line names a SKU, at least one unit and an amount above zero in the refund's currency",
                    )
                    .into());
                }
                total = total.checked_add(&line.amount)?;
            }
            let gross = request.fees.iter().try_fold(request.amount, |sum, fee| sum.checked_add(&fee.amount))?;
            if total != gross {
                return Err(ValidationError::new(
                    "lines",
                    format!("the lines add up to {total}, not the refund's {gross} (amount plus fees)"),
                )
                .into());
            }
        }
        if let Some(note) = &request.note
            && note.chars().count() > 2000
        {
            return Err(ValidationError::new("note", "keep the note under 2000 characters").into());
        }
        if request.reason != RefundReason::Items && !request.fees.is_empty() {
            return Err(ValidationError::new("fees", "fees are kept only from a refund of goods (reason items)").into());
        }
        let value = request.amount.checked_add(&request.bonus)?;
        let approval_reason =
            request.needs_approval.clone().or_else(|| policy.needs_approval(value, request.customer_flagged, history));
        let requester = request.requested_by.actor();
        let mut refund = Refund {
            id: request.id,
            store_id: request.store_id,
            order_id: request.order_id,
            case_id: request.case_id,
            customer_id: request.customer_id,
            payment_id: request.payment_id,
            idempotency_key: request.idempotency_key,
            method: request.method,
            reason: request.reason,
            lines: request.lines,
            amount: request.amount,
            fees: request.fees,
            bonus: request.bonus,
            note: request.note,
            status: RefundStatus::Requested,
            requested_by: request.requested_by,
            return_id: request.return_id,
            approval_reason: approval_reason.clone(),
            decided_by: None,
            attempts: 0,
            provider_reference: None,
            gift_code: None,
            failure: None,
            expected: None,
            created_at: now,
            updated_at: now,
        };
        let mut entries = vec![entry(
            now,
            requester.clone(),
            CaseEvent::RefundRequested {
                refund_id: refund.id,
                amount: refund.amount,
                method: refund.method,
                payment_id: refund.payment_id,
                reason: refund.reason,
            },
        )];
        match approval_reason {
            Some(because) => {
                refund.status = RefundStatus::AwaitingApproval;
                entries.push(entry(
                    now,
                    Actor::System,
                    CaseEvent::RefundAwaitingApproval { refund_id: refund.id, because },
                ));
            }
            None => {
                refund.status = RefundStatus::Approved;
                entries.push(entry(
                    now,
                    Actor::System,
                    CaseEvent::RefundApproved {
                        refund_id: refund.id,
                        by: None,
                        rule: Some("approval.within_limit".into()),
                    },
                ));
            }
        }
        Ok(RefundChange { refund, entries })
    }

    fn moved(&self, to: RefundStatus, now: OffsetDateTime) -> Result<Refund, RefundError> {
        if !self.status.next().contains(&to) {
            return Err(RefundError::IllegalTransition { from: self.status, to });
        }
        let mut next = self.clone();
        next.status = to;
        next.updated_at = now;
        Ok(next)
    }

    /// A second person approves it; the requester cannot, and the approver needs the role.
    pub fn approve(
        &self,
        approver: &Person,
        policy: &ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<RefundChange, RefundError> {
        policy.may_decide(&self.requested_by, approver)?;
        let mut refund = self.moved(RefundStatus::Approved, now)?;
        refund.decided_by = Some(approver.clone());
        let event = CaseEvent::RefundApproved { refund_id: self.id, by: Some(approver.name.clone()), rule: None };
        Ok(RefundChange { refund, entries: vec![entry(now, approver.actor(), event)] })
    }

    /// A second person rejects it; the caller releases the reserved amount.
    pub fn reject(
        &self,
        approver: &Person,
        note: &str,
        policy: &ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<RefundChange, RefundError> {
        policy.may_decide(&self.requested_by, approver)?;
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 2000 {
            return Err(ValidationError::new("note", "say why, in 1 to 2000 characters").into());
        }
        let mut refund = self.moved(RefundStatus::Rejected, now)?;
        refund.decided_by = Some(approver.clone());
        let event = CaseEvent::RefundRejected { refund_id: self.id, by: approver.name.clone(), note: note.to_owned() };
        Ok(RefundChange { refund, entries: vec![entry(now, approver.actor(), event)] })
    }

    /// An attempt is about to go to the provider: recorded before the call, so a crash after
    /// it leaves a `sent` intent that recovery reconciles rather than sends afresh.
    pub fn send(&self, now: OffsetDateTime) -> Result<RefundChange, RefundError> {
        if self.method != RefundMethod::OriginalPayment {
            return Err(RefundError::IllegalTransition { from: self.status, to: RefundStatus::Sent });
        }
        let mut refund = self.moved(RefundStatus::Sent, now)?;
        refund.attempts += 1;
        let event = CaseEvent::RefundSent { refund_id: self.id, attempt: refund.attempts };
        Ok(RefundChange { refund, entries: vec![entry(now, Actor::System, event)] })
    }

    /// The provider says it is done (or, for credit and gift cards, it was issued).
    pub fn succeed(
        &self,
        provider_reference: Option<String>,
        payment_method: &str,
        now: OffsetDateTime,
    ) -> Result<RefundChange, RefundError> {
        let mut refund = self.moved(RefundStatus::Succeeded, now)?;
        if provider_reference.is_some() {
            refund.provider_reference = provider_reference.clone();
        }
        if refund.expected.is_none() {
            refund.expected = Some(ExpectedArrival::for_refund(self.method, payment_method, now));
        }
        let event = CaseEvent::RefundSucceeded {
            refund_id: self.id,
            amount: self.amount,
            provider_reference,
            expected_by: refund.expected.map(|e| e.latest),
        };
        Ok(RefundChange { refund, entries: vec![entry(now, Actor::System, event)] })
    }

    /// The provider accepted it and will settle later.
    pub fn pending(
        &self,
        provider_reference: String,
        payment_method: &str,
        now: OffsetDateTime,
    ) -> Result<RefundChange, RefundError> {
        let mut refund = self.moved(RefundStatus::PendingSettlement, now)?;
        refund.provider_reference = Some(provider_reference.clone());
        let expected = ExpectedArrival::for_refund(self.method, payment_method, now);
        refund.expected = Some(expected);
        let event = CaseEvent::RefundPending { refund_id: self.id, provider_reference, expected_by: expected.latest };
        Ok(RefundChange { refund, entries: vec![entry(now, Actor::System, event)] })
    }

    /// The provider refused it; the caller releases the reserved amount.
    pub fn fail(&self, reason: &str, now: OffsetDateTime) -> Result<RefundChange, RefundError> {
        let mut refund = self.moved(RefundStatus::Failed, now)?;
        refund.failure = Some(reason.to_owned());
        let event = CaseEvent::RefundFailed { refund_id: self.id, reason: reason.to_owned() };
        Ok(RefundChange { refund, entries: vec![entry(now, Actor::System, event)] })
    }

    /// Amount plus fees: what the refund takes off the sale.
    pub fn gross(&self) -> Result<Money, MoneyError> {
        self.fees.iter().try_fold(self.amount, |sum, fee| sum.checked_add(&fee.amount))
    }

    /// True when the money should have arrived by `today` and has not.
    pub fn is_late(&self, today: Date) -> bool {
        matches!(self.status, RefundStatus::Sent | RefundStatus::PendingSettlement)
            && self.expected.is_some_and(|e| e.latest < today)
    }
}

/// Checks a refund's lines against the order and the order's earlier refunds: every SKU is on
/// the order, no more units than ordered, and no line gives back more than its price times the
/// units refunded, nor, with the line's earlier refunds (rejected and failed ones left out),
/// more than the line's value. Refusals name the line's field (`lines[1].amount`).
pub fn check_lines(order: &Order, earlier: &[Refund], lines: &[RefundLine]) -> Result<(), RefundError> {
    let mut taken: BTreeMap<&str, i64> = BTreeMap::new();
    for refund in earlier.iter().filter(|r| !matches!(r.status, RefundStatus::Rejected | RefundStatus::Failed)) {
        for line in &refund.lines {
            let sum = taken.entry(line.sku.as_str()).or_default();
            *sum = sum.checked_add(line.amount.amount_minor).ok_or(MoneyError::Overflow)?;
        }
    }
    let mut units: BTreeMap<&str, u64> = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(ordered) = order.lines.iter().find(|l| l.sku == line.sku) else {
            return Err(
                ValidationError::new(format!("lines[{i}].sku"), format!("`{}` is not on the order", line.sku)).into()
            );
        };
        let asked = units.entry(line.sku.as_str()).or_default();
        *asked += u64::from(line.quantity);
        if *asked > u64::from(ordered.quantity) {
            return Err(ValidationError::new(
                format!("lines[{i}].quantity"),
                format!("the order has {} of `{}`", ordered.quantity, line.sku),
            )
            .into());
        }
        if line.amount.currency != order.currency {
            return Err(
                ValidationError::new(format!("lines[{i}].amount.currency"), format!("use {}", order.currency)).into()
            );
        }
        let for_units = ordered.unit_price.checked_mul(line.quantity)?;
        let before = taken.get(line.sku.as_str()).copied().unwrap_or(0);
        let left = ordered.total()?.amount_minor.checked_sub(before).ok_or(MoneyError::Overflow)?;
        let most = for_units.amount_minor.min(left).max(0);
        if line.amount.amount_minor > most {
            return Err(ValidationError::new(
                format!("lines[{i}].amount"),
                format!(
                    "at most {} can be refunded for {} of `{}` ({} already refunded on the line)",
                    Money::new(most, order.currency),
                    line.quantity,
                    line.sku,
                    Money::new(before, order.currency)
                ),
            )
            .into());
        }
        let sum = taken.entry(line.sku.as_str()).or_default();
        *sum = sum.checked_add(line.amount.amount_minor).ok_or(MoneyError::Overflow)?;
    }
    Ok(())
}

/// What an order's earlier refunds that give value add up to, in minor units of the order's
/// currency. Kept in a wide type: a sum of stored rows can never overflow it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefundTotals {
    /// Amount plus fees of refunds of goods (reason `items`).
    pub goods: i128,
    /// Goodwill compensation given.
    pub compensation: i128,
    /// Value given outside the payments (gift cards), whatever the reason.
    pub outside_payments: i128,
}

impl RefundTotals {
    /// Adds one refund that gives value: its amount and fees, by reason and method.
    pub fn add(&mut self, reason: RefundReason, method: RefundMethod, amount_minor: i128, fees_minor: i128) {
        match reason {
            RefundReason::Items => self.goods += amount_minor + fees_minor,
            RefundReason::Compensation => self.compensation += amount_minor,
            _ => {}
        }
        if !method.draws_on_payment() {
            self.outside_payments += amount_minor;
        }
    }

    /// The totals of `refunds` (those refused or failed left out).
    pub fn of(refunds: &[Refund]) -> Self {
        let mut totals = Self::default();
        for refund in refunds.iter().filter(|r| r.gives_value()) {
            let fees: i128 = refund.fees.iter().map(|f| i128::from(f.amount.amount_minor)).sum();
            totals.add(refund.reason, refund.method, i128::from(refund.amount.amount_minor), fees);
        }
        totals
    }
}

/// Checks a refund's value against its order, whatever path asks for it: a refund of goods
/// (with its fees) never gives back more than the order's goods are worth less what was given
/// back for goods before; compensation never more than the goods; and value given outside the
/// payments (gift cards) never more than the customer paid. Money drawn on a payment is bounded
/// by the payment's own balance as well ([`PaymentBalance::reserve`]).
pub fn check_value(order: &Order, earlier: &RefundTotals, request: &RefundRequest) -> Result<(), RefundError> {
    let currency = order.currency;
    let goods: i128 = order.lines.iter().map(|l| i128::from(l.unit_price.amount_minor) * i128::from(l.quantity)).sum();
    let paid: i128 = order.payments.iter().map(|p| i128::from(p.captured.amount_minor)).sum();
    let amount = i128::from(request.amount.amount_minor);
    let fees: i128 = request.fees.iter().map(|f| i128::from(f.amount.amount_minor)).sum();
    let money = |minor: i128| Money::new(i64::try_from(minor.max(0)).unwrap_or(i64::MAX), currency);
    let refuse = |what, asked: i128, left: i128| {
        Err(RefundError::AboveOrderValue { what, asked: money(asked), left: money(left) })
    };
    match request.reason {
        RefundReason::Items if earlier.goods + amount + fees > goods => {
            return refuse("goods", amount + fees, goods - earlier.goods);
        }
        RefundReason::Compensation if earlier.compensation + amount > goods => {
            return refuse("compensation", amount, goods - earlier.compensation);
        }
        _ => {}
    }
    if !request.method.draws_on_payment() && earlier.outside_payments + amount > paid {
        return refuse("gift cards", amount, paid - earlier.outside_payments);
    }
    Ok(())
}

/// A customer's store credit in one currency: never below zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoreCredit {
    /// The customer.
    pub customer_id: CustomerId,
    /// What they can spend.
    pub balance: Money,
}

impl StoreCredit {
    /// Adds credit.
    pub fn issue(&self, amount: Money) -> Result<StoreCredit, RefundError> {
        if amount.amount_minor <= 0 {
            return Err(ValidationError::new("amount.amount_minor", "must be above zero").into());
        }
        Ok(StoreCredit { balance: self.balance.checked_add(&amount)?, ..*self })
    }

    /// Spends credit; refused beyond the balance.
    pub fn spend(&self, amount: Money) -> Result<StoreCredit, RefundError> {
        if amount.amount_minor <= 0 {
            return Err(ValidationError::new("amount.amount_minor", "must be above zero").into());
        }
        let balance = self.balance.checked_sub(&amount)?;
        if balance.is_negative() {
            return Err(ValidationError::new(
                "amount",
                format!("the customer has only {} of store credit", self.balance),
            )
            .into());
        }
        Ok(StoreCredit { balance, ..*self })
    }
}

/// Store credit a customer spent, e.g. on a new order: one spend per idempotency key, recorded
/// with the ledger posting (`store_credit_spent`) whose id it carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditSpend {
    /// The posting recording it, which is also the spend's id.
    pub posting_id: crate::ids::PostingId,
    /// The store.
    pub store_id: StoreId,
    /// The customer whose credit is spent.
    pub customer_id: CustomerId,
    /// The client's key: one key, one spend.
    pub idempotency_key: IdempotencyKey,
    /// How much.
    pub amount: Money,
    /// What it was spent on, e.g. the shop's number of the new order.
    pub spent_on: String,
    /// The case it was spent on, when there is one (the spend goes on its timeline).
    pub case_id: Option<CaseId>,
    /// Who spent it.
    pub spent_by: Actor,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: OffsetDateTime,
}

impl CreditSpend {
    /// Checks the spend's own fields: an amount above zero and what it was spent on, 1 to 200
    /// characters.
    pub fn validate(&self) -> Result<(), RefundError> {
        if self.amount.amount_minor <= 0 {
            return Err(ValidationError::new("amount.amount_minor", "must be above zero").into());
        }
        let on = self.spent_on.trim();
        if on.is_empty() || on.chars().count() > 200 {
            return Err(
                ValidationError::new("spent_on", "say what the credit pays for, e.g. the new order's number").into()
            );
        }
        Ok(())
    }

    /// True when `other` spends the same: a retry with the same key must not change it.
    pub fn same_as(&self, other: &CreditSpend) -> bool {
        self.customer_id == other.customer_id
            && self.amount == other.amount
            && self.spent_on == other.spent_on
            && self.case_id == other.case_id
    }
}

/// How long a refund may stay in `sent` before recovery asks the provider again.
pub const SENT_RECONCILE_AFTER: Duration = Duration::seconds(30);

#[cfg(test)]
mod tests {
    use super::*;

    use crate::approval::Role;
    use crate::money::Currency;
    use proptest::prelude::*;
    use time::macros::{date, datetime};
    use uuid::Uuid;

    const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);

    #[test]
    fn refund_reasons_read_back_as_serde_spells_them() {
        for reason in RefundReason::ALL {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
            assert_eq!(reason.as_str().parse::<RefundReason>().unwrap(), *reason);
        }
        assert_eq!("twice".parse::<RefundReason>().unwrap_err().field, "reason");
    }

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn person(name: &str, role: Role) -> Person {
        Person::new(name, role).unwrap()
    }

    fn request(amount: i64, method: RefundMethod) -> RefundRequest {
        RefundRequest {
            id: RefundId::from_uuid(Uuid::from_u128(1)),
            store_id: StoreId::from_uuid(Uuid::from_u128(2)),
            order_id: OrderId::from_uuid(Uuid::from_u128(3)),
            case_id: CaseId::from_uuid(Uuid::from_u128(4)),
            customer_id: CustomerId::from_uuid(Uuid::from_u128(5)),
            payment_id: method.draws_on_payment().then(|| PaymentId::from_uuid(Uuid::from_u128(6))),
            idempotency_key: IdempotencyKey::parse("key-1").unwrap(),
            method,
            reason: RefundReason::DuplicateCharge,
            lines: vec![],
            amount: Money::new(amount, eur()),
            fees: vec![],
            bonus: Money::zero(eur()),
            note: None,
            requested_by: person("maria", Role::Agent),
            customer_flagged: false,
            needs_approval: None,
            return_id: None,
        }
    }

    fn policy() -> ApprovalPolicy {
        ApprovalPolicy::default()
    }

    #[test]
    fn small_refunds_are_approved_at_once_large_ones_wait() {
        let small =
            Refund::request(request(5000, RefundMethod::OriginalPayment), &policy(), &RefundHistory::default(), T0)
                .unwrap();
        assert_eq!(small.refund.status, RefundStatus::Approved);
        assert!(matches!(small.entries[1].event, CaseEvent::RefundApproved { by: None, .. }));
        let large =
            Refund::request(request(50_000, RefundMethod::OriginalPayment), &policy(), &RefundHistory::default(), T0)
                .unwrap();
        assert_eq!(large.refund.status, RefundStatus::AwaitingApproval);
        let mut flagged = request(100, RefundMethod::OriginalPayment);
        flagged.customer_flagged = true;
        assert_eq!(
            Refund::request(flagged, &policy(), &RefundHistory::default(), T0).unwrap().refund.status,
            RefundStatus::AwaitingApproval
        );
    }

    #[test]
    fn the_requester_cannot_approve_their_own_and_agents_cannot_approve() {
        let waiting =
            Refund::request(request(50_000, RefundMethod::OriginalPayment), &policy(), &RefundHistory::default(), T0)
                .unwrap()
                .refund;
        assert!(matches!(
            waiting.approve(&person("maria", Role::TeamLead), &policy(), T0),
            Err(RefundError::Approval(ApprovalError::OwnRequest))
        ));
        assert!(matches!(
            waiting.approve(&person("tomasz", Role::Agent), &policy(), T0),
            Err(RefundError::Approval(ApprovalError::RoleTooLow { .. }))
        ));
        let approved = waiting.approve(&person("lead", Role::TeamLead), &policy(), T0).unwrap();
        assert_eq!(approved.refund.status, RefundStatus::Approved);
        assert!(matches!(approved.entries[0].event, CaseEvent::RefundApproved { by: Some(_), .. }));
        let rejected = waiting.reject(&person("owner", Role::Owner), "looks like abuse", &policy(), T0).unwrap();
        assert_eq!(rejected.refund.status, RefundStatus::Rejected);
        assert!(
            matches!(waiting.reject(&person("owner", Role::Owner), " ", &policy(), T0), Err(RefundError::Invalid(e)) if e.field == "note")
        );
        assert!(matches!(
            approved.refund.approve(&person("lead", Role::TeamLead), &policy(), T0),
            Err(RefundError::IllegalTransition { .. })
        ));
    }

    #[test]
    fn bad_requests_are_refused() {
        assert!(
            Refund::request(request(0, RefundMethod::OriginalPayment), &policy(), &RefundHistory::default(), T0)
                .is_err()
        );
        assert!(
            Refund::request(request(-5, RefundMethod::OriginalPayment), &policy(), &RefundHistory::default(), T0)
                .is_err()
        );
        let mut gift = request(100, RefundMethod::GiftCard);
        gift.payment_id = Some(PaymentId::from_uuid(Uuid::from_u128(6)));
        assert!(
            matches!(Refund::request(gift, &policy(), &RefundHistory::default(), T0), Err(RefundError::Invalid(e)) if e.field == "payment_id")
        );
        let mut bonus = request(100, RefundMethod::OriginalPayment);
        bonus.bonus = Money::new(10, eur());
        assert!(
            matches!(Refund::request(bonus, &policy(), &RefundHistory::default(), T0), Err(RefundError::Invalid(e)) if e.field == "bonus")
        );
        let mut lines = request(1000, RefundMethod::OriginalPayment);
        lines.lines = vec![RefundLine { sku: "TEE".into(), quantity: 1, amount: Money::new(900, eur()) }];
        assert!(
            matches!(Refund::request(lines.clone(), &policy(), &RefundHistory::default(), T0), Err(RefundError::Invalid(e)) if e.field == "lines")
        );
        lines.fees = vec![Fee { kind: FeeKind::Restocking, amount: Money::new(-100, eur()) }];
        assert!(
            matches!(Refund::request(lines.clone(), &policy(), &RefundHistory::default(), T0), Err(RefundError::Invalid(e)) if e.field == "fees[0].amount")
        );
        lines.fees = vec![Fee { kind: FeeKind::Restocking, amount: Money::new(100, eur()) }];
        lines.amount = Money::new(800, eur());
        assert!(
            matches!(Refund::request(lines.clone(), &policy(), &RefundHistory::default(), T0), Err(RefundError::Invalid(e)) if e.field == "fees"),
            "fees are kept only from a refund of goods"
        );
        lines.reason = RefundReason::Items;
        assert!(Refund::request(lines, &policy(), &RefundHistory::default(), T0).is_ok());
        assert!(matches!(IdempotencyKey::parse(""), Err(e) if e.field == "idempotency_key"));
        assert!(matches!(IdempotencyKey::parse("has space"), Err(e) if e.field == "idempotency_key"));
        assert!(matches!(IdempotencyKey::parse(&"k".repeat(256)), Err(e) if e.field == "idempotency_key"));
    }

    #[test]
    fn every_status_transition_is_legal_or_refused() {
        let base =
            Refund::request(request(100, RefundMethod::OriginalPayment), &policy(), &RefundHistory::default(), T0)
                .unwrap()
                .refund;
        for from in RefundStatus::ALL {
            let mut refund = base.clone();
            refund.status = *from;
            let attempts = [
                (RefundStatus::Sent, refund.send(T0).map(|c| c.refund)),
                (RefundStatus::Succeeded, refund.succeed(Some("re_1".into()), "card", T0).map(|c| c.refund)),
                (RefundStatus::Failed, refund.fail("card expired", T0).map(|c| c.refund)),
                (RefundStatus::PendingSettlement, refund.pending("re_1".into(), "card", T0).map(|c| c.refund)),
            ];
            for (to, result) in attempts {
                assert_eq!(result.is_ok(), from.next().contains(&to), "{from:?} -> {to:?}");
            }
        }
        assert!(RefundStatus::ALL.iter().filter(|s| s.is_final()).all(|s| s.next().is_empty()));
    }

    #[test]
    fn expected_arrival_counts_business_days() {
        let friday = datetime!(2026-11-20 09:00 UTC);
        let card = ExpectedArrival::for_refund(RefundMethod::OriginalPayment, "card", friday);
        assert_eq!(card.earliest, date!(2026 - 11 - 27));
        assert_eq!(card.latest, date!(2026 - 12 - 04));
        let credit = ExpectedArrival::for_refund(RefundMethod::StoreCredit, "card", friday);
        assert_eq!(credit.latest, date!(2026 - 11 - 20));
        let blik = ExpectedArrival::for_refund(RefundMethod::OriginalPayment, "blik", friday);
        assert_eq!(blik.earliest, date!(2026 - 11 - 23));
    }

    #[test]
    fn store_credit_never_goes_negative() {
        let credit =
            StoreCredit { customer_id: CustomerId::from_uuid(Uuid::from_u128(5)), balance: Money::zero(eur()) };
        let credit = credit.issue(Money::new(1000, eur())).unwrap();
        assert!(matches!(credit.spend(Money::new(1001, eur())), Err(RefundError::Invalid(e)) if e.field == "amount"));
        assert_eq!(credit.spend(Money::new(1000, eur())).unwrap().balance.amount_minor, 0);
        assert!(
            matches!(credit.spend(Money::new(-1, eur())), Err(RefundError::Invalid(e)) if e.field == "amount.amount_minor")
        );
        assert!(matches!(
            credit.issue(Money::new(1, Currency::from_code("USD").unwrap())),
            Err(RefundError::Money(crate::money::MoneyError::CurrencyMismatch { .. }))
        ));
    }

    fn line(sku: &str, quantity: u32, amount: i64) -> RefundLine {
        RefundLine { sku: sku.into(), quantity, amount: Money::new(amount, eur()) }
    }

    fn earlier(lines: Vec<RefundLine>, status: RefundStatus) -> Refund {
        let amount: i64 = lines.iter().map(|l| l.amount.amount_minor).sum();
        let mut asked = request(amount.max(1), RefundMethod::OriginalPayment);
        asked.lines = lines;
        let mut refund =
            Refund::request(asked, &policy(), &RefundHistory::default(), T0).expect("a valid request").refund;
        refund.status = status;
        refund
    }

    #[test]
    fn line_refunds_are_checked_against_the_order_and_earlier_refunds() {
        // Two T-shirts at 19.99 and a jacket at 89.00.
        let order = crate::sample::order(crate::sample::Stage::DeliveredDaysAgo(3), T0);
        let field = |r: Result<(), RefundError>| match r {
            Err(RefundError::Invalid(e)) => e.field,
            other => format!("{other:?}"),
        };
        assert!(check_lines(&order, &[], &[line("TEE-M", 2, 3998), line("JACKET-M", 1, 8900)]).is_ok());
        assert_eq!(field(check_lines(&order, &[], &[line("SOCKS", 1, 100)])), "lines[0].sku");
        assert_eq!(
            field(check_lines(&order, &[], &[line("TEE-M", 1, 100), line("TEE-M", 2, 100)])),
            "lines[1].quantity"
        );
        assert_eq!(field(check_lines(&order, &[], &[line("TEE-M", 1, 2000)])), "lines[0].amount");
        // 15.00 already refunded on one T-shirt: at most 24.98 is left on the line.
        let before = [earlier(vec![line("TEE-M", 1, 1500)], RefundStatus::Succeeded)];
        assert!(check_lines(&order, &before, &[line("TEE-M", 2, 2498)]).is_ok());
        assert_eq!(field(check_lines(&order, &before, &[line("TEE-M", 2, 2499)])), "lines[0].amount");
        // A rejected or failed refund took nothing.
        let refused = [earlier(vec![line("TEE-M", 2, 3998)], RefundStatus::Rejected)];
        assert!(check_lines(&order, &refused, &[line("TEE-M", 2, 3998)]).is_ok());
        let usd = RefundLine { amount: Money::new(1, Currency::from_code("USD").unwrap()), ..line("TEE-M", 1, 0) };
        assert_eq!(field(check_lines(&order, &[], &[usd])), "lines[0].amount.currency");
    }

    proptest! {
        /// Whatever line refunds are asked for, one after another, those accepted never give
        /// back more on a line than the line is worth, nor more units than were ordered.
        #[test]
        fn line_refunds_never_exceed_the_line(asks in proptest::collection::vec((0usize..3, 1u32..4, 1i64..10_000), 1..30)) {
            let order = crate::sample::order(crate::sample::Stage::DeliveredDaysAgo(3), T0);
            let skus = ["TEE-M", "JACKET-M", "HAT"];
            let mut accepted: Vec<Refund> = Vec::new();
            for (sku, quantity, amount) in asks {
                let lines = vec![line(skus[sku], quantity, amount)];
                if check_lines(&order, &accepted, &lines).is_ok() {
                    accepted.push(earlier(lines, RefundStatus::Succeeded));
                }
            }
            for ordered in &order.lines {
                let refunded: i64 = accepted.iter().flat_map(|r| &r.lines).filter(|l| l.sku == ordered.sku).map(|l| l.amount.amount_minor).sum();
                prop_assert!(refunded <= ordered.total().unwrap().amount_minor);
            }
            prop_assert!(accepted.iter().flat_map(|r| &r.lines).all(|l| l.sku != "HAT"));
            for l in accepted.iter().flat_map(|r| &r.lines) {
                let ordered = order.lines.iter().find(|o| o.sku == l.sku).unwrap();
                prop_assert!(l.quantity <= ordered.quantity);
                prop_assert!(l.amount.amount_minor <= ordered.unit_price.amount_minor * i64::from(l.quantity));
            }
        }
    }

    proptest! {
        /// Whatever credit is issued and spent, in whatever order, the balance never goes
        /// below zero and a refused spend changes nothing.
        #[test]
        fn store_credit_is_never_negative(moves in proptest::collection::vec((proptest::bool::ANY, -100i64..5_000), 0..60)) {
            let mut credit = StoreCredit { customer_id: CustomerId::from_uuid(Uuid::from_u128(5)), balance: Money::zero(eur()) };
            for (issue, amount) in moves {
                let before = credit;
                let result = if issue { credit.issue(Money::new(amount, eur())) } else { credit.spend(Money::new(amount, eur())) };
                match result {
                    Ok(next) => credit = next,
                    Err(_) => prop_assert_eq!(credit, before),
                }
                prop_assert!(!credit.balance.is_negative());
            }
        }
    }

    #[derive(Clone, Debug)]
    enum Op {
        Reserve(i64),
        Release(usize),
        Settle(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (-100i64..20_000).prop_map(Op::Reserve),
            (0usize..10).prop_map(Op::Release),
            (0usize..10).prop_map(Op::Settle),
        ]
    }

    proptest! {
        /// Under any sequence of reservations, releases and settlements, refunded plus reserved
        /// never exceeds captured, and refunded never shrinks.
        #[test]
        fn refunds_never_exceed_captured(captured in 0i64..50_000, ops in proptest::collection::vec(op(), 0..60)) {
            let mut balance = PaymentBalance::new(Money::new(captured, eur()), Money::zero(eur()), Money::zero(eur())).unwrap();
            let mut held: Vec<i64> = Vec::new();
            for op in ops {
                let before = balance;
                match op {
                    Op::Reserve(amount) => {
                        let result = balance.reserve(Money::new(amount, eur()));
                        let fits = amount > 0 && amount <= balance.refundable().unwrap().amount_minor;
                        prop_assert_eq!(result.is_ok(), fits);
                        if let Ok(next) = result { balance = next; held.push(amount); }
                    }
                    Op::Release(i) | Op::Settle(i) if i < held.len() => {
                        let amount = Money::new(held.remove(i), eur());
                        balance = if matches!(op, Op::Release(_)) { balance.release(amount) } else { balance.settle(amount) }.unwrap();
                    }
                    _ => {}
                }
                prop_assert!(balance.refunded.amount_minor + balance.reserved.amount_minor <= balance.captured.amount_minor);
                prop_assert!(balance.refunded.amount_minor >= before.refunded.amount_minor);
                prop_assert!(!balance.reserved.is_negative());
                prop_assert_eq!(balance.reserved.amount_minor, held.iter().sum::<i64>());
            }
        }
    }
}
