//! The customer portal over HTTP: finding an order, what a grant opens and what it does not,
//! reporting a problem and answering, in the customer's language.

use reqwest::StatusCode;
use serde_json::json;

use crate::browser::{Browser, form_token};
use crate::fixtures::order;
use crate::support::{TestApp, text};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_finds_the_order_reports_a_problem_and_answers() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("north-wind").await;
    let mut body = order("A-1001", "ana@example.com");
    body["customer"]["language"] = json!("pl");
    let order = app.create_order(&shop.key, &body).await;
    let order_id = text(&order["id"]);
    let other = app.create_order(&shop.key, &crate::fixtures::order("A-1002", "bob@example.com")).await;
    let mut browser = Browser::new(&app);

    // The look-up page, in the browser's language.
    let page = browser.get("/s/north-wind?lang=pl").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Znajdź swoje zamówienie"), "{}", page.body);
    assert!(page.body.contains("<html lang=\"pl\">"));
    assert!(browser.cookies.iter().any(|(k, v)| k == "redress_lang" && v == "pl"));

    // A wrong email and a wrong number get the same answer and no cookie.
    for (number, email) in [("A-1001", "eve@example.com"), ("A-9999", "ana@example.com")] {
        let answer = browser.post("/s/north-wind/lookup", &[("number", number), ("email", email)]).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.body.contains("Nie znaleźliśmy zamówienia"), "{}", answer.body);
    }
    assert!(!browser.cookies.iter().any(|(k, _)| k == "redress_portal"));

    // The right pair opens the order (case and spaces in the email do not matter).
    let answer = browser.post("/s/north-wind/lookup", &[("number", "#A-1001"), ("email", " Ana@Example.com ")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location.as_deref(), Some(format!("/s/north-wind/orders/{order_id}").as_str()));
    let page = browser.get(&format!("/s/north-wind/orders/{order_id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Zamówienie A-1001"), "{}", page.body);

    // The grant opens this order only.
    let other_id = text(&other["id"]);
    assert_eq!(browser.get(&format!("/s/north-wind/orders/{other_id}")).await.status, StatusCode::NOT_FOUND);

    // A report without the page's form token is refused and opens nothing.
    let refused = browser
        .post(&format!("/s/north-wind/orders/{order_id}/cases"), &[("kind", "damaged_in_transit"), ("body", "x")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(app.all_cases(&shop.key, "").await.is_empty());

    // A report opens a case in the customer's language, read by understanding for its tone.
    let token = form_token(&page.body);
    let answer = browser
        .post(
            &format!("/s/north-wind/orders/{order_id}/cases"),
            &[
                ("kind", "damaged_in_transit"),
                ("qty:MUG-1", "1"),
                ("body", "Kubek przyszedł rozbity, jestem bardzo zawiedziona!"),
                ("form_token", &token),
            ],
        )
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let case_path = answer.location.unwrap();
    let cases = app.all_cases(&shop.key, "").await;
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0]["kind"], "damaged_in_transit");
    assert_eq!(cases[0]["language"], "pl");
    assert_eq!(cases[0]["channel"], "portal");
    let case_page = browser.get(&case_path).await;
    assert!(case_page.body.contains("Kubek przyszedł rozbity"), "{}", case_page.body);
    assert!(case_page.body.contains("Dziękujemy"));

    // The shop answers; the customer sees it and replies.
    let case_id = text(&cases[0]["id"]);
    app.post(
        &format!("/api/v1/cases/{case_id}/messages"),
        &shop.key,
        &json!({"direction": "outbound", "body": "Przepraszamy, wysyłamy nowy."}),
    )
    .await
    .expect(201);
    let path = format!("/s/north-wind/cases/{case_id}");
    let page = browser.get(&path).await;
    assert!(page.body.contains("Przepraszamy, wysyłamy nowy."));
    let answer = browser
        .post(&format!("{path}/messages"), &[("body", "Dziękuję!"), ("form_token", &form_token(&page.body))])
        .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 3);
    assert_eq!(view["messages"][2]["author"], json!({"type": "customer", "handle": "ana@example.com"}));

    // Signing out ends the grant.
    let answer = browser.post("/s/north-wind/signout", &[("form_token", &form_token(&page.body))]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.get(&path).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_root_leads_to_the_first_portal_or_says_how_to_make_one() {
    let app = TestApp::sqlite().await;
    let mut browser = Browser::new(&app);
    let empty = browser.get("/").await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("POST /api/v1/stores"));
    app.create_store("north-wind").await;
    let answer = browser.get("/").await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location.as_deref(), Some("/s/north-wind"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grants_stay_in_their_store_and_guessing_is_limited() {
    let app = TestApp::sqlite().await;
    let north = app.create_store("north-wind").await;
    app.create_store("south-wind").await;
    let order = app.create_order(&north.key, &order("A-1", "ana@example.com")).await;
    let order_id = text(&order["id"]);
    let mut browser = Browser::new(&app);
    let answer = browser.post("/s/north-wind/lookup", &[("number", "A-1"), ("email", "ana@example.com")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    // The same order id under another store's portal is not reachable, nor is a forged cookie.
    assert_eq!(browser.get(&format!("/s/south-wind/orders/{order_id}")).await.status, StatusCode::NOT_FOUND);
    let mut forger = Browser::new(&app);
    forger.cookies.push(("redress_portal".into(), format!("x.{order_id}.99999999999.00")));
    assert_eq!(forger.get(&format!("/s/north-wind/orders/{order_id}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(forger.get("/s/no-such-shop").await.status, StatusCode::NOT_FOUND);

    // Guessing emails for one order number is cut off, even with the right email afterwards.
    let mut guesser = Browser::new(&app);
    for i in 0..8 {
        let email = format!("guess{i}@example.com");
        assert_eq!(
            guesser.post("/s/north-wind/lookup", &[("number", "A-1"), ("email", &email)]).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let answer = guesser.post("/s/north-wind/lookup", &[("number", "A-1"), ("email", "ana@example.com")]).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
}

/// The look-up forgives the number's format and the email's case, on both backends, an
/// ambiguous number finds nothing, and every spelling counts against one guess limit.
async fn look_up_forgives_format(app: TestApp) {
    let shop = app.create_store("north-wind").await;
    let order = app.create_order(&shop.key, &order("NW-11007", "Ana.Kowalska@Example.com")).await;
    let order_id = text(&order["id"]);
    app.create_order(&shop.key, &crate::fixtures::order("SO-2001", "bob@example.com")).await;
    app.create_order(&shop.key, &crate::fixtures::order("NW-2001", "bob@example.com")).await;
    for (number, email) in [
        ("NW-11007", "ana.kowalska@example.com"),
        ("nw-11007", "ANA.KOWALSKA@EXAMPLE.COM"),
        ("NW11007", "Ana.Kowalska@Example.com"),
        ("11007", " ana.kowalska@example.com "),
        ("#nw 11007", "ana.kowalska@example.com"),
    ] {
        let mut browser = Browser::new(&app);
        let answer = browser.post("/s/north-wind/lookup", &[("number", number), ("email", email)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{number} {email}: {}", answer.body);
        assert_eq!(answer.location.as_deref(), Some(format!("/s/north-wind/orders/{order_id}").as_str()));
    }
    let mut browser = Browser::new(&app);
    for (number, email) in [("2001", "bob@example.com"), ("NW-1100", "ana.kowalska@example.com")] {
        let answer = browser.post("/s/north-wind/lookup", &[("number", number), ("email", email)]).await;
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{number}: two orders end in 2001, none is NW-1100"
        );
    }
    let answer = browser.post("/s/north-wind/lookup", &[("number", "so2001"), ("email", "bob@example.com")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "the letters tell them apart");

    // Spellings of one number share the guess limit: eight wrong guesses in four spellings cut
    // off the ninth, even with the right email.
    let mut guesser = Browser::new(&app);
    for i in 0..8 {
        let number = ["NW-11007", "nw11007", "11007", "Nw 11007"][i % 4];
        let email = format!("guess{i}@example.com");
        let answer = guesser.post("/s/north-wind/lookup", &[("number", number), ("email", &email)]).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let answer =
        guesser.post("/s/north-wind/lookup", &[("number", "11007"), ("email", "ana.kowalska@example.com")]).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_up_forgives_format_on_sqlite() {
    look_up_forgives_format(TestApp::sqlite().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn look_up_forgives_format_on_postgres() {
    let Some(app) = TestApp::postgres().await else { return };
    look_up_forgives_format(app).await;
}
