//! The desk inbox's queries on SQLite (FTS5 for search).

use async_trait::async_trait;
use redress_domain::{Case, StoreId};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

use crate::StorageError;
use crate::search::{
    InboxPage, InboxQuery, Param, SearchSql, SearchStorage, Statement, count_statement, fts5_query, page_statement,
    prefix_end,
};
use crate::sqlite::{SqliteStorage, doc};

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
}
