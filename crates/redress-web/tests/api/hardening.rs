//! What a browser and a careless or hostile client meet at the edge: every answer says how it
//! may be framed, sniffed and referred; paths that are not UTF-8 get the JSON error format; an
//! oversized field is refused with a short message that does not echo it back; a server at its
//! limit of requests in flight turns the next one away at once.

use reqwest::Method;
use serde_json::json;

use crate::browser::Browser;
use crate::fixtures::{order, set};
use crate::support::{TestApp, on_both_backends};

on_both_backends!(a_nul_in_a_page_form_is_refused_and_changes_nothing);

async fn a_nul_in_a_page_form_is_refused_and_changes_nothing(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let mut browser = Browser::new(app);
    let answer = browser.post("/s/north-wind/lookup", &[("number", "A-1\0"), ("email", "ana@example.com")]).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body.contains("NUL"), "{}", answer.body);
    let answer =
        browser.post("/desk/north-wind/signin", &[("email", "olga\0@north-wind.example"), ("password", "x")]).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(browser.get("/s/north-wind?lang=e%00n").await.status, 400);
    // The same forms without the NUL still work as before.
    let answer = browser.post("/s/north-wind/lookup", &[("number", "A-1"), ("email", "ana@example.com")]).await;
    assert_eq!(answer.status, 303, "{}", answer.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let app = TestApp::sqlite().await;
    app.create_store("north-wind").await;
    for path in ["/s/north-wind", "/desk/north-wind/signin", "/api/v1/openapi.json", "/healthz", "/nowhere"] {
        let response = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{path}: {csp:?}");
        assert!(!csp.contains("script-src 'unsafe-inline'"), "{path}: no inline script may run");
        assert_eq!(headers.get("x-frame-options").unwrap(), "DENY", "{path}");
        assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff", "{path}");
        assert_eq!(headers.get("referrer-policy").unwrap(), "same-origin", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_is_not_utf8_gets_the_json_error_format() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    for path in ["/api/v1/cases/%ff%fe", "/api/v1/orders/%ff", "/api/v1/refunds/%c3%28"] {
        let reply = app.get(path, &shop.key).await;
        assert!(reply.status == 400 || reply.status == 404, "{path}: {} {}", reply.status, reply.body);
        assert!(reply.content_type.as_deref().is_some_and(|t| t.starts_with("application/json")), "{path}");
        assert!(reply.code() == "invalid_field" || reply.code() == "not_found", "{path}: {}", reply.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_fields_are_refused_without_being_echoed() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let huge = "N".repeat(500 * 1024);
    let bodies = [
        (set(order("A-1", "ana@example.com"), "/customer/name", json!(huge)), "customer.name"),
        (set(order("A-2", "ana@example.com"), "/number", json!(huge)), "number"),
        (set(order("A-3", "ana@example.com"), "/lines/0/title", json!(huge)), "lines[0].title"),
        (set(order("A-4", "ana@example.com"), "/shipping_address/city", json!(huge)), "shipping_address.city"),
    ];
    for (body, field) in bodies {
        let reply = app.call(Method::POST, "/api/v1/orders", Some(&shop.key), Some(&body)).await;
        assert_eq!(reply.status, 400, "{field}: {}", &reply.body.to_string()[..200.min(reply.body.to_string().len())]);
        assert_eq!(reply.body["error"]["field"], field);
        let said = reply.body.to_string();
        assert!(said.len() < 2_000, "{field}: the answer is {} bytes long", said.len());
    }
    assert_eq!(
        app.get("/api/v1/orders?customer_email=ana@example.com", &shop.key).await.expect(200)["orders"],
        json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_at_its_limit_turns_the_next_request_away_at_once() {
    use redress_connect::sandbox::{Behaviour, Sandbox};
    let sandbox = Sandbox::new();
    let provider = std::sync::Arc::new(sandbox.clone());
    let limits = redress_web::Limits { max_in_flight: 1, request_timeout: std::time::Duration::from_secs(60) };
    let app = TestApp::sqlite_with_limits(
        move |app| app.with_payment_provider(provider).with_refund_answer_deadline(std::time::Duration::from_secs(60)),
        limits,
    )
    .await;
    let shop = app.create_store("busy").await;
    let (order, case_id) = crate::settlement::double_charged(&app, &shop.key).await;
    // A refund whose provider holds its answer keeps the one slot busy.
    sandbox.script(Behaviour::Hold);
    let body = json!({
        "payment_id": order["payments"][1]["id"], "method": "original_payment", "reason": "duplicate_charge",
        "amount": {"amount_minor": 3300, "currency": "EUR"}
    });
    let refund = {
        let request = app
            .client
            .post(format!("{}/api/v1/cases/{case_id}/refunds", app.base))
            .bearer_auth(&shop.key)
            .header("Idempotency-Key", "busy-1")
            .json(&body);
        tokio::spawn(async move { request.send().await.unwrap().status() })
    };
    sandbox.wait_for_calls(1).await;

    let busy = app.client.get(format!("{}/healthz", app.base)).send().await.unwrap();
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.headers()["retry-after"], "1");
    assert_eq!(busy.headers()["x-content-type-options"], "nosniff", "turned away, still with the usual headers");
    let error: serde_json::Value = busy.json().await.unwrap();
    assert_eq!(error["error"]["code"], "overloaded");

    sandbox.release();
    assert_eq!(refund.await.unwrap(), 201, "the request in flight was not disturbed");
    app.get("/healthz", &shop.key).await.expect(200);
    assert_eq!(sandbox.refunds().len(), 1);
}
