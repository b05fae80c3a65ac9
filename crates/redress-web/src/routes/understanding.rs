//! Message understanding over HTTP: analyse one message, correct a case's classification, and
//! export the corrections as training feedback.

use axum::Json;
use axum::extract::{Path, State};
use redress_domain::{Case, Classification, IssueKind, LanguageTag, Sentiment, SignalFound, Understood};
use redress_storage::CaseUpdate;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::path_id;
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(understand)).routes(routes!(correct)).routes(routes!(feedback))
}

/// A message to analyse.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnderstandRequest {
    /// The message text.
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
    _caller: StoreCaller,
    ApiJson(input): ApiJson<UnderstandRequest>,
) -> Result<Json<redress_text::Analysis>, ApiError> {
    if let Some(lang) = &input.lang {
        LanguageTag::parse(lang).map_err(|e| ApiError::invalid("lang", e.problem))?;
    }
    Ok(Json(state.understanding().understand(&input.text, input.lang.as_deref())))
}

/// What understanding made of a message, in the domain's terms, with the language to fall back
/// on when it could not tell.
pub(crate) fn understood(analysis: &redress_text::Analysis, fallback_language: &LanguageTag) -> Understood {
    Understood {
        kind: analysis.kind,
        confidence_pct: (analysis.confidence.clamp(0.0, 1.0) * 100.0).round() as u8,
        low_confidence: analysis.low_confidence,
        alternatives: analysis.alternatives.iter().map(|a| a.kind).collect(),
        language: LanguageTag::parse(analysis.language.tag).unwrap_or_else(|_| fallback_language.clone()),
        sentiment: analysis.sentiment,
        escalation: analysis
            .escalation
            .iter()
            .map(|e| SignalFound { signal: e.signal, triggers: e.triggers.clone() })
            .collect(),
    }
}

/// A correction of how a case was classified; absent fields stay as they are.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The right issue kind.
    #[serde(default)]
    pub kind: Option<IssueKind>,
    /// The right language (BCP 47).
    #[serde(default)]
    pub language: Option<String>,
    /// The right tone.
    #[serde(default)]
    pub sentiment: Option<Sentiment>,
}

/// Corrects a case's kind, language or tone. The priority is judged again, triage ends, and
/// the correction is kept as training feedback.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/classification", tag = "understanding",
    request_body = CorrectionRequest, params(("case_id" = String, Path, description = "The case's id")),
    security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already classified that way", body = ErrorBody)))]
pub(crate) async fn correct(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
    ApiJson(input): ApiJson<CorrectionRequest>,
) -> Result<Json<Case>, ApiError> {
    let correction = Classification {
        kind: input.kind,
        language: input
            .language
            .as_deref()
            .map(LanguageTag::parse)
            .transpose()
            .map_err(|e| ApiError::invalid("language", e.problem))?,
        sentiment: input.sentiment,
    };
    let actor = caller.actor();
    let case_id = path_id(&case_id, "case")?;
    let stored = state
        .storage()
        .update_case(
            caller.store_id,
            case_id,
            Box::new(move |case: &Case| {
                let change = case.correct_classification(&correction, &actor, OffsetDateTime::now_utc())?;
                Ok(CaseUpdate { change, message: None })
            }),
        )
        .await?;
    Ok(Json(stored.case))
}

/// One corrected example, in the training data's own line format.
#[derive(Serialize, ToSchema)]
pub struct FeedbackExample {
    /// The case's subject and first message.
    pub text: String,
    /// The corrected language.
    pub lang: Option<LanguageTag>,
    /// The corrected kind.
    pub kind: Option<IssueKind>,
    /// The corrected tone.
    pub sentiment: Option<Sentiment>,
    /// The case it came from.
    pub case_id: redress_domain::CaseId,
    /// When it was corrected.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub corrected_at: OffsetDateTime,
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
async fn feedback(State(state): State<AppState>, caller: StoreCaller) -> Result<Json<Feedback>, ApiError> {
    let examples = state
        .storage()
        .classification_feedback(caller.store_id)
        .await?
        .into_iter()
        .map(|f| FeedbackExample {
            text: format!("{}\n{}", f.subject, f.text),
            lang: f.corrected.language,
            kind: f.corrected.kind,
            sentiment: f.corrected.sentiment,
            case_id: f.case_id,
            corrected_at: f.at,
        })
        .collect();
    Ok(Json(Feedback { examples }))
}
