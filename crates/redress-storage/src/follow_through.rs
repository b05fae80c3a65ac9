//! Following cases through at rest, reached through [`crate::Storage::follow_through`]: each
//! case's service clocks as last planned, the timers it needs and satisfaction surveys.
//!
//! Planning reads the timeline from a cursor kept in the database ([`FollowThroughStorage::changed_cases`]),
//! so every server sees the same changes and a restart loses none. Timers are claimed as the
//! outbox is (`pending` → `claimed` until a lease lapses → `done`); a timer fires in the same
//! transaction as the case change it makes, and only while its claim holds, so it fires once
//! however many servers run the worker.

use async_trait::async_trait;
use redress_domain::follow_through::{SlaState, Timer, TimerKind};
use redress_domain::{CaseId, StoreId};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::channels::ChannelWrites;
use crate::{CaseUpdateFn, StorageError, StoredChange};

/// Timeline entries read again behind the cursor each round: on PostgreSQL a sequence number
/// is taken before its transaction commits, so a change can become visible behind one already
/// read. Cases already planned at their version are skipped, so reading again costs little.
pub const CURSOR_OVERLAP: i64 = 1000;

/// A case whose timeline moved since it was last planned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChangedCase {
    /// Its store.
    pub store_id: StoreId,
    /// The case.
    pub case_id: CaseId,
    /// The last timeline position read for it.
    pub seq: i64,
}

/// A timer as stored and claimed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimerRow {
    /// Its id.
    pub id: Uuid,
    /// The store.
    pub store_id: StoreId,
    /// The case.
    pub case_id: CaseId,
    /// What it does, when, about what.
    pub timer: Timer,
    /// Claims so far; a fire must name the claim it holds.
    pub attempts: u32,
}

/// A satisfaction survey: sent once per case, answered once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyRecord {
    /// The case.
    pub case_id: CaseId,
    /// The store.
    pub store_id: StoreId,
    /// When it was sent.
    pub sent_at: OffsetDateTime,
    /// Who had the case (the assignee's name), if anyone.
    pub agent: Option<String>,
    /// The case's issue kind.
    pub kind: String,
    /// The case's channel.
    pub channel: String,
    /// The customer's language.
    pub language: String,
    /// The answer: 1 to 5, once answered.
    pub score: Option<u8>,
    /// Their words.
    pub comment: Option<String>,
    /// When they answered.
    pub answered_at: Option<OffsetDateTime>,
}

/// Counts behind the service report of a store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlaCounts {
    /// Cases planned.
    pub cases: u64,
    /// First answers judged (in time or late).
    pub first_response_judged: u64,
    /// … of which in time.
    pub first_response_met: u64,
    /// Resolutions judged.
    pub resolution_judged: u64,
    /// … of which in time.
    pub resolution_met: u64,
}

/// Follow-through at rest.
#[async_trait]
pub trait FollowThroughStorage: Send + Sync {
    /// Cases with timeline entries after `after` (less [`CURSOR_OVERLAP`]) not yet planned at
    /// their current version, in timeline order, at most `limit`; and the newest timeline
    /// position there was when they were read.
    async fn changed_cases(&self, after: i64, limit: u32) -> Result<(Vec<ChangedCase>, i64), StorageError>;
    /// The timeline position planning has read up to.
    async fn cursor(&self) -> Result<i64, StorageError>;
    /// Moves the cursor on to `seq` (never back).
    async fn advance_cursor(&self, seq: i64) -> Result<(), StorageError>;
    /// Records a case's plan made at `version`: its clocks, and its pending timers replaced by
    /// `timers` (a timer that already fired is never planned again). A plan older than the
    /// one stored changes nothing; false then.
    async fn save_plan(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        version: u64,
        sla: &SlaState,
        timers: &[Timer],
        now: OffsetDateTime,
    ) -> Result<bool, StorageError>;
    /// Claims up to `limit` timers due at `now` (or whose claim lapsed) until `now + lease`.
    async fn claim_timers(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<TimerRow>, StorageError>;
    /// Fires a claimed timer: applies `update` to its case, writes `writes` and `survey`, and
    /// marks the timer done, in one transaction; refused with a conflict when the claim lapsed
    /// and another worker holds it.
    async fn fire(
        &self,
        timer: &TimerRow,
        update: CaseUpdateFn,
        writes: ChannelWrites,
        survey: Option<SurveyRecord>,
        now: OffsetDateTime,
    ) -> Result<StoredChange, StorageError>;
    /// Marks a claimed timer done without a change (it no longer applies).
    async fn drop_timer(&self, timer: &TimerRow, now: OffsetDateTime) -> Result<(), StorageError>;
    /// The timers of a case still to fire, soonest first.
    async fn pending_timers(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<TimerRow>, StorageError>;
    /// The planned clocks of some cases of a store (cases never planned are left out).
    async fn sla_of_cases(&self, store_id: StoreId, ids: &[CaseId]) -> Result<Vec<(CaseId, SlaState)>, StorageError>;
    /// A store's counts of targets met.
    async fn sla_counts(&self, store_id: StoreId) -> Result<SlaCounts, StorageError>;
    /// A case's survey.
    async fn survey(&self, store_id: StoreId, case_id: CaseId) -> Result<Option<SurveyRecord>, StorageError>;
    /// Records the answer to a case's survey with the case change it makes, in one
    /// transaction; refused with a conflict when it was answered already.
    async fn answer_survey(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        score: u8,
        comment: Option<String>,
        now: OffsetDateTime,
        update: CaseUpdateFn,
    ) -> Result<StoredChange, StorageError>;
    /// A store's answered surveys, oldest first.
    async fn answered_surveys(&self, store_id: StoreId) -> Result<Vec<SurveyRecord>, StorageError>;
}

/// Reads a stored timer kind.
pub(crate) fn timer_kind(text: &str) -> Result<TimerKind, StorageError> {
    TimerKind::parse(text).ok_or_else(|| StorageError::Corrupt(format!("unknown timer kind `{text}`")))
}

/// A stored count as u64.
pub(crate) fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}
