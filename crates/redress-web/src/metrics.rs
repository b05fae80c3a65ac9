//! `GET /metrics`: what this server has done, in Prometheus' text format, for a scraper holding
//! the metrics token: requests by route, method and status, their latency, and what is in
//! flight, answered by this server; its database connections (at most, open, idle); and the
//! deployment's background queues (refunds, the outbox, platform pushes) by live status with
//! the age of their oldest row, read from the database at each scrape.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use subtle::ConstantTimeEq;

use crate::AppState;

/// One kind of request: the route's template (not the path itself, so ids do not make a new
/// series each), the method and the status answered.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

/// A route and method, for latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

/// A background queue and a status of its rows.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: String,
    status: String,
}

/// A database connection pool and a state of its connections (`max`, `open`, `idle`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: String,
    state: String,
}

/// The server's metrics.
pub struct HttpMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    in_flight: Gauge,
    queued: Family<QueueLabels, Gauge>,
    oldest: Family<QueueLabels, Gauge>,
    connections: Family<PoolLabels, Gauge>,
}

impl Default for HttpMetrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("redress");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "Requests answered, by route, method and status", requests.clone());
        // From 1 ms to about 16 s, doubling: the API answers in milliseconds, a refund waits
        // on its provider for seconds.
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.001, 2.0, 15))
        });
        registry.register("http_request_duration_seconds", "Time to answer, by route and method", latency.clone());
        let in_flight = Gauge::default();
        registry.register("http_requests_in_flight", "Requests being answered now", in_flight.clone());
        let queued = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "queue_rows",
            "Live rows (work still to do) of each background queue, by status",
            queued.clone(),
        );
        let oldest = Family::<QueueLabels, Gauge>::default();
        registry.register(
            "queue_oldest_age_seconds",
            "Age of the oldest row of each background queue, by status",
            oldest.clone(),
        );
        let connections = Family::<PoolLabels, Gauge>::default();
        registry.register(
            "db_pool_connections",
            "This server's database connections: at most, open now, idle now",
            connections.clone(),
        );
        Self { registry, requests, latency, in_flight, queued, oldest, connections }
    }
}

/// Counts and times every request (the outermost layer but tracing, so answers the server's
/// limits give are counted too).
pub(crate) async fn record(State(metrics): State<Arc<HttpMetrics>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    metrics.in_flight.inc();
    let response = next.run(request).await;
    metrics.in_flight.dec();
    let status = response.status().as_u16();
    metrics
        .latency
        .get_or_create(&RouteLabels { route: route.clone(), method: method.clone() })
        .observe(started.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&RequestLabels { route, method, status }).inc();
    response
}

/// `GET /metrics`, for the holder of the metrics token only; without a token configured the
/// endpoint does not exist.
pub(crate) async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = state.metrics_token.as_deref() else {
        return crate::error::ApiError::new(
            redress_app::ErrorCode::NotFound,
            "metrics are off; start the server with --metrics-token",
        )
        .into_response();
    };
    let presented = crate::auth::bearer(&headers).unwrap_or_default();
    if !bool::from(presented.as_bytes().ct_eq(token.as_bytes())) {
        return crate::error::ApiError::new(
            redress_app::ErrorCode::Unauthorized,
            "send the metrics token as a bearer token",
        )
        .into_response();
    }
    match redress_app::stores::work_queues(state.app()).await {
        Ok(queues) => {
            // Replaced whole, so a status no longer present does not linger at its last count.
            state.metrics.queued.clear();
            state.metrics.oldest.clear();
            for (queue, age) in queues {
                let labels = QueueLabels { queue: queue.queue, status: queue.status };
                state.metrics.queued.get_or_create(&labels).set(queue.count);
                state.metrics.oldest.get_or_create(&labels).set(age);
            }
        }
        Err(e) => tracing::warn!(error = %e.message, "the queues could not be counted for the metrics"),
    }
    let pool = redress_app::stores::connections(state.app());
    for (name, value) in [("max", pool.max), ("open", pool.open), ("idle", pool.idle)] {
        let labels = PoolLabels { pool: pool.pool.to_owned(), state: name.to_owned() };
        state.metrics.connections.get_or_create(&labels).set(i64::from(value));
    }
    let mut text = String::new();
    if let Err(e) = prometheus_client::encoding::text::encode(&mut text, &state.metrics.registry) {
        tracing::error!(error = %e, "the metrics could not be written");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response()
}
