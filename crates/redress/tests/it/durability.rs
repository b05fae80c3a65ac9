//! Every acknowledged write survives a SIGKILL: start the real server, create cases over
//! HTTP from several clients at once, kill the process mid-stream, start it again on the same
//! file, and find every case whose creation was acknowledged.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::server::{Server, post_json};

const ADMIN_KEY: &str = "durability-test-admin-key";

fn start(database: &Path) -> Server {
    crate::server::start(database, ADMIN_KEY, &[])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_cases_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("durable.db");
    let client = reqwest::Client::new();
    let mut server = start(&database);
    let base = server.base.clone();

    let store: serde_json::Value = post_json(
        &client,
        &format!("{base}/api/v1/stores"),
        ADMIN_KEY,
        &serde_json::json!({"slug": "durable", "name": "Durable", "default_currency": "EUR", "default_language": "en"}),
    )
    .await;
    let key = store["api_key"]["secret"].as_str().unwrap().to_owned();

    // Eight clients create cases as fast as they can; every 201 is recorded.
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let (client, base, key, acknowledged) = (client.clone(), base.clone(), key.clone(), acknowledged.clone());
            tokio::spawn(async move {
                for i in 0.. {
                    let body = serde_json::json!({
                        "subject": format!("parcel {writer}-{i}"), "channel": "email",
                        "message": {"body": "Where is my parcel?"}
                    });
                    let Ok(response) =
                        client.post(format!("{base}/api/v1/cases")).bearer_auth(&key).json(&body).send().await
                    else {
                        return;
                    };
                    if response.status() != reqwest::StatusCode::CREATED {
                        return;
                    }
                    let Ok(view) = response.json::<serde_json::Value>().await else { return };
                    acknowledged.lock().unwrap().push(view["case"]["id"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();

    // Kill the server while the writes are flowing.
    let deadline = Instant::now() + Duration::from_secs(20);
    while acknowledged.lock().unwrap().len() < 300 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill(); // SIGKILL: no shutdown, no flush.
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 300, "only {} cases were acknowledged before the kill", acknowledged.len());

    let mut server = start(&database);
    let base = server.base.clone();
    let mut missing = Vec::new();
    for id in &acknowledged {
        let response = client.get(format!("{base}/api/v1/cases/{id}")).bearer_auth(&key).send().await.unwrap();
        if response.status() != reqwest::StatusCode::OK {
            missing.push(id.clone());
        }
    }
    server.kill();
    assert!(missing.is_empty(), "{} of {} acknowledged cases are lost: {missing:?}", missing.len(), acknowledged.len());
}
