//! Mail through the real binary: `redress serve --smtp-listen` is killed with SIGKILL while
//! clients deliver mail; after a restart every mail the receiver answered `250` is on a case,
//! and the senders' retries of every mail (answered or not) leave exactly one case each. Then an
//! agent's answer leaves through `--smtp-relay` to a local sink, threaded to the mail.

use std::time::Duration;

use redress_connect::email::{BuiltEmail, SmtpRelay, SmtpSink};

use crate::server::post_json;

const ADMIN_KEY: &str = "mail-test-admin-key-0123456789";
const SUPPORT: &str = "support@durable-mail.example";

fn mail(n: usize) -> BuiltEmail {
    let raw = format!(
        "From: customer{n}@example.com\r\nTo: {SUPPORT}\r\nSubject: Parcel {n} never arrived\r\n\
         Message-ID: <kill-{n}@example.com>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         Hello, my parcel {n} has not arrived after two weeks. Where is it?\r\n"
    );
    BuiltEmail {
        message_id: format!("kill-{n}@example.com"),
        envelope_from: format!("customer{n}@example.com"),
        recipient: SUPPORT.into(),
        bytes: raw.into_bytes(),
    }
}

async fn cases(client: &reqwest::Client, base: &str, key: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/v1/cases?limit=200");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: serde_json::Value = client.get(url).bearer_auth(key).send().await.unwrap().json().await.unwrap();
        all.extend(page["cases"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return all,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_answered_250_survives_sigkill_and_retries_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("mail.db");
    let sink = SmtpSink::start().await.unwrap();
    let flags = ["--smtp-listen", "127.0.0.1:0", "--smtp-relay", &sink.relay_url()];
    let client = reqwest::Client::new();
    let mut server = crate::server::start(&database, ADMIN_KEY, &flags);
    let base = server.base.clone();
    let relay_to = |server: &crate::server::Server| {
        let smtp = server.smtp.as_deref().expect("the server printed its SMTP address");
        SmtpRelay::from_url(&format!("smtp://{smtp}?tls=none"), Duration::from_secs(5)).unwrap()
    };
    let store = post_json(
        &client,
        &format!("{base}/api/v1/stores"),
        ADMIN_KEY,
        &serde_json::json!({"slug": "durable-mail", "name": "Durable", "default_currency": "EUR",
            "default_language": "en",
            "admin": {"email": "olga@durable-mail.example", "name": "Olga", "role": "admin", "password": "a long passphrase 1"}}),
    )
    .await;
    let key = store["api_key"]["secret"].as_str().unwrap().to_owned();
    let admin = store["admin_key"]["secret"].as_str().unwrap().to_owned();
    let saved = client
        .put(format!("{base}/api/v1/settings/support-addresses"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({ "addresses": [SUPPORT] }))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), reqwest::StatusCode::OK);

    // Four senders deliver as fast as they can; every 250 is recorded.
    let relay = relay_to(&server);
    let deliver = move |n| {
        let relay = relay.clone();
        async move { relay.send(&mail(n)).await.is_ok() }
    };
    let (accepted, attempted) = server.kill_while_delivering(60, deliver).await;
    assert!(accepted.len() >= 60, "only {} mails were accepted before the kill", accepted.len());
    eprintln!("{} mails answered 250 before the SIGKILL, {attempted} begun", accepted.len());

    let mut server = crate::server::start(&database, ADMIN_KEY, &flags);
    let base = server.base.clone();
    let relay = relay_to(&server);
    let subjects: std::collections::HashSet<String> =
        cases(&client, &base, &key).await.iter().map(|c| c["subject"].as_str().unwrap().to_owned()).collect();
    for n in &accepted {
        assert!(subjects.contains(&format!("Parcel {n} never arrived")), "mail {n} was answered 250 and lost");
    }
    // The senders retry everything they sent: each mail is one case, however often it came.
    for n in 0..attempted {
        relay.send(&mail(n)).await.unwrap();
    }
    let after = cases(&client, &base, &key).await;
    assert_eq!(after.len(), attempted, "one case per mail");

    // An agent answers one: it reaches the sink, threaded to the customer's mail.
    let case_id = after[0]["id"].as_str().unwrap();
    let answer = serde_json::json!({ "direction": "outbound", "body": "We are on it." });
    let posted = client
        .post(format!("{base}/api/v1/cases/{case_id}/messages"))
        .bearer_auth(&admin)
        .json(&answer)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), reqwest::StatusCode::CREATED);
    let received = tokio::time::timeout(Duration::from_secs(30), sink.wait_for(1)).await.unwrap();
    let sent = received[0].parsed().unwrap();
    assert_eq!(sent.in_reply_to.len(), 1);
    assert!(sent.in_reply_to[0].starts_with("kill-"), "{:?}", sent.in_reply_to);
    server.kill();
}
