//! The shop's support team over the API: list, add, change and remove the people who sign in to
//! the agent workspace. A shop set up through the API (no demo) creates its first admin here
//! with its store key; the workspace's team page calls these same handlers.
//!
//! Passwords are checked for length and hashed with argon2 (off the async workers); the API
//! never answers with a hash. A change that would leave the shop without an admin is a 409.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_domain::AgentId;
use redress_domain::team::{Agent, check_password, role_from_label};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{new_id, path_id};
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::workspace::session::hash_password;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_agents, add_agent)).routes(routes!(change_agent, remove_agent))
}

/// A person to add to the team.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    /// The address they sign in with; unique within the store, compared without case.
    pub email: String,
    /// Their name, as the timeline shows it.
    pub name: String,
    /// `agent`, `lead` (or `team_lead`) or `admin` (or `owner`).
    pub role: String,
    /// Their first password, 10 to 200 characters; they sign in with it.
    pub password: String,
}

/// A change to a team member: a new role, a new password, or both.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AgentChange {
    /// `agent`, `lead` (or `team_lead`) or `admin` (or `owner`).
    #[serde(default)]
    pub role: Option<String>,
    /// A new password, 10 to 200 characters; it ends the member's open sessions.
    #[serde(default)]
    pub password: Option<String>,
}

/// The store's team.
#[derive(serde::Serialize, ToSchema)]
pub struct AgentList {
    /// By name.
    pub agents: Vec<Agent>,
}

/// Hashes a password off the async workers: argon2 takes tens of milliseconds of CPU.
async fn hashed(password: String) -> Result<String, ApiError> {
    check_password(&password)?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
}

/// The store's team, by name.
#[utoipa::path(get, path = "/api/v1/agents", tag = "team", security(("store_key" = [])),
    responses((status = 200, body = AgentList), (status = 401, body = ErrorBody)))]
pub(crate) async fn list_agents(
    State(state): State<AppState>,
    caller: StoreCaller,
) -> Result<Json<AgentList>, ApiError> {
    Ok(Json(AgentList { agents: state.storage().team().agents(caller.store_id).await? }))
}

/// Adds a person to the team; they can sign in to the workspace at once.
#[utoipa::path(post, path = "/api/v1/agents", tag = "team", request_body = NewAgent, security(("store_key" = [])),
    responses((status = 201, body = Agent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 409, description = "The email is already on the team", body = ErrorBody)))]
pub(crate) async fn add_agent(
    State(state): State<AppState>,
    caller: StoreCaller,
    ApiJson(input): ApiJson<NewAgent>,
) -> Result<(StatusCode, Json<Agent>), ApiError> {
    let role = role_from_label(&input.role)?;
    let agent = Agent::new(
        new_id(AgentId::from_uuid),
        caller.store_id,
        input.email.trim(),
        &input.name,
        role,
        OffsetDateTime::now_utc(),
    )?;
    let hash = hashed(input.password).await?;
    state.storage().team().add_agent(&agent, &hash).await?;
    tracing::info!(store = %caller.store_id, agent = %agent.id, by = %caller.label, role = role.as_str(), "team member added");
    Ok((StatusCode::CREATED, Json(agent)))
}

/// Changes a team member's role or password. A new password ends their open sessions; the
/// shop's last admin cannot be demoted.
#[utoipa::path(patch, path = "/api/v1/agents/{agent_id}", tag = "team", request_body = AgentChange,
    params(("agent_id" = String, Path, description = "The team member's id")), security(("store_key" = [])),
    responses((status = 200, body = Agent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "It would leave the shop without an admin", body = ErrorBody)))]
pub(crate) async fn change_agent(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(agent_id): Path<String>,
    ApiJson(input): ApiJson<AgentChange>,
) -> Result<Json<Agent>, ApiError> {
    let id: AgentId = path_id(&agent_id, "agent")?;
    if input.role.is_none() && input.password.is_none() {
        return Err(ApiError::invalid("role", "give a new `role`, a new `password`, or both"));
    }
    // Everything is checked before anything is written, so a bad password does not leave a
    // changed role behind.
    let role = input.role.as_deref().map(role_from_label).transpose()?;
    let hash = match input.password {
        Some(password) => Some(hashed(password).await?),
        None => None,
    };
    let team = state.storage().team();
    let mut agent = team.agent(caller.store_id, id).await?;
    if let Some(role) = role {
        agent = team.set_agent_role(caller.store_id, id, role).await?;
    }
    if let Some(hash) = hash {
        team.set_agent_password(caller.store_id, id, &hash).await?;
    }
    tracing::info!(store = %caller.store_id, agent = %id, by = %caller.label, role = agent.role.as_str(), "team member changed");
    Ok(Json(agent))
}

/// Removes a person from the team and ends their sessions; their name stays on the timelines
/// they wrote. The shop's last admin cannot be removed.
#[utoipa::path(delete, path = "/api/v1/agents/{agent_id}", tag = "team",
    params(("agent_id" = String, Path, description = "The team member's id")), security(("store_key" = [])),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "It would leave the shop without an admin", body = ErrorBody)))]
pub(crate) async fn remove_agent(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(agent_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: AgentId = path_id(&agent_id, "agent")?;
    state.storage().team().remove_agent(caller.store_id, id).await?;
    tracing::info!(store = %caller.store_id, agent = %id, by = %caller.label, "team member removed");
    Ok(StatusCode::NO_CONTENT)
}
