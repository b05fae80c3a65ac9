//! `redress backup` of a database a live server writes to, and `redress restore` of the copy:
//! a server started on the restored file has the store and case created before the backup.

use std::process::Command;

use crate::server::{post_json, start};

const ADMIN_KEY: &str = "backup-test-admin-key-0123";

fn redress(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_redress")).args(args).env("RUST_LOG", "warn").output().expect("redress runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_serving_restores_into_a_working_database() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("live.db");
    let mut server = start(&database, ADMIN_KEY, &[]);
    let client = reqwest::Client::new();
    let store: serde_json::Value = post_json(
        &client,
        &format!("{}/api/v1/stores", server.base),
        ADMIN_KEY,
        &serde_json::json!({"slug": "kept", "name": "Kept", "default_currency": "EUR", "default_language": "en"}),
    )
    .await;
    let key = store["api_key"]["secret"].as_str().unwrap().to_owned();

    let copy = dir.path().join("copy.db");
    let url = format!("sqlite://{}", database.display());
    let backed_up = redress(&["backup", "--database-url", &url, "--to", copy.to_str().unwrap()]);
    assert!(backed_up.status.success(), "{}", String::from_utf8_lossy(&backed_up.stderr));
    let again = redress(&["backup", "--database-url", &url, "--to", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"), "an existing file is never overwritten");
    server.kill();

    let restored = dir.path().join("restored.db");
    let restored_url = format!("sqlite://{}", restored.display());
    let put_back = redress(&["restore", "--from", copy.to_str().unwrap(), "--database-url", &restored_url]);
    assert!(put_back.status.success(), "{}", String::from_utf8_lossy(&put_back.stderr));
    let mut server = start(&restored, ADMIN_KEY, &[]);
    let answer = client.get(format!("{}/api/v1/store", server.base)).bearer_auth(&key).send().await.unwrap();
    assert_eq!(answer.status(), 200, "the store and its key came back");
    server.kill();
}
