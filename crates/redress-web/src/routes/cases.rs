//! Cases over HTTP: open one with a first message, list with filters, read with the timeline,
//! reply, change status, assign, note, priority. The rules are the application's.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::cases::{self, CaseList, CaseQuery, CaseView, MessageAdded, NewMessage, OpenCase, PhoneCall};
use redress_domain::{Case, CaseStatus, IssueKind, Priority};
use serde::{Deserialize, Deserializer};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_case, list_cases))
        .routes(routes!(get_case))
        .routes(routes!(add_message))
        .routes(routes!(change_status))
        .routes(routes!(assign))
        .routes(routes!(add_note))
        .routes(routes!(log_call))
        .routes(routes!(change_priority))
}

/// Opens a case with its first message. Without a `kind`, the message is read by
/// understanding (kind, language, tone, escalation signals) and the reading goes on the
/// timeline.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = OpenCase, security(("store_key" = [])),
    responses((status = 201, body = CaseView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, description = "The order is not in this store", body = ErrorBody)))]
async fn open_case(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<OpenCase>,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    Ok((StatusCode::CREATED, Json(cases::open(state.app(), &caller, input).await?)))
}

/// Filters and paging for the case list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CaseListQuery {
    /// Comma-separated statuses, e.g. `new,open`.
    pub status: Option<String>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only this priority.
    pub priority: Option<Priority>,
    /// Only cases assigned to this team member (their id, see GET /api/v1/agents).
    pub assignee: Option<String>,
    /// Only cases about this order (its id).
    pub order_id: Option<String>,
    /// Page size, 1 to 200 (50 if absent).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Lists the store's cases, newest first, with filters and cursor paging.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseListQuery), security(("store_key" = [])),
    responses((status = 200, body = CaseList), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_cases(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<CaseListQuery>,
) -> Result<Json<CaseList>, ApiError> {
    let statuses = match query.status.as_deref() {
        Some(text) => cases::parse_statuses(text)?,
        None => Vec::new(),
    };
    let query = CaseQuery {
        statuses,
        kind: query.kind,
        priority: query.priority,
        assignee: query.assignee,
        order_id: query.order_id,
        limit: query.limit,
        cursor: query.cursor,
    };
    Ok(Json(cases::list(state.app(), &caller, query).await?))
}

/// One case with its messages and timeline.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}", tag = "cases",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_case(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(case_id): ApiPath<String>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(cases::view(state.app(), &caller, cases::case_id(&case_id)?).await?))
}

/// Adds a message to a case. An outbound message is written by the caller; a customer's answer
/// to a case waiting for them reopens it.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/messages", tag = "cases", request_body = NewMessage,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 201, body = MessageAdded), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "The case is closed", body = ErrorBody)))]
async fn add_message(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(input): ApiJson<NewMessage>,
) -> Result<(StatusCode, Json<MessageAdded>), ApiError> {
    let added = cases::add_message(state.app(), &caller, cases::case_id(&case_id)?, input).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// A status to move a case to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// The new status. `open` on a resolved or closed case reopens it.
    pub status: CaseStatus,
}

/// Moves a case to another status, as the status machine allows.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/status", tag = "cases", request_body = StatusChange,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Not allowed from the current status", body = ErrorBody)))]
async fn change_status(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(input): ApiJson<StatusChange>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(cases::change_status(state.app(), &caller, cases::case_id(&case_id)?, input.status).await?))
}

fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Option::deserialize(deserializer)
}

/// Who to give a case to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The team member's id (see GET /api/v1/agents), or `null` to unassign. Required.
    #[serde(deserialize_with = "present")]
    pub assignee: Option<String>,
}

/// Gives a case to a member of the store's team (which opens a new case), or takes it back.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/assignee", tag = "cases", request_body = Assignment,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn assign(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(input): ApiJson<Assignment>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(cases::assign(state.app(), &caller, cases::case_id(&case_id)?, input.assignee.as_deref()).await?))
}

/// Logs a phone call with the customer on the case's timeline (direction, length, what was
/// said); the caller is the agent who took or made it.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/calls", tag = "cases", request_body = PhoneCall,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 201, body = Case), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "Customers do not log calls", body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn log_call(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(call): ApiJson<PhoneCall>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    Ok((StatusCode::CREATED, Json(cases::log_call(state.app(), &caller, cases::case_id(&case_id)?, call).await?)))
}

/// An internal note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The note, seen by the team only; the caller is its author.
    pub body: String,
}

/// Adds an internal note to a case's timeline.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/notes", tag = "cases", request_body = Note,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 201, body = Case), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn add_note(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(input): ApiJson<Note>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    Ok((StatusCode::CREATED, Json(cases::add_note(state.app(), &caller, cases::case_id(&case_id)?, input.body).await?)))
}

/// A priority to set by hand.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityChange {
    /// The new priority; the response deadline moves with it.
    pub priority: Priority,
}

/// Sets a case's priority by hand.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/priority", tag = "cases", request_body = PriorityChange,
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn change_priority(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(case_id): ApiPath<String>,
    ApiJson(input): ApiJson<PriorityChange>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(cases::change_priority(state.app(), &caller, cases::case_id(&case_id)?, input.priority).await?))
}
