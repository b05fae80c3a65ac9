//! IMAP polling against a real Dovecot (Debian's `dovecot-imapd`), started by the test on a
//! free port with its own configuration and maildir in a temporary directory.
//!
//! Where Dovecot is not installed the test says so and passes, except under CI (`CI` set),
//! where a missing Dovecot fails it: CI installs the package, so its absence is a broken
//! set-up, not a reason to skip.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::email::imap::{ImapContent, ImapLimits, fetch_new};
use crate::email::{ImapAccount, ImapCursor, ImapError, InboundEmail};

const DOVECOT: &str = "/usr/sbin/dovecot";
/// Debian's `nobody` and `nogroup`.
const NOBODY: u32 = 65534;

/// A Dovecot serving one user, `ana` with password `secret`, from a maildir.
struct Dovecot {
    _child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Dovecot {
    /// Starts Dovecot, or returns `None` (outside CI) when it is not installed.
    async fn start() -> Option<Dovecot> {
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

    fn account(&self) -> ImapAccount {
        ImapAccount::from_url(&format!("imap://ana:secret@127.0.0.1:{}/INBOX", self.port), Duration::from_secs(10))
            .unwrap()
    }

    /// Delivers a message the way an MTA does: written to `tmp/`, renamed into `new/`.
    fn deliver(&self, n: u32, body: &str) {
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

fn raw(content: &ImapContent) -> &[u8] {
    match content {
        ImapContent::Raw(raw) => raw,
        ImapContent::TooLarge { size } => panic!("too large: {size}"),
    }
}

fn subjects(messages: &[crate::email::ImapMessage]) -> Vec<String> {
    messages.iter().map(|m| InboundEmail::parse(raw(&m.content)).unwrap().subject).collect()
}

#[tokio::test]
async fn polling_dovecot_neither_loses_nor_duplicates_across_restarts() {
    let Some(dovecot) = Dovecot::start().await else { return };
    let account = dovecot.account();
    let limits = ImapLimits { max_messages: 2, ..ImapLimits::default() };

    let empty = fetch_new(&account, None, &limits).await.unwrap();
    assert!(empty.messages.is_empty() && !empty.more && !empty.reset);

    for n in 1..=3 {
        dovecot.deliver(n, &format!("Body {n}"));
    }
    // The caller's store: the cursor saved after each message, as in one transaction.
    let mut stored: Vec<String> = Vec::new();
    let mut cursor: Option<ImapCursor> = None;

    let first = fetch_new(&account, cursor, &limits).await.unwrap();
    assert_eq!(subjects(&first.messages), ["Message 1", "Message 2"]);
    assert!(first.more);
    // Store the first message only, then "crash" before the second.
    stored.push(subjects(&first.messages[..1])[0].clone());
    cursor = Some(first.cursor_after(&first.messages[0]));

    // After the restart: what follows the stored cursor, nothing before it.
    let again = fetch_new(&account, cursor, &limits).await.unwrap();
    assert_eq!(subjects(&again.messages), ["Message 2", "Message 3"]);
    assert!(!again.more);
    for message in &again.messages {
        stored.push(InboundEmail::parse(raw(&message.content)).unwrap().subject);
        cursor = Some(again.cursor_after(message));
    }
    assert!(fetch_new(&account, cursor, &limits).await.unwrap().messages.is_empty());

    // A new arrival is the only one found; reading left the mailbox as it was.
    dovecot.deliver(4, "Body 4");
    let fourth = fetch_new(&account, cursor, &limits).await.unwrap();
    assert_eq!(subjects(&fourth.messages), ["Message 4"]);
    stored.push("Message 4".into());
    assert_eq!(stored, ["Message 1", "Message 2", "Message 3", "Message 4"]);
    let all = fetch_new(&account, None, &ImapLimits::default()).await.unwrap();
    assert_eq!(all.messages.len(), 4);
    assert_eq!(all.messages.iter().map(|m| m.uid).collect::<Vec<_>>(), [1, 2, 3, 4]);

    // A cursor from another UIDVALIDITY means nothing: start again, and say so.
    let stale = ImapCursor { uid_validity: all.uid_validity.wrapping_add(1), last_uid: 3 };
    let reset = fetch_new(&account, Some(stale), &ImapLimits::default()).await.unwrap();
    assert!(reset.reset);
    assert_eq!(reset.messages.len(), 4);

    // Too large to download: listed, not fetched, so the caller can dead-letter and move on.
    let small = ImapLimits { max_messages: 10, max_message_bytes: 50, ..ImapLimits::default() };
    let big = fetch_new(&account, None, &small).await.unwrap();
    assert!(big.messages.iter().all(|m| matches!(m.content, ImapContent::TooLarge { size } if size > 50)));

    // A byte budget smaller than two messages: one per poll, and the caller is told to go on.
    let one_at_a_time = ImapLimits { max_batch_bytes: 150, ..ImapLimits::default() };
    let budgeted = fetch_new(&account, None, &one_at_a_time).await.unwrap();
    assert_eq!((budgeted.messages.len(), budgeted.more), (1, true));

    let mut wrong = account.clone();
    wrong.password = "wrong".into();
    assert!(matches!(fetch_new(&wrong, None, &limits).await, Err(ImapError::Login(_))));
    let mut missing = account.clone();
    missing.mailbox = "Nope".into();
    assert!(matches!(fetch_new(&missing, None, &limits).await, Err(ImapError::Protocol(_))));
}

#[tokio::test]
async fn an_unreachable_imap_server_is_a_connection_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let account =
        ImapAccount::from_url(&format!("imap://ana:secret@127.0.0.1:{port}"), Duration::from_secs(5)).unwrap();
    assert!(matches!(fetch_new(&account, None, &ImapLimits::default()).await, Err(ImapError::Connect { .. })));
}
