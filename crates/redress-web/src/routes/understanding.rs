//! Message understanding over HTTP: analyse one message, correct a case's classification, and
//! export the corrections as training feedback.

use axum::Json;
use axum::extract::State;
use redress_app::cases::{self, CorrectionRequest, case_id};
use redress_app::understanding::{self, FeedbackExample};
use redress_domain::Case;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(understand)).routes(routes!(correct)).routes(routes!(feedback))
}

/// A message to analyse.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnderstandRequest {
    /// The message text, at most 64 KB.
    pub text: String,
    /// The language, if known (BCP 47); detected otherwise.
    #[serde(default)]
    pub lang: Option<String>,
}

/// Analyses one message: language, issue kind with confidence and runners-up, sentiment,
/// escalation signals with their trigger words, and entities (order numbers, amounts, tracking
/// numbers, emails, sizes, colours, dates).
#[utoipa::path(post, path = "/api/v1/understand", tag = "understanding", request_body = UnderstandRequest,
    security(("store_key" = [])),
    responses((status = 200, description = "The analysis: `language`, `kind`, `confidence`, `alternatives`, \
        `low_confidence`, `sentiment`, `escalation`, `entities`", body = Object),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn understand(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(input): ApiJson<UnderstandRequest>,
) -> Result<Json<redress_text::Analysis>, ApiError> {
    Ok(Json(understanding::understand(state.app(), &caller, &input.text, input.lang.as_deref()).await?))
}

/// Corrects a case's kind, language or tone. The priority is judged again, triage ends, and
/// the correction is kept as training feedback.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/classification", tag = "understanding",
    request_body = CorrectionRequest, params(("case_id" = String, Path, description = "The case's id")),
    security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Already classified that way", body = ErrorBody)))]
async fn correct(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<CorrectionRequest>,
) -> Result<Json<Case>, ApiError> {
    Ok(Json(cases::correct_classification(state.app(), &caller, case_id(&id)?, input).await?))
}

/// The store's classification corrections, oldest first.
#[derive(Serialize, ToSchema)]
pub struct Feedback {
    /// The corrected examples; each can be appended to the training data as one JSON line.
    pub examples: Vec<FeedbackExample>,
}

/// Exports agents' corrections as training examples.
#[utoipa::path(get, path = "/api/v1/feedback/classifications", tag = "understanding", security(("store_key" = [])),
    responses((status = 200, body = Feedback), (status = 401, body = ErrorBody)))]
async fn feedback(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> Result<Json<Feedback>, ApiError> {
    Ok(Json(Feedback { examples: understanding::feedback(state.app(), &caller).await? }))
}
