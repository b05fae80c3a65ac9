//! Orders as the shop's systems report them: created, then updated by number.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{order, remove, set};
use crate::support::{TestApp, on_both_backends, text};

on_both_backends!(
    an_order_is_created_then_updated_by_number,
    orders_are_found_by_customer_email_and_by_number,
    a_refused_update_leaves_the_order_as_it_was,
    orders_are_listed_by_stage_parcel_and_date_a_page_at_a_time
);

async fn an_order_is_created_then_updated_by_number(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let created = app.create_order(&shop.key, &order("A-1001", "ana@example.com")).await;
    assert_eq!(created["number"], "A-1001");
    assert_eq!(created["store_id"], shop.id.as_str());
    assert_eq!(created["currency"], "EUR");
    assert_eq!(created["lines"].as_array().unwrap().len(), 2);
    assert_eq!(created["lines"][1]["variant"], json!({"size": "100g"}));
    assert_eq!(created["billing_address"], created["shipping_address"], "billing defaults to shipping");
    let payment = &created["payments"][0];
    assert_eq!(payment["refunded"], json!({"amount_minor": 0, "currency": "EUR"}));
    assert_eq!(payment["created_at"], "2026-11-19T09:00:00Z", "defaults to the order's time");
    assert!(payment["id"].is_string());
    assert!(created["shipments"][0]["id"].is_string());
    let order_id = text(&created["id"]);

    // Reading it back gives what was stored.
    let read = app.get(&format!("/api/v1/orders/{order_id}"), &shop.key).await.expect(200);
    assert_eq!(read, created);

    // Sent again with the same number: updated in place (200), ids kept.
    let mut update = order(" A-1001 ", "ana@example.com");
    update["shipments"][0]["status"] = json!("delivered");
    update["payments"][0]["refunded"] = json!({"amount_minor": 800, "currency": "EUR"});
    update["payments"][0]["status"] = json!("partially_refunded");
    update["billing_address"] = json!({"name": "Firma Sp. z o.o.", "lines": ["Rynek 1"], "city": "Kraków",
        "postal_code": "31-042", "country": "PL"});
    let updated = app.post("/api/v1/orders", &shop.key, &update).await.expect(200);
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(updated["number"], "A-1001", "the number is trimmed");
    assert_eq!(updated["customer_id"], created["customer_id"], "the customer is matched by email");
    assert_eq!(updated["payments"][0]["id"], created["payments"][0]["id"], "payments keep ids by reference");
    assert_eq!(updated["shipments"][0]["id"], created["shipments"][0]["id"], "shipments keep ids by position");
    assert_eq!(updated["shipments"][0]["status"], "delivered");
    assert_eq!(updated["payments"][0]["status"], "partially_refunded");
    assert_eq!(updated["billing_address"]["name"], "Firma Sp. z o.o.");
    let read = app.get(&format!("/api/v1/orders/{order_id}"), &shop.key).await.expect(200);
    assert_eq!(read, updated);

    // A new payment reference is a new payment; the old one keeps its id.
    let mut more = update.clone();
    let mut second = more["payments"][0].clone();
    second["provider_reference"] = json!("pi_2");
    more["payments"] = json!([second, update["payments"][0]]);
    let again = app.post("/api/v1/orders", &shop.key, &more).await.expect(200);
    assert_eq!(again["payments"][1]["id"], created["payments"][0]["id"]);
    assert_ne!(again["payments"][0]["id"], created["payments"][0]["id"]);

    // A second order from the same address is the same customer.
    let mut later = order("A-1002", "ana@example.com");
    later["placed_at"] = json!("2026-11-21T09:00:00Z");
    let other = app.create_order(&shop.key, &later).await;
    assert_ne!(other["id"], created["id"]);
    assert_eq!(other["customer_id"], created["customer_id"]);
    // A different address is a different customer.
    let stranger = app.create_order(&shop.key, &order("B-1", "bob@example.com")).await;
    assert_ne!(stranger["customer_id"], created["customer_id"]);
}

async fn orders_are_listed_by_stage_parcel_and_date_a_page_at_a_time(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    // Five orders, one a day: the first two not shipped, then in transit, delivered, lost.
    let mut made = Vec::new();
    for (day, status) in [(1, None), (2, None), (3, Some("in_transit")), (4, Some("delivered")), (5, Some("lost"))] {
        let mut body = order(&format!("N-{day}"), &format!("c{day}@example.com"));
        body["placed_at"] = json!(format!("2026-11-0{day}T09:00:00Z"));
        match status {
            None => body = remove(body, "/shipments"),
            Some(status) => {
                body["shipments"][0]["status"] = json!(status);
                body["shipments"][0]["status_times"][status] = json!(format!("2026-11-0{day}T18:00:00Z"));
            }
        }
        made.push(text(&app.create_order(&shop.key, &body).await["id"]));
    }
    let numbers = |query: String| {
        let key = shop.key.clone();
        async move {
            let page = app.get(&format!("/api/v1/orders?{query}"), &key).await.expect(200);
            page["orders"].as_array().unwrap().iter().map(|o| text(&o["number"])).collect::<Vec<_>>()
        }
    };
    assert_eq!(numbers(String::new()).await, ["N-5", "N-4", "N-3", "N-2", "N-1"], "newest placed first");
    assert_eq!(numbers("stage=not_packed".into()).await, ["N-2", "N-1"]);
    assert_eq!(numbers("stage=with_carrier,delivered".into()).await, ["N-5", "N-4", "N-3"]);
    assert_eq!(numbers("shipment_status=lost".into()).await, ["N-5"]);
    assert_eq!(numbers("shipment_status=in_transit".into()).await, ["N-3"]);
    let window = "placed_from=2026-11-02T00:00:00Z&placed_before=2026-11-04T09:00:00Z";
    assert_eq!(numbers(window.into()).await, ["N-3", "N-2"], "from inclusive, before exclusive");
    assert_eq!(numbers(format!("{window}&stage=not_packed")).await, ["N-2"], "filters combine");

    // A cancellation moves the order to `cancelled` in the list.
    let case = crate::fixtures::case_on_order(&made[0], "Cancel it please");
    let case_id = text(&app.open_case(&shop.key, &set(case, "/kind", json!("cancel_order"))).await["case"]["id"]);
    app.post(&format!("/api/v1/cases/{case_id}/remedy"), &shop.key, &json!({"remedy": "cancel_order"}))
        .await
        .expect(201);
    assert_eq!(numbers("stage=cancelled".into()).await, ["N-1"]);
    assert_eq!(numbers("stage=not_packed".into()).await, ["N-2"]);

    // Two at a time: three pages, no order twice, none missed.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..3 {
        let query = match &cursor {
            Some(c) => format!("/api/v1/orders?limit=2&cursor={c}"),
            None => "/api/v1/orders?limit=2".to_owned(),
        };
        let page = app.get(&query, &shop.key).await.expect(200);
        seen.extend(page["orders"].as_array().unwrap().iter().map(|o| text(&o["number"])));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, ["N-5", "N-4", "N-3", "N-2", "N-1"]);
    assert!(cursor.is_none(), "the last page says there is no next one");

    for (query, code, field) in [
        ("stage=shipped", "unknown_value", "stage"),
        ("shipment_status=teleported", "unknown_value", "shipment_status"),
        ("placed_from=yesterday", "invalid_field", "placed_from"),
        ("limit=0", "invalid_field", "limit"),
        ("limit=201", "invalid_field", "limit"),
        ("cursor=nope", "invalid_field", "cursor"),
    ] {
        app.get(&format!("/api/v1/orders?{query}"), &shop.key).await.error(400, code, Some(field));
    }
}

async fn orders_are_found_by_customer_email_and_by_number(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let first = app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let mut later = order("A-2", "ana@example.com");
    later["placed_at"] = json!("2026-11-21T09:00:00Z");
    let second = app.create_order(&shop.key, &later).await;
    let bob = app.create_order(&shop.key, &order("B-1", "bob@example.com")).await;

    let list = |query: &'static str| {
        let key = shop.key.clone();
        async move { app.get(&format!("/api/v1/orders?{query}"), &key).await.expect(200) }
    };
    assert_eq!(list("customer_email=ana@example.com").await, json!({"orders": [second, first]}), "newest first");
    assert_eq!(
        list("customer_email=ana%40EXAMPLE.com").await["orders"].as_array().unwrap().len(),
        2,
        "domains are case-insensitive"
    );
    assert_eq!(list("customer_email=bob@example.com").await, json!({"orders": [bob]}));
    assert_eq!(list("customer_email=nobody@example.com").await, json!({"orders": []}));
    assert_eq!(list("number=A-1").await, json!({"orders": [first]}));
    assert_eq!(list("number=A-9").await, json!({"orders": []}));

    assert_eq!(list("").await["orders"].as_array().unwrap().len(), 3, "no filter lists every order");
    for (query, code, field) in [
        ("customer_email=not-an-email", "invalid_field", "customer_email"),
        ("customer_email=", "invalid_field", "customer_email"),
    ] {
        let reply = app.get(&format!("/api/v1/orders?{query}"), &shop.key).await;
        reply.error(400, code, Some(field));
    }
    let reply = app.get("/api/v1/orders?colour=blue", &shop.key).await;
    assert_eq!(reply.status, 400, "{}", reply.body);

    for id in [uuid::Uuid::now_v7().to_string(), "not-an-id".to_owned()] {
        app.get(&format!("/api/v1/orders/{id}"), &shop.key).await.error(404, "not_found", None);
    }
}

/// Each body bends the fixture one way; each is refused with the field at fault named.
fn refused_orders() -> Vec<(&'static str, Value, &'static str, Option<&'static str>)> {
    let o = || order("BAD-1", "ana@example.com");
    vec![
        ("quantity zero", set(o(), "/lines/0/quantity", json!(0)), "invalid_field", Some("lines[0].quantity")),
        (
            "second line quantity zero",
            set(o(), "/lines/1/quantity", json!(0)),
            "invalid_field",
            Some("lines[1].quantity"),
        ),
        (
            "line currency",
            set(o(), "/lines/0/unit_price/currency", json!("USD")),
            "invalid_field",
            Some("lines[0].unit_price.currency"),
        ),
        (
            "negative price",
            set(o(), "/lines/0/unit_price/amount_minor", json!(-1)),
            "invalid_field",
            Some("lines[0].unit_price.amount_minor"),
        ),
        ("blank sku", set(o(), "/lines/0/sku", json!(" ")), "invalid_field", Some("lines[0].sku")),
        ("no lines", set(o(), "/lines", json!([])), "invalid_field", Some("lines")),
        (
            "price overflow",
            set(set(o(), "/lines/0/unit_price/amount_minor", json!(i64::MAX)), "/lines/0/quantity", json!(2)),
            "invalid_field",
            Some("lines[0].unit_price"),
        ),
        (
            "refunded more than captured",
            set(
                set(o(), "/payments/0/refunded", json!({"amount_minor": 3301, "currency": "EUR"})),
                "/payments/0/status",
                json!("partially_refunded"),
            ),
            "invalid_field",
            Some("payments[0].refunded"),
        ),
        (
            "negative authorised",
            set(o(), "/payments/0/authorized/amount_minor", json!(-5)),
            "invalid_field",
            Some("payments[0].authorized"),
        ),
        (
            "captured more than authorised",
            set(o(), "/payments/0/captured/amount_minor", json!(9999)),
            "invalid_field",
            Some("payments[0].captured"),
        ),
        (
            "payment currency",
            set(o(), "/payments/0/authorized/currency", json!("PLN")),
            "invalid_field",
            Some("payments[0].authorized.currency"),
        ),
        (
            "captured in another currency",
            set(o(), "/payments/0/captured/currency", json!("PLN")),
            "invalid_field",
            Some("payments[0].captured"),
        ),
        (
            "status against amounts",
            set(o(), "/payments/0/status", json!("refunded")),
            "invalid_field",
            Some("payments[0].status"),
        ),
        (
            "no provider reference",
            set(o(), "/payments/0/provider_reference", json!("")),
            "invalid_field",
            Some("payments[0].provider_reference"),
        ),
        (
            "more shipped than ordered",
            set(o(), "/shipments/0/lines/0/quantity", json!(3)),
            "invalid_field",
            Some("shipments"),
        ),
        (
            "shipped sku not ordered",
            set(o(), "/shipments/0/lines/0/sku", json!("CUP-7")),
            "invalid_field",
            Some("shipments[0].lines[0].sku"),
        ),
        ("no carrier", set(o(), "/shipments/0/carrier", json!("")), "invalid_field", Some("shipments[0].carrier")),
        (
            "country spelled out",
            set(o(), "/shipping_address/country", json!("Poland")),
            "invalid_field",
            Some("shipping_address.country"),
        ),
        (
            "country not assigned",
            set(o(), "/shipping_address/country", json!("ZZ")),
            "invalid_field",
            Some("shipping_address.country"),
        ),
        (
            "country in lower case",
            set(o(), "/shipping_address/country", json!("pl")),
            "invalid_field",
            Some("shipping_address.country"),
        ),
        (
            "billing country",
            {
                let mut body = o();
                body["billing_address"] = body["shipping_address"].clone();
                body["billing_address"]["country"] = json!("Polska");
                body
            },
            "invalid_field",
            Some("billing_address.country"),
        ),
        (
            "no street",
            set(o(), "/shipping_address/lines", json!([" "])),
            "invalid_field",
            Some("shipping_address.lines"),
        ),
        ("no city", set(o(), "/shipping_address/city", json!("")), "invalid_field", Some("shipping_address.city")),
        (
            "bad email",
            set(o(), "/customer/email", json!("ana-at-example.com")),
            "invalid_field",
            Some("customer.email"),
        ),
        ("blank name", set(o(), "/customer/name", json!("  ")), "invalid_field", Some("customer.name")),
        ("bad language", set(o(), "/customer/language", json!("polish!")), "invalid_field", Some("customer.language")),
        ("blank number", set(o(), "/number", json!("  ")), "invalid_field", Some("number")),
        ("long number", set(o(), "/number", json!("9".repeat(65))), "invalid_field", Some("number")),
        ("unknown currency", set(o(), "/currency", json!("XYZ")), "invalid_field", Some("currency")),
        ("quantity as words", set(o(), "/lines/0/quantity", json!("two")), "invalid_field", Some("lines[0].quantity")),
        ("negative quantity", set(o(), "/lines/0/quantity", json!(-1)), "invalid_field", Some("lines[0].quantity")),
        (
            "fractional amount",
            set(o(), "/lines/0/unit_price/amount_minor", json!(12.5)),
            "invalid_field",
            Some("lines[0].unit_price.amount_minor"),
        ),
        ("lines not a list", set(o(), "/lines", json!({"sku": "MUG-1"})), "invalid_field", Some("lines")),
        ("bad placed_at", set(o(), "/placed_at", json!("yesterday")), "invalid_field", Some("placed_at")),
        (
            "teleported shipment",
            set(o(), "/shipments/0/status", json!("teleported")),
            "unknown_value",
            Some("shipments[0].status"),
        ),
        (
            "stolen payment",
            set(o(), "/payments/0/status", json!("stolen")),
            "unknown_value",
            Some("payments[0].status"),
        ),
        ("missing sku", remove(o(), "/lines/0/sku"), "missing_field", Some("lines[0].sku")),
        ("missing email", remove(o(), "/customer/email"), "missing_field", Some("customer.email")),
        ("missing customer", remove(o(), "/customer"), "missing_field", Some("customer")),
        ("missing placed_at", remove(o(), "/placed_at"), "missing_field", Some("placed_at")),
        (
            "missing country",
            remove(o(), "/shipping_address/country"),
            "missing_field",
            Some("shipping_address.country"),
        ),
        ("missing captured", remove(o(), "/payments/0/captured"), "missing_field", Some("payments[0].captured")),
        ("not an object", json!("A-1"), "invalid_field", None),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_orders_are_refused_naming_the_field_and_create_nothing() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    for (what, body, code, field) in refused_orders() {
        let reply = app.post("/api/v1/orders", &shop.key, &body).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.body);
        assert_eq!(reply.code(), code, "{what}: {}", reply.body);
        reply.error(400, code, field);
    }
    // Unknown fields of the order, its customer, payments and shipments are refused, not ignored
    // (nested domain objects: see `json_errors::unknown_fields_are_refused_at_every_depth`).
    for (pointer, field) in [
        ("", "coupon"),
        ("/customer", "customer.coupon"),
        ("/payments/0", "payments[0].coupon"),
        ("/shipments/0", "shipments[0].coupon"),
    ] {
        let body = set(order("BAD-1", "ana@example.com"), &format!("{pointer}/coupon"), json!("FREE"));
        let reply = app.post("/api/v1/orders", &shop.key, &body).await;
        assert_eq!(reply.status, 400, "unknown field at `{pointer}`: {}", reply.body);
        reply.error(400, "invalid_field", Some(field));
    }
    assert_eq!(app.get("/api/v1/orders?number=BAD-1", &shop.key).await.expect(200), json!({"orders": []}));
    assert_eq!(
        app.get("/api/v1/orders?customer_email=ana@example.com", &shop.key).await.expect(200),
        json!({"orders": []}),
        "not even the customer was stored"
    );
}

async fn a_refused_update_leaves_the_order_as_it_was(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let created = app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let path = format!("/api/v1/orders/{}", text(&created["id"]));
    for (what, mut body, _, _) in refused_orders() {
        if body.is_object() && body.get("number").is_some_and(|n| n == "BAD-1") {
            body["number"] = json!("A-1");
        }
        let reply = app.post("/api/v1/orders", &shop.key, &body).await;
        assert_eq!(reply.status, 400, "{what}: {}", reply.body);
        assert_eq!(app.get(&path, &shop.key).await.expect(200), created, "{what} changed the order");
    }
    let bytes = serde_json::to_vec(&set(order("A-1", "ana@example.com"), "/lines/0/quantity", json!(5))).unwrap();
    app.raw(Method::POST, "/api/v1/orders", Some(&shop.key), None, bytes.clone()).await.error(
        415,
        "unsupported_media_type",
        None,
    );
    let mut truncated = bytes.clone();
    truncated.truncate(bytes.len() - 1);
    app.raw(Method::POST, "/api/v1/orders", Some(&shop.key), Some("application/json"), truncated).await.error(
        400,
        "invalid_json",
        None,
    );
    assert_eq!(app.get(&path, &shop.key).await.expect(200), created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_json_are_refused() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let valid = serde_json::to_string(&order("RAW-1", "ana@example.com")).unwrap();
    let post = |content_type: Option<&'static str>, body: String| {
        let app = &app;
        let key = shop.key.clone();
        async move { app.raw(Method::POST, "/api/v1/orders", Some(&key), content_type, body).await }
    };

    post(Some("application/json"), r#"{"number": "RAW-1", "#.to_owned()).await.error(400, "invalid_json", None);
    post(Some("application/json"), "number=RAW-1".to_owned()).await.error(400, "invalid_json", None);
    post(Some("application/json"), format!("{valid}}}")).await.error(400, "invalid_json", None);
    post(Some("application/json"), format!("{valid} {valid}")).await.error(400, "invalid_json", None);
    post(Some("application/json"), String::new()).await.error(400, "invalid_json", None);
    post(None, valid.clone()).await.error(415, "unsupported_media_type", None);
    post(Some("text/plain"), valid.clone()).await.error(415, "unsupported_media_type", None);
    post(Some("application/x-www-form-urlencoded"), valid.clone()).await.error(415, "unsupported_media_type", None);
    post(Some("application/jsonx"), valid.clone()).await.error(415, "unsupported_media_type", None);

    // Over 1 MiB: refused before it is parsed, even though it is valid JSON.
    let mut huge = order("RAW-1", "ana@example.com");
    huge["lines"][0]["title"] = json!("m".repeat(1024 * 1024));
    post(Some("application/json"), serde_json::to_string(&huge).unwrap()).await.error(413, "body_too_large", None);

    assert_eq!(
        app.get("/api/v1/orders?number=RAW-1", &shop.key).await.expect(200),
        json!({"orders": []}),
        "none of these created an order"
    );

    // The same body with a proper content type (parameters allowed) is taken.
    let reply = post(Some("Application/JSON; charset=utf-8"), valid).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amended_address_needs_a_real_country_and_its_postal_code_shape() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let order = app.create_order(&shop.key, &set(order("A-77", "ana@example.com"), "/shipments", json!([]))).await;
    let case = app.open_case(&shop.key, &crate::fixtures::case_on_order(&text(&order["id"]), "Wrong street")).await;
    let path = format!("/api/v1/cases/{}/amendments", text(&case["case"]["id"]));
    let body = |country: &str, postal_code: &str| {
        json!({"amendment": {"type": "shipping_address", "address": {"name": "Ana Kowalska",
            "lines": ["ul. Floriańska 12"], "city": "Kraków", "postal_code": postal_code, "country": country}}})
    };
    for (country, postal_code, field) in
        [("ZZ", "31-019", "country"), ("PL", "31019", "postal_code"), ("DE", "1234", "postal_code")]
    {
        let field = format!("amendment.address.{field}");
        app.post(&path, &shop.key, &body(country, postal_code)).await.error(400, "invalid_field", Some(&field));
    }
    let stored = app.get(&format!("/api/v1/orders/{}", text(&order["id"])), &shop.key).await.expect(200);
    assert_eq!(stored["shipping_address"]["city"], "Kraków", "nothing changed");
    let amended = app.post(&path, &shop.key, &body("PL", "31-019")).await.expect(200);
    assert_eq!(amended["order"]["shipping_address"]["postal_code"], "31-019");
}
