//! Request extractors that answer bad input in the API's error format.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use redress_app::ErrorCode;
use redress_app::idempotency::RequestKey;
use serde::de::DeserializeOwned;

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

/// A JSON body that may be left out entirely (an empty body reads as `T::default()`), for
/// endpoints whose every field is optional.
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let has_type = req.headers().contains_key(CONTENT_TYPE);
        let bytes = Bytes::from_request(req, state).await.map_err(body_error)?;
        if bytes.is_empty() && !has_type {
            return Ok(OptionalJson(T::default()));
        }
        if !has_type {
            return Err(unsupported());
        }
        Ok(OptionalJson(parse_json(&bytes)?))
    }
}

/// Reads a JSON body with the path of any field at fault.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let invalid =
        |e: serde_json::Error| ApiError::new(ErrorCode::InvalidJson, format!("the body is not valid JSON: {e}"));
    // Syntax first: serde_json files some type errors (null for an enum) under "syntax",
    // so only a body that is not JSON at all is reported as invalid JSON.
    let document = serde_json::from_slice::<serde_json::Value>(bytes).map_err(invalid)?;
    if let Some(field) = nul_in(&document, String::new()) {
        return Err(nul_refused(if field.is_empty() { "body".to_owned() } else { field }));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(from_json_error)?;
    deserializer.end().map_err(invalid)?;
    Ok(value)
}

/// The path (`a.b[0]`, as serde_path_to_error names fields) of the first text in `value` that
/// holds a NUL character: no text Redress keeps may, as PostgreSQL cannot store one.
fn nul_in(value: &serde_json::Value, path: String) -> Option<String> {
    match value {
        serde_json::Value::String(text) => text.contains('\0').then_some(path),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| nul_in(item, format!("{path}[{i}]")))
        }
        serde_json::Value::Object(members) => members.iter().find_map(|(name, member)| {
            let at = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            if name.contains('\0') { Some(at) } else { nul_in(member, at) }
        }),
        _ => None,
    }
}

fn nul_refused(field: String) -> ApiError {
    let field = field.replace('\0', "");
    ApiError(redress_app::AppError::invalid(field, "text must not contain the NUL character (U+0000)"))
}

/// The `Idempotency-Key` header a write that moves money or goods requires: retries with the
/// same key get the first answer (marked `Idempotent-Replayed: true`) and never act twice.
pub struct IdempotencyKey(pub RequestKey);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get("idempotency-key").ok_or_else(|| {
            ApiError(
                redress_app::AppError::new(
                    ErrorCode::MissingField,
                    "send an `Idempotency-Key` header (e.g. a UUID), and the same key when retrying",
                )
                .at("Idempotency-Key"),
            )
        })?;
        let text =
            value.to_str().map_err(|_| ApiError::invalid("Idempotency-Key", "use printable ASCII characters"))?;
        Ok(IdempotencyKey(RequestKey::parse(text)?))
    }
}

fn unsupported() -> ApiError {
    ApiError::new(ErrorCode::UnsupportedMediaType, "send the body as JSON with `Content-Type: application/json`")
}

fn body_error(rejection: BytesRejection) -> ApiError {
    match rejection {
        BytesRejection::FailedToBufferBody(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(ErrorCode::BodyTooLarge, format!("the body is larger than {MAX_BODY_BYTES} bytes"))
        }
        other => ApiError::new(ErrorCode::InvalidBody, other.body_text()),
    }
}

/// A raw mail's bytes (any content type), refused in the API's format when larger than
/// [`redress_app::channels::MAX_EMAIL_BYTES`].
pub struct RawMail(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for RawMail {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| match rejection {
            BytesRejection::FailedToBufferBody(_) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::new(
                    ErrorCode::BodyTooLarge,
                    format!("the mail is larger than {} bytes", redress_app::channels::MAX_EMAIL_BYTES),
                )
            }
            other => ApiError::new(ErrorCode::InvalidBody, other.body_text()),
        })?;
        if bytes.is_empty() {
            return Err(ApiError::new(ErrorCode::InvalidBody, "send the raw mail (RFC 5322) as the body"));
        }
        Ok(RawMail(bytes))
    }
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
            return Err(unsupported());
        }
        Ok(ApiBytes(Bytes::from_request(req, state).await.map_err(body_error)?))
    }
}

/// Query parameters, with the parameter at fault named on error.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        if let Some((name, _)) =
            form_urlencoded::parse(query.as_bytes()).find(|(name, value)| name.contains('\0') || value.contains('\0'))
        {
            return Err(nul_refused(name.into_owned()));
        }
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let message = e.into_inner().to_string();
            // serde names a value outside an enum only in its own fixed words.
            let code =
                if message.starts_with("unknown variant") { ErrorCode::UnknownValue } else { ErrorCode::InvalidField };
            let field = if field == "." { "query".to_owned() } else { field };
            ApiError(redress_app::AppError::new(code, message).at(field))
        })
    }
}

/// A path segment, decoded; a segment that is not valid text is refused in the API's format.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| ApiPath(value))
            .map_err(|_| ApiError::new(ErrorCode::NotFound, "no such resource: the path is not one this API knows"))
    }
}
