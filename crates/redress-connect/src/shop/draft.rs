//! The one place a platform's order becomes domain values: every source (Shopify webhooks,
//! Shopify's Admin API, WooCommerce, CSV) fills an [`OrderDraft`] and [`OrderDraft::build`]
//! makes the [`Customer`] and [`Order`], mints their ids and checks the result with
//! [`Order::validate`], so a malformed platform order is refused here, named, and never stored.

use std::collections::BTreeMap;

use redress_domain::{
    Address, Currency, Customer, CustomerId, EmailAddress, Money, Order, OrderId, OrderLine, Payment, PaymentId,
    PaymentStatus, Shipment, ShipmentId, ShipmentLine, ShipmentStatus, StoreId, TimeStamp, ValidationError,
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::amount::AmountError;
use super::{ImportedOrder, Platform, RemoteLine, RemoteOrder};

/// The most lines an order may have; a platform order with more is refused, not truncated.
pub const MAX_LINES: usize = 500;
/// The most parcels an order may have.
pub const MAX_SHIPMENTS: usize = 100;
/// The longest title or name kept; longer ones are cut (at a character boundary).
pub const MAX_TEXT: usize = 300;

/// Why a platform's payload could not become a domain order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// Not JSON of the documented shape; `path` names where (`line_items[2].quantity`).
    #[error("the payload does not have the documented shape at {path}: {problem}")]
    Shape {
        /// Where.
        path: String,
        /// What.
        problem: String,
    },
    /// A field the order needs is absent or empty.
    #[error("the payload has no {0}")]
    Missing(&'static str),
    /// The currency is not one Redress knows.
    #[error("unknown currency `{0}`")]
    UnknownCurrency(String),
    /// An amount could not be read exactly.
    #[error("{field}: {source}")]
    Amount {
        /// Which amount.
        field: String,
        /// Why.
        source: AmountError,
    },
    /// A date is not RFC 3339 (or WooCommerce's local form).
    #[error("{field}: `{text}` is not a date and time")]
    Date {
        /// Which date.
        field: &'static str,
        /// The text, cut.
        text: String,
    },
    /// More of something than an order may have.
    #[error("more than {max} {what}")]
    TooMany {
        /// Of what.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// Amounts that do not add up (a line total that is not quantity × a unit price, refunds
    /// above what was captured) or overflow.
    #[error("{0}")]
    Inconsistent(String),
    /// The built order breaks a domain rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

impl MappingError {
    /// A JSON error, with the path serde reached.
    pub(crate) fn shape(e: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = e.path().to_string();
        let problem = e.inner().to_string().chars().take(200).collect();
        MappingError::Shape { path, problem }
    }

    pub(crate) fn amount(field: impl Into<String>, source: AmountError) -> Self {
        MappingError::Amount { field: field.into(), source }
    }
}

/// Reads JSON with the path of the first problem in the error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, MappingError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(MappingError::shape)
}

/// A currency from a platform's code (`usd` or `USD`).
pub(crate) fn currency_of(code: &str) -> Result<Currency, MappingError> {
    let upper = code.trim().to_ascii_uppercase();
    Currency::from_code(&upper).map_err(|_| MappingError::UnknownCurrency(code.chars().take(10).collect()))
}

/// An RFC 3339 time.
pub(crate) fn rfc3339(field: &'static str, text: &str) -> Result<OffsetDateTime, MappingError> {
    OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map_err(|_| MappingError::Date { field, text: text.chars().take(40).collect() })
}

/// Text cut to [`MAX_TEXT`] characters, trimmed.
pub(crate) fn bounded(text: &str) -> String {
    text.trim().chars().take(MAX_TEXT).collect()
}

/// Variant attribute names as Redress writes them: lower case, and `colour` for `color` so a
/// shop's "Color" and "Colour" meet the exchange rules under one name.
pub(crate) fn attribute_name(name: &str) -> String {
    let lower = bounded(name).to_lowercase();
    if lower == "color" { "colour".to_owned() } else { lower }
}

/// One line as a platform reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineDraft {
    /// The SKU (platforms without one get a stable stand-in built from their ids).
    pub sku: String,
    /// The title.
    pub title: String,
    /// Attributes such as `size` and `colour`.
    pub variant: BTreeMap<String, String>,
    /// Units ordered now.
    pub quantity: u32,
    /// Price of one unit.
    pub unit_price: Money,
    /// The platform's ids.
    pub remote: RemoteLine,
}

/// One payment as a platform reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentDraft {
    /// `shopify`, `woocommerce`, or the provider a CSV names.
    pub provider: String,
    /// What a refund names to go through the platform (the platform's order id for Shopify and
    /// WooCommerce: the platform picks the gateway transaction).
    pub reference: String,
    /// The gateway or method (`shopify_payments`, `stripe`, `bacs`).
    pub method: String,
    /// Authorised.
    pub authorized: Money,
    /// Captured.
    pub captured: Money,
    /// Refunded.
    pub refunded: Money,
    /// Voided without capture.
    pub voided: bool,
    /// When it was made, if known (the order's time otherwise).
    pub created_at: Option<OffsetDateTime>,
}

impl PaymentDraft {
    /// The status the amounts say: the platform's own status words differ per platform, the
    /// amounts do not.
    fn status(&self) -> PaymentStatus {
        if self.refunded.amount_minor > 0 {
            if self.refunded == self.captured { PaymentStatus::Refunded } else { PaymentStatus::PartiallyRefunded }
        } else if self.captured.amount_minor > 0 {
            PaymentStatus::Captured
        } else if self.voided {
            PaymentStatus::Voided
        } else {
            PaymentStatus::Authorized
        }
    }
}

/// One parcel as a platform reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShipmentDraft {
    /// The platform's id for it.
    pub remote_id: Option<String>,
    /// Carrier.
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: Option<String>,
    /// What is in it, by SKU.
    pub lines: Vec<ShipmentLine>,
    /// Where it is.
    pub status: ShipmentStatus,
    /// When it reached that status, if known.
    pub at: Option<OffsetDateTime>,
}

/// An order as a platform reported it, before it becomes domain values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderDraft {
    /// Where it came from.
    pub platform: Platform,
    /// The platform's order id.
    pub remote_id: String,
    /// The order number the customer knows.
    pub number: String,
    /// The customer's email.
    pub email: String,
    /// The customer's name.
    pub customer_name: String,
    /// Currency of every amount.
    pub currency: Currency,
    /// Lines.
    pub lines: Vec<LineDraft>,
    /// Where it goes.
    pub shipping_address: Option<Address>,
    /// Who pays.
    pub billing_address: Option<Address>,
    /// Payments.
    pub payments: Vec<PaymentDraft>,
    /// Parcels.
    pub shipments: Vec<ShipmentDraft>,
    /// When it was placed.
    pub placed_at: OffsetDateTime,
    /// When it was cancelled, if it was.
    pub cancelled_at: Option<OffsetDateTime>,
}

impl OrderDraft {
    /// The customer and order, with fresh ids from `ids` (storage keeps the stored ones when it
    /// knows the order), checked by [`Order::validate`].
    pub fn build(self, store_id: StoreId, ids: &mut dyn FnMut() -> Uuid) -> Result<ImportedOrder, MappingError> {
        if self.lines.len() > MAX_LINES {
            return Err(MappingError::TooMany { what: "lines", max: MAX_LINES });
        }
        if self.shipments.len() > MAX_SHIPMENTS {
            return Err(MappingError::TooMany { what: "shipments", max: MAX_SHIPMENTS });
        }
        let email = EmailAddress::parse(&self.email).map_err(|e| e.within("customer"))?;
        let name = match bounded(&self.customer_name) {
            name if !name.is_empty() => name,
            _ => email.as_str().split('@').next().unwrap_or("customer").to_owned(),
        };
        let customer = Customer { id: CustomerId::from_uuid(ids()), store_id, email, name, language: None };
        // A parcel with no address on the order cannot have been sent: digital orders carry
        // only a billing address, which is where anything would go.
        let shipping_address = self
            .shipping_address
            .clone()
            .or_else(|| self.billing_address.clone())
            .ok_or(MappingError::Missing("shipping address"))?;
        let billing_address = self.billing_address.unwrap_or_else(|| shipping_address.clone());
        let remote_lines = self.lines.iter().map(|l| l.remote.clone()).collect();
        let remote_shipments = self.shipments.iter().map(|s| s.remote_id.clone()).collect();
        let lines = self
            .lines
            .into_iter()
            .map(|l| OrderLine {
                sku: l.sku,
                title: l.title,
                variant: l.variant,
                category: None,
                quantity: l.quantity,
                unit_price: l.unit_price,
                other_variants: Vec::new(),
            })
            .collect();
        let placed_at = self.placed_at;
        let payments = self
            .payments
            .into_iter()
            .map(|p| Payment {
                id: PaymentId::from_uuid(ids()),
                status: p.status(),
                provider: p.provider,
                provider_reference: p.reference,
                method: p.method,
                authorized: p.authorized,
                captured: p.captured,
                refunded: p.refunded,
                created_at: p.created_at.unwrap_or(placed_at),
            })
            .collect();
        let shipments = self
            .shipments
            .into_iter()
            .map(|s| Shipment {
                id: ShipmentId::from_uuid(ids()),
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                lines: s.lines,
                status: s.status,
                status_times: s.at.map(|at| (s.status, TimeStamp(at))).into_iter().collect(),
            })
            .collect();
        let order = Order {
            id: OrderId::from_uuid(ids()),
            store_id,
            number: self.number,
            customer_id: customer.id,
            currency: self.currency,
            lines,
            shipping_address,
            billing_address,
            payments,
            shipments,
            placed_at,
            cancelled_at: self.cancelled_at.map(TimeStamp),
        };
        order.validate()?;
        Ok(ImportedOrder {
            customer,
            order,
            remote: RemoteOrder {
                platform: self.platform,
                order_id: self.remote_id,
                lines: remote_lines,
                shipments: remote_shipments,
            },
        })
    }
}

/// Sums amounts, refusing overflow.
pub(crate) fn checked_sum<'a>(
    currency: Currency,
    amounts: impl IntoIterator<Item = &'a Money>,
) -> Result<Money, MappingError> {
    Money::sum(currency, amounts).map_err(|e| MappingError::Inconsistent(e.to_string()))
}

/// A shipment's lines kept to SKUs on the order, never more units than ordered: a platform
/// parcel can list lines since removed by an edit, which would make the order invalid.
pub(crate) fn shipment_lines_on_order(lines: &[LineDraft], parcel: Vec<ShipmentLine>) -> Vec<ShipmentLine> {
    let mut left: BTreeMap<&str, u64> = BTreeMap::new();
    for line in lines {
        let entry = left.entry(line.sku.as_str()).or_default();
        *entry = entry.saturating_add(u64::from(line.quantity));
    }
    let mut kept: Vec<ShipmentLine> = Vec::new();
    for line in parcel {
        let Some(available) = left.get_mut(line.sku.as_str()) else { continue };
        let quantity = u32::try_from(u64::from(line.quantity).min(*available)).unwrap_or(0);
        if quantity == 0 {
            continue;
        }
        *available -= u64::from(quantity);
        kept.push(ShipmentLine { sku: line.sku, quantity });
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn address() -> Address {
        Address {
            name: "Ana Kowalska".into(),
            lines: vec!["ul. Długa 5".into()],
            city: "Kraków".into(),
            postal_code: "30-001".into(),
            region: None,
            country: "PL".into(),
        }
    }

    fn draft() -> OrderDraft {
        OrderDraft {
            platform: Platform::Csv,
            remote_id: "1001".into(),
            number: "1001".into(),
            email: "ana@example.com".into(),
            customer_name: " ".into(),
            currency: eur(),
            lines: vec![LineDraft {
                sku: "TEE-M".into(),
                title: "Tee".into(),
                variant: BTreeMap::new(),
                quantity: 2,
                unit_price: Money::new(1000, eur()),
                remote: RemoteLine { line_id: None, variant_id: None },
            }],
            shipping_address: None,
            billing_address: Some(address()),
            payments: vec![PaymentDraft {
                provider: "shopify".into(),
                reference: "gid://shopify/Order/1".into(),
                method: "card".into(),
                authorized: Money::new(2000, eur()),
                captured: Money::new(2000, eur()),
                refunded: Money::new(500, eur()),
                voided: false,
                created_at: None,
            }],
            shipments: Vec::new(),
            placed_at: datetime!(2026-11-01 10:00 UTC),
            cancelled_at: None,
        }
    }

    #[test]
    fn builds_a_valid_order_with_fresh_ids() {
        let mut n = 0u128;
        let mut ids = || {
            n += 1;
            Uuid::from_u128(n)
        };
        let imported = draft().build(StoreId::from_uuid(Uuid::from_u128(99)), &mut ids).unwrap();
        assert_eq!(imported.customer.name, "ana", "a blank name falls back to the email's local part");
        assert_eq!(imported.order.shipping_address, address(), "no shipping address: the billing one");
        assert_eq!(imported.order.payments[0].status, PaymentStatus::PartiallyRefunded);
        assert_eq!(imported.order.customer_id, imported.customer.id);
        assert_eq!(imported.remote.lines.len(), 1);
    }

    #[test]
    fn refuses_what_the_domain_refuses() {
        let mut ids = Uuid::now_v7;
        let mut d = draft();
        d.lines[0].quantity = 0;
        assert!(matches!(d.build(StoreId::from_uuid(Uuid::nil()), &mut ids), Err(MappingError::Invalid(_))));
        let mut d = draft();
        d.billing_address = None;
        assert_eq!(d.build(StoreId::from_uuid(Uuid::nil()), &mut ids), Err(MappingError::Missing("shipping address")));
        let mut d = draft();
        d.email = "not-an-email".into();
        assert!(matches!(d.build(StoreId::from_uuid(Uuid::nil()), &mut ids), Err(MappingError::Invalid(_))));
    }

    #[test]
    fn parcels_keep_to_what_was_ordered() {
        let lines = draft().lines;
        let parcel =
            vec![ShipmentLine { sku: "TEE-M".into(), quantity: 3 }, ShipmentLine { sku: "GONE".into(), quantity: 1 }];
        assert_eq!(shipment_lines_on_order(&lines, parcel), vec![ShipmentLine { sku: "TEE-M".into(), quantity: 2 }]);
    }
}
