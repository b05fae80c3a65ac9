//! The desk's state on PostgreSQL.

use async_trait::async_trait;
use redress_domain::desk::{Macro, SavedView};
use redress_domain::{AgentId, CaseId, StoreId};
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::desk::{DeskStorage, MAX_LISTED, StoreChanges, Viewer};
use crate::postgres::{PostgresStorage, all_docs};
use crate::{StorageError, from_micros, micros};

#[async_trait]
impl DeskStorage for PostgresStorage {
    async fn see_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        (agent_id, name): (AgentId, &str),
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO desk_presence (store_id, case_id, agent_id, agent_name, last_seen_us)
             SELECT $1, $2, $3, $4, $5 WHERE EXISTS (SELECT 1 FROM cases WHERE id = $2 AND store_id = $1)
             ON CONFLICT (store_id, case_id, agent_id)
             DO UPDATE SET agent_name = excluded.agent_name,
                 last_seen_us = GREATEST(desk_presence.last_seen_us, excluded.last_seen_us)",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .bind(agent_id.as_uuid())
        .bind(name)
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn viewers(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        since: OffsetDateTime,
    ) -> Result<Vec<Viewer>, StorageError> {
        let rows = sqlx::query(
            "SELECT agent_id, agent_name, last_seen_us FROM desk_presence
             WHERE store_id = $1 AND case_id = $2 AND last_seen_us >= $3 ORDER BY last_seen_us LIMIT $4",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .bind(micros(since))
        .bind(i64::from(MAX_LISTED))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Viewer {
                    agent_id: AgentId::from_uuid(row.try_get(0)?),
                    name: row.try_get(1)?,
                    last_seen: from_micros(row.try_get(2)?)?,
                })
            })
            .collect()
    }

    async fn store_changes(&self, store_id: StoreId, after: i64) -> Result<StoreChanges, StorageError> {
        // Both read the primary key's end: only the entries after `after` are visited.
        let row = sqlx::query(
            "SELECT (SELECT COUNT(DISTINCT case_id) FROM timeline WHERE seq > $2 AND store_id = $1),
                    (SELECT COALESCE(MAX(seq), 0) FROM timeline)",
        )
        .bind(store_id.as_uuid())
        .bind(after)
        .fetch_one(&self.pool)
        .await?;
        let cases: i64 = row.try_get(0)?;
        Ok(StoreChanges { cases: u32::try_from(cases).unwrap_or(u32::MAX), last_seq: row.try_get(1)? })
    }

    async fn save_macro(&self, saved: &Macro) -> Result<(), StorageError> {
        let result = sqlx::query(
            "INSERT INTO desk_macros (id, store_id, name, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc
             WHERE desk_macros.store_id = excluded.store_id",
        )
        .bind(saved.id)
        .bind(saved.store_id.as_uuid())
        .bind(&saved.name)
        .bind(Json(saved))
        .execute(&self.pool)
        .await;
        match result {
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StorageError::NotFound("store")),
            other => other.map(|_| ()).map_err(StorageError::from),
        }
    }

    async fn macros(&self, store_id: StoreId) -> Result<Vec<Macro>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM desk_macros WHERE store_id = $1 ORDER BY name LIMIT $2")
                .bind(store_id.as_uuid())
                .bind(i64::from(MAX_LISTED)),
            &self.pool,
        )
        .await
    }

    async fn delete_macro(&self, store_id: StoreId, id: Uuid) -> Result<bool, StorageError> {
        let done = sqlx::query("DELETE FROM desk_macros WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn save_view(&self, view: &SavedView) -> Result<(), StorageError> {
        let result =
            sqlx::query("INSERT INTO desk_views (id, store_id, agent_id, name, doc) VALUES ($1, $2, $3, $4, $5)")
                .bind(view.id)
                .bind(view.store_id.as_uuid())
                .bind(view.agent_id.map(|a| a.as_uuid()))
                .bind(&view.name)
                .bind(Json(view))
                .execute(&self.pool)
                .await;
        match result {
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StorageError::NotFound("store")),
            other => other.map(|_| ()).map_err(StorageError::from),
        }
    }

    async fn views(&self, store_id: StoreId, agent: AgentId) -> Result<Vec<SavedView>, StorageError> {
        all_docs(
            sqlx::query(
                "SELECT doc FROM desk_views WHERE store_id = $1 AND (agent_id IS NULL OR agent_id = $2)
                 ORDER BY name LIMIT $3",
            )
            .bind(store_id.as_uuid())
            .bind(agent.as_uuid())
            .bind(i64::from(MAX_LISTED)),
            &self.pool,
        )
        .await
    }

    async fn delete_view(&self, store_id: StoreId, id: Uuid, agent: AgentId) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "DELETE FROM desk_views WHERE store_id = $1 AND id = $2 AND (agent_id IS NULL OR agent_id = $3)",
        )
        .bind(store_id.as_uuid())
        .bind(id)
        .bind(agent.as_uuid())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
