//! `redress bench`: case creation and reads, and refunds end to end against the sandbox
//! provider, over real HTTP on loopback against a fresh SQLite database, beside the raw SQLite
//! rate for inserting the same rows with the same durability settings, measured in the same run.
//! Figures, not pass/fail: the point is to see where the time goes.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use redress_app::clock::{Clock, SystemClock};
use redress_domain::{
    Actor, Case, CaseId, CaseNumber, Channel, Direction, EmailAddress, IssueKind, LanguageTag, Message, MessageId,
    NewCase, Sentiment, StoreId,
};
use rusqlite::params;
use tokio::sync::Mutex;

pub(crate) const BODY: &str = "Hola, el jarrón de cerámica del pedido 1042 llegó roto, la caja estaba aplastada. \
                    Adjunto fotos. ¿Me pueden enviar otro o devolverme el dinero? Gracias, Ana";

/// One measured phase.
pub(crate) struct Phase {
    pub(crate) name: String,
    pub(crate) concurrency: usize,
    pub(crate) ok: u64,
    pub(crate) failed: u64,
    pub(crate) elapsed: Duration,
    pub(crate) latency_us: Histogram<u64>,
}

impl Phase {
    pub(crate) fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    pub(crate) fn print(&self) {
        println!(
            "{:<14} {:>4} {:>10.0} {:>10.2} {:>10.2} {:>10.2} {:>8}",
            self.name,
            self.concurrency,
            self.rate(),
            self.latency_us.value_at_quantile(0.50) as f64 / 1000.0,
            self.latency_us.value_at_quantile(0.99) as f64 / 1000.0,
            self.latency_us.max() as f64 / 1000.0,
            self.failed
        );
    }
}

pub(crate) fn histogram() -> anyhow::Result<Histogram<u64>> {
    Histogram::new_with_bounds(1, 600_000_000, 3).context("cannot make a latency histogram")
}

/// Runs every phase and prints the table.
pub async fn run(seconds: u64, levels: &[usize]) -> anyhow::Result<()> {
    if seconds == 0 || levels.is_empty() || levels.contains(&0) {
        anyhow::bail!("give --seconds above 0 and concurrency levels above 0, e.g. --concurrency 16,64");
    }
    let dir = tempfile::Builder::new().prefix("redress-bench-").tempdir()?;
    let storage = Arc::new(redress_storage::sqlite::SqliteStorage::open(&dir.path().join("server.db")).await?);
    let admin_key = "bench-admin-key-not-secret";
    let app = redress_web::router(redress_web::AppState::new(redress_app::App::new(storage), admin_key));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder().pool_max_idle_per_host(1024).build()?;
    let BenchStore { key, admin } = create_store(&client, &base, admin_key, "bench").await?;

    println!("redress bench: {seconds} s per phase, SQLite WAL with synchronous=FULL, HTTP on loopback");
    let case_ids = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut phases = Vec::new();
    for &concurrency in levels {
        eprintln!("  measuring case creation at concurrency {concurrency} ...");
        phases.push(create_phase(&client, &base, &key, concurrency, seconds, case_ids.clone(), true).await?);
    }
    let busiest = levels.iter().copied().max().unwrap_or(16);
    eprintln!("  measuring creation of unclassified cases (read by understanding) at concurrency {busiest} ...");
    phases.push(create_phase(&client, &base, &key, busiest, seconds, case_ids.clone(), false).await?);
    let ids = Arc::new(case_ids.lock().await.clone());
    for &concurrency in levels {
        eprintln!("  measuring case reads at concurrency {concurrency} ...");
        phases.push(read_phase(&client, &base, &key, concurrency, seconds, ids.clone()).await?);
    }
    let (refund_case, refund_payment) = refund_target(&client, &base, &key, &admin).await?;
    let keys = Arc::new(std::sync::atomic::AtomicU64::new(0));
    for &concurrency in levels {
        eprintln!("  measuring refunds end to end at concurrency {concurrency} ...");
        phases.push(
            refund_phase(&client, &base, &key, &refund_case, &refund_payment, concurrency, seconds, keys.clone())
                .await?,
        );
    }
    let assistant_orders = assistant_target(&client, &base, &key).await?;
    for &concurrency in levels {
        eprintln!("  measuring assistant turns at concurrency {concurrency} ...");
        phases.push(assistant_phase(&client, &base, assistant_orders, concurrency, seconds).await?);
    }
    server.abort();

    eprintln!("  measuring raw SQLite inserts of the same rows ...");
    let raw_path = dir.path().join("raw.db");
    let raw_single = tokio::task::spawn_blocking({
        let path = raw_path.clone();
        move || raw_insert_rate(&path, seconds, 1)
    })
    .await??;
    let raw_grouped = tokio::task::spawn_blocking(move || raw_insert_rate(&raw_path, seconds, 64)).await??;

    println!(
        "\n{:<14} {:>4} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "phase", "conc", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for phase in &phases {
        phase.print();
    }
    println!("\nraw SQLite, same rows and durability, one writer thread:");
    println!("  one case per commit          {raw_single:>10.0} cases/s");
    println!("  64 cases per commit          {raw_grouped:>10.0} cases/s");
    for phase in phases.iter().filter(|p| p.name == "create case") {
        println!(
            "  HTTP create at concurrency {:>3}: {:.0}/s = {:.1}x the one-per-commit rate, {:.0}% of the 64-per-commit rate",
            phase.concurrency,
            phase.rate(),
            phase.rate() / raw_single,
            100.0 * phase.rate() / raw_grouped
        );
    }
    Ok(())
}

/// A store set up for a benchmark: its integration key, and its first admin's personal key
/// (settings such as the policy take an admin).
pub(crate) struct BenchStore {
    pub(crate) key: String,
    pub(crate) admin: String,
}

/// Sets up a store named `slug` through `base` with the operator key, with a first admin.
pub(crate) async fn create_store(
    client: &reqwest::Client,
    base: &str,
    admin_key: &str,
    slug: &str,
) -> anyhow::Result<BenchStore> {
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/stores"))
        .bearer_auth(admin_key)
        .json(
            &serde_json::json!({"slug": slug, "name": "Bench shop", "default_currency": "EUR", "default_language": "es",
                                  "admin": {"email": "owner@bench.example", "name": "Olga", "role": "admin",
                                            "password": "bench admin passphrase"}}),
        )
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let secret = |field: &str| {
        created[field]["secret"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("no {field} in the store response"))
    };
    Ok(BenchStore { key: secret("api_key")?, admin: secret("admin_key")? })
}

async fn create_phase(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    concurrency: usize,
    seconds: u64,
    case_ids: Arc<Mutex<Vec<String>>>,
    classified: bool,
) -> anyhow::Result<Phase> {
    // A classified case is stored as given; an unclassified one is read by understanding first.
    let (name, body) = if classified {
        (
            "create case",
            serde_json::json!({
                "subject": "Jarrón roto", "channel": "email", "kind": "damaged_in_transit", "language": "es",
                "sentiment": "negative", "customer_email": "ana@example.com", "message": {"body": BODY}
            }),
        )
    } else {
        (
            "create+read",
            serde_json::json!({
                "subject": "Jarrón roto", "channel": "email", "customer_email": "ana@example.com", "message": {"body": BODY}
            }),
        )
    };
    let url = format!("{base}/api/v1/cases");
    run_phase(name, concurrency, seconds, |_| {
        let request = client.post(&url).bearer_auth(key).json(&body);
        let case_ids = case_ids.clone();
        async move {
            let response = request.send().await.ok()?;
            if response.status() != reqwest::StatusCode::CREATED {
                return None;
            }
            let view: serde_json::Value = response.json().await.ok()?;
            let mut ids = case_ids.lock().await;
            if ids.len() < 100_000 {
                ids.push(view["case"]["id"].as_str()?.to_owned());
            }
            Some(())
        }
    })
    .await
}

/// An order with one very large captured payment and a case on it: every refund of the phase
/// draws on that one payment, the most contended case for the refundable limit.
async fn refund_target(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    admin: &str,
) -> anyhow::Result<(String, String)> {
    let big = serde_json::json!({"amount_minor": 1_000_000_000_000i64, "currency": "EUR"});
    let order: serde_json::Value = client
        .post(format!("{base}/api/v1/orders"))
        .bearer_auth(key)
        .json(&serde_json::json!({
            "number": "BENCH-REFUNDS", "customer": {"email": "ana@example.com", "name": "Ana"}, "currency": "EUR",
            "lines": [{"sku": "BULK", "title": "Bulk order", "quantity": 1, "unit_price": big}],
            "shipping_address": {"name": "Ana", "lines": ["Calle 1"], "city": "Madrid", "postal_code": "28001", "country": "ES"},
            "payments": [{"provider": "sandbox", "provider_reference": "ch_bench", "method": "card",
                          "authorized": big, "captured": big, "status": "captured"}],
            "placed_at": "2026-11-19T09:00:00Z"
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let case: serde_json::Value = client
        .post(format!("{base}/api/v1/cases"))
        .bearer_auth(key)
        .json(
            &serde_json::json!({"order_id": order["id"], "subject": "Refunds", "channel": "api", "kind": "wrong_charge",
                                  "message": {"body": "bench"}}),
        )
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    // One customer refunds thousands of times here: the store's policy lifts the per-customer
    // abuse limits, or every refund after the first few would wait for a second person.
    let policy: serde_json::Value =
        client.get(format!("{base}/api/v1/policy")).bearer_auth(admin).send().await?.error_for_status()?.json().await?;
    let source = policy["source"].as_str().context("no policy source")?;
    let version = policy["policy"]["version"].as_u64().context("no policy version")?;
    let lifted: String = source
        .lines()
        .filter(|line| !line.starts_with("max_refunds_per_window") && !line.starts_with("max_refunded_per_window"))
        .map(|line| if line.starts_with("version = ") { format!("version = {}", version + 1) } else { line.to_owned() })
        .collect::<Vec<_>>()
        .join("\n");
    client
        .put(format!("{base}/api/v1/policy"))
        .bearer_auth(admin)
        .json(&serde_json::json!({"source": lifted}))
        .send()
        .await?
        .error_for_status()?;
    let case_id = case["case"]["id"].as_str().context("no case id")?.to_owned();
    let payment_id = order["payments"][0]["id"].as_str().context("no payment id")?.to_owned();
    Ok((case_id, payment_id))
}

/// Refund intents processed end to end: written with a fresh Idempotency-Key, approved by the
/// rule, marked sent, paid by the sandbox provider, settled and posted, all before the answer.
#[allow(clippy::too_many_arguments)]
async fn refund_phase(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    case_id: &str,
    payment_id: &str,
    concurrency: usize,
    seconds: u64,
    keys: Arc<std::sync::atomic::AtomicU64>,
) -> anyhow::Result<Phase> {
    let url = format!("{base}/api/v1/cases/{case_id}/refunds");
    let body = serde_json::json!({
        "payment_id": payment_id, "method": "original_payment", "reason": "duplicate_charge",
        "amount": {"amount_minor": 1, "currency": "EUR"}
    });
    run_phase("refund", concurrency, seconds, |_| {
        let n = keys.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let request = client.post(&url).bearer_auth(key).header("Idempotency-Key", format!("bench-{n}")).json(&body);
        async move {
            let response = request.send().await.ok()?;
            if response.status() != reqwest::StatusCode::CREATED {
                return None;
            }
            let view: serde_json::Value = response.json().await.ok()?;
            (view["refund"]["status"] == "succeeded").then_some(())
        }
    })
    .await
}

/// Orders in transit for the assistant's phase, so no order number meets the look-up's
/// store-wide attempt limit during the run; answers their count.
async fn assistant_target(client: &reqwest::Client, base: &str, key: &str) -> anyhow::Result<usize> {
    const ORDERS: usize = 500;
    for n in 0..ORDERS {
        let order = assistant_order(n);
        client.post(format!("{base}/api/v1/orders")).bearer_auth(key).json(&order).send().await?.error_for_status()?;
    }
    Ok(ORDERS)
}

fn assistant_order(n: usize) -> serde_json::Value {
    serde_json::json!({
        "number": format!("B-{n}"), "customer": {"email": format!("b{n}@example.com"), "name": "Ana"}, "currency": "EUR",
        "lines": [{"sku": "VASE-1", "title": "Vase", "quantity": 1, "unit_price": {"amount_minor": 4500, "currency": "EUR"}}],
        "shipping_address": {"name": "Ana", "lines": ["Calle Mayor 5"], "city": "Madrid", "postal_code": "28013", "country": "ES"},
        "shipments": [{"carrier": "dhl", "tracking_number": "JD0001", "lines": [{"sku": "VASE-1", "quantity": 1}],
            "status": "in_transit", "status_times": {"handed_to_carrier": "2026-11-20T10:00:00Z"}}],
        "placed_at": "2026-11-19T09:00:00Z"
    })
}

/// One assistant turn per request, as a customer's first message: half ask where the parcel is
/// with the order's number and email (understanding, the look-up and its guess counters, the
/// order, the conversation saved), half ask a policy question (the help search).
async fn assistant_phase(
    client: &reqwest::Client,
    base: &str,
    orders: usize,
    concurrency: usize,
    seconds: u64,
) -> anyhow::Result<Phase> {
    let url = format!("{base}/s/bench/assistant");
    let policy = serde_json::json!({"text": "¿Cuántos días tengo para devolver un artículo?"});
    run_phase("assistant turn", concurrency, seconds, |i| {
        let n = (i / 2) % orders;
        let number = format!("B-{n}");
        // One customer per order: the look-up's store-wide limit counts every attempt per email.
        let status = serde_json::json!({"text": format!("¿Dónde está mi paquete? Pedido {number}, b{n}@example.com")});
        let request = client.post(&url).json(if i % 2 == 0 { &status } else { &policy });
        async move {
            let response = request.send().await.ok()?;
            (response.status() == reqwest::StatusCode::OK).then_some(())?;
            let answer: serde_json::Value = response.json().await.ok()?;
            let said: String = answer["replies"].as_array()?.iter().filter_map(|r| r["text"].as_str()).collect();
            // A status turn that found the order names it (a refused look-up would not).
            (i % 2 == 1 || said.contains(&number)).then_some(())
        }
    })
    .await
}

async fn read_phase(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    concurrency: usize,
    seconds: u64,
    ids: Arc<Vec<String>>,
) -> anyhow::Result<Phase> {
    if ids.is_empty() {
        anyhow::bail!("no case was created, so there is nothing to read");
    }
    run_phase("read case", concurrency, seconds, |i| {
        let id = &ids[i % ids.len()];
        let request = client.get(format!("{base}/api/v1/cases/{id}")).bearer_auth(key);
        async move {
            let response = request.send().await.ok()?;
            (response.status() == reqwest::StatusCode::OK).then_some(())?;
            response.bytes().await.ok().map(|_| ())
        }
    })
    .await
}

/// Runs `concurrency` loops of `request` until the time is up, timing each.
pub(crate) async fn run_phase<F, Fut>(name: &str, concurrency: usize, seconds: u64, request: F) -> anyhow::Result<Phase>
where
    F: Fn(usize) -> Fut + Sync,
    Fut: std::future::Future<Output = Option<()>>,
{
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let request = &request;
    let workers = (0..concurrency).map(|worker| async move {
        let mut latency = histogram()?;
        let (mut ok, mut failed, mut i) = (0u64, 0u64, worker * 7919);
        while Instant::now() < deadline {
            let sent = Instant::now();
            match request(i).await {
                Some(()) => {
                    ok += 1;
                    latency.saturating_record(u64::try_from(sent.elapsed().as_micros()).unwrap_or(u64::MAX));
                }
                None => failed += 1,
            }
            i += 1;
        }
        anyhow::Ok((ok, failed, latency))
    });
    let results = join_all(workers).await;
    let elapsed = started.elapsed();
    let mut phase = Phase { name: name.to_owned(), concurrency, ok: 0, failed: 0, elapsed, latency_us: histogram()? };
    for result in results {
        let (ok, failed, latency) = result?;
        phase.ok += ok;
        phase.failed += failed;
        phase.latency_us.add(&latency).context("cannot merge latency histograms")?;
    }
    Ok(phase)
}

/// Polls all futures on the current task: the load generator needs concurrency, not threads.
pub(crate) async fn join_all<T>(futures: impl Iterator<Item = impl std::future::Future<Output = T>>) -> Vec<T> {
    let mut pinned: Vec<_> = futures.map(Box::pin).collect();
    let mut results: Vec<Option<T>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, slot) in pinned.iter_mut().zip(results.iter_mut()) {
            if slot.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *slot = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    results.into_iter().flatten().collect()
}

/// Cases per second inserted straight into SQLite, `per_commit` cases per transaction: the
/// case row, its first message and its two timeline entries, with the store's case counter,
/// exactly as the server writes them.
fn raw_insert_rate(path: &Path, seconds: u64, per_commit: usize) -> anyhow::Result<f64> {
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    redress_storage::sqlite::SqliteStorage::migrate_path(path)?;
    let conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let store_id = StoreId::from_uuid(uuid::Uuid::now_v7());
    conn.execute(
        "INSERT INTO stores (id, slug, created_at_us, doc) VALUES (?1, 'raw', 0, '{}')",
        [store_id.to_string()],
    )?;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut cases = 0u64;
    while Instant::now() < deadline {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        for _ in 0..per_commit {
            let number: i64 = conn
                .prepare_cached("UPDATE stores SET next_case_number = next_case_number + 1 WHERE id = ?1 RETURNING next_case_number - 1")?
                .query_row([store_id.to_string()], |row| row.get(0))?;
            let (case, message, entries) = sample_rows(store_id, number)?;
            conn.prepare_cached(
                "INSERT INTO cases (id, store_id, number, status, kind, priority, assignee, order_id, created_at_us, version, doc)
                 VALUES (?1, ?2, ?3, 'new', 'damaged_in_transit', 'urgent', NULL, NULL, ?4, 1, ?5)",
            )?
            .execute(params![case.id.to_string(), store_id.to_string(), number, case.created_at.unix_timestamp(), serde_json::to_string(&case)?])?;
            conn.prepare_cached(
                "INSERT INTO messages (id, store_id, case_id, created_at_us, doc) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                message.id.to_string(),
                store_id.to_string(),
                case.id.to_string(),
                0,
                serde_json::to_string(&message)?
            ])?;
            for entry in &entries {
                conn.prepare_cached("INSERT INTO timeline (store_id, case_id, at_us, doc) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![store_id.to_string(), case.id.to_string(), 0, serde_json::to_string(entry)?])?;
            }
            cases += 1;
        }
        conn.execute_batch("COMMIT")?;
    }
    Ok(cases as f64 / started.elapsed().as_secs_f64())
}

fn sample_rows(store_id: StoreId, number: i64) -> anyhow::Result<(Case, Message, Vec<redress_domain::TimelineEntry>)> {
    let now = SystemClock.now();
    let case_id = CaseId::from_uuid(uuid::Uuid::now_v7());
    let message = Message {
        id: MessageId::from_uuid(uuid::Uuid::now_v7()),
        store_id,
        case_id,
        direction: Direction::Inbound,
        channel: Channel::Email,
        author: Actor::Customer { handle: "ana@example.com".into() },
        body: BODY.into(),
        attachments: vec![],
        created_at: now,
    };
    let change = Case::open(
        NewCase {
            id: case_id,
            store_id,
            order_id: None,
            customer_id: None,
            customer_email: Some(EmailAddress::parse("ana@example.com")?),
            subject: "Jarrón roto".into(),
            kind: IssueKind::DamagedInTransit,
            language: LanguageTag::parse("es")?,
            sentiment: Sentiment::Negative,
            escalation: BTreeSet::new(),
            first_message: message.clone(),
            opened_by: Actor::Customer { handle: "ana@example.com".into() },
            understood: None,
            lines: Vec::new(),
        },
        CaseNumber(u64::try_from(number).unwrap_or(0)),
        now,
    )?;
    Ok((change.case, message, change.entries))
}

/// `redress bench --pages`: the agent workspace's inbox and case pages over HTTP with the demo
/// data (the sample shop and its team on a fresh SQLite file), signed in as the demo agent:
/// requests per second, latency, and the bytes of each page as sent (no compression).
pub async fn pages(seconds: u64, levels: &[usize]) -> anyhow::Result<()> {
    if seconds == 0 || levels.is_empty() || levels.contains(&0) {
        anyhow::bail!("give --seconds above 0 and concurrency levels above 0, e.g. --concurrency 1,16");
    }
    let dir = tempfile::Builder::new().prefix("redress-bench-pages-").tempdir()?;
    let storage: Arc<dyn redress_storage::Storage> =
        Arc::new(redress_storage::sqlite::SqliteStorage::open(&dir.path().join("pages.db")).await?);
    let shop = crate::sample_shop::sample_shop(20261123, SystemClock.now());
    let counts = crate::demo::seed(storage.clone(), &shop).await?;
    let password = "bench pages password";
    let [(agent, _), ..] = crate::demo::seed_team(storage.as_ref(), &shop.store, password).await?;
    let app =
        redress_web::router(redress_web::AppState::new(redress_app::App::new(storage), "bench-admin-key-not-secret"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/desk/{}", listener.local_addr()?, shop.store.slug);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).pool_max_idle_per_host(1024).build()?;
    let signed_in =
        client.post(format!("{base}/signin")).form(&[("email", agent.as_str()), ("password", password)]).send().await?;
    let cookie = signed_in
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("signing in gave no session cookie")?
        .to_owned();
    // Every case of the shop, from the inbox of all statuses.
    let all =
        client.get(format!("{base}?status=all")).header(reqwest::header::COOKIE, &cookie).send().await?.text().await?;
    let case_paths: Vec<String> = all
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.contains("/cases/"))
        .map(|href| href.split("/desk/").nth(1).map(|p| format!("/desk/{p}")).unwrap_or_default())
        .collect();
    if case_paths.is_empty() {
        anyhow::bail!("the inbox listed no cases; is the workspace broken?");
    }
    let origin = base.split("/desk/").next().unwrap_or_default().to_owned();
    let inbox_bytes = client.get(&base).header(reqwest::header::COOKIE, &cookie).send().await?.bytes().await?.len();
    let mut case_bytes = Vec::new();
    for path in &case_paths {
        case_bytes.push(
            client
                .get(format!("{origin}{path}"))
                .header(reqwest::header::COOKIE, &cookie)
                .send()
                .await?
                .bytes()
                .await?
                .len(),
        );
    }
    case_bytes.sort_unstable();
    println!(
        "redress bench --pages: {} orders, {} cases of the sample shop on SQLite, signed in as {agent}, {seconds} s per phase",
        counts.orders, counts.cases
    );
    let mut phases = Vec::new();
    for &concurrency in levels {
        eprintln!("  measuring the inbox at concurrency {concurrency} ...");
        phases.push(
            run_phase("inbox page", concurrency, seconds, |_| {
                let request = client.get(&base).header(reqwest::header::COOKIE, &cookie);
                async move { page_ok(request).await }
            })
            .await?,
        );
        eprintln!("  measuring case pages at concurrency {concurrency} ...");
        phases.push(
            run_phase("case page", concurrency, seconds, |i| {
                let path = &case_paths[i % case_paths.len()];
                let request = client.get(format!("{origin}{path}")).header(reqwest::header::COOKIE, &cookie);
                async move { page_ok(request).await }
            })
            .await?,
        );
    }
    server.abort();
    println!(
        "\n{:<14} {:>4} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "phase", "conc", "req/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for phase in &phases {
        phase.print();
    }
    let median = case_bytes[case_bytes.len() / 2];
    let largest = case_bytes.last().copied().unwrap_or_default();
    println!("\npage sizes as sent (HTML with its inline CSS, no images, no scripts, not compressed):");
    println!("  inbox (open cases)            {inbox_bytes:>8} bytes");
    println!("  case page, median of {:>3}     {median:>8} bytes (largest {largest})", case_bytes.len());
    Ok(())
}

/// True when a page answered 200 with a body.
async fn page_ok(request: reqwest::RequestBuilder) -> Option<()> {
    let response = request.send().await.ok()?;
    if response.status() != reqwest::StatusCode::OK {
        return None;
    }
    (!response.bytes().await.ok()?.is_empty()).then_some(())
}
