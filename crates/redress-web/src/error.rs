//! The API's one error format: `{"error": {"code", "field", "message"}}` with a stable
//! snake_case code, the field at fault when there is one, and a message a person can act on.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use redress_domain::amendment::AmendmentError;
use redress_domain::approval::ApprovalError;
use redress_domain::decision::DecisionError;
use redress_domain::dispute::DisputeError;
use redress_domain::refund::RefundError;
use redress_domain::resolution::ResolutionError;
use redress_domain::returns::ReturnError;
use redress_domain::{CaseError, MoneyError, ValidationError};
use redress_storage::StorageError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered by the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code clients can match on.
    pub code: &'static str,
    /// The request field at fault, as a path such as `lines[0].quantity`.
    pub field: Option<String>,
    /// What went wrong and what to do about it.
    pub message: String,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code, e.g. `invalid_field`, `not_found`, `illegal_transition`.
    pub code: String,
    /// The request field at fault, if one is.
    pub field: Option<String>,
    /// A message a person can act on.
    pub message: String,
}

impl ApiError {
    /// An error with no particular field.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, field: None, message: message.into() }
    }

    /// A field that breaks its rules.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_field",
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// Nothing of that kind with that id in the caller's store.
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("no {what} with that id in this store"))
    }

    /// Missing or wrong credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    /// Something failed on our side; the details go to the log, not to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; nothing was changed, try again",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            ErrorBody { error: ErrorDetail { code: self.code.to_owned(), field: self.field, message: self.message } };
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::invalid(e.field, e.problem)
    }
}

impl From<CaseError> for ApiError {
    fn from(e: CaseError) -> Self {
        let message = e.to_string();
        match e {
            CaseError::IllegalTransition { .. } => ApiError::new(StatusCode::CONFLICT, "illegal_transition", message),
            CaseError::NoChange(_) => ApiError::new(StatusCode::CONFLICT, "no_change", message),
            CaseError::Closed(_) => ApiError::new(StatusCode::CONFLICT, "case_closed", message),
            CaseError::Invalid(v) => v.into(),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => ApiError::not_found(what),
            StorageError::Conflict(message) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            StorageError::Case(case) => case.into(),
            StorageError::Resolution(refused) => refused.into(),
            StorageError::Refund(refund) => refund.into(),
            StorageError::Dispute(dispute) => dispute.into(),
            StorageError::IdempotencyMismatch(message) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", message)
            }
            other @ (StorageError::Corrupt(_) | StorageError::Backend(_) | StorageError::Ledger(_)) => {
                ApiError::internal(other)
            }
        }
    }
}

impl From<RefundError> for ApiError {
    fn from(e: RefundError) -> Self {
        let message = e.to_string();
        match e {
            RefundError::AboveRefundable { .. } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "amount_above_refundable",
                field: Some("amount".into()),
                message,
            },
            RefundError::IllegalTransition { .. } => ApiError::new(StatusCode::CONFLICT, "illegal_transition", message),
            RefundError::Invalid(v) => v.into(),
            RefundError::Approval(ApprovalError::OwnRequest) => {
                ApiError::new(StatusCode::FORBIDDEN, "own_request", message)
            }
            RefundError::Approval(ApprovalError::RoleTooLow { .. }) => {
                ApiError::new(StatusCode::FORBIDDEN, "role_too_low", message)
            }
            RefundError::Money(MoneyError::CurrencyMismatch { .. }) => ApiError::invalid("amount.currency", message),
            RefundError::Money(_) => ApiError::invalid("amount", message),
        }
    }
}

impl From<DisputeError> for ApiError {
    fn from(e: DisputeError) -> Self {
        let message = e.to_string();
        match e {
            DisputeError::IllegalTransition { .. } => {
                ApiError::new(StatusCode::CONFLICT, "illegal_transition", message)
            }
            DisputeError::Invalid(v) => v.into(),
        }
    }
}

impl From<ResolutionError> for ApiError {
    fn from(e: ResolutionError) -> Self {
        let message = e.to_string();
        let conflict = |code| ApiError::new(StatusCode::CONFLICT, code, message.clone());
        match e {
            ResolutionError::Case(case) => case.into(),
            ResolutionError::Return(ReturnError::IllegalTransition { .. }) => conflict("illegal_transition"),
            ResolutionError::Return(ReturnError::Invalid(v))
            | ResolutionError::Amendment(AmendmentError::Invalid(v))
            | ResolutionError::Decision(DecisionError::Invalid(v))
            | ResolutionError::Invalid(v) => v.into(),
            ResolutionError::Return(ReturnError::Money(_))
            | ResolutionError::Amendment(AmendmentError::Money(_))
            | ResolutionError::Decision(DecisionError::Money(_)) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "amount_out_of_range", message)
            }
            ResolutionError::Amendment(AmendmentError::TooLate { reason, alternatives }) => {
                let alternatives: Vec<&str> = alternatives.iter().map(|r| r.as_str()).collect();
                ApiError::new(
                    StatusCode::CONFLICT,
                    "too_late_to_amend",
                    format!("{} Alternatives: {}.", reason.text, alternatives.join(", ")),
                )
            }
            ResolutionError::Amendment(AmendmentError::OutOfStock { .. }) => conflict("out_of_stock"),
            ResolutionError::Amendment(AmendmentError::Cancelled) => conflict("order_cancelled"),
            ResolutionError::Amendment(AmendmentError::NoChange) => conflict("no_change"),
            ResolutionError::NotOffered(_) => conflict("not_offered"),
            ResolutionError::NeedsApproval(_) => {
                ApiError { field: Some("approved_by".into()), ..conflict("needs_approval") }
            }
            ResolutionError::NoOrder => conflict("no_order"),
        }
    }
}

/// Reads a serde error (with its path) as the API reports it: which field, and whether it is
/// missing, of the wrong type or an unknown value.
pub(crate) fn from_json_error(error: serde_path_to_error::Error<serde_json::Error>) -> ApiError {
    let path = error.path().to_string();
    let inner = error.into_inner();
    let text = inner.to_string();
    // serde_json appends " at line L column C"; the field path says more to an API user.
    let message = text.split(" at line ").next().unwrap_or(&text).to_owned();
    let field = if path == "." { None } else { Some(path) };
    if let Some(name) = message.strip_prefix("missing field `").and_then(|rest| rest.strip_suffix('`')) {
        let full = match &field {
            Some(parent) => format!("{parent}.{name}"),
            None => name.to_owned(),
        };
        return ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "missing_field",
            message: format!("`{full}` is required"),
            field: Some(full),
        };
    }
    let code = if message.starts_with("unknown variant") { "unknown_value" } else { "invalid_field" };
    ApiError { status: StatusCode::BAD_REQUEST, code, field, message }
}
