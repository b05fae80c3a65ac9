//! Money settled end to end over HTTP: a chosen remedy that moves money asks for its refunds
//! (once, whatever the retries), line refunds are checked against the order, fees show as
//! their own ledger accounts, store credit is spent (never below zero, even by racing
//! requests), postings are corrected without editing them, and the store's abuse rules make
//! a frequent refunder's refunds wait for a second person.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{case_on_order, order, set};
use crate::support::{Reply, TestApp, on_both_backends, text};

on_both_backends!(
    a_chosen_remedy_settles_its_money_once,
    a_lost_parcel_is_refunded_with_its_shipping_and_compensated,
    line_refunds_are_checked_against_the_order_and_fees_are_posted_apart,
    store_credit_is_spent_never_below_zero,
    postings_are_corrected_by_new_postings,
    frequent_refunders_wait_for_a_second_person,
    a_return_credited_issues_store_credit_with_its_bonus,
    stripe_dispute_webhooks_record_and_update_disputes
);

/// POST with a JSON body and an optional Idempotency-Key.
pub(crate) async fn post_with_key(
    app: &TestApp,
    key: &str,
    path: &str,
    idempotency_key: Option<&str>,
    body: &Value,
) -> Reply {
    let mut request = app.client.request(Method::POST, format!("{}{path}", app.base)).bearer_auth(key).json(body);
    if let Some(k) = idempotency_key {
        request = request.header("Idempotency-Key", k);
    }
    TestApp::read(request.send().await.unwrap()).await
}

fn events(view: &Value) -> Vec<String> {
    view["timeline"].as_array().unwrap().iter().map(|item| text(&item["event"]["type"])).collect()
}

async fn money(app: &TestApp, key: &str, case_id: &str) -> Value {
    app.get(&format!("/api/v1/cases/{case_id}/money"), key).await.expect(200)
}

/// An order paid twice (33.00 each) and a wrong_charge case about it.
pub(crate) async fn double_charged(app: &TestApp, key: &str) -> (Value, String) {
    let mut body = order("1042", "ana@example.com");
    let second = json!({
        "provider": "stripe", "provider_reference": "pi_2", "method": "card",
        "authorized": {"amount_minor": 3300, "currency": "EUR"},
        "captured": {"amount_minor": 3300, "currency": "EUR"},
        "status": "captured", "created_at": "2026-11-19T09:02:00Z"
    });
    body = set(body, "/payments/0/created_at", json!("2026-11-19T09:00:00Z"));
    body["payments"].as_array_mut().unwrap().push(second);
    let order = app.create_order(key, &body).await;
    let case = set(case_on_order(&text(&order["id"]), "Charged twice"), "/kind", json!("wrong_charge"));
    let case = app.open_case(key, &case).await;
    (order, text(&case["case"]["id"]))
}

async fn a_chosen_remedy_settles_its_money_once(app: &TestApp) {
    let shop = app.create_store("remedy-money").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let path = format!("/api/v1/cases/{case_id}/remedy");

    // Shipping goes back only with a remedy that gives money back; nothing changes.
    let wrong = json!({"remedy": "escalate", "refund_shipping": {"amount_minor": 100, "currency": "EUR"}});
    post_with_key(app, &shop.key, &path, None, &wrong).await.error(400, "missing_field", Some("Idempotency-Key"));
    post_with_key(app, &shop.key, &path, Some("wrong-1"), &wrong).await.error(
        400,
        "invalid_field",
        Some("refund_shipping"),
    );
    assert!(money(app, &shop.key, &case_id).await["refunds"].as_array().unwrap().is_empty());

    // Choosing the refund of the duplicate charge refunds it: the second capture, at once.
    let body = json!({"remedy": "refund_duplicate_charge"});
    let done = post_with_key(app, &shop.key, &path, Some("remedy-dup-1"), &body).await.expect(201);
    assert_eq!(done["case"]["status"], "resolved");
    let refund = &done["refunds"][0];
    assert_eq!(refund["refund"]["status"], "succeeded", "{done}");
    assert_eq!(refund["refund"]["reason"], "duplicate_charge");
    assert_eq!(refund["refund"]["amount"]["amount_minor"], 3300);
    assert_eq!(refund["refund"]["payment_id"], order["payments"][1]["id"]);
    assert!(text(&refund["customer_message"]).contains("should arrive between"));

    // The client retries: the first answer, and no second refund.
    let again = post_with_key(app, &shop.key, &path, Some("remedy-dup-1"), &body).await;
    assert_eq!(again.headers.get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let again = again.expect(201);
    assert_eq!(again["refunds"][0]["refund"]["id"], refund["refund"]["id"]);
    // A new key asks for it again: nothing is refundable any more, and nothing changes.
    let timeline = events(&app.case_view(&shop.key, &case_id).await).len();
    let refused = post_with_key(app, &shop.key, &path, Some("remedy-dup-2"), &body).await;
    assert!(refused.status.is_client_error(), "{}", refused.body);
    assert_eq!(events(&app.case_view(&shop.key, &case_id).await).len(), timeline);
    let after = money(app, &shop.key, &case_id).await;
    assert_eq!(after["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(after["balanced"], true);
    let kinds: Vec<String> = after["postings"].as_array().unwrap().iter().map(|p| text(&p["kind"])).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "refund").count(), 1, "{kinds:?}");
    let seen = events(&app.case_view(&shop.key, &case_id).await);
    let carried = seen.iter().position(|e| e == "remedy_carried_out").unwrap();
    let requested = seen.iter().position(|e| e == "refund_requested").unwrap();
    assert!(carried < requested, "{seen:?}");
    assert!(seen.contains(&"refund_succeeded".to_owned()));
}

/// An order whose parcel the carrier lost: 33.00 of goods and 4.99 of shipping captured.
async fn lost_parcel(app: &TestApp, key: &str, number: &str) -> (Value, String) {
    let mut body = order(number, "lost@example.com");
    body = set(body, "/payments/0/captured", json!({"amount_minor": 3799, "currency": "EUR"}));
    body = set(body, "/payments/0/authorized", json!({"amount_minor": 3799, "currency": "EUR"}));
    body = set(body, "/shipments/0/status", json!("lost"));
    body = set(body, "/shipments/0/lines", json!([{"sku": "MUG-1", "quantity": 2}, {"sku": "TEA-9", "quantity": 1}]));
    let order = app.create_order(key, &body).await;
    let case = set(case_on_order(&text(&order["id"]), "Never came"), "/kind", json!("not_received"));
    (order, text(&app.open_case(key, &case).await["case"]["id"]))
}

async fn a_lost_parcel_is_refunded_with_its_shipping_and_compensated(app: &TestApp) {
    let shop = app.create_store("remedy-lost").await;
    let (_, case_id) = lost_parcel(app, &shop.key, "2001").await;
    let path = format!("/api/v1/cases/{case_id}/remedy");
    let options = app.get(&format!("/api/v1/cases/{case_id}/options"), &shop.key).await.expect(200);
    let offered: Vec<String> = options["offers"].as_array().unwrap().iter().map(|o| text(&o["remedy"])).collect();
    assert!(offered.contains(&"refund_keep_item".to_owned()), "{offered:?}");

    // More shipping than is left on the payment: refused, nothing written.
    let greedy = json!({"remedy": "refund_keep_item", "refund_shipping": {"amount_minor": 500, "currency": "EUR"}});
    post_with_key(app, &shop.key, &path, Some("lost-greedy"), &greedy).await.error(
        422,
        "amount_above_refundable",
        Some("amount"),
    );
    assert!(money(app, &shop.key, &case_id).await["refunds"].as_array().unwrap().is_empty());
    let case = app.get(&format!("/api/v1/cases/{case_id}"), &shop.key).await.expect(200);
    assert_ne!(case["case"]["status"], "resolved");

    // The goods, line by line, and the shipping as a refund of its own.
    let body = json!({"remedy": "refund_keep_item", "refund_shipping": {"amount_minor": 499, "currency": "EUR"}});
    let done = post_with_key(app, &shop.key, &path, Some("lost-1"), &body).await.expect(201);
    let refunds = done["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 2, "{done}");
    assert_eq!(refunds[0]["refund"]["amount"]["amount_minor"], 3300);
    assert_eq!(refunds[0]["refund"]["lines"].as_array().unwrap().len(), 2);
    assert_eq!(refunds[0]["refund"]["requested_by"]["name"], "default", "the key that asked");
    assert_eq!(refunds[1]["refund"]["reason"], "shipping");
    assert_eq!(refunds[1]["refund"]["amount"]["amount_minor"], 499);
    assert!(refunds.iter().all(|r| r["refund"]["status"] == "succeeded"));
    let paid = money(app, &shop.key, &case_id).await;
    assert_eq!(paid["payments"][0]["refundable"]["amount_minor"], 0);
    assert_eq!(paid["balanced"], true);

    // Compensation, on another lost order, is a gift card.
    let (_, other) = lost_parcel(app, &shop.key, "2002").await;
    let gift = post_with_key(
        app,
        &shop.key,
        &format!("/api/v1/cases/{other}/remedy"),
        Some("lost-gift"),
        &json!({"remedy": "compensation"}),
    )
    .await
    .expect(201);
    let card = &gift["refunds"][0]["refund"];
    assert_eq!(card["method"], "gift_card");
    assert_eq!(card["status"], "succeeded");
    assert!(text(&card["gift_code"]).starts_with("GIFT-"));
    assert_eq!(card["amount"]["amount_minor"], 330, "10% of the goods");
}

fn refund_body(payment_id: &str, amount: i64) -> Value {
    json!({
        "payment_id": payment_id, "method": "original_payment", "reason": "items",
        "amount": {"amount_minor": amount, "currency": "EUR"}
    })
}

async fn line_refunds_are_checked_against_the_order_and_fees_are_posted_apart(app: &TestApp) {
    let shop = app.create_store("lines").await;
    let created = app.create_order(&shop.key, &order("3001", "lines@example.com")).await;
    let case = app.open_case(&shop.key, &case_on_order(&text(&created["id"]), "Broken mug")).await;
    let case_id = text(&case["case"]["id"]);
    let payment = text(&created["payments"][0]["id"]);
    let path = format!("/api/v1/cases/{case_id}/refunds");
    let with_lines = |amount: i64, lines: Value| set(refund_body(&payment, amount), "/lines", lines);
    let line = |sku: &str, quantity: u32, amount: i64| json!({"sku": sku, "quantity": quantity, "amount": {"amount_minor": amount, "currency": "EUR"}});

    // Not on the order, more units than ordered, more than the units are worth: 400, naming the line.
    for (i, (body, field)) in [
        (with_lines(100, json!([line("SOCKS", 1, 100)])), "lines[0].sku"),
        (with_lines(100, json!([line("MUG-1", 3, 100)])), "lines[0].quantity"),
        (with_lines(1251, json!([line("MUG-1", 1, 1251)])), "lines[0].amount"),
        (with_lines(2300, json!([line("TEA-9", 1, 800), line("MUG-1", 1, 1500)])), "lines[1].amount"),
    ]
    .into_iter()
    .enumerate()
    {
        post_with_key(app, &shop.key, &path, Some(&format!("bad-line-{i}")), &body).await.error(
            400,
            "invalid_field",
            Some(field),
        );
    }
    let untouched = money(app, &shop.key, &case_id).await;
    assert!(untouched["refunds"].as_array().unwrap().is_empty());
    assert!(untouched["postings"].as_array().unwrap().iter().all(|p| p["kind"] == "capture"));

    // One mug, then the other; a third refund on the line finds nothing left.
    for key in ["mug-1", "mug-2"] {
        post_with_key(app, &shop.key, &path, Some(key), &with_lines(1250, json!([line("MUG-1", 1, 1250)])))
            .await
            .expect(201);
    }
    post_with_key(app, &shop.key, &path, Some("mug-3"), &with_lines(1, json!([line("MUG-1", 1, 1)]))).await.error(
        400,
        "invalid_field",
        Some("lines[0].amount"),
    );

    // The tea, less a restocking fee and the return label: three postings, two fee accounts.
    let fees = json!([
        {"kind": "restocking", "amount": {"amount_minor": 200, "currency": "EUR"}},
        {"kind": "return_shipping", "amount": {"amount_minor": 100, "currency": "EUR"}}
    ]);
    let tea = set(with_lines(500, json!([line("TEA-9", 1, 800)])), "/fees", fees);
    let paid = post_with_key(app, &shop.key, &path, Some("tea"), &tea).await.expect(201);
    assert_eq!(paid["refund"]["status"], "succeeded");
    let after = money(app, &shop.key, &case_id).await;
    let kinds: Vec<String> = after["postings"].as_array().unwrap().iter().map(|p| text(&p["kind"])).collect();
    for kind in ["refund", "restocking_fee", "shipping_fee"] {
        assert!(kinds.contains(&kind.to_owned()), "{kind} missing from {kinds:?}");
    }
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    let balance = |account: &str| {
        ledger["balances"].as_array().unwrap().iter().find(|b| b["account"] == account).map(|b| b["balance"].clone())
    };
    assert_eq!(balance("restocking_fees").unwrap()["amount_minor"], -200);
    assert_eq!(balance("shipping_fees").unwrap()["amount_minor"], -100);
    assert_eq!(balance("refunds").unwrap()["amount_minor"], 3300);
    assert_eq!(ledger["balanced"], true);
}

async fn store_credit_is_spent_never_below_zero(app: &TestApp) {
    let shop = app.create_store("spend").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let credit = json!({
        "payment_id": text(&order["payments"][1]["id"]), "method": "store_credit", "reason": "items",
        "amount": {"amount_minor": 2000, "currency": "EUR"}, "bonus": {"amount_minor": 200, "currency": "EUR"}
    });
    post_with_key(app, &shop.key, &format!("/api/v1/cases/{case_id}/refunds"), Some("credit"), &credit)
        .await
        .expect(201);
    let customer = text(&order["customer_id"]);
    let spend_path = format!("/api/v1/customers/{customer}/store-credit/spend");
    let spend = |amount: i64| json!({"amount": {"amount_minor": amount, "currency": "EUR"}, "spent_on": "order 1043", "case_id": case_id});

    // Bad spends: no key, nothing to spend, more than there is, someone unknown. Nothing changes.
    post_with_key(app, &shop.key, &spend_path, None, &spend(100)).await.error(
        400,
        "missing_field",
        Some("Idempotency-Key"),
    );
    post_with_key(app, &shop.key, &spend_path, Some("s-0"), &spend(0)).await.error(
        400,
        "invalid_field",
        Some("amount.amount_minor"),
    );
    post_with_key(app, &shop.key, &spend_path, Some("s-1"), &spend(2201)).await.error(
        422,
        "insufficient_store_credit",
        Some("amount"),
    );
    let blank = set(spend(100), "/spent_on", json!(" "));
    post_with_key(app, &shop.key, &spend_path, Some("s-2"), &blank).await.error(400, "invalid_field", Some("spent_on"));
    let stranger = "/api/v1/customers/0190b2a4-0000-7000-8000-000000000000/store-credit/spend";
    post_with_key(app, &shop.key, stranger, Some("s-3"), &spend(100)).await.error(404, "not_found", None);
    let balances = app.get(&format!("/api/v1/customers/{customer}/store-credit"), &shop.key).await.expect(200);
    assert_eq!(balances[0]["balance"]["amount_minor"], 2200);

    // Spend 12.00; the retry answers with the same spend.
    let spent = post_with_key(app, &shop.key, &spend_path, Some("s-ok"), &spend(1200)).await.expect(201);
    assert_eq!(spent["balance"]["balance"]["amount_minor"], 1000);
    let again = post_with_key(app, &shop.key, &spend_path, Some("s-ok"), &spend(1200)).await;
    assert!(again.headers.contains_key("idempotent-replayed"));
    let again = again.expect(201);
    assert_eq!(again["spend"]["posting_id"], spent["spend"]["posting_id"]);
    post_with_key(app, &shop.key, &spend_path, Some("s-ok"), &spend(1)).await.error(
        422,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    );

    // Two spends of 6.00 race for the 10.00 left: one wins, one is refused, the balance stays positive.
    let six = spend(600);
    let (a, b) = tokio::join!(
        post_with_key(app, &shop.key, &spend_path, Some("race-a"), &six),
        post_with_key(app, &shop.key, &spend_path, Some("race-b"), &six)
    );
    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 422], "{} / {}", a.body, b.body);
    let balances = app.get(&format!("/api/v1/customers/{customer}/store-credit"), &shop.key).await.expect(200);
    assert_eq!(balances[0]["balance"]["amount_minor"], 400);
    let spends = app.get(&format!("/api/v1/customers/{customer}/store-credit/spends"), &shop.key).await.expect(200);
    assert_eq!(spends.as_array().unwrap().len(), 2);
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    assert_eq!(ledger["balanced"], true);
    let seen = events(&app.case_view(&shop.key, &case_id).await);
    assert!(seen.iter().filter(|e| *e == "money_posted").count() >= 3, "{seen:?}");
}

async fn postings_are_corrected_by_new_postings(app: &TestApp) {
    let shop = app.create_store("corrections").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let body = json!({
        "payment_id": text(&order["payments"][1]["id"]), "method": "original_payment", "reason": "duplicate_charge",
        "amount": {"amount_minor": 3300, "currency": "EUR"}
    });
    post_with_key(app, &shop.key, &format!("/api/v1/cases/{case_id}/refunds"), Some("fix-me"), &body).await.expect(201);
    let postings = app.get("/api/v1/ledger/postings", &shop.key).await.expect(200);
    let refund = postings["postings"].as_array().unwrap().iter().find(|p| p["kind"] == "refund").unwrap().clone();
    let id = text(&refund["id"]);
    let path = format!("/api/v1/ledger/postings/{id}/corrections");
    // Before any correction the books bear every payment out.
    let clean = app.get("/api/v1/ledger/reconciliation", &shop.key).await.expect(200);
    assert_eq!((clean["payments_checked"].as_u64(), clean["ledger_balanced"].as_bool()), (Some(2), Some(true)));
    assert_eq!(clean["discrepancies"], json!([]), "{clean}");

    // Corrections are a lead's or an admin's, named by who is signed in, never by the body.
    app.post(&path, &shop.key, &json!({"reason": "x"})).await.error(403, "forbidden", None);
    app.post(&path, &shop.admin, &json!({"reason": " "})).await.error(400, "invalid_field", Some("reason"));
    let by = json!({"name": "lead", "role": "team_lead"});
    app.post(&path, &shop.admin, &json!({"reason": "x", "by": by})).await.error(400, "invalid_field", Some("by"));
    app.post("/api/v1/ledger/postings/nope/corrections", &shop.admin, &json!({"reason": "x"})).await.error(
        404,
        "not_found",
        None,
    );
    let other = app.create_store("corrections-other").await;
    app.post(&path, &other.admin, &json!({"reason": "x"})).await.error(404, "not_found", None);

    let fix = app.post(&path, &shop.admin, &json!({"reason": "entered twice"})).await.expect(201);
    assert_eq!(fix["kind"], "correction");
    assert_eq!(fix["corrects"], refund["id"]);
    assert_eq!(fix["caused_by"]["name"], "Olga");
    // The payment still records the refund the ledger no longer shows: reconciliation says so.
    let found = app.get("/api/v1/ledger/reconciliation", &shop.key).await.expect(200);
    assert_eq!(
        found["discrepancies"],
        json!([{"payment_id": order["payments"][1]["id"], "order_id": order["id"], "figure": "refunded",
                "recorded": {"amount_minor": 3300, "currency": "EUR"}, "expected": {"amount_minor": 0, "currency": "EUR"}}]),
        "{found}"
    );
    assert!(text(&fix["memo"]).contains("entered twice"));
    app.post(&path, &shop.admin, &json!({"reason": "again"})).await.error(409, "cannot_correct", None);
    let after = app.get("/api/v1/ledger/postings", &shop.key).await.expect(200);
    assert!(after["postings"].as_array().unwrap().contains(&refund), "the original is as it was");
    assert_eq!(after["postings"].as_array().unwrap().len(), postings["postings"].as_array().unwrap().len() + 1);
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    assert_eq!(ledger["balanced"], true);
    let timeline = app.case_view(&shop.key, &case_id).await;
    assert!(
        timeline["timeline"].as_array().unwrap().iter().any(|e| e["event"]["kind"] == "correction"),
        "{}",
        timeline["timeline"]
    );
}

async fn frequent_refunders_wait_for_a_second_person(app: &TestApp) {
    let shop = app.create_store("abuse").await;
    let policy = app.get("/api/v1/policy", &shop.key).await.expect(200);
    let source = text(&policy["source"])
        .replace("version = 1", "version = 2")
        .replace("max_refunds_per_window = 5", "max_refunds_per_window = 1");
    app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&json!({"source": source}))).await.expect(200);
    let (order, case_id) = double_charged(app, &shop.key).await;
    let path = format!("/api/v1/cases/{case_id}/refunds");
    let body = |amount: i64| {
        json!({
            "payment_id": text(&order["payments"][1]["id"]), "method": "original_payment", "reason": "items",
            "amount": {"amount_minor": amount, "currency": "EUR"}
        })
    };
    let first = post_with_key(app, &shop.key, &path, Some("abuse-1"), &body(100)).await.expect(201);
    assert_eq!(first["refund"]["status"], "succeeded");
    let second = post_with_key(app, &shop.key, &path, Some("abuse-2"), &body(100)).await.expect(201);
    assert_eq!(second["refund"]["status"], "awaiting_approval");
    assert!(text(&second["refund"]["approval_reason"]).contains("abuse rules"), "{second}");
    let seen = events(&app.case_view(&shop.key, &case_id).await);
    assert!(seen.contains(&"refund_awaiting_approval".to_owned()));
}

async fn a_return_credited_issues_store_credit_with_its_bonus(app: &TestApp) {
    use time::format_description::well_known::Rfc3339;
    let shop = app.create_store("credit-return").await;
    let ago = |days: i64| (time::OffsetDateTime::now_utc() - time::Duration::days(days)).format(&Rfc3339).unwrap();
    let mut body = order("4001", "credit@example.com");
    body = set(body, "/placed_at", json!(ago(8)));
    body = set(body, "/shipments/0/status", json!("delivered"));
    body = set(body, "/shipments/0/status_times", json!({"handed_to_carrier": ago(6), "delivered": ago(3)}));
    let created = app.create_order(&shop.key, &body).await;
    let case = set(case_on_order(&text(&created["id"]), "Changed my mind"), "/kind", json!("return_request"));
    let case_id = text(&app.open_case(&shop.key, &case).await["case"]["id"]);
    let chosen = post_with_key(
        app,
        &shop.key,
        &format!("/api/v1/cases/{case_id}/remedy"),
        Some("credit-remedy"),
        &json!({"remedy": "store_credit", "lines": [{"sku": "MUG-1", "quantity": 2}]}),
    )
    .await
    .expect(201);
    assert!(chosen["refunds"].as_array().unwrap().is_empty(), "no money before the mugs are back");
    let return_id = text(&chosen["returns"][0]["id"]);
    let actions = format!("/api/v1/cases/{case_id}/returns/{return_id}/actions");
    for step in [
        json!({"action": "issue_label", "carrier": "DHL", "tracking_number": "RT-9"}),
        json!({"action": "mark_in_transit"}),
        json!({"action": "receive"}),
        json!({"action": "inspect", "lines": {"MUG-1": {"outcome": "accepted", "condition": ["unused", "tags_on"]}}}),
    ] {
        app.post(&actions, &shop.key, &step).await.expect(200);
    }
    let credited = app.post(&actions, &shop.key, &json!({"action": "credit"})).await.expect(200);
    let refund = &credited["refunds"][0]["refund"];
    assert_eq!(refund["method"], "store_credit", "{credited}");
    assert_eq!(refund["status"], "succeeded");
    assert_eq!(refund["amount"]["amount_minor"], 2500);
    assert_eq!(refund["bonus"]["amount_minor"], 250, "the policy's 10% bonus");
    let customer = text(&created["customer_id"]);
    let balances = app.get(&format!("/api/v1/customers/{customer}/store-credit"), &shop.key).await.expect(200);
    assert_eq!(balances[0]["balance"]["amount_minor"], 2750);
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    assert_eq!(ledger["balanced"], true);
}

/// A Stripe event as Stripe sends it, signed with the test servers' webhook secret.
fn signed_event(kind: &str, object: &Value) -> (String, String) {
    use hmac::{Hmac, Mac};
    let body = json!({
        "id": format!("evt_{}", uuid::Uuid::now_v7().simple()), "object": "event", "api_version": "2024-06-20",
        "created": time::OffsetDateTime::now_utc().unix_timestamp(), "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": kind, "data": {"object": object}
    })
    .to_string();
    let t = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(crate::support::STRIPE_WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    (body, format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes())))
}

/// A dispute object in Stripe's shape.
fn dispute_object(
    id: &str,
    charge: &str,
    amount: i64,
    currency: &str,
    reason: &str,
    status: &str,
    due_in_days: i64,
) -> Value {
    let due = (time::OffsetDateTime::now_utc() + time::Duration::days(due_in_days)).unix_timestamp();
    json!({
        "id": id, "object": "dispute", "amount": amount, "balance_transactions": [], "charge": charge,
        "created": time::OffsetDateTime::now_utc().unix_timestamp(), "currency": currency,
        "evidence": {"billing_address": null, "customer_communication": null, "customer_email_address": null,
                     "shipping_carrier": null, "shipping_tracking_number": null, "uncategorized_text": null},
        "evidence_details": {"due_by": due, "has_evidence": false, "past_due": false, "submission_count": 0},
        "is_charge_refundable": false, "livemode": false, "metadata": {}, "payment_intent": null,
        "reason": reason, "status": status
    })
}

async fn webhook(app: &TestApp, kind: &str, object: &Value) -> Reply {
    let (body, signature) = signed_event(kind, object);
    let request = app
        .client
        .post(format!("{}/api/v1/webhooks/stripe", app.base))
        .header("Stripe-Signature", signature)
        .header("Content-Type", "application/json")
        .body(body);
    TestApp::read(request.send().await.unwrap()).await
}

async fn stripe_dispute_webhooks_record_and_update_disputes(app: &TestApp) {
    let shop = app.create_store("dispute-hooks").await;
    let charge = format!("ch_{}", uuid::Uuid::now_v7().simple());
    let body = set(order("5001", "disputed@example.com"), "/payments/0/provider_reference", json!(charge));
    let created = app.create_order(&shop.key, &body).await;
    let case = app.open_case(&shop.key, &case_on_order(&text(&created["id"]), "Who charged me?")).await;
    let case_id = text(&case["case"]["id"]);
    let dispute_id = format!("du_{}", uuid::Uuid::now_v7().simple());
    let opened = dispute_object(&dispute_id, &charge, 3300, "eur", "fraudulent", "needs_response", 7);

    // Unsigned, wrongly signed or malformed: nothing recorded.
    let (raw, _) = signed_event("charge.dispute.created", &opened);
    let unsigned = app.client.post(format!("{}/api/v1/webhooks/stripe", app.base)).body(raw.clone());
    TestApp::read(unsigned.send().await.unwrap()).await.error(401, "unauthorized", None);
    let forged = app
        .client
        .post(format!("{}/api/v1/webhooks/stripe", app.base))
        .header("Stripe-Signature", format!("t={},v1=00", time::OffsetDateTime::now_utc().unix_timestamp()))
        .body(raw);
    TestApp::read(forged.send().await.unwrap()).await.error(401, "unauthorized", None);
    let broken = set(opened.clone(), "/status", json!("angry"));
    webhook(app, "charge.dispute.created", &broken).await.error(400, "invalid_json", None);
    let dollars = set(opened.clone(), "/currency", json!("usd"));
    webhook(app, "charge.dispute.created", &dollars).await.error(400, "invalid_field", Some("data.object.currency"));
    assert!(money(app, &shop.key, &case_id).await["disputes"].as_array().unwrap().is_empty());

    // Created: the dispute is recorded on the order's case, the chargeback posted.
    let receipt = webhook(app, "charge.dispute.created", &opened).await.expect(200);
    let id = text(&receipt["dispute_id"]);
    let view = app.get(&format!("/api/v1/disputes/{id}"), &shop.key).await.expect(200);
    assert_eq!(view["dispute"]["case_id"], json!(case_id));
    assert_eq!(view["dispute"]["payment_id"], created["payments"][0]["id"]);
    assert_eq!(view["dispute"]["status"], "needs_response");
    assert_eq!(view["dispute"]["reason"], "fraudulent");
    assert_eq!(view["dispute"]["amount"]["amount_minor"], 3300);
    assert!(view["time_left_seconds"].as_i64().unwrap() > 6 * 86_400);
    // Delivered again: the same dispute, nothing more on the timeline.
    let entries = events(&app.case_view(&shop.key, &case_id).await).len();
    let again = webhook(app, "charge.dispute.created", &opened).await.expect(200);
    assert_eq!(again["dispute_id"], receipt["dispute_id"]);
    assert_eq!(events(&app.case_view(&shop.key, &case_id).await).len(), entries);

    // Updated: under review, a smaller amount, a later deadline.
    let review = dispute_object(&dispute_id, &charge, 3000, "eur", "fraudulent", "under_review", 14);
    webhook(app, "charge.dispute.updated", &review).await.expect(200);
    let view = app.get(&format!("/api/v1/disputes/{id}"), &shop.key).await.expect(200);
    assert_eq!(view["dispute"]["status"], "under_review");
    assert_eq!(view["dispute"]["amount"]["amount_minor"], 3000);
    let seen = events(&app.case_view(&shop.key, &case_id).await);
    for expected in ["dispute_opened", "dispute_status_changed", "dispute_updated", "money_posted"] {
        assert!(seen.contains(&expected.to_owned()), "{expected} missing from {seen:?}");
    }

    // Closed, won: the money comes back; an older event arriving late changes nothing.
    let won = dispute_object(&dispute_id, &charge, 3000, "eur", "fraudulent", "won", 14);
    webhook(app, "charge.dispute.closed", &won).await.expect(200);
    webhook(app, "charge.dispute.updated", &review).await.expect(200);
    let view = app.get(&format!("/api/v1/disputes/{id}"), &shop.key).await.expect(200);
    assert_eq!(view["dispute"]["status"], "won");
    let after = money(app, &shop.key, &case_id).await;
    let kinds: Vec<String> = after["postings"].as_array().unwrap().iter().map(|p| text(&p["kind"])).collect();
    assert!(kinds.contains(&"chargeback".to_owned()) && kinds.contains(&"dispute_reversal".to_owned()), "{kinds:?}");
    assert_eq!(after["balanced"], true);

    // A payment no order here holds: acknowledged, nothing recorded.
    let stranger = dispute_object("du_stranger", "ch_nobody", 100, "eur", "general", "needs_response", 7);
    let receipt = webhook(app, "charge.dispute.created", &stranger).await.expect(200);
    assert!(receipt["dispute_id"].is_null());

    // An order with no case yet: a case is opened for the dispute, as the bank's reason says.
    let lonely_charge = format!("ch_{}", uuid::Uuid::now_v7().simple());
    let body = set(order("5002", "lonely@example.com"), "/payments/0/provider_reference", json!(lonely_charge));
    app.create_order(&shop.key, &body).await;
    let lonely = dispute_object("du_lonely", &lonely_charge, 3300, "eur", "product_not_received", "needs_response", 7);
    let receipt = webhook(app, "charge.dispute.created", &lonely).await.expect(200);
    let view = app.get(&format!("/api/v1/disputes/{}", text(&receipt["dispute_id"])), &shop.key).await.expect(200);
    let opened_case =
        app.get(&format!("/api/v1/cases/{}", text(&view["dispute"]["case_id"])), &shop.key).await.expect(200);
    assert_eq!(opened_case["case"]["kind"], "not_received");
    assert!(text(&opened_case["messages"][0]["body"]).contains("du_lonely"), "{opened_case}");
}

/// A provider that answers only when the test releases it, with requests answered after
/// 300 ms at most.
fn slow_provider(
    sandbox: &redress_connect::sandbox::Sandbox,
) -> impl FnOnce(redress_app::App) -> redress_app::App + use<> {
    use redress_connect::sandbox::Behaviour;
    sandbox.script(Behaviour::Hold);
    let provider = std::sync::Arc::new(sandbox.clone());
    move |state| {
        state.with_payment_provider(provider).with_refund_answer_deadline(std::time::Duration::from_millis(300))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_provider_gets_202_and_the_refund_finishes_in_the_background_sqlite() {
    let sandbox = redress_connect::sandbox::Sandbox::new();
    let app = TestApp::sqlite_with(slow_provider(&sandbox)).await;
    slow_provider_story(&app, &sandbox).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_provider_gets_202_and_the_refund_finishes_in_the_background_postgres() {
    let sandbox = redress_connect::sandbox::Sandbox::new();
    let Some(app) = TestApp::postgres_with(slow_provider(&sandbox)).await else { return };
    slow_provider_story(&app, &sandbox).await;
}

async fn slow_provider_story(app: &TestApp, sandbox: &redress_connect::sandbox::Sandbox) {
    let shop = app.create_store("slow").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let body = json!({
        "payment_id": text(&order["payments"][1]["id"]), "method": "original_payment", "reason": "duplicate_charge",
        "amount": {"amount_minor": 3300, "currency": "EUR"}
    });
    let path = format!("/api/v1/cases/{case_id}/refunds");
    // The provider holds its answer until released, so a 202 here was answered before it.
    let pending = post_with_key(app, &shop.key, &path, Some("slow-1"), &body).await.expect(202);
    assert_eq!(pending["refund"]["status"], "sent");
    assert!(text(&pending["customer_message"]).contains("was sent"));
    // Clicking again meanwhile finds the same refund and sends nothing more.
    let again = post_with_key(app, &shop.key, &path, Some("slow-1"), &body).await.expect(202);
    assert_eq!(again["refund"]["id"], pending["refund"]["id"]);
    sandbox.release();
    let id = text(&pending["refund"]["id"]);
    let mut status = String::new();
    for _ in 0..100 {
        status = text(&app.get(&format!("/api/v1/refunds/{id}"), &shop.key).await.expect(200)["refund"]["status"]);
        if status == "succeeded" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, "succeeded", "finished in the background");
    assert_eq!(sandbox.refunds().len(), 1, "paid once");
    let after = money(app, &shop.key, &case_id).await;
    assert_eq!(after["balanced"], true);
}
