//! Following cases through on an injected clock: service warnings and breaches on business
//! hours, reminders and closing a silent case, the survey once per case with a low score
//! reopening it, a return not sent and a refund not arrived; on SQLite and PostgreSQL, and two
//! workers over one PostgreSQL database firing each timer once.

use std::sync::Arc;

use redress_app::follow_through::{answer_survey, run_due};
use redress_app::{Clock, ManualClock};
use redress_domain::follow_through::{FollowUpStep, SlaTarget, TimerKind};
use redress_domain::{
    Actor, Case, CaseEvent, CaseId, CaseStatus, Channel, Currency, Direction, EmailAddress, IssueKind, LanguageTag,
    Message, MessageId, NewCase, Priority, Sentiment, Store, StoreId, StoreSlug,
};
use redress_storage::{CaseUpdate, Storage};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::server::postgres_url;

/// Monday 7 December 2026, 10:00 UTC; the default policy's hours are 09:00–17:00 UTC, Mon–Fri.
const MONDAY: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

struct Shop {
    app: redress_app::App,
    clock: Arc<ManualClock>,
    store_id: StoreId,
}

async fn shop_on(storage: Arc<dyn Storage>, clock: Arc<ManualClock>, slug: &str) -> Shop {
    let store = Store {
        id: StoreId::from_uuid(Uuid::now_v7()),
        slug: StoreSlug::parse(slug).unwrap(),
        name: "Northwind".into(),
        default_currency: Currency::from_code("EUR").unwrap(),
        default_language: LanguageTag::parse("en").unwrap(),
        created_at: MONDAY,
    };
    storage.create_store(&store).await.unwrap();
    let support = EmailAddress::parse(&format!("help@{slug}.example")).unwrap();
    storage.channels().set_support_addresses(store.id, &[support], MONDAY).await.unwrap();
    let app = redress_app::App::new(storage).with_clock(clock.clone()).with_link_secret("test secret");
    Shop { app, clock, store_id: store.id }
}

async fn sqlite_shop() -> (tempfile::TempDir, Shop) {
    let dir = tempfile::tempdir().unwrap();
    let storage = redress_storage::connect(dir.path().join("follow.db").to_str().unwrap()).await.unwrap();
    let shop = shop_on(storage, Arc::new(ManualClock::at(MONDAY)), "northwind").await;
    (dir, shop)
}

/// Opens an order-status question by email in `language` at the clock's time.
async fn open_case(shop: &Shop, language: &str) -> Case {
    let storage = shop.app.storage();
    let id = CaseId::from_uuid(Uuid::now_v7());
    let customer = Actor::Customer { handle: "ana@example.com".into() };
    let now = shop.clock.now();
    let new = NewCase {
        id,
        store_id: shop.store_id,
        order_id: None,
        customer_id: None,
        customer_email: Some(EmailAddress::parse("ana@example.com").unwrap()),
        subject: "Where is my parcel?".into(),
        kind: IssueKind::OrderStatus,
        language: LanguageTag::parse(language).unwrap(),
        sentiment: Sentiment::Neutral,
        escalation: Default::default(),
        first_message: Message {
            id: MessageId::from_uuid(Uuid::now_v7()),
            store_id: shop.store_id,
            case_id: id,
            direction: Direction::Inbound,
            channel: Channel::Email,
            author: customer.clone(),
            body: "Where is my parcel?".into(),
            attachments: vec![],
            created_at: now,
        },
        opened_by: customer,
        understood: None,
        lines: vec![],
    };
    storage.open_case(new, now).await.unwrap().case
}

/// An agent answers and leaves the case `to`.
async fn agent_answers(shop: &Shop, case_id: CaseId, to: CaseStatus) {
    let now = shop.clock.now();
    let store_id = shop.store_id;
    let update = Box::new(move |case: &Case| {
        let agent = Actor::Agent { name: "Maria".into() };
        let message = Message {
            id: MessageId::from_uuid(Uuid::now_v7()),
            store_id,
            case_id: case.id,
            direction: Direction::Outbound,
            channel: case.channel,
            author: agent.clone(),
            body: "Let me check.".into(),
            attachments: vec![],
            created_at: now,
        };
        let change = case.add_message(&message, now)?.moving_to(to, &agent, now);
        Ok(CaseUpdate { change, message: Some(message) })
    });
    shop.app.storage().update_case(store_id, case_id, update).await.unwrap();
}

async fn events(shop: &Shop, case_id: CaseId) -> Vec<CaseEvent> {
    shop.app.storage().timeline(shop.store_id, case_id).await.unwrap().into_iter().map(|r| r.entry.event).collect()
}

fn count(events: &[CaseEvent], wanted: impl Fn(&CaseEvent) -> bool) -> usize {
    events.iter().filter(|e| wanted(e)).count()
}

async fn at(shop: &Shop, when: OffsetDateTime) -> redress_app::follow_through::RoundReport {
    shop.clock.set(when);
    run_due(&shop.app, when).await.unwrap()
}

/// Warning, breach (priority up, once), then a reminder after three business days of waiting
/// and closing after seven, in the customer's language, with the mail in the outbox.
async fn sla_and_follow_ups(shop: &Shop) {
    let case = open_case(shop, "es").await;
    assert_eq!(case.priority, Priority::Normal);
    let report = at(shop, MONDAY).await;
    assert_eq!(report.planned, 1);
    let timers = shop.app.storage().follow_through().pending_timers(shop.store_id, case.id).await.unwrap();
    let breach = timers.iter().find(|t| t.timer.kind == TimerKind::Breach(SlaTarget::FirstResponse)).unwrap();
    assert_eq!(breach.timer.due_at, datetime!(2026-12-08 10:00 UTC), "eight business hours, overnight");

    // Nothing is due before the warning an hour of business time before the deadline.
    assert_eq!(at(shop, datetime!(2026-12-07 16:59 UTC)).await.fired, 0);
    assert_eq!(at(shop, datetime!(2026-12-07 17:00 UTC)).await.fired, 1);
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::SlaWarning { target: SlaTarget::FirstResponse, .. })), 1);

    // The breach on Tuesday at 10:00 raises the priority, once.
    at(shop, datetime!(2026-12-08 10:00 UTC)).await;
    at(shop, datetime!(2026-12-08 10:05 UTC)).await;
    let case_now = shop.app.storage().case(shop.store_id, case.id).await.unwrap();
    assert_eq!(case_now.priority, Priority::High);
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::SlaBreached { target: SlaTarget::FirstResponse, .. })), 1);
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::PriorityChanged { .. })), 1);
    let counts = shop.app.storage().follow_through().sla_counts(shop.store_id).await.unwrap();
    assert_eq!((counts.first_response_judged, counts.first_response_met), (1, 0));

    // The agent answers at 11:00 and waits for the customer: a reminder Friday 11:00.
    shop.clock.set(datetime!(2026-12-08 11:00 UTC));
    agent_answers(shop, case.id, CaseStatus::WaitingOnCustomer).await;
    assert_eq!(at(shop, datetime!(2026-12-11 10:59 UTC)).await.fired, 0);
    assert_eq!(at(shop, datetime!(2026-12-11 11:00 UTC)).await.fired, 1);
    let messages = shop.app.storage().messages(shop.store_id, case.id).await.unwrap();
    let reminder = messages.last().unwrap();
    assert_eq!(reminder.author, Actor::System);
    assert!(reminder.body.contains("Seguimos esperando"), "in the customer's language: {}", reminder.body);
    let outbox = shop.app.storage().channels().outbox(shop.store_id, 50).await.unwrap();
    let mail = outbox
        .iter()
        .find(|e| e.case_message.is_some_and(|(_, message)| message == reminder.id))
        .expect("the reminder goes out by email");
    let redress_storage::channels::OutgoingMessage::Email(mail) = &mail.message else {
        panic!("not an email: {mail:?}")
    };
    assert!(mail.automatic && mail.text_body.contains("Seguimos esperando"));
    let case_now = shop.app.storage().case(shop.store_id, case.id).await.unwrap();
    assert_eq!(case_now.status, CaseStatus::WaitingOnCustomer);

    // Seven business days after the wait began (Thursday 17th, 11:00) it closes itself.
    assert_eq!(at(shop, datetime!(2026-12-17 10:59 UTC)).await.fired, 0);
    at(shop, datetime!(2026-12-17 11:00 UTC)).await;
    let case_now = shop.app.storage().case(shop.store_id, case.id).await.unwrap();
    assert_eq!(case_now.status, CaseStatus::Closed);
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::FollowedUp { step: FollowUpStep::Reminder, .. })), 1);
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::FollowedUp { step: FollowUpStep::ClosedForSilence, .. })), 1);
    // Nothing more to do, however often the worker runs.
    assert_eq!(at(shop, datetime!(2027-01-20 11:00 UTC)).await.fired, 0);
}

/// A customer who answers in time ends the wait: neither reminder nor closing fires.
async fn an_answer_cancels_the_follow_ups(shop: &Shop) {
    let case = open_case(shop, "en").await;
    agent_answers(shop, case.id, CaseStatus::WaitingOnCustomer).await;
    at(shop, shop.clock.now()).await;
    let store_id = shop.store_id;
    let now = shop.clock.now() + time::Duration::hours(1);
    shop.clock.set(now);
    let update = Box::new(move |case: &Case| {
        let message = Message {
            id: MessageId::from_uuid(Uuid::now_v7()),
            store_id,
            case_id: case.id,
            direction: Direction::Inbound,
            channel: Channel::Email,
            author: Actor::Customer { handle: "ana@example.com".into() },
            body: "Here is the photo.".into(),
            attachments: vec![],
            created_at: now,
        };
        Ok(CaseUpdate { change: case.add_message(&message, now)?, message: Some(message) })
    });
    shop.app.storage().update_case(store_id, case.id, update).await.unwrap();
    at(shop, now + time::Duration::days(30)).await;
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::FollowedUp { .. })), 0);
}

/// Resolved: one survey by a signed link; a score of 2 reopens the case and raises it; a
/// second answer and a forged link are refused; resolving again sends no second survey.
async fn survey_once_and_low_scores_reopen(shop: &Shop) {
    let case = open_case(shop, "pl").await;
    agent_answers(shop, case.id, CaseStatus::Resolved).await;
    let report = at(shop, shop.clock.now()).await;
    assert_eq!(report.fired, 1, "{report:?}");
    let messages = shop.app.storage().messages(shop.store_id, case.id).await.unwrap();
    let invitation = &messages.last().unwrap().body;
    assert!(invitation.contains("Jak nam poszło"), "{invitation}");
    let signature = invitation.split("sig=").nth(1).unwrap().trim().to_owned();
    assert!(invitation.contains(&format!("/s/northwind/survey/{}?sig=", case.id)), "{invitation}");

    let forged = answer_survey(&shop.app, shop.store_id, case.id, "00", 5, None).await.unwrap_err();
    assert_eq!(forged.code, redress_app::ErrorCode::NotFound);
    let zero = answer_survey(&shop.app, shop.store_id, case.id, &signature, 0, None).await.unwrap_err();
    assert_eq!(zero.field.as_deref(), Some("score"));
    answer_survey(&shop.app, shop.store_id, case.id, &signature, 2, Some("Too slow".into())).await.unwrap();
    let again = answer_survey(&shop.app, shop.store_id, case.id, &signature, 5, None).await.unwrap_err();
    assert_eq!(again.code, redress_app::ErrorCode::Duplicate);

    let reopened = shop.app.storage().case(shop.store_id, case.id).await.unwrap();
    assert_eq!(reopened.status, CaseStatus::Open);
    assert!(reopened.priority > case.priority);
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::SurveyAnswered { score: 2, .. })), 1);
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::Reopened { .. })), 1);

    agent_answers(shop, case.id, CaseStatus::Resolved).await;
    at(shop, shop.clock.now() + time::Duration::days(2)).await;
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::FollowedUp { step: FollowUpStep::SurveySent, .. })), 1);
    let surveys = shop.app.storage().follow_through().answered_surveys(shop.store_id).await.unwrap();
    assert_eq!(surveys.len(), 1);
    assert_eq!((surveys[0].score, surveys[0].language.as_str(), surveys[0].channel.as_str()), (Some(2), "pl", "email"));
}

/// Records events as the return and refund flows write them.
async fn record(shop: &Shop, case_id: CaseId, events: Vec<CaseEvent>) {
    let now = shop.clock.now();
    let entries: Vec<_> = events
        .into_iter()
        .map(|event| redress_domain::TimelineEntry { at: now, actor: Actor::System, event })
        .collect();
    let update = Box::new(move |case: &Case| Ok(CaseUpdate { change: case.record(entries, now), message: None }));
    shop.app.storage().update_case(shop.store_id, case_id, update).await.unwrap();
}

/// A return approved and not sent gets one reminder after ten business days; a refund still
/// pending three days after its expected date reopens the resolved case with a note.
async fn returns_and_refunds_are_followed_up(shop: &Shop) {
    let case = open_case(shop, "pt").await;
    let start = shop.clock.now();
    let return_id = redress_domain::ReturnId::from_uuid(Uuid::now_v7());
    record(
        shop,
        case.id,
        vec![
            CaseEvent::ReturnRequested { return_id, lines: vec![] },
            CaseEvent::ReturnStatusChanged {
                return_id,
                from: redress_domain::returns::ReturnStatus::Requested,
                to: redress_domain::returns::ReturnStatus::Approved,
                amount: None,
                note: None,
            },
        ],
    )
    .await;
    at(shop, start).await;
    let timers = shop.app.storage().follow_through().pending_timers(shop.store_id, case.id).await.unwrap();
    let due = timers.iter().find(|t| t.timer.kind == TimerKind::ReturnReminder).unwrap().timer.due_at;
    assert_eq!(due.date(), datetime!(2027-04-19 10:00 UTC).date(), "ten business days after {start}");
    at(shop, due).await;
    at(shop, due + time::Duration::days(20)).await;
    let messages = shop.app.storage().messages(shop.store_id, case.id).await.unwrap();
    assert!(messages.last().unwrap().body.contains("devolução"), "{}", messages.last().unwrap().body);
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::FollowedUp { step: FollowUpStep::ReturnReminder, .. })), 1);

    // The refund: accepted by the provider, expected by a date, the case resolved meanwhile.
    let refund_id = redress_domain::RefundId::from_uuid(Uuid::now_v7());
    let expected_by = (shop.clock.now() + time::Duration::days(5)).date();
    record(shop, case.id, vec![CaseEvent::RefundPending { refund_id, provider_reference: "re_1".into(), expected_by }])
        .await;
    agent_answers(shop, case.id, CaseStatus::Resolved).await;
    let late = expected_by.next_day().unwrap().midnight().assume_utc() + time::Duration::days(3);
    at(shop, late - time::Duration::minutes(1)).await;
    let resolved = shop.app.storage().case(shop.store_id, case.id).await.unwrap();
    assert_eq!(resolved.status, CaseStatus::Resolved);
    at(shop, late).await;
    let reopened = shop.app.storage().case(shop.store_id, case.id).await.unwrap();
    assert_eq!(reopened.status, CaseStatus::Open);
    let seen = events(shop, case.id).await;
    assert_eq!(count(&seen, |e| matches!(e, CaseEvent::FollowedUp { step: FollowUpStep::RefundOverdue, .. })), 1);
    assert_eq!(
        count(
            &seen,
            |e| matches!(e, CaseEvent::NoteAdded { body } if body.contains("re_1") || body.contains(&refund_id.to_string()))
        ),
        1
    );
}

async fn story(shop: &Shop) {
    sla_and_follow_ups(shop).await;
    shop.clock.set(MONDAY + time::Duration::days(60));
    an_answer_cancels_the_follow_ups(shop).await;
    shop.clock.set(MONDAY + time::Duration::days(120));
    survey_once_and_low_scores_reopen(shop).await;
    shop.clock.set(datetime!(2027-04-05 10:00 UTC));
    returns_and_refunds_are_followed_up(shop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_through_on_sqlite() {
    let (_dir, shop) = sqlite_shop().await;
    story(&shop).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follow_through_on_postgres() {
    let Some(server) = postgres_url() else { return };
    let scratch = redress_storage::postgres::ScratchDatabase::create(&server).await.unwrap();
    let storage = redress_storage::connect(&scratch.url()).await.unwrap();
    let shop = shop_on(storage, Arc::new(ManualClock::at(MONDAY)), "northwind").await;
    story(&shop).await;
}

/// Two servers' workers over one PostgreSQL database, running rounds at once: every warning
/// and breach is recorded exactly once per case.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_fire_each_timer_once_on_postgres() {
    let Some(server) = postgres_url() else { return };
    let scratch = redress_storage::postgres::ScratchDatabase::create(&server).await.unwrap();
    let clock = Arc::new(ManualClock::at(MONDAY));
    let one = shop_on(redress_storage::connect(&scratch.url()).await.unwrap(), clock.clone(), "northwind").await;
    let other_storage = redress_storage::connect(&scratch.url()).await.unwrap();
    let other = redress_app::App::new(other_storage).with_clock(clock.clone()).with_link_secret("test secret");
    let mut cases = Vec::new();
    for _ in 0..12 {
        cases.push(open_case(&one, "en").await.id);
    }
    // Past every case's warning, then its breach; both workers run rounds side by side, and
    // again after a claim lease, for any fire that met a change made meanwhile.
    let rounds = [
        datetime!(2026-12-07 17:30 UTC),
        datetime!(2026-12-07 17:40 UTC),
        datetime!(2026-12-08 12:00 UTC),
        datetime!(2026-12-08 12:10 UTC),
    ];
    for now in rounds {
        clock.set(now);
        let (a, b) = tokio::join!(run_due(&one.app, now), run_due(&other, now));
        a.unwrap();
        b.unwrap();
    }
    for case_id in cases {
        let seen = events(&one, case_id).await;
        assert_eq!(count(&seen, |e| matches!(e, CaseEvent::SlaWarning { target: SlaTarget::FirstResponse, .. })), 1);
        assert_eq!(count(&seen, |e| matches!(e, CaseEvent::SlaBreached { target: SlaTarget::FirstResponse, .. })), 1);
        assert_eq!(count(&seen, |e| matches!(e, CaseEvent::PriorityChanged { .. })), 1);
        let case = one.app.storage().case(one.store_id, case_id).await.unwrap();
        assert_eq!(case.priority, Priority::High);
    }
}
