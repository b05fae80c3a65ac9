//! The sandbox payment provider: an in-memory provider with Stripe's semantics (an idempotency
//! key is done at most once; refunds never exceed a charge), which the demo uses and tests
//! script. Tell it what the next calls do with [`Sandbox::script`]:
//!
//! - [`Behaviour::Succeed`]: refund at once (the default when nothing is scripted);
//! - [`Behaviour::Fail`]: refuse, as a card network would (expired card, closed account);
//! - [`Behaviour::TimeOutBeforeExecuting`]: hang without doing anything;
//! - [`Behaviour::TimeOutAfterExecuting`]: do the refund, then hang, so the caller never hears;
//! - [`Behaviour::AnswerTwice`]: refund, answer, and send the same answer again as an event;
//! - [`Behaviour::SettleLater`]: accept as pending; [`Sandbox::settle`] finishes it later and
//!   sends an event, as a webhook would;
//! - [`Behaviour::Hold`]: refund, and answer only once [`Sandbox::release`] is called, so a test
//!   can act while a call is in flight without guessing how long it takes.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redress_domain::dispute::StripeEvidence;
use redress_domain::{Money, RefundId};
use tokio::sync::{Semaphore, broadcast, watch};

use crate::{PaymentProvider, ProviderAnswer, ProviderDispute, ProviderError, ProviderRefund, ProviderRefundStatus};

/// What the sandbox does with a refund call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Refund at once.
    Succeed,
    /// Refuse with this reason.
    Fail(String),
    /// Hang without refunding.
    TimeOutBeforeExecuting,
    /// Refund, then hang.
    TimeOutAfterExecuting,
    /// Refund, answer, and send the answer again as an event.
    AnswerTwice,
    /// Accept; settle when told.
    SettleLater,
    /// Refund, and answer only after this long: a slow provider, not a broken one.
    Slow(Duration),
    /// Refund, and answer once [`Sandbox::release`] is called.
    Hold,
}

/// How a slow or held answer waits.
enum Wait {
    For(Duration),
    Released,
}

/// A refund the sandbox made (or refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxRefund {
    /// `re_sandbox_…`.
    pub reference: String,
    /// The charge refunded.
    pub charge: String,
    /// How much.
    pub amount: Money,
    /// The idempotency key it was made with.
    pub idempotency_key: String,
    /// The intent it carries out.
    pub refund_id: RefundId,
    /// Where it stands.
    pub status: ProviderRefundStatus,
}

#[derive(Default)]
struct State {
    refunds: Vec<SandboxRefund>,
    by_key: HashMap<String, usize>,
    script: VecDeque<Behaviour>,
    charges: HashMap<String, Money>,
    disputes: HashMap<String, ProviderDispute>,
    evidence: HashMap<String, StripeEvidence>,
    calls: u64,
}

/// The sandbox provider. Cloning shares its state.
#[derive(Clone)]
pub struct Sandbox {
    state: Arc<Mutex<State>>,
    events: broadcast::Sender<ProviderAnswer>,
    hang: Duration,
    /// The number of refund calls so far, for tests that wait for a call to arrive.
    calls_made: Arc<watch::Sender<u64>>,
    /// Permits for held answers ([`Behaviour::Hold`]).
    released: Arc<Semaphore>,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A sandbox with nothing scripted: every refund succeeds at once.
    pub fn new() -> Self {
        Self {
            state: Arc::default(),
            events: broadcast::channel(1024).0,
            hang: Duration::from_secs(3600),
            calls_made: Arc::new(watch::channel(0).0),
            released: Arc::new(Semaphore::new(0)),
        }
    }

    /// How long a scripted timeout hangs (an hour unless set; callers time out first).
    pub fn with_hang(mut self, hang: Duration) -> Self {
        self.hang = hang;
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Scripts what the next refund call does; calls beyond the script succeed.
    pub fn script(&self, behaviour: Behaviour) {
        self.state().script.push_back(behaviour);
    }

    /// Declares a charge and what was captured on it, so refunds above it are refused.
    pub fn add_charge(&self, charge: &str, captured: Money) {
        self.state().charges.insert(charge.to_owned(), captured);
    }

    /// The currency of a declared charge.
    pub fn charge_currency(&self, charge: &str) -> Option<redress_domain::Currency> {
        self.state().charges.get(charge).map(|m| m.currency)
    }

    /// Declares a dispute the provider has opened.
    pub fn add_dispute(&self, dispute: ProviderDispute) {
        self.state().disputes.insert(dispute.reference.clone(), dispute);
    }

    /// Evidence submitted for a dispute, as received.
    pub fn evidence(&self, reference: &str) -> Option<StripeEvidence> {
        self.state().evidence.get(reference).cloned()
    }

    /// Every refund made, in order.
    pub fn refunds(&self) -> Vec<SandboxRefund> {
        self.state().refunds.clone()
    }

    /// How many refund calls arrived (retries and duplicates included).
    pub fn calls(&self) -> u64 {
        self.state().calls
    }

    /// Returns once `count` refund calls have arrived.
    pub async fn wait_for_calls(&self, count: u64) {
        // The sender lives as long as the sandbox, so waiting cannot fail.
        let _ = self.calls_made.subscribe().wait_for(|calls| *calls >= count).await;
    }

    /// Lets one held answer ([`Behaviour::Hold`]) go.
    pub fn release(&self) {
        self.released.add_permits(1);
    }

    /// Answers sent as events (webhooks): settlements and repeated answers.
    pub fn subscribe(&self) -> broadcast::Receiver<ProviderAnswer> {
        self.events.subscribe()
    }

    /// Settles a pending refund (days later, in the real world) and sends the event.
    pub fn settle(&self, reference: &str, succeeded: bool) -> Option<ProviderAnswer> {
        let answer = {
            let mut state = self.state();
            let refund = state.refunds.iter_mut().find(|r| r.reference == reference)?;
            refund.status = if succeeded {
                ProviderRefundStatus::Succeeded
            } else {
                ProviderRefundStatus::Failed { reason: "the bank returned the refund".into() }
            };
            answer_of(refund)
        };
        let _ = self.events.send(answer.clone());
        Some(answer)
    }
}

fn answer_of(refund: &SandboxRefund) -> ProviderAnswer {
    ProviderAnswer {
        reference: refund.reference.clone(),
        refund_id: Some(refund.refund_id),
        status: refund.status.clone(),
    }
}

#[async_trait]
impl PaymentProvider for Sandbox {
    fn name(&self) -> &str {
        "sandbox"
    }

    async fn refund(&self, request: &ProviderRefund) -> Result<ProviderAnswer, ProviderError> {
        let (answer, hang, repeat, slow) = {
            let mut state = self.state();
            state.calls += 1;
            self.calls_made.send_replace(state.calls);
            if let Some(index) = state.by_key.get(&request.idempotency_key).copied() {
                let first = state.refunds.get(index).ok_or_else(|| ProviderError::Protocol("lost refund".into()))?;
                if first.amount != request.amount || first.charge != request.charge {
                    return Err(ProviderError::Rejected(
                        "idempotency_key_in_use: the key was used with different parameters".into(),
                    ));
                }
                return Ok(answer_of(first));
            }
            let behaviour = state.script.pop_front().unwrap_or(Behaviour::Succeed);
            let slow = match behaviour {
                Behaviour::Slow(delay) => Some(Wait::For(delay)),
                Behaviour::Hold => Some(Wait::Released),
                _ => None,
            };
            if behaviour == Behaviour::TimeOutBeforeExecuting {
                (None, true, false, None)
            } else {
                if request.amount.amount_minor <= 0 {
                    return Err(ProviderError::Rejected("amount must be positive".into()));
                }
                if let Some(captured) = state.charges.get(&request.charge).map(|m| m.amount_minor) {
                    let refunded: i64 = state
                        .refunds
                        .iter()
                        .filter(|r| {
                            r.charge == request.charge && !matches!(r.status, ProviderRefundStatus::Failed { .. })
                        })
                        .map(|r| r.amount.amount_minor)
                        .sum();
                    if refunded + request.amount.amount_minor > captured {
                        return Err(ProviderError::Rejected(format!(
                            "charge_already_refunded: {} would exceed the charge's {captured}",
                            refunded + request.amount.amount_minor
                        )));
                    }
                }
                let status = match &behaviour {
                    Behaviour::Fail(reason) => ProviderRefundStatus::Failed { reason: reason.clone() },
                    Behaviour::SettleLater => ProviderRefundStatus::Pending,
                    _ => ProviderRefundStatus::Succeeded,
                };
                let refund = SandboxRefund {
                    reference: format!("re_sandbox_{}", uuid::Uuid::now_v7().simple()),
                    charge: request.charge.clone(),
                    amount: request.amount,
                    idempotency_key: request.idempotency_key.clone(),
                    refund_id: request.refund_id,
                    status,
                };
                let answer = answer_of(&refund);
                let index = state.refunds.len();
                state.refunds.push(refund);
                state.by_key.insert(request.idempotency_key.clone(), index);
                (Some(answer), behaviour == Behaviour::TimeOutAfterExecuting, behaviour == Behaviour::AnswerTwice, slow)
            }
        };
        match slow {
            Some(Wait::For(delay)) => tokio::time::sleep(delay).await,
            // The semaphore is never closed, so acquiring only waits.
            Some(Wait::Released) => drop(self.released.acquire().await),
            None => {}
        }
        if hang {
            tokio::time::sleep(self.hang).await;
            return Err(ProviderError::Timeout);
        }
        let answer = answer.ok_or_else(|| ProviderError::Protocol("no answer".into()))?;
        if repeat {
            let _ = self.events.send(answer.clone());
        }
        Ok(answer)
    }

    async fn find_refund(&self, charge: &str, refund_id: RefundId) -> Result<Option<ProviderAnswer>, ProviderError> {
        Ok(self.state().refunds.iter().find(|r| r.charge == charge && r.refund_id == refund_id).map(answer_of))
    }

    async fn dispute(&self, reference: &str) -> Result<ProviderDispute, ProviderError> {
        self.state()
            .disputes
            .get(reference)
            .cloned()
            .ok_or_else(|| ProviderError::Rejected(format!("no dispute {reference}")))
    }

    async fn submit_evidence(
        &self,
        reference: &str,
        evidence: &StripeEvidence,
    ) -> Result<ProviderDispute, ProviderError> {
        let mut state = self.state();
        let dispute = state
            .disputes
            .get_mut(reference)
            .ok_or_else(|| ProviderError::Rejected(format!("no dispute {reference}")))?;
        if !dispute.status.needs_response() {
            return Err(ProviderError::Rejected(format!(
                "dispute {reference} is {} and takes no evidence",
                dispute.status.as_str()
            )));
        }
        dispute.status = match dispute.status {
            redress_domain::dispute::DisputeStatus::WarningNeedsResponse => {
                redress_domain::dispute::DisputeStatus::WarningUnderReview
            }
            _ => redress_domain::dispute::DisputeStatus::UnderReview,
        };
        let updated = dispute.clone();
        state.evidence.insert(reference.to_owned(), evidence.clone());
        Ok(updated)
    }
}
