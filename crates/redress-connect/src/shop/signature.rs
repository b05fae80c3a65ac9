//! HMAC-SHA256, the one primitive behind every webhook signature here: Shopify and WooCommerce
//! sign the raw body and send it base64; Redress signs `"{t}.{body}"` and sends it hex.
//! Checks go through `Mac::verify_slice`, which compares in constant time.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    // HMAC accepts keys of every length, so `new_from_slice` does not fail; the all-zero key
    // only keeps this total without a panic.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| HmacSha256::new(&Default::default()));
    for part in parts {
        mac.update(part);
    }
    mac
}

/// The HMAC-SHA256 of the concatenated `parts` under `key`.
pub(crate) fn sign(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    mac(key, parts).finalize().into_bytes().into()
}

/// The signature base64-encoded, as Shopify and WooCommerce send it.
pub(crate) fn sign_base64(key: &[u8], body: &[u8]) -> String {
    STANDARD.encode(sign(key, &[body]))
}

/// True when `signature` (base64) is the body's HMAC under `key`, compared in constant time.
pub(crate) fn verify_base64(key: &[u8], body: &[u8], signature: &str) -> bool {
    match STANDARD.decode(signature.trim()) {
        Ok(given) => mac(key, &[body]).verify_slice(&given).is_ok(),
        Err(_) => false,
    }
}

/// True when `signature` (hex) is the HMAC of `parts` under `key`, compared in constant time.
pub(crate) fn verify_hex(key: &[u8], parts: &[&[u8]], signature: &str) -> bool {
    match hex::decode(signature) {
        Ok(given) => mac(key, parts).verify_slice(&given).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_4231_case_2() {
        // RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(hex::encode(sign(b"Jefe", &[b"what do ya want ", b"for nothing?"])), expected);
        assert!(verify_hex(b"Jefe", &[b"what do ya want for nothing?"], expected));
        assert!(!verify_hex(b"jefe", &[b"what do ya want for nothing?"], expected));
    }

    #[test]
    fn base64_signatures_check_the_body() {
        let signature = sign_base64(b"secret", b"{\"id\":1}");
        assert!(verify_base64(b"secret", b"{\"id\":1}", &signature));
        assert!(!verify_base64(b"secret", b"{\"id\":2}", &signature));
        assert!(!verify_base64(b"other", b"{\"id\":1}", &signature));
        assert!(!verify_base64(b"secret", b"{\"id\":1}", "not base64!"));
        assert!(!verify_base64(b"secret", b"{\"id\":1}", ""));
    }
}
