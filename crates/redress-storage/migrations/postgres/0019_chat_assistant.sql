-- The assistant on messaging apps: a conversation is found again by the channel identity that
-- writes to it (`chat_sender`, such as `whatsapp:48600100200`), and its answers leave through
-- the outbox before any case exists, so an outbox entry's case and message become optional.
ALTER TABLE assistant_conversations ADD COLUMN chat_sender TEXT
    CHECK (chat_sender IS NULL OR length(chat_sender) BETWEEN 1 AND 300);
CREATE INDEX assistant_conversations_by_sender
    ON assistant_conversations (store_id, chat_sender, updated_at_us) WHERE chat_sender IS NOT NULL;

ALTER TABLE outbox ALTER COLUMN case_id DROP NOT NULL;
ALTER TABLE outbox ALTER COLUMN message_id DROP NOT NULL;
ALTER TABLE outbox ADD CONSTRAINT outbox_case_and_message CHECK ((case_id IS NULL) = (message_id IS NULL));
