//! The shop's support team: the people who sign in to the desk, their roles, their sign-ins.
//!
//! Passwords are argon2id hashes (off the async workers: argon2 takes tens of milliseconds of
//! CPU); sessions are random 256-bit tokens of which storage keeps only a SHA-256. Failed
//! sign-ins are counted in the database per source and address, in one atomic statement, so
//! parallel guesses cannot overshoot the limit, every server counts the same attempts, and
//! nobody can lock a real person out from another address.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use redress_domain::team::{Agent, check_password, role_from_label};
use redress_domain::{AgentId, EmailAddress, Store};
use redress_storage::AgentSession;
use serde::{Deserialize, Serialize};
use time::Duration;

use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult};
use crate::keys::hash_secret;
use crate::{App, new_id, parse_id};

/// How long a sign-in lasts.
pub const SESSION_HOURS: i64 = 10;

/// Failed sign-ins allowed per source and address in [`SIGN_IN_WINDOW`].
pub const MAX_SIGN_IN_FAILURES: u32 = 8;

/// The window failed sign-ins are counted in.
pub const SIGN_IN_WINDOW: Duration = Duration::minutes(15);

/// The argon2id hash (PHC string, salt included) of a password, with the crate's default
/// parameters (19 MiB, two passes), which OWASP lists as a sound minimum.
pub fn hash_password(password: &str) -> AppResult<String> {
    Argon2::default().hash_password(password.as_bytes()).map(|hash| hash.to_string()).map_err(AppError::internal)
}

/// True when `password` is the one `hash` was made from. A malformed hash matches nothing.
fn password_matches(hash: &str, password: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// A hash to check against when the email is unknown, so a wrong email takes as long as a
/// wrong password and the answer time does not tell which addresses are on the team.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("not anyone's password").unwrap_or_default())
}

/// Hashes a password off the async workers, after checking its length.
async fn hashed(password: String) -> AppResult<String> {
    check_password(&password)?;
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(AppError::internal)?
}

/// A new session token: 32 random bytes in hex.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A person to add to the team.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    /// The address they sign in with; unique within the store, compared without case.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// Their name, as the timeline shows it.
    pub name: String,
    /// `agent`, `lead` (or `team_lead`) or `admin` (or `owner`).
    pub role: String,
    /// Their first password, 10 to 200 characters; they sign in with it.
    pub password: String,
}

/// A change to a team member: a new role, a new password, or both.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AgentChange {
    /// `agent`, `lead` (or `team_lead`) or `admin` (or `owner`).
    #[serde(default)]
    pub role: Option<String>,
    /// A new password, 10 to 200 characters; it ends the member's open sessions.
    #[serde(default)]
    pub password: Option<String>,
}

/// The store's team, by name. Anyone of the store's team (and its integrations) may read it:
/// cases are assigned to these people.
pub async fn agents(app: &App, caller: &Caller) -> AppResult<Vec<Agent>> {
    let store_id = caller.require(Action::Read)?;
    if caller.is_customer() {
        return Err(AppError::forbidden("the team list is for the shop"));
    }
    Ok(app.storage().team().agents(store_id).await?)
}

/// Adds a person to the team (an admin's act); they can sign in at once.
pub async fn add_agent(app: &App, caller: &Caller, input: NewAgent) -> AppResult<Agent> {
    let store_id = caller.require(Action::ManageSettings)?;
    add(app, store_id, input, caller).await
}

async fn add(app: &App, store_id: redress_domain::StoreId, input: NewAgent, by: &Caller) -> AppResult<Agent> {
    let role = role_from_label(&input.role)?;
    let agent = Agent::new(new_id(AgentId::from_uuid), store_id, input.email.trim(), &input.name, role, app.now())?;
    let hash = hashed(input.password).await?;
    app.storage().team().add_agent(&agent, &hash).await?;
    tracing::info!(store = %store_id, agent = %agent.id, by = ?by.actor(), role = role.as_str(), "team member added");
    Ok(agent)
}

/// Adds the first admin of a store just set up by the operator.
pub(crate) async fn add_first_admin(app: &App, store: &Store, input: NewAgent) -> AppResult<Agent> {
    add(app, store.id, NewAgent { role: "admin".into(), ..input }, &Caller::Operator).await
}

/// Changes a team member's role or password (an admin's act). A new password ends their open
/// sessions; the shop's last admin cannot be demoted.
pub async fn change_agent(app: &App, caller: &Caller, agent_id: &str, input: AgentChange) -> AppResult<Agent> {
    let store_id = caller.require(Action::ManageSettings)?;
    let id: AgentId = parse_id(agent_id, "agent")?;
    if input.role.is_none() && input.password.is_none() {
        return Err(AppError::invalid("role", "give a new `role`, a new `password`, or both"));
    }
    // Everything is checked before anything is written, so a bad password does not leave a
    // changed role behind.
    let role = input.role.as_deref().map(role_from_label).transpose()?;
    let hash = match input.password {
        Some(password) => Some(hashed(password).await?),
        None => None,
    };
    let team = app.storage().team();
    let mut agent = team.agent(store_id, id).await?;
    if let Some(role) = role {
        agent = team.set_agent_role(store_id, id, role).await?;
    }
    if let Some(hash) = hash {
        team.set_agent_password(store_id, id, &hash).await?;
    }
    tracing::info!(store = %store_id, agent = %id, by = ?caller.actor(), role = agent.role.as_str(), "team member changed");
    Ok(agent)
}

/// Removes a person from the team (an admin's act) and ends their sessions; their name stays
/// on the timelines they wrote. The shop's last admin cannot be removed.
pub async fn remove_agent(app: &App, caller: &Caller, agent_id: &str) -> AppResult<()> {
    let store_id = caller.require(Action::ManageSettings)?;
    let id: AgentId = parse_id(agent_id, "agent")?;
    app.storage().team().remove_agent(store_id, id).await?;
    tracing::info!(store = %store_id, agent = %id, by = ?caller.actor(), "team member removed");
    Ok(())
}

/// A sign-in that worked: the session token for the browser's cookie (never kept in clear),
/// and who signed in.
#[derive(Clone, Debug)]
pub struct SignedIn {
    /// The session token.
    pub token: String,
    /// Who signed in.
    pub agent: Agent,
}

/// Why a sign-in failed: the answer never says whether the address is on the team.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignInRefused {
    /// The address or password is wrong.
    Wrong,
    /// Too many failures from this source for this address; wait for the window to pass.
    TooMany,
}

/// Signs a team member in with their address and password. `source` is where the attempt
/// comes from (the client's address), so failures are limited per source and address: a
/// guesser is stopped without locking the real person out.
pub async fn sign_in(
    app: &App,
    store: &Store,
    (email, password): (&str, &str),
    source: &str,
) -> AppResult<Result<SignedIn, SignInRefused>> {
    let attempts_key = format!("sign-in:{}:{}:{}", store.id, source, email.trim().to_lowercase());
    // Every attempt is counted first, in one atomic statement: parallel guesses cannot slip
    // past the limit, and past it the password is not even checked. A success clears it.
    let attempts = app.storage().count_attempt(&attempts_key, app.now(), SIGN_IN_WINDOW).await?;
    if attempts > MAX_SIGN_IN_FAILURES {
        return Ok(Err(SignInRefused::TooMany));
    }
    let Ok(address) = EmailAddress::parse(email.trim()) else { return Ok(Err(SignInRefused::Wrong)) };
    let found = app.storage().team().agent_sign_in(store.id, &address).await?;
    let (agent, hash) = match found {
        Some((agent, hash)) => (Some(agent), hash),
        None => (None, decoy_hash().to_owned()),
    };
    let password = password.to_owned();
    let matches =
        tokio::task::spawn_blocking(move || password_matches(&hash, &password)).await.map_err(AppError::internal)?;
    let Some(agent) = agent.filter(|_| matches) else { return Ok(Err(SignInRefused::Wrong)) };
    app.storage().clear_attempts(&attempts_key).await?;
    let token = new_token();
    let now = app.now();
    let session = AgentSession {
        token_hash: hash_secret(&token),
        store_id: store.id,
        agent_id: agent.id,
        created_at: now,
        expires_at: now + Duration::hours(SESSION_HOURS),
    };
    app.storage().team().start_session(&session).await?;
    tracing::info!(store = %store.id, agent = %agent.id, "signed in");
    Ok(Ok(SignedIn { token, agent }))
}

/// The team member a session token belongs to, if it is unexpired and of `store`.
pub async fn session(app: &App, store: &Store, token: &str) -> AppResult<Option<Agent>> {
    let found = app.storage().team().session(&hash_secret(token), app.now()).await?;
    Ok(found.filter(|(session, _)| session.store_id == store.id).map(|(_, agent)| agent))
}

/// Ends a session.
pub async fn sign_out(app: &App, token: &str) -> AppResult<()> {
    app.storage().team().end_session(&hash_secret(token)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse battery"));
        assert!(!password_matches(&hash, "correct horse battery!"));
        assert!(!password_matches("not a hash", "correct horse battery"));
        assert_ne!(hash, hash_password("correct horse battery").unwrap(), "each hash has its own salt");
        assert!(!password_matches(decoy_hash(), ""));
    }
}
