//! The Redress domain: what a shop's post-purchase problems are made of, and the rules that
//! govern how they change.
//!
//! This crate is pure: no I/O, no async, no clock, no randomness. Time and identifiers are
//! passed in by the caller, so every rule can be tested exhaustively with plain values.
//!
//! Start reading at [`case`]: a [`case::Case`] is one customer problem, and every change to it
//! is a function that returns the new case plus the [`timeline`] entries to append, or a typed
//! error when the change is not allowed. [`money`] holds the integer minor-unit money type;
//! [`order`] the order, payment and shipment facts the shop's systems send us; [`taxonomy`]
//! the identifiers every part of Redress shares.
//!
//! Money after the sale: [`ledger`] (balanced double-entry postings), [`refund`] (refund
//! intents, what a payment can still give back, store credit, expected arrival), [`approval`]
//! (the four-eyes rule), [`transaction_check`] (double charges and other payment findings) and
//! [`dispute`] (chargebacks and their evidence packs).

pub mod amendment;
pub mod analytics;
pub mod approval;
pub mod assistant;
pub mod books;
pub mod business_hours;
pub mod case;
pub mod claim;
pub mod country;
pub mod decision;
pub mod desk;
pub mod dispute;
pub mod explain;
pub mod fault;
pub mod follow_through;
pub mod given;
pub mod ids;
pub mod inbox;
pub mod incident;
pub mod ledger;
pub mod message;
pub mod money;
pub mod order;
pub mod policy;
pub mod privacy;
pub mod reconcile;
pub mod refund;
pub mod remedy;
pub mod resolution;
pub mod return_step;
pub mod returns;
pub mod sample;
pub mod store;
pub mod taxonomy;
pub mod team;
pub mod timeline;
pub mod transaction_check;

pub use case::{
    Assignee, Case, CaseChange, CaseError, CaseNumber, CaseStatus, Classification, NewCase, Priority, SignalFound,
    Understood,
};
pub use ids::{
    AgentId, ApiKeyId, CaseId, ClaimId, CustomerId, DisputeId, MessageId, OrderId, PaymentId, PostingId, RefundId,
    ReturnId, ShipmentId, StoreId,
};
pub use message::{Attachment, Author, Direction, Message};
pub use money::{Currency, Money, MoneyError};
pub use order::{
    Address, FulfilmentStage, Order, OrderError, OrderLine, Payment, PaymentStatus, Shipment, ShipmentLine,
    ShipmentStatus, StockedVariant, TimeStamp,
};
pub use store::{Customer, EmailAddress, LanguageTag, Store, StoreSlug, ValidationError, person_name};
pub use taxonomy::{Channel, EscalationSignal, Fault, IssueKind, Remedy, Sentiment};
pub use timeline::{Actor, CaseEvent, TimelineEntry};
