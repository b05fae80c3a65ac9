//! The assistant's conversations on PostgreSQL.

use async_trait::async_trait;
use redress_domain::StoreId;
use redress_domain::assistant::Conversation;
use sqlx::Row;
use sqlx::types::Json;

use crate::assistant::{AssistantStorage, StoredConversation};
use crate::channels::ChannelWrites;
use crate::channels_postgres::insert_writes;
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

    async fn conversation_of_sender(
        &self,
        store_id: StoreId,
        chat_sender: &str,
    ) -> Result<Option<StoredConversation>, StorageError> {
        let row = sqlx::query(
            "SELECT version, doc FROM assistant_conversations WHERE store_id = $1 AND chat_sender = $2
             ORDER BY updated_at_us DESC LIMIT 1",
        )
        .bind(store_id.as_uuid())
        .bind(chat_sender)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Ok(StoredConversation { version: row.try_get(0)?, conversation: from_doc(row.try_get(1)?)? }))
            .transpose()
    }

    async fn save_conversation(
        &self,
        conversation: &Conversation,
        version: i64,
        writes: &ChannelWrites,
    ) -> Result<(), StorageError> {
        let at = micros(conversation.updated_at);
        let mut tx = self.pool.begin().await?;
        let result = if version == 0 {
            sqlx::query(
                "INSERT INTO assistant_conversations (id, store_id, version, updated_at_us, doc, chat_sender)
                 VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT (id) DO NOTHING",
            )
            .bind(conversation.id)
            .bind(conversation.store_id.as_uuid())
            .bind(at)
            .bind(Json(conversation))
            .bind(&conversation.chat_sender)
            .execute(&mut *tx)
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
            .execute(&mut *tx)
            .await
        };
        match result {
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                return Err(StorageError::NotFound("store"));
            }
            Err(e) => return Err(e.into()),
            Ok(done) if done.rows_affected() == 0 => return Err(Conflict::ChangedMeanwhile("conversation").into()),
            Ok(_) => {}
        }
        insert_writes(&mut tx, writes).await?;
        tx.commit().await?;
        Ok(())
    }
}
