//! The assistant from a shop's own site and live: the browser's CORS questions answered for
//! the sites the store's policy lists and no other, and a conversation's lines streamed as
//! server-sent events, so a person's answer after a hand-off reaches the open chat at once,
//! from where the browser was (`after`, `Last-Event-ID`).

use std::time::Duration;

use reqwest::header::{ACCESS_CONTROL_ALLOW_ORIGIN, ORIGIN};
use serde_json::{Value, json};

use crate::assistant::set_assistant_rules;
use crate::support::{TestApp, on_both_backends, text};

on_both_backends!(a_shops_site_talks_to_the_assistant_and_hears_a_person_live);

const SITE: &str = "https://shop.north-wind.example";

/// Reads server-sent events until one carries a line with `words`; returns the events' data.
async fn lines_until(response: &mut reqwest::Response, words: &str) -> Vec<Value> {
    events_until(response, |batch| batch["lines"].as_array().unwrap().iter().any(|l| text(&l["text"]).contains(words)))
        .await
}

/// Reads server-sent events until `found` holds for one; returns the events' data so far.
pub(crate) async fn events_until(response: &mut reqwest::Response, found: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut buffer = String::new();
    let mut events = Vec::new();
    let read = async {
        while let Some(chunk) = response.chunk().await.unwrap() {
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let event: String = buffer.drain(..end + 2).collect();
                if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data:")) {
                    let batch: Value = serde_json::from_str(data.trim()).unwrap();
                    let done = found(&batch);
                    events.push(batch);
                    if done {
                        return;
                    }
                }
            }
        }
        panic!("the stream ended first: {events:?}");
    };
    // A bound for a broken server, not a wait: events come within the server's poll.
    tokio::time::timeout(Duration::from_secs(30), read).await.expect("the event arrived");
    events
}

async fn a_shops_site_talks_to_the_assistant_and_hears_a_person_live(app: &TestApp) {
    let shop = app.create_store("north-wind").await;
    set_assistant_rules(app, &shop.admin, &format!("chat_origins = [\"{SITE}\"]\n")).await;
    let client = reqwest::Client::new();
    let assistant = format!("{}/s/north-wind/assistant", app.base);

    // The browser asks first; only the shop's own site is answered.
    let asked = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, &assistant)
            .header(ORIGIN, origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = asked(SITE).await.unwrap();
    assert_eq!(allowed.status(), 204);
    assert_eq!(allowed.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], SITE);
    assert!(allowed.headers()["access-control-allow-headers"].to_str().unwrap().contains("content-type"));
    let refused = asked("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), 403);
    assert!(refused.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    let say = |conversation: Option<String>, words: &'static str| {
        let mut body = json!({ "text": words, "language": "en" });
        if let Some(id) = conversation {
            body["conversation"] = json!(id);
        }
        client.post(&assistant).header(ORIGIN, SITE).json(&body).send()
    };
    let first = say(None, "Hello, I have a question about my order").await.unwrap();
    assert_eq!(first.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], SITE);
    let first: Value = first.json().await.unwrap();
    let conversation = text(&first["conversation"]);
    let replies = first["replies"].as_array().unwrap().len() as u64;
    assert_eq!(first["lines"], json!(1 + replies), "the customer's line and the replies so far");
    let handed: Value =
        say(Some(conversation.clone()), "I want to talk to a person please").await.unwrap().json().await.unwrap();
    assert_eq!(handed["handed_off"], json!(true), "{handed}");
    let case_id = text(&handed["case"]);
    let after = handed["lines"].as_u64().unwrap();

    // Listening from the last line it has, the page hears a person's answer at once.
    let events = format!("{}/s/north-wind/assistant/{conversation}/events", app.base);
    let mut live = client.get(format!("{events}?after={after}")).header(ORIGIN, SITE).send().await.unwrap();
    assert_eq!(live.status(), 200);
    assert_eq!(live.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], SITE);
    assert!(live.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let answer = json!({ "direction": "outbound", "body": "Hi, this is Maria. I am looking at your order now." });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);
    let heard = lines_until(&mut live, "this is Maria").await;
    let lines: Vec<&Value> = heard.iter().flat_map(|b| b["lines"].as_array().unwrap()).collect();
    assert_eq!(lines.len(), 1, "only what came after: {heard:?}");
    assert_eq!((lines[0]["number"].as_u64(), lines[0]["by_customer"].as_bool()), (Some(after), Some(false)));
    assert_eq!(lines[0]["by_person"], json!(true), "a person's answer, not the assistant's");
    assert_eq!(heard[0]["handed_off"], json!(true));

    // A browser reconnecting from the event it saw gets the rest, not the start again.
    let mut again =
        client.get(format!("{events}?after=0")).header("last-event-id", after.to_string()).send().await.unwrap();
    let resumed = lines_until(&mut again, "this is Maria").await;
    assert_eq!(resumed[0]["lines"][0]["number"].as_u64(), Some(after));
    // From the start, the whole conversation kept.
    let mut whole = client.get(format!("{events}?after=0")).send().await.unwrap();
    let all = lines_until(&mut whole, "this is Maria").await;
    assert_eq!(all[0]["lines"][0]["text"], "Hello, I have a question about my order");
    assert_eq!(all[0]["lines"][1]["by_person"], json!(false), "the assistant's greeting");
    assert!(whole.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "no origin asked, none allowed");

    // No such conversation: refused at once.
    let unknown =
        client.get(format!("{}/s/north-wind/assistant/{}/events", app.base, uuid::Uuid::new_v4())).send().await;
    assert_eq!(unknown.unwrap().status(), 404);
}
