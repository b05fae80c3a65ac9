//! What shop platforms and webhooks out keep: the timeline entries the outside world is told
//! of, read across stores after a cursor; pushes written once by their key, listed, replayed;
//! endpoints removed and their secrets replaced only in their own store; and a platform's order
//! changed under its lock, so two fulfillments at once both keep their parcel.

use std::sync::Arc;

use redress_domain::*;
use redress_storage::{Delivery, Ingested, OrderLink, Push, PushOutcome, Storage, WebhookEndpoint};
use uuid::Uuid;

use super::{T0, customer, new_case, order, status_to, store};

fn push(store: &Store, key: &str) -> Push {
    Push {
        store_id: store.id,
        key: key.into(),
        order_id: None,
        kind: "webhook".into(),
        payload: serde_json::json!({"key": key}),
        attempts: 0,
    }
}

fn delivery(store: &Store, id: &str) -> Delivery {
    Delivery {
        store_id: store.id,
        platform: "shopify".into(),
        delivery_id: id.into(),
        topic: "fulfillments/create".into(),
        received_at: T0,
    }
}

fn parcel(carrier: &str) -> Shipment {
    Shipment {
        id: ShipmentId::from_uuid(Uuid::now_v7()),
        carrier: carrier.into(),
        tracking_number: None,
        lines: vec![ShipmentLine { sku: "TEE-M".into(), quantity: 1 }],
        status: ShipmentStatus::InTransit,
        status_times: Default::default(),
    }
}

/// Adds a parcel with the fulfillment's id, as the application does.
fn add_parcel(carrier: &'static str) -> redress_storage::LinkedOrderFn {
    Box::new(move |mut order: Order, mut link: OrderLink| {
        order.shipments.push(parcel(carrier));
        link.shipment_ids.push(Some(format!("gid://shopify/Fulfillment/{carrier}")));
        Ok((order, link))
    })
}

async fn change(
    db: &Arc<dyn Storage>,
    store: &Store,
    delivery_id: &str,
    remote_id: &str,
    change: redress_storage::LinkedOrderFn,
) -> Result<Option<Ingested>, redress_storage::StorageError> {
    db.platforms().change_linked_order(&delivery(store, delivery_id), remote_id, change, T0).await
}

pub async fn story(db: Arc<dyn Storage>) {
    let platforms = db.platforms();
    let (north, south) = (store("north-events"), store("south-events"));
    db.create_store(&north).await.unwrap();
    db.create_store(&south).await.unwrap();

    // Told entries: only the kinds the outside world hears of, across stores, in order.
    let (newest, start) = platforms.events_cursor().await.unwrap();
    assert!(start <= newest);
    let opened = db.open_case(new_case(&north, None, "help", T0), T0).await.unwrap();
    let other = db.open_case(new_case(&south, None, "help", T0), T0).await.unwrap();
    db.update_case(south.id, other.case.id, status_to(CaseStatus::Open)).await.unwrap();
    db.update_case(south.id, other.case.id, status_to(CaseStatus::Resolved)).await.unwrap();
    let (newest, _) = platforms.events_cursor().await.unwrap();
    let told = platforms.told_entries(start, newest, 100).await.unwrap();
    let kinds: Vec<_> = told
        .iter()
        .map(|row| (row.store_id, row.case_id, serde_json::to_value(&row.entry.entry.event).unwrap()["type"].clone()))
        .collect();
    assert!(kinds.contains(&(north.id, opened.case.id, "opened".into())), "{kinds:?}");
    assert!(kinds.contains(&(south.id, other.case.id, "status_changed".into())), "{kinds:?}");
    assert!(told.iter().all(|row| {
        redress_storage::platforms::TOLD_EVENTS
            .contains(&serde_json::to_value(&row.entry.entry.event).unwrap()["type"].as_str().unwrap())
    }));
    assert!(told.windows(2).all(|w| w[0].entry.seq < w[1].entry.seq));
    let first = told[0].entry.seq;
    assert_eq!(platforms.told_entries(start, newest, 1).await.unwrap().len(), 1);
    assert!(platforms.told_entries(first, newest, 100).await.unwrap().iter().all(|r| r.entry.seq > first));
    assert!(platforms.told_entries(start, first, 100).await.unwrap().iter().all(|r| r.entry.seq <= first));
    // An entry told is not read again, even behind the cursor.
    assert_eq!(platforms.enqueue_pushes(&[], &[first, first], T0).await.unwrap(), 0);
    let rest = platforms.told_entries(start, newest, 100).await.unwrap();
    assert_eq!(rest.len(), told.len() - 1);
    assert!(rest.iter().all(|row| row.entry.seq != first));
    // The cursor moves on, never back.
    platforms.advance_events_cursor(newest).await.unwrap();
    platforms.advance_events_cursor(start).await.unwrap();
    assert_eq!(platforms.events_cursor().await.unwrap(), (newest, newest));

    // Pushes: written once by their key, in one transaction.
    assert_eq!(platforms.enqueue_pushes(&[push(&north, "a"), push(&north, "b")], &[], T0).await.unwrap(), 2);
    let later = T0 + time::Duration::seconds(1);
    assert_eq!(platforms.enqueue_pushes(&[push(&north, "b"), push(&north, "c")], &[], later).await.unwrap(), 1);
    let listed = platforms.pushes(north.id, "webhook", 10).await.unwrap();
    let keys: Vec<_> = listed.iter().map(|r| r.push.key.as_str()).collect();
    assert_eq!(keys, ["c", "b", "a"], "newest first");
    assert!(listed.iter().all(|r| r.status == "pending" && r.push.attempts == 0 && r.last_error.is_none()));
    assert_eq!(listed[0].push.payload, serde_json::json!({"key": "c"}));
    assert!(platforms.pushes(south.id, "webhook", 10).await.unwrap().is_empty());
    assert!(platforms.pushes(north.id, "shipping_address", 10).await.unwrap().is_empty());
    assert_eq!(platforms.pushes(north.id, "webhook", 2).await.unwrap().len(), 2);
    // Claimed, failed for good, replayed: pending again from zero attempts.
    let claimed = platforms.claim_pushes(Some((north.id, "a")), later, time::Duration::seconds(60), 5).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let failed = PushOutcome::Failed { error: "410 Gone".into() };
    platforms.finish_push(north.id, "a", &failed).await.unwrap();
    let a = |rows: Vec<redress_storage::PushRecord>| rows.into_iter().find(|r| r.push.key == "a").unwrap();
    let gone = a(platforms.pushes(north.id, "webhook", 10).await.unwrap());
    assert_eq!((gone.status.as_str(), gone.push.attempts, gone.last_error.as_deref()), ("failed", 1, Some("410 Gone")));
    assert!(!platforms.replay_push(south.id, "a", later).await.unwrap(), "another store's push");
    assert!(!platforms.replay_push(north.id, "nothing", later).await.unwrap());
    assert!(platforms.replay_push(north.id, "a", later).await.unwrap());
    let again = a(platforms.pushes(north.id, "webhook", 10).await.unwrap());
    assert_eq!((again.status.as_str(), again.push.attempts, again.last_error), ("pending", 0, None));
    assert_eq!(again.due_at, later);

    // Endpoints: removed and re-keyed in their own store only.
    let endpoint = WebhookEndpoint {
        id: Uuid::now_v7(),
        store_id: north.id,
        url: "https://hooks.example/redress".into(),
        events: vec!["case.opened".into()],
        sealed_secret: vec![1, 2, 3],
        created_at: T0,
    };
    platforms.add_webhook_endpoint(&endpoint).await.unwrap();
    assert!(!platforms.replace_webhook_secret(south.id, endpoint.id, &[9]).await.unwrap());
    assert!(platforms.replace_webhook_secret(north.id, endpoint.id, &[4, 5]).await.unwrap());
    assert_eq!(platforms.webhook_endpoints(north.id).await.unwrap()[0].sealed_secret, vec![4, 5]);
    assert!(!platforms.remove_webhook_endpoint(south.id, endpoint.id).await.unwrap());
    assert!(platforms.remove_webhook_endpoint(north.id, endpoint.id).await.unwrap());
    assert!(!platforms.remove_webhook_endpoint(north.id, endpoint.id).await.unwrap());
    assert!(platforms.webhook_endpoints(north.id).await.unwrap().is_empty());

    // A platform's order changed under its lock: two fulfillments at once keep both parcels.
    let ana = customer(&north, "ana@example.com");
    let link =
        OrderLink { platform: "shopify".into(), remote_id: "gid://shopify/Order/1".into(), shipment_ids: vec![] };
    let placed = order(&north, &ana, "N-1");
    platforms.ingest_order(Some(&delivery(&north, "create")), &link, &ana, &placed, T0).await.unwrap();
    let mut handles = Vec::new();
    for (id, carrier) in [("f-1", "dhl"), ("f-2", "inpost")] {
        let db = db.clone();
        let delivery = delivery(&north, id);
        handles.push(tokio::spawn(async move {
            db.platforms().change_linked_order(&delivery, "gid://shopify/Order/1", add_parcel(carrier), T0).await
        }));
    }
    for handle in handles {
        assert!(matches!(handle.await.unwrap().unwrap(), Some(Ingested::Stored { created: false, .. })));
    }
    let link = platforms.order_link(north.id, placed.id).await.unwrap().unwrap();
    let stored = db.order(north.id, placed.id).await.unwrap();
    let mut carriers: Vec<_> = stored.shipments.iter().map(|s| s.carrier.as_str()).collect();
    carriers.sort_unstable();
    assert_eq!(carriers, ["dhl", "inpost"]);
    assert_eq!(link.shipment_ids.len(), 2);
    // The same delivery again changes nothing.
    let again = change(&db, &north, "f-1", "gid://shopify/Order/1", add_parcel("ups"));
    assert_eq!(again.await.unwrap(), Some(Ingested::Duplicate));
    // A refused change writes nothing, not even the delivery: the platform's retry is acted on.
    let refuse: redress_storage::LinkedOrderFn =
        Box::new(|_, _| Err(redress_storage::StorageError::NotFound("fulfillment")));
    assert!(change(&db, &north, "f-3", "gid://shopify/Order/1", refuse).await.is_err());
    let retried = change(&db, &north, "f-3", "gid://shopify/Order/1", add_parcel("ups"));
    assert!(matches!(retried.await.unwrap(), Some(Ingested::Stored { .. })));
    assert_eq!(db.order(north.id, stored.id).await.unwrap().shipments.len(), 3);
    // An order Redress does not know: the delivery alone is recorded.
    let unknown = change(&db, &north, "f-4", "gid://shopify/Order/9", add_parcel("dhl"));
    assert_eq!(unknown.await.unwrap(), None);
    let unknown = change(&db, &north, "f-4", "gid://shopify/Order/9", add_parcel("dhl"));
    assert_eq!(unknown.await.unwrap(), Some(Ingested::Duplicate));
    // Another store's order is not reached by its remote id.
    let elsewhere = change(&db, &south, "f-5", "gid://shopify/Order/1", add_parcel("dhl"));
    assert_eq!(elsewhere.await.unwrap(), None);
}
