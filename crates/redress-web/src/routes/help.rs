//! Help articles and suggested replies: search the help articles in the customer's language
//! (typos, missing accents and synonyms tolerated, other languages as a fallback), and draft a
//! reply to a case in the customer's language, filled with the order's facts.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_domain::refund::{ExpectedArrival, RefundMethod, RefundReason, RefundStatus};
use redress_domain::{Case, LanguageTag, Order, Remedy, ShipmentStatus, StoreId};
use redress_storage::StoreHelpArticle;
use redress_text::help::{HelpArticle, HelpIndex, default_articles};
use redress_text::replies::{ReplyFacts, SuggestedReply, suggest_reply};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::path_id;
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(suggested_reply))
        .routes(routes!(list_articles))
        .routes(routes!(save_article, delete_article))
}

/// A help search.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HelpQuery {
    /// What the customer typed.
    pub q: String,
    /// The customer's language (BCP 47); `en` if absent.
    pub lang: Option<String>,
    /// How many results, 1 to 20 (5 if absent).
    pub limit: Option<usize>,
}

/// One article found.
#[derive(Serialize, ToSchema)]
pub struct HelpResult {
    /// The article's id.
    pub id: String,
    /// Its language: another than asked when the asked one has no answer.
    pub language: String,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// How well it matches, 0 to 1.
    pub score: f32,
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
    caller: StoreCaller,
    ApiQuery(query): ApiQuery<HelpQuery>,
) -> Result<Json<HelpResults>, ApiError> {
    let limit = query.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::invalid("limit", "use a number of results from 1 to 20"));
    }
    if query.q.trim().is_empty() || query.q.len() > 1000 {
        return Err(ApiError::invalid("q", "give a question of 1 to 1000 bytes"));
    }
    let results = help_search(&state, caller.store_id, &query.q, query.lang.as_deref().unwrap_or("en"), limit).await?;
    Ok(Json(HelpResults { results }))
}

/// How long a store's help index is reused before its articles are read again. Writes through
/// this server forget it at once; another server behind the same database sees them within this.
const INDEX_TTL: Duration = Duration::from_secs(30);

/// Help indexes per store: the shipped articles, with the store's own added or replacing them
/// (same id and language). `None` means the store has none of its own: the shipped index serves.
#[derive(Default)]
pub(crate) struct StoreHelpIndexes(RwLock<HashMap<StoreId, BuiltIndex>>);

/// When a store's index was built, and the index (`None`: the shipped one serves).
type BuiltIndex = (Instant, Option<Arc<HelpIndex>>);

impl StoreHelpIndexes {
    fn cached(&self, store_id: StoreId) -> Option<Option<Arc<HelpIndex>>> {
        let indexes = self.0.read().ok()?;
        let (built, index) = indexes.get(&store_id)?;
        (built.elapsed() < INDEX_TTL).then(|| index.clone())
    }

    /// Forgets a store's index after its articles changed.
    pub(crate) fn forget(&self, store_id: StoreId) {
        if let Ok(mut indexes) = self.0.write() {
            indexes.remove(&store_id);
        }
    }
}

/// The store's index, built from the shipped articles and its own.
async fn store_index(state: &AppState, store_id: StoreId) -> Result<Option<Arc<HelpIndex>>, ApiError> {
    if let Some(index) = state.help_indexes().cached(store_id) {
        return Ok(index);
    }
    let own = state.storage().help_articles(store_id).await?;
    let index = (!own.is_empty()).then(|| {
        let mut articles = default_articles();
        for article in own {
            articles.retain(|a| !(a.id == article.id && a.language == article.language));
            articles.push(HelpArticle {
                id: article.id,
                language: article.language,
                title: article.title,
                body: article.body,
                tags: article.tags,
                kinds: Vec::new(),
            });
        }
        Arc::new(HelpIndex::build(articles).with_kind_model(redress_text::Understanding::shipped()))
    });
    if let Ok(mut indexes) = state.help_indexes().0.write() {
        indexes.insert(store_id, (Instant::now(), index.clone()));
    }
    Ok(index)
}

/// Searches a store's help articles; shared by the API and the portal.
pub(crate) async fn help_search(
    state: &AppState,
    store_id: StoreId,
    query: &str,
    language: &str,
    limit: usize,
) -> Result<Vec<HelpResult>, ApiError> {
    let own = store_index(state, store_id).await?;
    let index: &HelpIndex = match own.as_deref() {
        Some(index) => index,
        None => HelpIndex::shipped(),
    };
    Ok(index
        .search(query, language, limit)
        .into_iter()
        .filter_map(|hit| {
            let article = index.article(&hit.id, &hit.language)?;
            Some(HelpResult {
                id: hit.id,
                language: hit.language,
                title: article.title.clone(),
                body: article.body.clone(),
                score: hit.score,
            })
        })
        .collect())
}

/// A help article a store writes itself.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// BCP 47 language of the article, e.g. `pl`.
    pub language: String,
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Text, 1 to 20,000 characters.
    pub body: String,
    /// Words customers use for the topic.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A store's own article.
#[derive(Serialize, ToSchema)]
pub struct ArticleView {
    /// Id, shared by its translations; the id of a shipped article replaces it.
    pub id: String,
    /// Language.
    pub language: String,
    /// Title.
    pub title: String,
    /// Text.
    pub body: String,
    /// Words customers use for the topic.
    pub tags: Vec<String>,
}

/// The store's own articles.
#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    /// By id and language.
    pub articles: Vec<ArticleView>,
}

/// Which translation to remove.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ArticleLanguage {
    /// The language of the translation to remove.
    pub language: String,
}

fn article_id(id: &str) -> Result<String, ApiError> {
    let ok =
        (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(id.to_owned())
    } else {
        Err(ApiError::invalid("article_id", "use 1 to 64 lower-case letters, digits and dashes"))
    }
}

/// Adds or replaces one of the store's own help articles in one language; searches use it at once.
#[utoipa::path(put, path = "/api/v1/help/articles/{article_id}", tag = "understanding", request_body = ArticleInput,
    params(("article_id" = String, Path, description = "Lower-case letters, digits and dashes")),
    security(("store_key" = [])),
    responses((status = 200, body = ArticleView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub(crate) async fn save_article(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(article_id_text): Path<String>,
    ApiJson(input): ApiJson<ArticleInput>,
) -> Result<Json<ArticleView>, ApiError> {
    let id = article_id(&article_id_text)?;
    let language = LanguageTag::parse(&input.language).map_err(|e| ApiError::invalid("language", e.problem))?;
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(ApiError::invalid("title", "give a title of 1 to 200 characters"));
    }
    if input.body.trim().is_empty() || input.body.chars().count() > 20_000 {
        return Err(ApiError::invalid("body", "give a text of 1 to 20,000 characters"));
    }
    let article = StoreHelpArticle {
        id,
        language: language.primary().to_owned(),
        title,
        body: input.body.trim().to_owned(),
        tags: input.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
        updated_at: time::OffsetDateTime::now_utc(),
    };
    state.storage().save_help_article(caller.store_id, &article).await?;
    state.help_indexes().forget(caller.store_id);
    Ok(Json(view(article)))
}

fn view(article: StoreHelpArticle) -> ArticleView {
    ArticleView {
        id: article.id,
        language: article.language,
        title: article.title,
        body: article.body,
        tags: article.tags,
    }
}

/// The store's own help articles (the shipped ones are not listed).
#[utoipa::path(get, path = "/api/v1/help/articles", tag = "understanding", security(("store_key" = [])),
    responses((status = 200, body = ArticleList), (status = 401, body = ErrorBody)))]
pub(crate) async fn list_articles(
    State(state): State<AppState>,
    caller: StoreCaller,
) -> Result<Json<ArticleList>, ApiError> {
    let articles = state.storage().help_articles(caller.store_id).await?.into_iter().map(view).collect();
    Ok(Json(ArticleList { articles }))
}

/// Removes one translation of one of the store's own articles.
#[utoipa::path(delete, path = "/api/v1/help/articles/{article_id}", tag = "understanding", params(
        ("article_id" = String, Path, description = "The article's id"), ArticleLanguage),
    security(("store_key" = [])),
    responses((status = 204, description = "Removed"), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(crate) async fn delete_article(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(article_id_text): Path<String>,
    ApiQuery(query): ApiQuery<ArticleLanguage>,
) -> Result<StatusCode, ApiError> {
    let id = article_id(&article_id_text)?;
    let language = LanguageTag::parse(&query.language).map_err(|e| ApiError::invalid("language", e.problem))?;
    if !state.storage().delete_help_article(caller.store_id, &id, language.primary()).await? {
        return Err(ApiError::not_found("help article"));
    }
    state.help_indexes().forget(caller.store_id);
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

fn facts(order: Option<&Order>, customer_name: Option<String>, shop_name: String) -> ReplyFacts {
    let mut facts = ReplyFacts { customer_name, shop_name: Some(shop_name), ..ReplyFacts::default() };
    if let Some(order) = order {
        facts.order_number = Some(order.number.clone());
        facts.order_date = Some(order.placed_at.date());
        facts.items = order
            .lines
            .iter()
            .map(|l| {
                let variant = l.variant.values().cloned().collect::<Vec<_>>().join(", ");
                if variant.is_empty() { l.title.clone() } else { format!("{} ({variant})", l.title) }
            })
            .collect();
        if let Some(parcel) = order.shipments.iter().rev().find(|s| s.tracking_number.is_some()) {
            facts.tracking_number = parcel.tracking_number.clone();
            facts.carrier = Some(parcel.carrier.clone());
            facts.delivery_date = parcel.status_times.get(&ShipmentStatus::Delivered).map(|t| t.0.date());
        }
    }
    facts
}

/// The reply template for a case's kind in the customer's language, filled with the facts of
/// its order, customer and store.
pub(crate) async fn draft_reply(state: &AppState, case: &Case) -> Result<SuggestedReply, ApiError> {
    let storage = state.storage();
    let order = match case.order_id {
        Some(id) => Some(storage.order(case.store_id, id).await?),
        None => None,
    };
    let customer_name = match case.customer_id {
        Some(id) => storage.customer(case.store_id, id).await.ok().map(|c| c.name),
        None => None,
    };
    let store = storage.store(case.store_id).await?;
    let mut facts = facts(order.as_ref(), customer_name, store.name);
    // Once money is on its way back, the reply says how much and by when, and speaks of the
    // remedy that sent it.
    let mut remedy = None;
    if let Some(order) = &order {
        let refunds = storage.money().refunds_of_order(case.store_id, order.id).await?;
        let sent = refunds.iter().rev().find(|r| {
            matches!(r.status, RefundStatus::Sent | RefundStatus::PendingSettlement | RefundStatus::Succeeded)
        });
        if let Some(refund) = sent {
            let method = order.payments.iter().find(|p| Some(p.id) == refund.payment_id).map(|p| p.method.as_str());
            let expected = refund.expected.unwrap_or_else(|| {
                ExpectedArrival::for_refund(refund.method, method.unwrap_or("card"), OffsetDateTime::now_utc())
            });
            facts.refund_amount = Some(refund.amount);
            facts.expected_refund_date = Some(expected.latest);
            remedy = match (refund.method, refund.reason) {
                (RefundMethod::StoreCredit, _) => Some(Remedy::StoreCredit),
                (_, RefundReason::DuplicateCharge) => Some(Remedy::RefundDuplicateCharge),
                (_, RefundReason::Compensation) => Some(Remedy::Compensation),
                _ => None,
            };
        }
    }
    Ok(suggest_reply(case.kind, remedy, case.language.as_str(), &facts))
}

/// Drafts a reply to a case in the customer's language, filled with the order's facts.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/suggested-reply", tag = "understanding",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = DraftReply), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn suggested_reply(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
) -> Result<Json<DraftReply>, ApiError> {
    let case = state.storage().case(caller.store_id, path_id(&case_id, "case")?).await?;
    let reply = draft_reply(&state, &case).await?;
    Ok(Json(DraftReply {
        language: reply.language.to_owned(),
        subject: reply.subject,
        body: reply.body,
        template: reply.template,
    }))
}
