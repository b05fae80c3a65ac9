//! Personal data on PostgreSQL: the erasure locks the customer and the cases it reaches
//! (`FOR UPDATE`) before it reads them, so a change racing it either lands before (and is
//! erased) or waits for it; a second erasure racing the first finds nothing left to change.

use async_trait::async_trait;
use redress_domain::assistant::Conversation;
use redress_domain::dispute::Dispute;
use redress_domain::privacy::{CaseRecords, Erasure, ErasureSubject};
use redress_domain::refund::Refund;
use redress_domain::{Case, CaseId, Customer, CustomerId, Order, OrderId, StoreId};
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};
use time::OffsetDateTime;

use crate::channels::{ContactIdentity, IdentityKind};
use crate::postgres::{PostgresStorage, all_docs, from_doc, one_doc, update_case_on};
use crate::privacy::{ErasureFn, ErasureScope, PrivacyStorage, StoredIdentity};
use crate::{CaseUpdate, StorageError, from_micros, micros};

/// The cases of a customer: naming them, or about one of their orders.
const CASES_OF_CUSTOMER: &str = "SELECT doc FROM cases WHERE store_id = $1 AND (customer_id = $2
     OR order_id IN (SELECT id FROM orders WHERE store_id = $1 AND customer_id = $2))
     ORDER BY created_at_us DESC, id DESC LIMIT $3";

async fn case_records(
    tx: &mut Transaction<'_, Postgres>,
    store_id: StoreId,
    case: Case,
) -> Result<CaseRecords, StorageError> {
    let messages = all_docs(
        sqlx::query("SELECT doc FROM messages WHERE store_id = $1 AND case_id = $2 ORDER BY created_at_us, id")
            .bind(store_id.as_uuid())
            .bind(case.id.as_uuid()),
        &mut **tx,
    )
    .await?;
    let rows =
        sqlx::query("SELECT seq, doc FROM timeline WHERE store_id = $1 AND case_id = $2 AND NOT redacted ORDER BY seq")
            .bind(store_id.as_uuid())
            .bind(case.id.as_uuid())
            .fetch_all(&mut **tx)
            .await?;
    let timeline = rows
        .into_iter()
        .map(|row| Ok((row.try_get::<i64, _>(0)?, from_doc(row.try_get(1)?)?)))
        .collect::<Result<_, StorageError>>()?;
    Ok(CaseRecords { case, messages, timeline })
}

/// Locks and loads what `scope` reaches: the customer first, then the cases by id.
async fn subject(
    tx: &mut Transaction<'_, Postgres>,
    store_id: StoreId,
    scope: ErasureScope,
) -> Result<ErasureSubject, StorageError> {
    let store = store_id.as_uuid();
    let lock_customer = |id: CustomerId| {
        sqlx::query("SELECT doc FROM customers WHERE store_id = $1 AND id = $2 FOR UPDATE")
            .bind(store)
            .bind(id.as_uuid())
    };
    let (customer, cases): (Option<Customer>, Vec<Case>) = match scope {
        ErasureScope::Customer(id) => {
            let customer = one_doc(lock_customer(id), &mut **tx).await?.ok_or(StorageError::NotFound("customer"))?;
            let cases = all_docs(
                sqlx::query(
                    "SELECT doc FROM cases WHERE store_id = $1 AND (customer_id = $2
                     OR order_id IN (SELECT id FROM orders WHERE store_id = $1 AND customer_id = $2))
                     ORDER BY id FOR UPDATE",
                )
                .bind(store)
                .bind(id.as_uuid()),
                &mut **tx,
            )
            .await?;
            (Some(customer), cases)
        }
        ErasureScope::Case(case_id) => {
            let case: Case = one_doc(
                sqlx::query("SELECT doc FROM cases WHERE store_id = $1 AND id = $2")
                    .bind(store)
                    .bind(case_id.as_uuid()),
                &mut **tx,
            )
            .await?
            .ok_or(StorageError::NotFound("case"))?;
            let customer = match case.customer_id {
                Some(id) => one_doc::<Customer>(lock_customer(id), &mut **tx).await?,
                None => None,
            };
            let case: Case = one_doc(
                sqlx::query("SELECT doc FROM cases WHERE store_id = $1 AND id = $2 FOR UPDATE")
                    .bind(store)
                    .bind(case_id.as_uuid()),
                &mut **tx,
            )
            .await?
            .ok_or(StorageError::NotFound("case"))?;
            // The customer goes too only when no other case of theirs is kept.
            let kept: bool = match case.customer_id {
                Some(id) => {
                    sqlx::query_scalar(
                        "SELECT EXISTS (SELECT 1 FROM cases WHERE store_id = $1 AND id <> $3 AND erased_at_us IS NULL
                         AND (customer_id = $2 OR order_id IN (SELECT id FROM orders WHERE store_id = $1 AND customer_id = $2)))",
                    )
                    .bind(store)
                    .bind(id.as_uuid())
                    .bind(case_id.as_uuid())
                    .fetch_one(&mut **tx)
                    .await?
                }
                None => true,
            };
            (customer.filter(|_| !kept), vec![case])
        }
    };
    let orders: Vec<Order> = match &customer {
        Some(customer) => {
            all_docs(
                sqlx::query("SELECT doc FROM orders WHERE store_id = $1 AND customer_id = $2 ORDER BY id FOR UPDATE")
                    .bind(store)
                    .bind(customer.id.as_uuid()),
                &mut **tx,
            )
            .await?
        }
        None => Vec::new(),
    };
    let case_ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.id.as_uuid()).collect();
    let order_ids: Vec<uuid::Uuid> = orders.iter().map(|o| o.id.as_uuid()).collect();
    let refunds: Vec<Refund> = all_docs(
        sqlx::query("SELECT doc FROM refunds WHERE store_id = $1 AND (case_id = ANY($2) OR order_id = ANY($3))")
            .bind(store)
            .bind(&case_ids)
            .bind(&order_ids),
        &mut **tx,
    )
    .await?;
    let disputes: Vec<Dispute> = all_docs(
        sqlx::query("SELECT doc FROM disputes WHERE store_id = $1 AND case_id = ANY($2)").bind(store).bind(&case_ids),
        &mut **tx,
    )
    .await?;
    let mut records = Vec::with_capacity(cases.len());
    for case in cases {
        records.push(case_records(tx, store_id, case).await?);
    }
    Ok(ErasureSubject { customer, orders, cases: records, refunds, disputes })
}

/// Writes what the plan returned, and removes what is removed whole.
async fn write(
    tx: &mut Transaction<'_, Postgres>,
    store_id: StoreId,
    erasure: &Erasure,
    now: OffsetDateTime,
) -> Result<(), StorageError> {
    let store = store_id.as_uuid();
    if let Some(customer) = &erasure.customer {
        sqlx::query("UPDATE customers SET email = $1, doc = $2 WHERE store_id = $3 AND id = $4")
            .bind(customer.email.to_string())
            .bind(Json(customer))
            .bind(store)
            .bind(customer.id.as_uuid())
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM contact_identities WHERE store_id = $1 AND customer_id = $2")
            .bind(store)
            .bind(customer.id.as_uuid())
            .execute(&mut **tx)
            .await?;
    }
    for order in &erasure.orders {
        sqlx::query("UPDATE orders SET doc = $1 WHERE store_id = $2 AND id = $3")
            .bind(Json(order))
            .bind(store)
            .bind(order.id.as_uuid())
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM assistant_conversations WHERE store_id = $1 AND doc->>'verified' = $2")
            .bind(store)
            .bind(order.id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    for case in &erasure.cases {
        let change = case.change.clone();
        update_case_on(tx, store_id, change.case.id, Box::new(move |_| Ok(CaseUpdate { change, message: None })))
            .await?;
        for message in &case.messages {
            sqlx::query("UPDATE messages SET doc = $1 WHERE store_id = $2 AND id = $3")
                .bind(Json(message))
                .bind(store)
                .bind(message.id.as_uuid())
                .execute(&mut **tx)
                .await?;
        }
        for (seq, entry) in &case.entries {
            sqlx::query("UPDATE timeline SET doc = $1, redacted = TRUE WHERE store_id = $2 AND seq = $3")
                .bind(Json(entry))
                .bind(store)
                .bind(seq)
                .execute(&mut **tx)
                .await?;
        }
    }
    let case_ids: Vec<uuid::Uuid> = erasure.case_ids.iter().map(|id| id.as_uuid()).collect();
    let case_texts: Vec<String> = erasure.case_ids.iter().map(|id| id.to_string()).collect();
    for sql in [
        "DELETE FROM attachments WHERE store_id = $1 AND case_id = ANY($2)",
        "UPDATE inbound_messages SET raw = '\\x'::bytea, sender = NULL WHERE store_id = $1 AND case_id = ANY($2)",
        "DELETE FROM outbox WHERE store_id = $1 AND case_id = ANY($2)",
        "UPDATE surveys SET comment = NULL WHERE store_id = $1 AND case_id = ANY($2)",
    ] {
        sqlx::query(sql).bind(store).bind(&case_ids).execute(&mut **tx).await?;
    }
    sqlx::query("DELETE FROM assistant_conversations WHERE store_id = $1 AND doc->>'case_id' = ANY($2)")
        .bind(store)
        .bind(&case_texts)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE cases SET erased_at_us = coalesce(erased_at_us, $1) WHERE store_id = $2 AND id = ANY($3)")
        .bind(micros(now))
        .bind(store)
        .bind(&case_ids)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl PrivacyStorage for PostgresStorage {
    async fn identities_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Vec<StoredIdentity>, StorageError> {
        let rows = sqlx::query(
            "SELECT kind, value, created_at_us FROM contact_identities WHERE store_id = $1 AND customer_id = $2
             ORDER BY created_at_us, kind, value",
        )
        .bind(store_id.as_uuid())
        .bind(customer_id.as_uuid())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                Ok(StoredIdentity {
                    identity: ContactIdentity {
                        kind: IdentityKind::parse(row.try_get(0)?)?,
                        value: row.try_get(1)?,
                        customer_id,
                    },
                    linked_at: from_micros(row.try_get(2)?)?,
                })
            })
            .collect()
    }

    async fn cases_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Case>, StorageError> {
        all_docs(
            sqlx::query(CASES_OF_CUSTOMER).bind(store_id.as_uuid()).bind(customer_id.as_uuid()).bind(i64::from(limit)),
            &self.pool,
        )
        .await
    }

    async fn conversations_of(
        &self,
        store_id: StoreId,
        cases: &[CaseId],
        orders: &[OrderId],
        limit: u32,
    ) -> Result<Vec<Conversation>, StorageError> {
        let cases: Vec<String> = cases.iter().map(|id| id.to_string()).collect();
        let orders: Vec<String> = orders.iter().map(|id| id.to_string()).collect();
        all_docs(
            sqlx::query(
                "SELECT doc FROM assistant_conversations WHERE store_id = $1
                 AND (doc->>'case_id' = ANY($2) OR doc->>'verified' = ANY($3)) ORDER BY id LIMIT $4",
            )
            .bind(store_id.as_uuid())
            .bind(&cases)
            .bind(&orders)
            .bind(i64::from(limit)),
            &self.pool,
        )
        .await
    }

    async fn erase(
        &self,
        store_id: StoreId,
        scope: ErasureScope,
        plan: ErasureFn,
        now: OffsetDateTime,
    ) -> Result<Erasure, StorageError> {
        let mut tx = self.pool.begin().await?;
        let subject = subject(&mut tx, store_id, scope).await?;
        let erasure = plan(&subject)?;
        write(&mut tx, store_id, &erasure, now).await?;
        // The search's vocabulary only ever gains words (SQLite's follows its index): the
        // erased cases' words that no case holds any more leave it.
        let erased_words: Vec<String> = subject
            .cases
            .iter()
            .map(|r| {
                let email = r.case.customer_email.as_ref().map(ToString::to_string).unwrap_or_default();
                format!("{} {email}", r.case.subject)
            })
            .collect();
        sqlx::query(
            "DELETE FROM case_words WHERE term IN (
                 SELECT w FROM unnest($1::text[]) AS t, regexp_split_to_table(lower(t), '[^[:alnum:]]+') AS w)
             AND NOT EXISTS (SELECT 1 FROM cases WHERE inbox_search @@ plainto_tsquery('simple', case_words.term))",
        )
        .bind(&erased_words)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(erasure)
    }

    async fn cases_past_retention(
        &self,
        store_id: StoreId,
        changed_before: OffsetDateTime,
        after: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<CaseId>, StorageError> {
        let ids: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM cases WHERE store_id = $1 AND status IN ('resolved', 'closed') AND erased_at_us IS NULL
             AND ($2::uuid IS NULL OR id > $2) AND (doc->>'updated_at')::timestamptz < to_timestamp($3)
             ORDER BY id LIMIT $4",
        )
        .bind(store_id.as_uuid())
        .bind(after.map(|id| id.as_uuid()))
        .bind(changed_before.unix_timestamp() as f64)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(ids.into_iter().map(CaseId::from_uuid).collect())
    }
}
