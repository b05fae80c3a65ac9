//! Starting the HTTP server and stopping it gracefully on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use redress_connect::email::SmtpServerConfig;
use redress_connect::executor::{RefundExecutor, RetryPolicy};
use redress_storage::Storage;
use tokio::net::TcpListener;

/// Which payment provider refunds go through, and how patiently.
#[derive(Clone, Debug, clap::Args)]
pub struct PaymentOptions {
    /// `sandbox` (built in, for trying Redress out) or `stripe` (any service speaking Stripe's API).
    #[arg(long, env = "REDRESS_PAYMENT_PROVIDER", default_value = "sandbox")]
    pub payment_provider: String,
    /// Base URL of the Stripe-compatible API.
    #[arg(long, env = "REDRESS_STRIPE_API_BASE", default_value = "https://api.stripe.com")]
    pub stripe_api_base: String,
    /// Secret key for the Stripe-compatible API.
    #[arg(long, env = "REDRESS_STRIPE_SECRET_KEY", hide_env_values = true, default_value = "")]
    pub stripe_secret_key: String,
    /// Signing secret of the Stripe webhook endpoint (`/api/v1/webhooks/stripe`); webhooks are
    /// refused without it.
    #[arg(long, env = "REDRESS_STRIPE_WEBHOOK_SECRET", hide_env_values = true, default_value = "")]
    pub stripe_webhook_secret: String,
    /// How long one call to the provider may take, in milliseconds.
    #[arg(long, env = "REDRESS_PROVIDER_TIMEOUT_MS", default_value_t = 10_000)]
    pub provider_timeout_ms: u64,
    /// Seconds a refund may stay `sent` without an answer before it is reconciled.
    #[arg(long, env = "REDRESS_RECONCILE_AFTER_SECS", default_value_t = 30)]
    pub reconcile_after_secs: u64,
}

/// How much one server takes on at once (see [`redress_web::Limits`]).
#[derive(Clone, Debug, clap::Args)]
pub struct LoadLimits {
    /// Requests handled at the same time; past it, `503` with `Retry-After` at once.
    #[arg(long, env = "REDRESS_MAX_IN_FLIGHT", default_value_t = redress_web::Limits::default().max_in_flight)]
    pub max_in_flight: usize,
    /// Seconds a request may take before it is answered `503`.
    #[arg(long, env = "REDRESS_REQUEST_TIMEOUT_SECS", default_value_t = redress_web::Limits::default().request_timeout.as_secs())]
    pub request_timeout_secs: u64,
    /// Bearer token for `GET /metrics` (Prometheus); the endpoint is off without it.
    #[arg(long, env = "REDRESS_METRICS_TOKEN", hide_env_values = true, default_value = "")]
    pub metrics_token: String,
}

impl Default for LoadLimits {
    fn default() -> Self {
        let limits = redress_web::Limits::default();
        Self {
            max_in_flight: limits.max_in_flight,
            request_timeout_secs: limits.request_timeout.as_secs(),
            metrics_token: String::new(),
        }
    }
}

impl From<&LoadLimits> for redress_web::Limits {
    fn from(limits: &LoadLimits) -> Self {
        Self {
            max_in_flight: limits.max_in_flight.max(1),
            request_timeout: Duration::from_secs(limits.request_timeout_secs.max(1)),
        }
    }
}

impl Default for PaymentOptions {
    fn default() -> Self {
        Self {
            payment_provider: "sandbox".into(),
            stripe_api_base: "https://api.stripe.com".into(),
            stripe_secret_key: String::new(),
            stripe_webhook_secret: String::new(),
            provider_timeout_ms: 10_000,
            reconcile_after_secs: 30,
        }
    }
}

/// Channels: email in and out, messaging apps.
#[derive(Clone, Debug, clap::Args)]
pub struct ChannelOptions {
    /// Address the SMTP receiver listens on (e.g. `0.0.0.0:25`, behind the shop's MX): mail to
    /// a store's support addresses opens or continues cases. Off when absent.
    #[arg(long, env = "REDRESS_SMTP_LISTEN")]
    pub smtp_listen: Option<SocketAddr>,
    /// The relay answers are sent through: `smtp://user:pass@host:587` (STARTTLS required when
    /// a password is given), `smtps://…` (TLS), `?tls=required|opportunistic|none`. Answers stay
    /// in the outbox when absent.
    #[arg(long, env = "REDRESS_SMTP_RELAY", hide_env_values = true)]
    pub smtp_relay: Option<String>,
    /// The Meta app's secret (`/api/v1/webhooks/meta`: WhatsApp, Messenger, Instagram); the
    /// webhook is refused without it.
    #[arg(long, env = "REDRESS_META_APP_SECRET", hide_env_values = true, default_value = "")]
    pub meta_app_secret: String,
    /// The token Meta's subscription check must carry.
    #[arg(long, env = "REDRESS_META_VERIFY_TOKEN", hide_env_values = true, default_value = "")]
    pub meta_verify_token: String,
    /// Meta's Graph API, which answers on WhatsApp, Messenger and Instagram go through (a local
    /// stand-in for trials).
    #[arg(long, env = "REDRESS_GRAPH_API_URL", default_value = redress_connect::messaging::GRAPH_API_URL)]
    pub graph_api_url: String,
    /// Telegram's Bot API, which answers on Telegram go through.
    #[arg(long, env = "REDRESS_TELEGRAM_API_URL", default_value = redress_connect::messaging::telegram::TELEGRAM_API_URL)]
    pub telegram_api_url: String,
    /// The address customers reach the portal at (`https://help.example.com`): links in
    /// messages to customers (their order, a survey) start with it. Without it they are bare
    /// paths, which mail and messaging apps do not make clickable.
    #[arg(long, env = "REDRESS_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
}

/// Checks `--public-url`: an http(s) address without a path, query or spaces.
fn public_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ']) => Ok(trimmed.to_owned()),
        _ => Err("give the portal's address as http(s)://host[:port], without a path".to_owned()),
    }
}

impl Default for ChannelOptions {
    fn default() -> Self {
        let apis = redress_app::messaging_out::ChatApis::default();
        Self {
            smtp_listen: None,
            smtp_relay: None,
            meta_app_secret: String::new(),
            meta_verify_token: String::new(),
            graph_api_url: apis.graph_url,
            telegram_api_url: apis.telegram_url,
            public_url: None,
        }
    }
}

/// How long one SMTP command to the relay may take.
const RELAY_TIMEOUT: Duration = Duration::from_secs(30);

/// How often the retention pass runs: periods are counted in months, so hourly is prompt.
const RETENTION_EVERY: Duration = Duration::from_secs(3600);

/// The refund executor the options describe, with the sandbox's event stream when it is the
/// sandbox.
pub fn refund_executor(
    storage: Arc<dyn Storage>,
    options: &PaymentOptions,
    secrets_key: Option<&redress_app::platforms::SecretsKey>,
) -> anyhow::Result<(Arc<RefundExecutor>, Option<tokio::sync::broadcast::Receiver<redress_connect::ProviderAnswer>>)> {
    let timeout = Duration::from_millis(options.provider_timeout_ms.max(1));
    let retry = RetryPolicy {
        call_timeout: timeout,
        reconcile_after: Duration::from_secs(options.reconcile_after_secs),
        ..RetryPolicy::default()
    };
    let (provider, events): (Arc<dyn redress_connect::PaymentProvider>, _) = match options.payment_provider.as_str() {
        "sandbox" => {
            let sandbox = redress_connect::sandbox::Sandbox::new();
            let events = sandbox.subscribe();
            (Arc::new(sandbox), Some(events))
        }
        "stripe" => {
            if options.stripe_secret_key.is_empty() {
                anyhow::bail!("--payment-provider stripe needs --stripe-secret-key (or REDRESS_STRIPE_SECRET_KEY)");
            }
            let stripe =
                redress_connect::stripe::Stripe::new(&options.stripe_api_base, &options.stripe_secret_key, timeout)
                    .map_err(|e| anyhow::anyhow!("cannot set up the Stripe client: {e}"))?;
            (Arc::new(stripe), None)
        }
        other => anyhow::bail!("unknown payment provider `{other}`: use sandbox or stripe"),
    };
    // With a secrets key, refunds of Shopify orders go through their shop.
    let provider: Arc<dyn redress_connect::PaymentProvider> = match secrets_key {
        Some(key) => Arc::new(redress_app::platforms::PlatformPayments::new(storage.clone(), key.clone(), provider)),
        None => provider,
    };
    Ok((Arc::new(RefundExecutor::new(storage, provider, retry)), events))
}

/// Everything a server is started with, beside where it listens and its database.
#[derive(Default)]
pub struct ServeOptions {
    /// The payment provider refunds go through.
    pub payments: PaymentOptions,
    /// How much the server takes on at once, and the metrics token.
    pub limits: LoadLimits,
    /// Email in and out, messaging apps.
    pub channels: ChannelOptions,
    /// The key shop platforms' credentials are sealed under.
    pub secrets_key: Option<redress_app::platforms::SecretsKey>,
}

/// Binds `listen` and serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(
    storage: Arc<dyn Storage>,
    admin_key: &str,
    listen: SocketAddr,
    options: &ServeOptions,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen}; is another server running there? pick another with --listen")
    })?;
    let smtp = match options.channels.smtp_listen {
        Some(address) => {
            let smtp = bind_smtp(address).await?;
            // On stdout, as the HTTP address below, for whoever asked for port 0.
            println!("redress receiving mail on smtp://{}", smtp.local_addr()?);
            Some(smtp)
        }
        None => None,
    };
    // On stdout, so a script or test that asked for port 0 learns which port it got.
    println!("redress listening on http://{}", listener.local_addr()?);
    serve_on(listener, smtp, storage, admin_key, options).await
}

/// Binds the SMTP receiver's address.
pub async fn bind_smtp(address: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.with_context(|| {
        format!("cannot listen for SMTP on {address}; is a mail server running there? pick another with --smtp-listen")
    })
}

/// Serves on an already bound listener until Ctrl-C or SIGTERM. The refund worker runs beside
/// it: it carries out approved refunds and reconciles refunds left `sent` (after a crash); so
/// do the SMTP receiver on `smtp` and, with a relay, the outbox worker sending answers.
pub async fn serve_on(
    listener: TcpListener,
    smtp: Option<TcpListener>,
    storage: Arc<dyn Storage>,
    admin_key: &str,
    options: &ServeOptions,
) -> anyhow::Result<()> {
    let ServeOptions { payments, limits, channels, secrets_key } = options;
    let address = listener.local_addr()?;
    tracing::info!(%address, provider = %payments.payment_provider, "redress is listening");
    let (refunds, events) = refund_executor(storage.clone(), payments, secrets_key.as_ref())?;
    let worker = refunds.clone().spawn_worker(Duration::from_secs(1), events);
    let mut app = redress_app::App::new(storage)
        .with_link_secret(admin_key)
        .with_refunds(refunds)
        .with_stripe_webhook_secret(&payments.stripe_webhook_secret)
        .with_meta_app(&channels.meta_app_secret, &channels.meta_verify_token);
    if let Some(url) = &channels.smtp_relay {
        let relay = redress_connect::email::SmtpRelay::from_url(url, RELAY_TIMEOUT).context("--smtp-relay")?;
        app = app.with_mail_relay(relay, redress_app::outbox::OutboxPolicy::default());
    }
    if let Some(key) = secrets_key {
        app = app.with_secrets_key(key.clone());
    }
    if let Some(url) = &channels.public_url {
        app = app.with_public_url(url);
    }
    // Answers on messaging apps need the accounts' tokens, kept under the secrets key.
    let chat_apis = redress_app::messaging_out::ChatApis {
        graph_url: channels.graph_api_url.clone(),
        telegram_url: channels.telegram_api_url.clone(),
    };
    app = app.with_chat_answers(chat_apis, redress_app::outbox::OutboxPolicy::default());
    let state =
        redress_web::AppState::new(app, admin_key).with_limits(limits.into()).with_metrics_token(&limits.metrics_token);
    let receiver = match smtp {
        Some(smtp) => {
            let address = smtp.local_addr()?;
            tracing::info!(%address, "the SMTP receiver is listening");
            let handler = Arc::new(redress_app::channels::MailReceiver::new(state.shared_app()));
            Some(tokio::spawn(redress_connect::email::serve(smtp, SmtpServerConfig::default(), handler)))
        }
        None => None,
    };
    // Changes made in Redress that a shop must make too (amended addresses), retried.
    let pushes = redress_app::platforms::spawn_push_worker(state.shared_app(), Duration::from_secs(5));
    // Service deadlines, reminders, closing silent cases, surveys: timers claimed in the
    // database, so each fires once across servers.
    let follow = redress_app::follow_through::spawn_worker(state.shared_app(), Duration::from_secs(5));
    // Stores' IMAP mailboxes, each claimed in the database so one server reads it.
    let mailboxes = redress_app::mailboxes::spawn_reader(state.shared_app(), Duration::from_secs(5));
    // Stores' retention periods: personal data of cases long over erased. Every server runs
    // it; an erasure locks what it erases and erasing erased data changes nothing.
    let retention = redress_app::privacy::spawn_worker(state.shared_app(), RETENTION_EVERY);
    // Readiness names a worker that stopped (a panic, a loop that returned).
    let workers = state.app().workers();
    workers.watch("refunds", worker.abort_handle());
    if let Some(receiver) = &receiver {
        workers.watch("smtp_receiver", receiver.abort_handle());
    }
    workers.watch("platform_pushes", pushes.abort_handle());
    workers.watch("follow_through", follow.abort_handle());
    workers.watch("mailboxes", mailboxes.abort_handle());
    workers.watch("retention", retention.abort_handle());
    let app = redress_web::router(state);
    // The peer's address is kept for limits counted per source (sign-in, order look-up).
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server failed")?;
    worker.abort();
    if let Some(receiver) = receiver {
        receiver.abort();
    }
    pushes.abort();
    follow.abort();
    mailboxes.abort();
    retention.abort();
    tracing::info!("redress stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
