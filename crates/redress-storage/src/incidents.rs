//! Incidents at rest, reached through [`crate::Storage::incidents`]: each incident as a
//! document, and the cases grouped under it (a case is linked once; the link decides whether
//! it still has to be told).

use async_trait::async_trait;
use redress_domain::incident::Incident;
use redress_domain::{CaseId, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StorageError;

/// Incidents listed at most.
pub const MAX_LISTED: u32 = 100;

/// Incident storage.
#[async_trait]
pub trait IncidentStorage: Send + Sync {
    /// Stores a new incident or its new state.
    async fn save_incident(&self, incident: &Incident) -> Result<(), StorageError>;
    /// The store's incidents, open first, newest first (at most [`MAX_LISTED`]).
    async fn incidents(&self, store_id: StoreId) -> Result<Vec<Incident>, StorageError>;
    /// One incident.
    async fn incident(&self, store_id: StoreId, id: Uuid) -> Result<Option<Incident>, StorageError>;
    /// Groups a case under an incident; false when it already was.
    async fn link_case(
        &self,
        store_id: StoreId,
        incident_id: Uuid,
        case_id: CaseId,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;
    /// The cases grouped under an incident, in the order they were linked.
    async fn linked_cases(&self, store_id: StoreId, incident_id: Uuid) -> Result<Vec<CaseId>, StorageError>;
}
