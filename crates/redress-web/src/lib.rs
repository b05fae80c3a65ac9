//! Redress over HTTP: the JSON API under `/api/v1`, described by an OpenAPI document generated
//! from the handlers (`/api/v1/openapi.json`, checked in as `openapi.json` and compared in a
//! test so it cannot drift).
//!
//! Handlers are thin: parse the request, call the use case in [`redress_app`] with the
//! authenticated caller, answer. No handler, page or form reaches storage or decides a rule:
//! that is the application's. Every error goes out in one format ([`error::ApiError`]); bad
//! input is a 4xx and changes nothing.
//!
//! Start reading at [`router`], then `routes/cases.rs`.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::IntoResponse;
use redress_app::App;
use redress_app::keys::OperatorKey;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

pub mod auth;
mod chat_live;
pub mod error;
pub mod extract;
mod html;
pub mod metrics;
pub mod portal;
mod routes;
pub mod workspace;

/// What every handler shares: the application (the one door to every use case), the keys that
/// sign portal grants, and the operator's key.
#[derive(Clone)]
pub struct AppState {
    app: Arc<App>,
    portal_keys: Arc<portal::session::PortalKeys>,
    operator: Arc<OperatorKey>,
    limits: Limits,
    metrics: Arc<metrics::HttpMetrics>,
    /// The bearer token `GET /metrics` asks for; `None` turns the endpoint off.
    metrics_token: Option<Arc<str>>,
}

/// How much one server takes on at once and how long a request may run: past either, a request
/// is answered `503` with `Retry-After` at once instead of queueing behind the others, so
/// latency stays bounded under overload and a load balancer can send it elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Requests handled at the same time; the next one is turned away.
    pub max_in_flight: usize,
    /// How long a request may take to be answered.
    pub request_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        // Far above what the database can take at once (a few dozen connections), so the limit
        // sheds only what would otherwise queue; the timeout is above the longest wait a
        // request makes on purpose (a payment provider, `REFUND_ANSWER_DEADLINE`).
        Self { max_in_flight: 1024, request_timeout: std::time::Duration::from_secs(30) }
    }
}

impl AppState {
    /// The HTTP adapter over `app`, with `operator_key` as the deployment's operator secret
    /// (it sets up stores, and derives the portal's signing key).
    pub fn new(app: App, operator_key: &str) -> Self {
        Self {
            app: Arc::new(app),
            portal_keys: Arc::new(portal::session::PortalKeys::new(operator_key)),
            operator: Arc::new(OperatorKey::new(operator_key)),
            limits: Limits::default(),
            metrics: Arc::default(),
            metrics_token: None,
        }
    }

    /// The same state answering `GET /metrics` to holders of `token` (ignored when empty).
    pub fn with_metrics_token(mut self, token: &str) -> Self {
        self.metrics_token = (!token.is_empty()).then(|| Arc::from(token));
        self
    }

    /// The same state with other [`Limits`].
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The application.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The application, shared with what runs beside HTTP: the SMTP receiver and the workers.
    pub fn shared_app(&self) -> Arc<App> {
        self.app.clone()
    }

    /// Signs and checks the customer portal's grants.
    pub fn portal_keys(&self) -> &portal::session::PortalKeys {
        &self.portal_keys
    }

    /// The deployment's operator key.
    pub(crate) fn operator(&self) -> &OperatorKey {
        &self.operator
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Redress API",
        description = "Post-purchase resolution desk: stores, orders and cases. Authenticate with \
                       `Authorization: Bearer <key>`: the operator key for store setup; a store's integration key \
                       (orders, cases, messages) or a team member's personal key (acting as that person, with their \
                       role: approvals need a lead, settings an admin). Writes that move money or goods require an \
                       `Idempotency-Key` header. Errors are `{\"error\": {\"code\", \"field\", \"message\"}}`."
    ),
    modifiers(&SecuritySchemes),
    components(schemas(redress_app::ErrorCode)),
    tags(
        (name = "stores", description = "Shops served by this deployment (admin)"),
        (name = "orders", description = "Orders as the shop's systems report them"),
        (name = "platforms", description = "Shopify and WooCommerce: webhooks in, the store's connection and its sync"),
        (name = "webhooks", description = "The store's endpoints for signed events out"),
        (name = "cases", description = "Customer problems and their timelines"),
        (name = "resolution", description = "Options, remedies, amendments, returns, fault and the store's policy"),
        (name = "money", description = "Refunds, store credit, approvals, the ledger, transaction checks and disputes"),
        (name = "team", description = "The people who sign in to the agent workspace, and their roles"),
        (name = "understanding", description = "What a customer's message is about, locally, with no outside service"),
        (name = "channels", description = "Email in (raw MIME or the SMTP receiver) and out (the outbox), support addresses"),
        (name = "assistant", description = "The self-service assistant customers write to (public)"),
        (name = "privacy", description = "Customers' personal data: export, erasure (admins)"),
        (name = "health", description = "Liveness")
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl utoipa::Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        // Every error code, with its status and meaning, is part of the contract.
        let description = openapi.info.description.get_or_insert_with(String::new);
        description.push_str("\n\n## Error codes\n\n");
        description.push_str(&error::code_table());
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
        .merge(routes::platforms::router())
        .merge(routes::webhooks::router())
        .merge(routes::cases::router())
        .merge(routes::attachments::router())
        .merge(routes::remedies::router())
        .merge(routes::returns::router())
        .merge(routes::policy::router())
        .merge(routes::money::router())
        .merge(routes::understanding::router())
        .merge(routes::help::router())
        .merge(routes::team::router())
        .merge(routes::channels::router())
        .merge(routes::assistant::router())
        .merge(routes::follow_through::router())
        .merge(routes::analytics::router())
        .merge(routes::incidents::router())
        .merge(routes::macros::router())
        .merge(routes::privacy::router())
}

/// The OpenAPI document of the API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = api_router().split_for_parts().1;
    shared_responses(&mut api);
    api
}

/// Adds to every operation the answers that the shared extractors and layers give, so that no
/// route can forget them: 401 from [`auth::ApiCaller`] on every operation behind a key; 400 for
/// a bad query (unknown parameters included) or body; 413 (the body limit) and 415 (not
/// `application/json`, [`extract::ApiJson`]) on every operation that takes a JSON body; 503
/// from the [`Limits`] on every operation.
fn shared_responses(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build())
            .build()
    };
    for item in api.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let reads_parameters = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Header));
            // The Stripe webhook reads its body as bytes, to check the signature over them.
            // So does the inbound mail endpoint, which takes raw MIME.
            let takes_json = operation.request_body.is_some()
                && !matches!(
                    operation.operation_id.as_deref(),
                    Some("stripe_webhook" | "inbound_email" | "meta_webhook")
                );
            let mut shared =
                vec![("503", "The server is at its limit or the request took too long; see `Retry-After`")];
            if operation.security.as_ref().is_some_and(|s| !s.is_empty()) {
                shared.push(("401", "Missing, unknown or revoked key"));
            }
            if reads_parameters || operation.request_body.is_some() {
                shared.push(("400", "A parameter or the body is not one this operation takes; `field` names it"));
            }
            if operation.request_body.is_some() && operation.operation_id.as_deref() != Some("inbound_email") {
                shared.push(("413", "The body is larger than 1 MiB"));
            }
            if takes_json {
                shared.push(("415", "The body is not sent as `application/json`"));
            }
            for (status, description) in shared {
                operation.responses.responses.entry(status.to_owned()).or_insert_with(|| error(description).into());
            }
        }
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let limits = state.limits;
    let metrics = state.metrics.clone();
    let (router, mut api) = api_router().split_for_parts();
    shared_responses(&mut api);
    let document = Arc::new(api);
    router
        .route(
            "/api/v1/openapi.json",
            axum::routing::get(move || {
                let document = document.clone();
                async move { axum::Json(document.as_ref().clone()) }
            }),
        )
        .route("/metrics", axum::routing::get(metrics::scrape))
        .merge(portal::router())
        .merge(workspace::router())
        .fallback(|| async {
            error::ApiError::new(redress_app::ErrorCode::NotFound, "no such endpoint; see /api/v1/openapi.json")
        })
        .method_not_allowed_fallback(|| async {
            error::ApiError::new(redress_app::ErrorCode::MethodNotAllowed, "this endpoint does not take that method")
        })
        .layer(DefaultBodyLimit::max(extract::MAX_BODY_BYTES))
        .layer(
            tower::ServiceBuilder::new()
                .layer(axum::error_handling::HandleErrorLayer::new(turned_away))
                .load_shed()
                // Global: `Router::layer` gives each route its own copy of a layer, and the
                // limit is for the whole server.
                .layer(tower::limit::GlobalConcurrencyLimitLayer::new(limits.max_in_flight.max(1)))
                .timeout(limits.request_timeout),
        )
        .layer(axum::middleware::map_response(with_security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            error::ApiError::internal("a handler panicked").into_response()
        }))
        .layer(axum::middleware::from_fn_with_state(metrics, metrics::record))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// The answer to a request the [`Limits`] turned away: at the limit of requests in flight, or
/// past the time allowed.
async fn turned_away(error: tower::BoxError) -> axum::response::Response {
    let (code, message) = if error.is::<tower::timeout::error::Elapsed>() {
        (redress_app::ErrorCode::TimedOut, "the request took too long and was stopped; retry it")
    } else {
        (redress_app::ErrorCode::Overloaded, "the server is busy with other requests; retry in a second")
    };
    let mut answer = error::ApiError::new(code, message).into_response();
    answer.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
    answer
}

/// The headers every answer carries, so a page of the portal or the desk can neither be framed
/// by another site nor run a script injected into it, and sends no addresses to other sites.
/// The pages use no inline script and no third-party resource; their one stylesheet is inline.
const SECURITY_HEADERS: [(&str, &str); 4] = [
    (
        "content-security-policy",
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; \
         img-src 'self' data: blob:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
];

/// Sets [`SECURITY_HEADERS`] on an answer where its handler set none of its own.
async fn with_security_headers(mut response: axum::response::Response) -> axum::response::Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.entry(name).or_insert(axum::http::HeaderValue::from_static(value));
    }
    response
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

    /// Every operation has an id of its own (clients are generated from them, and the
    /// OpenAPI validator refuses a document repeating one).
    #[test]
    fn operation_ids_are_unique() {
        let document = serde_json::to_value(super::openapi()).unwrap();
        let mut seen = std::collections::BTreeMap::new();
        for (path, item) in document["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if let Some(id) = operation.get("operationId").and_then(|id| id.as_str()) {
                    let before = seen.insert(id.to_owned(), format!("{method} {path}"));
                    assert!(before.is_none(), "operationId {id} of {method} {path} is also {before:?}");
                }
            }
        }
    }

    /// Every `$ref` names a schema the document has: a type used only in query parameters is
    /// not collected by the routes, so it must be inlined (`#[param(inline)]`) or registered.
    #[test]
    fn every_reference_in_the_document_resolves() {
        fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(members) => {
                    for (name, member) in members {
                        match (name.as_str(), member.as_str()) {
                            ("$ref", Some(target)) => found.push(target),
                            _ => refs(member, found),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|item| refs(item, found)),
                _ => {}
            }
        }
        let document = serde_json::to_value(super::openapi()).unwrap();
        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(!found.is_empty());
        let dangling: Vec<&str> = found
            .into_iter()
            .filter(|target| {
                let pointer = target.strip_prefix('#').unwrap_or(target);
                document.pointer(pointer).is_none()
            })
            .collect();
        assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
    }
}
