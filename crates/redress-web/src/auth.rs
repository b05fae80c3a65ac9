//! Who is calling: the deployment's admin (one key, for setting up stores) or a store's API
//! key (agents and integrations). Keys are bearer tokens; only their SHA-256 is kept, which is
//! enough for random 160-bit secrets (a slow password hash protects guessable secrets, and
//! these are not guessable).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use rand::RngCore;
use redress_domain::{Actor, StoreId};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;

/// Keys verified once are remembered, so a busy integration does not cost a database read per
/// request. Bounded all the same.
const MAX_CACHED_KEYS: usize = 10_000;

/// How long a verified key is trusted without asking the database again. A key revoked through
/// this process is forgotten at once ([`KeyCache::forget`]); other processes serving the same
/// database learn of it when their entry expires, so this is the longest a revoked key can keep
/// working anywhere.
pub const KEY_CACHE_TTL: Duration = Duration::from_secs(60);

/// Hex SHA-256 of a secret, the form keys are stored and looked up in.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new random store API key secret, `rk_` followed by 40 hex digits.
pub fn new_store_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    format!("rk_{}", hex::encode(bytes))
}

/// The verified keys seen so far: secret hash to the caller it names and when it was checked.
#[derive(Default)]
pub(crate) struct KeyCache(RwLock<HashMap<String, (Instant, StoreCaller)>>);

impl KeyCache {
    fn get(&self, hash: &str) -> Option<StoreCaller> {
        let keys = self.0.read().ok()?;
        let (checked, caller) = keys.get(hash)?;
        (checked.elapsed() < KEY_CACHE_TTL).then(|| caller.clone())
    }

    fn put(&self, hash: String, caller: StoreCaller) {
        if let Ok(mut keys) = self.0.write() {
            if keys.len() >= MAX_CACHED_KEYS {
                // Expired entries make room first; a full cache of live keys just stops growing.
                keys.retain(|_, (checked, _)| checked.elapsed() < KEY_CACHE_TTL);
            }
            if keys.len() < MAX_CACHED_KEYS {
                keys.insert(hash, (Instant::now(), caller));
            }
        }
    }

    /// Forgets a key (by its secret's hash) after it was revoked, so it stops working in this
    /// process at once. Other processes' caches drop it within [`KEY_CACHE_TTL`].
    pub(crate) fn forget(&self, hash: &str) {
        if let Ok(mut keys) = self.0.write() {
            keys.remove(hash);
        }
    }
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let header = parts
        .headers
        .get(AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("send an API key as `Authorization: Bearer <key>`"))?;
    header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <key>`"))
}

/// The deployment's administrator.
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let given: [u8; 32] = Sha256::digest(bearer(parts)?.as_bytes()).into();
        if bool::from(given.ct_eq(&state.inner.admin_key_hash)) {
            Ok(Admin)
        } else {
            Err(ApiError::unauthorized("this endpoint needs the admin key"))
        }
    }
}

/// A caller acting for one store through one of its API keys.
#[derive(Clone, Debug)]
pub struct StoreCaller {
    /// The store the key belongs to; every query is confined to it.
    pub store_id: StoreId,
    /// The key's label, recorded as the actor of what it does.
    pub label: String,
    /// True when a signed-in team member acts through the agent workspace: the label is then
    /// their name, and the timeline records them as an agent rather than an integration.
    pub is_agent: bool,
}

impl StoreCaller {
    /// A team member acting for their store through the agent workspace.
    pub fn agent(agent: &redress_domain::team::Agent) -> Self {
        Self { store_id: agent.store_id, label: agent.name.clone(), is_agent: true }
    }

    /// The actor recorded on the timeline for this caller's changes.
    pub fn actor(&self) -> Actor {
        if self.is_agent {
            Actor::Agent { name: self.label.clone() }
        } else {
            Actor::Integration { name: self.label.clone() }
        }
    }
}

impl FromRequestParts<AppState> for StoreCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let hash = hash_secret(bearer(parts)?);
        if let Some(caller) = state.inner.keys.get(&hash) {
            return Ok(caller);
        }
        let record = state.inner.storage.api_key_by_hash(&hash).await?.ok_or_else(|| {
            ApiError::unauthorized("this API key is not known; create one with POST /api/v1/stores/{id}/api-keys")
        })?;
        let caller = StoreCaller { store_id: record.store_id, label: record.label, is_agent: false };
        state.inner.keys.put(hash, caller.clone());
        Ok(caller)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller() -> StoreCaller {
        StoreCaller { store_id: StoreId::from_uuid(uuid::Uuid::nil()), label: "sync".into(), is_agent: false }
    }

    #[test]
    fn a_forgotten_key_is_no_longer_trusted() {
        let cache = KeyCache::default();
        cache.put("h1".into(), caller());
        cache.put("h2".into(), caller());
        assert!(cache.get("h1").is_some());
        cache.forget("h1");
        assert!(cache.get("h1").is_none(), "revoked: the next request asks the database");
        assert!(cache.get("h2").is_some(), "other keys stay cached");
    }

    #[test]
    fn cached_keys_expire() {
        let cache = KeyCache::default();
        let old = Instant::now().checked_sub(KEY_CACHE_TTL + Duration::from_secs(1));
        let Some(old) = old else { return }; // A monotonic clock this young cannot go back: nothing to test.
        if let Ok(mut keys) = cache.0.write() {
            keys.insert("h".into(), (old, caller()));
        }
        assert!(cache.get("h").is_none(), "an entry older than the TTL is checked again");
    }
}
