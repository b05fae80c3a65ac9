//! The shared vocabulary of `shared/design/taxonomy.md`: issue kinds, escalation signals,
//! sentiment, remedies, fault and channels. Every part of Redress uses these exact ids.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Declares a closed vocabulary: a snake_case enum with its wire ids, `FromStr` and `Display`.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $id:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every value, in the taxonomy's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case id.
            pub const fn as_str(&self) -> &'static str {
                match self {
                    $($name::$variant => $id),+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($id => Ok($name::$variant),)+
                    _ => Err(UnknownId {
                        vocabulary: stringify!($name),
                        given: s.to_owned(),
                        allowed: &[$($id),+],
                    }),
                }
            }
        }
    };
}
pub(crate) use vocabulary;

/// A text that is not one of a vocabulary's ids.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{given}` is not a known {vocabulary}; expected one of: {}", allowed.join(", "))]
pub struct UnknownId {
    /// Which vocabulary was asked.
    pub vocabulary: &'static str,
    /// The text given.
    pub given: String,
    /// The ids it accepts.
    pub allowed: &'static [&'static str],
}

vocabulary!(
    /// What went wrong, as the customer experiences it.
    IssueKind {
        /// Wants the order cancelled (before shipping).
        CancelOrder => "cancel_order",
        /// Address typed wrong or changed (before shipping).
        ChangeShippingAddress => "change_shipping_address",
        /// Wrong size, colour, variant or quantity chosen (before shipping).
        ChangeOrderItems => "change_order_items",
        /// Wrong billing name, tax id, invoice data.
        BillingInfoError => "billing_info_error",
        /// Where is my order, tracking, delivery date.
        OrderStatus => "order_status",
        /// Lost, or marked delivered but not received.
        NotReceived => "not_received",
        /// Arrived broken or crushed.
        DamagedInTransit => "damaged_in_transit",
        /// The shop shipped the wrong item, size or colour.
        WrongItemReceived => "wrong_item_received",
        /// Part of the order missing from the parcel.
        MissingItem => "missing_item",
        /// Differs from description or photos.
        NotAsDescribed => "not_as_described",
        /// Faulty, does not work.
        DefectiveItem => "defective_item",
        /// Wants to send it back for money.
        ReturnRequest => "return_request",
        /// Wants another size, colour or model instead.
        ExchangeRequest => "exchange_request",
        /// How, when, what it costs to return or exchange.
        ReturnPolicyQuestion => "return_policy_question",
        /// Where is my refund.
        RefundStatus => "refund_status",
        /// Charged twice or the wrong amount.
        WrongCharge => "wrong_charge",
        /// Paid, but the order shows unpaid.
        PaymentNotReflected => "payment_not_reflected",
        /// Shop down, checkout fails.
        StoreUnavailable => "store_unavailable",
        /// Suspicious message pretending to be the shop.
        PhishingReport => "phishing_report",
        /// Thanks, general question, anything else.
        Other => "other",
    }
);

impl IssueKind {
    /// Who is typically at fault for this kind, before the facts are looked at.
    pub const fn typical_fault(&self) -> Fault {
        use IssueKind::*;
        match self {
            CancelOrder
            | ChangeShippingAddress
            | ChangeOrderItems
            | BillingInfoError
            | ReturnRequest
            | ExchangeRequest => Fault::Customer,
            NotReceived => Fault::Carrier,
            DamagedInTransit => Fault::Carrier,
            WrongItemReceived | MissingItem | NotAsDescribed | DefectiveItem | StoreUnavailable => Fault::Retailer,
            RefundStatus | WrongCharge | PaymentNotReflected => Fault::PaymentProvider,
            PhishingReport => Fault::ThirdParty,
            OrderStatus | ReturnPolicyQuestion | Other => Fault::Unknown,
        }
    }

    /// True for problems where the customer has lost money or goods, which deserve a faster
    /// answer than a question does.
    pub const fn is_loss(&self) -> bool {
        use IssueKind::*;
        matches!(
            self,
            NotReceived
                | DamagedInTransit
                | WrongItemReceived
                | MissingItem
                | DefectiveItem
                | WrongCharge
                | PaymentNotReflected
                | PhishingReport
        )
    }
}

vocabulary!(
    /// Something in a message that raises the case's priority.
    EscalationSignal {
        /// Threatens a bank dispute.
        Chargeback => "chargeback",
        /// Consumer protection, lawyer, court.
        Legal => "legal",
        /// Bad review, social media.
        PublicReview => "public_review",
        /// Says it has written before.
        RepeatContact => "repeat_contact",
        /// Explicit urgency.
        Urgent => "urgent",
    }
);

vocabulary!(
    /// The tone of a message.
    Sentiment {
        /// Unhappy, angry, disappointed.
        Negative => "negative",
        /// Matter of fact.
        Neutral => "neutral",
        /// Happy, thankful.
        Positive => "positive",
    }
);

vocabulary!(
    /// What the shop can do about a problem.
    Remedy {
        /// Change address, variant or quantity before shipping.
        AmendOrder => "amend_order",
        /// Cancel before shipping.
        CancelOrder => "cancel_order",
        /// Ask the carrier where the parcel is.
        CarrierTrace => "carrier_trace",
        /// Send the same item again.
        Reship => "reship",
        /// Another variant or item.
        Exchange => "exchange",
        /// Return, then refund.
        ReturnRefund => "return_refund",
        /// Refund without a return.
        RefundKeepItem => "refund_keep_item",
        /// Refund part of the price.
        PartialRefund => "partial_refund",
        /// Store credit, optionally with a bonus.
        StoreCredit => "store_credit",
        /// Coupon or gift.
        Compensation => "compensation",
        /// Refund a charge taken twice.
        RefundDuplicateCharge => "refund_duplicate_charge",
        /// Issue a corrected invoice.
        ReissueInvoice => "reissue_invoice",
        /// Answer with facts or an FAQ article.
        Inform => "inform",
        /// Hand to a person or team.
        Escalate => "escalate",
    }
);

vocabulary!(
    /// Who caused a problem; decides who pays return shipping and whether compensation is due.
    Fault {
        /// The customer.
        Customer => "customer",
        /// The shop.
        Retailer => "retailer",
        /// The carrier.
        Carrier => "carrier",
        /// The payment provider.
        PaymentProvider => "payment_provider",
        /// Someone else, such as a phisher.
        ThirdParty => "third_party",
        /// Not known (yet).
        Unknown => "unknown",
    }
);

vocabulary!(
    /// Where a message came from or goes to.
    Channel {
        /// Email.
        Email => "email",
        /// Web chat.
        Chat => "chat",
        /// The self-service portal.
        Portal => "portal",
        /// A messaging app or social network, through a webhook.
        Social => "social",
        /// A phone call, written down by an agent.
        Phone => "phone",
        /// Created through the API by another system.
        Api => "api",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_the_taxonomy_document() {
        assert_eq!(IssueKind::ALL.len(), 20);
        for kind in IssueKind::ALL {
            assert_eq!(kind.as_str().parse::<IssueKind>().unwrap(), *kind);
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(Remedy::ALL.len(), 14);
        assert_eq!(EscalationSignal::ALL.len(), 5);
        assert_eq!(Fault::ALL.len(), 6);
    }

    #[test]
    fn unknown_ids_list_the_allowed_ones() {
        let err = "lost_parcel".parse::<IssueKind>().unwrap_err();
        assert!(err.to_string().contains("not_received"));
        assert_eq!(err.vocabulary, "IssueKind");
    }
}
