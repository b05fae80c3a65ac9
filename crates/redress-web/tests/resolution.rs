//! The resolution endpoints as a client sees them: the real router on a real port over a fresh
//! SQLite database, and again over a private PostgreSQL schema when `REDRESS_TEST_POSTGRES_URL`
//! names a database. Every endpoint's errors are checked (status, code, field) together with
//! the fact that a refused request changed nothing; a few happy paths show the pieces fit.

// These tests drive a real server on the system's clock, so their fixtures are dated from it
// too; none waits on it.
#![allow(clippy::disallowed_methods)]
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

const ADMIN_KEY: &str = "resolution-tests-admin-secret";

struct App {
    base: String,
    client: reqwest::Client,
    key: String,
    /// The personal key of the store's first admin: policies are an admin's.
    admin: String,
    _dir: Option<tempfile::TempDir>,
    /// The PostgreSQL URL and the schema made for the test.
    schema: Option<(String, String)>,
}

/// Runs a test body on SQLite, then on PostgreSQL when `REDRESS_TEST_POSTGRES_URL` is set.
macro_rules! on_both_backends {
    ($name:ident, $body:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$body(&super::App::sqlite().await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = super::App::postgres().await {
                    super::$body(&app).await;
                    app.drop_schema().await;
                }
            }
        }
    };
}

on_both_backends!(options, options_explain_themselves_and_refuse_bad_requests);
on_both_backends!(remedies, remedies_are_carried_out_once_and_refused_with_no_change);
on_both_backends!(amendments, amendments_before_shipping_and_refusals_after);
on_both_backends!(returns, returns_move_through_their_lifecycle_and_refuse_illegal_steps);
on_both_backends!(fault, fault_changes_need_a_note_and_a_real_line);
on_both_backends!(policy, policies_are_checked_on_load_and_versioned);

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Reply {
    #[track_caller]
    fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "expected {status}, got {} with {}", self.status, self.body);
        self.body
    }

    #[track_caller]
    fn error(&self, status: u16, code: &str, field: Option<&str>) {
        assert_eq!(self.status.as_u16(), status, "expected {status} {code}, got {} with {}", self.status, self.body);
        let error = &self.body["error"];
        assert_eq!(error["code"], code, "code in {}", self.body);
        match field {
            Some(field) => assert_eq!(error["field"], field, "field in {}", self.body),
            None => assert!(error["field"].is_null(), "no field expected in {}", self.body),
        }
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

fn ago(days: i64) -> String {
    (OffsetDateTime::now_utc() - Duration::days(days)).format(&Rfc3339).unwrap()
}

impl App {
    async fn sqlite() -> App {
        let dir = tempfile::tempdir().unwrap();
        let storage = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
        App::start(Arc::new(storage), Some(dir)).await
    }

    /// Over a schema of its own, dropped by [`App::drop_schema`] when the test passed.
    async fn postgres() -> Option<App> {
        let Ok(url) = std::env::var("REDRESS_TEST_POSTGRES_URL") else {
            eprintln!("REDRESS_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run");
            return None;
        };
        let schema = format!("resolution_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.unwrap();
        admin.close().await;
        let options = <sqlx::postgres::PgConnectOptions as std::str::FromStr>::from_str(&url)
            .unwrap()
            .options([("search_path", schema.as_str())]);
        let storage = redress_storage::postgres::PostgresStorage::connect_with(options).await.unwrap();
        let mut app = App::start(Arc::new(storage), None).await;
        app.schema = Some((url, schema));
        Some(app)
    }

    async fn drop_schema(&self) {
        if let Some((url, schema)) = &self.schema {
            let admin = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&admin).await.unwrap();
            admin.close().await;
        }
    }

    async fn start(storage: Arc<dyn redress_storage::Storage>, dir: Option<tempfile::TempDir>) -> App {
        let router = redress_web::router(redress_web::AppState::new(redress_app::App::new(storage), ADMIN_KEY));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        let mut app = App {
            base: format!("http://{address}"),
            client: reqwest::Client::new(),
            key: String::new(),
            admin: String::new(),
            _dir: dir,
            schema: None,
        };
        let store = json!({"slug": "northwind", "name": "Northwind", "default_currency": "EUR", "default_language": "en",
            "admin": {"email": "olga@northwind.example", "name": "Olga", "role": "admin", "password": "first admin password"}});
        let created = app.send(Method::POST, "/api/v1/stores", Some(ADMIN_KEY), Some(&store), None).await.expect(201);
        app.key = created["api_key"]["secret"].as_str().unwrap().to_owned();
        app.admin = created["admin_key"]["secret"].as_str().unwrap().to_owned();
        app
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
        idempotency: Option<&str>,
    ) -> Reply {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(idempotency) = idempotency {
            request = request.header("Idempotency-Key", idempotency);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        Reply { status, headers, body }
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, Some(&self.key), None, None).await
    }

    /// Posts with a fresh `Idempotency-Key`, as a client making a new request does.
    async fn post(&self, path: &str, body: &Value) -> Reply {
        let key = uuid::Uuid::now_v7().to_string();
        self.send(Method::POST, path, Some(&self.key), Some(body), Some(&key)).await
    }

    /// An order at `status` ("pending", "in_transit", "delivered") and a case of `kind` about it,
    /// in `language`. Returns the case id.
    async fn case(&self, number: &str, status: &str, kind: &str, language: &str, unit_minor: i64) -> String {
        let mut times = serde_json::Map::new();
        if status != "pending" {
            times.insert("handed_to_carrier".into(), json!(ago(6)));
        }
        if status == "delivered" {
            times.insert("delivered".into(), json!(ago(3)));
        }
        let total = 2 * 1999 + unit_minor;
        let order = json!({
            "number": number,
            "customer": {"email": format!("ana+{number}@example.com"), "name": "Ana Kowalska", "language": language},
            "currency": "EUR",
            "lines": [
                {"sku": "TEE-M", "title": "T-shirt", "variant": {"size": "M"}, "quantity": 2,
                 "unit_price": {"amount_minor": 1999, "currency": "EUR"}},
                {"sku": "JACKET-M", "title": "Rain jacket", "quantity": 1,
                 "unit_price": {"amount_minor": unit_minor, "currency": "EUR"}}
            ],
            "shipping_address": {"name": "Ana Kowalska", "lines": ["ul. Długa 5"], "city": "Kraków",
                "postal_code": "31-147", "country": "PL"},
            "payments": [{"provider": "sandbox", "provider_reference": format!("ch_{number}"), "method": "card",
                "authorized": {"amount_minor": total, "currency": "EUR"},
                "captured": {"amount_minor": total, "currency": "EUR"}, "status": "captured"}],
            "shipments": [{"carrier": "DHL", "tracking_number": "JD0140",
                "lines": [{"sku": "TEE-M", "quantity": 2}, {"sku": "JACKET-M", "quantity": 1}],
                "status": status, "status_times": times}],
            "placed_at": ago(8)
        });
        let order = self.post("/api/v1/orders", &order).await.expect(201);
        let case = json!({"order_id": order["id"], "subject": "Help", "channel": "email", "kind": kind,
            "message": {"body": "Hola, necesito ayuda"}});
        self.post("/api/v1/cases", &case).await.expect(201)["case"]["id"].as_str().unwrap().to_owned()
    }

    async fn version(&self, case_id: &str) -> (u64, usize) {
        let view = self.get(&format!("/api/v1/cases/{case_id}")).await.expect(200);
        (view["case"]["version"].as_u64().unwrap(), view["timeline"].as_array().unwrap().len())
    }
}

async fn options_explain_themselves_and_refuse_bad_requests(app: &App) {
    let case = app.case("1001", "delivered", "return_request", "es", 8900).await;
    let decision = app.get(&format!("/api/v1/cases/{case}/options")).await.expect(200);
    assert_eq!(decision["recommended"], "exchange");
    assert_eq!(decision["language"], "es");
    let within = decision["reasons"].as_array().unwrap().iter().find(|r| r["rule"] == "within_window").unwrap();
    assert!(within["text"].as_str().unwrap().contains("plazo de devolución"), "{within}");

    app.get("/api/v1/cases/not-an-id/options").await.error(404, "not_found", None);
    app.get(&format!("/api/v1/cases/{}/options", uuid::Uuid::now_v7())).await.error(404, "not_found", None);
    app.get(&format!("/api/v1/cases/{case}/options?lines=TEE-M:x")).await.error(400, "invalid_field", Some("lines"));
    app.get(&format!("/api/v1/cases/{case}/options?lines=HAT:1")).await.error(
        400,
        "invalid_field",
        Some("lines[0].sku"),
    );
    app.get(&format!("/api/v1/cases/{case}/options?colour=red")).await.error(400, "invalid_field", Some("colour"));
    app.send(Method::GET, &format!("/api/v1/cases/{case}/options"), None, None, None).await.error(
        401,
        "unauthorized",
        None,
    );
}

async fn remedies_are_carried_out_once_and_refused_with_no_change(app: &App) {
    let case = app.case("2001", "delivered", "return_request", "en", 8900).await;
    let path = format!("/api/v1/cases/{case}/remedy");
    let before = app.version(&case).await;

    app.post(&path, &json!({"remedy": "reship"})).await.error(409, "not_offered", None);
    app.post(&path, &json!({"remedy": "teleport"})).await.error(400, "unknown_value", Some("remedy"));
    app.post(&path, &json!({"remedy": "exchange", "colour": "red"})).await.error(400, "invalid_field", Some("colour"));
    app.post(&path, &json!({})).await.error(400, "missing_field", Some("remedy"));
    // Approval is never claimed in a body: a second person gives it, as themselves.
    app.post(&path, &json!({"remedy": "exchange", "approved_by": "maria"})).await.error(
        400,
        "invalid_field",
        Some("approved_by"),
    );
    app.post(&path, &json!({"remedy": "return_refund", "lines": [{"sku": "TEE-M", "quantity": 3}]})).await.error(
        400,
        "invalid_field",
        Some("lines[0].quantity"),
    );
    let bad_key =
        app.send(Method::POST, &path, Some(&app.key), Some(&json!({"remedy": "exchange"})), Some("two words")).await;
    bad_key.error(400, "invalid_field", Some("Idempotency-Key"));
    app.post(&format!("/api/v1/cases/{}/remedy", uuid::Uuid::now_v7()), &json!({"remedy": "exchange"})).await.error(
        404,
        "not_found",
        None,
    );
    assert_eq!(app.version(&case).await, before, "refused requests change nothing");

    // Carried out once under a key; the retry gets the first answer.
    let body = json!({"remedy": "return_refund", "lines": [{"sku": "TEE-M", "quantity": 1}]});
    let first = app.send(Method::POST, &path, Some(&app.key), Some(&body), Some("retry-1")).await;
    assert_eq!(first.status.as_u16(), 201, "{}", first.body);
    assert_eq!(first.body["returns"][0]["status"], "approved");
    assert_eq!(first.body["case"]["status"], "waiting_on_customer", "the customer sends it back next");
    assert!(first.body["returns"][0]["lines"][0]["quantity"] == 1);
    let after = app.version(&case).await;
    let again = app.send(Method::POST, &path, Some(&app.key), Some(&body), Some("retry-1")).await;
    assert_eq!(again.status.as_u16(), 201);
    assert_eq!(again.body, first.body, "the retry answers with the first answer");
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    assert_eq!(app.version(&case).await, after, "the retry changed nothing");
    let listed = app.get(&format!("/api/v1/cases/{case}/returns")).await.expect(200);
    assert_eq!(listed["returns"].as_array().unwrap().len(), 1);
    let other = json!({"remedy": "exchange"});
    app.send(Method::POST, &path, Some(&app.key), Some(&other), Some("retry-1")).await.error(
        422,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    );

    // A high-value refund goes ahead as a return that waits for a second person's approval.
    let dear = app.case("2002", "delivered", "return_request", "en", 50000).await;
    let path = format!("/api/v1/cases/{dear}/remedy");
    let waiting = app.post(&path, &json!({"remedy": "return_refund"})).await.expect(201);
    assert_eq!(waiting["returns"][0]["status"], "requested", "{waiting}");
    assert!(waiting["returns"][0]["approval"]["because"].is_string(), "it says why it waits: {waiting}");
    let actions = format!("/api/v1/cases/{dear}/returns/{}/actions", waiting["returns"][0]["id"].as_str().unwrap());
    app.post(&actions, &json!({"action": "approve"})).await.error(403, "own_request", None);
    let key = uuid::Uuid::now_v7().to_string();
    let approved = app
        .send(Method::POST, &actions, Some(&app.admin), Some(&json!({"action": "approve"})), Some(&key))
        .await
        .expect(200);
    assert_eq!(approved["return"]["status"], "approved", "{approved}");
    assert_eq!(waiting["decision"]["needs_approval"], false, "the exchange, recommended, needs none");
    app.post(&path, &json!({"remedy": "amend_order"})).await.error(409, "not_offered", None);

    // A loss put right through a return is a claim too, tied to the return.
    let wrong = app.case("2004", "delivered", "wrong_item_received", "en", 8900).await;
    let path = format!("/api/v1/cases/{wrong}/remedy");
    app.post(&path, &json!({"remedy": "reship", "carrier_reference": "X-1"})).await.error(
        400,
        "invalid_field",
        Some("carrier_reference"),
    );
    let put_right = app.post(&path, &json!({"remedy": "return_refund"})).await.expect(201);
    assert_eq!(put_right["claims"][0]["resolution"], "refund_with_return");
    assert_eq!(put_right["claims"][0]["return_id"], put_right["returns"][0]["id"]);
    assert_eq!(put_right["case"]["fault"]["case"], "retailer");

    // A partial refund says how much, within the goods concerned, and a person approves it.
    let scratched = app.case("2005", "delivered", "not_as_described", "en", 8900).await;
    let path = format!("/api/v1/cases/{scratched}/remedy");
    let partial = |amount: i64| {
        json!({"remedy": "partial_refund", "photos_provided": true,
               "amount": {"amount_minor": amount, "currency": "EUR"}})
    };
    app.post(&path, &partial(0)).await.error(400, "invalid_field", Some("amount"));
    app.post(&path, &partial(12899)).await.error(400, "invalid_field", Some("amount"));
    app.post(&path, &json!({"remedy": "partial_refund", "photos_provided": true})).await.error(
        400,
        "invalid_field",
        Some("amount"),
    );
    app.post(&path, &json!({"remedy": "partial_refund"})).await.error(400, "invalid_field", Some("photos_provided"));
    let done = app.post(&path, &partial(1500)).await.expect(201);
    assert_eq!(done["refunds"][0]["refund"]["status"], "awaiting_approval", "a person approves it: {done}");
    assert_eq!(done["case"]["status"], "open", "not resolved while the money waits");

    // Before shipping, a cancellation is a cancellation.
    let early = app.case("2003", "pending", "cancel_order", "pl", 8900).await;
    let done = app.post(&format!("/api/v1/cases/{early}/remedy"), &json!({"remedy": "cancel_order"})).await.expect(201);
    assert!(done["order"]["cancelled_at"].is_string());
    // The money taken for it goes back at once: 128.98 EUR is within the policy's automatic
    // 150.00 EUR, the one limit every path reads.
    assert_eq!(done["refunds"][0]["refund"]["amount"]["amount_minor"], 2 * 1999 + 8900, "{done}");
    assert_eq!(done["refunds"][0]["refund"]["status"], "succeeded");
    assert_eq!(done["case"]["status"], "resolved");
    app.post(&format!("/api/v1/cases/{early}/remedy"), &json!({"remedy": "cancel_order"})).await.error(
        409,
        "not_offered",
        None,
    );
    let after = app.get(&format!("/api/v1/cases/{early}/options")).await.expect(200);
    assert_eq!(after["reasons"][0]["rule"], "order_cancelled");
    assert!(after["reasons"][0]["text"].as_str().unwrap().contains("anulowano"), "{after}");
    app.post(
        &format!("/api/v1/cases/{early}/amendments"),
        &json!({"amendment": {"type": "cancel_line", "sku": "TEE-M"}}),
    )
    .await
    .error(409, "order_cancelled", None);
}

async fn amendments_before_shipping_and_refusals_after(app: &App) {
    let case = app.case("3001", "pending", "change_order_items", "en", 8900).await;
    let path = format!("/api/v1/cases/{case}/amendments");
    let swap = json!({"amendment": {"type": "swap_variant", "sku": "JACKET-M",
        "to": {"sku": "JACKET-L", "title": "Rain jacket", "variant": {"size": "L"},
               "unit_price": {"amount_minor": 9900, "currency": "EUR"}}},
        "stock": {"JACKET-L": 2}});
    let before = app.version(&case).await;
    app.post(&path, &json!({"amendment": {"type": "paint_it_black"}})).await.error(
        400,
        "unknown_value",
        Some("amendment.type"),
    );
    app.post(&path, &json!({"amendment": {"type": "quantity", "sku": "TEE-M", "quantity": 5}})).await.error(
        409,
        "out_of_stock",
        None,
    );
    app.post(&path, &json!({"amendment": {"type": "quantity", "sku": "HAT", "quantity": 1}})).await.error(
        400,
        "invalid_field",
        Some("amendment.sku"),
    );
    let bad_address = json!({"amendment": {"type": "shipping_address", "address": {"name": "Ana", "lines": ["x"],
        "city": "Kraków", "postal_code": "1", "country": "Poland"}}});
    app.post(&path, &bad_address).await.error(400, "invalid_field", Some("amendment.address.country"));
    let same = json!({"amendment": {"type": "quantity", "sku": "TEE-M", "quantity": 2}});
    app.post(&path, &same).await.error(409, "no_change", None);
    assert_eq!(app.version(&case).await, before);

    let done = app.post(&path, &swap).await.expect(200);
    assert_eq!(done["difference"], json!({"amount_minor": 1000, "currency": "EUR"}));
    assert!(
        done["before"].as_str().unwrap().contains("JACKET-M") && done["after"].as_str().unwrap().contains("JACKET-L")
    );
    let order = app.get(&format!("/api/v1/orders/{}", done["order"]["id"].as_str().unwrap())).await.expect(200);
    assert_eq!(order["lines"][1]["sku"], "JACKET-L", "the stored order was amended");
    let timeline = app.get(&format!("/api/v1/cases/{case}")).await.expect(200)["timeline"].clone();
    assert!(timeline.as_array().unwrap().iter().any(|e| e["event"]["type"] == "order_amended"));

    let late = app.case("3002", "in_transit", "change_order_items", "pt", 8900).await;
    let before = app.version(&late).await;
    let refused = app.post(&format!("/api/v1/cases/{late}/amendments"), &swap).await;
    refused.error(409, "too_late_to_amend", None);
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.contains("DHL"), "{message}");
    let alternatives = refused.body["error"]["alternatives"].as_array().expect("the alternatives, as codes");
    assert!(alternatives.iter().any(|a| a == "return_refund"), "{}", refused.body);
    assert!(message.contains("encomenda"), "in the customer's language: {message}");
    assert_eq!(app.version(&late).await, before);
}

async fn returns_move_through_their_lifecycle_and_refuse_illegal_steps(app: &App) {
    let case = app.case("4001", "delivered", "return_request", "en", 8900).await;
    let path = format!("/api/v1/cases/{case}/returns");
    app.post(&path, &json!({"lines": [{"sku": "TEE-M", "quantity": 3, "reason": "return_request"}]})).await.error(
        400,
        "invalid_field",
        Some("lines[0].quantity"),
    );
    app.post(&path, &json!({"lines": [{"sku": "TEE-M", "quantity": 1, "reason": "bored"}]})).await.error(
        400,
        "unknown_value",
        Some("lines[0].reason"),
    );
    let created = app
        .post(&path, &json!({"lines": [{"sku": "TEE-M", "quantity": 2, "reason": "return_request"}]}))
        .await
        .expect(201);
    let rma = created["return"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["return"]["status"], "requested");
    let actions = format!("{path}/{rma}/actions");

    let before = app.version(&case).await;
    app.post(&actions, &json!({"action": "receive"})).await.error(409, "illegal_transition", None);
    app.post(&actions, &json!({"action": "refund"})).await.error(409, "illegal_transition", None);
    app.post(&actions, &json!({"action": "fly"})).await.error(400, "unknown_value", Some("action"));
    app.post(&actions, &json!({"action": "reject", "reason": " "})).await.error(400, "invalid_field", Some("reason"));
    app.post(&format!("{path}/{}/actions", uuid::Uuid::now_v7()), &json!({"action": "approve"})).await.error(
        404,
        "not_found",
        None,
    );
    app.post(&format!("{path}/nope/actions"), &json!({"action": "approve"})).await.error(404, "not_found", None);
    assert_eq!(app.version(&case).await, before, "refused steps change nothing");
    let listed = app.get(&format!("/api/v1/cases/{case}/returns")).await.expect(200);
    assert_eq!(listed["returns"][0]["status"], "requested");
    assert_eq!(listed["returns"][0]["version"], 1);

    for step in [
        json!({"action": "approve"}),
        json!({"action": "issue_label", "carrier": "DHL", "tracking_number": "RT-1"}),
        json!({"action": "mark_in_transit"}),
        json!({"action": "receive"}),
    ] {
        app.post(&actions, &step).await.expect(200);
    }
    app.post(&actions, &json!({"action": "cancel"})).await.error(409, "illegal_transition", None);
    app.post(&actions, &json!({"action": "inspect", "lines": {}})).await.error(
        400,
        "invalid_field",
        Some("lines.TEE-M"),
    );
    app.post(
        &actions,
        &json!({"action": "inspect", "lines": {"TEE-M": {"outcome": "accepted", "condition": ["unused"]}}}),
    )
    .await
    .error(400, "invalid_field", Some("lines.TEE-M.condition"));
    let inspected = app
        .post(&actions, &json!({"action": "inspect", "lines": {"TEE-M": {"outcome": "accepted", "condition": ["unused", "tags_on"]}}}))
        .await
        .expect(200);
    assert_eq!(inspected["return"]["status"], "inspected");
    app.post(&actions, &json!({"action": "refund", "amount": {"amount_minor": 999999, "currency": "EUR"}}))
        .await
        .error(400, "invalid_field", Some("amount"));
    let refunded = app.post(&actions, &json!({"action": "refund"})).await.expect(200);
    assert_eq!(
        refunded["return"]["settled_amount"],
        json!({"amount_minor": 2 * 1999 - 595, "currency": "EUR"}),
        "less the customer's label"
    );
    // The money goes back: the label kept as a fee of its own, the lines refunded in full.
    let refund = &refunded["refunds"][0]["refund"];
    assert_eq!(refund["status"], "succeeded", "{refunded}");
    assert_eq!(refund["amount"]["amount_minor"], 2 * 1999 - 595);
    assert_eq!(
        refund["fees"],
        json!([{"kind": "return_shipping", "amount": {"amount_minor": 595, "currency": "EUR"}}])
    );
    assert_eq!(refund["lines"][0]["amount"]["amount_minor"], 2 * 1999);
    app.post(&actions, &json!({"action": "refund"})).await.error(409, "illegal_transition", None);
    assert_eq!(refunded["case"]["status"], "resolved", "money back settles the case");
    assert_eq!(app.post(&actions, &json!({"action": "close"})).await.expect(200)["return"]["status"], "closed");
}

async fn fault_changes_need_a_note_and_a_real_line(app: &App) {
    let case = app.case("5001", "delivered", "damaged_in_transit", "en", 8900).await;
    let path = format!("/api/v1/cases/{case}/fault");
    let before = app.version(&case).await;
    app.post(&path, &json!({"fault": "retailer", "note": ""})).await.error(400, "invalid_field", Some("note"));
    app.post(&path, &json!({"fault": "retailer"})).await.error(400, "missing_field", Some("note"));
    app.post(&path, &json!({"fault": "gremlins", "note": "x"})).await.error(400, "unknown_value", Some("fault"));
    app.post(&path, &json!({"fault": "retailer", "sku": "HAT", "note": "x"})).await.error(
        400,
        "invalid_field",
        Some("sku"),
    );
    app.post(&path, &json!({"fault": "carrier", "note": "x"})).await.error(409, "no_change", None);
    assert_eq!(app.version(&case).await, before);
    let changed = app.post(&path, &json!({"fault": "retailer", "note": "packed without padding"})).await.expect(200);
    assert_eq!(changed["fault"]["case"], "retailer");
}

async fn policies_are_checked_on_load_and_versioned(app: &App) {
    let current = app.get("/api/v1/policy").await.expect(200);
    assert_eq!(current["default"], true);
    let broken = current["source"].as_str().unwrap().replace("window_days = 30", "window_days = 0");
    let refused =
        app.send(Method::PUT, "/api/v1/policy", Some(&app.admin), Some(&json!({"source": broken})), None).await;
    refused.error(400, "invalid_field", Some("source"));
    let message = refused.body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("line ") && message.contains("returns.window_days"), "{message}");
    app.send(Method::PUT, "/api/v1/policy", Some(&app.admin), Some(&json!({"preset": "lenient"})), None).await.error(
        400,
        "unknown_value",
        Some("preset"),
    );
    app.send(Method::PUT, "/api/v1/policy", Some(&app.admin), Some(&json!({})), None).await.error(
        400,
        "invalid_field",
        Some("source"),
    );

    let case = app.case("6001", "delivered", "return_request", "en", 8900).await;
    let dry = app
        .send(Method::POST, "/api/v1/policy/dry-run", Some(&app.admin), Some(&json!({"preset": "eu_withdrawal"})), None)
        .await
        .expect(200);
    assert_eq!(dry["cases_replayed"], 1);
    assert_eq!(dry["changes"][0]["recommended_after"], "return_refund", "the EU preset prefers money back");
    app.send(Method::PUT, "/api/v1/policy", Some(&app.admin), Some(&json!({"preset": "eu_withdrawal"})), None)
        .await
        .expect(200);
    let again = app
        .send(Method::PUT, "/api/v1/policy", Some(&app.admin), Some(&json!({"preset": "eu_withdrawal"})), None)
        .await
        .expect(200);
    assert_eq!(again["policy"]["version"], 3, "Redress numbers each save after the version in force");
    assert_eq!(app.get("/api/v1/policy").await.expect(200)["policy"]["id"], "eu-withdrawal");
    let decision = app.get(&format!("/api/v1/cases/{case}/options")).await.expect(200);
    assert_eq!(decision["policy_id"], "eu-withdrawal");
    assert_eq!(decision["recommended"], "return_refund");
}
