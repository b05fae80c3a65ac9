//! The desk inbox's queries: every case ranked, the true count, the search index, stores kept
//! apart, and counts following a case's changes.

use std::sync::Arc;

use redress_domain::*;
use redress_storage::{CaseUpdate, InboxQuery, Storage};
use uuid::Uuid;

use super::{T0, agent, new_case, store, tomasz};

fn open_statuses() -> Vec<CaseStatus> {
    vec![CaseStatus::New, CaseStatus::Open, CaseStatus::WaitingOnCustomer, CaseStatus::WaitingOnThirdParty]
}

fn query(words: &[&[&str]]) -> InboxQuery {
    InboxQuery {
        words: words.iter().map(|group| group.iter().map(|w| (*w).to_owned()).collect()).collect(),
        limit: 50,
        ..InboxQuery::default()
    }
}

async fn open(db: &Arc<dyn Storage>, store: &Store, subject: &str, kind: IssueKind, language: &str) -> Case {
    let mut new = new_case(store, None, "help", T0);
    new.subject = subject.into();
    new.kind = kind;
    new.language = LanguageTag::parse(language).unwrap();
    new.sentiment = Sentiment::Neutral;
    db.open_case(new, T0).await.unwrap().case
}

async fn change(db: &Arc<dyn Storage>, case: &Case, to: impl Fn(&Case) -> CaseChange + Send + 'static) -> Case {
    db.update_case(case.store_id, case.id, Box::new(move |c: &Case| Ok(CaseUpdate { change: to(c), message: None })))
        .await
        .unwrap()
        .case
}

pub async fn story(db: Arc<dyn Storage>) {
    let (north, south) = (store("search-north"), store("search-south"));
    db.create_store(&north).await.unwrap();
    db.create_store(&south).await.unwrap();
    let boots = open(&db, &north, "Charged twice for my boots", IssueKind::WrongCharge, "en").await;
    let vase = open(&db, &north, "Where is my vase?", IssueKind::WrongItemReceived, "pl-PL").await;
    let mug = open(&db, &north, "Mug arrived broken", IssueKind::DamagedInTransit, "en").await;
    let done = open(&db, &north, "Charged twice again", IssueKind::WrongCharge, "en").await;
    let elsewhere = open(&db, &south, "Charged twice for my vase", IssueKind::WrongCharge, "en").await;
    let urgent = change(&db, &mug, |c| c.change_priority(Priority::Urgent, &agent(), T0).unwrap()).await;
    let waiting = change(&db, &vase, |c| c.change_status(CaseStatus::WaitingOnCustomer, &agent(), T0).unwrap()).await;
    let done = change(&db, &done, |c| c.change_status(CaseStatus::Resolved, &agent(), T0).unwrap()).await;
    let mine = change(&db, &boots, |c| c.assign(Some(tomasz()), &agent(), T0).unwrap()).await;
    let search = db.search();
    let ids = |page: &redress_storage::InboxPage| page.cases.iter().map(|c| c.id).collect::<Vec<_>>();

    // Every case of the store, ranked: open before waiting before finished, urgent first.
    let all = search.inbox(north.id, &query(&[])).await.unwrap();
    assert_eq!(ids(&all), vec![urgent.id, mine.id, waiting.id, done.id]);
    assert_eq!(all.total, 4);
    let open_only = InboxQuery { statuses: open_statuses(), ..query(&[]) };
    let page = search.inbox(north.id, &open_only).await.unwrap();
    assert_eq!((ids(&page), page.total), (vec![urgent.id, mine.id, waiting.id], 3));
    let first = search.inbox(north.id, &InboxQuery { limit: 1, ..open_only.clone() }).await.unwrap();
    assert_eq!((ids(&first), first.total), (vec![urgent.id], 3), "the count is of all, not of the page");
    let resolved = InboxQuery { statuses: vec![CaseStatus::Resolved], ..query(&[]) };
    assert_eq!(search.inbox(north.id, &resolved).await.unwrap().total, 1);

    // Each filter narrows both the page and the count.
    for (filter, expected) in [
        (InboxQuery { kind: Some(IssueKind::WrongCharge), ..query(&[]) }, vec![mine.id, done.id]),
        (InboxQuery { assignee: Some(tomasz().agent_id), ..query(&[]) }, vec![mine.id]),
        (InboxQuery { unassigned: true, statuses: open_statuses(), ..query(&[]) }, vec![urgent.id, waiting.id]),
        (InboxQuery { language: Some("PL".into()), ..query(&[]) }, vec![waiting.id]),
        (
            InboxQuery { channel: Some(Channel::Email), statuses: open_statuses(), ..query(&[]) },
            vec![urgent.id, mine.id, waiting.id],
        ),
        (InboxQuery { statuses: vec![CaseStatus::WaitingOnCustomer], ..query(&[]) }, vec![waiting.id]),
        (InboxQuery { channel: Some(Channel::Social), ..query(&[]) }, vec![]),
        (InboxQuery { escalated: Some(true), ..query(&[]) }, vec![]),
        (InboxQuery { escalated: Some(false), ..query(&[]) }, vec![urgent.id, mine.id, waiting.id, done.id]),
    ] {
        let page = search.inbox(north.id, &filter).await.unwrap();
        assert_eq!(ids(&page), expected, "{filter:?}");
        assert_eq!(page.total, expected.len() as u64, "{filter:?}");
    }

    // Search: words as prefixes, all of them, in the subject or the address; any spelling of
    // a word; a case number; never another store's cases.
    let found = search.inbox(north.id, &query(&[&["charged"], &["twice"]])).await.unwrap();
    assert_eq!((ids(&found), found.total), (vec![mine.id, done.id], 2));
    let found = search.inbox(north.id, &query(&[&["boot"]])).await.unwrap();
    assert_eq!(ids(&found), vec![mine.id]);
    let found = search.inbox(north.id, &query(&[&["vase"]])).await.unwrap();
    assert_eq!(ids(&found), vec![waiting.id], "the south's vase stays in the south");
    let found =
        search.inbox(north.id, &query(&[&["chargd", "charged"], &["twce", "twice"], &["boots"]])).await.unwrap();
    assert_eq!(ids(&found), vec![mine.id]);
    assert_eq!(search.inbox(north.id, &query(&[&["chargd"]])).await.unwrap().total, 0);
    let found = search.inbox(north.id, &query(&[&["ana"], &["example"]])).await.unwrap();
    assert_eq!(found.total, 4, "the customer's address is searched");
    let by_number = InboxQuery { number: Some(waiting.number), ..query(&[&[&waiting.number.0.to_string()]]) };
    assert_eq!(ids(&search.inbox(north.id, &by_number).await.unwrap()), vec![waiting.id]);
    assert_eq!(search.inbox(south.id, &query(&[&["charged"]])).await.unwrap().cases[0].id, elsewhere.id);

    // The vocabulary typo correction reads, by prefix.
    let words = search.words_starting("tw", 100).await.unwrap();
    assert!(words.contains(&"twice".to_owned()), "{words:?}");
    assert!(words.iter().all(|w| w.starts_with("tw")));
    assert!(search.words_starting("chargd", 1).await.unwrap().is_empty());
    assert_eq!(search.words_starting("charg", 1).await.unwrap(), vec!["charged".to_owned()]);

    // Counts follow changes: a case leaving the open statuses, another reassigned.
    change(&db, &urgent, |c| c.change_status(CaseStatus::Resolved, &agent(), T0).unwrap()).await;
    change(&db, &mine, |c| c.assign(None, &agent(), T0).unwrap()).await;
    assert_eq!(search.inbox(north.id, &open_only).await.unwrap().total, 2);
    assert_eq!(
        search.inbox(north.id, &InboxQuery { assignee: Some(tomasz().agent_id), ..query(&[]) }).await.unwrap().total,
        0
    );
    let unknown = StoreId::from_uuid(Uuid::now_v7());
    assert_eq!(search.inbox(unknown, &query(&[])).await.unwrap().total, 0);
}
