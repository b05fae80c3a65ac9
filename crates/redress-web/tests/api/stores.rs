//! Setting up stores and their API keys (admin only).

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{remove, set};
use crate::support::{ADMIN_KEY, TestApp, on_both_backends, text};

on_both_backends!(
    creating_a_store_returns_a_working_key,
    a_taken_slug_is_a_conflict,
    more_api_keys_for_a_store,
    a_store_set_up_without_an_admin_gets_one_from_the_operator
);

async fn a_store_set_up_without_an_admin_gets_one_from_the_operator(app: &TestApp) {
    let created = app.post("/api/v1/stores", ADMIN_KEY, &store_body("north-wind")).await.expect(201);
    assert!(created.get("admin_key").is_none(), "no admin was named: {created}");
    let store_key = text(&created["api_key"]["secret"]);
    let path = format!("/api/v1/stores/{}/admins", text(&created["store"]["id"]));
    let olga =
        json!({"email": "olga@north.example", "name": "Olga", "role": "agent", "password": "first admin password"});
    // Only the operator: the store's integration key cannot make itself an admin.
    app.post(&path, &store_key, &olga).await.error(401, "unauthorized", None);
    let added = app.post(&path, ADMIN_KEY, &olga).await.expect(201);
    assert_eq!(added["agent"]["role"], "owner", "whatever role was asked, they are the admin");
    let admin_key = text(&added["api_key"]["secret"]);
    let team = app.get("/api/v1/agents", &admin_key).await.expect(200);
    assert_eq!(team["agents"][0]["name"], "Olga");
    app.post(&path, ADMIN_KEY, &olga).await.error(409, "member_exists", None);
    let bad = set(olga.clone(), "/password", json!("short"));
    app.post(&path, ADMIN_KEY, &bad).await.error(400, "invalid_field", Some("password"));
    let nowhere = format!("/api/v1/stores/{}/admins", uuid::Uuid::now_v7());
    app.post(&nowhere, ADMIN_KEY, &set(olga, "/email", json!("x@north.example"))).await.error(404, "not_found", None);
}

fn store_body(slug: &str) -> Value {
    json!({"slug": slug, "name": "  Północ Wind  ", "default_currency": "PLN", "default_language": "pt-br"})
}

async fn stores(app: &TestApp) -> Value {
    app.get("/api/v1/stores", ADMIN_KEY).await.expect(200)
}

async fn creating_a_store_returns_a_working_key(app: &TestApp) {
    assert_eq!(stores(app).await, json!([]));
    let created = app.post("/api/v1/stores", ADMIN_KEY, &store_body("north-wind")).await.expect(201);
    let store = &created["store"];
    assert_eq!(store["slug"], "north-wind");
    assert_eq!(store["name"], "Północ Wind", "the name is trimmed");
    assert_eq!(store["default_currency"], "PLN");
    assert_eq!(store["default_language"], "pt-BR", "the language tag is normalised");
    assert!(store["id"].as_str().is_some_and(|id| id.parse::<uuid::Uuid>().is_ok()));
    assert!(store["created_at"].is_string());
    let key = &created["api_key"];
    assert_eq!(key["label"], "default");
    let secret = text(&key["secret"]);
    assert!(
        secret.starts_with("rk_") && secret.len() == 43 && secret[3..].bytes().all(|b| b.is_ascii_hexdigit()),
        "secret `{secret}`"
    );
    assert!(key["id"].as_str().is_some_and(|id| id.parse::<uuid::Uuid>().is_ok()));

    let current = app.get("/api/v1/store", &secret).await.expect(200);
    assert_eq!(&current, store, "the key acts for the store it was made with");
    assert_eq!(stores(app).await, json!([store]));

    // A second store gets its own key, which names the second store.
    let other = app.post("/api/v1/stores", ADMIN_KEY, &store_body("south-wind")).await.expect(201);
    assert_ne!(other["api_key"]["secret"], key["secret"]);
    let current = app.get("/api/v1/store", &text(&other["api_key"]["secret"])).await.expect(200);
    assert_eq!(current["slug"], "south-wind");
    assert_eq!(stores(app).await.as_array().unwrap().len(), 2);
}

async fn a_taken_slug_is_a_conflict(app: &TestApp) {
    app.post("/api/v1/stores", ADMIN_KEY, &store_body("north-wind")).await.expect(201);
    let before = stores(app).await;
    let again = set(store_body("north-wind"), "/name", json!("Someone else"));
    app.post("/api/v1/stores", ADMIN_KEY, &again).await.error(409, "slug_taken", None);
    assert_eq!(stores(app).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_store_fields_are_named() {
    let app = TestApp::sqlite().await;
    let refused: Vec<(Value, u16, &str, Option<&str>)> = vec![
        (set(store_body("x"), "/slug", json!("Bad Slug")), 400, "invalid_field", Some("slug")),
        (set(store_body("x"), "/slug", json!("a")), 400, "invalid_field", Some("slug")),
        (set(store_body("x"), "/slug", json!("-dash")), 400, "invalid_field", Some("slug")),
        (set(store_body("x"), "/slug", json!("x".repeat(41))), 400, "invalid_field", Some("slug")),
        (set(store_body("ok-slug"), "/name", json!("   ")), 400, "invalid_field", Some("name")),
        (set(store_body("ok-slug"), "/name", json!("n".repeat(201))), 400, "invalid_field", Some("name")),
        (
            set(store_body("ok-slug"), "/default_currency", json!("EURO")),
            400,
            "invalid_field",
            Some("default_currency"),
        ),
        (set(store_body("ok-slug"), "/default_currency", json!("eur")), 400, "invalid_field", Some("default_currency")),
        (
            set(store_body("ok-slug"), "/default_language", json!("english")),
            400,
            "invalid_field",
            Some("default_language"),
        ),
        (set(store_body("ok-slug"), "/default_language", json!("e")), 400, "invalid_field", Some("default_language")),
        (remove(store_body("ok-slug"), "/slug"), 400, "missing_field", Some("slug")),
        (remove(store_body("ok-slug"), "/name"), 400, "missing_field", Some("name")),
        (remove(store_body("ok-slug"), "/default_currency"), 400, "missing_field", Some("default_currency")),
        (remove(store_body("ok-slug"), "/default_language"), 400, "missing_field", Some("default_language")),
        (set(store_body("ok-slug"), "/name", json!(42)), 400, "invalid_field", Some("name")),
        (json!(["north-wind"]), 400, "invalid_field", None),
    ];
    for (body, status, code, field) in refused {
        let reply = app.post("/api/v1/stores", ADMIN_KEY, &body).await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        reply.error(status, code, field);
    }
    // An unknown field is refused, not ignored.
    let mut extra = store_body("ok-slug");
    extra["colour"] = json!("blue");
    let reply = app.post("/api/v1/stores", ADMIN_KEY, &extra).await;
    reply.error(400, "invalid_field", Some("colour"));
    assert!(reply.body["error"]["message"].as_str().unwrap().contains("colour"), "{}", reply.body);
    assert_eq!(stores(&app).await, json!([]), "no store was created");
}

async fn more_api_keys_for_a_store(app: &TestApp) {
    let created = app.post("/api/v1/stores", ADMIN_KEY, &store_body("north-wind")).await.expect(201);
    let store_id = text(&created["store"]["id"]);
    let first = text(&created["api_key"]["secret"]);
    let path = format!("/api/v1/stores/{store_id}/api-keys");
    let key = app.post(&path, ADMIN_KEY, &json!({"label": "  agent maria "})).await.expect(201);
    assert_eq!(key["label"], "agent maria");
    let second = text(&key["secret"]);
    assert_ne!(second, first);
    assert_ne!(key["id"], created["api_key"]["id"]);
    for secret in [&first, &second] {
        let current = app.get("/api/v1/store", secret).await.expect(200);
        assert_eq!(current["id"], store_id.as_str());
    }

    // The key's label is who did what it does.
    let order = app.create_order(&second, &crate::fixtures::order("A-1", "ana@example.com")).await;
    let mut case = crate::fixtures::case_on_order(&text(&order["id"]), "Phoned in");
    case["channel"] = json!("phone");
    let view = app.open_case(&second, &case).await;
    assert_eq!(view["timeline"][0]["actor"], json!({"type": "integration", "name": "agent maria"}));

    // Refused: bad labels, unknown and malformed store ids.
    for (body, code, field) in [
        (json!({"label": ""}), "invalid_field", "label"),
        (json!({"label": "   "}), "invalid_field", "label"),
        (json!({"label": "l".repeat(101)}), "invalid_field", "label"),
        (json!({}), "missing_field", "label"),
        (json!({"label": 7}), "invalid_field", "label"),
    ] {
        app.post(&path, ADMIN_KEY, &body).await.error(400, code, Some(field));
    }
    for id in [uuid::Uuid::now_v7().to_string(), "not-a-store".to_owned(), "1".to_owned()] {
        app.post(&format!("/api/v1/stores/{id}/api-keys"), ADMIN_KEY, &json!({"label": "x"})).await.error(
            404,
            "not_found",
            None,
        );
    }
    let reply = app.raw(Method::POST, &path, Some(ADMIN_KEY), None, r#"{"label": "no content type"}"#).await;
    reply.error(415, "unsupported_media_type", None);
    assert_eq!(stores(app).await.as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_inclusive_and_count_characters() {
    let app = TestApp::sqlite().await;
    let slug = format!("a{}", "-0".repeat(19) + "z");
    assert_eq!(slug.len(), 40);
    let name = "ż".repeat(200);
    let created = app
        .post(
            "/api/v1/stores",
            ADMIN_KEY,
            &json!({"slug": slug, "name": name, "default_currency": "JPY", "default_language": "zh-hant-TW"}),
        )
        .await
        .expect(201);
    assert_eq!(created["store"]["name"], name.as_str());
    assert_eq!(created["store"]["default_language"], "zh-hant-TW");
    let label = "ł".repeat(100);
    let key = app
        .post(
            &format!("/api/v1/stores/{}/api-keys", text(&created["store"]["id"])),
            ADMIN_KEY,
            &json!({"label": label}),
        )
        .await
        .expect(201);
    assert_eq!(key["label"], label.as_str());
}
