//! Fix it before it ships: changing an order in place while no parcel has reached the carrier.
//!
//! An amendment returns the order as it will be, the before and after in words for the
//! timeline, and the money difference for the money layer to settle (positive: the customer
//! pays more; negative: the shop refunds). Once a parcel is with the carrier the same request
//! is refused with the reason and the alternatives (intercept, return, exchange).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::decision::Reason;
use crate::explain::{RuleId, explain};
use crate::money::{Money, MoneyError};
use crate::order::{Address, FulfilmentStage, Order, OrderLine, ShipmentStatus, TimeStamp};
use crate::policy::{AmendableUntil, Policy};
use crate::store::{LanguageTag, ValidationError};
use crate::taxonomy::Remedy;

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

impl Amendment {
    /// The snake_case id of the amendment's type.
    pub const fn kind(&self) -> &'static str {
        match self {
            Amendment::ShippingAddress { .. } => "shipping_address",
            Amendment::SwapVariant { .. } => "swap_variant",
            Amendment::Quantity { .. } => "quantity",
            Amendment::BillingDetails { .. } => "billing_details",
            Amendment::CancelLine { .. } => "cancel_line",
            Amendment::CancelOrder => "cancel_order",
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
    pub kind: &'static str,
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

/// Whether the order can still be changed in place under `policy`.
pub fn amendable(order: &Order, policy: &Policy) -> bool {
    match order.fulfilment_stage() {
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
            let field = if changes_parcel { "shipping_address" } else { "billing_address" };
            address.validate().map_err(|e| e.within(field))?;
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
        .map_or_else(|| "-".to_owned(), |s| s.carrier.clone());
    let (rule, params) = if stage == FulfilmentStage::Packed {
        (RuleId::PackedNoAmendment, BTreeMap::new())
    } else {
        (RuleId::WithCarrierNoAmendment, BTreeMap::from([("carrier".to_owned(), carrier)]))
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
