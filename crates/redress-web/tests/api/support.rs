//! The server under test: the real router on a real listener on a free port, over a fresh
//! database (SQLite in a tempdir, or a private PostgreSQL schema when
//! `REDRESS_TEST_POSTGRES_URL` names a database), and the helpers the tests share.

use std::str::FromStr;
use std::sync::Arc;

use reqwest::header::CONTENT_TYPE;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The deployment's admin secret in every test server.
pub const ADMIN_KEY: &str = "test-admin-secret-5f0c2a9e";

/// The Stripe webhook signing secret the test servers check signatures with.
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_api_tests";
/// The key the test servers keep shop platforms' credentials under.
pub const SECRETS_KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The token `GET /metrics` asks for in these tests.
pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

/// What the server stores its data in.
enum Database {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { url: String, schema: String },
}

/// A running server and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The client every request goes through.
    pub client: reqwest::Client,
    /// The server's storage, for what the API cannot set up (team accounts).
    pub storage: Arc<dyn redress_storage::Storage>,
    server: tokio::task::JoinHandle<()>,
    pushes: tokio::task::JoinHandle<()>,
    mailboxes: tokio::task::JoinHandle<()>,
    database: Database,
}

/// A store made for a test, with its integration key and its first admin's personal key.
#[derive(Clone, Debug)]
pub struct Shop {
    /// The store's id.
    pub id: String,
    /// Its integration key: orders, cases, messages, remedies; never approvals or settings.
    pub key: String,
    /// The personal key of its first admin (Olga): settings, approvals, corrections.
    pub admin: String,
}

/// A team member added by a test.
pub struct Member {
    /// Their agent id, as cases are assigned to.
    pub id: String,
    /// Their personal API key.
    pub key: String,
}

/// The first admin every test store is set up with.
pub const FIRST_ADMIN_PASSWORD: &str = "first admin password 1";

/// An answer from the server: status, content type and the body read as JSON (`null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "expected {status}, got {} with {}", self.status, self.body);
        self.body
    }

    /// Asserts an error in the API's one format: the status, the code and the field at fault.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "expected {status} {code}, got {} with {}", self.status, self.body);
        assert!(
            self.content_type.as_deref().is_some_and(|t| t.starts_with("application/json")),
            "an error must be JSON, got content type {:?}",
            self.content_type
        );
        let body = self.body.as_object().expect("the error body is an object");
        assert_eq!(body.len(), 1, "the error body has only `error`: {}", self.body);
        let error = body.get("error").and_then(Value::as_object).expect("`error` is an object");
        let mut keys: Vec<&str> = error.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["code", "field", "message"], "error keys in {}", self.body);
        assert_eq!(error["code"], code, "error code in {}", self.body);
        match field {
            Some(field) => assert_eq!(error["field"], field, "error field in {}", self.body),
            None => assert!(error["field"].is_null(), "expected no field in {}", self.body),
        }
        assert!(
            error["message"].as_str().is_some_and(|m| !m.trim().is_empty()),
            "the message says something: {}",
            self.body
        );
    }

    /// The error code, for messages.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    /// A server over a fresh SQLite file.
    pub async fn sqlite() -> TestApp {
        Self::sqlite_with(|state| state).await
    }

    /// A server over a fresh SQLite file, its application changed by `configure` (e.g. a
    /// payment provider of the test's own).
    pub async fn sqlite_with(configure: impl FnOnce(redress_app::App) -> redress_app::App) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage =
            redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.expect("open SQLite");
        Self::serve(Arc::new(storage), Database::Sqlite(dir), configure, redress_web::Limits::default()).await
    }

    /// As [`TestApp::sqlite_with`], the server held to `limits`.
    pub async fn sqlite_with_limits(
        configure: impl FnOnce(redress_app::App) -> redress_app::App,
        limits: redress_web::Limits,
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage =
            redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.expect("open SQLite");
        Self::serve(Arc::new(storage), Database::Sqlite(dir), configure, limits).await
    }

    /// A server over a fresh schema of the PostgreSQL database `REDRESS_TEST_POSTGRES_URL`
    /// names, or `None` when it is not set.
    pub async fn postgres() -> Option<TestApp> {
        Self::postgres_with(|state| state).await
    }

    /// As [`TestApp::postgres`], the state changed by `configure`.
    pub async fn postgres_with(configure: impl FnOnce(redress_app::App) -> redress_app::App) -> Option<TestApp> {
        let url = postgres_url()?;
        let schema = format!("api_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&url).await.expect("connect to PostgreSQL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await
            .expect("create the test schema");
        admin.close().await;
        let options = sqlx::postgres::PgConnectOptions::from_str(&url)
            .expect("REDRESS_TEST_POSTGRES_URL is a PostgreSQL URL")
            .options([("search_path", schema.as_str())]);
        let storage =
            redress_storage::postgres::PostgresStorage::connect_with(options).await.expect("connect the storage");
        let database = Database::Postgres { url, schema };
        Some(Self::serve(Arc::new(storage), database, configure, redress_web::Limits::default()).await)
    }

    async fn serve(
        storage: Arc<dyn redress_storage::Storage>,
        database: Database,
        configure: impl FnOnce(redress_app::App) -> redress_app::App,
        limits: redress_web::Limits,
    ) -> TestApp {
        let secrets = redress_app::platforms::SecretsKey::parse(SECRETS_KEY).expect("a secrets key");
        let app = configure(
            redress_app::App::new(storage.clone())
                .with_stripe_webhook_secret(STRIPE_WEBHOOK_SECRET)
                .with_secrets_key(secrets)
                .with_push_retry(redress_connect::shop::webhooks_out::RetryPolicy {
                    first: std::time::Duration::from_millis(100),
                    cap: std::time::Duration::from_secs(1),
                    max_attempts: 5,
                }),
        );
        let state = redress_web::AppState::new(app, ADMIN_KEY).with_limits(limits).with_metrics_token(METRICS_TOKEN);
        // As the server does: changes for the shops and webhook deliveries, sent by a worker.
        let pushes =
            redress_app::platforms::spawn_push_worker(state.shared_app(), std::time::Duration::from_millis(100));
        let mailboxes = redress_app::mailboxes::spawn_reader(state.shared_app(), std::time::Duration::from_millis(100));
        let router = redress_web::router(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
                .await
                .expect("the server runs");
        });
        TestApp {
            base: format!("http://{address}"),
            client: reqwest::Client::builder().timeout(std::time::Duration::from_secs(60)).build().expect("client"),
            storage,
            server,
            pushes,
            mailboxes,
            database,
        }
    }

    /// Sends a request with an optional bearer key and an optional JSON body. A POST carries a
    /// fresh `Idempotency-Key`, as a client's first try does; tests of retries use
    /// [`TestApp::call_keyed`].
    pub async fn call(&self, method: Method, path: &str, key: Option<&str>, body: Option<&Value>) -> Reply {
        let fresh = (method == Method::POST).then(|| uuid::Uuid::now_v7().to_string());
        self.call_keyed(method, path, key, fresh.as_deref(), body).await
    }

    /// Sends a request with an optional bearer key, an optional `Idempotency-Key` and an
    /// optional JSON body.
    pub async fn call_keyed(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        idempotency: Option<&str>,
        body: Option<&Value>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(idempotency) = idempotency {
            request = request.header("Idempotency-Key", idempotency);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Self::read(request.send().await.expect("the server answers")).await
    }

    /// Sends raw bytes with the given content type (none when `None`).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base)).body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        Self::read(request.send().await.expect("the server answers")).await
    }

    /// Sends a request with a literal `Authorization` header.
    pub async fn with_authorization(&self, method: Method, path: &str, authorization: &str) -> Reply {
        let request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::AUTHORIZATION, authorization);
        Self::read(request.send().await.expect("the server answers")).await
    }

    pub async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("read the body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("{status}: body is not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        Reply { status, content_type, headers, body }
    }

    /// GET with a key.
    pub async fn get(&self, path: &str, key: &str) -> Reply {
        self.call(Method::GET, path, Some(key), None).await
    }

    /// POST a JSON body with a key.
    pub async fn post(&self, path: &str, key: &str, body: &Value) -> Reply {
        self.call(Method::POST, path, Some(key), Some(body)).await
    }

    /// Creates a store (currency EUR, language en) with its first admin (`olga@{slug}.example`)
    /// and returns it with its integration key and the admin's personal key.
    pub async fn create_store(&self, slug: &str) -> Shop {
        self.create_store_with_admin(slug, &format!("olga@{slug}.example"), FIRST_ADMIN_PASSWORD).await
    }

    /// Sets up a store whose first admin, Olga, signs in with this email and password.
    pub async fn create_store_with_admin(&self, slug: &str, email: &str, password: &str) -> Shop {
        let body = self
            .post(
                "/api/v1/stores",
                ADMIN_KEY,
                &json!({"slug": slug, "name": format!("Shop {slug}"),
                        "default_currency": "EUR", "default_language": "en",
                        "admin": {"email": email, "name": "Olga", "role": "admin", "password": password}}),
            )
            .await
            .expect(201);
        Shop {
            id: text(&body["store"]["id"]),
            key: text(&body["api_key"]["secret"]),
            admin: text(&body["admin_key"]["secret"]),
        }
    }

    /// Adds a team member with `role` (`agent`, `lead` or `admin`) and returns their personal
    /// key.
    pub async fn member_key(&self, shop: &Shop, name: &str, role: &str) -> String {
        self.member(shop, name, role).await.key
    }

    /// Adds a team member with `role` (`agent`, `lead` or `admin`): their id and personal key.
    pub async fn member(&self, shop: &Shop, name: &str, role: &str) -> Member {
        let email = format!("{}@{}.example", name.to_lowercase(), shop.id);
        let agent = self
            .post(
                "/api/v1/agents",
                &shop.admin,
                &json!({"email": email, "name": name, "role": role, "password": FIRST_ADMIN_PASSWORD}),
            )
            .await
            .expect(201);
        let key = self
            .post(
                "/api/v1/store/api-keys",
                &shop.admin,
                &json!({"label": format!("{name}'s key"), "kind": "personal", "agent_id": agent["id"]}),
            )
            .await
            .expect(201);
        Member { id: text(&agent["id"]), key: text(&key["secret"]) }
    }

    /// Stores a new order and returns it as stored.
    pub async fn create_order(&self, key: &str, order: &Value) -> Value {
        self.post("/api/v1/orders", key, order).await.expect(201)
    }

    /// Opens a case and returns the case view (case, messages, timeline).
    pub async fn open_case(&self, key: &str, case: &Value) -> Value {
        self.post("/api/v1/cases", key, case).await.expect(201)
    }

    /// The case view (case, messages, timeline) of a case.
    pub async fn case_view(&self, key: &str, case_id: &str) -> Value {
        self.get(&format!("/api/v1/cases/{case_id}"), key).await.expect(200)
    }

    /// Every case of the caller's store, following the cursor.
    pub async fn all_cases(&self, key: &str, query: &str) -> Vec<Value> {
        let mut cases = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!("/api/v1/cases?limit=200{query}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let page = self.get(&path, key).await.expect(200);
            cases.extend(page["cases"].as_array().expect("cases").iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return cases,
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        self.pushes.abort();
        self.mailboxes.abort();
        if let Database::Postgres { url, schema } = &self.database {
            let (url, schema) = (url.clone(), schema.clone());
            // Drop the schema from a thread of its own: this may run inside the test's runtime.
            let dropped = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                runtime.block_on(async {
                    let admin = sqlx::PgPool::connect(&url).await.expect("connect to PostgreSQL");
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
                        .execute(&admin)
                        .await
                        .expect("drop the test schema");
                    admin.close().await;
                });
            })
            .join();
            if dropped.is_err() && !std::thread::panicking() {
                panic!("could not drop the test schema");
            }
        }
    }
}

/// The PostgreSQL URL the tests run against. Under CI (`CI` set) it must be set: a CI run that
/// skipped PostgreSQL would pass without testing half of the storage.
pub fn postgres_url() -> Option<String> {
    match std::env::var("REDRESS_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but REDRESS_TEST_POSTGRES_URL is not: the PostgreSQL runs would be skipped")
        }
        Err(_) => {
            eprintln!("REDRESS_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run");
            None
        }
    }
}

/// A JSON string as an owned `String`; panics on anything else.
#[track_caller]
pub fn text(value: &Value) -> String {
    value.as_str().unwrap_or_else(|| panic!("expected a string, got {value}")).to_owned()
}

/// Runs a test body against the SQLite server and, when `REDRESS_TEST_POSTGRES_URL` is set,
/// against the PostgreSQL server: `on_both_backends!(story)` makes `story::sqlite` and
/// `story::postgres` from `async fn story(app: &TestApp)`.
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = $crate::support::TestApp::sqlite().await;
                    super::$name(&app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some(app) = $crate::support::TestApp::postgres().await else {
                        return;
                    };
                    super::$name(&app).await;
                }
            }
        )+
    };
}

pub(crate) use on_both_backends;
