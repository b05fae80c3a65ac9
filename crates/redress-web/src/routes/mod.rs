//! The API's endpoints, one module per resource.

pub(crate) mod attachments;
pub(crate) mod cases;
pub(crate) mod health;
pub(crate) mod help;
pub(crate) mod money;
pub(crate) mod orders;
pub(crate) mod resolution;
pub(crate) mod stores;
pub(crate) mod team;
pub(crate) mod understanding;

use crate::error::ApiError;

/// Reads an id from the path; a malformed id names nothing, so it is a 404 like an unknown one.
pub(crate) fn path_id<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, ApiError> {
    text.parse().map_err(|_| ApiError::not_found(what))
}

/// A fresh time-ordered id.
pub(crate) fn new_id<T>(wrap: fn(uuid::Uuid) -> T) -> T {
    wrap(uuid::Uuid::now_v7())
}
