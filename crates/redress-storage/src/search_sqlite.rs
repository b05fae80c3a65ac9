//! The desk inbox's queries on SQLite (FTS5 for search).

use async_trait::async_trait;
use redress_domain::{Case, Order, StoreId};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::StorageError;
use crate::search::{
    InboxPage, InboxQuery, OrderNumberKey, Param, SearchSql, SearchStorage, Statement, count_statement, fts5_query,
    page_statement, prefix_end,
};
use crate::sqlite::{SqliteStorage, all_docs, doc};

fn values(statement: &Statement) -> Vec<Value> {
    statement
        .params
        .iter()
        .map(|param| match param {
            Param::Text(text) => Value::Text(text.clone()),
            Param::Int(n) => Value::Integer(*n),
            Param::Id(id) => Value::Text(id.to_string()),
        })
        .collect()
}

#[async_trait]
impl SearchStorage for SqliteStorage {
    async fn inbox(&self, store_id: StoreId, query: &InboxQuery) -> Result<InboxPage, StorageError> {
        let search = SearchSql {
            condition: "rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH ?)",
            query: fts5_query(&query.words),
        };
        let page = page_statement(store_id, query, &search, false);
        let count = count_statement(store_id, query, &search, false);
        self.read(move |conn| {
            let docs = conn
                .prepare_cached(&page.text)?
                .query_map(params_from_iter(values(&page)), |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let cases = docs.iter().map(|text| doc::<Case>(text)).collect::<Result<Vec<_>, _>>()?;
            let total: i64 =
                conn.prepare_cached(&count.text)?.query_row(params_from_iter(values(&count)), |row| row.get(0))?;
            Ok(InboxPage { cases, total: u64::try_from(total).unwrap_or(0) })
        })
        .await
    }

    async fn words_starting(&self, prefix: &str, limit: u32) -> Result<Vec<String>, StorageError> {
        let (from, to) = (prefix.to_owned(), prefix_end(prefix));
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT term FROM case_words WHERE term >= ?1 AND term < ?2 LIMIT ?3")?
                .query_map(rusqlite::params![from, to, limit], |row| row.get::<_, String>(0))?
                .collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn orders_by_number_key(&self, store_id: StoreId, key: &OrderNumberKey) -> Result<Vec<Order>, StorageError> {
        let (sql, value) = if key.digits_only() {
            ("SELECT doc FROM orders WHERE store_id = ?1 AND number_tail = ?2 LIMIT 2", key.tail.clone())
        } else {
            ("SELECT doc FROM orders WHERE store_id = ?1 AND number_key = ?2 LIMIT 2", key.key.clone())
        };
        self.read(move |conn| all_docs(conn, sql, [store_id.to_string(), value])).await
    }

    async fn analyze(&self) -> Result<(), StorageError> {
        self.write(|conn| Ok(conn.execute_batch("ANALYZE")?)).await
    }
}

impl SqliteStorage {
    /// Inserts opened cases as they are, in one transaction, without their messages or
    /// timeline: the loader of `redress bench --inbox`, which needs a million cases in minutes.
    /// Nothing that serves people writes cases this way.
    pub async fn load_cases(&self, cases: Vec<Case>) -> Result<(), StorageError> {
        self.write(move |conn| {
            let mut insert = conn.prepare_cached(
                "INSERT INTO cases (id, store_id, number, status, kind, priority, assignee, order_id, created_at_us, version, doc, customer_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8, ?9, ?10, NULL)",
            )?;
            for case in &cases {
                insert.execute(rusqlite::params![
                    case.id.to_string(),
                    case.store_id.to_string(),
                    i64::try_from(case.number.0).unwrap_or(i64::MAX),
                    case.status.as_str(),
                    case.kind.as_str(),
                    case.priority.as_str(),
                    case.assignee.as_ref().map(|a| a.agent_id.to_string()),
                    crate::micros(case.created_at),
                    i64::try_from(case.version).unwrap_or(i64::MAX),
                    serde_json::to_string(case)?,
                ])?;
            }
            Ok(())
        })
        .await
    }
}
