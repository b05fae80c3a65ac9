//! Request extractors that answer bad input in the API's error format.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, from_json_error};

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON body, deserialized with the path of any field at fault.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        Ok(ApiJson(parse_json(&bytes)?))
    }
}

/// Reads a JSON body with the path of any field at fault.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Syntax first: serde_json files some type errors (null for an enum) under "syntax",
    // so only a body that is not JSON at all is reported as invalid JSON.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("the body is not valid JSON: {e}"))
    })?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(from_json_error)?;
    deserializer.end().map_err(|e| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("the body is not valid JSON: {e}"))
    })?;
    Ok(value)
}

/// A JSON body together with the `Idempotency-Key` header and a hash of the request, for
/// endpoints whose retries must return the first answer.
pub struct IdempotentJson<T> {
    /// The body.
    pub body: T,
    /// The key, if the client sent one.
    pub key: Option<String>,
    /// SHA-256 of method, path and body: the same key with another request is refused.
    pub request_hash: String,
}

/// The longest Idempotency-Key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for IdempotentJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let key = idempotency_key(req.headers())?;
        let head = format!("{} {}", req.method(), req.uri().path());
        let ApiBytes(bytes) = ApiBytes::from_request(req, state).await?;
        let body = parse_json(&bytes)?;
        let mut hasher = Sha256::new();
        hasher.update(head.as_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
        Ok(IdempotentJson { body, key, request_hash: hex::encode(hasher.finalize()) })
    }
}

/// Reads the `Idempotency-Key` header: printable ASCII, 1 to 255 characters.
pub(crate) fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else { return Ok(None) };
    let text = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= MAX_IDEMPOTENCY_KEY && v.bytes().all(|b| b.is_ascii_graphic()));
    text.map(|t| Some(t.to_owned()))
        .ok_or_else(|| ApiError::invalid("Idempotency-Key", "use 1 to 255 printable ASCII characters, e.g. a UUID"))
}

/// A JSON body's bytes, refused in the API's format when not JSON or too large.
struct ApiBytes(Bytes);

impl<S: Send + Sync> FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json =
            req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with `Content-Type: application/json`",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| match rejection {
            BytesRejection::FailedToBufferBody(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                )
            }
            other => ApiError::new(other.status(), "invalid_body", other.body_text()),
        })?;
        Ok(ApiBytes(bytes))
    }
}

/// Query parameters, with the parameter at fault named on error.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let message = e.into_inner().to_string();
            let code = if message.starts_with("unknown variant") { "unknown_value" } else { "invalid_field" };
            ApiError { code, ..ApiError::invalid(if field == "." { "query".to_owned() } else { field }, message) }
        })
    }
}
