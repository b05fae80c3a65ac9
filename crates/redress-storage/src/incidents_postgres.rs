//! Incidents on PostgreSQL.

use async_trait::async_trait;
use redress_domain::incident::Incident;
use redress_domain::{CaseId, StoreId};
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::incidents::{IncidentStorage, MAX_LISTED};
use crate::postgres::{PostgresStorage, from_doc};
use crate::{StorageError, micros};

#[async_trait]
impl IncidentStorage for PostgresStorage {
    async fn save_incident(&self, incident: &Incident) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO incidents (id, store_id, status, declared_at_us, doc) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET status = excluded.status, doc = excluded.doc
             WHERE incidents.store_id = excluded.store_id",
        )
        .bind(incident.id)
        .bind(incident.store_id.as_uuid())
        .bind(incident.status.as_str())
        .bind(micros(incident.declared_at))
        .bind(Json(incident))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn incidents(&self, store_id: StoreId) -> Result<Vec<Incident>, StorageError> {
        let rows = sqlx::query(
            "SELECT doc FROM incidents WHERE store_id = $1
             ORDER BY status = 'resolved', declared_at_us DESC LIMIT $2",
        )
        .bind(store_id.as_uuid())
        .bind(i64::from(MAX_LISTED))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| from_doc(row.try_get("doc")?)).collect()
    }

    async fn incident(&self, store_id: StoreId, id: Uuid) -> Result<Option<Incident>, StorageError> {
        let row = sqlx::query("SELECT doc FROM incidents WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| from_doc(row.try_get("doc")?)).transpose()
    }

    async fn link_case(
        &self,
        store_id: StoreId,
        incident_id: Uuid,
        case_id: CaseId,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let added = sqlx::query(
            "INSERT INTO incident_cases (incident_id, case_id, store_id, linked_at_us)
             SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM incidents WHERE id = $1 AND store_id = $3)
             ON CONFLICT DO NOTHING",
        )
        .bind(incident_id)
        .bind(case_id.as_uuid())
        .bind(store_id.as_uuid())
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        Ok(added.rows_affected() == 1)
    }

    async fn linked_cases(&self, store_id: StoreId, incident_id: Uuid) -> Result<Vec<CaseId>, StorageError> {
        let rows = sqlx::query(
            "SELECT case_id FROM incident_cases WHERE store_id = $1 AND incident_id = $2 ORDER BY linked_at_us, case_id",
        )
        .bind(store_id.as_uuid())
        .bind(incident_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| Ok(CaseId::from_uuid(row.try_get::<Uuid, _>(0)?))).collect()
    }
}
