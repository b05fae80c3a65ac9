//! The money layer on SQLite. Every write runs on the single writer thread, so a refund's
//! check of the payment's balance and its reservation cannot interleave with another's.

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
use rusqlite::{Connection, OptionalExtension, params};
use time::OffsetDateTime;

use crate::money::{
    MoneyStorage, RefundOutcome, RefundUpdateFn, SpendOutcome, correction_of, credit_of, dispute_posting, effects,
    fees_minor, history_of, mismatch, new_posting_id, posted_entry, reason_and_method, reported_balance,
    spend_mismatch, spend_posting, window_start,
};
use crate::sqlite::{SqliteStorage, all_docs, one_doc};
use crate::{Conflict, RecordedEntry, StorageError, column_text, micros};

fn append(
    conn: &Connection,
    store_id: StoreId,
    case_id: CaseId,
    entries: Vec<TimelineEntry>,
) -> Result<Vec<RecordedEntry>, StorageError> {
    let mut statement = conn
        .prepare_cached("INSERT INTO timeline (store_id, case_id, at_us, doc) VALUES (?1, ?2, ?3, ?4) RETURNING seq")?;
    let mut recorded = Vec::with_capacity(entries.len());
    for entry in entries {
        let seq = statement.query_row(
            params![store_id.to_string(), case_id.to_string(), micros(entry.at), serde_json::to_string(&entry)?],
            |row| row.get(0),
        )?;
        recorded.push(RecordedEntry { seq, entry });
    }
    Ok(recorded)
}

fn insert_posting(conn: &Connection, posting: &Posting) -> Result<(), StorageError> {
    posting.check()?;
    let links = &posting.links;
    conn.prepare_cached(
        "INSERT INTO postings (id, store_id, order_id, case_id, payment_id, refund_id, kind, corrects, at_us, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        posting.id.to_string(),
        links.store_id.to_string(),
        links.order_id.map(|id| id.to_string()),
        links.case_id.map(|id| id.to_string()),
        links.payment_id.map(|id| id.to_string()),
        links.refund_id.map(|id| id.to_string()),
        posting.kind.as_str(),
        posting.corrects.map(|id| id.to_string()),
        micros(posting.at),
        serde_json::to_string(posting)?
    ])?;
    let mut leg = conn.prepare_cached(
        "INSERT INTO legs (posting_id, store_id, position, account, currency, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, l) in posting.legs.iter().enumerate() {
        leg.execute(params![
            posting.id.to_string(),
            links.store_id.to_string(),
            position as i64,
            l.account.as_str(),
            l.amount.currency.code(),
            l.amount.amount_minor
        ])?;
    }
    conn.prepare_cached("INSERT INTO posting_seals (posting_id) VALUES (?1)")?.execute([posting.id.to_string()])?;
    Ok(())
}

fn order(conn: &Connection, store_id: StoreId, id: OrderId) -> Result<Order, StorageError> {
    one_doc(conn, "SELECT doc FROM orders WHERE store_id = ?1 AND id = ?2", [store_id.to_string(), id.to_string()])?
        .ok_or(StorageError::NotFound("order"))
}

fn case(conn: &Connection, store_id: StoreId, id: CaseId) -> Result<Case, StorageError> {
    one_doc(conn, "SELECT doc FROM cases WHERE store_id = ?1 AND id = ?2", [store_id.to_string(), id.to_string()])?
        .ok_or(StorageError::NotFound("case"))
}

fn balance_row(conn: &Connection, store_id: StoreId, id: PaymentId) -> Result<Option<PaymentBalance>, StorageError> {
    let row = conn
        .prepare_cached(
            "SELECT currency, captured_minor, refunded_minor, reserved_minor FROM payments WHERE store_id = ?1 AND id = ?2",
        )?
        .query_row([store_id.to_string(), id.to_string()], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, i64>(2)?, row.get::<_, i64>(3)?))
        })
        .optional()?;
    row.map(|(currency, captured, refunded, reserved)| {
        let c = Currency::from_code(&currency).map_err(|e| StorageError::Corrupt(e.to_string()))?;
        Ok(PaymentBalance::new(Money::new(captured, c), Money::new(refunded, c), Money::new(reserved, c))?)
    })
    .transpose()
}

fn write_balance(conn: &Connection, store_id: StoreId, id: PaymentId, b: &PaymentBalance) -> Result<(), StorageError> {
    conn.prepare_cached(
        "UPDATE payments SET captured_minor = ?1, refunded_minor = ?2, reserved_minor = ?3 WHERE store_id = ?4 AND id = ?5",
    )?
    .execute(params![
        b.captured.amount_minor,
        b.refunded.amount_minor,
        b.reserved.amount_minor,
        store_id.to_string(),
        id.to_string()
    ])?;
    Ok(())
}

/// The payment's balance row brought to what the order reports ([`sync_payment`]): made with
/// its opening postings the first time, a larger capture posted and taken in since. The
/// postings' entries go on `case_id`'s timeline when there is one.
pub(crate) fn ensure_payment(
    conn: &Connection,
    order: &Order,
    payment_id: PaymentId,
    case_id: Option<CaseId>,
    now: OffsetDateTime,
) -> Result<(PaymentBalance, Vec<TimelineEntry>), StorageError> {
    let stored = balance_row(conn, order.store_id, payment_id)?;
    let sync = sync_payment(order, payment_id, stored, case_id, &mut new_posting_id, now)?;
    if sync.is_new {
        conn.prepare_cached(
            "INSERT INTO payments (id, store_id, order_id, currency, captured_minor, refunded_minor, reserved_minor)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            payment_id.to_string(),
            order.store_id.to_string(),
            order.id.to_string(),
            sync.balance.captured.currency.code(),
            sync.balance.captured.amount_minor,
            sync.balance.refunded.amount_minor,
            sync.balance.reserved.amount_minor
        ])?;
    } else if sync.changed {
        write_balance(conn, order.store_id, payment_id, &sync.balance)?;
    }
    let mut entries = Vec::new();
    for posting in &sync.postings {
        insert_posting(conn, posting)?;
        entries.extend(posted_entry(posting));
    }
    Ok((sync.balance, entries))
}

/// Brings the books of every payment of `order` to what it reports: called when the shop
/// reports the order, so captures are posted at once and the ledger is complete.
pub(crate) fn sync_payments(conn: &Connection, order: &Order, now: OffsetDateTime) -> Result<(), StorageError> {
    for payment in order.payments.iter().filter(|p| p.captured.amount_minor > 0) {
        ensure_payment(conn, order, payment.id, None, now)?;
    }
    Ok(())
}

/// What the order's earlier refunds that give value add up to, summed in SQL in two parts
/// (whole billions and the rest) so that no stored row, however large, can overflow the sum.
fn refund_totals(conn: &Connection, store_id: StoreId, order_id: OrderId) -> Result<RefundTotals, StorageError> {
    let mut totals = RefundTotals::default();
    let mut statement = conn.prepare_cached(
        "SELECT reason, method,
                SUM(amount_minor / 1000000000), SUM(amount_minor % 1000000000),
                SUM(fees_minor / 1000000000), SUM(fees_minor % 1000000000)
         FROM refunds WHERE store_id = ?1 AND order_id = ?2 AND status NOT IN ('rejected', 'failed')
         GROUP BY reason, method",
    )?;
    let rows = statement.query_map([store_id.to_string(), order_id.to_string()], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            [row.get::<_, i64>(2)?, row.get::<_, i64>(3)?, row.get::<_, i64>(4)?, row.get::<_, i64>(5)?],
        ))
    })?;
    for row in rows {
        let (reason, method, [amount_hi, amount_lo, fees_hi, fees_lo]) = row?;
        let (reason, method) = reason_and_method(&reason, &method)?;
        let wide = |hi: i64, lo: i64| i128::from(hi) * 1_000_000_000 + i128::from(lo);
        totals.add(reason, method, wide(amount_hi, amount_lo), wide(fees_hi, fees_lo));
    }
    Ok(totals)
}

fn refund_by_key(conn: &Connection, store_id: StoreId, key: &IdempotencyKey) -> Result<Option<Refund>, StorageError> {
    one_doc(
        conn,
        "SELECT doc FROM refunds WHERE store_id = ?1 AND idempotency_key = ?2",
        [store_id.to_string(), key.as_str().to_owned()],
    )
}

fn load_refund(conn: &Connection, store_id: StoreId, id: RefundId) -> Result<Refund, StorageError> {
    one_doc(conn, "SELECT doc FROM refunds WHERE store_id = ?1 AND id = ?2", [store_id.to_string(), id.to_string()])?
        .ok_or(StorageError::NotFound("refund"))
}

fn insert_refund(conn: &Connection, r: &Refund) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO refunds (id, store_id, order_id, case_id, payment_id, idempotency_key, method, status, amount_minor,
                              currency, created_at_us, updated_at_us, doc, reason, fees_minor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        r.id.to_string(),
        r.store_id.to_string(),
        r.order_id.to_string(),
        r.case_id.to_string(),
        r.payment_id.map(|id| id.to_string()),
        r.idempotency_key.as_str(),
        r.method.as_str(),
        r.status.as_str(),
        r.amount.amount_minor,
        r.amount.currency.code(),
        micros(r.created_at),
        micros(r.updated_at),
        serde_json::to_string(r)?,
        r.reason.as_str(),
        fees_minor(r)?
    ])?;
    Ok(())
}

fn add_credit(
    conn: &Connection,
    store_id: StoreId,
    customer_id: CustomerId,
    amount: Money,
) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO store_credit (store_id, customer_id, currency, balance_minor) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (store_id, customer_id, currency) DO UPDATE SET balance_minor = balance_minor + excluded.balance_minor",
    )?
    .execute(params![store_id.to_string(), customer_id.to_string(), amount.currency.code(), amount.amount_minor])?;
    Ok(())
}

fn insert_dispute(conn: &Connection, d: &Dispute) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO disputes (id, store_id, order_id, payment_id, case_id, provider_reference, status, reason,
                               amount_minor, currency, evidence_due_at_us, doc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(params![
        d.id.to_string(),
        d.store_id.to_string(),
        d.order_id.to_string(),
        d.payment_id.to_string(),
        d.case_id.to_string(),
        d.provider_reference,
        d.status.as_str(),
        column_text(&d.reason)?,
        d.amount.amount_minor,
        d.amount.currency.code(),
        micros(d.evidence_due_by),
        serde_json::to_string(d)?
    ])?;
    Ok(())
}

fn load_dispute(conn: &Connection, store_id: StoreId, id: DisputeId) -> Result<Dispute, StorageError> {
    one_doc(conn, "SELECT doc FROM disputes WHERE store_id = ?1 AND id = ?2", [store_id.to_string(), id.to_string()])?
        .ok_or(StorageError::NotFound("dispute"))
}

fn account(text: &str) -> Result<Account, StorageError> {
    Ok(serde_json::from_value(serde_json::Value::String(text.to_owned()))?)
}

/// Writes a refund intent, or finds the one with the same idempotency key: the one way a
/// refund is asked for on SQLite, on its own or within a resolution step. Runs on the writer
/// thread, so the payment's balance cannot change between the check and the reservation.
pub(crate) fn write_refund(
    conn: &Connection,
    request: RefundRequest,
    policy: &ApprovalPolicy,
    now: OffsetDateTime,
) -> Result<RefundOutcome, StorageError> {
    let store_id = request.store_id;
    if let Some(existing) = refund_by_key(conn, store_id, &request.idempotency_key)? {
        return if request.same_as(&existing) {
            Ok(RefundOutcome { refund: existing, created: false })
        } else {
            Err(mismatch(&existing))
        };
    }
    let order = order(conn, store_id, request.order_id)?;
    let case = case(conn, store_id, request.case_id)?;
    let mut entries = Vec::new();
    let mut balance = None;
    if let Some(payment_id) = request.payment_id {
        // Every captured payment of the order enters the ledger together, so the order's
        // balance shows all that was taken, not only what is refunded.
        for payment in order.payments.iter().filter(|p| p.captured.amount_minor > 0 || p.id == payment_id) {
            let (synced, opened) = ensure_payment(conn, &order, payment.id, Some(case.id), now)?;
            entries.extend(opened);
            if payment.id == payment_id {
                balance = Some(synced);
            }
        }
    }
    let earlier = refund_totals(conn, store_id, order.id)?;
    // Earlier refunds one by one, returns and claims matter only to a refund per line; reading
    // them for every refund would cost each one more than the last on a busy order.
    let (earlier_refunds, given) = if request.lines.is_empty() {
        (Vec::new(), Given::default())
    } else {
        let key = [store_id.to_string(), order.id.to_string()];
        let refunds: Vec<Refund> = all_docs(
            conn,
            "SELECT doc FROM refunds WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at_us, id",
            key.clone(),
        )?;
        let returns: Vec<ReturnAuthorisation> =
            all_docs(conn, "SELECT doc FROM returns WHERE store_id = ?1 AND order_id = ?2", key.clone())?;
        let claims: Vec<Claim> = all_docs(conn, "SELECT doc FROM claims WHERE store_id = ?1 AND order_id = ?2", key)?;
        let given = Given::of(order.id, &returns, &claims, &refunds);
        (refunds, given)
    };
    let history = customer_history(conn, store_id, order.customer_id, policy, now)?;
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
        write_balance(conn, store_id, *payment_id, balance)?;
    }
    insert_refund(conn, &plan.change.refund)?;
    entries.extend(plan.change.entries);
    append(conn, store_id, plan.change.refund.case_id, entries)?;
    Ok(RefundOutcome { refund: plan.change.refund, created: true })
}

/// The customer's refunds in the abuse rules' window, read only when the rules limit anything;
/// summed in two parts like [`refund_totals`].
fn customer_history(
    conn: &Connection,
    store_id: StoreId,
    customer_id: CustomerId,
    policy: &ApprovalPolicy,
    now: OffsetDateTime,
) -> Result<RefundHistory, StorageError> {
    if !policy.abuse.limit_anything() {
        return Ok(RefundHistory::default());
    }
    let rows = conn
        .prepare_cached(
            "SELECT COUNT(*), r.currency, SUM(r.amount_minor / 1000000000), SUM(r.amount_minor % 1000000000)
             FROM refunds r JOIN orders o ON o.id = r.order_id
             WHERE r.store_id = ?1 AND o.customer_id = ?2 AND r.created_at_us >= ?3
               AND r.status NOT IN ('rejected', 'failed')
             GROUP BY r.currency",
        )?
        .query_map(params![store_id.to_string(), customer_id.to_string(), micros(window_start(policy, now))], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?, row.get::<_, i64>(3)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    history_of(rows)
}

fn credit_balance(
    conn: &Connection,
    store_id: StoreId,
    customer_id: CustomerId,
    currency: Currency,
) -> Result<i64, StorageError> {
    Ok(conn
        .prepare_cached(
            "SELECT balance_minor FROM store_credit WHERE store_id = ?1 AND customer_id = ?2 AND currency = ?3",
        )?
        .query_row(params![store_id.to_string(), customer_id.to_string(), currency.code()], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

#[async_trait]
impl MoneyStorage for SqliteStorage {
    async fn request_refund(
        &self,
        request: RefundRequest,
        policy: ApprovalPolicy,
        now: OffsetDateTime,
    ) -> Result<RefundOutcome, StorageError> {
        self.write(move |conn| write_refund(conn, request, &policy, now)).await
    }

    async fn refund(&self, store_id: StoreId, id: RefundId) -> Result<Refund, StorageError> {
        self.read(move |conn| load_refund(conn, store_id, id)).await
    }

    async fn refunds_of_order(&self, store_id: StoreId, order_id: OrderId) -> Result<Vec<Refund>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM refunds WHERE store_id = ?1 AND order_id = ?2 ORDER BY created_at_us, id",
                [store_id.to_string(), order_id.to_string()],
            )
        })
        .await
    }

    async fn refunds_to_execute(&self, sent_before: OffsetDateTime, limit: u32) -> Result<Vec<Refund>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM refunds WHERE status = 'approved' OR (status = 'sent' AND updated_at_us < ?1)
                 ORDER BY updated_at_us LIMIT ?2",
                params![micros(sent_before), i64::from(limit)],
            )
        })
        .await
    }

    async fn refund_anywhere(&self, id: RefundId) -> Result<Option<Refund>, StorageError> {
        self.read(move |conn| one_doc(conn, "SELECT doc FROM refunds WHERE id = ?1", [id.to_string()])).await
    }

    async fn change_refund(
        &self,
        store_id: StoreId,
        id: RefundId,
        change: RefundUpdateFn,
    ) -> Result<Refund, StorageError> {
        self.write(move |conn| {
            let current = load_refund(conn, store_id, id)?;
            let changed = change(&current)?;
            let refund = changed.refund;
            if refund.id != current.id || refund.store_id != current.store_id || refund.amount != current.amount {
                return Err(StorageError::Backend("a refund change tried to change what is refunded".into()));
            }
            let balance = match current.payment_id {
                Some(payment_id) => Some(
                    balance_row(conn, store_id, payment_id)?
                        .ok_or_else(|| StorageError::Corrupt("a refund's payment has no balance".into()))?,
                ),
                None => None,
            };
            let effects = effects(&current, &refund, balance, refund.updated_at)?;
            if let (Some(payment_id), Some(balance)) = (current.payment_id, &effects.balance) {
                write_balance(conn, store_id, payment_id, balance)?;
            }
            if let Some(credit) = effects.credit {
                add_credit(conn, store_id, refund.customer_id, credit)?;
            }
            for posting in &effects.postings {
                insert_posting(conn, posting)?;
            }
            conn.prepare_cached(
                "UPDATE refunds SET status = ?1, updated_at_us = ?2, doc = ?3 WHERE store_id = ?4 AND id = ?5",
            )?
            .execute(params![
                refund.status.as_str(),
                micros(refund.updated_at),
                serde_json::to_string(&refund)?,
                store_id.to_string(),
                id.to_string()
            ])?;
            let mut entries = changed.entries;
            entries.extend(effects.entries);
            append(conn, store_id, refund.case_id, entries)?;
            Ok(refund)
        })
        .await
    }

    async fn payment_balance(&self, store_id: StoreId, payment_id: PaymentId) -> Result<PaymentBalance, StorageError> {
        self.read(move |conn| {
            if let Some(balance) = balance_row(conn, store_id, payment_id)? {
                return Ok(balance);
            }
            let orders: Vec<Order> = all_docs(
                conn,
                "SELECT o.doc FROM orders o, json_each(o.doc, '$.payments') p
                 WHERE o.store_id = ?1 AND json_extract(p.value, '$.id') = ?2",
                [store_id.to_string(), payment_id.to_string()],
            )?;
            let order = orders.first().ok_or(StorageError::NotFound("payment"))?;
            reported_balance(order, payment_id)
        })
        .await
    }

    async fn recorded_payments(
        &self,
        store_id: StoreId,
        after: Option<PaymentId>,
        limit: u32,
    ) -> Result<Vec<RecordedPayment>, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT id, order_id, currency, captured_minor, refunded_minor, reserved_minor FROM payments
                 WHERE store_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
            )?;
            let after = after.map(|id| id.to_string()).unwrap_or_default();
            let rows = statement
                .query_map(params![store_id.to_string(), after, i64::from(limit)], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                        row.get::<_, i64>(4)?,
                        row.get::<_, i64>(5)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(id, order_id, currency, captured, refunded, reserved)| {
                    let corrupt = |e: String| StorageError::Corrupt(e);
                    let c = Currency::from_code(&currency).map_err(|e| corrupt(e.to_string()))?;
                    Ok(RecordedPayment {
                        payment_id: id.parse().map_err(|e: uuid::Error| corrupt(e.to_string()))?,
                        order_id: order_id.parse().map_err(|e: uuid::Error| corrupt(e.to_string()))?,
                        balance: PaymentBalance::new(
                            Money::new(captured, c),
                            Money::new(refunded, c),
                            Money::new(reserved, c),
                        )?,
                    })
                })
                .collect()
        })
        .await
    }

    async fn postings(&self, store_id: StoreId, order_id: Option<OrderId>) -> Result<Vec<Posting>, StorageError> {
        self.read(move |conn| match order_id {
            Some(order_id) => all_docs(
                conn,
                "SELECT doc FROM postings WHERE store_id = ?1 AND order_id = ?2 ORDER BY at_us, id",
                [store_id.to_string(), order_id.to_string()],
            ),
            None => all_docs(
                conn,
                "SELECT doc FROM postings WHERE store_id = ?1 ORDER BY at_us, id",
                [store_id.to_string()],
            ),
        })
        .await
    }

    async fn postings_page(
        &self,
        store_id: StoreId,
        after: Option<PostingId>,
        limit: u32,
    ) -> Result<Vec<Posting>, StorageError> {
        self.read(move |conn| match after {
            Some(after) => all_docs(
                conn,
                "SELECT doc FROM postings WHERE store_id = ?1
                   AND (at_us, id) > (SELECT at_us, id FROM postings WHERE store_id = ?1 AND id = ?2)
                 ORDER BY at_us, id LIMIT ?3",
                params![store_id.to_string(), after.to_string(), limit],
            ),
            None => all_docs(
                conn,
                "SELECT doc FROM postings WHERE store_id = ?1 ORDER BY at_us, id LIMIT ?2",
                params![store_id.to_string(), limit],
            ),
        })
        .await
    }

    async fn ledger_balances(&self, store_id: StoreId) -> Result<Balances, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                // Summed in two parts (whole billions and the rest) so no row can overflow the sum.
                "SELECT account, currency, SUM(amount_minor / 1000000000), SUM(amount_minor % 1000000000)
                 FROM legs WHERE store_id = ?1 GROUP BY account, currency",
            )?;
            let rows = statement
                .query_map([store_id.to_string()], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, i64>(3)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let mut balances = Balances::default();
            for (a, currency, billions, rest) in rows {
                let currency = Currency::from_code(&currency).map_err(|e| StorageError::Corrupt(e.to_string()))?;
                let sum = i128::from(billions) * 1_000_000_000 + i128::from(rest);
                balances.by_account.insert((account(&a)?, currency), sum);
            }
            Ok(balances)
        })
        .await
    }

    async fn store_credit(&self, store_id: StoreId, customer_id: CustomerId) -> Result<Vec<StoreCredit>, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT currency, balance_minor FROM store_credit WHERE store_id = ?1 AND customer_id = ?2 ORDER BY currency",
            )?;
            let rows = statement
                .query_map([store_id.to_string(), customer_id.to_string()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter().map(|(currency, balance)| credit_of(customer_id, &currency, balance)).collect()
        })
        .await
    }

    async fn open_dispute(&self, dispute: Dispute, actor: Actor) -> Result<Dispute, StorageError> {
        self.write(move |conn| {
            let order = order(conn, dispute.store_id, dispute.order_id)?;
            if !order.payments.iter().any(|p| p.id == dispute.payment_id) {
                return Err(StorageError::NotFound("payment"));
            }
            case(conn, dispute.store_id, dispute.case_id)?;
            let opened = Dispute::open(dispute, &actor)?;
            insert_dispute(conn, &opened.dispute)?;
            let mut entries = opened.entries;
            if let Some(posting) = dispute_posting(None, &opened.dispute, &actor)? {
                insert_posting(conn, &posting)?;
                entries.extend(posted_entry(&posting));
            }
            append(conn, opened.dispute.store_id, opened.dispute.case_id, entries)?;
            Ok(opened.dispute)
        })
        .await
    }

    async fn change_dispute(
        &self,
        store_id: StoreId,
        id: DisputeId,
        to: DisputeStatus,
        actor: Actor,
        now: OffsetDateTime,
    ) -> Result<Dispute, StorageError> {
        self.write(move |conn| {
            let current = load_dispute(conn, store_id, id)?;
            let changed = current.change_status(to, &actor, now)?;
            conn.prepare_cached("UPDATE disputes SET status = ?1, doc = ?2 WHERE store_id = ?3 AND id = ?4")?.execute(
                params![
                    changed.dispute.status.as_str(),
                    serde_json::to_string(&changed.dispute)?,
                    store_id.to_string(),
                    id.to_string()
                ],
            )?;
            let mut entries = changed.entries;
            if let Some(posting) = dispute_posting(Some(current.status), &changed.dispute, &actor)? {
                insert_posting(conn, &posting)?;
                entries.extend(posted_entry(&posting));
            }
            append(conn, store_id, current.case_id, entries)?;
            Ok(changed.dispute)
        })
        .await
    }

    async fn report_dispute(
        &self,
        store_id: StoreId,
        id: DisputeId,
        report: DisputeReport,
        actor: Actor,
        now: OffsetDateTime,
    ) -> Result<Dispute, StorageError> {
        self.write(move |conn| {
            let current = load_dispute(conn, store_id, id)?;
            let changed = current.reported(&report, &actor, now)?;
            if changed.entries.is_empty() {
                return Ok(current);
            }
            let d = &changed.dispute;
            conn.prepare_cached(
                "UPDATE disputes SET status = ?1, reason = ?2, amount_minor = ?3, evidence_due_at_us = ?4, doc = ?5
                 WHERE store_id = ?6 AND id = ?7",
            )?
            .execute(params![
                d.status.as_str(),
                column_text(&d.reason)?,
                d.amount.amount_minor,
                micros(d.evidence_due_by),
                serde_json::to_string(d)?,
                store_id.to_string(),
                id.to_string()
            ])?;
            let mut entries = changed.entries;
            if let Some(posting) = dispute_posting(Some(current.status), &changed.dispute, &actor)? {
                insert_posting(conn, &posting)?;
                entries.extend(posted_entry(&posting));
            }
            append(conn, store_id, current.case_id, entries)?;
            Ok(changed.dispute)
        })
        .await
    }

    async fn dispute_by_reference(&self, reference: &str) -> Result<Option<Dispute>, StorageError> {
        let reference = reference.to_owned();
        self.read(move |conn| {
            let found: Vec<Dispute> = all_docs(
                conn,
                "SELECT doc FROM disputes WHERE provider_reference = ?1 ORDER BY evidence_due_at_us, id LIMIT 1",
                [reference],
            )?;
            Ok(found.into_iter().next())
        })
        .await
    }

    async fn order_by_payment_reference(&self, references: Vec<String>) -> Result<Option<Order>, StorageError> {
        self.read(move |conn| {
            for reference in references {
                let found: Vec<Order> = all_docs(
                    conn,
                    "SELECT o.doc FROM orders o, json_each(o.doc, '$.payments') p
                     WHERE json_extract(p.value, '$.provider_reference') = ?1 ORDER BY o.placed_at_us, o.id LIMIT 1",
                    [reference],
                )?;
                if let Some(order) = found.into_iter().next() {
                    return Ok(Some(order));
                }
            }
            Ok(None)
        })
        .await
    }

    async fn dispute(&self, store_id: StoreId, id: DisputeId) -> Result<Dispute, StorageError> {
        self.read(move |conn| load_dispute(conn, store_id, id)).await
    }

    async fn disputes_of_case(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<Dispute>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM disputes WHERE store_id = ?1 AND case_id = ?2 ORDER BY evidence_due_at_us, id",
                [store_id.to_string(), case_id.to_string()],
            )
        })
        .await
    }

    async fn spend_store_credit(&self, spend: CreditSpend) -> Result<SpendOutcome, StorageError> {
        self.write(move |conn| {
            spend.validate()?;
            let (store_id, customer_id, currency) = (spend.store_id, spend.customer_id, spend.amount.currency);
            let existing: Option<CreditSpend> = one_doc(
                conn,
                "SELECT doc FROM store_credit_spends WHERE store_id = ?1 AND idempotency_key = ?2",
                [store_id.to_string(), spend.idempotency_key.as_str().to_owned()],
            )?;
            if let Some(existing) = existing {
                if !spend.same_as(&existing) {
                    return Err(spend_mismatch(&existing));
                }
                let balance = credit_balance(conn, store_id, customer_id, currency)?;
                return Ok(SpendOutcome {
                    balance: credit_of(customer_id, currency.code(), balance)?,
                    spend: existing,
                    created: false,
                });
            }
            let customer: Option<String> = conn
                .prepare_cached("SELECT id FROM customers WHERE store_id = ?1 AND id = ?2")?
                .query_row([store_id.to_string(), customer_id.to_string()], |row| row.get(0))
                .optional()?;
            customer.ok_or(StorageError::NotFound("customer"))?;
            if let Some(case_id) = spend.case_id {
                let case = case(conn, store_id, case_id)?;
                if case.customer_id != Some(customer_id) {
                    return Err(RefundError::from(ValidationError::new("case_id", "the case is another customer's"))
                        .into());
                }
            }
            let held = StoreCredit { customer_id, balance: Money::new(credit_balance(conn, store_id, customer_id, currency)?, currency) };
            let left = held.spend(spend.amount)?;
            conn.prepare_cached(
                "UPDATE store_credit SET balance_minor = ?1 WHERE store_id = ?2 AND customer_id = ?3 AND currency = ?4",
            )?
            .execute(params![left.balance.amount_minor, store_id.to_string(), customer_id.to_string(), currency.code()])?;
            let posting = spend_posting(&spend)?;
            insert_posting(conn, &posting)?;
            conn.prepare_cached(
                "INSERT INTO store_credit_spends (posting_id, store_id, customer_id, idempotency_key, currency, amount_minor, at_us, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                spend.posting_id.to_string(),
                store_id.to_string(),
                customer_id.to_string(),
                spend.idempotency_key.as_str(),
                currency.code(),
                spend.amount.amount_minor,
                micros(spend.at),
                serde_json::to_string(&spend)?
            ])?;
            if let Some(case_id) = spend.case_id {
                append(conn, store_id, case_id, posted_entry(&posting).into_iter().collect())?;
            }
            Ok(SpendOutcome { spend, balance: left, created: true })
        })
        .await
    }

    async fn credit_spends(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Vec<CreditSpend>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM store_credit_spends WHERE store_id = ?1 AND customer_id = ?2 ORDER BY at_us, posting_id",
                [store_id.to_string(), customer_id.to_string()],
            )
        })
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
        self.write(move |conn| {
            let original: Posting = one_doc(
                conn,
                "SELECT doc FROM postings WHERE store_id = ?1 AND id = ?2",
                [store_id.to_string(), posting_id.to_string()],
            )?
            .ok_or(StorageError::NotFound("posting"))?;
            let corrected: Option<String> = conn
                .prepare_cached("SELECT id FROM postings WHERE store_id = ?1 AND corrects = ?2")?
                .query_row([store_id.to_string(), posting_id.to_string()], |row| row.get(0))
                .optional()?;
            if let Some(by) = corrected {
                let by = by.parse().map_err(|_| StorageError::Corrupt(format!("posting id `{by}`")))?;
                return Err(Conflict::AlreadyCorrected(by).into());
            }
            let correction = correction_of(&original, &reason, by, now)?;
            insert_posting(conn, &correction)?;
            if let Some(case_id) = correction.links.case_id {
                append(conn, store_id, case_id, posted_entry(&correction).into_iter().collect())?;
            }
            Ok(correction)
        })
        .await
    }

    async fn disputes_of_store(&self, store_id: StoreId) -> Result<Vec<Dispute>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM disputes WHERE store_id = ?1 ORDER BY evidence_due_at_us, id",
                [store_id.to_string()],
            )
        })
        .await
    }

    async fn refunds_awaiting_approval(&self, store_id: StoreId) -> Result<Vec<Refund>, StorageError> {
        self.read(move |conn| {
            all_docs(
                conn,
                "SELECT doc FROM refunds WHERE store_id = ?1 AND status = 'awaiting_approval' ORDER BY created_at_us, id",
                [store_id.to_string()],
            )
        })
        .await
    }

    async fn append_timeline(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        entries: Vec<TimelineEntry>,
    ) -> Result<Vec<RecordedEntry>, StorageError> {
        self.write(move |conn| {
            case(conn, store_id, case_id)?;
            append(conn, store_id, case_id, entries)
        })
        .await
    }
}
