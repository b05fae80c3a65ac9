//! Opening cases: numbering, defaults, the first timeline, and refused openings.

use serde_json::{Value, json};

use crate::fixtures::{case_on_order, case_without_order, order, remove, set};
use crate::support::{Shop, TestApp, on_both_backends, text};

on_both_backends!(a_case_opens_with_its_first_message_and_defaults, refused_openings_name_the_field_and_use_no_number);

async fn shop_with_order(app: &TestApp) -> (Shop, Value) {
    let shop = app.create_store("north-wind").await;
    let order = app.create_order(&shop.key, &order("A-1001", "ana@example.com")).await;
    (shop, order)
}

async fn a_case_opens_with_its_first_message_and_defaults(app: &TestApp) {
    let (shop, order) = shop_with_order(app).await;
    let order_id = text(&order["id"]);
    let view = app.open_case(&shop.key, &case_on_order(&order_id, "  Broken mug  ")).await;
    let case = &view["case"];
    assert_eq!(case["number"], 1);
    assert_eq!(case["store_id"], shop.id.as_str());
    assert_eq!(case["status"], "new");
    assert_eq!(case["subject"], "Broken mug", "the subject is trimmed");
    assert_eq!(case["order_id"], order["id"]);
    assert_eq!(case["customer_id"], order["customer_id"]);
    assert_eq!(case["customer_email"], "ana@example.com", "from the order's customer");
    assert_eq!(case["kind"], "other");
    assert_eq!(case["sentiment"], "neutral");
    assert_eq!(case["escalation"], json!([]));
    assert_eq!(case["language"], "en", "the store's default");
    assert_eq!(case["channel"], "email");
    assert_eq!(case["priority"], "low", "`other` with a neutral tone");
    assert!(case["assignee"].is_null());
    assert_eq!(case["version"], 1);
    assert_eq!(case["created_at"], case["updated_at"]);
    let created = time::OffsetDateTime::parse(
        case["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let due = time::OffsetDateTime::parse(
        case["response_due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(due - created, time::Duration::hours(72), "a low priority case is due in 72 hours");

    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message["case_id"], case["id"]);
    assert_eq!(message["direction"], "inbound");
    assert_eq!(message["channel"], "email");
    assert_eq!(message["body"], "My mug arrived in pieces.");
    assert_eq!(message["author"], json!({"type": "customer", "handle": "ana@example.com"}));
    assert_eq!(message["attachments"], json!([]));

    let timeline = view["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(
        timeline[0]["event"],
        json!({"type": "opened", "kind": "other", "channel": "email", "language": "en", "priority": "low"})
    );
    assert_eq!(timeline[0]["actor"], json!({"type": "customer", "handle": "ana@example.com"}));
    assert_eq!(
        timeline[1]["event"],
        json!({"type": "message_added", "message_id": message["id"], "direction": "inbound", "channel": "email"})
    );
    assert!(timeline[0]["seq"].as_i64().unwrap() < timeline[1]["seq"].as_i64().unwrap());

    // What was answered is what is stored.
    assert_eq!(app.case_view(&shop.key, &text(&case["id"])).await, view);

    // By the order's number: the next number, the same order and customer.
    let mut by_number = remove(case_on_order(&order_id, "Still broken"), "/order_id");
    by_number["order_number"] = json!("A-1001");
    let second = app.open_case(&shop.key, &by_number).await;
    assert_eq!(second["case"]["number"], 2);
    assert_eq!(second["case"]["order_id"], order["id"]);
    assert_eq!(second["case"]["customer_id"], order["customer_id"]);
    assert_ne!(second["case"]["id"], case["id"]);

    // No order, everything given.
    let third = app
        .open_case(
            &shop.key,
            &json!({
                "customer_email": "Eve@Example.COM",
                "subject": "Charged twice",
                "channel": "portal",
                "kind": "wrong_charge",
                "language": "ES",
                "sentiment": "negative",
                "escalation": ["chargeback", "repeat_contact", "chargeback"],
                "message": {"body": "Me cobraron dos veces.", "attachments": [
                    {"filename": "statement.pdf", "content_type": "application/pdf", "size_bytes": 48213}
                ]}
            }),
        )
        .await;
    let case = &third["case"];
    assert_eq!(case["number"], 3);
    assert!(case["order_id"].is_null());
    assert!(case["customer_id"].is_null());
    assert_eq!(case["customer_email"], "Eve@example.com", "the domain is lower-cased");
    assert_eq!(case["kind"], "wrong_charge");
    assert_eq!(case["language"], "es");
    assert_eq!(case["sentiment"], "negative");
    assert_eq!(case["escalation"], json!(["chargeback", "repeat_contact"]));
    assert_eq!(case["priority"], "urgent", "a threatened chargeback");
    assert_eq!(case["channel"], "portal");
    assert_eq!(third["messages"][0]["attachments"][0]["filename"], "statement.pdf");

    // A loss in a negative tone is raised one step from high.
    let mut loss = case_without_order("Parcel never came");
    loss["kind"] = json!("not_received");
    loss["sentiment"] = json!("negative");
    assert_eq!(app.open_case(&shop.key, &loss).await["case"]["priority"], "urgent");
    loss["sentiment"] = json!("positive");
    assert_eq!(app.open_case(&shop.key, &loss).await["case"]["priority"], "high");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_opened_and_in_which_language() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let mut body = order("A-1", "jo@example.com");
    body["customer"]["language"] = json!("pt-br");
    let order = app.create_order(&shop.key, &body).await;
    let order_id = text(&order["id"]);

    // The customer's language when the case does not say.
    let view = app.open_case(&shop.key, &case_on_order(&order_id, "Onde está?")).await;
    assert_eq!(view["case"]["language"], "pt-BR");
    // The case's own language wins.
    let mut spanish = case_on_order(&order_id, "¿Dónde está?");
    spanish["language"] = json!("es");
    assert_eq!(app.open_case(&shop.key, &spanish).await["case"]["language"], "es");
    // An explicit address wins over the order's customer's.
    let mut other = case_on_order(&order_id, "For my wife");
    other["customer_email"] = json!("maria@example.com");
    let view = app.open_case(&shop.key, &other).await;
    assert_eq!(view["case"]["customer_email"], "maria@example.com");
    assert_eq!(view["case"]["customer_id"], order["customer_id"]);
    assert_eq!(view["messages"][0]["author"], json!({"type": "customer", "handle": "maria@example.com"}));

    // Cases the shop types in (phone, API) are opened by the key; the message is still the customer's.
    for channel in ["phone", "api"] {
        let mut typed = case_on_order(&order_id, "Called us");
        typed["channel"] = json!(channel);
        let view = app.open_case(&shop.key, &typed).await;
        assert_eq!(view["timeline"][0]["actor"], json!({"type": "integration", "name": "default"}), "{channel}");
        assert_eq!(view["timeline"][1]["actor"], json!({"type": "customer", "handle": "jo@example.com"}), "{channel}");
    }
    // Without an order or an address the customer is unknown, and the store's language is used.
    let view = app.open_case(&shop.key, &remove(case_without_order("Hi"), "/customer_email")).await;
    assert!(view["case"]["customer_email"].is_null());
    assert_eq!(view["case"]["language"], "en");
    assert_eq!(view["messages"][0]["author"], json!({"type": "customer", "handle": "unknown customer"}));
}

async fn refused_openings_name_the_field_and_use_no_number(app: &TestApp) {
    let (shop, order) = shop_with_order(app).await;
    let order_id = text(&order["id"]);
    let ok = || case_on_order(&order_id, "Broken mug");
    let with = |key: &str, value: Value| {
        let mut body = ok();
        body[key] = value;
        body
    };
    let refused: Vec<(&str, Value, u16, &str, Option<&str>)> = vec![
        ("blank subject", with("subject", json!("  ")), 400, "invalid_field", Some("subject")),
        ("long subject", with("subject", json!("s".repeat(301))), 400, "invalid_field", Some("subject")),
        ("empty message", set(ok(), "/message/body", json!(" \n ")), 400, "invalid_field", Some("message.body")),
        (
            "message too long",
            set(ok(), "/message/body", json!("b".repeat(256 * 1024 + 1))),
            400,
            "invalid_field",
            Some("message.body"),
        ),
        (
            "attachment type",
            set(
                ok(),
                "/message",
                json!({"body": "see photo", "attachments": [
            {"filename": "mug.jpg", "content_type": "image/jpeg", "size_bytes": 1},
            {"filename": "mug2.jpg", "content_type": "jpeg", "size_bytes": 1}]}),
            ),
            400,
            "invalid_field",
            Some("message.attachments[1].content_type"),
        ),
        (
            "attachment name",
            set(
                ok(),
                "/message",
                json!({"body": "see photo", "attachments": [
            {"filename": " ", "content_type": "image/jpeg", "size_bytes": 1}]}),
            ),
            400,
            "invalid_field",
            Some("message.attachments[0].filename"),
        ),
        ("no message", remove(ok(), "/message"), 400, "missing_field", Some("message")),
        ("no message body", set(ok(), "/message", json!({})), 400, "missing_field", Some("message.body")),
        ("no subject", remove(ok(), "/subject"), 400, "missing_field", Some("subject")),
        ("no channel", remove(ok(), "/channel"), 400, "missing_field", Some("channel")),
        ("unknown channel", with("channel", json!("fax")), 400, "unknown_value", Some("channel")),
        ("unknown kind", with("kind", json!("lost_parcel")), 400, "unknown_value", Some("kind")),
        ("unknown sentiment", with("sentiment", json!("furious")), 400, "unknown_value", Some("sentiment")),
        ("unknown signal", with("escalation", json!(["legal", "lawyer"])), 400, "unknown_value", Some("escalation[1]")),
        ("subject not text", with("subject", json!(["a"])), 400, "invalid_field", Some("subject")),
        ("malformed order id", with("order_id", json!("A-1001")), 400, "invalid_field", Some("order_id")),
        ("unknown order id", with("order_id", json!(uuid::Uuid::now_v7().to_string())), 404, "not_found", None),
        (
            "unknown order number",
            {
                let mut body = remove(ok(), "/order_id");
                body["order_number"] = json!("A-9999");
                body
            },
            400,
            "invalid_field",
            Some("order_number"),
        ),
        ("bad address", with("customer_email", json!("ana")), 400, "invalid_field", Some("customer_email")),
        ("bad language", with("language", json!("en_GB!")), 400, "invalid_field", Some("language")),
        ("unknown field", with("urgency", json!("high")), 400, "invalid_field", Some("urgency")),
    ];
    for (what, body, status, code, field) in refused {
        let reply = app.post("/api/v1/cases", &shop.key, &body).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.body);
        reply.error(status, code, field);
    }
    assert_eq!(app.all_cases(&shop.key, "").await, Vec::<Value>::new(), "no case was opened");
    // Refused openings use no number: the first case opened is still #1.
    let view = app.open_case(&shop.key, &ok()).await;
    assert_eq!(view["case"]["number"], 1);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_inclusive_and_count_characters() {
    let app = TestApp::sqlite().await;
    let (shop, order) = shop_with_order(&app).await;
    let subject = "ż".repeat(300);
    let mut body = case_on_order(&text(&order["id"]), &subject);
    body["message"]["body"] = json!("b".repeat(256 * 1024));
    let view = app.open_case(&shop.key, &body).await;
    assert_eq!(view["case"]["subject"], subject.as_str());
    assert_eq!(view["messages"][0]["body"].as_str().unwrap().len(), 256 * 1024);
}
