//! Analytics at rest, reached through [`crate::Storage::analytics`]: the rollup of case facts
//! kept by triggers (migration `0016_analytics`), the units ordered per SKU, and the cases
//! behind a group.
//!
//! Every read is a range of an index: the rollup by (store, dimension, day), so a query costs
//! days × values in the range whatever the number of cases; the facts by (store, SKU, carrier
//! or country, day) when the cases behind an insight are listed.

use async_trait::async_trait;
use redress_domain::analytics::{Bucket, Dimension, Totals};
use redress_domain::{CaseId, IssueKind, StoreId};

use crate::StorageError;

/// The rollup's sums for one bucket, value and currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RollupRow {
    /// The bucket's first day, in days since 1970-01-01.
    pub day: i32,
    /// The dimension's value ('' when unknown).
    pub value: String,
    /// The currency of `totals.refund_minor` ('' for cases without an order).
    pub currency: String,
    /// The sums.
    pub totals: Totals,
}

/// Analytics storage.
#[async_trait]
pub trait AnalyticsStorage: Send + Sync {
    /// The sums of `dimension` over days `from..=to`, per bucket (one bucket starting on
    /// `from` when none is given), value and currency, in that order; only for the values in
    /// `only` when given.
    async fn rollup(
        &self,
        store_id: StoreId,
        dimension: Dimension,
        (from, to): (i32, i32),
        bucket: Option<Bucket>,
        only: Option<&[String]>,
    ) -> Result<Vec<RollupRow>, StorageError>;
    /// Units ordered per SKU over days `from..=to`.
    async fn units_by_sku(&self, store_id: StoreId, from: i32, to: i32) -> Result<Vec<(String, i64)>, StorageError>;
    /// The cases (newest first, at most `limit`) opened over days `from..=to` whose SKU,
    /// carrier or region (as `dimension` says; other dimensions give none) is `value`, of
    /// `kind` when given.
    #[allow(clippy::too_many_arguments)]
    async fn cases_with(
        &self,
        store_id: StoreId,
        dimension: Dimension,
        value: &str,
        kind: Option<IssueKind>,
        from: i32,
        to: i32,
        limit: u32,
    ) -> Result<Vec<CaseId>, StorageError>;
    /// Brings the analytics tables' planner statistics (and, on PostgreSQL, the visibility of
    /// rows a bulk load updated many times) up to date: after `redress bench --analytics`
    /// loads, as autovacuum would in time.
    async fn settle(&self) -> Result<(), StorageError>;
}

/// The column of `case_facts` holding an indexed dimension.
pub(crate) fn fact_column(dimension: Dimension) -> Option<&'static str> {
    match dimension {
        Dimension::Sku => Some("sku"),
        Dimension::Carrier => Some("carrier"),
        Dimension::Region => Some("region"),
        _ => None,
    }
}

/// The rollup query with `?N` placeholders (`?5` the week factor, `?6` the values kept or
/// NULL, as `only` reads it); `cast` follows each sum (PostgreSQL's sum of BIGINT is NUMERIC).
pub(crate) fn rollup_sql(cast: &str, bucket: Option<Bucket>, only: &str) -> String {
    let sums = [
        "opened",
        "responded",
        "response_s",
        "resolved",
        "resolution_s",
        "automated",
        "refund_minor",
        "damaged",
        "lost",
        "not_as_described",
        "returns",
    ]
    .map(|c| format!("sum({c}){cast}"))
    .join(", ");
    let bucket = if bucket.is_some() { "day - ((day + 3) % 7) * ?5" } else { "?3 + 0 * ?5" };
    format!(
        "SELECT {bucket} AS bucket, value, currency, {sums}
         FROM case_rollup WHERE store_id = ?1 AND dim = ?2 AND day >= ?3 AND day <= ?4 AND {only}
         GROUP BY 1, 2, 3 HAVING sum(opened) <> 0 ORDER BY 1, 2, 3"
    )
}

/// Whether a week bucket is asked for, as the query's multiplier.
pub(crate) fn week_factor(bucket: Option<Bucket>) -> i32 {
    i32::from(bucket == Some(Bucket::Week))
}

/// The cases-behind query with `?N` placeholders.
pub(crate) fn cases_sql(column: &str, kind: bool) -> String {
    let kind = if kind { " AND kind = ?6" } else { "" };
    format!(
        "SELECT case_id FROM case_facts WHERE store_id = ?1 AND {column} = ?2 AND day >= ?3 AND day <= ?4{kind}
         ORDER BY day DESC, opened_at_us DESC LIMIT ?5"
    )
}

/// The units query with `?N` placeholders.
pub(crate) const UNITS_SQL: &str =
    "SELECT sku, sum(units) FROM sku_sales WHERE store_id = ?1 AND day >= ?2 AND day <= ?3
     GROUP BY sku";

/// Sums in the rollup's column order.
pub(crate) fn totals_of(sums: [i64; 11]) -> Totals {
    let [
        opened,
        responded,
        response_s,
        resolved,
        resolution_s,
        automated,
        refund_minor,
        damaged,
        lost,
        not_as_described,
        returns,
    ] = sums;
    Totals {
        opened,
        responded,
        response_s,
        resolved,
        resolution_s,
        automated,
        refund_minor,
        damaged,
        lost,
        not_as_described,
        returns,
    }
}
