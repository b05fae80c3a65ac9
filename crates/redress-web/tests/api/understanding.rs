//! Message understanding: a case the caller did not classify arrives classified, with the
//! reading on its timeline; agents correct it and the corrections export as training data.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, on_both_backends, text};

on_both_backends!(unclassified_cases_arrive_classified_and_corrections_become_feedback);

fn polish_damage() -> Value {
    json!({
        "customer_email": "kasia@example.pl",
        "subject": "Zamówienie 1042",
        "channel": "email",
        "message": {"body": "Dzień dobry, wazon przyszedł rozbity, karton był zgnieciony. Proszę o zwrot pieniędzy albo nowy wazon."}
    })
}

async fn unclassified_cases_arrive_classified_and_corrections_become_feedback(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    let view = app.open_case(&shop.key, &polish_damage()).await;
    let case = &view["case"];
    assert_eq!(case["language"], "pl", "detected: the store's default is en");
    assert_eq!(case["kind"], "damaged_in_transit");
    assert_eq!(case["needs_triage"], false);
    assert!(["high", "urgent"].contains(&case["priority"].as_str().unwrap()), "a loss: {}", case["priority"]);
    let understood = view["timeline"].as_array().unwrap().iter().find(|e| e["event"]["type"] == "understood").unwrap();
    assert_eq!(understood["actor"], json!({"type": "system"}));
    assert_eq!(understood["event"]["kind"], "damaged_in_transit");
    assert!(understood["event"]["confidence_pct"].as_u64().unwrap() >= 50);

    // Escalation words raise the case and are recorded with their triggers.
    let angry = json!({
        "customer_email": "budi@example.co.id", "subject": "Paket hilang", "channel": "chat",
        "message": {"body": "Paket saya belum sampai sudah 3 minggu! Kalau tidak ada refund saya akan lapor ke bank untuk chargeback."}
    });
    let view = app.open_case(&shop.key, &angry).await;
    assert_eq!(view["case"]["language"], "id");
    assert!(view["case"]["escalation"].as_array().unwrap().contains(&json!("chargeback")), "{}", view["case"]);
    assert_eq!(view["case"]["priority"], "urgent");

    // A language Redress does not answer in is recognised, not taken: the case speaks the
    // store's language.
    let german = json!({
        "customer_email": "jonas@example.de", "subject": "Bestellung", "channel": "email",
        "message": {"body": "Hallo, meine Bestellung ist immer noch nicht angekommen. Können Sie bitte nachsehen, wo das Paket ist?"}
    });
    let view = app.open_case(&shop.key, &german).await;
    assert_eq!(view["case"]["language"], "en", "the store's default: {}", view["case"]);

    // Nonsense is not guessed at: it waits for a person.
    let junk =
        json!({"customer_email": "x@example.com", "subject": "???", "channel": "chat", "message": {"body": "🙂🙂🙂"}});
    let view = app.open_case(&shop.key, &junk).await;
    assert_eq!(view["case"]["kind"], "other");
    assert_eq!(view["case"]["needs_triage"], true);
    let junk_id = text(&view["case"]["id"]);

    // An agent corrects the junk case; the correction is feedback, the refused one is not.
    let path = format!("/api/v1/cases/{junk_id}/classification");
    app.post(&path, &shop.key, &json!({"kind": "teleport"})).await.error(400, "unknown_value", Some("kind"));
    app.post(&path, &shop.key, &json!({"language": "klingon"})).await.error(400, "invalid_field", Some("language"));
    let corrected = app.post(&path, &shop.key, &json!({"kind": "other", "sentiment": "positive"})).await.expect(200);
    assert_eq!(corrected["needs_triage"], false);
    assert_eq!(corrected["sentiment"], "positive");
    app.post(&path, &shop.key, &json!({"kind": "other"})).await.error(409, "no_change", None);
    let feedback = app.get("/api/v1/feedback/classifications", &shop.key).await.expect(200);
    let examples = feedback["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 1);
    assert_eq!(examples[0]["kind"], "other");
    assert_eq!(examples[0]["sentiment"], "positive");
    assert_eq!(examples[0]["text"], "???\n🙂🙂🙂");

    // Another store sees none of it.
    let other = app.create_store("south-wind").await;
    assert_eq!(app.get("/api/v1/feedback/classifications", &other.key).await.expect(200)["examples"], json!([]));
    app.post(&path, &other.key, &json!({"kind": "other"})).await.error(404, "not_found", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_message_is_understood_on_request() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let analysis = app
        .post(
            "/api/v1/understand",
            &shop.key,
            &json!({"text": "Fui cobrado duas vezes no pedido #10482, R$ 149,90 cada"}),
        )
        .await
        .expect(200);
    assert_eq!(analysis["language"]["tag"], "pt");
    assert_eq!(analysis["kind"], "wrong_charge");
    assert!(analysis["entities"].as_array().unwrap().iter().any(|e| e["kind"] == "order_number"), "{analysis}");
    app.post("/api/v1/understand", &shop.key, &json!({"text": "hi", "lang": "english please"})).await.error(
        400,
        "invalid_field",
        Some("lang"),
    );
    app.post("/api/v1/understand", &shop.key, &json!({})).await.error(400, "missing_field", Some("text"));
    app.call(Method::POST, "/api/v1/understand", None, Some(&json!({"text": "hi"}))).await.error(
        401,
        "unauthorized",
        None,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_search_tolerates_typos_and_replies_are_drafted_in_the_customer_language() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let found =
        app.get("/api/v1/help/search?q=kiedy%20dostane%20zwrot%20pieniedzy&lang=pl", &shop.key).await.expect(200);
    let first = &found["results"][0];
    assert_eq!(first["language"], "pl", "{found}");
    assert!(first["score"].as_f64().unwrap() > 0.0);
    let typo = app.get("/api/v1/help/search?q=how%20do%20i%20retrun%20an%20itme&lang=en", &shop.key).await.expect(200);
    assert!(!typo["results"].as_array().unwrap().is_empty(), "{typo}");
    let nothing =
        app.get("/api/v1/help/search?q=what%27s%20the%20weather%20in%20paris&lang=en", &shop.key).await.expect(200);
    assert_eq!(nothing["results"], json!([]));
    app.get("/api/v1/help/search?q=&lang=en", &shop.key).await.error(400, "invalid_field", Some("q"));
    app.get("/api/v1/help/search?q=x&limit=0", &shop.key).await.error(400, "invalid_field", Some("limit"));

    let view = app.open_case(&shop.key, &polish_damage()).await;
    let case_id = text(&view["case"]["id"]);
    let draft = app.get(&format!("/api/v1/cases/{case_id}/suggested-reply"), &shop.key).await.expect(200);
    assert_eq!(draft["language"], "pl");
    assert!(draft["body"].as_str().unwrap().contains("north-wind") || !draft["body"].as_str().unwrap().is_empty());
    app.get("/api/v1/cases/not-a-case/suggested-reply", &shop.key).await.error(404, "not_found", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn questions_the_policy_lists_are_answered_at_once_and_others_wait() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let order = app.create_order(&shop.key, &crate::fixtures::order("A-1001", "ana@example.com")).await;
    let question = json!({
        "order_id": text(&order["id"]), "subject": "¿Dónde está mi pedido?", "channel": "email",
        "message": {"body": "Hola, hice el pedido A-1001 hace una semana y todavía no llega. ¿Dónde está mi pedido? ¿Tienen el número de seguimiento?"}
    });
    let view = app.open_case(&shop.key, &question).await;
    assert_eq!(view["case"]["kind"], "order_status", "{}", view["case"]);
    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "the default policy answers where-is-my-order questions: {view}");
    assert_eq!(messages[1]["direction"], "outbound");
    assert_eq!(messages[1]["author"], json!({"type": "system"}));
    assert!(messages[1]["body"].as_str().unwrap().contains("A-1001"), "filled with the order: {}", messages[1]["body"]);
    assert_eq!(view["case"]["status"], "open", "an answered case is no longer new");
    let stored = app.case_view(&shop.key, &text(&view["case"]["id"])).await;
    assert_eq!(stored["messages"].as_array().unwrap().len(), 2, "the answer is stored, not only returned");

    // Money and goods wait for a person, and so does a case whose kind the caller set.
    let view = app.open_case(&shop.key, &polish_damage()).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 1);
    let mut classified = question.clone();
    classified["kind"] = json!("order_status");
    assert_eq!(app.open_case(&shop.key, &classified).await["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_writes_its_own_help_articles_and_only_its_customers_find_them() {
    let app = TestApp::sqlite().await;
    let north = app.create_store("north-wind").await;
    let south = app.create_store("south-wind").await;
    let question = "/api/v1/help/search?q=pakowanie%20prezentu&lang=pl";
    let article = json!({"language": "pl", "title": "Pakowanie na prezent", "body": "Zapakujemy zamówienie na prezent za 10 zł; zaznacz to przy zamówieniu.", "tags": ["prezent", "pakowanie"]});
    let saved =
        app.call(Method::PUT, "/api/v1/help/articles/gift-wrap", Some(&north.admin), Some(&article)).await.expect(200);
    assert_eq!(saved["id"], "gift-wrap");
    let found = app.get(question, &north.key).await.expect(200);
    assert_eq!(found["results"][0]["id"], "gift-wrap", "{found}");
    let elsewhere = app.get(question, &south.key).await.expect(200);
    assert!(elsewhere["results"].as_array().unwrap().iter().all(|r| r["id"] != "gift-wrap"), "{elsewhere}");
    assert_eq!(app.get("/api/v1/help/articles", &north.key).await.expect(200)["articles"].as_array().unwrap().len(), 1);
    assert_eq!(app.get("/api/v1/help/articles", &south.key).await.expect(200)["articles"], json!([]));

    // Bad input names the field and stores nothing.
    let bad = json!({"language": "pl", "title": " ", "body": "x"});
    app.call(Method::PUT, "/api/v1/help/articles/gift-wrap-2", Some(&north.admin), Some(&bad)).await.error(
        400,
        "invalid_field",
        Some("title"),
    );
    app.call(Method::PUT, "/api/v1/help/articles/Gift%20Wrap", Some(&north.admin), Some(&article)).await.error(
        400,
        "invalid_field",
        Some("article_id"),
    );
    assert_eq!(app.get("/api/v1/help/articles", &north.key).await.expect(200)["articles"].as_array().unwrap().len(), 1);

    // Removing it removes it from the store's searches at once.
    app.call(Method::DELETE, "/api/v1/help/articles/gift-wrap?language=pl", Some(&south.admin), None).await.error(
        404,
        "not_found",
        None,
    );
    assert_eq!(
        app.call(Method::DELETE, "/api/v1/help/articles/gift-wrap?language=pl", Some(&north.admin), None).await.status,
        204
    );
    let after = app.get(question, &north.key).await.expect(200);
    assert!(after["results"].as_array().unwrap().iter().all(|r| r["id"] != "gift-wrap"), "{after}");
}
