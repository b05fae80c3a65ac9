//! Payments through the real binary, against a local fake Stripe over the sandbox provider.
//!
//! A refund is never paid twice, even when the server is killed mid-call: the sandbox is told to
//! time out (after doing the refund, or before); the server is SIGKILLed while the call hangs,
//! started again on the same file, and its worker reconciles the intent. The provider must have
//! made exactly one refund, and the intent must end succeeded. Also: a late settlement arrives by
//! signed webhook, and dispute evidence goes to the provider in Stripe's field names.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::server::Server;

use redress_connect::sandbox::{Behaviour, Sandbox};
use redress_domain::{Currency, Money};
use serde_json::{Value, json};

const ADMIN_KEY: &str = "refund-kill-test-admin-key";
const STRIPE_KEY: &str = "sk_test_refund_kill";
const WEBHOOK_SECRET: &str = "whsec_refund_kill";

fn start(database: &Path, stripe: &str) -> Server {
    let flags = [
        "--payment-provider",
        "stripe",
        "--stripe-api-base",
        stripe,
        "--stripe-secret-key",
        STRIPE_KEY,
        "--provider-timeout-ms",
        "120000",
        "--reconcile-after-secs",
        "1",
        "--stripe-webhook-secret",
        WEBHOOK_SECRET,
    ];
    crate::server::start(database, ADMIN_KEY, &flags)
}

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

/// A store with an order captured on `ch_kill` (33.00 EUR) and a case on it; returns the store
/// key, the case id and the body of a full refund.
async fn shop_with_refundable_order(client: &reqwest::Client, base: &str) -> (String, String, Value) {
    let store = json(
        client
            .post(format!("{base}/api/v1/stores"))
            .bearer_auth(ADMIN_KEY)
            .json(&json!({"slug": "kill", "name": "Kill", "default_currency": "EUR", "default_language": "en"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let key = store["api_key"]["secret"].as_str().unwrap().to_owned();
    let order = json!({
        "number": "1042", "customer": {"email": "ana@example.com", "name": "Ana"}, "currency": "EUR",
        "lines": [{"sku": "MUG", "title": "Mug", "quantity": 1, "unit_price": {"amount_minor": 3300, "currency": "EUR"}}],
        "shipping_address": {"name": "Ana", "lines": ["Calle 1"], "city": "Madrid", "postal_code": "28001", "country": "ES"},
        "payments": [{"provider": "stripe", "provider_reference": "ch_kill", "method": "card",
                      "authorized": {"amount_minor": 3300, "currency": "EUR"},
                      "captured": {"amount_minor": 3300, "currency": "EUR"}, "status": "captured"}],
        "placed_at": "2026-11-19T09:00:00Z"
    });
    let order =
        json(client.post(format!("{base}/api/v1/orders")).bearer_auth(&key).json(&order).send().await.unwrap()).await;
    let case = json!({"order_id": order["id"], "subject": "Refund please", "channel": "email", "kind": "wrong_charge",
                      "message": {"body": "Charged but I cancelled"}});
    let case =
        json(client.post(format!("{base}/api/v1/cases")).bearer_auth(&key).json(&case).send().await.unwrap()).await;
    let case_id = case["case"]["id"].as_str().unwrap().to_owned();
    let refund = json!({"payment_id": order["payments"][0]["id"], "method": "original_payment", "reason": "items",
                        "amount": {"amount_minor": 3300, "currency": "EUR"}});

    (key, case_id, refund)
}

async fn killed_mid_call_pays_once(behaviour: Behaviour) {
    let sandbox = Sandbox::new();
    let eur = Currency::from_code("EUR").unwrap();
    sandbox.add_charge("ch_kill", Money::new(3300, eur));
    sandbox.script(behaviour.clone());
    let stripe = redress_connect::fake_stripe::serve(sandbox.clone(), STRIPE_KEY).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("refunds.db");
    let client = reqwest::Client::new();
    let mut server = start(&database, &stripe);
    let base = server.base.clone();

    let (key, case_id, refund) = shop_with_refundable_order(&client, &base).await;

    // The request hangs: the provider does not answer.
    let request = {
        let (client, base, key, case_id, refund) =
            (client.clone(), base.clone(), key.clone(), case_id.clone(), refund.clone());
        tokio::spawn(async move {
            client
                .post(format!("{base}/api/v1/cases/{case_id}/refunds"))
                .bearer_auth(&key)
                .header("Idempotency-Key", "refund-1042")
                .json(&refund)
                .send()
                .await
        })
    };
    tokio::time::timeout(Duration::from_secs(30), sandbox.wait_for_calls(1)).await.expect("the provider is called");
    assert_eq!(sandbox.calls(), 1, "the provider was called");
    server.kill(); // SIGKILL while the provider call hangs.
    assert!(request.await.unwrap().is_err(), "the killed server never answered");

    // Started again, the worker reconciles the intent left `sent`.
    let mut server = start(&database, &stripe);
    let base = server.base.clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut money = Value::Null;
    while Instant::now() < deadline {
        money =
            json(client.get(format!("{base}/api/v1/cases/{case_id}/money")).bearer_auth(&key).send().await.unwrap())
                .await;
        if money["refunds"][0]["refund"]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(money["refunds"][0]["refund"]["status"], "succeeded", "{behaviour:?}: {money}");
    // The agent clicks again with the same key: the same refund, nothing more paid.
    let again = client
        .post(format!("{base}/api/v1/cases/{case_id}/refunds"))
        .bearer_auth(&key)
        .header("Idempotency-Key", "refund-1042")
        .json(&refund)
        .send()
        .await
        .unwrap();
    // The first request never got its answer, so this one is answered afresh: the same refund.
    assert_eq!(again.status(), reqwest::StatusCode::CREATED);
    let again = json(again).await;
    assert_eq!(again["refund"]["id"], money["refunds"][0]["refund"]["id"]);
    assert_eq!(again["refund"]["status"], "succeeded");
    server.kill();

    assert_eq!(sandbox.refunds().len(), 1, "{behaviour:?}: the provider refunded exactly once");
    assert_eq!(money["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(money["payments"][0]["refunded"]["amount_minor"], 3300);
    assert_eq!(money["balanced"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_is_paid_once_when_the_server_dies_after_the_provider_did_it() {
    killed_mid_call_pays_once(Behaviour::TimeOutAfterExecuting).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_is_paid_once_when_the_server_dies_before_the_provider_did_it() {
    killed_mid_call_pays_once(Behaviour::TimeOutBeforeExecuting).await;
}

/// A refund the bank settles days later: pending after the call, succeeded when Stripe's signed
/// webhook says so; a webhook with a bad signature changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_settlement_arrives_by_signed_webhook() {
    use hmac::{Hmac, Mac};
    let sandbox = Sandbox::new();
    sandbox.add_charge("ch_kill", Money::new(3300, Currency::from_code("EUR").unwrap()));
    sandbox.script(Behaviour::SettleLater);
    let stripe = redress_connect::fake_stripe::serve(sandbox.clone(), STRIPE_KEY).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let mut server = start(&dir.path().join("late.db"), &stripe);
    let base = server.base.clone();
    let (key, case_id, refund) = shop_with_refundable_order(&client, &base).await;
    let pending = json(
        client
            .post(format!("{base}/api/v1/cases/{case_id}/refunds"))
            .bearer_auth(&key)
            .header("Idempotency-Key", "late-1")
            .json(&refund)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(pending["refund"]["status"], "pending_settlement");
    let reference = pending["refund"]["provider_reference"].as_str().unwrap().to_owned();
    let settled = sandbox.settle(&reference, true).unwrap();
    let object = sandbox.refunds().into_iter().find(|r| r.reference == settled.reference).unwrap();
    let event = json!({"id": "evt_1", "object": "event", "type": "refund.updated", "data": {"object": {
        "id": object.reference, "object": "refund", "amount": 3300, "charge": "ch_kill", "currency": "eur",
        "status": "succeeded", "metadata": {"redress_refund_id": object.refund_id.to_string()}, "created": 0}}});
    let body = event.to_string();
    let t = time::OffsetDateTime::now_utc().unix_timestamp();
    let sign = |secret: &str| {
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
    };
    let forged = client
        .post(format!("{base}/api/v1/webhooks/stripe"))
        .header("Stripe-Signature", sign("whsec_wrong"))
        .header("Content-Type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), reqwest::StatusCode::UNAUTHORIZED);
    let id = pending["refund"]["id"].as_str().unwrap().to_owned();
    let still = json(client.get(format!("{base}/api/v1/refunds/{id}")).bearer_auth(&key).send().await.unwrap()).await;
    assert_eq!(still["refund"]["status"], "pending_settlement");
    for _ in 0..2 {
        let receipt = json(
            client
                .post(format!("{base}/api/v1/webhooks/stripe"))
                .header("Stripe-Signature", sign(WEBHOOK_SECRET))
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(receipt["refund_id"], pending["refund"]["id"]);
    }
    let done = json(client.get(format!("{base}/api/v1/refunds/{id}")).bearer_auth(&key).send().await.unwrap()).await;
    assert_eq!(done["refund"]["status"], "succeeded");
    let money =
        json(client.get(format!("{base}/api/v1/cases/{case_id}/money")).bearer_auth(&key).send().await.unwrap()).await;
    let refunds = money["postings"].as_array().unwrap().iter().filter(|p| p["kind"] == "refund").count();
    assert_eq!(refunds, 1, "the webhook delivered twice posted once");
    server.kill();
}

/// A chargeback reported by the provider: recorded on the case, its evidence pack assembled from
/// the case and sent to the provider in Stripe's field names.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispute_evidence_goes_to_the_provider_in_stripe_field_names() {
    use redress_domain::dispute::{DisputeReason, DisputeStatus};
    let sandbox = Sandbox::new();
    let eur = Currency::from_code("EUR").unwrap();
    sandbox.add_dispute(redress_connect::ProviderDispute {
        reference: "dp_kill".into(),
        charge: "ch_kill".into(),
        amount: Money::new(3300, eur),
        reason: DisputeReason::ProductNotReceived,
        status: DisputeStatus::NeedsResponse,
        evidence_due_by: time::OffsetDateTime::now_utc() + time::Duration::days(7),
    });
    let stripe = redress_connect::fake_stripe::serve(sandbox.clone(), STRIPE_KEY).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let mut server = start(&dir.path().join("dispute.db"), &stripe);
    let base = server.base.clone();
    let (key, case_id, refund) = shop_with_refundable_order(&client, &base).await;
    let dispute = json!({"payment_id": refund["payment_id"], "provider_reference": "dp_kill",
        "amount": {"amount_minor": 3300, "currency": "EUR"}, "reason": "product_not_received",
        "status": "needs_response", "evidence_due_by": "2099-01-01T00:00:00Z"});
    let opened = json(
        client
            .post(format!("{base}/api/v1/cases/{case_id}/disputes"))
            .bearer_auth(&key)
            .json(&dispute)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let id = opened["dispute"]["id"].as_str().unwrap().to_owned();
    let submitted = json(
        client
            .post(format!("{base}/api/v1/disputes/{id}/submit?policy_version=default@1"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(submitted["dispute"]["status"], "under_review");
    let evidence = sandbox.evidence("dp_kill").expect("the provider received evidence");
    assert_eq!(evidence.customer_email_address.as_deref(), Some("ana@example.com"));
    assert!(evidence.refund_policy_disclosure.is_some_and(|d| d.contains("default@1")));
    let again = client.post(format!("{base}/api/v1/disputes/{id}/submit")).bearer_auth(&key).send().await.unwrap();
    assert_eq!(again.status(), reqwest::StatusCode::CONFLICT);
    server.kill();
}
