//! Listing cases: filters, newest first, cursor paging, and refused queries.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::fixtures::case_without_order;
use crate::support::{Shop, TestApp, on_both_backends, text};

on_both_backends!(
    filters_by_status_kind_priority_and_assignee,
    refused_queries_name_the_parameter,
    pages_follow_the_cursor_without_gaps_or_duplicates
);

fn numbers(cases: &[Value]) -> Vec<u64> {
    cases.iter().map(|c| c["number"].as_u64().unwrap()).collect()
}

async fn list(app: &TestApp, shop: &Shop, query: &str) -> Value {
    app.get(&format!("/api/v1/cases?{query}"), &shop.key).await.expect(200)
}

async fn list_numbers(app: &TestApp, shop: &Shop, query: &str) -> Vec<u64> {
    let page = list(app, shop, query).await;
    assert!(page["next_cursor"].is_null(), "one page expected for `{query}`");
    numbers(page["cases"].as_array().unwrap())
}

/// Opens a case of the given kind and sentiment and returns its id.
async fn open(app: &TestApp, shop: &Shop, kind: &str, sentiment: &str) -> String {
    let mut body = case_without_order(&format!("A {kind} case"));
    body["kind"] = json!(kind);
    body["sentiment"] = json!(sentiment);
    text(&app.open_case(&shop.key, &body).await["case"]["id"])
}

async fn filters_by_status_kind_priority_and_assignee(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    // #1 other/low new, #2 not_received/high, #3 damaged/urgent, #4 order_status/normal,
    // #5 other/low, #6 damaged/urgent.
    let ids = [
        open(app, &shop, "other", "neutral").await,
        open(app, &shop, "not_received", "neutral").await,
        open(app, &shop, "damaged_in_transit", "negative").await,
        open(app, &shop, "order_status", "neutral").await,
        open(app, &shop, "other", "positive").await,
        open(app, &shop, "damaged_in_transit", "negative").await,
    ];
    let post = |i: usize, what: &str, body: Value| {
        let path = format!("/api/v1/cases/{}/{what}", ids[i]);
        let key = shop.key.clone();
        async move { app.post(&path, &key, &body).await.expect(200) }
    };
    let maria = app.member(&shop, "Maria", "agent").await.id;
    let joao = app.member(&shop, "João", "agent").await.id;
    post(1, "assignee", json!({"assignee": maria})).await; // #2 open
    post(2, "assignee", json!({"assignee": maria})).await; // #3 open
    post(2, "status", json!({"status": "waiting_on_customer"})).await; // #3 waiting
    post(3, "assignee", json!({"assignee": joao})).await; // #4 open
    post(3, "status", json!({"status": "resolved"})).await; // #4 resolved
    post(4, "status", json!({"status": "closed"})).await; // #5 closed
    post(0, "priority", json!({"priority": "urgent"})).await; // #1 urgent

    assert_eq!(list_numbers(app, &shop, "").await, [6, 5, 4, 3, 2, 1], "newest first");
    assert_eq!(list_numbers(app, &shop, "status=new").await, [6, 1]);
    assert_eq!(list_numbers(app, &shop, "status=open").await, [2]);
    assert_eq!(list_numbers(app, &shop, "status=new,open").await, [6, 2, 1]);
    assert_eq!(list_numbers(app, &shop, "status=new%2C%20waiting_on_customer").await, [6, 3, 1]);
    assert_eq!(list_numbers(app, &shop, "status=resolved,closed").await, [5, 4]);
    assert_eq!(list_numbers(app, &shop, "status=waiting_on_third_party").await, Vec::<u64>::new());
    assert_eq!(list_numbers(app, &shop, "status=").await, [6, 5, 4, 3, 2, 1], "an empty filter filters nothing");
    assert_eq!(list_numbers(app, &shop, "kind=damaged_in_transit").await, [6, 3]);
    assert_eq!(list_numbers(app, &shop, "kind=other").await, [5, 1]);
    assert_eq!(list_numbers(app, &shop, "kind=refund_status").await, Vec::<u64>::new());
    assert_eq!(list_numbers(app, &shop, "priority=urgent").await, [6, 3, 1]);
    assert_eq!(list_numbers(app, &shop, "priority=high").await, [2]);
    assert_eq!(list_numbers(app, &shop, "priority=low").await, [5]);
    assert_eq!(list_numbers(app, &shop, &format!("assignee={maria}")).await, [3, 2]);
    assert_eq!(list_numbers(app, &shop, &format!("assignee={joao}")).await, [4]);
    assert_eq!(list_numbers(app, &shop, "assignee=00000000-0000-4000-8000-000000000000").await, Vec::<u64>::new());
    assert_eq!(list_numbers(app, &shop, &format!("assignee={maria}&status=open")).await, [2]);
    assert_eq!(list_numbers(app, &shop, "kind=damaged_in_transit&priority=urgent&status=new").await, [6]);
    let page = list(app, &shop, "status=open").await;
    assert_eq!(page["cases"][0]["assignee"]["name"], "Maria");
    assert_eq!(page["cases"][0]["id"], ids[1].as_str());
}

async fn refused_queries_name_the_parameter(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    open(app, &shop, "other", "neutral").await;
    for (query, code, field) in [
        ("status=teleported", "unknown_value", "status"),
        ("status=new,teleported", "unknown_value", "status"),
        ("status=NEW", "unknown_value", "status"),
        ("kind=lost_parcel", "unknown_value", "kind"),
        ("priority=critical", "unknown_value", "priority"),
        ("assignee=maria", "invalid_field", "assignee"),
        ("limit=0", "invalid_field", "limit"),
        ("limit=201", "invalid_field", "limit"),
        ("limit=-1", "invalid_field", "limit"),
        ("limit=ten", "invalid_field", "limit"),
        ("limit=99999999999", "invalid_field", "limit"),
        ("cursor=garbage", "invalid_field", "cursor"),
        ("cursor=123_not-a-uuid", "invalid_field", "cursor"),
        ("cursor=abc_0190f0a0-0000-7000-8000-000000000000", "invalid_field", "cursor"),
        ("cursor=", "invalid_field", "cursor"),
    ] {
        let reply = app.get(&format!("/api/v1/cases?{query}"), &shop.key).await;
        assert_eq!(reply.status, 400, "{query}: {}", reply.body);
        reply.error(400, code, Some(field));
    }
    app.get("/api/v1/cases?colour=blue", &shop.key).await.error(400, "invalid_field", Some("colour"));
    // A parameter given twice is refused, not half-read (use `status=new,open`).
    app.get("/api/v1/cases?status=new&status=open", &shop.key).await.error(400, "invalid_field", Some("query"));
    // The bounds themselves are allowed.
    for limit in [1, 200] {
        let page = list(app, &shop, &format!("limit={limit}")).await;
        assert_eq!(numbers(page["cases"].as_array().unwrap()), [1]);
    }
}

async fn pages_follow_the_cursor_without_gaps_or_duplicates(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    for i in 0..12 {
        open(app, &shop, if i % 3 == 0 { "missing_item" } else { "other" }, "neutral").await;
    }
    for (limit, pages) in [(1usize, 12usize), (5, 3), (6, 2), (11, 2), (12, 1), (13, 1), (200, 1)] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut count = 0;
        loop {
            let query = match &cursor {
                Some(cursor) => format!("limit={limit}&cursor={cursor}"),
                None => format!("limit={limit}"),
            };
            let page = list(app, &shop, &query).await;
            let cases = page["cases"].as_array().unwrap();
            assert!(cases.len() <= limit);
            count += 1;
            seen.extend(numbers(cases));
            match page["next_cursor"].as_str() {
                Some(next) => {
                    assert_eq!(cases.len(), limit, "only the last page is short");
                    cursor = Some(next.to_owned());
                }
                None => break,
            }
            assert!(count <= 20, "the cursor keeps going");
        }
        assert_eq!(seen, (1..=12).rev().collect::<Vec<u64>>(), "limit {limit}");
        assert_eq!(count, pages, "pages at limit {limit}");
    }

    // With a filter: #10, #7, #4, #1 are missing_item.
    let first = list(app, &shop, "kind=missing_item&limit=3").await;
    assert_eq!(numbers(first["cases"].as_array().unwrap()), [10, 7, 4]);
    let cursor = text(&first["next_cursor"]);
    let second = list(app, &shop, &format!("kind=missing_item&limit=3&cursor={cursor}")).await;
    assert_eq!(numbers(second["cases"].as_array().unwrap()), [1]);
    assert!(second["next_cursor"].is_null());

    // A case opened while paging shows on a fresh first page, never on later pages.
    let first = list(app, &shop, "limit=4").await;
    open(app, &shop, "other", "neutral").await;
    let mut seen: Vec<u64> = numbers(first["cases"].as_array().unwrap());
    let mut cursor = first["next_cursor"].as_str().map(str::to_owned);
    while let Some(c) = cursor {
        let page = list(app, &shop, &format!("limit=4&cursor={c}")).await;
        seen.extend(numbers(page["cases"].as_array().unwrap()));
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, (1..=12).rev().collect::<Vec<u64>>());
    let unique: BTreeSet<u64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len());
    assert_eq!(numbers(list(app, &shop, "limit=1").await["cases"].as_array().unwrap()), [13]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_cases_lists_nothing() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let page = list(&app, &shop, "").await;
    assert_eq!(page["cases"], json!([]));
    assert!(page["next_cursor"].is_null());
}
