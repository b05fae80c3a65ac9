//! Fault attribution: who caused a problem, for the whole case and for each line.
//!
//! The engine sets it from the issue kind and the order's facts; an agent may change it with a
//! note. It decides who pays return shipping and whether compensation is offered, and it feeds
//! the analysis of which carriers and products cause problems.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::order::{Order, ShipmentStatus};
use crate::taxonomy::{Fault, IssueKind};

/// Who caused a case, and each affected line where it differs or is known.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaultAttribution {
    /// The case as a whole.
    pub case: Fault,
    /// Per SKU of the order.
    #[serde(default)]
    pub lines: BTreeMap<String, Fault>,
}

impl Default for FaultAttribution {
    fn default() -> Self {
        Self { case: Fault::Unknown, lines: BTreeMap::new() }
    }
}

impl FaultAttribution {
    /// The fault for one line: its own if set, the case's otherwise.
    pub fn for_line(&self, sku: &str) -> Fault {
        self.lines.get(sku).copied().unwrap_or(self.case)
    }
}

/// Judges fault from the kind and the order's facts: a parcel still moving normally is nobody's
/// fault yet, a lost one is the carrier's, an overcharge the payment side's.
pub fn attribute(kind: IssueKind, order: Option<&Order>, skus: &[String]) -> FaultAttribution {
    let mut case = kind.typical_fault();
    if let Some(order) = order {
        let statuses: Vec<ShipmentStatus> = order.shipments.iter().map(|s| s.status).collect();
        match kind {
            IssueKind::NotReceived => {
                let lost =
                    statuses.iter().any(|s| matches!(s, ShipmentStatus::Lost | ShipmentStatus::ReturnedToSender));
                let delivered = statuses.contains(&ShipmentStatus::Delivered);
                if !lost && !delivered {
                    case = Fault::Unknown;
                }
            }
            IssueKind::DamagedInTransit if statuses.is_empty() => case = Fault::Unknown,
            _ => {}
        }
    }
    FaultAttribution { case, lines: skus.iter().map(|sku| (sku.clone(), case)).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_without_an_order_get_their_typical_fault() {
        let f = attribute(IssueKind::WrongItemReceived, None, &["TEE".into()]);
        assert_eq!(f.case, Fault::Retailer);
        assert_eq!(f.for_line("TEE"), Fault::Retailer);
        assert_eq!(f.for_line("OTHER"), Fault::Retailer);
        assert_eq!(attribute(IssueKind::ReturnRequest, None, &[]).case, Fault::Customer);
    }
}
