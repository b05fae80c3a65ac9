//! The desk live, over HTTP: two agents on one case see each other (presence kept in the
//! database), a reply written on a case that changed meanwhile is held back with what changed
//! and goes only when the agent confirms, the case page's stream carries the other agent's
//! answer, and a case is assigned only to a member of the team.

use redress_domain::approval::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::browser::form_token;
use crate::chat_live::events_until;
use crate::fixtures::double_charged;
use crate::support::{TestApp, on_both_backends, text};
use crate::workspace::{hidden, signed_in, team_member};

/// Reads a case page's server-sent events until `found` holds for one; returns it.
async fn event_until(response: &mut reqwest::Response, found: impl Fn(&Value) -> bool) -> Value {
    events_until(response, found).await.pop().unwrap()
}

on_both_backends!(two_agents_on_one_case_see_each_other_and_a_stale_reply_is_held);

async fn two_agents_on_one_case_see_each_other_and_a_stale_reply_is_held(app: &TestApp) {
    let shop = app.create_store("live-shop").await;
    team_member(app, &shop.id, "ana@live.example", "Ana", Role::Agent).await;
    let bo = team_member(app, &shop.id, "bo@live.example", "Bo", Role::Agent).await;
    let (_, case_id) = double_charged(app, &shop.key).await;
    let case_path = format!("/desk/live-shop/cases/{case_id}");
    let mut ana = signed_in(app, "live-shop", "ana@live.example").await;
    let mut bo_browser = signed_in(app, "live-shop", "bo@live.example").await;

    // Alone on the case, Ana sees nobody; once Bo opens it, each sees the other.
    let alone = ana.get(&case_path).await;
    assert!(alone.body.contains("id=\"presence\" class=\"notice\" aria-live=\"polite\" hidden"), "{}", alone.body);
    let bo_page = bo_browser.get(&case_path).await;
    assert!(bo_page.body.contains("<strong id=\"presence-names\">Ana</strong>"), "Bo sees Ana");
    let ana_page = ana.get(&case_path).await;
    assert!(ana_page.body.contains("<strong id=\"presence-names\">Bo</strong>"), "Ana sees Bo");

    // Ana's page listens; Bo answers; the stream carries Bo's answer and Bo's presence.
    let seen = hidden(&ana_page.body, "seen");
    let messages = ana_page.body.matches("<li class=\"inbound\"").count()
        + ana_page.body.matches("<li class=\"outbound\"").count();
    let client = reqwest::Client::new();
    let mut live = client
        .get(format!("{}{case_path}/events?after={seen}&messages={messages}", app.base))
        .header("cookie", ana.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    assert!(live.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let first = event_until(&mut live, |_| true).await;
    assert_eq!(first["viewers"], serde_json::json!(["Bo"]), "{first}");
    let bo_token = form_token(&bo_page.body);
    let bo_seen = hidden(&bo_page.body, "seen");
    let sent = bo_browser
        .post(
            &format!("{case_path}/reply"),
            &[
                ("form_token", &bo_token),
                ("body", "Bo here: refunding the second charge."),
                ("seen", &bo_seen),
                ("wait", "1"),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(sent.location.unwrap().ends_with("?done=reply"));
    let heard = event_until(&mut live, |b| !b["new_messages"].as_array().unwrap().is_empty()).await;
    assert_eq!(heard["new_messages"][0]["body"], "Bo here: refunding the second charge.");
    assert!(heard["entries"].as_array().unwrap().iter().any(|e| e["by_other"] == true && text(&e["actor"]) == "Bo"));

    // Ana's reply, written before Bo's, is held: nothing sent, what changed named, her text kept.
    let token = form_token(&ana_page.body);
    let held = ana
        .post(
            &format!("{case_path}/reply"),
            &[("form_token", &token), ("body", "Ana: looking into it."), ("seen", &seen)],
        )
        .await;
    assert_eq!(held.status, StatusCode::CONFLICT, "{}", held.body);
    assert!(held.body.contains("The case changed since you opened it"), "{}", held.body);
    assert!(held.body.contains("· Bo ·"), "Bo's answer is named: {}", held.body);
    assert!(held.body.contains(">Ana: looking into it.</textarea>"));
    assert!(held.body.contains("name=\"force\" value=\"1\""));
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 2, "the customer's and Bo's only");

    // Sent anyway, it goes once, with no error though Bo already set the case waiting.
    let new_seen = hidden(&held.body, "seen");
    let forced = ana
        .post(
            &format!("{case_path}/reply"),
            &[
                ("form_token", &token),
                ("body", "Ana: looking into it."),
                ("seen", &new_seen),
                ("force", "1"),
                ("wait", "1"),
            ],
        )
        .await;
    assert_eq!(forced.status, StatusCode::SEE_OTHER, "{}", forced.body);
    assert!(forced.location.unwrap().contains("?done=reply"));
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 3);
    assert_eq!(view["case"]["status"], "waiting_on_customer");

    // A reply on a page that saw everything goes at once.
    let fresh = ana.get(&case_path).await;
    let again = ana
        .post(
            &format!("{case_path}/reply"),
            &[("form_token", &token), ("body", "Ana again."), ("seen", &hidden(&fresh.body, "seen"))],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);

    // Bo resolves the case; Ana's reply asking to wait for the customer still goes, and is
    // reported as sent with the status kept, never as a failed send.
    app.post(&format!("/api/v1/cases/{case_id}/status"), &shop.key, &serde_json::json!({ "status": "resolved" }))
        .await
        .expect(200);
    let page = ana.get(&case_path).await;
    let late = ana
        .post(
            &format!("{case_path}/reply"),
            &[
                ("form_token", &token),
                ("body", "Ana: one more thing."),
                ("seen", &hidden(&page.body, "seen")),
                ("wait", "1"),
            ],
        )
        .await;
    assert_eq!(late.status, StatusCode::SEE_OTHER, "{}", late.body);
    assert!(late.location.unwrap().ends_with("?done=reply-kept"));
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 5);
    assert_eq!(view["case"]["status"], "resolved");
    let kept = ana.get(&format!("{case_path}?done=reply-kept")).await;
    assert!(kept.body.contains("Your reply was sent. The case&#39;s status was not changed"), "{}", kept.body);

    // The inbox counts the cases changed since it was drawn, live.
    let inbox = ana.get("/desk/live-shop").await;
    let after = inbox.body.split("data-after=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let mut counting = client
        .get(format!("{}/desk/live-shop/inbox/events?after={after}", app.base))
        .header("cookie", ana.cookie_header())
        .send()
        .await
        .unwrap();
    assert_eq!(counting.status(), 200);
    app.post(&format!("/api/v1/cases/{case_id}/notes"), &shop.key, &serde_json::json!({ "body": "A note." }))
        .await
        .expect(201);
    let changed = event_until(&mut counting, |e| e["count"] == 1).await;
    assert_eq!(changed["text"], "Cases changed since this list was shown: 1.");

    // The assignee is chosen from the team: a name, or an id not on it, is refused and
    // changes nothing; a member's id assigns.
    let page = ana.get(&case_path).await;
    assert!(page.body.contains(&format!("<option value=\"{}\"", bo.id)), "the team is offered");
    for stranger in ["Someone Else", "0190b5a4-0000-7000-8000-000000000000"] {
        let refused = ana.post(&format!("{case_path}/assign"), &[("form_token", &token), ("to", stranger)]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{stranger}");
        assert!(refused.body.contains("assignee:"), "{}", refused.body);
        assert_eq!(app.case_view(&shop.key, &case_id).await["case"]["assignee"], Value::Null);
    }
    let assigned =
        ana.post(&format!("{case_path}/assign"), &[("form_token", &token), ("to", &bo.id.to_string())]).await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER);
    assert_eq!(app.case_view(&shop.key, &case_id).await["case"]["assignee"]["name"], "Bo");

    // Another store's agent reaches neither the page nor the stream.
    let other = app.create_store("other-shop").await;
    team_member(app, &other.id, "eve@other.example", "Eve", Role::Agent).await;
    let mut eve = signed_in(app, "other-shop", "eve@other.example").await;
    let stream = eve.get(&format!("/desk/other-shop/cases/{case_id}/events")).await;
    assert_eq!(stream.status, StatusCode::NOT_FOUND);
}

on_both_backends!(a_lead_writes_a_macro_and_an_agent_fills_and_sends_it);

async fn a_lead_writes_a_macro_and_an_agent_fills_and_sends_it(app: &TestApp) {
    let shop = app.create_store("macro-shop").await;
    team_member(app, &shop.id, "lea@macro.example", "Lea", Role::TeamLead).await;
    team_member(app, &shop.id, "ana@macro.example", "Ana", Role::Agent).await;
    let (_, case_id) = double_charged(app, &shop.key).await;
    let case_path = format!("/desk/macro-shop/cases/{case_id}");
    let mut lea = signed_in(app, "macro-shop", "lea@macro.example").await;
    let mut ana = signed_in(app, "macro-shop", "ana@macro.example").await;

    // Macros are the leads' to write.
    assert_eq!(ana.get("/desk/macro-shop/macros").await.status, StatusCode::FORBIDDEN);
    let page = lea.get("/desk/macro-shop/macros").await;
    assert_eq!(page.status, StatusCode::OK);
    let token = form_token(&page.body);
    // A variable that does not exist is refused and nothing is saved.
    let refused =
        lea.post("/desk/macro-shop/macros", &[("form_token", &token), ("name", "Typo"), ("body_en", "Hi {nme}")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("{nme} is not a variable"), "{}", refused.body);
    assert!(refused.body.contains("Hi {nme}</textarea>"), "the lead's text comes back");
    let saved = lea
        .post(
            "/desk/macro-shop/macros",
            &[
                ("form_token", &token),
                ("name", "Refund on its way"),
                (
                    "body_en",
                    "Hi {customer_name}, order {order_number} is refunded. Tracking: {tracking_number}. {agent_name}",
                ),
                ("body_es", "Hola {customer_name}, el pedido {order_number} está reembolsado."),
                ("action", "status:resolved"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    lea.post(
        "/desk/macro-shop/macros",
        &[("form_token", &token), ("name", "Only Polish"), ("body_pl", "Dzień dobry {customer_name}")],
    )
    .await;
    let listed = lea.get("/desk/macro-shop/macros").await;
    assert!(listed.body.contains("Refund on its way") && listed.body.contains("en, es"), "{}", listed.body);
    let macro_id = |name: &str| {
        let at = listed.body.find(&format!("Edit: {name}")).unwrap();
        let start = listed.body[..at].rfind("edit=").unwrap() + 5;
        listed.body[start..].split('"').next().unwrap().to_owned()
    };
    let refund_macro = macro_id("Refund on its way");

    // Ana fills it on the English case: every value known, the action named.
    let filled = ana.get(&format!("{case_path}?macro={refund_macro}")).await;
    assert_eq!(filled.status, StatusCode::OK);
    assert!(
        filled.body.contains("Hi Ana Kowalska, order 1042 is refunded. Tracking: JD0001. Ana</textarea>"),
        "{}",
        filled.body
    );
    assert!(filled.body.contains("When sent, the case also moves to: Resolved"), "{}", filled.body);
    assert!(!filled.body.contains("id=\"macro-missing\""));
    // On a case about no order, the values it lacks are left out and named, never shown raw.
    let walk_in = app.open_case(&shop.key, &crate::fixtures::case_without_order("Opening hours")).await;
    let lacking =
        ana.get(&format!("/desk/macro-shop/cases/{}?macro={refund_macro}", text(&walk_in["case"]["id"]))).await;
    assert!(lacking.body.contains("Hi , order  is refunded. Tracking: . Ana</textarea>"), "{}", lacking.body);
    assert!(lacking.body.contains("write it in yourself: customer name, order number, tracking number"));
    assert!(!lacking.body.contains("{tracking_number}") && !lacking.body.contains("{customer_name}"));
    // A macro with no English and no shop-language text falls back to the one it has.
    let polish = ana.get(&format!("{case_path}?macro={}", macro_id("Only Polish"))).await;
    assert!(polish.body.contains("Dzień dobry Ana Kowalska</textarea>"), "{}", polish.body);

    // A reply still holding a variable is refused and nothing is sent.
    let token = form_token(&filled.body);
    let seen = hidden(&filled.body, "seen");
    let raw = ana
        .post(
            &format!("{case_path}/reply"),
            &[("form_token", &token), ("body", "Hi {customer_name}"), ("seen", &seen), ("macro", &refund_macro)],
        )
        .await;
    assert_eq!(raw.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.case_view(&shop.key, &case_id).await["messages"].as_array().unwrap().len(), 1);

    // Sent as completed, the reply goes and the macro's action resolves the case, on its timeline.
    let sent = ana
        .post(
            &format!("{case_path}/reply"),
            &[
                ("form_token", &token),
                ("body", "Hi Ana Kowalska, order 1042 is refunded. Ana"),
                ("seen", &seen),
                ("macro", &refund_macro),
            ],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 2);
    assert_eq!(view["case"]["status"], "resolved");
    assert!(view["timeline"].as_array().unwrap().iter().any(|e| e["event"]["type"] == "status_changed"
        && e["event"]["to"] == "resolved"
        && e["actor"]["name"] == "Ana"));

    // The lead deletes it; it is gone from the case page.
    let page = lea.get("/desk/macro-shop/macros").await;
    let deleted = lea
        .post(&format!("/desk/macro-shop/macros/{refund_macro}/delete"), &[("form_token", &form_token(&page.body))])
        .await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    assert!(!ana.get(&case_path).await.body.contains("Refund on its way"));
}

on_both_backends!(bulk_actions_report_each_case_and_views_are_saved);

async fn bulk_actions_report_each_case_and_views_are_saved(app: &TestApp) {
    let shop = app.create_store("bulk-shop").await;
    team_member(app, &shop.id, "ana@bulk.example", "Ana", Role::Agent).await;
    let bo = team_member(app, &shop.id, "bo@bulk.example", "Bo", Role::Agent).await;
    let mut ids = Vec::new();
    for subject in ["First question", "Second question", "Third question"] {
        let case = app.open_case(&shop.key, &crate::fixtures::case_without_order(subject)).await;
        ids.push(text(&case["case"]["id"]));
    }
    // The third is closed already: resolving it is refused, the others are not held up.
    for to in ["resolved", "closed"] {
        app.post(&format!("/api/v1/cases/{}/status", ids[2]), &shop.key, &serde_json::json!({ "status": to }))
            .await
            .expect(200);
    }
    let mut ana = signed_in(app, "bulk-shop", "ana@bulk.example").await;
    let inbox = ana.get("/desk/bulk-shop?status=all").await;
    let token = form_token(&inbox.body);
    let chosen = |action: &str, extra: (&str, &str)| {
        let mut form: Vec<(String, String)> = vec![
            ("form_token".into(), token.clone()),
            ("filters".into(), "status=all".into()),
            ("action".into(), action.into()),
            (extra.0.into(), extra.1.into()),
        ];
        form.extend(ids.iter().map(|id| ("case".to_owned(), id.clone())));
        form
    };

    // Assigning to a name not on the team changes nothing at all.
    let refused = ana.post_bare("/desk/bulk-shop/bulk", &chosen("assign", ("to", "Someone Else"))).await;
    assert_eq!(refused.status, StatusCode::OK);
    assert!(refused.body.contains("assignee:"), "{}", refused.body);
    for id in &ids {
        assert_eq!(app.case_view(&shop.key, id).await["case"]["assignee"], Value::Null);
    }
    // Assigned to Bo, every one of them, each on its own timeline.
    let assigned = ana.post_bare("/desk/bulk-shop/bulk", &chosen("assign", ("to", &bo.id.to_string()))).await;
    assert!(assigned.body.contains("Cases changed: 3."), "{}", assigned.body);
    assert!(!assigned.body.contains("id=\"bulk-failed\""), "{}", assigned.body);
    for id in &ids {
        assert_eq!(app.case_view(&shop.key, id).await["case"]["assignee"]["name"], "Bo");
    }
    // Resolved together: two changed, the closed one named with the reason.
    let resolved = ana.post_bare("/desk/bulk-shop/bulk", &chosen("resolve", ("status", ""))).await;
    assert!(resolved.body.contains("Cases changed: 2."), "{}", resolved.body);
    let number = app.case_view(&shop.key, &ids[2]).await["case"]["number"].as_u64().unwrap();
    assert!(resolved.body.contains(&format!("<li>#{number}: ")), "{}", resolved.body);
    for id in &ids[..2] {
        let view = app.case_view(&shop.key, id).await;
        assert_eq!(view["case"]["status"], "resolved");
        assert!(view["timeline"].as_array().unwrap().iter().any(|e| e["event"]["type"] == "status_changed"));
    }

    // A saved view keeps the filters and is listed; another agent does not see it.
    let saved = ana
        .post(
            "/desk/bulk-shop/views",
            &[("form_token", &token), ("name", "Resolved by us"), ("filters", "status=resolved")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.location.as_deref(), Some("/desk/bulk-shop?status=resolved&done=view-saved"));
    let listed = ana.get("/desk/bulk-shop").await;
    assert!(listed.body.contains("<a href=\"/desk/bulk-shop?status=resolved\">Resolved by us</a>"), "{}", listed.body);
    let mut bo_browser = signed_in(app, "bulk-shop", "bo@bulk.example").await;
    assert!(!bo_browser.get("/desk/bulk-shop").await.body.contains("Resolved by us"));
    // An agent cannot share a view with the whole team.
    let shared = ana
        .post("/desk/bulk-shop/views", &[("form_token", &token), ("name", "Team"), ("filters", ""), ("team", "1")])
        .await;
    assert!(shared.body.contains("this needs a team lead or an admin"), "{}", shared.body);
    let blank = ana.post("/desk/bulk-shop/views", &[("form_token", &token), ("name", " "), ("filters", "")]).await;
    assert!(blank.body.contains("name: give a name"), "{}", blank.body);
}

on_both_backends!(macros_through_the_api_fill_a_case_in_its_language);

async fn macros_through_the_api_fill_a_case_in_its_language(app: &TestApp) {
    use reqwest::Method;
    use serde_json::json;
    let shop = app.create_store("api-macros").await;
    let lead = app.member_key(&shop, "Lea", "lead").await;
    let agent = app.member_key(&shop, "Ana", "agent").await;
    let (_, case_id) = double_charged(app, &shop.key).await;
    let input = json!({
        "name": "Where is it",
        "bodies": { "es": "Hola {customer_name}: {tracking_number}", "pt": "Olá {customer_name}" },
        "action": { "type": "set_status", "status": "waiting_on_customer" }
    });
    // Agents use macros; leads write them.
    app.post("/api/v1/macros", &agent, &input).await.error(403, "forbidden", None);
    let saved = app.post("/api/v1/macros", &lead, &input).await.expect(201);
    let id = text(&saved["id"]);
    app.post("/api/v1/macros", &lead, &input).await.error(400, "invalid_field", Some("name"));
    let bad = json!({ "name": "Bad", "bodies": { "en": "Hi {nme}" } });
    app.post("/api/v1/macros", &lead, &bad).await.error(400, "invalid_field", Some("bodies.en"));
    assert_eq!(app.get("/api/v1/macros", &agent).await.expect(200).as_array().unwrap().len(), 1);

    // The case is in English, which the macro lacks, as does the shop's language: the first
    // language written is used, every value filled.
    let filled = app.get(&format!("/api/v1/cases/{case_id}/macros/{id}"), &agent).await.expect(200);
    assert_eq!(filled["text"], "Hola Ana Kowalska: JD0001");
    assert_eq!(filled["missing"], json!([]));
    // Rewritten with English and an unknown order number, the English text fills and says what it lacks.
    let english = json!({ "name": "Where is it", "bodies": { "en": "Hi {customer_name}, parcel {tracking_number}." } });
    let put = app.call(Method::PUT, &format!("/api/v1/macros/{id}"), Some(&lead), Some(&english)).await.expect(200);
    assert_eq!(put["action"], Value::Null);
    let walk_in = app.open_case(&shop.key, &crate::fixtures::case_without_order("Hours")).await;
    let lacking =
        app.get(&format!("/api/v1/cases/{}/macros/{id}", text(&walk_in["case"]["id"])), &agent).await.expect(200);
    assert_eq!(lacking["text"], "Hi , parcel .");
    assert_eq!(lacking["missing"], json!(["customer_name", "tracking_number"]));

    app.call(Method::DELETE, &format!("/api/v1/macros/{id}"), Some(&agent), None).await.error(403, "forbidden", None);
    assert_eq!(app.call(Method::DELETE, &format!("/api/v1/macros/{id}"), Some(&lead), None).await.status, 204);
    app.call(Method::DELETE, &format!("/api/v1/macros/{id}"), Some(&lead), None).await.error(404, "not_found", None);
}

/// Presence on the App's clock: a member seen more than 30 seconds ago is no longer shown.
async fn presence_lapses_after_thirty_seconds(app: &TestApp, clock: std::sync::Arc<redress_app::ManualClock>) {
    let shop = app.create_store("lapse-shop").await;
    team_member(app, &shop.id, "ana@lapse.example", "Ana", Role::Agent).await;
    team_member(app, &shop.id, "bo@lapse.example", "Bo", Role::Agent).await;
    let (_, case_id) = double_charged(app, &shop.key).await;
    let case_path = format!("/desk/lapse-shop/cases/{case_id}");
    let mut ana = signed_in(app, "lapse-shop", "ana@lapse.example").await;
    let mut bo = signed_in(app, "lapse-shop", "bo@lapse.example").await;
    ana.get(&case_path).await;
    clock.advance(time::Duration::seconds(29));
    assert!(bo.get(&case_path).await.body.contains("<strong id=\"presence-names\">Ana</strong>"));
    clock.advance(time::Duration::seconds(2));
    let later = bo.get(&case_path).await;
    assert!(later.body.contains("<strong id=\"presence-names\"></strong>"), "Ana's 31 s ago: {}", later.body);
    // Ana is back: present again at once.
    assert!(ana.get(&case_path).await.body.contains("<strong id=\"presence-names\">Bo</strong>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_lapses_on_sqlite() {
    let clock = std::sync::Arc::new(redress_app::ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let configure = {
        let clock = clock.clone();
        move |app: redress_app::App| app.with_clock(clock)
    };
    presence_lapses_after_thirty_seconds(&TestApp::sqlite_with(configure).await, clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_lapses_on_postgres() {
    let clock = std::sync::Arc::new(redress_app::ManualClock::at(time::macros::datetime!(2026-12-07 10:00 UTC)));
    let configure = {
        let clock = clock.clone();
        move |app: redress_app::App| app.with_clock(clock)
    };
    let Some(app) = TestApp::postgres_with(configure).await else { return };
    presence_lapses_after_thirty_seconds(&app, clock).await;
}
