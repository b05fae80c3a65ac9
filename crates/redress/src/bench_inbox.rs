//! `redress bench --inbox N`: the desk inbox over a store of N cases (1,000,000 is the target
//! of issue 18): loads them in batches straight into a fresh database (SQLite in a temporary
//! folder, or a scratch PostgreSQL database with `--database-url`), then times the inbox's
//! use case (`redress_app::inbox::inbox`: ranking, the true count, search with its typo
//! correction) for the default view, each filter and several searches, and prints p50 and p99.
//! Figures, not pass/fail: the target is p99 ≤ 50 ms for every line. `--analytics N` loads
//! the same way and measures the analytics instead (`bench_analytics.rs`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use redress_app::App;
use redress_app::caller::Caller;
use redress_app::clock::{Clock, SystemClock};
use redress_app::inbox::{InboxRequest, inbox};
use redress_domain::approval::Role;
use redress_domain::inbox::InboxFilter;
use redress_domain::{
    Actor, AgentId, Assignee, Case, CaseId, CaseNumber, CaseStatus, Channel, Currency, Direction, EmailAddress,
    EscalationSignal, IssueKind, LanguageTag, Message, MessageId, NewCase, Priority, Sentiment, Store, StoreId,
    StoreSlug,
};
use redress_storage::Storage;
use redress_storage::postgres::{PostgresStorage, ScratchDatabase};
use redress_storage::sqlite::SqliteStorage;
use time::{Duration, OffsetDateTime};

use crate::bench::histogram;

/// Cases per loading batch.
const BATCH: u64 = 5_000;

/// Team members cases are assigned to.
const AGENTS: u128 = 12;

/// What customers write about, with the product filled in.
const SUBJECTS: &[&str] = &[
    "Charged twice for my {}",
    "Where is my {}?",
    "The {} arrived broken",
    "Wrong size {} received",
    "I want to return the {}",
    "Refund for the {} not received",
    "Cancel my order of the {}",
    "Parcel with the {} is late",
    "Change the delivery address for the {}",
    "The {} stopped working after a week",
    "Missing parts in the {} box",
    "Discount code not applied to the {}",
];

/// Products, so that a product's word is in about one subject of this many.
const PRODUCTS: &[&str] = &[
    "vase",
    "boots",
    "mug",
    "lamp",
    "jacket",
    "sofa",
    "kettle",
    "blender",
    "headphones",
    "backpack",
    "scarf",
    "watch",
    "sneakers",
    "teapot",
    "mirror",
    "rug",
    "pillow",
    "blanket",
    "toaster",
    "jeans",
    "dress",
    "shirt",
    "candle",
    "bracelet",
    "wallet",
    "umbrella",
    "bicycle",
    "helmet",
    "stroller",
    "monitor",
    "keyboard",
    "charger",
    "speaker",
    "camera",
    "tripod",
    "desk",
    "chair",
    "bookshelf",
    "curtains",
    "towels",
];

const FIRST_NAMES: &[&str] = &["ana", "tomasz", "maria", "joao", "siti", "lucia", "pedro", "ewa", "budi", "sofia"];
const LAST_NAMES: &[&str] = &["kowalska", "silva", "garcia", "santoso", "nowak", "lopez", "costa", "wijaya"];

/// What a run measures over the loaded store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The desk inbox (`--inbox N`).
    Inbox,
    /// The analytics report and insights (`--analytics N`): each case is also about one of
    /// the store's SKUs, so the rollup has as many values as a real catalogue.
    Analytics,
}

/// Runs the benchmark on SQLite, or on PostgreSQL when `database_url` is given.
pub async fn run(mode: Mode, cases: u64, rounds: usize, database_url: Option<&str>) -> anyhow::Result<()> {
    if cases == 0 || rounds == 0 {
        anyhow::bail!("give --inbox or --analytics above 0 and --rounds above 0, e.g. --inbox 1000000");
    }
    match database_url {
        Some(url) => {
            let scratch = ScratchDatabase::create(url)
                .await
                .with_context(|| format!("cannot create a scratch database on {url}"))?;
            let outcome = async {
                let storage = PostgresStorage::connect(&scratch.url()).await?;
                let loader = storage.clone();
                measure(mode, "PostgreSQL", Arc::new(storage), cases, rounds, move |batch| {
                    let loader = loader.clone();
                    async move { Ok(loader.load_cases(&batch).await?) }
                })
                .await
            }
            .await;
            if let Err(e) = scratch.remove().await {
                eprintln!("the scratch database could not be dropped: {e}");
            }
            outcome
        }
        None => {
            let dir = tempfile::tempdir()?;
            let storage = SqliteStorage::open(&dir.path().join("inbox.db")).await?;
            let loader = storage.clone();
            measure(mode, "SQLite", Arc::new(storage), cases, rounds, move |batch| {
                let loader = loader.clone();
                async move { Ok(loader.load_cases(batch).await?) }
            })
            .await
        }
    }
}

async fn measure<F, Fut>(
    mode: Mode,
    backend: &str,
    storage: Arc<dyn Storage>,
    cases: u64,
    rounds: usize,
    load: F,
) -> anyhow::Result<()>
where
    F: Fn(Vec<Case>) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let now = SystemClock.now();
    let store = Store {
        id: StoreId::from_uuid(uuid::Uuid::now_v7()),
        slug: StoreSlug::parse("inbox-bench")?,
        name: "Inbox bench".into(),
        default_currency: Currency::from_code("EUR")?,
        default_language: LanguageTag::parse("en")?,
        created_at: now,
    };
    storage.create_store(&store).await?;
    let mut rng = StdRng::seed_from_u64(18);
    let started = Instant::now();
    let mut number = 0;
    while number < cases {
        let batch: Vec<Case> = (number..(number + BATCH).min(cases))
            .map(|n| {
                let mut case = sample_case(&mut rng, store.id, n + 1, now)?;
                if mode == Mode::Analytics {
                    crate::bench_analytics::about_a_product(&mut rng, &mut case);
                }
                Ok(case)
            })
            .collect::<anyhow::Result<_>>()?;
        number += batch.len() as u64;
        load(batch).await?;
        if number % 100_000 < BATCH || number == cases {
            eprintln!("  loaded {number} cases in {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    storage.search().analyze().await?;
    if mode == Mode::Analytics {
        storage.analytics().settle().await?;
    }
    let loading = started.elapsed();
    if mode == Mode::Analytics {
        return crate::bench_analytics::measure(App::new(storage), store.id, backend, cases, loading, rounds).await;
    }
    println!(
        "redress bench --inbox: {backend}, {cases} cases in one store (loaded in {:.0} s, {:.0} cases/s), {rounds} rounds per query",
        loading.as_secs_f64(),
        cases as f64 / loading.as_secs_f64()
    );
    println!("{:<34} {:>9} {:>10} {:>10} {:>10}", "query", "count", "p50 ms", "p99 ms", "max ms");
    let app = App::new(storage);
    let caller = Caller::Member { store_id: store.id, agent_id: agent(1), name: "Bench".into(), role: Role::Agent };
    let open = vec![CaseStatus::New, CaseStatus::Open, CaseStatus::WaitingOnCustomer, CaseStatus::WaitingOnThirdParty];
    let default = InboxRequest { statuses: open.clone(), limit: 100, ..InboxRequest::default() };
    let words = |text: &str| InboxRequest {
        filter: InboxFilter { search: Some(text.into()), ..InboxFilter::default() },
        ..default.clone()
    };
    let filter = |filter: InboxFilter| InboxRequest { filter, ..default.clone() };
    let queries: Vec<(&str, InboxRequest)> = vec![
        ("inbox (open cases)", default.clone()),
        ("all statuses", InboxRequest { statuses: Vec::new(), ..default.clone() }),
        (
            "status waiting on customer",
            InboxRequest { statuses: vec![CaseStatus::WaitingOnCustomer], ..default.clone() },
        ),
        ("kind wrong charge", InboxRequest { kind: Some(IssueKind::WrongCharge), ..default.clone() }),
        ("assigned to me", InboxRequest { assignee: Some(agent(1)), ..default.clone() }),
        ("nobody assigned", filter(InboxFilter { unassigned: true, ..InboxFilter::default() })),
        ("language pl", filter(InboxFilter { language: Some("pl".into()), ..InboxFilter::default() })),
        ("channel phone", filter(InboxFilter { channel: Some(Channel::Phone), ..InboxFilter::default() })),
        ("escalated", filter(InboxFilter { escalated: Some(true), ..InboxFilter::default() })),
        (
            "kind + language + escalated",
            InboxRequest {
                kind: Some(IssueKind::WrongCharge),
                filter: InboxFilter { language: Some("pl".into()), escalated: Some(true), ..InboxFilter::default() },
                ..default.clone()
            },
        ),
        ("search \"vase\"", words("vase")),
        ("search \"charged twice\"", words("charged twice")),
        ("search \"chargd twce\" (typos)", words("chargd twce")),
        ("search \"chargd twce vase\"", words("chargd twce vase")),
        ("search \"ana kowalska\"", words("ana kowalska")),
        ("search case number", words(&format!("#{}", cases / 2))),
        ("search, nothing found", words("xylophone")),
    ];
    let mut all = histogram()?;
    for (name, request) in queries {
        let mut latency = histogram()?;
        let mut count = 0;
        for round in 0..rounds + 2 {
            let started = Instant::now();
            let found = inbox(&app, &caller, request.clone()).await?;
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX).max(1);
            // The first two rounds warm the caches and are not counted.
            if round >= 2 {
                latency.record(micros)?;
                all.record(micros)?;
            }
            count = found.total;
        }
        println!(
            "{name:<34} {count:>9} {:>10.2} {:>10.2} {:>10.2}",
            latency.value_at_quantile(0.50) as f64 / 1000.0,
            latency.value_at_quantile(0.99) as f64 / 1000.0,
            latency.max() as f64 / 1000.0
        );
    }
    println!(
        "{:<34} {:>9} {:>10.2} {:>10.2} {:>10.2}",
        "every query",
        "",
        all.value_at_quantile(0.50) as f64 / 1000.0,
        all.value_at_quantile(0.99) as f64 / 1000.0,
        all.max() as f64 / 1000.0
    );
    Ok(())
}

fn agent(n: u128) -> AgentId {
    AgentId::from_uuid(uuid::Uuid::from_u128(n))
}

/// Picks by weight: `choices` are (weight, value).
fn weighted<T: Copy>(rng: &mut StdRng, choices: &[(u32, T)]) -> T {
    let total: u32 = choices.iter().map(|(weight, _)| weight).sum();
    let mut pick = rng.random_range(0..total.max(1));
    for (weight, value) in choices {
        if pick < *weight {
            return *value;
        }
        pick -= weight;
    }
    choices[0].1
}

/// One case of a store that has been answering customers for two years: most finished, the
/// rest spread over the open statuses, priorities, kinds, languages, channels and agents.
fn sample_case(rng: &mut StdRng, store_id: StoreId, number: u64, now: OffsetDateTime) -> anyhow::Result<Case> {
    let created = now - Duration::seconds(rng.random_range(0..2 * 365 * 86_400));
    let case_id = CaseId::from_uuid(uuid::Uuid::from_u128(rng.random()));
    let product = PRODUCTS[rng.random_range(0..PRODUCTS.len())];
    let subject = SUBJECTS[rng.random_range(0..SUBJECTS.len())].replace("{}", product);
    let email = format!(
        "{}.{}{}@example.com",
        FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())],
        LAST_NAMES[rng.random_range(0..LAST_NAMES.len())],
        rng.random_range(1..10_000)
    );
    let language = weighted(rng, &[(40, "en"), (20, "es"), (15, "pt"), (15, "pl"), (10, "id")]);
    let channel = weighted(
        rng,
        &[
            (50, Channel::Email),
            (20, Channel::Portal),
            (10, Channel::Chat),
            (10, Channel::Social),
            (5, Channel::Phone),
            (5, Channel::Api),
        ],
    );
    let escalation: BTreeSet<EscalationSignal> =
        if rng.random_range(0..100) < 3 { BTreeSet::from([EscalationSignal::Chargeback]) } else { BTreeSet::new() };
    let message = Message {
        id: MessageId::from_uuid(uuid::Uuid::from_u128(rng.random())),
        store_id,
        case_id,
        direction: Direction::Inbound,
        channel,
        author: Actor::Customer { handle: email.clone() },
        body: subject.clone(),
        attachments: vec![],
        created_at: created,
    };
    let mut case = Case::open(
        NewCase {
            id: case_id,
            store_id,
            order_id: None,
            customer_id: None,
            customer_email: Some(EmailAddress::parse(&email)?),
            subject,
            kind: IssueKind::ALL[rng.random_range(0..IssueKind::ALL.len())],
            language: LanguageTag::parse(language)?,
            sentiment: Sentiment::Neutral,
            escalation,
            first_message: message,
            opened_by: Actor::Customer { handle: email },
            understood: None,
            lines: Vec::new(),
        },
        CaseNumber(number),
        created,
    )?
    .case;
    case.status = weighted(
        rng,
        &[
            (10, CaseStatus::New),
            (15, CaseStatus::Open),
            (10, CaseStatus::WaitingOnCustomer),
            (5, CaseStatus::WaitingOnThirdParty),
            (20, CaseStatus::Resolved),
            (40, CaseStatus::Closed),
        ],
    );
    case.priority =
        weighted(rng, &[(20, Priority::Low), (50, Priority::Normal), (25, Priority::High), (5, Priority::Urgent)]);
    case.response_due_at = created + case.priority.response_target();
    if rng.random_range(0..100) >= 30 {
        let n = rng.random_range(1..=AGENTS);
        case.assignee = Some(Assignee { agent_id: agent(n), name: format!("Agent {n}") });
    }
    Ok(case)
}
