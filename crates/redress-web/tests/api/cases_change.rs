//! Changing a case: messages, status, assignee, notes, phone calls, priority. Every refused change leaves
//! the case, its messages and its timeline exactly as they were.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{case_on_order, order};
use crate::support::{Shop, TestApp, on_both_backends, text};

on_both_backends!(
    messages_move_the_case,
    status_changes_follow_the_machine,
    assigning_and_unassigning,
    notes_and_priority,
    phone_calls_are_logged
);

struct Fixture {
    shop: Shop,
    case_id: String,
}

impl Fixture {
    async fn new(app: &TestApp) -> Fixture {
        let shop = app.create_store("north-wind").await;
        let order = app.create_order(&shop.key, &order("A-1001", "ana@example.com")).await;
        let view = app.open_case(&shop.key, &case_on_order(&text(&order["id"]), "Broken mug")).await;
        Fixture { case_id: text(&view["case"]["id"]), shop }
    }

    fn path(&self, what: &str) -> String {
        format!("/api/v1/cases/{}/{what}", self.case_id)
    }

    async fn view(&self, app: &TestApp) -> Value {
        app.case_view(&self.shop.key, &self.case_id).await
    }

    async fn post(&self, app: &TestApp, what: &str, body: Value) -> crate::support::Reply {
        app.post(&self.path(what), &self.shop.key, &body).await
    }

    /// Posts a change that must be refused with this status, code and field, and checks that
    /// nothing about the case changed.
    async fn refused(&self, app: &TestApp, what: &str, body: Value, status: u16, code: &str, field: Option<&str>) {
        let before = self.view(app).await;
        let reply = self.post(app, what, body.clone()).await;
        assert_eq!(reply.status, status, "{what} {body}: {}", reply.body);
        reply.error(status, code, field);
        assert_eq!(self.view(app).await, before, "{what} {body} was refused but changed the case");
    }

    async fn status(&self, app: &TestApp, to: &str) -> Value {
        self.post(app, "status", json!({"status": to})).await.expect(200)
    }
}

/// A well-formed id no team member has.
fn uuid_nobody() -> String {
    "00000000-0000-4000-8000-000000000000".to_owned()
}

fn event_types(view: &Value) -> Vec<String> {
    view["timeline"].as_array().unwrap().iter().map(|item| text(&item["event"]["type"])).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_case() {
    let app = TestApp::sqlite().await;
    let f = Fixture::new(&app).await;
    let view = f.view(&app).await;
    assert_eq!(view["case"]["id"], f.case_id.as_str());
    assert_eq!(view["messages"].as_array().unwrap().len(), 1);
    assert_eq!(event_types(&view), ["opened", "message_added"]);
    for id in [
        uuid::Uuid::now_v7().to_string(),
        "not-a-case".to_owned(),
        "1".to_owned(),
        format!("{}x", f.case_id),
        f.shop.id.clone(),
    ] {
        app.get(&format!("/api/v1/cases/{id}"), &f.shop.key).await.error(404, "not_found", None);
    }
}

async fn messages_move_the_case(app: &TestApp) {
    let f = Fixture::new(app).await;

    // The shop's first answer opens a new case.
    let added = f
        .post(app, "messages", json!({"direction": "outbound", "body": "Sorry! A new mug is on its way."}))
        .await
        .expect(201);
    assert_eq!(added["case"]["status"], "open");
    assert_eq!(added["case"]["version"], 2);
    let message = &added["message"];
    assert_eq!(message["direction"], "outbound");
    assert_eq!(message["channel"], "email", "the case's channel");
    assert_eq!(message["author"], json!({"type": "integration", "name": "default"}));
    assert_eq!(message["case_id"], f.case_id.as_str());
    let view = f.view(app).await;
    assert_eq!(view["case"], added["case"]);
    assert_eq!(view["messages"][1], *message);
    assert_eq!(event_types(&view), ["opened", "message_added", "message_added", "status_changed"]);
    assert_eq!(view["timeline"][3]["event"], json!({"type": "status_changed", "from": "new", "to": "open"}));
    assert_eq!(
        view["timeline"][2]["event"],
        json!({"type": "message_added", "message_id": message["id"], "direction": "outbound", "channel": "email"})
    );

    // An agent's answer, with an attachment, on another channel: the author is whoever's key
    // sent it, never a name in the body.
    let maria = app.member(&f.shop, "Maria", "agent").await;
    let reply = f
        .post(app, "messages", json!({"direction": "outbound", "body": "Tracking attached.", "author": "maria"}))
        .await;
    reply.error(400, "invalid_field", Some("author"));
    let added = app
        .post(
            &f.path("messages"),
            &maria.key,
            &json!({"direction": "outbound", "body": "Tracking attached.", "channel": "chat",
                   "attachments": [{"filename": "label.pdf", "content_type": "application/pdf", "size_bytes": 100}]}),
        )
        .await
        .expect(201);
    assert_eq!(added["message"]["author"], json!({"type": "agent", "name": "Maria"}));
    assert_eq!(added["message"]["channel"], "chat");
    assert_eq!(added["message"]["attachments"][0]["filename"], "label.pdf");
    assert_eq!(added["case"]["status"], "open");

    // The customer's answer to a case waiting on them puts it back in front of an agent.
    f.status(app, "waiting_on_customer").await;
    let added = f.post(app, "messages", json!({"direction": "inbound", "body": "Thanks, got it."})).await.expect(201);
    assert_eq!(added["case"]["status"], "open");
    assert_eq!(added["message"]["author"], json!({"type": "customer", "handle": "ana@example.com"}));
    let view = f.view(app).await;
    let last = view["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["event"], json!({"type": "status_changed", "from": "waiting_on_customer", "to": "open"}));
    assert_eq!(last["actor"], json!({"type": "customer", "handle": "ana@example.com"}));

    // Inbound on a case waiting on a third party leaves it waiting.
    f.status(app, "waiting_on_third_party").await;
    let added = f
        .post(app, "messages", json!({"direction": "inbound", "body": "Any news?", "author": "ana (phone)"}))
        .await
        .expect(201);
    assert_eq!(added["case"]["status"], "waiting_on_third_party");
    assert_eq!(added["message"]["author"], json!({"type": "customer", "handle": "ana (phone)"}));

    // On a resolved case the customer's message reopens it.
    f.status(app, "resolved").await;
    let added = f
        .post(app, "messages", json!({"direction": "inbound", "body": "The new one is broken too."}))
        .await
        .expect(201);
    assert_eq!(added["case"]["status"], "open");
    let view = f.view(app).await;
    let types = event_types(&view);
    assert_eq!(types[types.len() - 3..], ["message_added", "reopened", "status_changed"]);
    assert_eq!(view["messages"].as_array().unwrap().len(), 6);
    // Timeline positions only grow.
    let seqs: Vec<i64> = view["timeline"].as_array().unwrap().iter().map(|t| t["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");

    // Refused messages.
    f.refused(app, "messages", json!({"direction": "outbound", "body": "  "}), 400, "invalid_field", Some("body"))
        .await;
    f.refused(
        app,
        "messages",
        json!({"direction": "outbound", "body": "b".repeat(256 * 1024 + 1)}),
        400,
        "invalid_field",
        Some("body"),
    )
    .await;
    f.refused(app, "messages", json!({"direction": "sideways", "body": "hi"}), 400, "unknown_value", Some("direction"))
        .await;
    f.refused(app, "messages", json!({"body": "hi"}), 400, "missing_field", Some("direction")).await;
    f.refused(app, "messages", json!({"direction": "inbound"}), 400, "missing_field", Some("body")).await;
    f.refused(
        app,
        "messages",
        json!({"direction": "inbound", "body": "hi", "channel": "pigeon"}),
        400,
        "unknown_value",
        Some("channel"),
    )
    .await;
    f.refused(
        app,
        "messages",
        json!({"direction": "inbound", "body": "hi",
               "attachments": [{"filename": "a", "content_type": "nope", "size_bytes": 1}]}),
        400,
        "invalid_field",
        Some("attachments[0].content_type"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_case_takes_notes_but_no_messages_until_reopened() {
    let app = TestApp::sqlite().await;
    let f = Fixture::new(&app).await;
    f.status(&app, "closed").await;
    for direction in ["inbound", "outbound"] {
        f.refused(&app, "messages", json!({"direction": direction, "body": "Hello?"}), 409, "case_closed", None).await;
    }
    let noted = f.post(&app, "notes", json!({"body": "Customer phoned; told them to reply after reopen."})).await;
    let case = noted.expect(201);
    assert_eq!(case["status"], "closed");
    let reopened = f.status(&app, "open").await;
    assert_eq!(reopened["status"], "open");
    let view = f.view(&app).await;
    assert_eq!(event_types(&view)[event_types(&view).len() - 2..], ["reopened", "status_changed"]);
    assert_eq!(
        view["timeline"].as_array().unwrap().last().unwrap()["event"],
        json!({"type": "status_changed", "from": "closed", "to": "open"})
    );
    f.post(&app, "messages", json!({"direction": "inbound", "body": "Hello again"})).await.expect(201);
}

async fn status_changes_follow_the_machine(app: &TestApp) {
    let f = Fixture::new(app).await;
    f.refused(app, "status", json!({"status": "new"}), 409, "no_change", None).await;
    let case = f.status(app, "open").await;
    assert_eq!(case["status"], "open");
    assert_eq!(case["version"], 2);
    assert_eq!(case["id"], f.case_id.as_str());
    f.refused(app, "status", json!({"status": "new"}), 409, "illegal_transition", None).await;
    f.refused(app, "status", json!({"status": "open"}), 409, "no_change", None).await;
    f.status(app, "waiting_on_third_party").await;
    f.status(app, "resolved").await;
    f.refused(app, "status", json!({"status": "waiting_on_customer"}), 409, "illegal_transition", None).await;
    f.refused(app, "status", json!({"status": "waiting_on_third_party"}), 409, "illegal_transition", None).await;
    f.refused(app, "status", json!({"status": "resolved"}), 409, "no_change", None).await;
    f.status(app, "closed").await;
    f.refused(app, "status", json!({"status": "resolved"}), 409, "illegal_transition", None).await;
    f.refused(app, "status", json!({"status": "closed"}), 409, "no_change", None).await;
    f.refused(app, "status", json!({"status": "teleported"}), 400, "unknown_value", Some("status")).await;
    f.refused(app, "status", json!({"status": "Open"}), 400, "unknown_value", Some("status")).await;
    f.refused(app, "status", json!({}), 400, "missing_field", Some("status")).await;
    let view = f.view(app).await;
    assert_eq!(view["case"]["version"], 5);
    assert_eq!(
        event_types(&view),
        ["opened", "message_added", "status_changed", "status_changed", "status_changed", "status_changed"]
    );
    let reopened = f.status(app, "open").await;
    assert_eq!(reopened["version"], 6);
    let view = f.view(app).await;
    assert_eq!(view["timeline"][6]["event"], json!({"type": "reopened", "from": "closed"}));
    assert_eq!(view["timeline"][6]["actor"], json!({"type": "integration", "name": "default"}));
}

async fn assigning_and_unassigning(app: &TestApp) {
    let f = Fixture::new(app).await;
    f.refused(app, "assignee", json!({"assignee": null}), 409, "no_change", None).await;
    let maria = app.member(&f.shop, "Maria", "agent").await;
    let joao = app.member(&f.shop, "João", "agent").await;
    let case = f.post(app, "assignee", json!({"assignee": format!(" {} ", maria.id)})).await.expect(200);
    assert_eq!(case["assignee"], json!({"agent_id": maria.id, "name": "Maria"}));
    assert_eq!(case["status"], "open", "assigning a new case opens it");
    let view = f.view(app).await;
    assert_eq!(view["timeline"][2]["event"], json!({"type": "assigned", "from": null, "to": "Maria"}));
    assert_eq!(event_types(&view)[3..], ["status_changed"]);
    f.refused(app, "assignee", json!({"assignee": maria.id}), 409, "no_change", None).await;
    f.refused(app, "assignee", json!({"assignee": "maria"}), 400, "invalid_field", Some("assignee")).await;
    f.refused(app, "assignee", json!({"assignee": uuid_nobody()}), 400, "invalid_field", Some("assignee")).await;
    f.refused(app, "assignee", json!({"assignee": "   "}), 400, "invalid_field", Some("assignee")).await;
    f.refused(app, "assignee", json!({"assignee": "a".repeat(201)}), 400, "invalid_field", Some("assignee")).await;
    f.refused(app, "assignee", json!({"assignee": 7}), 400, "invalid_field", Some("assignee")).await;
    f.refused(app, "assignee", json!({}), 400, "missing_field", Some("assignee")).await;
    f.refused(app, "assignee", json!({"agent": "maria"}), 400, "invalid_field", Some("agent")).await;
    let case = f.post(app, "assignee", json!({"assignee": joao.id})).await.expect(200);
    assert_eq!(case["assignee"]["name"], "João");
    let case = f.post(app, "assignee", json!({"assignee": null})).await.expect(200);
    assert!(case["assignee"].is_null());
    assert_eq!(case["status"], "open", "unassigning does not change the status");
    let view = f.view(app).await;
    assert_eq!(
        view["timeline"].as_array().unwrap().last().unwrap()["event"],
        json!({"type": "assigned", "from": "João", "to": null})
    );
}

async fn notes_and_priority(app: &TestApp) {
    let f = Fixture::new(app).await;
    let case = f.post(app, "notes", json!({"body": "Photos look genuine."})).await.expect(201);
    assert_eq!(case["version"], 2);
    assert_eq!(case["status"], "new", "a note changes no status");
    f.refused(
        app,
        "notes",
        json!({"body": "Reship approved.", "author": "maria"}),
        400,
        "invalid_field",
        Some("author"),
    )
    .await;
    let maria = app.member_key(&f.shop, "Maria", "agent").await;
    let case = app.post(&f.path("notes"), &maria, &json!({"body": "Reship approved."})).await.expect(201);
    assert_eq!(case["version"], 3);
    let view = f.view(app).await;
    assert_eq!(view["timeline"][2]["event"], json!({"type": "note_added", "body": "Photos look genuine."}));
    assert_eq!(view["timeline"][2]["actor"], json!({"type": "integration", "name": "default"}));
    assert_eq!(view["timeline"][3]["actor"], json!({"type": "agent", "name": "Maria"}));
    assert_eq!(view["messages"].as_array().unwrap().len(), 1, "notes are not messages");
    f.refused(app, "notes", json!({"body": ""}), 400, "invalid_field", Some("body")).await;
    f.refused(app, "notes", json!({"body": " \t "}), 400, "invalid_field", Some("body")).await;
    f.refused(app, "notes", json!({}), 400, "missing_field", Some("body")).await;
    f.refused(app, "notes", json!({"body": "x", "visibility": "public"}), 400, "invalid_field", Some("visibility"))
        .await;

    let case = f.post(app, "priority", json!({"priority": "urgent"})).await.expect(200);
    assert_eq!(case["priority"], "urgent");
    let created = time::OffsetDateTime::parse(
        case["created_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let due = time::OffsetDateTime::parse(
        case["response_due_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(due - created, time::Duration::hours(1), "the deadline moves with the priority");
    let view = f.view(app).await;
    assert_eq!(
        view["timeline"].as_array().unwrap().last().unwrap()["event"],
        json!({"type": "priority_changed", "from": "low", "to": "urgent"})
    );
    f.refused(app, "priority", json!({"priority": "urgent"}), 409, "no_change", None).await;
    f.refused(app, "priority", json!({"priority": "critical"}), 400, "unknown_value", Some("priority")).await;
    f.refused(app, "priority", json!({}), 400, "missing_field", Some("priority")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changes_to_unknown_or_malformed_case_ids_are_404() {
    let app = TestApp::sqlite().await;
    let f = Fixture::new(&app).await;
    let before = f.view(&app).await;
    let changes = [
        ("messages", json!({"direction": "outbound", "body": "hi"})),
        ("status", json!({"status": "resolved"})),
        ("assignee", json!({"assignee": "maria"})),
        ("notes", json!({"body": "note"})),
        ("priority", json!({"priority": "urgent"})),
    ];
    for id in [uuid::Uuid::now_v7().to_string(), "not-a-case".to_owned(), "42".to_owned()] {
        for (what, body) in &changes {
            let reply = app.post(&format!("/api/v1/cases/{id}/{what}"), &f.shop.key, body).await;
            assert_eq!(reply.status, 404, "{what} on {id}: {}", reply.body);
            reply.error(404, "not_found", None);
        }
    }
    assert_eq!(f.view(&app).await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_that_are_not_json_change_nothing() {
    let app = TestApp::sqlite().await;
    let f = Fixture::new(&app).await;
    let before = f.view(&app).await;
    for what in ["messages", "status", "assignee", "notes", "priority"] {
        let path = f.path(what);
        app.raw(Method::POST, &path, Some(&f.shop.key), None, r#"{"status": "resolved"}"#).await.error(
            415,
            "unsupported_media_type",
            None,
        );
        app.raw(Method::POST, &path, Some(&f.shop.key), Some("application/json"), "{,}").await.error(
            400,
            "invalid_json",
            None,
        );
        app.raw(Method::POST, &path, Some(&f.shop.key), Some("application/json"), vec![b'{'; 1024 * 1024 + 1])
            .await
            .error(413, "body_too_large", None);
    }
    assert_eq!(f.view(&app).await, before);
}

/// An author is a person's name or handle, recorded on the timeline as who did it: like a blank
/// assignee (refused above), a blank author names nobody and must be refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blank_authors_are_refused() {
    let app = TestApp::sqlite().await;
    let f = Fixture::new(&app).await;
    let before = f.view(&app).await;
    let mut accepted = Vec::new();
    for author in ["", "   ", "\n\t"] {
        for (what, body) in [
            ("messages", json!({"direction": "outbound", "body": "hi", "author": author})),
            ("messages", json!({"direction": "inbound", "body": "hi", "author": author})),
            ("notes", json!({"body": "hi", "author": author})),
        ] {
            let reply = f.post(&app, what, body.clone()).await;
            if reply.status.is_success() {
                accepted.push(format!("{what} {body} -> {}", reply.status));
            } else {
                reply.error(400, "invalid_field", Some("author"));
            }
        }
    }
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
    assert_eq!(f.view(&app).await, before);
}

async fn phone_calls_are_logged(app: &TestApp) {
    let f = Fixture::new(app).await;
    let maria = app.member_key(&f.shop, "Maria", "agent").await;
    let call = json!({"direction": "inbound", "duration_seconds": 312, "summary": "Ana called: the mug came chipped; photos by email."});
    let case = app.post(&f.path("calls"), &maria, &call).await.expect(201);
    assert_eq!(case["status"], "new", "a call changes no status");
    let view = f.view(app).await;
    let logged = view["timeline"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        logged["event"],
        json!({"type": "call_logged", "direction": "inbound", "duration_seconds": 312,
               "summary": "Ana called: the mug came chipped; photos by email."})
    );
    assert_eq!(logged["actor"], json!({"type": "agent", "name": "Maria"}));
    f.refused(
        app,
        "calls",
        json!({"direction": "outbound", "duration_seconds": 14_401, "summary": "x"}),
        400,
        "invalid_field",
        Some("duration_seconds"),
    )
    .await;
    f.refused(
        app,
        "calls",
        json!({"direction": "outbound", "duration_seconds": 0, "summary": "  "}),
        400,
        "invalid_field",
        Some("summary"),
    )
    .await;
    f.refused(
        app,
        "calls",
        json!({"direction": "sideways", "duration_seconds": 0, "summary": "x"}),
        400,
        "unknown_value",
        Some("direction"),
    )
    .await;
    f.refused(
        app,
        "calls",
        json!({"direction": "inbound", "duration_seconds": -1, "summary": "x"}),
        400,
        "invalid_field",
        Some("duration_seconds"),
    )
    .await;
}
