//! Customers' personal data at rest, reached through [`crate::Storage::privacy`]: the reads an
//! export needs beyond the ordinary ones, the erasure (the domain's
//! [`redress_domain::privacy::plan_erasure`] run on what the transaction loaded, its
//! redaction written with the rows it concerns locked) and the retention pass's look-up.
//!
//! Erasing writes, beside what the plan returns: the case's `erased_at_us`; the cases' photos
//! deleted; raw received messages emptied and their sender forgotten (the row stays, so a
//! provider's redelivery is still recognised); unsent and sent answers in the outbox deleted;
//! survey comments removed (scores stay); the assistant's conversations of those cases and
//! orders deleted; with the customer, their contact identities deleted.

use async_trait::async_trait;
use redress_domain::assistant::Conversation;
use redress_domain::privacy::{Erasure, ErasureRefused, ErasureSubject};
use redress_domain::{Case, CaseId, CustomerId, OrderId, StoreId};
use time::OffsetDateTime;

use crate::StorageError;
use crate::channels::ContactIdentity;

/// What an erasure reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasureScope {
    /// A customer: the record, their identities, their orders' addresses and every case that
    /// names them or is about one of their orders.
    Customer(CustomerId),
    /// One case (the retention pass); its customer too when no other case of theirs is kept.
    Case(CaseId),
}

/// The erasure planner, run against what the transaction loaded.
pub type ErasureFn = Box<dyn FnOnce(&ErasureSubject) -> Result<Erasure, ErasureRefused> + Send>;

/// An identity as kept, with when it was linked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredIdentity {
    /// The identity.
    pub identity: ContactIdentity,
    /// When it was linked.
    pub linked_at: OffsetDateTime,
}

/// Personal data storage.
#[async_trait]
pub trait PrivacyStorage: Send + Sync {
    /// A customer's contact identities, oldest first.
    async fn identities_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Vec<StoredIdentity>, StorageError>;
    /// A customer's cases, newest first, at most `limit`: those naming them and those about
    /// one of their orders.
    async fn cases_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Case>, StorageError>;
    /// The assistant's conversations about these cases or orders, at most `limit`.
    async fn conversations_of(
        &self,
        store_id: StoreId,
        cases: &[CaseId],
        orders: &[OrderId],
        limit: u32,
    ) -> Result<Vec<Conversation>, StorageError>;
    /// Loads what `scope` reaches with its rows locked, runs `plan` on it and writes the
    /// erasure it returns, in one transaction; a refusal writes nothing. Returns what changed.
    async fn erase(
        &self,
        store_id: StoreId,
        scope: ErasureScope,
        plan: ErasureFn,
        now: OffsetDateTime,
    ) -> Result<Erasure, StorageError>;
    /// The store's cases over (resolved or closed) whose last change was before
    /// `changed_before` and that are not erased yet, by id after `after`, at most `limit`.
    async fn cases_past_retention(
        &self,
        store_id: StoreId,
        changed_before: OffsetDateTime,
        after: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<CaseId>, StorageError>;
}
