//! `redress`: the post-purchase resolution desk, as one binary.
//!
//! This crate only wires the others together: command-line parsing, logging, the server's
//! start and graceful stop, the demo's sample shop, and the benchmark.

mod backup;
mod bench;
mod bench_analytics;
mod bench_inbox;
mod bench_platforms;
mod demo;
mod import;
mod reconcile;
mod sample_shop;
mod scale;
mod server;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};

/// Redress: a post-purchase resolution desk for online shops.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines are written to standard error: `text` for people (coloured only on a
    /// terminal), `json` for a log collector (one object per line).
    #[arg(long, global = true, env = "REDRESS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

/// The format of log lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Logs to standard error, filtered by `RUST_LOG` (default: info, quieter for HTTP and SQL).
fn start_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs.json().init(),
        // Colour codes only where a person reads them; a file or a collector gets plain text.
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

// Parsed once at start; the size of the largest variant (serve's flags) costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Start the server on a fresh SQLite database seeded with a sample shop.
    Demo {
        /// Address to listen on.
        #[arg(long, env = "REDRESS_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Directory for the demo database (a fresh temporary one if absent, removed on exit).
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Address the SMTP receiver listens on (a free port if absent; printed at start).
        #[arg(long, env = "REDRESS_SMTP_LISTEN", default_value = "127.0.0.1:0")]
        smtp_listen: SocketAddr,
        /// The relay answers are sent through (see `serve --help`); answers stay in the outbox
        /// when absent.
        #[arg(long, env = "REDRESS_SMTP_RELAY", hide_env_values = true)]
        smtp_relay: Option<String>,
        /// Also start a local fake of Shopify connected to the sample shop: a few of its orders
        /// arrive by signed webhooks at start, more with "sync now".
        #[arg(long)]
        with_fake_shopify: bool,
    },
    /// Run the server.
    Serve {
        /// `sqlite://path/to/redress.db` (or a bare path) or `postgres://user@host/db`.
        #[arg(long, env = "REDRESS_DATABASE_URL", default_value = "sqlite://redress.db")]
        database_url: String,
        /// Address to listen on.
        #[arg(long, env = "REDRESS_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The admin key for store setup (`POST /api/v1/stores`). Use a long random secret.
        #[arg(long, env = "REDRESS_ADMIN_KEY", hide_env_values = true)]
        admin_key: String,
        /// The payment provider refunds go through.
        #[command(flatten)]
        payments: server::PaymentOptions,
        /// How much the server takes on at once.
        #[command(flatten)]
        limits: server::LoadLimits,
        /// Channels: email in and out, messaging apps.
        #[command(flatten)]
        channels: server::ChannelOptions,
        /// 64 hex digits (`openssl rand -hex 32`): the key shop platforms' credentials are kept
        /// encrypted under. Connecting a platform is refused without it; changing it makes the
        /// stored credentials unreadable (connect again).
        #[arg(long, env = "REDRESS_SECRETS_KEY", hide_env_values = true)]
        secrets_key: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        /// `sqlite://path/to/redress.db` (or a bare path) or `postgres://user@host/db`.
        #[arg(long, env = "REDRESS_DATABASE_URL", default_value = "sqlite://redress.db")]
        database_url: String,
    },
    /// Check every payment's captured, refunded and reserved amounts against the ledger and the
    /// refund intents; lists what disagrees and exits with failure if anything does.
    Reconcile {
        /// `sqlite://path/to/redress.db` (or a bare path) or `postgres://user@host/db`.
        #[arg(long, env = "REDRESS_DATABASE_URL")]
        database_url: String,
        /// Only this store (its slug); every store if absent.
        #[arg(long)]
        store: Option<String>,
    },
    /// Copy a SQLite database to a new file while servers keep using it (SQLite's online
    /// backup: one consistent moment, integrity checked).
    Backup {
        /// `sqlite://path/to/redress.db` (or a bare path).
        #[arg(long, env = "REDRESS_DATABASE_URL", default_value = "sqlite://redress.db")]
        database_url: String,
        /// The new file to write; an existing file is never overwritten.
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place as a new SQLite database (the file must not exist: move the old
    /// one away with the servers stopped), then apply newer migrations.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// `sqlite://path/to/redress.db` (or a bare path) to create.
        #[arg(long, env = "REDRESS_DATABASE_URL", default_value = "sqlite://redress.db")]
        database_url: String,
    },
    /// Bring data in from files.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Print the OpenAPI document of the HTTP API.
    Openapi,
    /// Train the message-understanding models (seeded, reproducible) and write the model file
    /// that the next build ships.
    Train {
        /// The public data sets' folder; their training splits are added to the project's own
        /// examples. `-` trains on the project's own examples only.
        #[arg(long, default_value = "../shared/data")]
        shared_data: PathBuf,
        /// Where to write the model.
        #[arg(long, default_value = "crates/redress-text/model/redress-text.bin")]
        out: PathBuf,
        /// Seed for shuffling and sampling.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Evaluate the shipped models on the held-out set and each public test split.
    Eval {
        /// The public data sets' folder.
        #[arg(long, default_value = "../shared/data")]
        shared_data: PathBuf,
    },
    /// Read one JSON object per line on standard input (`{"text": "...", "lang": "optional"}`)
    /// and write one analysis per line on standard output.
    Understand,
    /// Measure case creation and reads over HTTP against a fresh SQLite database, beside the
    /// raw SQLite insert rate on the same machine.
    Bench {
        /// Seconds each measured phase runs.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Concurrency levels to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "16,64")]
        concurrency: Vec<usize>,
        /// Measure the agent workspace's inbox and case pages with the demo data instead.
        #[arg(long)]
        pages: bool,
        /// Scale-out: start this many `redress serve` processes on one fresh database on the
        /// PostgreSQL server of --database-url and load them together.
        #[arg(long, requires = "database_url")]
        servers: Option<usize>,
        /// The PostgreSQL server for --servers, --inbox or --analytics (a scratch database is created and
        /// dropped).
        #[arg(long)]
        database_url: Option<String>,
        /// Measure Shopify's webhooks in and the back-fill against the local fake of Shopify
        /// instead.
        #[arg(long, conflicts_with = "pages")]
        platforms: bool,
        /// Orders in the fake shop for the back-fill (with --platforms).
        #[arg(long, default_value_t = 1000)]
        backfill_orders: u32,
        /// Measure the desk inbox (ranking, count, filters, search) over a store of this many
        /// cases instead, loaded in batches; on PostgreSQL with --database-url (a scratch
        /// database is created and dropped), else on SQLite.
        #[arg(long, conflicts_with_all = ["pages", "platforms", "servers"])]
        inbox: Option<u64>,
        /// Measure the analytics report and insights over a store of this many cases instead,
        /// loaded as --inbox loads them (the rollup kept by the database's triggers).
        #[arg(long, conflicts_with_all = ["pages", "platforms", "servers", "inbox"])]
        analytics: Option<u64>,
        /// Timed rounds of each inbox or analytics query (with --inbox or --analytics).
        #[arg(long, default_value_t = 200)]
        rounds: usize,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import orders from a CSV file into a store: every order, or, when any row is refused,
    /// none (each refused row is listed with its line and reason, and the exit status is 1).
    Orders {
        /// The CSV file (columns: order_number, placed_at, customer_email, customer_name,
        /// currency, sku, … as `redress-connect`'s `csv_import` documents).
        file: PathBuf,
        /// `sqlite://path/to/redress.db` (or a bare path) or `postgres://user@host/db`.
        #[arg(long, env = "REDRESS_DATABASE_URL")]
        database_url: String,
        /// The store's slug.
        #[arg(long)]
        store: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    start_logging(cli.log_format);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    runtime.block_on(async {
        match cli.command {
            Command::Demo { listen, data_dir, smtp_listen, smtp_relay, with_fake_shopify } => {
                demo::run(listen, data_dir, smtp_listen, smtp_relay.as_deref(), with_fake_shopify).await
            }
            Command::Serve { database_url, listen, admin_key, payments, limits, channels, secrets_key } => {
                if admin_key.len() < 16 {
                    anyhow::bail!(
                        "the admin key must be at least 16 characters; generate one with `openssl rand -hex 24`"
                    );
                }
                let storage = redress_storage::connect(&database_url)
                    .await
                    .with_context(|| format!("cannot open the database at {database_url}"))?;
                let secrets_key = secrets_key
                    .as_deref()
                    .map(redress_app::platforms::SecretsKey::parse)
                    .transpose()
                    .context("--secrets-key")?;
                let options = server::ServeOptions { payments, limits, channels, secrets_key };
                server::serve(storage, &admin_key, listen, &options).await
            }
            Command::Import { what: ImportCommand::Orders { file, database_url, store } } => {
                if import::orders(&database_url, &store, &file).await? { Ok(()) } else { std::process::exit(1) }
            }
            Command::Migrate { database_url } => {
                let applied = redress_storage::migrate(&database_url)
                    .await
                    .with_context(|| format!("cannot migrate the database at {database_url}"))?;
                println!("applied {applied} migration(s); the database at {database_url} is up to date");
                Ok(())
            }
            Command::Reconcile { database_url, store } => {
                if reconcile::run(&database_url, store.as_deref()).await? {
                    Ok(())
                } else {
                    std::process::exit(1)
                }
            }
            Command::Backup { database_url, to } => backup::backup(&database_url, &to).await,
            Command::Restore { from, database_url } => backup::restore(&from, &database_url).await,
            Command::Openapi => {
                println!("{}", serde_json::to_string_pretty(&redress_web::openapi())?);
                Ok(())
            }
            Command::Bench { inbox: Some(cases), rounds, database_url, .. } => {
                bench_inbox::run(bench_inbox::Mode::Inbox, cases, rounds, database_url.as_deref()).await
            }
            Command::Bench { analytics: Some(cases), rounds, database_url, .. } => {
                bench_inbox::run(bench_inbox::Mode::Analytics, cases, rounds, database_url.as_deref()).await
            }
            Command::Bench { seconds, concurrency, servers: Some(servers), database_url: Some(url), .. } => {
                scale::run(&url, servers, seconds, &concurrency).await
            }
            Command::Bench { database_url: Some(_), .. } => {
                anyhow::bail!("--database-url goes with --servers, --inbox or --analytics")
            }
            Command::Bench { seconds, concurrency, platforms: true, backfill_orders, .. } => {
                bench_platforms::run(seconds, &concurrency, backfill_orders).await
            }
            Command::Bench { seconds, concurrency, pages: false, .. } => bench::run(seconds, &concurrency).await,
            Command::Bench { seconds, concurrency, pages: true, .. } => bench::pages(seconds, &concurrency).await,
            Command::Train { shared_data, out, seed } => {
                let shared = (shared_data.as_os_str() != "-").then_some(shared_data);
                let mut options = redress_text::TrainOptions::default();
                if let Some(seed) = seed {
                    options.seed = seed;
                }
                eprintln!(
                    "training on the project's own examples{} (seed {}); this takes a minute or two ...",
                    shared
                        .as_ref()
                        .map_or_else(String::new, |d| format!(" and the training splits in {}", d.display())),
                    options.seed
                );
                let started = std::time::Instant::now();
                let summary = tokio::task::spawn_blocking(move || {
                    redress_text::train(shared.as_deref(), &out, &options).map(|s| (s, out))
                })
                .await?
                .context("training failed")?;
                print!("{}", summary.0);
                println!("wrote {} in {:.1?}; rebuild to ship it", summary.1.display(), started.elapsed());
                Ok(())
            }
            Command::Eval { shared_data } => {
                if !shared_data.is_dir() {
                    anyhow::bail!(
                        "{} is not a folder; point --shared-data at the public data sets",
                        shared_data.display()
                    );
                }
                eprintln!("evaluating the shipped model on {} ...", shared_data.display());
                let report = tokio::task::spawn_blocking(move || {
                    redress_text::evaluate(&shared_data, redress_text::Understanding::shipped())
                })
                .await?
                .context("evaluation failed")?;
                println!("{report}");
                Ok(())
            }
            Command::Understand => {
                let summary = tokio::task::spawn_blocking(|| {
                    redress_text::understand_jsonl(
                        std::io::stdin().lock(),
                        std::io::BufWriter::new(std::io::stdout().lock()),
                    )
                })
                .await??;
                eprintln!(
                    "understood {} message(s); {} line(s) answered with an error",
                    summary.analysed, summary.errors
                );
                Ok(())
            }
        }
    })
}
