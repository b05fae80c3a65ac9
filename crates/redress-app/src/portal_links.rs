//! Signed access to one order in the customer portal, and the links customers are sent.
//!
//! A grant names the store, the order and an expiry, signed with HMAC-SHA256 under the
//! deployment's link key ([`App::with_link_secret`]), so every server checks what any server
//! signed and no session table is needed. The portal sets one in a cookie after the customer
//! proved the order (number and email); messages to customers carry one in a link.

use hmac::{Hmac, Mac};
use redress_domain::{OrderId, Store, StoreId};
use subtle::ConstantTimeEq;

use crate::App;

type HmacSha256 = Hmac<Sha256>;
use sha2::Sha256;

/// How long a link sent in a message to the customer opens their order.
pub const LINK_HOURS: i64 = 30 * 24;

/// Access to one order of one store until a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The store.
    pub store_id: StoreId,
    /// The order the customer proved they hold.
    pub order_id: OrderId,
    /// Unix seconds after which the grant is void.
    pub expires: i64,
}

fn signature(app: &App, parts: [&str; 3]) -> String {
    // The key is 32 bytes, which HMAC always accepts.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(app.link_key()).unwrap_or_else(|_| unreachable!());
    mac.update(b"portal grant\0");
    for part in parts {
        mac.update(part.as_bytes());
        mac.update(b"\0");
    }
    hex::encode(mac.finalize().into_bytes())
}

impl App {
    /// A grant to `order_id` of `store_id` for `hours` from now.
    pub fn portal_grant(&self, store_id: StoreId, order_id: OrderId, hours: i64) -> Grant {
        Grant { store_id, order_id, expires: (self.now() + time::Duration::hours(hours)).unix_timestamp() }
    }

    /// The signed token of a grant: `store.order.expires.signature`.
    pub fn grant_token(&self, grant: &Grant) -> String {
        let (store, order, expires) =
            (grant.store_id.to_string(), grant.order_id.to_string(), grant.expires.to_string());
        let signed = signature(self, [&store, &order, &expires]);
        format!("{store}.{order}.{expires}.{signed}")
    }

    /// The grant a token carries, if its signature holds and it has not expired.
    pub fn verify_grant(&self, token: &str) -> Option<Grant> {
        let mut parts = token.split('.');
        let (store, order, expires, signed) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let expected = signature(self, [store, order, expires]);
        if !bool::from(expected.as_bytes().ct_eq(signed.as_bytes())) {
            return None;
        }
        let grant =
            Grant { store_id: store.parse().ok()?, order_id: order.parse().ok()?, expires: expires.parse().ok()? };
        (grant.expires > self.now().unix_timestamp()).then_some(grant)
    }

    /// The portal's address of `path` (`/s/north-wind/…`): absolute under the deployment's
    /// public address when it has one ([`App::with_public_url`]), else the path alone.
    pub fn public_link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url())
    }

    /// The link sent to a customer to their order in the portal, signed for [`LINK_HOURS`];
    /// the store's portal when the case has no order.
    pub fn order_link(&self, store: &Store, order_id: Option<OrderId>) -> String {
        match order_id {
            Some(order_id) => {
                let token = self.grant_token(&self.portal_grant(store.id, order_id, LINK_HOURS));
                self.public_link(&format!("/s/{}/orders/{order_id}?t={token}", store.slug))
            }
            None => self.public_link(&format!("/s/{}", store.slug)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use time::macros::datetime;

    use super::*;
    use crate::ManualClock;

    async fn app(dir: &std::path::Path, secret: &str, clock: Arc<ManualClock>) -> App {
        let file = dir.join(format!("{}.db", uuid::Uuid::now_v7()));
        let db = redress_storage::sqlite::SqliteStorage::open(&file).await.unwrap();
        App::new(Arc::new(db)).with_clock(clock).with_link_secret(secret)
    }

    #[tokio::test]
    async fn a_grant_holds_on_every_server_of_the_deployment_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock::at(datetime!(2026-12-05 10:00 UTC)));
        let one = app(dir.path(), "secret", clock.clone()).await;
        let two = app(dir.path(), "secret", clock.clone()).await;
        let store = StoreId::from_uuid(uuid::Uuid::now_v7());
        let grant = one.portal_grant(store, OrderId::from_uuid(uuid::Uuid::now_v7()), 2);
        let token = one.grant_token(&grant);
        assert_eq!(two.verify_grant(&token), Some(grant), "another server of the deployment");
        let another = app(dir.path(), "another", clock.clone()).await;
        assert_eq!(another.verify_grant(&token), None, "another deployment");
        let mut forged = token.clone();
        forged.replace_range(..1, if forged.starts_with('0') { "1" } else { "0" });
        assert_eq!(two.verify_grant(&forged), None, "another store under the same signature");
        assert_eq!(two.verify_grant(&format!("{token}.x")), None);
        clock.advance(time::Duration::hours(3));
        assert_eq!(two.verify_grant(&token), None, "expired");
    }
}
