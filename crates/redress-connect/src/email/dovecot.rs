//! A real IMAP server for tests: Debian's Dovecot (`dovecot-imapd`), started on a free port with
//! its own configuration and maildir in a temporary directory, serving one user, `ana` with
//! password `secret`.
//!
//! Where Dovecot is not installed, [`Dovecot::start`] says so and returns `None`, except under
//! CI (`CI` set), where a missing Dovecot fails: CI installs the package, so its absence is a
//! broken set-up, not a reason to skip.
// A test fixture: a set-up that cannot be made is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::ImapAccount;

const DOVECOT: &str = "/usr/sbin/dovecot";
/// Debian's `nobody` and `nogroup`.
const NOBODY: u32 = 65534;

/// A Dovecot serving one user, `ana` with password `secret`, from a maildir.
pub struct Dovecot {
    _child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Dovecot {
    /// The mailbox's address: `imap://ana:secret@127.0.0.1:<port>/INBOX`.
    pub fn url(&self) -> String {
        format!("imap://ana:secret@127.0.0.1:{}/INBOX", self.port)
    }

    /// Starts Dovecot, or returns `None` (outside CI) when it is not installed.
    pub async fn start() -> Option<Dovecot> {
        if !Path::new(DOVECOT).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "{DOVECOT} is missing: CI must install the Debian package dovecot-imapd"
            );
            eprintln!(
                "SKIPPED: {DOVECOT} is not installed (apt-get install dovecot-imapd); IMAP polling untested here"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Dovecot's auth process runs as its own user and must read the password file.
        set_mode(root, 0o755);
        for sub in ["run", "state", "home", "mail"] {
            std::fs::create_dir(root.join(sub)).unwrap();
        }
        let maildir = root.join("mail/ana");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(maildir.join(sub)).unwrap();
        }
        std::fs::write(root.join("passwd"), "ana:{PLAIN}secret::::::\n").unwrap();
        set_mode(&root.join("passwd"), 0o644);
        // A free port: bound by us, released, handed to Dovecot. Dovecot cannot take an
        // inherited socket, so this is the one place a port is not bound as port 0 directly.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Dovecot refuses to read mail as root: as root, the mail belongs to `nobody`.
        let (uid, gid) = match owner(root) {
            (0, _) => {
                for dir in ["mail", "mail/ana", "mail/ana/cur", "mail/ana/new", "mail/ana/tmp", "home"] {
                    std::os::unix::fs::chown(root.join(dir), Some(NOBODY), Some(NOBODY)).unwrap();
                }
                (NOBODY, NOBODY)
            }
            mine => mine,
        };
        let user = whoami();
        let config = format!(
            r#"base_dir = {root}/run
state_dir = {root}/state
log_path = /dev/stderr
info_log_path = /dev/stderr
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
{unprivileged}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"#,
            root = root.display(),
            // As root, Dovecot drops to its own users; as anyone else it runs as that user.
            unprivileged = if owner(root).0 == 0 {
                String::new()
            } else {
                format!("default_login_user = {user}\ndefault_internal_user = {user}\n")
            },
        );
        let config_path = root.join("dovecot.conf");
        std::fs::write(&config_path, config).unwrap();
        let mut child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        // Dovecot binds its listeners before it logs that it is starting up: wait for the line.
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut log = Vec::new();
        let started = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some(line) = lines.next_line().await.unwrap() {
                let up = line.contains("starting up");
                log.push(line);
                if up {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(matches!(started, Ok(true)), "Dovecot did not start:\n{}", log.join("\n"));
        // Keep draining its log so Dovecot never blocks on a full pipe; shown if a test fails.
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                eprintln!("dovecot: {line}");
            }
        });
        Some(Dovecot { _child: child, port, maildir, _dir: dir })
    }

    /// The mailbox as an account to poll.
    pub fn account(&self) -> ImapAccount {
        ImapAccount::from_url(&self.url(), Duration::from_secs(10)).unwrap()
    }

    /// Delivers a message the way an MTA does: written to `tmp/`, renamed into `new/`.
    pub fn deliver(&self, n: u32, body: &str) {
        let raw = format!(
            "From: Customer {n} <c{n}@mail.example>\r\nTo: support@shop.example\r\nSubject: Message {n}\r\n\
             Message-ID: <m{n}@mail.example>\r\n\r\n{body}\r\n"
        );
        let name = format!("{n}.M{n}P1.test");
        let tmp = self.maildir.join("tmp").join(&name);
        std::fs::write(&tmp, raw).unwrap();
        std::fs::rename(&tmp, self.maildir.join("new").join(&name)).unwrap();
    }
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn owner(path: &Path) -> (u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).unwrap();
    (meta.uid(), meta.gid())
}

fn whoami() -> String {
    std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "root".to_owned())
}
