//! Shopify: webhooks checked and parsed, the Admin client against the fake.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use redress_domain::{Address, Currency, Money, PaymentStatus, RefundId, ShipmentStatus};
use time::macros::datetime;
use uuid::Uuid;

use super::{ids, receiver, store};
use crate::shop::fake_shopify::{self, FakeShopify, FakeShopifyConfig, ManualClock, SeedOrder};
use crate::shop::shopify::admin::{
    CancelOutcome, CancelReason, EditOutcome, LineEdit, OrdersQuery, RefundLine, RefundRequest, ShopifyAdmin,
    ShopifyConfig,
};
use crate::shop::shopify::{self, Event, Topic};
use crate::shop::{Platform, Secret, ShopError, Sleeper, TokioSleeper, WebhookError};
use crate::{PaymentProvider, ProviderRefund, ProviderRefundStatus};

const ORDER: &[u8] = include_bytes!("../fixtures/shopify_order.json");
const FULFILLMENT: &[u8] = include_bytes!("../fixtures/shopify_fulfillment.json");
const REFUND: &[u8] = include_bytes!("../fixtures/shopify_refund.json");
const TOKEN: &str = "shpat_fake";
const APP_SECRET: &str = "shpss_fake_app_secret";

fn usd() -> Currency {
    Currency::from_code("USD").unwrap()
}

fn eur() -> Currency {
    Currency::from_code("EUR").unwrap()
}

fn signed(body: &[u8], topic: &str, id: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let signature = shopify::sign_webhook(&Secret::new(APP_SECRET), body);
    headers.insert(shopify::HMAC_HEADER, HeaderValue::from_str(&signature).unwrap());
    headers.insert(shopify::TOPIC_HEADER, HeaderValue::from_str(topic).unwrap());
    headers.insert(shopify::WEBHOOK_ID_HEADER, HeaderValue::from_str(id).unwrap());
    headers
}

#[test]
fn a_signed_webhook_is_accepted_and_says_its_topic_and_delivery() {
    let headers = signed(ORDER, "orders/create", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
    let webhook = shopify::verify_webhook(&Secret::new(APP_SECRET), &headers, ORDER).unwrap();
    assert_eq!(webhook.topic, Topic::OrdersCreate);
    assert_eq!(webhook.webhook_id, "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043");
}

#[test]
fn forged_webhooks_are_refused() {
    let secret = Secret::new(APP_SECRET);
    let headers = signed(ORDER, "orders/create", "w1");
    // The body changed after signing (one digit of a price).
    let mut altered = ORDER.to_vec();
    let at = altered.windows(6).position(|w| w == b"199.00").unwrap();
    altered[at] = b'9';
    assert_eq!(shopify::verify_webhook(&secret, &headers, &altered), Err(WebhookError::BadSignature));
    // Signed with another secret.
    assert_eq!(shopify::verify_webhook(&Secret::new("another"), &headers, ORDER), Err(WebhookError::BadSignature));
    // Not base64, empty, missing.
    for bad in ["not base64!", "AAAA"] {
        let mut forged = headers.clone();
        forged.insert(shopify::HMAC_HEADER, HeaderValue::from_static(bad));
        assert_eq!(shopify::verify_webhook(&secret, &forged, ORDER), Err(WebhookError::BadSignature), "{bad}");
    }
    let mut unsigned = headers.clone();
    unsigned.remove(shopify::HMAC_HEADER);
    assert_eq!(
        shopify::verify_webhook(&secret, &unsigned, ORDER),
        Err(WebhookError::MissingHeader(shopify::HMAC_HEADER))
    );
    // A genuine body without a delivery id cannot be de-duplicated: refused.
    let mut anonymous = headers.clone();
    anonymous.remove(shopify::WEBHOOK_ID_HEADER);
    assert_eq!(
        shopify::verify_webhook(&secret, &anonymous, ORDER),
        Err(WebhookError::MissingHeader(shopify::WEBHOOK_ID_HEADER))
    );
    let huge = vec![b' '; crate::shop::MAX_WEBHOOK_BODY + 1];
    assert_eq!(
        shopify::verify_webhook(&secret, &signed(&huge, "orders/create", "w2"), &huge),
        Err(WebhookError::TooLarge { max: crate::shop::MAX_WEBHOOK_BODY })
    );
}

#[test]
fn an_order_webhook_becomes_a_domain_order_with_exact_money() {
    let imported = shopify::order_from_shopify(ORDER, store(), &mut ids()).unwrap();
    let order = &imported.order;
    assert_eq!(order.number, "9999");
    assert_eq!(order.currency, usd());
    assert_eq!(imported.customer.email.as_str(), "jon@example.com");
    assert_eq!(imported.customer.name, "Jon Snow");
    // The gift wrap has nothing left (current_quantity 0): dropped.
    assert_eq!(order.lines.len(), 1);
    let line = &order.lines[0];
    assert_eq!((line.sku.as_str(), line.quantity, line.unit_price), ("IPOD2008PINK", 2, Money::new(19900, usd())));
    assert_eq!(line.variant.get("option1").map(String::as_str), Some("Pink"));
    assert_eq!(line.variant.get("option2").map(String::as_str), Some("8GB"));
    assert_eq!(order.shipping_address.lines, vec!["123 Shipping Street".to_owned(), "Suite 4".to_owned()]);
    assert_eq!(order.shipping_address.region.as_deref(), Some("KY"));
    assert_eq!(order.shipping_address.country, "US");
    assert_eq!(order.billing_address.city, "Billington");
    assert_eq!(order.placed_at, datetime!(2026-11-01 15:00 UTC));
    let payment = &order.payments[0];
    assert_eq!(
        (payment.provider.as_str(), payment.provider_reference.as_str()),
        ("shopify", "gid://shopify/Order/820982911946154508")
    );
    assert_eq!(payment.captured, Money::new(40300, usd()));
    assert_eq!(payment.refunded, Money::new(500, usd()));
    assert_eq!(payment.status, PaymentStatus::PartiallyRefunded);
    // The cancelled fulfillment is no parcel.
    assert_eq!(order.shipments.len(), 1);
    let parcel = &order.shipments[0];
    assert_eq!((parcel.carrier.as_str(), parcel.tracking_number.as_deref()), ("USPS", Some("1Z2345")));
    assert_eq!(parcel.status, ShipmentStatus::InTransit);
    assert_eq!(parcel.lines[0].quantity, 1);
    assert_eq!(imported.remote.platform, Platform::Shopify);
    assert_eq!(imported.remote.lines[0].line_id.as_deref(), Some("gid://shopify/LineItem/866550311766439020"));
    assert_eq!(imported.remote.shipments, vec![Some("gid://shopify/Fulfillment/255858046".to_owned())]);
}

#[test]
fn yen_amounts_have_no_decimals_and_extra_zeros_are_no_rounding() {
    let text = String::from_utf8(ORDER.to_vec())
        .unwrap()
        .replace("\"USD\"", "\"JPY\"")
        .replace("\"199.00\"", "\"1500.0\"")
        .replace("\"403.00\"", "\"3005\"")
        .replace("\"5.00\"", "\"5\"");
    let order = shopify::order_from_shopify(text.as_bytes(), store(), &mut ids()).unwrap().order;
    let yen = Currency::from_code("JPY").unwrap();
    assert_eq!(order.lines[0].unit_price, Money::new(1500, yen));
    assert_eq!(order.payments[0].captured, Money::new(3005, yen));
    let fractional = text.replace("\"1500.0\"", "\"1500.5\"");
    assert!(matches!(
        shopify::order_from_shopify(fractional.as_bytes(), store(), &mut ids()),
        Err(crate::shop::MappingError::Amount { .. })
    ));
}

#[test]
fn fulfillment_and_refund_webhooks_parse() {
    let Event::Fulfillment(f) =
        shopify::parse_event(&Topic::FulfillmentsUpdate, FULFILLMENT, store(), &mut ids()).unwrap()
    else {
        panic!("a fulfillment event")
    };
    assert_eq!(f.order_id, "gid://shopify/Order/820982911946154508");
    let shipment = f.shipment.unwrap();
    assert_eq!((shipment.status, shipment.carrier.as_str()), (ShipmentStatus::Delivered, "UPS"));
    assert!(shipment.status_times.contains_key(&ShipmentStatus::Delivered));

    let Event::Refund(r) = shopify::parse_event(&Topic::RefundsCreate, REFUND, store(), &mut ids()).unwrap() else {
        panic!("a refund event")
    };
    assert_eq!(r.amount, Some(Money::new(19900, usd())), "the failed transaction moved no money");
    assert_eq!(r.redress_refund, Some("0196f3c2-8a4e-7c3b-9d2e-1a2b3c4d5e6f".parse().unwrap()));
    assert_eq!((r.lines[0].sku.as_str(), r.lines[0].quantity), ("IPOD2008PINK", 1));
    assert_eq!(
        shopify::parse_event(&Topic::Other("products/update".into()), b"{}", store(), &mut ids()),
        Ok(Event::Ignored)
    );
}

async fn fake(bucket: f64, restore: f64, clock: &ManualClock) -> FakeShopify {
    let mut config = FakeShopifyConfig::new(Secret::new(TOKEN), Secret::new(APP_SECRET));
    config.bucket_size = bucket;
    config.restore_rate = restore;
    config.clock = Arc::new(clock.clone());
    fake_shopify::start(config).await.unwrap()
}

fn admin(fake: &FakeShopify, version: &str, sleeper: Arc<dyn Sleeper>) -> ShopifyAdmin {
    let mut config = ShopifyConfig::new(&fake.base_url, version, Secret::new(TOKEN));
    config.timeout = Duration::from_secs(10);
    ShopifyAdmin::new(config, sleeper).unwrap()
}

fn seed(n: u32) -> SeedOrder {
    SeedOrder::sample(n, datetime!(2026-11-01 10:00 UTC) + Duration::from_secs(u64::from(n) * 60))
}

#[tokio::test]
async fn an_order_created_in_the_shop_arrives_by_webhook_once_however_often_it_is_delivered() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(1));
    let secret = Secret::new(APP_SECRET);
    let (url, seen) = receiver(move |headers, body| {
        let webhook = shopify::verify_webhook(&secret, headers, body).map_err(|_| StatusCode::UNAUTHORIZED)?;
        match shopify::parse_event(&webhook.topic, body, store(), &mut ids()) {
            Ok(Event::Order(imported)) if imported.order.lines.len() == 1 => {}
            other => panic!("the fake's order should map: {other:?}"),
        }
        Ok((webhook.webhook_id, webhook.topic.as_str().to_owned()))
    })
    .await;
    let delivery = fake.handle.send_webhook(&url, &Topic::OrdersCreate, &order_id).await.unwrap();
    assert_eq!(delivery.status, 200);
    // Shopify retries with the same id (say our 200 was lost): the id shows it is the same.
    assert_eq!(fake.handle.deliver(&url, &delivery).await.unwrap(), 200);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].delivery_id, seen[1].delivery_id);
    assert!(seen[0].first_time && !seen[1].first_time, "{seen:?}");

    // A forged delivery (right headers, body changed) is refused with 401.
    let forged = reqwest::Client::new()
        .post(&url)
        .header(shopify::HMAC_HEADER, shopify::sign_webhook(&Secret::new("guess"), &delivery.body))
        .header(shopify::TOPIC_HEADER, "orders/create")
        .header(shopify::WEBHOOK_ID_HEADER, "forged-1")
        .body(delivery.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn backfill_pages_through_the_shop_waiting_for_the_bucket_without_waiting() {
    let clock = ManualClock::new();
    // A small bucket: 60 points, 10 a second. A page of 5 orders asks for 22.
    let fake = fake(60.0, 10.0, &clock).await;
    for n in 0..16 {
        fake.handle.add_order(seed(n));
    }
    // Another app emptied the bucket: the first request is throttled.
    fake.handle.drain_bucket();
    let admin = admin(&fake, "2026-01", Arc::new(clock.clone()));
    let query = OrdersQuery::created_since(datetime!(2026-11-01 00:00 UTC), 5);
    let backfill = admin.backfill(&query, None, 1000, store(), &mut ids()).await.unwrap();
    assert_eq!(backfill.pages, 4);
    assert_eq!(backfill.orders.len(), 16);
    assert!(backfill.rejected.is_empty(), "{:?}", backfill.rejected);
    assert!(!backfill.more);
    let numbers: Vec<&str> = backfill.orders.iter().map(|o| o.order.number.as_str()).collect();
    assert_eq!(numbers.first(), Some(&"1001"));
    assert_eq!(numbers.last(), Some(&"1016"));
    // Throttled once (the drained bucket), then the client waited before each page the
    // bucket could not pay for: all on the manual clock, no real time.
    assert_eq!(fake.handle.throttled(), 1);
    let sleeps = clock.sleeps();
    assert!(sleeps.len() >= 3, "{sleeps:?}");
    assert_eq!(sleeps[0], Duration::from_millis(2200), "22 points at 10 a second after a THROTTLED answer");
    assert_eq!(fake.handle.calls().get("RedressOrders"), Some(&5), "4 pages and one throttled try");
    // Mapped with the Admin API's option names.
    let line = &backfill.orders[1].order.lines[0];
    assert_eq!(line.variant.get("size").map(String::as_str), Some("M"));
    assert_eq!(line.variant.get("colour").map(String::as_str), Some("Grey"));
    assert_eq!(backfill.orders[0].order.payments[0].status, PaymentStatus::Captured);

    // Resuming from the cursor reads nothing new; `max_orders` stops early and says so.
    let again = admin.backfill(&query, backfill.end_cursor.clone(), 1000, store(), &mut ids()).await.unwrap();
    assert!(again.orders.is_empty());
    let some = admin.backfill(&query, None, 6, store(), &mut ids()).await.unwrap();
    assert_eq!((some.orders.len(), some.pages, some.more), (10, 2, true));
}

#[tokio::test]
async fn throttling_that_never_ends_is_a_transient_rate_limit() {
    let clock = ManualClock::new();
    // Nothing ever refills: every try is throttled.
    let fake = fake(60.0, 0.0, &clock).await;
    fake.handle.drain_bucket();
    let mut config = ShopifyConfig::new(&fake.base_url, "2026-01", Secret::new(TOKEN));
    config.max_throttle_waits = 3;
    let admin = ShopifyAdmin::new(config, Arc::new(clock.clone())).unwrap();
    let error = admin.orders_page(&OrdersQuery { page_size: 5, search: None }, None).await.unwrap_err();
    assert!(matches!(error, ShopError::RateLimited { .. }), "{error:?}");
    assert!(error.is_transient());
    assert_eq!(clock.sleeps().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn the_default_sleeper_waits_on_tokio_s_clock_which_tests_pause() {
    let status = crate::shop::shopify::admin::ThrottleStatus {
        maximum_available: 1000.0,
        currently_available: 0.0,
        restore_rate: 50.0,
    };
    let started = tokio::time::Instant::now();
    TokioSleeper.sleep(status.wait_for(500.0)).await;
    assert_eq!(started.elapsed(), Duration::from_secs(10));
}

fn new_address() -> Address {
    Address {
        name: "Ana Maria Nowak".into(),
        lines: vec!["ul. Nowa 12".into(), "m. 4".into()],
        city: "Gdańsk".into(),
        postal_code: "80-001".into(),
        region: None,
        country: "PL".into(),
    }
}

#[tokio::test]
async fn an_address_amended_in_redress_is_changed_in_the_shop() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(2));
    let admin = admin(&fake, "2026-01", Arc::new(clock.clone()));
    admin.update_shipping_address(&order_id, &new_address()).await.unwrap();
    let shipping = fake.handle.order(&order_id).unwrap().shipping;
    assert_eq!(shipping.address1.as_deref(), Some("ul. Nowa 12"));
    assert_eq!(shipping.city.as_deref(), Some("Gdańsk"));
    assert_eq!((shipping.first_name.as_deref(), shipping.last_name.as_deref()), (Some("Ana Maria"), Some("Nowak")));
    // Read back through the Admin API, the order has the address Redress set.
    let read = admin.order(&order_id).await.unwrap().unwrap();
    let imported = crate::shop::shopify::admin::order_from_graphql(&read, store(), &mut ids()).unwrap();
    assert_eq!(imported.order.shipping_address, new_address());
    // Unknown orders are a permanent refusal.
    let missing = admin.update_shipping_address("gid://shopify/Order/1", &new_address()).await.unwrap_err();
    assert!(matches!(missing, ShopError::Rejected(_)) && !missing.is_transient(), "{missing:?}");
}

#[tokio::test]
async fn a_size_swap_is_made_once_even_when_the_commit_answer_is_lost() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(1));
    let large = fake.handle.add_variant("TEE-GREY-L", "Organic tee", &[("Size", "L"), ("Color", "Grey")], "29.99");
    let admin = admin(&fake, "2026-01", Arc::new(clock.clone()));
    let line_id = admin.order(&order_id).await.unwrap().unwrap().line_items.nodes[0].id.clone();
    let swap = [LineEdit::SwapVariant { line_id: line_id.clone(), variant_id: large.clone(), quantity: 2 }];
    fake.handle.lose_next("RedressOrderEditCommit", 1);
    let lost = admin.edit_lines(&order_id, &swap, Some("size swap")).await.unwrap_err();
    assert!(lost.is_transient(), "{lost:?}");
    // The retry finds the swap made and changes nothing.
    assert_eq!(admin.edit_lines(&order_id, &swap, Some("size swap")).await.unwrap(), EditOutcome::AlreadyDone);
    let order = fake.handle.order(&order_id).unwrap();
    let current: Vec<(&str, u32)> = order.lines.iter().map(|l| (l.sku.as_str(), l.current_quantity)).collect();
    assert_eq!(current, vec![("TEE-GREY-M", 0), ("TEE-GREY-L", 2)]);
    // A quantity change, then the same again: committed once.
    let fewer = [LineEdit::SetQuantity { line_id: shopify::gid("LineItem", order.lines[1].id), quantity: 1 }];
    assert_eq!(admin.edit_lines(&order_id, &fewer, None).await.unwrap(), EditOutcome::Committed);
    assert_eq!(admin.edit_lines(&order_id, &fewer, None).await.unwrap(), EditOutcome::AlreadyDone);
    assert_eq!(fake.handle.calls().get("RedressOrderEditCommit"), Some(&2));
    // The order read back has the large size.
    let read = admin.order(&order_id).await.unwrap().unwrap();
    let imported = crate::shop::shopify::admin::order_from_graphql(&read, store(), &mut ids()).unwrap();
    assert_eq!(imported.order.lines.len(), 1);
    assert_eq!((imported.order.lines[0].sku.as_str(), imported.order.lines[0].quantity), ("TEE-GREY-L", 1));
}

fn refund_request(order_id: &str, refund_id: RefundId, amount: i64) -> RefundRequest {
    RefundRequest {
        order_id: order_id.to_owned(),
        refund_id,
        idempotency_key: format!("key-{refund_id}"),
        amount: Money::new(amount, eur()),
        note: Some("damaged in transit".into()),
        lines: Vec::new(),
        notify: false,
    }
}

#[tokio::test]
async fn a_refund_is_created_once_across_a_retry_whose_first_answer_was_lost() {
    // Before 2026-01 there is no @idempotent: the note's marker alone makes it exactly once.
    for version in ["2025-10", "2026-01"] {
        let clock = ManualClock::new();
        let fake = fake(1000.0, 50.0, &clock).await;
        let order_id = fake.handle.add_order(seed(3));
        let admin = admin(&fake, version, Arc::new(clock.clone()));
        let refund_id = RefundId::from_uuid(Uuid::from_u128(77));
        let request = refund_request(&order_id, refund_id, 1500);
        fake.handle.lose_next("RedressRefundCreate", 1);
        let lost = admin.refund(&request).await.unwrap_err();
        assert!(lost.is_transient(), "{version}: {lost:?}");
        let (outcome, status) = admin.refund(&request).await.unwrap();
        assert!(!outcome.created, "{version}: the retry finds the refund the lost answer made");
        assert_eq!(status, ProviderRefundStatus::Succeeded);
        let again = admin.refund(&request).await.unwrap().0;
        assert_eq!(again.reference, outcome.reference);
        let order = fake.handle.order(&order_id).unwrap();
        assert_eq!(order.refunds.len(), 1, "{version}: exactly one refund in the shop");
        assert_eq!(order.refunded_minor(), 1500);
        assert!(order.refunds[0].note.starts_with("damaged in transit [redress-refund:"));
        assert_eq!(admin.find_refund(&order_id, refund_id).await.unwrap().map(|r| r.id), Some(outcome.reference));
        // Another intent is another refund; more than is left is refused for good.
        let second =
            admin.refund(&refund_request(&order_id, RefundId::from_uuid(Uuid::from_u128(78)), 500)).await.unwrap();
        assert!(second.0.created);
        let too_much =
            admin.refund(&refund_request(&order_id, RefundId::from_uuid(Uuid::from_u128(79)), 100_000)).await;
        assert!(matches!(too_much, Err(ShopError::Rejected(_))), "{too_much:?}");
        let mut in_dollars = refund_request(&order_id, RefundId::from_uuid(Uuid::from_u128(80)), 100);
        in_dollars.amount = Money::new(100, usd());
        assert!(matches!(admin.refund(&in_dollars).await, Err(ShopError::Rejected(e)) if e.contains("USD")));
        assert_eq!(fake.handle.order(&order_id).unwrap().refunds.len(), 2);
    }
}

#[tokio::test]
async fn a_refund_with_lines_restocks_them_and_the_webhook_names_our_intent() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(3));
    let admin = admin(&fake, "2026-01", Arc::new(clock.clone()));
    let read = admin.order(&order_id).await.unwrap().unwrap();
    let cap = read.line_items.nodes.iter().find(|l| l.sku.as_deref() == Some("CAP-1")).unwrap().id.clone();
    let refund_id = RefundId::from_uuid(Uuid::from_u128(5));
    let mut request = refund_request(&order_id, refund_id, 1500);
    request.lines = vec![RefundLine { line_id: cap, quantity: 1, restock: true }];
    admin.refund(&request).await.unwrap();
    let secret = Secret::new(APP_SECRET);
    let (url, seen) = receiver(move |headers, body| {
        let webhook = shopify::verify_webhook(&secret, headers, body).map_err(|_| StatusCode::UNAUTHORIZED)?;
        let Ok(Event::Refund(refund)) = shopify::parse_event(&webhook.topic, body, store(), &mut ids()) else {
            return Err(StatusCode::UNPROCESSABLE_ENTITY);
        };
        assert_eq!(refund.redress_refund, Some(RefundId::from_uuid(Uuid::from_u128(5))));
        assert_eq!(refund.amount, Some(Money::new(1500, Currency::from_code("EUR").unwrap())));
        Ok((webhook.webhook_id, webhook.topic.as_str().to_owned()))
    })
    .await;
    assert_eq!(fake.handle.send_webhook(&url, &Topic::RefundsCreate, &order_id).await.unwrap().status, 200);
    assert_eq!(seen.lock().unwrap().len(), 1);
    let imported = crate::shop::shopify::admin::order_from_graphql(
        &admin.order(&order_id).await.unwrap().unwrap(),
        store(),
        &mut ids(),
    )
    .unwrap();
    assert!(imported.order.lines.iter().all(|l| l.sku != "CAP-1"), "the refunded cap is no longer on the order");
    assert_eq!(imported.order.payments[0].refunded, Money::new(1500, eur()));
}

#[tokio::test]
async fn shopify_is_a_payment_provider_that_refunds_once_per_intent() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(4));
    let admin = admin(&fake, "2026-01", Arc::new(clock.clone()));
    let refund = ProviderRefund {
        charge: order_id.clone(),
        amount: Money::new(999, eur()),
        idempotency_key: "idem-1".into(),
        refund_id: RefundId::from_uuid(Uuid::from_u128(9)),
        reason: Some("requested_by_customer"),
    };
    assert_eq!(PaymentProvider::find_refund(&admin, &order_id, refund.refund_id).await.unwrap(), None);
    fake.handle.fail_next(1);
    let unavailable = PaymentProvider::refund(&admin, &refund).await.unwrap_err();
    assert!(unavailable.is_retryable(), "{unavailable:?}");
    let answer = PaymentProvider::refund(&admin, &refund).await.unwrap();
    assert_eq!(answer.status, ProviderRefundStatus::Succeeded);
    assert_eq!(answer.refund_id, Some(refund.refund_id));
    assert_eq!(PaymentProvider::refund(&admin, &refund).await.unwrap(), answer);
    assert_eq!(PaymentProvider::find_refund(&admin, &order_id, refund.refund_id).await.unwrap(), Some(answer));
    assert_eq!(fake.handle.order(&order_id).unwrap().refunds.len(), 1);
}

#[tokio::test]
async fn cancelling_and_holding_are_done_once() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(5));
    let admin = admin(&fake, "2026-01", Arc::new(clock.clone()));
    assert_eq!(admin.hold_fulfillment(&order_id, "address change pending").await.unwrap(), 1);
    assert_eq!(admin.hold_fulfillment(&order_id, "address change pending").await.unwrap(), 0, "already held");
    let held = fake.handle.order(&order_id).unwrap().fulfillment_orders[0].clone();
    assert_eq!((held.status.as_str(), held.holds.len()), ("ON_HOLD", 1));
    assert_eq!(admin.release_fulfillment(&order_id).await.unwrap(), 1);
    assert_eq!(admin.release_fulfillment(&order_id).await.unwrap(), 0);
    assert_eq!(fake.handle.order(&order_id).unwrap().fulfillment_orders[0].status, "OPEN");

    let first = admin.cancel(&order_id, CancelReason::Customer, Some("customer asked")).await.unwrap();
    assert!(matches!(first, CancelOutcome::Cancelling { job_id: Some(_) }), "{first:?}");
    assert_eq!(admin.cancel(&order_id, CancelReason::Customer, None).await.unwrap(), CancelOutcome::AlreadyCancelled);
    assert_eq!(fake.handle.calls().get("RedressOrderCancel"), Some(&1));
    let read = admin.order(&order_id).await.unwrap().unwrap();
    let imported = crate::shop::shopify::admin::order_from_graphql(&read, store(), &mut ids()).unwrap();
    assert!(imported.order.cancelled_at.is_some());
    assert!(!imported.order.lines.is_empty(), "a cancelled order keeps what was bought");
}

#[tokio::test]
async fn errors_say_whether_to_retry() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(6));
    let good = admin(&fake, "2026-01", Arc::new(clock.clone()));
    fake.handle.fail_next(1);
    let outage = good.order(&order_id).await.unwrap_err();
    assert!(matches!(outage, ShopError::Unavailable(_)) && outage.is_transient(), "{outage:?}");
    assert!(good.order(&order_id).await.unwrap().is_some(), "the next call goes through");
    let wrong = ShopifyAdmin::new(
        ShopifyConfig::new(&fake.base_url, "2026-01", Secret::new("shpat_wrong")),
        Arc::new(clock.clone()),
    )
    .unwrap();
    let refused = wrong.order(&order_id).await.unwrap_err();
    assert_eq!(refused, ShopError::Unauthorized);
    assert!(!refused.is_transient());
    assert_eq!(good.order("gid://shopify/Order/12").await.unwrap(), None);
    let line = good.order(&order_id).await.unwrap().unwrap().line_items.nodes[0].id.clone();
    let missing_variant =
        [LineEdit::SwapVariant { line_id: line, variant_id: "gid://shopify/ProductVariant/1".into(), quantity: 1 }];
    let refused = good.edit_lines(&order_id, &missing_variant, None).await.unwrap_err();
    assert!(matches!(refused, ShopError::Rejected(_)), "{refused:?}");
    // No test ever prints a token.
    assert!(!format!("{good:?}").contains(TOKEN));
    assert!(!format!("{:?}", ShopifyConfig::new("x", "y", Secret::new(TOKEN))).contains(TOKEN));
}

#[tokio::test]
async fn a_parcel_sent_in_the_shop_arrives_by_webhook() {
    let clock = ManualClock::new();
    let fake = fake(1000.0, 50.0, &clock).await;
    let order_id = fake.handle.add_order(seed(7));
    fake.handle.fulfill(&order_id, "DHL", "JD0001", "IN_TRANSIT").unwrap();
    let secret = Secret::new(APP_SECRET);
    let (url, seen) = receiver(move |headers, body| {
        let webhook = shopify::verify_webhook(&secret, headers, body).map_err(|_| StatusCode::UNAUTHORIZED)?;
        let Ok(Event::Fulfillment(f)) = shopify::parse_event(&webhook.topic, body, store(), &mut ids()) else {
            return Err(StatusCode::UNPROCESSABLE_ENTITY);
        };
        let parcel = f.shipment.ok_or(StatusCode::UNPROCESSABLE_ENTITY)?;
        assert_eq!((parcel.carrier.as_str(), parcel.status), ("DHL", ShipmentStatus::InTransit));
        Ok((webhook.webhook_id, webhook.topic.as_str().to_owned()))
    })
    .await;
    let delivery = fake.handle.send_webhook(&url, &Topic::FulfillmentsCreate, &order_id).await.unwrap();
    assert_eq!(delivery.status, 200);
    assert_eq!(seen.lock().unwrap()[0].topic, "fulfillments/create");
    // The order, read again, is with the carrier: an address change is no longer an amendment.
    let admin = admin(&fake, "2026-01", Arc::new(clock.clone()));
    let imported = crate::shop::shopify::admin::order_from_graphql(
        &admin.order(&order_id).await.unwrap().unwrap(),
        store(),
        &mut ids(),
    )
    .unwrap();
    assert_eq!(imported.order.fulfilment_stage(), redress_domain::FulfilmentStage::WithCarrier);
}
