//! The assistant on messaging apps, against the local fake of WhatsApp: where the store's
//! policy has it answer there, a customer writing on WhatsApp talks to the assistant first
//! (verification, status with tracking) without a case being opened; Meta's redelivery of a
//! message is answered once; asking for a person hands the conversation over with a messaging
//! case, whose person's answers go back to WhatsApp; a number an agent linked to a customer
//! counts as proof of their latest order; with the setting off every message goes to a person.

use std::sync::Arc;

use redress_app::ManualClock;
use redress_connect::messaging::ChatChannel;
use redress_connect::messaging::fake::{FakeApi, FakeMessaging, FakeMessagingConfig};
use serde_json::json;

use crate::assistant::set_assistant_rules;
use crate::chat_answers::{START, configure, from_customer, sent_starting};
use crate::fixtures::order;
use crate::support::{TestApp, text};

fn says(id: &str, values: &[(&str, &str)]) -> String {
    redress_text::assistant::say("en", id, values)
}

/// The texts sent to `to` on WhatsApp so far.
fn sent_to(fake: &FakeMessaging, to: &str) -> Vec<String> {
    fake.sent().into_iter().filter(|s| s.api == FakeApi::WhatsApp && s.to == to).filter_map(|s| s.text).collect()
}

async fn the_assistant_answers_on_whatsapp_first(app: &TestApp, fake: &FakeMessaging) {
    let shop = app.create_store("north-wind").await;
    let meta = format!("{}/api/v1/webhooks/meta", app.base);
    let whatsapp = json!({ "channel": "whatsapp", "account_id": "100200300", "access_token": "fake-whatsapp-token" });
    app.post("/api/v1/settings/messaging-accounts", &shop.admin, &whatsapp).await.expect(201);
    app.create_order(&shop.key, &order("NW-100", "ana@example.com")).await;
    let linked = app.create_order(&shop.key, &order("NW-200", "bea@example.com")).await;

    // Off (the default): a WhatsApp message opens a case for a person, as before.
    let before = from_customer(ChatChannel::WhatsApp, "100200300", "wamid.0", "48600000001", "Where is my parcel?");
    assert_eq!(fake.deliver(&meta, &fake.whatsapp_delivery(&[before], &[])).await.unwrap(), 200);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);

    set_assistant_rules(app, &shop.admin, "on_messaging_apps = true\n").await;
    let customer = "48600100200";
    let ask = from_customer(ChatChannel::WhatsApp, "100200300", "wamid.1", customer, "Where is my parcel?");
    let delivery = fake.whatsapp_delivery(&[ask], &[]);
    assert_eq!(fake.deliver(&meta, &delivery).await.unwrap(), 200);
    let asked = sent_starting(fake, &says("assistant-ask-verify", &[])).await;
    assert_eq!(asked[0].to, customer);
    assert_eq!(asked[0].reply_to.as_deref(), Some("wamid.1"), "the answer quotes the customer's message");
    // Meta delivers the same message again: it is answered once.
    assert_eq!(fake.deliver(&meta, &delivery).await.unwrap(), 200);

    let pair = from_customer(ChatChannel::WhatsApp, "100200300", "wamid.2", customer, "NW-100, ana@example.com");
    assert_eq!(fake.deliver(&meta, &fake.whatsapp_delivery(&[pair], &[])).await.unwrap(), 200);
    let status = sent_starting(fake, &says("assistant-verified", &[("number", "NW-100")])).await;
    let status = status[0].text.clone().unwrap_or_default();
    assert!(status.contains("JD0001") && status.contains("https://www.dhl.com/"), "{status}");
    assert_eq!(sent_to(fake, customer).len(), 2, "one answer per message: {:?}", sent_to(fake, customer));
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1, "a status needs no case");

    // Asking for a person: a messaging case with the transcript, and the customer is told.
    let person = from_customer(ChatChannel::WhatsApp, "100200300", "wamid.3", customer, "I want to talk to a person");
    assert_eq!(fake.deliver(&meta, &fake.whatsapp_delivery(&[person], &[])).await.unwrap(), 200);
    let cases = app.all_cases(&shop.key, "").await;
    assert_eq!(cases.len(), 2, "the hand-off opened a case");
    let case = cases.iter().find(|c| c["channel"] == "social").cloned().unwrap_or_else(|| cases[0].clone());
    let case_id = text(&case["id"]);
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["case"]["channel"], "social", "{view}");
    let first = text(&view["messages"][0]["body"]);
    assert!(first.contains("Where is my parcel?") && first.contains("NW-100"), "the transcript: {first}");
    let number = format!("#{}", view["case"]["number"]);
    sent_starting(fake, &says("assistant-handoff", &[("case", &number)])).await;

    // The person's answer goes back to WhatsApp; the customer's next words reach the case.
    let answer = json!({ "direction": "outbound", "body": "Hello Ana, Olga here. Let me check with DHL." });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);
    let sent = sent_starting(fake, "Hello Ana, Olga here").await;
    assert_eq!((sent[0].api, sent[0].to.as_str()), (FakeApi::WhatsApp, customer));
    let thanks = from_customer(ChatChannel::WhatsApp, "100200300", "wamid.4", customer, "Thank you Olga!");
    assert_eq!(fake.deliver(&meta, &fake.whatsapp_delivery(&[thanks], &[])).await.unwrap(), 200);
    let view = app.case_view(&shop.key, &case_id).await;
    let last = view["messages"].as_array().unwrap().last().cloned().unwrap();
    assert_eq!((last["direction"].as_str(), last["body"].as_str()), (Some("inbound"), Some("Thank you Olga!")));
    let sent_after = sent_to(fake, customer);
    assert!(
        sent_after.last().is_some_and(|t| t.starts_with("Hello Ana, Olga here")),
        "the assistant no longer answers: {sent_after:?}"
    );

    // A number an agent linked to Bea proves her latest order: no questions before the status.
    let link = format!("/api/v1/customers/{}/identities", text(&linked["customer_id"]));
    app.post(&link, &shop.key, &json!({ "kind": "whatsapp", "value": "+48 600 300 400" })).await.expect(204);
    let bea = from_customer(ChatChannel::WhatsApp, "100200300", "wamid.5", "48600300400", "Where is my parcel?");
    assert_eq!(fake.deliver(&meta, &fake.whatsapp_delivery(&[bea], &[])).await.unwrap(), 200);
    let told = loop {
        if let Some(told) = sent_to(fake, "48600300400").into_iter().next() {
            break told;
        }
        tokio::task::yield_now().await;
    };
    assert!(told.contains("NW-200") && told.contains("JD0001"), "{told}");
    assert!(!told.contains(&says("assistant-ask-verify", &[])), "{told}");
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assistant_answers_on_whatsapp_first_sqlite() {
    let fake = FakeMessaging::serve(FakeMessagingConfig::default()).await.unwrap();
    let app = TestApp::sqlite_with(configure(&fake, Arc::new(ManualClock::at(START)))).await;
    the_assistant_answers_on_whatsapp_first(&app, &fake).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assistant_answers_on_whatsapp_first_postgres() {
    let fake = FakeMessaging::serve(FakeMessagingConfig::default()).await.unwrap();
    let Some(app) = TestApp::postgres_with(configure(&fake, Arc::new(ManualClock::at(START)))).await else { return };
    the_assistant_answers_on_whatsapp_first(&app, &fake).await;
}
