//! Team accounts and sessions on PostgreSQL.

use async_trait::async_trait;
use redress_domain::approval::Role;
use redress_domain::team::{Agent, check_keeps_admin};
use redress_domain::{AgentId, EmailAddress, StoreId};
use sqlx::Row;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::postgres::{PostgresStorage, all_docs, from_doc, one_doc};
use crate::team::{AgentSession, TeamStorage};
use crate::{Conflict, StorageError, micros};

fn from_micros(us: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// Refuses a change that would leave the store without an admin ([`check_keeps_admin`]). The
/// store's row is locked first, so two admins demoting each other at once queue up and the
/// second sees the first's change instead of both passing the check.
async fn keeps_admin(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    store_id: StoreId,
    id: AgentId,
    role: Option<Role>,
) -> Result<(), StorageError> {
    sqlx::query("SELECT 1 FROM stores WHERE id = $1 FOR UPDATE")
        .bind(store_id.as_uuid())
        .fetch_optional(&mut **tx)
        .await?;
    let team: Vec<Agent> =
        all_docs(sqlx::query("SELECT doc FROM agents WHERE store_id = $1").bind(store_id.as_uuid()), &mut **tx).await?;
    check_keeps_admin(&team, id, role).map_err(|e| StorageError::from(Conflict::LastAdmin(e.to_string())))
}

#[async_trait]
impl TeamStorage for PostgresStorage {
    async fn add_agent(&self, agent: &Agent, password_hash: &str) -> Result<(), StorageError> {
        let result = sqlx::query(
            "INSERT INTO agents (id, store_id, email_key, password_hash, created_at_us, doc)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (store_id, email_key) DO NOTHING",
        )
        .bind(agent.id.as_uuid())
        .bind(agent.store_id.as_uuid())
        .bind(Agent::email_key(&agent.email))
        .bind(password_hash)
        .bind(micros(agent.created_at))
        .bind(Json(agent))
        .execute(&self.pool)
        .await;
        match result {
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StorageError::NotFound("store")),
            Err(e) => Err(e.into()),
            Ok(done) if done.rows_affected() == 0 => {
                Err(Conflict::MemberExists(agent.email.as_str().to_owned()).into())
            }
            Ok(_) => Ok(()),
        }
    }

    async fn agents(&self, store_id: StoreId) -> Result<Vec<Agent>, StorageError> {
        let mut agents: Vec<Agent> =
            all_docs(sqlx::query("SELECT doc FROM agents WHERE store_id = $1").bind(store_id.as_uuid()), &self.pool)
                .await?;
        agents.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(agents)
    }

    async fn agent(&self, store_id: StoreId, id: AgentId) -> Result<Agent, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM agents WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &self.pool,
        )
        .await?
        .ok_or(StorageError::NotFound("agent"))
    }

    async fn agent_sign_in(
        &self,
        store_id: StoreId,
        email: &EmailAddress,
    ) -> Result<Option<(Agent, String)>, StorageError> {
        let row = sqlx::query("SELECT doc, password_hash FROM agents WHERE store_id = $1 AND email_key = $2")
            .bind(store_id.as_uuid())
            .bind(Agent::email_key(email))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok((from_doc(row.try_get("doc")?)?, row.try_get("password_hash")?))).transpose()
    }

    async fn set_agent_role(&self, store_id: StoreId, id: AgentId, role: Role) -> Result<Agent, StorageError> {
        let mut tx = self.pool.begin().await?;
        keeps_admin(&mut tx, store_id, id, Some(role)).await?;
        let mut agent: Agent = one_doc(
            sqlx::query("SELECT doc FROM agents WHERE store_id = $1 AND id = $2 FOR UPDATE")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &mut *tx,
        )
        .await?
        .ok_or(StorageError::NotFound("agent"))?;
        agent.role = role;
        sqlx::query("UPDATE agents SET doc = $1 WHERE id = $2")
            .bind(Json(&agent))
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(agent)
    }

    async fn set_agent_password(
        &self,
        store_id: StoreId,
        id: AgentId,
        password_hash: &str,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query("UPDATE agents SET password_hash = $1 WHERE store_id = $2 AND id = $3")
            .bind(password_hash)
            .bind(store_id.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(StorageError::NotFound("agent"));
        }
        sqlx::query("DELETE FROM agent_sessions WHERE agent_id = $1").bind(id.as_uuid()).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn remove_agent(&self, store_id: StoreId, id: AgentId) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        keeps_admin(&mut tx, store_id, id, None).await?;
        // Sessions go with the agent (ON DELETE CASCADE).
        let removed = sqlx::query("DELETE FROM agents WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Err(StorageError::NotFound("agent"));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn start_session(&self, session: &AgentSession) -> Result<(), StorageError> {
        let inserted = sqlx::query(
            "INSERT INTO agent_sessions (token_hash, store_id, agent_id, created_at_us, expires_at_us)
             SELECT $1, store_id, id, $3, $4 FROM agents WHERE store_id = $2 AND id = $5",
        )
        .bind(&session.token_hash)
        .bind(session.store_id.as_uuid())
        .bind(micros(session.created_at))
        .bind(micros(session.expires_at))
        .bind(session.agent_id.as_uuid())
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StorageError::NotFound("agent"));
        }
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(AgentSession, Agent)>, StorageError> {
        let row = sqlx::query(
            "SELECT s.store_id, s.agent_id, s.created_at_us, s.expires_at_us, a.doc
             FROM agent_sessions s JOIN agents a ON a.id = s.agent_id AND a.store_id = s.store_id
             WHERE s.token_hash = $1 AND s.expires_at_us > $2",
        )
        .bind(token_hash)
        .bind(micros(now))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok((
                AgentSession {
                    token_hash: token_hash.to_owned(),
                    store_id: StoreId::from_uuid(row.try_get::<Uuid, _>("store_id")?),
                    agent_id: AgentId::from_uuid(row.try_get::<Uuid, _>("agent_id")?),
                    created_at: from_micros(row.try_get("created_at_us")?)?,
                    expires_at: from_micros(row.try_get("expires_at_us")?)?,
                },
                from_doc(row.try_get("doc")?)?,
            ))
        })
        .transpose()
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StorageError> {
        sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        Ok(())
    }
}
