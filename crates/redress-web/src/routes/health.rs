//! `GET /healthz`: the process is alive (a load balancer restarts it otherwise); `GET /readyz`:
//! it can serve, because its database answers and none of its background workers stopped (a
//! load balancer sends it traffic only then).
//! Migrations are applied before a server listens, so a listening server has them.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::error::{ApiError, ErrorBody};

/// Health of the server.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
}

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz))
}

/// The server is alive. It says nothing about the database: restarting a server does not
/// mend a database, so liveness must not depend on it.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The server can serve: its database answers and its background workers (refunds, outbox,
/// pushes, follow-through, mailboxes, retention) run. `503` otherwise, naming what failed.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    if let Err(e) = redress_app::stores::healthy(state.app()).await {
        tracing::warn!(error = %e.message, "not ready: the database does not answer");
        return Err(ApiError::new(
            redress_app::ErrorCode::Unavailable,
            "the database does not answer; try another server",
        ));
    }
    let stopped = redress_app::stores::stopped_workers(state.app());
    if !stopped.is_empty() {
        tracing::error!(?stopped, "not ready: background workers stopped");
        return Err(ApiError::new(
            redress_app::ErrorCode::Unavailable,
            format!("background workers stopped: {}; restart this server", stopped.join(", ")),
        ));
    }
    Ok(Json(Health { status: "ok" }))
}
