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
use redress_domain::{
    ApiKeyId, Case, CaseChange, CaseError, CaseId, CaseStatus, Classification, Customer, CustomerId, EmailAddress,
    IssueKind, Message, NewCase, Order, OrderId, Priority, Store, StoreId, StoreSlug, TimelineEntry,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub mod postgres;
pub mod sqlite;

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The thing asked for does not exist in this store.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A unique value is taken, e.g. a store slug.
    #[error("{0}")]
    Conflict(String),
    /// The domain refused the change; nothing was written.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// A stored value could not be read back; the database was changed outside Redress.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database failed or could not be reached.
    #[error("database error: {0}")]
    Backend(String),
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// A store's API key as kept at rest: only a hash of the secret, never the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    /// The key's id.
    pub id: ApiKeyId,
    /// The store the key acts for.
    pub store_id: StoreId,
    /// What the key is for, e.g. `shopify-sync` or `agent maria`.
    pub label: String,
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
    /// Only cases assigned to this agent.
    pub assignee: Option<String>,
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

impl CasePage {
    /// A page from up to `limit + 1` rows fetched in list order: the extra row, if there is
    /// one, only says that a next page exists, which starts after the last case shown.
    pub(crate) fn from_rows(rows: Vec<(Case, CaseCursor)>, limit: u32) -> Self {
        let limit = limit as usize;
        let next = if rows.len() > limit { rows.get(limit.saturating_sub(1)).map(|(_, cursor)| *cursor) } else { None };
        Self { cases: rows.into_iter().take(limit).map(|(case, _)| case).collect(), next }
    }
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

/// What a case update produced: the change, and the message to store with it, if any.
pub struct CaseUpdate {
    /// The new case and the timeline entries.
    pub change: CaseChange,
    /// A message to insert in the same transaction.
    pub message: Option<Message>,
}

/// A change to make to a case, run against the case as it is inside the transaction.
pub type CaseUpdateFn = Box<dyn FnOnce(&Case) -> Result<CaseUpdate, CaseError> + Send>;

/// The storage interface everything above the store crate uses.
#[async_trait]
pub trait Storage: Send + Sync {
    /// Adds a store; its slug must be free.
    async fn create_store(&self, store: &Store) -> Result<(), StoreError>;
    /// One store.
    async fn store(&self, id: StoreId) -> Result<Store, StoreError>;
    /// A store by slug.
    async fn store_by_slug(&self, slug: &StoreSlug) -> Result<Store, StoreError>;
    /// Every store, oldest first.
    async fn stores(&self) -> Result<Vec<Store>, StoreError>;

    /// Keeps an API key's hash.
    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError>;
    /// The key with this secret hash, if any.
    async fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError>;

    /// Stores an order as the shop's systems report it, with its customer, in one
    /// transaction. The customer is matched by email within the store and the order by
    /// number, so sending the same order again updates it. Returns the order as stored (with
    /// the ids of the existing customer and order, when they existed) and whether it was new.
    async fn upsert_order(&self, customer: &Customer, order: &Order) -> Result<(Order, bool), StoreError>;
    /// One order.
    async fn order(&self, store_id: StoreId, id: OrderId) -> Result<Order, StoreError>;
    /// An order by the shop's number.
    async fn order_by_number(&self, store_id: StoreId, number: &str) -> Result<Option<Order>, StoreError>;
    /// A customer's orders, newest first.
    async fn orders_of_customer(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<Order>, StoreError>;
    /// One customer.
    async fn customer(&self, store_id: StoreId, id: CustomerId) -> Result<Customer, StoreError>;
    /// A customer by email.
    async fn customer_by_email(&self, store_id: StoreId, email: &EmailAddress) -> Result<Option<Customer>, StoreError>;

    /// Opens a case: allocates the store's next case number and stores the case, its first
    /// message and its timeline entries in one transaction.
    async fn open_case(&self, new: NewCase, now: OffsetDateTime) -> Result<StoredChange, StoreError>;
    /// One case.
    async fn case(&self, store_id: StoreId, id: CaseId) -> Result<Case, StoreError>;
    /// A page of cases, newest first.
    async fn cases(
        &self,
        store_id: StoreId,
        filter: &CaseFilter,
        after: Option<CaseCursor>,
        limit: u32,
    ) -> Result<CasePage, StoreError>;
    /// Applies `update` to the case as it is now, with the case locked, and commits the new
    /// case, the message and the timeline entries together. A refused update writes nothing.
    async fn update_case(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
    ) -> Result<StoredChange, StoreError>;
    /// A case's timeline, oldest first.
    async fn timeline(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<RecordedEntry>, StoreError>;
    /// A case's messages, oldest first.
    async fn messages(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Message>, StoreError>;
    /// Every classification correction in a store, oldest first, with the text corrected.
    async fn classification_feedback(&self, store_id: StoreId) -> Result<Vec<ClassificationFeedback>, StoreError>;
    /// True when the database answers.
    async fn ping(&self) -> Result<(), StoreError>;
}

/// Opens the storage a URL names: `sqlite://path/to/file.db` (or a bare path) or
/// `postgres://…`. Creates the SQLite file if needed and applies pending migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Storage>, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PostgresStorage::connect(url).await?))
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        Ok(Arc::new(sqlite::SqliteStorage::open(path.as_ref()).await?))
    }
}

/// Applies pending migrations to the database a URL names and says how many it applied.
pub async fn migrate(url: &str) -> Result<usize, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        postgres::PostgresStorage::migrate_url(url).await
    } else {
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        sqlite::SqliteStorage::migrate_path(path.as_ref())
    }
}

/// Turns a stored correction entry, its case and the case's first message into feedback.
pub(crate) fn feedback_of(
    entry: TimelineEntry,
    case: Case,
    first: Option<Message>,
) -> Result<ClassificationFeedback, StoreError> {
    match entry.event {
        redress_domain::CaseEvent::ClassificationCorrected { to, .. } => Ok(ClassificationFeedback {
            case_id: case.id,
            subject: case.subject,
            text: first.map(|m| m.body).unwrap_or_default(),
            corrected: to,
            at: entry.at,
        }),
        other => Err(StoreError::Corrupt(format!("expected a classification correction, found {other:?}"))),
    }
}

/// Unix microseconds, the form timestamps take in both schemas.
pub(crate) fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// The text form of a status, kind or priority as stored in the filter columns.
pub(crate) fn column_text<T: Serialize>(value: &T) -> Result<String, StoreError> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(s) => Ok(s),
        other => Err(StoreError::Corrupt(format!("expected a string id, got {other}"))),
    }
}
