//! Shop platforms (Shopify, WooCommerce, CSV files): a store's connection and sync state, the
//! webhook deliveries received, and which platform order each Redress order is, reached through
//! [`crate::Storage::platforms`].
//!
//! Storage never sees a platform credential in clear: the application seals them before they
//! arrive here and opens them after they are read.

use async_trait::async_trait;
use redress_domain::{CaseId, Customer, Order, OrderId, StoreId};
use time::OffsetDateTime;

use crate::{RecordedEntry, StorageError};

/// A store's connection to a platform, as kept at rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlatformConnection {
    /// The store.
    pub store_id: StoreId,
    /// `shopify` or `woocommerce`.
    pub platform: String,
    /// The shop's address: `https://{shop}.myshopify.com` or the WooCommerce site.
    pub base_url: String,
    /// The credentials (API token or consumer key and secret, and the webhook secret), sealed
    /// by the application.
    pub sealed_credentials: Vec<u8>,
    /// When it was connected (or its credentials last replaced).
    pub connected_at: OffsetDateTime,
    /// When the last back-fill finished.
    pub last_sync_at: Option<OffsetDateTime>,
    /// What went wrong the last time, if the last sync failed.
    pub last_error: Option<String>,
    /// When it went wrong.
    pub last_error_at: Option<OffsetDateTime>,
}

/// A webhook delivery whose signature checked out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The store it was sent to.
    pub store_id: StoreId,
    /// The platform that sent it.
    pub platform: String,
    /// The platform's delivery id (`X-Shopify-Webhook-Id`, `X-WC-Webhook-Delivery-ID`).
    pub delivery_id: String,
    /// Its topic, as the platform names it.
    pub topic: String,
    /// When it arrived.
    pub received_at: OffsetDateTime,
}

/// The platform's ids for a Redress order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderLink {
    /// `shopify` or `woocommerce`.
    pub platform: String,
    /// The platform's order id (`gid://shopify/Order/…`, WooCommerce's numeric id).
    pub remote_id: String,
    /// The platform's id of each of the order's parcels, by position.
    pub shipment_ids: Vec<Option<String>>,
}

/// What an ingested delivery did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ingested {
    /// The delivery was received before: nothing changed.
    Duplicate,
    /// The order as stored, and whether it was new.
    Stored {
        /// The order (boxed: it is much larger than nothing).
        order: Box<Order>,
        /// True when it was not known before.
        created: bool,
    },
}

/// Something Redress must tell the outside world: a change the shop platform must make too, or
/// an event for one of the store's webhook endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Push {
    /// The store.
    pub store_id: StoreId,
    /// Names the change or delivery: written once, whatever retries.
    pub key: String,
    /// The order changed, for a change the platform must make.
    pub order_id: Option<OrderId>,
    /// What to do, e.g. `shipping_address` or `webhook`.
    pub kind: String,
    /// What with (JSON).
    pub payload: serde_json::Value,
    /// Attempts claimed so far, this one included once claimed.
    pub attempts: u32,
}

/// How an attempt ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// The platform made the change.
    Done,
    /// Try again at this time.
    Retry {
        /// When.
        at: OffsetDateTime,
        /// Why the attempt failed.
        error: String,
    },
    /// The platform refused for good.
    Failed {
        /// Its reason.
        error: String,
    },
}

/// A store's webhook endpoint, as kept at rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookEndpoint {
    /// Its id.
    pub id: uuid::Uuid,
    /// The store.
    pub store_id: StoreId,
    /// Where events are posted.
    pub url: String,
    /// The events it wants (`case.opened`, …).
    pub events: Vec<String>,
    /// The signing secret, sealed by the application.
    pub sealed_secret: Vec<u8>,
    /// When it was made.
    pub created_at: OffsetDateTime,
}

/// A push as the desk lists it: what it is, and how its attempts went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushRecord {
    /// The push.
    pub push: Push,
    /// `pending`, `done` or `failed`.
    pub status: String,
    /// When it is due (pending), or was last due.
    pub due_at: OffsetDateTime,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// When it was written.
    pub created_at: OffsetDateTime,
}

/// A timeline entry with the case it belongs to, as the events worker reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineRow {
    /// The store.
    pub store_id: StoreId,
    /// The case.
    pub case_id: CaseId,
    /// The entry and its position.
    pub entry: RecordedEntry,
}

/// The timeline entry types the outside world is told of (the `type` of their event): the
/// events worker reads only these.
pub const TOLD_EVENTS: &[&str] =
    &["opened", "status_changed", "order_amended", "return_status_changed", "refund_succeeded"];

/// A change to a platform's order, run on the order and its link as they are inside the
/// transaction that stores the result, with the order locked.
pub type LinkedOrderFn = Box<dyn FnOnce(Order, OrderLink) -> Result<(Order, OrderLink), StorageError> + Send>;

/// Platforms' connections, deliveries and order links, on both backends.
#[async_trait]
pub trait PlatformStorage: Send + Sync {
    /// Connects a store to a platform, or replaces the connection's address and credentials
    /// (the sync state starts again).
    async fn connect_platform(&self, connection: &PlatformConnection) -> Result<(), StorageError>;
    /// The store's connection to `platform`, if it has one.
    async fn platform_connection(
        &self,
        store_id: StoreId,
        platform: &str,
    ) -> Result<Option<PlatformConnection>, StorageError>;
    /// The store's connections, by platform.
    async fn platform_connections(&self, store_id: StoreId) -> Result<Vec<PlatformConnection>, StorageError>;
    /// Records how a sync ended: `error` none for a success (which clears the last error).
    async fn record_sync(
        &self,
        store_id: StoreId,
        platform: &str,
        at: OffsetDateTime,
        error: Option<&str>,
    ) -> Result<(), StorageError>;
    /// Records a delivery acted on by nothing else (a topic Redress ignores); false when it was
    /// received before.
    async fn record_delivery(&self, delivery: &Delivery) -> Result<bool, StorageError>;
    /// Records the delivery (when there is one) and upserts the order it carries with its link,
    /// in one transaction: a delivery received before changes nothing
    /// ([`Ingested::Duplicate`]); a failed upsert leaves the delivery unrecorded, so the
    /// platform's retry is acted on.
    async fn ingest_order(
        &self,
        delivery: Option<&Delivery>,
        link: &OrderLink,
        customer: &Customer,
        order: &Order,
        now: OffsetDateTime,
    ) -> Result<Ingested, StorageError>;
    /// The platform's ids for an order, when it came from a platform.
    async fn order_link(&self, store_id: StoreId, order_id: OrderId) -> Result<Option<OrderLink>, StorageError>;
    /// Upserts every order in one transaction: all are stored, or none. Returns how many were
    /// new.
    async fn import_orders(&self, orders: &[(Customer, Order)], now: OffsetDateTime) -> Result<usize, StorageError>;
    /// Claims up to `limit` pending changes due by `now` (of `store_id` and `key` only, when
    /// given): each is due again only after `lease`, so no other worker takes it meanwhile, and
    /// counts an attempt.
    async fn claim_pushes(
        &self,
        only: Option<(StoreId, &str)>,
        now: OffsetDateTime,
        lease: time::Duration,
        limit: u32,
    ) -> Result<Vec<Push>, StorageError>;
    /// Records how an attempt ended.
    async fn finish_push(&self, store_id: StoreId, key: &str, outcome: &PushOutcome) -> Result<(), StorageError>;
    /// Adds a webhook endpoint to its store.
    async fn add_webhook_endpoint(&self, endpoint: &WebhookEndpoint) -> Result<(), StorageError>;
    /// The store's webhook endpoints, oldest first.
    async fn webhook_endpoints(&self, store_id: StoreId) -> Result<Vec<WebhookEndpoint>, StorageError>;
    /// Removes one of the store's endpoints; false when it has none by that id. Its pending
    /// deliveries then fail when tried ("the endpoint was removed").
    async fn remove_webhook_endpoint(&self, store_id: StoreId, id: uuid::Uuid) -> Result<bool, StorageError>;
    /// Replaces an endpoint's sealed secret; false when the store has no endpoint by that id.
    async fn replace_webhook_secret(
        &self,
        store_id: StoreId,
        id: uuid::Uuid,
        sealed_secret: &[u8],
    ) -> Result<bool, StorageError>;

    /// Records the delivery and changes the order a platform knows by `remote_id` with
    /// `change`, in one transaction, the order locked against every other upsert of it (two
    /// fulfillments of one order at once each keep their parcel). A delivery received before
    /// changes nothing ([`Ingested::Duplicate`]); an order not linked records the delivery
    /// alone (`None`).
    async fn change_linked_order(
        &self,
        delivery: &Delivery,
        remote_id: &str,
        change: LinkedOrderFn,
        now: OffsetDateTime,
    ) -> Result<Option<Ingested>, StorageError>;

    /// Timeline entries of every store told to the outside world ([`TOLD_EVENTS`]) with a
    /// position in `(after, up_to]`, in order, at most `limit`, and not told yet; never one
    /// written before the events worker existed (those were told then).
    async fn told_entries(&self, after: i64, up_to: i64, limit: u32) -> Result<Vec<TimelineRow>, StorageError>;
    /// The newest timeline position, and the one the events worker has read up to.
    async fn events_cursor(&self) -> Result<(i64, i64), StorageError>;
    /// Moves the events worker's cursor on to `seq` (never back), forgetting the entries told
    /// that are now [`crate::follow_through::CURSOR_OVERLAP`] or more behind it.
    async fn advance_events_cursor(&self, seq: i64) -> Result<(), StorageError>;
    /// Writes pushes due now, and marks the timeline entries at `told` told, in one
    /// transaction; each push once by its key. Returns how many pushes were new.
    async fn enqueue_pushes(&self, pushes: &[Push], told: &[i64], now: OffsetDateTime) -> Result<usize, StorageError>;
    /// The store's pushes of `kind`, newest first, at most `limit`.
    async fn pushes(&self, store_id: StoreId, kind: &str, limit: u32) -> Result<Vec<PushRecord>, StorageError>;
    /// Sends a push again: pending and due at `now`, its attempts counted from zero, whatever
    /// became of it; false when the store has no push by that key.
    async fn replay_push(&self, store_id: StoreId, key: &str, now: OffsetDateTime) -> Result<bool, StorageError>;
}
