//! The self-service assistant's conversations, reached through [`crate::Storage::assistant`]:
//! kept between turns on both backends, so any server continues any conversation.

use async_trait::async_trait;
use redress_domain::StoreId;
use redress_domain::assistant::Conversation;

use crate::StorageError;
use crate::channels::ChannelWrites;

/// A conversation as stored, with the version a save must match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredConversation {
    /// The conversation.
    pub conversation: Conversation,
    /// Its version: 0 before the first save, one more after each.
    pub version: i64,
}

/// The assistant's conversations, on both backends.
#[async_trait]
pub trait AssistantStorage: Send + Sync {
    /// The conversation `id` of `store_id`, if there is one.
    async fn conversation(&self, store_id: StoreId, id: uuid::Uuid)
    -> Result<Option<StoredConversation>, StorageError>;

    /// The newest conversation of `store_id` with the messaging app identity `chat_sender`
    /// (`whatsapp:48600100200`), if there is one.
    async fn conversation_of_sender(
        &self,
        store_id: StoreId,
        chat_sender: &str,
    ) -> Result<Option<StoredConversation>, StorageError>;

    /// Saves `conversation` over version `version` (0: a new one), with the turn's channel
    /// records (the message received, the answer to send) in the same transaction. A turn saved
    /// meanwhile by another request or server refuses it with `Conflict::ChangedMeanwhile`, so
    /// two turns never both act on one state; a message received before refuses it with
    /// `Conflict::Duplicate`, so a provider's redelivery is answered once.
    async fn save_conversation(
        &self,
        conversation: &Conversation,
        version: i64,
        writes: &ChannelWrites,
    ) -> Result<(), StorageError>;
}
