//! Who a credential names: API keys (an integration key of a store, or a personal key of a team
//! member carrying that person's role now) and the operator's key. Only a SHA-256 of each
//! secret is kept, which is enough for random 160-bit secrets.
//!
//! Every request asks storage who its key is: no process keeps its own list of keys, so a key
//! revoked through one server stops working on every server at once.

use rand::RngCore;
use redress_domain::{AgentId, ApiKeyId};
use redress_storage::ApiKeyRecord;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult};
use crate::{App, new_id, parse_id};

/// Hex SHA-256 of a secret, the form keys and session tokens are kept and looked up in.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random API key secret, `rk_` followed by 40 hex digits.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    format!("rk_{}", hex::encode(bytes))
}

/// The deployment's operator key, as the server was started with it.
pub struct OperatorKey([u8; 32]);

impl OperatorKey {
    /// The operator key whose secret is `secret`.
    pub fn new(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    /// True when `given` is the operator's secret (compared in constant time).
    pub fn matches(&self, given: &str) -> bool {
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        bool::from(given.ct_eq(&self.0))
    }
}

/// The caller an API key names: the integration it belongs to, or the team member whose
/// personal key it is, with their role now. An unknown or revoked key is refused.
pub async fn authenticate(app: &App, secret: &str) -> AppResult<Caller> {
    let record = app.storage().api_key_by_hash(&hash_secret(secret)).await?.ok_or_else(|| {
        AppError::unauthorized("this API key is not known; an admin creates keys in the desk's settings")
    })?;
    match record.agent_id {
        None => Ok(Caller::Integration { store_id: record.store_id, key_id: record.id, label: record.label }),
        Some(agent_id) => {
            let agent = app.storage().team().agent(record.store_id, agent_id).await.map_err(|e| match e {
                redress_storage::StorageError::NotFound(_) => {
                    AppError::unauthorized("this key's team member is no longer on the team")
                }
                other => other.into(),
            })?;
            Ok(Caller::member(&agent))
        }
    }
}

/// What a key is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// A shop's other system: orders, cases, messages; never approvals or settings.
    Integration,
    /// A team member's own key: acts as that person, with their role.
    Personal,
}

/// A new API key. The secret is shown once and never stored.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewApiKey {
    /// The key's id.
    pub id: ApiKeyId,
    /// What the key is for.
    pub label: String,
    /// Integration or personal.
    pub kind: KeyKind,
    /// The team member a personal key belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// The secret to send as `Authorization: Bearer <secret>`. Keep it: it cannot be shown again.
    pub secret: String,
}

/// One of the store's keys, without its secret (which was never kept).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKeyView {
    /// The key's id.
    pub id: ApiKeyId,
    /// What the key is for.
    pub label: String,
    /// Integration or personal.
    pub kind: KeyKind,
    /// The team member a personal key belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<AgentId>,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
}

impl From<ApiKeyRecord> for ApiKeyView {
    fn from(k: ApiKeyRecord) -> Self {
        let kind = if k.agent_id.is_some() { KeyKind::Personal } else { KeyKind::Integration };
        ApiKeyView { id: k.id, label: k.label, kind, agent_id: k.agent_id, created_at: k.created_at }
    }
}

/// A key to create.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    /// What the key is for, e.g. `shopify-sync` or `Maria's scripts`.
    pub label: String,
    /// `integration` (the default) or `personal`.
    #[serde(default)]
    pub kind: Option<KeyKind>,
    /// For a personal key made by an admin for someone else: the team member it belongs to.
    /// A personal key is the caller's own when absent.
    #[serde(default)]
    pub agent_id: Option<String>,
}

fn label(label: &str) -> AppResult<String> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(AppError::invalid("label", "give the key a label of 1 to 100 characters"));
    }
    Ok(label.to_owned())
}

/// Makes a key and keeps only its hash.
pub(crate) async fn issue(
    app: &App,
    store_id: redress_domain::StoreId,
    label: String,
    agent_id: Option<AgentId>,
) -> AppResult<NewApiKey> {
    let secret = new_secret();
    let record = ApiKeyRecord {
        id: new_id(ApiKeyId::from_uuid),
        store_id,
        label: label.clone(),
        secret_hash: hash_secret(&secret),
        created_at: app.now(),
        agent_id,
    };
    app.storage().create_api_key(&record).await?;
    let kind = if agent_id.is_some() { KeyKind::Personal } else { KeyKind::Integration };
    Ok(NewApiKey { id: record.id, label, kind, agent_id, secret })
}

/// The store's keys, oldest first; secrets are never shown again. Admins see every key; a
/// team member sees their own personal keys.
pub async fn list(app: &App, caller: &Caller) -> AppResult<Vec<ApiKeyView>> {
    let store_id = caller.require(Action::Read)?;
    let keys = app.storage().api_keys(store_id).await?;
    let visible = |k: &ApiKeyRecord| match caller {
        Caller::Member { agent_id, .. } if caller.require(Action::ManageSettings).is_err() => {
            k.agent_id == Some(*agent_id)
        }
        Caller::Member { .. } | Caller::System { .. } => true,
        _ => false,
    };
    if matches!(caller, Caller::Integration { .. } | Caller::Customer { .. }) {
        return Err(AppError::forbidden("keys are listed for the team: sign in, or use a personal key"));
    }
    Ok(keys.into_iter().filter(visible).map(ApiKeyView::from).collect())
}

/// Creates a key; its secret is in this answer only. An integration key, or a personal key
/// for someone else, needs an admin; anyone on the team makes a personal key for themselves.
pub async fn create(app: &App, caller: &Caller, input: CreateApiKey) -> AppResult<NewApiKey> {
    let store_id = caller.require(Action::Read)?;
    let label = label(&input.label)?;
    let own = match caller {
        Caller::Member { agent_id, .. } => Some(*agent_id),
        _ => None,
    };
    let agent_id = match (input.kind.unwrap_or(KeyKind::Integration), input.agent_id.as_deref()) {
        (KeyKind::Integration, Some(_)) => {
            return Err(AppError::invalid("agent_id", "an integration key belongs to no one; leave agent_id out"));
        }
        (KeyKind::Integration, None) => {
            caller.require(Action::ManageSettings)?;
            None
        }
        (KeyKind::Personal, None) => {
            Some(own.ok_or_else(|| AppError::forbidden("a personal key is made by the person it belongs to"))?)
        }
        (KeyKind::Personal, Some(id)) => {
            let id: AgentId = id.parse().map_err(|_| AppError::invalid("agent_id", "not a team member's id"))?;
            if Some(id) != own {
                caller.require(Action::ManageSettings)?;
            }
            app.storage()
                .team()
                .agent(store_id, id)
                .await
                .map_err(|_| AppError::invalid("agent_id", "no such team member"))?;
            Some(id)
        }
    };
    let key = issue(app, store_id, label, agent_id).await?;
    tracing::info!(store = %store_id, key = %key.id, by = ?caller.actor(), "API key created");
    Ok(key)
}

/// Revokes a key: it stops working at once, on every server. Admins revoke any key of the
/// store; a team member their own personal keys.
pub async fn revoke(app: &App, caller: &Caller, key_id: &str) -> AppResult<()> {
    let store_id = caller.require(Action::Read)?;
    let id: ApiKeyId = parse_id(key_id, "API key")?;
    if caller.require(Action::ManageSettings).is_err() {
        let Caller::Member { agent_id, .. } = caller else {
            return Err(AppError::forbidden("only an admin revokes the store's keys"));
        };
        let keys = app.storage().api_keys(store_id).await?;
        if !keys.iter().any(|k| k.id == id && k.agent_id == Some(*agent_id)) {
            return Err(AppError::not_found("API key"));
        }
    }
    let revoked = app.storage().revoke_api_key(store_id, id).await?;
    tracing::info!(store = %store_id, key = %revoked.id, by = ?caller.actor(), "API key revoked");
    Ok(())
}
