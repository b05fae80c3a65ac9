//! Learning from past cases: the store's analytics over a date range (cases, refund cost,
//! time to first answer and to resolution, automation and return rates, grouped by a
//! dimension and over time) and the insights raised when a SKU, carrier or region's rate of
//! damage, loss or not-as-described cases jumps (the test is
//! [`redress_domain::analytics::spikes`]).

use std::collections::BTreeMap;

use redress_domain::analytics::{
    BASELINE_DAYS, Bucket, Dimension, Fix, Problem, RECENT_DAYS, SumOverflow, Totals, Window, spikes,
};
use redress_domain::{CaseId, StoreId};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::caller::{Action, Caller};
use crate::{App, AppError, AppResult};

/// The longest date range one report covers, in days.
pub const MAX_DAYS: i64 = 731;
/// Cases listed behind one insight.
pub const CASES_PER_INSIGHT: u32 = 20;
/// Values shown in a report's table (most cases first).
pub const MAX_VALUES: usize = 200;
/// Values the series follows over time (most cases first); the table has the rest.
pub const MAX_SERIES: usize = 8;

/// What a report is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnalyticsRequest {
    /// What cases are grouped by.
    pub dimension: Dimension,
    /// The first day (UTC), included.
    pub from: Date,
    /// The last day (UTC), included.
    pub to: Date,
    /// The length of a point of the series.
    pub bucket: Bucket,
}

/// The Julian day number of 1970-01-01.
const EPOCH_JULIAN: i32 = 2_440_588;

/// Days since 1970-01-01 of `date`.
pub fn day_number(date: Date) -> i32 {
    date.to_julian_day() - EPOCH_JULIAN
}

/// The date `day` days after 1970-01-01.
pub fn date_of(day: i32) -> AppResult<Date> {
    Date::from_julian_day(day.saturating_add(EPOCH_JULIAN)).map_err(AppError::internal)
}

impl AnalyticsRequest {
    /// The last `days` days up to `now`, by week.
    pub fn last_days(dimension: Dimension, now: OffsetDateTime, days: i64) -> Self {
        let to = now.date();
        let from = to.checked_sub(time::Duration::days(days.saturating_sub(1))).unwrap_or(to);
        Self { dimension, from, to, bucket: Bucket::Week }
    }

    /// The request a form or query string names: every part optional (by kind, by week, the
    /// last 90 days up to `now`), each refused with its field named when it does not read.
    pub fn parse(
        dimension: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
        bucket: Option<&str>,
        now: OffsetDateTime,
    ) -> AppResult<Self> {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = |text: Option<&str>, field: &str| -> AppResult<Option<Date>> {
            match text.map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => Date::parse(t, &format)
                    .map(Some)
                    .map_err(|_| AppError::invalid(field, "a date is written YYYY-MM-DD")),
            }
        };
        let dimension = match dimension.map(str::trim).filter(|t| !t.is_empty()) {
            None => Dimension::Kind,
            Some(id) => Dimension::parse(id).ok_or_else(|| {
                AppError::invalid("dimension", "one of kind, sku, carrier, region, fault, channel, language")
            })?,
        };
        let bucket = match bucket.map(str::trim).filter(|t| !t.is_empty()) {
            None | Some("week") => Bucket::Week,
            Some("day") => Bucket::Day,
            Some(_) => return Err(AppError::invalid("bucket", "day or week")),
        };
        let default = Self::last_days(dimension, now, 90);
        let request = Self {
            dimension,
            from: date(from, "from")?.unwrap_or(default.from),
            to: date(to, "to")?.unwrap_or(default.to),
            bucket,
        };
        request.check()?;
        Ok(request)
    }

    fn check(&self) -> AppResult<()> {
        if self.from > self.to {
            return Err(AppError::invalid("from", "the range must start on or before its end"));
        }
        if (self.to - self.from).whole_days() >= MAX_DAYS {
            return Err(AppError::invalid("to", format!("a report covers at most {MAX_DAYS} days")));
        }
        Ok(())
    }
}

/// Sums for one value of the dimension (or all of them) over the range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValueRow {
    /// The value (a kind, SKU, carrier, country, fault, channel or language); empty when unknown.
    pub value: String,
    /// Cases opened.
    pub cases: i64,
    /// Refunds that succeeded, in minor units, per currency.
    pub refund_minor: BTreeMap<String, i64>,
    /// Mean seconds from opening to the first answer, when any was answered.
    pub mean_first_response_s: Option<i64>,
    /// Mean seconds from opening to resolution, when any was resolved.
    pub mean_resolution_s: Option<i64>,
    /// Cases resolved.
    pub resolved: i64,
    /// Share of the resolved cases resolved without any agent acting, in percent.
    pub automation_pct: Option<f64>,
    /// Return or exchange requests.
    pub returns: i64,
    /// Units ordered over the range (SKU reports only).
    pub units_ordered: Option<i64>,
    /// Return requests per 100 units ordered (SKU reports only, when any were ordered).
    pub return_rate_pct: Option<f64>,
}

/// One point of the series: cases of one value in one bucket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesPoint {
    /// The bucket's first day, `YYYY-MM-DD`.
    pub start: String,
    /// The value.
    pub value: String,
    /// Cases opened.
    pub cases: i64,
    /// Refunds that succeeded, in minor units, per currency.
    pub refund_minor: BTreeMap<String, i64>,
}

/// A store's analytics over a date range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyticsReport {
    /// What cases are grouped by.
    pub dimension: Dimension,
    /// The first day, included, `YYYY-MM-DD`.
    pub from: String,
    /// The last day, included, `YYYY-MM-DD`.
    pub to: String,
    /// The length of a point of the series.
    pub bucket: Bucket,
    /// Every case of the range.
    pub total: ValueRow,
    /// Per value, most cases first (at most [`MAX_VALUES`]).
    pub values: Vec<ValueRow>,
    /// Per bucket and value, in time order, for the [`MAX_SERIES`] values with most cases.
    pub series: Vec<SeriesPoint>,
}

fn overflow(_: SumOverflow) -> AppError {
    AppError::internal("an analytics sum overflowed")
}

fn add_refund(into: &mut BTreeMap<String, i64>, currency: &str, minor: i64) -> AppResult<()> {
    if minor == 0 {
        return Ok(());
    }
    let sum = into.entry(currency.to_owned()).or_default();
    *sum = sum.checked_add(minor).ok_or_else(|| AppError::internal("a refund sum overflowed"))?;
    Ok(())
}

fn row_of(value: String, totals: &Totals, refunds: BTreeMap<String, i64>) -> ValueRow {
    ValueRow {
        value,
        cases: totals.opened,
        refund_minor: refunds,
        mean_first_response_s: totals.mean_response_s(),
        mean_resolution_s: totals.mean_resolution_s(),
        resolved: totals.resolved,
        automation_pct: totals.automation_pct(),
        returns: totals.returns,
        units_ordered: None,
        return_rate_pct: None,
    }
}

/// The store's analytics for `request`.
pub async fn report(app: &App, caller: &Caller, request: AnalyticsRequest) -> AppResult<AnalyticsReport> {
    let store_id = caller.require(Action::Read)?;
    crate::cases::staff_only(caller)?;
    request.check()?;
    let (from, to) = (day_number(request.from), day_number(request.to));
    let storage = app.storage().analytics();
    // The table from one sum per value; the series only for the values it follows, so the
    // rows read are values + followed values × buckets, not values × buckets.
    let rows = storage.rollup(store_id, request.dimension, (from, to), None, None).await?;
    let mut per_value: BTreeMap<String, (Totals, BTreeMap<String, i64>)> = BTreeMap::new();
    let (mut all, mut all_refunds) = (Totals::default(), BTreeMap::new());
    for row in &rows {
        let (totals, refunds) = per_value.entry(row.value.clone()).or_default();
        *totals = totals.plus(&row.totals).map_err(overflow)?;
        add_refund(refunds, &row.currency, row.totals.refund_minor)?;
        all = all.plus(&row.totals).map_err(overflow)?;
        add_refund(&mut all_refunds, &row.currency, row.totals.refund_minor)?;
    }

    let units: BTreeMap<String, i64> = if request.dimension == Dimension::Sku {
        app.storage().analytics().units_by_sku(store_id, from, to).await?.into_iter().collect()
    } else {
        BTreeMap::new()
    };
    let mut values: Vec<ValueRow> = per_value
        .into_iter()
        .map(|(value, (totals, refunds))| {
            let mut row = row_of(value, &totals, refunds);
            if request.dimension == Dimension::Sku {
                let ordered = units.get(&row.value).copied().unwrap_or(0);
                row.units_ordered = Some(ordered);
                row.return_rate_pct =
                    (ordered > 0).then(|| (row.returns as f64 * 1000.0 / ordered as f64).round() / 10.0);
            }
            row
        })
        .collect();
    values.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.value.cmp(&b.value)));
    values.truncate(MAX_VALUES);
    let followed: Vec<String> = values.iter().take(MAX_SERIES).map(|v| v.value.clone()).collect();
    let mut series: BTreeMap<(i32, String), (i64, BTreeMap<String, i64>)> = BTreeMap::new();
    if !followed.is_empty() {
        let points =
            storage.rollup(store_id, request.dimension, (from, to), Some(request.bucket), Some(&followed)).await?;
        for row in points {
            let point = series.entry((row.day, row.value)).or_default();
            point.0 = point.0.checked_add(row.totals.opened).ok_or_else(|| overflow(SumOverflow))?;
            add_refund(&mut point.1, &row.currency, row.totals.refund_minor)?;
        }
    }
    let series = series
        .into_iter()
        .map(|((day, value), (cases, refund_minor))| {
            Ok(SeriesPoint { start: date_of(day)?.to_string(), value, cases, refund_minor })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(AnalyticsReport {
        dimension: request.dimension,
        from: request.from.to_string(),
        to: request.to.to_string(),
        bucket: request.bucket,
        total: row_of(String::new(), &all, all_refunds),
        values,
        series,
    })
}

/// A case behind an insight.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InsightCase {
    /// The case.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: CaseId,
    /// Its number in the store.
    pub number: u64,
    /// Its subject.
    pub subject: String,
}

/// A SKU, carrier or region whose rate of a problem jumped in the last week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Insight {
    /// `sku`, `carrier` or `region`.
    pub dimension: Dimension,
    /// The SKU, carrier or country.
    pub value: String,
    /// What jumped.
    pub problem: Problem,
    /// Cases of it in the last [`RECENT_DAYS`] days.
    pub observed: i64,
    /// Cases the trailing [`BASELINE_DAYS`] days' rate predicts.
    pub expected: f64,
    /// The one-sided p-value of the test.
    pub p_value: f64,
    /// What to look at first.
    pub fix: Fix,
    /// The cases behind it, newest first.
    pub cases: Vec<InsightCase>,
}

/// The store's insights at the clock's now: the last [`RECENT_DAYS`] days tested against
/// the [`BASELINE_DAYS`] before them.
pub async fn insights(app: &App, caller: &Caller) -> AppResult<Vec<Insight>> {
    let store_id = caller.require(Action::Read)?;
    crate::cases::staff_only(caller)?;
    let today = day_number(app.now().date());
    let recent = (today - RECENT_DAYS + 1, today);
    let baseline = (recent.0 - BASELINE_DAYS, recent.0 - 1);
    let storage = app.storage().analytics();
    let store_recent = sum_all(app, store_id, recent).await?;
    let store_baseline = sum_all(app, store_id, baseline).await?;
    let mut found = Vec::new();
    for dimension in [Dimension::Sku, Dimension::Carrier, Dimension::Region] {
        let by_value = |rows: Vec<redress_storage::analytics::RollupRow>| -> AppResult<BTreeMap<String, Totals>> {
            let mut sums: BTreeMap<String, Totals> = BTreeMap::new();
            for row in rows.into_iter().filter(|r| !r.value.is_empty()) {
                let sum = sums.entry(row.value).or_default();
                *sum = sum.plus(&row.totals).map_err(overflow)?;
            }
            Ok(sums)
        };
        let now = by_value(storage.rollup(store_id, dimension, recent, None, None).await?)?;
        let before = by_value(storage.rollup(store_id, dimension, baseline, None, None).await?)?;
        let windows: Vec<Window<String>> = now
            .into_iter()
            .map(|(value, recent)| {
                let baseline = before.get(&value).copied().unwrap_or_default();
                Window { value, recent, baseline }
            })
            .collect();
        for spike in spikes(&windows, store_recent, store_baseline) {
            let ids = storage
                .cases_with(
                    store_id,
                    dimension,
                    &spike.value,
                    Some(spike.problem.kind()),
                    recent.0,
                    recent.1,
                    CASES_PER_INSIGHT,
                )
                .await?;
            let mut cases = Vec::with_capacity(ids.len());
            for id in ids {
                let case = app.storage().case(store_id, id).await?;
                cases.push(InsightCase { id, number: case.number.0, subject: case.subject });
            }
            found.push(Insight {
                dimension,
                fix: spike.problem.suggested_fix(dimension),
                value: spike.value,
                problem: spike.problem,
                observed: spike.observed,
                expected: (spike.expected * 10.0).round() / 10.0,
                p_value: spike.p_value,
                cases,
            });
        }
    }
    found.sort_by(|a, b| a.p_value.total_cmp(&b.p_value));
    Ok(found)
}

/// The store's cases opened over the days `(from, to)`.
async fn sum_all(app: &App, store_id: StoreId, (from, to): (i32, i32)) -> AppResult<i64> {
    // Every case has exactly one kind, so the kind rows add up to every case.
    let rows = app.storage().analytics().rollup(store_id, Dimension::Kind, (from, to), None, None).await?;
    rows.iter().try_fold(0i64, |sum, row| sum.checked_add(row.totals.opened).ok_or_else(|| overflow(SumOverflow)))
}

/// Causes listed in the weekly summary.
pub const TOP_CAUSES: usize = 5;

/// The week in one page: volume, service targets met, satisfaction, refund cost, top causes
/// and the insights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeeklySummary {
    /// The week's first day (the last seven days up to today, UTC).
    pub from: String,
    /// Its last day.
    pub to: String,
    /// The week's cases, with first-answer and resolution times, automation and refunds.
    pub week: ValueRow,
    /// Cases in the seven days before.
    pub previous_cases: i64,
    /// Service targets and satisfaction over every planned case (the follow-through report).
    pub service: crate::follow_through::FollowThroughReport,
    /// The week's most frequent issue kinds.
    pub top_kinds: Vec<ValueRow>,
    /// The week's SKUs with most cases.
    pub top_skus: Vec<ValueRow>,
    /// The insights of today.
    pub insights: Vec<Insight>,
}

/// The store's weekly summary at the clock's now.
pub async fn weekly_summary(app: &App, caller: &Caller) -> AppResult<WeeklySummary> {
    let now = app.now();
    let week = AnalyticsRequest::last_days(Dimension::Kind, now, 7);
    let before = AnalyticsRequest::last_days(Dimension::Kind, now - time::Duration::days(7), 7);
    let by_sku = AnalyticsRequest { dimension: Dimension::Sku, ..week };
    let (kinds, previous, skus, service, insights) = tokio::try_join!(
        report(app, caller, week),
        report(app, caller, before),
        report(app, caller, by_sku),
        crate::follow_through::report(app, caller),
        insights(app, caller),
    )?;
    Ok(WeeklySummary {
        from: kinds.from,
        to: kinds.to,
        week: kinds.total,
        previous_cases: previous.total.cases,
        service,
        top_kinds: kinds.values.into_iter().take(TOP_CAUSES).collect(),
        top_skus: skus.values.into_iter().filter(|v| !v.value.is_empty()).take(TOP_CAUSES).collect(),
        insights,
    })
}
