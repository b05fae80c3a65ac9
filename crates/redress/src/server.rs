//! Starting the HTTP server and stopping it gracefully on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
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

/// Binds `listen` and serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(
    storage: Arc<dyn Storage>,
    admin_key: &str,
    listen: SocketAddr,
    payments: &PaymentOptions,
    secrets_key: Option<redress_app::platforms::SecretsKey>,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen}; is another server running there? pick another with --listen")
    })?;
    serve_on(listener, storage, admin_key, payments, secrets_key).await
}

/// Serves on an already bound listener until Ctrl-C or SIGTERM. The refund worker runs beside
/// it: it carries out approved refunds and reconciles refunds left `sent` (after a crash).
pub async fn serve_on(
    listener: TcpListener,
    storage: Arc<dyn Storage>,
    admin_key: &str,
    payments: &PaymentOptions,
    secrets_key: Option<redress_app::platforms::SecretsKey>,
) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(%address, provider = %payments.payment_provider, "redress is listening");
    let (refunds, events) = refund_executor(storage.clone(), payments, secrets_key.as_ref())?;
    let worker = refunds.clone().spawn_worker(Duration::from_secs(1), events);
    let mut app = redress_app::App::new(storage)
        .with_refunds(refunds)
        .with_stripe_webhook_secret(&payments.stripe_webhook_secret);
    if let Some(key) = secrets_key {
        app = app.with_secrets_key(key);
    }
    let state = redress_web::AppState::new(app, admin_key);
    // Changes made in Redress that a shop must make too (amended addresses), retried.
    let pushes = redress_app::platforms::spawn_push_worker(state.shared_app(), Duration::from_secs(5));
    let app = redress_web::router(state);
    // The peer's address is kept for limits counted per source (sign-in, order look-up).
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the server failed")?;
    worker.abort();
    pushes.abort();
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
