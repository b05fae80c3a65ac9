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
