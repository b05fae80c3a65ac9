//! Macros over HTTP: the store's saved replies listed, written and removed (leads' and admins'
//! keys), and one filled for a case as the desk fills its reply box.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::desk::{self, AppliedMacro, MacroInput};
use redress_domain::desk::Macro;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_macro, list_macros))
        .routes(routes!(replace_macro, delete_macro))
        .routes(routes!(fill_macro))
}

fn macro_id(text: &str) -> Result<Uuid, ApiError> {
    Ok(redress_app::parse_id(text, "macro")?)
}

/// Writes a macro (a lead's or an admin's key): a name unique in the store, a reply in up to
/// five languages with variables, and an optional action run when a reply from it is sent.
#[utoipa::path(post, path = "/api/v1/macros", tag = "cases", request_body = MacroInput, security(("store_key" = [])),
    responses((status = 201, body = Macro), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn create_macro(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<MacroInput>,
) -> Result<(StatusCode, Json<Macro>), ApiError> {
    Ok((StatusCode::CREATED, Json(desk::save_macro(state.app(), &caller, None, input).await?)))
}

/// The store's macros, by name (at most 200).
#[utoipa::path(get, path = "/api/v1/macros", tag = "cases", security(("store_key" = [])),
    responses((status = 200, body = Vec<Macro>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_macros(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<Macro>>, ApiError> {
    Ok(Json(desk::macros(state.app(), &caller).await?))
}

/// Rewrites a macro (a lead's or an admin's key).
#[utoipa::path(put, path = "/api/v1/macros/{macro_id}", tag = "cases", request_body = MacroInput,
    params(("macro_id" = String, Path, description = "The macro's id")), security(("store_key" = [])),
    responses((status = 200, body = Macro), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn replace_macro(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<MacroInput>,
) -> Result<Json<Macro>, ApiError> {
    Ok(Json(desk::save_macro(state.app(), &caller, Some(macro_id(&id)?), input).await?))
}

/// Removes a macro (a lead's or an admin's key).
#[utoipa::path(delete, path = "/api/v1/macros/{macro_id}", tag = "cases",
    params(("macro_id" = String, Path, description = "The macro's id")), security(("store_key" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_macro(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    desk::delete_macro(state.app(), &caller, macro_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A macro filled for a case: its text in the case's language (else the store's, else
/// English), variables from the case and its order; the variables with no value are listed and
/// left out of the text, never shown raw. Nothing is sent.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/macros/{macro_id}", tag = "cases",
    params(("case_id" = String, Path, description = "The case's id"), ("macro_id" = String, Path, description = "The macro's id")),
    security(("store_key" = [])),
    responses((status = 200, body = AppliedMacro), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn fill_macro(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath((case_id, id)): ApiPath<(String, String)>,
) -> Result<Json<AppliedMacro>, ApiError> {
    let case_id = redress_app::cases::case_id(&case_id)?;
    Ok(Json(desk::apply_macro(state.app(), &caller, case_id, macro_id(&id)?).await?))
}
