//! Typed identifiers: a `CaseId` can never be passed where an `OrderId` is expected.
//!
//! Ids are UUIDs (version 7, time-ordered, so new rows append to indexes); they are created by
//! the caller, never inside the domain, which keeps the domain free of clocks and randomness.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wraps an existing UUID.
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

typed_id!(
    /// A shop served by this deployment; every row belongs to exactly one.
    StoreId
);
typed_id!(
    /// A customer of one store.
    CustomerId
);
typed_id!(
    /// An order placed in one store.
    OrderId
);
typed_id!(
    /// A payment (authorisation, capture, refunds) on one order.
    PaymentId
);
typed_id!(
    /// A parcel of one order.
    ShipmentId
);
typed_id!(
    /// One customer problem.
    CaseId
);
typed_id!(
    /// One message on a case.
    MessageId
);
typed_id!(
    /// One API key of a store.
    ApiKeyId
);
typed_id!(
    /// One return authorisation (RMA).
    ReturnId
);
typed_id!(
    /// One claim for a damaged, missing, wrong, lost, defective or misdescribed item.
    ClaimId
);
typed_id!(
    /// One refund intent: money to give back, written before any provider hears of it.
    RefundId
);
typed_id!(
    /// One balanced ledger posting.
    PostingId
);
typed_id!(
    /// One bank dispute or chargeback on a payment.
    DisputeId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_text() {
        let id = CaseId::from_uuid(Uuid::from_u128(42));
        assert_eq!(id.to_string().parse::<CaseId>().unwrap(), id);
        assert!("not-a-uuid".parse::<CaseId>().is_err());
    }
}
typed_id!(
    /// A person on a store's support team who signs in to the agent workspace.
    AgentId
);
