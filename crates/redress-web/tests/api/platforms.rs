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
    events_go_signed_to_the_endpoints_that_want_them,
    two_fulfillments_at_once_keep_both_parcels,
    every_event_is_told_once_and_can_be_sent_again,
    the_desk_connects_a_shop_and_never_shows_its_secrets,
    lines_and_cancellations_amended_in_redress_are_made_in_the_shop,
    a_received_return_is_told
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
    until_shop("the address is changed in the shop", || {
        fake.handle.order(&gid).unwrap().shipping.address1.as_deref() == Some("ul. Floriańska 12")
    })
    .await;
    let in_shop = fake.handle.order(&gid).unwrap();
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

/// A local endpoint answering 200 to everything and keeping nothing: where the fake shop's
/// webhooks go when a test wants their bodies to send later.
async fn black_hole() -> String {
    let router = axum::Router::new().fallback(|| async { axum::http::StatusCode::OK });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

async fn two_fulfillments_at_once_keep_both_parcels(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let fake = fake_shopify().await;
    let url = format!("{}{}", app.base, text(&connect_shopify(app, &shop, &fake).await["webhook_path"]));
    let nowhere = black_hole().await;
    // The fulfillment's body with one of its lines: the tee in one parcel, the cap in the other.
    let parcel = |delivery: &mut fake_shopify::Delivery, keep: usize| {
        let mut body: Value = serde_json::from_slice(&delivery.body).unwrap();
        let line = body["line_items"][keep].clone();
        body["line_items"] = json!([line]);
        delivery.body = serde_json::to_vec(&body).unwrap();
    };
    // Several orders, so a lost parcel would show: each gets two parcels, each reported by its
    // own fulfillments/create, both arriving at once.
    let mut placed = 0;
    for n in [3, 6, 9, 12, 15] {
        let gid = fake.handle.add_order(SeedOrder::sample(n, time::OffsetDateTime::now_utc()));
        assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap().status, 200);
        fake.handle.fulfill(&gid, "DHL", &format!("JD{n}"), "IN_TRANSIT").unwrap();
        let mut first = fake.handle.send_webhook(&nowhere, &Topic::FulfillmentsCreate, &gid).await.unwrap();
        parcel(&mut first, 0);
        fake.handle.fulfill(&gid, "InPost", &format!("IP{n}"), "IN_TRANSIT").unwrap();
        let mut second = fake.handle.send_webhook(&nowhere, &Topic::FulfillmentsCreate, &gid).await.unwrap();
        parcel(&mut second, 1);
        let (a, b) = tokio::join!(fake.handle.deliver(&url, &first), fake.handle.deliver(&url, &second));
        assert_eq!((a.unwrap(), b.unwrap()), (200, 200));
        placed += 1;
    }
    for order in orders(app, &shop).await {
        let mut tracking: Vec<String> =
            order["shipments"].as_array().unwrap().iter().map(|s| text(&s["tracking_number"])).collect();
        tracking.sort_unstable();
        assert_eq!(tracking.len(), 2, "order {}: {}", order["number"], order["shipments"]);
        assert!(tracking[0].starts_with("IP") && tracking[1].starts_with("JD"), "{tracking:?}");
    }
    assert_eq!(orders(app, &shop).await.len(), placed);
}

/// Waits until `got` holds `n` deliveries (the test servers' worker runs every 100 ms).
async fn arrived(got: &std::sync::Mutex<Vec<(String, String, Vec<u8>)>>, n: usize) -> Vec<(String, String, Value)> {
    for _ in 0..300 {
        if got.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    got.lock()
        .unwrap()
        .iter()
        .map(|(id, sig, body)| (id.clone(), sig.clone(), serde_json::from_slice(body).unwrap()))
        .collect()
}

async fn every_event_is_told_once_and_can_be_sent_again(app: &TestApp) {
    use redress_connect::shop::webhooks_out;
    let shop = app.create_store_with_admin("north-wind", "olga@north.example", "correct horse battery").await;
    let (url, got) = receiver().await;
    let body = json!({"url": url, "events": ["case.opened", "case.resolved", "refund.sent"]});
    let made = app.post("/api/v1/webhooks", &shop.admin, &body).await.expect(201);
    let endpoint_id = text(&made["endpoint"]["id"]);

    let order = app.create_order(&shop.key, &crate::fixtures::order("A-1", "ana@example.com")).await;
    let case = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Broken mug")).await;
    let case_id = text(&case["case"]["id"]);
    let credit = json!({"payment_id": text(&order["payments"][0]["id"]), "method": "store_credit",
        "reason": "items", "amount": {"amount_minor": 500, "currency": "EUR"}});
    let refunded = app
        .client
        .post(format!("{}/api/v1/cases/{case_id}/refunds", app.base))
        .bearer_auth(&shop.key)
        .header("Idempotency-Key", "credit-1")
        .json(&credit)
        .send()
        .await
        .unwrap();
    assert_eq!(refunded.status().as_u16(), 201);
    app.post(&format!("/api/v1/cases/{case_id}/status"), &shop.key, &json!({"status": "resolved"})).await.expect(200);

    // Each event once (after the receiver's refusal of its first delivery), none other.
    arrived(&got, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let delivered = arrived(&got, 3).await;
    let mut types: Vec<String> = delivered.iter().map(|(_, _, e)| text(&e["type"])).collect();
    types.sort_unstable();
    assert_eq!(types, ["case.opened", "case.resolved", "refund.sent"]);
    let of = |kind: &str| delivered.iter().find(|(_, _, e)| e["type"] == kind).unwrap().2.clone();
    assert_eq!(of("case.resolved")["data"]["case_id"], case["case"]["id"]);
    assert_eq!(of("refund.sent")["data"]["amount"]["amount_minor"], 500);
    assert_eq!(of("case.opened")["data"]["case_number"], case["case"]["number"]);

    // The desk lists the deliveries with their attempts, and sends one again.
    let mut browser = crate::browser::Browser::new(app);
    browser
        .post("/desk/north-wind/signin", &[("email", "olga@north.example"), ("password", "correct horse battery")])
        .await;
    let page = browser.get("/desk/north-wind/settings/webhooks").await;
    assert_eq!(page.status, reqwest::StatusCode::OK);
    assert!(page.body.contains(&url) && page.body.contains("case.resolved") && page.body.contains("delivered"));
    assert!(page.body.contains("<td>2</td>"), "two attempts each: {}", page.body);
    assert!(!page.body.contains("whsec_"));
    let key_at = page.body.find("name=\"key\" value=\"").unwrap() + "name=\"key\" value=\"".len();
    let key = page.body[key_at..].split('"').next().unwrap().to_owned();
    let token = crate::browser::form_token(&page.body);
    let forged =
        browser.post("/desk/north-wind/settings/webhooks/replay", &[("form_token", "forged"), ("key", &key)]).await;
    assert_ne!(forged.status, reqwest::StatusCode::SEE_OTHER);
    let unknown = browser
        .post("/desk/north-wind/settings/webhooks/replay", &[("form_token", token.as_str()), ("key", "webhook:x:1")])
        .await;
    assert_eq!(unknown.status, reqwest::StatusCode::NOT_FOUND);
    let replayed = browser
        .post("/desk/north-wind/settings/webhooks/replay", &[("form_token", token.as_str()), ("key", &key)])
        .await;
    assert_eq!(replayed.status, reqwest::StatusCode::SEE_OTHER, "{}", replayed.body);
    let again = arrived(&got, 4).await;
    assert_eq!(again.len(), 4, "sent again");
    assert!(delivered.iter().any(|(id, _, _)| *id == again[3].0), "with the same event id");

    // Endpoints from the desk: added with its secret shown once, re-keyed, removed once confirmed.
    let fields = [
        ("form_token", token.as_str()),
        ("url", "https://erp.north.example/hooks"),
        ("events", "case.opened"),
        ("events", "refund.sent"),
    ];
    let added = browser.post("/desk/north-wind/settings/webhooks/add", &fields).await;
    assert_eq!(added.status, reqwest::StatusCode::OK, "{}", added.body);
    assert!(added.body.contains("whsec_") && added.body.contains("https://erp.north.example/hooks"));
    let listed = browser.get("/desk/north-wind/settings/webhooks").await.body;
    assert!(!listed.contains("whsec_"), "the secret is shown once");
    let bad = [("form_token", token.as_str()), ("url", "ftp://erp.example"), ("events", "case.opened")];
    let refused = browser.post("/desk/north-wind/settings/webhooks/add", &bad).await;
    assert_eq!(refused.status, reqwest::StatusCode::BAD_REQUEST, "{}", refused.body);
    let endpoints = app.get("/api/v1/webhooks", &shop.admin).await.expect(200);
    let erp = endpoints
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["url"] == "https://erp.north.example/hooks")
        .map(|e| text(&e["id"]))
        .expect("the endpoint is there");
    assert_eq!(endpoints.as_array().unwrap().len(), 2, "the refused one was not added");
    let rekeyed = browser
        .post(&format!("/desk/north-wind/settings/webhooks/{erp}/secret"), &[("form_token", token.as_str())])
        .await;
    assert!(rekeyed.body.contains("whsec_"), "{}", rekeyed.body);
    let unconfirmed = browser
        .post(&format!("/desk/north-wind/settings/webhooks/{erp}/remove"), &[("form_token", token.as_str())])
        .await;
    assert_eq!(unconfirmed.status, reqwest::StatusCode::BAD_REQUEST);
    assert_eq!(app.get("/api/v1/webhooks", &shop.admin).await.expect(200).as_array().unwrap().len(), 2);
    let removed = browser
        .post(
            &format!("/desk/north-wind/settings/webhooks/{erp}/remove"),
            &[("form_token", token.as_str()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(removed.status, reqwest::StatusCode::SEE_OTHER, "{}", removed.body);
    assert_eq!(app.get("/api/v1/webhooks", &shop.admin).await.expect(200).as_array().unwrap().len(), 1);
    let told = browser.get("/desk/north-wind/settings/webhooks?done=endpoint-removed").await.body;
    assert!(told.contains("nothing more is sent to it"), "{told}");

    // A new secret, shown once, signs what is sent from now on; then the endpoint goes.
    let path = format!("/api/v1/webhooks/{endpoint_id}/secret");
    app.post(&path, &shop.key, &json!({})).await.error(403, "forbidden", None);
    app.post("/api/v1/webhooks/00000000-0000-4000-8000-000000000000/secret", &shop.admin, &json!({})).await.error(
        404,
        "not_found",
        None,
    );
    let rotated = app.post(&path, &shop.admin, &json!({})).await.expect(200);
    let secret = Secret::new(text(&rotated["secret"]));
    assert!(secret.expose().starts_with("whsec_") && secret.expose() != text(&made["secret"]));
    app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Second mug")).await;
    let signed = arrived(&got, 5).await;
    let raw = got.lock().unwrap()[4].2.clone();
    webhooks_out::verify(
        &secret,
        &signed[4].1,
        &raw,
        time::OffsetDateTime::now_utc(),
        std::time::Duration::from_secs(300),
    )
    .expect("signed with the new secret");
    let remove = format!("/api/v1/webhooks/{endpoint_id}");
    app.call(Method::DELETE, &remove, Some(&shop.key), None).await.error(403, "forbidden", None);
    assert_eq!(app.call(Method::DELETE, &remove, Some(&shop.admin), None).await.status.as_u16(), 204);
    app.call(Method::DELETE, &remove, Some(&shop.admin), None).await.error(404, "not_found", None);
    assert!(app.get("/api/v1/webhooks", &shop.admin).await.expect(200).as_array().unwrap().is_empty());
}

async fn the_desk_connects_a_shop_and_never_shows_its_secrets(app: &TestApp) {
    let shop = app.create_store_with_admin("north-wind", "olga@north.example", "correct horse battery").await;
    let fake = fake_shopify().await;
    let mut browser = crate::browser::Browser::new(app);
    browser
        .post("/desk/north-wind/signin", &[("email", "olga@north.example"), ("password", "correct horse battery")])
        .await;
    let page = browser.get("/desk/north-wind/settings/platforms").await;
    let token = crate::browser::form_token(&page.body);
    let form = |base_url: &str, secret: &str| -> Vec<(String, String)> {
        [
            ("form_token", token.as_str()),
            ("platform", "shopify"),
            ("base_url", base_url),
            ("access_token", TOKEN),
            ("consumer_key", ""),
            ("consumer_secret", ""),
            ("webhook_secret", secret),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    };
    let path = "/desk/north-wind/settings/platforms/connect";
    // Refused: no webhook secret; nothing is connected, and the page names the field.
    let refused = browser.post_bare(path, &form(&fake.base_url, "")).await;
    assert_eq!(refused.status, reqwest::StatusCode::BAD_REQUEST, "{}", refused.body);
    assert!(refused.body.contains("platforms-error"));
    assert!(!refused.body.contains(TOKEN));
    assert!(app.get("/api/v1/platforms", &shop.admin).await.expect(200).as_array().unwrap().is_empty());
    // Connected: the page shows the shop, never its secrets.
    let connected = browser.post_bare(path, &form(&fake.base_url, APP_SECRET)).await;
    assert_eq!(connected.status, reqwest::StatusCode::SEE_OTHER, "{}", connected.body);
    let page = browser.get("/desk/north-wind/settings/platforms?done=connected").await;
    assert!(page.body.contains(&fake.base_url) && page.body.contains("The shop is connected"), "{}", page.body);
    assert!(!page.body.contains(TOKEN) && !page.body.contains(APP_SECRET));
    let listed = app.get("/api/v1/platforms", &shop.admin).await.expect(200);
    assert_eq!(listed[0]["platform"], "shopify");
    // The connection works: the shop's signed webhook is taken.
    let gid = fake.handle.add_order(SeedOrder::sample(7, time::OffsetDateTime::now_utc()));
    let url = format!("{}{}", app.base, text(&listed[0]["webhook_path"]));
    assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap().status, 200);
    // Without the form's token, nothing is connected.
    let mut forged = form("https://elsewhere.example", APP_SECRET);
    forged[0].1 = "forged".to_owned();
    assert_ne!(browser.post_bare(path, &forged).await.status, reqwest::StatusCode::SEE_OTHER);
    let listed = app.get("/api/v1/platforms", &shop.admin).await.expect(200);
    assert_eq!(listed[0]["base_url"], fake.base_url.as_str());
}

/// Waits until the fake shop shows a change. The request tries the change at once; when the
/// push worker claimed it first, the worker makes it a moment later. Never waits on the clock.
async fn until_shop(what: &str, shows: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while !shows() {
        assert!(tokio::time::Instant::now() < deadline, "the shop never showed it: {what}");
        tokio::task::yield_now().await;
    }
}

/// Opens a case on the order and amends it.
async fn amend(app: &TestApp, shop: &Shop, order_id: &str, subject: &str, amendment: Value) -> Value {
    let case = app.open_case(&shop.key, &case_on_order(order_id, subject)).await;
    let path = format!("/api/v1/cases/{}/amendments", text(&case["case"]["id"]));
    app.post(&path, &shop.key, &json!({"amendment": amendment})).await.expect(200)
}

async fn lines_and_cancellations_amended_in_redress_are_made_in_the_shop(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let fake = fake_shopify().await;
    let url = format!("{}{}", app.base, text(&connect_shopify(app, &shop, &fake).await["webhook_path"]));
    // Two tees and a cap.
    let mut seed = SeedOrder::sample(9, time::OffsetDateTime::now_utc());
    seed.lines[0].quantity = 2;
    let gid = fake.handle.add_order(seed);
    assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap().status, 200);
    let order = orders(app, &shop).await.remove(0);
    let (tee, cap) = (text(&order["lines"][0]["sku"]), text(&order["lines"][1]["sku"]));
    let order_id = text(&order["id"]);
    let quantities = || -> Vec<(String, u32)> {
        fake.handle.order(&gid).unwrap().lines.iter().map(|l| (l.sku.clone(), l.current_quantity)).collect()
    };
    amend(app, &shop, &order_id, "One tee is enough", json!({"type": "quantity", "sku": tee, "quantity": 1})).await;
    until_shop("one tee", || quantities() == [(tee.clone(), 1), (cap.clone(), 1)]).await;
    amend(app, &shop, &order_id, "No cap", json!({"type": "cancel_line", "sku": cap})).await;
    until_shop("no cap", || quantities() == [(tee.clone(), 1), (cap.clone(), 0)]).await;
    assert_eq!(fake.handle.calls().get("RedressOrderEditCommit"), Some(&2));
    amend(app, &shop, &order_id, "Cancel it all", json!({"type": "cancel_order"})).await;
    until_shop("the order is cancelled in the shop", || fake.handle.order(&gid).unwrap().cancelled_at.is_some()).await;
    assert_eq!(fake.handle.calls().get("RedressOrderCancel"), Some(&1));
}

async fn a_received_return_is_told(app: &TestApp) {
    use time::format_description::well_known::Rfc3339;
    let shop = app.create_store("north-wind").await;
    let (url, got) = receiver().await;
    app.post("/api/v1/webhooks", &shop.admin, &json!({"url": url, "events": ["return.received"]})).await.expect(201);
    let ago = |days: i64| (time::OffsetDateTime::now_utc() - time::Duration::days(days)).format(&Rfc3339).unwrap();
    let mut body = crate::fixtures::order("4001", "ana@example.com");
    body["placed_at"] = json!(ago(8));
    body["shipments"][0]["status"] = json!("delivered");
    body["shipments"][0]["status_times"] = json!({"handed_to_carrier": ago(6), "delivered": ago(3)});
    let order = app.create_order(&shop.key, &body).await;
    let mut case = case_on_order(&text(&order["id"]), "Changed my mind");
    case["kind"] = json!("return_request");
    let case_id = text(&app.open_case(&shop.key, &case).await["case"]["id"]);
    let chosen = app
        .client
        .post(format!("{}/api/v1/cases/{case_id}/remedy", app.base))
        .bearer_auth(&shop.key)
        .header("Idempotency-Key", "return-remedy")
        .json(&json!({"remedy": "store_credit", "lines": [{"sku": "MUG-1", "quantity": 2}]}))
        .send()
        .await
        .unwrap();
    let chosen = TestApp::read(chosen).await.expect(201);
    let return_id = text(&chosen["returns"][0]["id"]);
    let actions = format!("/api/v1/cases/{case_id}/returns/{return_id}/actions");
    for step in [
        json!({"action": "issue_label", "carrier": "DHL", "tracking_number": "RT-9"}),
        json!({"action": "mark_in_transit"}),
        json!({"action": "receive"}),
    ] {
        app.post(&actions, &shop.key, &step).await.expect(200);
    }
    let told = arrived(&got, 1).await;
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].2["type"], "return.received");
    assert_eq!(told[0].2["data"]["return_id"], return_id.as_str());
    assert_eq!(told[0].2["data"]["case_id"], case_id.as_str());
}
