//! The self-service assistant's conversations, reached through [`crate::Storage::assistant`]:
//! kept between turns on both backends, so any server continues any conversation.

use async_trait::async_trait;
use redress_domain::StoreId;
use redress_domain::assistant::Conversation;

use crate::StorageError;

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

    /// Saves `conversation` over version `version` (0: a new one). A turn saved meanwhile by
    /// another request or server refuses it with `Conflict::ChangedMeanwhile`, so two turns
    /// never both act on one state.
    async fn save_conversation(&self, conversation: &Conversation, version: i64) -> Result<(), StorageError>;
}
