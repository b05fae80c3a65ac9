//! The support team's accounts and sign-in sessions, reached through [`crate::Storage::team`].
//!
//! Storage never sees a password or a session token: the web layer hands it an argon2 hash
//! and a SHA-256 of the token, so a copy of the database opens no one's account.

use async_trait::async_trait;
use redress_domain::approval::Role;
use redress_domain::team::Agent;
use redress_domain::{AgentId, EmailAddress, StoreId};
use time::OffsetDateTime;

use crate::StorageError;

/// A signed-in browser, as kept at rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentSession {
    /// Hex SHA-256 of the cookie's token.
    pub token_hash: String,
    /// The store.
    pub store_id: StoreId,
    /// Who signed in.
    pub agent_id: AgentId,
    /// When they signed in.
    pub created_at: OffsetDateTime,
    /// When the session ends without activity.
    pub expires_at: OffsetDateTime,
}

/// Team accounts and sessions, on both backends.
#[async_trait]
pub trait TeamStorage: Send + Sync {
    /// Adds a team member with their password's hash; an email already on the team is a
    /// [`StorageError::Conflict`], an unknown store [`StorageError::NotFound`].
    async fn add_agent(&self, agent: &Agent, password_hash: &str) -> Result<(), StorageError>;
    /// The store's team, by name.
    async fn agents(&self, store_id: StoreId) -> Result<Vec<Agent>, StorageError>;
    /// One team member.
    async fn agent(&self, store_id: StoreId, id: AgentId) -> Result<Agent, StorageError>;
    /// The team member with this email (compared without case) and their password hash.
    async fn agent_sign_in(
        &self,
        store_id: StoreId,
        email: &EmailAddress,
    ) -> Result<Option<(Agent, String)>, StorageError>;
    /// Changes a member's role.
    async fn set_agent_role(&self, store_id: StoreId, id: AgentId, role: Role) -> Result<Agent, StorageError>;
    /// Replaces a member's password hash and ends their sessions.
    async fn set_agent_password(&self, store_id: StoreId, id: AgentId, password_hash: &str)
    -> Result<(), StorageError>;
    /// Removes a member from the team and ends their sessions. Their name stays on the
    /// timelines they wrote.
    async fn remove_agent(&self, store_id: StoreId, id: AgentId) -> Result<(), StorageError>;
    /// Records a sign-in.
    async fn start_session(&self, session: &AgentSession) -> Result<(), StorageError>;
    /// The unexpired session with this token hash and its agent.
    async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(AgentSession, Agent)>, StorageError>;
    /// Signs a browser out; unknown tokens are ignored.
    async fn end_session(&self, token_hash: &str) -> Result<(), StorageError>;
}
