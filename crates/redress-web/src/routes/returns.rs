//! Returns over HTTP: request one, list a case's returns and claims, move one through its
//! lifecycle. Steps take an `Idempotency-Key`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use redress_app::cases::case_id;
use redress_app::resolution::{self, ReturnOutcome, ReturnRequest, ReturnsAndClaims};
use redress_domain::return_step::ReturnAction;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{KEY_DESCRIPTION, replayable};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, IdempotencyKey};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(request_return, list_returns)).routes(routes!(move_return))
}

/// Requests a return of delivered lines, each with its reason and quantity; it waits in
/// `requested` for approval.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/returns", tag = "resolution", request_body = ReturnRequest,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 201, body = ReturnOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_return(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(input): ApiJson<ReturnRequest>,
) -> Result<Response, ApiError> {
    Ok(replayable(resolution::request_return(state.app(), &caller, case_id(&id)?, input, &key).await?))
}

/// A case's returns and claims.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/returns", tag = "resolution",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = ReturnsAndClaims), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_returns(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ReturnsAndClaims>, ApiError> {
    Ok(Json(resolution::returns(state.app(), &caller, case_id(&id)?).await?))
}

/// Moves a return through its lifecycle: approve (a return waiting for a second person needs
/// a lead who did not ask for it) or reject, issue label, in transit, receive, inspect each
/// line, then refund, exchange, credit or close; cancel before receipt. A step the lifecycle
/// does not allow is 409 `illegal_transition`. Refunding or crediting asks for the money in the
/// same transaction, the label the customer pays and the restocking fee kept as fees of their
/// own, and carries it out like any refund.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/returns/{return_id}/actions", tag = "resolution",
    request_body = ReturnAction,
    params(("case_id" = String, Path, description = "The case's id"), ("return_id" = String, Path, description = "The return's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 200, body = ReturnOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed from the return's status", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn move_return(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((id, return_id)): ApiPath<(String, String)>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(action): ApiJson<ReturnAction>,
) -> Result<Response, ApiError> {
    Ok(replayable(resolution::move_return(state.app(), &caller, (case_id(&id)?, &return_id), action, &key).await?))
}
