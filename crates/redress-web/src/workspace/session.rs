//! Who is signed in to the agent workspace. A sign-in checks the password against its argon2
//! hash, then hands the browser a random session token in a `Secure` (behind HTTPS), HttpOnly,
//! SameSite=Strict cookie; storage keeps only the token's SHA-256. Every form carries a token
//! derived from the session token, so a page from another site cannot post as the agent.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The name of the workspace's cookie.
pub const COOKIE: &str = "redress_desk";

/// How long a sign-in lasts.
pub const SESSION_HOURS: i64 = 10;

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("the password could not be hashed: {0}")]
pub struct HashError(String);

/// The argon2id hash (PHC string, salt included) of a password, with the crate's default
/// parameters (19 MiB, two passes), which OWASP lists as a sound minimum.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` is the one `hash` was made from. A malformed hash matches nothing.
pub fn password_matches(hash: &str, password: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// A hash to check against when the email is unknown, so a wrong email takes as long as a
/// wrong password and the answer time does not tell which addresses are on the team.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("not anyone's password").unwrap_or_default())
}

/// A new session token: 32 random bytes in hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What storage keeps of a token.
pub fn token_hash(token: &str) -> String {
    crate::auth::hash_secret(token)
}

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
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches(&hash, "correct horse battery"));
        assert!(!password_matches(&hash, "correct horse battery!"));
        assert!(!password_matches("not a hash", "correct horse battery"));
        assert_ne!(hash, hash_password("correct horse battery").unwrap(), "each hash has its own salt");
        assert!(!password_matches(decoy_hash(), ""));
    }

    #[test]
    fn form_tokens_belong_to_their_session() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(form_token_valid(&a, &form_token(&a)));
        assert!(!form_token_valid(&a, &form_token(&b)));
        assert!(!form_token_valid(&a, ""));
        assert_ne!(token_hash(&a), a);
    }
}
