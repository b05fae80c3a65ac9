//! What was already given for an order, whatever the path: every unit of an order line can be
//! refunded, replaced, exchanged or returned at most once, and a case's goodwill compensation
//! is given once (unless the policy lets it repeat).
//!
//! [`Given::of`] reads it from the order's returns, claims and refunds as storage holds them;
//! the decision leaves out what is already given ([`crate::decision::decide`]) and carrying out
//! a remedy refuses it ([`Given::check_units`]), so no path (portal, desk, API) can give twice.

use std::collections::{BTreeMap, BTreeSet};

use crate::claim::{Claim, ClaimResolution};
use crate::decision::LineQuantity;
use crate::ids::{CaseId, OrderId};
use crate::order::Order;
use crate::refund::{Refund, RefundReason, RefundStatus};
use crate::returns::ReturnAuthorisation;

/// What the order's customer was already given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Given {
    /// Units of each SKU already covered by a remedy: refunded, replaced, or on a return that
    /// was not refused or cancelled.
    pub units: BTreeMap<String, u32>,
    /// Cases that already had goodwill compensation.
    pub compensated: BTreeSet<CaseId>,
    /// The case in hand already had goodwill compensation (see [`Given::for_case`]).
    pub compensated_here: bool,
}

/// Why a remedy cannot be given again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{units} of `{sku}` already had a remedy (refund, replacement, exchange or return); {left} left")]
pub struct AlreadyGiven {
    /// The SKU.
    pub sku: String,
    /// Units asked for.
    pub units: u32,
    /// Units still without a remedy.
    pub left: u32,
}

impl Given {
    /// Reads what was given on `order` from its returns, claims and refunds (all cases).
    /// Refunds that were rejected or failed gave nothing; a refund that settles a return is
    /// counted by its return; refunds without lines are counted by their amount elsewhere
    /// ([`crate::refund::check_value`]), since they name no unit.
    pub fn of(order_id: OrderId, returns: &[ReturnAuthorisation], claims: &[Claim], refunds: &[Refund]) -> Self {
        let mut given = Given::default();
        let mut add = |sku: &str, quantity: u32| {
            let units = given.units.entry(sku.to_owned()).or_default();
            *units = units.saturating_add(quantity);
        };
        for rma in returns.iter().filter(|r| r.order_id == order_id && r.status.claims_units()) {
            for line in &rma.lines {
                add(&line.sku, line.quantity);
            }
        }
        for claim in claims.iter().filter(|c| c.order_id == order_id && c.resolution == ClaimResolution::Reship) {
            for line in &claim.lines {
                add(&line.sku, line.quantity);
            }
        }
        for refund in refunds.iter().filter(|r| r.order_id == order_id && r.gives_value()) {
            if refund.return_id.is_none() && refund.reason == RefundReason::Items {
                for line in &refund.lines {
                    add(&line.sku, line.quantity);
                }
            }
            if refund.reason == RefundReason::Compensation {
                given.compensated.insert(refund.case_id);
            }
        }
        given
    }

    /// The same, seen from `case_id`: whether that case already had compensation.
    pub fn for_case(mut self, case_id: CaseId) -> Self {
        self.compensated_here = self.compensated.contains(&case_id);
        self
    }

    /// Units of `sku` still without a remedy on `order`.
    pub fn left(&self, order: &Order, sku: &str) -> u32 {
        let ordered: u32 = order.lines.iter().filter(|l| l.sku == sku).map(|l| l.quantity).sum();
        ordered.saturating_sub(self.units.get(sku).copied().unwrap_or(0))
    }

    /// The lines asked for (the whole order when empty), cut to the units still without a
    /// remedy; lines with none left are dropped.
    pub fn available(&self, order: &Order, lines: &[LineQuantity]) -> Vec<LineQuantity> {
        let asked: Vec<LineQuantity> = if lines.is_empty() {
            order.lines.iter().map(|l| LineQuantity { sku: l.sku.clone(), quantity: l.quantity }).collect()
        } else {
            lines.to_vec()
        };
        asked
            .into_iter()
            .filter_map(|l| {
                let quantity = l.quantity.min(self.left(order, &l.sku));
                (quantity > 0).then_some(LineQuantity { sku: l.sku, quantity })
            })
            .collect()
    }

    /// Checks every line asked for still has its units without a remedy.
    pub fn check_units(&self, order: &Order, lines: &[LineQuantity]) -> Result<(), AlreadyGiven> {
        let mut asked: BTreeMap<&str, u32> = BTreeMap::new();
        for line in lines {
            let units = asked.entry(line.sku.as_str()).or_default();
            *units = units.saturating_add(line.quantity);
        }
        for (sku, units) in asked {
            let left = self.left(order, sku);
            if units > left {
                return Err(AlreadyGiven { sku: sku.to_owned(), units, left });
            }
        }
        Ok(())
    }
}

impl Refund {
    /// True unless the refund was refused or failed: it gives (or is about to give) value.
    pub fn gives_value(&self) -> bool {
        !matches!(self.status, RefundStatus::Rejected | RefundStatus::Failed)
    }
}
