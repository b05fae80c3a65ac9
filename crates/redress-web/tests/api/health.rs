//! Liveness, metrics, and what the server answers for what it does not serve.

use reqwest::Method;

use crate::support::{METRICS_TOKEN, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_ok_without_a_key() {
    let app = TestApp::sqlite().await;
    let reply = app.call(Method::GET, "/healthz", None, None).await;
    assert!(reply.content_type.as_deref().is_some_and(|t| t.starts_with("application/json")));
    assert_eq!(reply.expect(200), serde_json::json!({"status": "ok"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_ok_while_the_database_answers() {
    let app = TestApp::sqlite().await;
    let reply = app.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(reply.expect(200), serde_json::json!({"status": "ok"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_says_not_ready_once_a_background_worker_stopped() {
    let (sender, ended) = std::sync::mpsc::channel();
    let app = TestApp::sqlite_with(move |app| {
        let worker = tokio::spawn(async {});
        app.workers().watch("retention", worker.abort_handle());
        sender.send(worker).unwrap();
        app
    })
    .await;
    ended.recv().unwrap().await.unwrap();
    let reply = app.call(Method::GET, "/readyz", None, None).await;
    reply.error(503, "unavailable", None);
    assert!(reply.body["error"]["message"].as_str().unwrap().contains("retention"), "{}", reply.body);
    assert_eq!(app.call(Method::GET, "/healthz", None, None).await.status, 200, "alive, not ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_are_json_404s() {
    let app = TestApp::sqlite().await;
    for (method, path) in [
        (Method::GET, "/nope"),
        (Method::GET, "/api/v1"),
        (Method::GET, "/api/v1/nope"),
        (Method::GET, "/api/v2/cases"),
        (Method::POST, "/api/v1/case"),
        (Method::GET, "/api/v1/cases/0190f0a0-0000-7000-8000-000000000000/nope"),
        (Method::GET, "/api/v1/cases/"),
        (Method::GET, "/healthz/"),
        (Method::DELETE, "/does/not/exist"),
    ] {
        let reply = app.call(method.clone(), path, None, None).await;
        assert_eq!(reply.status, 404, "{method} {path}");
        reply.error(404, "not_found", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_are_json_405s_that_say_what_is_allowed() {
    let app = TestApp::sqlite().await;
    let case = "/api/v1/cases/0190f0a0-0000-7000-8000-000000000000";
    for (method, path, allowed) in [
        (Method::POST, "/healthz".to_owned(), "GET"),
        (Method::PUT, "/api/v1/stores".to_owned(), "GET,POST"),
        (Method::DELETE, "/api/v1/orders".to_owned(), "GET,POST"),
        (Method::PATCH, "/api/v1/cases".to_owned(), "GET,POST"),
        (Method::DELETE, case.to_owned(), "GET"),
        (Method::GET, format!("{case}/status"), "POST"),
        (Method::PUT, format!("{case}/assignee"), "POST"),
        (Method::GET, "/api/v1/stores/x/api-keys".to_owned(), "POST"),
        (Method::POST, "/api/v1/store".to_owned(), "GET"),
        (Method::POST, "/api/v1/openapi.json".to_owned(), "GET"),
    ] {
        let reply = app.call(method.clone(), &path, Some(crate::support::ADMIN_KEY), None).await;
        assert_eq!(reply.status, 405, "{method} {path}: {}", reply.body);
        reply.error(405, "method_not_allowed", None);
        let allow = reply
            .headers
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{method} {path}: a 405 says what is allowed"));
        let mut listed: Vec<&str> = allow.split(',').map(str::trim).filter(|m| *m != "HEAD").collect();
        listed.sort_unstable();
        assert_eq!(listed.join(","), allowed, "{method} {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_requests_by_route_for_the_token_holder_only() {
    let app = TestApp::sqlite().await;
    app.call(Method::GET, "/healthz", None, None).await.expect(200);
    app.call(Method::GET, "/healthz", None, None).await.expect(200);
    app.call(Method::GET, "/api/v1/cases/0190f0a0-0000-7000-8000-000000000000", None, None).await;
    let scrape = |token: Option<&str>| {
        let mut request = app.client.get(format!("{}/metrics", app.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(scrape(None).await.unwrap().status(), 401);
    assert_eq!(scrape(Some("not-the-token")).await.unwrap().status(), 401);
    let answer = scrape(Some(METRICS_TOKEN)).await.unwrap();
    assert_eq!(answer.status(), 200);
    let text = answer.text().await.unwrap();
    assert!(text.contains(r#"redress_http_requests_total{route="/healthz",method="GET",status="200"} 2"#), "{text}");
    // Ids in paths do not make a series each: the route's template names it.
    assert!(text.contains(r#"route="/api/v1/cases/{case_id}",method="GET",status="401""#), "{text}");
    assert!(text.contains("redress_http_request_duration_seconds_bucket{"), "{text}");
    assert!(text.contains("redress_http_requests_in_flight"), "{text}");
    // The background queues are counted from the database at each scrape.
    let shop = app.create_store("metrics").await;
    let order = app.create_order(&shop.key, &crate::fixtures::order("M-1", "ana@example.com")).await;
    let case = app
        .open_case(
            &shop.key,
            &serde_json::json!({"order_id": order["id"], "subject": "Charged", "channel": "email", "kind": "wrong_charge",
                                "message": {"body": "refund please"}}),
        )
        .await;
    let refund = serde_json::json!({"payment_id": order["payments"][0]["id"], "method": "original_payment",
        "reason": "duplicate_charge", "amount": {"amount_minor": 100, "currency": "EUR"}});
    let flagged = serde_json::json!({"payment_id": order["payments"][0]["id"], "method": "original_payment",
        "reason": "duplicate_charge", "amount": {"amount_minor": 100, "currency": "EUR"}, "customer_flagged": true});
    app.post(&format!("/api/v1/cases/{}/refunds", case["case"]["id"].as_str().unwrap()), &shop.key, &refund)
        .await
        .expect(201);
    app.post(&format!("/api/v1/cases/{}/refunds", case["case"]["id"].as_str().unwrap()), &shop.key, &flagged)
        .await
        .expect(201);
    // Live rows only: the refund waiting for a second person counts, the one paid does not.
    let text = scrape(Some(METRICS_TOKEN)).await.unwrap().text().await.unwrap();
    assert!(text.contains(r#"redress_queue_rows{queue="refunds",status="awaiting_approval"} 1"#), "{text}");
    assert!(text.contains(r#"redress_queue_oldest_age_seconds{queue="refunds",status="awaiting_approval"}"#), "{text}");
    assert!(!text.contains(r#"status="succeeded""#), "{text}");
    // The database connections of this server, from its pool.
    assert!(text.contains(r#"redress_db_pool_connections{pool="#) && text.contains(r#"state="idle"}"#), "{text}");
}
