//! The one conformance story every storage backend passes: SQLite always, PostgreSQL when
//! `REDRESS_TEST_POSTGRES_URL` names a database (CI sets it). Each PostgreSQL run works in a
//! fresh schema of its own, dropped at the end.

#![allow(clippy::unwrap_used, missing_docs)] // Test helpers outside #[test] functions unwrap freely.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use redress_domain::*;
use redress_store::{CaseFilter, CaseUpdate, Storage, StoreError};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

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
        }],
        shipping_address: address(),
        billing_address: address(),
        payments: vec![],
        shipments: vec![],
        placed_at: T0,
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
    }
}

fn agent() -> Actor {
    Actor::Agent { name: "maria".into() }
}

fn status_to(to: CaseStatus) -> redress_store::CaseUpdateFn {
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
    assert!(matches!(db.create_store(&clash).await, Err(StoreError::Conflict(_))), "slugs are unique");
    assert_eq!(db.store_by_slug(&north.slug).await.unwrap(), north);
    assert!(matches!(db.store(StoreId::from_uuid(Uuid::now_v7())).await, Err(StoreError::NotFound("store"))));

    // API keys are found by hash only.
    let key = redress_store::ApiKeyRecord {
        id: ApiKeyId::from_uuid(Uuid::now_v7()),
        store_id: north.id,
        label: "sync".into(),
        secret_hash: format!("hash-{suffix}"),
        created_at: T0,
    };
    db.create_api_key(&key).await.unwrap();
    assert_eq!(db.api_key_by_hash(&key.secret_hash).await.unwrap(), Some(key.clone()));
    assert_eq!(db.api_key_by_hash("nope").await.unwrap(), None);

    // Orders upsert by number, customers by email.
    let ana = customer(&north, "ana@example.com");
    let (first, created) = db.upsert_order(&ana, &order(&north, &ana, "1001")).await.unwrap();
    assert!(created);
    let mut again = order(&north, &customer(&north, "ana@example.com"), "1001");
    again.lines[0].quantity = 2;
    let (second, created) = db.upsert_order(&customer(&north, "ana@example.com"), &again).await.unwrap();
    assert!(!created);
    assert_eq!(second.id, first.id, "same number, same order");
    assert_eq!(second.customer_id, first.customer_id, "same email, same customer");
    assert_eq!(db.order(north.id, first.id).await.unwrap().lines[0].quantity, 2);
    assert_eq!(db.order_by_number(north.id, "1001").await.unwrap().unwrap().id, first.id);
    assert_eq!(db.orders_of_customer(north.id, first.customer_id).await.unwrap().len(), 1);
    assert_eq!(db.customer_by_email(north.id, &ana.email).await.unwrap().unwrap().id, first.customer_id);
    let ghost = store("ghost-store");
    assert!(matches!(
        db.upsert_order(&customer(&ghost, "x@example.com"), &order(&ghost, &ana, "1")).await,
        Err(StoreError::NotFound("store"))
    ));

    // Store isolation: the south store sees none of the north's rows.
    assert!(matches!(db.order(south.id, first.id).await, Err(StoreError::NotFound("order"))));
    assert_eq!(db.order_by_number(south.id, "1001").await.unwrap(), None);
    assert!(db.orders_of_customer(south.id, first.customer_id).await.unwrap().is_empty());
    assert!(matches!(db.customer(south.id, first.customer_id).await, Err(StoreError::NotFound("customer"))));

    // Case numbers count per store; a case about another store's order is refused and uses
    // up no number.
    let case1 = db.open_case(new_case(&north, Some(&second), "Wazon przyszedł rozbity", T0), T0).await.unwrap();
    assert_eq!(case1.case.number, CaseNumber(1));
    assert!(matches!(
        db.open_case(new_case(&south, Some(&second), "foreign order", T0), T0).await,
        Err(StoreError::NotFound("order"))
    ));
    let south1 = db.open_case(new_case(&south, None, "Hello", T0), T0).await.unwrap();
    assert_eq!(south1.case.number, CaseNumber(1));
    let mut bad = new_case(&north, None, "  ", T0);
    bad.first_message.body = " ".into();
    assert!(matches!(db.open_case(bad, T0).await, Err(StoreError::Case(CaseError::Invalid(_)))));
    let case2 = db.open_case(new_case(&north, None, "Second", T0 + time::Duration::seconds(1)), T0).await.unwrap();
    assert_eq!(case2.case.number, CaseNumber(2), "refused opens use up no number");

    assert_eq!(db.case(north.id, case1.case.id).await.unwrap(), case1.case);
    assert!(matches!(db.case(south.id, case1.case.id).await, Err(StoreError::NotFound("case"))));
    assert!(db.timeline(south.id, case1.case.id).await.unwrap().is_empty());
    assert!(db.messages(south.id, case1.case.id).await.unwrap().is_empty());
    assert!(matches!(
        db.update_case(south.id, case1.case.id, status_to(CaseStatus::Open)).await,
        Err(StoreError::NotFound("case"))
    ));

    // A change and its timeline entries land together; a refused change writes nothing.
    let timeline = db.timeline(north.id, case1.case.id).await.unwrap();
    assert_eq!(timeline.len(), 2);
    assert!(matches!(timeline[0].entry.event, CaseEvent::Opened { .. }));
    let opened = db.update_case(north.id, case1.case.id, status_to(CaseStatus::Open)).await.unwrap();
    assert_eq!(opened.case.status, CaseStatus::Open);
    let refused = db.update_case(north.id, case1.case.id, status_to(CaseStatus::New)).await;
    assert!(matches!(refused, Err(StoreError::Case(CaseError::IllegalTransition { .. }))));
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
                Ok(CaseUpdate { change: case.assign(Some("tomasz".into()), &agent(), T0)?, message: None })
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
    let mine = CaseFilter { assignee: Some("tomasz".into()), ..CaseFilter::default() };
    assert_eq!(db.cases(north.id, &mine, None, 100).await.unwrap().cases[0].id, case2.case.id);
    assert_eq!(db.cases(south.id, &CaseFilter::default(), None, 100).await.unwrap().cases.len(), 1);
    assert_eq!(db.stores().await.unwrap().iter().filter(|s| s.id == north.id || s.id == south.id).count(), 2);

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
    let db = redress_store::sqlite::SqliteStorage::open(&dir.path().join("redress.db")).await.unwrap();
    story(Arc::new(db)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_survives_reopening_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redress.db");
    let db = redress_store::sqlite::SqliteStorage::open(&path).await.unwrap();
    let shop = store("reopen");
    db.create_store(&shop).await.unwrap();
    drop(db);
    assert_eq!(redress_store::sqlite::SqliteStorage::migrate_path(&path).unwrap(), 0);
    let db = redress_store::sqlite::SqliteStorage::open(&path).await.unwrap();
    assert_eq!(db.store(shop.id).await.unwrap(), shop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_timeline_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("redress.db");
    let db = redress_store::sqlite::SqliteStorage::open(&path).await.unwrap();
    let shop = store("append-only");
    db.create_store(&shop).await.unwrap();
    db.open_case(new_case(&shop, None, "hello", T0), T0).await.unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    assert!(raw.execute("UPDATE timeline SET doc = '{}'", []).is_err());
    assert!(raw.execute("DELETE FROM timeline", []).is_err());
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
    let db = redress_store::postgres::PostgresStorage::connect_with(options).await.unwrap();
    story(Arc::new(db)).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE"))).execute(&admin).await.unwrap();
}
