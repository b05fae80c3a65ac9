//! A refund of a Shopify order through the real binary, against the local fake of Shopify: the
//! shop makes the refund but every answer is lost, the server is SIGKILLed with the intent left
//! `sent`, started again on the same file, and its worker finds the refund in the shop instead
//! of making another. The shop must hold exactly one refund and the intent end succeeded.

use std::time::{Duration, Instant};

use redress_connect::shop::Secret;
use redress_connect::shop::fake_shopify::{self, FakeShopifyConfig, SeedOrder};
use redress_connect::shop::shopify::Topic;
use serde_json::{Value, json};

use crate::server::Server;

const ADMIN_KEY: &str = "shopify-kill-test-admin-key";
const SECRETS_KEY: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
const TOKEN: &str = "shpat_kill";
const APP_SECRET: &str = "shopify kill app secret";

fn start(database: &std::path::Path) -> Server {
    let flags = ["--secrets-key", SECRETS_KEY, "--provider-timeout-ms", "2000", "--reconcile-after-secs", "1"];
    crate::server::start(database, ADMIN_KEY, &flags)
}

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shopify_refund_is_made_once_when_the_server_dies_mid_call() {
    let fake = fake_shopify::start(FakeShopifyConfig::new(Secret::new(TOKEN), Secret::new(APP_SECRET))).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("shopify.db");
    let client = reqwest::Client::new();
    let mut server = start(&database);
    let base = server.base.clone();

    let store = ok(client
        .post(format!("{base}/api/v1/stores"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"slug": "kill", "name": "Kill", "default_currency": "EUR", "default_language": "en",
            "admin": {"email": "olga@kill.example", "name": "Olga", "role": "admin", "password": "a long pass phrase"}}))
        .send()
        .await
        .unwrap())
    .await;
    let (key, admin) = (store["api_key"]["secret"].as_str().unwrap(), store["admin_key"]["secret"].as_str().unwrap());
    let connection = ok(client
        .post(format!("{base}/api/v1/platforms"))
        .bearer_auth(admin)
        .json(&json!({"platform": "shopify", "base_url": fake.base_url, "access_token": TOKEN, "webhook_secret": APP_SECRET}))
        .send()
        .await
        .unwrap())
    .await;
    let gid = fake.handle.add_order(SeedOrder::sample(1, time::OffsetDateTime::now_utc()));
    let url = format!("{base}{}", connection["webhook_path"].as_str().unwrap());
    assert_eq!(fake.handle.send_webhook(&url, &Topic::OrdersCreate, &gid).await.unwrap().status, 200);
    let orders = ok(client.get(format!("{base}/api/v1/orders")).bearer_auth(key).send().await.unwrap()).await;
    let order = &orders["orders"][0];
    let case = json!({"order_id": order["id"], "subject": "Refund please", "channel": "email", "kind": "wrong_charge",
                      "message": {"body": "Please refund the tee"}});
    let case = ok(client.post(format!("{base}/api/v1/cases")).bearer_auth(key).json(&case).send().await.unwrap()).await;
    let case_id = case["case"]["id"].as_str().unwrap().to_owned();

    // The shop makes the refund and every answer is lost on the way back.
    fake.handle.lose_next("RedressRefundCreate", 1_000);
    let refund = json!({"payment_id": order["payments"][0]["id"], "method": "original_payment", "reason": "items",
                        "amount": {"amount_minor": 2000, "currency": "EUR"}});
    let request = {
        let (client, base, key, case_id, refund) =
            (client.clone(), base.clone(), key.to_owned(), case_id.clone(), refund.clone());
        tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/cases/{case_id}/refunds"))
                .bearer_auth(&key)
                .header("Idempotency-Key", "shopify-refund-1")
                .json(&refund)
                .send()
                .await
        })
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while fake.handle.calls().get("RedressRefundCreate").copied().unwrap_or(0) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(fake.handle.order(&gid).unwrap().refunds.len() == 1, "the shop made the refund");
    server.kill(); // SIGKILL with the intent `sent` and no answer kept.
    let _ = request.await;

    // The shop answers again; started again, the server's worker reconciles the intent.
    fake.handle.lose_next("RedressRefundCreate", 0);
    let mut server = start(&database);
    let base = server.base.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut money = Value::Null;
    while Instant::now() < deadline {
        money =
            ok(client.get(format!("{base}/api/v1/cases/{case_id}/money")).bearer_auth(key).send().await.unwrap()).await;
        if money["refunds"][0]["refund"]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill();
    assert_eq!(money["refunds"][0]["refund"]["status"], "succeeded", "{money}");
    let in_shop = fake.handle.order(&gid).unwrap();
    assert_eq!(in_shop.refunds.len(), 1, "the shop refunded exactly once: {:?}", in_shop.refunds);
    assert_eq!(in_shop.refunded_minor(), 2000);
}
