//! The desk's state on SQLite.

use async_trait::async_trait;
use redress_domain::desk::{Macro, SavedView};
use redress_domain::{AgentId, CaseId, StoreId};
use rusqlite::params;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::channels_sqlite::parse_uuid;
use crate::desk::{DeskStorage, MAX_LISTED, StoreChanges, Viewer};
use crate::sqlite::{SqliteStorage, all_docs, store_exists};
use crate::{StorageError, from_micros, micros};

#[async_trait]
impl DeskStorage for SqliteStorage {
    async fn see_case(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        (agent_id, name): (AgentId, &str),
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let name = name.to_owned();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO desk_presence (store_id, case_id, agent_id, agent_name, last_seen_us)
                 SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM cases WHERE id = ?2 AND store_id = ?1)
                 ON CONFLICT (store_id, case_id, agent_id)
                 DO UPDATE SET agent_name = excluded.agent_name, last_seen_us = MAX(last_seen_us, excluded.last_seen_us)",
            )?
            .execute(params![store_id.to_string(), case_id.to_string(), agent_id.to_string(), name, micros(now)])?;
            Ok(())
        })
        .await
    }

    async fn viewers(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        since: OffsetDateTime,
    ) -> Result<Vec<Viewer>, StorageError> {
        let rows: Vec<(String, String, i64)> = self
            .read(move |conn| {
                let mut statement = conn.prepare_cached(
                    "SELECT agent_id, agent_name, last_seen_us FROM desk_presence
                     WHERE store_id = ?1 AND case_id = ?2 AND last_seen_us >= ?3
                     ORDER BY last_seen_us LIMIT ?4",
                )?;
                let rows = statement
                    .query_map(params![store_id.to_string(), case_id.to_string(), micros(since), MAX_LISTED], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(id, name, seen)| {
                Ok(Viewer { agent_id: AgentId::from_uuid(parse_uuid(&id)?), name, last_seen: from_micros(seen)? })
            })
            .collect()
    }

    async fn store_changes(&self, store_id: StoreId, after: i64) -> Result<StoreChanges, StorageError> {
        self.read(move |conn| {
            // Both read the primary key's end: only the entries after `after` are visited.
            let cases: i64 = conn
                .prepare_cached("SELECT COUNT(DISTINCT case_id) FROM timeline WHERE seq > ?2 AND store_id = ?1")?
                .query_row(params![store_id.to_string(), after], |row| row.get(0))?;
            let last_seq: i64 =
                conn.prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM timeline")?.query_row([], |row| row.get(0))?;
            Ok(StoreChanges { cases: u32::try_from(cases).unwrap_or(u32::MAX), last_seq })
        })
        .await
    }

    async fn save_macro(&self, saved: &Macro) -> Result<(), StorageError> {
        let saved = saved.clone();
        self.write(move |conn| {
            store_exists(conn, saved.store_id)?;
            conn.prepare_cached(
                "INSERT INTO desk_macros (id, store_id, name, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, doc = excluded.doc
                 WHERE desk_macros.store_id = excluded.store_id",
            )?
            .execute(params![
                saved.id.to_string(),
                saved.store_id.to_string(),
                saved.name,
                serde_json::to_string(&saved)?
            ])?;
            Ok(())
        })
        .await
    }

    async fn macros(&self, store_id: StoreId) -> Result<Vec<Macro>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM desk_macros WHERE store_id = ?1 ORDER BY name LIMIT ?2",
                params![store_id.to_string(), MAX_LISTED],
            )
        })
        .await
    }

    async fn delete_macro(&self, store_id: StoreId, id: Uuid) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let gone = conn
                .prepare_cached("DELETE FROM desk_macros WHERE store_id = ?1 AND id = ?2")?
                .execute(params![store_id.to_string(), id.to_string()])?;
            Ok(gone > 0)
        })
        .await
    }

    async fn save_view(&self, view: &SavedView) -> Result<(), StorageError> {
        let view = view.clone();
        self.write(move |conn| {
            store_exists(conn, view.store_id)?;
            conn.prepare_cached(
                "INSERT INTO desk_views (id, store_id, agent_id, name, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                view.id.to_string(),
                view.store_id.to_string(),
                view.agent_id.map(|a| a.to_string()),
                view.name,
                serde_json::to_string(&view)?
            ])?;
            Ok(())
        })
        .await
    }

    async fn views(&self, store_id: StoreId, agent: AgentId) -> Result<Vec<SavedView>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM desk_views WHERE store_id = ?1 AND (agent_id IS NULL OR agent_id = ?2)
                 ORDER BY name LIMIT ?3",
                params![store_id.to_string(), agent.to_string(), MAX_LISTED],
            )
        })
        .await
    }

    async fn delete_view(&self, store_id: StoreId, id: Uuid, agent: AgentId) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let gone = conn
                .prepare_cached(
                    "DELETE FROM desk_views WHERE store_id = ?1 AND id = ?2 AND (agent_id IS NULL OR agent_id = ?3)",
                )?
                .execute(params![store_id.to_string(), id.to_string(), agent.to_string()])?;
            Ok(gone > 0)
        })
        .await
    }
}
