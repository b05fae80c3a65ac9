//! The money layer on PostgreSQL. A refund request locks the order's row and then the
//! payment's balance row (`SELECT … FOR UPDATE`) before the domain's planners check and
//! reserve, so requests from several processes queue instead of both spending the last euro;
//! the schema's CHECK constraints and the deferred balance trigger refuse anything that gets
//! past that.

use async_trait::async_trait;
use redress_domain::approval::ApprovalPolicy;
use redress_domain::approval::RefundHistory;
use redress_domain::books::{RefundInputs, plan_refund, sync_payment};
use redress_domain::claim::Claim;
use redress_domain::dispute::{Dispute, DisputeReport, DisputeStatus};
use redress_domain::given::Given;
use redress_domain::ledger::{Account, Balances, Posting};
use redress_domain::reconcile::RecordedPayment;
use redress_domain::refund::{
    CreditSpend, IdempotencyKey, PaymentBalance, Refund, RefundError, RefundRequest, RefundTotals, StoreCredit,
};
use redress_domain::returns::ReturnAuthorisation;
use redress_domain::{
    Actor, Case, CaseId, Currency, CustomerId, DisputeId, Money, Order, OrderId, PaymentId, PostingId, RefundId,
    StoreId, TimelineEntry, ValidationError,
};
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};
use time::OffsetDateTime;

use crate::money::{
    MoneyStorage, RefundOutcome, RefundUpdateFn, SpendOutcome, correction_of, credit_of, dispute_posting, effects,
    fees_minor, history_of, mismatch, new_posting_id, posted_entry, reason_and_method, reported_balance,
    spend_mismatch, spend_posting, window_start,
};
use crate::postgres::{PostgresStorage, all_docs, from_doc, one_doc};
use crate::{Conflict, RecordedEntry, StorageError, column_text, micros};

type Tx<'a> = Transaction<'a, Postgres>;

async fn append(
    tx: &mut Tx<'_>,
    store_id: StoreId,
    case_id: CaseId,
    entries: Vec<TimelineEntry>,
) -> Result<Vec<RecordedEntry>, StorageError> {
    let mut recorded = Vec::with_capacity(entries.len());
    for entry in entries {
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO timeline (store_id, case_id, at_us, doc) VALUES ($1, $2, $3, $4) RETURNING seq",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .bind(micros(entry.at))
        .bind(Json(&entry))
        .fetch_one(&mut **tx)
        .await?;
        recorded.push(RecordedEntry { seq, entry });
    }
    Ok(recorded)
}

/// A dispute, its row locked until the transaction ends: the twin of SQLite's `load_dispute`,
/// which the single writer thread makes safe without a lock.
async fn lock_dispute(tx: &mut Tx<'_>, store_id: StoreId, id: DisputeId) -> Result<Dispute, StorageError> {
    one_doc(
        sqlx::query("SELECT doc FROM disputes WHERE store_id = $1 AND id = $2 FOR UPDATE")
            .bind(store_id.as_uuid())
            .bind(id.as_uuid()),
        &mut **tx,
    )
    .await?
    .ok_or(StorageError::NotFound("dispute"))
}

async fn insert_posting(tx: &mut Tx<'_>, posting: &Posting) -> Result<(), StorageError> {
    posting.check()?;
    let links = &posting.links;
    sqlx::query(
        "INSERT INTO postings (id, store_id, order_id, case_id, payment_id, refund_id, kind, corrects, at_us, doc)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(posting.id.as_uuid())
    .bind(links.store_id.as_uuid())
    .bind(links.order_id.map(|id| id.as_uuid()))
    .bind(links.case_id.map(|id| id.as_uuid()))
    .bind(links.payment_id.map(|id| id.as_uuid()))
    .bind(links.refund_id.map(|id| id.as_uuid()))
    .bind(posting.kind.as_str())
    .bind(posting.corrects.map(|id| id.as_uuid()))
    .bind(micros(posting.at))
    .bind(Json(posting))
    .execute(&mut **tx)
    .await?;
    for (position, leg) in posting.legs.iter().enumerate() {
        sqlx::query(
            "INSERT INTO legs (posting_id, store_id, position, account, currency, amount_minor) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(posting.id.as_uuid())
        .bind(links.store_id.as_uuid())
        .bind(i32::try_from(position).unwrap_or(i32::MAX))
        .bind(leg.account.as_str())
        .bind(leg.amount.currency.code())
        .bind(leg.amount.amount_minor)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The order, its row locked until the transaction ends.
async fn locked_order(tx: &mut Tx<'_>, store_id: StoreId, id: OrderId) -> Result<Order, StorageError> {
    one_doc(
        sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND id = $2 FOR UPDATE")
            .bind(store_id.as_uuid())
            .bind(id.as_uuid()),
        &mut **tx,
    )
    .await?
    .ok_or(StorageError::NotFound("order"))
}

async fn case(tx: &mut Tx<'_>, store_id: StoreId, id: CaseId) -> Result<Case, StorageError> {
    one_doc(
        sqlx::query("SELECT doc FROM cases WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id.as_uuid()),
        &mut **tx,
    )
    .await?
    .ok_or(StorageError::NotFound("case"))
}

fn balance_of(row: &sqlx::postgres::PgRow) -> Result<PaymentBalance, StorageError> {
    let currency: String = row.try_get(0)?;
    let c = Currency::from_code(&currency).map_err(|e| StorageError::Corrupt(e.to_string()))?;
    Ok(PaymentBalance::new(
        Money::new(row.try_get(1)?, c),
        Money::new(row.try_get(2)?, c),
        Money::new(row.try_get(3)?, c),
    )?)
}

/// The payment's balance, its row locked until the transaction ends.
async fn locked_balance(
    tx: &mut Tx<'_>,
    store_id: StoreId,
    id: PaymentId,
) -> Result<Option<PaymentBalance>, StorageError> {
    let row = sqlx::query(
        "SELECT currency, captured_minor, refunded_minor, reserved_minor FROM payments
         WHERE store_id = $1 AND id = $2 FOR UPDATE",
    )
    .bind(store_id.as_uuid())
    .bind(id.as_uuid())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(balance_of).transpose()
}

async fn write_balance(
    tx: &mut Tx<'_>,
    store_id: StoreId,
    id: PaymentId,
    b: &PaymentBalance,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE payments SET captured_minor = $1, refunded_minor = $2, reserved_minor = $3 WHERE store_id = $4 AND id = $5",
    )
    .bind(b.captured.amount_minor)
    .bind(b.refunded.amount_minor)
    .bind(b.reserved.amount_minor)
    .bind(store_id.as_uuid())
    .bind(id.as_uuid())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The payment's balance row brought to what the order reports ([`sync_payment`]). The
/// caller holds the order's row lock, so no two transactions make or grow one payment's row at
/// once; the row itself is locked too before it is read.
pub(crate) async fn ensure_payment(
    tx: &mut Tx<'_>,
    order: &Order,
    payment_id: PaymentId,
    case_id: Option<CaseId>,
    now: OffsetDateTime,
) -> Result<(PaymentBalance, Vec<TimelineEntry>), StorageError> {
    let stored = locked_balance(tx, order.store_id, payment_id).await?;
    let sync = sync_payment(order, payment_id, stored, case_id, &mut new_posting_id, now)?;
    if sync.is_new {
        sqlx::query(
            "INSERT INTO payments (id, store_id, order_id, currency, captured_minor, refunded_minor, reserved_minor)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(payment_id.as_uuid())
        .bind(order.store_id.as_uuid())
        .bind(order.id.as_uuid())
        .bind(sync.balance.captured.currency.code())
        .bind(sync.balance.captured.amount_minor)
        .bind(sync.balance.refunded.amount_minor)
        .bind(sync.balance.reserved.amount_minor)
        .execute(&mut **tx)
        .await?;
    } else if sync.changed {
        write_balance(tx, order.store_id, payment_id, &sync.balance).await?;
    }
    let mut entries = Vec::new();
    for posting in &sync.postings {
        insert_posting(tx, posting).await?;
        entries.extend(posted_entry(posting));
    }
    Ok((sync.balance, entries))
}

/// Brings the books of every payment of `order` to what it reports (the caller holds the
/// order's row lock): called when the shop reports the order, so captures are posted at once.
pub(crate) async fn sync_payments(tx: &mut Tx<'_>, order: &Order, now: OffsetDateTime) -> Result<(), StorageError> {
    for payment in order.payments.iter().filter(|p| p.captured.amount_minor > 0) {
        ensure_payment(tx, order, payment.id, None, now).await?;
    }
    Ok(())
}

/// What the order's earlier refunds that give value add up to, summed in two parts as on
/// SQLite (see its twin), so no stored row can overflow the sum.
async fn refund_totals(tx: &mut Tx<'_>, store_id: StoreId, order_id: OrderId) -> Result<RefundTotals, StorageError> {
    let rows = sqlx::query(
        "SELECT reason, method,
                SUM(amount_minor / 1000000000)::BIGINT, SUM(amount_minor % 1000000000)::BIGINT,
                SUM(fees_minor / 1000000000)::BIGINT, SUM(fees_minor % 1000000000)::BIGINT
         FROM refunds WHERE store_id = $1 AND order_id = $2 AND status NOT IN ('rejected', 'failed')
         GROUP BY reason, method",
    )
    .bind(store_id.as_uuid())
    .bind(order_id.as_uuid())
    .fetch_all(&mut **tx)
    .await?;
    let mut totals = RefundTotals::default();
    let wide = |hi: i64, lo: i64| i128::from(hi) * 1_000_000_000 + i128::from(lo);
    for row in rows {
        let (reason, method) = reason_and_method(&row.try_get::<String, _>(0)?, &row.try_get::<String, _>(1)?)?;
        let amount = wide(row.try_get(2)?, row.try_get(3)?);
        let fees = wide(row.try_get(4)?, row.try_get(5)?);
        totals.add(reason, method, amount, fees);
    }
    Ok(totals)
}

async fn refund_by_key(
    tx: &mut Tx<'_>,
    store_id: StoreId,
    key: &IdempotencyKey,
) -> Result<Option<Refund>, StorageError> {
    one_doc(
        sqlx::query("SELECT doc FROM refunds WHERE store_id = $1 AND idempotency_key = $2")
            .bind(store_id.as_uuid())
            .bind(key.as_str()),
        &mut **tx,
    )
    .await
}

async fn add_credit(
    tx: &mut Tx<'_>,
    store_id: StoreId,
    customer_id: CustomerId,
    amount: Money,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO store_credit (store_id, customer_id, currency, balance_minor) VALUES ($1, $2, $3, $4)
         ON CONFLICT (store_id, customer_id, currency) DO UPDATE SET balance_minor = store_credit.balance_minor + excluded.balance_minor",
    )
    .bind(store_id.as_uuid())
    .bind(customer_id.as_uuid())
    .bind(amount.currency.code())
    .bind(amount.amount_minor)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a refund intent in `tx`, or finds the one with the same idempotency key: the one way
/// a refund is asked for on PostgreSQL, on its own or within a resolution step. The order's
/// payment rows are locked before the key is looked up and the amount reserved.
pub(crate) async fn write_refund(
    tx: &mut Tx<'_>,
    request: RefundRequest,
    policy: &ApprovalPolicy,
    now: OffsetDateTime,
) -> Result<RefundOutcome, StorageError> {
    let store_id = request.store_id;
    // The order's row lock serialises every money write on the order (its payments, its value
    // bounds); a retry racing the first request waits here and then finds its intent.
    let order = locked_order(tx, store_id, request.order_id).await?;
    if let Some(existing) = refund_by_key(tx, store_id, &request.idempotency_key).await? {
        return if request.same_as(&existing) {
            Ok(RefundOutcome { refund: existing, created: false })
        } else {
            Err(mismatch(&existing))
        };
    }
    let case = case(tx, store_id, request.case_id).await?;
    let mut entries = Vec::new();
    let mut balance = None;
    if let Some(payment_id) = request.payment_id {
        // Every captured payment of the order enters the ledger together, in the order's own
        // order of payments, the same in every transaction.
        for payment in order.payments.iter().filter(|p| p.captured.amount_minor > 0 || p.id == payment_id) {
            let (synced, opened) = ensure_payment(tx, &order, payment.id, Some(case.id), now).await?;
            entries.extend(opened);
            if payment.id == payment_id {
                balance = Some(synced);
            }
        }
    }
    let earlier = refund_totals(tx, store_id, order.id).await?;
    // Earlier refunds one by one, returns and claims matter only to a refund per line (see
    // the SQLite twin).
    let (earlier_refunds, given) = if request.lines.is_empty() {
        (Vec::new(), Given::default())
    } else {
        let by_order = |sql| sqlx::query(sql).bind(store_id.as_uuid()).bind(order.id.as_uuid());
        let refunds: Vec<Refund> = all_docs(
            by_order("SELECT doc FROM refunds WHERE store_id = $1 AND order_id = $2 ORDER BY created_at_us, id"),
            &mut **tx,
        )
        .await?;
        let returns: Vec<ReturnAuthorisation> =
            all_docs(by_order("SELECT doc FROM returns WHERE store_id = $1 AND order_id = $2"), &mut **tx).await?;
        let claims: Vec<Claim> =
            all_docs(by_order("SELECT doc FROM claims WHERE store_id = $1 AND order_id = $2"), &mut **tx).await?;
        let given = Given::of(order.id, &returns, &claims, &refunds);
        (refunds, given)
    };
    let history = customer_history(tx, store_id, order.customer_id, policy, now).await?;
    let inputs = RefundInputs {
        order: &order,
        case: &case,
        earlier: &earlier,
        earlier_refunds: &earlier_refunds,
        given: &given,
        history: &history,
        balance,
    };
    let plan = plan_refund(request, inputs, policy, now)?;
    if let Some((payment_id, balance)) = &plan.balance {
        write_balance(tx, store_id, *payment_id, balance).await?;
    }
    let r = &plan.change.refund;
    sqlx::query(
        "INSERT INTO refunds (id, store_id, order_id, case_id, payment_id, idempotency_key, method, status, amount_minor,
                              currency, created_at_us, updated_at_us, doc, reason, fees_minor)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(r.id.as_uuid())
    .bind(r.store_id.as_uuid())
    .bind(r.order_id.as_uuid())
    .bind(r.case_id.as_uuid())
    .bind(r.payment_id.map(|id| id.as_uuid()))
    .bind(r.idempotency_key.as_str())
    .bind(r.method.as_str())
    .bind(r.status.as_str())
    .bind(r.amount.amount_minor)
    .bind(r.amount.currency.code())
    .bind(micros(r.created_at))
    .bind(micros(r.updated_at))
    .bind(Json(r))
    .bind(r.reason.as_str())
    .bind(fees_minor(r)?)
    .execute(&mut **tx)
    .await?;
    entries.extend(plan.change.entries);
    append(tx, store_id, plan.change.refund.case_id, entries).await?;
    Ok(RefundOutcome { refund: plan.change.refund, created: true })
}

/// The customer's refunds in the abuse rules' window, read only when the rules limit anything;
/// summed in two parts as [`refund_totals`] is.
async fn customer_history(
    tx: &mut Tx<'_>,
    store_id: StoreId,
    customer_id: CustomerId,
    policy: &ApprovalPolicy,
    now: OffsetDateTime,
) -> Result<RefundHistory, StorageError> {
    if !policy.abuse.limit_anything() {
        return Ok(RefundHistory::default());
    }
    let rows = sqlx::query(
        "SELECT COUNT(*), r.currency, SUM(r.amount_minor / 1000000000)::BIGINT, SUM(r.amount_minor % 1000000000)::BIGINT
         FROM refunds r JOIN orders o ON o.id = r.order_id
         WHERE r.store_id = $1 AND o.customer_id = $2 AND r.created_at_us >= $3
           AND r.status NOT IN ('rejected', 'failed')
         GROUP BY r.currency",
    )
    .bind(store_id.as_uuid())
    .bind(customer_id.as_uuid())
    .bind(micros(window_start(policy, now)))
    .fetch_all(&mut **tx)
    .await?;
    history_of(
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)))
            .collect::<Result<Vec<_>, sqlx::Error>>()?,
    )
}

impl PostgresStorage {
    async fn try_request_refund(
        &self,
        request: RefundRequest,
        policy: &ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<RefundOutcome, StorageError> {
        let mut tx = self.pool.begin().await?;
        let outcome = write_refund(&mut tx, request, policy, now).await?;
        if outcome.created {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    async fn try_spend(&self, spend: &CreditSpend) -> Result<SpendOutcome, StorageError> {
        spend.validate()?;
        let (store_id, customer_id, currency) = (spend.store_id, spend.customer_id, spend.amount.currency);
        let mut tx = self.pool.begin().await?;
        let customer: Option<uuid::Uuid> =
            sqlx::query_scalar("SELECT id FROM customers WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(customer_id.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
        customer.ok_or(StorageError::NotFound("customer"))?;
        // The balance row is locked before the key is looked up: two spends of the last euro,
        // or a retry racing its first try, queue here.
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT balance_minor FROM store_credit WHERE store_id = $1 AND customer_id = $2 AND currency = $3 FOR UPDATE",
        )
        .bind(store_id.as_uuid())
        .bind(customer_id.as_uuid())
        .bind(currency.code())
        .fetch_optional(&mut *tx)
        .await?;
        let held = StoreCredit { customer_id, balance: Money::new(held.unwrap_or(0), currency) };
        let existing: Option<CreditSpend> = one_doc(
            sqlx::query("SELECT doc FROM store_credit_spends WHERE store_id = $1 AND idempotency_key = $2")
                .bind(store_id.as_uuid())
                .bind(spend.idempotency_key.as_str()),
            &mut *tx,
        )
        .await?;
        if let Some(existing) = existing {
            if !spend.same_as(&existing) {
                return Err(spend_mismatch(&existing));
            }
            return Ok(SpendOutcome { spend: existing, balance: held, created: false });
        }
        if let Some(case_id) = spend.case_id {
            let case = case(&mut tx, store_id, case_id).await?;
            if case.customer_id != Some(customer_id) {
                return Err(RefundError::from(ValidationError::new("case_id", "the case is another customer's")).into());
            }
        }
        let left = held.spend(spend.amount)?;
        sqlx::query(
            "UPDATE store_credit SET balance_minor = $1 WHERE store_id = $2 AND customer_id = $3 AND currency = $4",
        )
        .bind(left.balance.amount_minor)
        .bind(store_id.as_uuid())
        .bind(customer_id.as_uuid())
        .bind(currency.code())
        .execute(&mut *tx)
        .await?;
        let posting = spend_posting(spend)?;
        insert_posting(&mut tx, &posting).await?;
        sqlx::query(
            "INSERT INTO store_credit_spends (posting_id, store_id, customer_id, idempotency_key, currency, amount_minor, at_us, doc)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(spend.posting_id.as_uuid())
        .bind(store_id.as_uuid())
        .bind(customer_id.as_uuid())
        .bind(spend.idempotency_key.as_str())
        .bind(currency.code())
        .bind(spend.amount.amount_minor)
        .bind(micros(spend.at))
        .bind(Json(spend))
        .execute(&mut *tx)
        .await?;
        if let Some(case_id) = spend.case_id {
            append(&mut tx, store_id, case_id, posted_entry(&posting).into_iter().collect()).await?;
        }
        tx.commit().await?;
        Ok(SpendOutcome { spend: spend.clone(), balance: left, created: true })
    }
}

#[async_trait]
impl MoneyStorage for PostgresStorage {
    async fn request_refund(
        &self,
        request: RefundRequest,
        policy: ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<RefundOutcome, StorageError> {
        match self.try_request_refund(request.clone(), &policy, now).await {
            // Two first requests with one key for a gift card (no payment row to queue on):
            // the loser of the unique index finds the winner's intent.
            Err(StorageError::Conflict(Conflict::Duplicate(_))) => {
                let mut tx = self.pool.begin().await?;
                let existing = refund_by_key(&mut tx, request.store_id, &request.idempotency_key)
                    .await?
                    .ok_or_else(|| StorageError::from(Conflict::ChangedMeanwhile("refund")))?;
                if request.same_as(&existing) {
                    Ok(RefundOutcome { refund: existing, created: false })
                } else {
                    Err(mismatch(&existing))
                }
            }
            other => other,
        }
    }

    async fn refund(&self, store_id: StoreId, id: RefundId) -> Result<Refund, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM refunds WHERE store_id = $1 AND id = $2")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &self.pool,
        )
        .await?
        .ok_or(StorageError::NotFound("refund"))
    }

    async fn refunds_of_order(&self, store_id: StoreId, order_id: OrderId) -> Result<Vec<Refund>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM refunds WHERE store_id = $1 AND order_id = $2 ORDER BY created_at_us, id")
                .bind(store_id.as_uuid())
                .bind(order_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn refunds_to_execute(&self, sent_before: OffsetDateTime, limit: u32) -> Result<Vec<Refund>, StorageError> {
        all_docs(
            sqlx::query(
                "SELECT doc FROM refunds WHERE status = 'approved' OR (status = 'sent' AND updated_at_us < $1)
                 ORDER BY updated_at_us LIMIT $2",
            )
            .bind(micros(sent_before))
            .bind(i64::from(limit)),
            &self.pool,
        )
        .await
    }

    async fn refund_anywhere(&self, id: RefundId) -> Result<Option<Refund>, StorageError> {
        one_doc(sqlx::query("SELECT doc FROM refunds WHERE id = $1").bind(id.as_uuid()), &self.pool).await
    }

    async fn change_refund(
        &self,
        store_id: StoreId,
        id: RefundId,
        change: RefundUpdateFn,
    ) -> Result<Refund, StorageError> {
        let mut tx = self.pool.begin().await?;
        let current: Refund = one_doc(
            sqlx::query("SELECT doc FROM refunds WHERE store_id = $1 AND id = $2 FOR UPDATE")
                .bind(store_id.as_uuid())
                .bind(id.as_uuid()),
            &mut *tx,
        )
        .await?
        .ok_or(StorageError::NotFound("refund"))?;
        let changed = change(&current)?;
        let refund = changed.refund;
        if refund.id != current.id || refund.store_id != current.store_id || refund.amount != current.amount {
            return Err(StorageError::Backend("a refund change tried to change what is refunded".into()));
        }
        let balance = match current.payment_id {
            Some(payment_id) => Some(
                locked_balance(&mut tx, store_id, payment_id)
                    .await?
                    .ok_or_else(|| StorageError::Corrupt("a refund's payment has no balance".into()))?,
            ),
            None => None,
        };
        let effects = effects(&current, &refund, balance, refund.updated_at)?;
        if let (Some(payment_id), Some(balance)) = (current.payment_id, &effects.balance) {
            write_balance(&mut tx, store_id, payment_id, balance).await?;
        }
        if let Some(credit) = effects.credit {
            add_credit(&mut tx, store_id, refund.customer_id, credit).await?;
        }
        for posting in &effects.postings {
            insert_posting(&mut tx, posting).await?;
        }
        sqlx::query("UPDATE refunds SET status = $1, updated_at_us = $2, doc = $3 WHERE store_id = $4 AND id = $5")
            .bind(refund.status.as_str())
            .bind(micros(refund.updated_at))
            .bind(Json(&refund))
            .bind(store_id.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let mut entries = changed.entries;
        entries.extend(effects.entries);
        append(&mut tx, store_id, refund.case_id, entries).await?;
        tx.commit().await?;
        Ok(refund)
    }

    async fn payment_balance(&self, store_id: StoreId, payment_id: PaymentId) -> Result<PaymentBalance, StorageError> {
        let row = sqlx::query(
            "SELECT currency, captured_minor, refunded_minor, reserved_minor FROM payments WHERE store_id = $1 AND id = $2",
        )
        .bind(store_id.as_uuid())
        .bind(payment_id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = row {
            return balance_of(&row);
        }
        let order: Order = one_doc(
            sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND doc->'payments' @> jsonb_build_array(jsonb_build_object('id', $2::text))")
                .bind(store_id.as_uuid())
                .bind(payment_id.to_string()),
            &self.pool,
        )
        .await?
        .ok_or(StorageError::NotFound("payment"))?;
        reported_balance(&order, payment_id)
    }

    async fn recorded_payments(
        &self,
        store_id: StoreId,
        after: Option<PaymentId>,
        limit: u32,
    ) -> Result<Vec<RecordedPayment>, StorageError> {
        let rows = sqlx::query(
            "SELECT currency, captured_minor, refunded_minor, reserved_minor, id, order_id FROM payments
             WHERE store_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(store_id.as_uuid())
        .bind(after.map_or(uuid::Uuid::nil(), |id| id.as_uuid()))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RecordedPayment {
                    payment_id: PaymentId::from_uuid(row.try_get(4)?),
                    order_id: OrderId::from_uuid(row.try_get(5)?),
                    balance: balance_of(row)?,
                })
            })
            .collect()
    }

    async fn postings(&self, store_id: StoreId, order_id: Option<OrderId>) -> Result<Vec<Posting>, StorageError> {
        match order_id {
            Some(order_id) => {
                all_docs(
                    sqlx::query("SELECT doc FROM postings WHERE store_id = $1 AND order_id = $2 ORDER BY at_us, id")
                        .bind(store_id.as_uuid())
                        .bind(order_id.as_uuid()),
                    &self.pool,
                )
                .await
            }
            None => {
                all_docs(
                    sqlx::query("SELECT doc FROM postings WHERE store_id = $1 ORDER BY at_us, id")
                        .bind(store_id.as_uuid()),
                    &self.pool,
                )
                .await
            }
        }
    }

    async fn postings_page(
        &self,
        store_id: StoreId,
        after: Option<PostingId>,
        limit: u32,
    ) -> Result<Vec<Posting>, StorageError> {
        let query = match after {
            Some(after) => sqlx::query(
                "SELECT doc FROM postings WHERE store_id = $1
                   AND (at_us, id) > (SELECT at_us, id FROM postings WHERE store_id = $1 AND id = $2)
                 ORDER BY at_us, id LIMIT $3",
            )
            .bind(store_id.as_uuid())
            .bind(after.as_uuid())
            .bind(i64::from(limit)),
            None => sqlx::query("SELECT doc FROM postings WHERE store_id = $1 ORDER BY at_us, id LIMIT $2")
                .bind(store_id.as_uuid())
                .bind(i64::from(limit)),
        };
        all_docs(query, &self.pool).await
    }

    async fn ledger_balances(&self, store_id: StoreId) -> Result<Balances, StorageError> {
        let rows = sqlx::query(
            "SELECT account, currency, SUM(amount_minor / 1000000000)::BIGINT, SUM(amount_minor % 1000000000)::BIGINT
             FROM legs WHERE store_id = $1 GROUP BY account, currency",
        )
        .bind(store_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        let mut balances = Balances::default();
        for row in rows {
            let account: Account = serde_json::from_value(serde_json::Value::String(row.try_get(0)?))?;
            let currency: String = row.try_get(1)?;
            let currency = Currency::from_code(&currency).map_err(|e| StorageError::Corrupt(e.to_string()))?;
            let (billions, rest): (i64, i64) = (row.try_get(2)?, row.try_get(3)?);
            balances.by_account.insert((account, currency), i128::from(billions) * 1_000_000_000 + i128::from(rest));
        }
        Ok(balances)
    }

    async fn store_credit(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<StoreCredit>, StorageError> {
        let rows = sqlx::query(
            "SELECT currency, balance_minor FROM store_credit WHERE store_id = $1 AND customer_id = $2 ORDER BY currency",
        )
        .bind(store_id.as_uuid())
        .bind(customer_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|row| credit_of(customer_id, &row.try_get::<String, _>(0)?, row.try_get(1)?)).collect()
    }

    async fn open_dispute(&self, dispute: Dispute, actor: Actor) -> Result<Dispute, StorageError> {
        let mut tx = self.pool.begin().await?;
        // The case, then the order, locked in the order every case change takes them
        // (`resolve_case`): the insert's foreign keys would otherwise hold the order and wait
        // for the case while a step holds the case and waits for the order, a deadlock.
        sqlx::query("SELECT 1 FROM cases WHERE store_id = $1 AND id = $2 FOR UPDATE")
            .bind(dispute.store_id.as_uuid())
            .bind(dispute.case_id.as_uuid())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StorageError::NotFound("case"))?;
        let order = locked_order(&mut tx, dispute.store_id, dispute.order_id).await?;
        if !order.payments.iter().any(|p| p.id == dispute.payment_id) {
            return Err(StorageError::NotFound("payment"));
        }
        let opened = Dispute::open(dispute, &actor)?;
        let d = &opened.dispute;
        sqlx::query(
            "INSERT INTO disputes (id, store_id, order_id, payment_id, case_id, provider_reference, status, reason,
                                   amount_minor, currency, evidence_due_at_us, doc)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(d.id.as_uuid())
        .bind(d.store_id.as_uuid())
        .bind(d.order_id.as_uuid())
        .bind(d.payment_id.as_uuid())
        .bind(d.case_id.as_uuid())
        .bind(&d.provider_reference)
        .bind(d.status.as_str())
        .bind(column_text(&d.reason)?)
        .bind(d.amount.amount_minor)
        .bind(d.amount.currency.code())
        .bind(micros(d.evidence_due_by))
        .bind(Json(d))
        .execute(&mut *tx)
        .await?;
        let mut entries = opened.entries.clone();
        if let Some(posting) = dispute_posting(None, d, &actor)? {
            insert_posting(&mut tx, &posting).await?;
            entries.extend(posted_entry(&posting));
        }
        append(&mut tx, d.store_id, d.case_id, entries).await?;
        tx.commit().await?;
        Ok(opened.dispute)
    }

    async fn change_dispute(
        &self,
        store_id: StoreId,
        id: DisputeId,
        to: DisputeStatus,
        actor: Actor,
        now: OffsetDateTime,
    ) -> Result<Dispute, StorageError> {
        let mut tx = self.pool.begin().await?;
        let current = lock_dispute(&mut tx, store_id, id).await?;
        let changed = current.change_status(to, &actor, now)?;
        sqlx::query("UPDATE disputes SET status = $1, doc = $2 WHERE store_id = $3 AND id = $4")
            .bind(changed.dispute.status.as_str())
            .bind(Json(&changed.dispute))
            .bind(store_id.as_uuid())
            .bind(id.as_uuid())
            .execute(&mut *tx)
            .await?;
        let mut entries = changed.entries;
        if let Some(posting) = dispute_posting(Some(current.status), &changed.dispute, &actor)? {
            insert_posting(&mut tx, &posting).await?;
            entries.extend(posted_entry(&posting));
        }
        append(&mut tx, store_id, current.case_id, entries).await?;
        tx.commit().await?;
        Ok(changed.dispute)
    }

    async fn report_dispute(
        &self,
        store_id: StoreId,
        id: DisputeId,
        report: DisputeReport,
        actor: Actor,
        now: OffsetDateTime,
    ) -> Result<Dispute, StorageError> {
        let mut tx = self.pool.begin().await?;
        let current = lock_dispute(&mut tx, store_id, id).await?;
        let changed = current.reported(&report, &actor, now)?;
        if changed.entries.is_empty() {
            return Ok(current);
        }
        let d = &changed.dispute;
        sqlx::query(
            "UPDATE disputes SET status = $1, reason = $2, amount_minor = $3, evidence_due_at_us = $4, doc = $5
             WHERE store_id = $6 AND id = $7",
        )
        .bind(d.status.as_str())
        .bind(column_text(&d.reason)?)
        .bind(d.amount.amount_minor)
        .bind(micros(d.evidence_due_by))
        .bind(Json(d))
        .bind(store_id.as_uuid())
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await?;
        let mut entries = changed.entries;
        if let Some(posting) = dispute_posting(Some(current.status), &changed.dispute, &actor)? {
            insert_posting(&mut tx, &posting).await?;
            entries.extend(posted_entry(&posting));
        }
        append(&mut tx, store_id, current.case_id, entries).await?;
        tx.commit().await?;
        Ok(changed.dispute)
    }

    async fn dispute_by_reference(&self, reference: &str) -> Result<Option<Dispute>, StorageError> {
        one_doc(
            sqlx::query(
                "SELECT doc FROM disputes WHERE provider_reference = $1 ORDER BY evidence_due_at_us, id LIMIT 1",
            )
            .bind(reference),
            &self.pool,
        )
        .await
    }

    async fn order_by_payment_reference(&self, references: Vec<String>) -> Result<Option<Order>, StorageError> {
        for reference in references {
            let found: Option<Order> = one_doc(
                sqlx::query(
                    "SELECT doc FROM orders
                     WHERE doc->'payments' @> jsonb_build_array(jsonb_build_object('provider_reference', $1::text))
                     ORDER BY placed_at_us, id LIMIT 1",
                )
                .bind(reference),
                &self.pool,
            )
            .await?;
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    async fn dispute(&self, store_id: StoreId, id: DisputeId) -> Result<Dispute, StorageError> {
        let row = sqlx::query("SELECT doc FROM disputes WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id.as_uuid())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StorageError::NotFound("dispute"))?;
        from_doc(row.try_get(0)?)
    }

    async fn disputes_of_case(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Dispute>, StorageError> {
        all_docs(
            sqlx::query(
                "SELECT doc FROM disputes WHERE store_id = $1 AND case_id = $2 ORDER BY evidence_due_at_us, id",
            )
            .bind(store_id.as_uuid())
            .bind(case_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn spend_store_credit(&self, spend: CreditSpend) -> Result<SpendOutcome, StorageError> {
        match self.try_spend(&spend).await {
            // Two first spends with one key and no credit row to queue on: the loser of the
            // unique index finds the winner's spend.
            Err(StorageError::Conflict(Conflict::Duplicate(_))) => {
                let existing: CreditSpend = one_doc(
                    sqlx::query("SELECT doc FROM store_credit_spends WHERE store_id = $1 AND idempotency_key = $2")
                        .bind(spend.store_id.as_uuid())
                        .bind(spend.idempotency_key.as_str()),
                    &self.pool,
                )
                .await?
                .ok_or_else(|| StorageError::from(Conflict::ChangedMeanwhile("store credit")))?;
                if !spend.same_as(&existing) {
                    return Err(spend_mismatch(&existing));
                }
                let balance = self
                    .store_credit(spend.store_id, spend.customer_id)
                    .await?
                    .into_iter()
                    .find(|c| c.balance.currency == spend.amount.currency)
                    .unwrap_or(StoreCredit {
                        customer_id: spend.customer_id,
                        balance: Money::zero(spend.amount.currency),
                    });
                Ok(SpendOutcome { spend: existing, balance, created: false })
            }
            other => other,
        }
    }

    async fn credit_spends(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Vec<CreditSpend>, StorageError> {
        all_docs(
            sqlx::query(
                "SELECT doc FROM store_credit_spends WHERE store_id = $1 AND customer_id = $2 ORDER BY at_us, posting_id",
            )
            .bind(store_id.as_uuid())
            .bind(customer_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn correct_posting(
        &self,
        store_id: StoreId,
        posting_id: PostingId,
        reason: String,
        by: Actor,
        now: OffsetDateTime,
    ) -> Result<Posting, StorageError> {
        let mut tx = self.pool.begin().await?;
        // Locking the original queues two corrections of it; the unique index refuses a second.
        let original: Posting = one_doc(
            sqlx::query("SELECT doc FROM postings WHERE store_id = $1 AND id = $2 FOR UPDATE")
                .bind(store_id.as_uuid())
                .bind(posting_id.as_uuid()),
            &mut *tx,
        )
        .await?
        .ok_or(StorageError::NotFound("posting"))?;
        let corrected: Option<uuid::Uuid> =
            sqlx::query_scalar("SELECT id FROM postings WHERE store_id = $1 AND corrects = $2")
                .bind(store_id.as_uuid())
                .bind(posting_id.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(by) = corrected {
            return Err(Conflict::AlreadyCorrected(redress_domain::PostingId::from_uuid(by)).into());
        }
        let correction = correction_of(&original, &reason, by, now)?;
        insert_posting(&mut tx, &correction).await?;
        if let Some(case_id) = correction.links.case_id {
            append(&mut tx, store_id, case_id, posted_entry(&correction).into_iter().collect()).await?;
        }
        tx.commit().await?;
        Ok(correction)
    }

    async fn disputes_of_store(&self, store_id: StoreId) -> Result<Vec<Dispute>, StorageError> {
        all_docs(
            sqlx::query("SELECT doc FROM disputes WHERE store_id = $1 ORDER BY evidence_due_at_us, id")
                .bind(store_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn refunds_awaiting_approval(&self, store_id: StoreId) -> Result<Vec<Refund>, StorageError> {
        all_docs(
            sqlx::query(
                "SELECT doc FROM refunds WHERE store_id = $1 AND status = 'awaiting_approval' ORDER BY created_at_us, id",
            )
            .bind(store_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn append_timeline(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        entries: Vec<TimelineEntry>,
    ) -> Result<Vec<RecordedEntry>, StorageError> {
        let mut tx = self.pool.begin().await?;
        case(&mut tx, store_id, case_id).await?;
        let recorded = append(&mut tx, store_id, case_id, entries).await?;
        tx.commit().await?;
        Ok(recorded)
    }
}
