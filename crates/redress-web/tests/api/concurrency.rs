//! Concurrent requests: case numbers stay unique and gapless, no change is lost, and an order
//! reported several times at once stays one order with stable ids.

use std::collections::BTreeSet;

use serde_json::json;

use crate::fixtures::{case_on_order, case_without_order, order};
use crate::support::{TestApp, on_both_backends, text};

on_both_backends!(
    fifty_concurrent_openings_get_numbers_one_to_fifty,
    concurrent_changes_to_one_case_are_all_kept,
    concurrent_reports_of_one_order_keep_one_order_and_its_ids,
    disputes_opened_while_the_case_changes_never_fail
);

/// Opening a dispute while a resolution step changes the same case (the fuzzer's find: the
/// dispute's insert held the order and waited for the case, the step held the case and waited
/// for the order, and PostgreSQL broke the deadlock with a 500). Every request gets its answer.
async fn disputes_opened_while_the_case_changes_never_fail(app: &TestApp) {
    let shop = app.create_store("disputed-shop").await;
    let order = app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let payment_id = text(&order["payments"][0]["id"]);
    let case = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Charged wrongly")).await;
    let case_id = text(&case["case"]["id"]);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let client = app.client.clone();
        let key = shop.key.clone();
        let (url, body, idempotency) = if i % 2 == 0 {
            let body = json!({
                "payment_id": payment_id, "provider_reference": format!("dp_{i}"),
                "amount": {"amount_minor": 100, "currency": "EUR"}, "reason": "general",
                "status": "warning_needs_response", "evidence_due_by": "2099-01-01T00:00:00Z"
            });
            (format!("{}/api/v1/cases/{case_id}/disputes", app.base), body, None)
        } else {
            let fault = ["retailer", "carrier", "unknown", "customer"][i % 4];
            let body = json!({"fault": fault, "note": format!("round {i}")});
            (format!("{}/api/v1/cases/{case_id}/fault", app.base), body, Some(format!("fault-{i}")))
        };
        tasks.spawn(async move {
            let mut request = client.post(url).bearer_auth(key).json(&body);
            if let Some(idempotency) = idempotency {
                request = request.header("Idempotency-Key", idempotency);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        });
    }
    while let Some(answer) = tasks.join_next().await {
        let (status, body) = answer.unwrap();
        assert!(status < 500 && !body.contains("changed_meanwhile"), "{status}: {body}");
    }
}

async fn fifty_concurrent_openings_get_numbers_one_to_fifty(app: &TestApp) {
    let shop = app.create_store("busy-shop").await;
    let other = app.create_store("quiet-shop").await;
    let order = app.create_order(&shop.key, &order("A-1", "ana@example.com")).await;
    let order_id = text(&order["id"]);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/cases", app.base);
        let key = shop.key.clone();
        let body = if i % 2 == 0 {
            case_on_order(&order_id, &format!("Concurrent {i}"))
        } else {
            case_without_order(&format!("Concurrent {i}"))
        };
        tasks.spawn(async move {
            let response = client.post(url).bearer_auth(key).json(&body).send().await.unwrap();
            assert_eq!(response.status(), 201);
            response.json::<serde_json::Value>().await.unwrap()
        });
    }
    let mut numbers = Vec::new();
    let mut ids = BTreeSet::new();
    while let Some(view) = tasks.join_next().await {
        let view = view.expect("the request task finished");
        numbers.push(view["case"]["number"].as_u64().unwrap());
        ids.insert(text(&view["case"]["id"]));
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=50).collect::<Vec<u64>>());
    assert_eq!(ids.len(), 50);

    let listed = app.all_cases(&shop.key, "").await;
    assert_eq!(listed.len(), 50);
    let listed_ids: BTreeSet<String> = listed.iter().map(|c| text(&c["id"])).collect();
    assert_eq!(listed_ids, ids);
    // Another store's numbering is its own.
    let view = app.open_case(&other.key, &case_without_order("Calm")).await;
    assert_eq!(view["case"]["number"], 1);
    assert_eq!(app.open_case(&shop.key, &case_without_order("Next")).await["case"]["number"], 51);
}

async fn concurrent_changes_to_one_case_are_all_kept(app: &TestApp) {
    let shop = app.create_store("busy-shop").await;
    let view = app.open_case(&shop.key, &case_without_order("Hot case")).await;
    let case_id = text(&view["case"]["id"]);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/cases/{case_id}/notes", app.base);
        let key = shop.key.clone();
        tasks.spawn(async move {
            let response =
                client.post(url).bearer_auth(key).json(&json!({"body": format!("note {i}")})).send().await.unwrap();
            assert_eq!(response.status(), 201);
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("the request task finished");
    }
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["case"]["version"], 21, "one version per note");
    let notes: BTreeSet<String> = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["event"]["type"] == "note_added")
        .map(|t| text(&t["event"]["body"]))
        .collect();
    assert_eq!(notes, (0..20).map(|i| format!("note {i}")).collect::<BTreeSet<_>>());
    assert_eq!(view["timeline"].as_array().unwrap().len(), 22);
}

/// The shop's systems may report the same order several times at once (webhook retries). It
/// stays one order, created once, and its payment and shipment keep the ids first given to them.
async fn concurrent_reports_of_one_order_keep_one_order_and_its_ids(app: &TestApp) {
    let shop = app.create_store("busy-shop").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = app.client.clone();
        let url = format!("{}/api/v1/orders", app.base);
        let key = shop.key.clone();
        tasks.spawn(async move {
            let body = order("A-1", "ana@example.com");
            let response = client.post(url).bearer_auth(key).json(&body).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<serde_json::Value>().await.unwrap())
        });
    }
    let mut answers = Vec::new();
    while let Some(answer) = tasks.join_next().await {
        answers.push(answer.expect("the request task finished"));
    }
    let created: Vec<_> = answers.iter().filter(|(status, _)| *status == 201).collect();
    assert_eq!(created.len(), 1, "created once: {:?}", answers.iter().map(|a| a.0).collect::<Vec<_>>());
    assert!(answers.iter().all(|(status, _)| *status == 201 || *status == 200));
    let stored = app.get(&format!("/api/v1/orders/{}", text(&created[0].1["id"])), &shop.key).await.expect(200);
    let found = app.get("/api/v1/orders?number=A-1", &shop.key).await.expect(200);
    assert_eq!(found["orders"].as_array().unwrap().len(), 1);
    let ids = |order: &serde_json::Value| {
        (
            text(&order["id"]),
            text(&order["customer_id"]),
            text(&order["payments"][0]["id"]),
            text(&order["shipments"][0]["id"]),
        )
    };
    let first = ids(&created[0].1);
    let differing: Vec<_> =
        answers.iter().map(|(_, order)| ids(order)).chain([ids(&stored)]).filter(|answer| *answer != first).collect();
    assert!(
        differing.is_empty(),
        "(order, customer, payment, shipment) ids first given {first:?}; {} of 21 (20 answers and the order as \
         stored) differ, e.g. {:?}",
        differing.len(),
        &differing[..differing.len().min(2)]
    );
}
