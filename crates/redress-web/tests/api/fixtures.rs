//! Request bodies the tests start from and then bend.

use serde_json::{Value, json};

use crate::support::{TestApp, text};

/// A valid order in EUR: two mugs at 12.50, paid by card and captured, one parcel in transit
/// with both mugs, to Kraków.
pub fn order(number: &str, email: &str) -> Value {
    json!({
        "number": number,
        "customer": {"email": email, "name": "Ana Kowalska"},
        "currency": "EUR",
        "lines": [
            {"sku": "MUG-1", "title": "Blue mug", "quantity": 2,
             "unit_price": {"amount_minor": 1250, "currency": "EUR"}},
            {"sku": "TEA-9", "title": "Green tea", "variant": {"size": "100g"}, "category": "tea", "quantity": 1,
             "unit_price": {"amount_minor": 800, "currency": "EUR"}}
        ],
        "shipping_address": {
            "name": "Ana Kowalska", "lines": ["ul. Długa 5"], "city": "Kraków",
            "postal_code": "31-147", "country": "PL"
        },
        "payments": [{
            "provider": "stripe", "provider_reference": "pi_1", "method": "card",
            "authorized": {"amount_minor": 3300, "currency": "EUR"},
            "captured": {"amount_minor": 3300, "currency": "EUR"},
            "status": "captured"
        }],
        "shipments": [{
            "carrier": "dhl", "tracking_number": "JD0001",
            "lines": [{"sku": "MUG-1", "quantity": 2}],
            "status": "in_transit",
            "status_times": {"handed_to_carrier": "2026-11-20T10:00:00Z", "in_transit": "2026-11-20T18:00:00Z"}
        }],
        "placed_at": "2026-11-19T09:00:00Z"
    })
}

/// A case about an order (by id), by email, with only the required fields.
pub fn case_on_order(order_id: &str, subject: &str) -> Value {
    json!({
        "order_id": order_id,
        "subject": subject,
        "channel": "email",
        "kind": "other",
        "message": {"body": "My mug arrived in pieces."}
    })
}

/// A case with no order, from a known address.
pub fn case_without_order(subject: &str) -> Value {
    json!({
        "customer_email": "walk-in@example.com",
        "subject": subject,
        "channel": "chat",
        "kind": "other",
        "message": {"body": "Where can I see your return policy?"}
    })
}

/// Sets `value` at a JSON pointer; the member is added when its parent object exists.
#[track_caller]
pub fn set(mut body: Value, pointer: &str, value: Value) -> Value {
    if let Some(slot) = body.pointer_mut(pointer) {
        *slot = value;
        return body;
    }
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    body.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no {parent} in the fixture"))
        .insert(key.to_owned(), value);
    body
}

/// Removes the member a JSON pointer names.
#[track_caller]
pub fn remove(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    let parent = if parent.is_empty() {
        &mut body
    } else {
        body.pointer_mut(parent).unwrap_or_else(|| panic!("no {parent} in the fixture"))
    };
    parent
        .as_object_mut()
        .expect("the parent is an object")
        .remove(key)
        .unwrap_or_else(|| panic!("no {pointer} in the fixture"));
    body
}

/// An order paid twice: two captures of 33.00, the second two minutes after the first.
pub async fn double_charged(app: &TestApp, key: &str) -> (Value, String) {
    let mut body = order("1042", "ana@example.com");
    let second = json!({
        "provider": "stripe", "provider_reference": "pi_2", "method": "card",
        "authorized": {"amount_minor": 3300, "currency": "EUR"},
        "captured": {"amount_minor": 3300, "currency": "EUR"},
        "status": "captured", "created_at": "2026-11-19T09:02:00Z"
    });
    body = set(body, "/payments/0/created_at", json!("2026-11-19T09:00:00Z"));
    body["payments"].as_array_mut().unwrap().push(second);
    let order = app.create_order(key, &body).await;
    let case = set(case_on_order(&text(&order["id"]), "Charged twice"), "/kind", json!("wrong_charge"));
    let case = app.open_case(key, &case).await;
    (order, text(&case["case"]["id"]))
}
