//! Help articles and suggested replies over HTTP.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use redress_app::cases::case_id;
use redress_app::help::{self, ArticleInput, ArticleView, HelpResult};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(suggested_reply))
        .routes(routes!(list_articles))
        .routes(routes!(save_article, delete_article))
}

/// A help search.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HelpQuery {
    /// What the customer typed.
    pub q: String,
    /// The customer's language (BCP 47); `en` if absent.
    pub lang: Option<String>,
    /// How many results, 1 to 20 (5 if absent).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<usize>,
}

/// Articles found, best first; empty when none answers the question.
#[derive(Serialize, ToSchema)]
pub struct HelpResults {
    /// The articles.
    pub results: Vec<HelpResult>,
}

/// Finds help articles for a question, tolerating typos, missing accents and synonyms, and
/// falling back to other languages when the asked one has no answer.
#[utoipa::path(get, path = "/api/v1/help/search", tag = "understanding", params(HelpQuery), security(("store_key" = [])),
    responses((status = 200, body = HelpResults), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(query): ApiQuery<HelpQuery>,
) -> Result<Json<HelpResults>, ApiError> {
    let language = query.lang.as_deref().unwrap_or("en");
    let results = help::search(state.app(), &caller, &query.q, language, query.limit.unwrap_or(5)).await?;
    Ok(Json(HelpResults { results }))
}

/// The store's own articles.
#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    /// By id and language.
    pub articles: Vec<ArticleView>,
}

/// Which translation to remove.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ArticleLanguage {
    /// The language of the translation to remove.
    pub language: String,
}

/// Adds or replaces one of the store's own help articles in one language (an admin's key);
/// searches use it at once.
#[utoipa::path(put, path = "/api/v1/help/articles/{article_id}", tag = "understanding", request_body = ArticleInput,
    params(("article_id" = String, Path, description = "Lower-case letters, digits and dashes")),
    security(("store_key" = [])),
    responses((status = 200, body = ArticleView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn save_article(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(article_id): ApiPath<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Json<ArticleView>, ApiError> {
    Ok(Json(help::save_article(state.app(), &caller, &article_id, input).await?))
}

/// The store's own help articles (the shipped ones are not listed).
#[utoipa::path(get, path = "/api/v1/help/articles", tag = "understanding", security(("store_key" = [])),
    responses((status = 200, body = ArticleList), (status = 401, body = ErrorBody)))]
async fn list_articles(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> Result<Json<ArticleList>, ApiError> {
    Ok(Json(ArticleList { articles: help::articles(state.app(), &caller).await? }))
}

/// Removes one translation of one of the store's own articles (an admin's key).
#[utoipa::path(delete, path = "/api/v1/help/articles/{article_id}", tag = "understanding", params(
        ("article_id" = String, Path, description = "The article's id"), ArticleLanguage),
    security(("store_key" = [])),
    responses((status = 204, description = "Removed"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn delete_article(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(article_id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ArticleLanguage>,
) -> Result<StatusCode, ApiError> {
    help::delete_article(state.app(), &caller, &article_id, &query.language).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A reply drafted for an agent to review and send.
#[derive(Serialize, ToSchema)]
pub struct DraftReply {
    /// The language it is written in (the case's, or English when that has no templates).
    pub language: String,
    /// Subject line.
    pub subject: String,
    /// Body, plain text.
    pub body: String,
    /// The template used.
    pub template: String,
}

/// Drafts a reply to a case in the customer's language, filled with the order's facts.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/suggested-reply", tag = "understanding",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = DraftReply), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn suggested_reply(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DraftReply>, ApiError> {
    let case = redress_app::cases::case(state.app(), &caller, case_id(&id)?).await?;
    let reply = help::draft_reply(state.app(), &caller, &case).await?;
    Ok(Json(DraftReply {
        language: reply.language.to_owned(),
        subject: reply.subject,
        body: reply.body,
        template: reply.template,
    }))
}
