//! The shops a deployment serves. The operator sets a store up, with its first admin (who
//! gets a personal key) and an integration key for the shop's systems.

use redress_domain::{Currency, LanguageTag, Store, StoreId, StoreSlug};
use serde::{Deserialize, Serialize};

use crate::caller::Caller;
use crate::error::{AppError, AppResult};
use crate::keys::{NewApiKey, issue};
use crate::team::{NewAgent, add_first_admin};
use crate::{App, new_id, parse_id};

/// A store to set up.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateStore {
    /// Short name for URLs: lower-case letters, digits, dashes.
    pub slug: String,
    /// Name shown to customers.
    pub name: String,
    /// ISO 4217 currency, e.g. `EUR`.
    pub default_currency: String,
    /// BCP 47 language of replies when the customer's is unknown, e.g. `en`.
    pub default_language: String,
    /// The store's first admin (`role` is ignored: they are the admin). They sign in to the desk
    /// with this address and password, and get a personal key in the answer.
    #[serde(default)]
    pub admin: Option<NewAgent>,
}

/// A store just set up, with its keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedStore {
    /// The store.
    pub store: Store,
    /// An integration key for the shop's systems (orders, cases, messages).
    pub api_key: NewApiKey,
    /// The first admin's personal key (settings, approvals), when an admin was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_key: Option<NewApiKey>,
}

/// Sets up a store (the operator's act), with an integration key and, when given, its first
/// admin with a personal key.
pub async fn create(app: &App, caller: &Caller, input: CreateStore) -> AppResult<CreatedStore> {
    caller.require_operator()?;
    let store = Store {
        id: new_id(StoreId::from_uuid),
        slug: StoreSlug::parse(&input.slug)?,
        name: Store::validate_name(&input.name)?,
        default_currency: Currency::from_code(&input.default_currency)
            .map_err(|e| AppError::invalid("default_currency", e.to_string()))?,
        default_language: LanguageTag::parse(&input.default_language)
            .map_err(|e| AppError::invalid("default_language", e.problem))?,
        created_at: app.now(),
    };
    if let Some(admin) = &input.admin {
        // Checked before the store exists, so a bad admin leaves no half-made store.
        redress_domain::team::check_password(&admin.password).map_err(|e| AppError::from(e).at("admin.password"))?;
        redress_domain::EmailAddress::parse(admin.email.trim())
            .map_err(|e| AppError::invalid("admin.email", e.problem))?;
    }
    app.storage().create_store(&store).await?;
    let api_key = issue(app, store.id, "default".to_owned(), None).await?;
    let admin_key = match input.admin {
        Some(admin) => {
            let admin = add_first_admin(app, &store, admin).await?;
            Some(issue(app, store.id, format!("{}'s key", admin.name), Some(admin.id)).await?)
        }
        None => None,
    };
    Ok(CreatedStore { store, api_key, admin_key })
}

/// An admin added to an existing store by the operator, with their personal key.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddedAdmin {
    /// The new admin.
    pub agent: redress_domain::team::Agent,
    /// Their personal key, shown once.
    pub api_key: NewApiKey,
}

/// Adds an admin to a store (the operator's act): for a store set up without one, or whose
/// admins have all left. From then on the shop's own admins manage its team.
pub async fn add_admin(app: &App, caller: &Caller, store_id: &str, input: NewAgent) -> AppResult<AddedAdmin> {
    caller.require_operator()?;
    let store_id: StoreId = parse_id(store_id, "store")?;
    let store = app.storage().store(store_id).await?;
    let agent = add_first_admin(app, &store, input).await?;
    let api_key = issue(app, store.id, format!("{}'s key", agent.name), Some(agent.id)).await?;
    Ok(AddedAdmin { agent, api_key })
}

/// Every store of the deployment (the operator's view).
pub async fn list(app: &App, caller: &Caller) -> AppResult<Vec<Store>> {
    caller.require_operator()?;
    Ok(app.storage().stores().await?)
}

/// Another integration key for a store (the operator's act, e.g. to recover a shop whose
/// admins lost theirs).
pub async fn create_key(app: &App, caller: &Caller, store_id: &str, label: &str) -> AppResult<NewApiKey> {
    caller.require_operator()?;
    let store_id: StoreId = parse_id(store_id, "store")?;
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(AppError::invalid("label", "give the key a label of 1 to 100 characters"));
    }
    app.storage().store(store_id).await?;
    issue(app, store_id, label.to_owned(), None).await
}

/// The store the caller acts for.
pub async fn current(app: &App, caller: &Caller) -> AppResult<Store> {
    Ok(app.storage().store(caller.store_id()?).await?)
}

/// The store a URL names by its slug, for pages that anyone may open (the portal's look-up,
/// the desk's sign-in). `None` for a slug no store has.
pub async fn by_slug(app: &App, slug: &str) -> AppResult<Option<Store>> {
    let Ok(slug) = StoreSlug::parse(slug) else { return Ok(None) };
    match app.storage().store_by_slug(&slug).await {
        Ok(store) => Ok(Some(store)),
        Err(redress_storage::StorageError::NotFound(_)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// True when the database answers.
pub async fn healthy(app: &App) -> AppResult<()> {
    Ok(app.storage().ping().await?)
}

/// How much work waits in each background queue of the deployment (refunds, the outbox,
/// platform pushes), by status, with the age of the oldest in seconds: for the operator's
/// metrics, counts only.
pub async fn work_queues(app: &App) -> AppResult<Vec<(redress_storage::QueueCount, i64)>> {
    let now_us = i64::try_from(app.now().unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX);
    let queues = app.storage().work_queues().await?;
    Ok(queues
        .into_iter()
        .map(|q| {
            let age = now_us.saturating_sub(q.oldest_created_at_us).max(0) / 1_000_000;
            (q, age)
        })
        .collect())
}

/// The background workers of this server that stopped: it is not ready while one has.
pub fn stopped_workers(app: &App) -> Vec<&'static str> {
    app.workers().stopped()
}

/// How this server's database connections are used now, for the operator's metrics.
pub fn connections(app: &App) -> redress_storage::PoolUse {
    app.storage().connections()
}

/// The slug of the deployment's only store, when it serves exactly one: where a bare `/desk`
/// leads. Nothing is said about a deployment of several shops.
pub async fn single_store(app: &App) -> AppResult<Option<String>> {
    let stores = app.storage().stores().await?;
    Ok(match stores.as_slice() {
        [only] => Some(only.slug.to_string()),
        _ => None,
    })
}
