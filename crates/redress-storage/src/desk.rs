//! The agent desk's own state, reached through [`crate::Storage::desk`]: presence (who has a
//! case open, kept in the database so every server of a deployment sees every agent), macros
//! and saved inbox views.

use async_trait::async_trait;
use redress_domain::desk::{Macro, SavedView};
use redress_domain::{AgentId, CaseId, StoreId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StorageError;

/// Views and viewers listed at most.
pub const MAX_LISTED: u32 = 200;

/// A team member seen on a case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// Who.
    pub agent_id: AgentId,
    /// Their name.
    pub name: String,
    /// When they were last seen there.
    pub last_seen: OffsetDateTime,
}

/// What changed in a store after a timeline position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreChanges {
    /// Cases with a timeline entry after the position.
    pub cases: u32,
    /// The timeline's last position (of any store: a place to count from, never shown).
    pub last_seq: i64,
}

/// The desk's storage, on both backends.
#[async_trait]
pub trait DeskStorage: Send + Sync {
    /// Records that `agent` has the case open at `now` (one row per agent and case).
    async fn see_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        agent: (AgentId, &str),
        now: OffsetDateTime,
    ) -> Result<(), StorageError>;
    /// The team members seen on a case since `since`, the earliest seen first.
    async fn viewers(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        since: OffsetDateTime,
    ) -> Result<Vec<Viewer>, StorageError>;
    /// How many of the store's cases changed after timeline position `after`, and the
    /// timeline's last position.
    async fn store_changes(&self, store_id: StoreId, after: i64) -> Result<StoreChanges, StorageError>;

    /// Saves a new macro or a macro's new text (`Conflict::Duplicate` when another has its name).
    async fn save_macro(&self, saved: &Macro) -> Result<(), StorageError>;
    /// The store's macros by name.
    async fn macros(&self, store_id: StoreId) -> Result<Vec<Macro>, StorageError>;
    /// Removes a macro; false when there was none.
    async fn delete_macro(&self, store_id: StoreId, id: Uuid) -> Result<bool, StorageError>;

    /// Saves a view.
    async fn save_view(&self, view: &SavedView) -> Result<(), StorageError>;
    /// The views `agent` sees: their own and the team's, by name.
    async fn views(&self, store_id: StoreId, agent: AgentId) -> Result<Vec<SavedView>, StorageError>;
    /// Removes a view that is the agent's own or the team's; false when there was none.
    async fn delete_view(&self, store_id: StoreId, id: Uuid, agent: AgentId) -> Result<bool, StorageError>;
}
