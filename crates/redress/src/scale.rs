//! `redress bench --database-url postgres://… --servers N`: several `redress serve` processes
//! on one fresh PostgreSQL database, loaded together with case creations, each server's rate
//! and p99 printed beside the total and beside the database server's own single-row commit
//! rate measured in the same run. The scratch database is dropped afterwards.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use redress_storage::postgres::ScratchDatabase;

use crate::bench::{BODY, Phase, create_store, histogram, join_all, run_phase};

const ADMIN_KEY: &str = "scale-bench-admin-key-not-secret";

/// One `redress serve` child and its address.
struct Server {
    process: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Stopped with the bench whatever happens, so nothing is left running.
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Starts this binary's `serve` on `database_url` on a free port and waits for its address.
fn start(database_url: &str) -> anyhow::Result<Server> {
    let mut process = Command::new(std::env::current_exe().context("cannot find this program")?)
        .args(["serve", "--database-url", database_url, "--listen", "127.0.0.1:0", "--admin-key", ADMIN_KEY])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start a server")?;
    let stdout = process.stdout.take().context("no stdout from the server")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("redress listening on ").map(str::to_owned));
    std::thread::spawn(move || lines.for_each(drop));
    let Some(base) = base else {
        let _ = process.kill();
        anyhow::bail!("a server stopped before listening; see its error above");
    };
    Ok(Server { process, base })
}

/// Runs the scale-out benchmark.
pub async fn run(database_url: &str, servers: usize, seconds: u64, levels: &[usize]) -> anyhow::Result<()> {
    if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
        anyhow::bail!("--servers needs a PostgreSQL --database-url: several servers share one PostgreSQL database");
    }
    if servers == 0 || seconds == 0 || levels.is_empty() || levels.contains(&0) {
        anyhow::bail!("give --servers, --seconds and concurrency levels above 0");
    }
    let scratch = ScratchDatabase::create(database_url)
        .await
        .with_context(|| format!("cannot create a scratch database on {database_url}"))?;
    let outcome = measure(&scratch, servers, seconds, levels).await;
    if let Err(e) = scratch.remove().await {
        eprintln!("the scratch database could not be dropped: {e}");
    }
    outcome
}

async fn measure(scratch: &ScratchDatabase, servers: usize, seconds: u64, levels: &[usize]) -> anyhow::Result<()> {
    let url = scratch.url();
    eprintln!("  starting {servers} server(s) on {url} ...");
    // The first applies the migrations; the others start on a migrated database.
    let mut running = vec![start(&url)?];
    for _ in 1..servers {
        running.push(start(&url)?);
    }
    let client = reqwest::Client::builder().pool_max_idle_per_host(1024).build()?;
    let key = create_store(&client, &running[0].base, ADMIN_KEY, "scale").await?.key;
    let body = serde_json::json!({
        "subject": "Jarrón roto", "channel": "email", "kind": "damaged_in_transit", "language": "es",
        "sentiment": "negative", "customer_email": "ana@example.com", "message": {"body": BODY}
    });

    println!(
        "redress bench: {servers} server process(es) on one PostgreSQL database, case creations over HTTP, {seconds} s per level"
    );
    println!(
        "\n{:<14} {:>4} {:>10} {:>10} {:>10} {:>10} {:>8}",
        "server", "conc", "cases/s", "p50 ms", "p99 ms", "max ms", "errors"
    );
    for &concurrency in levels {
        eprintln!("  loading all servers together at concurrency {concurrency} in total ...");
        let per_server = concurrency.div_ceil(servers);
        let phases = join_all(running.iter().enumerate().map(|(index, server)| {
            let url = format!("{}/api/v1/cases", server.base);
            let (client, key, body) = (&client, &key, &body);
            async move {
                run_phase(&format!("server {}", index + 1), per_server, seconds, |_| {
                    let request = client.post(&url).bearer_auth(key).json(body);
                    async move { (request.send().await.ok()?.status() == reqwest::StatusCode::CREATED).then_some(()) }
                })
                .await
            }
        }))
        .await;
        let mut total = Phase {
            name: "all servers".into(),
            concurrency: per_server * servers,
            ok: 0,
            failed: 0,
            elapsed: Duration::ZERO,
            latency_us: histogram()?,
        };
        for phase in phases {
            let phase = phase?;
            phase.print();
            total.ok += phase.ok;
            total.failed += phase.failed;
            total.elapsed = total.elapsed.max(phase.elapsed);
            total.latency_us.add(&phase.latency_us).context("cannot merge latency histograms")?;
        }
        total.print();
    }
    drop(running);

    let connections = u32::try_from(levels.iter().copied().max().unwrap_or(16).min(64)).unwrap_or(64);
    eprintln!("  measuring PostgreSQL's own rate of single-row commits with {connections} connections ...");
    let raw = scratch.raw_commit_rate(connections, seconds).await?;
    println!("\nraw PostgreSQL, one 500-byte row per commit, {connections} connections: {raw:>10.0} commits/s");
    println!("(a case creation writes the case, its first message and its timeline entries in one transaction)");
    Ok(())
}
