//! Starting the real `redress serve` process for a test and waiting until it answers.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `redress serve` on the SQLite file `database`, on `port`, with `admin_key` and `extra` flags.
pub fn start(database: &Path, port: u16, admin_key: &str, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["serve", "--database-url"])
        .arg(format!("sqlite://{}", database.display()))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--admin-key", admin_key])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the redress binary starts")
}

/// Waits until `/healthz` answers, for at most 30 seconds.
pub async fn wait_until_healthy(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not become healthy within 30 s");
}
