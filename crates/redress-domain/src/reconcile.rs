//! Reconciliation: every payment's recorded figures (captured, refunded, reserved) checked
//! against what the ledger and the refund intents say they should be. The payment row is
//! what refunds are checked against; the ledger is what the books show; they must agree, and
//! where they do not, a person must look.
//!
//! - captured: the provider-balance legs of the payment's capture postings (and of their
//!   corrections);
//! - refunded: what its refund postings took out of the provider balance (and their
//!   corrections);
//! - reserved: the amounts of its refund intents still in flight ([`RefundStatus::reserves`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ids::{OrderId, PaymentId, PostingId};
use crate::ledger::{Account, MovementKind, Posting, wide_money};
use crate::money::Money;
use crate::refund::{PaymentBalance, Refund};

/// A payment as its row records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedPayment {
    /// The payment.
    pub payment_id: PaymentId,
    /// Its order.
    pub order_id: OrderId,
    /// Captured, refunded and reserved, as recorded.
    pub balance: PaymentBalance,
}

/// Which figure of a payment disagrees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// What was captured.
    Captured,
    /// What went back to the payment.
    Refunded,
    /// What refunds in flight hold.
    Reserved,
}

/// A figure the payment records that the books do not bear out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Discrepancy {
    /// The payment.
    pub payment_id: PaymentId,
    /// Its order.
    pub order_id: OrderId,
    /// Which figure.
    pub figure: Figure,
    /// What the payment records.
    pub recorded: Money,
    /// What the ledger (captured, refunded) or the refund intents (reserved) add up to.
    pub expected: Money,
}

/// Checks one payment against the postings and refund intents of its order (others are
/// ignored). Returns the figures that disagree; none when the books bear the payment out.
pub fn reconcile_payment(payment: &RecordedPayment, postings: &[Posting], refunds: &[Refund]) -> Vec<Discrepancy> {
    let currency = payment.balance.captured.currency;
    let kinds: BTreeMap<PostingId, MovementKind> = postings.iter().map(|p| (p.id, p.kind)).collect();
    let (mut captured, mut refunded, mut reserved) = (0_i128, 0_i128, 0_i128);
    for posting in postings {
        // A correction counts as the kind of posting it undoes, for that posting's payment.
        let (kind, payment_id) = match posting.corrects {
            Some(original) => {
                let Some(kind) = kinds.get(&original).copied() else { continue };
                let payment_id = postings.iter().find(|p| p.id == original).and_then(|p| p.links.payment_id);
                (kind, payment_id)
            }
            None => (posting.kind, posting.links.payment_id),
        };
        if payment_id != Some(payment.payment_id) {
            continue;
        }
        let provider: i128 = posting
            .legs
            .iter()
            .filter(|l| l.account == Account::ProviderBalance && l.amount.currency == currency)
            .map(|l| i128::from(l.amount.amount_minor))
            .sum();
        match kind {
            MovementKind::Capture => captured += provider,
            MovementKind::Refund => refunded -= provider,
            _ => {}
        }
    }
    for refund in refunds {
        if refund.payment_id == Some(payment.payment_id) && refund.status.reserves() {
            reserved += i128::from(refund.amount.amount_minor);
        }
    }
    [
        (Figure::Captured, payment.balance.captured, captured),
        (Figure::Refunded, payment.balance.refunded, refunded),
        (Figure::Reserved, payment.balance.reserved, reserved),
    ]
    .into_iter()
    .filter(|(_, recorded, expected)| i128::from(recorded.amount_minor) != *expected)
    .map(|(figure, recorded, expected)| Discrepancy {
        payment_id: payment.payment_id,
        order_id: payment.order_id,
        figure,
        recorded,
        expected: wide_money(expected, currency).0,
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::StoreId;
    use crate::ledger::{PostingContext, PostingLinks};
    use crate::money::Currency;
    use crate::timeline::Actor;
    use time::macros::datetime;
    use uuid::Uuid;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::from_code("EUR").unwrap())
    }

    fn context(n: u128, payment: PaymentId) -> PostingContext {
        PostingContext {
            id: PostingId::from_uuid(Uuid::from_u128(n)),
            links: PostingLinks {
                store_id: StoreId::from_uuid(Uuid::from_u128(1)),
                order_id: Some(OrderId::from_uuid(Uuid::from_u128(2))),
                case_id: None,
                payment_id: Some(payment),
                refund_id: None,
            },
            caused_by: Actor::System,
            rule: None,
            at: datetime!(2026-11-01 10:00 UTC),
        }
    }

    fn recorded(captured: i64, refunded: i64, reserved: i64) -> RecordedPayment {
        RecordedPayment {
            payment_id: PaymentId::from_uuid(Uuid::from_u128(3)),
            order_id: OrderId::from_uuid(Uuid::from_u128(2)),
            balance: PaymentBalance::new(eur(captured), eur(refunded), eur(reserved)).unwrap(),
        }
    }

    #[test]
    fn books_that_bear_the_payment_out_show_nothing() {
        let payment = recorded(5000, 1200, 0);
        let postings = vec![
            Posting::capture(context(10, payment.payment_id), eur(5000)).unwrap(),
            Posting::refund(context(11, payment.payment_id), eur(1200)).unwrap(),
        ];
        assert_eq!(reconcile_payment(&payment, &postings, &[]), vec![]);
    }

    #[test]
    fn a_capture_without_a_posting_and_a_corrected_refund_are_reported() {
        let payment = recorded(5000, 1200, 0);
        let refund = Posting::refund(context(11, payment.payment_id), eur(1200)).unwrap();
        let other = PaymentId::from_uuid(Uuid::from_u128(99));
        let postings = vec![
            Posting::capture(context(9, other), eur(700)).unwrap(),
            refund.clone(),
            Posting::correction(context(12, other), &refund, "entered twice").unwrap(),
        ];
        let found = reconcile_payment(&payment, &postings, &[]);
        let figures: Vec<(Figure, i64, i64)> =
            found.iter().map(|d| (d.figure, d.recorded.amount_minor, d.expected.amount_minor)).collect();
        assert_eq!(figures, vec![(Figure::Captured, 5000, 0), (Figure::Refunded, 1200, 0)]);
    }
}
