//! The shop's support team over HTTP: list (anyone of the store), add, change and remove (an
//! admin). A change that would leave the shop without an admin is a 409.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::team::{self, AgentChange, NewAgent};
use redress_domain::team::Agent;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_agents, add_agent)).routes(routes!(change_agent, remove_agent))
}

/// The store's team.
#[derive(Serialize, ToSchema)]
pub struct AgentList {
    /// By name.
    pub agents: Vec<Agent>,
}

/// The store's team, by name: the people cases are assigned to.
#[utoipa::path(get, path = "/api/v1/agents", tag = "team", security(("store_key" = [])),
    responses((status = 200, body = AgentList), (status = 401, body = ErrorBody)))]
async fn list_agents(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> Result<Json<AgentList>, ApiError> {
    Ok(Json(AgentList { agents: team::agents(state.app(), &caller).await? }))
}

/// Adds a person to the team (an admin's personal key); they can sign in to the desk at once.
#[utoipa::path(post, path = "/api/v1/agents", tag = "team", request_body = NewAgent, security(("store_key" = [])),
    responses((status = 201, body = Agent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, description = "The email is already on the team", body = ErrorBody)))]
async fn add_agent(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<NewAgent>,
) -> Result<(StatusCode, Json<Agent>), ApiError> {
    Ok((StatusCode::CREATED, Json(team::add_agent(state.app(), &caller, input).await?)))
}

/// Changes a team member's role or password (an admin's personal key). A new password ends
/// their open sessions; the shop's last admin cannot be demoted.
#[utoipa::path(patch, path = "/api/v1/agents/{agent_id}", tag = "team", request_body = AgentChange,
    params(("agent_id" = String, Path, description = "The team member's id")), security(("store_key" = [])),
    responses((status = 200, body = Agent), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "It would leave the shop without an admin", body = ErrorBody)))]
async fn change_agent(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(agent_id): ApiPath<String>,
    ApiJson(input): ApiJson<AgentChange>,
) -> Result<Json<Agent>, ApiError> {
    Ok(Json(team::change_agent(state.app(), &caller, &agent_id, input).await?))
}

/// Removes a person from the team (an admin's personal key) and ends their sessions; the
/// shop's last admin cannot be removed.
#[utoipa::path(delete, path = "/api/v1/agents/{agent_id}", tag = "team",
    params(("agent_id" = String, Path, description = "The team member's id")), security(("store_key" = [])),
    responses((status = 204, description = "Removed"), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "It would leave the shop without an admin", body = ErrorBody)))]
async fn remove_agent(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(agent_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    team::remove_agent(state.app(), &caller, &agent_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
