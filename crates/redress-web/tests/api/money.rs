//! Money over HTTP: an agent finds a double charge on a case, refunds it once (even when the
//! request is sent twice), sees the ledger balance and tells the customer when the money
//! arrives; bad refunds are refused and change nothing; large or flagged refunds wait for a
//! second person; disputes export their evidence.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{double_charged, set};
use crate::support::{Reply, TestApp, on_both_backends, text};

on_both_backends!(
    a_double_charge_is_found_refunded_once_and_balanced,
    refunds_wait_for_a_second_person,
    disputes_export_their_evidence
);

async fn refund(app: &TestApp, key: &str, case_id: &str, idempotency_key: Option<&str>, body: &Value) -> Reply {
    let mut request = app
        .client
        .request(Method::POST, format!("{}/api/v1/cases/{case_id}/refunds", app.base))
        .bearer_auth(key)
        .json(body);
    if let Some(k) = idempotency_key {
        request = request.header("Idempotency-Key", k);
    }
    TestApp::read(request.send().await.unwrap()).await
}

fn refund_body(payment_id: &str, amount: i64) -> Value {
    json!({
        "payment_id": payment_id, "method": "original_payment", "reason": "duplicate_charge",
        "amount": {"amount_minor": amount, "currency": "EUR"}
    })
}

fn event_types(view: &Value) -> Vec<String> {
    view["timeline"].as_array().unwrap().iter().map(|item| text(&item["event"]["type"])).collect()
}

async fn a_double_charge_is_found_refunded_once_and_balanced(app: &TestApp) {
    let shop = app.create_store("money").await;
    let (order, case_id) = double_charged(app, &shop.key).await;

    // The check finds the double charge, with both references, and suggests refunding it.
    let check =
        app.post(&format!("/api/v1/cases/{case_id}/transaction-check"), &shop.key, &json!({})).await.expect(200);
    assert_eq!(check["money_case"], true);
    let finding = &check["findings"][0];
    assert_eq!(finding["kind"], "duplicate_capture");
    assert_eq!(finding["references"], json!(["pi_1", "pi_2"]));
    assert_eq!(finding["suggested_remedy"], "refund_duplicate_charge");
    let duplicate = text(&finding["payment_ids"][1]);
    assert_eq!(duplicate, text(&order["payments"][1]["id"]));
    assert!(event_types(&app.case_view(&shop.key, &case_id).await).contains(&"transactions_checked".to_owned()));

    // Bad refunds are refused and change nothing.
    let path = &case_id;
    refund(app, &shop.key, path, None, &refund_body(&duplicate, 3300)).await.error(
        400,
        "missing_field",
        Some("Idempotency-Key"),
    );
    refund(app, &shop.key, path, Some("has space"), &refund_body(&duplicate, 3300)).await.error(
        400,
        "invalid_field",
        Some("Idempotency-Key"),
    );
    refund(app, &shop.key, path, Some("bad-1"), &refund_body(&duplicate, -5)).await.error(
        400,
        "invalid_field",
        Some("amount.amount_minor"),
    );
    refund(app, &shop.key, path, Some("bad-2"), &refund_body(&duplicate, 0)).await.error(
        400,
        "invalid_field",
        Some("amount.amount_minor"),
    );
    let usd = set(refund_body(&duplicate, 100), "/amount/currency", json!("USD"));
    refund(app, &shop.key, path, Some("bad-3"), &usd).await.error(400, "invalid_field", Some("amount.currency"));
    let unknown = refund_body("0190b2a4-0000-7000-8000-000000000000", 100);
    refund(app, &shop.key, path, Some("bad-4"), &unknown).await.error(400, "invalid_field", Some("payment_id"));
    refund(app, &shop.key, path, Some("bad-5"), &refund_body(&duplicate, 3301)).await.error(
        422,
        "amount_above_refundable",
        Some("amount"),
    );
    let unknown_field = set(refund_body(&duplicate, 100), "/surprise", json!(1));
    refund(app, &shop.key, path, Some("bad-6"), &unknown_field).await.error(400, "invalid_field", Some("surprise"));
    let money = app.get(&format!("/api/v1/cases/{case_id}/money"), &shop.key).await.expect(200);
    assert!(money["refunds"].as_array().unwrap().is_empty());
    let kinds: Vec<String> = money["postings"].as_array().unwrap().iter().map(|p| text(&p["kind"])).collect();
    assert_eq!(kinds, ["capture", "capture"], "only the order's captures are posted yet");

    // Refund the duplicate; the agent clicks twice.
    let first = refund(app, &shop.key, path, Some("dup-1042"), &refund_body(&duplicate, 3300)).await.expect(201);
    assert_eq!(first["refund"]["status"], "succeeded");
    assert!(text(&first["refund"]["provider_reference"]).starts_with("re_sandbox_"));
    assert!(text(&first["customer_message"]).contains("should arrive between"));
    assert!(first["expected_arrival"]["latest"].is_string());
    let again = refund(app, &shop.key, path, Some("dup-1042"), &refund_body(&duplicate, 3300)).await;
    assert_eq!(again.headers.get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    let again = again.expect(201);
    assert_eq!(again["refund"]["id"], first["refund"]["id"]);
    refund(app, &shop.key, path, Some("dup-1042"), &refund_body(&duplicate, 100)).await.error(
        422,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    );
    refund(app, &shop.key, path, Some("dup-again"), &refund_body(&duplicate, 1)).await.error(
        422,
        "amount_above_refundable",
        Some("amount"),
    );

    // The money on the case: refunded once, nothing more refundable on the duplicate, balanced.
    let money = app.get(&format!("/api/v1/cases/{case_id}/money"), &shop.key).await.expect(200);
    assert_eq!(money["refunds"].as_array().unwrap().len(), 1);
    let paid =
        money["payments"].as_array().unwrap().iter().find(|p| text(&p["payment_id"]) == duplicate).unwrap().clone();
    assert_eq!(
        (paid["refunded"]["amount_minor"].as_i64(), paid["refundable"]["amount_minor"].as_i64()),
        (Some(3300), Some(0))
    );
    assert_eq!(money["balanced"], true);
    let kinds: Vec<String> = money["postings"].as_array().unwrap().iter().map(|p| text(&p["kind"])).collect();
    assert_eq!(kinds, vec!["capture", "capture", "refund"]);
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    assert_eq!(ledger["balanced"], true);
    let events = event_types(&app.case_view(&shop.key, &case_id).await);
    for expected in ["refund_requested", "refund_approved", "refund_sent", "refund_succeeded", "money_posted"] {
        assert!(events.contains(&expected.to_owned()), "{expected} missing from {events:?}");
    }
    assert_eq!(events.iter().filter(|e| *e == "refund_succeeded").count(), 1);

    // Where is my refund.
    let id = text(&first["refund"]["id"]);
    let view = app.get(&format!("/api/v1/refunds/{id}"), &shop.key).await.expect(200);
    assert_eq!(view["refund"]["status"], "succeeded");
    assert!(text(&view["customer_message"]).contains("33.00 EUR"));
    app.get("/api/v1/refunds/not-an-id", &shop.key).await.error(404, "not_found", None);
    let other = app.create_store("money-other").await;
    app.get(&format!("/api/v1/refunds/{id}"), &other.key).await.error(404, "not_found", None);
}

async fn refunds_wait_for_a_second_person(app: &TestApp) {
    let shop = app.create_store("approvals").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let payment = text(&order["payments"][0]["id"]);
    let flagged = set(refund_body(&payment, 1000), "/customer_flagged", json!(true));
    // A team lead asks; who approves is whoever is authenticated, never a name in a body.
    let lena = app.member_key(&shop, "Lena", "team_lead").await;
    let tomasz = app.member_key(&shop, "Tomasz", "agent").await;
    let waiting = refund(app, &lena, &case_id, Some("flagged-1"), &flagged).await.expect(201);
    assert_eq!(waiting["refund"]["status"], "awaiting_approval");
    assert_eq!(waiting["refund"]["requested_by"]["name"], "Lena");
    let id = text(&waiting["refund"]["id"]);
    let path = format!("/api/v1/refunds/{id}/approve");
    let claimed_owner = json!({"approver": {"name": "Olga", "role": "owner"}});
    app.post(&path, &lena, &claimed_owner).await.error(403, "own_request", None);
    app.post(&path, &tomasz, &json!({})).await.error(403, "forbidden", None);
    app.post(&path, &shop.key, &json!({})).await.error(403, "forbidden", None);
    let queue = app.get("/api/v1/approvals", &shop.admin).await.expect(200);
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    let approved = app.post(&path, &shop.admin, &json!({})).await.expect(200);
    assert_eq!(approved["refund"]["status"], "succeeded");
    assert_eq!(approved["refund"]["decided_by"]["name"], "Olga");
    app.post(&path, &shop.admin, &json!({})).await.error(409, "illegal_transition", None);
    assert!(app.get("/api/v1/approvals", &shop.admin).await.expect(200).as_array().unwrap().is_empty());

    // A rejection frees the amount; store credit with a bonus is issued at once.
    let second = refund(app, &shop.key, &case_id, Some("flagged-2"), &flagged).await.expect(201);
    let id = text(&second["refund"]["id"]);
    let reject = format!("/api/v1/refunds/{id}/reject");
    app.post(&reject, &shop.key, &json!({"note": "asked twice"})).await.error(403, "forbidden", None);
    app.post(&reject, &lena, &json!({"approver": {"name": "lead"}, "note": "asked twice"})).await.error(
        400,
        "invalid_field",
        Some("approver"),
    );
    let rejected = app.post(&reject, &lena, &json!({"note": "asked twice"})).await.expect(200);
    assert_eq!(rejected["refund"]["status"], "rejected");
    let credit = json!({
        "payment_id": payment, "method": "store_credit", "reason": "items",
        "amount": {"amount_minor": 2300, "currency": "EUR"}, "bonus": {"amount_minor": 230, "currency": "EUR"}
    });
    let issued = refund(app, &shop.key, &case_id, Some("credit-1"), &credit).await.expect(201);
    assert_eq!(issued["refund"]["status"], "succeeded");
    assert!(text(&issued["customer_message"]).contains("can be used now"));
    let customer =
        app.get(&format!("/api/v1/cases/{case_id}"), &shop.key).await.expect(200)["case"]["customer_id"].clone();
    let balances = app.get(&format!("/api/v1/customers/{}/store-credit", text(&customer)), &shop.key).await.expect(200);
    assert_eq!(balances[0]["balance"]["amount_minor"], 2530);
    let money = app.get(&format!("/api/v1/cases/{case_id}/money"), &shop.key).await.expect(200);
    let first =
        money["payments"].as_array().unwrap().iter().find(|p| text(&p["payment_id"]) == payment).unwrap().clone();
    assert_eq!(first["refundable"]["amount_minor"], 0);
    assert_eq!(money["balanced"], true);
    let events = event_types(&app.case_view(&shop.key, &case_id).await);
    for expected in ["refund_awaiting_approval", "refund_approved", "refund_rejected"] {
        assert!(events.contains(&expected.to_owned()), "{expected} missing from {events:?}");
    }
}

async fn disputes_export_their_evidence(app: &TestApp) {
    let shop = app.create_store("disputes").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let body = json!({
        "payment_id": text(&order["payments"][0]["id"]), "provider_reference": "dp_1",
        "amount": {"amount_minor": 3300, "currency": "EUR"}, "reason": "product_not_received",
        "status": "needs_response", "evidence_due_by": "2099-01-01T00:00:00Z"
    });
    let opened = app.post(&format!("/api/v1/cases/{case_id}/disputes"), &shop.key, &body).await.expect(201);
    assert!(opened["time_left_seconds"].as_i64().unwrap() > 0);
    app.post(&format!("/api/v1/cases/{case_id}/disputes"), &shop.key, &body).await.error(409, "duplicate", None);
    let bad = set(body.clone(), "/reason", json!("bored"));
    app.post(&format!("/api/v1/cases/{case_id}/disputes"), &shop.key, &bad).await.error(
        400,
        "unknown_value",
        Some("reason"),
    );
    let id = text(&opened["dispute"]["id"]);
    let pack =
        app.get(&format!("/api/v1/disputes/{id}/evidence?policy_version=default@3"), &shop.key).await.expect(200);
    assert_eq!(pack["evidence"]["shipping_carrier"], "dhl");
    assert_eq!(pack["evidence"]["shipping_tracking_number"], "JD0001");
    assert_eq!(pack["evidence"]["customer_email_address"], "ana@example.com");
    assert!(text(&pack["evidence"]["customer_communication"]).contains("My mug arrived in pieces."));
    let document = app
        .client
        .get(format!("{}/api/v1/disputes/{id}/evidence?format=document", app.base))
        .bearer_auth(&shop.key)
        .send()
        .await
        .unwrap();
    assert!(document.headers()["content-type"].to_str().unwrap().starts_with("text/markdown"));
    assert!(document.text().await.unwrap().contains("## Shipping tracking number"));
    // The provider has no dispute `dp_1`: its refusal is final, a 422 and not a 5xx, and the
    // dispute still waits for evidence.
    app.post(&format!("/api/v1/disputes/{id}/submit"), &shop.key, &json!({})).await.error(
        422,
        "provider_refused",
        None,
    );
    let still = app.get(&format!("/api/v1/disputes/{id}"), &shop.key).await.expect(200);
    assert_eq!(still["dispute"]["status"], "needs_response");
    let won =
        app.post(&format!("/api/v1/disputes/{id}/status"), &shop.key, &json!({"status": "won"})).await.expect(200);
    assert_eq!(won["time_left_seconds"], Value::Null);
    app.post(&format!("/api/v1/disputes/{id}/status"), &shop.key, &json!({"status": "lost"})).await.error(
        409,
        "illegal_transition",
        None,
    );
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    assert_eq!(ledger["balanced"], true);
}
