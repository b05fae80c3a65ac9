//! Customers' personal data over HTTP: an admin finds a customer by email, exports everything
//! held about them and erases it (once, whatever the retries), with the books unchanged; others
//! are refused and change nothing; a refund in flight holds the erasure back; the retention
//! period erases closed cases only, on the test's clock.

use std::sync::Arc;

use redress_app::ManualClock;
use reqwest::Method;
use serde_json::{Value, json};
use time::Duration;

use crate::fixtures::{case_on_order, double_charged, order, set};
use crate::support::{TestApp, on_both_backends, text};

on_both_backends!(a_customer_is_exported_and_erased_once, a_refund_in_flight_holds_the_erasure_back);

async fn erase(app: &TestApp, key: &str, customer_id: &str, idempotency: &str) -> crate::support::Reply {
    let path = format!("/api/v1/customers/{customer_id}/erasure");
    app.call_keyed(Method::POST, &path, Some(key), Some(idempotency), None).await
}

async fn export(app: &TestApp, key: &str, customer_id: &str) -> Value {
    app.get(&format!("/api/v1/customers/{customer_id}/export"), key).await.expect(200)
}

async fn a_customer_is_exported_and_erased_once(app: &TestApp) {
    let shop = app.create_store("privacy").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let duplicate = text(&order["payments"][1]["id"]);
    let refund = json!({"payment_id": duplicate, "method": "original_payment", "reason": "duplicate_charge",
        "amount": {"amount_minor": 3300, "currency": "EUR"}});
    app.post(&format!("/api/v1/cases/{case_id}/refunds"), &shop.key, &refund).await.expect(201);
    let note = json!({"body": "Ana Kowalska asked to be called on +48 600 100 200"});
    app.post(&format!("/api/v1/cases/{case_id}/notes"), &shop.key, &note).await.expect(201);

    // Found by email, exported whole.
    let found = app.get("/api/v1/customers?email=ana@example.com", &shop.key).await.expect(200);
    let customer_id = text(&found["id"]);
    let document = export(app, &shop.admin, &customer_id).await;
    assert_eq!(document["format"], "redress.customer-export.v1");
    assert_eq!(document["customer"]["email"], "ana@example.com");
    assert_eq!(document["orders"][0]["number"], "1042");
    assert_eq!(document["cases"][0]["case"]["id"], case_id.as_str());
    assert_eq!(document["cases"][0]["messages"][0]["body"], "My mug arrived in pieces.");
    assert!(document["cases"][0]["timeline"].as_array().unwrap().len() > 3);
    assert_eq!(document["refunds"].as_array().unwrap().len(), 1);
    assert_eq!(document["truncated"], false);
    assert_eq!(app.get(&format!("/api/v1/customers/{customer_id}/export"), &shop.key).await.status, 200);

    // Nobody but an admin erases; nobody but an admin or an integration exports.
    let agent = app.member_key(&shop, "Tomasz", "agent").await;
    let lead = app.member_key(&shop, "Lena", "team_lead").await;
    for key in [&shop.key, &agent, &lead] {
        erase(app, key, &customer_id, "try").await.error(403, "forbidden", None);
    }
    app.get(&format!("/api/v1/customers/{customer_id}/export"), &agent).await.error(403, "forbidden", None);
    app.get("/api/v1/customers?email=ana@example.com", &agent).await.error(403, "forbidden", None);
    let other = app.create_store("privacy-other").await;
    erase(app, &other.admin, &customer_id, "try").await.error(404, "not_found", None);
    assert_eq!(export(app, &shop.admin, &customer_id).await["cases"], document["cases"], "nothing changed");

    // Erased: the words go, the books and the counts stay.
    let ledger = app.get("/api/v1/ledger", &shop.key).await.expect(200);
    let first = erase(app, &shop.admin, &customer_id, "erase-1").await;
    let outcome = first.expect(200);
    assert_eq!(outcome, json!({"customer_id": customer_id, "cases_erased": 1, "orders_erased": 1, "changed": true}));
    let replay = erase(app, &shop.admin, &customer_id, "erase-1").await;
    assert_eq!(replay.headers.get("idempotent-replayed").map(|v| v.to_str().unwrap()), Some("true"));
    assert_eq!(replay.expect(200), outcome);
    let again = erase(app, &shop.admin, &customer_id, "erase-2").await.expect(200);
    assert_eq!((again["cases_erased"].clone(), again["changed"].clone()), (json!(0), json!(false)));
    assert_eq!(app.get("/api/v1/ledger", &shop.key).await.expect(200), ledger, "the books are as they were");

    let after = export(app, &shop.admin, &customer_id).await;
    let words = after.to_string();
    for personal in ["ana@example.com", "Ana Kowalska", "Długa", "Kraków", "My mug", "600 100"] {
        assert!(!words.contains(personal), "{personal} is still in {after}");
    }
    assert!(text(&after["customer"]["email"]).ends_with("@erased.invalid"));
    assert_eq!(after["refunds"][0]["amount"], document["refunds"][0]["amount"]);
    assert_eq!(after["cases"][0]["case"]["kind"], document["cases"][0]["case"]["kind"]);
    let timeline = after["cases"][0]["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), document["cases"][0]["timeline"].as_array().unwrap().len() + 1, "one entry, once");
    assert_eq!(timeline.last().unwrap()["event"], json!({"type": "customer_erased", "reason": {"type": "request"}}));
    assert_eq!(timeline.last().unwrap()["actor"], json!({"type": "agent", "name": "Olga"}));
    app.get("/api/v1/customers?email=ana@example.com", &shop.key).await.error(404, "not_found", None);
}

async fn a_refund_in_flight_holds_the_erasure_back(app: &TestApp) {
    let shop = app.create_store("privacy-held").await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let flagged = json!({"payment_id": text(&order["payments"][0]["id"]), "method": "original_payment",
        "reason": "duplicate_charge", "amount": {"amount_minor": 1000, "currency": "EUR"}, "customer_flagged": true});
    let waiting = app.post(&format!("/api/v1/cases/{case_id}/refunds"), &shop.key, &flagged).await.expect(201);
    assert_eq!(waiting["refund"]["status"], "awaiting_approval");
    let customer_id = text(&order["customer_id"]);
    let before = export(app, &shop.admin, &customer_id).await;
    let refused = erase(app, &shop.admin, &customer_id, "erase-held").await;
    refused.error(409, "erasure_blocked", None);
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("in flight"), "{}", refused.body);
    let mut after = export(app, &shop.admin, &customer_id).await;
    after["exported_at"] = before["exported_at"].clone();
    assert_eq!(after, before, "nothing changed");
}

fn configure(clock: Arc<ManualClock>) -> impl FnOnce(redress_app::App) -> redress_app::App {
    move |app| app.with_clock(clock)
}

async fn retention_erases_closed_cases_only(app: &TestApp, clock: Arc<ManualClock>) {
    let shop = app.create_store("privacy-retention").await;
    let current = app.get("/api/v1/policy", &shop.admin).await.expect(200);
    let source = format!("{}\n[privacy]\nretention_months = 6\n", text(&current["source"]));
    let saved = app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&json!({"source": source}))).await;
    saved.expect(200);
    let bad = source.replace("retention_months = 6", "retention_months = 0");
    let refused = app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&json!({"source": bad}))).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.to_string().contains("privacy.retention_months"), "{}", refused.body);

    let ana = text(&app.create_order(&shop.key, &order("R-1", "ana@example.com")).await["id"]);
    let luis = set(order("R-2", "luis@example.com"), "/customer/name", json!("Luis Ortega"));
    let luis = text(&app.create_order(&shop.key, &luis).await["id"]);
    let over = text(&app.open_case(&shop.key, &case_on_order(&ana, "Broken mug")).await["case"]["id"]);
    let open = text(&app.open_case(&shop.key, &case_on_order(&luis, "Late parcel")).await["case"]["id"]);
    app.post(&format!("/api/v1/cases/{over}/status"), &shop.key, &json!({"status": "resolved"})).await.expect(200);

    let retention = redress_app::App::new(app.storage.clone()).with_clock(clock.clone());
    clock.advance(Duration::days(150));
    let early = redress_app::privacy::apply_retention(&retention, retention.now()).await.unwrap();
    assert_eq!(early.erased, 0, "five months are not six");
    clock.advance(Duration::days(40));
    let report = redress_app::privacy::apply_retention(&retention, retention.now()).await.unwrap();
    assert_eq!((report.erased, report.held), (1, 0));
    let erased = app.case_view(&shop.key, &over).await;
    assert_eq!(erased["case"]["subject"], "[erased]");
    let last = erased["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], json!({"type": "customer_erased", "reason": {"type": "retention", "months": 6}}));
    let kept = app.case_view(&shop.key, &open).await;
    assert_eq!(kept["case"]["subject"], "Late parcel", "an open case keeps its data however old");
    app.get("/api/v1/customers?email=ana@example.com", &shop.key).await.error(404, "not_found", None);
    app.get("/api/v1/customers?email=luis@example.com", &shop.key).await.expect(200);

    // A second pass, as another server's, changes nothing.
    let twice = redress_app::privacy::apply_retention(&retention, retention.now()).await.unwrap();
    assert_eq!(twice.erased, 0);
    assert_eq!(app.case_view(&shop.key, &over).await["timeline"], erased["timeline"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_on_sqlite() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let app = TestApp::sqlite_with(configure(clock.clone())).await;
    retention_erases_closed_cases_only(&app, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_on_postgres() {
    let clock = Arc::new(ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let Some(app) = TestApp::postgres_with(configure(clock.clone())).await else { return };
    retention_erases_closed_cases_only(&app, clock).await;
}

on_both_backends!(the_desk_exports_and_erases_after_a_typed_confirmation);

async fn the_desk_exports_and_erases_after_a_typed_confirmation(app: &TestApp) {
    use crate::browser::form_token;
    use crate::workspace::{hidden, signed_in, team_member};
    use redress_domain::approval::Role;

    let shop = app.create_store("privacy-desk").await;
    let (_, case_id) = double_charged(app, &shop.key).await;
    team_member(app, &shop.id, "owner@privacy-desk.example", "Olena", Role::Owner).await;
    team_member(app, &shop.id, "agent@privacy-desk.example", "Artur", Role::Agent).await;
    let case_path = format!("/desk/privacy-desk/cases/{case_id}");

    // An agent sees neither button and is refused both pages.
    let mut agent = signed_in(app, "privacy-desk", "agent@privacy-desk.example").await;
    let page = agent.get(&case_path).await;
    assert!(!page.body.contains("/export"), "{}", page.body);
    let customer_id = text(&app.get("/api/v1/customers?email=ana@example.com", &shop.key).await.expect(200)["id"]);
    let base = format!("/desk/privacy-desk/customers/{customer_id}");
    assert_eq!(agent.get(&format!("{base}/export")).await.status, 403);
    assert_eq!(agent.get(&format!("{base}/erase")).await.status, 403);

    // An admin downloads the export and erases after typing the address.
    let mut owner = signed_in(app, "privacy-desk", "owner@privacy-desk.example").await;
    let page = owner.get(&case_path).await;
    assert!(page.body.contains(&format!("{base}/export")) && page.body.contains("erase-customer"), "{}", page.body);
    let download = owner.get(&format!("{base}/export")).await;
    assert_eq!(download.status, 200);
    let document: Value = serde_json::from_str(&download.body).unwrap();
    assert_eq!(document["customer"]["email"], "ana@example.com");

    let confirm = owner.get(&format!("{base}/erase?case={case_id}")).await;
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("ana@example.com"));
    let token = form_token(&confirm.body);
    let key = hidden(&confirm.body, "key");
    let form = |typed: &'static str| {
        vec![
            ("form_token", token.clone()),
            ("key", key.clone()),
            ("case", case_id.clone()),
            ("confirm_email", typed.to_owned()),
        ]
    };
    let as_pairs =
        |form: &Vec<(&'static str, String)>| form.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<Vec<_>>();
    let wrong = owner.post_bare(&format!("{base}/erase"), &as_pairs(&form("bob@example.com"))).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("Nothing was erased."), "{}", wrong.body);
    assert_eq!(export(app, &shop.admin, &customer_id).await["customer"]["email"], "ana@example.com", "nothing changed");
    let done = owner.post_bare(&format!("{base}/erase"), &as_pairs(&form("ana@example.com"))).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some(format!("{case_path}?done=erased").as_str()));
    let page = owner.get(&format!("{case_path}?done=erased")).await;
    assert!(page.body.contains("personal data was erased; the timeline records it"), "the notice");
    assert!(
        page.body.contains("personal data erased") && page.body.contains("at the customer"),
        "the timeline's entry"
    );
    assert!(!page.body.contains("My mug arrived"), "the messages are erased");
}
