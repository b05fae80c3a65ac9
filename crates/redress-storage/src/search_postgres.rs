//! The desk inbox's queries on PostgreSQL (a `tsvector` GIN index for search).

use async_trait::async_trait;
use redress_domain::{Case, Order, StoreId};
use sqlx::Row;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;

use crate::StorageError;
use crate::postgres::{PostgresStorage, all_docs, from_doc};
use crate::search::{
    InboxPage, InboxQuery, OrderNumberKey, Param, SearchSql, SearchStorage, Statement, count_statement, page_statement,
    prefix_end, tsquery,
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

    async fn orders_by_number_key(&self, store_id: StoreId, key: &OrderNumberKey) -> Result<Vec<Order>, StorageError> {
        let (sql, value) = if key.digits_only() {
            ("SELECT doc FROM orders WHERE store_id = $1 AND number_tail = $2 LIMIT 2", &key.tail)
        } else {
            ("SELECT doc FROM orders WHERE store_id = $1 AND number_key = $2 LIMIT 2", &key.key)
        };
        all_docs(sqlx::query(sql).bind(store_id.as_uuid()).bind(value), &self.pool).await
    }

    async fn analyze(&self) -> Result<(), StorageError> {
        sqlx::query("ANALYZE cases").execute(&self.pool).await?;
        Ok(())
    }
}

impl PostgresStorage {
    /// Inserts opened cases as they are, in one statement, without their messages or
    /// timeline: the loader of `redress bench --inbox`, which needs a million cases in minutes.
    /// Nothing that serves people writes cases this way.
    pub async fn load_cases(&self, cases: &[Case]) -> Result<(), StorageError> {
        let ids: Vec<uuid::Uuid> = cases.iter().map(|c| c.id.as_uuid()).collect();
        let stores: Vec<uuid::Uuid> = cases.iter().map(|c| c.store_id.as_uuid()).collect();
        let numbers: Vec<i64> = cases.iter().map(|c| i64::try_from(c.number.0).unwrap_or(i64::MAX)).collect();
        let statuses: Vec<&str> = cases.iter().map(|c| c.status.as_str()).collect();
        let kinds: Vec<&str> = cases.iter().map(|c| c.kind.as_str()).collect();
        let priorities: Vec<&str> = cases.iter().map(|c| c.priority.as_str()).collect();
        let assignees: Vec<Option<String>> =
            cases.iter().map(|c| c.assignee.as_ref().map(|a| a.agent_id.to_string())).collect();
        let created: Vec<i64> = cases.iter().map(|c| crate::micros(c.created_at)).collect();
        let versions: Vec<i64> = cases.iter().map(|c| i64::try_from(c.version).unwrap_or(i64::MAX)).collect();
        let docs = cases.iter().map(serde_json::to_value).collect::<Result<Vec<_>, _>>()?;
        sqlx::query(
            "INSERT INTO cases (id, store_id, number, status, kind, priority, assignee, created_at_us, version, doc)
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[],
                                  $8::bigint[], $9::bigint[], $10::jsonb[])",
        )
        .bind(ids)
        .bind(stores)
        .bind(numbers)
        .bind(statuses)
        .bind(kinds)
        .bind(priorities)
        .bind(assignees)
        .bind(created)
        .bind(versions)
        .bind(docs)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
