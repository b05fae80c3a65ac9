//! Transaction checks: for a case about money, compare the order with its payments and
//! refunds and say what is wrong, with the transaction references and the remedy to suggest.
//!
//! The checks, each a [`FindingKind`]: a duplicate capture of the same amount within a short
//! window, captures above the order total, an authorisation never captured, a payment captured
//! for an order the shop shows as unpaid, and a refund pending past its expected date.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::ids::{PaymentId, RefundId};
use crate::money::{Money, MoneyError};
use crate::order::{Order, PaymentStatus};
use crate::refund::Refund;
use crate::taxonomy::{IssueKind, Remedy};

/// Two captures of the same amount closer than this are taken for a double charge.
pub const DUPLICATE_WINDOW: Duration = Duration::minutes(30);

/// An authorisation older than this and still not captured is worth a look.
pub const STALE_AUTHORISATION: Duration = Duration::days(7);

/// What a check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Two captures of the same amount within [`DUPLICATE_WINDOW`].
    DuplicateCapture,
    /// More captured than the order costs.
    CaptureAboveOrderTotal,
    /// Authorised, never captured, older than [`STALE_AUTHORISATION`].
    AuthorisationNeverCaptured,
    /// Money captured while the shop shows the order as unpaid.
    CapturedButOrderUnpaid,
    /// A refund sent but not arrived by its expected date.
    RefundPendingPastExpectedDate,
}

/// One finding, with the references that prove it and the remedy it suggests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    /// What was found.
    pub kind: FindingKind,
    /// In words an agent can read to the customer.
    pub summary: String,
    /// The payments involved, in Redress.
    pub payment_ids: Vec<PaymentId>,
    /// The provider's references of the transactions involved.
    pub references: Vec<String>,
    /// The refund involved, for late refunds.
    pub refund_id: Option<RefundId>,
    /// The amount at stake (e.g. the duplicate to refund).
    pub amount: Option<Money>,
    /// The remedy to suggest.
    pub suggested_remedy: Remedy,
}

/// What the checks are given beyond the order.
#[derive(Clone, Debug, Default)]
pub struct CheckContext<'a> {
    /// The refunds made on the order.
    pub refunds: &'a [Refund],
    /// The shop shows the order as unpaid (the customer says they paid).
    pub order_marked_unpaid: bool,
}

/// True for the kinds of case a transaction check is meant for.
pub fn applies_to(kind: IssueKind) -> bool {
    matches!(kind, IssueKind::WrongCharge | IssueKind::PaymentNotReflected | IssueKind::RefundStatus)
}

/// Runs every check on `order` at `now`. Findings come in the order the checks are listed.
pub fn check(order: &Order, context: &CheckContext<'_>, now: OffsetDateTime) -> Result<Vec<Finding>, MoneyError> {
    let mut findings = Vec::new();
    let captured: Vec<_> = order.payments.iter().filter(|p| p.captured.amount_minor > 0).collect();

    for (i, first) in captured.iter().enumerate() {
        for second in captured.iter().skip(i + 1) {
            if first.captured == second.captured && (second.created_at - first.created_at).abs() <= DUPLICATE_WINDOW {
                let (earlier, later) =
                    if first.created_at <= second.created_at { (first, second) } else { (second, first) };
                let minutes = (later.created_at - earlier.created_at).whole_minutes();
                findings.push(Finding {
                    kind: FindingKind::DuplicateCapture,
                    summary: format!(
                        "{} was captured twice, {minutes} minute{} apart ({} and {}): refund the second capture",
                        later.captured,
                        if minutes == 1 { "" } else { "s" },
                        earlier.provider_reference,
                        later.provider_reference
                    ),
                    payment_ids: vec![earlier.id, later.id],
                    references: vec![earlier.provider_reference.clone(), later.provider_reference.clone()],
                    refund_id: None,
                    amount: Some(later.refundable()?),
                    suggested_remedy: Remedy::RefundDuplicateCharge,
                });
            }
        }
    }

    let total = order.total()?;
    let captured_sum = Money::sum(order.currency, captured.iter().map(|p| &p.captured))?;
    if captured_sum.amount_minor > total.amount_minor {
        let excess = captured_sum.checked_sub(&total)?;
        findings.push(Finding {
            kind: FindingKind::CaptureAboveOrderTotal,
            summary: format!("{captured_sum} was captured for an order of {total}: {excess} too much"),
            payment_ids: captured.iter().map(|p| p.id).collect(),
            references: captured.iter().map(|p| p.provider_reference.clone()).collect(),
            refund_id: None,
            amount: Some(excess),
            suggested_remedy: Remedy::PartialRefund,
        });
    }

    for payment in &order.payments {
        if payment.status == PaymentStatus::Authorized && now - payment.created_at > STALE_AUTHORISATION {
            findings.push(Finding {
                kind: FindingKind::AuthorisationNeverCaptured,
                summary: format!(
                    "{} was authorised {} days ago ({}) and never captured: the hold on the customer's card should be released",
                    payment.authorized,
                    (now - payment.created_at).whole_days(),
                    payment.provider_reference
                ),
                payment_ids: vec![payment.id],
                references: vec![payment.provider_reference.clone()],
                refund_id: None,
                amount: Some(payment.authorized),
                suggested_remedy: Remedy::Escalate,
            });
        }
    }

    if context.order_marked_unpaid && !captured.is_empty() {
        findings.push(Finding {
            kind: FindingKind::CapturedButOrderUnpaid,
            summary: format!(
                "{captured_sum} was captured ({}) but the shop shows the order as unpaid: mark it paid",
                captured.iter().map(|p| p.provider_reference.as_str()).collect::<Vec<_>>().join(", ")
            ),
            payment_ids: captured.iter().map(|p| p.id).collect(),
            references: captured.iter().map(|p| p.provider_reference.clone()).collect(),
            refund_id: None,
            amount: Some(captured_sum),
            suggested_remedy: Remedy::Inform,
        });
    }

    for refund in context.refunds {
        if refund.is_late(now.date()) {
            let latest = refund.expected.map(|e| e.latest.to_string()).unwrap_or_default();
            findings.push(Finding {
                kind: FindingKind::RefundPendingPastExpectedDate,
                summary: format!(
                    "the refund of {} ({}) was expected by {latest} and has not settled: ask the payment provider",
                    refund.amount,
                    refund.provider_reference.as_deref().unwrap_or("no provider reference yet")
                ),
                payment_ids: refund.payment_id.into_iter().collect(),
                references: refund.provider_reference.clone().into_iter().collect(),
                refund_id: Some(refund.id),
                amount: Some(refund.amount),
                suggested_remedy: Remedy::Escalate,
            });
        }
    }
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, OrderId, StoreId};
    use crate::money::Currency;
    use crate::order::{Address, OrderLine, Payment};
    use std::collections::BTreeMap;
    use time::macros::datetime;
    use uuid::Uuid;

    const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn payment(n: u128, amount: i64, status: PaymentStatus, at: OffsetDateTime) -> Payment {
        let captured = if status == PaymentStatus::Authorized { 0 } else { amount };
        Payment {
            id: PaymentId::from_uuid(Uuid::from_u128(n)),
            provider: "sandbox".into(),
            provider_reference: format!("ch_{n}"),
            method: "card".into(),
            authorized: Money::new(amount, eur()),
            captured: Money::new(captured, eur()),
            refunded: Money::zero(eur()),
            status,
            created_at: at,
        }
    }

    fn order(payments: Vec<Payment>) -> Order {
        let address = Address {
            name: "Ana".into(),
            lines: vec!["Calle 1".into()],
            city: "Madrid".into(),
            postal_code: "28001".into(),
            region: None,
            country: "ES".into(),
        };
        Order {
            id: OrderId::from_uuid(Uuid::from_u128(1)),
            store_id: StoreId::from_uuid(Uuid::from_u128(2)),
            number: "1042".into(),
            customer_id: CustomerId::from_uuid(Uuid::from_u128(3)),
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
            payments,
            shipments: vec![],
            placed_at: T0,
            cancelled_at: None,
        }
    }

    fn kinds(findings: &[Finding]) -> Vec<FindingKind> {
        findings.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn a_double_charge_is_found_with_both_references() {
        let o = order(vec![
            payment(10, 4999, PaymentStatus::Captured, T0),
            payment(11, 4999, PaymentStatus::Captured, T0 + Duration::minutes(2)),
        ]);
        let findings = check(&o, &CheckContext::default(), T0 + Duration::hours(1)).unwrap();
        assert_eq!(kinds(&findings), vec![FindingKind::DuplicateCapture, FindingKind::CaptureAboveOrderTotal]);
        assert_eq!(findings[0].references, vec!["ch_10".to_owned(), "ch_11".to_owned()]);
        assert_eq!(findings[0].payment_ids[1], PaymentId::from_uuid(Uuid::from_u128(11)));
        assert_eq!(findings[0].amount, Some(Money::new(4999, eur())));
        assert_eq!(findings[0].suggested_remedy, Remedy::RefundDuplicateCharge);
        assert_eq!(findings[1].amount, Some(Money::new(4999, eur())));
    }

    #[test]
    fn captures_far_apart_or_of_other_amounts_are_not_duplicates() {
        let apart = order(vec![
            payment(10, 2000, PaymentStatus::Captured, T0),
            payment(11, 2000, PaymentStatus::Captured, T0 + Duration::hours(5)),
        ]);
        assert!(check(&apart, &CheckContext::default(), T0).unwrap().is_empty());
        let clean = order(vec![payment(10, 4999, PaymentStatus::Captured, T0)]);
        assert!(check(&clean, &CheckContext::default(), T0).unwrap().is_empty());
    }

    #[test]
    fn stale_authorisations_and_unpaid_orders_are_found() {
        let o = order(vec![payment(10, 4999, PaymentStatus::Authorized, T0)]);
        assert!(check(&o, &CheckContext::default(), T0 + Duration::days(1)).unwrap().is_empty());
        let found = check(&o, &CheckContext::default(), T0 + Duration::days(8)).unwrap();
        assert_eq!(kinds(&found), vec![FindingKind::AuthorisationNeverCaptured]);
        let paid = order(vec![payment(10, 4999, PaymentStatus::Captured, T0)]);
        let context = CheckContext { refunds: &[], order_marked_unpaid: true };
        assert_eq!(kinds(&check(&paid, &context, T0).unwrap()), vec![FindingKind::CapturedButOrderUnpaid]);
    }

    #[test]
    fn a_refund_past_its_expected_date_is_found() {
        use crate::approval::{ApprovalPolicy, Person, Role};
        use crate::ids::{CaseId, RefundId};
        use crate::refund::{IdempotencyKey, RefundMethod, RefundReason, RefundRequest};
        let o = order(vec![payment(10, 4999, PaymentStatus::Captured, T0)]);
        let request = RefundRequest {
            id: RefundId::from_uuid(Uuid::from_u128(20)),
            store_id: o.store_id,
            order_id: o.id,
            case_id: CaseId::from_uuid(Uuid::from_u128(21)),
            customer_id: o.customer_id,
            payment_id: Some(o.payments[0].id),
            idempotency_key: IdempotencyKey::parse("k").unwrap(),
            method: RefundMethod::OriginalPayment,
            reason: RefundReason::Items,
            lines: vec![],
            amount: Money::new(4999, eur()),
            fees: vec![],
            bonus: Money::zero(eur()),
            note: None,
            requested_by: Person::new("maria", Role::Agent).unwrap(),
            customer_flagged: false,
            needs_approval: None,
            return_id: None,
        };
        let refund =
            Refund::request(request, &ApprovalPolicy::default(), &crate::approval::RefundHistory::default(), T0)
                .unwrap()
                .refund;
        let sent = refund.send(T0).unwrap().refund;
        let pending = sent.pending("re_1".into(), "card", T0).unwrap().refund;
        let refunds = [pending];
        let context = CheckContext { refunds: &refunds, order_marked_unpaid: false };
        assert!(check(&o, &context, T0 + Duration::days(10)).unwrap().is_empty());
        let late = check(&o, &context, T0 + Duration::days(20)).unwrap();
        assert_eq!(kinds(&late), vec![FindingKind::RefundPendingPastExpectedDate]);
        assert_eq!(late[0].references, vec!["re_1".to_owned()]);
    }
}
