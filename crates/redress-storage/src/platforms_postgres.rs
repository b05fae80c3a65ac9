//! Shop platforms' connections, deliveries and order links on PostgreSQL.

use async_trait::async_trait;
use redress_domain::{Customer, Order, OrderId, StoreId};
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::follow_through::CURSOR_OVERLAP;
use crate::platforms::{
    Delivery, Ingested, LinkedOrderFn, OrderLink, PlatformConnection, PlatformStorage, Push, PushOutcome, PushRecord,
    TOLD_EVENTS, TimelineRow, WebhookEndpoint,
};
use crate::postgres::{PostgresStorage, lock_order_upsert, one_doc, require_store, upsert_order_in};
use crate::{RecordedEntry, StorageError, from_micros, micros};

fn connection_of(row: &PgRow) -> Result<PlatformConnection, StorageError> {
    Ok(PlatformConnection {
        store_id: StoreId::from_uuid(row.try_get(0)?),
        platform: row.try_get(1)?,
        base_url: row.try_get(2)?,
        sealed_credentials: row.try_get(3)?,
        connected_at: from_micros(row.try_get(4)?)?,
        last_sync_at: row.try_get::<Option<i64>, _>(5)?.map(from_micros).transpose()?,
        last_error: row.try_get(6)?,
        last_error_at: row.try_get::<Option<i64>, _>(7)?.map(from_micros).transpose()?,
    })
}

/// Records a delivery; false when it was recorded before (a delivery being recorded by
/// another transaction waits for it on the primary key).
async fn record(tx: &mut Transaction<'_, Postgres>, delivery: &Delivery) -> Result<bool, StorageError> {
    require_store(tx, delivery.store_id).await?;
    let inserted = sqlx::query(
        "INSERT INTO platform_webhooks (store_id, platform, delivery_id, topic, received_at_us)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(delivery.store_id.as_uuid())
    .bind(&delivery.platform)
    .bind(&delivery.delivery_id)
    .bind(&delivery.topic)
    .bind(micros(delivery.received_at))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// Writes a push due at `now`; false when its key was written before.
async fn insert_push<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    push: &Push,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    let inserted = sqlx::query(
        "INSERT INTO platform_pushes (store_id, push_key, order_id, kind, payload, status, due_at_us, created_at_us)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $6) ON CONFLICT DO NOTHING",
    )
    .bind(push.store_id.as_uuid())
    .bind(&push.key)
    .bind(push.order_id.map(|id| id.as_uuid()))
    .bind(&push.kind)
    .bind(Json(&push.payload))
    .bind(micros(now))
    .execute(executor)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// The order a platform knows by `remote_id` and its link, read inside `tx`, the order's row
/// locked until it ends.
async fn linked_in(
    tx: &mut Transaction<'_, Postgres>,
    store_id: StoreId,
    platform: &str,
    remote_id: &str,
) -> Result<Option<(Order, OrderLink)>, StorageError> {
    let row = sqlx::query(
        "SELECT order_id, shipment_ids FROM platform_orders WHERE store_id = $1 AND platform = $2 AND remote_id = $3",
    )
    .bind(store_id.as_uuid())
    .bind(platform)
    .bind(remote_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let order_id: Uuid = row.try_get(0)?;
    let Json(shipment_ids): Json<Vec<Option<String>>> = row.try_get(1)?;
    let order: Order = one_doc(
        sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND id = $2 FOR UPDATE")
            .bind(store_id.as_uuid())
            .bind(order_id),
        &mut **tx,
    )
    .await?
    .ok_or(StorageError::NotFound("order"))?;
    Ok(Some((order, OrderLink { platform: platform.to_owned(), remote_id: remote_id.to_owned(), shipment_ids })))
}

#[async_trait]
impl PlatformStorage for PostgresStorage {
    async fn connect_platform(&self, c: &PlatformConnection) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        require_store(&mut tx, c.store_id).await?;
        sqlx::query(
            "INSERT INTO platform_connections (store_id, platform, base_url, sealed_credentials, connected_at_us)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (store_id, platform) DO UPDATE SET base_url = excluded.base_url,
               sealed_credentials = excluded.sealed_credentials, connected_at_us = excluded.connected_at_us,
               last_sync_at_us = NULL, last_error = NULL, last_error_at_us = NULL",
        )
        .bind(c.store_id.as_uuid())
        .bind(&c.platform)
        .bind(&c.base_url)
        .bind(&c.sealed_credentials)
        .bind(micros(c.connected_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn platform_connection(
        &self,
        store_id: StoreId,
        platform: &str,
    ) -> Result<Option<PlatformConnection>, StorageError> {
        sqlx::query(
            "SELECT store_id, platform, base_url, sealed_credentials, connected_at_us, last_sync_at_us, last_error,
               last_error_at_us FROM platform_connections WHERE store_id = $1 AND platform = $2",
        )
        .bind(store_id.as_uuid())
        .bind(platform)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(connection_of)
        .transpose()
    }

    async fn platform_connections(&self, store_id: StoreId) -> Result<Vec<PlatformConnection>, StorageError> {
        sqlx::query(
            "SELECT store_id, platform, base_url, sealed_credentials, connected_at_us, last_sync_at_us, last_error,
               last_error_at_us FROM platform_connections WHERE store_id = $1 ORDER BY platform",
        )
        .bind(store_id.as_uuid())
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(connection_of)
        .collect()
    }

    async fn record_sync(
        &self,
        store_id: StoreId,
        platform: &str,
        at: OffsetDateTime,
        error: Option<&str>,
    ) -> Result<(), StorageError> {
        // A success moves the sync time on and clears the error; a failure keeps the last
        // success's time and records the error.
        let query = sqlx::query(
            "UPDATE platform_connections SET
               last_sync_at_us = CASE WHEN $4::text IS NULL THEN $1 ELSE last_sync_at_us END,
               last_error = $4, last_error_at_us = CASE WHEN $4::text IS NULL THEN NULL ELSE $1 END
             WHERE store_id = $2 AND platform = $3",
        )
        .bind(micros(at))
        .bind(store_id.as_uuid())
        .bind(platform)
        .bind(error);
        if query.execute(&self.pool).await?.rows_affected() == 0 {
            return Err(StorageError::NotFound("platform connection"));
        }
        Ok(())
    }

    async fn record_delivery(&self, delivery: &Delivery) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let first = record(&mut tx, delivery).await?;
        tx.commit().await?;
        Ok(first)
    }

    async fn ingest_order(
        &self,
        delivery: Option<&Delivery>,
        link: &OrderLink,
        customer: &Customer,
        order: &Order,
        now: OffsetDateTime,
    ) -> Result<Ingested, StorageError> {
        let mut tx = self.pool.begin().await?;
        if let Some(delivery) = delivery
            && !record(&mut tx, delivery).await?
        {
            return Ok(Ingested::Duplicate);
        }
        let (order, created) = upsert_order_in(&mut tx, customer.clone(), order.clone(), now).await?;
        sqlx::query(
            "INSERT INTO platform_orders (store_id, platform, remote_id, order_id, shipment_ids)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (store_id, platform, remote_id) DO UPDATE SET order_id = excluded.order_id,
               shipment_ids = excluded.shipment_ids",
        )
        .bind(order.store_id.as_uuid())
        .bind(&link.platform)
        .bind(&link.remote_id)
        .bind(order.id.as_uuid())
        .bind(Json(&link.shipment_ids))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ingested::Stored { order: Box::new(order), created })
    }

    async fn order_link(&self, store_id: StoreId, order_id: OrderId) -> Result<Option<OrderLink>, StorageError> {
        let row = sqlx::query(
            "SELECT platform, remote_id, shipment_ids FROM platform_orders WHERE store_id = $1 AND order_id = $2",
        )
        .bind(store_id.as_uuid())
        .bind(order_id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let Json(shipment_ids): Json<Vec<Option<String>>> = row.try_get(2)?;
        Ok(Some(OrderLink { platform: row.try_get(0)?, remote_id: row.try_get(1)?, shipment_ids }))
    }

    async fn import_orders(&self, orders: &[(Customer, Order)], now: OffsetDateTime) -> Result<usize, StorageError> {
        let mut tx = self.pool.begin().await?;
        let mut created = 0;
        for (customer, order) in orders {
            if upsert_order_in(&mut tx, customer.clone(), order.clone(), now).await?.1 {
                created += 1;
            }
        }
        tx.commit().await?;
        Ok(created)
    }

    async fn claim_pushes(
        &self,
        only: Option<(StoreId, &str)>,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<Push>, StorageError> {
        let (store_id, key) = only.map(|(s, k)| (s.as_uuid(), k.to_owned())).unzip();
        // SKIP LOCKED: workers of several servers take different rows.
        let rows = sqlx::query(
            "UPDATE platform_pushes p SET due_at_us = $1, attempts = p.attempts + 1
             FROM (SELECT store_id, push_key FROM platform_pushes
                   WHERE status = 'pending' AND due_at_us <= $2
                     AND ($3::uuid IS NULL OR (store_id = $3 AND push_key = $4))
                   ORDER BY due_at_us LIMIT $5 FOR UPDATE SKIP LOCKED) due
             WHERE p.store_id = due.store_id AND p.push_key = due.push_key
             RETURNING p.store_id, p.push_key, p.order_id, p.kind, p.payload, p.attempts",
        )
        .bind(micros(now + lease))
        .bind(micros(now))
        .bind(store_id)
        .bind(key)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let Json(payload): Json<serde_json::Value> = row.try_get(4)?;
                Ok(Push {
                    store_id: StoreId::from_uuid(row.try_get(0)?),
                    key: row.try_get(1)?,
                    order_id: row.try_get::<Option<Uuid>, _>(2)?.map(OrderId::from_uuid),
                    kind: row.try_get(3)?,
                    payload,
                    attempts: u32::try_from(row.try_get::<i32, _>(5)?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn finish_push(&self, store_id: StoreId, key: &str, outcome: &PushOutcome) -> Result<(), StorageError> {
        let (status, due, error) = match outcome {
            PushOutcome::Done => ("done", None, None),
            PushOutcome::Retry { at, error } => ("pending", Some(micros(*at)), Some(error.as_str())),
            PushOutcome::Failed { error } => ("failed", None, Some(error.as_str())),
        };
        sqlx::query(
            "UPDATE platform_pushes SET status = $1, due_at_us = coalesce($2, due_at_us), last_error = $3
             WHERE store_id = $4 AND push_key = $5",
        )
        .bind(status)
        .bind(due)
        .bind(error)
        .bind(store_id.as_uuid())
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn add_webhook_endpoint(&self, e: &WebhookEndpoint) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        require_store(&mut tx, e.store_id).await?;
        sqlx::query(
            "INSERT INTO webhook_endpoints (id, store_id, url, events, sealed_secret, created_at_us)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(e.id)
        .bind(e.store_id.as_uuid())
        .bind(&e.url)
        .bind(serde_json::to_string(&e.events)?)
        .bind(&e.sealed_secret)
        .bind(micros(e.created_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhook_endpoints(&self, store_id: StoreId) -> Result<Vec<WebhookEndpoint>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, url, events, sealed_secret, created_at_us FROM webhook_endpoints
             WHERE store_id = $1 ORDER BY created_at_us, id",
        )
        .bind(store_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let events: String = row.try_get(2)?;
                Ok(WebhookEndpoint {
                    id: row.try_get(0)?,
                    store_id,
                    url: row.try_get(1)?,
                    events: serde_json::from_str(&events)?,
                    sealed_secret: row.try_get(3)?,
                    created_at: from_micros(row.try_get(4)?)?,
                })
            })
            .collect()
    }

    async fn remove_webhook_endpoint(&self, store_id: StoreId, id: Uuid) -> Result<bool, StorageError> {
        let removed = sqlx::query("DELETE FROM webhook_endpoints WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(removed == 1)
    }

    async fn replace_webhook_secret(
        &self,
        store_id: StoreId,
        id: Uuid,
        sealed_secret: &[u8],
    ) -> Result<bool, StorageError> {
        let changed = sqlx::query("UPDATE webhook_endpoints SET sealed_secret = $1 WHERE store_id = $2 AND id = $3")
            .bind(sealed_secret)
            .bind(store_id.as_uuid())
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(changed == 1)
    }

    async fn change_linked_order(
        &self,
        delivery: &Delivery,
        remote_id: &str,
        change: LinkedOrderFn,
        now: OffsetDateTime,
    ) -> Result<Option<Ingested>, StorageError> {
        let mut tx = self.pool.begin().await?;
        if !record(&mut tx, delivery).await? {
            return Ok(Some(Ingested::Duplicate));
        }
        let store_id = delivery.store_id;
        let Some((order, _)) = linked_in(&mut tx, store_id, &delivery.platform, remote_id).await? else {
            tx.commit().await?;
            return Ok(None);
        };
        let customer: Customer = one_doc(
            sqlx::query("SELECT doc FROM customers WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(order.customer_id.as_uuid()),
            &mut *tx,
        )
        .await?
        .ok_or(StorageError::NotFound("customer"))?;
        // The upsert's own locks, in its order, before the order is read again: an orders/updated
        // upserting the same order meanwhile waits, or has committed and is read here.
        lock_order_upsert(&mut tx, &customer, &order).await?;
        let (order, link) = linked_in(&mut tx, store_id, &delivery.platform, remote_id)
            .await?
            .ok_or(StorageError::NotFound("order"))?;
        let (order, link) = change(order, link)?;
        let (order, created) = upsert_order_in(&mut tx, customer, order, now).await?;
        sqlx::query(
            "UPDATE platform_orders SET shipment_ids = $1 WHERE store_id = $2 AND platform = $3 AND remote_id = $4",
        )
        .bind(Json(&link.shipment_ids))
        .bind(store_id.as_uuid())
        .bind(&link.platform)
        .bind(&link.remote_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Ingested::Stored { order: Box::new(order), created }))
    }

    async fn told_entries(&self, after: i64, up_to: i64, limit: u32) -> Result<Vec<TimelineRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT seq, store_id, case_id, doc FROM timeline
             WHERE seq > GREATEST($1, (SELECT floor FROM platform_events_cursor WHERE id = 1)) AND seq <= $2
               AND doc->'event'->>'type' = ANY($3)
               AND NOT EXISTS (SELECT 1 FROM platform_told t WHERE t.seq = timeline.seq)
             ORDER BY seq LIMIT $4",
        )
        .bind(after)
        .bind(up_to)
        .bind(TOLD_EVENTS)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let Json(entry) = row.try_get(3)?;
                Ok(TimelineRow {
                    store_id: StoreId::from_uuid(row.try_get(1)?),
                    case_id: redress_domain::CaseId::from_uuid(row.try_get(2)?),
                    entry: RecordedEntry { seq: row.try_get(0)?, entry },
                })
            })
            .collect()
    }

    async fn events_cursor(&self) -> Result<(i64, i64), StorageError> {
        let row = sqlx::query(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM timeline), seq FROM platform_events_cursor WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get(0)?, row.try_get(1)?))
    }

    async fn advance_events_cursor(&self, seq: i64) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE platform_events_cursor SET seq = GREATEST(seq, $1) WHERE id = 1")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM platform_told WHERE seq <= $1").bind(seq - CURSOR_OVERLAP).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn enqueue_pushes(&self, pushes: &[Push], told: &[i64], now: OffsetDateTime) -> Result<usize, StorageError> {
        let mut tx = self.pool.begin().await?;
        let mut new = 0;
        for push in pushes {
            new += usize::from(insert_push(&mut *tx, push, now).await?);
        }
        sqlx::query("INSERT INTO platform_told (seq) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING")
            .bind(told)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(new)
    }

    async fn pushes(&self, store_id: StoreId, kind: &str, limit: u32) -> Result<Vec<PushRecord>, StorageError> {
        let rows = sqlx::query(
            "SELECT push_key, order_id, payload, attempts, status, due_at_us, last_error, created_at_us
             FROM platform_pushes WHERE store_id = $1 AND kind = $2
             ORDER BY created_at_us DESC, push_key DESC LIMIT $3",
        )
        .bind(store_id.as_uuid())
        .bind(kind)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let Json(payload): Json<serde_json::Value> = row.try_get(2)?;
                Ok(PushRecord {
                    push: Push {
                        store_id,
                        key: row.try_get(0)?,
                        order_id: row.try_get::<Option<Uuid>, _>(1)?.map(OrderId::from_uuid),
                        kind: kind.to_owned(),
                        payload,
                        attempts: u32::try_from(row.try_get::<i32, _>(3)?).unwrap_or(0),
                    },
                    status: row.try_get(4)?,
                    due_at: from_micros(row.try_get(5)?)?,
                    last_error: row.try_get(6)?,
                    created_at: from_micros(row.try_get(7)?)?,
                })
            })
            .collect()
    }

    async fn replay_push(&self, store_id: StoreId, key: &str, now: OffsetDateTime) -> Result<bool, StorageError> {
        let changed = sqlx::query(
            "UPDATE platform_pushes SET status = 'pending', attempts = 0, due_at_us = $1, last_error = NULL
             WHERE store_id = $2 AND push_key = $3",
        )
        .bind(micros(now))
        .bind(store_id.as_uuid())
        .bind(key)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }
}
