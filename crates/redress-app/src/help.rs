//! Help articles and suggested replies: search the help articles in the customer's language
//! (typos, missing accents and synonyms tolerated, other languages as a fallback), a store's
//! own articles, and a reply drafted in the customer's language, filled with the order's facts.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use redress_domain::refund::{ExpectedArrival, RefundMethod, RefundReason, RefundStatus};
use redress_domain::{Case, LanguageTag, Order, Remedy, ShipmentStatus, StoreId};
use redress_storage::StoreHelpArticle;
use redress_text::help::{HelpArticle, HelpIndex, default_articles};
use redress_text::replies::{ReplyFacts, SuggestedReply, suggest_reply};
use serde::{Deserialize, Serialize};

use crate::App;
use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult};

/// Help indexes per store: the shipped articles, with the store's own added or replacing them
/// (same id and language). `None` means the store has none of its own: the shipped index serves.
/// Each is kept with the version of the store's articles it was built from and reused only
/// while the database still says that version, so a change through any server is seen at once
/// by all (a cheap indexed read per search instead of rebuilding). It caches published
/// content only; nothing that guards access.
#[derive(Default)]
pub(crate) struct StoreHelpIndexes(RwLock<HashMap<StoreId, BuiltIndex>>);

/// The articles' version an index was built from, and the index (`None`: the shipped one serves).
type BuiltIndex = ((i64, i64), Option<Arc<HelpIndex>>);

impl StoreHelpIndexes {
    fn cached(&self, store_id: StoreId, version: (i64, i64)) -> Option<Option<Arc<HelpIndex>>> {
        let indexes = self.0.read().ok()?;
        let (built_from, index) = indexes.get(&store_id)?;
        (*built_from == version).then(|| index.clone())
    }

    /// Drops a store's index after a write through this server, which must be searched at once
    /// even when the clock has not moved since the last save (the version would not change).
    fn forget(&self, store_id: StoreId) {
        if let Ok(mut indexes) = self.0.write() {
            indexes.remove(&store_id);
        }
    }
}

/// The store's index, built from the shipped articles and its own.
async fn store_index(app: &App, store_id: StoreId) -> AppResult<Option<Arc<HelpIndex>>> {
    let version = app.storage().help_articles_version(store_id).await?;
    if let Some(index) = app.help.cached(store_id, version) {
        return Ok(index);
    }
    let own = app.storage().help_articles(store_id).await?;
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
    if let Ok(mut indexes) = app.help.0.write() {
        indexes.insert(store_id, (version, index.clone()));
    }
    Ok(index)
}

/// One article found.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// Searches the help articles of the caller's store, in `language` first.
pub async fn search(
    app: &App,
    caller: &Caller,
    query: &str,
    language: &str,
    limit: usize,
) -> AppResult<Vec<HelpResult>> {
    // The help articles are public: anyone of the store may search them.
    let store_id = caller.store_id()?;
    if !(1..=20).contains(&limit) {
        return Err(AppError::invalid("limit", "use a number of results from 1 to 20"));
    }
    if query.trim().is_empty() || query.len() > 1000 {
        return Err(AppError::invalid("q", "give a question of 1 to 1000 bytes"));
    }
    let own = store_index(app, store_id).await?;
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
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// BCP 47 language of the article, e.g. `pl`.
    pub language: String,
    /// Title, 1 to 200 characters.
    pub title: String,
    /// Text, 1 to 20,000 characters.
    pub body: String,
    /// Words customers use for the topic (at most 50, each at most 100 characters).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A store's own article.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

impl From<StoreHelpArticle> for ArticleView {
    fn from(article: StoreHelpArticle) -> Self {
        ArticleView {
            id: article.id,
            language: article.language,
            title: article.title,
            body: article.body,
            tags: article.tags,
        }
    }
}

fn article_id(id: &str) -> AppResult<String> {
    let ok =
        (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(id.to_owned())
    } else {
        Err(AppError::invalid("article_id", "use 1 to 64 lower-case letters, digits and dashes"))
    }
}

/// Adds or replaces one of the store's own help articles in one language (an admin's act);
/// searches use it at once.
pub async fn save_article(app: &App, caller: &Caller, id: &str, input: ArticleInput) -> AppResult<ArticleView> {
    let store_id = caller.require(Action::ManageSettings)?;
    let id = article_id(id)?;
    let language = LanguageTag::parse(&input.language).map_err(|e| AppError::invalid("language", e.problem))?;
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::invalid("title", "give a title of 1 to 200 characters"));
    }
    if input.body.trim().is_empty() || input.body.chars().count() > 20_000 {
        return Err(AppError::invalid("body", "give a text of 1 to 20,000 characters"));
    }
    if input.tags.len() > 50 || input.tags.iter().any(|t| t.chars().count() > 100) {
        return Err(AppError::invalid("tags", "give at most 50 words, each at most 100 characters"));
    }
    let article = StoreHelpArticle {
        id,
        language: language.primary().to_owned(),
        title,
        body: input.body.trim().to_owned(),
        tags: input.tags.iter().map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
        updated_at: app.now(),
    };
    app.storage().save_help_article(store_id, &article).await?;
    app.help.forget(store_id);
    Ok(article.into())
}

/// The store's own help articles (the shipped ones are not listed).
pub async fn articles(app: &App, caller: &Caller) -> AppResult<Vec<ArticleView>> {
    let store_id = caller.require(Action::Read)?;
    Ok(app.storage().help_articles(store_id).await?.into_iter().map(ArticleView::from).collect())
}

/// Removes one translation of one of the store's own articles (an admin's act).
pub async fn delete_article(app: &App, caller: &Caller, id: &str, language: &str) -> AppResult<()> {
    let store_id = caller.require(Action::ManageSettings)?;
    let id = article_id(id)?;
    let language = LanguageTag::parse(language).map_err(|e| AppError::invalid("language", e.problem))?;
    if !app.storage().delete_help_article(store_id, &id, language.primary()).await? {
        return Err(AppError::not_found("help article"));
    }
    app.help.forget(store_id);
    Ok(())
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
            facts.carrier = Some(parcel.carrier_name());
            facts.delivery_date = parcel.status_times.get(&ShipmentStatus::Delivered).map(|t| t.0.date());
        }
    }
    facts
}

/// The reply template for a case's kind in the customer's language, filled with the facts of
/// its order, customer and store; once money is on its way back, it says how much and by when.
pub async fn draft_reply(app: &App, caller: &Caller, case: &Case) -> AppResult<SuggestedReply> {
    caller.require(Action::Read)?;
    caller.may_see(case)?;
    let storage = app.storage();
    let order = match case.order_id {
        Some(id) => Some(storage.order(case.store_id, id).await?),
        None => None,
    };
    let customer_name = match case.customer_id {
        Some(id) => Some(storage.customer(case.store_id, id).await?.name),
        None => None,
    };
    let store = storage.store(case.store_id).await?;
    let mut facts = facts(order.as_ref(), customer_name, store.name);
    let mut remedy = None;
    if let Some(order) = &order {
        let refunds = storage.money().refunds_of_order(case.store_id, order.id).await?;
        let sent = refunds.iter().rev().find(|r| {
            matches!(r.status, RefundStatus::Sent | RefundStatus::PendingSettlement | RefundStatus::Succeeded)
        });
        if let Some(refund) = sent {
            let method = order.payments.iter().find(|p| Some(p.id) == refund.payment_id).map(|p| p.method.as_str());
            let expected = refund
                .expected
                .unwrap_or_else(|| ExpectedArrival::for_refund(refund.method, method.unwrap_or("card"), app.now()));
            facts.refund_amount = Some(refund.amount);
            facts.expected_refund_date = Some(expected.latest);
            remedy = match (refund.method, refund.reason) {
                (RefundMethod::StoreCredit, _) => Some(Remedy::StoreCredit),
                (_, RefundReason::DuplicateCharge) => Some(Remedy::RefundDuplicateCharge),
                (_, RefundReason::Compensation) => Some(Remedy::Compensation),
                _ => None,
            };
        } else if let Some(waiting) = refunds.iter().rev().find(|r| {
            matches!(r.status, RefundStatus::Requested | RefundStatus::AwaitingApproval | RefundStatus::Approved)
        }) {
            facts.refund_amount = Some(waiting.amount);
            facts.refund_awaiting_approval = true;
        }
    }
    Ok(suggest_reply(case.kind, remedy, case.language.as_str(), &facts))
}

/// Searches a store's help articles for anyone reading its public help page.
pub async fn search_public(
    app: &App,
    store: &redress_domain::Store,
    query: &str,
    language: &str,
    limit: usize,
) -> AppResult<Vec<HelpResult>> {
    let reader = Caller::System { store_id: store.id, rule: crate::caller::SystemRule::PublicHelp };
    search(app, &reader, query, language, limit).await
}
