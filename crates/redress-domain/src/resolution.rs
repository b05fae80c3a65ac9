//! What carrying out a remedy touches, in one value: the case change and its timeline entries,
//! the order as amended, the returns created or moved on, the claims filed, the refunds asked
//! for. Storage commits it in one transaction; any refusal is a [`ResolutionError`] (or, for a
//! refund, a refund error) and nothing is written.

use crate::amendment::AmendmentError;
use crate::approval::ApprovalPolicy;
use crate::case::{Case, CaseChange, CaseError};
use crate::claim::Claim;
use crate::decision::DecisionError;
use crate::given::AlreadyGiven;
use crate::order::Order;
use crate::refund::{Refund, RefundRequest};
use crate::returns::{ReturnAuthorisation, ReturnError};
use crate::store::ValidationError;

/// Everything a resolution step may read: the case, its order and the order's returns, as they
/// are inside the transaction that will commit the step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolutionContext {
    /// The case, locked for the step.
    pub case: Case,
    /// Its order, if it has one.
    pub order: Option<Order>,
    /// Every return of that order, from any case, so units are never returned twice.
    pub returns: Vec<ReturnAuthorisation>,
    /// Claims already filed on the order, from any case, so units are never replaced twice.
    pub claims: Vec<Claim>,
    /// The order's refunds, from any case, so units are never refunded twice.
    pub refunds: Vec<Refund>,
}

/// What a resolution step writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The case and its timeline entries.
    pub change: CaseChange,
    /// The order, when the step amended it.
    pub order: Option<Order>,
    /// Returns created or moved on (a return's `version` says which).
    pub returns: Vec<ReturnAuthorisation>,
    /// Claims filed.
    pub claims: Vec<Claim>,
    /// Refunds asked for: storage writes each intent (reserving its amount, applying the
    /// approval and abuse rules, checking its lines) after the case change, in the same
    /// transaction, exactly as a refund asked for on its own is written.
    pub refunds: Vec<RefundAsk>,
}

/// A refund a resolution step asks for, with the approval rule it is judged by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundAsk {
    /// The request.
    pub request: RefundRequest,
    /// The store's approval and abuse rules.
    pub policy: ApprovalPolicy,
}

impl Resolution {
    /// A step that only changes the case.
    pub fn of(change: CaseChange) -> Self {
        Self { change, order: None, returns: Vec::new(), claims: Vec::new(), refunds: Vec::new() }
    }
}

/// Why a resolution step was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolutionError {
    /// The case refused.
    #[error(transparent)]
    Case(#[from] CaseError),
    /// A return refused.
    #[error(transparent)]
    Return(#[from] ReturnError),
    /// The amendment was refused.
    #[error(transparent)]
    Amendment(#[from] AmendmentError),
    /// No decision could be made.
    #[error(transparent)]
    Decision(#[from] DecisionError),
    /// A field breaks its rules.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The remedy is not among those the decision offers.
    #[error("`{0}` is not on offer for this case now; ask for the options again")]
    NotOffered(String),
    /// The units asked for already had a remedy.
    #[error(transparent)]
    AlreadyGiven(AlreadyGiven),
    /// The case already had goodwill compensation, and the policy does not let it repeat.
    #[error("this case already had goodwill compensation; the policy gives it once per case")]
    CompensatedAlready,
    /// The step needs an order and the case has none.
    #[error("the case has no order")]
    NoOrder,
}
