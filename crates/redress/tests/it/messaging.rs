//! WhatsApp through the real binary: `redress serve --meta-app-secret` is killed with SIGKILL
//! while Meta's deliveries arrive; after a restart every delivery answered `200` is on a case,
//! and Meta's retries of every delivery (answered or not) leave exactly one case per message.
//! Then an agent's answer leaves through `--graph-api-url` to the local fake, to the customer's
//! number.

use redress_connect::messaging::fake::{FakeApi, FakeMessaging, FakeMessagingConfig};
use redress_connect::messaging::{ChatChannel, ChatIdentity, InboundChatMessage};

use crate::server::post_json;

const ADMIN_KEY: &str = "messaging-test-admin-key-0123456789";
const ACCOUNT: &str = "100200300";

fn message(n: usize) -> InboundChatMessage {
    let user = format!("4860010{n:04}");
    InboundChatMessage {
        channel: ChatChannel::WhatsApp,
        account_id: ACCOUNT.into(),
        provider_message_id: format!("wamid.kill.{n}"),
        sender: ChatIdentity {
            user_id: user.clone(),
            phone: Some(format!("+{user}")),
            display_name: None,
            username: None,
            language: None,
        },
        conversation_id: user,
        text: Some(format!("Parcel {n} never arrived, where is it?")),
        media: Vec::new(),
        sent_at: time::OffsetDateTime::now_utc(),
        reply_to: None,
    }
}

/// The subjects of the store's cases.
async fn subjects(client: &reqwest::Client, base: &str, key: &str) -> Vec<String> {
    let mut subjects = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/v1/cases?limit=200");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: serde_json::Value = client.get(url).bearer_auth(key).send().await.unwrap().json().await.unwrap();
        subjects.extend(page["cases"].as_array().unwrap().iter().map(|c| c["subject"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return subjects,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whatsapp_deliveries_answered_200_survive_sigkill_and_redeliveries_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("messaging.db");
    let fake = FakeMessaging::serve(FakeMessagingConfig::default()).await.unwrap();
    let graph = fake.graph_url();
    let secrets = "5a".repeat(32);
    let flags = ["--meta-app-secret", "fake-app-secret", "--graph-api-url", &graph, "--secrets-key", &secrets];
    let client = reqwest::Client::new();
    let mut server = crate::server::start(&database, ADMIN_KEY, &flags);
    let base = server.base.clone();
    let store = post_json(
        &client,
        &format!("{base}/api/v1/stores"),
        ADMIN_KEY,
        &serde_json::json!({"slug": "durable-chat", "name": "Durable", "default_currency": "EUR",
            "default_language": "en",
            "admin": {"email": "olga@durable-chat.example", "name": "Olga", "role": "admin", "password": "a long passphrase 1"}}),
    )
    .await;
    let key = store["api_key"]["secret"].as_str().unwrap().to_owned();
    let admin = store["admin_key"]["secret"].as_str().unwrap().to_owned();
    let account =
        serde_json::json!({"channel": "whatsapp", "account_id": ACCOUNT, "access_token": "fake-whatsapp-token"});
    post_json(&client, &format!("{base}/api/v1/settings/messaging-accounts"), &admin, &account).await;

    // Four of Meta's senders deliver as fast as they can; every 200 is recorded.
    let webhook = format!("{base}/api/v1/webhooks/meta");
    let deliver = {
        let (fake, webhook) = (fake.clone(), webhook.clone());
        move |n| {
            let (fake, webhook) = (fake.clone(), webhook.clone());
            async move { matches!(fake.deliver(&webhook, &fake.whatsapp_delivery(&[message(n)], &[])).await, Ok(200)) }
        }
    };
    let (accepted, attempted) = server.kill_while_delivering(60, deliver).await;
    eprintln!("{} deliveries answered 200 before the SIGKILL, {attempted} begun", accepted.len());

    let mut server = crate::server::start(&database, ADMIN_KEY, &flags);
    let base = server.base.clone();
    let webhook = format!("{base}/api/v1/webhooks/meta");
    let kept = subjects(&client, &base, &key).await;
    for n in &accepted {
        let subject = format!("Parcel {n} never arrived, where is it?");
        assert!(kept.contains(&subject), "delivery {n} was answered 200 and lost");
    }
    // Meta retries everything it sent: each message is one case, however often it came.
    for n in 0..attempted {
        assert_eq!(fake.deliver(&webhook, &fake.whatsapp_delivery(&[message(n)], &[])).await.unwrap(), 200);
    }
    assert_eq!(subjects(&client, &base, &key).await.len(), attempted, "one case per message");

    // An agent answers one: it reaches the customer's WhatsApp number through the fake.
    let page: serde_json::Value = client
        .get(format!("{base}/api/v1/cases?limit=1"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let case_id = page["cases"][0]["id"].as_str().unwrap();
    let answer =
        serde_json::json!({ "direction": "outbound", "body": "We are on it: the parcel is with the carrier." });
    let posted = client
        .post(format!("{base}/api/v1/cases/{case_id}/messages"))
        .bearer_auth(&admin)
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), reqwest::StatusCode::CREATED);
    let sent = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        loop {
            let sent: Vec<_> = fake
                .sent()
                .into_iter()
                .filter(|s| {
                    s.api == FakeApi::WhatsApp && s.text.as_deref().is_some_and(|t| t.starts_with("We are on it"))
                })
                .collect();
            if !sent.is_empty() {
                return sent;
            }
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the answer reached WhatsApp");
    assert!(sent[0].to.starts_with("4860010"), "{:?}", sent[0]);
    server.kill();
}
