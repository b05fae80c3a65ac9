//! Orders as the shop's systems report them: lines, addresses, payments and shipments.
//!
//! The order is the fact base every decision reads: whether the parcel has left the
//! warehouse decides if a wrong address is amended in place or becomes a return.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{CustomerId, OrderId, PaymentId, ShipmentId, StoreId};
use crate::money::{Currency, Money, MoneyError};
use crate::store::{ValidationError, bounded_list, bounded_text};

/// The most lines, payments or shipments one order may carry.
const MAX_ORDER_PARTS: usize = 500;
/// The most attributes a variant may have.
const MAX_VARIANT_ATTRIBUTES: usize = 20;

/// Checks a variant's attributes are few and short.
fn check_variant(variant: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    if variant.len() > MAX_VARIANT_ATTRIBUTES {
        return Err(ValidationError::new("variant", format!("at most {MAX_VARIANT_ATTRIBUTES} attributes")));
    }
    for (name, value) in variant {
        bounded_text("variant", name, 100, true)?;
        bounded_text("variant", value, 200, false)?;
    }
    Ok(())
}

/// A postal address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Recipient's name.
    pub name: String,
    /// Street and number, one or two lines.
    pub lines: Vec<String>,
    /// City or town.
    pub city: String,
    /// Postal code, as written in the country.
    pub postal_code: String,
    /// Region or state, where the country uses one.
    #[serde(default)]
    pub region: Option<String>,
    /// ISO 3166-1 alpha-2 country code, e.g. `PL`.
    pub country: String,
}

impl Address {
    /// The address as the lines of a label: name, street lines, postal code and city (and
    /// region), country.
    pub fn label_lines(&self) -> Vec<String> {
        let mut words = vec![self.name.clone()];
        words.extend(self.lines.iter().filter(|l| !l.trim().is_empty()).cloned());
        let mut city = format!("{} {}", self.postal_code, self.city);
        if let Some(region) = self.region.as_deref().filter(|r| !r.trim().is_empty()) {
            city.push_str(", ");
            city.push_str(region);
        }
        words.push(city.trim().to_owned());
        words.push(self.country.clone());
        words
    }

    /// Checks that the parts a carrier needs are there.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::new("name", "the recipient's name is missing"));
        }
        bounded_text("name", &self.name, 200, true)?;
        bounded_list("lines", &self.lines, 4)?;
        for (i, line) in self.lines.iter().enumerate() {
            bounded_text(&format!("lines[{i}]"), line, 200, false)?;
        }
        bounded_text("city", &self.city, 100, false)?;
        bounded_text("postal_code", &self.postal_code, 20, false)?;
        bounded_text("region", self.region.as_deref().unwrap_or_default(), 100, false)?;
        if self.lines.is_empty() || self.lines.iter().all(|l| l.trim().is_empty()) {
            return Err(ValidationError::new("lines", "give at least one street line"));
        }
        if self.city.trim().is_empty() {
            return Err(ValidationError::new("city", "the city is missing"));
        }
        if !crate::country::is_country(&self.country) {
            return Err(ValidationError::new(
                "country",
                "use an ISO 3166-1 two-letter upper-case country code such as PL or ID",
            ));
        }
        Ok(())
    }

    /// Checks, beyond [`Address::validate`], that the postal code has the country's shape where
    /// we know it: for addresses people type (a change of address), not for orders a shop
    /// sends, whose platform checked them its own way.
    pub fn validate_typed(&self) -> Result<(), ValidationError> {
        self.validate()?;
        if self.postal_code.trim().is_empty() {
            return Err(ValidationError::new("postal_code", "the postal code is missing"));
        }
        if !crate::country::postal_code_fits(&self.country, &self.postal_code) {
            let shapes = crate::country::postal_formats(&self.country).unwrap_or_default().join(", ");
            return Err(ValidationError::new(
                "postal_code",
                format!("a postal code in {} looks like {shapes} (9 a digit, A a letter)", self.country),
            ));
        }
        Ok(())
    }
}

/// One line of an order: a SKU in a variant, a quantity and a unit price.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// Stock keeping unit, unique per variant in the shop's catalogue.
    pub sku: String,
    /// Product title as the customer saw it.
    pub title: String,
    /// Variant attributes such as `size` and `colour`.
    #[serde(default)]
    pub variant: BTreeMap<String, String>,
    /// Catalogue category, for policy exceptions (e.g. `hygiene`, `final_sale`).
    #[serde(default)]
    pub category: Option<String>,
    /// How many were ordered (at least one).
    pub quantity: u32,
    /// Price of one unit, in the order's currency.
    pub unit_price: Money,
    /// The product's other variants (sizes, colours) the shop could send instead, with the units
    /// in stock when the shop last reported the order. Exchanges and swaps offer only these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_variants: Vec<StockedVariant>,
}

/// A variant of an order line's product, with how many units the shop has in stock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StockedVariant {
    /// Its SKU.
    pub sku: String,
    /// Its attributes, such as `size` and `colour`.
    #[serde(default)]
    pub variant: BTreeMap<String, String>,
    /// Price of one unit, in the order's currency.
    pub unit_price: Money,
    /// Units in stock, as last reported.
    pub in_stock: u32,
}

impl OrderLine {
    /// Unit price × quantity.
    pub fn total(&self) -> Result<Money, MoneyError> {
        self.unit_price.checked_mul(self.quantity)
    }
}

/// Where a payment stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Authorised, nothing captured yet.
    Authorized,
    /// Captured, nothing refunded.
    Captured,
    /// Captured, part refunded.
    PartiallyRefunded,
    /// Captured and fully refunded.
    Refunded,
    /// Authorisation released without capture.
    Voided,
    /// Declined or errored.
    Failed,
}

/// A payment on an order: what was authorised, captured and refunded, with the provider's
/// reference so every amount can be traced back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Payment {
    /// The payment's id in Redress.
    pub id: PaymentId,
    /// Payment provider, e.g. `stripe`, `sandbox`.
    pub provider: String,
    /// The provider's id for the charge or payment intent.
    pub provider_reference: String,
    /// Method as the customer chose it, e.g. `card`, `blik`, `bank_transfer`.
    pub method: String,
    /// Amount authorised.
    pub authorized: Money,
    /// Amount captured (at most the amount authorised).
    pub captured: Money,
    /// Amount refunded (at most the amount captured).
    pub refunded: Money,
    /// Status as the provider reports it.
    pub status: PaymentStatus,
    /// When the payment was made.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Payment {
    /// Checks the amounts: one currency, none negative, refunded ≤ captured ≤ authorised, and
    /// a status that agrees with them.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let currency = self.authorized.currency;
        for (field, amount) in [("captured", &self.captured), ("refunded", &self.refunded)] {
            if amount.currency != currency {
                return Err(ValidationError::new(field, "all amounts of a payment must be in one currency"));
            }
        }
        for (field, amount) in
            [("authorized", &self.authorized), ("captured", &self.captured), ("refunded", &self.refunded)]
        {
            if amount.is_negative() {
                return Err(ValidationError::new(field, "amounts cannot be negative"));
            }
        }
        if self.captured.amount_minor > self.authorized.amount_minor {
            return Err(ValidationError::new("captured", "cannot capture more than was authorised"));
        }
        if self.refunded.amount_minor > self.captured.amount_minor {
            return Err(ValidationError::new("refunded", "cannot refund more than was captured"));
        }
        let consistent = match self.status {
            PaymentStatus::Authorized | PaymentStatus::Voided | PaymentStatus::Failed => {
                self.captured.amount_minor == 0
            }
            PaymentStatus::Captured => self.captured.amount_minor > 0 && self.refunded.amount_minor == 0,
            PaymentStatus::PartiallyRefunded => {
                self.refunded.amount_minor > 0 && self.refunded.amount_minor < self.captured.amount_minor
            }
            PaymentStatus::Refunded => self.captured.amount_minor > 0 && self.refunded == self.captured,
        };
        if !consistent {
            return Err(ValidationError::new("status", "the status does not match the amounts captured and refunded"));
        }
        if self.provider.trim().is_empty() || self.provider_reference.trim().is_empty() {
            return Err(ValidationError::new(
                "provider_reference",
                "name the provider and its reference for this payment",
            ));
        }
        Ok(())
    }

    /// What can still be refunded: captured minus refunded.
    pub fn refundable(&self) -> Result<Money, MoneyError> {
        self.captured.checked_sub(&self.refunded)
    }
}

/// Where a parcel is. The order of the variants is the normal journey.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShipmentStatus {
    /// Waiting in the warehouse.
    Pending,
    /// Packed, not yet collected.
    Packed,
    /// Collected by the carrier.
    HandedToCarrier,
    /// Moving through the carrier's network.
    InTransit,
    /// Delivered, as the carrier reports it.
    Delivered,
    /// Declared lost by the carrier.
    Lost,
    /// Came back to the shop undelivered.
    ReturnedToSender,
}

impl ShipmentStatus {
    /// Every status, in journey order.
    pub const ALL: &'static [ShipmentStatus] = &[
        Self::Pending,
        Self::Packed,
        Self::HandedToCarrier,
        Self::InTransit,
        Self::Delivered,
        Self::Lost,
        Self::ReturnedToSender,
    ];

    /// The statuses a parcel may move to from this one. A delivered parcel does not move
    /// again (a return is a new shipment); a lost one may still turn up or come back.
    pub const fn next(&self) -> &'static [ShipmentStatus] {
        use ShipmentStatus::*;
        match self {
            Pending => &[Packed, HandedToCarrier],
            Packed => &[Pending, HandedToCarrier],
            HandedToCarrier => &[InTransit, Delivered, Lost, ReturnedToSender],
            InTransit => &[Delivered, Lost, ReturnedToSender],
            Lost => &[Delivered, ReturnedToSender],
            Delivered | ReturnedToSender => &[],
        }
    }

    /// True once the carrier has the parcel: from then on an address or size change is a
    /// return or an intercept, not an amendment.
    pub const fn has_left_warehouse(&self) -> bool {
        !matches!(self, ShipmentStatus::Pending | ShipmentStatus::Packed)
    }

    /// The snake_case id.
    pub const fn as_str(&self) -> &'static str {
        use ShipmentStatus::*;
        match self {
            Pending => "pending",
            Packed => "packed",
            HandedToCarrier => "handed_to_carrier",
            InTransit => "in_transit",
            Delivered => "delivered",
            Lost => "lost",
            ReturnedToSender => "returned_to_sender",
        }
    }
}

/// A quantity of one SKU in a parcel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipmentLine {
    /// The SKU, one of the order's lines.
    pub sku: String,
    /// How many units of it are in the parcel.
    pub quantity: u32,
}

/// A parcel of an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shipment {
    /// The shipment's id in Redress.
    pub id: ShipmentId,
    /// Carrier name, e.g. `dhl`, `inpost`, `jne`.
    pub carrier: String,
    /// The carrier's tracking number, once there is one.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// What is in the parcel.
    pub lines: Vec<ShipmentLine>,
    /// Where the parcel is now.
    pub status: ShipmentStatus,
    /// When each status was reached, keyed by status.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub status_times: BTreeMap<ShipmentStatus, TimeStamp>,
}

/// A point in time, serialized as RFC 3339.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeStamp(#[serde(with = "time::serde::rfc3339")] pub OffsetDateTime);

/// Why an order or one of its parts was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// A field breaks its rules.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// A shipment cannot move from one status to another.
    #[error("a shipment cannot go from {from} to {to}")]
    IllegalShipmentTransition {
        /// Current status.
        from: &'static str,
        /// Requested status.
        to: &'static str,
    },
}

/// How a carrier is written for people: the carrier's own spelling for the ones Redress knows
/// (`dhl` → DHL, `inpost` → InPost), otherwise as the shop gave it.
pub fn carrier_name(code: &str) -> String {
    let known = match code.trim().to_ascii_lowercase().as_str() {
        "dhl" => "DHL",
        "ups" => "UPS",
        "fedex" => "FedEx",
        "usps" => "USPS",
        "gls" => "GLS",
        "dpd" => "DPD",
        "inpost" => "InPost",
        "correos" => "Correos",
        "ctt" => "CTT",
        "jne" => "JNE",
        "jnt" | "j&t" => "J&T Express",
        "sicepat" => "SiCepat",
        "poczta" | "poczta_polska" => "Poczta Polska",
        "correios" => "Correios",
        "seur" => "SEUR",
        "royal_mail" | "royalmail" => "Royal Mail",
        _ => return code.trim().to_owned(),
    };
    known.to_owned()
}

impl Shipment {
    /// The parcel's carrier as people write it ([`carrier_name`]).
    pub fn carrier_name(&self) -> String {
        carrier_name(&self.carrier)
    }

    /// Moves the parcel on, recording when; refuses moves its journey does not allow.
    pub fn advance(&self, to: ShipmentStatus, at: OffsetDateTime) -> Result<Shipment, OrderError> {
        if !self.status.next().contains(&to) {
            return Err(OrderError::IllegalShipmentTransition { from: self.status.as_str(), to: to.as_str() });
        }
        let mut next = self.clone();
        next.status = to;
        next.status_times.insert(to, TimeStamp(at));
        Ok(next)
    }
}

/// An order as the shop's systems report it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Order {
    /// The order's id in Redress.
    pub id: OrderId,
    /// The store it was placed in.
    pub store_id: StoreId,
    /// The shop's order number as the customer knows it, e.g. `1042` or `NW-1042`.
    pub number: String,
    /// The customer who placed it.
    pub customer_id: CustomerId,
    /// Currency of every amount on the order.
    pub currency: Currency,
    /// What was ordered.
    pub lines: Vec<OrderLine>,
    /// Where it goes.
    pub shipping_address: Address,
    /// Who pays, for invoices.
    pub billing_address: Address,
    /// Money taken for it.
    pub payments: Vec<Payment>,
    /// Parcels sent for it.
    pub shipments: Vec<Shipment>,
    /// When the customer placed it.
    #[serde(with = "time::serde::rfc3339")]
    pub placed_at: OffsetDateTime,
    /// When it was cancelled in full, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub cancelled_at: Option<TimeStamp>,
}

/// How far an order has gone, as far as changing it is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FulfilmentStage {
    /// Nothing packed yet: any amendment is still possible.
    NotPacked,
    /// Packed, not collected: amendments may still be possible by policy.
    Packed,
    /// At least one parcel is with the carrier.
    WithCarrier,
    /// Every parcel has been delivered.
    Delivered,
}

/// Where an order stands, as a list of orders filters it: cancelled, or how far it has gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrderStage {
    /// Nothing packed yet.
    NotPacked,
    /// Packed, not collected.
    Packed,
    /// At least one parcel is with the carrier.
    WithCarrier,
    /// Every parcel has been delivered.
    Delivered,
    /// Cancelled.
    Cancelled,
}

impl OrderStage {
    /// Every stage.
    pub const ALL: &'static [OrderStage] =
        &[Self::NotPacked, Self::Packed, Self::WithCarrier, Self::Delivered, Self::Cancelled];

    /// The stage as the API and the database write it.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::NotPacked => "not_packed",
            Self::Packed => "packed",
            Self::WithCarrier => "with_carrier",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
        }
    }
}

impl std::str::FromStr for OrderStage {
    type Err = ValidationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.iter().copied().find(|s| s.as_str() == text).ok_or_else(|| {
            ValidationError::new("stage", "one of not_packed, packed, with_carrier, delivered, cancelled")
        })
    }
}

impl Order {
    /// Where the order stands for a list: cancelled, or its fulfilment stage.
    pub fn stage(&self) -> OrderStage {
        if self.cancelled_at.is_some() {
            return OrderStage::Cancelled;
        }
        match self.fulfilment_stage() {
            FulfilmentStage::NotPacked => OrderStage::NotPacked,
            FulfilmentStage::Packed => OrderStage::Packed,
            FulfilmentStage::WithCarrier => OrderStage::WithCarrier,
            FulfilmentStage::Delivered => OrderStage::Delivered,
        }
    }

    /// The statuses of the order's parcels as one searchable text, each between commas
    /// (`,in_transit,delivered,`), so a list can find orders with a parcel in a given status
    /// with one `LIKE` on either database.
    pub fn shipment_statuses_key(&self) -> String {
        let mut statuses: Vec<&str> = self.shipments.iter().map(|s| s.status.as_str()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        format!(",{},", statuses.join(","))
    }

    /// Checks an order before it is stored: lines present with positive quantities and
    /// non-negative prices in the order's currency, valid addresses, payments in the order's
    /// currency, and shipments that carry only what was ordered.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.number.trim().is_empty() || self.number.len() > 64 {
            return Err(ValidationError::new("number", "give the shop's order number, 1 to 64 characters"));
        }
        if self.lines.is_empty() {
            return Err(ValidationError::new("lines", "an order needs at least one line"));
        }
        bounded_list("lines", &self.lines, MAX_ORDER_PARTS)?;
        bounded_list("payments", &self.payments, MAX_ORDER_PARTS)?;
        bounded_list("shipments", &self.shipments, MAX_ORDER_PARTS)?;
        let mut ordered: BTreeMap<&str, u64> = BTreeMap::new();
        for (i, line) in self.lines.iter().enumerate() {
            let at = format!("lines[{i}]");
            if line.sku.trim().is_empty() {
                return Err(ValidationError::new("sku", "the SKU is missing").within(&at));
            }
            bounded_text("sku", &line.sku, 100, true).map_err(|e| e.within(&at))?;
            bounded_text("title", &line.title, 300, false).map_err(|e| e.within(&at))?;
            bounded_text("category", line.category.as_deref().unwrap_or_default(), 100, false)
                .map_err(|e| e.within(&at))?;
            check_variant(&line.variant).map_err(|e| e.within(&at))?;
            bounded_list("other_variants", &line.other_variants, MAX_ORDER_PARTS).map_err(|e| e.within(&at))?;
            if line.quantity == 0 {
                return Err(ValidationError::new("quantity", "must be at least 1").within(&at));
            }
            if line.unit_price.currency != self.currency {
                return Err(ValidationError::new(
                    "unit_price.currency",
                    format!("must be the order's currency {}", self.currency),
                )
                .within(&at));
            }
            if line.unit_price.is_negative() {
                return Err(ValidationError::new("unit_price.amount_minor", "cannot be negative").within(&at));
            }
            line.total()
                .map_err(|_| ValidationError::new("unit_price", "price × quantity is out of range").within(&at))?;
            for (j, other) in line.other_variants.iter().enumerate() {
                let at = format!("{at}.other_variants[{j}]");
                if other.sku.trim().is_empty() || other.sku == line.sku {
                    return Err(ValidationError::new("sku", "give the variant's own SKU").within(&at));
                }
                bounded_text("sku", &other.sku, 100, true).map_err(|e| e.within(&at))?;
                check_variant(&other.variant).map_err(|e| e.within(&at))?;
                if other.unit_price.currency != self.currency || other.unit_price.is_negative() {
                    return Err(ValidationError::new(
                        "unit_price",
                        format!("must be a non-negative amount in {}", self.currency),
                    )
                    .within(&at));
                }
            }
            *ordered.entry(line.sku.as_str()).or_default() += u64::from(line.quantity);
        }
        self.total().map_err(|_| ValidationError::new("lines", "the order total is out of range"))?;
        self.shipping_address.validate().map_err(|e| e.within("shipping_address"))?;
        self.billing_address.validate().map_err(|e| e.within("billing_address"))?;
        for (i, payment) in self.payments.iter().enumerate() {
            let at = format!("payments[{i}]");
            if payment.authorized.currency != self.currency {
                return Err(ValidationError::new(
                    "authorized.currency",
                    format!("must be the order's currency {}", self.currency),
                )
                .within(&at));
            }
            payment.validate().map_err(|e| e.within(&at))?;
            for (field, text) in [
                ("provider", &payment.provider),
                ("provider_reference", &payment.provider_reference),
                ("method", &payment.method),
            ] {
                bounded_text(field, text, 200, false).map_err(|e| e.within(&at))?;
            }
        }
        let mut shipped: BTreeMap<&str, u64> = BTreeMap::new();
        for (i, shipment) in self.shipments.iter().enumerate() {
            let at = format!("shipments[{i}]");
            if shipment.carrier.trim().is_empty() {
                return Err(ValidationError::new("carrier", "name the carrier").within(&at));
            }
            bounded_text("carrier", &shipment.carrier, 100, true).map_err(|e| e.within(&at))?;
            bounded_text("tracking_number", shipment.tracking_number.as_deref().unwrap_or_default(), 100, false)
                .map_err(|e| e.within(&at))?;
            bounded_list("lines", &shipment.lines, MAX_ORDER_PARTS).map_err(|e| e.within(&at))?;
            for (j, line) in shipment.lines.iter().enumerate() {
                let line_at = format!("{at}.lines[{j}]");
                if !ordered.contains_key(line.sku.as_str()) {
                    return Err(
                        ValidationError::new("sku", format!("`{}` is not on the order", line.sku)).within(&line_at)
                    );
                }
                if line.quantity == 0 {
                    return Err(ValidationError::new("quantity", "must be at least 1").within(&line_at));
                }
                *shipped.entry(line.sku.as_str()).or_default() += u64::from(line.quantity);
            }
        }
        for (sku, quantity) in shipped {
            if quantity > ordered.get(sku).copied().unwrap_or(0) {
                return Err(ValidationError::new("shipments", format!("more units of `{sku}` shipped than ordered")));
            }
        }
        Ok(())
    }

    /// Carries ids over from the stored version when the shop reports the order again: the
    /// order keeps its id, payments keep theirs by provider reference, shipments by position.
    pub fn keep_ids_of(&mut self, stored: &Order) {
        self.id = stored.id;
        for payment in &mut self.payments {
            if let Some(previous) = stored.payments.iter().find(|p| p.provider_reference == payment.provider_reference)
            {
                payment.id = previous.id;
            }
        }
        for (shipment, previous) in self.shipments.iter_mut().zip(&stored.shipments) {
            shipment.id = previous.id;
        }
    }

    /// What a new report of the order (`self`, with the stored ids kept) says about its
    /// parcels compared with `before`: one [`crate::CaseEvent::ShipmentChanged`] per parcel
    /// that is new or whose status moved, for the timelines of the order's open cases.
    pub fn shipment_changes(&self, before: &Order) -> Vec<crate::CaseEvent> {
        self.shipments
            .iter()
            .filter_map(|now| {
                let from = before.shipments.iter().find(|b| b.id == now.id).map(|b| b.status);
                (from != Some(now.status)).then(|| crate::CaseEvent::ShipmentChanged {
                    order_id: self.id,
                    shipment_id: now.id,
                    carrier: now.carrier.clone(),
                    tracking_number: now.tracking_number.clone(),
                    from,
                    to: now.status,
                })
            })
            .collect()
    }

    /// Sum of the lines.
    pub fn total(&self) -> Result<Money, MoneyError> {
        self.lines.iter().try_fold(Money::zero(self.currency), |sum, line| sum.checked_add(&line.total()?))
    }

    /// How far the order has gone. With no shipment yet, it is not packed.
    pub fn fulfilment_stage(&self) -> FulfilmentStage {
        let statuses: Vec<ShipmentStatus> = self.shipments.iter().map(|s| s.status).collect();
        if !statuses.is_empty() && statuses.iter().all(|s| *s == ShipmentStatus::Delivered) {
            FulfilmentStage::Delivered
        } else if statuses.iter().any(ShipmentStatus::has_left_warehouse) {
            FulfilmentStage::WithCarrier
        } else if statuses.contains(&ShipmentStatus::Packed) {
            FulfilmentStage::Packed
        } else {
            FulfilmentStage::NotPacked
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carriers_are_written_as_people_write_them() {
        assert_eq!(carrier_name("dhl"), "DHL");
        assert_eq!(carrier_name(" InPost "), "InPost");
        assert_eq!(carrier_name("jne"), "JNE");
        assert_eq!(carrier_name("Local courier"), "Local courier", "an unknown carrier as the shop wrote it");
    }
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

    fn shipment(status: ShipmentStatus) -> Shipment {
        Shipment {
            id: ShipmentId::from_uuid(uuid::Uuid::from_u128(9)),
            carrier: "inpost".into(),
            tracking_number: Some("6000123".into()),
            lines: vec![ShipmentLine { sku: "TEE-M".into(), quantity: 1 }],
            status,
            status_times: BTreeMap::new(),
        }
    }

    fn order() -> Order {
        Order {
            id: OrderId::from_uuid(uuid::Uuid::from_u128(1)),
            store_id: StoreId::from_uuid(uuid::Uuid::from_u128(2)),
            number: "1042".into(),
            customer_id: CustomerId::from_uuid(uuid::Uuid::from_u128(3)),
            currency: eur(),
            lines: vec![OrderLine {
                sku: "TEE-M".into(),
                title: "T-shirt".into(),
                variant: BTreeMap::from([("size".into(), "M".into())]),
                category: None,
                quantity: 2,
                unit_price: Money::new(1999, eur()),
                other_variants: Vec::new(),
            }],
            shipping_address: address(),
            billing_address: address(),
            payments: vec![Payment {
                id: PaymentId::from_uuid(uuid::Uuid::from_u128(4)),
                provider: "sandbox".into(),
                provider_reference: "ch_1".into(),
                method: "card".into(),
                authorized: Money::new(3998, eur()),
                captured: Money::new(3998, eur()),
                refunded: Money::zero(eur()),
                status: PaymentStatus::Captured,
                created_at: datetime!(2026-11-01 10:00 UTC),
            }],
            shipments: vec![shipment(ShipmentStatus::Pending)],
            placed_at: datetime!(2026-11-01 10:00 UTC),
            cancelled_at: None,
        }
    }

    #[test]
    fn parcels_that_move_or_appear_are_news_and_others_are_not() {
        let before = order();
        assert!(before.shipment_changes(&before).is_empty(), "the same report again tells nothing");
        let mut after = before.clone();
        after.shipments[0].status = ShipmentStatus::Lost;
        let mut second = shipment(ShipmentStatus::InTransit);
        second.id = ShipmentId::from_uuid(uuid::Uuid::from_u128(10));
        after.shipments.push(second);
        let news = after.shipment_changes(&before);
        assert_eq!(news.len(), 2);
        assert!(matches!(
            &news[0],
            crate::CaseEvent::ShipmentChanged { from: Some(ShipmentStatus::Pending), to: ShipmentStatus::Lost, .. }
        ));
        assert!(matches!(
            &news[1],
            crate::CaseEvent::ShipmentChanged { from: None, to: ShipmentStatus::InTransit, .. }
        ));
    }

    #[test]
    fn a_well_formed_order_validates_and_totals() {
        let o = order();
        o.validate().unwrap();
        assert_eq!(o.total().unwrap(), Money::new(3998, eur()));
    }

    #[test]
    fn validation_names_the_field() {
        let mut o = order();
        o.lines[0].quantity = 0;
        assert_eq!(o.validate().unwrap_err().field, "lines[0].quantity");

        let mut o = order();
        o.lines[0].unit_price = Money::new(100, Currency::from_code("USD").unwrap());
        assert_eq!(o.validate().unwrap_err().field, "lines[0].unit_price.currency");

        let mut o = order();
        o.payments[0].refunded = Money::new(5000, eur());
        assert_eq!(o.validate().unwrap_err().field, "payments[0].refunded");

        let mut o = order();
        o.shipments[0].lines[0].quantity = 3;
        assert_eq!(o.validate().unwrap_err().field, "shipments");

        let mut o = order();
        o.shipping_address.country = "Poland".into();
        assert_eq!(o.validate().unwrap_err().field, "shipping_address.country");

        let mut o = order();
        o.payments[0].status = PaymentStatus::Refunded;
        assert_eq!(o.validate().unwrap_err().field, "payments[0].status");
    }

    #[test]
    fn every_shipment_transition_is_legal_or_refused() {
        let at = datetime!(2026-11-02 08:00 UTC);
        for from in ShipmentStatus::ALL {
            for to in ShipmentStatus::ALL {
                let result = shipment(*from).advance(*to, at);
                if from.next().contains(to) {
                    let moved = result.unwrap();
                    assert_eq!(moved.status, *to);
                    assert_eq!(moved.status_times.get(to), Some(&TimeStamp(at)));
                } else {
                    assert!(matches!(result, Err(OrderError::IllegalShipmentTransition { .. })), "{from:?} -> {to:?}");
                }
            }
        }
    }

    #[test]
    fn the_listed_stage_and_parcel_statuses() {
        let mut o = order();
        o.shipments[0].status = ShipmentStatus::InTransit;
        assert_eq!((o.stage(), o.shipment_statuses_key().as_str()), (OrderStage::WithCarrier, ",in_transit,"));
        o.cancelled_at = Some(TimeStamp(datetime!(2026-01-02 00:00 UTC)));
        assert_eq!(o.stage(), OrderStage::Cancelled);
        for stage in OrderStage::ALL {
            assert_eq!(stage.as_str().parse::<OrderStage>(), Ok(*stage));
        }
        assert!("shipped".parse::<OrderStage>().is_err());
    }

    #[test]
    fn fulfilment_stage_follows_the_parcels() {
        let mut o = order();
        assert_eq!(o.fulfilment_stage(), FulfilmentStage::NotPacked);
        o.shipments[0].status = ShipmentStatus::Packed;
        assert_eq!(o.fulfilment_stage(), FulfilmentStage::Packed);
        o.shipments[0].status = ShipmentStatus::InTransit;
        assert_eq!(o.fulfilment_stage(), FulfilmentStage::WithCarrier);
        o.shipments[0].status = ShipmentStatus::Delivered;
        assert_eq!(o.fulfilment_stage(), FulfilmentStage::Delivered);
        o.shipments.clear();
        assert_eq!(o.fulfilment_stage(), FulfilmentStage::NotPacked);
    }
}
