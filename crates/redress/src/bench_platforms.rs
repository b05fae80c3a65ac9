//! `redress bench --platforms`: Shopify's webhooks in and the back-fill, against the local fake
//! of Shopify, over real HTTP on loopback, on a fresh SQLite database. Figures, not pass/fail.
//!
//! - `webhook update`: signed `orders/updated` deliveries, each with a new delivery id, of
//!   orders already known: the signature check, the delivery recorded and the order upserted in
//!   one transaction.
//! - `webhook dup`: the same deliveries sent again: checked and recognised, nothing written.
//! - the back-fill: "sync now" over the fake's orders through its Admin GraphQL API, with its
//!   leaky bucket (Shopify's standard 1,000 points, 50 a second) on the real clock.
//! - webhooks out: cases opened over HTTP, each a signed `case.opened` delivery to a local
//!   endpoint through the outbox and the push worker; the rate, and the latency from the case's
//!   answer to the delivery's arrival.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use redress_connect::shop::Secret;
use redress_connect::shop::fake_shopify::{self, FakeShopifyConfig, SeedOrder};
use redress_connect::shop::shopify::{self, Topic};

use crate::bench::run_phase;

const TOKEN: &str = "shpat_bench";
const APP_SECRET: &str = "bench app secret";
/// Orders the webhook phases cycle through.
const KNOWN_ORDERS: u32 = 200;

/// Runs the phases and prints the table; `backfill` orders are in the fake shop for the
/// back-fill.
pub async fn run(seconds: u64, levels: &[usize], backfill: u32) -> anyhow::Result<()> {
    if seconds == 0 || levels.is_empty() || levels.contains(&0) {
        anyhow::bail!("give --seconds above 0 and concurrency levels above 0, e.g. --concurrency 16,64");
    }
    let dir = tempfile::Builder::new().prefix("redress-bench-").tempdir()?;
    let storage = Arc::new(redress_storage::sqlite::SqliteStorage::open(&dir.path().join("server.db")).await?);
    let secrets = redress_app::platforms::SecretsKey::parse(&"ab".repeat(32))?;
    let admin_key = "bench-admin-key-not-secret";
    let app = redress_app::App::new(storage).with_secrets_key(secrets);
    let state = redress_web::AppState::new(app, admin_key);
    let worker = redress_app::platforms::spawn_push_worker(state.shared_app(), std::time::Duration::from_millis(50));
    let router = redress_web::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let client = reqwest::Client::builder().pool_max_idle_per_host(1024).build()?;
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/stores"))
        .bearer_auth(admin_key)
        .json(&serde_json::json!({"slug": "bench", "name": "Bench shop", "default_currency": "EUR",
            "default_language": "en", "admin": {"email": "olga@bench.example", "name": "Olga", "role": "admin",
            "password": "bench admin password"}}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let admin = created["admin_key"]["secret"].as_str().context("no admin key in the store response")?.to_owned();
    let key = created["api_key"]["secret"].as_str().context("no API key in the store response")?.to_owned();
    let fake = fake_shopify::start(FakeShopifyConfig::new(Secret::new(TOKEN), Secret::new(APP_SECRET))).await?;
    let connection: serde_json::Value = client
        .post(format!("{base}/api/v1/platforms"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"platform": "shopify", "base_url": fake.base_url, "access_token": TOKEN,
            "webhook_secret": APP_SECRET}))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let url = format!("{base}{}", connection["webhook_path"].as_str().context("no webhook path")?);

    eprintln!("  creating {KNOWN_ORDERS} orders by their orders/create webhooks ...");
    let now = redress_app::clock::Clock::now(&redress_app::clock::SystemClock);
    let mut bodies = Vec::new();
    for n in 0..KNOWN_ORDERS {
        let gid = fake.handle.add_order(SeedOrder::sample(n, now - time::Duration::minutes(i64::from(n))));
        let delivery = fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.map_err(anyhow::Error::msg)?;
        anyhow::ensure!(delivery.status == 200, "the server answered {} to a webhook", delivery.status);
        bodies.push(delivery.body);
    }
    let bodies = Arc::new(bodies);
    let secret = Secret::new(APP_SECRET);
    let signatures: Arc<Vec<String>> = Arc::new(bodies.iter().map(|b| shopify::sign_webhook(&secret, b)).collect());
    let sent = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut phases = Vec::new();
    for &concurrency in levels {
        eprintln!("  measuring webhook ingest at concurrency {concurrency} ...");
        let phase = run_phase("webhook update", concurrency, seconds, |_| {
            let n = sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let which = (n % bodies.len() as u64) as usize;
            send(&client, &url, &bodies[which], &signatures[which], format!("bench-{n}"))
        })
        .await?;
        phases.push(phase);
    }
    // Every delivery id of the update phases, sent again with its body.
    let delivered = sent.load(std::sync::atomic::Ordering::Relaxed).max(1);
    for &concurrency in levels {
        eprintln!("  measuring duplicate deliveries at concurrency {concurrency} ...");
        let phase = run_phase("webhook dup", concurrency, seconds, |i| {
            let n = i as u64 % delivered;
            let which = (n % bodies.len() as u64) as usize;
            send(&client, &url, &bodies[which], &signatures[which], format!("bench-{n}"))
        })
        .await?;
        phases.push(phase);
    }

    eprintln!("  seeding {backfill} orders in the fake shop and syncing them ...");
    for n in 0..backfill {
        fake.handle.add_order(SeedOrder::sample(KNOWN_ORDERS + n, now - time::Duration::minutes(i64::from(n))));
    }
    let started = Instant::now();
    let reports: serde_json::Value = client
        .post(format!("{base}/api/v1/platforms/sync"))
        .bearer_auth(&admin)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let took = started.elapsed();

    eprintln!("  measuring webhooks out: {WEBHOOK_CASES} cases opened, each a signed delivery ...");
    let (delivered, latency_ms, delivery_rate) = webhooks_out(&client, &base, &admin, &key).await?;
    worker.abort();
    server.abort();

    println!("redress bench --platforms: {seconds} s per phase, SQLite WAL synchronous=FULL, HTTP on loopback");
    println!(
        "\n{:<14} {:>4} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "phase", "conc", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for phase in &phases {
        phase.print();
    }
    let orders = reports[0]["orders"].as_u64().unwrap_or(0);
    println!(
        "\nback-fill: {orders} orders ({} new) in {} pages, {:.2} s = {:.0} orders/s; the fake throttled {} call(s)",
        reports[0]["created"],
        reports[0]["pages"],
        took.as_secs_f64(),
        orders as f64 / took.as_secs_f64(),
        fake.handle.throttled()
    );
    println!(
        "webhooks out: {delivered}/{WEBHOOK_CASES} case.opened deliveries, {delivery_rate:.0}/s; from the case's answer to \
         the delivery's arrival p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latency_ms.value_at_quantile(0.50) as f64 / 1000.0,
        latency_ms.value_at_quantile(0.99) as f64 / 1000.0,
        latency_ms.max() as f64 / 1000.0
    );
    Ok(())
}

/// Cases opened for the webhooks-out measurement.
const WEBHOOK_CASES: usize = 300;

/// Opens [`WEBHOOK_CASES`] cases, 16 at a time, with a local endpoint subscribed to
/// `case.opened`; returns how many deliveries arrived, their latency (µs) from the case's
/// answer, and deliveries per second from the first answer to the last arrival.
async fn webhooks_out(
    client: &reqwest::Client,
    base: &str,
    admin: &str,
    key: &str,
) -> anyhow::Result<(usize, hdrhistogram::Histogram<u64>, f64)> {
    use std::collections::HashMap;
    use std::sync::Mutex;
    let arrived: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let keep = arrived.clone();
    let endpoint = axum::Router::new().route(
        "/events",
        axum::routing::post(move |body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                let event: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                if let Some(case_id) = event["data"]["case_id"].as_str()
                    && let Ok(mut arrived) = keep.lock()
                {
                    arrived.entry(case_id.to_owned()).or_insert_with(Instant::now);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/events", listener.local_addr()?);
    let receiver = tokio::spawn(async move { axum::serve(listener, endpoint).await });
    client
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(admin)
        .json(&serde_json::json!({"url": url, "events": ["case.opened"]}))
        .send()
        .await?
        .error_for_status()?;
    let answered: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let workers = (0..16).map(|_| {
        let (client, answered, next) = (client.clone(), answered.clone(), next.clone());
        let url = format!("{base}/api/v1/cases");
        let key = key.to_owned();
        async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < WEBHOOK_CASES {
                let body = serde_json::json!({"subject": "Broken vase", "channel": "email", "kind": "damaged_in_transit",
                    "language": "en", "sentiment": "negative", "customer_email": "ana@example.com",
                    "message": {"body": "The vase arrived broken."}});
                let Ok(response) = client.post(&url).bearer_auth(&key).json(&body).send().await else { continue };
                let at = Instant::now();
                let Ok(view) = response.json::<serde_json::Value>().await else { continue };
                if let (Some(id), Ok(mut answered)) = (view["case"]["id"].as_str(), answered.lock()) {
                    answered.insert(id.to_owned(), at);
                }
            }
        }
    });
    crate::bench::join_all(workers).await;
    let deadline = Instant::now() + std::time::Duration::from_secs(120);
    while arrived.lock().map(|a| a.len()).unwrap_or(0) < WEBHOOK_CASES && Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    receiver.abort();
    let arrived = arrived.lock().map(|a| a.clone()).unwrap_or_default();
    let answered = answered.lock().map(|a| a.clone()).unwrap_or_default();
    let mut latency = hdrhistogram::Histogram::new_with_bounds(1, 600_000_000, 3)?;
    let mut last = started;
    for (case_id, at) in &arrived {
        last = last.max(*at);
        if let Some(answer) = answered.get(case_id) {
            latency.saturating_record(
                u64::try_from(at.saturating_duration_since(*answer).as_micros()).unwrap_or(u64::MAX),
            );
        }
    }
    let rate = arrived.len() as f64 / last.duration_since(started).as_secs_f64().max(1e-9);
    Ok((arrived.len(), latency, rate))
}

/// One signed delivery; `Some` when the server took it (200).
async fn send(client: &reqwest::Client, url: &str, body: &[u8], signature: &str, id: String) -> Option<()> {
    let response = client
        .post(url)
        .header(shopify::HMAC_HEADER, signature)
        .header(shopify::TOPIC_HEADER, "orders/updated")
        .header(shopify::WEBHOOK_ID_HEADER, id)
        .body(body.to_vec())
        .send()
        .await
        .ok()?;
    (response.status() == reqwest::StatusCode::OK).then_some(())
}
