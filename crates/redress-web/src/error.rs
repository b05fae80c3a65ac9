//! The API's one error format: `{"error": {"code", "field", "message"}}` with a stable
//! snake_case code from [`ErrorCode`] (its HTTP status decided there, once), the field at
//! fault when there is one, and a message a person can act on. A refused amendment adds the
//! remedies still possible as `alternatives`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use redress_app::{AppError, ErrorCode};
use redress_domain::Remedy;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError(pub AppError);

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code; every code is listed in the API's description with its status.
    pub code: ErrorCode,
    /// The request field at fault, if one is.
    pub field: Option<String>,
    /// A message a person can act on.
    pub message: String,
    /// Remedies still possible, for a refusal that has them (`too_late_to_amend`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<Remedy>,
}

impl ApiError {
    /// An error with no particular field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(AppError::new(code, message))
    }

    /// A field that breaks its rules.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self(AppError::invalid(field, message))
    }

    /// Nothing of that kind with that id in the caller's store.
    pub fn not_found(what: &str) -> Self {
        Self(AppError::not_found(what))
    }

    /// Missing or wrong credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self(AppError::unauthorized(message))
    }

    /// Something failed on our side; the details go to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self(AppError::internal(detail))
    }

    /// The code.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let AppError { code, field, message, alternatives } = self.0;
        let body = ErrorBody { error: ErrorDetail { code, field, message, alternatives } };
        (status, axum::Json(body)).into_response()
    }
}

/// The table of error codes for the API's description: code, status and meaning.
pub(crate) fn code_table() -> String {
    let mut table = String::from("| code | status | meaning |\n|---|---|---|\n");
    for code in ErrorCode::ALL {
        table.push_str(&format!("| `{}` | {} | {} |\n", code.as_str(), code.status(), code.description()));
    }
    table
}

/// Reads a serde error (with its path) as the API reports it: which field, and whether it is
/// missing, of the wrong type or an unknown value.
pub(crate) fn from_json_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    let field = if path == "." { None } else { Some(path) };
    use serde_json::error::Category;
    let text = inner.to_string();
    // serde_json appends " at line L column C"; the field path says more to an API user.
    let message = text.split(" at line ").next().unwrap_or(&text).to_owned();
    if inner.classify() == Category::Data
        && let Some(name) = message.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`'))
    {
        let full = match &field {
            Some(parent) => format!("{parent}.{name}"),
            None => name.to_owned(),
        };
        return ApiError(AppError::new(ErrorCode::MissingField, format!("`{full}` is required")).at(full));
    }
    // serde tells a value outside an enum from other type errors only in its own fixed words.
    let code = if message.starts_with("unknown variant") { ErrorCode::UnknownValue } else { ErrorCode::InvalidField };
    let error = AppError::new(code, message);
    ApiError(match field {
        Some(field) => error.at(field),
        None => error,
    })
}
