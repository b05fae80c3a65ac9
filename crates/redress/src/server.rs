//! Starting the HTTP server and stopping it gracefully on Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use redress_store::Storage;
use tokio::net::TcpListener;

/// Binds `listen` and serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(storage: Arc<dyn Storage>, admin_key: &str, listen: SocketAddr) -> anyhow::Result<()> {
    let listener = TcpListener::bind(listen).await.with_context(|| {
        format!("cannot listen on {listen}; is another server running there? pick another with --listen")
    })?;
    serve_on(listener, storage, admin_key).await
}

/// Serves on an already bound listener until Ctrl-C or SIGTERM.
pub async fn serve_on(listener: TcpListener, storage: Arc<dyn Storage>, admin_key: &str) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(%address, "redress is listening");
    let app = redress_web::router(redress_web::AppState::new(storage, admin_key));
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await.context("the server failed")?;
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
