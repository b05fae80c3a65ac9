//! The desk live, over HTTP: two agents on one case see each other (presence kept in the
//! database), a reply written on a case that changed meanwhile is held back with what changed
//! and goes only when the agent confirms, the case page's stream carries the other agent's
//! answer, and a case is assigned only to a member of the team.

use std::time::Duration;

use redress_domain::approval::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::browser::form_token;
use crate::fixtures::double_charged;
use crate::support::{TestApp, on_both_backends, text};
use crate::workspace::{hidden, signed_in, team_member};

/// Reads a case page's server-sent events until `found` holds for one; returns it.
async fn event_until(response: &mut reqwest::Response, found: impl Fn(&Value) -> bool) -> Value {
    let mut buffer = String::new();
    let read = async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    let batch: Value = serde_json::from_str(data.trim()).unwrap();
                    if found(&batch) {
                        return batch;
                    }
                }
            }
        }
        panic!("the stream ended first");
    };
    // A bound for a broken server, not a wait: events come within the server's poll.
    tokio::time::timeout(Duration::from_secs(30), read).await.expect("the event arrived")
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
    assert!(alone.body.contains("id=\"presence\" class=\"notice\" role=\"status\" hidden"), "{}", alone.body);
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
