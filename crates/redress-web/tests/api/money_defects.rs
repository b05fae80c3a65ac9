//! The money defects an integrator and an attacker found (issue 12), each replayed over HTTP on
//! both backends: a unit gets one remedy whatever the path, compensation is given once, value
//! is bounded by what was paid, sums never break a view, the approval limit is the policy's,
//! and the same request under one key is recognised whatever its whitespace.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{case_on_order, order, set};
use crate::support::{Shop, TestApp, on_both_backends, text};

on_both_backends!(
    a_unit_gets_one_remedy_whatever_the_path,
    compensation_is_given_once_per_case,
    value_is_bounded_by_what_was_paid,
    no_sum_can_break_the_books,
    the_approval_limit_is_the_policys_on_every_path,
    the_same_request_under_one_key_is_one_request
);

/// An order of two mugs and a tea, all delivered.
async fn delivered(app: &TestApp, shop: &Shop, number: &str) -> Value {
    let mut body = order(number, &format!("{}@example.com", number.to_lowercase()));
    body["shipments"][0]["lines"] = json!([{"sku": "MUG-1", "quantity": 2}, {"sku": "TEA-9", "quantity": 1}]);
    body["shipments"][0]["status"] = json!("delivered");
    body["shipments"][0]["status_times"]["delivered"] = json!("2026-11-22T10:00:00Z");
    app.create_order(&shop.key, &body).await
}

async fn case_of(app: &TestApp, shop: &Shop, order: &Value, kind: &str, lines: Value) -> String {
    let mut case = set(case_on_order(&text(&order["id"]), "The mugs"), "/kind", json!(kind));
    case["lines"] = lines;
    text(&app.open_case(&shop.key, &case).await["case"]["id"])
}

fn offered(options: &Value) -> Vec<String> {
    options["offers"].as_array().unwrap().iter().map(|o| text(&o["remedy"])).collect()
}

async fn a_unit_gets_one_remedy_whatever_the_path(app: &TestApp) {
    let shop = app.create_store("one-remedy").await;
    let order = delivered(app, &shop, "U-1").await;
    let mugs = json!([{"sku": "MUG-1", "quantity": 2}]);
    let first = case_of(app, &shop, &order, "damaged_in_transit", mugs.clone()).await;
    let refund = json!({"remedy": "refund_keep_item", "photos_provided": true});
    let done = app.post(&format!("/api/v1/cases/{first}/remedy"), &shop.key, &refund).await.expect(201);
    assert_eq!(done["refunds"][0]["refund"]["amount"]["amount_minor"], 2500, "{done}");
    assert_eq!(
        done["refunds"][0]["refund"]["lines"],
        json!([{"sku": "MUG-1", "quantity": 2, "amount": {"amount_minor": 2500, "currency": "EUR"}}])
    );

    // A second report about the same mugs: nothing more is offered for them, and asking anyway
    // (refund, replacement) is refused with the reason, changing nothing.
    let second = case_of(app, &shop, &order, "damaged_in_transit", mugs).await;
    let options = app.get(&format!("/api/v1/cases/{second}/options?photos_provided=true"), &shop.key).await.expect(200);
    assert!(!offered(&options).contains(&"refund_keep_item".to_owned()), "{options}");
    assert!(options["reasons"].as_array().unwrap().iter().any(|r| r["rule"] == "already_given"), "{options}");
    let before = app.get(&format!("/api/v1/cases/{second}/money"), &shop.key).await.expect(200);
    for remedy in [refund.clone(), json!({"remedy": "reship", "photos_provided": true})] {
        let reply = app.post(&format!("/api/v1/cases/{second}/remedy"), &shop.key, &remedy).await;
        assert_eq!(reply.status, 409, "{remedy}: {}", reply.body);
        assert!(["already_given", "not_offered"].contains(&reply.code()), "{}", reply.body);
    }
    // Nor can the same mugs be refunded line by line on the refund endpoint.
    let by_line = json!({"payment_id": order["payments"][0]["id"], "method": "original_payment", "reason": "items",
        "amount": {"amount_minor": 1250, "currency": "EUR"},
        "lines": [{"sku": "MUG-1", "quantity": 1, "amount": {"amount_minor": 1250, "currency": "EUR"}}]});
    let reply = app.post(&format!("/api/v1/cases/{second}/refunds"), &shop.key, &by_line).await;
    reply.error(400, "invalid_field", Some("lines[0].amount"));
    assert_eq!(app.get(&format!("/api/v1/cases/{second}/money"), &shop.key).await.expect(200), before);

    // The tea, never given anything, still can be.
    let tea = case_of(app, &shop, &order, "damaged_in_transit", json!([{"sku": "TEA-9", "quantity": 1}])).await;
    let done = app.post(&format!("/api/v1/cases/{tea}/remedy"), &shop.key, &refund).await.expect(201);
    assert_eq!(done["refunds"][0]["refund"]["amount"]["amount_minor"], 800);
}

async fn compensation_is_given_once_per_case(app: &TestApp) {
    let shop = app.create_store("compensation").await;
    let order = delivered(app, &shop, "C-1").await;
    let case = case_of(app, &shop, &order, "damaged_in_transit", json!([{"sku": "MUG-1", "quantity": 1}])).await;
    let path = format!("/api/v1/cases/{case}/remedy");
    let body = json!({"remedy": "compensation", "photos_provided": true});
    let given = app.post(&path, &shop.key, &body).await.expect(201);
    assert_eq!(given["refunds"][0]["refund"]["method"], "gift_card", "{given}");
    // Another key, the same remedy: refused; the options no longer offer it.
    app.post(&path, &shop.key, &body).await.error(409, "already_given", None);
    let options = app.get(&format!("/api/v1/cases/{case}/options?photos_provided=true"), &shop.key).await.expect(200);
    assert!(!offered(&options).contains(&"compensation".to_owned()), "{options}");
    let money = app.get(&format!("/api/v1/cases/{case}/money"), &shop.key).await.expect(200);
    let cards = money["refunds"].as_array().unwrap().iter().filter(|r| r["refund"]["method"] == "gift_card").count();
    assert_eq!(cards, 1);
}

async fn value_is_bounded_by_what_was_paid(app: &TestApp) {
    let shop = app.create_store("bounded").await;
    let order = delivered(app, &shop, "B-1").await; // 33.00 EUR paid
    let case = case_of(app, &shop, &order, "other", json!([])).await;
    let path = format!("/api/v1/cases/{case}/refunds");
    let card = |amount: i64| json!({"method": "gift_card", "reason": "compensation", "amount": {"amount_minor": amount, "currency": "EUR"}});
    app.post(&path, &shop.key, &card(9900)).await.error(422, "amount_above_refundable", Some("amount"));
    app.post(&path, &shop.key, &card(1_000_000)).await.error(422, "amount_above_refundable", Some("amount"));
    // A restocking fee is bounded by the goods it is kept from.
    let fee = json!({"payment_id": order["payments"][0]["id"], "method": "original_payment", "reason": "items",
        "amount": {"amount_minor": 100, "currency": "EUR"},
        "fees": [{"kind": "restocking", "amount": {"amount_minor": i64::MAX, "currency": "EUR"}}]});
    let reply = app.post(&path, &shop.key, &fee).await;
    assert!(reply.status == 400 || reply.status == 422, "{}", reply.body);
    let money = app.get(&format!("/api/v1/cases/{case}/money"), &shop.key).await.expect(200);
    assert!(money["refunds"].as_array().unwrap().is_empty(), "{money}");

    // A dispute claims at most what its payment captured.
    let dispute = json!({"payment_id": order["payments"][0]["id"], "provider_reference": "dp_big",
        "amount": {"amount_minor": 100_000_000, "currency": "EUR"}, "reason": "fraudulent",
        "status": "needs_response", "evidence_due_by": "2099-01-01T00:00:00Z"});
    app.post(&format!("/api/v1/cases/{case}/disputes"), &shop.key, &dispute).await.error(
        400,
        "invalid_field",
        Some("amount"),
    );
    assert_eq!(app.get("/api/v1/ledger", &shop.key).await.expect(200)["balanced"], true);
}

async fn no_sum_can_break_the_books(app: &TestApp) {
    let shop = app.create_store("huge").await;
    // Two orders whose captures are each near the largest amount money holds.
    for number in ["H-1", "H-2"] {
        let mut body = order(number, "rich@example.com");
        let huge = i64::MAX - 10;
        body["lines"] = json!([{"sku": "GOLD", "title": "Gold bar", "quantity": 1,
            "unit_price": {"amount_minor": huge, "currency": "EUR"}}]);
        body["shipments"] = json!([]);
        body["payments"][0]["authorized"]["amount_minor"] = json!(huge);
        body["payments"][0]["captured"]["amount_minor"] = json!(huge);
        body["payments"][0]["provider_reference"] = json!(format!("pi_{number}"));
        let stored = app.create_order(&shop.key, &body).await;
        let case = case_of(app, &shop, &stored, "other", json!([])).await;
        let refund = json!({"payment_id": stored["payments"][0]["id"], "method": "original_payment",
            "reason": "duplicate_charge", "amount": {"amount_minor": 1, "currency": "EUR"}});
        app.post(&format!("/api/v1/cases/{case}/refunds"), &shop.key, &refund).await.expect(201);
        app.get(&format!("/api/v1/cases/{case}/money"), &shop.key).await.expect(200);
    }
    // Every view still answers: the sums are wide, never an overflow.
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    assert_eq!(ledger["balanced"], true, "{ledger}");
    app.get("/api/v1/ledger/postings", &shop.key).await.expect(200);
    let reconciled = app.get("/api/v1/ledger/reconciliation", &shop.key).await.expect(200);
    assert_eq!(reconciled["discrepancies"], json!([]), "{reconciled}");
}

async fn the_approval_limit_is_the_policys_on_every_path(app: &TestApp) {
    let shop = app.create_store("limit").await;
    let policy = app.get("/api/v1/policy", &shop.key).await.expect(200);
    let limit = policy["policy"]["approval"]["auto_up_to"]["EUR"].as_i64().expect("a EUR limit");
    // One order worth more than the limit, paid in one payment.
    let mut body = order("L-1", "limit@example.com");
    body["lines"] = json!([{"sku": "COAT", "title": "Coat", "quantity": 1,
        "unit_price": {"amount_minor": limit * 3, "currency": "EUR"}}]);
    body["shipments"] = json!([]);
    body["payments"][0]["authorized"]["amount_minor"] = json!(limit * 3);
    body["payments"][0]["captured"]["amount_minor"] = json!(limit * 3);
    let stored = app.create_order(&shop.key, &body).await;
    let case = case_of(app, &shop, &stored, "other", json!([])).await;
    let refund = |amount: i64| {
        json!({"payment_id": stored["payments"][0]["id"], "method": "original_payment", "reason": "items",
               "amount": {"amount_minor": amount, "currency": "EUR"}})
    };
    let path = format!("/api/v1/cases/{case}/refunds");
    let within = app.post(&path, &shop.key, &refund(limit)).await.expect(201);
    assert_eq!(within["refund"]["status"], "succeeded", "up to the policy's {limit} is automatic: {within}");
    let above = app.post(&path, &shop.key, &refund(limit + 1)).await.expect(201);
    assert_eq!(above["refund"]["status"], "awaiting_approval", "{above}");
    assert!(text(&above["refund"]["approval_reason"]).contains(&format!("{}.", limit / 100)), "{above}");
}

async fn the_same_request_under_one_key_is_one_request(app: &TestApp) {
    let shop = app.create_store("one-key").await;
    let order = delivered(app, &shop, "K-1").await;
    let case = case_of(app, &shop, &order, "damaged_in_transit", json!([{"sku": "MUG-1", "quantity": 1}])).await;
    let path = format!("{}/api/v1/cases/{case}/remedy", app.base);
    let send = |body: &'static str| {
        app.client
            .post(&path)
            .bearer_auth(&shop.key)
            .header("content-type", "application/json")
            .header("idempotency-key", "same-remedy-1")
            .body(body)
            .send()
    };
    let first = send(r#"{"remedy":"refund_keep_item","photos_provided":true}"#).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    // Other whitespace and member order: the same request, answered the same, paid once.
    let again = send("{\n  \"photos_provided\" : true,\n  \"remedy\" : \"refund_keep_item\"\n}").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap().to_owned()), Some("true".into()));
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first);
    // Another caller under the same key is another request: refused, not replayed to them.
    let lena = app.member_key(&shop, "Lena", "team_lead").await;
    let other = app
        .call_keyed(
            Method::POST,
            &format!("/api/v1/cases/{case}/remedy"),
            Some(&lena),
            Some("same-remedy-1"),
            Some(&json!({"remedy": "refund_keep_item", "photos_provided": true})),
        )
        .await;
    other.error(422, "idempotency_key_reused", Some("Idempotency-Key"));
    let money = app.get(&format!("/api/v1/cases/{case}/money"), &shop.key).await.expect(200);
    assert_eq!(money["refunds"].as_array().unwrap().len(), 1);
}
