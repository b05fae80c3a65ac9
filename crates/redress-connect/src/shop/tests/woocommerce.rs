//! WooCommerce: webhooks checked and parsed, the REST client against the fake.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use redress_domain::{Address, Currency, Money, PaymentStatus, RefundId, ShipmentStatus};
use time::macros::datetime;
use uuid::Uuid;

use super::{ids, receiver, store};
use crate::shop::fake_woocommerce::{self, FakeWooCommerce, FakeWooConfig, sample_order};
use crate::shop::woocommerce::{
    self, Event, LineQuantity, Topic, WooCommerce, WooConfig, WooRefundRequest, payment_reference,
};
use crate::shop::{Platform, Secret, ShopError, WebhookError};
use crate::{PaymentProvider, ProviderRefund};

const ORDER: &[u8] = include_bytes!("../fixtures/woo_order.json");
const KEY: &str = "ck_fake";
const SECRET: &str = "cs_fake";
const HOOK_SECRET: &str = "woo-webhook-secret";

fn pln() -> Currency {
    Currency::from_code("PLN").unwrap()
}

fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

#[test]
fn an_order_payload_becomes_a_domain_order() {
    let imported = woocommerce::order_from_woocommerce(ORDER, store(), &mut ids()).unwrap();
    let order = &imported.order;
    assert_eq!((order.number.as_str(), order.currency), ("727", pln()));
    assert_eq!(imported.customer.email.as_str(), "ana@example.com");
    assert_eq!(imported.customer.name, "Ana Kowalska");
    let tee = &order.lines[0];
    // 59.97 for 3: 19.99 each, exactly (the float `price` is never read).
    assert_eq!((tee.sku.as_str(), tee.quantity, tee.unit_price), ("TEE-BLUE-M", 3, Money::new(1999, pln())));
    assert_eq!(tee.variant.get("colour").map(String::as_str), Some("Blue"));
    assert_eq!(tee.variant.get("size").map(String::as_str), Some("M"));
    assert!(!tee.variant.contains_key("_reduced_stock"));
    assert_eq!(order.lines[1].sku, "woo-product-22", "no SKU: a stand-in from the product id");
    assert_eq!(order.shipping_address.lines, vec!["ul. Krótka 7".to_owned(), "m. 3".to_owned()]);
    assert_eq!(order.billing_address.lines, vec!["ul. Długa 5".to_owned()]);
    assert_eq!(order.placed_at, datetime!(2026-11-01 10:00 UTC));
    let payment = &order.payments[0];
    assert_eq!((payment.provider.as_str(), payment.provider_reference.as_str()), ("woocommerce", "wc-order-727"));
    assert_eq!((payment.captured, payment.refunded), (Money::new(12997, pln()), Money::new(2000, pln())));
    assert_eq!(payment.status, PaymentStatus::PartiallyRefunded);
    let parcel = &order.shipments[0];
    assert_eq!((parcel.carrier.as_str(), parcel.tracking_number.as_deref()), ("InPost", Some("6000123")));
    assert_eq!(parcel.status, ShipmentStatus::HandedToCarrier);
    assert_eq!(imported.remote.platform, Platform::WooCommerce);
    assert_eq!(imported.remote.lines[0].line_id.as_deref(), Some("315"));
    assert_eq!(imported.remote.lines[0].variant_id.as_deref(), Some("95"));
}

#[test]
fn a_line_total_that_is_not_equal_unit_prices_is_refused_not_rounded() {
    let text = String::from_utf8(ORDER.to_vec()).unwrap().replace("\"59.97\"", "\"59.98\"");
    let refused = woocommerce::order_from_woocommerce(text.as_bytes(), store(), &mut ids());
    assert!(matches!(refused, Err(crate::shop::MappingError::Inconsistent(_))), "{refused:?}");
}

fn signed(body: &[u8], topic: &str, delivery: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let signature = woocommerce::sign_webhook(&Secret::new(HOOK_SECRET), body);
    headers.insert(woocommerce::SIGNATURE_HEADER, HeaderValue::from_str(&signature).unwrap());
    headers.insert(woocommerce::TOPIC_HEADER, HeaderValue::from_str(topic).unwrap());
    headers.insert(woocommerce::DELIVERY_ID_HEADER, HeaderValue::from_str(delivery).unwrap());
    headers
}

#[test]
fn forged_webhooks_are_refused_and_pings_recognised() {
    let secret = Secret::new(HOOK_SECRET);
    let headers = signed(ORDER, "order.updated", "41");
    let webhook = woocommerce::verify_webhook(&secret, &headers, ORDER).unwrap();
    assert_eq!((webhook.topic, webhook.delivery_id.as_str()), (Topic::OrderUpdated, "41"));
    let mut altered = ORDER.to_vec();
    altered.push(b' ');
    assert_eq!(woocommerce::verify_webhook(&secret, &headers, &altered), Err(WebhookError::BadSignature));
    assert_eq!(woocommerce::verify_webhook(&Secret::new("other"), &headers, ORDER), Err(WebhookError::BadSignature));
    let mut unsigned = headers.clone();
    unsigned.remove(woocommerce::SIGNATURE_HEADER);
    assert_eq!(
        woocommerce::verify_webhook(&secret, &unsigned, ORDER),
        Err(WebhookError::MissingHeader(woocommerce::SIGNATURE_HEADER))
    );
    assert!(woocommerce::is_ping(&HeaderMap::new(), b"webhook_id=12"));
    assert!(!woocommerce::is_ping(&headers, b"webhook_id=12"), "a signed body is no ping");
    assert!(!woocommerce::is_ping(&HeaderMap::new(), ORDER));
    assert_eq!(
        woocommerce::parse_event(&Topic::OrderDeleted, b"{\"id\":727}", store(), &mut ids()),
        Ok(Event::Deleted { order_id: 727 })
    );
}

async fn fake() -> FakeWooCommerce {
    fake_woocommerce::start(FakeWooConfig {
        consumer_key: Secret::new(KEY),
        consumer_secret: Secret::new(SECRET),
        webhook_secret: Secret::new(HOOK_SECRET),
    })
    .await
    .unwrap()
}

fn client(fake: &FakeWooCommerce) -> WooCommerce {
    let mut config = WooConfig::new(&fake.base_url, Secret::new(KEY), Secret::new(SECRET));
    config.timeout = Duration::from_secs(10);
    WooCommerce::new(config).unwrap()
}

fn seed(fake: &FakeWooCommerce, n: u32) -> u64 {
    fake.handle.add_order(sample_order(n, datetime!(2026-11-01 10:00 UTC) + Duration::from_secs(u64::from(n) * 60)))
}

#[tokio::test]
async fn an_order_arrives_by_webhook_and_a_repeated_delivery_is_recognised() {
    let fake = fake().await;
    let id = seed(&fake, 1);
    let secret = Secret::new(HOOK_SECRET);
    let (url, seen) = receiver(move |headers, body| {
        let webhook = woocommerce::verify_webhook(&secret, headers, body).map_err(|_| StatusCode::UNAUTHORIZED)?;
        let Ok(Event::Order(order)) = woocommerce::parse_event(&webhook.topic, body, store(), &mut ids()) else {
            return Err(StatusCode::UNPROCESSABLE_ENTITY);
        };
        assert_eq!(order.order.lines[0].variant.get("size").map(String::as_str), Some("M"));
        Ok((webhook.delivery_id, webhook.topic.as_str().to_owned()))
    })
    .await;
    let delivery = fake.handle.send_webhook(&url, &Topic::OrderCreated, id).await.unwrap();
    assert_eq!(delivery.status, 200);
    assert_eq!(fake.handle.deliver(&url, &delivery).await.unwrap(), 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.iter().map(|s| s.first_time).collect::<Vec<_>>(), vec![true, false]);
    assert_eq!(seen[0].delivery_id, seen[1].delivery_id);
    let forged = reqwest::Client::new()
        .post(&url)
        .header(woocommerce::SIGNATURE_HEADER, woocommerce::sign_webhook(&Secret::new("guess"), &delivery.body))
        .header(woocommerce::TOPIC_HEADER, "order.created")
        .header(woocommerce::DELIVERY_ID_HEADER, "999")
        .body(delivery.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn backfill_reads_every_page() {
    let fake = fake().await;
    for n in 0..11 {
        seed(&fake, n);
    }
    let woo = client(&fake);
    let backfill = woo.backfill(Some(datetime!(2026-10-01 00:00 UTC)), 4, 1000, store(), &mut ids()).await.unwrap();
    assert_eq!((backfill.pages, backfill.orders.len(), backfill.more), (3, 11, false));
    assert!(backfill.rejected.is_empty());
    assert_eq!(fake.handle.requests(), 3);
    let page = woo.orders_page(None, 2, 4).await.unwrap();
    assert_eq!((page.total, page.total_pages, page.orders.len()), (Some(11), Some(3), 4));
    let later = woo.backfill(Some(datetime!(2026-11-01 10:05 UTC)), 4, 1000, store(), &mut ids()).await.unwrap();
    assert_eq!(later.orders.len(), 5, "only orders created after the date");
    let capped = woo.backfill(None, 4, 5, store(), &mut ids()).await.unwrap();
    assert_eq!((capped.orders.len(), capped.pages, capped.more), (8, 2, true));
}

#[tokio::test]
async fn fixes_reach_the_shop() {
    let fake = fake().await;
    let id = seed(&fake, 1);
    let woo = client(&fake);
    let address = Address {
        name: "Budi Santoso".into(),
        lines: vec!["Jl. Thamrin 1".into()],
        city: "Jakarta".into(),
        postal_code: "10350".into(),
        region: Some("JK".into()),
        country: "ID".into(),
    };
    woo.update_shipping_address(id, &address).await.unwrap();
    let shipping = fake.handle.order(id).unwrap().shipping;
    assert_eq!((shipping.address_1.as_str(), shipping.postcode.as_str()), ("Jl. Thamrin 1", "10350"));
    let read = woocommerce::draft_from_woo(&woo.order(id).await.unwrap()).unwrap();
    assert_eq!(read.shipping_address, Some(address));

    let line = fake.handle.order(id).unwrap().line_items[0].id;
    let one = [LineQuantity { line_id: line, quantity: 1, unit_price: Money::new(2500, eur()) }];
    woo.set_line_quantities(id, &one).await.unwrap();
    let item = fake.handle.order(id).unwrap().line_items[0].clone();
    assert_eq!((item.quantity, item.subtotal.as_str()), (1, "25.00"));

    woo.cancel(id).await.unwrap();
    woo.cancel(id).await.unwrap();
    assert_eq!(fake.handle.order(id).unwrap().status, "cancelled");
    assert!(matches!(woo.cancel(9999).await, Err(ShopError::NotFound(_))));
}

fn refund(order_id: u64, refund_id: u128, amount: i64) -> WooRefundRequest {
    WooRefundRequest {
        order_id,
        refund_id: RefundId::from_uuid(Uuid::from_u128(refund_id)),
        amount: Money::new(amount, eur()),
        reason: Some("damaged".into()),
        lines: Vec::new(),
        through_gateway: true,
    }
}

#[tokio::test]
async fn a_refund_is_created_once_across_a_lost_answer() {
    let fake = fake().await;
    let id = seed(&fake, 2);
    let woo = client(&fake);
    fake.handle.lose_next(1);
    let lost = woo.refund(&refund(id, 1, 1000)).await.unwrap_err();
    assert!(lost.is_transient(), "{lost:?}");
    let found = woo.refund(&refund(id, 1, 1000)).await.unwrap();
    assert!(!found.created);
    assert_eq!(fake.handle.refunds(id).len(), 1);
    assert_eq!(fake.handle.refunds(id)[0].redress_refund(), Some(RefundId::from_uuid(Uuid::from_u128(1))));
    let read = woocommerce::draft_from_woo(&woo.order(id).await.unwrap()).unwrap();
    assert_eq!(read.payments[0].refunded, Money::new(1000, eur()));
    let too_much = woo.refund(&refund(id, 2, 100_000)).await.unwrap_err();
    assert!(matches!(too_much, ShopError::Rejected(_)), "{too_much:?}");
    let in_yen = WooRefundRequest { amount: Money::new(100, Currency::from_code("JPY").unwrap()), ..refund(id, 4, 0) };
    assert!(matches!(woo.refund(&in_yen).await, Err(ShopError::Rejected(e)) if e.contains("JPY")));

    // Through the payment provider interface, keyed by the payment's reference.
    let provider = ProviderRefund {
        charge: payment_reference(id),
        amount: Money::new(500, eur()),
        idempotency_key: "k".into(),
        refund_id: RefundId::from_uuid(Uuid::from_u128(3)),
        reason: None,
    };
    let first = PaymentProvider::refund(&woo, &provider).await.unwrap();
    assert_eq!(PaymentProvider::refund(&woo, &provider).await.unwrap(), first);
    assert_eq!(
        PaymentProvider::find_refund(&woo, &payment_reference(id), provider.refund_id).await.unwrap(),
        Some(first)
    );
    assert_eq!(fake.handle.refunds(id).len(), 2);
    assert!(PaymentProvider::refund(&woo, &ProviderRefund { charge: "ch_1".into(), ..provider }).await.is_err());
}

#[tokio::test]
async fn credentials_and_outages_are_told_apart() {
    let fake = fake().await;
    let id = seed(&fake, 3);
    let wrong = WooCommerce::new(WooConfig::new(&fake.base_url, Secret::new(KEY), Secret::new("cs_wrong"))).unwrap();
    assert_eq!(wrong.order(id).await.unwrap_err(), ShopError::Unauthorized);
    let woo = client(&fake);
    fake.handle.fail_next(1);
    let outage = woo.order(id).await.unwrap_err();
    assert!(outage.is_transient(), "{outage:?}");
    assert_eq!(woo.order(id).await.unwrap().id, id);
    fake.handle.ship(id, "JNE", "JNE123");
    let shipped = woocommerce::draft_from_woo(&woo.order(id).await.unwrap()).unwrap();
    assert_eq!(shipped.shipments[0].carrier, "JNE");
    assert!(!format!("{woo:?}").contains(SECRET));
}
