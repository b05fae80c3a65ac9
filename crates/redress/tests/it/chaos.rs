//! Two `redress serve` processes on one PostgreSQL database under load, one SIGKILLed mid-run
//! and started again: every case whose creation was acknowledged is there, numbered once, and
//! refunds asked through either server under one key each are paid once by the (shared) payment
//! provider, however the requests were retried across the kill. And what guards access is
//! shared by the servers: wrong look-up guesses count together, a revoked key stops everywhere.

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use redress_connect::sandbox::Sandbox;
use redress_domain::{Currency, Money};
use redress_storage::postgres::ScratchDatabase;
use serde_json::{Value, json};

use crate::server::{post_json, postgres_url, start_on};

const ADMIN_KEY: &str = "chaos-test-admin-key-0123456";
const STRIPE_KEY: &str = "sk_test_chaos";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_load_loses_no_acknowledged_case_and_pays_no_refund_twice() {
    let Some(server_url) = postgres_url() else { return };
    let scratch = ScratchDatabase::create(&server_url).await.unwrap();
    let url = scratch.url();
    let sandbox = Sandbox::new();
    sandbox.add_charge("ch_chaos", Money::new(1_000_000, Currency::from_code("EUR").unwrap()));
    let stripe = redress_connect::fake_stripe::serve(sandbox.clone(), STRIPE_KEY).await.unwrap();
    // Refunds left `sent` by the killed server are reconciled by a live one after a second.
    let flags = [
        "--payment-provider",
        "stripe",
        "--stripe-api-base",
        &stripe,
        "--stripe-secret-key",
        STRIPE_KEY,
        "--reconcile-after-secs",
        "1",
    ];
    let mut first = start_on(&url, ADMIN_KEY, &flags);
    let second = start_on(&url, ADMIN_KEY, &flags);
    let bases = Arc::new(RwLock::new([first.base.clone(), second.base.clone()]));
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();

    let store: Value = post_json(
        &client,
        &format!("{}/api/v1/stores", first.base),
        ADMIN_KEY,
        &json!({"slug": "chaos", "name": "Chaos", "default_currency": "EUR", "default_language": "en"}),
    )
    .await;
    let key = store["api_key"]["secret"].as_str().unwrap().to_owned();
    let order: Value = post_json(&client, &format!("{}/api/v1/orders", second.base), &key, &json!({
            "number": "CHAOS-1", "customer": {"email": "ana@example.com", "name": "Ana"}, "currency": "EUR",
            "lines": [{"sku": "BULK", "title": "Bulk", "quantity": 1, "unit_price": {"amount_minor": 1_000_000, "currency": "EUR"}}],
            "shipping_address": {"name": "Ana", "lines": ["Calle 1"], "city": "Madrid", "postal_code": "28001", "country": "ES"},
            "payments": [{"provider": "stripe", "provider_reference": "ch_chaos", "method": "card",
                          "authorized": {"amount_minor": 1_000_000, "currency": "EUR"},
                          "captured": {"amount_minor": 1_000_000, "currency": "EUR"}, "status": "captured"}],
            "placed_at": "2026-11-19T09:00:00Z"
        })).await;
    let case: Value = post_json(
        &client,
        &format!("{}/api/v1/cases", first.base),
        &key,
        &json!({"order_id": order["id"], "subject": "Charged", "channel": "email", "kind": "wrong_charge",
                      "message": {"body": "refunds please"}}),
    )
    .await;
    let case_id = case["case"]["id"].as_str().unwrap().to_owned();
    let payment_id = order["payments"][0]["id"].clone();

    // Writers create cases through both servers; a refused or lost request goes to the other.
    let acknowledged = Arc::new(Mutex::new(Vec::<(String, i64)>::new()));
    // How many are acknowledged, for the test to wait on without polling.
    let (count, counted) = tokio::sync::watch::channel(0usize);
    let count = Arc::new(count);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let (client, key, bases, acknowledged, stop, count) =
                (client.clone(), key.clone(), bases.clone(), acknowledged.clone(), stop.clone(), count.clone());
            tokio::spawn(async move {
                let mut turn = writer;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let base = bases.read().unwrap()[turn % 2].clone();
                    turn += 1;
                    let sent = client
                        .post(format!("{base}/api/v1/cases"))
                        .bearer_auth(&key)
                        .json(&json!({"subject": "Where is it", "channel": "email", "kind": "not_received",
                                      "customer_email": "bo@example.com", "message": {"body": "still waiting"}}))
                        .send()
                        .await;
                    let Ok(response) = sent else { continue };
                    if response.status() != reqwest::StatusCode::CREATED {
                        continue;
                    }
                    let Ok(view) = response.json::<Value>().await else { continue };
                    let id = view["case"]["id"].as_str().unwrap().to_owned();
                    acknowledged.lock().unwrap().push((id, view["case"]["number"].as_i64().unwrap()));
                    count.send_modify(|n| *n += 1);
                }
            })
        })
        .collect();

    // Refunds, each under its own key, asked of both servers while the first is killed; a request
    // without an answer is asked again with the same key of whichever server is up.
    let refund = |base: String, idempotency_key: String| {
        let (client, key, case_id) = (client.clone(), key.clone(), case_id.clone());
        let body = json!({"payment_id": payment_id, "method": "original_payment", "reason": "duplicate_charge",
                          "amount": {"amount_minor": 100, "currency": "EUR"}});
        async move {
            let answer = client
                .post(format!("{base}/api/v1/cases/{case_id}/refunds"))
                .bearer_auth(&key)
                .header("Idempotency-Key", idempotency_key)
                .json(&body)
                .send()
                .await;
            answer.ok().map(|r| r.status().as_u16())
        }
    };
    // Four: below the policy's per-customer limit, past which a refund waits for a person.
    let keys: Vec<String> = (0..4).map(|n| format!("chaos-refund-{n}")).collect();
    let mut asked = Vec::new();
    for (n, refund_key) in keys.iter().enumerate() {
        let base = bases.read().unwrap()[n % 2].clone();
        asked.push(tokio::spawn(refund(base, refund_key.clone())));
    }

    let acknowledged_at_least = |n: usize| {
        let mut counted = counted.clone();
        async move { *counted.wait_for(|c| *c >= n).await.unwrap() }
    };
    acknowledged_at_least(150).await;
    first.kill(); // SIGKILL mid-load: no shutdown, no flush.
    let killed_at = *counted.borrow();
    acknowledged_at_least(killed_at + 100).await;
    let restarted = start_on(&url, ADMIN_KEY, &flags);
    bases.write().unwrap()[0] = restarted.base.clone();
    let restarted_at = *counted.borrow();
    acknowledged_at_least(restarted_at + 100).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    // Every refund asked again with its key, now that both servers are up: the first answer or
    // the one refund it made, never a second.
    for handle in asked {
        handle.await.unwrap();
    }
    for (n, refund_key) in keys.iter().enumerate() {
        let base = bases.read().unwrap()[n % 2].clone();
        let status = refund(base, refund_key.clone()).await;
        assert!(matches!(status, Some(200..=202)), "{refund_key}: {status:?}");
    }

    let check = restarted.base.clone();
    let acknowledged = acknowledged.lock().unwrap().clone();
    let mut numbers = std::collections::HashSet::new();
    for (id, number) in &acknowledged {
        let found = client.get(format!("{check}/api/v1/cases/{id}")).bearer_auth(&key).send().await.unwrap();
        assert_eq!(found.status(), 200, "acknowledged case {id} is lost");
        assert!(numbers.insert(*number), "case number {number} was given twice");
    }
    let money: Value = client
        .get(format!("{check}/api/v1/cases/{case_id}/money"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(money["refunds"].as_array().unwrap().len(), keys.len(), "one refund per key: {money}");
    let statuses: Vec<&Value> = money["refunds"].as_array().unwrap().iter().map(|r| &r["refund"]["status"]).collect();
    assert_eq!(sandbox.refunds().len(), keys.len(), "the provider paid each refund once: {statuses:?}");
    let keys_paid: std::collections::HashSet<_> = sandbox.refunds().into_iter().map(|r| r.idempotency_key).collect();
    assert_eq!(keys_paid.len(), sandbox.refunds().len(), "each provider refund under its own key");
    assert_eq!(money["balanced"], true);
    drop((restarted, second));
    scratch.remove().await.unwrap();
}

/// The value of a hidden form field on a page.
fn hidden_field(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    page.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}

/// A look-up of `number` with `email` at the portal of `base`, as a browser: the page first
/// (its form token and cookie), then the form. The status answered.
async fn look_up(client: &reqwest::Client, base: &str, number: &str, email: &str) -> u16 {
    let page = client.get(format!("{base}/s/shared")).send().await.unwrap();
    let cookies: Vec<String> = page
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    let token = hidden_field(&page.text().await.unwrap(), "login_token");
    client
        .post(format!("{base}/s/shared/lookup"))
        .header(reqwest::header::COOKIE, cookies.join("; "))
        .form(&[("number", number), ("email", email), ("login_token", &token)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guess_limits_and_revocations_hold_across_servers() {
    let Some(server_url) = postgres_url() else { return };
    let scratch = ScratchDatabase::create(&server_url).await.unwrap();
    let url = scratch.url();
    let one = start_on(&url, ADMIN_KEY, &[]);
    let other = start_on(&url, ADMIN_KEY, &[]);
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let store: Value = post_json(
        &client,
        &format!("{}/api/v1/stores", one.base),
        ADMIN_KEY,
        &json!({"slug": "shared", "name": "Shared", "default_currency": "EUR", "default_language": "en",
                      "admin": {"email": "olga@example.com", "name": "Olga", "role": "admin",
                                "password": "a long enough passphrase"}}),
    )
    .await;
    let admin = store["admin_key"]["secret"].as_str().unwrap().to_owned();
    let key = store["api_key"]["secret"].as_str().unwrap().to_owned();
    client
        .post(format!("{}/api/v1/orders", one.base))
        .bearer_auth(&key)
        .json(&json!({
            "number": "S-1", "customer": {"email": "ana@example.com", "name": "Ana"}, "currency": "EUR",
            "lines": [{"sku": "MUG", "title": "Mug", "quantity": 1, "unit_price": {"amount_minor": 900, "currency": "EUR"}}],
            "shipping_address": {"name": "Ana", "lines": ["Calle 1"], "city": "Madrid", "postal_code": "28001", "country": "ES"},
            "payments": [], "placed_at": "2026-11-19T09:00:00Z"
        }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();

    // Wrong guesses spread over both servers count together: the limit is the database's.
    for guess in 0..8 {
        let base = if guess % 2 == 0 { &one.base } else { &other.base };
        assert_eq!(look_up(&client, base, "S-1", &format!("guess{guess}@example.com")).await, 422);
    }
    assert_eq!(look_up(&client, &one.base, "S-1", "ana@example.com").await, 429, "cut off on the first server");
    assert_eq!(look_up(&client, &other.base, "S-1", "ana@example.com").await, 429, "and on the other");

    // A key made and revoked through one server stops at once on the other.
    let made: Value =
        post_json(&client, &format!("{}/api/v1/store/api-keys", one.base), &admin, &json!({"label": "short-lived"}))
            .await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    let works = |base: String| {
        let (client, secret) = (client.clone(), secret.clone());
        async move { client.get(format!("{base}/api/v1/store")).bearer_auth(secret).send().await.unwrap().status() }
    };
    assert_eq!(works(other.base.clone()).await, 200);
    let revoked = client
        .delete(format!("{}/api/v1/store/api-keys/{}", one.base, made["id"].as_str().unwrap()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    assert_eq!(works(other.base.clone()).await, 401, "revoked on one server, refused at once by the other");
    drop((one, other));
    scratch.remove().await.unwrap();
}
