//! Who may call what: the admin key for store setup, a store key for the rest, nothing else.

use reqwest::Method;
use serde_json::json;

use crate::fixtures;
use crate::support::{ADMIN_KEY, TestApp};

const UNKNOWN_STORE_KEY: &str = "rk_0000000000000000000000000000000000000000";

/// Every store-key endpoint, with a body where it takes one.
fn store_endpoints(case_id: &str, order_id: &str) -> Vec<(Method, String, Option<serde_json::Value>)> {
    vec![
        (Method::GET, "/api/v1/store".into(), None),
        (Method::GET, "/api/v1/orders?number=A-1".into(), None),
        (Method::POST, "/api/v1/orders".into(), Some(fixtures::order("AUTH-1", "ana@example.com"))),
        (Method::GET, format!("/api/v1/orders/{order_id}"), None),
        (Method::GET, "/api/v1/cases".into(), None),
        (Method::POST, "/api/v1/cases".into(), Some(fixtures::case_on_order(order_id, "Broken mug"))),
        (Method::GET, format!("/api/v1/cases/{case_id}"), None),
        (
            Method::POST,
            format!("/api/v1/cases/{case_id}/messages"),
            Some(json!({"direction": "outbound", "body": "Sorry!"})),
        ),
        (Method::POST, format!("/api/v1/cases/{case_id}/status"), Some(json!({"status": "resolved"}))),
        (Method::POST, format!("/api/v1/cases/{case_id}/assignee"), Some(json!({"assignee": "maria"}))),
        (Method::POST, format!("/api/v1/cases/{case_id}/notes"), Some(json!({"body": "note"}))),
        (Method::POST, format!("/api/v1/cases/{case_id}/priority"), Some(json!({"priority": "urgent"}))),
    ]
}

fn admin_endpoints(store_id: &str) -> Vec<(Method, String, Option<serde_json::Value>)> {
    vec![
        (Method::GET, "/api/v1/stores".into(), None),
        (
            Method::POST,
            "/api/v1/stores".into(),
            Some(json!({"slug": "intruder", "name": "Intruder", "default_currency": "EUR", "default_language": "en"})),
        ),
        (Method::POST, format!("/api/v1/stores/{store_id}/api-keys"), Some(json!({"label": "stolen"}))),
    ]
}

/// A store with an order and a case, and a snapshot of everything a refused call could change.
struct World {
    shop: crate::support::Shop,
    order_id: String,
    case_id: String,
}

async fn world(app: &TestApp) -> World {
    let shop = app.create_store("north-wind").await;
    let order = app.create_order(&shop.key, &fixtures::order("A-1", "ana@example.com")).await;
    let order_id = crate::support::text(&order["id"]);
    let view = app.open_case(&shop.key, &fixtures::case_on_order(&order_id, "Broken mug")).await;
    World { case_id: crate::support::text(&view["case"]["id"]), shop, order_id }
}

async fn snapshot(app: &TestApp, world: &World) -> serde_json::Value {
    json!({
        "stores": app.get("/api/v1/stores", ADMIN_KEY).await.expect(200),
        "cases": app.all_cases(&world.shop.key, "").await,
        "case": app.case_view(&world.shop.key, &world.case_id).await,
        "orders": app.get("/api/v1/orders?customer_email=ana@example.com", &world.shop.key).await.expect(200),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_authorization_header_is_401_everywhere_but_health() {
    let app = TestApp::sqlite().await;
    let world = world(&app).await;
    let before = snapshot(&app, &world).await;
    for (method, path, body) in
        store_endpoints(&world.case_id, &world.order_id).into_iter().chain(admin_endpoints(&world.shop.id))
    {
        let reply = app.call(method.clone(), &path, None, body.as_ref()).await;
        assert_eq!(reply.status, 401, "{method} {path}");
        reply.error(401, "unauthorized", None);
    }
    assert_eq!(snapshot(&app, &world).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_authorization_headers_are_401() {
    let app = TestApp::sqlite().await;
    let world = world(&app).await;
    for header in [
        String::new(),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer    ".to_owned(),
        format!("Basic {}", world.shop.key),
        format!("bearer{}", world.shop.key),
        world.shop.key.clone(),
        format!("Token {ADMIN_KEY}"),
    ] {
        let reply = app.with_authorization(Method::GET, "/api/v1/store", &header).await;
        assert_eq!(reply.status, 401, "store endpoint with `{header}`");
        reply.error(401, "unauthorized", None);
        let reply = app.with_authorization(Method::GET, "/api/v1/stores", &header).await;
        assert_eq!(reply.status, 401, "admin endpoint with `{header}`");
        reply.error(401, "unauthorized", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_admin_key_is_401_and_creates_nothing() {
    let app = TestApp::sqlite().await;
    let world = world(&app).await;
    let before = snapshot(&app, &world).await;
    for key in ["wrong", &format!("{ADMIN_KEY}x"), &ADMIN_KEY[..ADMIN_KEY.len() - 1]] {
        for (method, path, body) in admin_endpoints(&world.shop.id) {
            let reply = app.call(method.clone(), &path, Some(key), body.as_ref()).await;
            assert_eq!(reply.status, 401, "{method} {path} with `{key}`");
            reply.error(401, "unauthorized", None);
        }
    }
    assert_eq!(snapshot(&app, &world).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_key_on_admin_endpoints_is_401() {
    let app = TestApp::sqlite().await;
    let world = world(&app).await;
    let before = snapshot(&app, &world).await;
    for (method, path, body) in admin_endpoints(&world.shop.id) {
        let reply = app.call(method.clone(), &path, Some(&world.shop.key), body.as_ref()).await;
        assert_eq!(reply.status, 401, "{method} {path}");
        reply.error(401, "unauthorized", None);
    }
    assert_eq!(snapshot(&app, &world).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_key_and_unknown_keys_on_store_endpoints_are_401() {
    let app = TestApp::sqlite().await;
    let world = world(&app).await;
    let before = snapshot(&app, &world).await;
    let almost = format!("{}0", &world.shop.key[..world.shop.key.len() - 1]);
    let almost =
        if almost == world.shop.key { format!("{}1", &world.shop.key[..world.shop.key.len() - 1]) } else { almost };
    for key in [ADMIN_KEY, UNKNOWN_STORE_KEY, almost.as_str(), &world.shop.key.to_uppercase()] {
        for (method, path, body) in store_endpoints(&world.case_id, &world.order_id) {
            let reply = app.call(method.clone(), &path, Some(key), body.as_ref()).await;
            assert_eq!(reply.status, 401, "{method} {path} with `{key}`");
            reply.error(401, "unauthorized", None);
        }
    }
    assert_eq!(snapshot(&app, &world).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_comes_before_validation() {
    let app = TestApp::sqlite().await;
    // A body that would be refused as invalid is refused as unauthorized first: a caller
    // without a key learns nothing about the input rules or the ids.
    let reply = app.call(Method::POST, "/api/v1/orders", None, Some(&json!({"number": ""}))).await;
    reply.error(401, "unauthorized", None);
    let reply = app.raw(Method::POST, "/api/v1/stores", Some("wrong"), Some("application/json"), "{not json").await;
    reply.error(401, "unauthorized", None);
    let reply = app.call(Method::GET, "/api/v1/cases/not-an-id", Some(UNKNOWN_STORE_KEY), None).await;
    reply.error(401, "unauthorized", None);
}
