//! The one conformance story every storage backend passes: SQLite always, PostgreSQL when
//! `REDRESS_TEST_POSTGRES_URL` names a database (CI sets it). Each PostgreSQL run works in a
//! fresh schema of its own, dropped at the end.

#![allow(clippy::unwrap_used, missing_docs)] // Test helpers outside #[test] functions unwrap freely.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use redress_domain::claim::{Claim, ClaimResolution, NewClaim};
use redress_domain::resolution::{Resolution, ResolutionContext, ResolutionError};
use redress_domain::returns::{NewReturn, RequestedLine, ReturnAuthorisation, ReturnStatus};
#[path = "conformance/channels.rs"]
mod channels;
#[path = "conformance/money.rs"]
mod money;
#[path = "conformance/platforms.rs"]
mod platforms;
#[path = "conformance/privacy.rs"]
mod privacy;
#[path = "conformance/search.rs"]
mod search;
#[path = "conformance/team.rs"]
mod team;

use redress_domain::*;
use redress_storage::{CaseFilter, CaseUpdate, IdempotencyKey, Storage, StorageError, StoredPolicy};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

fn tomasz() -> redress_domain::Assignee {
    redress_domain::Assignee {
        agent_id: redress_domain::AgentId::from_uuid(uuid::Uuid::from_u128(77)),
        name: "Tomasz".into(),
    }
}

const T0: OffsetDateTime = datetime!(2026-11-20 09:00 UTC);

fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

fn store(slug: &str) -> Store {
    Store {
        id: StoreId::from_uuid(Uuid::now_v7()),
        slug: StoreSlug::parse(slug).unwrap(),
        name: format!("Shop {slug}"),
        default_currency: eur(),
        default_language: LanguageTag::parse("en").unwrap(),
        created_at: T0,
    }
}

fn customer(store: &Store, email: &str) -> Customer {
    Customer {
        id: CustomerId::from_uuid(Uuid::now_v7()),
        store_id: store.id,
        email: EmailAddress::parse(email).unwrap(),
        name: "Ana Kowalska".into(),
        language: Some(LanguageTag::parse("pl").unwrap()),
    }
}

fn address() -> Address {
    Address {
        name: "Ana Kowalska".into(),
        lines: vec!["ul. Długa 5".into()],
        city: "Kraków".into(),
        postal_code: "30-001".into(),
        region: None,
        country: "PL".into(),
    }
}

fn order(store: &Store, customer: &Customer, number: &str) -> Order {
    Order {
        id: OrderId::from_uuid(Uuid::now_v7()),
        store_id: store.id,
        number: number.into(),
        customer_id: customer.id,
        currency: eur(),
        lines: vec![OrderLine {
            sku: "TEE-M".into(),
            title: "T-shirt".into(),
            variant: BTreeMap::from([("size".into(), "M".into())]),
            category: None,
            quantity: 1,
            unit_price: Money::new(1999, eur()),
            other_variants: Vec::new(),
        }],
        shipping_address: address(),
        billing_address: address(),
        payments: vec![],
        shipments: vec![],
        placed_at: T0,
        cancelled_at: None,
    }
}

fn new_case(store: &Store, order: Option<&Order>, body: &str, at: OffsetDateTime) -> NewCase {
    let case_id = CaseId::from_uuid(Uuid::now_v7());
    NewCase {
        id: case_id,
        store_id: store.id,
        order_id: order.map(|o| o.id),
        customer_id: order.map(|o| o.customer_id),
        customer_email: Some(EmailAddress::parse("ana@example.com").unwrap()),
        subject: "Parcel arrived broken".into(),
        kind: IssueKind::DamagedInTransit,
        language: LanguageTag::parse("pl").unwrap(),
        sentiment: Sentiment::Negative,
        escalation: BTreeSet::new(),
        first_message: Message {
            id: MessageId::from_uuid(Uuid::now_v7()),
            store_id: store.id,
            case_id,
            direction: Direction::Inbound,
            channel: Channel::Email,
            author: Actor::Customer { handle: "ana@example.com".into() },
            body: body.into(),
            attachments: vec![],
            created_at: at,
        },
        opened_by: Actor::Customer { handle: "ana@example.com".into() },
        understood: None,
        lines: Vec::new(),
    }
}

fn agent() -> Actor {
    Actor::Agent { name: "maria".into() }
}

fn status_to(to: CaseStatus) -> redress_storage::CaseUpdateFn {
    Box::new(move |case: &Case| Ok(CaseUpdate { change: case.change_status(to, &agent(), T0)?, message: None }))
}

async fn story(db: Arc<dyn Storage>) {
    db.ping().await.unwrap();
    let suffix = &Uuid::now_v7().simple().to_string()[20..];
    let north = store(&format!("north-{suffix}"));
    let south = store(&format!("south-{suffix}"));
    db.create_store(&north).await.unwrap();
    db.create_store(&south).await.unwrap();
    let mut clash = store(&format!("north-{suffix}"));
    clash.name = "Another".into();
    assert!(matches!(db.create_store(&clash).await, Err(StorageError::Conflict(_))), "slugs are unique");
    assert_eq!(db.store_by_slug(&north.slug).await.unwrap(), north);
    assert!(matches!(db.store(StoreId::from_uuid(Uuid::now_v7())).await, Err(StorageError::NotFound("store"))));

    // API keys are found by hash only.
    let key = redress_storage::ApiKeyRecord {
        id: ApiKeyId::from_uuid(Uuid::now_v7()),
        store_id: north.id,
        label: "sync".into(),
        secret_hash: format!("hash-{suffix}"),
        created_at: T0,
        agent_id: None,
    };
    db.create_api_key(&key).await.unwrap();
    assert_eq!(db.api_key_by_hash(&key.secret_hash).await.unwrap(), Some(key.clone()));
    assert_eq!(db.api_key_by_hash("nope").await.unwrap(), None);
    // A store lists its own keys, oldest first; revoking one makes it unknown, and another
    // store can neither see nor revoke it.
    let later = redress_storage::ApiKeyRecord {
        id: ApiKeyId::from_uuid(Uuid::now_v7()),
        label: "helpdesk".into(),
        secret_hash: format!("hash-2-{suffix}"),
        created_at: T0 + time::Duration::minutes(1),
        ..key.clone()
    };
    db.create_api_key(&later).await.unwrap();
    assert_eq!(db.api_keys(north.id).await.unwrap(), [key.clone(), later.clone()]);
    assert!(db.api_keys(south.id).await.unwrap().is_empty());
    assert!(matches!(db.revoke_api_key(south.id, later.id).await, Err(StorageError::NotFound(_))));
    assert_eq!(db.revoke_api_key(north.id, later.id).await.unwrap(), later);
    assert_eq!(db.api_key_by_hash(&later.secret_hash).await.unwrap(), None);
    assert!(matches!(db.revoke_api_key(north.id, later.id).await, Err(StorageError::NotFound(_))));
    assert_eq!(db.api_keys(north.id).await.unwrap(), std::slice::from_ref(&key));

    // Orders upsert by number, customers by email.
    let ana = customer(&north, "ana@example.com");
    let (first, created) = db.upsert_order(&ana, &order(&north, &ana, "1001"), T0).await.unwrap();
    assert!(created);
    let mut again = order(&north, &customer(&north, "ana@example.com"), "1001");
    again.lines[0].quantity = 2;
    let (second, created) = db.upsert_order(&customer(&north, "ana@example.com"), &again, T0).await.unwrap();
    assert!(!created);
    assert_eq!(second.id, first.id, "same number, same order");
    assert_eq!(second.customer_id, first.customer_id, "same email, same customer");
    assert_eq!(db.order(north.id, first.id).await.unwrap().lines[0].quantity, 2);
    assert_eq!(db.order_by_number(north.id, "1001").await.unwrap().unwrap().id, first.id);
    assert_eq!(db.orders_of_customer(north.id, first.customer_id).await.unwrap().len(), 1);
    assert_eq!(db.customer_by_email(north.id, &ana.email).await.unwrap().unwrap().id, first.customer_id);
    let ghost = store("ghost-store");
    assert!(matches!(
        db.upsert_order(&customer(&ghost, "x@example.com"), &order(&ghost, &ana, "1"), T0).await,
        Err(StorageError::NotFound("store"))
    ));

    // Store isolation: the south store sees none of the north's rows.
    assert!(matches!(db.order(south.id, first.id).await, Err(StorageError::NotFound("order"))));
    assert_eq!(db.order_by_number(south.id, "1001").await.unwrap(), None);
    assert!(db.orders_of_customer(south.id, first.customer_id).await.unwrap().is_empty());
    assert!(matches!(db.customer(south.id, first.customer_id).await, Err(StorageError::NotFound("customer"))));

    // Case numbers count per store; a case about another store's order is refused and uses
    // up no number.
    let case1 = db.open_case(new_case(&north, Some(&second), "Wazon przyszedł rozbity", T0), T0).await.unwrap();
    assert_eq!(case1.case.number, CaseNumber(1));
    assert!(matches!(
        db.open_case(new_case(&south, Some(&second), "foreign order", T0), T0).await,
        Err(StorageError::NotFound("order"))
    ));
    let south1 = db.open_case(new_case(&south, None, "Hello", T0), T0).await.unwrap();
    assert_eq!(south1.case.number, CaseNumber(1));
    let mut bad = new_case(&north, None, "  ", T0);
    bad.first_message.body = " ".into();
    assert!(matches!(db.open_case(bad, T0).await, Err(StorageError::Case(CaseError::Invalid(_)))));
    let case2 = db.open_case(new_case(&north, None, "Second", T0 + time::Duration::seconds(1)), T0).await.unwrap();
    assert_eq!(case2.case.number, CaseNumber(2), "refused opens use up no number");

    assert_eq!(db.case(north.id, case1.case.id).await.unwrap(), case1.case);
    assert!(matches!(db.case(south.id, case1.case.id).await, Err(StorageError::NotFound("case"))));
    assert!(db.timeline(south.id, case1.case.id).await.unwrap().is_empty());
    assert!(db.messages(south.id, case1.case.id).await.unwrap().is_empty());
    assert!(matches!(
        db.update_case(south.id, case1.case.id, status_to(CaseStatus::Open)).await,
        Err(StorageError::NotFound("case"))
    ));

    // A change and its timeline entries land together; a refused change writes nothing.
    let timeline = db.timeline(north.id, case1.case.id).await.unwrap();
    assert_eq!(timeline.len(), 2);
    assert!(matches!(timeline[0].entry.event, CaseEvent::Opened { .. }));
    let opened = db.update_case(north.id, case1.case.id, status_to(CaseStatus::Open)).await.unwrap();
    assert_eq!(opened.case.status, CaseStatus::Open);
    let refused = db.update_case(north.id, case1.case.id, status_to(CaseStatus::New)).await;
    assert!(matches!(refused, Err(StorageError::Case(CaseError::IllegalTransition { .. }))));
    let stored = db.case(north.id, case1.case.id).await.unwrap();
    assert_eq!(stored, opened.case);
    let timeline = db.timeline(north.id, case1.case.id).await.unwrap();
    assert_eq!(timeline.len(), 3);
    assert!(timeline.windows(2).all(|w| w[0].seq < w[1].seq));

    // A reply is stored with its timeline entry.
    let reply = Message {
        id: MessageId::from_uuid(Uuid::now_v7()),
        store_id: north.id,
        case_id: case1.case.id,
        direction: Direction::Outbound,
        channel: Channel::Email,
        author: agent(),
        body: "Przepraszamy! Wysyłamy nowy wazon.".into(),
        attachments: vec![],
        created_at: T0 + time::Duration::minutes(5),
    };
    let sent = reply.clone();
    db.update_case(
        north.id,
        case1.case.id,
        Box::new(move |case: &Case| Ok(CaseUpdate { change: case.add_message(&sent, T0)?, message: Some(sent) })),
    )
    .await
    .unwrap();
    let messages = db.messages(north.id, case1.case.id).await.unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[1], reply);

    // Concurrent changes to one case queue up: none is lost.
    let before = db.case(north.id, case1.case.id).await.unwrap().version;
    let entries_before = db.timeline(north.id, case1.case.id).await.unwrap().len();
    let notes = (0..20).map(|i| {
        let db = db.clone();
        let case_id = case1.case.id;
        let store_id = north.id;
        tokio::spawn(async move {
            db.update_case(
                store_id,
                case_id,
                Box::new(move |case: &Case| {
                    Ok(CaseUpdate { change: case.add_note(&format!("note {i}"), &agent(), T0)?, message: None })
                }),
            )
            .await
        })
    });
    for note in futures_join(notes).await {
        note.unwrap();
    }
    assert_eq!(db.case(north.id, case1.case.id).await.unwrap().version, before + 20);
    assert_eq!(db.timeline(north.id, case1.case.id).await.unwrap().len(), entries_before + 20);

    // Concurrent opens get distinct, gapless numbers.
    let opens = (0..30).map(|i| {
        let db = db.clone();
        let case = new_case(&north, None, &format!("case {i}"), T0 + time::Duration::seconds(10 + i));
        tokio::spawn(async move { db.open_case(case, T0).await })
    });
    let numbers: HashSet<u64> = futures_join(opens).await.into_iter().map(|r| r.unwrap().case.number.0).collect();
    assert_eq!(numbers, (3..=32).collect::<HashSet<u64>>());

    // Listing: filters, and pages that cover every case exactly once, newest first.
    let all = db.cases(north.id, &CaseFilter::default(), None, 100).await.unwrap();
    assert_eq!(all.cases.len(), 32);
    assert!(all.next.is_none());
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = db.cases(north.id, &CaseFilter::default(), cursor, 7).await.unwrap();
        assert!(page.cases.len() <= 7);
        seen.extend(page.cases.iter().map(|c| c.id));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, all.cases.iter().map(|c| c.id).collect::<Vec<_>>());
    assert!(all.cases.windows(2).all(|w| w[0].created_at >= w[1].created_at));
    let open = CaseFilter { statuses: vec![CaseStatus::Open], ..CaseFilter::default() };
    let open_page = db.cases(north.id, &open, None, 100).await.unwrap();
    assert_eq!(open_page.cases.iter().map(|c| c.id).collect::<Vec<_>>(), vec![case1.case.id]);
    let by_kind = CaseFilter { kind: Some(IssueKind::WrongCharge), ..CaseFilter::default() };
    assert!(db.cases(north.id, &by_kind, None, 100).await.unwrap().cases.is_empty());
    let by_priority = CaseFilter { priority: Some(Priority::Urgent), ..CaseFilter::default() };
    assert_eq!(db.cases(north.id, &by_priority, None, 100).await.unwrap().cases.len(), 32);
    let assigned = db
        .update_case(
            north.id,
            case2.case.id,
            Box::new(|case: &Case| {
                Ok(CaseUpdate { change: case.assign(Some(tomasz()), &agent(), T0)?, message: None })
            }),
        )
        .await
        .unwrap();
    assert_eq!(assigned.case.status, CaseStatus::Open);
    let about_order = CaseFilter { order_id: Some(second.id), ..CaseFilter::default() };
    assert_eq!(
        db.cases(north.id, &about_order, None, 100).await.unwrap().cases.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![case1.case.id]
    );
    assert!(db.cases(south.id, &about_order, None, 100).await.unwrap().cases.is_empty());
    let mine = CaseFilter { assignee: Some(tomasz().agent_id), ..CaseFilter::default() };
    assert_eq!(db.cases(north.id, &mine, None, 100).await.unwrap().cases[0].id, case2.case.id);
    assert_eq!(db.cases(south.id, &CaseFilter::default(), None, 100).await.unwrap().cases.len(), 1);
    assert_eq!(db.stores().await.unwrap().iter().filter(|s| s.id == north.id || s.id == south.id).count(), 2);

    // A store's own help articles: saved per id and language, replaced in place, never seen by
    // another store, removable.
    let article = |title: &str| redress_storage::StoreHelpArticle {
        id: "gift-wrap".into(),
        language: "pl".into(),
        title: title.into(),
        body: "Pakujemy prezenty za 10 zł.".into(),
        tags: vec!["prezent".into()],
        updated_at: T0,
    };
    db.save_help_article(north.id, &article("Pakowanie na prezent")).await.unwrap();
    db.save_help_article(north.id, &article("Pakowanie prezentów")).await.unwrap();
    let saved = db.help_articles(north.id).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].title, "Pakowanie prezentów");
    assert!(db.help_articles(south.id).await.unwrap().is_empty());
    assert!(!db.delete_help_article(south.id, "gift-wrap", "pl").await.unwrap());
    assert!(db.delete_help_article(north.id, "gift-wrap", "pl").await.unwrap());
    assert!(db.help_articles(north.id).await.unwrap().is_empty());
    assert!(matches!(db.save_help_article(ghost.id, &article("x")).await, Err(StorageError::NotFound("store"))));

    // Corrections are kept as training feedback, per store, with the text they correct.
    assert!(db.classification_feedback(north.id).await.unwrap().is_empty());
    let fix = Classification { kind: Some(IssueKind::WrongItemReceived), ..Classification::default() };
    db.update_case(
        north.id,
        case1.case.id,
        Box::new(move |case: &Case| {
            Ok(CaseUpdate { change: case.correct_classification(&fix, &agent(), T0)?, message: None })
        }),
    )
    .await
    .unwrap();
    let feedback = db.classification_feedback(north.id).await.unwrap();
    assert_eq!(feedback.len(), 1);
    assert_eq!(feedback[0].case_id, case1.case.id);
    assert_eq!(feedback[0].text, "Wazon przyszedł rozbity");
    assert_eq!(feedback[0].corrected.kind, Some(IssueKind::WrongItemReceived));
    assert!(db.classification_feedback(south.id).await.unwrap().is_empty());
    resolution_story(db.clone(), &north, &south).await;
    attachment_story(db.clone(), &north, &south).await;
}

/// Photos are kept per case and store, and the schema holds the limits whatever the caller.
async fn attachment_story(db: Arc<dyn Storage>, north: &Store, south: &Store) {
    let case = db.open_case(new_case(north, None, "Photo of the broken vase", T0), T0).await.unwrap().case;
    let png = b"\x89PNG\r\n\x1a\nrest-of-the-image".to_vec();
    let info = |name: &str, content_type: &str, size: usize| redress_storage::AttachmentInfo {
        id: Uuid::now_v7(),
        case_id: case.id,
        filename: name.into(),
        content_type: content_type.into(),
        size_bytes: size as u64,
        created_at: T0,
    };
    let photo = info("vase.png", "image/png", png.len());
    db.save_attachment(north.id, &photo, &png).await.unwrap();
    assert_eq!(db.attachments_of_case(north.id, case.id).await.unwrap(), vec![photo.clone()]);
    assert_eq!(db.attachment(north.id, case.id, photo.id).await.unwrap(), (photo.clone(), png.clone()));

    // Another store sees nothing and cannot attach to this store's case.
    assert!(db.attachments_of_case(south.id, case.id).await.unwrap().is_empty());
    assert!(matches!(db.attachment(south.id, case.id, photo.id).await, Err(StorageError::NotFound(_))));
    let foreign = info("x.png", "image/png", png.len());
    assert!(matches!(db.save_attachment(south.id, &foreign, &png).await, Err(StorageError::NotFound("case"))));

    // Too large, not an image, or a size that lies: refused by the schema, nothing kept.
    let big = vec![0u8; 5 * 1024 * 1024 + 1];
    let refused = |result: Result<_, StorageError>| matches!(result, Err(StorageError::Conflict(redress_storage::Conflict::Constraint(ref c))) if c == "check");
    assert!(refused(db.save_attachment(north.id, &info("big.png", "image/png", big.len()), &big).await));
    assert!(refused(db.save_attachment(north.id, &info("a.pdf", "application/pdf", png.len()), &png).await));
    assert!(refused(db.save_attachment(north.id, &info("lie.png", "image/png", 3), &png).await));
    assert_eq!(db.attachments_of_case(north.id, case.id).await.unwrap().len(), 1);
}

fn delivered_order(store: &Store, customer: &Customer, number: &str) -> Order {
    let mut order = redress_domain::sample::order(redress_domain::sample::Stage::DeliveredDaysAgo(3), T0);
    order.id = OrderId::from_uuid(Uuid::now_v7());
    order.store_id = store.id;
    order.customer_id = customer.id;
    order.number = number.into();
    order
}

fn request_return(quantity: u32) -> redress_storage::ResolutionFn {
    Box::new(move |ctx: &ResolutionContext| {
        let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
        let new = NewReturn {
            id: ReturnId::from_uuid(Uuid::now_v7()),
            case_id: ctx.case.id,
            lines: vec![RequestedLine { sku: "TEE-M".into(), quantity, reason: IssueKind::ReturnRequest }],
            fault: Fault::Customer,
        };
        let change = ReturnAuthorisation::request(new, order, &ctx.returns, &agent(), T0)?;
        Ok(Resolution { returns: vec![change.rma], ..Resolution::of(ctx.case.record(change.entries, T0)) })
    })
}

fn key(name: &str) -> Option<IdempotencyKey> {
    Some(IdempotencyKey { key: name.into(), request_hash: format!("hash of {name}"), at: T0 })
}

/// Returns, claims, amendments, policies and idempotency keys: committed with their case, refused
/// steps leave nothing behind, and one store never sees another's.
async fn resolution_story(db: Arc<dyn Storage>, north: &Store, south: &Store) {
    let ana = customer(north, "ana@example.com");
    let (order, _) = db.upsert_order(&ana, &delivered_order(north, &ana, "2001"), T0).await.unwrap();
    let case = db.open_case(new_case(north, Some(&order), "Zwrot koszulek", T0), T0).await.unwrap().case;
    let entries_before = db.timeline(north.id, case.id).await.unwrap().len();

    // A return, reserved under an Idempotency-Key in the same transaction.
    let first = db.resolve_case(north.id, case.id, key("k-1"), request_return(1)).await.unwrap();
    assert_eq!(first.returns.len(), 1);
    assert_eq!(first.case.version, case.version + 1);
    assert!(matches!(first.entries[0].entry.event, CaseEvent::ReturnRequested { .. }));
    let rma = first.returns[0].clone();
    assert_eq!(db.return_authorisation(north.id, rma.id).await.unwrap(), rma);
    assert_eq!(db.returns_of_case(north.id, case.id).await.unwrap(), vec![rma.clone()]);

    // The same key again is refused and writes nothing.
    let again = db.resolve_case(north.id, case.id, key("k-1"), request_return(1)).await;
    assert!(matches!(again, Err(StorageError::Conflict(_))), "{again:?}");
    assert_eq!(db.returns_of_case(north.id, case.id).await.unwrap().len(), 1);
    let answer = db.idempotent_answer(north.id, "k-1", T0).await.unwrap().unwrap();
    assert_eq!((answer.request_hash.as_str(), answer.answer), ("hash of k-1", None));
    let reserved = key("k-1").unwrap();
    db.save_idempotent_answer(north.id, &reserved, 201, "{\"first\":true}").await.unwrap();
    db.save_idempotent_answer(north.id, &reserved, 500, "{\"second\":true}").await.unwrap();
    let answer = db.idempotent_answer(north.id, "k-1", T0).await.unwrap().unwrap();
    assert_eq!(answer.answer, Some((201, "{\"first\":true}".to_owned())), "the first answer stays");
    // A write keyed by its own rows (a refund) reserves nothing: its answer is kept all the same.
    let unreserved = key("k-refund").unwrap();
    db.save_idempotent_answer(north.id, &unreserved, 201, "{\"refund\":1}").await.unwrap();
    let answer = db.idempotent_answer(north.id, "k-refund", T0).await.unwrap().unwrap();
    assert_eq!(
        (answer.request_hash.as_str(), answer.answer),
        ("hash of k-refund", Some((201, "{\"refund\":1}".to_owned())))
    );
    assert_eq!(db.idempotent_answer(south.id, "k-1", T0).await.unwrap(), None, "keys are per store");

    // A refused step (more shirts than delivered and not already returning) writes nothing,
    // not even its key.
    let refused = db.resolve_case(north.id, case.id, key("k-2"), request_return(2)).await;
    assert!(matches!(refused, Err(StorageError::Resolution(ResolutionError::Return(_)))), "{refused:?}");
    assert_eq!(db.idempotent_answer(north.id, "k-2", T0).await.unwrap(), None);
    assert_eq!(db.case(north.id, case.id).await.unwrap(), first.case);
    assert_eq!(db.timeline(north.id, case.id).await.unwrap().len(), entries_before + 1);

    // Moving the return on updates it in place, counted.
    let approved = db
        .resolve_case(
            north.id,
            case.id,
            None,
            Box::new(|ctx: &ResolutionContext| {
                let change = ctx.returns[0].approve(&agent(), T0)?;
                Ok(Resolution { returns: vec![change.rma], ..Resolution::of(ctx.case.record(change.entries, T0)) })
            }),
        )
        .await
        .unwrap();
    assert_eq!(approved.returns[0].status, ReturnStatus::Approved);
    assert_eq!(db.return_authorisation(north.id, rma.id).await.unwrap().version, 2);

    // Claims and amended orders commit with the case.
    let filed = db
        .resolve_case(
            north.id,
            case.id,
            None,
            Box::new(|ctx: &ResolutionContext| {
                let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
                let new = NewClaim {
                    id: ClaimId::from_uuid(Uuid::now_v7()),
                    case_id: ctx.case.id,
                    kind: IssueKind::DamagedInTransit,
                    lines: vec![],
                    resolution: ClaimResolution::RefundWithoutReturn,
                    fault: Fault::Carrier,
                    carrier_reference: Some("DHL-9".into()),
                    return_id: None,
                };
                let (claim, entry) = Claim::file(new, order, &agent(), T0)?;
                let mut amended = order.clone();
                amended.billing_address.name = "Ana Nowak".into();
                Ok(Resolution {
                    order: Some(amended),
                    claims: vec![claim],
                    ..Resolution::of(ctx.case.record(vec![entry], T0))
                })
            }),
        )
        .await
        .unwrap();
    assert_eq!(db.claims_of_case(north.id, case.id).await.unwrap(), filed.claims);
    assert_eq!(db.order(north.id, order.id).await.unwrap().billing_address.name, "Ana Nowak");

    // A step cannot reach into another case's order.
    let other_case = db.open_case(new_case(north, None, "no order", T0), T0).await.unwrap().case;
    let stray = order.clone();
    let sneaky = db
        .resolve_case(
            north.id,
            other_case.id,
            None,
            Box::new(move |ctx: &ResolutionContext| {
                Ok(Resolution { order: Some(stray), ..Resolution::of(ctx.case.record(vec![], T0)) })
            }),
        )
        .await;
    // A planner reaching past its case is a bug in Redress, not a request to refuse politely.
    assert!(matches!(&sneaky, Err(StorageError::Backend(m)) if m.contains("another order")), "{sneaky:?}");

    // Customer history counts what the customer asked for.
    let history = db.customer_history(north.id, order.customer_id, T0 + time::Duration::days(1)).await.unwrap();
    assert_eq!(history.returns_last_90_days, 1);
    assert_eq!(history.refunds_without_return_last_365_days, 1);
    assert!(history.cases_last_90_days >= 1);
    assert_eq!(db.customer_history(south.id, order.customer_id, T0).await.unwrap(), Default::default());

    // Store isolation.
    assert!(matches!(db.return_authorisation(south.id, rma.id).await, Err(StorageError::NotFound("return"))));
    assert!(db.returns_of_case(south.id, case.id).await.unwrap().is_empty());
    assert!(db.claims_of_case(south.id, case.id).await.unwrap().is_empty());
    assert!(matches!(
        db.resolve_case(south.id, case.id, None, request_return(1)).await,
        Err(StorageError::NotFound("case"))
    ));

    // Policies: versions only go up; the highest is in force.
    assert_eq!(db.policy(north.id).await.unwrap(), None);
    let stored = |source: &str| StoredPolicy {
        policy: redress_domain::policy::Policy::from_toml(source).unwrap(),
        source: source.to_owned(),
        saved_at: T0,
    };
    let standard = redress_domain::policy::STANDARD_POLICY_TOML;
    db.save_policy(north.id, &stored(standard)).await.unwrap();
    assert!(matches!(db.save_policy(north.id, &stored(standard)).await, Err(StorageError::Conflict(_))));
    let v2 = standard.replace("version = 1", "version = 2").replace("window_days = 30", "window_days = 60");
    db.save_policy(north.id, &stored(&v2)).await.unwrap();
    let in_force = db.policy(north.id).await.unwrap().unwrap();
    assert_eq!((in_force.policy.version, in_force.policy.returns.window_days), (2, 60));
    assert_eq!(in_force.source, v2);
    assert_eq!(db.policy(south.id).await.unwrap(), None);
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_money_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    money::story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_channels_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    channels::story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_platforms_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    platforms::story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_privacy_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    privacy::story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_search_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    search::story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_passes_the_team_story() {
    let dir = tempfile::tempdir().unwrap();
    let db = redress_storage::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    team::story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_ledger_is_append_only_and_balanced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redress.db");
    let db = redress_storage::sqlite::SqliteStorage::open(&path).await.unwrap();
    money::story(Arc::new(db)).await;
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw.execute("UPDATE legs SET amount_minor = 1", []).is_err());
    assert!(raw.execute("DELETE FROM postings", []).is_err());
    assert!(raw.execute("UPDATE payments SET refunded_minor = captured_minor + 1", []).is_err());
    assert!(raw.execute("UPDATE store_credit SET balance_minor = -1", []).is_err());
    let unbalanced: i64 = raw
        .query_row(
            "SELECT COUNT(*) FROM (SELECT posting_id, currency FROM legs GROUP BY 1, 2 HAVING SUM(amount_minor) <> 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unbalanced, 0);
    let p: String = raw.query_row("SELECT id FROM postings LIMIT 1", [], |r| r.get(0)).unwrap();
    raw.execute_batch("BEGIN").unwrap();
    raw.execute("INSERT INTO postings (id, store_id, kind, at_us, doc) SELECT 'x', store_id, 'capture', 0, '{}' FROM postings WHERE id = ?1", [&p]).unwrap();
    raw.execute("INSERT INTO legs (posting_id, store_id, position, account, currency, amount_minor) SELECT 'x', store_id, 0, 'sales', 'EUR', 5 FROM postings WHERE id = ?1", [&p]).unwrap();
    raw.execute("INSERT INTO legs (posting_id, store_id, position, account, currency, amount_minor) SELECT 'x', store_id, 1, 'refunds', 'EUR', -4 FROM postings WHERE id = ?1", [&p]).unwrap();
    assert!(
        raw.execute("INSERT INTO posting_seals (posting_id) VALUES ('x')", []).is_err(),
        "an unbalanced posting cannot be sealed"
    );
    raw.execute_batch("ROLLBACK").unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_reopening_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redress.db");
    let db = redress_storage::sqlite::SqliteStorage::open(&path).await.unwrap();
    let shop = store("reopen");
    db.create_store(&shop).await.unwrap();
    drop(db);
    assert_eq!(redress_storage::sqlite::SqliteStorage::migrate_path(&path).unwrap(), 0);
    let db = redress_storage::sqlite::SqliteStorage::open(&path).await.unwrap();
    assert_eq!(db.store(shop.id).await.unwrap(), shop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_backs_up_while_cases_are_written_and_the_copy_restores() {
    use redress_storage::sqlite::SqliteStorage;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redress.db");
    let db = Arc::new(SqliteStorage::open(&path).await.unwrap());
    let shop = store("backup");
    db.create_store(&shop).await.unwrap();
    let before = db.open_case(new_case(&shop, None, "before the backup", T0), T0).await.unwrap().case;

    // Cases keep being written while the backup runs.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, shop, stop) = (db.clone(), shop.clone(), stop.clone());
        tokio::spawn(async move {
            let mut written = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                db.open_case(new_case(&shop, None, "during the backup", T0), T0).await.unwrap();
                written += 1;
            }
            written
        })
    };
    let copy = dir.path().join("copy.db");
    let (from, to) = (path.clone(), copy.clone());
    let report = tokio::task::spawn_blocking(move || SqliteStorage::backup(&from, &to)).await.unwrap().unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(writer.await.unwrap() > 0, "writes went on");
    assert!(report.bytes > 0);
    let source_version: i64 =
        rusqlite::Connection::open(&path).unwrap().pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
    assert_eq!(report.schema_version, source_version, "the copy has every migration");

    // A backup never overwrites, and a missing source is named.
    let (from, to) = (path.clone(), copy.clone());
    let again = tokio::task::spawn_blocking(move || SqliteStorage::backup(&from, &to)).await.unwrap();
    assert!(matches!(&again, Err(StorageError::Backend(m)) if m.contains("exists already")), "{again:?}");
    let missing = SqliteStorage::backup(&dir.path().join("none.db"), &dir.path().join("x.db"));
    assert!(matches!(&missing, Err(StorageError::Backend(m)) if m.contains("no database")), "{missing:?}");

    // Restored (the copy opened as the database), it has what was there before it was taken.
    let restored = SqliteStorage::open(&copy).await.unwrap();
    assert_eq!(restored.store(shop.id).await.unwrap(), shop);
    assert_eq!(restored.case(shop.id, before.id).await.unwrap(), before);
    restored.open_case(new_case(&shop, None, "after the restore", T0), T0).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_timeline_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redress.db");
    let db = redress_storage::sqlite::SqliteStorage::open(&path).await.unwrap();
    let shop = store("append-only");
    db.create_store(&shop).await.unwrap();
    db.open_case(new_case(&shop, None, "hello", T0), T0).await.unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw.execute("UPDATE timeline SET doc = '{}'", []).is_err());
    assert!(raw.execute("DELETE FROM timeline", []).is_err());
    // An erasure's redaction is the one exception: once, keeping position, case and time.
    assert!(raw.execute("UPDATE timeline SET at_us = 0, redacted = 1", []).is_err());
    assert!(raw.execute("UPDATE timeline SET doc = doc, redacted = 1", []).unwrap() >= 1);
    assert!(raw.execute("UPDATE timeline SET doc = '{}', redacted = 1", []).is_err());
}

/// PostgreSQL, when `REDRESS_TEST_POSTGRES_URL` names a database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_passes_the_story() {
    let Ok(url) = std::env::var("REDRESS_TEST_POSTGRES_URL") else {
        eprintln!("REDRESS_TEST_POSTGRES_URL is not set: skipping the PostgreSQL conformance story");
        return;
    };
    use sqlx::postgres::PgConnectOptions;
    use std::str::FromStr;
    let schema = format!("conformance_{}", Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(&admin).await.unwrap();
    let options = PgConnectOptions::from_str(&url).unwrap().options([("search_path", schema.as_str())]);
    let db = redress_storage::postgres::PostgresStorage::connect_with(options).await.unwrap();
    let db = Arc::new(db);
    story(db.clone()).await;
    money::story(db.clone()).await;
    team::story(db.clone()).await;
    channels::story(db.clone()).await;
    search::story(db.clone()).await;
    platforms::story(db.clone()).await;
    privacy::story(db.clone()).await;
    let unbalanced = sqlx::query(
        "INSERT INTO legs (posting_id, store_id, position, account, currency, amount_minor)
         SELECT id, store_id, 99, 'sales', 'EUR', 1 FROM postings LIMIT 1",
    )
    .execute(&db_pool(&url, &schema).await)
    .await;
    assert!(unbalanced.is_err(), "an unbalanced posting is refused at commit");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&admin).await.unwrap();
}

async fn db_pool(url: &str, schema: &str) -> sqlx::PgPool {
    use sqlx::postgres::PgConnectOptions;
    use std::str::FromStr;
    let options = PgConnectOptions::from_str(url).unwrap().options([("search_path", schema)]);
    sqlx::PgPool::connect_with(options).await.unwrap()
}
