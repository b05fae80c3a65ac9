//! Personal data on SQLite: the erasure runs on the writer thread, so nothing changes between
//! what it loads and what it writes.

use async_trait::async_trait;
use redress_domain::assistant::Conversation;
use redress_domain::dispute::Dispute;
use redress_domain::privacy::{CaseRecords, Erasure, ErasureSubject};
use redress_domain::refund::Refund;
use redress_domain::{Case, CaseId, Customer, CustomerId, Order, OrderId, StoreId, TimelineEntry};
use rusqlite::{Connection, params};
use time::OffsetDateTime;

use crate::channels::{ContactIdentity, IdentityKind};
use crate::channels_sqlite::parse_uuid;
use crate::privacy::{ErasureFn, ErasureScope, PrivacyStorage, StoredIdentity};
use crate::sqlite::{SqliteStorage, all_docs, doc, one_doc, update_case_on};
use crate::{CaseUpdate, StorageError, from_micros, micros};

/// The cases of a customer: naming them, or about one of their orders.
const CASES_OF_CUSTOMER: &str = "SELECT doc FROM cases WHERE store_id = ?1 AND (customer_id = ?2
     OR order_id IN (SELECT id FROM orders WHERE store_id = ?1 AND customer_id = ?2))
     ORDER BY created_at_us DESC, id DESC LIMIT ?3";

fn customer(conn: &Connection, store_id: &str, id: CustomerId) -> Result<Customer, StorageError> {
    one_doc(conn, "SELECT doc FROM customers WHERE store_id = ?1 AND id = ?2", [store_id, &id.to_string()])?
        .ok_or(StorageError::NotFound("customer"))
}

fn orders(conn: &Connection, store_id: &str, id: CustomerId) -> Result<Vec<Order>, StorageError> {
    all_docs(
        conn,
        "SELECT doc FROM orders WHERE store_id = ?1 AND customer_id = ?2 ORDER BY id",
        [store_id, &id.to_string()],
    )
}

fn case_records(conn: &Connection, store_id: &str, case: Case) -> Result<CaseRecords, StorageError> {
    let id = case.id.to_string();
    let messages = all_docs(
        conn,
        "SELECT doc FROM messages WHERE store_id = ?1 AND case_id = ?2 ORDER BY created_at_us, id",
        [store_id, &id],
    )?;
    let mut statement = conn.prepare_cached(
        "SELECT seq, doc FROM timeline WHERE store_id = ?1 AND case_id = ?2 AND redacted = 0 ORDER BY seq",
    )?;
    let rows = statement
        .query_map([store_id, &id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let timeline = rows
        .into_iter()
        .map(|(seq, text)| Ok((seq, doc::<TimelineEntry>(&text)?)))
        .collect::<Result<_, StorageError>>()?;
    Ok(CaseRecords { case, messages, timeline })
}

/// Loads what `scope` reaches.
fn subject(conn: &Connection, store_id: StoreId, scope: ErasureScope) -> Result<ErasureSubject, StorageError> {
    let store = store_id.to_string();
    let (customer_id, cases): (Option<CustomerId>, Vec<Case>) = match scope {
        ErasureScope::Customer(id) => {
            customer(conn, &store, id)?;
            (Some(id), all_docs(conn, CASES_OF_CUSTOMER, params![store, id.to_string(), i64::MAX])?)
        }
        ErasureScope::Case(case_id) => {
            let case: Case =
                one_doc(conn, "SELECT doc FROM cases WHERE store_id = ?1 AND id = ?2", [&store, &case_id.to_string()])?
                    .ok_or(StorageError::NotFound("case"))?;
            // The customer goes too only when no other case of theirs is kept.
            let alone = match case.customer_id {
                Some(id) => !conn
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM cases WHERE store_id = ?1 AND id <> ?3 AND erased_at_us IS NULL
                         AND (customer_id = ?2 OR order_id IN (SELECT id FROM orders WHERE store_id = ?1 AND customer_id = ?2)))",
                    )?
                    .query_row(params![store, id.to_string(), case_id.to_string()], |row| row.get::<_, bool>(0))?,
                None => false,
            };
            (case.customer_id.filter(|_| alone), vec![case])
        }
    };
    let customer = customer_id.map(|id| customer(conn, &store, id)).transpose()?;
    let orders = customer_id.map(|id| orders(conn, &store, id)).transpose()?.unwrap_or_default();
    let mut refunds: Vec<Refund> = Vec::new();
    let mut disputes: Vec<Dispute> = Vec::new();
    for case in &cases {
        let id = case.id.to_string();
        refunds.extend(all_docs::<Refund>(
            conn,
            "SELECT doc FROM refunds WHERE store_id = ?1 AND case_id = ?2",
            [&store, &id],
        )?);
        disputes.extend(all_docs(
            conn,
            "SELECT doc FROM disputes WHERE store_id = ?1 AND case_id = ?2",
            [&store, &id],
        )?);
    }
    for order in &orders {
        let id = order.id.to_string();
        refunds.extend(all_docs::<Refund>(
            conn,
            "SELECT doc FROM refunds WHERE store_id = ?1 AND order_id = ?2",
            [&store, &id],
        )?);
    }
    let cases = cases.into_iter().map(|case| case_records(conn, &store, case)).collect::<Result<_, _>>()?;
    Ok(ErasureSubject { customer, orders, cases, refunds, disputes })
}

/// Writes what the plan returned, and removes what is removed whole.
fn write(conn: &Connection, store_id: StoreId, erasure: &Erasure, now: OffsetDateTime) -> Result<(), StorageError> {
    let store = store_id.to_string();
    if let Some(customer) = &erasure.customer {
        let id = customer.id.to_string();
        conn.prepare_cached("UPDATE customers SET email = ?1, doc = ?2 WHERE store_id = ?3 AND id = ?4")?
            .execute(params![customer.email.to_string(), serde_json::to_string(customer)?, store, id])?;
        conn.prepare_cached("DELETE FROM contact_identities WHERE store_id = ?1 AND customer_id = ?2")?
            .execute([&store, &id])?;
    }
    for order in &erasure.orders {
        let id = order.id.to_string();
        conn.prepare_cached("UPDATE orders SET doc = ?1 WHERE store_id = ?2 AND id = ?3")?.execute(params![
            serde_json::to_string(order)?,
            store,
            id
        ])?;
        conn.prepare_cached(
            "DELETE FROM assistant_conversations WHERE store_id = ?1 AND json_extract(doc, '$.verified') = ?2",
        )?
        .execute([&store, &id])?;
    }
    for case in &erasure.cases {
        let change = case.change.clone();
        update_case_on(conn, store_id, change.case.id, Box::new(move |_| Ok(CaseUpdate { change, message: None })))?;
        for message in &case.messages {
            conn.prepare_cached("UPDATE messages SET doc = ?1 WHERE store_id = ?2 AND id = ?3")?.execute(params![
                serde_json::to_string(message)?,
                store,
                message.id.to_string()
            ])?;
        }
        for (seq, entry) in &case.entries {
            conn.prepare_cached("UPDATE timeline SET doc = ?1, redacted = 1 WHERE store_id = ?2 AND seq = ?3")?
                .execute(params![serde_json::to_string(entry)?, store, seq])?;
        }
    }
    for case_id in &erasure.case_ids {
        let id = case_id.to_string();
        for sql in [
            "DELETE FROM attachments WHERE store_id = ?1 AND case_id = ?2",
            "UPDATE inbound_messages SET raw = x'', sender = NULL WHERE store_id = ?1 AND case_id = ?2",
            "DELETE FROM outbox WHERE store_id = ?1 AND case_id = ?2",
            "UPDATE surveys SET comment = NULL WHERE store_id = ?1 AND case_id = ?2",
            "DELETE FROM assistant_conversations WHERE store_id = ?1 AND json_extract(doc, '$.case_id') = ?2",
        ] {
            conn.prepare_cached(sql)?.execute([&store, &id])?;
        }
        conn.prepare_cached(
            "UPDATE cases SET erased_at_us = coalesce(erased_at_us, ?1) WHERE store_id = ?2 AND id = ?3",
        )?
        .execute(params![micros(now), store, id])?;
    }
    Ok(())
}

#[async_trait]
impl PrivacyStorage for SqliteStorage {
    async fn identities_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Vec<StoredIdentity>, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT kind, value, created_at_us FROM contact_identities WHERE store_id = ?1 AND customer_id = ?2
                 ORDER BY created_at_us, kind, value",
            )?;
            let rows = statement
                .query_map([store_id.to_string(), customer_id.to_string()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            rows.into_iter()
                .map(|(kind, value, at)| {
                    Ok(StoredIdentity {
                        identity: ContactIdentity { kind: IdentityKind::parse(&kind)?, value, customer_id },
                        linked_at: from_micros(at)?,
                    })
                })
                .collect()
        })
        .await
    }

    async fn cases_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
        limit: u32,
    ) -> Result<Vec<Case>, StorageError> {
        self.read(move |conn| {
            all_docs(conn, CASES_OF_CUSTOMER, params![store_id.to_string(), customer_id.to_string(), i64::from(limit)])
        })
        .await
    }

    async fn conversations_of(
        &self,
        store_id: StoreId,
        cases: &[CaseId],
        orders: &[OrderId],
        limit: u32,
    ) -> Result<Vec<Conversation>, StorageError> {
        let ids: Vec<String> =
            cases.iter().map(|id| id.to_string()).chain(orders.iter().map(|id| id.to_string())).collect();
        self.read(move |conn| {
            let mut found = Vec::new();
            for id in ids {
                if found.len() >= limit as usize {
                    break;
                }
                found.extend(all_docs::<Conversation>(
                    conn,
                    "SELECT doc FROM assistant_conversations WHERE store_id = ?1
                     AND (json_extract(doc, '$.case_id') = ?2 OR json_extract(doc, '$.verified') = ?2) ORDER BY id",
                    [store_id.to_string(), id],
                )?);
            }
            found.sort_by_key(|c| c.id);
            found.dedup_by_key(|c| c.id);
            found.truncate(limit as usize);
            Ok(found)
        })
        .await
    }

    async fn erase(
        &self,
        store_id: StoreId,
        scope: ErasureScope,
        plan: ErasureFn,
        now: OffsetDateTime,
    ) -> Result<Erasure, StorageError> {
        self.write(move |conn| {
            let subject = subject(conn, store_id, scope)?;
            let erasure = plan(&subject)?;
            write(conn, store_id, &erasure, now)?;
            Ok(erasure)
        })
        .await
    }

    async fn cases_past_retention(
        &self,
        store_id: StoreId,
        changed_before: OffsetDateTime,
        after: Option<CaseId>,
        limit: u32,
    ) -> Result<Vec<CaseId>, StorageError> {
        self.read(move |conn| {
            // The last change is the document's `updated_at` (RFC 3339), read as Unix seconds.
            let mut statement = conn.prepare_cached(
                "SELECT id FROM cases WHERE store_id = ?1 AND status IN ('resolved', 'closed') AND erased_at_us IS NULL
                 AND id > ?2 AND CAST(strftime('%s', json_extract(doc, '$.updated_at')) AS INTEGER) < ?3
                 ORDER BY id LIMIT ?4",
            )?;
            let ids: Vec<String> = statement
                .query_map(
                    params![
                        store_id.to_string(),
                        after.map(|id| id.to_string()).unwrap_or_default(),
                        changed_before.unix_timestamp(),
                        i64::from(limit)
                    ],
                    |row| row.get(0),
                )?
                .collect::<Result<_, _>>()?;
            ids.iter().map(|id| Ok(CaseId::from_uuid(parse_uuid(id)?))).collect()
        })
        .await
    }
}
