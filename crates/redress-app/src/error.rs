//! Typed refusals: every way a use case can say no, as one [`ErrorCode`] (a stable snake_case
//! code with its HTTP status and a short description) plus the field at fault and a message a
//! person can act on. The codes are the API's contract: they are listed in the OpenAPI
//! document, and no database text or internal detail ever reaches a caller.
//!
//! Domain and storage errors become [`AppError`]s here, once, with every variant mapped
//! explicitly (no wildcard arm), so a new refusal cannot slip out as the wrong code.

use redress_domain::amendment::AmendmentError;
use redress_domain::approval::ApprovalError;
use redress_domain::decision::DecisionError;
use redress_domain::dispute::DisputeError;
use redress_domain::ledger::LedgerError;
use redress_domain::refund::RefundError;
use redress_domain::resolution::ResolutionError;
use redress_domain::returns::ReturnError;
use redress_domain::{CaseError, MoneyError, ValidationError};
use redress_storage::{Conflict, StorageError};
use serde::Serialize;

/// Longest message kept from anything a caller sent: an error never echoes a large input.
const MAX_MESSAGE: usize = 500;

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = ($code:literal, $status:literal, $description:literal),)+) => {
        /// Every error code the API answers with. The code is stable: clients match on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the documentation.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            /// The code as clients see it.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)+ }
            }

            /// The HTTP status it is answered with.
            pub fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// What it means, in a sentence.
            pub fn description(self) -> &'static str {
                match self { $(ErrorCode::$variant => $description,)+ }
            }
        }
    };
}

error_codes! {
    /// A field breaks its rules.
    InvalidField = ("invalid_field", 400, "A field of the request breaks its rules; `field` names it."),
    /// A required field is absent.
    MissingField = ("missing_field", 400, "A required field is absent; `field` names it."),
    /// A value is not one of those allowed.
    UnknownValue = ("unknown_value", 400, "A value is not one of those the field allows."),
    /// The body is not JSON.
    InvalidJson = ("invalid_json", 400, "The body is not valid JSON."),
    /// The body could not be read.
    InvalidBody = ("invalid_body", 400, "The body could not be read."),
    /// The body is larger than allowed.
    BodyTooLarge = ("body_too_large", 413, "The body is larger than the endpoint accepts."),
    /// The body is not of a type the endpoint takes.
    UnsupportedMediaType = ("unsupported_media_type", 415, "Send the body with the content type the endpoint takes."),
    /// No credentials, or unknown ones.
    Unauthorized = ("unauthorized", 401, "Missing or unknown credentials."),
    /// The caller is known but may not do this.
    Forbidden = ("forbidden", 403, "The caller may not do this (an integration key never approves or changes settings)."),
    /// The approver asked for the refund themselves.
    OwnRequest = ("own_request", 403, "Four eyes: the person who asked cannot approve or reject."),
    /// The approver's role is below what the policy asks.
    RoleTooLow = ("role_too_low", 403, "The approver's role is below the one the policy asks for."),
    /// Nothing with that id in the caller's store.
    NotFound = ("not_found", 404, "Nothing of that kind with that id in this store."),
    /// The path exists but not with that method.
    MethodNotAllowed = ("method_not_allowed", 405, "The endpoint does not take that method."),
    /// The state machine does not allow the step.
    IllegalTransition = ("illegal_transition", 409, "The step is not allowed from the current status; nothing changed."),
    /// The change changes nothing.
    NoChange = ("no_change", 409, "The change would change nothing."),
    /// The case is closed.
    CaseClosed = ("case_closed", 409, "The case is closed; reopen it first."),
    /// The case is about no order.
    CaseWithoutOrder = ("case_without_order", 409, "The case is about no order; link it to one first."),
    /// The remedy is not on offer.
    NotOffered = ("not_offered", 409, "The remedy is not among the options the policy offers now."),
    /// The remedy was already given for these units.
    AlreadyGiven = ("already_given", 409, "These units were already refunded, replaced, exchanged or compensated."),
    /// The case has no order to act on.
    NoOrder = ("no_order", 409, "The step needs the case's order, and the case has none."),
    /// The order is cancelled.
    OrderCancelled = ("order_cancelled", 409, "The order is cancelled."),
    /// Not enough stock.
    OutOfStock = ("out_of_stock", 409, "The variant asked for is not in stock."),
    /// The parcel is with the carrier.
    TooLateToAmend = ("too_late_to_amend", 409, "The parcel is with the carrier; see `alternatives`."),
    /// A row changed while the request read it.
    ChangedMeanwhile = ("changed_meanwhile", 409, "The record changed meanwhile; read it again and retry."),
    /// The slug is taken.
    SlugTaken = ("slug_taken", 409, "Another store has this slug."),
    /// The team member exists.
    MemberExists = ("member_exists", 409, "A team member with this email is already on the team."),
    /// The change would leave no admin.
    LastAdmin = ("last_admin", 409, "A store keeps at least one admin."),
    /// The policy version is not above the one in force.
    PolicyVersionNotAbove = ("policy_version_not_above", 409, "A new policy version must be above the version in force."),
    /// The posting cannot be corrected.
    CannotCorrect = ("cannot_correct", 409, "The posting was corrected before, or moved store credit."),
    /// Recorded already.
    Duplicate = ("duplicate", 409, "This is already recorded."),
    /// A rule of the stored data refused the write.
    ConstraintViolated = ("constraint_violated", 409, "The change breaks a rule of the stored data; nothing changed."),
    /// Personal data is still needed for money in flight.
    ErasureBlocked = ("erasure_blocked", 409, "The customer has a refund in flight or an open dispute, which need their data; nothing was erased."),
    /// A request with this key is under way.
    RequestInProgress = ("request_in_progress", 409, "A request with this Idempotency-Key is being carried out."),
    /// The key was used for another request.
    IdempotencyKeyReused = ("idempotency_key_reused", 422, "The Idempotency-Key was used for a different request."),
    /// More than can be refunded.
    AmountAboveRefundable = ("amount_above_refundable", 422, "More than the payment or the goods can still give back."),
    /// An amount out of range.
    AmountOutOfRange = ("amount_out_of_range", 422, "An amount is out of the range money can take."),
    /// Not enough store credit.
    InsufficientStoreCredit = ("insufficient_store_credit", 422, "The customer's store credit is short of the amount."),
    /// The confirmation does not match.
    ConfirmationMismatch = ("confirmation_mismatch", 422, "The confirmation does not match what it confirms."),
    /// The payment provider refused the request for good.
    ProviderRefused = ("provider_refused", 422, "The payment provider refused the request; nothing changed here."),
    /// Too many attempts.
    TooManyAttempts = ("too_many_attempts", 429, "Too many attempts; wait before trying again."),
    /// Something failed on Redress's side.
    Internal = ("internal", 500, "Something failed on Redress's side; nothing was changed."),
    /// A dependency is down.
    Unavailable = ("unavailable", 503, "A service Redress depends on is not answering; try again shortly."),
    /// The server is at its limit of requests in flight.
    Overloaded = ("overloaded", 503, "The server is at its limit of requests in flight; retry after `Retry-After` seconds."),
    /// The request took longer than the server allows.
    TimedOut = ("timed_out", 503, "The request took longer than the server allows; retry (writes with the same Idempotency-Key)."),
}

/// A use case's refusal: the code, the field at fault when there is one, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct AppError {
    /// What kind of refusal.
    pub code: ErrorCode,
    /// The field at fault, as a path such as `lines[0].quantity`.
    pub field: Option<String>,
    /// What went wrong and what to do about it.
    pub message: String,
    /// Remedies still possible, for a refusal that has them (`too_late_to_amend`).
    pub alternatives: Vec<redress_domain::Remedy>,
}

/// What a use case returns.
pub type AppResult<T> = Result<T, AppError>;

/// A message bounded to [`MAX_MESSAGE`] characters, so no refusal echoes a large input.
fn bounded(message: String) -> String {
    if message.chars().count() <= MAX_MESSAGE {
        return message;
    }
    let mut cut: String = message.chars().take(MAX_MESSAGE).collect();
    cut.push('…');
    cut
}

impl AppError {
    /// A refusal with no particular field.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, field: None, message: bounded(message.into()), alternatives: Vec::new() }
    }

    /// A field that breaks its rules.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidField, message).at(field)
    }

    /// The same refusal, naming `field`.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.field = Some(bounded(field.into()));
        self
    }

    /// Nothing of that kind with that id in the caller's store.
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("no {what} with that id in this store"))
    }

    /// The caller may not do this.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    /// Missing or unknown credentials.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    /// Something failed on Redress's side: the detail goes to the log, never to the caller.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(ErrorCode::Internal, "something went wrong on our side; nothing was changed, try again")
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        AppError::invalid(e.field, e.problem)
    }
}

impl From<CaseError> for AppError {
    fn from(e: CaseError) -> Self {
        let message = e.to_string();
        match e {
            CaseError::IllegalTransition { .. } => AppError::new(ErrorCode::IllegalTransition, message),
            CaseError::NoChange(_) => AppError::new(ErrorCode::NoChange, message),
            CaseError::Closed(_) => AppError::new(ErrorCode::CaseClosed, message),
            CaseError::Invalid(v) => v.into(),
        }
    }
}

impl From<Conflict> for AppError {
    fn from(e: Conflict) -> Self {
        let message = e.to_string();
        let code = match e {
            Conflict::SlugTaken(_) => ErrorCode::SlugTaken,
            Conflict::MemberExists(_) => ErrorCode::MemberExists,
            Conflict::LastAdmin(_) => ErrorCode::LastAdmin,
            Conflict::ChangedMeanwhile(_) => ErrorCode::ChangedMeanwhile,
            Conflict::KeyTaken => ErrorCode::RequestInProgress,
            Conflict::PolicyVersion { .. } => ErrorCode::PolicyVersionNotAbove,
            Conflict::AlreadyCorrected(_) | Conflict::CreditPosting => ErrorCode::CannotCorrect,
            Conflict::Duplicate(_) => ErrorCode::Duplicate,
            Conflict::Constraint(_) => ErrorCode::ConstraintViolated,
        };
        AppError::new(code, message)
    }
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => AppError::not_found(what),
            StorageError::Conflict(conflict) => conflict.into(),
            StorageError::Case(case) => case.into(),
            StorageError::Resolution(refused) => refused.into(),
            StorageError::Refund(refund) => refund.into(),
            StorageError::Dispute(dispute) => dispute.into(),
            StorageError::Ledger(ledger) => ledger.into(),
            StorageError::Erasure(refused) => AppError::new(ErrorCode::ErasureBlocked, refused.to_string()),
            StorageError::IdempotencyMismatch(message) => {
                AppError::new(ErrorCode::IdempotencyKeyReused, message).at("Idempotency-Key")
            }
            other @ (StorageError::Corrupt(_) | StorageError::Backend(_)) => AppError::internal(other),
        }
    }
}

impl From<LedgerError> for AppError {
    fn from(e: LedgerError) -> Self {
        // A posting that does not balance is built by Redress, not asked for: a bug.
        AppError::internal(e)
    }
}

impl From<MoneyError> for AppError {
    fn from(e: MoneyError) -> Self {
        let message = e.to_string();
        match e {
            MoneyError::CurrencyMismatch { .. } => AppError::invalid("amount.currency", message),
            _ => AppError::new(ErrorCode::AmountOutOfRange, message).at("amount"),
        }
    }
}

impl From<ApprovalError> for AppError {
    fn from(e: ApprovalError) -> Self {
        let message = e.to_string();
        match e {
            ApprovalError::OwnRequest => AppError::new(ErrorCode::OwnRequest, message),
            ApprovalError::RoleTooLow { .. } => AppError::new(ErrorCode::RoleTooLow, message),
        }
    }
}

impl From<RefundError> for AppError {
    fn from(e: RefundError) -> Self {
        let message = e.to_string();
        match e {
            RefundError::AboveRefundable { .. } | RefundError::AboveOrderValue { .. } => {
                AppError::new(ErrorCode::AmountAboveRefundable, message).at("amount")
            }
            RefundError::IllegalTransition { .. } => AppError::new(ErrorCode::IllegalTransition, message),
            RefundError::Invalid(v) => v.into(),
            RefundError::Approval(approval) => approval.into(),
            RefundError::Money(money) => money.into(),
        }
    }
}

impl From<DisputeError> for AppError {
    fn from(e: DisputeError) -> Self {
        let message = e.to_string();
        match e {
            DisputeError::IllegalTransition { .. } => AppError::new(ErrorCode::IllegalTransition, message),
            DisputeError::Invalid(v) => v.into(),
        }
    }
}

impl From<ResolutionError> for AppError {
    fn from(e: ResolutionError) -> Self {
        let message = e.to_string();
        let conflict = |code| AppError::new(code, message.clone());
        match e {
            ResolutionError::Case(case) => case.into(),
            ResolutionError::Return(ReturnError::IllegalTransition { .. }) => conflict(ErrorCode::IllegalTransition),
            ResolutionError::Return(ReturnError::Approval(approval)) => approval.into(),
            ResolutionError::Return(ReturnError::Invalid(v))
            | ResolutionError::Amendment(AmendmentError::Invalid(v))
            | ResolutionError::Decision(DecisionError::Invalid(v))
            | ResolutionError::Invalid(v) => v.into(),
            ResolutionError::Return(ReturnError::Money(_))
            | ResolutionError::Amendment(AmendmentError::Money(_))
            | ResolutionError::Decision(DecisionError::Money(_)) => conflict(ErrorCode::AmountOutOfRange),
            ResolutionError::Amendment(AmendmentError::TooLate { reason, alternatives }) => {
                AppError { alternatives, ..AppError::new(ErrorCode::TooLateToAmend, reason.text) }
            }
            ResolutionError::Amendment(AmendmentError::OutOfStock { .. }) => conflict(ErrorCode::OutOfStock),
            ResolutionError::Amendment(AmendmentError::Cancelled) => conflict(ErrorCode::OrderCancelled),
            ResolutionError::Amendment(AmendmentError::NoChange) => conflict(ErrorCode::NoChange),
            ResolutionError::NotOffered(_) => conflict(ErrorCode::NotOffered),
            ResolutionError::AlreadyGiven(_) | ResolutionError::CompensatedAlready => conflict(ErrorCode::AlreadyGiven),
            ResolutionError::NoOrder => conflict(ErrorCode::NoOrder),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_with_an_error_status() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{} twice", code.as_str());
            assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!((400..600).contains(&code.status()), "{:?}", code);
            let serialised = serde_json::to_value(code).unwrap();
            assert_eq!(serialised, code.as_str(), "serde and as_str agree");
            assert!(!code.description().is_empty());
        }
    }

    #[test]
    fn a_constraint_is_the_same_code_whatever_the_backend_said() {
        let from_check: AppError = StorageError::from(Conflict::Constraint("check".into())).into();
        assert_eq!(from_check.code, ErrorCode::ConstraintViolated);
        assert_eq!(from_check.code.status(), 409);
        assert!(!from_check.message.contains("CHECK"), "no database text: {}", from_check.message);
    }

    #[test]
    fn messages_never_echo_a_large_input() {
        let huge = "x".repeat(900_000);
        let error = AppError::invalid(huge.clone(), huge);
        assert!(error.message.chars().count() <= MAX_MESSAGE + 1);
        assert!(error.field.is_some_and(|f| f.chars().count() <= MAX_MESSAGE + 1));
    }
}
