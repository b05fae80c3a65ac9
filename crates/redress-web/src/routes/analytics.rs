//! Learning from past cases over HTTP: the analytics report and the insights.

use axum::Json;
use axum::extract::State;
use redress_app::analytics::{self, AnalyticsReport, AnalyticsRequest, Insight, WeeklySummary};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_analytics)).routes(routes!(get_insights)).routes(routes!(get_weekly))
}

/// What the analytics report covers.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsQuery {
    /// Group by `kind` (default), `sku`, `carrier`, `region`, `fault`, `channel` or `language`.
    pub dimension: Option<String>,
    /// First day, `YYYY-MM-DD` (default: 89 days before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today, UTC); at most 731 days after `from`.
    pub to: Option<String>,
    /// `week` (default) or `day`.
    pub bucket: Option<String>,
}

/// Cases and refund cost by a dimension over time, with time to first answer and to
/// resolution, the automation rate and (by SKU) the return rate. Read from a rollup kept in
/// the writing transaction, so it costs days × values whatever the number of cases.
#[utoipa::path(get, path = "/api/v1/reports/analytics", tag = "cases", params(AnalyticsQuery),
    security(("store_key" = [])),
    responses((status = 200, body = AnalyticsReport), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn get_analytics(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<AnalyticsQuery>,
) -> Result<Json<AnalyticsReport>, ApiError> {
    let app = state.app();
    let request = AnalyticsRequest::parse(
        query.dimension.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        query.bucket.as_deref(),
        app.now(),
    )?;
    Ok(Json(analytics::report(app, &caller, request).await?))
}

/// SKUs, carriers and regions whose rate of damage, loss or not-as-described cases jumped in
/// the last 7 days against the 56 before (exact conditional binomial test, Bonferroni over
/// every value tested, at least 5 cases and twice the expected count), with the cases behind
/// each and the fix to look at first.
#[utoipa::path(get, path = "/api/v1/reports/insights", tag = "cases", security(("store_key" = [])),
    responses((status = 200, body = Vec<Insight>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_insights(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<Vec<Insight>>, ApiError> {
    Ok(Json(analytics::insights(state.app(), &caller).await?))
}

/// The last seven days in one answer: volume (and the week before), first-answer and
/// resolution times, automation, refund cost, service targets met and satisfaction, the top
/// issue kinds and SKUs, and the insights.
#[utoipa::path(get, path = "/api/v1/reports/weekly", tag = "cases", security(("store_key" = [])),
    responses((status = 200, body = WeeklySummary), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn get_weekly(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<WeeklySummary>, ApiError> {
    Ok(Json(analytics::weekly_summary(state.app(), &caller).await?))
}
