//! The channels story: support addresses per store, a received message recorded once with its
//! case change, the outbox's claims (never two at once, taken again once lapsed), retries and
//! the end states, threading look-ups, dead letters per store.

use std::sync::Arc;

use redress_domain::{EmailAddress, MessageId};
use redress_storage::channels::{
    ChannelAccount, ChannelWrites, DeadLetter, Delivery, DeliveryKey, InboundOutcome, InboundRecord, OutboxEntry,
    OutboxLane, OutboxStatus, OutgoingChat, OutgoingEmail, OutgoingMessage,
};
use redress_storage::{Conflict, Storage, StorageError};
use time::Duration;
use uuid::Uuid;

use super::{T0, new_case, store};

fn record(store_id: redress_domain::StoreId, provider_id: &str) -> InboundRecord {
    InboundRecord {
        id: Uuid::now_v7(),
        store_id,
        channel: "email".into(),
        provider_message_id: provider_id.into(),
        case_id: None,
        message_id: None,
        outcome: InboundOutcome::CaseOpened,
        sender: Some("ana@example.com".into()),
        received_at: T0,
        raw: b"From: ana@example.com\r\n\r\nHello".to_vec(),
    }
}

fn entry(store_id: redress_domain::StoreId, case_id: redress_domain::CaseId, provider_id: &str) -> OutboxEntry {
    OutboxEntry {
        id: Uuid::now_v7(),
        store_id,
        case_message: Some((case_id, MessageId::from_uuid(Uuid::now_v7()))),
        channel: "email".into(),
        provider_message_id: provider_id.into(),
        status: OutboxStatus::Pending,
        attempts: 0,
        next_attempt_at: T0,
        last_error: None,
        created_at: T0,
        sent_at: None,
        delivered_as: None,
        delivery: None,
        message: OutgoingMessage::Email(OutgoingEmail {
            from_name: "North".into(),
            from_address: "support@north.example".into(),
            reply_to: None,
            to_name: None,
            to_address: "ana@example.com".into(),
            subject: "Re: parcel [#1]".into(),
            text_body: "Hello".into(),
            html_body: "<p>Hello</p>".into(),
            in_reply_to: Some("first@example.com".into()),
            references: vec!["first@example.com".into()],
            language: "pl".into(),
            automatic: false,
        }),
    }
}

/// A change every case takes: an internal note.
fn noted() -> redress_storage::CaseUpdateFn {
    Box::new(|case: &redress_domain::Case| {
        let actor = redress_domain::Actor::Agent { name: "maria".into() };
        Ok(redress_storage::CaseUpdate { change: case.add_note("answered by email", &actor, T0)?, message: None })
    })
}

fn is_duplicate(result: Result<impl std::fmt::Debug, StorageError>) -> bool {
    matches!(result, Err(StorageError::Conflict(Conflict::Duplicate(_))))
}

pub async fn story(db: Arc<dyn Storage>) {
    let north = store(&format!("chan-n-{}", Uuid::now_v7().simple()));
    let south = store(&format!("chan-s-{}", Uuid::now_v7().simple()));
    db.create_store(&north).await.unwrap();
    db.create_store(&south).await.unwrap();
    let channels = db.channels();
    let support = EmailAddress::parse(&format!("support@{}.example", north.slug)).unwrap();

    // An address takes mail for one store.
    channels.set_support_addresses(north.id, std::slice::from_ref(&support), T0).await.unwrap();
    assert!(is_duplicate(channels.set_support_addresses(south.id, std::slice::from_ref(&support), T0).await));
    assert_eq!(channels.store_of_address(&support).await.unwrap(), Some(north.id));
    assert_eq!(channels.support_addresses(south.id).await.unwrap(), Vec::<EmailAddress>::new());

    // A received message opens a case once; the same id again refuses the whole change.
    let new = new_case(&north, None, "Broken vase", T0);
    let case_id = new.id;
    let first =
        InboundRecord { case_id: Some(case_id), message_id: Some(new.first_message.id), ..record(north.id, "m1@x") };
    let writes = ChannelWrites { inbound: Some(first.clone()), outbox: None };
    channels.open_case_with(new, T0, writes).await.unwrap();
    let again = ChannelWrites { inbound: Some(InboundRecord { id: Uuid::now_v7(), ..first }), outbox: None };
    let before = db.case(north.id, case_id).await.unwrap();
    assert!(is_duplicate(channels.update_case_with(north.id, case_id, noted(), again).await));
    assert_eq!(db.case(north.id, case_id).await.unwrap(), before, "a refused change writes nothing");
    let seen = channels.received(north.id, "email", "m1@x").await.unwrap().unwrap();
    assert_eq!((seen.case_id, seen.outcome), (Some(case_id), InboundOutcome::CaseOpened));
    assert!(channels.received(south.id, "email", "m1@x").await.unwrap().is_none(), "stores never share");
    assert!(channels.record_inbound(&record(south.id, "m1@x")).await.unwrap(), "another store's own copy");
    assert!(!channels.record_inbound(&record(south.id, "m1@x")).await.unwrap());

    // An answer and its outbox entry commit together; threading finds the case by either id.
    let answer = entry(north.id, case_id, "out1@north.example");
    let writes = ChannelWrites { inbound: None, outbox: Some(answer.clone()) };
    channels.update_case_with(north.id, case_id, noted(), writes).await.unwrap();
    assert_eq!(channels.case_of_thread(north.id, &["nothing@x", "out1@north.example"]).await.unwrap(), Some(case_id));
    assert_eq!(channels.case_of_thread(south.id, &["out1@north.example"]).await.unwrap(), None);
    let thread = channels.email_thread(north.id, case_id).await.unwrap();
    assert_eq!(thread.ids, ["m1@x", "out1@north.example"]);
    assert_eq!(thread.last_received.as_deref(), Some("m1@x"));

    // Claims: one at a time, taken again once lapsed, retried when due, then sent for good.
    let lease = Duration::minutes(5);
    let claimed = channels.claim_outbox(OutboxLane::Email, T0, lease, 10).await.unwrap();
    assert_eq!(
        claimed.iter().map(|e| (e.id, e.attempts, e.status)).collect::<Vec<_>>(),
        [(answer.id, 1, OutboxStatus::Sending)]
    );
    assert!(channels.claim_outbox(OutboxLane::Email, T0 + Duration::minutes(4), lease, 10).await.unwrap().is_empty());
    let lapsed = channels.claim_outbox(OutboxLane::Email, T0 + Duration::minutes(6), lease, 10).await.unwrap();
    assert_eq!(lapsed[0].attempts, 2);
    channels.outbox_failed(answer.id, "451 try later", Some(T0 + Duration::hours(1))).await.unwrap();
    assert!(channels.claim_outbox(OutboxLane::Email, T0 + Duration::minutes(30), lease, 10).await.unwrap().is_empty());
    let due = channels.claim_outbox(OutboxLane::Email, T0 + Duration::hours(1), lease, 10).await.unwrap();
    assert_eq!((due[0].attempts, due[0].last_error.as_deref()), (3, Some("451 try later")));
    channels.outbox_sent(answer.id, T0 + Duration::hours(1), None).await.unwrap();
    assert!(channels.claim_outbox(OutboxLane::Email, T0 + Duration::days(2), lease, 10).await.unwrap().is_empty());
    assert!(!channels.retry_outbox(north.id, answer.id, T0).await.unwrap(), "only a dead entry is retried");
    let listed = channels.outbox(north.id, 10).await.unwrap();
    assert_eq!((listed[0].status, listed[0].sent_at), (OutboxStatus::Sent, Some(T0 + Duration::hours(1))));
    assert_eq!(listed[0].message, answer.message);

    // Two workers claiming at once never take the same entry.
    for n in 0..6 {
        let writes =
            ChannelWrites { inbound: None, outbox: Some(entry(north.id, case_id, &format!("c{n}@north.example"))) };
        channels.update_case_with(north.id, case_id, noted(), writes).await.unwrap();
    }
    let (a, b) = {
        let (one, two) = (db.clone(), db.clone());
        let at = T0 + Duration::days(3);
        tokio::join!(
            tokio::spawn(async move { one.channels().claim_outbox(OutboxLane::Email, at, lease, 4).await.unwrap() }),
            tokio::spawn(async move { two.channels().claim_outbox(OutboxLane::Email, at, lease, 4).await.unwrap() })
        )
    };
    let mut ids: Vec<Uuid> = a.unwrap().into_iter().chain(b.unwrap()).map(|e| e.id).collect();
    assert_eq!(ids.len(), 6);
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "no entry claimed twice");
    let gone = ids[0];
    channels.outbox_failed(gone, "550 no such user", None).await.unwrap();
    assert!(!channels.retry_outbox(south.id, gone, T0).await.unwrap(), "another store's entry is not found");
    // Within the others' claims, only the entry put back is taken.
    let soon = T0 + Duration::days(3) + Duration::minutes(1);
    assert!(channels.retry_outbox(north.id, gone, soon).await.unwrap());
    let again = channels.claim_outbox(OutboxLane::Email, soon, lease, 10).await.unwrap();
    assert_eq!(again.iter().map(|e| (e.id, e.attempts)).collect::<Vec<_>>(), [(gone, 1)]);

    chat_story(&db, &north, &south, case_id).await;

    // Dead letters stay with their store.
    let letter = DeadLetter {
        id: Uuid::now_v7(),
        store_id: Some(north.id),
        channel: "email".into(),
        reason: "the mail has no headers".into(),
        raw: b"garbage".to_vec(),
        received_at: T0,
    };
    channels.record_dead_letter(&letter).await.unwrap();
    let letters = channels.dead_letters(north.id, 10).await.unwrap();
    assert_eq!((letters.len(), letters[0].size_bytes), (1, 7));
    assert!(channels.dead_letters(south.id, 10).await.unwrap().is_empty());
    let (channel, raw) = channels.dead_letter_raw(north.id, letter.id).await.unwrap().unwrap();
    assert_eq!((channel.as_str(), raw.as_slice()), ("email", b"garbage".as_slice()));
    assert!(channels.dead_letter_raw(south.id, letter.id).await.unwrap().is_none(), "stores never share");
    assert!(!channels.remove_dead_letter(south.id, letter.id).await.unwrap());
    assert!(channels.remove_dead_letter(north.id, letter.id).await.unwrap());
    assert!(channels.dead_letters(north.id, 10).await.unwrap().is_empty());

    assistant_on_messaging_apps(&db, &north, &south).await;
}

/// The assistant's conversation on a messaging app: found again by the identity writing, saved
/// with the message received and the answer to send in one transaction; a message received
/// before refuses the whole save.
async fn assistant_on_messaging_apps(
    db: &Arc<dyn Storage>,
    north: &redress_domain::Store,
    south: &redress_domain::Store,
) {
    use redress_domain::assistant::Conversation;
    let language = redress_domain::LanguageTag::parse("pl").unwrap();
    let mut conversation = Conversation::start(Uuid::new_v4(), north.id, language, T0);
    conversation.chat_sender = Some("whatsapp:48600100200".into());
    let received = InboundRecord { channel: "whatsapp".into(), ..record(north.id, "wamid.a1") };
    let mut answer = entry(north.id, redress_domain::CaseId::from_uuid(Uuid::now_v7()), "assistant-1");
    answer.case_message = None;
    answer.channel = "whatsapp".into();
    answer.message = OutgoingMessage::Chat(OutgoingChat {
        account_id: "100200300".into(),
        to: "48600100200".into(),
        to_name: None,
        text: "Podaj numer zamówienia".into(),
        reply_to: Some("wamid.a1".into()),
        last_inbound_at: T0,
        language: "pl".into(),
        automatic: true,
        template: None,
    });
    let writes = ChannelWrites { inbound: Some(received.clone()), outbox: Some(answer.clone()) };
    let assistant = db.assistant();
    assistant.save_conversation(&conversation, 0, &writes).await.unwrap();
    let found = assistant.conversation_of_sender(north.id, "whatsapp:48600100200").await.unwrap().unwrap();
    assert_eq!((found.conversation.id, found.version), (conversation.id, 1));
    assert!(assistant.conversation_of_sender(south.id, "whatsapp:48600100200").await.unwrap().is_none());
    assert!(assistant.conversation_of_sender(north.id, "whatsapp:1").await.unwrap().is_none());
    let queued = db.channels().outbox(north.id, 50).await.unwrap();
    let queued = queued.iter().find(|e| e.id == answer.id).expect("the answer is in the outbox");
    assert_eq!(queued.case_message, None, "an answer before any case");

    // The same message again (a provider's redelivery): nothing of the turn is saved.
    conversation.turns += 1;
    let again = ChannelWrites { inbound: Some(InboundRecord { id: Uuid::now_v7(), ..received }), outbox: None };
    let refused = assistant.save_conversation(&conversation, 1, &again).await;
    assert!(is_duplicate(refused), "a message received before refuses the turn");
    let kept = assistant.conversation_of_sender(north.id, "whatsapp:48600100200").await.unwrap().unwrap();
    assert_eq!((kept.version, kept.conversation.turns), (1, 0), "the refused turn wrote nothing");
}

/// Answers on messaging apps: accounts with sealed credentials, the chat lane claimed apart from
/// mail, and providers' status reports settling and ending entries.
async fn chat_story(
    db: &Arc<dyn Storage>,
    north: &redress_domain::Store,
    south: &redress_domain::Store,
    case_id: redress_domain::CaseId,
) {
    let channels = db.channels();
    let account_id = format!("{}", Uuid::now_v7().as_u128() % 1_000_000_000_000);
    let account = ChannelAccount {
        store_id: north.id,
        channel: "whatsapp".into(),
        account_id: account_id.clone(),
        sealed_token: Some(vec![1, 2, 3]),
        sealed_webhook_secret: None,
        human_agent: false,
    };
    channels.add_channel_account(&account, T0).await.unwrap();
    let renewed = ChannelAccount { sealed_token: Some(vec![4, 5]), ..account.clone() };
    channels.add_channel_account(&renewed, T0).await.unwrap();
    assert_eq!(channels.channel_account("whatsapp", &account_id).await.unwrap(), Some(renewed.clone()));
    let taken = ChannelAccount { store_id: south.id, sealed_token: None, ..account };
    assert!(is_duplicate(channels.add_channel_account(&taken, T0).await));
    assert_eq!(channels.channel_account("whatsapp", &account_id).await.unwrap(), Some(renewed), "unchanged");

    // The case's last message on a messaging app, not its mail.
    assert_eq!(channels.last_chat(north.id, case_id).await.unwrap(), None);
    let chat = InboundRecord {
        channel: "whatsapp".into(),
        case_id: Some(case_id),
        received_at: T0 + Duration::days(4),
        raw: b"{}".to_vec(),
        ..record(north.id, &format!("wamid.in.{account_id}"))
    };
    let writes = ChannelWrites { inbound: Some(chat), outbox: None };
    channels.update_case_with(north.id, case_id, noted(), writes).await.unwrap();
    let last = channels.last_chat(north.id, case_id).await.unwrap().unwrap();
    assert_eq!((last.channel.as_str(), last.received_at), ("whatsapp", T0 + Duration::days(4)));

    let answer = |id: Uuid| OutboxEntry {
        id,
        channel: "whatsapp".into(),
        provider_message_id: id.to_string(),
        next_attempt_at: T0 + Duration::days(4),
        message: OutgoingMessage::Chat(OutgoingChat {
            account_id: account_id.clone(),
            to: "48600100200".into(),
            to_name: Some("+48600100200".into()),
            text: "Dzień dobry".into(),
            reply_to: None,
            last_inbound_at: T0 + Duration::days(4),
            language: "pl".into(),
            automatic: false,
            template: None,
        }),
        ..entry(north.id, case_id, "unused")
    };
    let (one, two) = (Uuid::now_v7(), Uuid::now_v7());
    for id in [one, two] {
        let writes = ChannelWrites { inbound: None, outbox: Some(answer(id)) };
        channels.update_case_with(north.id, case_id, noted(), writes).await.unwrap();
    }
    let at = T0 + Duration::days(5);
    let lease = Duration::minutes(5);
    let mail = channels.claim_outbox(OutboxLane::Email, at, lease, 10).await.unwrap();
    assert!(mail.iter().all(|e| e.channel == "email"), "the mail lane takes mail only");
    let claimed = channels.claim_outbox(OutboxLane::Chat, at, lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 2);
    assert_eq!(claimed.iter().find(|e| e.id == one).unwrap().message, answer(one).message);

    // Sent with the provider's id; its reports move it forward, never back.
    let wamid = format!("wamid.out.{one}");
    channels.outbox_sent(one, at, Some(&wamid)).await.unwrap();
    let by_provider = DeliveryKey { provider_id: wamid.clone(), entry_id: None };
    assert!(channels.outbox_delivery("whatsapp", &by_provider, Delivery::Read, None, at).await.unwrap());
    assert!(!channels.outbox_delivery("whatsapp", &by_provider, Delivery::Delivered, None, at).await.unwrap());
    assert!(!channels.outbox_delivery("whatsapp", &by_provider, Delivery::Failed, Some("x"), at).await.unwrap());
    assert!(!channels.outbox_delivery("messenger", &by_provider, Delivery::Read, None, at).await.unwrap());

    // A send whose answer was lost, settled by the report carrying the entry's id back.
    channels.outbox_failed(two, "no answer", Some(at + Duration::minutes(10))).await.unwrap();
    let carried = DeliveryKey { provider_id: format!("wamid.out.{two}"), entry_id: Some(two) };
    assert!(channels.outbox_delivery("whatsapp", &carried, Delivery::Sent, None, at).await.unwrap());
    assert!(channels.claim_outbox(OutboxLane::Chat, at + Duration::hours(1), lease, 10).await.unwrap().is_empty());
    // Then the provider could not deliver it after all: dead with its reason.
    let failed = DeliveryKey { provider_id: format!("wamid.out.{two}"), entry_id: None };
    assert!(
        channels
            .outbox_delivery("whatsapp", &failed, Delivery::Failed, Some("131047 re-engagement"), at)
            .await
            .unwrap()
    );
    let listed = channels.outbox(north.id, 20).await.unwrap();
    let status = |id: Uuid| {
        let e = listed.iter().find(|e| e.id == id).unwrap();
        (e.status, e.delivery, e.delivered_as.clone(), e.last_error.clone())
    };
    assert_eq!(status(one), (OutboxStatus::Sent, Some(Delivery::Read), Some(wamid), None));
    assert_eq!(
        status(two),
        (
            OutboxStatus::Dead,
            Some(Delivery::Failed),
            Some(format!("wamid.out.{two}")),
            Some("131047 re-engagement".into())
        )
    );
}
