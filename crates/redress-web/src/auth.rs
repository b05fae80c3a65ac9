//! Who is calling over the API: the deployment's operator (its key sets up stores), or a
//! store's API key, an integration key or a team member's personal key. The caller is read
//! from the `Authorization: Bearer` header only, and what it may do is decided by the
//! application ([`redress_app::Caller::require`]), never by anything in a request body.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use redress_app::Caller;

use crate::AppState;
use crate::error::ApiError;

/// The secret of an `Authorization: Bearer <secret>` header, bounded; refused with what to send
/// when absent or malformed.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let header = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("send an API key as `Authorization: Bearer <key>`"))?;
    header
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 256)
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <key>`"))
}

/// The authenticated caller of an API request.
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret = bearer(&parts.headers)?;
        if state.operator().matches(secret) {
            return Ok(ApiCaller(Caller::Operator));
        }
        Ok(ApiCaller(redress_app::keys::authenticate(state.app(), secret).await?))
    }
}
