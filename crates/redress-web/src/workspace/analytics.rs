//! The desk's analytics page: cases and refund cost by a dimension over a date range, as an
//! SVG chart drawn on the server (no script) and a table, each downloadable as CSV; and the
//! insights (a SKU, carrier or region whose damage, loss or not-as-described rate jumped) with
//! the cases behind them and the fix to look at first.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use redress_app::analytics::{self, AnalyticsReport, AnalyticsRequest, Insight, ValueRow};
use redress_domain::analytics::{Bucket, Dimension, bucket_start};
use redress_domain::{Currency, Money};
use redress_text::replies::format_money;
use serde::Deserialize;

use super::{Chrome, desk, error_text};
use crate::AppState;
use crate::portal::i18n::Words;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/desk/{slug}/analytics", get(analytics_page))
        .route("/desk/{slug}/analytics.csv", get(analytics_csv))
        .route("/desk/{slug}/summary", get(summary_page))
}

/// What the page (and its CSV) is asked for.
#[derive(Deserialize, Default)]
pub(super) struct AnalyticsQuery {
    lang: Option<String>,
    dimension: Option<String>,
    from: Option<String>,
    to: Option<String>,
    bucket: Option<String>,
    /// For the CSV: `values` (default) or `series`.
    table: Option<String>,
}

impl AnalyticsQuery {
    fn request(&self, now: time::OffsetDateTime) -> redress_app::AppResult<AnalyticsRequest> {
        AnalyticsRequest::parse(
            self.dimension.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
            self.bucket.as_deref(),
            now,
        )
    }

    /// The query string of the same report, for the CSV links.
    fn same(&self, request: &AnalyticsRequest) -> String {
        let bucket = match request.bucket {
            Bucket::Day => "day",
            Bucket::Week => "week",
        };
        format!("dimension={}&from={}&to={}&bucket={bucket}", request.dimension.as_str(), request.from, request.to)
    }
}

/// One row of the table as shown.
pub(super) struct Row {
    value: String,
    cases: i64,
    refunds: String,
    first_response: String,
    resolution: String,
    automation: String,
    return_rate: String,
}

/// A line of the chart: a value's cases per bucket.
pub(super) struct Line {
    label: String,
    colour: &'static str,
    points: String,
}

/// The chart's geometry, computed here so the template only places it.
pub(super) struct Chart {
    lines: Vec<Line>,
    x_labels: Vec<(u32, &'static str, String)>,
    y_labels: Vec<(u32, String)>,
}

const WIDTH: u32 = 720;
const HEIGHT: u32 = 260;
const LEFT: u32 = 48;
const BOTTOM: u32 = 28;
const COLOURS: [&str; 8] = ["#0b5cad", "#a4161a", "#1b6e3a", "#8a4b00", "#6a3d9a", "#00798c", "#d1495b", "#4f5b6b"];

/// A shown insight.
pub(super) struct InsightRow {
    text: String,
    fix: String,
    cases: Vec<(String, u64, String)>,
}

#[derive(Template)]
#[template(path = "workspace/analytics.html")]
struct AnalyticsPage<'a> {
    c: &'a Chrome,
    dimensions: Vec<(&'static str, String)>,
    dimension: &'static str,
    from: String,
    to: String,
    by_day: bool,
    total: Option<Row>,
    rows: Vec<Row>,
    chart: Option<Chart>,
    csv: String,
    insights: Vec<InsightRow>,
    error: Option<String>,
}

fn label(w: &Words, dimension: Dimension, value: &str) -> String {
    if value.is_empty() {
        return w.t("desk-analytics-unknown");
    }
    match dimension {
        Dimension::Kind => w.t(&format!("desk-kind-{value}")),
        _ => value.to_owned(),
    }
}

fn refunds_text(refunds: &std::collections::BTreeMap<String, i64>, tag: &str) -> String {
    refunds
        .iter()
        .map(|(code, minor)| match Currency::from_code(code) {
            Ok(currency) => format_money(&Money::new(*minor, currency), tag),
            Err(_) => format!("{minor} {code}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "45 min", "3.5 h", "2.1 d".
fn span(seconds: Option<i64>) -> String {
    match seconds {
        None => "–".to_owned(),
        Some(s) if s < 3600 => format!("{} min", s / 60),
        Some(s) if s < 86_400 => format!("{:.1} h", s as f64 / 3600.0),
        Some(s) => format!("{:.1} d", s as f64 / 86_400.0),
    }
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |p| format!("{p}%"))
}

fn row(w: &Words, dimension: Dimension, r: &ValueRow, total: bool) -> Row {
    Row {
        value: if total { w.t("desk-analytics-total") } else { label(w, dimension, &r.value) },
        cases: r.cases,
        refunds: refunds_text(&r.refund_minor, w.tag()),
        first_response: span(r.mean_first_response_s),
        resolution: span(r.mean_resolution_s),
        automation: pct(r.automation_pct),
        return_rate: pct(r.return_rate_pct),
    }
}

/// The series as lines over every bucket of the range (an empty week is a zero, not a gap),
/// scaled to the chart.
fn chart(w: &Words, report: &AnalyticsReport, request: &AnalyticsRequest) -> Option<Chart> {
    if report.series.is_empty() {
        return None;
    }
    let (from, to) = (analytics::day_number(request.from), analytics::day_number(request.to));
    let step = if request.bucket == Bucket::Week { 7 } else { 1 };
    let starts: Vec<String> = (0..)
        .map(|i| bucket_start(from, request.bucket) + i * step)
        .take_while(|day| *day <= to)
        .filter_map(|day| analytics::date_of(day).ok().map(|d| d.to_string()))
        .collect();
    let cases_at: std::collections::BTreeMap<(&str, &str), i64> =
        report.series.iter().map(|p| ((p.start.as_str(), p.value.as_str()), p.cases)).collect();
    let top = report.series.iter().map(|p| p.cases).max().unwrap_or(1).max(1);
    let (plot_w, plot_h) = (WIDTH - LEFT - 8, HEIGHT - BOTTOM - 8);
    let x =
        |i: usize| LEFT + if starts.len() == 1 { plot_w / 2 } else { (i as u32) * plot_w / (starts.len() as u32 - 1) };
    let y = |cases: i64| 8 + plot_h - (cases.clamp(0, top) as f64 / top as f64 * f64::from(plot_h)) as u32;
    let lines = report
        .values
        .iter()
        .take(analytics::MAX_SERIES)
        .zip(COLOURS)
        .map(|(value, colour)| {
            let points = starts
                .iter()
                .enumerate()
                .map(|(i, start)| {
                    let cases = cases_at.get(&(start.as_str(), value.value.as_str())).copied().unwrap_or(0);
                    format!("{},{}", x(i), y(cases))
                })
                .collect::<Vec<_>>()
                .join(" ");
            Line { label: label(w, report.dimension, &value.value), colour, points }
        })
        .collect();
    let every = starts.len().div_ceil(6).max(1);
    let last = starts.len() - 1;
    let x_labels = starts
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i == last)
        .filter(|(i, _)| *i == last || last - i >= every)
        .map(|(i, s)| {
            let anchor = if i == last && i > 0 {
                "end"
            } else if i == 0 {
                "start"
            } else {
                "middle"
            };
            (x(i), anchor, s.clone())
        })
        .collect();
    let y_labels = [0, top / 2, top].iter().map(|c| (y(*c), c.to_string())).collect();
    Some(Chart { lines, x_labels, y_labels })
}

fn insight_row(w: &Words, insight: &Insight) -> InsightRow {
    let problem = match insight.problem {
        redress_domain::analytics::Problem::Damaged => "damaged",
        redress_domain::analytics::Problem::Lost => "lost",
        redress_domain::analytics::Problem::NotAsDescribed => "not_as_described",
    };
    let fix = match insight.fix {
        redress_domain::analytics::Fix::Packaging => "packaging",
        redress_domain::analytics::Fix::Description => "description",
        redress_domain::analytics::Fix::CarrierReview => "carrier_review",
    };
    InsightRow {
        text: w.ta(
            "desk-insight-text",
            &[
                ("value", &insight.value),
                ("dimension", &w.t(&format!("desk-analytics-dim-{}", insight.dimension.as_str()))),
                ("observed", &insight.observed.to_string()),
                ("problem", &w.t(&format!("desk-problem-{problem}"))),
                ("expected", &format!("{:.1}", insight.expected)),
            ],
        ),
        fix: w.t(&format!("desk-fix-{fix}")),
        cases: insight.cases.iter().map(|c| (c.id.to_string(), c.number, c.subject.clone())).collect(),
    }
}

async fn analytics_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<AnalyticsQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "analytics").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let (app, caller, w) = (state.app(), desk.caller(), &desk.chrome.w);
    let dimensions =
        Dimension::ALL.iter().map(|d| (d.as_str(), w.t(&format!("desk-analytics-dim-{}", d.as_str())))).collect();
    let mut page = AnalyticsPage {
        c: &desk.chrome,
        dimensions,
        dimension: "kind",
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        by_day: query.bucket.as_deref() == Some("day"),
        total: None,
        rows: Vec::new(),
        chart: None,
        csv: String::new(),
        insights: Vec::new(),
        error: None,
    };
    let request = match query.request(app.now()) {
        Ok(request) => request,
        Err(e) => {
            page.error = Some(error_text(&e));
            return desk.page(StatusCode::BAD_REQUEST, page.render());
        }
    };
    let (report, insights) =
        match tokio::try_join!(analytics::report(app, &caller, request), analytics::insights(app, &caller)) {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(error = %e, "the analytics page could not be read");
                return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
            }
        };
    page.dimension = request.dimension.as_str();
    page.from = report.from.clone();
    page.to = report.to.clone();
    page.total = (report.total.cases > 0).then(|| row(w, request.dimension, &report.total, true));
    page.rows = report.values.iter().map(|r| row(w, request.dimension, r, false)).collect();
    page.chart = chart(w, &report, &request);
    page.csv = query.same(&request);
    page.insights = insights.iter().map(|i| insight_row(w, i)).collect();
    desk.page(StatusCode::OK, page.render())
}

#[derive(Template)]
#[template(path = "workspace/summary.html")]
struct SummaryPage<'a> {
    c: &'a Chrome,
    period: String,
    volume: String,
    service: String,
    csat: String,
    week: Row,
    kinds: Vec<Row>,
    skus: Vec<Row>,
    insights: Vec<InsightRow>,
}

/// Lang only: the summary is always the last seven days.
#[derive(Deserialize, Default)]
pub(super) struct SummaryQuery {
    lang: Option<String>,
}

async fn summary_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<SummaryQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "summary").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let summary = match analytics::weekly_summary(state.app(), &desk.caller()).await {
        Ok(summary) => summary,
        Err(e) => {
            tracing::error!(error = %e, "the weekly summary could not be read");
            return desk.notice(StatusCode::SERVICE_UNAVAILABLE, "desk-unavailable");
        }
    };
    let w = &desk.chrome.w;
    let service = &summary.service;
    let page = SummaryPage {
        c: &desk.chrome,
        period: w.ta("desk-summary-period", &[("from", &summary.from), ("to", &summary.to)]),
        volume: w.ta(
            "desk-summary-volume",
            &[("cases", &summary.week.cases.to_string()), ("previous", &summary.previous_cases.to_string())],
        ),
        service: w.ta(
            "desk-summary-service",
            &[("response", &pct(service.first_response_met_pct)), ("resolution", &pct(service.resolution_met_pct))],
        ),
        csat: w.ta(
            "desk-summary-csat",
            &[("mean", &format!("{:.1}", service.csat.mean)), ("answers", &service.csat.answers.to_string())],
        ),
        week: row(w, Dimension::Kind, &summary.week, true),
        kinds: summary.top_kinds.iter().map(|r| row(w, Dimension::Kind, r, false)).collect(),
        skus: summary.top_skus.iter().map(|r| row(w, Dimension::Sku, r, false)).collect(),
        insights: summary.insights.iter().map(|i| insight_row(w, i)).collect(),
    };
    desk.page(StatusCode::OK, page.render())
}

/// A CSV field: quoted when it must be, and a leading formula character defused so a
/// spreadsheet shows the text instead of running it.
fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() };
    if text.contains([',', '"', '\n', '\r']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text }
}

fn minor_columns(refunds: &std::collections::BTreeMap<String, i64>) -> String {
    refunds.iter().map(|(c, m)| format!("{m} {c}")).collect::<Vec<_>>().join("; ")
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The report as CSV: the table (`values`) or the series.
pub(super) fn csv(report: &AnalyticsReport, series: bool) -> String {
    let mut out = String::new();
    if series {
        out.push_str("start,value,cases,refunds_minor\n");
        for p in &report.series {
            let line = [p.start.clone(), p.value.clone(), p.cases.to_string(), minor_columns(&p.refund_minor)];
            out.push_str(&line.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
    } else {
        out.push_str(
            "value,cases,refunds_minor,mean_first_response_s,mean_resolution_s,resolved,automation_pct,returns,units_ordered,return_rate_pct\n",
        );
        for r in &report.values {
            let line = [
                r.value.clone(),
                r.cases.to_string(),
                minor_columns(&r.refund_minor),
                opt(r.mean_first_response_s),
                opt(r.mean_resolution_s),
                r.resolved.to_string(),
                opt(r.automation_pct),
                r.returns.to_string(),
                opt(r.units_ordered),
                opt(r.return_rate_pct),
            ];
            out.push_str(&line.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
    }
    out
}

async fn analytics_csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<AnalyticsQuery>,
    headers: HeaderMap,
) -> Response {
    let desk = match desk(&state, &slug, &headers, query.lang.as_deref(), "analytics").await {
        Ok(desk) => desk,
        Err(answer) => return answer,
    };
    let app = state.app();
    let series = match query.table.as_deref() {
        None | Some("values") => false,
        Some("series") => true,
        Some(_) => return (StatusCode::BAD_REQUEST, "table: values or series").into_response(),
    };
    let report = match query.request(app.now()) {
        Ok(request) => analytics::report(app, &desk.caller(), request).await,
        Err(e) => Err(e),
    };
    let report = match report {
        Ok(report) => report,
        Err(e) => {
            return (StatusCode::from_u16(e.code.status()).unwrap_or(StatusCode::BAD_REQUEST), error_text(&e))
                .into_response();
        }
    };
    let name = format!(
        "attachment; filename=\"analytics-{}-{}-{}-{}.csv\"",
        report.dimension.as_str(),
        if series { "series" } else { "values" },
        report.from,
        report.to
    );
    let mut response = csv(&report, series).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    if let Ok(value) = HeaderValue::from_str(&name) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(field("MUG-1"), "MUG-1");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    }
}
