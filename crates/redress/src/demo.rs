//! `redress demo`: a server on a fresh SQLite file seeded with the sample shop, so a newcomer
//! sees real-looking orders and cases at once.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use redress_app::clock::{Clock, SystemClock};
use redress_app::keys::new_secret;
use redress_domain::desk::{Macro, MacroAction};
use redress_domain::dispute::{Dispute, DisputeReason, DisputeStatus};
use redress_domain::team::Agent;
use redress_domain::{Actor, AgentId, ApiKeyId, Case, CaseStatus, DisputeId, EscalationSignal, IssueKind, Store};
use redress_storage::{ApiKeyRecord, CaseUpdate, Storage};
use tokio::task::JoinSet;

use crate::sample_shop::{SampleCase, SampleShop, sample_shop};

/// The seed of the sample shop: the same shop every run.
const SEED: u64 = 20261123;

/// Starts the demo: seeds, prints how to reach it (the SMTP receiver on `smtp_listen` too, and
/// a fake Shopify when asked for), serves until Ctrl-C.
pub async fn run(
    listen: SocketAddr,
    data_dir: Option<PathBuf>,
    smtp_listen: SocketAddr,
    smtp_relay: Option<&str>,
    with_fake_shopify: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    // The temporary directory lives as long as this function, and is removed when it returns.
    let (_temporary, dir) = match data_dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
            (None, dir)
        }
        None => {
            let temporary = tempfile::Builder::new()
                .prefix("redress-demo-")
                .tempdir()
                .context("cannot create a temporary directory")?;
            let dir = temporary.path().to_path_buf();
            (Some(temporary), dir)
        }
    };
    let path = dir.join("redress-demo.db");
    if path.exists() {
        anyhow::bail!(
            "{} already exists: give an empty --data-dir, or leave it out for a fresh temporary one",
            path.display()
        );
    }
    let storage: Arc<dyn Storage> = Arc::new(redress_storage::sqlite::SqliteStorage::open(&path).await?);
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen}; is something else running there? try --listen 127.0.0.1:8081")
    })?;
    let smtp = crate::server::bind_smtp(smtp_listen).await?;
    let smtp_address = smtp.local_addr()?;
    let shop = sample_shop(SEED, SystemClock.now());
    let counts = seed(storage.clone(), &shop).await?;
    let support = redress_domain::EmailAddress::parse(&format!("support@{}.example", shop.store.slug))?;
    storage
        .channels()
        .set_support_addresses(shop.store.id, std::slice::from_ref(&support), SystemClock.now())
        .await
        .context("cannot set the sample store's support address")?;
    let relay = smtp_relay.map_or_else(
        || "answers wait in the outbox: give --smtp-relay smtp://127.0.0.1:2525?tls=none".to_owned(),
        |_| "answers are sent through --smtp-relay".to_owned(),
    );
    let admin_key = new_secret().replacen("rk_", "admin_", 1);
    let team_password = new_secret().replacen("rk_", "desk-", 1)[..17].to_owned();
    let team = seed_team(storage.as_ref(), &shop.store, &team_password).await?;
    seed_macros(storage.as_ref(), &shop.store).await?;
    let store_key = demo_key(storage.as_ref(), &shop.store, "demo integration", None).await?;
    let lead_key = demo_key(storage.as_ref(), &shop.store, "Leo's key", Some(team[1].1)).await?;
    let shop_admin_key = demo_key(storage.as_ref(), &shop.store, "Olga's key", Some(team[2].1)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let (customer_order, customer_email, customer_link) = sample_customer(storage.clone(), &shop, &admin_key, &url);
    let (waiting_order, waiting_email) = not_shipped(&shop);
    let (name, slug, database) = (&shop.store.name, &shop.store.slug, path.display());
    let (orders, cases, open, disputes) = (counts.orders, counts.cases, counts.open_cases, counts.disputes);
    let [(agent, _), (lead, _), (admin, _)] = &team;
    let seconds = started.elapsed().as_secs_f64();
    let removed = if _temporary.is_some() { " The temporary database is removed on exit." } else { "" };
    println!(
        "\nRedress demo: {name} ({orders} orders, {cases} cases, {open} still open, {disputes} with a bank dispute), ready in {seconds:.2} s\n\
         \n  Portal       {url}/s/{slug}  (as a customer: order {customer_order}, email {customer_email})\n\
         \x20 Signed link  {customer_link}\n\
         \x20 Not shipped  order {waiting_order}, email {waiting_email}  (its address can still change)\n\
         \n  Agent desk   {url}/desk/{slug}  (password {team_password} for agent {agent}, lead {lead}, admin {admin})\n\
         \n  SMTP         {smtp_address}  ({relay})\n\
         \x20 Support      {support}\n\
         \n  API          {url}/api/v1\n  OpenAPI      {url}/api/v1/openapi.json\n  Health       {url}/healthz\n\
         \x20 Database     {database}\n\
         \n  Store key    {store_key}  (integration: orders, cases, messages)\n\
         \x20 Lead key     {lead_key}  (Leo's personal key: approvals)\n\
         \x20 Admin key    {shop_admin_key}  (Olga's personal key: settings, team, policy)\n\
         \x20 Operator key {admin_key}  (sets up stores)\n\
         \nTry:\n  curl -H 'Authorization: Bearer {store_key}' '{url}/api/v1/cases?status=new,open&limit=5'\n\
         \nPress Ctrl-C to stop.{removed}\n"
    );
    let secrets_key = match with_fake_shopify {
        true => Some(fake_shopify(storage.clone(), &shop.store, &url, &shop_admin_key).await?),
        false => None,
    };
    let channels = crate::server::ChannelOptions {
        smtp_relay: smtp_relay.map(str::to_owned),
        public_url: Some(url.clone()),
        ..Default::default()
    };
    let options = crate::server::ServeOptions { channels, secrets_key, ..Default::default() };
    crate::server::serve_on(listener, Some(smtp), storage, &admin_key, &options).await
}

/// Orders the fake shop sends by webhook at start; as many older ones wait for "sync now".
const FAKE_SHOP_ORDERS: u32 = 5;

/// Starts a fake Shopify, connects the sample shop to it, and once the server listens sends
/// the newest of its orders by signed `orders/create` webhooks; returns the secrets key the
/// server keeps the connection's credentials under.
async fn fake_shopify(
    storage: Arc<dyn Storage>,
    store: &Store,
    url: &str,
    admin_key: &str,
) -> anyhow::Result<redress_app::platforms::SecretsKey> {
    use redress_connect::shop::Secret;
    use redress_connect::shop::fake_shopify::{self, FakeShopifyConfig, SeedOrder};

    let token = new_secret().replacen("rk_", "shpat_", 1);
    let app_secret = new_secret();
    let key_hex: String = (0..32).map(|_| format!("{:02x}", rand::random::<u8>())).collect();
    let secrets = redress_app::platforms::SecretsKey::parse(&key_hex)?;
    let fake = fake_shopify::start(FakeShopifyConfig::new(Secret::new(token.clone()), Secret::new(app_secret.clone())))
        .await
        .context("cannot start the fake Shopify")?;
    let app = redress_app::App::new(storage).with_secrets_key(secrets.clone());
    let demo = redress_app::Caller::System { store_id: store.id, rule: redress_app::SystemRule::Demo };
    let input = redress_app::platforms::ConnectInput {
        platform: "shopify".into(),
        base_url: fake.base_url.clone(),
        access_token: Some(token),
        consumer_key: None,
        consumer_secret: None,
        webhook_secret: app_secret,
    };
    let connection =
        redress_app::platforms::connect(&app, &demo, input).await.map_err(|e| anyhow::anyhow!(e.message))?;
    let now = SystemClock.now();
    let mut newest = Vec::new();
    for n in 0..2 * FAKE_SHOP_ORDERS {
        let gid = fake.handle.add_order(SeedOrder::sample(n, now - time::Duration::hours(i64::from(n) * 7)));
        if n < FAKE_SHOP_ORDERS {
            newest.push(gid);
        }
    }
    let webhooks = format!("{url}{}", connection.webhook_path);
    println!(
        "  Fake Shopify {}  ({} orders; the newest {FAKE_SHOP_ORDERS} arrive by webhook now, the rest with sync now:)\n\
         \x20 curl -X POST -H 'Authorization: Bearer {admin_key}' {url}/api/v1/platforms/sync\n",
        fake.base_url,
        2 * FAKE_SHOP_ORDERS
    );
    tokio::spawn(async move {
        // The fake lives as long as this task: the whole demo.
        for gid in &newest {
            let topic = redress_connect::shop::shopify::Topic::OrdersCreate;
            if let Err(e) = fake.handle.send_webhook(&webhooks, &topic, gid).await {
                tracing::warn!(error = %e, "the fake Shopify could not send its webhook");
            }
        }
        std::future::pending::<()>().await;
    });
    Ok(secrets)
}

/// A customer of the sample shop with an open case, and a signed portal link to their order,
/// so a newcomer can act as that customer at once.
fn sample_customer(
    storage: Arc<dyn redress_storage::Storage>,
    shop: &SampleShop,
    admin_key: &str,
    url: &str,
) -> (String, String, String) {
    let open = shop
        .cases
        .iter()
        .filter(|c| c.follow_ups.iter().all(|f| !matches!(f, crate::sample_shop::FollowUp::Status { .. })));
    let order = open
        .filter_map(|c| shop.orders.iter().find(|o| Some(o.id) == c.new_case.order_id))
        .next()
        .or_else(|| shop.orders.first());
    let Some(order) = order else { return (String::new(), String::new(), String::new()) };
    let email =
        shop.customers.iter().find(|c| c.id == order.customer_id).map(|c| c.email.to_string()).unwrap_or_default();
    // Signed as every server of the demo's deployment signs customers' links.
    let app = redress_app::App::new(storage).with_link_secret(admin_key).with_public_url(url);
    (order.number.clone(), email, app.order_link(&shop.store, Some(order.id)))
}

/// The newest order still in the warehouse, with its customer's email, so a newcomer (and the
/// browser tests) can try an address change.
fn not_shipped(shop: &SampleShop) -> (String, String) {
    let email_of = |order: &redress_domain::Order| {
        shop.customers.iter().find(|c| c.id == order.customer_id).map(|c| c.email.to_string()).unwrap_or_default()
    };
    let waiting = |order: &&redress_domain::Order| {
        order.cancelled_at.is_none() && order.fulfilment_stage() == redress_domain::FulfilmentStage::NotPacked
    };
    match shop.orders.iter().rev().find(waiting) {
        Some(order) => (order.number.clone(), email_of(order)),
        None => (String::new(), String::new()),
    }
}

/// An API key of the sample store: an integration key, or `agent`'s personal key.
async fn demo_key(storage: &dyn Storage, store: &Store, label: &str, agent: Option<AgentId>) -> anyhow::Result<String> {
    let secret = new_secret();
    let record = ApiKeyRecord {
        id: ApiKeyId::from_uuid(uuid::Uuid::now_v7()),
        store_id: store.id,
        label: label.into(),
        secret_hash: redress_app::keys::hash_secret(&secret),
        created_at: SystemClock.now(),
        agent_id: agent,
    };
    storage.create_api_key(&record).await.context("cannot create a demo key")?;
    Ok(secret)
}

/// The sample shop's support team ([`crate::sample_shop::TEAM`]), all with `password`, under
/// the ids the sample's assignments use; returns the email and id of the desk's three (agent,
/// lead, admin).
pub async fn seed_team(storage: &dyn Storage, store: &Store, password: &str) -> anyhow::Result<[(String, AgentId); 3]> {
    let hash = redress_app::team::hash_password(password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let domain = format!("{}.example", store.slug);
    let mut desk = Vec::new();
    for (login, role) in crate::sample_shop::TEAM {
        let email = format!("{login}@{domain}");
        // The name cases are assigned under is the team list's name.
        let member = crate::sample_shop::team_member(store.id, login);
        let agent = Agent::new(member.agent_id, store.id, &email, &member.name, *role, SystemClock.now())?;
        storage.team().add_agent(&agent, &hash).await.with_context(|| format!("cannot add {email} to the team"))?;
        if crate::sample_shop::FULL_NAMES.iter().any(|(l, _)| l == login) {
            desk.push((email, agent.id));
        }
    }
    desk.try_into().map_err(|_| anyhow::anyhow!("three desk members were seeded"))
}

/// The desk's sample macros: name, action, and the reply in en, es, pt, pl, id.
const MACROS: [(&str, Option<MacroAction>, [&str; 5]); 2] = [
    (
        "Where is my parcel",
        Some(MacroAction::SetStatus { status: CaseStatus::WaitingOnCustomer }),
        [
            "Hello {customer_name}, your order {order_number} is on its way: tracking number {tracking_number}. If it has not arrived in three days, write back and we will look into it. {agent_name}",
            "Hola {customer_name}, tu pedido {order_number} está en camino: número de seguimiento {tracking_number}. Si no llega en tres días, escríbenos y lo revisaremos. {agent_name}",
            "Olá {customer_name}, seu pedido {order_number} está a caminho: código de rastreio {tracking_number}. Se não chegar em três dias, responda e vamos verificar. {agent_name}",
            "Dzień dobry {customer_name}, zamówienie {order_number} jest w drodze: numer przesyłki {tracking_number}. Jeśli nie dotrze w ciągu trzech dni, odpisz, a sprawdzimy to. {agent_name}",
            "Halo {customer_name}, pesanan {order_number} sedang dikirim: nomor resi {tracking_number}. Jika belum tiba dalam tiga hari, balas pesan ini dan kami akan memeriksanya. {agent_name}",
        ],
    ),
    (
        "Solved, thank you",
        Some(MacroAction::SetStatus { status: CaseStatus::Resolved }),
        [
            "Hello {customer_name}, this is now sorted. Thank you for your patience. {agent_name}",
            "Hola {customer_name}, ya está resuelto. Gracias por tu paciencia. {agent_name}",
            "Olá {customer_name}, está resolvido. Obrigado pela paciência. {agent_name}",
            "Dzień dobry {customer_name}, sprawa jest już załatwiona. Dziękujemy za cierpliwość. {agent_name}",
            "Halo {customer_name}, masalahnya sudah selesai. Terima kasih atas kesabaran Anda. {agent_name}",
        ],
    ),
];

/// Writes the desk's sample macros, so the demo's reply box can be filled from one.
async fn seed_macros(storage: &dyn Storage, store: &Store) -> anyhow::Result<()> {
    for (name, action, texts) in MACROS {
        let bodies =
            redress_domain::desk::LANGUAGES.iter().zip(texts).map(|(l, t)| ((*l).to_owned(), t.to_owned())).collect();
        let saved = Macro::new((uuid::Uuid::new_v4(), store.id), name, bodies, action, SystemClock.now())?;
        storage.desk().save_macro(&saved).await.with_context(|| format!("cannot save the macro {name}"))?;
    }
    Ok(())
}

/// What was seeded.
pub struct Counts {
    /// Orders stored.
    pub orders: usize,
    /// Cases opened.
    pub cases: usize,
    /// Cases not resolved or closed.
    pub open_cases: usize,
    /// Bank disputes opened.
    pub disputes: usize,
}

/// Stores the sample shop through the storage interface, concurrently so the writes share
/// commits, applying each case's follow-ups through the domain's own state machine.
pub async fn seed(storage: Arc<dyn Storage>, shop: &SampleShop) -> anyhow::Result<Counts> {
    storage.create_store(&shop.store).await.context("cannot create the sample store")?;
    let mut tasks = JoinSet::new();
    for order in &shop.orders {
        let customer = shop
            .customers
            .iter()
            .find(|c| c.id == order.customer_id)
            .with_context(|| format!("order {} has no customer in the sample", order.number))?
            .clone();
        let (storage, order) = (storage.clone(), order.clone());
        tasks.spawn(async move { storage.upsert_order(&customer, &order, order.placed_at).await.map(|_| ()) });
    }
    while let Some(done) = tasks.join_next().await {
        done?.context("cannot store a sample order")?;
    }
    let mut cases = JoinSet::new();
    for sample in &shop.cases {
        let (storage, sample) = (storage.clone(), sample.clone());
        cases.spawn(async move { seed_case(storage.as_ref(), sample).await });
    }
    let mut open_cases = 0;
    while let Some(done) = cases.join_next().await {
        if !done??.status.is_done() {
            open_cases += 1;
        }
    }
    let disputes = seed_disputes(storage.as_ref(), shop).await?;
    Ok(Counts { orders: shop.orders.len(), cases: shop.cases.len(), open_cases, disputes })
}

/// The bank disputes the sample shop's customers already opened: one for each case where the
/// customer threatened a chargeback over a parcel or an item (not over a double charge, which
/// the agent can still refund first), on the order's captured payment, answer due within a week.
async fn seed_disputes(storage: &dyn Storage, shop: &SampleShop) -> anyhow::Result<usize> {
    let mut opened = 0;
    for sample in &shop.cases {
        let case = &sample.new_case;
        let reason = match case.kind {
            IssueKind::NotReceived => DisputeReason::ProductNotReceived,
            IssueKind::DamagedInTransit | IssueKind::DefectiveItem | IssueKind::NotAsDescribed => {
                DisputeReason::ProductUnacceptable
            }
            _ => continue,
        };
        if !case.escalation.contains(&EscalationSignal::Chargeback) {
            continue;
        }
        let Some(order) = shop.orders.iter().find(|o| Some(o.id) == case.order_id) else { continue };
        let Some(payment) = order.payments.iter().find(|p| p.captured.amount_minor > 0) else { continue };
        let at = sample.opened_at + time::Duration::days(2);
        let dispute = Dispute {
            id: DisputeId::from_uuid(uuid::Uuid::now_v7()),
            store_id: case.store_id,
            order_id: order.id,
            payment_id: payment.id,
            case_id: case.id,
            provider_reference: format!("dp_demo_{}", order.number),
            amount: payment.captured,
            reason,
            status: DisputeStatus::NeedsResponse,
            evidence_due_by: SystemClock.now() + time::Duration::days(3 + opened as i64 * 2),
            created_at: at,
            updated_at: at,
        };
        storage.money().open_dispute(dispute, Actor::System).await.context("cannot open a sample dispute")?;
        opened += 1;
    }
    Ok(opened)
}

async fn seed_case(storage: &dyn Storage, sample: SampleCase) -> anyhow::Result<Case> {
    let store_id = sample.new_case.store_id;
    let mut case =
        storage.open_case(sample.new_case, sample.opened_at).await.context("cannot open a sample case")?.case;
    for follow_up in sample.follow_ups {
        let update: redress_storage::CaseUpdateFn = Box::new(move |case: &Case| {
            Ok(CaseUpdate { change: follow_up.apply(case)?, message: follow_up.message().cloned() })
        });
        case = storage.update_case(store_id, case.id, update).await.context("cannot apply a sample follow-up")?.case;
    }
    Ok(case)
}
