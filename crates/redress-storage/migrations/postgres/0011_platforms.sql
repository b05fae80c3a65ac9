-- Shop platforms (Shopify, WooCommerce): a store's connection with its credentials sealed by
-- the application (XChaCha20-Poly1305 under the server's secrets key: the database never holds
-- them in clear), the sync state, the webhook deliveries received (one row per delivery id, so
-- a delivery sent twice is acted on once) and the platform's id of each order it sent.
CREATE TABLE platform_connections (
    store_id UUID NOT NULL REFERENCES stores(id),
    platform TEXT NOT NULL CHECK (platform IN ('shopify', 'woocommerce')),
    base_url TEXT NOT NULL,
    sealed_credentials BYTEA NOT NULL,
    connected_at_us BIGINT NOT NULL,
    last_sync_at_us BIGINT,
    last_error TEXT,
    last_error_at_us BIGINT,
    PRIMARY KEY (store_id, platform)
);

CREATE TABLE platform_webhooks (
    store_id UUID NOT NULL REFERENCES stores(id),
    platform TEXT NOT NULL,
    delivery_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    received_at_us BIGINT NOT NULL,
    PRIMARY KEY (store_id, platform, delivery_id)
);

CREATE TABLE platform_orders (
    store_id UUID NOT NULL REFERENCES stores(id),
    platform TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    order_id UUID NOT NULL REFERENCES orders(id),
    shipment_ids JSONB NOT NULL,
    PRIMARY KEY (store_id, platform, remote_id)
);
CREATE UNIQUE INDEX platform_orders_order ON platform_orders(store_id, order_id);

-- What Redress must tell the outside world: changes a shop platform must make too (an amended
-- shipping address, with its order) and events for the store's webhook endpoints. A row is
-- written once per change or delivery (its key), claimed for a while before each attempt,
-- then done, or failed for good with the reason.
CREATE TABLE platform_pushes (
    store_id UUID NOT NULL REFERENCES stores(id),
    push_key TEXT NOT NULL,
    order_id UUID REFERENCES orders(id),
    kind TEXT NOT NULL,
    payload JSONB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    due_at_us BIGINT NOT NULL,
    last_error TEXT,
    created_at_us BIGINT NOT NULL,
    PRIMARY KEY (store_id, push_key)
);
CREATE INDEX platform_pushes_due ON platform_pushes(status, due_at_us);

-- A store's webhook endpoints: where its events go, which ones, and the signing secret sealed
-- by the application (shown to the admin once, when the endpoint is made).
CREATE TABLE webhook_endpoints (
    id UUID PRIMARY KEY,
    store_id UUID NOT NULL REFERENCES stores(id),
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    sealed_secret BYTEA NOT NULL,
    created_at_us BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_store ON webhook_endpoints(store_id);
