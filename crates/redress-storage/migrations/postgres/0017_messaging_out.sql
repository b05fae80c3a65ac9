-- Answers on messaging apps: each account's credentials (sealed by the application before they
-- reach storage), and what the provider said of each message sent (its own id, and how far it
-- got: sent, delivered, read or failed).
ALTER TABLE channel_accounts ADD COLUMN sealed_token BYTEA;
ALTER TABLE channel_accounts ADD COLUMN sealed_webhook_secret BYTEA;
ALTER TABLE channel_accounts ADD COLUMN human_agent BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE outbox ADD COLUMN delivered_as TEXT CHECK (delivered_as IS NULL OR length(delivered_as) BETWEEN 1 AND 998);
ALTER TABLE outbox ADD COLUMN delivery TEXT CHECK (delivery IS NULL OR delivery IN ('sent', 'delivered', 'read', 'failed'));
CREATE INDEX outbox_by_delivered_as ON outbox (channel, delivered_as) WHERE delivered_as IS NOT NULL;
