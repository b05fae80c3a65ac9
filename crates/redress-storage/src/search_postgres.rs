//! The desk inbox's queries on PostgreSQL (a `tsvector` GIN index for search).

use async_trait::async_trait;
use redress_domain::{Case, StoreId};
use sqlx::Row;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;

use crate::StorageError;
use crate::postgres::{PostgresStorage, from_doc};
use crate::search::{
    InboxPage, InboxQuery, Param, SearchSql, SearchStorage, Statement, count_statement, page_statement, prefix_end,
    tsquery,
};

/// The statement with its values bound. Its text is made only of the search module's constant
/// fragments and numbered placeholders: every value a person typed is bound, never written in.
fn bound(statement: &Statement) -> Query<'_, sqlx::Postgres, PgArguments> {
    let text = sqlx::AssertSqlSafe(statement.text.clone());
    statement.params.iter().fold(sqlx::query(text), |query, param| match param {
        Param::Text(text) => query.bind(text.clone()),
        Param::Int(n) => query.bind(*n),
        Param::Id(id) => query.bind(*id),
    })
}

#[async_trait]
impl SearchStorage for PostgresStorage {
    async fn inbox(&self, store_id: StoreId, query: &InboxQuery) -> Result<InboxPage, StorageError> {
        let search = SearchSql { condition: "inbox_search @@ to_tsquery('simple', ?)", query: tsquery(&query.words) };
        let page = page_statement(store_id, query, &search, true);
        let count = count_statement(store_id, query, &search, true);
        let rows = bound(&page).fetch_all(&self.pool).await?;
        let cases = rows
            .into_iter()
            .map(|row| from_doc::<Case>(row.try_get("doc")?))
            .collect::<Result<Vec<_>, StorageError>>()?;
        let total: i64 = bound(&count).fetch_one(&self.pool).await?.try_get(0)?;
        Ok(InboxPage { cases, total: u64::try_from(total).unwrap_or(0) })
    }

    async fn words_starting(&self, prefix: &str, limit: u32) -> Result<Vec<String>, StorageError> {
        Ok(sqlx::query_scalar("SELECT term FROM case_words WHERE term >= $1 AND term < $2 ORDER BY term LIMIT $3")
            .bind(prefix)
            .bind(prefix_end(prefix))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?)
    }
}
