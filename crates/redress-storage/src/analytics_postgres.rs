//! Analytics on PostgreSQL.

use async_trait::async_trait;
use redress_domain::analytics::{Bucket, Dimension};
use redress_domain::{CaseId, IssueKind, StoreId};
use sqlx::Row;
use uuid::Uuid;

use crate::StorageError;
use crate::analytics::{
    AnalyticsStorage, RollupRow, UNITS_SQL, cases_sql, fact_column, rollup_sql, totals_of, week_factor,
};
use crate::postgres::PostgresStorage;

/// `?N` placeholders as PostgreSQL writes them. The statements are built from constants and
/// column names chosen by a `match`, never from input: every value is bound.
fn numbered(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql.replace('?', "$"))
}

#[async_trait]
impl AnalyticsStorage for PostgresStorage {
    async fn rollup(
        &self,
        store_id: StoreId,
        dimension: Dimension,
        (from, to): (i32, i32),
        bucket: Option<Bucket>,
        only: Option<&[String]>,
    ) -> Result<Vec<RollupRow>, StorageError> {
        let sql = rollup_sql("::bigint", bucket, "(?6::text[] IS NULL OR value = ANY(?6::text[]))");
        let rows = sqlx::query(numbered(&sql))
            .bind(store_id.as_uuid())
            .bind(dimension.as_str())
            .bind(from)
            .bind(to)
            .bind(week_factor(bucket))
            .bind(only.map(<[String]>::to_vec))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let mut sums = [0i64; 11];
                for (i, sum) in sums.iter_mut().enumerate() {
                    *sum = row.try_get(i + 3)?;
                }
                Ok(RollupRow {
                    day: row.try_get(0)?,
                    value: row.try_get(1)?,
                    currency: row.try_get(2)?,
                    totals: totals_of(sums),
                })
            })
            .collect()
    }

    async fn units_by_sku(&self, store_id: StoreId, from: i32, to: i32) -> Result<Vec<(String, i64)>, StorageError> {
        let sql = numbered(&UNITS_SQL.replace("sum(units)", "sum(units)::bigint"));
        let rows = sqlx::query(sql).bind(store_id.as_uuid()).bind(from).bind(to).fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
    }

    async fn cases_with(
        &self,
        store_id: StoreId,
        dimension: Dimension,
        value: &str,
        kind: Option<IssueKind>,
        from: i32,
        to: i32,
        limit: u32,
    ) -> Result<Vec<CaseId>, StorageError> {
        let Some(column) = fact_column(dimension) else { return Ok(Vec::new()) };
        let sql = numbered(&cases_sql(column, kind.is_some()));
        let mut query =
            sqlx::query(sql).bind(store_id.as_uuid()).bind(value).bind(from).bind(to).bind(i64::from(limit));
        if let Some(kind) = kind {
            query = query.bind(kind.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|row| Ok(CaseId::from_uuid(row.try_get::<Uuid, _>(0)?))).collect()
    }

    async fn settle(&self) -> Result<(), StorageError> {
        sqlx::query("VACUUM ANALYZE case_rollup").execute(&self.pool).await?;
        sqlx::query("VACUUM ANALYZE case_facts").execute(&self.pool).await?;
        Ok(())
    }
}
