//! The assistant's conversations on SQLite.

use async_trait::async_trait;
use redress_domain::StoreId;
use redress_domain::assistant::Conversation;
use rusqlite::{OptionalExtension, params};

use crate::assistant::{AssistantStorage, StoredConversation};
use crate::channels::ChannelWrites;
use crate::channels_sqlite::insert_writes;
use crate::sqlite::{SqliteStorage, doc, store_exists};
use crate::{Conflict, StorageError, micros};

#[async_trait]
impl AssistantStorage for SqliteStorage {
    async fn conversation(
        &self,
        store_id: StoreId,
        id: uuid::Uuid,
    ) -> Result<Option<StoredConversation>, StorageError> {
        let row: Option<(i64, String)> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT version, doc FROM assistant_conversations WHERE store_id = ?1 AND id = ?2")?
                    .query_row(params![store_id.to_string(), id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()?)
            })
            .await?;
        row.map(|(version, text)| Ok(StoredConversation { conversation: doc(&text)?, version })).transpose()
    }

    async fn conversation_of_sender(
        &self,
        store_id: StoreId,
        chat_sender: &str,
    ) -> Result<Option<StoredConversation>, StorageError> {
        let sender = chat_sender.to_owned();
        let row: Option<(i64, String)> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT version, doc FROM assistant_conversations WHERE store_id = ?1 AND chat_sender = ?2
                         ORDER BY updated_at_us DESC LIMIT 1",
                    )?
                    .query_row(params![store_id.to_string(), sender], |row| Ok((row.get(0)?, row.get(1)?)))
                    .optional()?)
            })
            .await?;
        row.map(|(version, text)| Ok(StoredConversation { conversation: doc(&text)?, version })).transpose()
    }

    async fn save_conversation(
        &self,
        conversation: &Conversation,
        version: i64,
        writes: &ChannelWrites,
    ) -> Result<(), StorageError> {
        let conversation = conversation.clone();
        let writes = writes.clone();
        self.write(move |conn| {
            let (id, store) = (conversation.id.to_string(), conversation.store_id.to_string());
            let text = serde_json::to_string(&conversation)?;
            let at = micros(conversation.updated_at);
            let written = if version == 0 {
                store_exists(conn, conversation.store_id)?;
                conn.prepare_cached(
                    "INSERT INTO assistant_conversations (id, store_id, version, updated_at_us, doc, chat_sender)
                     VALUES (?1, ?2, 1, ?3, ?4, ?5) ON CONFLICT (id) DO NOTHING",
                )?
                .execute(params![id, store, at, text, conversation.chat_sender])?
            } else {
                conn.prepare_cached(
                    "UPDATE assistant_conversations SET version = version + 1, updated_at_us = ?3, doc = ?4
                     WHERE id = ?1 AND store_id = ?2 AND version = ?5",
                )?
                .execute(params![id, store, at, text, version])?
            };
            if written == 0 {
                return Err(Conflict::ChangedMeanwhile("conversation").into());
            }
            // In the write's savepoint: a refused record undoes the conversation's save too.
            insert_writes(conn, &writes)
        })
        .await
    }
}
