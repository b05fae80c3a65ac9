//! Answers on messaging apps, against the local fake of WhatsApp, Messenger and Telegram: an
//! agent's answer goes back to the conversation the customer wrote from, long answers in parts,
//! the providers' reports move it forward (read) or end it (failed), the customer-service window
//! is kept (a WhatsApp answer after 24 hours is not sent, and says why; Messenger's Human Agent
//! tag reaches 7 days), a photo sent on WhatsApp is kept with the case, and a Telegram bot
//! registers its own webhook and talks both ways.

use std::sync::Arc;
use std::time::Duration;

use redress_app::ManualClock;
use redress_app::messaging_out::ChatApis;
use redress_app::outbox::OutboxPolicy;
use redress_app::platforms::SecretsKey;
use redress_connect::messaging::fake::{FakeApi, FakeMessaging, FakeMessagingConfig, RecordedSend};
use redress_connect::messaging::{
    ChatChannel, ChatIdentity, DeliveryStatus, InboundChatMessage, MediaKind, MediaRef, MediaSource, StatusError,
};
use reqwest::Method;
use serde_json::json;
use time::macros::datetime;

use crate::channels::wait_for_outbox;
use crate::support::{Shop, TestApp, text};

pub(crate) const START: time::OffsetDateTime = datetime!(2026-12-05 10:00 UTC);

pub(crate) fn configure(
    fake: &FakeMessaging,
    clock: Arc<ManualClock>,
) -> impl FnOnce(redress_app::App) -> redress_app::App {
    let apis = ChatApis { graph_url: fake.graph_url(), telegram_url: fake.telegram_url() };
    move |app| {
        let key = SecretsKey::parse(&"7e".repeat(32)).unwrap();
        let policy = OutboxPolicy { poll_every: Duration::from_millis(20), ..OutboxPolicy::default() };
        app.with_clock(clock)
            .with_meta_app("fake-app-secret", "verify-me")
            .with_secrets_key(key)
            .with_chat_answers(apis, policy)
    }
}

pub(crate) fn from_customer(
    channel: ChatChannel,
    account: &str,
    id: &str,
    user: &str,
    words: &str,
) -> InboundChatMessage {
    InboundChatMessage {
        channel,
        account_id: account.into(),
        provider_message_id: id.into(),
        sender: ChatIdentity {
            user_id: user.into(),
            phone: (channel == ChatChannel::WhatsApp).then(|| format!("+{user}")),
            display_name: Some("Kasia".into()),
            username: None,
            language: None,
        },
        conversation_id: user.into(),
        text: Some(words.into()),
        media: Vec::new(),
        sent_at: START,
        reply_to: None,
    }
}

async fn answer(app: &TestApp, shop: &Shop, case_id: &str, body: &str) {
    let answer = json!({ "direction": "outbound", "body": body });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);
}

/// Waits (on the fake's record, never on the clock) for a send whose text starts with `start`.
pub(crate) async fn sent_starting(fake: &FakeMessaging, start: &str) -> Vec<RecordedSend> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let sent: Vec<RecordedSend> =
            fake.sent().into_iter().filter(|s| s.text.as_deref().is_some_and(|t| t.starts_with(start))).collect();
        if !sent.is_empty() {
            return sent;
        }
        assert!(tokio::time::Instant::now() < deadline, "nothing starting {start:?} was sent: {:?}", fake.sent());
        tokio::task::yield_now().await;
    }
}

async fn answers_go_back_where_the_customer_wrote(app: &TestApp, fake: &FakeMessaging, clock: &ManualClock) {
    let shop = app.create_store("north-wind").await;
    let meta = format!("{}/api/v1/webhooks/meta", app.base);

    // WhatsApp: the token is kept sealed and never shown.
    let whatsapp = json!({ "channel": "whatsapp", "account_id": "100200300", "access_token": "fake-whatsapp-token" });
    let registered = app.post("/api/v1/settings/messaging-accounts", &shop.admin, &whatsapp).await.expect(201);
    assert_eq!(registered["answers"], true);
    assert!(!registered.to_string().contains("fake-whatsapp-token"));
    let bad = json!({ "channel": "whatsapp", "account_id": "100200300", "access_token": "two words" });
    app.post("/api/v1/settings/messaging-accounts", &shop.admin, &bad).await.error(
        400,
        "invalid_field",
        Some("access_token"),
    );

    let first =
        from_customer(ChatChannel::WhatsApp, "100200300", "wamid.in.1", "48600100200", "Gdzie jest moja paczka?");
    assert_eq!(fake.deliver(&meta, &fake.whatsapp_delivery(&[first], &[])).await.unwrap(), 200);
    let case_id = text(&app.all_cases(&shop.key, "").await[0]["id"]);

    answer(app, &shop, &case_id, "Dzień dobry, paczka jest w drodze.").await;
    let sent = sent_starting(fake, "Dzień dobry, paczka").await;
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].api, sent[0].to.as_str()), (FakeApi::WhatsApp, "48600100200"));
    assert_eq!(sent[0].reply_to.as_deref(), Some("wamid.in.1"), "it quotes the message it answers");
    let entry = wait_for_outbox(app, &shop, |e| {
        e["status"] == "sent" && e["channel"] == "whatsapp" && text(&e["subject"]).starts_with("Dzień dobry, paczka")
    })
    .await;
    assert_eq!(sent[0].correlation.as_deref(), entry["message_id"].as_str(), "the entry's id travels with it");
    assert_eq!(entry["to"], "+48600100200");

    // The provider's reports: read, then a late "delivered" changes nothing.
    let read = fake.status_of(&sent[0], DeliveryStatus::Read, START);
    let delivered = fake.status_of(&sent[0], DeliveryStatus::Delivered, START);
    let receipt = fake.deliver(&meta, &fake.whatsapp_delivery(&[], &[read, delivered])).await.unwrap();
    assert_eq!(receipt, 200);
    wait_for_outbox(app, &shop, |e| e["id"] == entry["id"] && e["delivery"] == "read").await;

    // A long answer goes in parts, each within WhatsApp's 4,096 characters.
    let long = format!("Długa odpowiedź. {}", "Sprawdziliśmy wszystko dokładnie. ".repeat(200));
    answer(app, &shop, &case_id, &long).await;
    let parts: Vec<RecordedSend> = loop {
        let parts: Vec<_> = fake
            .sent()
            .into_iter()
            .filter(|s| s.text.as_deref().is_some_and(|t| t.contains("Sprawdziliśmy")))
            .collect();
        if parts.len() >= 2 {
            break parts;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(parts.len(), 2);
    assert!(parts.iter().all(|p| p.text.as_ref().unwrap().chars().count() <= 4096));

    // A photo of the damage sent on WhatsApp is fetched with the account's token and kept with
    // the case, as a portal photo is.
    let mut png = Vec::new();
    image::RgbImage::from_pixel(8, 6, image::Rgb([200, 120, 40]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    fake.add_media("media-77", png, "image/png");
    let mut photo = from_customer(ChatChannel::WhatsApp, "100200300", "wamid.in.2", "48600100200", "");
    photo.text = None;
    photo.media = vec![MediaRef {
        kind: MediaKind::Image,
        source: MediaSource::ProviderId("media-77".into()),
        mime_type: Some("image/png".into()),
        sha256: None,
        file_name: None,
        size: None,
    }];
    assert_eq!(fake.deliver(&meta, &fake.whatsapp_delivery(&[photo], &[])).await.unwrap(), 200);
    let photos = app.get(&format!("/api/v1/cases/{case_id}/attachments"), &shop.key).await.expect(200);
    assert_eq!(photos.as_array().unwrap().len(), 1, "{photos}");
    assert_eq!(photos[0]["content_type"], "image/png");
    let view = app.case_view(&shop.key, &case_id).await;
    let last = view["messages"].as_array().unwrap().iter().rev().find(|m| m["direction"] == "inbound").unwrap().clone();
    assert_eq!(last["body"], "(1 photo(s) sent on whatsapp)");
    assert_eq!(last["attachments"][0]["filename"], "whatsapp-photo-1.png");

    // The provider could not deliver an answer: it is not sent, with WhatsApp's reason.
    answer(app, &shop, &case_id, "Czy możemy jeszcze pomóc?").await;
    let sent = sent_starting(fake, "Czy możemy").await;
    let mut failed = fake.status_of(&sent[0], DeliveryStatus::Failed, START);
    failed.error = Some(StatusError { code: Some(131026), title: "Message undeliverable".into(), details: None });
    fake.deliver(&meta, &fake.whatsapp_delivery(&[], &[failed])).await.unwrap();
    let dead = wait_for_outbox(app, &shop, |e| e["delivery"] == "failed").await;
    assert_eq!(dead["status"], "dead");
    assert!(text(&dead["last_error"]).contains("131026"), "{dead}");

    // 25 hours after the customer's last message WhatsApp takes only templates: not sent, and why.
    clock.advance(time::Duration::hours(25));
    answer(app, &shop, &case_id, "Po terminie.").await;
    let closed =
        wait_for_outbox(app, &shop, |e| e["status"] == "dead" && e["attempts"] == 1 && e["subject"] == "Po terminie.")
            .await;
    assert!(text(&closed["last_error"]).contains("24 hours"), "{closed}");
    assert!(!fake.sent().iter().any(|s| s.text.as_deref() == Some("Po terminie.")));
    // With an approved template named in the policy, the answer goes as that template: the
    // case's number and a signed link to the case, where the answer is.
    let current = app.get("/api/v1/policy", &shop.admin).await.expect(200);
    let source = format!(
        "{}\n[messaging]\nwhatsapp_template = \"case_update\"\nwhatsapp_template_languages = [\"en_US\", \"pl\"]\n",
        text(&current["source"])
    );
    app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&json!({ "source": source }))).await.expect(200);
    let bad = format!("{}\n[messaging]\nwhatsapp_template = \"Case Update\"\n", text(&current["source"]));
    let refused = app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&json!({ "source": bad }))).await;
    refused.error(400, "invalid_field", Some("source"));
    assert!(refused.body.to_string().contains("messaging.whatsapp_template"), "{}", refused.body);
    answer(app, &shop, &case_id, "Zwrot został wysłany.").await;
    let templated = loop {
        if let Some(sent) = fake.sent().into_iter().find(|s| s.template.as_deref() == Some("case_update")) {
            break sent;
        }
        tokio::task::yield_now().await;
    };
    assert_eq!(
        (templated.api, templated.to.as_str(), templated.text.as_deref()),
        (FakeApi::WhatsApp, "48600100200", None)
    );
    wait_for_outbox(app, &shop, |e| e["status"] == "sent" && e["subject"] == "Zwrot został wysłany.").await;
    let mut browser = crate::browser::Browser::new(app);
    let signed = browser
        .post(
            "/desk/north-wind/signin",
            &[("email", "olga@north-wind.example"), ("password", crate::support::FIRST_ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(signed.status, reqwest::StatusCode::SEE_OTHER, "{}", signed.body);
    let desk = browser.get("/desk/north-wind/mail").await.body;
    for expected in ["WhatsApp", "24 hours", "read by the customer", "Send again"] {
        assert!(desk.contains(expected), "the desk shows {expected:?}: {desk}");
    }

    // Messenger with the Human Agent permission: two days later the answer goes with the tag.
    let page = json!({ "channel": "messenger", "account_id": "555000", "access_token": "fake-page-token", "human_agent": true });
    app.post("/api/v1/settings/messaging-accounts", &shop.admin, &page).await.expect(201);
    let hello = from_customer(ChatChannel::Messenger, "555000", "m_in.1", "7001", "Where is my refund?");
    let delivery = fake.graph_delivery(ChatChannel::Messenger, &[hello], &[]);
    assert_eq!(fake.deliver(&meta, &delivery).await.unwrap(), 200);
    let messenger_case = app
        .all_cases(&shop.key, "")
        .await
        .into_iter()
        .find(|c| text(&c["id"]) != case_id)
        .map(|c| text(&c["id"]))
        .unwrap();
    clock.advance(time::Duration::days(2));
    answer(app, &shop, &messenger_case, "Your refund was sent yesterday.").await;
    let tagged = sent_starting(fake, "Your refund was sent").await;
    assert_eq!((tagged[0].api, tagged[0].to.as_str()), (FakeApi::SendApi, "7001"));
    assert_eq!(tagged[0].tag.as_deref(), Some("HUMAN_AGENT"));

    // Telegram: the bot registers its own webhook; updates need the secret token Redress gave.
    let bot = json!({ "channel": "telegram", "access_token": "4242:fake-bot-token", "webhook_base_url": "https://help.north-wind.example" });
    let registered = app.post("/api/v1/settings/messaging-accounts", &shop.admin, &bot).await.expect(201);
    assert_eq!(
        (registered["account_id"].as_str(), registered["webhook_registered"].as_bool()),
        (Some("4242"), Some(true))
    );
    assert_eq!(
        fake.telegram_webhook().as_deref(),
        Some("https://help.north-wind.example/api/v1/webhooks/telegram/4242")
    );
    let hook = format!("{}/api/v1/webhooks/telegram/4242", app.base);
    let message = from_customer(ChatChannel::Telegram, "4242", "99:1", "99", "Hola, quiero cambiar la talla");
    let mut forged = fake.telegram_delivery(1, &message);
    forged.headers.retain(|(name, _)| *name != "x-telegram-bot-api-secret-token");
    forged.headers.push(("x-telegram-bot-api-secret-token", "guess".into()));
    assert_eq!(fake.deliver(&hook, &forged).await.unwrap(), 401);
    assert_eq!(fake.deliver(&hook, &fake.telegram_delivery(1, &message)).await.unwrap(), 200);
    assert_eq!(fake.deliver(&hook, &fake.telegram_delivery(1, &message)).await.unwrap(), 200);
    let cases = app.all_cases(&shop.key, "").await;
    assert_eq!(cases.len(), 3, "the update delivered twice opened one case");
    let telegram_case =
        cases.iter().map(|c| text(&c["id"])).find(|id| *id != case_id && *id != messenger_case).unwrap();
    answer(app, &shop, &telegram_case, "Claro, ¿qué talla necesita?").await;
    let sent = sent_starting(fake, "Claro, ¿qué talla").await;
    assert_eq!((sent[0].api, sent[0].to.as_str()), (FakeApi::Telegram, "99"));

    // Only an admin registers accounts.
    app.call(Method::POST, "/api/v1/settings/messaging-accounts", Some(&shop.key), Some(&bot)).await.error(
        403,
        "forbidden",
        None,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_go_back_where_the_customer_wrote_sqlite() {
    let fake = FakeMessaging::serve(FakeMessagingConfig::default()).await.unwrap();
    let clock = Arc::new(ManualClock::at(START));
    let app = TestApp::sqlite_with(configure(&fake, clock.clone())).await;
    answers_go_back_where_the_customer_wrote(&app, &fake, &clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_go_back_where_the_customer_wrote_postgres() {
    let fake = FakeMessaging::serve(FakeMessagingConfig::default()).await.unwrap();
    let clock = Arc::new(ManualClock::at(START));
    let Some(app) = TestApp::postgres_with(configure(&fake, clock.clone())).await else { return };
    answers_go_back_where_the_customer_wrote(&app, &fake, &clock).await;
}
