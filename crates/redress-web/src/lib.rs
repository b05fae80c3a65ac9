//! Redress over HTTP: the JSON API under `/api/v1`, described by an OpenAPI document generated
//! from the handlers (`/api/v1/openapi.json`, checked in as `openapi.json` and compared in a
//! test so it cannot drift).
//!
//! Handlers are thin: parse the request into domain values, call the domain through the
//! [`redress_storage::Storage`] interface, answer. Every error goes out in one format
//! ([`error::ApiError`]); bad input is a 4xx and changes nothing.
//!
//! Start reading at [`router`], then `routes/cases.rs`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use redress_connect::executor::RefundExecutor;
use redress_domain::approval::ApprovalPolicy;
use redress_storage::Storage;
use sha2::{Digest, Sha256};
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub mod auth;
pub mod error;
pub mod extract;
mod html;
pub mod portal;
mod routes;
pub mod workspace;

pub use auth::{hash_secret, new_store_secret};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    refunds: Arc<RefundExecutor>,
    stripe_webhook_secret: Option<Arc<str>>,
    refund_answer_deadline: std::time::Duration,
}

/// How long a request that carries out a refund waits for the payment provider before it
/// answers `202 Accepted` with the refund pending, leaving the executor to finish.
pub const REFUND_ANSWER_DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

struct Inner {
    storage: Arc<dyn Storage>,
    understanding: &'static redress_text::Understanding,
    portal_keys: portal::session::PortalKeys,
    help_indexes: routes::help::StoreHelpIndexes,
    admin_key_hash: [u8; 32],
    keys: auth::KeyCache,
    approval: ApprovalPolicy,
}

impl AppState {
    /// State over `storage`, with `admin_key` as the deployment's admin secret.
    /// Refunds go through the built-in sandbox provider; see [`AppState::with_refunds`].
    pub fn new(storage: Arc<dyn Storage>, admin_key: &str) -> Self {
        // Built now rather than on the first search, so no customer waits for it.
        redress_text::help::HelpIndex::shipped();
        let refunds = Arc::new(RefundExecutor::new(
            storage.clone(),
            Arc::new(redress_connect::sandbox::Sandbox::new()),
            redress_connect::executor::RetryPolicy::default(),
        ));
        Self {
            refunds,
            stripe_webhook_secret: None,
            refund_answer_deadline: REFUND_ANSWER_DEADLINE,
            inner: Arc::new(Inner {
                approval: ApprovalPolicy::default(),
                storage,
                // Loaded here, not on the first message, so no request pays for it.
                understanding: redress_text::Understanding::shipped(),
                admin_key_hash: Sha256::digest(admin_key.as_bytes()).into(),
                keys: auth::KeyCache::default(),
                portal_keys: portal::session::PortalKeys::new(admin_key),
                help_indexes: routes::help::StoreHelpIndexes::default(),
            }),
        }
    }

    /// The storage.
    pub fn storage(&self) -> &dyn Storage {
        self.inner.storage.as_ref()
    }

    /// Each store's help index, built from the shipped articles and its own.
    pub(crate) fn help_indexes(&self) -> &routes::help::StoreHelpIndexes {
        &self.inner.help_indexes
    }

    /// Signs and checks the customer portal's grants.
    pub fn portal_keys(&self) -> &portal::session::PortalKeys {
        &self.inner.portal_keys
    }

    /// Message understanding: language, issue kind, sentiment, escalation, entities.
    pub fn understanding(&self) -> &redress_text::Understanding {
        self.inner.understanding
    }

    /// The same state with refunds carried out by `refunds` (its provider and retry policy).
    pub fn with_refunds(mut self, refunds: Arc<RefundExecutor>) -> Self {
        self.refunds = refunds;
        self
    }

    /// The same state with refunds sent to `provider`, with the default retry policy.
    pub fn with_payment_provider(self, provider: Arc<dyn redress_connect::PaymentProvider>) -> Self {
        let refunds = Arc::new(RefundExecutor::new(
            self.inner.storage.clone(),
            provider,
            redress_connect::executor::RetryPolicy::default(),
        ));
        self.with_refunds(refunds)
    }

    /// The same state waiting at most `deadline` for the payment provider before answering a
    /// refund request `202 Accepted` (see [`REFUND_ANSWER_DEADLINE`]).
    pub fn with_refund_answer_deadline(mut self, deadline: std::time::Duration) -> Self {
        self.refund_answer_deadline = deadline;
        self
    }

    /// How long a request waits for the payment provider before answering with the refund pending.
    pub fn refund_answer_deadline(&self) -> std::time::Duration {
        self.refund_answer_deadline
    }

    /// The same state accepting Stripe webhooks signed with `secret` (`whsec_…`).
    pub fn with_stripe_webhook_secret(mut self, secret: &str) -> Self {
        self.stripe_webhook_secret = (!secret.is_empty()).then(|| Arc::from(secret));
        self
    }

    /// The Stripe webhook signing secret, when webhooks are accepted.
    pub fn stripe_webhook_secret(&self) -> Option<&str> {
        self.stripe_webhook_secret.as_deref()
    }

    /// The refund executor.
    pub fn refunds(&self) -> &Arc<RefundExecutor> {
        &self.refunds
    }

    /// The verified API keys this process remembers.
    pub(crate) fn keys(&self) -> &auth::KeyCache {
        &self.inner.keys
    }

    /// The approval rule for money going out.
    pub fn approval(&self) -> &ApprovalPolicy {
        &self.inner.approval
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Redress API",
        description = "Post-purchase resolution desk: stores, orders and cases. Authenticate with \
                       `Authorization: Bearer <key>`: the admin key for store setup, a store API key for the rest. \
                       Errors are `{\"error\": {\"code\", \"field\", \"message\"}}`."
    ),
    modifiers(&SecuritySchemes),
    tags(
        (name = "stores", description = "Shops served by this deployment (admin)"),
        (name = "orders", description = "Orders as the shop's systems report them"),
        (name = "cases", description = "Customer problems and their timelines"),
        (name = "resolution", description = "Options, remedies, amendments, returns, fault and the store's policy"),
        (name = "money", description = "Refunds, store credit, approvals, the ledger, transaction checks and disputes"),
        (name = "team", description = "The people who sign in to the agent workspace, and their roles"),
        (name = "understanding", description = "What a customer's message is about, locally, with no outside service"),
        (name = "health", description = "Liveness")
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in ["admin_key", "store_key"] {
            components.add_security_scheme(name, SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        }
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::health::router())
        .merge(routes::stores::router())
        .merge(routes::orders::router())
        .merge(routes::cases::router())
        .merge(routes::attachments::router())
        .merge(routes::resolution::router())
        .merge(routes::money::router())
        .merge(routes::understanding::router())
        .merge(routes::help::router())
        .merge(routes::team::router())
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().split_for_parts().1
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let (router, api) = api_router().split_for_parts();
    let document = Arc::new(api);
    router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .merge(portal::router())
        .merge(workspace::router())
        .fallback(|| async {
            error::ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such endpoint; see /api/v1/openapi.json")
        })
        .method_not_allowed_fallback(|| async {
            error::ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this endpoint does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            error::ApiError::internal("a handler panicked").into_response()
        }))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

#[cfg(test)]
mod tests {
    /// The checked-in `openapi.json` is the document the code generates: a change to the API
    /// shows up in review as a change to this file. `REDRESS_UPDATE_OPENAPI=1 cargo test`
    /// rewrites it after an intended change.
    #[test]
    fn checked_in_openapi_document_matches_the_code() {
        let generated = serde_json::to_string_pretty(&super::openapi()).unwrap() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        if std::env::var_os("REDRESS_UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            checked_in == generated,
            "crates/redress-web/openapi.json is out of date: run `REDRESS_UPDATE_OPENAPI=1 cargo test -p redress-web` and commit it"
        );
    }
}
