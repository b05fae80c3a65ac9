//! One rule for repeated requests, whatever the use case: a write that can move money or goods
//! takes a [`RequestKey`] (the client's `Idempotency-Key`); the same key with the same request
//! (compared as the parsed command in canonical form, with who asks) gets the first answer
//! again, marked as replayed; the same key with anything else is refused; a key is remembered
//! for [`redress_storage::IDEMPOTENCY_KEY_LIFETIME`] (24 hours).

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::App;
use crate::caller::Caller;
use crate::error::{AppError, AppResult, ErrorCode};

/// The longest key accepted.
pub const MAX_KEY_LENGTH: usize = 255;

/// A client's key for one request: 1 to 255 printable ASCII characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestKey(String);

impl RequestKey {
    /// Reads a key as sent.
    pub fn parse(text: &str) -> AppResult<Self> {
        let text = text.trim();
        if text.is_empty() || text.len() > MAX_KEY_LENGTH || !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AppError::invalid("Idempotency-Key", "use 1 to 255 printable ASCII characters, e.g. a UUID"));
        }
        Ok(Self(text.to_owned()))
    }

    /// A fresh random key, for callers that make one per form (the desk, the portal).
    pub fn fresh() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An answer a use case keeps under a key: it knows its own status (`201` for something
/// created, `202` while a provider finishes, `200` otherwise), so a replay answers alike.
pub trait Answer: Serialize + DeserializeOwned {
    /// The status the answer is given with.
    fn status(&self) -> u16 {
        200
    }
}

/// An answer, and whether it is the first answer given again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replayed<T> {
    /// The answer.
    pub value: T,
    /// True when a retry got the first answer again.
    pub replayed: bool,
}

/// The fingerprint of a request: the operation, who asks, and the parsed command.
pub(crate) fn fingerprint(operation: &str, caller: &Caller, command: &impl Serialize) -> AppResult<String> {
    let mut hasher = Sha256::new();
    hasher.update(operation.as_bytes());
    hasher.update([0]);
    hasher.update(caller.person()?.identity.unwrap_or_default().as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_vec(command).map_err(AppError::internal)?);
    Ok(hex::encode(hasher.finalize()))
}

/// Runs `work` once per key (`request_hash` is the request's [`fingerprint`]): a key seen
/// before answers with the first answer (or refuses a
/// different request under it); a new key is reserved by the write itself (the
/// [`redress_storage::IdempotencyKey`] handed to `work`, which storage reserves in the write's
/// own transaction), and its answer kept.
pub(crate) async fn once<T, F, Fut>(
    app: &App,
    caller: &Caller,
    key: &RequestKey,
    request_hash: String,
    work: F,
) -> AppResult<Replayed<T>>
where
    T: Answer,
    F: FnOnce(redress_storage::IdempotencyKey) -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    let store_id = caller.store_id()?;
    let now = app.now();
    if let Some(stored) = app.storage().idempotent_answer(store_id, key.as_str(), now).await? {
        if stored.request_hash != request_hash {
            return Err(AppError::new(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different request; use a new key for a new request",
            )
            .at("Idempotency-Key"));
        }
        let Some((_, body)) = stored.answer else {
            return Err(AppError::new(
                ErrorCode::RequestInProgress,
                "a request with this Idempotency-Key is being carried out; read the case to see where it stands",
            ));
        };
        let value = serde_json::from_str(&body).map_err(AppError::internal)?;
        return Ok(Replayed { value, replayed: true });
    }
    let reservation = redress_storage::IdempotencyKey { key: key.as_str().to_owned(), request_hash, at: now };
    let value = work(reservation.clone()).await?;
    let body = serde_json::to_string(&value).map_err(AppError::internal)?;
    app.storage().save_idempotent_answer(store_id, &reservation, value.status(), &body).await?;
    Ok(Replayed { value, replayed: false })
}

/// The start of the idempotency keys of the refunds a request asks for, derived from the
/// request's key and the case, so a retry finds the same refunds.
pub(crate) fn refund_key_base(prefix: &str, case_id: redress_domain::CaseId, key: &RequestKey) -> String {
    let mut hasher = Sha256::new();
    hasher.update(case_id.to_string().as_bytes());
    hasher.update([0]);
    hasher.update(key.as_str().as_bytes());
    format!("{prefix}-{}", &hex::encode(hasher.finalize())[..40])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_bounded_printable_ascii() {
        assert!(RequestKey::parse("abc-123").is_ok());
        assert!(RequestKey::parse("").is_err());
        assert!(RequestKey::parse("has space").is_err());
        assert!(RequestKey::parse(&"k".repeat(256)).is_err());
        assert!(RequestKey::parse("zażółć").is_err());
    }

    #[test]
    fn the_fingerprint_covers_who_asks_and_the_parsed_request() {
        let store_id = redress_domain::StoreId::from_uuid(uuid::Uuid::from_u128(1));
        let ana = Caller::Member {
            store_id,
            agent_id: redress_domain::AgentId::from_uuid(uuid::Uuid::from_u128(2)),
            name: "Ana".into(),
            role: redress_domain::approval::Role::Agent,
        };
        let leo = Caller::Member {
            store_id,
            agent_id: redress_domain::AgentId::from_uuid(uuid::Uuid::from_u128(3)),
            name: "Leo".into(),
            role: redress_domain::approval::Role::Agent,
        };
        let a = serde_json::json!({"amount": 1, "note": "x"});
        // The same JSON with other whitespace parses to the same value.
        let b: serde_json::Value = serde_json::from_str("{ \"note\" : \"x\",\n \"amount\": 1 }").unwrap();
        assert_eq!(fingerprint("refund", &ana, &a).unwrap(), fingerprint("refund", &ana, &b).unwrap());
        assert_ne!(fingerprint("refund", &ana, &a).unwrap(), fingerprint("refund", &leo, &a).unwrap());
        assert_ne!(fingerprint("refund", &ana, &a).unwrap(), fingerprint("remedy", &ana, &a).unwrap());
    }
}
