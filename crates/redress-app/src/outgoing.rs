//! What the outside world is told of a change: the events the store's webhook endpoints want
//! (`case.opened`, `case.resolved`, `order.amended`, `return.received`, `refund.sent`) and the
//! amendments a Shopify order must take too (shipping address, lines, cancellation).
//!
//! Both are read from the timeline, which every change writes in its own transaction, whatever
//! path made it (API, desk, portal, assistant, refund executor): [`tell_due`] turns the entries
//! after a cursor kept in the database into outbox rows (`platform_pushes`) named by the entry,
//! so a crash between a change and its telling loses nothing, and an entry read twice writes
//! nothing new. The cursor is read again [`CURSOR_OVERLAP`] positions behind itself, since a
//! PostgreSQL sequence number can become visible behind one already read; entries told are
//! marked with their pushes, so that re-reading costs nothing. The push worker then sends the
//! rows ([`crate::platforms::push_due`]).

use std::collections::HashMap;

use redress_connect::shop::webhooks_out::{EventEnvelope, EventType};
use redress_domain::amendment::AmendmentKind;
use redress_domain::returns::ReturnStatus;
use redress_domain::{Case, CaseEvent, CaseStatus, StoreId};
use redress_storage::follow_through::CURSOR_OVERLAP;
use redress_storage::{Push, TimelineRow, WebhookEndpoint};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::App;
use crate::error::{AppError, AppResult};
use crate::webhooks::WEBHOOK_PUSH;

/// Timeline entries read at once.
const PAGE: u32 = 200;
/// The outbox kind of an amended shipping address for the order's shop.
pub(crate) const SHIPPING_ADDRESS_PUSH: &str = "shipping_address";
/// The outbox kind of changed lines (quantities, cancelled lines, swapped variants).
pub(crate) const ORDER_LINES_PUSH: &str = "order_lines";
/// The outbox kind of a cancelled order.
pub(crate) const CANCEL_ORDER_PUSH: &str = "cancel_order";

/// The change an amendment asks of the order's shop, as an outbox kind and the key's prefix.
fn shop_change(amendment: AmendmentKind) -> Option<(&'static str, &'static str)> {
    match amendment {
        AmendmentKind::ShippingAddress => Some((SHIPPING_ADDRESS_PUSH, "shipping-address")),
        AmendmentKind::Quantity | AmendmentKind::CancelLine | AmendmentKind::SwapVariant => {
            Some((ORDER_LINES_PUSH, "order-lines"))
        }
        AmendmentKind::CancelOrder => Some((CANCEL_ORDER_PUSH, "cancel-order")),
        // Shopify's order keeps the billing address it was paid with.
        AmendmentKind::BillingDetails => None,
    }
}

/// The webhook event a timeline entry is, if any.
fn event_of(event: &CaseEvent) -> Option<EventType> {
    match event {
        CaseEvent::Opened { .. } => Some(EventType::CaseOpened),
        CaseEvent::StatusChanged { to: CaseStatus::Resolved, .. } => Some(EventType::CaseResolved),
        CaseEvent::OrderAmended { .. } => Some(EventType::OrderAmended),
        CaseEvent::ReturnStatusChanged { to: ReturnStatus::Received, .. } => Some(EventType::ReturnReceived),
        CaseEvent::RefundSucceeded { .. } => Some(EventType::RefundSent),
        _ => None,
    }
}

/// The event's id: the same for the entry however often it is read, and saying nothing of
/// other stores' activity (a bare position would).
fn event_id(store_id: StoreId, seq: i64) -> Uuid {
    let digest = Sha256::new().chain_update(store_id.as_uuid().as_bytes()).chain_update(seq.to_be_bytes()).finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

/// What an event says: the case, and what the entry records.
fn event_data(case: &Case, event: &CaseEvent) -> serde_json::Value {
    let mut data = serde_json::json!({"case_id": case.id, "case_number": case.number, "order_id": case.order_id});
    let more = match event {
        CaseEvent::Opened { kind, channel, .. } => {
            serde_json::json!({"subject": case.subject, "kind": kind, "channel": channel})
        }
        CaseEvent::StatusChanged { from, .. } => serde_json::json!({"from": from}),
        CaseEvent::OrderAmended { amendment, before, after, difference, .. } => {
            serde_json::json!({"amendment": amendment, "before": before, "after": after, "difference": difference})
        }
        CaseEvent::ReturnStatusChanged { return_id, amount, .. } => {
            serde_json::json!({"return_id": return_id, "amount": amount})
        }
        CaseEvent::RefundSucceeded { refund_id, amount, provider_reference, .. } => {
            serde_json::json!({"refund_id": refund_id, "amount": amount, "provider_reference": provider_reference})
        }
        _ => serde_json::json!({}),
    };
    if let (Some(data), serde_json::Value::Object(more)) = (data.as_object_mut(), more) {
        data.extend(more);
    }
    data
}

/// What the rows tell, as pushes: one delivery per endpoint that wanted the event when it
/// happened, and the change an amendment asks of a Shopify order's shop. Endpoints are read
/// once per store.
async fn pushes_of(app: &App, rows: &[TimelineRow]) -> AppResult<Vec<Push>> {
    let platforms = app.storage().platforms();
    let mut endpoints: HashMap<StoreId, Vec<WebhookEndpoint>> = HashMap::new();
    let mut pushes = Vec::new();
    for row in rows {
        let entry = &row.entry.entry;
        let Some(kind) = event_of(&entry.event) else { continue };
        let of_store = match endpoints.entry(row.store_id) {
            std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(platforms.webhook_endpoints(row.store_id).await?)
            }
        };
        let wanted: Vec<WebhookEndpoint> = of_store
            .iter()
            .filter(|e| e.created_at <= entry.at && e.events.iter().any(|name| name == kind.as_str()))
            .cloned()
            .collect();
        let change = match &entry.event {
            CaseEvent::OrderAmended { order_id, amendment, .. } => match shop_change(*amendment) {
                Some(change) => {
                    let link = platforms.order_link(row.store_id, *order_id).await?;
                    link.filter(|l| l.platform == redress_connect::shop::Platform::Shopify.as_str())
                        .map(|_| (*order_id, change))
                }
                None => None,
            },
            _ => None,
        };
        if let Some((order_id, (push_kind, prefix))) = change {
            // Named by the amendment's place on the timeline; the worker sends the order as it
            // is when it tries, so a later amendment is never undone by an earlier one retried.
            pushes.push(Push {
                store_id: row.store_id,
                key: format!("{prefix}:{}:{}", row.case_id, row.entry.seq),
                order_id: Some(order_id),
                kind: push_kind.to_owned(),
                payload: serde_json::json!({}),
                attempts: 0,
            });
        }
        if wanted.is_empty() {
            continue;
        }
        let case = app.storage().case(row.store_id, row.case_id).await?;
        let envelope = EventEnvelope::new(
            event_id(row.store_id, row.entry.seq),
            kind,
            entry.at,
            row.store_id,
            event_data(&case, &entry.event),
        );
        let event = serde_json::to_value(&envelope).map_err(AppError::internal)?;
        for endpoint in wanted {
            pushes.push(Push {
                store_id: row.store_id,
                key: format!("webhook:{}:{}", endpoint.id, row.entry.seq),
                order_id: None,
                kind: WEBHOOK_PUSH.to_owned(),
                payload: serde_json::json!({ "endpoint_id": endpoint.id, "event": event }),
                attempts: 0,
            });
        }
    }
    Ok(pushes)
}

/// Writes what the rows tell, and marks them told, in one transaction; returns the pushes
/// written (new or not).
pub(crate) async fn tell(app: &App, rows: &[TimelineRow]) -> AppResult<Vec<Push>> {
    let pushes = pushes_of(app, rows).await?;
    let told: Vec<i64> =
        rows.iter().filter(|row| event_of(&row.entry.entry.event).is_some()).map(|row| row.entry.seq).collect();
    if !told.is_empty() {
        app.storage().platforms().enqueue_pushes(&pushes, &told, app.now()).await?;
    }
    Ok(pushes)
}

/// Tells everything the timeline recorded since the cursor, then moves the cursor on; returns
/// how many entries were read.
pub async fn tell_due(app: &App) -> AppResult<usize> {
    let platforms = app.storage().platforms();
    let (newest, cursor) = platforms.events_cursor().await?;
    let mut after = cursor.saturating_sub(CURSOR_OVERLAP).max(0);
    let mut read = 0;
    loop {
        let rows = platforms.told_entries(after, newest, PAGE).await?;
        let Some(last) = rows.last() else { break };
        after = last.entry.seq;
        read += rows.iter().filter(|row| row.entry.seq > cursor).count();
        tell(app, &rows).await?;
        if rows.len() < PAGE as usize {
            break;
        }
    }
    if newest > cursor {
        platforms.advance_events_cursor(newest).await?;
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outside_world_hears_of_five_kinds_of_entry() {
        let resolved = CaseEvent::StatusChanged { from: CaseStatus::Open, to: CaseStatus::Resolved };
        assert_eq!(event_of(&resolved), Some(EventType::CaseResolved));
        let waiting = CaseEvent::StatusChanged { from: CaseStatus::Open, to: CaseStatus::WaitingOnCustomer };
        assert_eq!(event_of(&waiting), None);
        let received = CaseEvent::ReturnStatusChanged {
            return_id: redress_domain::ReturnId::from_uuid(Uuid::from_u128(1)),
            from: ReturnStatus::InTransit,
            to: ReturnStatus::Received,
            amount: None,
            note: None,
        };
        assert_eq!(event_of(&received), Some(EventType::ReturnReceived));
        assert_eq!(event_of(&CaseEvent::NoteAdded { body: "x".into() }), None);
        let amended = CaseEvent::OrderAmended {
            order_id: redress_domain::OrderId::from_uuid(Uuid::from_u128(2)),
            amendment: AmendmentKind::ShippingAddress,
            before: "a".into(),
            after: "b".into(),
            difference: redress_domain::Money::new(0, redress_domain::Currency::from_code("EUR").unwrap()),
        };
        assert_eq!(event_of(&amended), Some(EventType::OrderAmended));
        assert_eq!(shop_change(AmendmentKind::CancelLine).map(|c| c.0), Some(ORDER_LINES_PUSH));
        assert_eq!(shop_change(AmendmentKind::CancelOrder).map(|c| c.0), Some(CANCEL_ORDER_PUSH));
        assert_eq!(shop_change(AmendmentKind::BillingDetails), None);
        // Storage reads exactly the entry types events come from.
        for event in [&resolved, &received, &amended] {
            let name = serde_json::to_value(event).unwrap()["type"].as_str().unwrap().to_owned();
            assert!(redress_storage::platforms::TOLD_EVENTS.contains(&name.as_str()), "{name}");
        }
    }

    #[test]
    fn an_event_id_is_stable_and_store_bound() {
        let (a, b) = (StoreId::from_uuid(Uuid::from_u128(1)), StoreId::from_uuid(Uuid::from_u128(2)));
        assert_eq!(event_id(a, 7), event_id(a, 7));
        assert_ne!(event_id(a, 7), event_id(a, 8));
        assert_ne!(event_id(a, 7), event_id(b, 7));
    }
}
