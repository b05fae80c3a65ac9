//! The PostgreSQL backend, for deployments that run several `redress serve` processes
//! against one database.
//!
//! Every case change runs in one transaction that first locks the case row
//! (`SELECT … FOR UPDATE`), so two processes changing the same case queue up instead of
//! overwriting each other. Case numbers come from the store row, locked by the same
//! transaction that inserts the case. PostgreSQL commits durably by default and groups
//! concurrent commits' WAL flushes itself.

use async_trait::async_trait;
use redress_domain::{
    Case, CaseChange, CaseId, CaseNumber, Customer, CustomerId, EmailAddress, Message, NewCase, Order, OrderId, Store,
    StoreId, StoreSlug,
};
use serde::de::DeserializeOwned;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, QueryBuilder, Row, Transaction};
use std::str::FromStr;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::channels::ChannelWrites;
use crate::{
    ApiKeyRecord, AttachmentInfo, CaseCursor, CaseFilter, CasePage, CaseUpdateFn, ClassificationFeedback, Conflict,
    HISTORY_RECENT_DAYS, HISTORY_YEAR_DAYS, IDEMPOTENCY_KEY_LIFETIME, IdempotencyKey, OrderCursor, OrderFilter,
    OrderPage, RecordedEntry, ResolutionFn, Storage, StorageError, StoreHelpArticle, StoredAnswer, StoredChange,
    StoredPolicy, StoredResolution, check_resolution, column_text, feedback_of, from_micros, listing_columns, micros,
};
use redress_domain::claim::{Claim, ClaimResolution};
use redress_domain::decision::CustomerHistory;
use redress_domain::refund::Refund;
use redress_domain::resolution::{Resolution, ResolutionContext};
use redress_domain::returns::ReturnAuthorisation;
use redress_domain::{ApiKeyId, ReturnId};

/// An `api_keys` row (id, store id, label, secret hash, creation time) as a record.
fn api_key_record(row: &sqlx::postgres::PgRow) -> Result<ApiKeyRecord, StorageError> {
    Ok(ApiKeyRecord {
        id: ApiKeyId::from_uuid(row.try_get(0)?),
        store_id: StoreId::from_uuid(row.try_get(1)?),
        label: row.try_get(2)?,
        secret_hash: row.try_get(3)?,
        created_at: OffsetDateTime::from_unix_timestamp_nanos(i128::from(row.try_get::<i64, _>(4)?) * 1000)
            .map_err(|e| StorageError::Corrupt(e.to_string()))?,
        agent_id: row.try_get::<Option<Uuid>, _>(5)?.map(redress_domain::AgentId::from_uuid),
    })
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl From<sqlx::Error> for StorageError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &e {
            // The same kinds of refusal as SQLite's, so both backends answer alike; the
            // database's own words go to the log only.
            let kind = match db.code().as_deref() {
                Some("23505") => Some(Conflict::Duplicate("record")),
                // check, not null, foreign key, and the triggers' RAISE EXCEPTION.
                Some("23514" | "23502" | "23503" | "P0001") => Some(Conflict::Constraint("check".into())),
                // A deadlock or serialisation failure rolled the transaction back: the client
                // may retry. Locks are taken case first, then order, so it should not happen.
                Some("40P01" | "40001") => Some(Conflict::ChangedMeanwhile("record")),
                _ => None,
            };
            if let Some(kind) = kind {
                tracing::warn!(detail = %db.message(), constraint = ?db.constraint(), "PostgreSQL refused a write by a constraint");
                return kind.into();
            }
        }
        StorageError::Backend(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StorageError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StorageError::Backend(format!("migration failed: {e}"))
    }
}

/// The PostgreSQL storage; cloning shares the connection pool.
#[derive(Clone)]
pub struct PostgresStorage {
    pub(crate) pool: PgPool,
    /// Case numbers this process reserved and has not handed out yet, per store.
    case_numbers: std::sync::Arc<tokio::sync::Mutex<std::collections::HashMap<StoreId, std::ops::Range<i64>>>>,
}

/// How many case numbers a process reserves at once. Reserving takes the store row's lock for
/// one short statement of its own, outside any case's transaction, so case creations on every
/// server run in parallel; a block left unused when a process stops leaves a gap in the numbers
/// (never a duplicate).
const CASE_NUMBER_BLOCK: i64 = 16;

impl PostgresStorage {
    /// Connects to `url` and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, StorageError> {
        Self::connect_with(PgConnectOptions::from_str(url)?).await
    }

    /// Connects with explicit options (tests use a private schema through `search_path`) and
    /// applies pending migrations.
    pub async fn connect_with(options: PgConnectOptions) -> Result<Self, StorageError> {
        let pool = PgPoolOptions::new().max_connections(16).connect_with(options).await?;
        MIGRATOR.run(&pool).await?;
        fill_in_order_listing(&pool).await?;
        Ok(Self { pool, case_numbers: Default::default() })
    }

    /// The next case number for `store_id`, from this process's block, reserving a new block
    /// when it is used up.
    async fn next_case_number(&self, store_id: StoreId) -> Result<i64, StorageError> {
        // Held while a block is reserved, so two openings in this process never reserve two
        // blocks where one would do (which would leave a gap).
        let mut blocks = self.case_numbers.lock().await;
        if let Some(number) = blocks.get_mut(&store_id).and_then(Iterator::next) {
            return Ok(number);
        }
        let end: i64 = sqlx::query_scalar(
            "UPDATE stores SET next_case_number = next_case_number + $2 WHERE id = $1 RETURNING next_case_number",
        )
        .bind(store_id.as_uuid())
        .bind(CASE_NUMBER_BLOCK)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("store"))?;
        let mut block = (end - CASE_NUMBER_BLOCK)..end;
        let number = block.next().ok_or_else(|| StorageError::Backend("an empty block of case numbers".into()))?;
        blocks.insert(store_id, block);
        Ok(number)
    }

    /// Applies pending migrations to the database at `url` and returns how many ran.
    pub async fn migrate_url(url: &str) -> Result<usize, StorageError> {
        let pool = PgPoolOptions::new().max_connections(1).connect(url).await?;
        let before = applied_count(&pool).await;
        MIGRATOR.run(&pool).await?;
        let after = applied_count(&pool).await;
        Ok(after.saturating_sub(before))
    }
}

/// Gives orders written before their listing columns existed a stage and parcel statuses, a
/// batch at a time (a no-op once every order has them).
async fn fill_in_order_listing(pool: &PgPool) -> Result<(), StorageError> {
    loop {
        let orders: Vec<Order> =
            all_docs(sqlx::query("SELECT doc FROM orders WHERE stage IS NULL LIMIT 500"), pool).await?;
        if orders.is_empty() {
            return Ok(());
        }
        for order in orders {
            let (stage, statuses) = listing_columns(&order);
            sqlx::query("UPDATE orders SET stage = $1, shipment_statuses = $2 WHERE id = $3")
                .bind(stage)
                .bind(statuses)
                .bind(order.id.as_uuid())
                .execute(pool)
                .await?;
        }
    }
}

/// Refuses a write for a store that does not exist.
/// Two processes upserting the same new customer or the same order number queue up on a lock
/// of that customer and that number (always taken in this order, released at commit), instead
/// of racing to insert them twice; upserts of other customers and orders of the store run in
/// parallel. Taken again by the same transaction, the locks are already held.
pub(crate) async fn lock_order_upsert(
    tx: &mut Transaction<'_, Postgres>,
    customer: &Customer,
    order: &Order,
) -> Result<(), StorageError> {
    sqlx::query(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))",
    )
    .bind(format!("customer:{}:{}", customer.store_id, customer.email.as_str()))
    .bind(format!("order:{}:{}", order.store_id, order.number))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Stores an order and its customer inside the caller's transaction: the body of
/// [`Storage::upsert_order`], shared with the platforms' ingest so a webhook's delivery row and
/// its order commit together.
pub(crate) async fn upsert_order_in(
    tx: &mut Transaction<'_, Postgres>,
    mut customer: Customer,
    mut order: Order,
    now: OffsetDateTime,
) -> Result<(Order, bool), StorageError> {
    lock_order_upsert(tx, &customer, &order).await?;
    require_store(tx, order.store_id).await?;
    let existing: Option<Uuid> = sqlx::query_scalar("SELECT id FROM customers WHERE store_id = $1 AND email = $2")
        .bind(customer.store_id.as_uuid())
        .bind(customer.email.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    match existing {
        Some(id) => {
            customer.id = CustomerId::from_uuid(id);
            sqlx::query("UPDATE customers SET doc = $1 WHERE id = $2 AND store_id = $3")
                .bind(Json(&customer))
                .bind(id)
                .bind(customer.store_id.as_uuid())
                .execute(&mut **tx)
                .await?;
        }
        None => {
            sqlx::query("INSERT INTO customers (id, store_id, email, doc) VALUES ($1, $2, $3, $4)")
                .bind(customer.id.as_uuid())
                .bind(customer.store_id.as_uuid())
                .bind(customer.email.as_str())
                .bind(Json(&customer))
                .execute(&mut **tx)
                .await?;
        }
    }
    order.customer_id = customer.id;
    let stored: Option<Order> = one_doc(
        sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND number = $2")
            .bind(order.store_id.as_uuid())
            .bind(&order.number),
        &mut **tx,
    )
    .await?;
    let created = stored.is_none();
    let before = stored;
    if let Some(stored) = &before {
        order.keep_ids_of(stored);
        let (stage, statuses) = listing_columns(&order);
        sqlx::query(
            "UPDATE orders SET customer_id = $1, placed_at_us = $2, doc = $3, stage = $4, shipment_statuses = $5
             WHERE id = $6 AND store_id = $7",
        )
        .bind(order.customer_id.as_uuid())
        .bind(micros(order.placed_at))
        .bind(Json(&order))
        .bind(stage)
        .bind(statuses)
        .bind(order.id.as_uuid())
        .bind(order.store_id.as_uuid())
        .execute(&mut **tx)
        .await?;
    } else {
        let (stage, statuses) = listing_columns(&order);
        sqlx::query(
            "INSERT INTO orders (id, store_id, number, customer_id, placed_at_us, doc, stage, shipment_statuses)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(order.id.as_uuid())
        .bind(order.store_id.as_uuid())
        .bind(&order.number)
        .bind(order.customer_id.as_uuid())
        .bind(micros(order.placed_at))
        .bind(Json(&order))
        .bind(stage)
        .bind(statuses)
        .execute(&mut **tx)
        .await?;
    }
    if let Some(before) = &before {
        tell_open_cases(tx, &order, before, now).await?;
    }
    crate::money_postgres::sync_payments(tx, &order, now).await?;
    Ok((order, created))
}

/// Appends what changed in the order's parcels to the timeline of each of its open cases, in
/// the order's transaction.
async fn tell_open_cases(
    tx: &mut Transaction<'_, Postgres>,
    order: &Order,
    before: &Order,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let changes = order.shipment_changes(before);
    if changes.is_empty() {
        return Ok(());
    }
    let cases: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM cases WHERE store_id = $1 AND order_id = $2 AND status NOT IN ('resolved', 'closed')",
    )
    .bind(order.store_id.as_uuid())
    .bind(order.id.as_uuid())
    .fetch_all(&mut **tx)
    .await?;
    for case_id in cases {
        for event in &changes {
            let entry =
                redress_domain::TimelineEntry { at: now, actor: redress_domain::Actor::System, event: event.clone() };
            sqlx::query("INSERT INTO timeline (store_id, case_id, at_us, doc) VALUES ($1, $2, $3, $4)")
                .bind(order.store_id.as_uuid())
                .bind(case_id)
                .bind(micros(now))
                .bind(Json(&entry))
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

pub(crate) async fn require_store(tx: &mut Transaction<'_, Postgres>, store_id: StoreId) -> Result<(), StorageError> {
    sqlx::query("SELECT 1 FROM stores WHERE id = $1")
        .bind(store_id.as_uuid())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StorageError::NotFound("store"))?;
    Ok(())
}

async fn applied_count(pool: &PgPool) -> usize {
    // Before the first migration the bookkeeping table does not exist: nothing applied.
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .map_or(0, |n| usize::try_from(n).unwrap_or(0))
}

pub(crate) fn from_doc<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, StorageError> {
    Ok(serde_json::from_value(value)?)
}

pub(crate) async fn one_doc<T: DeserializeOwned>(
    query: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
    executor: impl sqlx::PgExecutor<'_>,
) -> Result<Option<T>, StorageError> {
    let row = query.fetch_optional(executor).await?;
    row.map(|row| from_doc(row.try_get::<serde_json::Value, _>(0)?)).transpose()
}

pub(crate) async fn all_docs<T: DeserializeOwned>(
    query: sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments>,
    executor: impl sqlx::PgExecutor<'_>,
) -> Result<Vec<T>, StorageError> {
    query.fetch_all(executor).await?.into_iter().map(|row| from_doc(row.try_get::<serde_json::Value, _>(0)?)).collect()
}

async fn insert_message(tx: &mut Transaction<'_, Postgres>, message: &Message) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO messages (id, store_id, case_id, created_at_us, doc) VALUES ($1, $2, $3, $4, $5)")
        .bind(message.id.as_uuid())
        .bind(message.store_id.as_uuid())
        .bind(message.case_id.as_uuid())
        .bind(micros(message.created_at))
        .bind(Json(message))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn append_entries(tx: &mut Transaction<'_, Postgres>, change: CaseChange) -> Result<StoredChange, StorageError> {
    let mut entries = Vec::with_capacity(change.entries.len());
    for entry in change.entries {
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO timeline (store_id, case_id, at_us, doc) VALUES ($1, $2, $3, $4) RETURNING seq",
        )
        .bind(change.case.store_id.as_uuid())
        .bind(change.case.id.as_uuid())
        .bind(micros(entry.at))
        .bind(Json(&entry))
        .fetch_one(&mut **tx)
        .await?;
        entries.push(RecordedEntry { seq, entry });
    }
    Ok(StoredChange { case: change.case, entries })
}

async fn require(
    db: &PgPool,
    sql: &'static str,
    store_id: StoreId,
    id: Uuid,
    what: &'static str,
) -> Result<(), StorageError> {
    sqlx::query(sql).bind(store_id.as_uuid()).bind(id).fetch_optional(db).await?.ok_or(StorageError::NotFound(what))?;
    Ok(())
}

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl PostgresStorage {
    /// Opens a case: the body of [`Storage::open_case`], writing `writes` in its transaction.
    pub(crate) async fn open_case_in(
        &self,
        new: NewCase,
        now: OffsetDateTime,
        writes: &ChannelWrites,
    ) -> Result<StoredChange, StorageError> {
        // Everything that can refuse the case is checked before it takes a number (orders and
        // customers are never deleted, and the foreign keys hold at insert anyway), and the
        // number is taken before the transaction, which then holds no shared row.
        let store_id = new.store_id;
        if let Some(order_id) = new.order_id {
            require(
                &self.pool,
                "SELECT 1 FROM orders WHERE store_id = $1 AND id = $2",
                store_id,
                order_id.as_uuid(),
                "order",
            )
            .await?;
        }
        if let Some(customer_id) = new.customer_id {
            let sql = "SELECT 1 FROM customers WHERE store_id = $1 AND id = $2";
            require(&self.pool, sql, store_id, customer_id.as_uuid(), "customer").await?;
        }
        new.validate()?;
        let number = self.next_case_number(store_id).await?;
        let mut tx = self.pool.begin().await?;
        let message = new.first_message.clone();
        let change = Case::open(new, CaseNumber(u64::try_from(number).unwrap_or(0)), now)?;
        let case = &change.case;
        sqlx::query(
            "INSERT INTO cases (id, store_id, number, status, kind, priority, assignee, order_id, created_at_us, version, doc, customer_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(case.id.as_uuid())
        .bind(store_id.as_uuid())
        .bind(number)
        .bind(column_text(&case.status)?)
        .bind(column_text(&case.kind)?)
        .bind(column_text(&case.priority)?)
        .bind(case.assignee.as_ref().map(|a| a.agent_id.to_string()))
        .bind(case.order_id.map(|id| id.as_uuid()))
        .bind(micros(case.created_at))
        .bind(version(case.version))
        .bind(Json(case))
        .bind(case.customer_id.map(|id| id.as_uuid()))
        .execute(&mut *tx)
        .await?;
        insert_message(&mut tx, &message).await?;
        let stored = append_entries(&mut tx, change).await?;
        crate::channels_postgres::insert_writes(&mut tx, writes).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Changes a case: the body of [`Storage::update_case`], writing `writes` in its
    /// transaction.
    pub(crate) async fn update_case_in(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
        writes: &ChannelWrites,
    ) -> Result<StoredChange, StorageError> {
        let mut tx = self.pool.begin().await?;
        let stored = update_case_on(&mut tx, store_id, id, update).await?;
        crate::channels_postgres::insert_writes(&mut tx, writes).await?;
        tx.commit().await?;
        Ok(stored)
    }
}

/// Changes a case inside `tx`, the case locked: the body of [`Storage::update_case`], shared
/// with the writes that commit with a case change (channels, follow-through timers).
pub(crate) async fn update_case_on(
    tx: &mut Transaction<'_, Postgres>,
    store_id: StoreId,
    id: CaseId,
    update: CaseUpdateFn,
) -> Result<StoredChange, StorageError> {
    let current: Case = one_doc(
        sqlx::query("SELECT doc FROM cases WHERE store_id = $1 AND id = $2 FOR UPDATE")
            .bind(store_id.as_uuid())
            .bind(id.as_uuid()),
        &mut **tx,
    )
    .await?
    .ok_or(StorageError::NotFound("case"))?;
    let outcome = update(&current)?;
    let case = &outcome.change.case;
    if case.id != current.id || case.store_id != current.store_id {
        return Err(StorageError::Backend("an update tried to change a case's identity".into()));
    }
    sqlx::query(
        "UPDATE cases SET status = $1, kind = $2, priority = $3, assignee = $4, doc = $5, version = $6
         WHERE store_id = $7 AND id = $8",
    )
    .bind(column_text(&case.status)?)
    .bind(column_text(&case.kind)?)
    .bind(column_text(&case.priority)?)
    .bind(case.assignee.as_ref().map(|a| a.agent_id.to_string()))
    .bind(Json(case))
    .bind(version(case.version))
    .bind(store_id.as_uuid())
    .bind(id.as_uuid())
    .execute(&mut **tx)
    .await?;
    if let Some(message) = &outcome.message {
        insert_message(tx, message).await?;
    }
    append_entries(tx, outcome.change).await
}

#[async_trait]
impl Storage for PostgresStorage {
    async fn create_store(&self, store: &Store) -> Result<(), StorageError> {
        let result = sqlx::query("INSERT INTO stores (id, slug, created_at_us, doc) VALUES ($1, $2, $3, $4)")
            .bind(store.id.as_uuid())
            .bind(store.slug.as_str())
            .bind(micros(store.created_at))
            .bind(Json(store))
            .execute(&self.pool)
            .await;
        match result {
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                Err(Conflict::SlugTaken(store.slug.to_string()).into())
            }
            other => other.map(|_| ()).map_err(StorageError::from),
        }
    }

    async fn store(&self, id: StoreId) -> Result<Store, StorageError> {
        one_doc(sqlx::query("SELECT doc FROM stores WHERE id = $1").bind(id.as_uuid()), &self.pool)
            .await?
            .ok_or(StorageError::NotFound("store"))
    }

    async fn store_by_slug(&self, slug: &StoreSlug) -> Result<Store, StorageError> {
        one_doc(sqlx::query("SELECT doc FROM stores WHERE slug = $1").bind(slug.as_str()), &self.pool)
            .await?
            .ok_or(StorageError::NotFound("store"))
    }

    async fn stores(&self) -> Result<Vec<Store>, StorageError> {
        all_docs(sqlx::query("SELECT doc FROM stores ORDER BY created_at_us, id"), &self.pool).await
    }

    async fn create_api_key(&self, key: &ApiKeyRecord) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT 1 FROM stores WHERE id = $1")
            .bind(key.store_id.as_uuid())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StorageError::NotFound("store"))?;
        sqlx::query(
            "INSERT INTO api_keys (id, store_id, label, secret_hash, created_at_us, agent_id)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(key.id.as_uuid())
        .bind(key.store_id.as_uuid())
        .bind(&key.label)
        .bind(&key.secret_hash)
        .bind(micros(key.created_at))
        .bind(key.agent_id.map(|id| id.as_uuid()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn api_key_by_hash(&self, secret_hash: &str) -> Result<Option<ApiKeyRecord>, StorageError> {
        let row = sqlx::query(
            "SELECT id, store_id, label, secret_hash, created_at_us, agent_id FROM api_keys WHERE secret_hash = $1",
        )
        .bind(secret_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| api_key_record(&row)).transpose()
    }

    async fn api_keys(&self, store_id: StoreId) -> Result<Vec<ApiKeyRecord>, StorageError> {
        sqlx::query(
            "SELECT id, store_id, label, secret_hash, created_at_us, agent_id FROM api_keys WHERE store_id = $1
             ORDER BY created_at_us, id",
        )
        .bind(store_id.as_uuid())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(api_key_record)
        .collect()
    }

    async fn revoke_api_key(&self, store_id: StoreId, id: ApiKeyId) -> Result<ApiKeyRecord, StorageError> {
        let row = sqlx::query(
            "DELETE FROM api_keys WHERE store_id = $1 AND id = $2
             RETURNING id, store_id, label, secret_hash, created_at_us, agent_id",
        )
        .bind(store_id.as_uuid())
        .bind(id.as_uuid())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("API key"))?;
        api_key_record(&row)
    }

    async fn upsert_order(
        &self,
        customer: &Customer,
        order: &Order,
        now: OffsetDateTime,
    ) -> Result<(Order, bool), StorageError> {
        let mut tx = self.pool.begin().await?;
        let stored = upsert_order_in(&mut tx, customer.clone(), order.clone(), now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn order(&self, store_id: StoreId, id: OrderId) -> Result<Order, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &self.pool,
        )
        .await?
        .ok_or(StorageError::NotFound("order"))
    }

    async fn order_by_number(&self, store_id: StoreId, number: &str) -> Result<Option<Order>, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND number = $2")
                .bind(store_id.as_uuid())
                .bind(number),
            &self.pool,
        )
        .await
    }

    async fn orders_of_customer(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<Order>, StorageError> {
        all_docs(
            sqlx::query(
                "SELECT doc FROM orders WHERE store_id = $1 AND customer_id = $2 ORDER BY placed_at_us DESC, id DESC",
            )
            .bind(store_id.as_uuid())
            .bind(customer_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn customer(&self, store_id: StoreId, id: CustomerId) -> Result<Customer, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM customers WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &self.pool,
        )
        .await?
        .ok_or(StorageError::NotFound("customer"))
    }

    async fn customer_by_email(
        &self,
        store_id: StoreId,
        email: &EmailAddress,
    ) -> Result<Option<Customer>, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM customers WHERE store_id = $1 AND email = $2")
                .bind(store_id.as_uuid())
                .bind(email.as_str()),
            &self.pool,
        )
        .await
    }

    async fn open_case(&self, new: NewCase, now: OffsetDateTime) -> Result<StoredChange, StorageError> {
        self.open_case_in(new, now, &ChannelWrites::default()).await
    }

    async fn case(&self, store_id: StoreId, id: CaseId) -> Result<Case, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM cases WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &self.pool,
        )
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
        let mut query = QueryBuilder::<Postgres>::new("SELECT doc, created_at_us, id FROM cases WHERE store_id = ");
        query.push_bind(store_id.as_uuid());
        if !filter.statuses.is_empty() {
            query.push(" AND status IN (");
            let mut list = query.separated(", ");
            for status in &filter.statuses {
                list.push_bind(column_text(status)?);
            }
            query.push(")");
        }
        if let Some(kind) = filter.kind {
            query.push(" AND kind = ").push_bind(column_text(&kind)?);
        }
        if let Some(priority) = filter.priority {
            query.push(" AND priority = ").push_bind(column_text(&priority)?);
        }
        if let Some(assignee) = &filter.assignee {
            query.push(" AND assignee = ").push_bind(assignee.to_string());
        }
        if let Some(order_id) = filter.order_id {
            query.push(" AND order_id = ").push_bind(order_id.as_uuid());
        }
        if let Some(cursor) = after {
            query
                .push(" AND (created_at_us, id) < (")
                .push_bind(cursor.created_at_us)
                .push(", ")
                .push_bind(cursor.id.as_uuid())
                .push(")");
        }
        query.push(" ORDER BY created_at_us DESC, id DESC LIMIT ").push_bind(i64::from(limit) + 1);
        let rows = query.build().fetch_all(&self.pool).await?;
        let rows = rows
            .into_iter()
            .map(|row| {
                let cursor = CaseCursor { created_at_us: row.try_get(1)?, id: CaseId::from_uuid(row.try_get(2)?) };
                Ok((from_doc::<Case>(row.try_get(0)?)?, cursor))
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(CasePage::from_rows(rows, limit))
    }

    async fn orders(
        &self,
        store_id: StoreId,
        filter: &OrderFilter,
        after: Option<OrderCursor>,
        limit: u32,
    ) -> Result<OrderPage, StorageError> {
        let mut query = QueryBuilder::<Postgres>::new("SELECT doc, placed_at_us, id FROM orders WHERE store_id = ");
        query.push_bind(store_id.as_uuid());
        if let Some(number) = &filter.number {
            query.push(" AND number = ").push_bind(number.clone());
        }
        if let Some(customer_id) = filter.customer_id {
            query.push(" AND customer_id = ").push_bind(customer_id.as_uuid());
        }
        if !filter.stages.is_empty() {
            query.push(" AND stage IN (");
            let mut list = query.separated(", ");
            for stage in &filter.stages {
                list.push_bind(stage.as_str());
            }
            query.push(")");
        }
        if let Some(status) = filter.shipment_status {
            query.push(" AND shipment_statuses LIKE ").push_bind(format!("%,{},%", status.as_str()));
        }
        if let Some(from) = filter.placed_from {
            query.push(" AND placed_at_us >= ").push_bind(micros(from));
        }
        if let Some(before) = filter.placed_before {
            query.push(" AND placed_at_us < ").push_bind(micros(before));
        }
        if let Some(cursor) = after {
            query
                .push(" AND (placed_at_us, id) < (")
                .push_bind(cursor.placed_at_us)
                .push(", ")
                .push_bind(cursor.id.as_uuid())
                .push(")");
        }
        query.push(" ORDER BY placed_at_us DESC, id DESC LIMIT ").push_bind(i64::from(limit) + 1);
        let rows = query.build().fetch_all(&self.pool).await?;
        let rows = rows
            .into_iter()
            .map(|row| {
                let cursor = OrderCursor { placed_at_us: row.try_get(1)?, id: OrderId::from_uuid(row.try_get(2)?) };
                Ok((from_doc::<Order>(row.try_get(0)?)?, cursor))
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok(OrderPage::from_rows(rows, limit))
    }

    async fn update_case(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
    ) -> Result<StoredChange, StorageError> {
        self.update_case_in(store_id, id, update, &ChannelWrites::default()).await
    }

    async fn timeline(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<RecordedEntry>, StorageError> {
        let rows = sqlx::query("SELECT seq, doc FROM timeline WHERE store_id = $1 AND case_id = $2 ORDER BY seq")
            .bind(store_id.as_uuid())
            .bind(case_id.as_uuid())
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row| Ok(RecordedEntry { seq: row.try_get(0)?, entry: from_doc(row.try_get(1)?)? }))
            .collect()
    }

    async fn messages(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Message>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM messages WHERE store_id = $1 AND case_id = $2 ORDER BY created_at_us, id")
                .bind(store_id.as_uuid())
                .bind(case_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn classification_feedback(&self, store_id: StoreId) -> Result<Vec<ClassificationFeedback>, StorageError> {
        let rows = sqlx::query(
            "SELECT t.doc, c.doc, (SELECT m.doc FROM messages m WHERE m.store_id = c.store_id AND m.case_id = c.id
                                   ORDER BY m.created_at_us, m.id LIMIT 1)
             FROM timeline t JOIN cases c ON c.id = t.case_id AND c.store_id = t.store_id
             WHERE t.store_id = $1 AND t.doc->'event'->>'type' = 'classification_corrected'
             ORDER BY t.seq",
        )
        .bind(store_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let first: Option<serde_json::Value> = row.try_get(2)?;
                feedback_of(from_doc(row.try_get(0)?)?, from_doc(row.try_get(1)?)?, first.map(from_doc).transpose()?)
            })
            .collect()
    }

    async fn save_help_article(&self, store_id: StoreId, article: &StoreHelpArticle) -> Result<(), StorageError> {
        let result = sqlx::query(
            "INSERT INTO help_articles (store_id, id, language, updated_at_us, doc) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (store_id, id, language) DO UPDATE SET updated_at_us = excluded.updated_at_us, doc = excluded.doc",
        )
        .bind(store_id.as_uuid())
        .bind(&article.id)
        .bind(&article.language)
        .bind(micros(article.updated_at))
        .bind(Json(article))
        .execute(&self.pool)
        .await;
        match result {
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StorageError::NotFound("store")),
            other => other.map(|_| ()).map_err(StorageError::from),
        }
    }

    async fn help_articles(&self, store_id: StoreId) -> Result<Vec<StoreHelpArticle>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM help_articles WHERE store_id = $1 ORDER BY id, language")
                .bind(store_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn help_articles_version(&self, store_id: StoreId) -> Result<(i64, i64), StorageError> {
        let row = sqlx::query(
            "SELECT count(*), coalesce(max(updated_at_us), 0)::bigint FROM help_articles WHERE store_id = $1",
        )
        .bind(store_id.as_uuid())
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    async fn delete_help_article(&self, store_id: StoreId, id: &str, language: &str) -> Result<bool, StorageError> {
        let removed = sqlx::query("DELETE FROM help_articles WHERE store_id = $1 AND id = $2 AND language = $3")
            .bind(store_id.as_uuid())
            .bind(id)
            .bind(language)
            .execute(&self.pool)
            .await?;
        Ok(removed.rows_affected() > 0)
    }

    async fn save_attachment(
        &self,
        store_id: StoreId,
        info: &AttachmentInfo,
        bytes: &[u8],
    ) -> Result<(), StorageError> {
        let size = i64::try_from(info.size_bytes)
            .map_err(|_| StorageError::from(Conflict::Constraint("attachments_size".into())))?;
        // Inserted only if the case is the store's: another store's case id stores nothing.
        let inserted = sqlx::query(
            "INSERT INTO attachments (id, store_id, case_id, filename, content_type, size_bytes, created_at_us, bytes)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM cases WHERE id = $3 AND store_id = $2",
        )
        .bind(info.id)
        .bind(store_id.as_uuid())
        .bind(info.case_id.as_uuid())
        .bind(&info.filename)
        .bind(&info.content_type)
        .bind(size)
        .bind(micros(info.created_at))
        .bind(bytes)
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(StorageError::NotFound("case"));
        }
        Ok(())
    }

    async fn attachments_of_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
    ) -> Result<Vec<AttachmentInfo>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, case_id, filename, content_type, size_bytes, created_at_us FROM attachments
             WHERE store_id = $1 AND case_id = $2 ORDER BY created_at_us, id",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(attachment_info).collect()
    }

    async fn attachment(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        id: Uuid,
    ) -> Result<(AttachmentInfo, Vec<u8>), StorageError> {
        let row = sqlx::query(
            "SELECT id, case_id, filename, content_type, size_bytes, created_at_us, bytes FROM attachments
             WHERE store_id = $1 AND case_id = $2 AND id = $3",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound("attachment"))?;
        Ok((attachment_info(&row)?, row.try_get(6)?))
    }

    async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn work_queues(&self) -> Result<Vec<crate::QueueCount>, StorageError> {
        let rows = sqlx::query(crate::work_queues_sql()).fetch_all(&self.pool).await?;
        rows.iter()
            .map(|row| {
                Ok(crate::QueueCount {
                    queue: row.try_get(0)?,
                    status: row.try_get(1)?,
                    count: row.try_get(2)?,
                    oldest_created_at_us: row.try_get(3)?,
                })
            })
            .collect()
    }

    async fn resolve_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        idempotency: Option<IdempotencyKey>,
        step: ResolutionFn,
    ) -> Result<StoredResolution, StorageError> {
        let mut tx = self.pool.begin().await?;
        let store = store_id.as_uuid();
        let case: Case = one_doc(
            sqlx::query("SELECT doc FROM cases WHERE store_id = $1 AND id = $2 FOR UPDATE")
                .bind(store)
                .bind(case_id.as_uuid()),
            &mut *tx,
        )
        .await?
        .ok_or(StorageError::NotFound("case"))?;
        if let Some(key) = &idempotency {
            // A key past its lifetime is forgotten: the same key may start a new request.
            sqlx::query("DELETE FROM idempotency_keys WHERE store_id = $1 AND key = $2 AND created_at_us < $3")
                .bind(store)
                .bind(&key.key)
                .bind(micros(key.at - IDEMPOTENCY_KEY_LIFETIME))
                .execute(&mut *tx)
                .await?;
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (store_id, key, request_hash, created_at_us) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING",
            )
            .bind(store)
            .bind(&key.key)
            .bind(&key.request_hash)
            .bind(micros(key.at))
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() != 1 {
                return Err(Conflict::KeyTaken.into());
            }
        }
        let order: Option<Order> = match case.order_id {
            Some(order_id) => {
                one_doc(
                    sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND id = $2 FOR UPDATE")
                        .bind(store)
                        .bind(order_id.as_uuid()),
                    &mut *tx,
                )
                .await?
            }
            None => None,
        };
        let returns: Vec<ReturnAuthorisation> = match &order {
            Some(order) => {
                all_docs(
                    sqlx::query(
                        "SELECT doc FROM returns WHERE store_id = $1 AND order_id = $2 ORDER BY created_at_us, id",
                    )
                    .bind(store)
                    .bind(order.id.as_uuid()),
                    &mut *tx,
                )
                .await?
            }
            None => Vec::new(),
        };
        let (claims, refunds): (Vec<Claim>, Vec<Refund>) = match &order {
            Some(order) => (
                all_docs(
                    sqlx::query(
                        "SELECT doc FROM claims WHERE store_id = $1 AND order_id = $2 ORDER BY created_at_us, id",
                    )
                    .bind(store)
                    .bind(order.id.as_uuid()),
                    &mut *tx,
                )
                .await?,
                all_docs(
                    sqlx::query(
                        "SELECT doc FROM refunds WHERE store_id = $1 AND order_id = $2 ORDER BY created_at_us, id",
                    )
                    .bind(store)
                    .bind(order.id.as_uuid()),
                    &mut *tx,
                )
                .await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        let context = ResolutionContext { case, order, returns, claims, refunds };
        let resolution = step(&context)?;
        check_resolution(&context, &resolution)?;
        let case = &resolution.change.case;
        sqlx::query(
            "UPDATE cases SET status = $1, kind = $2, priority = $3, assignee = $4, doc = $5, version = $6
             WHERE store_id = $7 AND id = $8",
        )
        .bind(column_text(&case.status)?)
        .bind(column_text(&case.kind)?)
        .bind(column_text(&case.priority)?)
        .bind(case.assignee.as_ref().map(|a| a.agent_id.to_string()))
        .bind(Json(case))
        .bind(version(case.version))
        .bind(store)
        .bind(case_id.as_uuid())
        .execute(&mut *tx)
        .await?;
        if let Some(order) = &resolution.order {
            let (stage, statuses) = listing_columns(order);
            sqlx::query(
                "UPDATE orders SET doc = $1, stage = $2, shipment_statuses = $3 WHERE store_id = $4 AND id = $5",
            )
            .bind(Json(order))
            .bind(stage)
            .bind(statuses)
            .bind(store)
            .bind(order.id.as_uuid())
            .execute(&mut *tx)
            .await?;
        }
        let customer = context.order.as_ref().map(|o| o.customer_id.as_uuid());
        for rma in &resolution.returns {
            if context.returns.iter().any(|r| r.id == rma.id) {
                sqlx::query("UPDATE returns SET status = $1, version = $2, doc = $3 WHERE store_id = $4 AND id = $5")
                    .bind(column_text(&rma.status)?)
                    .bind(version(rma.version))
                    .bind(Json(rma))
                    .bind(store)
                    .bind(rma.id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO returns (id, store_id, case_id, order_id, customer_id, status, created_at_us, version, doc)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(rma.id.as_uuid())
                .bind(store)
                .bind(case_id.as_uuid())
                .bind(rma.order_id.as_uuid())
                .bind(customer)
                .bind(column_text(&rma.status)?)
                .bind(micros(rma.created_at))
                .bind(version(rma.version))
                .bind(Json(rma))
                .execute(&mut *tx)
                .await?;
            }
        }
        for claim in &resolution.claims {
            sqlx::query(
                "INSERT INTO claims (id, store_id, case_id, order_id, customer_id, resolution, created_at_us, doc)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(claim.id.as_uuid())
            .bind(store)
            .bind(case_id.as_uuid())
            .bind(claim.order_id.as_uuid())
            .bind(customer)
            .bind(column_text(&claim.resolution)?)
            .bind(micros(claim.created_at))
            .bind(Json(claim))
            .execute(&mut *tx)
            .await?;
        }
        let Resolution { change, order, returns, claims, refunds: asks } = resolution;
        let stored = append_entries(&mut tx, change).await?;
        // Refunds the step asks for are written after the case change, as on their own.
        let mut refunds = Vec::with_capacity(asks.len());
        for ask in asks {
            let now = stored.case.updated_at;
            refunds.push(crate::money_postgres::write_refund(&mut tx, ask.request, &ask.policy, now).await?.refund);
        }
        tx.commit().await?;
        Ok(StoredResolution { case: stored.case, entries: stored.entries, order, returns, claims, refunds })
    }

    async fn returns_of_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
    ) -> Result<Vec<ReturnAuthorisation>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM returns WHERE store_id = $1 AND case_id = $2 ORDER BY created_at_us, id")
                .bind(store_id.as_uuid())
                .bind(case_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn return_authorisation(&self, store_id: StoreId, id: ReturnId) -> Result<ReturnAuthorisation, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM returns WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &self.pool,
        )
        .await?
        .ok_or(StorageError::NotFound("return"))
    }

    async fn returns_of_order(
        &self,
        store_id: StoreId,
        order_id: OrderId,
    ) -> Result<Vec<ReturnAuthorisation>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM returns WHERE store_id = $1 AND order_id = $2 ORDER BY created_at_us, id")
                .bind(store_id.as_uuid())
                .bind(order_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn claims_of_order(&self, store_id: StoreId, order_id: OrderId) -> Result<Vec<Claim>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM claims WHERE store_id = $1 AND order_id = $2 ORDER BY created_at_us, id")
                .bind(store_id.as_uuid())
                .bind(order_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn claims_of_case(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Claim>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM claims WHERE store_id = $1 AND case_id = $2 ORDER BY created_at_us, id")
                .bind(store_id.as_uuid())
                .bind(case_id.as_uuid()),
            &self.pool,
        )
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
        let row = sqlx::query(
            "SELECT
               (SELECT count(*) FROM cases WHERE store_id = $1 AND customer_id = $2 AND created_at_us >= $3),
               (SELECT count(*) FROM returns WHERE store_id = $1 AND customer_id = $2 AND created_at_us >= $3
                  AND status NOT IN ('rejected', 'cancelled')),
               (SELECT count(*) FROM claims WHERE store_id = $1 AND customer_id = $2 AND created_at_us >= $4
                  AND resolution = $5)",
        )
        .bind(store_id.as_uuid())
        .bind(customer_id.as_uuid())
        .bind(recent)
        .bind(year)
        .bind(column_text(&ClaimResolution::RefundWithoutReturn)?)
        .fetch_one(&self.pool)
        .await?;
        let count = |i: usize| -> Result<u32, StorageError> {
            Ok(u32::try_from(row.try_get::<i64, _>(i)?).unwrap_or(u32::MAX))
        };
        Ok(CustomerHistory {
            cases_last_90_days: count(0)?,
            returns_last_90_days: count(1)?,
            refunds_without_return_last_365_days: count(2)?,
        })
    }

    async fn save_policy(&self, store_id: StoreId, policy: &StoredPolicy) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT 1 FROM stores WHERE id = $1 FOR UPDATE")
            .bind(store_id.as_uuid())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StorageError::NotFound("store"))?;
        let current: Option<i64> = sqlx::query_scalar("SELECT max(version) FROM policies WHERE store_id = $1")
            .bind(store_id.as_uuid())
            .fetch_one(&mut *tx)
            .await?;
        let version = i64::from(policy.policy.version);
        if let Some(current) = current
            && version <= current
        {
            return Err(Conflict::PolicyVersion { given: version, in_force: current }.into());
        }
        sqlx::query(
            "INSERT INTO policies (store_id, version, policy_id, source, created_at_us) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(store_id.as_uuid())
        .bind(version)
        .bind(&policy.policy.id)
        .bind(&policy.source)
        .bind(micros(policy.saved_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn policy(&self, store_id: StoreId) -> Result<Option<StoredPolicy>, StorageError> {
        let row =
            sqlx::query("SELECT source, created_at_us FROM policies WHERE store_id = $1 ORDER BY version DESC LIMIT 1")
                .bind(store_id.as_uuid())
                .fetch_optional(&self.pool)
                .await?;
        row.map(|row| crate::stored_policy(row.try_get(0)?, row.try_get(1)?)).transpose()
    }

    async fn count_attempt(&self, key: &str, now: OffsetDateTime, window: time::Duration) -> Result<u32, StorageError> {
        let (now, start) = (micros(now), micros(now - window));
        sqlx::query("DELETE FROM attempts WHERE key IN (SELECT key FROM attempts WHERE window_start_us < $1 LIMIT 64)")
            .bind(start)
            .execute(&self.pool)
            .await?;
        let count: i32 = sqlx::query_scalar(
            "INSERT INTO attempts (key, window_start_us, count) VALUES ($1, $2, 1)
             ON CONFLICT (key) DO UPDATE SET
                 count = CASE WHEN attempts.window_start_us < $3 THEN 1 ELSE attempts.count + 1 END,
                 window_start_us = CASE WHEN attempts.window_start_us < $3 THEN $2 ELSE attempts.window_start_us END
             RETURNING count",
        )
        .bind(key)
        .bind(now)
        .bind(start)
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(count).unwrap_or(u32::MAX))
    }

    async fn clear_attempts(&self, key: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM attempts WHERE key = $1").bind(key).execute(&self.pool).await?;
        Ok(())
    }

    async fn idempotent_answer(
        &self,
        store_id: StoreId,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<StoredAnswer>, StorageError> {
        let row = sqlx::query(
            "SELECT request_hash, status, body FROM idempotency_keys
             WHERE store_id = $1 AND key = $2 AND created_at_us >= $3",
        )
        .bind(store_id.as_uuid())
        .bind(key)
        .bind(micros(now - IDEMPOTENCY_KEY_LIFETIME))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let status: Option<i32> = row.try_get(1)?;
            let body: Option<String> = row.try_get(2)?;
            Ok(StoredAnswer {
                request_hash: row.try_get(0)?,
                answer: status.zip(body).map(|(s, b)| (u16::try_from(s).unwrap_or(500), b)),
            })
        })
        .transpose()
    }

    async fn save_idempotent_answer(
        &self,
        store_id: StoreId,
        key: &IdempotencyKey,
        status: u16,
        body: &str,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO idempotency_keys (store_id, key, request_hash, created_at_us, status, body)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (store_id, key) DO UPDATE SET status = excluded.status, body = excluded.body
             WHERE idempotency_keys.status IS NULL",
        )
        .bind(store_id.as_uuid())
        .bind(&key.key)
        .bind(&key.request_hash)
        .bind(micros(key.at))
        .bind(i32::from(status))
        .bind(body)
        .execute(&self.pool)
        .await?;
        Ok(())
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
        crate::PoolUse {
            pool: "postgres",
            max: self.pool.options().get_max_connections(),
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
        }
    }
}

fn attachment_info(row: &sqlx::postgres::PgRow) -> Result<AttachmentInfo, StorageError> {
    Ok(AttachmentInfo {
        id: row.try_get(0)?,
        case_id: CaseId::from_uuid(row.try_get(1)?),
        filename: row.try_get(2)?,
        content_type: row.try_get(3)?,
        size_bytes: u64::try_from(row.try_get::<i64, _>(4)?).map_err(|e| StorageError::Corrupt(e.to_string()))?,
        created_at: from_micros(row.try_get(5)?)?,
    })
}

/// A database made for one run on a PostgreSQL server (a benchmark of several servers), dropped
/// by [`ScratchDatabase::remove`].
pub struct ScratchDatabase {
    server: PgConnectOptions,
    server_url: String,
    name: String,
}

impl ScratchDatabase {
    /// Creates a new, empty database on the server `url` names.
    pub async fn create(url: &str) -> Result<Self, StorageError> {
        let server = PgConnectOptions::from_str(url)?;
        let name = format!("redress_scratch_{}", Uuid::now_v7().simple());
        let mut admin = sqlx::ConnectOptions::connect(&server).await?;
        // A database name cannot be a bound parameter; this one is made here of hex digits.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
        Ok(Self { server, server_url: url.to_owned(), name })
    }

    /// Its URL, for `redress serve --database-url`: the server's URL (credentials and
    /// parameters kept) naming this database.
    pub fn url(&self) -> String {
        let (address, parameters) = self.server_url.split_once('?').unwrap_or((&self.server_url, ""));
        let after_scheme = address.find("://").map_or(0, |i| i + 3);
        let host_end = address[after_scheme..].find('/').map_or(address.len(), |i| after_scheme + i);
        let mut url = format!("{}/{}", &address[..host_end], self.name);
        if !parameters.is_empty() {
            url.push('?');
            url.push_str(parameters);
        }
        url
    }

    /// The raw limit of the server for single-row commits (`synchronous_commit` as configured)
    /// with `connections` clients inserting for `seconds`: commits per second.
    pub async fn raw_commit_rate(&self, connections: u32, seconds: u64) -> Result<f64, StorageError> {
        let pool = PgPoolOptions::new()
            .max_connections(connections)
            .connect_with(self.server.clone().database(&self.name))
            .await?;
        sqlx::query("CREATE TABLE raw_commits (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)").execute(&pool).await?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
        let started = std::time::Instant::now();
        let mut clients = tokio::task::JoinSet::new();
        for _ in 0..connections {
            let pool = pool.clone();
            clients.spawn(async move {
                let mut commits = 0u64;
                while std::time::Instant::now() < deadline {
                    sqlx::query("INSERT INTO raw_commits (body) VALUES ($1)")
                        .bind("x".repeat(500))
                        .execute(&pool)
                        .await?;
                    commits += 1;
                }
                Ok::<u64, sqlx::Error>(commits)
            });
        }
        let mut commits = 0;
        while let Some(done) = clients.join_next().await {
            commits += done.map_err(|e| StorageError::Backend(e.to_string()))??;
        }
        pool.close().await;
        Ok(commits as f64 / started.elapsed().as_secs_f64())
    }

    /// Drops the database (after the servers using it stopped).
    pub async fn remove(self) -> Result<(), StorageError> {
        let mut admin = sqlx::ConnectOptions::connect(&self.server).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)))
            .execute(&mut admin)
            .await?;
        Ok(())
    }
}
