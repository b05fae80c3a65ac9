//! Redress storage: one interface, [`Storage`], and two implementations.
//!
//! - [`sqlite::SqliteStorage`], the default: one file, WAL journal, `synchronous=FULL` so an
//!   acknowledged write survives a crash, and a single writer thread that commits concurrent
//!   writes together (group commit) so durability does not cost one fsync per request.
//! - [`postgres::PostgresStorage`], for deployments with several `redress serve` processes.
//!
//! Both keep each domain value whole as JSON beside the columns that queries filter on, and
//! both pass the same conformance story (`tests/conformance.rs`).
//!
//! Rules every implementation keeps:
//! - every row carries its store id, and every read filters on it: a query for one store never
//!   returns another's rows;
//! - a case change, its message and its timeline entries commit in one transaction, with the
//!   case row locked, so concurrent changes never lose each other;
//! - the timeline is append-only (the schema refuses updates and deletes).

use std::sync::Arc;

use async_trait::async_trait;
use redress_domain::MoneyError;
use redress_domain::claim::Claim;
use redress_domain::decision::CustomerHistory;
use redress_domain::dispute::DisputeError;
use redress_domain::ledger::LedgerError;
use redress_domain::policy::Policy;
use redress_domain::refund::RefundError;
use redress_domain::resolution::{Resolution, ResolutionContext, ResolutionError};
use redress_domain::returns::ReturnAuthorisation;
use redress_domain::{
    ApiKeyId, Case, CaseChange, CaseError, CaseId, CaseStatus, Classification, Customer, CustomerId, EmailAddress,
    IssueKind, Message, NewCase, Order, OrderId, Priority, ReturnId, Store, StoreId, StoreSlug, TimelineEntry,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub mod analytics;
mod analytics_postgres;
mod analytics_sqlite;
pub mod assistant;
mod assistant_postgres;
mod assistant_sqlite;
pub mod channels;
mod channels_postgres;
mod channels_sqlite;
pub mod desk;
mod desk_postgres;
mod desk_sqlite;
pub mod follow_through;
mod follow_through_postgres;
mod follow_through_sqlite;
pub mod incidents;
mod incidents_postgres;
mod incidents_sqlite;
pub mod money;
mod money_postgres;
mod money_sqlite;
pub mod platforms;
mod platforms_postgres;
mod platforms_sqlite;
pub mod postgres;
pub mod privacy;
mod privacy_postgres;
mod privacy_sqlite;
pub mod search;
mod search_postgres;
mod search_sqlite;
pub mod sqlite;
pub mod team;
mod team_postgres;
mod team_sqlite;

pub use assistant::AssistantStorage;
pub use channels::ChannelStorage;
pub use money::{MoneyStorage, RefundOutcome, RefundUpdateFn};
pub use platforms::{
    Delivery, Ingested, LinkedOrderFn, OrderLink, PlatformConnection, PlatformStorage, Push, PushOutcome, PushRecord,
    TimelineRow, WebhookEndpoint,
};
pub use search::{InboxPage, InboxQuery, SearchStorage};
pub use team::{AgentSession, TeamStorage};

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The thing asked for does not exist in this store.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The write conflicts with what is stored; nothing was written.
    #[error(transparent)]
    Conflict(#[from] Conflict),
    /// The domain refused the change; nothing was written.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// The resolution engine refused the step; nothing was written.
    #[error(transparent)]
    Resolution(#[from] ResolutionError),
    /// A stored value could not be read back; the database was changed outside Redress.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Backend(String),
    /// The money rules refused a refund; nothing was written.
    #[error(transparent)]
    Refund(#[from] RefundError),
    /// A posting does not balance; nothing was written.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The dispute rules refused a change; nothing was written.
    #[error(transparent)]
    Dispute(#[from] DisputeError),
    /// An idempotency key was used again for a different request.
    #[error("{0}")]
    IdempotencyMismatch(String),
    /// The privacy rules refused an erasure; nothing was written.
    #[error(transparent)]
    Erasure(#[from] redress_domain::privacy::ErasureRefused),
}

/// Why a write conflicts with what is stored. Each reason is its own variant so that callers
/// (and the API's error codes) never read a message to learn what happened, and both backends
/// report the same reason for the same refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// Another store has this slug.
    #[error("the slug `{0}` is taken")]
    SlugTaken(String),
    /// A team member with this email exists in the store.
    #[error("{0} is already on the team")]
    MemberExists(String),
    /// The change would leave the store without an admin.
    #[error("{0}")]
    LastAdmin(String),
    /// A row changed between reading it and writing it; retrying reads it again.
    #[error("the {0} changed meanwhile; try again")]
    ChangedMeanwhile(&'static str),
    /// The Idempotency-Key is reserved by a request being (or already) carried out.
    #[error("a request with this Idempotency-Key was already carried out")]
    KeyTaken,
    /// A policy version must be above the one in force.
    #[error("version {given} is not above the version in force ({in_force}): raise `version`")]
    PolicyVersion {
        /// The version saved.
        given: i64,
        /// The version in force.
        in_force: i64,
    },
    /// The posting was corrected before; a posting is corrected once.
    #[error("the posting was already corrected by posting {0}")]
    AlreadyCorrected(redress_domain::PostingId),
    /// The posting moved store credit, which the books alone cannot correct.
    #[error("this posting moved store credit; correct the credit by spending or issuing it, not in the books alone")]
    CreditPosting,
    /// A unique index refused a second row with the same value (e.g. a dispute reported
    /// twice at once).
    #[error("this {0} is already recorded")]
    Duplicate(&'static str),
    /// A rule of the schema (a CHECK constraint) refused the write: a guard behind the
    /// domain's own checks. The constraint's name says which, never the database's text.
    #[error("the change breaks a rule of the stored data ({0})")]
    Constraint(String),
}

impl From<MoneyError> for StorageError {
    fn from(e: MoneyError) -> Self {
        StorageError::Refund(RefundError::Money(e))
    }
}

impl From<redress_domain::books::SyncError> for StorageError {
    fn from(e: redress_domain::books::SyncError) -> Self {
        match e {
            redress_domain::books::SyncError::Refund(refund) => StorageError::Refund(refund),
            redress_domain::books::SyncError::Ledger(ledger) => StorageError::Ledger(ledger),
        }
    }
}

impl From<serde_json::Error> for StorageError {
    fn from(e: serde_json::Error) -> Self {
        StorageError::Corrupt(e.to_string())
    }
}

/// A store's API key as kept at rest: only a hash of the secret, never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The key's id.
    pub id: ApiKeyId,
    /// The store the key acts for.
    pub store_id: StoreId,
    /// What the key is for, e.g. `shopify-sync` or `Maria's laptop`.
    pub label: String,
    /// The team member a personal key belongs to (who it acts as, with their role at the time
    /// of each request); none for an integration key.
    pub agent_id: Option<redress_domain::AgentId>,
    /// Hex SHA-256 of the secret.
    pub secret_hash: String,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

/// Which cases to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only these statuses (any when empty).
    pub statuses: Vec<CaseStatus>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only cases assigned to this team member.
    pub assignee: Option<redress_domain::AgentId>,
    /// Only cases about this order.
    pub order_id: Option<OrderId>,
}

/// Where a page of cases starts: after the case with this creation time and id. Cases are
/// listed newest first, ties broken by id, so the order is total and pages never overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseCursor {
    /// Creation time of the last case on the previous page, in Unix microseconds.
    pub created_at_us: i64,
    /// Id of the last case on the previous page.
    pub id: CaseId,
}

/// One page of cases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CasePage {
    /// The cases, newest first.
    pub cases: Vec<Case>,
    /// Where the next page starts, if there is one.
    pub next: Option<CaseCursor>,
}

/// Splits up to `limit + 1` rows fetched in list order into a page and where the next one
/// starts: the extra row, if there is one, only says that a next page exists, which starts
/// after the last item shown.
fn split_page<T, C: Copy>(rows: Vec<(T, C)>, limit: u32) -> (Vec<T>, Option<C>) {
    let limit = limit as usize;
    let next = if rows.len() > limit { rows.get(limit.saturating_sub(1)).map(|(_, cursor)| *cursor) } else { None };
    (rows.into_iter().take(limit).map(|(item, _)| item).collect(), next)
}

impl CasePage {
    /// A page from up to `limit + 1` rows fetched in list order.
    pub(crate) fn from_rows(rows: Vec<(Case, CaseCursor)>, limit: u32) -> Self {
        let (cases, next) = split_page(rows, limit);
        Self { cases, next }
    }
}

/// Which orders to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderFilter {
    /// Only the order with this number.
    pub number: Option<String>,
    /// Only orders of this customer.
    pub customer_id: Option<redress_domain::CustomerId>,
    /// Only orders at these stages (any when empty).
    pub stages: Vec<redress_domain::order::OrderStage>,
    /// Only orders with a parcel in this status.
    pub shipment_status: Option<redress_domain::order::ShipmentStatus>,
    /// Only orders placed at or after this time.
    pub placed_from: Option<OffsetDateTime>,
    /// Only orders placed before this time.
    pub placed_before: Option<OffsetDateTime>,
}

/// Where a page of orders starts: after the order with this placing time and id. Orders are
/// listed newest first, ties broken by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderCursor {
    /// When the last order on the previous page was placed, in Unix microseconds.
    pub placed_at_us: i64,
    /// Id of the last order on the previous page.
    pub id: OrderId,
}

/// One page of orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPage {
    /// The orders, newest first.
    pub orders: Vec<Order>,
    /// Where the next page starts, if there is one.
    pub next: Option<OrderCursor>,
}

impl OrderPage {
    /// A page from up to `limit + 1` rows fetched in list order.
    pub(crate) fn from_rows(rows: Vec<(Order, OrderCursor)>, limit: u32) -> Self {
        let (orders, next) = split_page(rows, limit);
        Self { orders, next }
    }
}

/// The listing columns an order is written with: its stage and its parcels' statuses, as the
/// domain decides them.
pub(crate) fn listing_columns(order: &Order) -> (&'static str, String) {
    (order.stage().as_str(), order.shipment_statuses_key())
}

/// A timeline entry as stored, with its position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEntry {
    /// Position in the store-wide append order; increases with every entry.
    pub seq: i64,
    /// The entry.
    pub entry: TimelineEntry,
}

/// A case change as committed: the case and its new timeline entries with their positions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredChange {
    /// The case as it now is.
    pub case: Case,
    /// The entries appended by the change, in order.
    pub entries: Vec<RecordedEntry>,
}

/// An agent's correction of a classification, with the text it corrects: training feedback.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassificationFeedback {
    /// The case.
    pub case_id: CaseId,
    /// The case's subject.
    pub subject: String,
    /// The customer's first message.
    pub text: String,
    /// The classification as corrected.
    pub corrected: Classification,
    /// When, and by whom.
    pub at: OffsetDateTime,
}

/// A help article a store wrote itself, in one language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreHelpArticle {
    /// Stable id, shared by the translations of one article; the same id as a shipped article
    /// replaces it in that language.
    pub id: String,
    /// BCP 47 primary tag of its language.
    pub language: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Words customers use for the topic.
    pub tags: Vec<String>,
    /// When it was last saved.
    pub updated_at: OffsetDateTime,
}

/// A photo a customer sent with a case, as kept: what is known of it, without its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachmentInfo {
    /// Its id.
    pub id: uuid::Uuid,
    /// The case it was sent with.
    pub case_id: CaseId,
    /// The file name as sent.
    pub filename: String,
    /// Its type, read from its bytes: `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// When it was received.
    pub created_at: OffsetDateTime,
}

/// What a case update produced: the change, and the message to store with it, if any.
pub struct CaseUpdate {
    /// The new case and the timeline entries.
    pub change: CaseChange,
    /// A message to insert in the same transaction.
    pub message: Option<Message>,
}

/// A change to make to a case, run against the case as it is inside the transaction.
pub type CaseUpdateFn = Box<dyn FnOnce(&Case) -> Result<CaseUpdate, CaseError> + Send>;

/// A resolution step, run against the case, its order and the order's returns as they are
/// inside the transaction, with the case locked.
pub type ResolutionFn = Box<dyn FnOnce(&ResolutionContext) -> Result<Resolution, ResolutionError> + Send>;

/// A resolution step as committed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResolution {
    /// The case as it now is.
    pub case: Case,
    /// The entries appended, with their positions.
    pub entries: Vec<RecordedEntry>,
    /// The order, if the step amended it.
    pub order: Option<Order>,
    /// Returns created or moved on.
    pub returns: Vec<ReturnAuthorisation>,
    /// Claims filed.
    pub claims: Vec<Claim>,
    /// Refund intents written (or found by their idempotency keys), as written: not yet
    /// carried out.
    pub refunds: Vec<redress_domain::refund::Refund>,
}

/// How long an Idempotency-Key is remembered: a retry within it gets the first answer; after
/// it, the key is forgotten and may start a new request (24 hours, as payment APIs keep them).
pub const IDEMPOTENCY_KEY_LIFETIME: time::Duration = time::Duration::hours(24);

/// An Idempotency-Key to reserve with a write, so the write happens once whatever the retries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The key the client sent.
    pub key: String,
    /// A hash of what was asked (method, path, body): the same key with another request is refused.
    pub request_hash: String,
    /// When it was first used.
    pub at: OffsetDateTime,
}

/// What is stored under an Idempotency-Key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    /// The hash of the request that first used the key.
    pub request_hash: String,
    /// The first answer (status, JSON body), once it was given.
    pub answer: Option<(u16, String)>,
}

/// A store's policy as kept: the document as written and its parsed form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPolicy {
    /// The parsed policy.
    pub policy: Policy,
    /// The TOML document as the shop wrote it.
    pub source: String,
    /// When this version was saved.
    pub saved_at: OffsetDateTime,
}

/// The storage interface everything above the store crate uses.
#[async_trait]
pub trait Storage: Send + Sync {
    /// Adds a store; its slug must be free.
    async fn create_store(&self, store: &Store) -> Result<(), StorageError>;
    /// One store.
    async fn store(&self, id: StoreId) -> Result<Store, StorageError>;
    /// A store by slug.
    async fn store_by_slug(&self, slug: &StoreSlug) -> Result<Store, StorageError>;
    /// Every store, oldest first.
    async fn stores(&self) -> Result<Vec<Store>, StorageError>;

    /// Keeps an API key's hash.
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StorageError>;
    /// The key with this secret hash, if any.
    async fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<ApiKeyRecord>, StorageError>;
    /// A store's keys, oldest first (hashes included; the secrets were never kept).
    async fn api_keys(&self, store_id: StoreId) -> Result<Vec<ApiKeyRecord>, StorageError>;
    /// Revokes one of a store's keys: it is deleted, so it no longer authenticates. Returns the
    /// key as it was, so a cache of verified keys can forget its hash. A key of another store
    /// is [`StorageError::NotFound`], like an unknown one.
    async fn revoke_api_key(&self, store_id: StoreId, id: ApiKeyId) -> Result<ApiKeyRecord, StorageError>;

    /// Stores an order as the shop's systems report it, with its customer, in one
    /// transaction. The customer is matched by email within the store and the order by
    /// number, so sending the same order again updates it. Returns the order as stored (with
    /// the ids of the existing customer and order, when they existed) and whether it was new.
    /// Its payments enter the books at once: each capture is posted when it is first reported
    /// (and a larger capture when reported later), so the ledger is complete at every moment.
    async fn upsert_order(
        &self,
        customer: &Customer,
        order: &Order,
        now: OffsetDateTime,
    ) -> Result<(Order, bool), StorageError>;
    /// One order.
    async fn order(&self, store_id: StoreId, id: OrderId) -> Result<Order, StorageError>;
    /// An order by the shop's number.
    async fn order_by_number(&self, store_id: StoreId, number: &str) -> Result<Option<Order>, StorageError>;
    /// A customer's orders, newest first.
    async fn orders_of_customer(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<Order>, StorageError>;
    /// One customer.
    async fn customer(&self, store_id: StoreId, id: CustomerId) -> Result<Customer, StorageError>;
    /// A customer by email.
    async fn customer_by_email(
        &self,
        store_id: StoreId,
        email: &EmailAddress,
    ) -> Result<Option<Customer>, StorageError>;

    /// Opens a case: allocates the store's next case number and stores the case, its first
    /// message and its timeline entries in one transaction.
    async fn open_case(&self, new: NewCase, now: OffsetDateTime) -> Result<StoredChange, StorageError>;
    /// One case.
    async fn case(&self, store_id: StoreId, id: CaseId) -> Result<Case, StorageError>;
    /// A page of cases, newest first.
    async fn cases(
        &self,
        store_id: StoreId,
        filter: &CaseFilter,
        after: Option<CaseCursor>,
        limit: u32,
    ) -> Result<CasePage, StorageError>;
    /// A page of the store's orders matching `filter`, newest placed first, starting after
    /// `after`; at most `limit`.
    async fn orders(
        &self,
        store_id: StoreId,
        filter: &OrderFilter,
        after: Option<OrderCursor>,
        limit: u32,
    ) -> Result<OrderPage, StorageError>;
    /// Applies `update` to the case as it is now, with the case locked, and commits the new
    /// case, the message and the timeline entries together. A refused update writes nothing.
    async fn update_case(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
    ) -> Result<StoredChange, StorageError>;
    /// A case's timeline, oldest first.
    async fn timeline(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<RecordedEntry>, StorageError>;
    /// A case's messages, oldest first.
    async fn messages(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Message>, StorageError>;
    /// Every classification correction in a store, oldest first, with the text corrected.
    async fn classification_feedback(&self, store_id: StoreId) -> Result<Vec<ClassificationFeedback>, StorageError>;
    /// True when the database answers.
    async fn ping(&self) -> Result<(), StorageError>;
    /// How much work waits in each queue, deployment-wide, by live status: refunds, the outbox,
    /// changes to push to shop platforms. Counts only: no store's data.
    async fn work_queues(&self) -> Result<Vec<QueueCount>, StorageError>;
    /// How this process's database connections are used now (no query: the pool's own count).
    fn connections(&self) -> PoolUse;

    /// Adds or replaces one of a store's own help articles (by id and language).
    async fn save_help_article(&self, store_id: StoreId, article: &StoreHelpArticle) -> Result<(), StorageError>;
    /// A store's own help articles, by id and language.
    async fn help_articles(&self, store_id: StoreId) -> Result<Vec<StoreHelpArticle>, StorageError>;
    /// What a store's own help articles are at now, cheap to read: how many there are and when
    /// the last was saved. A server compares it with the one its cached index was built from,
    /// so an article saved or removed through any server is searched at once everywhere.
    async fn help_articles_version(&self, store_id: StoreId) -> Result<(i64, i64), StorageError>;
    /// Removes one of a store's own help articles; false when there was none.
    async fn delete_help_article(&self, store_id: StoreId, id: &str, language: &str) -> Result<bool, StorageError>;

    /// Keeps a photo sent with a case of this store (`NotFound` when the case is not the
    /// store's). The schema refuses files over 5 MiB and types other than JPEG, PNG and WebP.
    async fn save_attachment(&self, store_id: StoreId, info: &AttachmentInfo, bytes: &[u8])
    -> Result<(), StorageError>;
    /// What is known of the photos sent with a case, oldest first, without their bytes.
    async fn attachments_of_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
    ) -> Result<Vec<AttachmentInfo>, StorageError>;
    /// One photo of a case, with its bytes; `NotFound` for another store's or another case's.
    async fn attachment(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        id: uuid::Uuid,
    ) -> Result<(AttachmentInfo, Vec<u8>), StorageError>;

    /// Runs a resolution step with the case locked and commits everything it produces (case,
    /// timeline, amended order, returns, claims) in one transaction, together with the
    /// reservation of `idempotency`'s key when given. A refused step writes nothing; a key
    /// already taken is [`Conflict::KeyTaken`].
    async fn resolve_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        idempotency: Option<IdempotencyKey>,
        step: ResolutionFn,
    ) -> Result<StoredResolution, StorageError>;
    /// A case's returns, oldest first.
    async fn returns_of_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
    ) -> Result<Vec<ReturnAuthorisation>, StorageError>;
    /// One return.
    async fn return_authorisation(&self, store_id: StoreId, id: ReturnId) -> Result<ReturnAuthorisation, StorageError>;
    /// An order's returns, from every case, oldest first.
    async fn returns_of_order(
        &self,
        store_id: StoreId,
        order_id: OrderId,
    ) -> Result<Vec<ReturnAuthorisation>, StorageError>;
    /// An order's claims, from every case, oldest first.
    async fn claims_of_order(&self, store_id: StoreId, order_id: OrderId) -> Result<Vec<Claim>, StorageError>;
    /// A case's claims, oldest first.
    async fn claims_of_case(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Claim>, StorageError>;
    /// What a customer asked for before `now`: cases in 90 days (the one in hand excluded by
    /// the caller), returns in 90 days, refunds without return in 365 days.
    async fn customer_history(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
        now: OffsetDateTime,
    ) -> Result<CustomerHistory, StorageError>;
    /// Saves a new version of the store's policy; its version must be above the one in force.
    async fn save_policy(&self, store_id: StoreId, policy: &StoredPolicy) -> Result<(), StorageError>;
    /// The store's policy in force, if it has saved one.
    async fn policy(&self, store_id: StoreId) -> Result<Option<StoredPolicy>, StorageError>;
    /// What is stored under an Idempotency-Key, if anything used it within
    /// [`IDEMPOTENCY_KEY_LIFETIME`] before `now`.
    async fn idempotent_answer(
        &self,
        store_id: StoreId,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<StoredAnswer>, StorageError>;
    /// Keeps the first answer given under `key`, reserving the key if the write that answered
    /// did not (writes whose own rows are keyed, such as refunds); later answers never replace
    /// it.
    async fn save_idempotent_answer(
        &self,
        store_id: StoreId,
        key: &IdempotencyKey,
        status: u16,
        body: &str,
    ) -> Result<(), StorageError>;
    /// Counts one attempt against `key` (e.g. failed sign-ins for one address from one
    /// source) and returns how many were made in the window of `window` ending `now`, counting
    /// this one. Count and check are one atomic statement, so attempts racing in parallel
    /// cannot overshoot a limit, and every server of a deployment counts the same attempts.
    async fn count_attempt(&self, key: &str, now: OffsetDateTime, window: time::Duration) -> Result<u32, StorageError>;
    /// Forgets the attempts counted against `key` (after a success).
    async fn clear_attempts(&self, key: &str) -> Result<(), StorageError>;
    /// The money layer's storage, in the same database.
    fn money(&self) -> &dyn MoneyStorage;

    /// The support team's accounts and sessions.
    fn team(&self) -> &dyn TeamStorage;

    /// Channels: support addresses, identities, received messages, the outbox, dead letters.
    fn channels(&self) -> &dyn ChannelStorage;
    /// Shop platforms' connections, webhook deliveries and order links.
    fn platforms(&self) -> &dyn PlatformStorage;
    /// The self-service assistant's conversations.
    fn assistant(&self) -> &dyn AssistantStorage;
    /// Following cases through: service clocks, timers, surveys.
    fn follow_through(&self) -> &dyn follow_through::FollowThroughStorage;
    /// The desk inbox: ranking, counting and searching all of a store's cases.
    fn search(&self) -> &dyn SearchStorage;
    /// Analytics: the rollup of case facts, units per SKU, the cases behind a group.
    fn analytics(&self) -> &dyn analytics::AnalyticsStorage;
    /// Incidents and the cases grouped under them.
    fn incidents(&self) -> &dyn incidents::IncidentStorage;
    /// The desk's presence, macros and saved views.
    fn desk(&self) -> &dyn desk::DeskStorage;
    /// Customers' personal data: what an export reads, erasure, retention.
    fn privacy(&self) -> &dyn privacy::PrivacyStorage;
}

/// Rows of one queue in one status, and when the oldest of them was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueCount {
    /// `refunds`, `outbox` or `platform_pushes`.
    pub queue: String,
    /// The rows' status, as stored: a live one (work still to do), never a final one.
    pub status: String,
    /// How many.
    pub count: i64,
    /// When the oldest was made, in Unix microseconds.
    pub oldest_created_at_us: i64,
}

/// How a process's connections to its database are used, for the metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    /// `postgres` (the sqlx pool) or `sqlite_readers` (the read-only connections; SQLite's one
    /// writer is not pooled).
    pub pool: &'static str,
    /// Connections at most.
    pub max: u32,
    /// Connections open now.
    pub open: u32,
    /// Of those, not in use.
    pub idle: u32,
}

/// The one query both backends run for [`Storage::work_queues`]: plain SQL on columns both
/// schemas share, indexed by status. Only live rows are counted (refunds not final as the
/// domain says, mail being sent or waiting, pushes waiting): finished rows pile up for ever and
/// would drown the work still to do.
pub(crate) fn work_queues_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let live_refunds: Vec<String> = redress_domain::refund::RefundStatus::ALL
            .iter()
            .filter(|status| !status.is_final())
            .map(|status| format!("'{}'", status.as_str()))
            .collect();
        format!(
            "SELECT 'refunds', status, COUNT(*), MIN(created_at_us) FROM refunds WHERE status IN ({}) GROUP BY status \
             UNION ALL SELECT 'outbox', status, COUNT(*), MIN(created_at_us) FROM outbox \
             WHERE status IN ('pending', 'sending') GROUP BY status \
             UNION ALL SELECT 'platform_pushes', status, COUNT(*), MIN(created_at_us) FROM platform_pushes \
             WHERE status = 'pending' GROUP BY status",
            live_refunds.join(", ")
        )
    })
}

/// Opens the storage a URL names: `sqlite://path/to/file.db` (or a bare path) or
/// `postgres://…`. Creates the SQLite file if needed and applies pending migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Storage>, StorageError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStorage::connect(url).await?))
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        Ok(Arc::new(sqlite::SqliteStorage::open(path.as_ref()).await?))
    }
}

/// Applies pending migrations to the database a URL names and says how many it applied.
pub async fn migrate(url: &str) -> Result<usize, StorageError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::PostgresStorage::migrate_url(url).await
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        sqlite::SqliteStorage::migrate_path(path.as_ref())
    }
}

/// Checks that a resolution step stayed within its case: same case and store, the case's own
/// order, returns and claims of that case and order. A step breaking this is a bug, refused
/// rather than written.
pub(crate) fn check_resolution(context: &ResolutionContext, step: &Resolution) -> Result<(), StorageError> {
    let case = &step.change.case;
    let bug = |what: &str| Err(StorageError::Backend(format!("a resolution step tried to {what}")));
    if case.id != context.case.id || case.store_id != context.case.store_id {
        return bug("change a case's identity");
    }
    if let Some(order) = &step.order
        && (Some(order.id) != context.case.order_id || order.store_id != case.store_id)
    {
        return bug("change another order");
    }
    let order_id = context.order.as_ref().map(|o| o.id);
    for rma in &step.returns {
        if rma.store_id != case.store_id || rma.case_id != case.id || Some(rma.order_id) != order_id {
            return bug("write a return of another case");
        }
        if let Some(before) = context.returns.iter().find(|r| r.id == rma.id)
            && (before.case_id != rma.case_id || rma.version != before.version + 1)
        {
            return bug("move a return without counting the change");
        }
    }
    for claim in &step.claims {
        if claim.store_id != case.store_id || claim.case_id != case.id || Some(claim.order_id) != order_id {
            return bug("file a claim on another case");
        }
    }
    for ask in &step.refunds {
        let request = &ask.request;
        if request.store_id != case.store_id || request.case_id != case.id || Some(request.order_id) != order_id {
            return bug("ask for a refund on another case");
        }
    }
    Ok(())
}

/// A stored policy read back: parsed again from its source, which was checked when saved.
pub(crate) fn stored_policy(source: String, at_us: i64) -> Result<StoredPolicy, StorageError> {
    let policy = Policy::from_toml(&source).map_err(|e| StorageError::Corrupt(format!("stored policy: {e}")))?;
    let saved_at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_us) * 1000)
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    Ok(StoredPolicy { policy, source, saved_at })
}

/// The window customer history is counted over.
pub(crate) const HISTORY_RECENT_DAYS: i64 = 90;
/// The window refunds without return are counted over.
pub(crate) const HISTORY_YEAR_DAYS: i64 = 365;

/// Turns a stored correction entry, its case and the case's first message into feedback.
pub(crate) fn feedback_of(
    entry: TimelineEntry,
    case: Case,
    first: Option<Message>,
) -> Result<ClassificationFeedback, StorageError> {
    match entry.event {
        redress_domain::CaseEvent::ClassificationCorrected { to, .. } => Ok(ClassificationFeedback {
            case_id: case.id,
            subject: case.subject,
            text: first.map(|m| m.body).unwrap_or_default(),
            corrected: to,
            at: entry.at,
        }),
        other => Err(StorageError::Corrupt(format!("expected a classification correction, found {other:?}"))),
    }
}

/// Unix microseconds, the form timestamps take in both schemas.
/// A time stored as Unix microseconds.
pub(crate) fn from_micros(us: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map_err(|e| StorageError::Corrupt(e.to_string()))
}

pub(crate) fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// The text form of a status, kind or priority as stored in the filter columns.
pub(crate) fn column_text<T: Serialize>(value: &T) -> Result<String, StorageError> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(StorageError::Corrupt(format!("expected a string id, got {other}"))),
    }
}
