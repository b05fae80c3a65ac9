//! The privacy story: what is read for an export, an erasure that redacts a customer's words
//! in place (twice is once), retention's look-up and a case erased alone, per store.

use std::sync::Arc;

use redress_domain::privacy::{ERASED, ErasureReason, is_placeholder, plan_erasure};
use redress_domain::{Actor, CaseEvent, CaseStatus, TimelineEntry};
use redress_storage::channels::{ContactIdentity, IdentityKind};
use redress_storage::privacy::{ErasureFn, ErasureScope};
use redress_storage::{CaseUpdate, Storage};
use time::Duration;
use uuid::Uuid;

use super::{T0, agent, customer, new_case, order, status_to, store};

fn plan(reason: ErasureReason) -> ErasureFn {
    Box::new(move |subject| plan_erasure(subject, reason, &Actor::Agent { name: "owner".into() }, T0))
}

pub async fn story(db: Arc<dyn Storage>) {
    let north = store(&format!("privacy-n-{}", &Uuid::now_v7().simple().to_string()[20..]));
    let south = store(&format!("privacy-s-{}", &Uuid::now_v7().simple().to_string()[20..]));
    db.create_store(&north).await.unwrap();
    db.create_store(&south).await.unwrap();
    let ana = customer(&north, "ana@example.com");
    let (ana_order, _) = db.upsert_order(&ana, &order(&north, &ana, "P-1"), T0).await.unwrap();
    let ana_id = ana_order.customer_id;
    let bob = customer(&north, "bob@example.com");
    let (bob_order, _) = db.upsert_order(&bob, &order(&north, &bob, "P-2"), T0).await.unwrap();
    let twin = customer(&south, "ana@example.com");
    let (twin_order, _) = db.upsert_order(&twin, &order(&south, &twin, "P-1"), T0).await.unwrap();

    let mut first = new_case(&north, Some(&ana_order), "Ana Kowalska, ul. Długa 5: broken", T0);
    first.subject = "Zbigniewska's parcel".into();
    let case = db.open_case(first, T0).await.unwrap().case;
    assert_eq!(db.search().words_starting("zbigniewsk", 5).await.unwrap(), vec!["zbigniewska".to_owned()]);
    let note = Box::new(move |c: &redress_domain::Case| {
        Ok(CaseUpdate { change: c.add_note("Ana called from 600 100 200", &agent(), T0)?, message: None })
    });
    db.update_case(north.id, case.id, note).await.unwrap();
    let photo = redress_storage::AttachmentInfo {
        id: Uuid::now_v7(),
        case_id: case.id,
        filename: "ana-kowalska.png".into(),
        content_type: "image/png".into(),
        size_bytes: 4,
        created_at: T0,
    };
    db.save_attachment(north.id, &photo, b"\x89PNG").await.unwrap();
    let phone = ContactIdentity { kind: IdentityKind::Phone, value: "+48600100200".into(), customer_id: ana_id };
    db.channels().link_identity(north.id, &phone, T0).await.unwrap();
    let bob_case = db.open_case(new_case(&north, Some(&bob_order), "Bob's parcel", T0), T0).await.unwrap().case;
    let twin_case = db.open_case(new_case(&south, Some(&twin_order), "Ana in the south", T0), T0).await.unwrap().case;

    // What an export reads, per store.
    let privacy = db.privacy();
    let identities = privacy.identities_of_customer(north.id, ana_id).await.unwrap();
    assert_eq!(identities.iter().map(|i| i.identity.clone()).collect::<Vec<_>>(), vec![phone.clone()]);
    let cases = privacy.cases_of_customer(north.id, ana_id, 10).await.unwrap();
    assert_eq!(cases.iter().map(|c| c.id).collect::<Vec<_>>(), vec![case.id]);
    assert!(privacy.cases_of_customer(south.id, ana_id, 10).await.unwrap().is_empty());

    // Erased: words replaced in place, ids, kinds and times kept, one timeline entry more.
    let before = db.timeline(north.id, case.id).await.unwrap();
    let erasure =
        privacy.erase(north.id, ErasureScope::Customer(ana_id), plan(ErasureReason::Request), T0).await.unwrap();
    assert_eq!((erasure.cases.len(), erasure.orders.len(), erasure.customer.is_some()), (1, 1, true));
    let erased = db.customer(north.id, ana_id).await.unwrap();
    assert!(is_placeholder(&erased.email) && erased.name == "erased", "{erased:?}");
    assert!(db.customer_by_email(north.id, &ana.email).await.unwrap().is_none());
    let order = db.order(north.id, ana_order.id).await.unwrap();
    assert_eq!((order.shipping_address.name.as_str(), order.shipping_address.country.as_str()), ("erased", "PL"));
    assert_eq!(order.lines, ana_order.lines);
    let after_case = db.case(north.id, case.id).await.unwrap();
    assert_eq!((after_case.subject.as_str(), after_case.kind, after_case.number), (ERASED, case.kind, case.number));
    assert!(db.messages(north.id, case.id).await.unwrap().iter().all(|m| m.body == ERASED));
    let after = db.timeline(north.id, case.id).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.iter().zip(&before).all(|(a, b)| a.seq == b.seq && a.entry.at == b.entry.at));
    let text = serde_json::to_string(&after.iter().map(|r| &r.entry).collect::<Vec<&TimelineEntry>>()).unwrap();
    assert!(!text.contains("ana@") && !text.contains("600 100"), "{text}");
    assert!(matches!(after.last().unwrap().entry.event, CaseEvent::CustomerErased { reason: ErasureReason::Request }));
    assert!(db.attachments_of_case(north.id, case.id).await.unwrap().is_empty());
    assert!(privacy.identities_of_customer(north.id, ana_id).await.unwrap().is_empty());
    // The search's vocabulary forgets the words no case uses any more.
    assert!(db.search().words_starting("zbigniewsk", 5).await.unwrap().is_empty());

    // Twice is once; the other customer and the other store are untouched.
    let again =
        privacy.erase(north.id, ErasureScope::Customer(ana_id), plan(ErasureReason::Request), T0).await.unwrap();
    assert!(again.is_empty(), "{again:?}");
    assert_eq!(db.timeline(north.id, case.id).await.unwrap().len(), after.len());
    assert_eq!(db.customer(north.id, bob_order.customer_id).await.unwrap().name, bob.name);
    assert_eq!(db.case(south.id, twin_case.id).await.unwrap().subject, "Parcel arrived broken");
    assert!(db.customer_by_email(south.id, &twin.email).await.unwrap().is_some());

    // Retention: cases over whose last change is older than the cutoff, not yet erased.
    db.update_case(north.id, bob_case.id, status_to(CaseStatus::Resolved)).await.unwrap();
    assert!(privacy_ids(&db, north.id, T0 - Duration::days(1)).await.is_empty());
    assert_eq!(
        privacy_ids(&db, north.id, T0 + Duration::days(1)).await,
        vec![bob_case.id],
        "Ana's case is erased already"
    );
    let months = ErasureReason::Retention { months: 6 };
    let alone = db.privacy().erase(north.id, ErasureScope::Case(bob_case.id), plan(months), T0).await.unwrap();
    assert!(alone.customer.is_some(), "Bob has no other case: he goes too");
    assert!(privacy_ids(&db, north.id, T0 + Duration::days(1)).await.is_empty());
}

async fn privacy_ids(
    db: &Arc<dyn Storage>,
    store_id: redress_domain::StoreId,
    at: time::OffsetDateTime,
) -> Vec<redress_domain::CaseId> {
    db.privacy().cases_past_retention(store_id, at, None, 10).await.unwrap()
}
