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
    Case, CaseChange, CaseId, CaseNumber, Customer, CustomerId, EmailAddress, Message, NewCase, Order, OrderId, Store,
    StoreId, StoreSlug,
};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use time::OffsetDateTime;
use tokio::sync::oneshot;

use crate::{
    ApiKeyRecord, CaseCursor, CaseFilter, CasePage, CaseUpdateFn, ClassificationFeedback, RecordedEntry, Storage,
    StoreError, StoredChange, column_text, feedback_of, micros,
};

/// The schema, one script per version; `PRAGMA user_version` records how many have run. A
/// migration crate would add a dependency for what these few lines do.
const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_init.sql")];

/// Most writes committed together; bounds the time the first write of a batch waits.
const MAX_BATCH: usize = 512;

/// Reads running at once. More threads than this only queue on two cores; fewer would leave
/// reads waiting behind a slow one. Every reader connection is kept open between reads.
const READERS: usize = 8;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(code, message) = &e
            && code.code == rusqlite::ErrorCode::ConstraintViolation
        {
            return StoreError::Conflict(message.clone().unwrap_or_else(|| "constraint violated".into()));
        }
        StoreError::Backend(e.to_string())
    }
}

/// A write waiting for the writer thread.
trait WriteJob: Send {
    /// Runs the statements; returns whether they succeeded and how to tell the caller once the
    /// batch's commit is known.
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Completion);
    /// Tells the caller the batch could not even start.
    fn fail(self: Box<Self>, error: StoreError);
}

type Completion = Box<dyn FnOnce(Result<(), StoreError>) + Send>;

struct Job<F, T> {
    work: F,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T> WriteJob for Job<F, T>
where
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send,
    T: Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Completion) {
        let result = (self.work)(conn);
        let reply = self.reply;
        let succeeded = result.is_ok();
        (
            succeeded,
            Box::new(move |commit: Result<(), StoreError>| {
                // The caller may have gone away (request cancelled); the write stands anyway.
                let _ = reply.send(commit.and(result));
            }),
        )
    }

    fn fail(self: Box<Self>, error: StoreError) {
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
    fn take(&self) -> Result<Connection, StoreError> {
        let idle = self.idle.lock().map_err(|_| StoreError::Backend("reader pool poisoned".into()))?.pop();
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

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

fn apply_migrations(conn: &mut Connection) -> Result<usize, StoreError> {
    let applied: usize =
        conn.pragma_query_value(None, "user_version", |row| row.get::<_, i64>(0))?.try_into().unwrap_or(0);
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Backend(format!(
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
                job.fail(StoreError::Backend(message.clone()));
            }
            continue;
        }
        let mut completions = Vec::with_capacity(batch.len());
        let mut broken: Option<String> = None;
        for job in batch {
            if let Some(message) = &broken {
                job.fail(StoreError::Backend(message.clone()));
                continue;
            }
            if let Err(e) = conn.execute_batch("SAVEPOINT job") {
                broken = Some(e.to_string());
                job.fail(StoreError::Backend(e.to_string()));
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
            completion(outcome.clone().map_err(StoreError::Backend));
        }
    }
}

impl SqliteStorage {
    /// Opens (creating if needed) the database file at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_blocking(&path))
            .await
            .map_err(|e| StoreError::Backend(e.to_string()))?
    }

    fn open_blocking(path: &Path) -> Result<Self, StoreError> {
        let mut conn = open_connection(path)?;
        let applied = apply_migrations(&mut conn)?;
        if applied > 0 {
            tracing::info!(applied, path = %path.display(), "applied SQLite migrations");
        }
        let (writer, jobs) = mpsc::channel::<Box<dyn WriteJob>>();
        std::thread::Builder::new()
            .name("redress-sqlite-writer".into())
            .spawn(move || writer_loop(conn, jobs))
            .map_err(|e| StoreError::Backend(format!("cannot start the writer thread: {e}")))?;
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
    pub fn migrate_path(path: &Path) -> Result<usize, StoreError> {
        apply_migrations(&mut open_connection(path)?)
    }

    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.writer
            .send(Box::new(Job { work, reply }))
            .map_err(|_| StoreError::Backend("the writer thread has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Backend("the writer thread dropped a write".into()))?
    }

    async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let readers = self.readers.clone();
        let permit = readers
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Backend("the reader pool is closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = readers.take()?;
            let result = work(&conn);
            readers.give_back(conn);
            result
        })
        .await
        .map_err(|e| StoreError::Backend(e.to_string()))?
    }
}

fn doc<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    Ok(serde_json::from_str(text)?)
}

fn one_doc<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Option<T>, StoreError> {
    let text: Option<String> = conn.prepare_cached(sql)?.query_row(params, |row| row.get(0)).optional()?;
    text.map(|t| doc(&t)).transpose()
}

fn all_docs<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    let texts = statement.query_map(params, |row| row.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    texts.iter().map(|t| doc(t)).collect()
}

fn store_exists(conn: &Connection, store_id: StoreId) -> Result<(), StoreError> {
    conn.prepare_cached("SELECT 1 FROM stores WHERE id = ?1")?
        .query_row([store_id.to_string()], |_| Ok(()))
        .optional()?
        .ok_or(StoreError::NotFound("store"))
}

fn insert_message(conn: &Connection, message: &Message) -> Result<(), StoreError> {
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

fn append_entries(conn: &Connection, change: CaseChange) -> Result<StoredChange, StoreError> {
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

fn case_columns(case: &Case) -> Result<[Value; 5], StoreError> {
    Ok([
        Value::Text(column_text(&case.status)?),
        Value::Text(column_text(&case.kind)?),
        Value::Text(column_text(&case.priority)?),
        case.assignee.clone().map_or(Value::Null, Value::Text),
        Value::Text(serde_json::to_string(case)?),
    ])
}

#[async_trait]
impl Storage for SqliteStorage {
    async fn create_store(&self, store: &Store) -> Result<(), StoreError> {
        let store = store.clone();
        self.write(move |conn| {
            let taken = conn
                .prepare_cached("SELECT 1 FROM stores WHERE slug = ?1")?
                .query_row([store.slug.as_str()], |_| Ok(()))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!("the slug `{}` is taken", store.slug)));
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

    async fn store(&self, id: StoreId) -> Result<Store, StoreError> {
        self.read(move |conn| one_doc(conn, "SELECT doc FROM stores WHERE id = ?1", [id.to_string()]))
            .await?
            .ok_or(StoreError::NotFound("store"))
    }

    async fn store_by_slug(&self, slug: &StoreSlug) -> Result<Store, StoreError> {
        let slug = slug.as_str().to_owned();
        self.read(move |conn| one_doc(conn, "SELECT doc FROM stores WHERE slug = ?1", [slug]))
            .await?
            .ok_or(StoreError::NotFound("store"))
    }

    async fn stores(&self) -> Result<Vec<Store>, StoreError> {
        self.read(|conn| all_docs(conn, "SELECT doc FROM stores ORDER BY created_at_us, id", [])).await
    }

    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StoreError> {
        let key = key.clone();
        self.write(move |conn| {
            store_exists(conn, key.store_id)?;
            conn.prepare_cached(
                "INSERT INTO api_keys (id, store_id, label, secret_hash, created_at_us) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                key.id.to_string(),
                key.store_id.to_string(),
                key.label,
                key.secret_hash,
                micros(key.created_at)
            ])?;
            Ok(())
        })
        .await
    }

    async fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let hash = secret_hash.to_owned();
        self.read(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT id, store_id, label, secret_hash, created_at_us FROM api_keys WHERE secret_hash = ?1",
                )?
                .query_row([hash], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get::<_, i64>(4)?,
                    ))
                })
                .optional()?;
            row.map(|(id, store_id, label, secret_hash, created_at_us)| {
                Ok(ApiKeyRecord {
                    id: id.parse().map_err(|e: uuid::Error| StoreError::Corrupt(e.to_string()))?,
                    store_id: store_id.parse().map_err(|e: uuid::Error| StoreError::Corrupt(e.to_string()))?,
                    label,
                    secret_hash,
                    created_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(created_at_us) * 1000)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .transpose()
        })
        .await
    }

    async fn upsert_order(&self, customer: &Customer, order: &Order) -> Result<(Order, bool), StoreError> {
        let (mut customer, mut order) = (customer.clone(), order.clone());
        self.write(move |conn| {
            store_exists(conn, order.store_id)?;
            let existing: Option<String> = conn
                .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 AND email = ?2")?
                .query_row([customer.store_id.to_string(), customer.email.to_string()], |row| row.get(0))
                .optional()?;
            match existing {
                Some(id) => {
                    customer.id = id.parse().map_err(|e: uuid::Error| StoreError::Corrupt(e.to_string()))?;
                    conn.prepare_cached("UPDATE customers SET doc = ?1 WHERE id = ?2 AND store_id = ?3")?.execute(
                        params![serde_json::to_string(&customer)?, id, customer.store_id.to_string()],
                    )?;
                }
                None => {
                    conn.prepare_cached("INSERT INTO customers (id, store_id, email, doc) VALUES (?1, ?2, ?3, ?4)")?
                        .execute(params![
                            customer.id.to_string(),
                            customer.store_id.to_string(),
                            customer.email.as_str(),
                            serde_json::to_string(&customer)?
                        ])?;
                }
            }
            order.customer_id = customer.id;
            let stored: Option<Order> = one_doc(
                conn,
                "SELECT doc FROM orders WHERE store_id = ?1 AND number = ?2",
                [order.store_id.to_string(), order.number.clone()],
            )?;
            let created = stored.is_none();
            if let Some(stored) = stored {
                order.keep_ids_of(&stored);
                conn.prepare_cached(
                    "UPDATE orders SET customer_id = ?1, placed_at_us = ?2, doc = ?3 WHERE id = ?4 AND store_id = ?5",
                )?
                .execute(params![
                    order.customer_id.to_string(),
                    micros(order.placed_at),
                    serde_json::to_string(&order)?,
                    order.id.to_string(),
                    order.store_id.to_string()
                ])?;
            } else {
                conn.prepare_cached(
                    "INSERT INTO orders (id, store_id, number, customer_id, placed_at_us, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    order.id.to_string(),
                    order.store_id.to_string(),
                    order.number,
                    order.customer_id.to_string(),
                    micros(order.placed_at),
                    serde_json::to_string(&order)?
                ])?;
            }
            Ok((order, created))
        })
        .await
    }

    async fn order(&self, store_id: StoreId, id: OrderId) -> Result<Order, StoreError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM orders WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StoreError::NotFound("order"))
    }

    async fn order_by_number(&self, store_id: StoreId, number: &str) -> Result<Option<Order>, StoreError> {
        let number = number.to_owned();
        self.read(move |conn| {
            one_doc(conn, "SELECT doc FROM orders WHERE store_id = ?1 AND number = ?2", [store_id.to_string(), number])
        })
        .await
    }

    async fn orders_of_customer(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<Order>, StoreError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM orders WHERE store_id = ?1 AND customer_id = ?2 ORDER BY placed_at_us DESC, id DESC",
                [store_id.to_string(), customer_id.to_string()],
            )
        })
        .await
    }

    async fn customer(&self, store_id: StoreId, id: CustomerId) -> Result<Customer, StoreError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM customers WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StoreError::NotFound("customer"))
    }

    async fn customer_by_email(&self, store_id: StoreId, email: &EmailAddress) -> Result<Option<Customer>, StoreError> {
        let email = email.as_str().to_owned();
        self.read(move |conn| {
            one_doc(conn, "SELECT doc FROM customers WHERE store_id = ?1 AND email = ?2", [store_id.to_string(), email])
        })
        .await
    }

    async fn open_case(&self, new: NewCase, now: OffsetDateTime) -> Result<StoredChange, StoreError> {
        self.write(move |conn| {
            let store_id = new.store_id.to_string();
            if let Some(order_id) = new.order_id {
                conn.prepare_cached("SELECT 1 FROM orders WHERE store_id = ?1 AND id = ?2")?
                    .query_row([&store_id, &order_id.to_string()], |_| Ok(()))
                    .optional()?
                    .ok_or(StoreError::NotFound("order"))?;
            }
            if let Some(customer_id) = new.customer_id {
                conn.prepare_cached("SELECT 1 FROM customers WHERE store_id = ?1 AND id = ?2")?
                    .query_row([&store_id, &customer_id.to_string()], |_| Ok(()))
                    .optional()?
                    .ok_or(StoreError::NotFound("customer"))?;
            }
            let number: i64 = conn
                .prepare_cached(
                    "UPDATE stores SET next_case_number = next_case_number + 1 WHERE id = ?1 RETURNING next_case_number - 1",
                )?
                .query_row([&store_id], |row| row.get(0))
                .optional()?
                .ok_or(StoreError::NotFound("store"))?;
            let message = new.first_message.clone();
            let change = Case::open(new, CaseNumber(number.try_into().unwrap_or(0)), now)?;
            let case = &change.case;
            let [status, kind, priority, assignee, doc] = case_columns(case)?;
            conn.prepare_cached(
                "INSERT INTO cases (id, store_id, number, status, kind, priority, assignee, order_id, created_at_us, version, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
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
                doc
            ])?;
            insert_message(conn, &message)?;
            append_entries(conn, change)
        })
        .await
    }

    async fn case(&self, store_id: StoreId, id: CaseId) -> Result<Case, StoreError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM cases WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StoreError::NotFound("case"))
    }

    async fn cases(
        &self,
        store_id: StoreId,
        filter: &CaseFilter,
        after: Option<CaseCursor>,
        limit: u32,
    ) -> Result<CasePage, StoreError> {
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
            values.push(Value::Text(assignee.clone()));
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
                    let id = id.parse().map_err(|e: uuid::Error| StoreError::Corrupt(e.to_string()))?;
                    Ok((doc::<Case>(&text)?, CaseCursor { created_at_us, id }))
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            Ok(CasePage::from_rows(rows, limit))
        })
        .await
    }

    async fn update_case(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
    ) -> Result<StoredChange, StoreError> {
        self.write(move |conn| {
            // The writer thread is the only writer, so the case cannot change between this
            // read and the update below.
            let current: Case = one_doc(
                conn,
                "SELECT doc FROM cases WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )?
            .ok_or(StoreError::NotFound("case"))?;
            let outcome = update(&current)?;
            let case = &outcome.change.case;
            if case.id != current.id || case.store_id != current.store_id {
                return Err(StoreError::Backend("an update tried to change a case's identity".into()));
            }
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
                return Err(StoreError::Conflict("the case changed meanwhile; try again".into()));
            }
            if let Some(message) = &outcome.message {
                insert_message(conn, message)?;
            }
            append_entries(conn, outcome.change)
        })
        .await
    }

    async fn timeline(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<RecordedEntry>, StoreError> {
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

    async fn messages(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Message>, StoreError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM messages WHERE store_id = ?1 AND case_id = ?2 ORDER BY created_at_us, id",
                [store_id.to_string(), case_id.to_string()],
            )
        })
        .await
    }

    async fn classification_feedback(&self, store_id: StoreId) -> Result<Vec<ClassificationFeedback>, StoreError> {
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

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |_| Ok(()))?)).await
    }
}
