//! Analytics on SQLite: reads on the read-only pool.

use async_trait::async_trait;
use redress_domain::analytics::{Bucket, Dimension};
use redress_domain::{CaseId, IssueKind, StoreId};
use rusqlite::params;

use crate::StorageError;
use crate::analytics::{
    AnalyticsStorage, RollupRow, UNITS_SQL, cases_sql, fact_column, rollup_sql, totals_of, week_factor,
};
use crate::channels_sqlite::parse_uuid;
use crate::sqlite::SqliteStorage;

#[async_trait]
impl AnalyticsStorage for SqliteStorage {
    async fn rollup(
        &self,
        store_id: StoreId,
        dimension: Dimension,
        (from, to): (i32, i32),
        bucket: Option<Bucket>,
        only: Option<&[String]>,
    ) -> Result<Vec<RollupRow>, StorageError> {
        let sql = rollup_sql("", bucket, "(?6 IS NULL OR value IN (SELECT value FROM json_each(?6)))");
        let only = only.map(serde_json::to_string).transpose()?;
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(&sql)?;
            let rows = statement.query_map(
                params![store_id.to_string(), dimension.as_str(), from, to, week_factor(bucket), only],
                |row| {
                    let mut sums = [0i64; 11];
                    for (i, sum) in sums.iter_mut().enumerate() {
                        *sum = row.get(i + 3)?;
                    }
                    Ok(RollupRow {
                        day: row.get(0)?,
                        value: row.get(1)?,
                        currency: row.get(2)?,
                        totals: totals_of(sums),
                    })
                },
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    async fn units_by_sku(&self, store_id: StoreId, from: i32, to: i32) -> Result<Vec<(String, i64)>, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(UNITS_SQL)?;
            let rows =
                statement.query_map(params![store_id.to_string(), from, to], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
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
        let sql = cases_sql(column, kind.is_some());
        let value = value.to_owned();
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(&sql)?;
            let ids: Vec<String> = match kind {
                Some(kind) => statement
                    .query_map(params![store_id.to_string(), value, from, to, limit, kind.as_str()], |row| row.get(0))?
                    .collect::<Result<_, _>>()?,
                None => statement
                    .query_map(params![store_id.to_string(), value, from, to, limit], |row| row.get(0))?
                    .collect::<Result<_, _>>()?,
            };
            ids.iter().map(|id| Ok(CaseId::from_uuid(parse_uuid(id)?))).collect()
        })
        .await
    }

    async fn settle(&self) -> Result<(), StorageError> {
        self.write(|conn| Ok(conn.execute_batch("ANALYZE case_rollup; ANALYZE case_facts")?)).await
    }
}
