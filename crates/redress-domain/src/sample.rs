//! Realistic sample values for tests, benchmarks and the demo: an order of a shirt pair and a
//! jacket at any stage of its journey. Pure constructors, no randomness.

use std::collections::BTreeMap;

use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::ids::{CustomerId, OrderId, PaymentId, ShipmentId, StoreId};
use crate::money::{Currency, Money};
use crate::order::{
    Address, Order, OrderLine, Payment, PaymentStatus, Shipment, ShipmentLine, ShipmentStatus, TimeStamp,
};

/// Where a sample order's parcel is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// In the warehouse, not packed.
    BeforePacking,
    /// Packed, waiting for the carrier.
    Packed,
    /// Collected by the carrier, moving.
    WithCarrier,
    /// Delivered this many days before `now`.
    DeliveredDaysAgo(i64),
    /// Declared lost by the carrier.
    Lost,
}

/// The euro, which sample orders are in.
pub fn eur() -> Currency {
    Currency::from_code("EUR").unwrap_or_else(|e| panic!("{e}"))
}

/// A Kraków address.
pub fn address() -> Address {
    Address {
        name: "Ana Kowalska".into(),
        lines: vec!["ul. Długa 5".into()],
        city: "Kraków".into(),
        postal_code: "30-001".into(),
        region: None,
        country: "PL".into(),
    }
}

/// An order line.
pub fn line(sku: &str, title: &str, category: Option<&str>, quantity: u32, unit_minor: i64) -> OrderLine {
    OrderLine {
        sku: sku.into(),
        title: title.into(),
        variant: BTreeMap::from([("size".into(), "M".into())]),
        category: category.map(str::to_owned),
        quantity,
        unit_price: Money::new(unit_minor, eur()),
        other_variants: Vec::new(),
    }
}

/// Two T-shirts at 19.99 and a jacket at 89.00, placed 10 days before `now` (or earlier for an
/// old delivery), paid in full, in one parcel at `stage`.
pub fn order(stage: Stage, now: OffsetDateTime) -> Order {
    order_with(
        vec![line("TEE-M", "T-shirt", None, 2, 1999), line("JACKET-M", "Rain jacket", None, 1, 8900)],
        stage,
        now,
    )
}

/// An order of `lines` in one parcel at `stage`, fully paid.
pub fn order_with(lines: Vec<OrderLine>, stage: Stage, now: OffsetDateTime) -> Order {
    let delivered_days = match stage {
        Stage::DeliveredDaysAgo(days) => days,
        _ => 0,
    };
    let placed_at = now - Duration::days(10 + delivered_days);
    let total: i64 = lines.iter().map(|l| l.unit_price.amount_minor * i64::from(l.quantity)).sum();
    let (status, times) = match stage {
        Stage::BeforePacking => (ShipmentStatus::Pending, vec![]),
        Stage::Packed => (ShipmentStatus::Packed, vec![(ShipmentStatus::Packed, placed_at + Duration::days(1))]),
        Stage::WithCarrier => (
            ShipmentStatus::InTransit,
            vec![
                (ShipmentStatus::HandedToCarrier, placed_at + Duration::days(1)),
                (ShipmentStatus::InTransit, placed_at + Duration::days(2)),
            ],
        ),
        Stage::DeliveredDaysAgo(days) => (
            ShipmentStatus::Delivered,
            vec![
                (ShipmentStatus::HandedToCarrier, placed_at + Duration::days(1)),
                (ShipmentStatus::Delivered, now - Duration::days(days)),
            ],
        ),
        Stage::Lost => (ShipmentStatus::Lost, vec![(ShipmentStatus::HandedToCarrier, placed_at + Duration::days(1))]),
    };
    Order {
        id: OrderId::from_uuid(Uuid::from_u128(1)),
        store_id: StoreId::from_uuid(Uuid::from_u128(2)),
        number: "NW-1042".into(),
        customer_id: CustomerId::from_uuid(Uuid::from_u128(3)),
        currency: eur(),
        shipments: vec![Shipment {
            id: ShipmentId::from_uuid(Uuid::from_u128(9)),
            carrier: "DHL".into(),
            tracking_number: Some("JD0140".into()),
            lines: lines.iter().map(|l| ShipmentLine { sku: l.sku.clone(), quantity: l.quantity }).collect(),
            status,
            status_times: times.into_iter().map(|(s, t)| (s, TimeStamp(t))).collect(),
        }],
        lines,
        shipping_address: address(),
        billing_address: address(),
        payments: vec![Payment {
            id: PaymentId::from_uuid(Uuid::from_u128(4)),
            provider: "sandbox".into(),
            provider_reference: "ch_1".into(),
            method: "card".into(),
            authorized: Money::new(total, eur()),
            captured: Money::new(total, eur()),
            refunded: Money::zero(eur()),
            status: PaymentStatus::Captured,
            created_at: placed_at,
        }],
        placed_at,
        cancelled_at: None,
    }
}

/// A new English case of `kind` opened by email at `now` by ana@example.com, numbered #1.
pub fn case(kind: crate::IssueKind, now: OffsetDateTime) -> crate::Case {
    let store_id = StoreId::from_uuid(Uuid::from_u128(1));
    let case_id = crate::CaseId::from_uuid(Uuid::from_u128(2));
    let customer = crate::Actor::Customer { handle: "ana@example.com".into() };
    let new = crate::NewCase {
        id: case_id,
        store_id,
        order_id: None,
        customer_id: None,
        customer_email: crate::EmailAddress::parse("ana@example.com").ok(),
        subject: "My parcel".into(),
        kind,
        language: crate::LanguageTag::parse("en").unwrap_or_else(|_| unreachable!("`en` is a language tag")),
        sentiment: crate::Sentiment::Neutral,
        escalation: Default::default(),
        first_message: crate::Message {
            id: crate::MessageId::from_uuid(Uuid::from_u128(3)),
            store_id,
            case_id,
            direction: crate::Direction::Inbound,
            channel: crate::Channel::Email,
            author: customer.clone(),
            body: "Where is my parcel?".into(),
            attachments: vec![],
            created_at: now,
        },
        opened_by: customer,
        understood: None,
        lines: Vec::new(),
    };
    match crate::Case::open(new, crate::CaseNumber(1), now) {
        Ok(change) => change.case,
        Err(e) => unreachable!("the sample case is valid: {e}"),
    }
}
