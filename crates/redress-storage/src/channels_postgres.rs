//! Channels at rest on PostgreSQL.

use async_trait::async_trait;
use redress_domain::case::CaseNumber;
use redress_domain::{Case, CaseId, CustomerId, EmailAddress, MessageId, NewCase, StoreId};
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::channels::{
    ChannelAccount, ChannelStorage, ChannelWrites, ContactIdentity, DeadLetter, DeadLetterInfo, Delivery, DeliveryKey,
    EmailThread, IdentityKind, InboundOutcome, InboundRecord, LastChat, MAX_THREAD_IDS, Mailbox, OutboxEntry,
    OutboxLane, OutboxStatus, OutgoingMessage, Received, advance_delivery, bounded_error,
};
use crate::postgres::{PostgresStorage, from_doc, one_doc};
use crate::{CaseUpdateFn, Conflict, StorageError, StoredChange, from_micros, micros};

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Inserts a received message; false when the store already has it.
async fn insert_inbound(executor: impl sqlx::PgExecutor<'_>, record: &InboundRecord) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "INSERT INTO inbound_messages (id, store_id, channel, provider_message_id, case_id, message_id, outcome,
                                       sender, received_at_us, raw)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (store_id, channel, provider_message_id) DO NOTHING",
    )
    .bind(record.id)
    .bind(record.store_id.as_uuid())
    .bind(&record.channel)
    .bind(&record.provider_message_id)
    .bind(record.case_id.map(|id| id.as_uuid()))
    .bind(record.message_id.map(|id| id.as_uuid()))
    .bind(record.outcome.as_str())
    .bind(&record.sender)
    .bind(micros(record.received_at))
    .bind(&record.raw)
    .execute(executor)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Writes a case change's channel records inside its transaction.
pub(crate) async fn insert_writes(
    tx: &mut Transaction<'_, Postgres>,
    writes: &ChannelWrites,
) -> Result<(), StorageError> {
    if let Some(record) = &writes.inbound
        && !insert_inbound(&mut **tx, record).await?
    {
        return Err(Conflict::Duplicate("inbound message").into());
    }
    if let Some(entry) = &writes.outbox {
        sqlx::query(
            "INSERT INTO outbox (id, store_id, case_id, message_id, channel, provider_message_id, status, attempts,
                                 next_attempt_at_us, created_at_us, doc)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(entry.id)
        .bind(entry.store_id.as_uuid())
        .bind(entry.case_message.map(|(case, _)| case.as_uuid()))
        .bind(entry.case_message.map(|(_, message)| message.as_uuid()))
        .bind(&entry.channel)
        .bind(&entry.provider_message_id)
        .bind(entry.status.as_str())
        .bind(i64::from(entry.attempts))
        .bind(micros(entry.next_attempt_at))
        .bind(micros(entry.created_at))
        .bind(Json(entry.message.to_json()?))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The outbox's columns as [`outbox_entry`] reads them.
macro_rules! outbox_columns {
    () => {
        "id, store_id, case_id, message_id, channel, provider_message_id, status, attempts, next_attempt_at_us, \
         last_error, created_at_us, sent_at_us, doc, delivered_as, delivery"
    };
}

fn outbox_entry(row: &PgRow) -> Result<OutboxEntry, StorageError> {
    let channel: String = row.try_get(4)?;
    Ok(OutboxEntry {
        id: row.try_get(0)?,
        store_id: StoreId::from_uuid(row.try_get(1)?),
        case_message: match (row.try_get::<Option<Uuid>, _>(2)?, row.try_get::<Option<Uuid>, _>(3)?) {
            (Some(case), Some(message)) => Some((CaseId::from_uuid(case), MessageId::from_uuid(message))),
            _ => None,
        },
        provider_message_id: row.try_get(5)?,
        status: OutboxStatus::parse(row.try_get(6)?)?,
        attempts: count(row.try_get(7)?),
        next_attempt_at: from_micros(row.try_get(8)?)?,
        last_error: row.try_get(9)?,
        created_at: from_micros(row.try_get(10)?)?,
        sent_at: row.try_get::<Option<i64>, _>(11)?.map(from_micros).transpose()?,
        delivered_as: row.try_get(13)?,
        delivery: row.try_get::<Option<&str>, _>(14)?.map(Delivery::parse).transpose()?,
        message: OutgoingMessage::from_json(&channel, from_doc(row.try_get(12)?)?)?,
        channel,
    })
}

/// The mailboxes' columns as [`mailbox`] reads them.
macro_rules! mailbox_columns {
    () => {
        "store_id, sealed_url, shown_as, uid_validity, last_uid, next_poll_at_us, last_polled_at_us, last_error, \
         messages_read"
    };
}

fn mailbox(row: &PgRow) -> Result<Mailbox, StorageError> {
    let validity: Option<i64> = row.try_get(3)?;
    let last_uid: Option<i64> = row.try_get(4)?;
    Ok(Mailbox {
        store_id: StoreId::from_uuid(row.try_get(0)?),
        sealed_url: row.try_get(1)?,
        shown_as: row.try_get(2)?,
        cursor: validity.zip(last_uid).map(|(v, u)| (count(v), count(u))),
        next_poll_at: from_micros(row.try_get(5)?)?,
        last_polled_at: row.try_get::<Option<i64>, _>(6)?.map(from_micros).transpose()?,
        last_error: row.try_get(7)?,
        messages_read: u64::try_from(row.try_get::<i64, _>(8)?).unwrap_or(0),
    })
}

#[async_trait]
impl ChannelStorage for PostgresStorage {
    async fn set_support_addresses(
        &self,
        store_id: StoreId,
        addresses: &[EmailAddress],
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT 1 FROM stores WHERE id = $1 FOR UPDATE")
            .bind(store_id.as_uuid())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StorageError::NotFound("store"))?;
        sqlx::query("DELETE FROM support_addresses WHERE store_id = $1")
            .bind(store_id.as_uuid())
            .execute(&mut *tx)
            .await?;
        for (position, address) in addresses.iter().enumerate() {
            let done = sqlx::query(
                "INSERT INTO support_addresses (address, store_id, position, created_at_us) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (address) DO NOTHING",
            )
            .bind(address.as_str().to_lowercase())
            .bind(store_id.as_uuid())
            .bind(position as i64)
            .bind(micros(now))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(Conflict::Duplicate("support address").into());
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn support_addresses(&self, store_id: StoreId) -> Result<Vec<EmailAddress>, StorageError> {
        let texts: Vec<String> =
            sqlx::query_scalar("SELECT address FROM support_addresses WHERE store_id = $1 ORDER BY position")
                .bind(store_id.as_uuid())
                .fetch_all(&self.pool)
                .await?;
        texts.iter().map(|t| EmailAddress::parse(t).map_err(|e| StorageError::Corrupt(e.to_string()))).collect()
    }

    async fn store_of_address(&self, address: &EmailAddress) -> Result<Option<StoreId>, StorageError> {
        let id: Option<Uuid> = sqlx::query_scalar("SELECT store_id FROM support_addresses WHERE address = $1")
            .bind(address.as_str().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        Ok(id.map(StoreId::from_uuid))
    }

    async fn add_channel_account(&self, account: &ChannelAccount, now: OffsetDateTime) -> Result<(), StorageError> {
        let inserted = sqlx::query(
            "INSERT INTO channel_accounts (channel, account_id, store_id, created_at_us) VALUES ($1, $2, $3, $4)
             ON CONFLICT (channel, account_id) DO NOTHING",
        )
        .bind(&account.channel)
        .bind(&account.account_id)
        .bind(account.store_id.as_uuid())
        .bind(micros(now))
        .execute(&self.pool)
        .await;
        if let Err(sqlx::Error::Database(db)) = &inserted
            && db.is_foreign_key_violation()
        {
            return Err(StorageError::NotFound("store"));
        }
        inserted?;
        // Only the owner's row is changed: another store's account stays as it is.
        let updated = sqlx::query(
            "UPDATE channel_accounts SET sealed_token = $4, sealed_webhook_secret = $5, human_agent = $6
             WHERE channel = $1 AND account_id = $2 AND store_id = $3",
        )
        .bind(&account.channel)
        .bind(&account.account_id)
        .bind(account.store_id.as_uuid())
        .bind(&account.sealed_token)
        .bind(&account.sealed_webhook_secret)
        .bind(account.human_agent)
        .execute(&self.pool)
        .await?;
        if updated.rows_affected() == 1 { Ok(()) } else { Err(Conflict::Duplicate("account").into()) }
    }

    async fn channel_account(&self, channel: &str, account_id: &str) -> Result<Option<ChannelAccount>, StorageError> {
        let row = sqlx::query(
            "SELECT store_id, sealed_token, sealed_webhook_secret, human_agent FROM channel_accounts
             WHERE channel = $1 AND account_id = $2",
        )
        .bind(channel)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(ChannelAccount {
                store_id: StoreId::from_uuid(row.try_get(0)?),
                channel: channel.to_owned(),
                account_id: account_id.to_owned(),
                sealed_token: row.try_get(1)?,
                sealed_webhook_secret: row.try_get(2)?,
                human_agent: row.try_get(3)?,
            })
        })
        .transpose()
    }

    async fn last_chat(&self, store_id: StoreId, case_id: CaseId) -> Result<Option<LastChat>, StorageError> {
        let row = sqlx::query(
            "SELECT channel, raw, received_at_us FROM inbound_messages
             WHERE store_id = $1 AND case_id = $2 AND channel <> 'email'
             ORDER BY received_at_us DESC LIMIT 1",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(LastChat { channel: row.try_get(0)?, raw: row.try_get(1)?, received_at: from_micros(row.try_get(2)?)? })
        })
        .transpose()
    }

    async fn store_of_account(&self, channel: &str, account_id: &str) -> Result<Option<StoreId>, StorageError> {
        let id: Option<Uuid> =
            sqlx::query_scalar("SELECT store_id FROM channel_accounts WHERE channel = $1 AND account_id = $2")
                .bind(channel)
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(id.map(StoreId::from_uuid))
    }

    async fn open_case_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Option<Case>, StorageError> {
        one_doc(
            sqlx::query(
                "SELECT doc FROM cases WHERE store_id = $1 AND customer_id = $2 AND status NOT IN ('resolved', 'closed')
                 ORDER BY created_at_us DESC, id DESC LIMIT 1",
            )
            .bind(store_id.as_uuid())
            .bind(customer_id.as_uuid()),
            &self.pool,
        )
        .await
    }

    async fn open_case_of_sender(
        &self,
        store_id: StoreId,
        channel: &str,
        sender: &str,
    ) -> Result<Option<Case>, StorageError> {
        one_doc(
            sqlx::query(
                "SELECT c.doc FROM inbound_messages i JOIN cases c ON c.id = i.case_id AND c.store_id = i.store_id
                 WHERE i.store_id = $1 AND i.channel = $2 AND i.sender = $3 AND c.status NOT IN ('resolved', 'closed')
                 ORDER BY i.received_at_us DESC LIMIT 1",
            )
            .bind(store_id.as_uuid())
            .bind(channel)
            .bind(sender),
            &self.pool,
        )
        .await
    }

    async fn link_identity(
        &self,
        store_id: StoreId,
        identity: &ContactIdentity,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO contact_identities (store_id, kind, value, customer_id, created_at_us)
             SELECT $1, $2, $3, id, $5 FROM customers WHERE store_id = $1 AND id = $4
             ON CONFLICT (store_id, kind, value) DO NOTHING",
        )
        .bind(store_id.as_uuid())
        .bind(identity.kind.as_str())
        .bind(&identity.value)
        .bind(identity.customer_id.as_uuid())
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        match self.customer_of_identity(store_id, identity.kind, &identity.value).await? {
            None => Err(StorageError::NotFound("customer")),
            Some(owner) if owner == identity.customer_id => Ok(()),
            Some(_) => Err(Conflict::Duplicate("identity").into()),
        }
    }

    async fn customer_of_identity(
        &self,
        store_id: StoreId,
        kind: IdentityKind,
        value: &str,
    ) -> Result<Option<CustomerId>, StorageError> {
        let id: Option<Uuid> = sqlx::query_scalar(
            "SELECT customer_id FROM contact_identities WHERE store_id = $1 AND kind = $2 AND value = $3",
        )
        .bind(store_id.as_uuid())
        .bind(kind.as_str())
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        Ok(id.map(CustomerId::from_uuid))
    }

    async fn received(
        &self,
        store_id: StoreId,
        channel: &str,
        provider_message_id: &str,
    ) -> Result<Option<Received>, StorageError> {
        let row = sqlx::query(
            "SELECT case_id, message_id, outcome FROM inbound_messages
             WHERE store_id = $1 AND channel = $2 AND provider_message_id = $3",
        )
        .bind(store_id.as_uuid())
        .bind(channel)
        .bind(provider_message_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Received {
                case_id: row.try_get::<Option<Uuid>, _>(0)?.map(CaseId::from_uuid),
                message_id: row.try_get::<Option<Uuid>, _>(1)?.map(MessageId::from_uuid),
                outcome: InboundOutcome::parse(row.try_get(2)?)?,
            })
        })
        .transpose()
    }

    async fn record_inbound(&self, record: &InboundRecord) -> Result<bool, StorageError> {
        insert_inbound(&self.pool, record).await
    }

    async fn open_case_with(
        &self,
        new: NewCase,
        now: OffsetDateTime,
        writes: ChannelWrites,
    ) -> Result<StoredChange, StorageError> {
        self.open_case_in(new, now, &writes).await
    }

    async fn update_case_with(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
        writes: ChannelWrites,
    ) -> Result<StoredChange, StorageError> {
        self.update_case_in(store_id, id, update, &writes).await
    }

    async fn case_of_thread(&self, store_id: StoreId, ids: &[&str]) -> Result<Option<CaseId>, StorageError> {
        for id in ids {
            let case: Option<Uuid> = sqlx::query_scalar(
                "SELECT case_id FROM inbound_messages
                 WHERE store_id = $1 AND channel = 'email' AND provider_message_id = $2 AND case_id IS NOT NULL
                 UNION ALL
                 SELECT case_id FROM outbox WHERE store_id = $1 AND channel = 'email' AND provider_message_id = $2
                 LIMIT 1",
            )
            .bind(store_id.as_uuid())
            .bind(*id)
            .fetch_optional(&self.pool)
            .await?;
            if let Some(case) = case {
                return Ok(Some(CaseId::from_uuid(case)));
            }
        }
        Ok(None)
    }

    async fn email_thread(&self, store_id: StoreId, case_id: CaseId) -> Result<EmailThread, StorageError> {
        let rows = sqlx::query(
            "SELECT provider_message_id, inbound FROM (
                 SELECT provider_message_id, true AS inbound, received_at_us AS at FROM inbound_messages
                 WHERE store_id = $1 AND case_id = $2 AND channel = 'email'
                 UNION ALL
                 SELECT provider_message_id, false, created_at_us FROM outbox
                 WHERE store_id = $1 AND case_id = $2 AND channel = 'email') thread
             ORDER BY at DESC, inbound ASC LIMIT $3",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .bind(MAX_THREAD_IDS as i64)
        .fetch_all(&self.pool)
        .await?;
        let rows = rows
            .iter()
            .map(|row| Ok((row.try_get::<String, _>(0)?, row.try_get::<bool, _>(1)?)))
            .collect::<Result<Vec<_>, StorageError>>()?;
        let last_received = rows.iter().find(|(_, inbound)| *inbound).map(|(id, _)| id.clone());
        Ok(EmailThread { ids: rows.into_iter().rev().map(|(id, _)| id).collect(), last_received })
    }

    async fn case_by_number(&self, store_id: StoreId, number: CaseNumber) -> Result<Option<Case>, StorageError> {
        one_doc(
            sqlx::query("SELECT doc FROM cases WHERE store_id = $1 AND number = $2")
                .bind(store_id.as_uuid())
                .bind(i64::try_from(number.0).unwrap_or(i64::MAX)),
            &self.pool,
        )
        .await
    }

    async fn claim_outbox(
        &self,
        lane: OutboxLane,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StorageError> {
        // SKIP LOCKED: two servers claiming at once take different entries. The lane's
        // condition is one of two constants.
        let sql = sqlx::AssertSqlSafe(format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at_us = $2
             WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at_us <= $1
                          AND {} ORDER BY next_attempt_at_us LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING {}",
            lane.condition(),
            outbox_columns!()
        ));
        let rows = sqlx::query(sql)
            .bind(micros(now))
            .bind(micros(now + lease))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(outbox_entry).collect()
    }

    async fn outbox_sent(&self, id: Uuid, now: OffsetDateTime, delivered_as: Option<&str>) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE outbox SET status = 'sent', sent_at_us = $2, last_error = NULL,
                               delivered_as = COALESCE($3, delivered_as),
                               delivery = CASE WHEN $3::text IS NULL THEN delivery ELSE COALESCE(delivery, 'sent') END
             WHERE id = $1 AND status = 'sending'",
        )
        .bind(id)
        .bind(micros(now))
        .bind(delivered_as)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn outbox_delivery(
        &self,
        channel: &str,
        key: &DeliveryKey,
        reported: Delivery,
        error: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let found = sqlx::query(
            "SELECT id, delivery FROM outbox WHERE channel = $1 AND (delivered_as = $2 OR id = $3)
             ORDER BY (delivered_as = $2) DESC NULLS LAST LIMIT 1 FOR UPDATE",
        )
        .bind(channel)
        .bind(&key.provider_id)
        .bind(key.entry_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = found else { return Ok(false) };
        let id: Uuid = row.try_get(0)?;
        let current = row.try_get::<Option<&str>, _>(1)?.map(Delivery::parse).transpose()?;
        let Some((status, delivery)) = advance_delivery(current, reported) else { return Ok(false) };
        sqlx::query(
            "UPDATE outbox SET status = $2, delivery = $3, delivered_as = COALESCE(delivered_as, $4),
                               sent_at_us = COALESCE(sent_at_us, $5),
                               last_error = CASE WHEN $2 = 'dead' THEN $6 ELSE NULL END
             WHERE id = $1",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(delivery.as_str())
        .bind(&key.provider_id)
        .bind(micros(now))
        .bind(error.map(bounded_error))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn outbox_failed(&self, id: Uuid, error: &str, retry_at: Option<OffsetDateTime>) -> Result<(), StorageError> {
        let status = if retry_at.is_some() { OutboxStatus::Pending } else { OutboxStatus::Dead };
        sqlx::query(
            "UPDATE outbox SET status = $2, last_error = $3, next_attempt_at_us = COALESCE($4, next_attempt_at_us)
             WHERE id = $1 AND status = 'sending'",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(bounded_error(error))
        .bind(retry_at.map(micros))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn retry_outbox(&self, store_id: StoreId, id: Uuid, now: OffsetDateTime) -> Result<bool, StorageError> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at_us = $3
             WHERE store_id = $1 AND id = $2 AND status = 'dead'",
        )
        .bind(store_id.as_uuid())
        .bind(id)
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn outbox(&self, store_id: StoreId, limit: u32) -> Result<Vec<OutboxEntry>, StorageError> {
        let sql = concat!(
            "SELECT ",
            outbox_columns!(),
            " FROM outbox WHERE store_id = $1 ORDER BY created_at_us DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(sql).bind(store_id.as_uuid()).bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.iter().map(outbox_entry).collect()
    }

    async fn set_mailbox(
        &self,
        store_id: StoreId,
        sealed_url: &[u8],
        shown_as: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let done = sqlx::query(
            "INSERT INTO mailboxes (store_id, sealed_url, shown_as, next_poll_at_us) VALUES ($1, $2, $3, $4)
             ON CONFLICT (store_id) DO UPDATE SET sealed_url = excluded.sealed_url, shown_as = excluded.shown_as,
                 uid_validity = NULL, last_uid = NULL, next_poll_at_us = excluded.next_poll_at_us, last_error = NULL",
        )
        .bind(store_id.as_uuid())
        .bind(sealed_url)
        .bind(shown_as)
        .bind(micros(now))
        .execute(&self.pool)
        .await;
        if let Err(sqlx::Error::Database(db)) = &done
            && db.is_foreign_key_violation()
        {
            return Err(StorageError::NotFound("store"));
        }
        done?;
        Ok(())
    }

    async fn mailbox(&self, store_id: StoreId) -> Result<Option<Mailbox>, StorageError> {
        let row = sqlx::query(concat!("SELECT ", mailbox_columns!(), " FROM mailboxes WHERE store_id = $1"))
            .bind(store_id.as_uuid())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(mailbox).transpose()
    }

    async fn claim_mailboxes(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Mailbox>, StorageError> {
        // SKIP LOCKED: two servers claiming at once take different mailboxes.
        let rows = sqlx::query(concat!(
            "UPDATE mailboxes SET next_poll_at_us = $2
             WHERE store_id IN (SELECT store_id FROM mailboxes WHERE next_poll_at_us <= $1
                                ORDER BY next_poll_at_us LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING ",
            mailbox_columns!()
        ))
        .bind(micros(now))
        .bind(micros(now + lease))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(mailbox).collect()
    }

    async fn mailbox_read_to(&self, store_id: StoreId, cursor: (u32, u32)) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE mailboxes SET uid_validity = $2, last_uid = $3, messages_read = messages_read + 1 WHERE store_id = $1",
        )
        .bind(store_id.as_uuid())
        .bind(i64::from(cursor.0))
        .bind(i64::from(cursor.1))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn mailbox_polled(
        &self,
        store_id: StoreId,
        now: OffsetDateTime,
        error: Option<&str>,
        next_poll_at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        sqlx::query(
            "UPDATE mailboxes SET last_polled_at_us = $2, last_error = $3, next_poll_at_us = $4 WHERE store_id = $1",
        )
        .bind(store_id.as_uuid())
        .bind(micros(now))
        .bind(error.map(bounded_error))
        .bind(micros(next_poll_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn record_dead_letter(&self, letter: &DeadLetter) -> Result<(), StorageError> {
        sqlx::query(
            "INSERT INTO dead_letters (id, store_id, channel, reason, raw, received_at_us) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(letter.id)
        .bind(letter.store_id.map(|id| id.as_uuid()))
        .bind(&letter.channel)
        .bind(bounded_error(&letter.reason))
        .bind(&letter.raw)
        .bind(micros(letter.received_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn dead_letter_raw(&self, store_id: StoreId, id: Uuid) -> Result<Option<(String, Vec<u8>)>, StorageError> {
        let row = sqlx::query("SELECT channel, raw FROM dead_letters WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).transpose()
    }

    async fn remove_dead_letter(&self, store_id: StoreId, id: Uuid) -> Result<bool, StorageError> {
        let done = sqlx::query("DELETE FROM dead_letters WHERE store_id = $1 AND id = $2")
            .bind(store_id.as_uuid())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn dead_letters(&self, store_id: StoreId, limit: u32) -> Result<Vec<DeadLetterInfo>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, channel, reason, octet_length(raw)::BIGINT, received_at_us FROM dead_letters
             WHERE store_id = $1 ORDER BY received_at_us DESC, id DESC LIMIT $2",
        )
        .bind(store_id.as_uuid())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeadLetterInfo {
                    id: row.try_get(0)?,
                    channel: row.try_get(1)?,
                    reason: row.try_get(2)?,
                    size_bytes: u64::try_from(row.try_get::<i64, _>(3)?).unwrap_or(0),
                    received_at: from_micros(row.try_get(4)?)?,
                })
            })
            .collect()
    }
}
