//! Orders, as the shop's systems report them. Sending an order again with the same number
//! updates it; payments keep their ids by provider reference and shipments by position. Its
//! payments enter the books as soon as they are reported.

use std::collections::BTreeMap;

use redress_domain::order::OrderStage;
use redress_domain::{
    Address, Currency, Customer, CustomerId, EmailAddress, LanguageTag, Money, Order, OrderId, OrderLine, Payment,
    PaymentId, PaymentStatus, Shipment, ShipmentId, ShipmentLine, ShipmentStatus, TimeStamp, person_name,
};
use redress_storage::search::OrderNumberKey;
use redress_storage::{OrderCursor, OrderFilter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::idempotency::Answer;
use crate::paging::{cursor_text, page_size, parse_cursor};
use crate::{App, new_id, parse_id};

/// The customer who placed an order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    /// Email address; identifies the customer within the store.
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    /// Name as given at checkout, 1 to 200 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    /// Preferred language (BCP 47), if known.
    #[serde(default)]
    pub language: Option<String>,
}

/// A payment on the order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    /// Payment provider, e.g. `stripe`.
    pub provider: String,
    /// The provider's id for the payment.
    pub provider_reference: String,
    /// Method, e.g. `card`, `blik`, `pix`.
    pub method: String,
    /// Amount authorised.
    pub authorized: Money,
    /// Amount captured.
    pub captured: Money,
    /// Amount refunded (zero if absent).
    #[serde(default)]
    pub refunded: Option<Money>,
    /// Status.
    pub status: PaymentStatus,
    /// When it was made (the order's time if absent).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub created_at: Option<OffsetDateTime>,
}

/// A parcel of the order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipmentInput {
    /// Carrier, e.g. `dhl`.
    pub carrier: String,
    /// Tracking number, once there is one.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// What is in the parcel.
    pub lines: Vec<ShipmentLine>,
    /// Where it is.
    pub status: ShipmentStatus,
    /// When each status was reached.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub status_times: BTreeMap<ShipmentStatus, TimeStamp>,
}

/// An order as the shop's systems report it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The shop's order number, 1 to 64 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 64))]
    pub number: String,
    /// Who placed it.
    pub customer: CustomerInput,
    /// Currency of every amount.
    pub currency: Currency,
    /// What was ordered.
    pub lines: Vec<OrderLine>,
    /// Where it goes.
    pub shipping_address: Address,
    /// Who pays; the shipping address if absent.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// Payments.
    #[serde(default)]
    pub payments: Vec<PaymentInput>,
    /// Parcels.
    #[serde(default)]
    pub shipments: Vec<ShipmentInput>,
    /// When it was placed.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub placed_at: OffsetDateTime,
}

/// An order as stored, and whether it was new.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReportedOrder {
    /// The order as stored.
    pub order: Order,
    /// True when the order was not known before.
    pub created: bool,
}

impl Answer for ReportedOrder {
    fn status(&self) -> u16 {
        if self.created { 201 } else { 200 }
    }
}

/// Stores or updates an order by its number, as the shop's systems report it.
pub async fn report(app: &App, caller: &Caller, input: OrderInput) -> AppResult<ReportedOrder> {
    let store_id = caller.require(Action::ReportOrders)?;
    let email =
        EmailAddress::parse(&input.customer.email).map_err(|e| AppError::invalid("customer.email", e.problem))?;
    let language = input
        .customer
        .language
        .as_deref()
        .map(LanguageTag::parse)
        .transpose()
        .map_err(|e| AppError::invalid("customer.language", e.problem))?;
    let name = person_name("customer.name", &input.customer.name)?;
    let customer = Customer { id: new_id(CustomerId::from_uuid), store_id, email, name, language };
    // Fresh ids; storage keeps the stored ones when the order is already known.
    let order = Order {
        id: new_id(OrderId::from_uuid),
        store_id,
        number: input.number.trim().to_owned(),
        customer_id: customer.id,
        currency: input.currency,
        lines: input.lines,
        billing_address: input.billing_address.unwrap_or_else(|| input.shipping_address.clone()),
        shipping_address: input.shipping_address,
        payments: input
            .payments
            .into_iter()
            .map(|p| Payment {
                id: new_id(PaymentId::from_uuid),
                refunded: p.refunded.unwrap_or(Money::zero(p.authorized.currency)),
                created_at: p.created_at.unwrap_or(input.placed_at),
                provider: p.provider,
                provider_reference: p.provider_reference,
                method: p.method,
                authorized: p.authorized,
                captured: p.captured,
                status: p.status,
            })
            .collect(),
        shipments: input
            .shipments
            .into_iter()
            .map(|s| Shipment {
                id: new_id(ShipmentId::from_uuid),
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                lines: s.lines,
                status: s.status,
                status_times: s.status_times,
            })
            .collect(),
        placed_at: input.placed_at,
        cancelled_at: None,
    };
    order.validate()?;
    let (order, created) = app.storage().upsert_order(&customer, &order, app.now()).await?;
    Ok(ReportedOrder { order, created })
}

/// Which orders to list; every filter is optional and they combine.
#[derive(Clone, Debug, Default)]
pub struct OrderQuery {
    /// Orders of the customer with this email.
    pub customer_email: Option<String>,
    /// The order with this number.
    pub number: Option<String>,
    /// Comma-separated stages: `not_packed`, `packed`, `with_carrier`, `delivered`,
    /// `cancelled`.
    pub stage: Option<String>,
    /// Orders with a parcel in this status (e.g. `in_transit`, `lost`).
    pub shipment_status: Option<String>,
    /// Placed at or after this time (RFC 3339).
    pub placed_from: Option<String>,
    /// Placed before this time (RFC 3339).
    pub placed_before: Option<String>,
    /// Page size, 1 to 200 (50 if absent).
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A page of orders.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrderList {
    /// The orders, newest placed first.
    pub orders: Vec<Order>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A time given as a filter.
fn instant(field: &str, text: Option<&str>) -> AppResult<Option<OffsetDateTime>> {
    text.map(|t| {
        OffsetDateTime::parse(t.trim(), &time::format_description::well_known::Rfc3339)
            .map_err(|_| AppError::invalid(field, "give a time such as 2026-11-01T00:00:00Z"))
    })
    .transpose()
}

/// The store's orders, newest placed first, filtered and a page at a time.
pub async fn list(app: &App, caller: &Caller, query: OrderQuery) -> AppResult<OrderList> {
    let store_id = caller.require(Action::Read)?;
    if caller.is_customer() {
        return Err(AppError::forbidden("a customer sees the order they hold"));
    }
    let limit = page_size(query.limit)?;
    let after = match query.cursor.as_deref() {
        Some(text) => parse_cursor(text).map(|(placed_at_us, id)| Some(OrderCursor { placed_at_us, id }))?,
        None => None,
    };
    let storage = app.storage();
    let customer_id = match query.customer_email.as_deref() {
        Some(email) => {
            let email = EmailAddress::parse(email).map_err(|e| AppError::invalid("customer_email", e.problem))?;
            match storage.customer_by_email(store_id, &email).await? {
                Some(customer) => Some(customer.id),
                None => return Ok(OrderList { orders: Vec::new(), next_cursor: None }),
            }
        }
        None => None,
    };
    let stages = query
        .stage
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<OrderStage>().map_err(|e| AppError::new(ErrorCode::UnknownValue, e.problem).at("stage")))
        .collect::<AppResult<Vec<_>>>()?;
    let shipment_status = query
        .shipment_status
        .as_deref()
        .map(|s| {
            ShipmentStatus::ALL.iter().copied().find(|status| status.as_str() == s.trim()).ok_or_else(|| {
                AppError::new(ErrorCode::UnknownValue, format!("`{s}` is not a parcel status")).at("shipment_status")
            })
        })
        .transpose()?;
    let filter = OrderFilter {
        number: query.number.map(|n| n.trim().to_owned()),
        customer_id,
        stages,
        shipment_status,
        placed_from: instant("placed_from", query.placed_from.as_deref())?,
        placed_before: instant("placed_before", query.placed_before.as_deref())?,
    };
    let page = storage.orders(store_id, &filter, after, limit).await?;
    Ok(OrderList { orders: page.orders, next_cursor: page.next.map(|c| cursor_text(c.placed_at_us, c.id)) })
}

/// One order; a customer only the one they hold.
pub async fn order(app: &App, caller: &Caller, order_id: &str) -> AppResult<Order> {
    let store_id = caller.require(Action::Read)?;
    let order_id: OrderId = parse_id(order_id, "order")?;
    if let Caller::Customer { order_id: own, .. } = caller
        && *own != order_id
    {
        return Err(AppError::not_found("order"));
    }
    Ok(app.storage().order(store_id, order_id).await?)
}

/// The order a customer holds, with its customer.
pub async fn held_order(app: &App, caller: &Caller) -> AppResult<(Order, Customer)> {
    let Caller::Customer { store_id, order_id, .. } = caller else {
        return Err(AppError::forbidden("only a customer holds an order"));
    };
    let order = app.storage().order(*store_id, *order_id).await?;
    let customer = app.storage().customer(*store_id, order.customer_id).await?;
    Ok((order, customer))
}

/// True while the order can still be changed in place (address, items), as the store's policy
/// says: the one answer the desk, the portal and the assistant show.
pub async fn amendable(app: &App, caller: &Caller, order: &Order) -> AppResult<bool> {
    let store_id = caller.require(Action::Read)?;
    if order.store_id != store_id {
        return Err(AppError::not_found("order"));
    }
    let policy = crate::resolution::policy_in_force(app, store_id).await?;
    Ok(redress_domain::amendment::amendable(order, &policy))
}

/// The customer of an order.
pub async fn customer(app: &App, caller: &Caller, order: &Order) -> AppResult<Customer> {
    let store_id = caller.require(Action::Read)?;
    if let Caller::Customer { order_id, .. } = caller
        && *order_id != order.id
    {
        return Err(AppError::not_found("order"));
    }
    Ok(app.storage().customer(store_id, order.customer_id).await?)
}

/// The customer holding an order of `store_id`, as a verified grant (a look-up they passed, or
/// a signed link) shows: the caller the portal acts as, named on the timeline by their email.
pub async fn holder(app: &App, store_id: redress_domain::StoreId, order_id: OrderId) -> AppResult<Caller> {
    let order = app.storage().order(store_id, order_id).await?;
    let customer = app.storage().customer(store_id, order.customer_id).await?;
    Ok(Caller::Customer { store_id, order_id, handle: customer.email.to_string(), through_assistant: false })
}

/// Failed look-ups allowed per source for one order number or one email in [`LOOK_UP_WINDOW`].
pub const MAX_LOOK_UP_FAILURES: u32 = 8;

/// Failed look-ups allowed for one order number or email from all sources together: a
/// guesser rotating addresses still meets a ceiling, high enough that failing on purpose from
/// one place cannot lock a real customer out.
pub const MAX_LOOK_UP_FAILURES_ANYWHERE: u32 = 50;

/// The window failed look-ups are counted in.
pub const LOOK_UP_WINDOW: time::Duration = time::Duration::minutes(15);

/// What a customer's look-up found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LookUp {
    /// The order with that number belongs to that email.
    Found(OrderId),
    /// No such pair; the answer never says which half was wrong.
    NotFound,
    /// Too many failures; wait for the window to pass.
    TooMany,
}

/// Finds the order a customer names by its number and their email, counting failures in the
/// database (per source and number or email, and per number or email from anywhere) so every
/// server counts the same guesses.
pub async fn look_up(
    app: &App,
    store: &redress_domain::Store,
    (number, email): (&str, &str),
    source: &str,
) -> AppResult<LookUp> {
    let number: String = number.trim().trim_start_matches('#').chars().take(64).collect();
    let email: String = email.trim().to_lowercase().chars().take(320).collect();
    // Failures count against the number's tail, so `NW-11007`, `nw11007` and `11007` are one
    // number to the limits: forgiving the format gives a guesser no extra tries.
    let typed = OrderNumberKey::of(&number);
    let counted = if typed.tail.is_empty() { &typed.key } else { &typed.tail };
    let keys = [
        (format!("look-up:{}:{source}:n:{counted}", store.id), MAX_LOOK_UP_FAILURES),
        (format!("look-up:{}:{source}:e:{email}", store.id), MAX_LOOK_UP_FAILURES),
        (format!("look-up:{}:n:{counted}", store.id), MAX_LOOK_UP_FAILURES_ANYWHERE),
        (format!("look-up:{}:e:{email}", store.id), MAX_LOOK_UP_FAILURES_ANYWHERE),
    ];
    let storage = app.storage();
    // Every attempt counts first, in one atomic statement per key, so parallel guesses cannot
    // slip past a limit; a success clears the per-source counts.
    let mut over = false;
    for (key, limit) in &keys {
        over |= storage.count_attempt(key, app.now(), LOOK_UP_WINDOW).await? > *limit;
    }
    if over {
        return Ok(LookUp::TooMany);
    }
    // The number as typed first; else the one order whose number reads the same without
    // separators and case (or, for digits alone, without the shop's letters).
    let order = match storage.order_by_number(store.id, &number).await? {
        Some(order) => Some(order),
        None if typed.tail.is_empty() => None,
        None => {
            let mut alike = storage.search().orders_by_number_key(store.id, &typed).await?;
            if alike.len() == 1 { alike.pop() } else { None }
        }
    };
    let found = match order {
        Some(order) => {
            let customer = storage.customer(store.id, order.customer_id).await?;
            customer.email.as_str().eq_ignore_ascii_case(&email).then_some(order.id)
        }
        None => None,
    };
    match found {
        Some(order_id) => {
            for (key, _) in &keys[..2] {
                storage.clear_attempts(key).await?;
            }
            Ok(LookUp::Found(order_id))
        }
        None => Ok(LookUp::NotFound),
    }
}
