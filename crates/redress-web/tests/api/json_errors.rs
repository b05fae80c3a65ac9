//! How JSON that parses but does not fit is reported: always as the field at fault, never as
//! "not valid JSON", and never silently accepted.

use serde_json::{Value, json};

use crate::fixtures::{case_on_order, order, set};
use crate::support::{TestApp, on_both_backends, text};

on_both_backends!(text_with_a_nul_character_is_refused_and_changes_nothing);

/// PostgreSQL cannot store a NUL character in text, and answered 500 for an API key labelled
/// with one (found by the API fuzzer); SQLite kept it. On both, any text of a body or a query
/// with a NUL is a 400 naming the field, and nothing is written.
async fn text_with_a_nul_character_is_refused_and_changes_nothing(app: &TestApp) {
    let shop = app.create_store("nul-shop").await;
    let created = app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let view = app.open_case(&shop.key, &case_on_order(&text(&created["id"]), "Broken mug")).await;
    let case_id = text(&view["case"]["id"]);
    let keys_before = app.get("/api/v1/store/api-keys", &shop.admin).await.expect(200);

    let refused: Vec<(&str, String, Value, &str)> = vec![
        (&shop.admin, "/api/v1/store/api-keys".into(), json!({"label": "sync\u{0}"}), "label"),
        (
            &shop.key,
            "/api/v1/orders".into(),
            set(order("B-1", "bob@example.com"), "/customer/name", json!("Bob\u{0}")),
            "customer.name",
        ),
        (
            &shop.key,
            "/api/v1/orders".into(),
            set(order("B-1", "bob@example.com"), "/lines/1/variant", json!({"size\u{0}": "1"})),
            "lines[1].variant.size",
        ),
        (&shop.key, format!("/api/v1/cases/{case_id}/notes"), json!({"body": "\u{0}"}), "body"),
    ];
    for (key, path, body, field) in &refused {
        app.post(path, key, body).await.error(400, "invalid_field", Some(field));
    }
    app.get("/api/v1/orders?number=A-1%00", &shop.key).await.error(400, "invalid_field", Some("number"));
    app.get("/api/v1/cases?cursor=%00", &shop.key).await.error(400, "invalid_field", Some("cursor"));

    assert_eq!(app.get("/api/v1/store/api-keys", &shop.admin).await.expect(200), keys_before);
    assert_eq!(app.case_view(&shop.key, &case_id).await, view);
    assert_eq!(app.get("/api/v1/orders?number=B-1", &shop.key).await.expect(200), json!({"orders": []}));
}

/// A value of the wrong JSON type for an enum field (`null`, a number, a boolean, a list) is
/// valid JSON: the answer must name the field (`invalid_field`), like a wrong type for any
/// other field does, not claim the body is not JSON (`invalid_json`, no field).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enum_fields_of_the_wrong_json_type_name_the_field() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let created = app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let order_id = text(&created["id"]);
    let view = app.open_case(&shop.key, &case_on_order(&order_id, "Broken mug")).await;
    let case_id = text(&view["case"]["id"]);
    let case_path = |what: &str| format!("/api/v1/cases/{case_id}/{what}");

    let mut refused: Vec<(String, Value, &str)> = Vec::new();
    for wrong in [json!(null), json!(5), json!(true), json!(["open"])] {
        refused.push((case_path("status"), json!({"status": wrong}), "status"));
        refused.push((case_path("priority"), json!({"priority": wrong}), "priority"));
        refused.push((case_path("messages"), json!({"direction": wrong, "body": "hi"}), "direction"));
        refused.push((
            "/api/v1/cases".to_owned(),
            set(case_on_order(&order_id, "Again"), "/channel", wrong.clone()),
            "channel",
        ));
        refused.push((
            "/api/v1/orders".to_owned(),
            set(order("B-1", "bob@example.com"), "/shipments/0/status", wrong.clone()),
            "shipments[0].status",
        ));
    }
    let mut wrong_answers = Vec::new();
    for (path, body, field) in &refused {
        let reply = app.post(path, &shop.key, body).await;
        assert_eq!(reply.status, 400, "{path} {body}: {}", reply.body);
        if reply.code() != "invalid_field" || reply.body["error"]["field"] != *field {
            wrong_answers.push(format!("POST {path} {body} -> {}", reply.body));
        }
    }
    // Nothing was changed or created by any of them.
    assert_eq!(app.case_view(&shop.key, &case_id).await, view);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);
    assert_eq!(app.get("/api/v1/orders?number=B-1", &shop.key).await.expect(200), json!({"orders": []}));
    assert!(
        wrong_answers.is_empty(),
        "{} of {} wrong-type enum values were not reported as `invalid_field` on the field:\n{}",
        wrong_answers.len(),
        refused.len(),
        wrong_answers.join("\n")
    );
}

/// Unknown fields are refused at the top of every body; they must be refused inside nested
/// objects too, or a client's typo (`regoin`, `quantiy` next to a default) is silently dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_are_refused_at_every_depth() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let created = app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let order_id = text(&created["id"]);
    let view = app.open_case(&shop.key, &case_on_order(&order_id, "Broken mug")).await;
    let case_id = text(&view["case"]["id"]);
    let attachment = json!({"filename": "a.jpg", "content_type": "image/jpeg", "size_bytes": 1, "url": "http://x"});

    let refused: Vec<(String, Value, &str)> = vec![
        (
            "/api/v1/orders".into(),
            set(order("B-1", "bob@example.com"), "/lines/0/discount", json!(100)),
            "lines[0].discount",
        ),
        (
            "/api/v1/orders".into(),
            set(order("B-1", "bob@example.com"), "/lines/0/unit_price/amount", json!(12.5)),
            "lines[0].unit_price.amount",
        ),
        (
            "/api/v1/orders".into(),
            set(order("B-1", "bob@example.com"), "/shipping_address/regoin", json!("Małopolska")),
            "shipping_address.regoin",
        ),
        (
            "/api/v1/orders".into(),
            set(order("B-1", "bob@example.com"), "/payments/0/authorized/fx_rate", json!(4.3)),
            "payments[0].authorized.fx_rate",
        ),
        (
            "/api/v1/orders".into(),
            set(order("B-1", "bob@example.com"), "/shipments/0/lines/0/serial", json!("S1")),
            "shipments[0].lines[0].serial",
        ),
        (
            "/api/v1/cases".into(),
            set(case_on_order(&order_id, "Again"), "/message/attachments", json!([attachment])),
            "message.attachments[0].url",
        ),
        (
            format!("/api/v1/cases/{case_id}/messages"),
            json!({"direction": "outbound", "body": "hi", "attachments": [attachment]}),
            "attachments[0].url",
        ),
    ];
    let mut accepted = Vec::new();
    for (path, body, field) in &refused {
        let reply = app.post(path, &shop.key, body).await;
        if reply.status.is_success() {
            accepted.push(format!("POST {path} with unknown `{field}` -> {}", reply.status));
        } else {
            reply.error(400, "invalid_field", Some(field));
        }
    }
    assert!(
        accepted.is_empty(),
        "{} of {} bodies with an unknown nested field were accepted, the field silently dropped:\n{}",
        accepted.len(),
        refused.len(),
        accepted.join("\n")
    );
    assert_eq!(app.case_view(&shop.key, &case_id).await, view);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);
    assert_eq!(app.get("/api/v1/orders?number=B-1", &shop.key).await.expect(200), json!({"orders": []}));
}
