//! The main happy path, end to end, on every backend: a shop is set up, reports an order,
//! a customer complains, an agent works the case to the end, the customer comes back.

use serde_json::{Value, json};

use crate::fixtures::order;
use crate::support::{ADMIN_KEY, FIRST_ADMIN_PASSWORD, TestApp, on_both_backends, text};

on_both_backends!(a_case_from_complaint_to_close);

fn event_types(view: &Value) -> Vec<String> {
    view["timeline"].as_array().unwrap().iter().map(|item| text(&item["event"]["type"])).collect()
}

async fn a_case_from_complaint_to_close(app: &TestApp) {
    assert_eq!(app.call(reqwest::Method::GET, "/healthz", None, None).await.expect(200)["status"], "ok");

    // The deployment's admin sets up the shop and a key for its helpdesk.
    let created = app
        .post(
            "/api/v1/stores",
            ADMIN_KEY,
            &json!({"slug": "toko-kopi", "name": "Toko Kopi", "default_currency": "IDR", "default_language": "id",
                    "admin": {"email": "dewi@tokokopi.example", "name": "Dewi", "role": "admin",
                              "password": FIRST_ADMIN_PASSWORD}}),
        )
        .await
        .expect(201);
    let store_id = text(&created["store"]["id"]);
    let sync_key = text(&created["api_key"]["secret"]);
    let admin_key = text(&created["admin_key"]["secret"]);
    let helpdesk = app
        .post(&format!("/api/v1/stores/{store_id}/api-keys"), ADMIN_KEY, &json!({"label": "helpdesk"}))
        .await
        .expect(201);
    assert_eq!(helpdesk["kind"], "integration");
    assert_eq!(app.get("/api/v1/stores", ADMIN_KEY).await.expect(200).as_array().unwrap().len(), 1);

    // The admin adds Sari to the team, with a personal key for the shop's desk tool.
    let sari = app
        .post(
            "/api/v1/agents",
            &admin_key,
            &json!({"email": "sari@tokokopi.example", "name": "Sari", "role": "agent", "password": FIRST_ADMIN_PASSWORD}),
        )
        .await
        .expect(201);
    let sari_id = text(&sari["id"]);
    let desk = app
        .post(
            "/api/v1/store/api-keys",
            &admin_key,
            &json!({"label": "Sari's desk", "kind": "personal", "agent_id": sari_id}),
        )
        .await
        .expect(201);
    let desk_key = text(&desk["secret"]);

    // The shop's systems report an order, then its delivery.
    let mut body = order("INV/2026/11/0042", "budi@example.co.id");
    body["currency"] = json!("IDR");
    body["customer"] = json!({"email": "budi@example.co.id", "name": "Budi Santoso", "language": "id"});
    for line in body["lines"].as_array_mut().unwrap() {
        line["unit_price"]["currency"] = json!("IDR");
    }
    for field in ["authorized", "captured"] {
        body["payments"][0][field]["currency"] = json!("IDR");
    }
    body["payments"][0]["method"] = json!("qris");
    body["shipping_address"] = json!({"name": "Budi Santoso", "lines": ["Jl. Sudirman 1"], "city": "Jakarta",
        "postal_code": "10220", "region": "DKI Jakarta", "country": "ID"});
    let order = app.create_order(&sync_key, &body).await;
    let order_id = text(&order["id"]);
    body["shipments"][0]["status"] = json!("delivered");
    body["shipments"][0]["status_times"]["delivered"] = json!("2026-11-21T11:00:00Z");
    let delivered = app.post("/api/v1/orders", &sync_key, &body).await.expect(200);
    assert_eq!(delivered["id"], order["id"]);
    assert_eq!(delivered["shipments"][0]["status"], "delivered");
    assert_eq!(app.get(&format!("/api/v1/orders/{order_id}"), &desk_key).await.expect(200), delivered);
    let found = app.get("/api/v1/orders?customer_email=budi@example.co.id", &desk_key).await.expect(200);
    assert_eq!(found["orders"], json!([delivered]));
    let found = app.get("/api/v1/orders?number=INV/2026/11/0042", &desk_key).await.expect(200);
    assert_eq!(found["orders"], json!([delivered]));

    // The customer writes in; the case is opened on the order by its number.
    let view = app
        .open_case(
            &desk_key,
            &json!({
                "order_number": "INV/2026/11/0042",
                "subject": "Cangkir pecah",
                "channel": "email",
                "kind": "damaged_in_transit",
                "message": {"body": "Cangkirnya pecah waktu sampai.", "attachments": [
                    {"filename": "foto.jpg", "content_type": "image/jpeg", "size_bytes": 204800}]}
            }),
        )
        .await;
    let case = &view["case"];
    let case_id = text(&case["id"]);
    assert_eq!(case["number"], 1);
    assert_eq!(case["status"], "new");
    assert_eq!(case["order_id"], order["id"]);
    assert_eq!(case["customer_email"], "budi@example.co.id");
    assert_eq!(case["language"], "id");
    assert_eq!(case["priority"], "high", "a loss");
    assert_eq!(event_types(&view), ["opened", "message_added"]);
    let listed = app.get("/api/v1/cases?status=new", &desk_key).await.expect(200);
    assert_eq!(listed["cases"], json!([case]));

    // An agent takes it, answers, and waits for photos of the box.
    let case_path = format!("/api/v1/cases/{case_id}");
    let assigned =
        app.post(&format!("{case_path}/assignee"), &desk_key, &json!({"assignee": sari_id})).await.expect(200);
    assert_eq!(assigned["status"], "open");
    let answered = app
        .post(
            &format!("{case_path}/messages"),
            &desk_key,
            &json!({"direction": "outbound", "body": "Maaf! Boleh kirim foto kardusnya?"}),
        )
        .await
        .expect(201);
    assert_eq!(answered["case"]["status"], "open");
    app.post(&format!("{case_path}/status"), &desk_key, &json!({"status": "waiting_on_customer"})).await.expect(200);
    assert_eq!(
        app.get(&format!("/api/v1/cases?assignee={sari_id}&status=waiting_on_customer"), &desk_key)
            .await
            .expect(200)["cases"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The customer answers: the case is back in front of the agent.
    let back = app
        .post(
            &format!("{case_path}/messages"),
            &sync_key,
            &json!({"direction": "inbound", "body": "Ini fotonya.", "channel": "chat"}),
        )
        .await
        .expect(201);
    assert_eq!(back["case"]["status"], "open");
    assert_eq!(back["message"]["author"], json!({"type": "customer", "handle": "budi@example.co.id"}));

    // A note, a priority bump, resolved, closed.
    app.post(&format!("{case_path}/notes"), &desk_key, &json!({"body": "Kirim ulang disetujui."})).await.expect(201);
    app.post(&format!("{case_path}/priority"), &desk_key, &json!({"priority": "urgent"})).await.expect(200);
    app.post(&format!("{case_path}/status"), &desk_key, &json!({"status": "resolved"})).await.expect(200);
    let closed = app.post(&format!("{case_path}/status"), &desk_key, &json!({"status": "closed"})).await.expect(200);
    assert_eq!(closed["status"], "closed");

    // A closed case refuses messages; the agent reopens it and the customer can write again.
    let before = app.case_view(&desk_key, &case_id).await;
    app.post(&format!("{case_path}/messages"), &sync_key, &json!({"direction": "inbound", "body": "Halo?"}))
        .await
        .error(409, "case_closed", None);
    assert_eq!(app.case_view(&desk_key, &case_id).await, before);
    app.post(&format!("{case_path}/status"), &desk_key, &json!({"status": "open"})).await.expect(200);
    app.post(&format!("{case_path}/messages"), &sync_key, &json!({"direction": "inbound", "body": "Halo?"}))
        .await
        .expect(201);

    let view = app.case_view(&desk_key, &case_id).await;
    assert_eq!(
        event_types(&view),
        [
            "opened",
            "message_added",
            "assigned",
            "status_changed",
            "message_added",
            "status_changed",
            "message_added",
            "status_changed",
            "note_added",
            "priority_changed",
            "status_changed",
            "status_changed",
            "reopened",
            "status_changed",
            "message_added",
        ]
    );
    let case = &view["case"];
    assert_eq!(case["status"], "open");
    assert_eq!(case["assignee"], json!({"agent_id": sari_id, "name": "Sari"}));
    assert_eq!(view["messages"][1]["author"], json!({"type": "agent", "name": "Sari"}));
    assert_eq!(case["priority"], "urgent");
    assert_eq!(case["version"], 11, "one version per accepted change");
    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 4);
    assert_eq!(
        messages.iter().map(|m| text(&m["direction"])).collect::<Vec<_>>(),
        ["inbound", "outbound", "inbound", "inbound"]
    );
    let seqs: Vec<i64> = view["timeline"].as_array().unwrap().iter().map(|t| t["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let all = app.all_cases(&sync_key, "").await;
    assert_eq!(all, vec![case.clone()]);
}
