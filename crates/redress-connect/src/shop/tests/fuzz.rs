//! Property tests of the webhook parsers and checks: any bytes, any JSON, and the documented
//! payloads with any one field replaced by any JSON value get an answer, never a panic; what
//! is accepted is a valid domain order.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;
use serde_json::Value;

use super::{ids, store};
use crate::shop::shopify::{self, Topic};
use crate::shop::woocommerce;
use crate::shop::{Secret, WebhookError};

const SHOPIFY_ORDER: &[u8] = include_bytes!("../fixtures/shopify_order.json");
const SHOPIFY_FULFILLMENT: &[u8] = include_bytes!("../fixtures/shopify_fulfillment.json");
const SHOPIFY_REFUND: &[u8] = include_bytes!("../fixtures/shopify_refund.json");
const WOO_ORDER: &[u8] = include_bytes!("../fixtures/woo_order.json");

/// Cases per property; the report quotes these figures.
const CASES: u32 = 1000;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "-?[0-9]{0,22}(\\.[0-9]{0,5})?".prop_map(Value::from),
        "\\PC{0,24}".prop_map(Value::from),
        Just(Value::from("2026-11-01T10:00:00Z")),
        Just(Value::from("JPY")),
    ];
    leaf.prop_recursive(3, 40, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,14}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every JSON pointer in `value`, containers included.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(v, format!("{at}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// `fixture` with the field at the `pick`th pointer replaced by `replacement`.
fn mutated(fixture: &[u8], pick: usize, replacement: Value) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(fixture).unwrap();
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    let pointer = all[pick % all.len()].clone();
    if pointer.is_empty() {
        value = replacement;
    } else if let Some(slot) = value.pointer_mut(&pointer) {
        *slot = replacement;
    }
    serde_json::to_vec(&value).unwrap()
}

fn shopify_topics() -> impl Strategy<Value = Topic> {
    prop_oneof![
        Just(Topic::OrdersCreate),
        Just(Topic::OrdersCancelled),
        Just(Topic::FulfillmentsUpdate),
        Just(Topic::RefundsCreate),
    ]
}

fn check_shopify(topic: &Topic, body: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(shopify::Event::Order(imported)) = shopify::parse_event(topic, body, store(), &mut ids()) {
        prop_assert!(imported.order.validate().is_ok());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn shopify_payloads_never_panic_on_bytes(topic in shopify_topics(), body in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_shopify(&topic, &body)?;
    }

    #[test]
    fn shopify_payloads_never_panic_on_json(topic in shopify_topics(), value in json()) {
        check_shopify(&topic, &serde_json::to_vec(&value).unwrap())?;
    }

    #[test]
    fn shopify_documented_payloads_with_a_field_replaced(pick in any::<usize>(), replacement in json(), which in 0usize..3) {
        let (topic, fixture) = [
            (Topic::OrdersUpdated, SHOPIFY_ORDER),
            (Topic::FulfillmentsCreate, SHOPIFY_FULFILLMENT),
            (Topic::RefundsCreate, SHOPIFY_REFUND),
        ][which].clone();
        check_shopify(&topic, &mutated(fixture, pick, replacement))?;
    }

    #[test]
    fn woocommerce_payloads_never_panic(value in json(), pick in any::<usize>(), bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        for body in [serde_json::to_vec(&value).unwrap(), mutated(WOO_ORDER, pick, value.clone()), bytes.clone()] {
            for topic in [woocommerce::Topic::OrderUpdated, woocommerce::Topic::OrderDeleted] {
                if let Ok(woocommerce::Event::Order(imported)) = woocommerce::parse_event(&topic, &body, store(), &mut ids()) {
                    prop_assert!(imported.order.validate().is_ok());
                }
            }
        }
    }

    /// Any headers and body: the checks answer, and only a body signed with the secret passes.
    #[test]
    fn webhook_checks_never_panic(
        body in proptest::collection::vec(any::<u8>(), 0..256),
        signature in "[A-Za-z0-9+/=]{0,60}",
        topic in "\\PC{0,30}",
        id in "[ -~]{0,40}",
        sign_it in any::<bool>(),
    ) {
        let secret = Secret::new("s3cr3t");
        for (signature_header, topic_header, id_header, sign) in [
            (shopify::HMAC_HEADER, shopify::TOPIC_HEADER, shopify::WEBHOOK_ID_HEADER, shopify::sign_webhook as fn(&Secret, &[u8]) -> String),
            (woocommerce::SIGNATURE_HEADER, woocommerce::TOPIC_HEADER, woocommerce::DELIVERY_ID_HEADER, woocommerce::sign_webhook),
        ] {
            let mut headers = HeaderMap::new();
            let value = if sign_it { sign(&secret, &body) } else { signature.clone() };
            for (name, text) in [(signature_header, value.as_str()), (topic_header, topic.as_str()), (id_header, id.as_str())] {
                if let Ok(v) = HeaderValue::from_str(text) {
                    headers.insert(HeaderName::from_static(name), v);
                }
            }
            let shopify_result = shopify::verify_webhook(&secret, &headers, &body).map(|_| ());
            let woo_result = woocommerce::verify_webhook(&secret, &headers, &body).map(|_| ());
            for result in [shopify_result, woo_result] {
                if !sign_it && signature != sign(&secret, &body) {
                    prop_assert!(result.is_err());
                }
                if result.is_ok() {
                    prop_assert!(sign_it || signature == sign(&secret, &body));
                }
                if let Err(WebhookError::BadSignature) = result {
                    prop_assert!(!sign_it);
                }
            }
        }
    }
}
