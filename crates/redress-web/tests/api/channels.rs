//! Email in and out over HTTP: raw MIME posted to `/api/v1/inbound/email` opens a case, a
//! redelivery changes nothing, a reply threads onto the case, machines' mail opens nothing, and
//! an agent's answer leaves through the outbox to a local SMTP sink, threaded to the mail it
//! answers.

use std::time::Duration;

use redress_app::outbox::OutboxPolicy;
use redress_connect::email::{Reject, SinkBehaviour, SmtpRelay, SmtpSink};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::order;
use crate::support::{Shop, TestApp, on_both_backends, text};

on_both_backends!(mail_opens_a_case_once_and_replies_thread_onto_it, machines_mail_opens_nothing);

const SUPPORT: &str = "support@north-wind.example";

/// A store taking mail at [`SUPPORT`], with an order of Ana's.
async fn shop_taking_mail(app: &TestApp) -> Shop {
    let shop = app.create_store("north-wind").await;
    let addresses = json!({ "addresses": [SUPPORT, "help@north-wind.example"] });
    let saved = app.call(Method::PUT, "/api/v1/settings/support-addresses", Some(&shop.admin), Some(&addresses)).await;
    assert_eq!(saved.expect(200)["addresses"][0], SUPPORT);
    // Only an admin sets them.
    app.call(Method::PUT, "/api/v1/settings/support-addresses", Some(&shop.key), Some(&addresses)).await.error(
        403,
        "forbidden",
        None,
    );
    app.create_order(&shop.key, &order("A-1001", "ana@example.com")).await;
    shop
}

fn mail(message_id: &str, from: &str, subject: &str, extra_headers: &str, body: &str) -> String {
    format!(
        "From: Ana Kowalska <{from}>\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         Date: Sat, 05 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         {extra_headers}\r\n{body}\r\n"
    )
}

async fn post_mail(app: &TestApp, shop: &Shop, raw: String) -> Value {
    app.raw(Method::POST, "/api/v1/inbound/email", Some(&shop.key), Some("message/rfc822"), raw).await.expect(200)
}

fn first_mail() -> String {
    mail(
        "first.1@mail.example.com",
        "ana@example.com",
        "My parcel never arrived",
        "",
        "Hello, my order A-1001 never arrived. It has been two weeks and tracking shows nothing.\r\n\r\nAna",
    )
}

async fn mail_opens_a_case_once_and_replies_thread_onto_it(app: &TestApp) {
    let shop = shop_taking_mail(app).await;
    let receipt = post_mail(app, &shop, first_mail()).await;
    assert_eq!(receipt["outcome"], "case_opened", "{receipt}");
    let case_id = text(&receipt["case_id"]);
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["case"]["channel"], "email");
    assert_eq!(view["case"]["customer_email"], "ana@example.com");
    assert!(!view["case"]["customer_id"].is_null(), "the sender is the order's customer: {}", view["case"]);
    assert_eq!(view["case"]["subject"], "My parcel never arrived");
    assert!(text(&view["messages"][0]["body"]).contains("never arrived"));
    assert!(
        view["timeline"].as_array().unwrap().iter().any(|e| e["event"]["type"] == "understood"),
        "understanding read the mail: {}",
        view["timeline"]
    );

    // The provider delivers it again: nothing changes.
    let again = post_mail(app, &shop, first_mail()).await;
    assert_eq!(again["outcome"], "duplicate");
    assert_eq!(again["case_id"], receipt["case_id"]);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);
    assert_eq!(app.case_view(&shop.key, &case_id).await["messages"].as_array().unwrap().len(), 1);

    // Ana answers her own mail: threaded by In-Reply-To, quoted history stripped.
    let reply = mail(
        "second.2@mail.example.com",
        "ana@example.com",
        "Re: My parcel never arrived",
        "In-Reply-To: <first.1@mail.example.com>\r\nReferences: <first.1@mail.example.com>\r\n",
        "Any news?\r\n\r\nOn Sat, Ana wrote:\r\n> Hello, my order A-1001 never arrived.\r\n",
    );
    let threaded = post_mail(app, &shop, reply).await;
    assert_eq!(threaded["outcome"], "threaded", "{threaded}");
    assert_eq!(threaded["case_id"], receipt["case_id"]);
    let view = app.case_view(&shop.key, &case_id).await;
    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["body"], "Any news?");

    // A mail client that drops the headers still keeps the token in the subject.
    let number = view["case"]["number"].as_u64().unwrap();
    let by_token =
        mail("third.3@mail.example.com", "ana@example.com", &format!("Re: parcel [#{number}]"), "", "Still nothing.");
    assert_eq!(post_mail(app, &shop, by_token).await["case_id"], receipt["case_id"]);
    // The same token from someone else does not reach Ana's case: it opens its own.
    let stranger =
        mail("fourth.4@mail.example.com", "eve@example.net", &format!("Re: parcel [#{number}]"), "", "Refund me.");
    let other = post_mail(app, &shop, stranger).await;
    assert_eq!(other["outcome"], "case_opened");
    assert_ne!(other["case_id"], receipt["case_id"]);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 2);
}

async fn machines_mail_opens_nothing(app: &TestApp) {
    let shop = shop_taking_mail(app).await;
    let auto_reply = mail(
        "auto.1@mail.example.com",
        "ana@example.com",
        "Out of office",
        "Auto-Submitted: auto-replied\r\n",
        "I am away until Monday.",
    );
    assert_eq!(post_mail(app, &shop, auto_reply.clone()).await["outcome"], "automatic");
    assert_eq!(post_mail(app, &shop, auto_reply).await["outcome"], "duplicate");
    let list = mail("list.1@lists.example.com", "news@lists.example.com", "Weekly", "Precedence: bulk\r\n", "News.");
    assert_eq!(post_mail(app, &shop, list).await["outcome"], "automatic");
    assert!(app.all_cases(&shop.key, "").await.is_empty());

    // Only a store's key posts mail; an empty body is refused.
    app.raw(Method::POST, "/api/v1/inbound/email", None, Some("message/rfc822"), first_mail()).await.error(
        401,
        "unauthorized",
        None,
    );
    app.raw(Method::POST, "/api/v1/inbound/email", Some(&shop.key), Some("message/rfc822"), "").await.error(
        400,
        "invalid_body",
        None,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_answer_reaches_the_customer_threaded_sqlite() {
    let sink = SmtpSink::start().await.unwrap();
    let relay = SmtpRelay::from_url(&sink.relay_url(), Duration::from_secs(5)).unwrap();
    let app = TestApp::sqlite_with(|app| app.with_mail_relay(relay, Default::default())).await;
    an_agents_answer_reaches_the_customer_threaded(&app, &sink).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agents_answer_reaches_the_customer_threaded_postgres() {
    let sink = SmtpSink::start().await.unwrap();
    let relay = SmtpRelay::from_url(&sink.relay_url(), Duration::from_secs(5)).unwrap();
    let Some(app) = TestApp::postgres_with(|app| app.with_mail_relay(relay, Default::default())).await else {
        return;
    };
    an_agents_answer_reaches_the_customer_threaded(&app, &sink).await;
}

async fn an_agents_answer_reaches_the_customer_threaded(app: &TestApp, sink: &SmtpSink) {
    let shop = shop_taking_mail(app).await;
    let receipt = post_mail(app, &shop, first_mail()).await;
    let case_id = text(&receipt["case_id"]);
    let answer = json!({ "direction": "outbound", "body": "Sorry, Ana! We are sending a new parcel today." });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);

    let received = tokio::time::timeout(Duration::from_secs(30), sink.wait_for(1)).await.expect("the mail is sent");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].envelope.recipients, ["ana@example.com"]);
    let sent = received[0].parsed().expect("the mail reads");
    assert_eq!(sent.in_reply_to, ["first.1@mail.example.com"]);
    assert_eq!(sent.references, ["first.1@mail.example.com"]);
    assert_eq!(sent.from.as_ref().unwrap().address.as_str(), SUPPORT);
    let number = app.case_view(&shop.key, &case_id).await["case"]["number"].as_u64().unwrap();
    assert!(sent.subject.ends_with(&format!("[#{number}]")), "{}", sent.subject);
    assert!(sent.body.contains("sending a new parcel"), "{}", sent.body);
    assert!(
        sent.full_text.contains(&format!("Reply to this email to add to your case #{number}.")),
        "{}",
        sent.full_text
    );
    let sent_id = sent.message_id.clone().unwrap();

    // Ana answers that mail: it lands on the same case.
    let answer_to_answer = mail(
        "fifth.5@mail.example.com",
        "ana@example.com",
        &format!("Re: {}", sent.subject),
        &format!("In-Reply-To: <{sent_id}>\r\nReferences: <first.1@mail.example.com> <{sent_id}>\r\n"),
        "Thank you!",
    );
    let threaded = post_mail(app, &shop, answer_to_answer).await;
    assert_eq!(threaded["outcome"], "threaded");
    assert_eq!(threaded["case_id"], receipt["case_id"]);
    assert_eq!(sink.distinct_message_ids(), [sent_id]);
}

/// A relay that fails for a while: the answer is retried with backoff on the application's
/// clock and sent once, with one Message-ID; a permanent refusal is dead at once, listed, and
/// sent again on an agent's retry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_retries_with_backoff_and_keeps_the_dead() {
    let sink = SmtpSink::start().await.unwrap();
    let relay = SmtpRelay::from_url(&sink.relay_url(), Duration::from_secs(5)).unwrap();
    let clock = std::sync::Arc::new(redress_app::ManualClock::at(time::macros::datetime!(2026-12-05 10:00 UTC)));
    // The worker looks for due retries every few milliseconds; the test moves the clock.
    let policy = OutboxPolicy { poll_every: Duration::from_millis(20), ..OutboxPolicy::default() };
    let worker_clock = clock.clone();
    let app = TestApp::sqlite_with(move |app| app.with_clock(worker_clock).with_mail_relay(relay, policy)).await;
    let shop = shop_taking_mail(&app).await;
    let case_id = text(&post_mail(&app, &shop, first_mail()).await["case_id"]);

    sink.fail_next(2, Reject::Temporary("try later".into()));
    let answer = json!({ "direction": "outbound", "body": "We are on it." });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);
    let entry = wait_for_outbox(&app, &shop, |e| e["status"] == "pending" && e["attempts"] == 1).await;
    assert!(text(&entry["last_error"]).contains("try later"), "{entry}");
    assert!(sink.received().is_empty());
    for attempts in [2, 3] {
        clock.advance(time::Duration::hours(3));
        wait_for_outbox(&app, &shop, |e| e["attempts"] == attempts && e["status"] != "sending").await;
    }
    let sent = wait_for_outbox(&app, &shop, |e| e["status"] == "sent").await;
    assert_eq!(sent["attempts"], 3);
    assert_eq!(sink.received().len(), 1);
    assert_eq!(sink.distinct_message_ids(), [text(&sent["message_id"])]);

    sink.fail_next(1, Reject::Permanent("no such user".into()));
    let answer = json!({ "direction": "outbound", "body": "One more thing." });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);
    let dead = wait_for_outbox(&app, &shop, |e| e["status"] == "dead").await;
    assert_eq!(dead["attempts"], 1);
    let retry = format!("/api/v1/outbox/{}/retry", text(&dead["id"]));
    app.call(Method::POST, &retry, Some(&shop.admin), None).await.expect(204);
    wait_for_outbox(&app, &shop, |e| e["id"] == dead["id"] && e["status"] == "sent").await;
    assert_eq!(sink.received().len(), 2);
    // Only a dead entry is sent again.
    app.call(Method::POST, &retry, Some(&shop.admin), None).await.error(404, "not_found", None);

    // The relay keeps a mail but its answer is lost: the retry carries the same Message-ID, so
    // the copy is recognisable as the same message.
    sink.script(SinkBehaviour::KeepAndHangUp);
    let answer = json!({ "direction": "outbound", "body": "And a last word." });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);
    let lost = wait_for_outbox(&app, &shop, |e| e["status"] == "pending" && e["attempts"] == 1).await;
    clock.advance(time::Duration::hours(3));
    wait_for_outbox(&app, &shop, |e| e["id"] == lost["id"] && e["status"] == "sent").await;
    let copies = sink
        .received()
        .iter()
        .filter(|m| m.parsed().and_then(|p| p.message_id).as_deref() == lost["message_id"].as_str())
        .count();
    assert_eq!(copies, 2);
    assert_eq!(sink.distinct_message_ids().len(), 3);
}

/// Waits (on the server's answers, never on the clock) until an outbox entry matches.
pub(crate) async fn wait_for_outbox(app: &TestApp, shop: &Shop, matches: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let entries = app.get("/api/v1/outbox", &shop.admin).await.expect(200);
        if let Some(entry) = entries.as_array().unwrap().iter().find(|e| matches(e)) {
            return entry.clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "no outbox entry matched in {entries}");
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreadable_mail_is_kept_as_a_dead_letter() {
    let app = TestApp::sqlite().await;
    let shop = shop_taking_mail(&app).await;
    let receipt = post_mail(&app, &shop, "this is not a mail at all".to_owned()).await;
    assert_eq!(receipt["outcome"], "dead_letter", "{receipt}");
    let letters = app.get("/api/v1/dead-letters", &shop.admin).await.expect(200);
    assert_eq!(letters.as_array().unwrap().len(), 1);
    assert_eq!(letters[0]["reason"], receipt["reason"]);
    assert!(app.all_cases(&shop.key, "").await.is_empty());

    // Read again, it is refused again: one letter stays, with the reason of this reading.
    let retry = |id: &str| format!("/api/v1/dead-letters/{id}/retry");
    let again = app.post(&retry(&text(&letters[0]["id"])), &shop.admin, &json!({})).await.expect(200);
    assert_eq!(again["outcome"], "dead_letter");
    let letters = app.get("/api/v1/dead-letters", &shop.admin).await.expect(200);
    assert_eq!(letters.as_array().unwrap().len(), 1, "{letters}");
    app.post(&retry(&uuid::Uuid::now_v7().to_string()), &shop.admin, &json!({})).await.error(404, "not_found", None);

    // A mail an earlier version could not take (kept with its bytes) is read again into a case.
    let cases_before = app.all_cases(&shop.key, "").await.len();
    let kept = redress_storage::channels::DeadLetter {
        id: uuid::Uuid::now_v7(),
        store_id: Some(redress_domain::StoreId::from_uuid(shop.id.parse().unwrap())),
        channel: "email".into(),
        reason: "the mail cannot be read: an older parser gave up".into(),
        raw: first_mail().into_bytes(),
        received_at: time::OffsetDateTime::now_utc(),
    };
    app.storage.channels().record_dead_letter(&kept).await.unwrap();
    let taken = app.post(&retry(&kept.id.to_string()), &shop.admin, &json!({})).await.expect(200);
    assert_eq!(taken["outcome"], "case_opened", "{taken}");
    assert_eq!(app.all_cases(&shop.key, "").await.len(), cases_before + 1);
    let letters = app.get("/api/v1/dead-letters", &shop.admin).await.expect(200);
    assert!(letters.as_array().unwrap().iter().all(|l| text(&l["id"]) != kept.id.to_string()), "the letter went");

    // From the desk: the letter has a "Read again" button, which says what became of it.
    let mut browser = crate::browser::Browser::new(&app);
    let signed = browser
        .post(
            "/desk/north-wind/signin",
            &[("email", "olga@north-wind.example"), ("password", crate::support::FIRST_ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(signed.status, reqwest::StatusCode::SEE_OTHER, "{}", signed.body);
    let page = browser.get("/desk/north-wind/mail").await.body;
    assert!(page.contains("Read again"), "{page}");
    let token = crate::browser::form_token(&page);
    let letter = text(&letters[0]["id"]);
    let done =
        browser.post(&format!("/desk/north-wind/mail/dead-letters/{letter}/retry"), &[("form_token", &token)]).await;
    assert_eq!(done.status, reqwest::StatusCode::SEE_OTHER, "{}", done.body);
    let page = browser.get("/desk/north-wind/mail?done=letter-refused").await.body;
    assert!(page.contains("refused again"), "{page}");
}

/// WhatsApp through Meta's webhook, driven by the local fake: the subscription check, signed
/// deliveries (a forged one refused), a redelivery ignored, and a known sender's next message
/// continuing their open case.
async fn whatsapp_messages_open_and_continue_a_case(app: &TestApp) {
    use redress_connect::messaging::fake::{FakeMessaging, FakeMessagingConfig};
    use redress_connect::messaging::{ChatChannel, ChatIdentity, InboundChatMessage};

    let fake = FakeMessaging::serve(FakeMessagingConfig::default()).await.unwrap();
    let shop = app.create_store("north-wind").await;
    let account = json!({ "channel": "whatsapp", "account_id": "100200300" });
    app.post("/api/v1/settings/messaging-accounts", &shop.key, &account).await.error(403, "forbidden", None);
    let registered = app.post("/api/v1/settings/messaging-accounts", &shop.admin, &account).await.expect(201);
    assert_eq!(registered["answers"], false, "without a token nothing can be sent");
    let url = format!("{}/api/v1/webhooks/meta", app.base);
    assert_eq!(
        fake.verify_subscription(&url, META_VERIFY_TOKEN, "1158201444").await.unwrap(),
        (200, "1158201444".into())
    );
    assert_eq!(fake.verify_subscription(&url, "wrong", "1158201444").await.unwrap().0, 403);

    let message = |id: &str, text: &str| InboundChatMessage {
        channel: ChatChannel::WhatsApp,
        account_id: "100200300".into(),
        provider_message_id: id.into(),
        sender: ChatIdentity {
            user_id: "48600100200".into(),
            phone: Some("+48600100200".into()),
            display_name: Some("Kasia".into()),
            username: None,
            language: None,
        },
        conversation_id: "48600100200".into(),
        text: Some(text.into()),
        media: Vec::new(),
        sent_at: time::macros::datetime!(2026-12-05 10:00 UTC),
        reply_to: None,
    };
    let first = fake.whatsapp_delivery(&[message("wamid.1", "Wazon przyszedł rozbity, proszę o zwrot")], &[]);
    assert_eq!(fake.deliver(&url, &first).await.unwrap(), 200);
    assert_eq!(fake.deliver(&url, &first).await.unwrap(), 200);
    let cases = app.all_cases(&shop.key, "").await;
    assert_eq!(cases.len(), 1, "a redelivery changes nothing");
    assert_eq!(cases[0]["channel"], "social");
    let case_id = text(&cases[0]["id"]);

    let mut forged = fake.whatsapp_delivery(&[message("wamid.2", "Refund me")], &[]);
    forged.body = forged.body.iter().map(|b| if *b == b'R' { b'X' } else { *b }).collect();
    assert_eq!(fake.deliver(&url, &forged).await.unwrap(), 401);

    let second = fake.whatsapp_delivery(&[message("wamid.3", "Mam zdjęcia, wysłać?")], &[]);
    assert_eq!(fake.deliver(&url, &second).await.unwrap(), 200);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);
    let view = app.case_view(&shop.key, &case_id).await;
    let messages = view["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1]["body"], "Mam zdjęcia, wysłać?");
    assert_eq!(messages[1]["author"]["handle"], "+48600100200");

    // Ana wrote by email; once her WhatsApp number is linked to her, WhatsApp continues that case.
    let order = app.create_order(&shop.key, &order("A-1001", "ana@example.com")).await;
    let customer_id = text(&order["customer_id"]);
    let mail_case = text(&post_mail(app, &shop, first_mail()).await["case_id"]);
    let link = format!("/api/v1/customers/{customer_id}/identities");
    app.post(&link, &shop.key, &json!({ "kind": "whatsapp", "value": "+351 912 345 678" })).await.expect(204);
    app.post(&link, &shop.key, &json!({ "kind": "fax", "value": "1" })).await.error(400, "invalid_field", Some("kind"));
    let unknown = format!("/api/v1/customers/{}/identities", uuid::Uuid::now_v7());
    let fresh = json!({ "kind": "whatsapp", "value": "351900000000" });
    app.post(&unknown, &shop.key, &fresh).await.error(404, "not_found", None);
    // A number is one customer's.
    let taken = json!({ "kind": "whatsapp", "value": "351912345678" });
    app.post(&unknown, &shop.key, &taken).await.error(409, "duplicate", Some("value"));
    let mut from_ana = message("wamid.ana", "Any news about my parcel?");
    from_ana.sender.user_id = "351912345678".into();
    from_ana.sender.phone = Some("+351912345678".into());
    assert_eq!(fake.deliver(&url, &fake.whatsapp_delivery(&[from_ana], &[])).await.unwrap(), 200);
    let view = app.case_view(&shop.key, &mail_case).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 2, "{}", view["messages"]);
    assert_eq!(view["messages"][1]["channel"], "social");
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 2);
}

/// The verify token of the test servers' Meta app.
const META_VERIFY_TOKEN: &str = "verify-me";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_sqlite() {
    let app = TestApp::sqlite_with(|app| app.with_meta_app("fake-app-secret", META_VERIFY_TOKEN)).await;
    whatsapp_messages_open_and_continue_a_case(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_postgres() {
    let Some(app) = TestApp::postgres_with(|app| app.with_meta_app("fake-app-secret", META_VERIFY_TOKEN)).await else {
        return;
    };
    whatsapp_messages_open_and_continue_a_case(&app).await;
}

/// The desk's mail page lists the outbox and the dead letters, and its button sends a dead
/// answer again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_desk_shows_the_outbox_and_sends_a_dead_answer_again() {
    let sink = SmtpSink::start().await.unwrap();
    let relay = SmtpRelay::from_url(&sink.relay_url(), Duration::from_secs(5)).unwrap();
    let app = TestApp::sqlite_with(|app| app.with_mail_relay(relay, Default::default())).await;
    let shop = shop_taking_mail(&app).await;
    let case_id = text(&post_mail(&app, &shop, first_mail()).await["case_id"]);
    assert_eq!(post_mail(&app, &shop, "this is not a mail at all".to_owned()).await["outcome"], "dead_letter");
    sink.fail_next(1, Reject::Permanent("mailbox unavailable".into()));
    let answer = json!({ "direction": "outbound", "body": "We are on it." });
    app.post(&format!("/api/v1/cases/{case_id}/messages"), &shop.admin, &answer).await.expect(201);
    let dead = wait_for_outbox(&app, &shop, |e| e["status"] == "dead").await;

    let mut browser = crate::browser::Browser::new(&app);
    let signed = browser
        .post(
            "/desk/north-wind/signin",
            &[("email", "olga@north-wind.example"), ("password", crate::support::FIRST_ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(signed.status, reqwest::StatusCode::SEE_OTHER, "{}", signed.body);
    let page = browser.get("/desk/north-wind/mail").await;
    assert_eq!(page.status, reqwest::StatusCode::OK);
    for expected in ["ana@example.com", "Not sent", "mailbox unavailable", "Send again", "no sender address"] {
        assert!(page.body.contains(expected), "{expected} in {}", page.body);
    }
    let token = crate::browser::form_token(&page.body);
    let retried =
        browser.post(&format!("/desk/north-wind/mail/{}/retry", text(&dead["id"])), &[("form_token", &token)]).await;
    assert_eq!(retried.status, reqwest::StatusCode::SEE_OTHER, "{}", retried.body);
    wait_for_outbox(&app, &shop, |e| e["id"] == dead["id"] && e["status"] == "sent").await;
    assert_eq!(sink.received().len(), 1);
}

/// The SMTP receiver takes mail for a support address (plus tag included) only after storing
/// it, refuses other recipients, and threads by the plus address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_smtp_receiver_stores_before_it_answers() {
    use redress_connect::email::{BuiltEmail, SmtpServer, SmtpServerConfig};

    let app = TestApp::sqlite().await;
    let shop = shop_taking_mail(&app).await;
    let receiver =
        redress_app::channels::MailReceiver::new(std::sync::Arc::new(redress_app::App::new(app.storage.clone())));
    let server =
        SmtpServer::bind("127.0.0.1:0", SmtpServerConfig::default(), std::sync::Arc::new(receiver)).await.unwrap();
    let relay =
        SmtpRelay::from_url(&format!("smtp://{}?tls=none", server.local_addr()), Duration::from_secs(5)).unwrap();
    let send = |recipient: &str, raw: String| BuiltEmail {
        message_id: String::new(),
        envelope_from: "ana@example.com".into(),
        recipient: recipient.into(),
        bytes: raw.into_bytes(),
    };
    relay.send(&send(SUPPORT, first_mail())).await.unwrap();
    let cases = app.all_cases(&shop.key, "").await;
    assert_eq!(cases.len(), 1, "stored before 250");
    let number = cases[0]["number"].as_u64().unwrap();

    let refused = relay.send(&send("someone@elsewhere.example", first_mail())).await.unwrap_err();
    assert!(!refused.is_retryable(), "{refused}");

    let plus = format!("support+{number}@north-wind.example");
    let by_plus = mail("plus.1@mail.example.com", "ana@example.com", "one more thing", "", "Also the lid is cracked.");
    relay.send(&send(&plus, by_plus.replace(&format!("To: {SUPPORT}"), &format!("To: {plus}")))).await.unwrap();
    let view = app.case_view(&shop.key, &text(&cases[0]["id"])).await;
    assert_eq!(view["messages"].as_array().unwrap().len(), 2);
    assert_eq!(app.all_cases(&shop.key, "").await.len(), 1);
}

/// A question the policy answers automatically gets its answer by email, marked as automatic
/// (`Auto-Submitted: auto-replied`) so the customer's own auto-responder does not answer it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_automatic_answer_goes_out_by_email_marked_automatic() {
    let sink = SmtpSink::start().await.unwrap();
    let relay = SmtpRelay::from_url(&sink.relay_url(), Duration::from_secs(5)).unwrap();
    let app = TestApp::sqlite_with(|app| app.with_mail_relay(relay, Default::default())).await;
    let shop = shop_taking_mail(&app).await;
    let question = mail(
        "question.1@mail.example.com",
        "ana@example.com",
        "Where is my order?",
        "",
        "Hi, where is my order? When will it ship? Can you send me the tracking number?",
    );
    let receipt = post_mail(&app, &shop, question).await;
    let view = app.case_view(&shop.key, &text(&receipt["case_id"])).await;
    assert_eq!(view["case"]["kind"], "order_status", "{}", view["case"]);
    assert_eq!(view["messages"].as_array().unwrap().len(), 2, "answered automatically: {}", view["messages"]);
    let received = tokio::time::timeout(Duration::from_secs(30), sink.wait_for(1)).await.expect("the answer is sent");
    let raw = String::from_utf8_lossy(&received[0].raw).to_string();
    assert!(raw.contains("Auto-Submitted: auto-replied"), "{raw}");
    assert_eq!(received[0].parsed().unwrap().in_reply_to, ["question.1@mail.example.com"]);
}

/// A photo sent with a mail is kept with the case, as a portal photo is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mails_photo_is_kept_with_the_case() {
    const PNG: &str =
        "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGP4z8AARwzEcQCukw/x0F8jngAAAABJRU5ErkJggg==";
    let app = TestApp::sqlite().await;
    let shop = shop_taking_mail(&app).await;
    let raw = format!(
        "From: ana@example.com\r\nTo: {SUPPORT}\r\nSubject: Broken vase\r\nMessage-ID: <photo.1@mail.example.com>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n\
         --b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe vase arrived broken, photo attached.\r\n\
         --b1\r\nContent-Type: image/png; name=\"vase.png\"\r\nContent-Disposition: attachment; filename=\"vase.png\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{PNG}\r\n--b1--\r\n"
    );
    let receipt = post_mail(&app, &shop, raw).await;
    let case_id = text(&receipt["case_id"]);
    let photos = app.get(&format!("/api/v1/cases/{case_id}/attachments"), &shop.key).await.expect(200);
    assert_eq!(photos.as_array().unwrap().len(), 1, "{photos}");
    assert_eq!(photos[0]["filename"], "vase.png");
    assert_eq!(photos[0]["content_type"], "image/png");
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["messages"][0]["attachments"][0]["filename"], "vase.png");
}

/// A mail with NUL characters is stored without them (PostgreSQL cannot keep them).
async fn awkward_mail_is_kept(app: &TestApp) {
    let shop = shop_taking_mail(app).await;
    let nul = mail("nul.1@mail.example.com", "ana@example.com", "Broken\0 vase", "", "It\0 arrived broken.");
    let receipt = post_mail(app, &shop, nul).await;
    assert_eq!(receipt["outcome"], "case_opened", "{receipt}");
    let view = app.case_view(&shop.key, &text(&receipt["case_id"])).await;
    assert_eq!(view["messages"][0]["body"], "It arrived broken.");
}

on_both_backends!(awkward_mail_is_kept);

/// Mail read from the store's own mailbox by IMAP (a real Dovecot started by the test): every
/// message opens or continues a case once, the reading resumes where it stopped, mail already
/// received by SMTP is not taken twice, and the address's password is never shown.
async fn mail_is_read_from_an_imap_mailbox(app: &TestApp, clock: &redress_app::ManualClock) {
    use redress_connect::email::dovecot::Dovecot;

    let Some(dovecot) = Dovecot::start().await else { return };
    let shop = shop_taking_mail(app).await;
    // Customer 1 wrote by SMTP first; the same mail is in the mailbox too.
    dovecot.deliver(1, "My order A-1001 never arrived.");
    let same = "From: Customer 1 <c1@mail.example>\r\nTo: support@shop.example\r\nSubject: Message 1\r\n\
                Message-ID: <m1@mail.example>\r\n\r\nMy order A-1001 never arrived.\r\n";
    post_mail(app, &shop, same.to_owned()).await;
    dovecot.deliver(2, "The vase arrived broken.");

    let bad = json!({ "url": "imap://ana:secret@mail.example.com/INBOX" });
    app.call(Method::PUT, "/api/v1/settings/mailbox", Some(&shop.admin), Some(&bad)).await.error(
        400,
        "invalid_field",
        Some("url"),
    );
    let mailbox = json!({ "url": dovecot.url() });
    app.call(Method::PUT, "/api/v1/settings/mailbox", Some(&shop.key), Some(&mailbox)).await.error(
        403,
        "forbidden",
        None,
    );
    let set = app.call(Method::PUT, "/api/v1/settings/mailbox", Some(&shop.admin), Some(&mailbox)).await.expect(200);
    assert!(!set.to_string().contains("secret"), "the password is never shown: {set}");

    let shop = &shop;
    let read = |n: u64| async move {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let status = app.get("/api/v1/settings/mailbox", &shop.admin).await.expect(200);
            if status["messages_read"] == json!(n) && status.get("last_read_at").is_some() {
                return status;
            }
            assert!(tokio::time::Instant::now() < deadline, "the mailbox was not read: {status}");
            tokio::task::yield_now().await;
        }
    };
    let status = read(2).await;
    assert!(status.get("last_error").is_none(), "{status}");
    let subjects = |cases: Vec<Value>| {
        let mut s: Vec<String> = cases.iter().map(|c| text(&c["subject"])).collect();
        s.sort();
        s
    };
    assert_eq!(subjects(app.all_cases(&shop.key, "").await), ["Message 1", "Message 2"], "mail taken once");

    // New mail is read a minute later, from where the reading stopped.
    dovecot.deliver(3, "Where is my refund?");
    clock.advance(time::Duration::minutes(2));
    read(3).await;
    assert_eq!(subjects(app.all_cases(&shop.key, "").await), ["Message 1", "Message 2", "Message 3"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_sqlite() {
    let clock = std::sync::Arc::new(redress_app::ManualClock::at(time::macros::datetime!(2026-12-05 10:00 UTC)));
    let given = clock.clone();
    let app = TestApp::sqlite_with(move |app| app.with_clock(given)).await;
    mail_is_read_from_an_imap_mailbox(&app, &clock).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imap_postgres() {
    let clock = std::sync::Arc::new(redress_app::ManualClock::at(time::macros::datetime!(2026-12-05 10:00 UTC)));
    let given = clock.clone();
    let Some(app) = TestApp::postgres_with(move |app| app.with_clock(given)).await else { return };
    mail_is_read_from_an_imap_mailbox(&app, &clock).await;
}
