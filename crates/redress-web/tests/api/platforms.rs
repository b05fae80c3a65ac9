//! Shop platforms over HTTP, against the local fakes of Shopify and WooCommerce: an order
//! created in the fake shop arrives by its signed webhook; a forged webhook is refused and
//! changes nothing; a webhook delivered twice changes nothing the second time; a parcel the
//! shop ships is told to the open case of its order; "sync now" reads the shop's recent orders.

use redress_connect::shop::fake_shopify::{self, FakeShopify, FakeShopifyConfig, SeedOrder};
use redress_connect::shop::fake_woocommerce::{self, FakeWooCommerce, FakeWooConfig};
use redress_connect::shop::shopify::Topic;
use redress_connect::shop::{Secret, woocommerce};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::case_on_order;
use crate::support::{Shop, TestApp, on_both_backends, text};

on_both_backends!(
    a_signed_shopify_webhook_brings_the_order_in_once,
    a_shipped_parcel_is_told_to_the_open_case,
    a_signed_woocommerce_webhook_brings_the_order_in_once,
    an_address_amended_in_redress_is_changed_in_the_shop,
    sync_now_reads_the_shops_recent_orders,
    the_desk_shows_the_connection_and_syncs_it,
    events_go_signed_to_the_endpoints_that_want_them
);

/// Refunds of Shopify orders go through their shop: on both backends, with the app routing
/// refunds as the server does when it has a secrets key.
mod refunds_go_through_the_shop {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = crate::support::TestApp::sqlite_with(redress_app::App::with_platform_refunds).await;
        super::a_refund_made_in_redress_is_made_once_in_the_shop(&app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let Some(app) = crate::support::TestApp::postgres_with(redress_app::App::with_platform_refunds).await else {
            return;
        };
        super::a_refund_made_in_redress_is_made_once_in_the_shop(&app).await;
    }
}

const TOKEN: &str = "shpat_test_token";
const APP_SECRET: &str = "shopify app secret for tests";
const WOO_SECRET: &str = "woo webhook secret for tests";

async fn fake_shopify() -> FakeShopify {
    fake_shopify::start(FakeShopifyConfig::new(Secret::new(TOKEN), Secret::new(APP_SECRET))).await.expect("fake shop")
}

async fn connect_shopify(app: &TestApp, shop: &Shop, fake: &FakeShopify) -> Value {
    let body = json!({"platform": "shopify", "base_url": fake.base_url, "access_token": TOKEN,
        "webhook_secret": APP_SECRET});
    app.post("/api/v1/platforms", &shop.admin, &body).await.expect(200)
}

async fn orders(app: &TestApp, shop: &Shop) -> Vec<Value> {
    app.get("/api/v1/orders?limit=200", &shop.key).await.expect(200)["orders"].as_array().unwrap().clone()
}

async fn a_signed_shopify_webhook_brings_the_order_in_once(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let fake = fake_shopify().await;
    // Only an admin connects, and the answer never shows a secret.
    let refused = app
        .post(
            "/api/v1/platforms",
            &shop.key,
            &json!({"platform": "shopify", "base_url": fake.base_url, "access_token": TOKEN, "webhook_secret": "x"}),
        )
        .await;
    refused.error(403, "forbidden", None);
    let connection = connect_shopify(app, &shop, &fake).await;
    assert!(!connection.to_string().contains(TOKEN) && !connection.to_string().contains(APP_SECRET));
    let url = format!("{}{}", app.base, text(&connection["webhook_path"]));
    assert_eq!(url, format!("{}/api/v1/platforms/shopify/{}/webhooks", app.base, shop.id));

    let gid = fake.handle.add_order(SeedOrder::sample(1, time::OffsetDateTime::now_utc()));
    let delivery = fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap();
    assert_eq!(delivery.status, 200);
    let stored = orders(app, &shop).await;
    assert_eq!(stored.len(), 1);
    let number = fake.handle.order(&gid).unwrap().name;
    assert!(number.ends_with(stored[0]["number"].as_str().unwrap()), "{number} {}", stored[0]["number"]);
    assert_eq!(stored[0]["payments"][0]["provider"], "shopify");

    // Delivered again (Shopify retries with the same id): acknowledged, nothing changes.
    let again = app
        .client
        .post(&url)
        .header(
            "x-shopify-hmac-sha256",
            redress_connect::shop::shopify::sign_webhook(&Secret::new(APP_SECRET), &delivery.body),
        )
        .header("x-shopify-topic", "orders/create")
        .header("x-shopify-webhook-id", &delivery.webhook_id)
        .body(delivery.body.clone())
        .send()
        .await
        .unwrap();
    let again = TestApp::read(again).await.expect(200);
    assert_eq!(again["duplicate"], true);
    assert_eq!(orders(app, &shop).await, stored);

    // Forged: the same body signed with another secret, or altered after signing, or unsigned.
    let mut altered = delivery.body.clone();
    altered.extend_from_slice(b" ");
    for (body, signature) in [
        (
            delivery.body.clone(),
            redress_connect::shop::shopify::sign_webhook(&Secret::new("not the secret"), &delivery.body),
        ),
        (altered, redress_connect::shop::shopify::sign_webhook(&Secret::new(APP_SECRET), &delivery.body)),
    ] {
        let forged = app
            .client
            .post(&url)
            .header("x-shopify-hmac-sha256", signature)
            .header("x-shopify-topic", "orders/create")
            .header("x-shopify-webhook-id", "forged-1")
            .body(body)
            .send()
            .await
            .unwrap();
        TestApp::read(forged).await.error(401, "unauthorized", None);
    }
    app.call(Method::POST, &format!("/api/v1/platforms/shopify/{}/webhooks", shop.id), None, Some(&json!({})))
        .await
        .error(401, "unauthorized", None);
    // A store that connected nothing refuses every webhook alike.
    let other = app.create_store("south-wind").await;
    let status =
        fake.handle.deliver(&format!("{}/api/v1/platforms/shopify/{}/webhooks", app.base, other.id), &delivery).await;
    assert_eq!(status, Ok(401));
    assert_eq!(orders(app, &shop).await, stored, "nothing changed");
    assert!(orders(app, &other).await.is_empty());

    // The order updated in the shop (cancelled): the same order, updated.
    let cancelled = fake.handle.send_webhook(&url, &Topic::OrdersCancelled, &gid).await.unwrap();
    assert_eq!(cancelled.status, 200);
    assert_eq!(orders(app, &shop).await.len(), 1);
}

async fn a_shipped_parcel_is_told_to_the_open_case(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let fake = fake_shopify().await;
    let url = format!("{}{}", app.base, text(&connect_shopify(app, &shop, &fake).await["webhook_path"]));
    let gid = fake.handle.add_order(SeedOrder::sample(2, time::OffsetDateTime::now_utc()));
    assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap().status, 200);
    let order = orders(app, &shop).await.remove(0);
    let case = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Where is it?")).await;
    let case_id = text(&case["case"]["id"]);

    fake.handle.fulfill(&gid, "DHL", "JD0001", "IN_TRANSIT").unwrap();
    let shipped = fake.handle.send_webhook(&url, &Topic::FulfillmentsCreate, &gid).await.unwrap();
    assert_eq!(shipped.status, 200);
    let order = orders(app, &shop).await.remove(0);
    assert_eq!(order["shipments"].as_array().unwrap().len(), 1);
    assert_eq!(order["shipments"][0]["tracking_number"], "JD0001");
    let view = app.case_view(&shop.key, &case_id).await;
    let told: Vec<&Value> =
        view["timeline"].as_array().unwrap().iter().filter(|e| e["event"]["type"] == "shipment_changed").collect();
    assert_eq!(told.len(), 1, "{}", view["timeline"]);
    assert_eq!(told[0]["event"]["to"], "in_transit");
    assert_eq!(told[0]["event"]["from"], Value::Null, "a parcel first reported");
    assert_eq!(told[0]["event"]["tracking_number"], "JD0001");

    // The same fulfillment reported again by orders/updated moves nothing: nothing more told.
    assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersUpdated, &gid).await.unwrap().status, 200);
    assert_eq!(orders(app, &shop).await[0]["shipments"].as_array().unwrap().len(), 1);
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["timeline"].to_string().matches("shipment_changed").count(), 1);
}

async fn fake_woo() -> FakeWooCommerce {
    fake_woocommerce::start(FakeWooConfig {
        consumer_key: Secret::new("ck_test"),
        consumer_secret: Secret::new("cs_test"),
        webhook_secret: Secret::new(WOO_SECRET),
    })
    .await
    .expect("fake shop")
}

async fn a_signed_woocommerce_webhook_brings_the_order_in_once(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let fake = fake_woo().await;
    let body = json!({"platform": "woocommerce", "base_url": fake.base_url, "consumer_key": "ck_test",
        "consumer_secret": "cs_test", "webhook_secret": WOO_SECRET});
    let connection = app.post("/api/v1/platforms", &shop.admin, &body).await.expect(200);
    let url = format!("{}{}", app.base, text(&connection["webhook_path"]));
    // WooCommerce's ping when the webhook is saved.
    let ping = app.client.post(&url).body("webhook_id=12").send().await.unwrap();
    assert_eq!(ping.status(), 200);

    let id = fake.handle.add_order(fake_woocommerce::sample_order(1, time::OffsetDateTime::now_utc()));
    let delivery = fake.handle.send_webhook(&url, &woocommerce::Topic::OrderCreated, id).await.unwrap();
    assert_eq!(delivery.status, 200);
    let stored = orders(app, &shop).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(fake.handle.deliver(&url, &delivery).await, Ok(200), "a second delivery is acknowledged");
    assert_eq!(orders(app, &shop).await, stored, "and changes nothing");

    let forged = app
        .client
        .post(&url)
        .header(woocommerce::SIGNATURE_HEADER, woocommerce::sign_webhook(&Secret::new("guess"), &delivery.body))
        .header(woocommerce::TOPIC_HEADER, "order.created")
        .header(woocommerce::DELIVERY_ID_HEADER, "999")
        .body(delivery.body.clone())
        .send()
        .await
        .unwrap();
    TestApp::read(forged).await.error(401, "unauthorized", None);
    assert_eq!(orders(app, &shop).await, stored);
}

async fn sync_now_reads_the_shops_recent_orders(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    // Nothing connected: nothing to sync.
    app.post("/api/v1/platforms/sync", &shop.admin, &json!({})).await.error(404, "not_found", None);
    let fake = fake_shopify().await;
    connect_shopify(app, &shop, &fake).await;
    let now = time::OffsetDateTime::now_utc();
    for n in 0..12 {
        fake.handle.add_order(SeedOrder::sample(n, now - time::Duration::days(i64::from(n))));
    }
    // An integration key does not start a sync.
    app.post("/api/v1/platforms/sync", &shop.key, &json!({})).await.error(403, "forbidden", None);
    let reports = app.post("/api/v1/platforms/sync", &shop.admin, &json!({})).await.expect(200);
    assert_eq!(reports[0]["platform"], "shopify");
    assert_eq!(reports[0]["orders"], 12);
    assert_eq!(reports[0]["created"], 12);
    assert_eq!(orders(app, &shop).await.len(), 12);
    let state = app.get("/api/v1/platforms", &shop.admin).await.expect(200);
    assert!(state[0]["last_sync_at"].is_string());
    assert!(state[0]["last_error"].is_null());

    // The shop fails: the sync says so and the settings show the error.
    fake.handle.fail_next(100);
    let failed = app.post("/api/v1/platforms/sync", &shop.admin, &json!({})).await;
    assert_eq!(failed.status, 503, "{}", failed.body);
    let state = app.get("/api/v1/platforms", &shop.admin).await.expect(200);
    assert!(state[0]["last_error"].is_string(), "{state}");
    assert_eq!(orders(app, &shop).await.len(), 12);
}

async fn a_refund_made_in_redress_is_made_once_in_the_shop(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let fake = fake_shopify().await;
    let url = format!("{}{}", app.base, text(&connect_shopify(app, &shop, &fake).await["webhook_path"]));
    let gid = fake.handle.add_order(SeedOrder::sample(3, time::OffsetDateTime::now_utc()));
    assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap().status, 200);
    let order = orders(app, &shop).await.remove(0);
    let payment_id = text(&order["payments"][0]["id"]);
    let case = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Refund the cap")).await;
    let case_id = text(&case["case"]["id"]);

    // The shop's answer to the first refund call is lost: the executor asks again with the
    // same key, and the shop makes the refund once.
    fake.handle.lose_next("RedressRefundCreate", 1);
    let body = json!({"payment_id": payment_id, "method": "original_payment", "reason": "items",
        "amount": {"amount_minor": 1500, "currency": "EUR"}});
    let path = format!("/api/v1/cases/{case_id}/refunds");
    let first = app.call_keyed(Method::POST, &path, Some(&shop.key), Some("refund-1"), Some(&body)).await;
    assert!(first.status == 200 || first.status == 201, "{}", first.body);
    let refund_id = text(&first.body["refund"]["id"]);
    // The client retries the request: the first answer, replayed; nothing sent again.
    let again = app.call_keyed(Method::POST, &path, Some(&shop.key), Some("refund-1"), Some(&body)).await;
    assert_eq!(again.body["refund"]["id"], first.body["refund"]["id"]);

    let mut status = String::new();
    for _ in 0..100 {
        status =
            text(&app.get(&format!("/api/v1/refunds/{refund_id}"), &shop.key).await.expect(200)["refund"]["status"]);
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded");
    let in_shop = fake.handle.order(&gid).unwrap();
    assert_eq!(in_shop.refunds.len(), 1, "{:?}", in_shop.refunds);
    assert_eq!(in_shop.refunded_minor(), 1500);
}

async fn an_address_amended_in_redress_is_changed_in_the_shop(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let fake = fake_shopify().await;
    let url = format!("{}{}", app.base, text(&connect_shopify(app, &shop, &fake).await["webhook_path"]));
    let gid = fake.handle.add_order(SeedOrder::sample(4, time::OffsetDateTime::now_utc()));
    assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap().status, 200);
    let order = orders(app, &shop).await.remove(0);
    let case = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Wrong street")).await;
    let case_id = text(&case["case"]["id"]);

    let address = json!({"name": "Ana Kowalska", "lines": ["ul. Floriańska 12"], "city": "Kraków",
        "postal_code": "31-019", "country": "PL"});
    let body = json!({"amendment": {"type": "shipping_address", "address": address}});
    let amended = app.post(&format!("/api/v1/cases/{case_id}/amendments"), &shop.key, &body).await.expect(200);
    assert_eq!(amended["order"]["shipping_address"]["lines"][0], "ul. Floriańska 12");
    let in_shop = fake.handle.order(&gid).unwrap();
    assert_eq!(in_shop.shipping.address1.as_deref(), Some("ul. Floriańska 12"), "{:?}", in_shop.shipping);
    assert_eq!(in_shop.shipping.zip.as_deref(), Some("31-019"));
    assert_eq!(fake.handle.calls().get("RedressOrderUpdate"), Some(&1));
}

async fn the_desk_shows_the_connection_and_syncs_it(app: &TestApp) {
    let shop = app.create_store_with_admin("north-wind", "olga@north.example", "correct horse battery").await;
    let mut browser = crate::browser::Browser::new(app);
    let signed_in = browser
        .post("/desk/north-wind/signin", &[("email", "olga@north.example"), ("password", "correct horse battery")])
        .await;
    assert_eq!(signed_in.status, reqwest::StatusCode::SEE_OTHER);
    let page = browser.get("/desk/north-wind/settings/platforms").await;
    assert_eq!(page.status, reqwest::StatusCode::OK);
    assert!(page.body.contains("No shop is connected yet"), "{}", page.body);

    let fake = fake_shopify().await;
    connect_shopify(app, &shop, &fake).await;
    fake.handle.add_order(SeedOrder::sample(5, time::OffsetDateTime::now_utc()));
    let page = browser.get("/desk/north-wind/settings/platforms").await;
    assert!(page.body.contains(&fake.base_url) && page.body.contains("never"), "{}", page.body);
    assert!(!page.body.contains(TOKEN) && !page.body.contains(APP_SECRET));
    let token = crate::browser::form_token(&page.body);
    let synced = browser.post("/desk/north-wind/settings/platforms/sync", &[("form_token", token.as_str())]).await;
    assert_eq!(synced.status, reqwest::StatusCode::SEE_OTHER, "{}", synced.body);
    let page = browser.get("/desk/north-wind/settings/platforms?done=synced").await;
    assert!(page.body.contains("Synced:"), "{}", page.body);
    assert!(!page.body.contains(">never<") && !page.body.contains(": never"), "{}", page.body);
    assert_eq!(orders(app, &shop).await.len(), 1);
    // Without the form's token, nothing is synced.
    let refused = browser.post("/desk/north-wind/settings/platforms/sync", &[("form_token", "forged")]).await;
    assert_ne!(refused.status, reqwest::StatusCode::SEE_OTHER);
}

/// A local endpoint keeping what it receives; it answers 503 to the first delivery of each
/// event, so every event is delivered by a retry.
async fn receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<(String, String, Vec<u8>)>>>) {
    use axum::http::HeaderMap;
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(String, String, Vec<u8>)>::new()));
    let seen = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashSet::<String>::new()));
    let keep = got.clone();
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let (keep, seen) = (keep.clone(), seen.clone());
            async move {
                let header =
                    |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                let id = header("redress-event-id");
                if seen.lock().unwrap().insert(id.clone()) {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                keep.lock().unwrap().push((id, header("redress-signature"), body.to_vec()));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, got)
}

async fn events_go_signed_to_the_endpoints_that_want_them(app: &TestApp) {
    use redress_connect::shop::webhooks_out;
    let shop = app.create_store("north-wind").await;
    let (url, got) = receiver().await;
    let body = json!({"url": url, "events": ["case.opened"]});
    app.post("/api/v1/webhooks", &shop.key, &body).await.error(403, "forbidden", None);
    app.post("/api/v1/webhooks", &shop.admin, &json!({"url": url, "events": ["case.exploded"]})).await.error(
        400,
        "unknown_value",
        Some("events[0]"),
    );
    let made = app.post("/api/v1/webhooks", &shop.admin, &body).await.expect(201);
    let secret = Secret::new(text(&made["secret"]));
    assert!(secret.expose().starts_with("whsec_"));
    let listed = app.get("/api/v1/webhooks", &shop.admin).await.expect(200);
    assert_eq!(listed[0]["events"], json!(["case.opened"]));
    assert!(!listed.to_string().contains(secret.expose()), "the secret is shown once");

    let order = app.create_order(&shop.key, &crate::fixtures::order("A-1", "ana@example.com")).await;
    let case = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Broken mug")).await;
    for _ in 0..300 {
        if !got.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The first delivery was refused with 503; the retry (the test servers wait 100 ms) was
    // taken, and nothing more was sent.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let delivered = got.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1, "delivered once, after a retry");
    let (id, signature, body) = &delivered[0];
    assert!(id.starts_with("evt_"));
    webhooks_out::verify(
        &secret,
        signature,
        body,
        time::OffsetDateTime::now_utc(),
        std::time::Duration::from_secs(300),
    )
    .expect("signed with the endpoint's secret");
    let event: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(event["type"], "case.opened");
    assert_eq!(event["data"]["case_id"], case["case"]["id"]);
}
