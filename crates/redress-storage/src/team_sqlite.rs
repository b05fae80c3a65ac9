//! Team accounts and sessions on SQLite.

use async_trait::async_trait;
use redress_domain::approval::Role;
use redress_domain::team::{Agent, check_keeps_admin};
use redress_domain::{AgentId, EmailAddress, StoreId};
use rusqlite::{OptionalExtension, params};
use time::OffsetDateTime;

use crate::sqlite::{SqliteStorage, all_docs, one_doc, store_exists};
use crate::team::{AgentSession, TeamStorage};
use crate::{Conflict, StorageError, micros};

fn from_micros(us: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).map_err(|e| StorageError::Corrupt(e.to_string()))
}

fn parse_id<T: std::str::FromStr<Err = uuid::Error>>(text: &str) -> Result<T, StorageError> {
    text.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))
}

/// Refuses a change that would leave the store without an admin ([`check_keeps_admin`]).
fn keeps_admin(
    conn: &rusqlite::Connection,
    store_id: StoreId,
    id: AgentId,
    role: Option<Role>,
) -> Result<(), StorageError> {
    let team: Vec<Agent> = all_docs(conn, "SELECT doc FROM agents WHERE store_id = ?1", [store_id.to_string()])?;
    check_keeps_admin(&team, id, role).map_err(|e| StorageError::from(Conflict::LastAdmin(e.to_string())))
}

#[async_trait]
impl TeamStorage for SqliteStorage {
    async fn add_agent(&self, agent: &Agent, password_hash: &str) -> Result<(), StorageError> {
        let (agent, hash) = (agent.clone(), password_hash.to_owned());
        self.write(move |conn| {
            store_exists(conn, agent.store_id)?;
            let inserted = conn
                .prepare_cached(
                    "INSERT INTO agents (id, store_id, email_key, password_hash, created_at_us, doc)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (store_id, email_key) DO NOTHING",
                )?
                .execute(params![
                    agent.id.to_string(),
                    agent.store_id.to_string(),
                    Agent::email_key(&agent.email),
                    hash,
                    micros(agent.created_at),
                    serde_json::to_string(&agent)?
                ])?;
            if inserted == 0 {
                return Err(Conflict::MemberExists(agent.email.as_str().to_owned()).into());
            }
            Ok(())
        })
        .await
    }

    async fn agents(&self, store_id: StoreId) -> Result<Vec<Agent>, StorageError> {
        let mut agents: Vec<Agent> = self
            .read(move |conn| all_docs(conn, "SELECT doc FROM agents WHERE store_id = ?1", [store_id.to_string()]))
            .await?;
        agents.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
        Ok(agents)
    }

    async fn agent(&self, store_id: StoreId, id: AgentId) -> Result<Agent, StorageError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM agents WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )
        })
        .await?
        .ok_or(StorageError::NotFound("agent"))
    }

    async fn agent_sign_in(
        &self,
        store_id: StoreId,
        email: &EmailAddress,
    ) -> Result<Option<(Agent, String)>, StorageError> {
        let key = Agent::email_key(email);
        let row = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT doc, password_hash FROM agents WHERE store_id = ?1 AND email_key = ?2")?
                    .query_row([store_id.to_string(), key], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))
                    .optional()?)
            })
            .await?;
        row.map(|(doc, hash)| Ok((serde_json::from_str(&doc)?, hash))).transpose()
    }

    async fn set_agent_role(&self, store_id: StoreId, id: AgentId, role: Role) -> Result<Agent, StorageError> {
        self.write(move |conn| {
            let mut agent: Agent = one_doc(
                conn,
                "SELECT doc FROM agents WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), id.to_string()],
            )?
            .ok_or(StorageError::NotFound("agent"))?;
            // The writer thread runs one write at a time, so the team read here is the team
            // this change applies to.
            keeps_admin(conn, store_id, id, Some(role))?;
            agent.role = role;
            conn.prepare_cached("UPDATE agents SET doc = ?1 WHERE id = ?2")?
                .execute(params![serde_json::to_string(&agent)?, id.to_string()])?;
            Ok(agent)
        })
        .await
    }

    async fn set_agent_password(
        &self,
        store_id: StoreId,
        id: AgentId,
        password_hash: &str,
    ) -> Result<(), StorageError> {
        let hash = password_hash.to_owned();
        self.write(move |conn| {
            let changed = conn
                .prepare_cached("UPDATE agents SET password_hash = ?1 WHERE store_id = ?2 AND id = ?3")?
                .execute(params![hash, store_id.to_string(), id.to_string()])?;
            if changed == 0 {
                return Err(StorageError::NotFound("agent"));
            }
            conn.prepare_cached("DELETE FROM agent_sessions WHERE agent_id = ?1")?.execute([id.to_string()])?;
            Ok(())
        })
        .await
    }

    async fn remove_agent(&self, store_id: StoreId, id: AgentId) -> Result<(), StorageError> {
        self.write(move |conn| {
            keeps_admin(conn, store_id, id, None)?;
            conn.prepare_cached("DELETE FROM agent_sessions WHERE store_id = ?1 AND agent_id = ?2")?
                .execute([store_id.to_string(), id.to_string()])?;
            let removed = conn
                .prepare_cached("DELETE FROM agents WHERE store_id = ?1 AND id = ?2")?
                .execute([store_id.to_string(), id.to_string()])?;
            if removed == 0 {
                return Err(StorageError::NotFound("agent"));
            }
            Ok(())
        })
        .await
    }

    async fn start_session(&self, session: &AgentSession) -> Result<(), StorageError> {
        let session = session.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO agent_sessions (token_hash, store_id, agent_id, created_at_us, expires_at_us)
                 SELECT ?1, store_id, id, ?3, ?4 FROM agents WHERE store_id = ?2 AND id = ?5",
            )?
            .execute(params![
                session.token_hash,
                session.store_id.to_string(),
                micros(session.created_at),
                micros(session.expires_at),
                session.agent_id.to_string()
            ])
            .map_err(StorageError::from)
            .and_then(|inserted| if inserted == 0 { Err(StorageError::NotFound("agent")) } else { Ok(()) })
        })
        .await
    }

    async fn session(
        &self,
        token_hash: &str,
        now: OffsetDateTime,
    ) -> Result<Option<(AgentSession, Agent)>, StorageError> {
        let hash = token_hash.to_owned();
        let row = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT s.store_id, s.agent_id, s.created_at_us, s.expires_at_us, a.doc
                         FROM agent_sessions s JOIN agents a ON a.id = s.agent_id AND a.store_id = s.store_id
                         WHERE s.token_hash = ?1 AND s.expires_at_us > ?2",
                    )?
                    .query_row(params![hash, micros(now)], |row| {
                        Ok((
                            row.get::<_, String>(0)?,
                            row.get::<_, String>(1)?,
                            row.get::<_, i64>(2)?,
                            row.get::<_, i64>(3)?,
                            row.get::<_, String>(4)?,
                        ))
                    })
                    .optional()?)
            })
            .await?;
        row.map(|(store_id, agent_id, created, expires, doc)| {
            Ok((
                AgentSession {
                    token_hash: token_hash.to_owned(),
                    store_id: parse_id(&store_id)?,
                    agent_id: parse_id(&agent_id)?,
                    created_at: from_micros(created)?,
                    expires_at: from_micros(expires)?,
                },
                serde_json::from_str(&doc)?,
            ))
        })
        .transpose()
    }

    async fn end_session(&self, token_hash: &str) -> Result<(), StorageError> {
        let hash = token_hash.to_owned();
        self.write(move |conn| {
            conn.prepare_cached("DELETE FROM agent_sessions WHERE token_hash = ?1")?.execute([hash])?;
            Ok(())
        })
        .await
    }
}
