//! Help articles and suggested replies: search the help articles in the customer's language
//! (typos, missing accents and synonyms tolerated, other languages as a fallback), and draft a
//! reply to a case in the customer's language, filled with the order's facts.

use axum::Json;
use axum::extract::{Path, State};
use redress_domain::{Order, ShipmentStatus};
use redress_text::help::HelpIndex;
use redress_text::replies::{ReplyFacts, suggest_reply};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::path_id;
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search)).routes(routes!(suggested_reply))
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
async fn search(_caller: StoreCaller, ApiQuery(query): ApiQuery<HelpQuery>) -> Result<Json<HelpResults>, ApiError> {
    let limit = query.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::invalid("limit", "use a number of results from 1 to 20"));
    }
    if query.q.trim().is_empty() || query.q.len() > 1000 {
        return Err(ApiError::invalid("q", "give a question of 1 to 1000 bytes"));
    }
    Ok(Json(HelpResults { results: help_search(&query.q, query.lang.as_deref().unwrap_or("en"), limit) }))
}

/// Searches the shipped help articles; shared by the API and the portal.
pub(crate) fn help_search(query: &str, language: &str, limit: usize) -> Vec<HelpResult> {
    let index = HelpIndex::shipped();
    index
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
        .collect()
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

/// Drafts a reply to a case in the customer's language, filled with the order's facts.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/suggested-reply", tag = "understanding",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = DraftReply), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn suggested_reply(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
) -> Result<Json<DraftReply>, ApiError> {
    let storage = state.storage();
    let case = storage.case(caller.store_id, path_id(&case_id, "case")?).await?;
    let order = match case.order_id {
        Some(id) => Some(storage.order(caller.store_id, id).await?),
        None => None,
    };
    let customer_name = match case.customer_id {
        Some(id) => storage.customer(caller.store_id, id).await.ok().map(|c| c.name),
        None => None,
    };
    let store = storage.store(caller.store_id).await?;
    let reply =
        suggest_reply(case.kind, None, case.language.as_str(), &facts(order.as_ref(), customer_name, store.name));
    Ok(Json(DraftReply {
        language: reply.language.to_owned(),
        subject: reply.subject,
        body: reply.body,
        template: reply.template,
    }))
}
