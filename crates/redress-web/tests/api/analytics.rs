//! Learning from past cases over HTTP: the analytics report grouped by each dimension (kept by
//! the database's triggers as cases open, are answered and resolved), its refusals, and an
//! insight raised by a planted spike of damaged parcels. Time is the test's clock.

use std::sync::Arc;

use redress_app::ManualClock;
use serde_json::{Value, json};
use time::Duration;

use crate::browser::Browser;
use crate::fixtures::{case_on_order, case_without_order, order, set};
use crate::support::{Shop, TestApp, text};

fn configure(clock: Arc<ManualClock>) -> impl FnOnce(redress_app::App) -> redress_app::App {
    move |app| app.with_clock(clock)
}

/// A second order: two pairs of shoes with UPS to Seville.
fn shoe_order(number: &str) -> Value {
    let body = set(order(number, "luis@example.com"), "/lines/0/sku", json!("SHOE-2"));
    let body = set(body, "/shipments/0/carrier", json!("ups"));
    let body = set(body, "/shipments/0/lines/0/sku", json!("SHOE-2"));
    set(body, "/shipping_address/country", json!("ES"))
}

async fn open(app: &TestApp, shop: &Shop, body: Value, kind: &str) -> String {
    let view = app.open_case(&shop.key, &set(body, "/kind", json!(kind))).await;
    text(&view["case"]["id"])
}

fn row<'a>(report: &'a Value, value: &str) -> &'a Value {
    report["values"].as_array().unwrap().iter().find(|r| r["value"] == value).unwrap_or_else(|| panic!("{report}"))
}

async fn report_by_dimension(app: &TestApp, clock: Arc<ManualClock>) {
    let shop = app.create_store("learn-shop").await;
    let mugs = text(&app.create_order(&shop.key, &order("NW-1", "ana@example.com")).await["id"]);
    let shoes = text(&app.create_order(&shop.key, &shoe_order("NW-2")).await["id"]);
    let broken = open(app, &shop, case_on_order(&mugs, "Broken mug"), "damaged_in_transit").await;
    open(app, &shop, case_on_order(&shoes, "Not the colour shown"), "not_as_described").await;
    let question = open(app, &shop, case_without_order("Return policy"), "other").await;
    open(app, &shop, case_on_order(&shoes, "Send them back"), "return_request").await;

    // An agent answers the broken mug an hour later and resolves it; the question is resolved
    // by the shop's integration, no person involved.
    clock.advance(Duration::hours(1));
    let answer = json!({"direction": "outbound", "body": "We are sorry: a new mug is on its way."});
    app.post(&format!("/api/v1/cases/{broken}/messages"), &shop.admin, &answer).await.expect(201);
    clock.advance(Duration::hours(1));
    app.post(&format!("/api/v1/cases/{broken}/status"), &shop.admin, &json!({"status": "resolved"})).await.expect(200);
    app.post(&format!("/api/v1/cases/{question}/status"), &shop.key, &json!({"status": "resolved"})).await.expect(200);

    let report = app.get("/api/v1/reports/analytics?from=2026-11-01&to=2026-12-07", &shop.admin).await.expect(200);
    assert_eq!(report["dimension"], "kind");
    assert_eq!(report["total"]["cases"], 4, "{report}");
    assert_eq!(report["total"]["resolved"], 2);
    assert_eq!(report["total"]["automation_pct"], 50.0, "one of two resolved without a person");
    let damaged = row(&report, "damaged_in_transit");
    assert_eq!(damaged["cases"], 1);
    assert_eq!(damaged["mean_first_response_s"], 3600);
    assert_eq!(damaged["mean_resolution_s"], 7200);
    assert_eq!(damaged["automation_pct"], 0.0);
    assert_eq!(report["series"][0]["start"], "2026-12-07", "weeks start on Monday: {report}");

    let by_sku = app
        .get("/api/v1/reports/analytics?dimension=sku&from=2026-11-01&to=2026-12-07&bucket=day", &shop.admin)
        .await
        .expect(200);
    assert_eq!(row(&by_sku, "MUG-1")["cases"], 1);
    let shoes_row = row(&by_sku, "SHOE-2");
    assert_eq!(shoes_row["cases"], 2);
    assert_eq!(shoes_row["units_ordered"], 2);
    assert_eq!(shoes_row["returns"], 1);
    assert_eq!(shoes_row["return_rate_pct"], 50.0);
    assert_eq!(row(&by_sku, "")["cases"], 1, "the case without an order");
    let by_carrier = app
        .get("/api/v1/reports/analytics?dimension=carrier&from=2026-12-01&to=2026-12-07", &shop.admin)
        .await
        .expect(200);
    assert_eq!(row(&by_carrier, "ups")["cases"], 2);
    assert_eq!(row(&by_carrier, "dhl")["cases"], 1);
    let by_region = app.get("/api/v1/reports/analytics?dimension=region", &shop.admin).await.expect(200);
    assert_eq!(row(&by_region, "ES")["cases"], 2);
    assert_eq!(row(&by_region, "PL")["cases"], 1);
    let by_channel = app.get("/api/v1/reports/analytics?dimension=channel", &shop.admin).await.expect(200);
    assert_eq!(row(&by_channel, "email")["cases"], 3);
    assert_eq!(row(&by_channel, "chat")["cases"], 1);
    let by_fault = app.get("/api/v1/reports/analytics?dimension=fault", &shop.admin).await.expect(200);
    assert_eq!(by_fault["total"]["cases"], 4);

    let outside = app.get("/api/v1/reports/analytics?from=2026-10-01&to=2026-10-31", &shop.admin).await.expect(200);
    assert_eq!(outside["total"]["cases"], 0);

    // Bad input names its field and changes nothing.
    app.get("/api/v1/reports/analytics?dimension=colour", &shop.admin).await.error(
        400,
        "invalid_field",
        Some("dimension"),
    );
    app.get("/api/v1/reports/analytics?from=2026-12-08&to=2026-12-01", &shop.admin).await.error(
        400,
        "invalid_field",
        Some("from"),
    );
    app.get("/api/v1/reports/analytics?from=2020-01-01&to=2026-12-01", &shop.admin).await.error(
        400,
        "invalid_field",
        Some("to"),
    );
    app.get("/api/v1/reports/analytics?from=yesterday", &shop.admin).await.error(400, "invalid_field", Some("from"));
    app.get("/api/v1/reports/analytics?bucket=year", &shop.admin).await.error(400, "invalid_field", Some("bucket"));
}

async fn desk_page(app: &TestApp) {
    let shop = app.create_store_with_admin("chart-shop", "olga@chart.example", "correct horse battery").await;
    let mugs = text(&app.create_order(&shop.key, &order("NW-1", "ana@example.com")).await["id"]);
    open(app, &shop, case_on_order(&mugs, "Broken mug"), "damaged_in_transit").await;
    open(app, &shop, case_on_order(&mugs, "=HYPERLINK(\"x\")"), "not_as_described").await;
    let mut browser = Browser::new(app);
    let signed = browser
        .post("/desk/chart-shop/signin", &[("email", "olga@chart.example"), ("password", "correct horse battery")])
        .await;
    assert_eq!(signed.status, reqwest::StatusCode::SEE_OTHER, "{}", signed.body);
    let page = browser.get("/desk/chart-shop/analytics?dimension=sku&lang=es").await;
    assert_eq!(page.status, reqwest::StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<svg") && page.body.contains("<polyline"), "{}", page.body);
    assert!(page.body.contains("MUG-1") && page.body.contains("Descargar la tabla (CSV)"), "{}", page.body);
    let csv = browser.get("/desk/chart-shop/analytics.csv?table=values&dimension=kind").await;
    assert_eq!(csv.status, reqwest::StatusCode::OK);
    assert!(csv.body.starts_with("value,cases,"), "{}", csv.body);
    assert!(csv.body.contains("\ndamaged_in_transit,1,"), "{}", csv.body);
    let series = browser.get("/desk/chart-shop/analytics.csv?table=series&dimension=kind&bucket=day").await;
    assert!(series.body.starts_with("start,value,cases"), "{}", series.body);
    assert!(series.body.contains("2026-12-07,not_as_described,1"), "{}", series.body);
    let bad = browser.get("/desk/chart-shop/analytics?from=someday").await;
    assert_eq!(bad.status, reqwest::StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("from: a date is written YYYY-MM-DD"), "{}", bad.body);
    let summary = browser.get("/desk/chart-shop/summary").await;
    assert_eq!(summary.status, reqwest::StatusCode::OK, "{}", summary.body);
    assert!(summary.body.contains("2 casos abiertos (0 la semana anterior)"), "{}", summary.body);
    let weekly = app.get("/api/v1/reports/weekly", &shop.admin).await.expect(200);
    assert_eq!(weekly["week"]["cases"], 2);
    assert_eq!(weekly["top_skus"][0]["value"], "MUG-1");
    assert_eq!(weekly["from"], "2026-12-01");
    // Without a session: to the sign-in, no figures.
    let stranger = Browser::new(app).get("/desk/chart-shop/analytics.csv").await;
    assert_eq!(stranger.status, reqwest::StatusCode::SEE_OTHER);
}

async fn planted_spike(app: &TestApp, clock: Arc<ManualClock>) {
    let shop = app.create_store("spike-shop").await;
    let mugs = text(&app.create_order(&shop.key, &order("NW-1", "ana@example.com")).await["id"]);
    let shoes = text(&app.create_order(&shop.key, &shoe_order("NW-2")).await["id"]);
    // Four weeks ago: an ordinary month, one broken mug among forty questions.
    let today = redress_app::Clock::now(clock.as_ref());
    clock.set(today - Duration::days(28));
    for i in 0..40 {
        open(app, &shop, case_without_order(&format!("Question {i}")), "other").await;
    }
    open(app, &shop, case_on_order(&mugs, "Broken mug"), "damaged_in_transit").await;
    // This week: six broken mugs, two lost shoes (too few to say anything), four questions.
    clock.set(today - Duration::days(2));
    for i in 0..6 {
        open(app, &shop, case_on_order(&mugs, &format!("Broken again {i}")), "damaged_in_transit").await;
    }
    for i in 0..2 {
        open(app, &shop, case_on_order(&shoes, &format!("Where are my shoes {i}")), "not_received").await;
    }
    for i in 0..4 {
        open(app, &shop, case_without_order(&format!("Another question {i}")), "other").await;
    }
    clock.set(today);

    let insights = app.get("/api/v1/reports/insights", &shop.admin).await.expect(200);
    let found = insights.as_array().unwrap();
    let by_sku = found.iter().find(|i| i["dimension"] == "sku").unwrap_or_else(|| panic!("{insights}"));
    assert_eq!(by_sku["value"], "MUG-1");
    assert_eq!(by_sku["problem"], "damaged");
    assert_eq!(by_sku["fix"], "packaging");
    assert_eq!(by_sku["observed"], 6);
    assert_eq!(by_sku["cases"].as_array().unwrap().len(), 6, "the cases behind it");
    let by_carrier = found.iter().find(|i| i["dimension"] == "carrier").unwrap();
    assert_eq!((by_carrier["value"].as_str(), by_carrier["fix"].as_str()), (Some("dhl"), Some("carrier_review")));
    assert!(found.iter().all(|i| i["problem"] == "damaged"), "two lost parcels are not a pattern: {insights}");

    // A member of another store sees none of it.
    let other = app.create_store("other-shop").await;
    let theirs = app.get("/api/v1/reports/insights", &other.admin).await.expect(200);
    assert_eq!(theirs, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_by_dimension_on_sqlite() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let app = TestApp::sqlite_with(configure(clock.clone())).await;
    report_by_dimension(&app, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_by_dimension_on_postgres() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let Some(app) = TestApp::postgres_with(configure(clock.clone())).await else { return };
    report_by_dimension(&app, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_desk_page_on_sqlite() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    desk_page(&TestApp::sqlite_with(configure(clock)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analytics_desk_page_on_postgres() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let Some(app) = TestApp::postgres_with(configure(clock)).await else { return };
    desk_page(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insight_on_a_planted_spike_on_sqlite() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let app = TestApp::sqlite_with(configure(clock.clone())).await;
    planted_spike(&app, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insight_on_a_planted_spike_on_postgres() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let Some(app) = TestApp::postgres_with(configure(clock.clone())).await else { return };
    planted_spike(&app, clock).await;
}
