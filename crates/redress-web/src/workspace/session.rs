//! The desk's session in the browser: the cookie holding the session token the application
//! issued at sign-in ([`redress_app::team::sign_in`]), in a `Secure` (behind HTTPS), HttpOnly,
//! SameSite=Strict cookie. Every form carries a token derived from the session token, so a page
//! from another site cannot post as the agent.

use sha2::{Digest, Sha256};

/// The name of the desk's cookie.
pub const COOKIE: &str = "redress_desk";

/// The form token of a session: one-way from the session token, which only the browser
/// holding the HttpOnly cookie knows.
pub fn form_token(token: &str) -> String {
    hex::encode(Sha256::new().chain_update(b"redress desk form v1\0").chain_update(token.as_bytes()).finalize())
}

/// True when a posted form token belongs to the session.
pub fn form_token_valid(token: &str, posted: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(form_token(token).as_bytes().ct_eq(posted.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_tokens_belong_to_their_session() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        assert!(form_token_valid(&a, &form_token(&a)));
        assert!(!form_token_valid(&a, &form_token(&b)));
        assert!(!form_token_valid(&a, ""));
    }
}
