//! Shop platforms' connections, deliveries and order links on SQLite.

use async_trait::async_trait;
use redress_domain::{Customer, Order, OrderId, StoreId};
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::follow_through::CURSOR_OVERLAP;
use crate::platforms::{
    Delivery, Ingested, LinkedOrderFn, OrderLink, PlatformConnection, PlatformStorage, Push, PushOutcome, PushRecord,
    TOLD_EVENTS, TimelineRow, WebhookEndpoint,
};
use crate::sqlite::{SqliteStorage, one_doc, store_exists, upsert_order_in};
use crate::{RecordedEntry, StorageError, from_micros, micros};

const CONNECTION_COLUMNS: &str = "store_id, platform, base_url, sealed_credentials, connected_at_us, last_sync_at_us, \
     last_error, last_error_at_us";

type ConnectionRow = (String, String, String, Vec<u8>, i64, Option<i64>, Option<String>, Option<i64>);

fn connection(row: &rusqlite::Row<'_>) -> rusqlite::Result<ConnectionRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?, row.get(7)?))
}

fn connection_of(row: ConnectionRow) -> Result<PlatformConnection, StorageError> {
    let (store_id, platform, base_url, sealed_credentials, connected_at, last_sync_at, last_error, last_error_at) = row;
    Ok(PlatformConnection {
        store_id: store_id.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))?,
        platform,
        base_url,
        sealed_credentials,
        connected_at: from_micros(connected_at)?,
        last_sync_at: last_sync_at.map(from_micros).transpose()?,
        last_error,
        last_error_at: last_error_at.map(from_micros).transpose()?,
    })
}

/// Records a delivery; false when it was recorded before.
fn record(conn: &Connection, delivery: &Delivery) -> Result<bool, StorageError> {
    store_exists(conn, delivery.store_id)?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO platform_webhooks (store_id, platform, delivery_id, topic, received_at_us)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            delivery.store_id.to_string(),
            delivery.platform,
            delivery.delivery_id,
            delivery.topic,
            micros(delivery.received_at)
        ])?;
    Ok(inserted == 1)
}

/// Writes a push due at `now`; false when its key was written before.
fn insert_push(conn: &Connection, push: &Push, now: OffsetDateTime) -> Result<bool, StorageError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO platform_pushes (store_id, push_key, order_id, kind, payload, status, due_at_us, created_at_us)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?6) ON CONFLICT DO NOTHING",
        )?
        .execute(params![
            push.store_id.to_string(),
            push.key,
            push.order_id.map(|id| id.to_string()),
            push.kind,
            serde_json::to_string(&push.payload)?,
            micros(now)
        ])?;
    Ok(inserted == 1)
}

fn parse<T: std::str::FromStr<Err = uuid::Error>>(text: &str) -> Result<T, StorageError> {
    text.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))
}

fn link_of(platform: String, remote_id: String, shipment_ids: &str) -> Result<OrderLink, StorageError> {
    Ok(OrderLink { platform, remote_id, shipment_ids: serde_json::from_str(shipment_ids)? })
}

#[async_trait]
impl PlatformStorage for SqliteStorage {
    async fn connect_platform(&self, connection: &PlatformConnection) -> Result<(), StorageError> {
        let c = connection.clone();
        self.write(move |conn| {
            store_exists(conn, c.store_id)?;
            conn.prepare_cached(
                "INSERT INTO platform_connections (store_id, platform, base_url, sealed_credentials, connected_at_us)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (store_id, platform) DO UPDATE SET base_url = excluded.base_url,
                   sealed_credentials = excluded.sealed_credentials, connected_at_us = excluded.connected_at_us,
                   last_sync_at_us = NULL, last_error = NULL, last_error_at_us = NULL",
            )?
            .execute(params![
                c.store_id.to_string(),
                c.platform,
                c.base_url,
                c.sealed_credentials,
                micros(c.connected_at)
            ])?;
            Ok(())
        })
        .await
    }

    async fn platform_connection(
        &self,
        store_id: StoreId,
        platform: &str,
    ) -> Result<Option<PlatformConnection>, StorageError> {
        let platform = platform.to_owned();
        self.read(move |conn| {
            conn.prepare_cached(&format!(
                "SELECT {CONNECTION_COLUMNS} FROM platform_connections WHERE store_id = ?1 AND platform = ?2"
            ))?
            .query_row(params![store_id.to_string(), platform], connection)
            .optional()?
            .map(connection_of)
            .transpose()
        })
        .await
    }

    async fn platform_connections(&self, store_id: StoreId) -> Result<Vec<PlatformConnection>, StorageError> {
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(&format!(
                    "SELECT {CONNECTION_COLUMNS} FROM platform_connections WHERE store_id = ?1 ORDER BY platform"
                ))?
                .query_map([store_id.to_string()], connection)?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(connection_of).collect()
        })
        .await
    }

    async fn record_sync(
        &self,
        store_id: StoreId,
        platform: &str,
        at: OffsetDateTime,
        error: Option<&str>,
    ) -> Result<(), StorageError> {
        let (platform, error) = (platform.to_owned(), error.map(str::to_owned));
        self.write(move |conn| {
            let changed = match error {
                None => conn
                    .prepare_cached(
                        "UPDATE platform_connections SET last_sync_at_us = ?1, last_error = NULL, last_error_at_us = NULL
                         WHERE store_id = ?2 AND platform = ?3",
                    )?
                    .execute(params![micros(at), store_id.to_string(), platform])?,
                Some(error) => conn
                    .prepare_cached(
                        "UPDATE platform_connections SET last_error = ?1, last_error_at_us = ?2
                         WHERE store_id = ?3 AND platform = ?4",
                    )?
                    .execute(params![error, micros(at), store_id.to_string(), platform])?,
            };
            if changed == 0 {
                return Err(StorageError::NotFound("platform connection"));
            }
            Ok(())
        })
        .await
    }

    async fn record_delivery(&self, delivery: &Delivery) -> Result<bool, StorageError> {
        let delivery = delivery.clone();
        self.write(move |conn| record(conn, &delivery)).await
    }

    async fn ingest_order(
        &self,
        delivery: Option<&Delivery>,
        link: &OrderLink,
        customer: &Customer,
        order: &Order,
        now: OffsetDateTime,
    ) -> Result<Ingested, StorageError> {
        let (delivery, link, customer, order) = (delivery.cloned(), link.clone(), customer.clone(), order.clone());
        self.write(move |conn| {
            if let Some(delivery) = &delivery
                && !record(conn, delivery)?
            {
                return Ok(Ingested::Duplicate);
            }
            let (order, created) = upsert_order_in(conn, customer, order, now)?;
            conn.prepare_cached(
                "INSERT INTO platform_orders (store_id, platform, remote_id, order_id, shipment_ids)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (store_id, platform, remote_id) DO UPDATE SET order_id = excluded.order_id,
                   shipment_ids = excluded.shipment_ids",
            )?
            .execute(params![
                order.store_id.to_string(),
                link.platform,
                link.remote_id,
                order.id.to_string(),
                serde_json::to_string(&link.shipment_ids)?
            ])?;
            Ok(Ingested::Stored { order: Box::new(order), created })
        })
        .await
    }

    async fn order_link(&self, store_id: StoreId, order_id: OrderId) -> Result<Option<OrderLink>, StorageError> {
        self.read(move |conn| {
            let row: Option<(String, String, String)> = conn
                .prepare_cached(
                    "SELECT platform, remote_id, shipment_ids FROM platform_orders WHERE store_id = ?1 AND order_id = ?2",
                )?
                .query_row([store_id.to_string(), order_id.to_string()], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })
                .optional()?;
            row.map(|(platform, remote_id, ids)| link_of(platform, remote_id, &ids)).transpose()
        })
        .await
    }

    async fn import_orders(&self, orders: &[(Customer, Order)], now: OffsetDateTime) -> Result<usize, StorageError> {
        let orders = orders.to_vec();
        self.write(move |conn| {
            let mut created = 0;
            for (customer, order) in orders {
                if upsert_order_in(conn, customer, order, now)?.1 {
                    created += 1;
                }
            }
            Ok(created)
        })
        .await
    }

    async fn claim_pushes(
        &self,
        only: Option<(StoreId, &str)>,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<Push>, StorageError> {
        let only = only.map(|(store_id, key)| (store_id.to_string(), key.to_owned()));
        self.write(move |conn| {
            let (store_id, key) = only.unzip();
            let rows = conn
                .prepare_cached(
                    "UPDATE platform_pushes SET due_at_us = ?1, attempts = attempts + 1
                     WHERE rowid IN (SELECT rowid FROM platform_pushes
                       WHERE status = 'pending' AND due_at_us <= ?2
                         AND (?3 IS NULL OR (store_id = ?3 AND push_key = ?4))
                       ORDER BY due_at_us LIMIT ?5)
                     RETURNING store_id, push_key, order_id, kind, payload, attempts",
                )?
                .query_map(params![micros(now + lease), micros(now), store_id, key, limit], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, u32>(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let corrupt = |e: uuid::Error| StorageError::Corrupt(e.to_string());
            rows.into_iter()
                .map(|(store_id, key, order_id, kind, payload, attempts)| {
                    Ok(Push {
                        store_id: store_id.parse().map_err(corrupt)?,
                        key,
                        order_id: order_id.map(|id| id.parse()).transpose().map_err(corrupt)?,
                        kind,
                        payload: serde_json::from_str(&payload)?,
                        attempts,
                    })
                })
                .collect()
        })
        .await
    }

    async fn finish_push(&self, store_id: StoreId, key: &str, outcome: &PushOutcome) -> Result<(), StorageError> {
        let (key, outcome) = (key.to_owned(), outcome.clone());
        self.write(move |conn| {
            let (status, due, error) = match outcome {
                PushOutcome::Done => ("done", None, None),
                PushOutcome::Retry { at, error } => ("pending", Some(micros(at)), Some(error)),
                PushOutcome::Failed { error } => ("failed", None, Some(error)),
            };
            conn.prepare_cached(
                "UPDATE platform_pushes SET status = ?1, due_at_us = coalesce(?2, due_at_us), last_error = ?3
                 WHERE store_id = ?4 AND push_key = ?5",
            )?
            .execute(params![status, due, error, store_id.to_string(), key])?;
            Ok(())
        })
        .await
    }

    async fn add_webhook_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), StorageError> {
        let e = endpoint.clone();
        self.write(move |conn| {
            store_exists(conn, e.store_id)?;
            conn.prepare_cached(
                "INSERT INTO webhook_endpoints (id, store_id, url, events, sealed_secret, created_at_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                e.id.to_string(),
                e.store_id.to_string(),
                e.url,
                serde_json::to_string(&e.events)?,
                e.sealed_secret,
                micros(e.created_at)
            ])?;
            Ok(())
        })
        .await
    }

    async fn webhook_endpoints(&self, store_id: StoreId) -> Result<Vec<WebhookEndpoint>, StorageError> {
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT id, url, events, sealed_secret, created_at_us FROM webhook_endpoints
                     WHERE store_id = ?1 ORDER BY created_at_us, id",
                )?
                .query_map([store_id.to_string()], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Vec<u8>>(3)?,
                        row.get::<_, i64>(4)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(id, url, events, sealed_secret, created_at)| {
                    Ok(WebhookEndpoint {
                        id: id.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))?,
                        store_id,
                        url,
                        events: serde_json::from_str(&events)?,
                        sealed_secret,
                        created_at: from_micros(created_at)?,
                    })
                })
                .collect()
        })
        .await
    }

    async fn remove_webhook_endpoint(&self, store_id: StoreId, id: uuid::Uuid) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let removed = conn
                .prepare_cached("DELETE FROM webhook_endpoints WHERE store_id = ?1 AND id = ?2")?
                .execute([store_id.to_string(), id.to_string()])?;
            Ok(removed == 1)
        })
        .await
    }

    async fn replace_webhook_secret(
        &self,
        store_id: StoreId,
        id: uuid::Uuid,
        sealed_secret: &[u8],
    ) -> Result<bool, StorageError> {
        let sealed = sealed_secret.to_vec();
        self.write(move |conn| {
            let changed = conn
                .prepare_cached("UPDATE webhook_endpoints SET sealed_secret = ?1 WHERE store_id = ?2 AND id = ?3")?
                .execute(params![sealed, store_id.to_string(), id.to_string()])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn change_linked_order(
        &self,
        delivery: &Delivery,
        remote_id: &str,
        change: LinkedOrderFn,
        now: OffsetDateTime,
    ) -> Result<Option<Ingested>, StorageError> {
        let (delivery, remote_id) = (delivery.clone(), remote_id.to_owned());
        // One writer: the read, the change and the write below run with no other write between.
        self.write(move |conn| {
            if !record(conn, &delivery)? {
                return Ok(Some(Ingested::Duplicate));
            }
            let store = delivery.store_id.to_string();
            let row: Option<(String, String)> = conn
                .prepare_cached(
                    "SELECT order_id, shipment_ids FROM platform_orders
                     WHERE store_id = ?1 AND platform = ?2 AND remote_id = ?3",
                )?
                .query_row(params![store, delivery.platform, remote_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?;
            let Some((order_id, shipment_ids)) = row else { return Ok(None) };
            let order: Order =
                one_doc(conn, "SELECT doc FROM orders WHERE store_id = ?1 AND id = ?2", [&store, &order_id])?
                    .ok_or(StorageError::NotFound("order"))?;
            let customer: Customer = one_doc(
                conn,
                "SELECT doc FROM customers WHERE store_id = ?1 AND id = ?2",
                [store.clone(), order.customer_id.to_string()],
            )?
            .ok_or(StorageError::NotFound("customer"))?;
            let (order, link) = change(order, link_of(delivery.platform.clone(), remote_id.clone(), &shipment_ids)?)?;
            let (order, created) = upsert_order_in(conn, customer, order, now)?;
            conn.prepare_cached(
                "UPDATE platform_orders SET shipment_ids = ?1 WHERE store_id = ?2 AND platform = ?3 AND remote_id = ?4",
            )?
            .execute(params![
                serde_json::to_string(&link.shipment_ids)?,
                store,
                link.platform,
                link.remote_id
            ])?;
            Ok(Some(Ingested::Stored { order: Box::new(order), created }))
        })
        .await
    }

    async fn told_entries(&self, after: i64, up_to: i64, limit: u32) -> Result<Vec<TimelineRow>, StorageError> {
        let types = TOLD_EVENTS.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(&format!(
                    "SELECT seq, store_id, case_id, doc FROM timeline
                     WHERE seq > MAX(?1, (SELECT floor FROM platform_events_cursor WHERE id = 1)) AND seq <= ?2
                       AND json_extract(doc, '$.event.type') IN ({types})
                       AND NOT EXISTS (SELECT 1 FROM platform_told t WHERE t.seq = timeline.seq)
                     ORDER BY seq LIMIT ?3"
                ))?
                .query_map(params![after, up_to, limit], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(seq, store_id, case_id, doc)| {
                    Ok(TimelineRow {
                        store_id: parse(&store_id)?,
                        case_id: parse(&case_id)?,
                        entry: RecordedEntry { seq, entry: serde_json::from_str(&doc)? },
                    })
                })
                .collect()
        })
        .await
    }

    async fn events_cursor(&self) -> Result<(i64, i64), StorageError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT (SELECT COALESCE(MAX(seq), 0) FROM timeline), seq FROM platform_events_cursor WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await
    }

    async fn advance_events_cursor(&self, seq: i64) -> Result<(), StorageError> {
        self.write(move |conn| {
            conn.prepare_cached("UPDATE platform_events_cursor SET seq = MAX(seq, ?1) WHERE id = 1")?.execute([seq])?;
            conn.prepare_cached("DELETE FROM platform_told WHERE seq <= ?1")?.execute([seq - CURSOR_OVERLAP])?;
            Ok(())
        })
        .await
    }

    async fn enqueue_pushes(&self, pushes: &[Push], told: &[i64], now: OffsetDateTime) -> Result<usize, StorageError> {
        let (pushes, told) = (pushes.to_vec(), told.to_vec());
        self.write(move |conn| {
            let mut new = 0;
            for push in &pushes {
                new += usize::from(insert_push(conn, push, now)?);
            }
            let mut mark = conn.prepare_cached("INSERT INTO platform_told (seq) VALUES (?1) ON CONFLICT DO NOTHING")?;
            for seq in told {
                mark.execute([seq])?;
            }
            Ok(new)
        })
        .await
    }

    async fn pushes(&self, store_id: StoreId, kind: &str, limit: u32) -> Result<Vec<PushRecord>, StorageError> {
        let kind = kind.to_owned();
        self.read(move |conn| {
            let rows = conn
                .prepare_cached(
                    "SELECT push_key, order_id, payload, attempts, status, due_at_us, last_error, created_at_us
                     FROM platform_pushes WHERE store_id = ?1 AND kind = ?2
                     ORDER BY created_at_us DESC, push_key DESC LIMIT ?3",
                )?
                .query_map(params![store_id.to_string(), kind, limit], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, Option<String>>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, u32>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, i64>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, i64>(7)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(key, order_id, payload, attempts, status, due_at, last_error, created_at)| {
                    Ok(PushRecord {
                        push: Push {
                            store_id,
                            key,
                            order_id: order_id.as_deref().map(parse).transpose()?,
                            kind: kind.clone(),
                            payload: serde_json::from_str(&payload)?,
                            attempts,
                        },
                        status,
                        due_at: from_micros(due_at)?,
                        last_error,
                        created_at: from_micros(created_at)?,
                    })
                })
                .collect()
        })
        .await
    }

    async fn replay_push(&self, store_id: StoreId, key: &str, now: OffsetDateTime) -> Result<bool, StorageError> {
        let key = key.to_owned();
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE platform_pushes SET status = 'pending', attempts = 0, due_at_us = ?1, last_error = NULL
                     WHERE store_id = ?2 AND push_key = ?3",
                )?
                .execute(params![micros(now), store_id.to_string(), key])?;
            Ok(changed == 1)
        })
        .await
    }
}
