//! One store's key sees and changes nothing of another store's.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{case_on_order, order};
use crate::support::{Shop, TestApp, on_both_backends, text};

on_both_backends!(stores_are_isolated);

struct Side {
    shop: Shop,
    order: Value,
    case_id: String,
}

async fn side(app: &TestApp, slug: &str, number: &str, email: &str) -> Side {
    let shop = app.create_store(slug).await;
    let order = app.create_order(&shop.key, &order(number, email)).await;
    let view = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), &format!("{slug} case"))).await;
    Side { case_id: text(&view["case"]["id"]), shop, order }
}

async fn everything(app: &TestApp, side: &Side) -> Value {
    let order_path = format!("/api/v1/orders/{}", text(&side.order["id"]));
    let number_path = format!("/api/v1/orders?number={}", text(&side.order["number"]));
    json!({
        "store": app.get("/api/v1/store", &side.shop.key).await.expect(200),
        "order": app.get(&order_path, &side.shop.key).await.expect(200),
        "by_number": app.get(&number_path, &side.shop.key).await.expect(200),
        "cases": app.all_cases(&side.shop.key, "").await,
        "case": app.case_view(&side.shop.key, &side.case_id).await,
    })
}

async fn stores_are_isolated(app: &TestApp) {
    let a = side(app, "shop-a", "A-1", "ana@example.com").await;
    let b_shop = app.create_store("shop-b").await;
    let before = everything(app, &a).await;
    let a_order_id = text(&a.order["id"]);

    // Reading A's things with B's key: as if they did not exist.
    app.get(&format!("/api/v1/cases/{}", a.case_id), &b_shop.key).await.error(404, "not_found", None);
    app.get(&format!("/api/v1/orders/{a_order_id}"), &b_shop.key).await.error(404, "not_found", None);
    assert_eq!(app.get("/api/v1/orders?number=A-1", &b_shop.key).await.expect(200), json!({"orders": []}));
    assert_eq!(
        app.get("/api/v1/orders?customer_email=ana@example.com", &b_shop.key).await.expect(200),
        json!({"orders": []})
    );
    assert_eq!(app.all_cases(&b_shop.key, "").await, Vec::<Value>::new());
    assert_eq!(app.get("/api/v1/store", &b_shop.key).await.expect(200)["slug"], "shop-b");

    // Opening a case on A's order with B's key: by id it is not found, by number it is not there.
    app.post("/api/v1/cases", &b_shop.key, &case_on_order(&a_order_id, "Mine now")).await.error(404, "not_found", None);
    let by_number =
        json!({"order_number": "A-1", "subject": "Mine now", "channel": "email", "message": {"body": "hi"}});
    app.post("/api/v1/cases", &b_shop.key, &by_number).await.error(400, "invalid_field", Some("order_number"));

    // Changing A's case with B's key.
    for (what, body) in [
        ("messages", json!({"direction": "outbound", "body": "hi"})),
        ("status", json!({"status": "resolved"})),
        ("assignee", json!({"assignee": "mallory"})),
        ("notes", json!({"body": "mallory was here"})),
        ("priority", json!({"priority": "urgent"})),
    ] {
        app.post(&format!("/api/v1/cases/{}/{what}", a.case_id), &b_shop.key, &body).await.error(
            404,
            "not_found",
            None,
        );
    }

    // B's order with A's number and A's customer's address is B's own.
    let b_order = app.create_order(&b_shop.key, &order("A-1", "ana@example.com")).await;
    assert_ne!(b_order["id"], a.order["id"]);
    assert_ne!(b_order["customer_id"], a.order["customer_id"]);
    assert_eq!(b_order["store_id"], b_shop.id.as_str());

    // B's cases are numbered from 1 in B, and A does not see them.
    let b_view = app.open_case(&b_shop.key, &case_on_order(&text(&b_order["id"]), "B case")).await;
    assert_eq!(b_view["case"]["number"], 1);
    assert_eq!(b_view["case"]["store_id"], b_shop.id.as_str());
    let b_case_id = text(&b_view["case"]["id"]);
    let b_cases = app.all_cases(&b_shop.key, "").await;
    assert_eq!(b_cases.len(), 1);
    assert_eq!(b_cases[0]["id"], b_case_id.as_str());
    app.get(&format!("/api/v1/cases/{b_case_id}"), &a.shop.key).await.error(404, "not_found", None);
    app.call(
        Method::POST,
        &format!("/api/v1/cases/{b_case_id}/notes"),
        Some(&a.shop.key),
        Some(&json!({"body": "peek"})),
    )
    .await
    .error(404, "not_found", None);

    // A's world is exactly as it was, and a second case in A is #2.
    assert_eq!(everything(app, &a).await, before);
    let second = app.open_case(&a.shop.key, &case_on_order(&a_order_id, "Again")).await;
    assert_eq!(second["case"]["number"], 2);
}
