//! Starting the real `redress serve` process for a test on a port of its own choosing (port
//! 0) and learning its address from the line it prints once it listens.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// A running `redress serve` and the base URL it listens on.
pub struct Server {
    /// The process.
    pub process: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// `127.0.0.1:PORT` of the SMTP receiver, when it was asked for (`--smtp-listen`).
    pub smtp: Option<String>,
}

impl Server {
    /// Kills the process at once (SIGKILL: no shutdown, no flush) and reaps it.
    pub fn kill(&mut self) {
        self.process.kill().unwrap();
        self.process.wait().unwrap();
    }

    /// Four senders deliver numbered messages as fast as they can (`deliver(n)` is true when
    /// the server acknowledged message `n`); once `acknowledged` were, the server is killed
    /// with SIGKILL mid-stream. Returns the numbers acknowledged and how many were begun.
    pub async fn kill_while_delivering<F, Fut>(&mut self, acknowledged: usize, deliver: F) -> (Vec<usize>, usize)
    where
        F: Fn(usize) -> Fut + Clone + Send + 'static,
        Fut: std::future::Future<Output = bool> + Send,
    {
        use std::sync::{Arc, Mutex};
        let accepted = Arc::new(Mutex::new(Vec::<usize>::new()));
        let attempted = Arc::new(Mutex::new(0_usize));
        let (count, mut counted) = tokio::sync::watch::channel(0_usize);
        let count = Arc::new(count);
        let senders: Vec<_> = (0..4)
            .map(|sender| {
                let (deliver, accepted, attempted, count) =
                    (deliver.clone(), accepted.clone(), attempted.clone(), count.clone());
                tokio::spawn(async move {
                    for i in 0.. {
                        let n = i * 4 + sender;
                        {
                            let mut highest = attempted.lock().unwrap();
                            *highest = (*highest).max(n + 1);
                        }
                        if !deliver(n).await {
                            return;
                        }
                        accepted.lock().unwrap().push(n);
                        count.send_modify(|c| *c += 1);
                    }
                })
            })
            .collect();
        counted.wait_for(|c| *c >= acknowledged).await.unwrap();
        self.kill();
        for sender in senders {
            sender.await.unwrap();
        }
        let accepted = accepted.lock().unwrap().clone();
        let attempted = *attempted.lock().unwrap();
        (accepted, attempted)
    }
}

impl Drop for Server {
    /// A server never outlives its test, even one that fails half-way.
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// `redress serve` on the SQLite file `database`, on a free port, with `admin_key` and `extra`
/// flags. Returns once the server listens: it prints its address only after binding, and
/// connections made from then on wait in the listen queue until it accepts them.
pub fn start(database: &Path, admin_key: &str, extra: &[&str]) -> Server {
    start_on(&format!("sqlite://{}", database.display()), admin_key, extra)
}

/// As [`start`], on any database URL (PostgreSQL included).
pub fn start_on(database_url: &str, admin_key: &str, extra: &[&str]) -> Server {
    let mut process = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["serve", "--database-url", database_url])
        .args(["--listen", "127.0.0.1:0", "--admin-key", admin_key])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the redress binary starts");
    let stdout = process.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let mut smtp = None;
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|line| {
            if let Some(address) = line.strip_prefix("redress receiving mail on smtp://") {
                smtp = Some(address.to_owned());
            }
            line.strip_prefix("redress listening on ").map(str::to_owned)
        })
        .expect("the server printed its address");
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server { process, base, smtp }
}

/// The PostgreSQL server tests may use, from `REDRESS_TEST_POSTGRES_URL`; `None` (the test is
/// skipped) without it, except under CI, which must run them.
pub fn postgres_url() -> Option<String> {
    match std::env::var("REDRESS_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but REDRESS_TEST_POSTGRES_URL is not: the PostgreSQL runs would be skipped")
        }
        Err(_) => {
            eprintln!("REDRESS_TEST_POSTGRES_URL is not set: skipping the PostgreSQL run");
            None
        }
    }
}

/// Posts `body` as JSON to `url` with the bearer `key` and reads the JSON answer, which must be
/// a success.
pub async fn post_json(client: &reqwest::Client, url: &str, key: &str, body: &serde_json::Value) -> serde_json::Value {
    let response = client.post(url).bearer_auth(key).json(body).send().await.expect("the server answers");
    let status = response.status();
    let answer: serde_json::Value = response.json().await.expect("a JSON answer");
    assert!(status.is_success(), "POST {url}: {status} {answer}");
    answer
}
