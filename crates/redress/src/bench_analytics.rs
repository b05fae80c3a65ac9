//! `redress bench --analytics N`: the analytics report and insights over a store of N cases
//! (1,000,000 is the target of issue 15), loaded by `bench_inbox.rs` into a fresh database with
//! the rollup kept by the database's triggers as each case is inserted. Times the report by
//! every dimension over 90 and 365 days, by week and by day, and the insights; prints p50 and
//! p99. The cases carry a SKU (one of [`SKUS`], popular ones more often) and no order, so the
//! carrier and region dimensions have one value here: a report's cost is days × values, and
//! the SKU dimension is the widest.

use std::time::{Duration, Instant};

use rand::Rng;
use rand::rngs::StdRng;
use redress_app::App;
use redress_app::analytics::{AnalyticsRequest, insights, report};
use redress_app::caller::Caller;
use redress_domain::analytics::{Bucket, Dimension};
use redress_domain::approval::Role;
use redress_domain::decision::LineQuantity;
use redress_domain::{AgentId, Case, StoreId};

use crate::bench::histogram;

/// SKUs in the bench store's catalogue.
pub const SKUS: u32 = 300;

/// Makes the case about one product: a few sell (and go wrong) far more often than the rest.
pub fn about_a_product(rng: &mut StdRng, case: &mut Case) {
    let popular: f64 = rng.random();
    let sku = (popular * popular * f64::from(SKUS)) as u32;
    case.lines = vec![LineQuantity { sku: format!("SKU-{sku:03}"), quantity: 1 }];
}

/// Times each report and prints the table.
pub async fn measure(
    app: App,
    store_id: StoreId,
    backend: &str,
    cases: u64,
    loading: Duration,
    rounds: usize,
) -> anyhow::Result<()> {
    println!(
        "redress bench --analytics: {backend}, {cases} cases in one store over two years (loaded with the rollup in {:.0} s, {:.0} cases/s), {rounds} rounds per query",
        loading.as_secs_f64(),
        cases as f64 / loading.as_secs_f64()
    );
    println!("{:<34} {:>9} {:>10} {:>10} {:>10}", "query", "values", "p50 ms", "p99 ms", "max ms");
    let caller = Caller::Member {
        store_id,
        agent_id: AgentId::from_uuid(uuid::Uuid::from_u128(1)),
        name: "Bench".into(),
        role: Role::TeamLead,
    };
    let now = app.now();
    let mut queries: Vec<(String, AnalyticsRequest)> = Vec::new();
    for dimension in Dimension::ALL {
        for (days, bucket) in [(90, Bucket::Week), (365, Bucket::Week), (365, Bucket::Day)] {
            let request = AnalyticsRequest { bucket, ..AnalyticsRequest::last_days(*dimension, now, days) };
            let by = if bucket == Bucket::Week { "week" } else { "day" };
            queries.push((format!("{} {days} days by {by}", dimension.as_str()), request));
        }
    }
    let mut all = histogram()?;
    for (name, request) in queries {
        let mut latency = histogram()?;
        let mut values = 0;
        for round in 0..rounds + 2 {
            let started = Instant::now();
            let found = report(&app, &caller, request).await?;
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX).max(1);
            // The first two rounds warm the caches and are not counted.
            if round >= 2 {
                latency.record(micros)?;
                all.record(micros)?;
            }
            values = found.values.len();
        }
        print_line(&name, values, &latency);
    }
    let mut latency = histogram()?;
    let mut found = 0;
    for round in 0..rounds + 2 {
        let started = Instant::now();
        found = insights(&app, &caller).await?.len();
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX).max(1);
        if round >= 2 {
            latency.record(micros)?;
            all.record(micros)?;
        }
    }
    print_line("insights (7 vs 56 days)", found, &latency);
    print_line("every query", 0, &all);
    Ok(())
}

fn print_line(name: &str, values: usize, latency: &hdrhistogram::Histogram<u64>) {
    println!(
        "{name:<34} {values:>9} {:>10.2} {:>10.2} {:>10.2}",
        latency.value_at_quantile(0.50) as f64 / 1000.0,
        latency.value_at_quantile(0.99) as f64 / 1000.0,
        latency.max() as f64 / 1000.0
    );
}
