//! IMAP polling against a real Dovecot (Debian's `dovecot-imapd`), started by the test on a
//! free port with its own configuration and maildir in a temporary directory
//! ([`crate::email::dovecot`]).

use crate::email::dovecot::Dovecot;
use crate::email::imap::{ImapContent, ImapLimits, fetch_new};
use std::time::Duration;

use crate::email::{ImapAccount, ImapCursor, ImapError, InboundEmail};

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
