//! Exactly-once refund execution.
//!
//! The intent is written before anything else (see `MoneyStorage::request_refund`). Then, for
//! a refund to the original payment method:
//!
//! 1. the intent is marked `sent` (one more attempt) and committed, *before* the call;
//! 2. the provider is called with the intent's idempotency key, under a timeout;
//! 3. a timeout or an unavailable provider is retried with backoff, with the same key, so the
//!    provider does the refund at most once however often it is asked;
//! 4. the answer (succeeded, pending, failed) is applied to the intent; a repeated answer or a
//!    late event finds the intent already there and changes nothing;
//! 5. an intent left `sent` (retries exhausted, or the server killed mid-call) is picked up by
//!    the worker, which first asks the provider what it did for the intent
//!    ([`PaymentProvider::find_refund`]) and only sends again, with the same key, when the
//!    provider made nothing.
//!
//! Store credit and gift cards need no provider: an approved one is issued at once.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use redress_domain::RefundId;
use redress_domain::refund::{Refund, RefundError, RefundMethod, RefundStatus};
use redress_domain::{Order, StoreId};
use redress_storage::{Storage, StorageError};
use time::OffsetDateTime;

use crate::{PaymentProvider, ProviderAnswer, ProviderError, ProviderRefund, ProviderRefundStatus, stripe_reason};

/// How hard to try.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Calls per execution before leaving the intent to the worker.
    pub attempts: u32,
    /// Wait after the first failed call; doubles each time.
    pub first_backoff: Duration,
    /// How long one call may take.
    pub call_timeout: Duration,
    /// How long an intent may sit in `sent` before the worker reconciles it.
    pub reconcile_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_millis(200),
            call_timeout: Duration::from_secs(10),
            reconcile_after: Duration::from_secs(30),
        }
    }
}

/// Why an execution stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    /// Storage failed or refused.
    #[error(transparent)]
    Store(#[from] StorageError),
    /// The intent's payment is not on its order any more.
    #[error("the refund's payment is not on its order")]
    PaymentMissing,
}

/// Carries refund intents out through a provider.
pub struct RefundExecutor {
    storage: Arc<dyn Storage>,
    provider: Arc<dyn PaymentProvider>,
    retry: RetryPolicy,
    in_flight: Mutex<HashSet<RefundId>>,
}

/// Removes an intent from the in-flight set when its execution ends, however it ends.
struct Claim<'a> {
    set: &'a Mutex<HashSet<RefundId>>,
    id: RefundId,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.lock() {
            set.remove(&self.id);
        }
    }
}

/// When the provider acted, as recorded on the refund: the executor runs beside the provider,
/// outside any request, so it reads the system's time (the application's clock governs rules).
#[allow(clippy::disallowed_methods)]
fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// A gift card code for an intent: derived from its id, so re-issuing gives the same code.
pub fn gift_code(id: RefundId) -> String {
    let hex = id.as_uuid().simple().to_string().to_ascii_uppercase();
    let tail = hex.get(hex.len().saturating_sub(12)..).unwrap_or(&hex);
    format!("GIFT-{}-{}-{}", tail.get(0..4).unwrap_or(""), tail.get(4..8).unwrap_or(""), tail.get(8..12).unwrap_or(""))
}

impl RefundExecutor {
    /// An executor over `storage` and `provider`.
    pub fn new(storage: Arc<dyn Storage>, provider: Arc<dyn PaymentProvider>, retry: RetryPolicy) -> Self {
        Self { storage, provider, retry, in_flight: Mutex::new(HashSet::new()) }
    }

    /// The provider refunds go through.
    pub fn provider(&self) -> &Arc<dyn PaymentProvider> {
        &self.provider
    }

    fn claim(&self, id: RefundId) -> Option<Claim<'_>> {
        let mut set = self.in_flight.lock().ok()?;
        // No Claim for an intent already in flight: dropping one here would take the intent
        // out of the set, and its drop would lock the mutex this guard still holds.
        if set.insert(id) { Some(Claim { set: &self.in_flight, id }) } else { None }
    }

    /// Carries one intent as far as it can go now and returns it as it then stands. An intent
    /// waiting for approval, or already final, is returned as it is; one being executed by
    /// this process already is returned as stored.
    pub async fn execute(&self, store_id: StoreId, id: RefundId) -> Result<Refund, ExecuteError> {
        let money = self.storage.money();
        let Some(_claim) = self.claim(id) else {
            return Ok(money.refund(store_id, id).await?);
        };
        let refund = money.refund(store_id, id).await?;
        match (refund.status, refund.method) {
            (RefundStatus::Approved, RefundMethod::StoreCredit | RefundMethod::GiftCard) => {
                let code = (refund.method == RefundMethod::GiftCard).then(|| gift_code(id));
                let change = Box::new(move |r: &Refund| {
                    let mut r = r.clone();
                    if code.is_some() {
                        r.gift_code = code;
                    }
                    r.succeed(None, "", now())
                });
                Ok(money.change_refund(store_id, id, change).await?)
            }
            (RefundStatus::Approved, RefundMethod::OriginalPayment) => self.send_and_call(&refund).await,
            (RefundStatus::Sent, _) => {
                let order = self.storage.order(store_id, refund.order_id).await?;
                let charge = charge_of(&order, &refund)?;
                match self.provider.find_refund(&charge, id).await {
                    Ok(Some(answer)) => self.apply(store_id, id, &answer, &method_of(&order, &refund)).await,
                    Ok(None) => self.send_and_call(&refund).await,
                    Err(e) => {
                        tracing::warn!(refund = %id, error = %e, "cannot reconcile the refund now; will try again");
                        Ok(refund)
                    }
                }
            }
            _ => Ok(refund),
        }
    }

    async fn send_and_call(&self, refund: &Refund) -> Result<Refund, ExecuteError> {
        let money = self.storage.money();
        let (store_id, id) = (refund.store_id, refund.id);
        let order = self.storage.order(store_id, refund.order_id).await?;
        let request = ProviderRefund {
            charge: charge_of(&order, refund)?,
            amount: refund.amount,
            idempotency_key: refund.idempotency_key.as_str().to_owned(),
            refund_id: id,
            reason: stripe_reason(refund.reason),
        };
        let method = method_of(&order, refund);
        let mut current = refund.clone();
        for attempt in 0..self.retry.attempts.max(1) {
            // Written before the call: after a crash, a `sent` intent is reconciled, not resent blindly.
            current = money.change_refund(store_id, id, Box::new(|r: &Refund| r.send(now()))).await?;
            let outcome = match tokio::time::timeout(self.retry.call_timeout, self.provider.refund(&request)).await {
                Ok(result) => result,
                Err(_) => Err(ProviderError::Timeout),
            };
            match outcome {
                Ok(answer) => return self.apply(store_id, id, &answer, &method).await,
                Err(e) if e.is_retryable() => {
                    tracing::warn!(refund = %id, attempt = current.attempts, error = %e, "refund call failed; retrying with the same key");
                    if attempt + 1 < self.retry.attempts {
                        tokio::time::sleep(self.retry.first_backoff.saturating_mul(1 << attempt.min(16))).await;
                    }
                }
                Err(e) => {
                    let reason = e.to_string();
                    return self.finish(store_id, id, Box::new(move |r: &Refund| r.fail(&reason, now()))).await;
                }
            }
        }
        Ok(current)
    }

    /// Applies a provider's answer (from a call, an event or reconciliation). An answer the
    /// intent already reflects changes nothing.
    pub async fn apply(
        &self,
        store_id: StoreId,
        id: RefundId,
        answer: &ProviderAnswer,
        payment_method: &str,
    ) -> Result<Refund, ExecuteError> {
        let (reference, method) = (answer.reference.clone(), payment_method.to_owned());
        let change: redress_storage::RefundUpdateFn = match &answer.status {
            ProviderRefundStatus::Succeeded => Box::new(move |r: &Refund| r.succeed(Some(reference), &method, now())),
            ProviderRefundStatus::Pending => Box::new(move |r: &Refund| {
                if r.status == RefundStatus::PendingSettlement {
                    Err(RefundError::IllegalTransition { from: r.status, to: r.status })
                } else {
                    r.pending(reference, &method, now())
                }
            }),
            ProviderRefundStatus::Failed { reason } => {
                let reason = reason.clone();
                Box::new(move |r: &Refund| r.fail(&reason, now()))
            }
        };
        self.finish(store_id, id, change).await
    }

    async fn finish(
        &self,
        store_id: StoreId,
        id: RefundId,
        change: redress_storage::RefundUpdateFn,
    ) -> Result<Refund, ExecuteError> {
        let money = self.storage.money();
        match money.change_refund(store_id, id, change).await {
            Ok(refund) => Ok(refund),
            // Already there (a repeated answer, a late event): nothing to do.
            Err(StorageError::Refund(RefundError::IllegalTransition { .. })) => Ok(money.refund(store_id, id).await?),
            Err(e) => Err(e.into()),
        }
    }

    /// Applies an answer that arrived as an event (a webhook, the sandbox's notices).
    pub async fn on_event(&self, answer: &ProviderAnswer) -> Result<Option<Refund>, ExecuteError> {
        let Some(id) = answer.refund_id else { return Ok(None) };
        let Some(refund) = self.storage.money().refund_anywhere(id).await? else { return Ok(None) };
        let order = self.storage.order(refund.store_id, refund.order_id).await?;
        Ok(Some(self.apply(refund.store_id, id, answer, &method_of(&order, &refund)).await?))
    }

    /// Executes every intent with work to do: approved ones, and sent ones not heard of for
    /// [`RetryPolicy::reconcile_after`]. Returns how many it looked at.
    pub async fn run_due(&self) -> Result<usize, ExecuteError> {
        let stale = now() - self.retry.reconcile_after;
        let due = self.storage.money().refunds_to_execute(stale, 64).await?;
        for refund in &due {
            if let Err(e) = self.execute(refund.store_id, refund.id).await {
                tracing::error!(refund = %refund.id, error = %e, "refund execution failed");
            }
        }
        Ok(due.len())
    }

    /// Runs [`Self::run_due`] every `every` until the task is dropped, and applies provider
    /// events from `events` as they come.
    pub fn spawn_worker(
        self: Arc<Self>,
        every: Duration,
        events: Option<tokio::sync::broadcast::Receiver<ProviderAnswer>>,
    ) -> tokio::task::JoinHandle<()> {
        if let Some(mut events) = events {
            let executor = self.clone();
            tokio::spawn(async move {
                loop {
                    match events.recv().await {
                        Ok(answer) => {
                            if let Err(e) = executor.on_event(&answer).await {
                                tracing::error!(error = %e, "a provider event could not be applied");
                            }
                        }
                        Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
                    }
                }
            });
        }
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.run_due().await {
                    tracing::error!(error = %e, "the refund worker could not read its work");
                }
                tokio::time::sleep(every).await;
            }
        })
    }
}

fn charge_of(order: &Order, refund: &Refund) -> Result<String, ExecuteError> {
    let payment_id = refund.payment_id.ok_or(ExecuteError::PaymentMissing)?;
    order
        .payments
        .iter()
        .find(|p| p.id == payment_id)
        .map(|p| p.provider_reference.clone())
        .ok_or(ExecuteError::PaymentMissing)
}

fn method_of(order: &Order, refund: &Refund) -> String {
    refund
        .payment_id
        .and_then(|id| order.payments.iter().find(|p| p.id == id))
        .map_or_else(|| "card".to_owned(), |p| p.method.clone())
}
