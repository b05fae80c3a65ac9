//! Who may see an order in the portal: a grant to one order
//! ([`redress_app::portal_links::Grant`], signed by the application so every server checks it),
//! kept in an HttpOnly cookie after the customer proved the order number and email, or carried
//! by a signed link from a message. Guesses are limited in the database by the look-up itself.
//! Forms carry a token derived from the cookie's, which a page of another site cannot read.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The name of the portal's cookie.
pub const COOKIE: &str = "redress_portal";

/// How long a look-up keeps the order open in the browser.
pub const SESSION_HOURS: i64 = 12;

/// Signs the portal's form tokens.
pub struct PortalKeys {
    key: [u8; 32],
}

impl PortalKeys {
    /// Keys derived from the deployment's admin secret (a separate derivation, so a form
    /// token never reveals or equals anything usable as the admin key).
    pub fn new(admin_secret: &str) -> Self {
        let key =
            Sha256::new().chain_update(b"redress portal forms v1\0").chain_update(admin_secret.as_bytes()).finalize();
        Self { key: key.into() }
    }

    /// The token that must come back with every form of a grant's session: it ties a form
    /// post to the cookie, which a page of another site cannot read.
    pub fn form_token(&self, session_token: &str) -> String {
        // The key is 32 bytes, which HMAC always accepts.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!());
        for part in ["form", session_token] {
            mac.update(part.as_bytes());
            mac.update(b"\0");
        }
        hex::encode(mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_tokens_are_bound_to_the_session_and_the_deployment() {
        let keys = PortalKeys::new("admin-secret");
        assert_eq!(keys.form_token("a.b.c.d"), keys.form_token("a.b.c.d"));
        assert_ne!(keys.form_token("a.b.c.d"), keys.form_token("other"));
        assert_ne!(keys.form_token("a.b.c.d"), PortalKeys::new("another-secret").form_token("a.b.c.d"));
    }
}
