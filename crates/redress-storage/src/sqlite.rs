//! The embedded SQLite backend, Redress's default.
//!
//! Durability: WAL journal with `synchronous=FULL`, so a commit is on disk before the caller
//! hears of it. To make that affordable, all writes go to one writer thread that takes every
//! write waiting in its queue, runs each inside its own savepoint of one transaction and
//! commits them together: one fsync for many requests (group commit). A write that fails rolls
//! back to its savepoint without disturbing the others in the batch. Reads run on a small
//! pool of read-only connections, which WAL lets proceed while the writer commits.
//!
//! rusqlite is used rather than sqlx here because the writer thread needs synchronous,
//! statement-cached access to one connection; sqlx's SQLite driver would add a channel hop per
//! statement to the hot path the group commit exists to keep short.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use redress_domain::{
    Actor, Case, CaseChange, CaseId, CaseNumber, Customer, CustomerId, EmailAddress, Message, NewCase, Order, OrderId,
    Store, StoreId, StoreSlug, TimelineEntry,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use time::OffsetDateTime;
use tokio::sync::oneshot;

use crate::{
    ApiKeyRecord, AttachmentInfo, CaseCursor, CaseFilter, CasePage, CaseUpdateFn, ClassificationFeedback, Conflict,
    HISTORY_RECENT_DAYS, HISTORY_YEAR_DAYS, IDEMPOTENCY_KEY_LIFETIME, IdempotencyKey, OrderCursor, OrderFilter,
    OrderPage, RecordedEntry, ResolutionFn, Storage, StorageError, StoreHelpArticle, StoredAnswer, StoredChange,
    StoredPolicy, StoredResolution, check_resolution, column_text, feedback_of, from_micros, listing_columns, micros,
    stored_policy,
};
use redress_domain::claim::{Claim, ClaimResolution};
use redress_domain::decision::CustomerHistory;
use redress_domain::refund::Refund;
use redress_domain::resolution::{Resolution, ResolutionContext};
use redress_domain::returns::ReturnAuthorisation;
use redress_domain::{ApiKeyId, ReturnId};

/// The schema, one script per version; `PRAGMA user_version` records how many have run. A
/// migration crate would add a dependency for what these few lines do.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_init.sql"),
    include_str!("../migrations/sqlite/0002_resolution.sql"),
    include_str!("../migrations/sqlite/0003_money.sql"),
    include_str!("../migrations/sqlite/0004_help_articles.sql"),
    include_str!("../migrations/sqlite/0005_team.sql"),
    include_str!("../migrations/sqlite/0006_attachments.sql"),
    include_str!("../migrations/sqlite/0007_money_spend_fees.sql"),
    include_str!("../migrations/sqlite/0008_keys_and_refund_totals.sql"),
    include_str!("../migrations/sqlite/0009_order_listing.sql"),
    include_str!("../migrations/sqlite/0010_channels.sql"),
    include_str!("../migrations/sqlite/0011_platforms.sql"),
    include_str!("../migrations/sqlite/0012_assistant.sql"),
    include_str!("../migrations/sqlite/0013_follow_through.sql"),
    include_str!("../migrations/sqlite/0014_desk_search.sql"),
    include_str!("../migrations/sqlite/0015_platform_events.sql"),
    include_str!("../migrations/sqlite/0016_analytics.sql"),
    include_str!("../migrations/sqlite/0017_messaging_out.sql"),
    include_str!("../migrations/sqlite/0018_mailboxes.sql"),
    include_str!("../migrations/sqlite/0019_chat_assistant.sql"),
    include_str!("../migrations/sqlite/0020_privacy.sql"),
    include_str!("../migrations/sqlite/0021_desk_workspace.sql"),
];

/// Most writes committed together; bounds the time the first write of a batch waits.
const MAX_BATCH: usize = 512;

/// Reads running at once. More threads than this only queue on two cores; fewer would leave
/// reads waiting behind a slow one. Every reader connection is kept open between reads.
const READERS: usize = 8;

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(code, message) = &e
            && code.code == rusqlite::ErrorCode::ConstraintViolation
        {
            // The database's own words go to the log only; the caller learns the kind of rule.
            tracing::warn!(detail = ?message, "SQLite refused a write by a constraint");
            return match code.extended_code {
                rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    Conflict::Duplicate("record").into()
                }
                _ => Conflict::Constraint("check".into()).into(),
            };
        }
        StorageError::Backend(e.to_string())
    }
}

/// A write waiting for the writer thread.
trait WriteJob: Send {
    /// Runs the statements; returns whether they succeeded and how to tell the caller once the
    /// batch's commit is known.
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Completion);
    /// Tells the caller the batch could not even start.
    fn fail(self: Box<Self>, error: StorageError);
}

type Completion = Box<dyn FnOnce(Result<(), StorageError>) + Send>;

struct Job<F, T> {
    work: F,
    reply: oneshot::Sender<Result<T, StorageError>>,
}

impl<F, T> WriteJob for Job<F, T>
where
    F: FnOnce(&Connection) -> Result<T, StorageError> + Send,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Completion) {
        let result = (self.work)(conn);
        let reply = self.reply;
        let succeeded = result.is_ok();
        (
            succeeded,
            Box::new(move |commit: Result<(), StorageError>| {
                // The caller may have gone away (request cancelled); the write stands anyway.
                let _ = reply.send(commit.and(result));
            }),
        )
    }

    fn fail(self: Box<Self>, error: StorageError) {
        let _ = self.reply.send(Err(error));
    }
}

/// Read-only connections shared by the read calls.
struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Arc<tokio::sync::Semaphore>,
}

impl ReaderPool {
    fn take(&self) -> Result<Connection, StorageError> {
        let idle = self.idle.lock().map_err(|_| StorageError::Backend("reader pool poisoned".into()))?.pop();
        match idle {
            Some(conn) => Ok(conn),
            None => {
                let conn = open_connection(&self.path)?;
                conn.pragma_update(None, "query_only", true)?;
                Ok(conn)
            }
        }
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < READERS
        {
            idle.push(conn);
        }
    }
}

/// The SQLite storage. Cloning is cheap and shares the writer and the readers.
#[derive(Clone)]
pub struct SqliteStorage {
    writer: mpsc::Sender<Box<dyn WriteJob>>,
    readers: Arc<ReaderPool>,
}

fn open_connection(path: &Path) -> Result<Connection, StorageError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn apply_migrations(conn: &mut Connection) -> Result<usize, StorageError> {
    let applied: usize =
        conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))?.try_into().unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(StorageError::Backend(format!(
            "the database has schema version {applied}, newer than this build knows ({}); upgrade redress",
            MIGRATIONS.len()
        )));
    }
    for (index, script) in MIGRATIONS.iter().enumerate().skip(applied) {
        let tx = conn.transaction()?;
        tx.execute_batch(script)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
    }
    Ok(MIGRATIONS.len() - applied)
}

/// Gives orders written before their listing columns existed a stage and parcel statuses,
/// a batch at a time (a no-op once every order has them).
fn fill_in_order_listing(conn: &mut Connection) -> Result<(), StorageError> {
    loop {
        let tx = conn.transaction()?;
        let docs: Vec<String> = tx
            .prepare("SELECT doc FROM orders WHERE stage IS NULL LIMIT 500")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        if docs.is_empty() {
            return Ok(());
        }
        for text in docs {
            let order: Order = doc(&text)?;
            let (stage, statuses) = listing_columns(&order);
            tx.execute(
                "UPDATE orders SET stage = ?1, shipment_statuses = ?2 WHERE id = ?3",
                params![stage, statuses, order.id.to_string()],
            )?;
        }
        tx.commit()?;
    }
}

fn writer_loop(conn: Connection, jobs: mpsc::Receiver<Box<dyn WriteJob>>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let message = e.to_string();
            for job in batch {
                job.fail(StorageError::Backend(message.clone()));
            }
            continue;
        }
        let mut completions = Vec::with_capacity(batch.len());
        let mut broken: Option<String> = None;
        for job in batch {
            if let Some(message) = &broken {
                job.fail(StorageError::Backend(message.clone()));
                continue;
            }
            if let Err(e) = conn.execute_batch("SAVEPOINT job") {
                broken = Some(e.to_string());
                job.fail(StorageError::Backend(e.to_string()));
                continue;
            }
            let (succeeded, completion) = job.run(&conn);
            let end = if succeeded { "RELEASE job" } else { "ROLLBACK TO job; RELEASE job" };
            if let Err(e) = conn.execute_batch(end) {
                broken = Some(e.to_string());
            }
            completions.push(completion);
        }
        let outcome = match broken {
            Some(message) => Err(message),
            None => conn.execute_batch("COMMIT").map_err(|e| e.to_string()),
        };
        if let Err(message) = &outcome {
            tracing::error!(error = %message, "write batch failed; rolling back");
            let _ = conn.execute_batch("ROLLBACK");
        }
        for completion in completions {
            completion(outcome.clone().map_err(StorageError::Backend));
        }
    }
}

/// What [`SqliteStorage::backup`] copied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupReport {
    /// The copy's size.
    pub bytes: i64,
    /// The migrations the copy has (SQLite's `user_version`).
    pub schema_version: i64,
}

impl SqliteStorage {
    /// Opens (creating if needed) the database file at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StorageError> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_blocking(&path))
            .await
            .map_err(|e| StorageError::Backend(e.to_string()))?
    }

    fn open_blocking(path: &Path) -> Result<Self, StorageError> {
        let mut conn = open_connection(path)?;
        let applied = apply_migrations(&mut conn)?;
        if applied > 0 {
            tracing::info!(applied, path = %path.display(), "applied SQLite migrations");
        }
        fill_in_order_listing(&mut conn)?;
        let (writer, jobs) = mpsc::channel::<Box<dyn WriteJob>>();
        std::thread::Builder::new()
            .name("redress-sqlite-writer".into())
            .spawn(move || writer_loop(conn, jobs))
            .map_err(|e| StorageError::Backend(format!("cannot start the writer thread: {e}")))?;
        Ok(Self {
            writer,
            readers: Arc::new(ReaderPool {
                path: path.to_path_buf(),
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(tokio::sync::Semaphore::new(READERS)),
            }),
        })
    }

    /// Applies pending migrations to the file at `path` and returns how many ran.
    pub fn migrate_path(path: &Path) -> Result<usize, StorageError> {
        apply_migrations(&mut open_connection(path)?)
    }

    /// Copies the database at `source` into a new file `to` with SQLite's online backup API,
    /// while servers keep writing to it: the copy is the database as of one moment (one read
    /// transaction; in WAL mode it holds no writer back), checked with `integrity_check` before
    /// this returns. `to` must not exist yet. Blocking: run it off the async runtime.
    pub fn backup(source: &Path, to: &Path) -> Result<BackupReport, StorageError> {
        if !source.is_file() {
            return Err(StorageError::Backend(format!("there is no database at {}", source.display())));
        }
        if to.exists() {
            return Err(StorageError::Backend(format!(
                "{} exists already; choose a new file so no backup is overwritten",
                to.display()
            )));
        }
        let from = Connection::open_with_flags(source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        from.busy_timeout(std::time::Duration::from_secs(10))?;
        let mut copy = Connection::open(to)?;
        {
            let backup = rusqlite::backup::Backup::new(&from, &mut copy)?;
            // All pages in one step: one consistent snapshot. Copying in slices would start over
            // each time a server commits in between, and might never finish on a busy shop.
            backup.step(-1)?;
        }
        copy.pragma_update(None, "journal_mode", "WAL")?;
        let pages: i64 = copy.pragma_query_value(None, "page_count", |row| row.get(0))?;
        let page_size: i64 = copy.pragma_query_value(None, "page_size", |row| row.get(0))?;
        let schema_version: i64 = copy.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let check: String = copy.pragma_query_value(None, "integrity_check", |row| row.get(0))?;
        if check != "ok" {
            return Err(StorageError::Corrupt(format!(
                "the copy at {} fails its integrity check: {check}",
                to.display()
            )));
        }
        Ok(BackupReport { bytes: pages.saturating_mul(page_size), schema_version })
    }

    pub(crate) async fn write<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(Box::new(Job { work, reply }))
            .map_err(|_| StorageError::Backend("the writer thread has stopped".into()))?;
        answer.await.map_err(|_| StorageError::Backend("the writer thread dropped a write".into()))?
    }

    pub(crate) async fn read<T, F>(&self, work: F) -> Result<T, StorageError>
    where
        F: FnOnce(&Connection) -> Result<T, StorageError> + Send + 'static,
        T: Send + 'static,
    {
        let readers = self.readers.clone();
        let permit = readers
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StorageError::Backend("the reader pool is closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = readers.take()?;
            let result = work(&conn);
            readers.give_back(conn);
            result
        })
        .await
        .map_err(|e| StorageError::Backend(e.to_string()))?
    }
}

pub(crate) fn doc<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StorageError> {
    Ok(serde_json::from_str(text)?)
}

pub(crate) fn one_doc<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Option<T>, StorageError> {
    let text: Option<String> = conn.prepare_cached(sql)?.query_row(params, |row| row.get(0)).optional()?;
    text.map(|t| doc(&t)).transpose()
}

pub(crate) fn all_docs<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>, StorageError> {
    let mut statement = conn.prepare_cached(sql)?;
    let texts = statement.query_map(params, |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    texts.iter().map(|t| doc(t)).collect()
}

/// An `api_keys` row as read: id, store id, label, secret hash, creation time, team member.
type ApiKeyRow = (String, String, String, String, i64, Option<String>);

/// A row's columns as a tuple of their types, in order (rusqlite's conversion, up to 16
/// columns): what every reader of a row into a tuple would write out column by column.
pub(crate) fn columns<T>(row: &rusqlite::Row<'_>) -> rusqlite::Result<T>
where
    T: for<'a> TryFrom<&'a rusqlite::Row<'a>, Error = rusqlite::Error>,
{
    T::try_from(row)
}

fn api_key_record(
    (id, store_id, label, secret_hash, created_at_us, agent_id): ApiKeyRow,
) -> Result<ApiKeyRecord, StorageError> {
    let corrupt = |e: uuid::Error| StorageError::Corrupt(e.to_string());
    Ok(ApiKeyRecord {
        id: id.parse().map_err(corrupt)?,
        store_id: store_id.parse().map_err(corrupt)?,
        label,
        secret_hash,
        agent_id: agent_id.map(|id| id.parse()).transpose().map_err(corrupt)?,
        created_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(created_at_us) * 1000)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?,
    })
}

pub(crate) fn store_exists(conn: &Connection, store_id: StoreId) -> Result<(), StorageError> {
    conn.prepare_cached("SELECT 1 FROM stores WHERE id = ?1")?
        .query_row([store_id.to_string()], |_| Ok(()))
        .optional()?
        .ok_or(StorageError::NotFound("store"))
}

/// Stores an order and its customer inside the caller's transaction: the body of
/// [`Storage::upsert_order`], shared with the platforms' ingest so a webhook's delivery row and
/// its order commit together.
pub(crate) fn upsert_order_in(
    conn: &Connection,
    mut customer: Customer,
    mut order: Order,
    now: OffsetDateTime,
) -> Result<(Order, bool), StorageError> {
    store_exists(conn, order.store_id)?;
    let existing: Option<String> = conn
        .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 AND email = ?2")?
        .query_row([customer.store_id.to_string(), customer.email.to_string()], |row| row.get(0))
        .optional()?;
    match existing {
        Some(id) => {
            customer.id = id.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))?;
            conn.prepare_cached("UPDATE customers SET doc = ?1 WHERE id = ?2 AND store_id = ?3")?.execute(params![
                serde_json::to_string(&customer)?,
                id,
                customer.store_id.to_string()
            ])?;
        }
        None => {
            conn.prepare_cached("INSERT INTO customers (id, store_id, email, doc) VALUES (?1, ?2, ?3, ?4)")?.execute(
                params![
                    customer.id.to_string(),
                    customer.store_id.to_string(),
                    customer.email.as_str(),
                    serde_json::to_string(&customer)?
                ],
            )?;
        }
    }
    order.customer_id = customer.id;
    let stored: Option<Order> = one_doc(
        conn,
        "SELECT doc FROM orders WHERE store_id = ?1 AND number = ?2",
        [order.store_id.to_string(), order.number.clone()],
    )?;
    let created = stored.is_none();
    let before = stored;
    if let Some(stored) = &before {
        order.keep_ids_of(stored);
        conn.prepare_cached(
            "UPDATE orders SET customer_id = ?1, placed_at_us = ?2, doc = ?3, stage = ?4, shipment_statuses = ?5
             WHERE id = ?6 AND store_id = ?7",
        )?
        .execute(params![
            order.customer_id.to_string(),
            micros(order.placed_at),
            serde_json::to_string(&order)?,
            listing_columns(&order).0,
            listing_columns(&order).1,
            order.id.to_string(),
            order.store_id.to_string()
        ])?;
    } else {
        conn.prepare_cached(
            "INSERT INTO orders (id, store_id, number, customer_id, placed_at_us, doc, stage, shipment_statuses)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            order.id.to_string(),
            order.store_id.to_string(),
            order.number,
            order.customer_id.to_string(),
            micros(order.placed_at),
            serde_json::to_string(&order)?,
            listing_columns(&order).0,
            listing_columns(&order).1
        ])?;
    }
    if let Some(before) = &before {
        tell_open_cases(conn, &order, before, now)?;
    }
    crate::money_sqlite::sync_payments(conn, &order, now)?;
    Ok((order, created))
}

/// Appends what changed in the order's parcels to the timeline of each of its open cases, in
/// the order's transaction.
fn tell_open_cases(conn: &Connection, order: &Order, before: &Order, now: OffsetDateTime) -> Result<(), StorageError> {
    let changes = order.shipment_changes(before);
    if changes.is_empty() {
        return Ok(());
    }
    let cases: Vec<String> = conn
        .prepare_cached(
            "SELECT id FROM cases WHERE store_id = ?1 AND order_id = ?2 AND status NOT IN ('resolved', 'closed')",
        )?
        .query_map([order.store_id.to_string(), order.id.to_string()], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut insert =
        conn.prepare_cached("INSERT INTO timeline (store_id, case_id, at_us, doc) VALUES (?1, ?2, ?3, ?4)")?;
    for case_id in cases {
        for event in &changes {
            let entry = TimelineEntry { at: now, actor: Actor::System, event: event.clone() };
            insert.execute(params![
                order.store_id.to_string(),
                case_id,
                micros(now),
                serde_json::to_string(&entry)?
            ])?;
        }
    }
    Ok(())
}

type AttachmentRow = (String, String, String, String, i64, i64);

fn attachment_info(
    (id, case_id, filename, content_type, size, at): AttachmentRow,
) -> Result<AttachmentInfo, StorageError> {
    let corrupt = |e: String| StorageError::Corrupt(e);
    Ok(AttachmentInfo {
        id: id.parse().map_err(|e: uuid::Error| corrupt(e.to_string()))?,
        case_id: case_id.parse().map_err(|_| corrupt(format!("attachment {id}: bad case id")))?,
        filename,
        content_type,
        size_bytes: u64::try_from(size).map_err(|e| corrupt(e.to_string()))?,
        created_at: from_micros(at)?,
    })
}

fn insert_message(conn: &Connection, message: &Message) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO messages (id, store_id, case_id, created_at_us, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        message.id.to_string(),
        message.store_id.to_string(),
        message.case_id.to_string(),
        micros(message.created_at),
        serde_json::to_string(message)?
    ])?;
    Ok(())
}

fn append_entries(conn: &Connection, change: CaseChange) -> Result<StoredChange, StorageError> {
    let mut statement = conn
        .prepare_cached("INSERT INTO timeline (store_id, case_id, at_us, doc) VALUES (?1, ?2, ?3, ?4) RETURNING seq")?;
    let mut entries = Vec::with_capacity(change.entries.len());
    for entry in change.entries {
        let seq = statement.query_row(
            params![
                change.case.store_id.to_string(),
                change.case.id.to_string(),
                micros(entry.at),
                serde_json::to_string(&entry)?
            ],
            |row| row.get(0),
        )?;
        entries.push(RecordedEntry { seq, entry });
    }
    Ok(StoredChange { case: change.case, entries })
}

/// Opens a case on the writer's connection: the body of [`Storage::open_case`], shared with
/// the channels' writes.
pub(crate) fn open_case_on(conn: &Connection, new: NewCase, now: OffsetDateTime) -> Result<StoredChange, StorageError> {
    let store_id = new.store_id.to_string();
    if let Some(order_id) = new.order_id {
        conn.prepare_cached("SELECT 1 FROM orders WHERE store_id = ?1 AND id = ?2")?
            .query_row([&store_id, &order_id.to_string()], |_| Ok(()))
            .optional()?
            .ok_or(StorageError::NotFound("order"))?;
    }
    if let Some(customer_id) = new.customer_id {
        conn.prepare_cached("SELECT 1 FROM customers WHERE store_id = ?1 AND id = ?2")?
            .query_row([&store_id, &customer_id.to_string()], |_| Ok(()))
            .optional()?
            .ok_or(StorageError::NotFound("customer"))?;
    }
    let number: i64 = conn
        .prepare_cached(
            "UPDATE stores SET next_case_number = next_case_number + 1 WHERE id = ?1 RETURNING next_case_number - 1",
        )?
        .query_row([&store_id], |row| row.get(0))
        .optional()?
        .ok_or(StorageError::NotFound("store"))?;
    let message = new.first_message.clone();
    let change = Case::open(new, CaseNumber(number.try_into().unwrap_or(0)), now)?;
    let case = &change.case;
    let [status, kind, priority, assignee, doc] = case_columns(case)?;
    conn.prepare_cached(
        "INSERT INTO cases (id, store_id, number, status, kind, priority, assignee, order_id, created_at_us, version, doc, customer_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        case.id.to_string(),
        store_id,
        number,
        status,
        kind,
        priority,
        assignee,
        case.order_id.map(|id| id.to_string()),
        micros(case.created_at),
        i64::try_from(case.version).unwrap_or(i64::MAX),
        doc,
        case.customer_id.map(|id| id.to_string())
    ])?;
    insert_message(conn, &message)?;
    append_entries(conn, change)
}

/// Changes a case on the writer's connection: the body of [`Storage::update_case`], shared
/// with the channels' writes.
pub(crate) fn update_case_on(
    conn: &Connection,
    store_id: StoreId,
    id: CaseId,
    update: CaseUpdateFn,
) -> Result<StoredChange, StorageError> {
    // The writer thread is the only writer, so the case cannot change between this
    // read and the update below.
    let current: Case =
        one_doc(conn, "SELECT doc FROM cases WHERE store_id = ?1 AND id = ?2", [store_id.to_string(), id.to_string()])?
            .ok_or(StorageError::NotFound("case"))?;
    let outcome = update(&current)?;
    let case = &outcome.change.case;
    if case.id != current.id || case.store_id != current.store_id {
        return Err(StorageError::Backend("an update tried to change a case's identity".into()));
    }
    write_case(conn, &current, case)?;
    if let Some(message) = &outcome.message {
        insert_message(conn, message)?;
    }
    append_entries(conn, outcome.change)
}

fn case_columns(case: &Case) -> Result<[Value; 5], StorageError> {
    Ok([
        Value::Text(column_text(&case.status)?),
        Value::Text(column_text(&case.kind)?),
        Value::Text(column_text(&case.priority)?),
        case.assignee.as_ref().map_or(Value::Null, |a| Value::Text(a.agent_id.to_string())),
        Value::Text(serde_json::to_string(case)?),
    ])
}

fn write_case(conn: &Connection, current: &Case, case: &Case) -> Result<(), StorageError> {
    let (store_id, id) = (current.store_id, current.id);
    let [status, kind, priority, assignee, doc] = case_columns(case)?;
    let changed = conn
        .prepare_cached(
            "UPDATE cases SET status = ?1, kind = ?2, priority = ?3, assignee = ?4, doc = ?5, version = ?6
             WHERE store_id = ?7 AND id = ?8 AND version = ?9",
        )?
        .execute(params![
            status,
            kind,
            priority,
            assignee,
            doc,
            i64::try_from(case.version).unwrap_or(i64::MAX),
            store_id.to_string(),
            id.to_string(),
            i64::try_from(current.version).unwrap_or(i64::MAX)
        ])?;
    if changed != 1 {
        return Err(Conflict::ChangedMeanwhile("case").into());
    }
    Ok(())
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn create_store(&self, store: &Store) -> Result<(), StorageError> {
        let store = store.clone();
        self.write(move |conn| {
            let taken = conn
                .prepare_cached("SELECT 1 FROM stores WHERE slug = ?1")?
                .query_row([store.slug.as_str()], |_| Ok(()))
                .optional()?;
            if taken.is_some() {
                return Err(Conflict::SlugTaken(store.slug.to_string()).into());
            }
            conn.prepare_cached("INSERT INTO stores (id, slug, created_at_us, doc) VALUES (?1, ?2, ?3, ?4)")?.execute(
                params![
                    store.id.to_string(),
                    store.slug.as_str(),
                    micros(store.created_at),
                    serde_json::to_string(&store)?
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn store(&self, id: StoreId) -> Result<Store, StorageError> {
        self.read(move |conn| one_doc(conn, "SELECT doc FROM stores WHERE id = ?1", [id.to_string()]))
            .await?
            .ok_or(StorageError::NotFound("store"))
    }

    async fn store_by_slug(&self, slug: &StoreSlug) -> Result<Store, StorageError> {
        let slug = slug.as_str().to_owned();
        self.read(move |conn| one_doc(conn, "SELECT doc FROM stores WHERE slug = ?1", [slug]))
            .await?
            .ok_or(StorageError::NotFound("store"))
    }

    async fn stores(&self) -> Result<Vec<Store>, StorageError> {
        self.read(|conn| all_docs(conn, "SELECT doc FROM stores ORDER BY created_at_us, id", [])).await
    }

    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StorageError> {
        let key = key.clone();
        self.write(move |conn| {
            store_exists(conn, key.store_id)?;
            conn.prepare_cached(
                "INSERT INTO api_keys (id, store_id, label, secret_hash, created_at_us, agent_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                key.id.to_string(),
                key.store_id.to_string(),
                key.label,
                key.secret_hash,
                micros(key.created_at),
                key.agent_id.map(|id| id.to_string())
            ])?;
            Ok(())
        })
        .await
    }

    async fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<ApiKeyRecord>, StorageError> {
        let hash = secret_hash.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT id, store_id, label, secret_hash, created_at_us, agent_id FROM api_keys WHERE secret_hash = ?1",
            )?
            .query_row([hash], columns::<ApiKeyRow>)
            .optional()?
            .map(api_key_record)
            .transpose()
        })
        .await
    }

    async fn api_keys(&self, store_id: StoreId) -> Result<Vec<ApiKeyRecord>, StorageError> {
        self.read(move |conn| {
            conn.prepare_cached(
                "SELECT id, store_id, label, secret_hash, created_at_us, agent_id FROM api_keys WHERE store_id = ?1
                 ORDER BY created_at_us, id",
            )?
            .query_map([store_id.to_string()], columns::<ApiKeyRow>)?
            .map(|row| api_key_record(row?))
            .collect()
        })
        .await
    }

    async fn revoke_api_key(&self, store_id: StoreId, id: ApiKeyId) -> Result<ApiKeyRecord, StorageError> {
        self.write(move |conn| {
            let key = conn
                .prepare_cached(
                    "SELECT id, store_id, label, secret_hash, created_at_us, agent_id FROM api_keys
                     WHERE store_id = ?1 AND id = ?2",
                )?
                .query_row([store_id.to_string(), id.to_string()], columns::<ApiKeyRow>)
                .optional()?
                .map(api_key_record)
                .transpose()?
                .ok_or(StorageError::NotFound("API key"))?;
            conn.prepare_cached("DELETE FROM api_keys WHERE store_id = ?1 AND id = ?2")?
                .execute([store_id.to_string(), id.to_string()])?;
            Ok(key)
        })
        .await
    }

    async fn upsert_order(
        &self,
        customer: &Customer,
        order: &Order,
        now: OffsetDateTime,
    ) -> Result<(Order, bool), StorageError> {
        let (customer, order) = (customer.clone(), order.clone());
        self.write(move |conn| upsert_order_in(conn, customer, order, now)).await
    }

    async fn order(&self, store_id: StoreId, id: OrderId) -> Result<Order, StorageError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM orders WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StorageError::NotFound("order"))
    }

    async fn order_by_number(&self, store_id: StoreId, number: &str) -> Result<Option<Order>, StorageError> {
        let number = number.to_owned();
        self.read(move |conn| {
            one_doc(conn, "SELECT doc FROM orders WHERE store_id = ?1 AND number = ?2", [store_id.to_string(), number])
        })
        .await
    }

    async fn orders_of_customer(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<Order>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM orders WHERE store_id = ?1 AND customer_id = ?2 ORDER BY placed_at_us DESC, id DESC",
                [store_id.to_string(), customer_id.to_string()],
            )
        })
        .await
    }

    async fn customer(&self, store_id: StoreId, id: CustomerId) -> Result<Customer, StorageError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM customers WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StorageError::NotFound("customer"))
    }

    async fn customer_by_email(
        &self,
        store_id: StoreId,
        email: &EmailAddress,
    ) -> Result<Option<Customer>, StorageError> {
        let email = email.as_str().to_owned();
        self.read(move |conn| {
            one_doc(conn, "SELECT doc FROM customers WHERE store_id = ?1 AND email = ?2", [store_id.to_string(), email])
        })
        .await
    }

    async fn open_case(&self, new: NewCase, now: OffsetDateTime) -> Result<StoredChange, StorageError> {
        self.write(move |conn| open_case_on(conn, new, now)).await
    }

    async fn case(&self, store_id: StoreId, id: CaseId) -> Result<Case, StorageError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM cases WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StorageError::NotFound("case"))
    }

    async fn cases(
        &self,
        store_id: StoreId,
        filter: &CaseFilter,
        after: Option<CaseCursor>,
        limit: u32,
    ) -> Result<CasePage, StorageError> {
        let mut sql = String::from("SELECT doc, created_at_us, id FROM cases WHERE store_id = ?");
        let mut values = vec![Value::Text(store_id.to_string())];
        if !filter.statuses.is_empty() {
            sql.push_str(" AND status IN (");
            for (i, status) in filter.statuses.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ", ?" });
                values.push(Value::Text(column_text(status)?));
            }
            sql.push(')');
        }
        if let Some(kind) = filter.kind {
            sql.push_str(" AND kind = ?");
            values.push(Value::Text(column_text(&kind)?));
        }
        if let Some(priority) = filter.priority {
            sql.push_str(" AND priority = ?");
            values.push(Value::Text(column_text(&priority)?));
        }
        if let Some(assignee) = &filter.assignee {
            sql.push_str(" AND assignee = ?");
            values.push(Value::Text(assignee.to_string()));
        }
        if let Some(order_id) = filter.order_id {
            sql.push_str(" AND order_id = ?");
            values.push(Value::Text(order_id.to_string()));
        }
        if let Some(cursor) = after {
            sql.push_str(" AND (created_at_us < ? OR (created_at_us = ? AND id < ?))");
            values.extend([
                Value::Integer(cursor.created_at_us),
                Value::Integer(cursor.created_at_us),
                Value::Text(cursor.id.to_string()),
            ]);
        }
        sql.push_str(" ORDER BY created_at_us DESC, id DESC LIMIT ?");
        values.push(Value::Integer(i64::from(limit) + 1));
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(&sql)?;
            let rows = statement
                .query_map(params_from_iter(values), |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let rows = rows
                .into_iter()
                .map(|(text, created_at_us, id)| {
                    let id = id.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))?;
                    Ok((doc::<Case>(&text)?, CaseCursor { created_at_us, id }))
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok(CasePage::from_rows(rows, limit))
        })
        .await
    }

    async fn orders(
        &self,
        store_id: StoreId,
        filter: &OrderFilter,
        after: Option<OrderCursor>,
        limit: u32,
    ) -> Result<OrderPage, StorageError> {
        let mut sql = String::from("SELECT doc, placed_at_us, id FROM orders WHERE store_id = ?");
        let mut values = vec![Value::Text(store_id.to_string())];
        if let Some(number) = &filter.number {
            sql.push_str(" AND number = ?");
            values.push(Value::Text(number.clone()));
        }
        if let Some(customer_id) = filter.customer_id {
            sql.push_str(" AND customer_id = ?");
            values.push(Value::Text(customer_id.to_string()));
        }
        if !filter.stages.is_empty() {
            sql.push_str(" AND stage IN (");
            for (i, stage) in filter.stages.iter().enumerate() {
                sql.push_str(if i == 0 { "?" } else { ", ?" });
                values.push(Value::Text(stage.as_str().to_owned()));
            }
            sql.push(')');
        }
        if let Some(status) = filter.shipment_status {
            sql.push_str(" AND shipment_statuses LIKE ?");
            values.push(Value::Text(format!("%,{},%", status.as_str())));
        }
        if let Some(from) = filter.placed_from {
            sql.push_str(" AND placed_at_us >= ?");
            values.push(Value::Integer(micros(from)));
        }
        if let Some(before) = filter.placed_before {
            sql.push_str(" AND placed_at_us < ?");
            values.push(Value::Integer(micros(before)));
        }
        if let Some(cursor) = after {
            sql.push_str(" AND (placed_at_us < ? OR (placed_at_us = ? AND id < ?))");
            values.extend([
                Value::Integer(cursor.placed_at_us),
                Value::Integer(cursor.placed_at_us),
                Value::Text(cursor.id.to_string()),
            ]);
        }
        sql.push_str(" ORDER BY placed_at_us DESC, id DESC LIMIT ?");
        values.push(Value::Integer(i64::from(limit) + 1));
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(&sql)?;
            let rows = statement
                .query_map(params_from_iter(values), |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let rows = rows
                .into_iter()
                .map(|(text, placed_at_us, id)| {
                    let id = id.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))?;
                    Ok((doc::<Order>(&text)?, OrderCursor { placed_at_us, id }))
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok(OrderPage::from_rows(rows, limit))
        })
        .await
    }

    async fn update_case(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
    ) -> Result<StoredChange, StorageError> {
        self.write(move |conn| update_case_on(conn, store_id, id, update)).await
    }

    async fn timeline(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<RecordedEntry>, StorageError> {
        self.read(move |conn| {
            let mut statement =
                conn.prepare_cached("SELECT seq, doc FROM timeline WHERE store_id = ?1 AND case_id = ?2 ORDER BY seq")?;
            let rows = statement
                .query_map([store_id.to_string(), case_id.to_string()], |row| {
                    Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(|(seq, text)| Ok(RecordedEntry { seq, entry: doc(&text)? })).collect()
        })
        .await
    }

    async fn messages(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Message>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM messages WHERE store_id = ?1 AND case_id = ?2 ORDER BY created_at_us, id",
                [store_id.to_string(), case_id.to_string()],
            )
        })
        .await
    }

    async fn classification_feedback(&self, store_id: StoreId) -> Result<Vec<ClassificationFeedback>, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT t.doc, c.doc, (SELECT m.doc FROM messages m WHERE m.store_id = c.store_id AND m.case_id = c.id
                                       ORDER BY m.created_at_us, m.id LIMIT 1)
                 FROM timeline t JOIN cases c ON c.id = t.case_id AND c.store_id = t.store_id
                 WHERE t.store_id = ?1 AND json_extract(t.doc, '$.event.type') = 'classification_corrected'
                 ORDER BY t.seq",
            )?;
            let rows = statement
                .query_map([store_id.to_string()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, Option<String>>(2)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(entry, case, first)| feedback_of(doc(&entry)?, doc(&case)?, first.map(|m| doc(&m)).transpose()?))
                .collect()
        })
        .await
    }

    async fn save_help_article(&self, store_id: StoreId, article: &StoreHelpArticle) -> Result<(), StorageError> {
        let article = article.clone();
        self.write(move |conn| {
            store_exists(conn, store_id)?;
            conn.prepare_cached(
                "INSERT INTO help_articles (store_id, id, language, updated_at_us, doc) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (store_id, id, language) DO UPDATE SET updated_at_us = excluded.updated_at_us, doc = excluded.doc",
            )?
            .execute(params![
                store_id.to_string(),
                article.id,
                article.language,
                micros(article.updated_at),
                serde_json::to_string(&article)?
            ])?;
            Ok(())
        })
        .await
    }

    async fn help_articles(&self, store_id: StoreId) -> Result<Vec<StoreHelpArticle>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM help_articles WHERE store_id = ?1 ORDER BY id, language",
                [store_id.to_string()],
            )
        })
        .await
    }

    async fn help_articles_version(&self, store_id: StoreId) -> Result<(i64, i64), StorageError> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT count(*), coalesce(max(updated_at_us), 0) FROM help_articles WHERE store_id = ?1",
                )?
                .query_row([store_id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))?)
        })
        .await
    }

    async fn delete_help_article(&self, store_id: StoreId, id: &str, language: &str) -> Result<bool, StorageError> {
        let (id, language) = (id.to_owned(), language.to_owned());
        self.write(move |conn| {
            let removed = conn
                .prepare_cached("DELETE FROM help_articles WHERE store_id = ?1 AND id = ?2 AND language = ?3")?
                .execute(params![store_id.to_string(), id, language])?;
            Ok(removed > 0)
        })
        .await
    }

    async fn save_attachment(
        &self,
        store_id: StoreId,
        info: &AttachmentInfo,
        bytes: &[u8],
    ) -> Result<(), StorageError> {
        let (info, bytes) = (info.clone(), bytes.to_vec());
        self.write(move |conn| {
            // Inserted only if the case is the store's: another store's case id stores nothing.
            let size = i64::try_from(info.size_bytes).map_err(|_| StorageError::from(Conflict::Constraint("attachments_size".into())))?;
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO attachments (id, store_id, case_id, filename, content_type, size_bytes, created_at_us, bytes)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM cases WHERE id = ?3 AND store_id = ?2",
                )?
                .execute(params![
                    info.id.to_string(),
                    store_id.to_string(),
                    info.case_id.to_string(),
                    info.filename,
                    info.content_type,
                    size,
                    micros(info.created_at),
                    bytes
                ])?;
            if inserted == 0 {
                return Err(StorageError::NotFound("case"));
            }
            Ok(())
        })
        .await
    }

    async fn attachments_of_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
    ) -> Result<Vec<AttachmentInfo>, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, case_id, filename, content_type, size_bytes, created_at_us FROM attachments
                 WHERE store_id = ?1 AND case_id = ?2 ORDER BY created_at_us, id",
            )?;
            let rows = statement
                .query_map(params![store_id.to_string(), case_id.to_string()], columns::<AttachmentRow>)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(attachment_info).collect()
        })
        .await
    }

    async fn attachment(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        id: uuid::Uuid,
    ) -> Result<(AttachmentInfo, Vec<u8>), StorageError> {
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT id, case_id, filename, content_type, size_bytes, created_at_us, bytes FROM attachments
                     WHERE store_id = ?1 AND case_id = ?2 AND id = ?3",
                )?
                .query_row(params![store_id.to_string(), case_id.to_string(), id.to_string()], |row| {
                    Ok((columns::<AttachmentRow>(row)?, row.get::<_, Vec<u8>>(6)?))
                })
                .optional()?
                .ok_or(StorageError::NotFound("attachment"))?;
            Ok((attachment_info(row.0)?, row.1))
        })
        .await
    }

    async fn ping(&self) -> Result<(), StorageError> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }

    async fn work_queues(&self) -> Result<Vec<crate::QueueCount>, StorageError> {
        self.read(|conn| {
            let mut statement = conn.prepare_cached(crate::work_queues_sql())?;
            let rows = statement.query_map([], |row| {
                Ok(crate::QueueCount {
                    queue: row.get(0)?,
                    status: row.get(1)?,
                    count: row.get(2)?,
                    oldest_created_at_us: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn resolve_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        idempotency: Option<IdempotencyKey>,
        step: ResolutionFn,
    ) -> Result<StoredResolution, StorageError> {
        self.write(move |conn| {
            let (store, id) = (store_id.to_string(), case_id.to_string());
            let case: Case = one_doc(conn, "SELECT doc FROM cases WHERE store_id = ?1 AND id = ?2", [&store, &id])?
                .ok_or(StorageError::NotFound("case"))?;
            if let Some(key) = &idempotency {
                // A key past its lifetime is forgotten: the same key may start a new request.
                conn.prepare_cached("DELETE FROM idempotency_keys WHERE store_id = ?1 AND key = ?2 AND created_at_us < ?3")?
                    .execute(params![store, key.key, micros(key.at - IDEMPOTENCY_KEY_LIFETIME)])?;
                let taken = conn
                    .prepare_cached("SELECT 1 FROM idempotency_keys WHERE store_id = ?1 AND key = ?2")?
                    .query_row([&store, &key.key], |_| Ok(()))
                    .optional()?;
                if taken.is_some() {
                    return Err(Conflict::KeyTaken.into());
                }
                conn.prepare_cached(
                    "INSERT INTO idempotency_keys (store_id, key, request_hash, created_at_us) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![store, key.key, key.request_hash, micros(key.at)])?;
            }
            let order: Option<Order> = match case.order_id {
                Some(order_id) => one_doc(
                    conn,
                    "SELECT doc FROM orders WHERE store_id = ?1 AND id = ?2",
                    [&store, &order_id.to_string()],
                )?,
                None => None,
            };
            let returns: Vec<ReturnAuthorisation> = match &order {
                Some(order) => all_docs(
                    conn,
                    "SELECT doc FROM returns WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at_us, id",
                    [&store, &order.id.to_string()],
                )?,
                None => Vec::new(),
            };
            let (claims, refunds): (Vec<Claim>, Vec<Refund>) = match &order {
                Some(order) => (
                    all_docs(
                        conn,
                        "SELECT doc FROM claims WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at_us, id",
                        [&store, &order.id.to_string()],
                    )?,
                    all_docs(
                        conn,
                        "SELECT doc FROM refunds WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at_us, id",
                        [&store, &order.id.to_string()],
                    )?,
                ),
                None => (Vec::new(), Vec::new()),
            };
            let context = ResolutionContext { case, order, returns, claims, refunds };
            let resolution = step(&context)?;
            check_resolution(&context, &resolution)?;
            write_case(conn, &context.case, &resolution.change.case)?;
            if let Some(order) = &resolution.order {
                let (stage, statuses) = listing_columns(order);
                conn.prepare_cached(
                    "UPDATE orders SET doc = ?1, stage = ?2, shipment_statuses = ?3 WHERE store_id = ?4 AND id = ?5",
                )?
                .execute(params![serde_json::to_string(order)?, stage, statuses, store, order.id.to_string()])?;
            }
            let customer = context.order.as_ref().map(|o| o.customer_id.to_string());
            for rma in &resolution.returns {
                let doc = serde_json::to_string(rma)?;
                let status = column_text(&rma.status)?;
                let version = i64::try_from(rma.version).unwrap_or(i64::MAX);
                if context.returns.iter().any(|r| r.id == rma.id) {
                    let changed = conn
                        .prepare_cached(
                            "UPDATE returns SET status = ?1, version = ?2, doc = ?3
                             WHERE store_id = ?4 AND id = ?5 AND version = ?6",
                        )?
                        .execute(params![status, version, doc, store, rma.id.to_string(), version - 1])?;
                    if changed != 1 {
                        return Err(Conflict::ChangedMeanwhile("return").into());
                    }
                } else {
                    conn.prepare_cached(
                        "INSERT INTO returns (id, store_id, case_id, order_id, customer_id, status, created_at_us, version, doc)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        rma.id.to_string(),
                        store,
                        id,
                        rma.order_id.to_string(),
                        customer,
                        status,
                        micros(rma.created_at),
                        version,
                        doc
                    ])?;
                }
            }
            for claim in &resolution.claims {
                conn.prepare_cached(
                    "INSERT INTO claims (id, store_id, case_id, order_id, customer_id, resolution, created_at_us, doc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    claim.id.to_string(),
                    store,
                    id,
                    claim.order_id.to_string(),
                    customer,
                    column_text(&claim.resolution)?,
                    micros(claim.created_at),
                    serde_json::to_string(claim)?
                ])?;
            }
            let Resolution { change, order, returns, claims, refunds: asks } = resolution;
            let stored = append_entries(conn, change)?;
            // Refunds the step asks for are written after the case change, as on their own.
            let mut refunds = Vec::with_capacity(asks.len());
            for ask in asks {
                refunds.push(crate::money_sqlite::write_refund(conn, ask.request, &ask.policy, stored.case.updated_at)?.refund);
            }
            Ok(StoredResolution { case: stored.case, entries: stored.entries, order, returns, claims, refunds })
        })
        .await
    }

    async fn returns_of_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
    ) -> Result<Vec<ReturnAuthorisation>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM returns WHERE store_id = ?1 AND case_id = ?2 ORDER BY created_at_us, id",
                [store_id.to_string(), case_id.to_string()],
            )
        })
        .await
    }

    async fn return_authorisation(&self, store_id: StoreId, id: ReturnId) -> Result<ReturnAuthorisation, StorageError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM returns WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StorageError::NotFound("return"))
    }

    async fn returns_of_order(
        &self,
        store_id: StoreId,
        order_id: OrderId,
    ) -> Result<Vec<ReturnAuthorisation>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM returns WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at_us, id",
                [store_id.to_string(), order_id.to_string()],
            )
        })
        .await
    }

    async fn claims_of_order(&self, store_id: StoreId, order_id: OrderId) -> Result<Vec<Claim>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM claims WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at_us, id",
                [store_id.to_string(), order_id.to_string()],
            )
        })
        .await
    }

    async fn claims_of_case(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Claim>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM claims WHERE store_id = ?1 AND case_id = ?2 ORDER BY created_at_us, id",
                [store_id.to_string(), case_id.to_string()],
            )
        })
        .await
    }

    async fn customer_history(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
        now: OffsetDateTime,
    ) -> Result<CustomerHistory, StorageError> {
        let recent = micros(now - time::Duration::days(HISTORY_RECENT_DAYS));
        let year = micros(now - time::Duration::days(HISTORY_YEAR_DAYS));
        let keep = column_text(&ClaimResolution::RefundWithoutReturn)?;
        self.read(move |conn| {
            let (store, customer) = (store_id.to_string(), customer_id.to_string());
            let count = |sql: &str, since: i64, extra: Option<&str>| -> Result<u32, StorageError> {
                let mut values = vec![Value::Text(store.clone()), Value::Text(customer.clone()), Value::Integer(since)];
                if let Some(extra) = extra {
                    values.push(Value::Text(extra.to_owned()));
                }
                let n: i64 = conn.prepare_cached(sql)?.query_row(params_from_iter(values), |row| row.get(0))?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            };
            Ok(CustomerHistory {
                cases_last_90_days: count(
                    "SELECT count(*) FROM cases WHERE store_id = ?1 AND customer_id = ?2 AND created_at_us >= ?3",
                    recent,
                    None,
                )?,
                returns_last_90_days: count(
                    "SELECT count(*) FROM returns WHERE store_id = ?1 AND customer_id = ?2 AND created_at_us >= ?3
                     AND status NOT IN ('rejected', 'cancelled')",
                    recent,
                    None,
                )?,
                refunds_without_return_last_365_days: count(
                    "SELECT count(*) FROM claims WHERE store_id = ?1 AND customer_id = ?2 AND created_at_us >= ?3
                     AND resolution = ?4",
                    year,
                    Some(&keep),
                )?,
            })
        })
        .await
    }

    async fn save_policy(&self, store_id: StoreId, policy: &StoredPolicy) -> Result<(), StorageError> {
        let policy = policy.clone();
        self.write(move |conn| {
            store_exists(conn, store_id)?;
            let current: Option<i64> = conn
                .prepare_cached("SELECT max(version) FROM policies WHERE store_id = ?1")?
                .query_row([store_id.to_string()], |row| row.get(0))?;
            let version = i64::from(policy.policy.version);
            if let Some(current) = current
                && version <= current
            {
                return Err(Conflict::PolicyVersion { given: version, in_force: current }.into());
            }
            conn.prepare_cached(
                "INSERT INTO policies (store_id, version, policy_id, source, created_at_us) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![store_id.to_string(), version, policy.policy.id, policy.source, micros(policy.saved_at)])?;
            Ok(())
        })
        .await
    }

    async fn policy(&self, store_id: StoreId) -> Result<Option<StoredPolicy>, StorageError> {
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT source, created_at_us FROM policies WHERE store_id = ?1 ORDER BY version DESC LIMIT 1",
                )?
                .query_row([store_id.to_string()], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))
                .optional()?;
            row.map(|(source, at)| stored_policy(source, at)).transpose()
        })
        .await
    }

    async fn count_attempt(&self, key: &str, now: OffsetDateTime, window: time::Duration) -> Result<u32, StorageError> {
        let key = key.to_owned();
        self.write(move |conn| {
            let (now, start) = (micros(now), micros(now - window));
            // Old windows go a few at a time, so the table stays as small as the attacks are.
            conn.prepare_cached(
                "DELETE FROM attempts WHERE key IN (SELECT key FROM attempts WHERE window_start_us < ?1 LIMIT 64)",
            )?
            .execute([start])?;
            let count: i64 = conn
                .prepare_cached(
                    "INSERT INTO attempts (key, window_start_us, count) VALUES (?1, ?2, 1)
                     ON CONFLICT (key) DO UPDATE SET
                         count = CASE WHEN attempts.window_start_us < ?3 THEN 1 ELSE attempts.count + 1 END,
                         window_start_us = CASE WHEN attempts.window_start_us < ?3 THEN ?2 ELSE attempts.window_start_us END
                     RETURNING count",
                )?
                .query_row(params![key, now, start], |row| row.get(0))?;
            Ok(u32::try_from(count).unwrap_or(u32::MAX))
        })
        .await
    }

    async fn clear_attempts(&self, key: &str) -> Result<(), StorageError> {
        let key = key.to_owned();
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM attempts WHERE key = ?1")?.execute([key])?;
            Ok(())
        })
        .await
    }

    async fn idempotent_answer(
        &self,
        store_id: StoreId,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<StoredAnswer>, StorageError> {
        let key = key.to_owned();
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT request_hash, status, body FROM idempotency_keys
                     WHERE store_id = ?1 AND key = ?2 AND created_at_us >= ?3",
                )?
                .query_row(params![store_id.to_string(), key, micros(now - IDEMPOTENCY_KEY_LIFETIME)], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, Option<i64>>(1)?, row.get::<_, Option<String>>(2)?))
                })
                .optional()?;
            Ok(row.map(|(request_hash, status, body)| StoredAnswer {
                request_hash,
                answer: status.zip(body).map(|(s, b)| (u16::try_from(s).unwrap_or(500), b)),
            }))
        })
        .await
    }

    async fn save_idempotent_answer(
        &self,
        store_id: StoreId,
        key: &IdempotencyKey,
        status: u16,
        body: &str,
    ) -> Result<(), StorageError> {
        let (key, body) = (key.clone(), body.to_owned());
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO idempotency_keys (store_id, key, request_hash, created_at_us, status, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (store_id, key) DO UPDATE SET status = excluded.status, body = excluded.body
                 WHERE idempotency_keys.status IS NULL",
            )?
            .execute(params![
                store_id.to_string(),
                key.key,
                key.request_hash,
                micros(key.at),
                i64::from(status),
                body
            ])?;
            Ok(())
        })
        .await
    }

    fn money(&self) -> &dyn crate::MoneyStorage {
        self
    }

    fn team(&self) -> &dyn crate::TeamStorage {
        self
    }

    fn channels(&self) -> &dyn crate::ChannelStorage {
        self
    }

    fn platforms(&self) -> &dyn crate::PlatformStorage {
        self
    }

    fn assistant(&self) -> &dyn crate::AssistantStorage {
        self
    }

    fn follow_through(&self) -> &dyn crate::follow_through::FollowThroughStorage {
        self
    }

    fn search(&self) -> &dyn crate::SearchStorage {
        self
    }

    fn analytics(&self) -> &dyn crate::analytics::AnalyticsStorage {
        self
    }

    fn incidents(&self) -> &dyn crate::incidents::IncidentStorage {
        self
    }

    fn desk(&self) -> &dyn crate::desk::DeskStorage {
        self
    }

    fn privacy(&self) -> &dyn crate::privacy::PrivacyStorage {
        self
    }

    fn connections(&self) -> crate::PoolUse {
        let max = u32::try_from(READERS).unwrap_or(u32::MAX);
        let busy = max.saturating_sub(u32::try_from(self.readers.permits.available_permits()).unwrap_or(0));
        let idle = self.readers.idle.lock().map_or(0, |idle| u32::try_from(idle.len()).unwrap_or(u32::MAX));
        crate::PoolUse { pool: "sqlite_readers", max, open: busy + idle, idle }
    }
}
