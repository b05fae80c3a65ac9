//! Following cases through over HTTP: a resolved case's survey reached by its signed link in
//! the portal (no sign-in), answered once, a low score reopening the case; the report of
//! targets met and satisfaction. The worker's rounds are run by the test on its clock.

use std::sync::Arc;

use redress_app::ManualClock;
use reqwest::StatusCode;
use serde_json::json;

use crate::fixtures::{case_without_order, double_charged};
use crate::support::{TestApp, text};

const SECRET: &str = "survey link secret";

fn configure(clock: Arc<ManualClock>) -> impl FnOnce(redress_app::App) -> redress_app::App {
    move |app| app.with_clock(clock).with_link_secret(SECRET)
}

async fn survey_by_link(app: &TestApp, clock: Arc<ManualClock>) {
    // The server's worker, as `serve` runs it: same storage, clock and link secret.
    let worker = redress_app::App::new(app.storage.clone()).with_clock(clock.clone()).with_link_secret(SECRET);
    let shop = app.create_store("survey-shop").await;
    let view = app.open_case(&shop.key, &case_without_order("Return policy")).await;
    let case_id = text(&view["case"]["id"]);
    app.post(&format!("/api/v1/cases/{case_id}/status"), &shop.admin, &json!({"status": "resolved"})).await.expect(200);
    let now = redress_app::Clock::now(clock.as_ref());
    let round = redress_app::follow_through::run_due(&worker, now).await.unwrap();
    assert_eq!(round.fired, 1, "{round:?}");

    let case = app.case_view(&shop.admin, &case_id).await;
    let invitation = case["messages"].as_array().unwrap().last().unwrap()["body"].as_str().unwrap().to_owned();
    let link = invitation.split_whitespace().find(|w| w.starts_with("/s/survey-shop/survey/")).unwrap().to_owned();
    let page = app.client.get(format!("{}{link}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"score\""), "{html}");

    // A forged link shows nothing and records nothing.
    let forged = app.client.get(format!("{}/s/survey-shop/survey/{case_id}?sig=00ff", app.base)).send().await.unwrap();
    assert_eq!(forged.status(), StatusCode::NOT_FOUND);

    let sig = link.split("sig=").nth(1).unwrap().to_owned();
    let action = format!("{}/s/survey-shop/survey/{case_id}", app.base);
    let form = [("sig", sig.as_str()), ("score", "1"), ("comment", "Nobody read my message")];
    let answered = app.client.post(&action).form(&form).send().await.unwrap();
    assert_eq!(answered.status(), StatusCode::OK);
    let again = [("sig", sig.as_str()), ("score", "5"), ("comment", "")];
    assert_eq!(app.client.post(&action).form(&again).send().await.unwrap().status(), StatusCode::OK);

    let case = app.case_view(&shop.admin, &case_id).await;
    assert_eq!(case["case"]["status"], "open", "a low score reopens the case");
    let answers: Vec<_> =
        case["timeline"].as_array().unwrap().iter().filter(|e| e["event"]["type"] == "survey_answered").collect();
    assert_eq!(answers.len(), 1, "one answer per case");
    assert_eq!(answers[0]["event"]["score"], 1);

    let report = app.get("/api/v1/reports/follow-through", &shop.admin).await.expect(200);
    assert_eq!(report["csat"]["answers"], 1);
    assert_eq!(report["csat_by_channel"]["chat"]["mean"], 1.0);
    assert_eq!(report["csat_by_language"]["en"]["answers"], 1);
    assert_eq!(report["cases"], 1);
    assert_eq!(report["resolution_judged"], 1);
}

/// A refund sent and the shop's resolution are told to the customer on the case, each once,
/// with a link that opens their order in the portal without a look-up.
async fn customers_hear_the_news(app: &TestApp, clock: Arc<ManualClock>) {
    let worker = redress_app::App::new(app.storage.clone())
        .with_clock(clock.clone())
        .with_link_secret(SECRET)
        .with_public_url(&app.base);
    let shop = app.create_store("news-shop").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let refund = json!({
        "payment_id": text(&order["payments"][1]["id"]), "method": "original_payment", "reason": "duplicate_charge",
        "amount": {"amount_minor": 3300, "currency": "EUR"}
    });
    let sent = app
        .client
        .post(format!("{}/api/v1/cases/{case_id}/refunds", app.base))
        .bearer_auth(&shop.key)
        .header("Idempotency-Key", "news-1")
        .json(&refund)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::CREATED);
    let now = redress_app::Clock::now(clock.as_ref());
    let round = redress_app::follow_through::run_due(&worker, now).await.unwrap();
    assert_eq!(round.fired, 1, "{round:?}");
    // A second round tells nothing again.
    redress_app::follow_through::run_due(&worker, now).await.unwrap();
    let case = app.case_view(&shop.admin, &case_id).await;
    let told: Vec<String> = case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["author"]["type"] == "system")
        .map(|m| text(&m["body"]))
        .collect();
    let refunds: Vec<&String> = told.iter().filter(|t| t.contains("refund of")).collect();
    assert_eq!(refunds.len(), 1, "told once: {told:?}");
    assert!(refunds[0].contains("33.00") && refunds[0].contains("news-shop"), "{}", refunds[0]);
    let link = refunds[0].split_whitespace().find(|w| w.starts_with(&app.base)).expect("an absolute link").to_owned();
    assert!(link.contains("/s/news-shop/orders/") && link.contains("?t="), "{link}");
    let page = app.client.get(&link).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "the link opens the order without a look-up");
    assert!(page.text().await.unwrap().contains("1042"));
    let forged = link.replace("?t=", "?t=0");
    let refused = app.client.get(&forged).send().await.unwrap();
    assert_ne!(refused.status(), StatusCode::OK, "a forged link opens nothing");

    // Resolved by the shop: the survey's message says so, with its link under the public address.
    app.post(&format!("/api/v1/cases/{case_id}/status"), &shop.admin, &json!({"status": "resolved"})).await.expect(200);
    redress_app::follow_through::run_due(&worker, now).await.unwrap();
    let case = app.case_view(&shop.admin, &case_id).await;
    let last = text(&case["messages"].as_array().unwrap().last().unwrap()["body"]);
    assert!(last.contains("is resolved") && last.contains(&format!("{}/s/news-shop/survey/", app.base)), "{last}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_hear_the_news_on_sqlite() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let app = TestApp::sqlite_with(configure(clock.clone())).await;
    customers_hear_the_news(&app, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_hear_the_news_on_postgres() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let Some(app) = TestApp::postgres_with(configure(clock.clone())).await else { return };
    customers_hear_the_news(&app, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_by_signed_link_on_sqlite() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let app = TestApp::sqlite_with(configure(clock.clone())).await;
    survey_by_link(&app, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn survey_by_signed_link_on_postgres() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let Some(app) = TestApp::postgres_with(configure(clock.clone())).await else { return };
    survey_by_link(&app, clock).await;
}
