//! Fix it before it ships: changing an order in place while no parcel has reached the carrier.
//!
//! An amendment returns the order as it will be, the before and after in words for the
//! timeline, and the money difference for the money layer to settle (positive: the customer
//! pays more; negative: the shop refunds). Once a parcel is with the carrier the same request
//! is refused with the reason and the alternatives (intercept, return, exchange).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::decision::Reason;
use crate::explain::{RuleId, explain};
use crate::money::{Money, MoneyError};
use crate::order::{Address, FulfilmentStage, Order, OrderLine, ShipmentStatus, StockedVariant, TimeStamp};
use crate::policy::{AmendableUntil, Policy};
use crate::returns::ExchangeItem;
use crate::store::{LanguageTag, ValidationError};
use crate::taxonomy::Remedy;
use crate::taxonomy::UnknownId;

/// The item a line is swapped to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplacementItem {
    /// The new SKU.
    pub sku: String,
    /// Its title.
    pub title: String,
    /// Its variant attributes (size, colour).
    #[serde(default)]
    pub variant: BTreeMap<String, String>,
    /// Its unit price in the order's currency.
    pub unit_price: Money,
}

/// A change to an order before it ships.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Amendment {
    /// Send it somewhere else.
    ShippingAddress {
        /// The new address.
        address: Address,
    },
    /// Another variant (size, colour) or item for one line.
    SwapVariant {
        /// The line's current SKU.
        sku: String,
        /// What it becomes.
        to: ReplacementItem,
    },
    /// Another quantity for one line.
    Quantity {
        /// The line's SKU.
        sku: String,
        /// The new quantity, at least 1 (cancel the line to remove it).
        quantity: u32,
    },
    /// Corrected billing details; allowed at any stage, as they change no parcel.
    BillingDetails {
        /// The corrected billing address.
        address: Address,
    },
    /// Remove one line.
    CancelLine {
        /// The line's SKU.
        sku: String,
    },
    /// Cancel the whole order.
    CancelOrder,
}

crate::taxonomy::vocabulary!(
    /// What kind of amendment was made, as the timeline records it.
    AmendmentKind {
        /// The delivery address.
        ShippingAddress => "shipping_address",
        /// Another variant of a line.
        SwapVariant => "swap_variant",
        /// Another quantity of a line.
        Quantity => "quantity",
        /// The billing details.
        BillingDetails => "billing_details",
        /// A line removed.
        CancelLine => "cancel_line",
        /// The whole order cancelled.
        CancelOrder => "cancel_order",
    }
);

impl Amendment {
    /// The amendment's kind.
    pub const fn kind(&self) -> AmendmentKind {
        match self {
            Amendment::ShippingAddress { .. } => AmendmentKind::ShippingAddress,
            Amendment::SwapVariant { .. } => AmendmentKind::SwapVariant,
            Amendment::Quantity { .. } => AmendmentKind::Quantity,
            Amendment::BillingDetails { .. } => AmendmentKind::BillingDetails,
            Amendment::CancelLine { .. } => AmendmentKind::CancelLine,
            Amendment::CancelOrder => AmendmentKind::CancelOrder,
        }
    }
}

/// Units available to sell, per SKU, as the shop's stock system reports them now.
pub type StockLevels = BTreeMap<String, u32>;

/// An order after an amendment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmendedOrder {
    /// The order as it now is.
    pub order: Order,
    /// What the amendment was.
    pub kind: AmendmentKind,
    /// The changed part before, in words.
    pub before: String,
    /// The changed part after, in words.
    pub after: String,
    /// What the customer owes (positive) or is owed (negative).
    pub difference: Money,
}

/// Why an amendment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendmentError {
    /// Too late: the reason in the customer's language, and what can be done instead.
    #[error("{}", reason.text)]
    TooLate {
        /// Why.
        reason: Reason,
        /// What can be done instead.
        alternatives: Vec<Remedy>,
    },
    /// Not enough stock of the SKU asked for.
    #[error("only {available} of `{sku}` in stock")]
    OutOfStock {
        /// The SKU.
        sku: String,
        /// Units available.
        available: u32,
    },
    /// The order was cancelled already.
    #[error("the order is cancelled")]
    Cancelled,
    /// The amendment would change nothing.
    #[error("the order already is that way")]
    NoChange,
    /// A field breaks its rules.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// An amount could not be computed.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

fn describe_line(line: &OrderLine) -> String {
    let variant: Vec<String> = line.variant.iter().map(|(k, v)| format!("{k} {v}")).collect();
    if variant.is_empty() {
        format!("{} × {} ({})", line.quantity, line.title, line.sku)
    } else {
        format!("{} × {} [{}] ({})", line.quantity, line.title, variant.join(", "), line.sku)
    }
}

fn describe_address(a: &Address) -> String {
    format!("{}, {}, {} {}, {}", a.name, a.lines.join(" "), a.postal_code, a.city, a.country)
}

fn line_index(order: &Order, sku: &str) -> Result<usize, ValidationError> {
    order
        .lines
        .iter()
        .position(|l| l.sku == sku)
        .ok_or_else(|| ValidationError::new("sku", format!("`{sku}` is not on the order")))
}

fn check_stock(stock: &StockLevels, sku: &str, wanted: u32) -> Result<(), AmendmentError> {
    let available = stock.get(sku).copied().unwrap_or(0);
    if wanted > available {
        return Err(AmendmentError::OutOfStock { sku: sku.to_owned(), available });
    }
    Ok(())
}

/// The stock of every variant the order's lines could become, as the shop reported it with the
/// order: the levels a swap or an exchange is checked against when the portal asks for one.
pub fn reported_stock(order: &Order) -> StockLevels {
    let mut stock = StockLevels::new();
    for variant in order.lines.iter().flat_map(|l| &l.other_variants) {
        stock.insert(variant.sku.clone(), variant.in_stock);
    }
    stock
}

/// Line `sku` of `order` changed to its variant `to_sku`, as the shop listed it with the order
/// (title kept, the variant's own price), with enough stock for `quantity` units. Unlisted
/// variants are refused: the shop's price and stock for them are unknown.
pub fn listed_variant(order: &Order, sku: &str, to_sku: &str, quantity: u32) -> Result<ExchangeItem, AmendmentError> {
    let line = &order.lines[line_index(order, sku)?];
    let listed = line.other_variants.iter().find(|v| v.sku == to_sku).ok_or_else(|| {
        ValidationError::new("to.sku", format!("`{to_sku}` is not a variant the shop offers for `{sku}`"))
    })?;
    if quantity == 0 || quantity > line.quantity {
        return Err(ValidationError::new("quantity", format!("must be from 1 to {}", line.quantity)).into());
    }
    check_stock(&reported_stock(order), to_sku, quantity)?;
    let item = ReplacementItem {
        sku: listed.sku.clone(),
        title: line.title.clone(),
        variant: listed.variant.clone(),
        unit_price: listed.unit_price,
    };
    Ok(ExchangeItem { item, quantity })
}

/// Whether the order can still be changed in place under `policy`.
pub fn amendable(order: &Order, policy: &Policy) -> bool {
    if order.cancelled_at.is_some() {
        return false;
    }
    amendable_at(order.fulfilment_stage(), policy)
}

/// True when the policy amends an order at `stage` in place.
pub fn amendable_at(stage: FulfilmentStage, policy: &Policy) -> bool {
    match stage {
        FulfilmentStage::NotPacked => true,
        FulfilmentStage::Packed => policy.amendments.allowed_until == AmendableUntil::Packed,
        FulfilmentStage::WithCarrier | FulfilmentStage::Delivered => false,
    }
}

/// Applies an amendment, or refuses it with the reason and the alternatives.
pub fn amend(
    order: &Order,
    amendment: &Amendment,
    policy: &Policy,
    stock: &StockLevels,
    carrier_allows_intercept: bool,
    language: &LanguageTag,
    now: OffsetDateTime,
) -> Result<AmendedOrder, AmendmentError> {
    if order.cancelled_at.is_some() {
        return Err(AmendmentError::Cancelled);
    }
    let changes_parcel = !matches!(amendment, Amendment::BillingDetails { .. });
    if changes_parcel && !amendable(order, policy) {
        return Err(too_late(order, amendment, carrier_allows_intercept, language));
    }
    let mut next = order.clone();
    let before_total = order.total()?;
    let (before, after) = match amendment {
        Amendment::ShippingAddress { address } | Amendment::BillingDetails { address } => {
            address.validate_typed().map_err(|e| e.within("address"))?;
            let slot = if changes_parcel { &mut next.shipping_address } else { &mut next.billing_address };
            if slot == address {
                return Err(AmendmentError::NoChange);
            }
            let before = describe_address(slot);
            *slot = address.clone();
            (before, describe_address(address))
        }
        Amendment::SwapVariant { sku, to } => {
            let i = line_index(order, sku)?;
            if to.sku == *sku {
                return Err(AmendmentError::NoChange);
            }
            if to.unit_price.currency != order.currency || to.unit_price.is_negative() {
                return Err(ValidationError::new("to.unit_price", format!("give a price in {}", order.currency)).into());
            }
            if to.sku.trim().is_empty() || to.title.trim().is_empty() {
                return Err(ValidationError::new("to.sku", "name the SKU and title swapped to").into());
            }
            if order.lines.iter().any(|l| l.sku == to.sku) {
                return Err(
                    ValidationError::new("to.sku", "that SKU is already on the order: change its quantity").into()
                );
            }
            let line = &mut next.lines[i];
            check_stock(stock, &to.sku, line.quantity)?;
            let before = describe_line(line);
            // The variants on offer now exclude the one taken, and include the one given back:
            // the units this order held of it are free again.
            line.other_variants.retain(|v| v.sku != to.sku);
            line.other_variants.push(StockedVariant {
                sku: line.sku.clone(),
                variant: line.variant.clone(),
                unit_price: line.unit_price,
                in_stock: line.quantity,
            });
            line.sku = to.sku.clone();
            line.title = to.title.clone();
            line.variant = to.variant.clone();
            line.unit_price = to.unit_price;
            let after = describe_line(line);
            retarget_shipments(&mut next, sku, &to.sku);
            (before, after)
        }
        Amendment::Quantity { sku, quantity } => {
            let i = line_index(order, sku)?;
            if *quantity == 0 {
                return Err(ValidationError::new("quantity", "must be at least 1; cancel the line to remove it").into());
            }
            let line = &mut next.lines[i];
            if line.quantity == *quantity {
                return Err(AmendmentError::NoChange);
            }
            if *quantity > line.quantity {
                check_stock(stock, sku, quantity - line.quantity)?;
            }
            let before = describe_line(line);
            line.quantity = *quantity;
            let after = describe_line(line);
            for shipment in &mut next.shipments {
                for packed in shipment.lines.iter_mut().filter(|l| l.sku == *sku) {
                    packed.quantity = packed.quantity.min(*quantity);
                }
            }
            (before, after)
        }
        Amendment::CancelLine { sku } => {
            let i = line_index(order, sku)?;
            if order.lines.len() == 1 {
                return Err(
                    ValidationError::new("sku", "this is the order's only line: cancel the order instead").into()
                );
            }
            let removed = next.lines.remove(i);
            for shipment in &mut next.shipments {
                shipment.lines.retain(|l| l.sku != *sku);
            }
            (describe_line(&removed), "cancelled".to_owned())
        }
        Amendment::CancelOrder => {
            next.cancelled_at = Some(TimeStamp(now));
            (format!("order {} with {} line(s)", order.number, order.lines.len()), "cancelled".to_owned())
        }
    };
    let after_total = if next.cancelled_at.is_some() { Money::zero(order.currency) } else { next.total()? };
    next.validate()?;
    Ok(AmendedOrder {
        order: next,
        kind: amendment.kind(),
        before,
        after,
        difference: after_total.checked_sub(&before_total)?,
    })
}

fn retarget_shipments(order: &mut Order, from: &str, to: &str) {
    for shipment in &mut order.shipments {
        for line in shipment.lines.iter_mut().filter(|l| l.sku == from) {
            line.sku = to.to_owned();
        }
    }
}

fn too_late(order: &Order, amendment: &Amendment, intercept: bool, language: &LanguageTag) -> AmendmentError {
    let stage = order.fulfilment_stage();
    let carrier = order
        .shipments
        .iter()
        .find(|s| s.status.has_left_warehouse())
        .map_or_else(|| "-".to_owned(), crate::order::Shipment::carrier_name);
    let (rule, params) = match stage {
        FulfilmentStage::Packed => (RuleId::PackedNoAmendment, BTreeMap::new()),
        FulfilmentStage::Delivered => (RuleId::DeliveredNoAmendment, BTreeMap::new()),
        _ => (RuleId::WithCarrierNoAmendment, BTreeMap::from([("carrier".to_owned(), carrier)])),
    };
    let mut alternatives = Vec::new();
    let moving =
        order.shipments.iter().any(|s| matches!(s.status, ShipmentStatus::HandedToCarrier | ShipmentStatus::InTransit));
    if intercept && moving {
        alternatives.push(Remedy::CarrierTrace);
    }
    if matches!(amendment, Amendment::SwapVariant { .. } | Amendment::Quantity { .. }) {
        alternatives.push(Remedy::Exchange);
    }
    alternatives.push(Remedy::ReturnRefund);
    if stage == FulfilmentStage::Packed {
        alternatives.push(Remedy::Escalate);
    }
    let text = explain(rule, language.as_str(), &params);
    AmendmentError::TooLate { reason: Reason { rule, params, text }, alternatives }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{Stage, address, eur, order};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-20 12:00 UTC);

    fn en() -> LanguageTag {
        LanguageTag::parse("en").unwrap()
    }

    fn stock() -> StockLevels {
        BTreeMap::from([("JACKET-L".into(), 3), ("TEE-M".into(), 1)])
    }

    fn apply(stage: Stage, amendment: &Amendment) -> Result<AmendedOrder, AmendmentError> {
        amend(&order(stage, NOW), amendment, &Policy::standard(), &stock(), false, &en(), NOW)
    }

    fn jacket_l(price: i64) -> Amendment {
        Amendment::SwapVariant {
            sku: "JACKET-M".into(),
            to: ReplacementItem {
                sku: "JACKET-L".into(),
                title: "Rain jacket".into(),
                variant: BTreeMap::from([("size".into(), "L".into())]),
                unit_price: Money::new(price, eur()),
            },
        }
    }

    #[test]
    fn address_changes_record_before_and_after() {
        let mut new = address();
        new.lines = vec!["ul. Krótka 1".into()];
        let done = apply(Stage::BeforePacking, &Amendment::ShippingAddress { address: new.clone() }).unwrap();
        assert_eq!(done.order.shipping_address, new);
        assert!(done.before.contains("Długa") && done.after.contains("Krótka"));
        assert_eq!(done.difference, Money::zero(eur()));
        assert_eq!(
            apply(Stage::BeforePacking, &Amendment::ShippingAddress { address: address() }),
            Err(AmendmentError::NoChange)
        );
        let mut bad = address();
        bad.country = "Poland".into();
        let e = apply(Stage::BeforePacking, &Amendment::ShippingAddress { address: bad }).unwrap_err();
        assert!(matches!(e, AmendmentError::Invalid(v) if v.field == "address.country"));
    }

    #[test]
    fn variant_swaps_check_stock_and_price_the_difference() {
        let done = apply(Stage::Packed, &jacket_l(9900)).unwrap();
        assert_eq!(done.difference, Money::new(1000, eur()), "the customer pays 10.00 more");
        assert_eq!(done.order.lines[1].sku, "JACKET-L");
        assert_eq!(done.order.shipments[0].lines[1].sku, "JACKET-L", "the parcel's contents follow");
        let cheaper = apply(Stage::BeforePacking, &jacket_l(7900)).unwrap();
        assert_eq!(cheaper.difference, Money::new(-1000, eur()), "the shop refunds 10.00");
        let mut no_stock = stock();
        no_stock.insert("JACKET-L".into(), 0);
        let e = amend(
            &order(Stage::BeforePacking, NOW),
            &jacket_l(8900),
            &Policy::standard(),
            &no_stock,
            false,
            &en(),
            NOW,
        );
        assert_eq!(e.unwrap_err(), AmendmentError::OutOfStock { sku: "JACKET-L".into(), available: 0 });
    }

    #[test]
    fn quantity_changes_and_cancellations_yield_the_money_difference() {
        let more = apply(Stage::BeforePacking, &Amendment::Quantity { sku: "TEE-M".into(), quantity: 3 }).unwrap();
        assert_eq!(more.difference, Money::new(1999, eur()));
        let e = apply(Stage::BeforePacking, &Amendment::Quantity { sku: "TEE-M".into(), quantity: 4 }).unwrap_err();
        assert_eq!(e, AmendmentError::OutOfStock { sku: "TEE-M".into(), available: 1 });
        let fewer = apply(Stage::BeforePacking, &Amendment::Quantity { sku: "TEE-M".into(), quantity: 1 }).unwrap();
        assert_eq!(fewer.difference, Money::new(-1999, eur()));
        assert_eq!(fewer.order.shipments[0].lines[0].quantity, 1);
        assert!(apply(Stage::BeforePacking, &Amendment::Quantity { sku: "TEE-M".into(), quantity: 0 }).is_err());
        let line = apply(Stage::BeforePacking, &Amendment::CancelLine { sku: "JACKET-M".into() }).unwrap();
        assert_eq!(line.difference, Money::new(-8900, eur()));
        assert_eq!(line.order.lines.len(), 1);
        let whole = apply(Stage::BeforePacking, &Amendment::CancelOrder).unwrap();
        assert_eq!(whole.difference, Money::new(-12898, eur()));
        assert!(whole.order.cancelled_at.is_some());
        let again = amend(&whole.order, &Amendment::CancelOrder, &Policy::standard(), &stock(), false, &en(), NOW);
        assert_eq!(again.unwrap_err(), AmendmentError::Cancelled);
        assert!(apply(Stage::BeforePacking, &Amendment::CancelLine { sku: "NOPE".into() }).is_err());
    }

    #[test]
    fn once_with_the_carrier_the_same_request_is_refused_with_alternatives() {
        let o = order(Stage::WithCarrier, NOW);
        let pl = LanguageTag::parse("pl").unwrap();
        let e = amend(&o, &jacket_l(8900), &Policy::standard(), &stock(), true, &pl, NOW).unwrap_err();
        let AmendmentError::TooLate { reason, alternatives } = e else { panic!("expected a refusal") };
        assert_eq!(reason.rule, RuleId::WithCarrierNoAmendment);
        assert!(reason.text.contains("DHL") && reason.text.contains("przewoźnika"), "{}", reason.text);
        assert_eq!(alternatives, vec![Remedy::CarrierTrace, Remedy::Exchange, Remedy::ReturnRefund]);
        let e = apply(Stage::DeliveredDaysAgo(1), &Amendment::CancelOrder).unwrap_err();
        assert!(
            matches!(e, AmendmentError::TooLate { ref alternatives, .. } if alternatives == &vec![Remedy::ReturnRefund])
        );
        // A delivered parcel is no longer "with the carrier": the refusal says it arrived.
        let AmendmentError::TooLate { reason, .. } = e else { panic!("expected a refusal") };
        assert_eq!(reason.rule, RuleId::DeliveredNoAmendment);
        assert!(reason.text.contains("delivered") && !reason.text.contains("DHL"), "{}", reason.text);
        // Billing details change no parcel: corrected at any stage.
        let mut billing = address();
        billing.name = "Ana Kowalska-Nowak".into();
        let done = apply(Stage::DeliveredDaysAgo(1), &Amendment::BillingDetails { address: billing }).unwrap();
        assert!(done.after.contains("Nowak"));
        // A policy that amends only before packing refuses once packed.
        let mut strict = Policy::standard();
        strict.amendments.allowed_until = crate::policy::AmendableUntil::NotPacked;
        let e = amend(&order(Stage::Packed, NOW), &Amendment::CancelOrder, &strict, &stock(), false, &en(), NOW)
            .unwrap_err();
        assert!(matches!(e, AmendmentError::TooLate { ref reason, .. } if reason.rule == RuleId::PackedNoAmendment));
    }
}
