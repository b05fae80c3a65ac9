//! Claims: goods damaged in transit, missing, wrong, not received, defective or not as
//! described, put right by a reship or a refund (with or without a return), with a record of
//! the claim made to the carrier where the carrier is at fault.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::decision::{LineQuantity, affected_lines};
use crate::ids::{CaseId, ClaimId, OrderId, ReturnId, StoreId};
use crate::money::Money;
use crate::order::Order;
use crate::store::ValidationError;
use crate::taxonomy::{Fault, IssueKind};
use crate::timeline::{Actor, CaseEvent, TimelineEntry};

/// How a claim is put right.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClaimResolution {
    /// The same items are sent again.
    Reship,
    /// Refunded once the items come back (a return is opened for them).
    RefundWithReturn,
    /// Refunded; the customer keeps or disposes of the items.
    RefundWithoutReturn,
}

/// A claim made to the carrier for goods it lost or broke.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CarrierClaim {
    /// The carrier.
    pub carrier: String,
    /// The carrier's reference for the claim.
    pub reference: String,
    /// What is claimed from the carrier.
    pub amount: Money,
}

/// A claim on an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Claim {
    /// The claim's id.
    pub id: ClaimId,
    /// The store.
    pub store_id: StoreId,
    /// The case.
    pub case_id: CaseId,
    /// The order.
    pub order_id: OrderId,
    /// What went wrong: one of the claim kinds.
    pub kind: IssueKind,
    /// The lines concerned.
    pub lines: Vec<LineQuantity>,
    /// How it is put right.
    pub resolution: ClaimResolution,
    /// Money to the customer (zero for a reship).
    pub amount: Money,
    /// The claim made to the carrier, if any.
    #[serde(default)]
    pub carrier_claim: Option<CarrierClaim>,
    /// The return opened for a refund with return.
    #[serde(default)]
    pub return_id: Option<ReturnId>,
    /// When it was filed.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// What is needed to file a claim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewClaim {
    /// The claim's id.
    pub id: ClaimId,
    /// The case.
    pub case_id: CaseId,
    /// What went wrong.
    pub kind: IssueKind,
    /// The lines concerned; empty for the whole order.
    pub lines: Vec<LineQuantity>,
    /// How it is put right.
    pub resolution: ClaimResolution,
    /// Who caused it.
    pub fault: Fault,
    /// The carrier's claim reference, if a carrier claim was made.
    pub carrier_reference: Option<String>,
    /// The return opened for a refund with return.
    pub return_id: Option<ReturnId>,
}

/// True for the issue kinds a claim covers.
pub const fn is_claim_kind(kind: IssueKind) -> bool {
    matches!(
        kind,
        IssueKind::DamagedInTransit
            | IssueKind::MissingItem
            | IssueKind::WrongItemReceived
            | IssueKind::NotReceived
            | IssueKind::DefectiveItem
            | IssueKind::NotAsDescribed
    )
}

impl Claim {
    /// Files a claim: checks the kind and lines, works out the amount, records the carrier claim.
    pub fn file(
        new: NewClaim,
        order: &Order,
        actor: &Actor,
        now: OffsetDateTime,
    ) -> Result<(Claim, TimelineEntry), ValidationError> {
        if !is_claim_kind(new.kind) {
            return Err(ValidationError::new(
                "kind",
                "claims cover damaged_in_transit, missing_item, wrong_item_received, not_received, defective_item and not_as_described",
            ));
        }
        let lines = affected_lines(order, &new.lines)?;
        let mut value = Money::zero(order.currency);
        for (line, quantity) in &lines {
            let line_value =
                line.unit_price.checked_mul(*quantity).map_err(|e| ValidationError::new("lines", e.to_string()))?;
            value = value.checked_add(&line_value).map_err(|e| ValidationError::new("lines", e.to_string()))?;
        }
        let amount = match new.resolution {
            ClaimResolution::Reship => Money::zero(order.currency),
            ClaimResolution::RefundWithReturn | ClaimResolution::RefundWithoutReturn => value,
        };
        if new.resolution == ClaimResolution::RefundWithReturn && new.return_id.is_none() {
            return Err(ValidationError::new("return_id", "a refund with return needs the return opened for it"));
        }
        let carrier_claim = match new.carrier_reference.as_deref().map(str::trim) {
            Some("") => return Err(ValidationError::new("carrier_reference", "give the carrier's reference")),
            Some(reference) => {
                if new.fault != Fault::Carrier {
                    return Err(ValidationError::new(
                        "carrier_reference",
                        "a carrier claim is made only when the carrier is at fault",
                    ));
                }
                let carrier = order
                    .shipments
                    .iter()
                    .find(|s| s.status.has_left_warehouse())
                    .map(|s| s.carrier.clone())
                    .ok_or_else(|| {
                        ValidationError::new("carrier_reference", "no parcel of this order reached a carrier")
                    })?;
                Some(CarrierClaim { carrier, reference: reference.to_owned(), amount: value })
            }
            None => None,
        };
        let claim = Claim {
            id: new.id,
            store_id: order.store_id,
            case_id: new.case_id,
            order_id: order.id,
            kind: new.kind,
            lines: lines.iter().map(|(l, q)| LineQuantity { sku: l.sku.clone(), quantity: *q }).collect(),
            resolution: new.resolution,
            amount,
            carrier_claim,
            return_id: new.return_id,
            created_at: now,
        };
        let event = CaseEvent::ClaimFiled {
            claim_id: claim.id,
            kind: claim.kind,
            resolution: claim.resolution,
            amount: (amount.amount_minor > 0).then_some(amount),
            carrier_reference: claim.carrier_claim.as_ref().map(|c| c.reference.clone()),
        };
        Ok((claim, TimelineEntry { at: now, actor: actor.clone(), event }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{Stage, eur, order};
    use time::macros::datetime;
    use uuid::Uuid;

    const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

    fn new_claim(kind: IssueKind, resolution: ClaimResolution, fault: Fault, reference: Option<&str>) -> NewClaim {
        NewClaim {
            id: ClaimId::from_uuid(Uuid::from_u128(1)),
            case_id: CaseId::from_uuid(Uuid::from_u128(2)),
            kind,
            lines: vec![LineQuantity { sku: "JACKET-M".into(), quantity: 1 }],
            resolution,
            fault,
            carrier_reference: reference.map(str::to_owned),
            return_id: None,
        }
    }

    #[test]
    fn claims_record_the_remedy_and_the_carrier_claim() {
        let o = order(Stage::DeliveredDaysAgo(1), NOW);
        let actor = Actor::System;
        let (claim, entry) = Claim::file(
            new_claim(
                IssueKind::DamagedInTransit,
                ClaimResolution::RefundWithoutReturn,
                Fault::Carrier,
                Some("DHL-CL-77"),
            ),
            &o,
            &actor,
            NOW,
        )
        .unwrap();
        assert_eq!(claim.amount, Money::new(8900, eur()));
        assert_eq!(claim.carrier_claim.as_ref().unwrap().carrier, "DHL");
        assert!(
            matches!(entry.event, CaseEvent::ClaimFiled { carrier_reference: Some(ref r), .. } if r == "DHL-CL-77")
        );
        let (reship, _) = Claim::file(
            new_claim(IssueKind::MissingItem, ClaimResolution::Reship, Fault::Retailer, None),
            &o,
            &actor,
            NOW,
        )
        .unwrap();
        assert_eq!(reship.amount, Money::zero(eur()));
        let refusals = [
            new_claim(IssueKind::ReturnRequest, ClaimResolution::Reship, Fault::Customer, None),
            new_claim(IssueKind::DefectiveItem, ClaimResolution::RefundWithReturn, Fault::Retailer, None),
            new_claim(IssueKind::WrongItemReceived, ClaimResolution::Reship, Fault::Retailer, Some("X")),
            new_claim(IssueKind::NotReceived, ClaimResolution::Reship, Fault::Carrier, Some(" ")),
        ];
        for new in refusals {
            assert!(Claim::file(new.clone(), &o, &actor, NOW).is_err(), "{new:?}");
        }
    }
}
