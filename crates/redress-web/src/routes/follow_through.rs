//! Following cases through over HTTP: the store's report of service targets met and customer
//! satisfaction.

use axum::Json;
use axum::extract::State;
use redress_app::follow_through::{self, FollowThroughReport};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_report))
}

/// Service targets met (first answer and resolution, on the store's business hours) and
/// satisfaction from the surveys, overall and per agent, issue kind, channel and language.
#[utoipa::path(get, path = "/api/v1/reports/follow-through", tag = "cases", security(("store_key" = [])),
    responses((status = 200, body = FollowThroughReport), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn get_report(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<FollowThroughReport>, ApiError> {
    Ok(Json(follow_through::report(state.app(), &caller).await?))
}
