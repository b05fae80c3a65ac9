//! The assistant's conversations on PostgreSQL.

use async_trait::async_trait;
use redress_domain::StoreId;
use redress_domain::assistant::Conversation;
use sqlx::Row;
use sqlx::types::Json;

use crate::assistant::{AssistantStorage, StoredConversation};
use crate::postgres::{PostgresStorage, from_doc};
use crate::{Conflict, StorageError, micros};

#[async_trait]
impl AssistantStorage for PostgresStorage {
    async fn conversation(
        &self,
        store_id: StoreId,
        id: uuid::Uuid,
    ) -> Result<Option<StoredConversation>, StorageError> {
        let row = sqlx::query("SELECT version, doc FROM assistant_conversations WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok(StoredConversation { version: row.try_get(0)?, conversation: from_doc(row.try_get(1)?)? }))
            .transpose()
    }

    async fn save_conversation(&self, conversation: &Conversation, version: i64) -> Result<(), StorageError> {
        let at = micros(conversation.updated_at);
        let result = if version == 0 {
            sqlx::query(
                "INSERT INTO assistant_conversations (id, store_id, version, updated_at_us, doc)
                 VALUES ($1, $2, 1, $3, $4) ON CONFLICT (id) DO NOTHING",
            )
            .bind(conversation.id)
            .bind(conversation.store_id.as_uuid())
            .bind(at)
            .bind(Json(conversation))
            .execute(&self.pool)
            .await
        } else {
            sqlx::query(
                "UPDATE assistant_conversations SET version = version + 1, updated_at_us = $3, doc = $4
                 WHERE id = $1 AND store_id = $2 AND version = $5",
            )
            .bind(conversation.id)
            .bind(conversation.store_id.as_uuid())
            .bind(at)
            .bind(Json(conversation))
            .bind(version)
            .execute(&self.pool)
            .await
        };
        match result {
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StorageError::NotFound("store")),
            Err(e) => Err(e.into()),
            Ok(done) if done.rows_affected() == 0 => Err(Conflict::ChangedMeanwhile("conversation").into()),
            Ok(_) => Ok(()),
        }
    }
}
