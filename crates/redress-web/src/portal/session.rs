//! Who may see an order in the portal: a signed cookie set after the customer proved the order
//! number and email, or a signed link from an email. Both carry the store, the order and an
//! expiry, signed with HMAC-SHA256 under a key derived from the deployment's admin secret, so
//! no session table is needed and nothing can be forged without the secret.
//!
//! Guessing is limited: after too many failed look-ups for one order number or one email
//! within a window, further attempts for it are refused until the window passes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use redress_domain::{OrderId, StoreId};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

type HmacSha256 = Hmac<Sha256>;

/// The name of the portal's cookie.
pub const COOKIE: &str = "redress_portal";

/// How long a look-up keeps the order open in the browser.
pub const SESSION_HOURS: i64 = 12;

/// Failed look-ups allowed per order number or email in [`GUESS_WINDOW`].
const MAX_FAILURES: u32 = 8;
/// The window failures are counted in.
const GUESS_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Signs and checks portal grants.
pub struct PortalKeys {
    key: [u8; 32],
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

/// Access to one order of one store until a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The store.
    pub store_id: StoreId,
    /// The order the customer proved.
    pub order_id: OrderId,
    /// Unix seconds after which the grant is void.
    pub expires: i64,
}

impl PortalKeys {
    /// Keys derived from the deployment's admin secret (a separate derivation, so a portal
    /// signature never reveals or equals anything usable as the admin key).
    pub fn new(admin_secret: &str) -> Self {
        let key =
            Sha256::new().chain_update(b"redress portal grants v1\0").chain_update(admin_secret.as_bytes()).finalize();
        Self { key: key.into(), failures: Mutex::new(HashMap::new()) }
    }

    fn mac(&self, parts: &[&str]) -> String {
        // The key is 32 bytes, which HMAC always accepts.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        for part in parts {
            mac.update(part.as_bytes());
            mac.update(b"\0");
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// The signed token for a grant: `store.order.expires.signature`.
    pub fn token(&self, grant: &Grant) -> String {
        let (store, order, expires) =
            (grant.store_id.to_string(), grant.order_id.to_string(), grant.expires.to_string());
        let signature = self.mac(&[&store, &order, &expires]);
        format!("{store}.{order}.{expires}.{signature}")
    }

    /// A grant for an order, valid for `hours` from `now`.
    pub fn grant(&self, store_id: StoreId, order_id: OrderId, now: OffsetDateTime, hours: i64) -> Grant {
        Grant { store_id, order_id, expires: (now + time::Duration::hours(hours)).unix_timestamp() }
    }

    /// The grant a token carries, if its signature holds and it has not expired.
    pub fn verify(&self, token: &str, now: OffsetDateTime) -> Option<Grant> {
        let mut parts = token.split('.');
        let (store, order, expires, signature) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let expected = self.mac(&[store, order, expires]);
        use subtle::ConstantTimeEq;
        if !bool::from(expected.as_bytes().ct_eq(signature.as_bytes())) {
            return None;
        }
        let grant =
            Grant { store_id: store.parse().ok()?, order_id: order.parse().ok()?, expires: expires.parse().ok()? };
        (grant.expires > now.unix_timestamp()).then_some(grant)
    }

    /// The token that must come back with every form of a grant's session: it ties a form
    /// post to the cookie, which a page of another site cannot read.
    pub fn form_token(&self, session_token: &str) -> String {
        self.mac(&["form", session_token])
    }

    /// True when `key` (an order number or an email) has had too many failed look-ups.
    pub fn too_many_failures(&self, key: &str) -> bool {
        let Ok(mut failures) = self.failures.lock() else { return true };
        match failures.get(key) {
            Some((since, count)) if since.elapsed() < GUESS_WINDOW => *count >= MAX_FAILURES,
            Some(_) => {
                failures.remove(key);
                false
            }
            None => false,
        }
    }

    /// Counts a failed look-up against `key`.
    pub fn record_failure(&self, key: &str) {
        if let Ok(mut failures) = self.failures.lock() {
            // Forget old windows so the map cannot grow without bound under a guessing attack.
            if failures.len() > 100_000 {
                failures.retain(|_, (since, _)| since.elapsed() < GUESS_WINDOW);
            }
            let entry = failures.entry(key.to_owned()).or_insert((Instant::now(), 0));
            if entry.0.elapsed() >= GUESS_WINDOW {
                *entry = (Instant::now(), 0);
            }
            entry.1 += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    use uuid::Uuid;

    const NOW: OffsetDateTime = datetime!(2026-11-23 12:00 UTC);

    #[test]
    fn tokens_verify_only_unchanged_and_unexpired() {
        let keys = PortalKeys::new("admin-secret");
        let grant = keys.grant(StoreId::from_uuid(Uuid::from_u128(1)), OrderId::from_uuid(Uuid::from_u128(2)), NOW, 12);
        let token = keys.token(&grant);
        assert_eq!(keys.verify(&token, NOW), Some(grant));
        assert_eq!(keys.verify(&token, NOW + time::Duration::hours(13)), None, "expired");
        let other_order = token.replacen(&Uuid::from_u128(2).to_string(), &Uuid::from_u128(3).to_string(), 1);
        assert_eq!(keys.verify(&other_order, NOW), None, "tampered");
        assert_eq!(PortalKeys::new("another-secret").verify(&token, NOW), None, "another deployment's key");
        assert_eq!(keys.verify("garbage", NOW), None);
        assert_ne!(keys.form_token(&token), keys.form_token("other"));
    }

    #[test]
    fn guessing_is_limited() {
        let keys = PortalKeys::new("admin-secret");
        for _ in 0..MAX_FAILURES {
            assert!(!keys.too_many_failures("order:1042"));
            keys.record_failure("order:1042");
        }
        assert!(keys.too_many_failures("order:1042"));
        assert!(!keys.too_many_failures("order:1043"));
    }
}
