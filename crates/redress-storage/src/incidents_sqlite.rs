//! Incidents on SQLite.

use async_trait::async_trait;
use redress_domain::incident::Incident;
use redress_domain::{CaseId, StoreId};
use rusqlite::params;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::channels_sqlite::parse_uuid;
use crate::incidents::{IncidentStorage, MAX_LISTED};
use crate::sqlite::{SqliteStorage, all_docs, one_doc};
use crate::{StorageError, micros};

#[async_trait]
impl IncidentStorage for SqliteStorage {
    async fn save_incident(&self, incident: &Incident) -> Result<(), StorageError> {
        let incident = incident.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO incidents (id, store_id, status, declared_at_us, doc) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc
                 WHERE incidents.store_id = excluded.store_id",
            )?
            .execute(params![
                incident.id.to_string(),
                incident.store_id.to_string(),
                incident.status.as_str(),
                micros(incident.declared_at),
                serde_json::to_string(&incident)?
            ])?;
            Ok(())
        })
        .await
    }

    async fn incidents(&self, store_id: StoreId) -> Result<Vec<Incident>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM incidents WHERE store_id = ?1
                 ORDER BY status = 'resolved', declared_at_us DESC LIMIT ?2",
                params![store_id.to_string(), MAX_LISTED],
            )
        })
        .await
    }

    async fn incident(&self, store_id: StoreId, id: Uuid) -> Result<Option<Incident>, StorageError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM incidents WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await
    }

    async fn link_case(
        &self,
        store_id: StoreId,
        incident_id: Uuid,
        case_id: CaseId,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let added = conn
                .prepare_cached(
                    "INSERT INTO incident_cases (incident_id, case_id, store_id, linked_at_us)
                     SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM incidents WHERE id = ?1 AND store_id = ?3)
                     ON CONFLICT DO NOTHING",
                )?
                .execute(params![incident_id.to_string(), case_id.to_string(), store_id.to_string(), micros(now)])?;
            Ok(added == 1)
        })
        .await
    }

    async fn linked_cases(&self, store_id: StoreId, incident_id: Uuid) -> Result<Vec<CaseId>, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT case_id FROM incident_cases WHERE store_id = ?1 AND incident_id = ?2 ORDER BY linked_at_us, case_id",
            )?;
            let ids: Vec<String> = statement
                .query_map(params![store_id.to_string(), incident_id.to_string()], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            ids.iter().map(|id| Ok(CaseId::from_uuid(parse_uuid(id)?))).collect()
        })
        .await
    }
}
