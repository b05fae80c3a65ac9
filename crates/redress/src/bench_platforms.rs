//! `redress bench --platforms`: Shopify's webhooks in and the back-fill, against the local fake
//! of Shopify, over real HTTP on loopback, on a fresh SQLite database. Figures, not pass/fail.
//!
//! - `webhook update`: signed `orders/updated` deliveries, each with a new delivery id, of
//!   orders already known: the signature check, the delivery recorded and the order upserted in
//!   one transaction.
//! - `webhook dup`: the same deliveries sent again: checked and recognised, nothing written.
//! - the back-fill: "sync now" over the fake's orders through its Admin GraphQL API, with its
//!   leaky bucket (Shopify's standard 1,000 points, 50 a second) on the real clock.

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
    let router = redress_web::router(redress_web::AppState::new(app, admin_key));
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
    let now = time::OffsetDateTime::now_utc();
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
    Ok(())
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
