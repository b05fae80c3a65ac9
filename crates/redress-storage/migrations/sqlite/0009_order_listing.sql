-- Orders are listed and filtered by where they stand and by their parcels' statuses: both are
-- written with the order (decided by the domain's Order::stage and shipment_statuses_key);
-- rows written before this migration are filled in when the storage opens.
ALTER TABLE orders ADD COLUMN stage TEXT;
ALTER TABLE orders ADD COLUMN shipment_statuses TEXT;
CREATE INDEX orders_listing ON orders(store_id, placed_at_us, id);
CREATE INDEX orders_unlisted ON orders(stage) WHERE stage IS NULL;
