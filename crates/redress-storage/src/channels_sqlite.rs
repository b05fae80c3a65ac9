//! Channels at rest on SQLite.

use async_trait::async_trait;
use redress_domain::case::CaseNumber;
use redress_domain::{Case, CaseId, CustomerId, EmailAddress, NewCase, StoreId};
use rusqlite::{Connection, OptionalExtension, params};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::channels::{
    ChannelAccount, ChannelStorage, ChannelWrites, ContactIdentity, DeadLetter, DeadLetterInfo, Delivery, DeliveryKey,
    EmailThread, IdentityKind, InboundOutcome, InboundRecord, LastChat, MAX_THREAD_IDS, Mailbox, OutboxEntry,
    OutboxLane, OutboxStatus, OutgoingMessage, Received, advance_delivery, bounded_error,
};
use crate::sqlite::{SqliteStorage, columns, doc, one_doc, open_case_on, store_exists, update_case_on};
use crate::{CaseUpdateFn, Conflict, StorageError, StoredChange, from_micros, micros};

pub(crate) fn parse_uuid(text: &str) -> Result<Uuid, StorageError> {
    text.parse().map_err(|e: uuid::Error| StorageError::Corrupt(e.to_string()))
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Inserts a received message; false when the store already has it.
fn insert_inbound(conn: &Connection, record: &InboundRecord) -> Result<bool, StorageError> {
    let inserted = conn
        .prepare_cached(
            "INSERT INTO inbound_messages (id, store_id, channel, provider_message_id, case_id, message_id, outcome,
                                           sender, received_at_us, raw)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (store_id, channel, provider_message_id) DO NOTHING",
        )?
        .execute(params![
            record.id.to_string(),
            record.store_id.to_string(),
            record.channel,
            record.provider_message_id,
            record.case_id.map(|id| id.to_string()),
            record.message_id.map(|id| id.to_string()),
            record.outcome.as_str(),
            record.sender,
            micros(record.received_at),
            record.raw
        ])?;
    Ok(inserted == 1)
}

pub(crate) fn insert_writes(conn: &Connection, writes: &ChannelWrites) -> Result<(), StorageError> {
    if let Some(record) = &writes.inbound
        && !insert_inbound(conn, record)?
    {
        return Err(Conflict::Duplicate("inbound message").into());
    }
    if let Some(entry) = &writes.outbox {
        conn.prepare_cached(
            "INSERT INTO outbox (id, store_id, case_id, message_id, channel, provider_message_id, status, attempts,
                                 next_attempt_at_us, created_at_us, doc)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            entry.id.to_string(),
            entry.store_id.to_string(),
            entry.case_message.map(|(case, _)| case.to_string()),
            entry.case_message.map(|(_, message)| message.to_string()),
            entry.channel,
            entry.provider_message_id,
            entry.status.as_str(),
            i64::from(entry.attempts),
            micros(entry.next_attempt_at),
            micros(entry.created_at),
            entry.message.to_json()?.to_string()
        ])?;
    }
    Ok(())
}

const OUTBOX_COLUMNS: &str = "id, store_id, case_id, message_id, channel, provider_message_id, status, attempts,
    next_attempt_at_us, last_error, created_at_us, sent_at_us, doc, delivered_as, delivery";

type OutboxRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
);

fn outbox_entry(row: OutboxRow) -> Result<OutboxEntry, StorageError> {
    let (
        id,
        store_id,
        case_id,
        message_id,
        channel,
        provider_message_id,
        status,
        attempts,
        next,
        error,
        created,
        sent,
        text,
        delivered_as,
        delivery,
    ) = row;
    Ok(OutboxEntry {
        id: parse_uuid(&id)?,
        store_id: StoreId::from_uuid(parse_uuid(&store_id)?),
        case_message: match (case_id, message_id) {
            (Some(case), Some(message)) => Some((
                CaseId::from_uuid(parse_uuid(&case)?),
                redress_domain::MessageId::from_uuid(parse_uuid(&message)?),
            )),
            _ => None,
        },
        provider_message_id,
        status: OutboxStatus::parse(&status)?,
        attempts: count(attempts),
        next_attempt_at: from_micros(next)?,
        last_error: error,
        created_at: from_micros(created)?,
        sent_at: sent.map(from_micros).transpose()?,
        delivered_as,
        delivery: delivery.as_deref().map(Delivery::parse).transpose()?,
        message: OutgoingMessage::from_json(&channel, doc(&text)?)?,
        channel,
    })
}

const MAILBOX_COLUMNS: &str = "store_id, sealed_url, shown_as, uid_validity, last_uid, next_poll_at_us,
    last_polled_at_us, last_error, messages_read";

type MailboxRow = (String, Vec<u8>, String, Option<i64>, Option<i64>, i64, Option<i64>, Option<String>, i64);

fn mailbox(row: MailboxRow) -> Result<Mailbox, StorageError> {
    let (store_id, sealed_url, shown_as, validity, last_uid, next, polled, last_error, read) = row;
    Ok(Mailbox {
        store_id: StoreId::from_uuid(parse_uuid(&store_id)?),
        sealed_url,
        shown_as,
        cursor: validity.zip(last_uid).map(|(v, u)| (count(v), count(u))),
        next_poll_at: from_micros(next)?,
        last_polled_at: polled.map(from_micros).transpose()?,
        last_error,
        messages_read: u64::try_from(read).unwrap_or(0),
    })
}

#[async_trait]
impl ChannelStorage for SqliteStorage {
    async fn set_support_addresses(
        &self,
        store_id: StoreId,
        addresses: &[EmailAddress],
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let addresses: Vec<String> = addresses.iter().map(|a| a.as_str().to_lowercase()).collect();
        self.write(move |conn| {
            store_exists(conn, store_id)?;
            conn.prepare_cached("DELETE FROM support_addresses WHERE store_id = ?1")?
                .execute([store_id.to_string()])?;
            for (position, address) in addresses.into_iter().enumerate() {
                let inserted = conn
                    .prepare_cached(
                        "INSERT INTO support_addresses (address, store_id, position, created_at_us) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT (address) DO NOTHING",
                    )?
                    .execute(params![address, store_id.to_string(), position as i64, micros(now)])?;
                if inserted == 0 {
                    return Err(Conflict::Duplicate("support address").into());
                }
            }
            Ok(())
        })
        .await
    }

    async fn support_addresses(&self, store_id: StoreId) -> Result<Vec<EmailAddress>, StorageError> {
        let texts: Vec<String> = self
            .read(move |conn| {
                let mut statement =
                    conn.prepare_cached("SELECT address FROM support_addresses WHERE store_id = ?1 ORDER BY position")?;
                let rows = statement.query_map([store_id.to_string()], |row| row.get(0))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await?;
        texts.iter().map(|t| EmailAddress::parse(t).map_err(|e| StorageError::Corrupt(e.to_string()))).collect()
    }

    async fn store_of_address(&self, address: &EmailAddress) -> Result<Option<StoreId>, StorageError> {
        let address = address.as_str().to_lowercase();
        let id: Option<String> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT store_id FROM support_addresses WHERE address = ?1")?
                    .query_row([address], |row| row.get(0))
                    .optional()?)
            })
            .await?;
        id.map(|id| parse_uuid(&id).map(StoreId::from_uuid)).transpose()
    }

    async fn add_channel_account(&self, account: &ChannelAccount, now: OffsetDateTime) -> Result<(), StorageError> {
        let account = account.clone();
        self.write(move |conn| {
            let store_id = account.store_id;
            store_exists(conn, store_id)?;
            conn.prepare_cached(
                "INSERT INTO channel_accounts (channel, account_id, store_id, created_at_us) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (channel, account_id) DO NOTHING",
            )?
            .execute(params![account.channel, account.account_id, store_id.to_string(), micros(now)])?;
            let owner: String = conn
                .prepare_cached("SELECT store_id FROM channel_accounts WHERE channel = ?1 AND account_id = ?2")?
                .query_row(params![account.channel, account.account_id], |row| row.get(0))?;
            if owner != store_id.to_string() {
                return Err(Conflict::Duplicate("account").into());
            }
            conn.prepare_cached(
                "UPDATE channel_accounts SET sealed_token = ?3, sealed_webhook_secret = ?4, human_agent = ?5
                 WHERE channel = ?1 AND account_id = ?2",
            )?
            .execute(params![
                account.channel,
                account.account_id,
                account.sealed_token,
                account.sealed_webhook_secret,
                account.human_agent
            ])?;
            Ok(())
        })
        .await
    }

    async fn channel_account(&self, channel: &str, account_id: &str) -> Result<Option<ChannelAccount>, StorageError> {
        let (channel, account_id) = (channel.to_owned(), account_id.to_owned());
        let row: Option<(String, Option<Vec<u8>>, Option<Vec<u8>>, bool)> = self
            .read({
                let (channel, account_id) = (channel.clone(), account_id.clone());
                move |conn| {
                    Ok(conn
                        .prepare_cached(
                            "SELECT store_id, sealed_token, sealed_webhook_secret, human_agent FROM channel_accounts
                             WHERE channel = ?1 AND account_id = ?2",
                        )?
                        .query_row(params![channel, account_id], |row| {
                            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                        })
                        .optional()?)
                }
            })
            .await?;
        row.map(|(store_id, sealed_token, sealed_webhook_secret, human_agent)| {
            Ok(ChannelAccount {
                store_id: StoreId::from_uuid(parse_uuid(&store_id)?),
                channel,
                account_id,
                sealed_token,
                sealed_webhook_secret,
                human_agent,
            })
        })
        .transpose()
    }

    async fn last_chat(&self, store_id: StoreId, case_id: CaseId) -> Result<Option<LastChat>, StorageError> {
        let row: Option<(String, Vec<u8>, i64)> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT channel, raw, received_at_us FROM inbound_messages
                         WHERE store_id = ?1 AND case_id = ?2 AND channel <> 'email'
                         ORDER BY received_at_us DESC LIMIT 1",
                    )?
                    .query_row(params![store_id.to_string(), case_id.to_string()], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .optional()?)
            })
            .await?;
        row.map(|(channel, raw, at)| Ok(LastChat { channel, raw, received_at: from_micros(at)? })).transpose()
    }

    async fn store_of_account(&self, channel: &str, account_id: &str) -> Result<Option<StoreId>, StorageError> {
        let (channel, account_id) = (channel.to_owned(), account_id.to_owned());
        let id: Option<String> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT store_id FROM channel_accounts WHERE channel = ?1 AND account_id = ?2")?
                    .query_row(params![channel, account_id], |row| row.get(0))
                    .optional()?)
            })
            .await?;
        id.map(|id| parse_uuid(&id).map(StoreId::from_uuid)).transpose()
    }

    async fn open_case_of_customer(
        &self,
        store_id: StoreId,
        customer_id: CustomerId,
    ) -> Result<Option<Case>, StorageError> {
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM cases WHERE store_id = ?1 AND customer_id = ?2 AND status NOT IN ('resolved', 'closed')
                 ORDER BY created_at_us DESC, id DESC LIMIT 1",
                params![store_id.to_string(), customer_id.to_string()],
            )
        })
        .await
    }

    async fn open_case_of_sender(
        &self,
        store_id: StoreId,
        channel: &str,
        sender: &str,
    ) -> Result<Option<Case>, StorageError> {
        let (channel, sender) = (channel.to_owned(), sender.to_owned());
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT c.doc FROM inbound_messages i JOIN cases c ON c.id = i.case_id AND c.store_id = i.store_id
                 WHERE i.store_id = ?1 AND i.channel = ?2 AND i.sender = ?3 AND c.status NOT IN ('resolved', 'closed')
                 ORDER BY i.received_at_us DESC LIMIT 1",
                params![store_id.to_string(), channel, sender],
            )
        })
        .await
    }

    async fn link_identity(
        &self,
        store_id: StoreId,
        identity: &ContactIdentity,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let identity = identity.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO contact_identities (store_id, kind, value, customer_id, created_at_us)
                 SELECT ?1, ?2, ?3, id, ?5 FROM customers WHERE store_id = ?1 AND id = ?4
                 ON CONFLICT (store_id, kind, value) DO NOTHING",
            )?
            .execute(params![
                store_id.to_string(),
                identity.kind.as_str(),
                identity.value,
                identity.customer_id.to_string(),
                micros(now)
            ])?;
            let owner: Option<String> = conn
                .prepare_cached(
                    "SELECT customer_id FROM contact_identities WHERE store_id = ?1 AND kind = ?2 AND value = ?3",
                )?
                .query_row(params![store_id.to_string(), identity.kind.as_str(), identity.value], |row| row.get(0))
                .optional()?;
            match owner {
                None => Err(StorageError::NotFound("customer")),
                Some(owner) if owner == identity.customer_id.to_string() => Ok(()),
                Some(_) => Err(Conflict::Duplicate("identity").into()),
            }
        })
        .await
    }

    async fn customer_of_identity(
        &self,
        store_id: StoreId,
        kind: IdentityKind,
        value: &str,
    ) -> Result<Option<CustomerId>, StorageError> {
        let value = value.to_owned();
        let id: Option<String> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT customer_id FROM contact_identities WHERE store_id = ?1 AND kind = ?2 AND value = ?3",
                    )?
                    .query_row(params![store_id.to_string(), kind.as_str(), value], |row| row.get(0))
                    .optional()?)
            })
            .await?;
        id.map(|id| parse_uuid(&id).map(CustomerId::from_uuid)).transpose()
    }

    async fn received(
        &self,
        store_id: StoreId,
        channel: &str,
        provider_message_id: &str,
    ) -> Result<Option<Received>, StorageError> {
        let (channel, provider_id) = (channel.to_owned(), provider_message_id.to_owned());
        let row: Option<(Option<String>, Option<String>, String)> = self
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT case_id, message_id, outcome FROM inbound_messages
                         WHERE store_id = ?1 AND channel = ?2 AND provider_message_id = ?3",
                    )?
                    .query_row(params![store_id.to_string(), channel, provider_id], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                    })
                    .optional()?)
            })
            .await?;
        row.map(|(case_id, message_id, outcome)| {
            Ok(Received {
                case_id: case_id.as_deref().map(parse_uuid).transpose()?.map(CaseId::from_uuid),
                message_id: message_id
                    .as_deref()
                    .map(parse_uuid)
                    .transpose()?
                    .map(redress_domain::MessageId::from_uuid),
                outcome: InboundOutcome::parse(&outcome)?,
            })
        })
        .transpose()
    }

    async fn record_inbound(&self, record: &InboundRecord) -> Result<bool, StorageError> {
        let record = record.clone();
        self.write(move |conn| insert_inbound(conn, &record)).await
    }

    async fn open_case_with(
        &self,
        new: NewCase,
        now: OffsetDateTime,
        writes: ChannelWrites,
    ) -> Result<StoredChange, StorageError> {
        self.write(move |conn| {
            let stored = open_case_on(conn, new, now)?;
            insert_writes(conn, &writes)?;
            Ok(stored)
        })
        .await
    }

    async fn update_case_with(
        &self,
        store_id: StoreId,
        id: CaseId,
        update: CaseUpdateFn,
        writes: ChannelWrites,
    ) -> Result<StoredChange, StorageError> {
        self.write(move |conn| {
            let stored = update_case_on(conn, store_id, id, update)?;
            insert_writes(conn, &writes)?;
            Ok(stored)
        })
        .await
    }

    async fn case_of_thread(&self, store_id: StoreId, ids: &[&str]) -> Result<Option<CaseId>, StorageError> {
        let ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
        let found: Option<String> = self
            .read(move |conn| {
                for id in ids {
                    let case: Option<String> = conn
                        .prepare_cached(
                            "SELECT case_id FROM inbound_messages
                             WHERE store_id = ?1 AND channel = 'email' AND provider_message_id = ?2 AND case_id IS NOT NULL
                             UNION ALL
                             SELECT case_id FROM outbox WHERE store_id = ?1 AND channel = 'email' AND provider_message_id = ?2
                             LIMIT 1",
                        )?
                        .query_row(params![store_id.to_string(), id], |row| row.get(0))
                        .optional()?;
                    if case.is_some() {
                        return Ok(case);
                    }
                }
                Ok(None)
            })
            .await?;
        found.map(|id| parse_uuid(&id).map(CaseId::from_uuid)).transpose()
    }

    async fn email_thread(&self, store_id: StoreId, case_id: CaseId) -> Result<EmailThread, StorageError> {
        self.read(move |conn| {
            let mut statement = conn.prepare_cached(
                "SELECT provider_message_id, inbound FROM (
                     SELECT provider_message_id, 1 AS inbound, received_at_us AS at FROM inbound_messages
                     WHERE store_id = ?1 AND case_id = ?2 AND channel = 'email'
                     UNION ALL
                     SELECT provider_message_id, 0, created_at_us FROM outbox
                     WHERE store_id = ?1 AND case_id = ?2 AND channel = 'email')
                 ORDER BY at DESC, inbound ASC LIMIT ?3",
            )?;
            let rows = statement
                .query_map(params![store_id.to_string(), case_id.to_string(), MAX_THREAD_IDS as i64], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let last_received = rows.iter().find(|(_, inbound)| *inbound == 1).map(|(id, _)| id.clone());
            Ok(EmailThread { ids: rows.into_iter().rev().map(|(id, _)| id).collect(), last_received })
        })
        .await
    }

    async fn case_by_number(&self, store_id: StoreId, number: CaseNumber) -> Result<Option<Case>, StorageError> {
        let number = i64::try_from(number.0).unwrap_or(i64::MAX);
        self.read(move |conn| {
            one_doc(
                conn,
                "SELECT doc FROM cases WHERE store_id = ?1 AND number = ?2",
                params![store_id.to_string(), number],
            )
        })
        .await
    }

    async fn claim_outbox(
        &self,
        lane: OutboxLane,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<OutboxEntry>, StorageError> {
        let rows = self
            .write(move |conn| {
                // The writer thread is the only writer: the rows selected are the rows updated.
                let sql = format!(
                    "UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at_us = ?2
                     WHERE id IN (SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at_us <= ?1
                                  AND {} ORDER BY next_attempt_at_us LIMIT ?3)
                     RETURNING {OUTBOX_COLUMNS}",
                    lane.condition()
                );
                let mut statement = conn.prepare_cached(&sql)?;
                let rows = statement
                    .query_map(params![micros(now), micros(now + lease), i64::from(limit)], columns::<OutboxRow>)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter().map(outbox_entry).collect()
    }

    async fn outbox_sent(&self, id: Uuid, now: OffsetDateTime, delivered_as: Option<&str>) -> Result<(), StorageError> {
        let delivered_as = delivered_as.map(str::to_owned);
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE outbox SET status = 'sent', sent_at_us = ?2, last_error = NULL,
                                   delivered_as = COALESCE(?3, delivered_as),
                                   delivery = CASE WHEN ?3 IS NULL THEN delivery ELSE COALESCE(delivery, 'sent') END
                 WHERE id = ?1 AND status = 'sending'",
            )?
            .execute(params![id.to_string(), micros(now), delivered_as])?;
            Ok(())
        })
        .await
    }

    async fn outbox_delivery(
        &self,
        channel: &str,
        key: &DeliveryKey,
        reported: Delivery,
        error: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let (channel, key, error) = (channel.to_owned(), key.clone(), error.map(bounded_error));
        self.write(move |conn| {
            let found: Option<(String, Option<String>)> = conn
                .prepare_cached(
                    "SELECT id, delivery FROM outbox WHERE channel = ?1 AND (delivered_as = ?2 OR id = ?3)
                     ORDER BY (delivered_as = ?2) DESC LIMIT 1",
                )?
                .query_row(params![channel, key.provider_id, key.entry_id.map(|id| id.to_string())], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })
                .optional()?;
            let Some((id, current)) = found else { return Ok(false) };
            let current = current.as_deref().map(Delivery::parse).transpose()?;
            let Some((status, delivery)) = advance_delivery(current, reported) else { return Ok(false) };
            conn.prepare_cached(
                "UPDATE outbox SET status = ?2, delivery = ?3, delivered_as = COALESCE(delivered_as, ?4),
                                   sent_at_us = COALESCE(sent_at_us, ?5),
                                   last_error = CASE WHEN ?2 = 'dead' THEN ?6 ELSE NULL END
                 WHERE id = ?1",
            )?
            .execute(params![
                id,
                status.as_str(),
                delivery.as_str(),
                key.provider_id,
                micros(now),
                error
            ])?;
            Ok(true)
        })
        .await
    }

    async fn outbox_failed(&self, id: Uuid, error: &str, retry_at: Option<OffsetDateTime>) -> Result<(), StorageError> {
        let error = bounded_error(error);
        self.write(move |conn| {
            let (status, next) = match retry_at {
                Some(at) => (OutboxStatus::Pending, Some(micros(at))),
                None => (OutboxStatus::Dead, None),
            };
            conn.prepare_cached(
                "UPDATE outbox SET status = ?2, last_error = ?3, next_attempt_at_us = COALESCE(?4, next_attempt_at_us)
                 WHERE id = ?1 AND status = 'sending'",
            )?
            .execute(params![id.to_string(), status.as_str(), error, next])?;
            Ok(())
        })
        .await
    }

    async fn retry_outbox(&self, store_id: StoreId, id: Uuid, now: OffsetDateTime) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at_us = ?3
                     WHERE store_id = ?1 AND id = ?2 AND status = 'dead'",
                )?
                .execute(params![store_id.to_string(), id.to_string(), micros(now)])?;
            Ok(changed == 1)
        })
        .await
    }

    async fn outbox(&self, store_id: StoreId, limit: u32) -> Result<Vec<OutboxEntry>, StorageError> {
        let rows = self
            .read(move |conn| {
                let sql = format!(
                    "SELECT {OUTBOX_COLUMNS} FROM outbox WHERE store_id = ?1 ORDER BY created_at_us DESC, id DESC LIMIT ?2"
                );
                let mut statement = conn.prepare_cached(&sql)?;
                let rows = statement
                    .query_map(params![store_id.to_string(), i64::from(limit)], columns::<OutboxRow>)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter().map(outbox_entry).collect()
    }

    async fn set_mailbox(
        &self,
        store_id: StoreId,
        sealed_url: &[u8],
        shown_as: &str,
        now: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let (sealed_url, shown_as) = (sealed_url.to_vec(), shown_as.to_owned());
        self.write(move |conn| {
            store_exists(conn, store_id)?;
            conn.prepare_cached(
                "INSERT INTO mailboxes (store_id, sealed_url, shown_as, next_poll_at_us) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (store_id) DO UPDATE SET sealed_url = excluded.sealed_url, shown_as = excluded.shown_as,
                     uid_validity = NULL, last_uid = NULL, next_poll_at_us = excluded.next_poll_at_us, last_error = NULL",
            )?
            .execute(params![store_id.to_string(), sealed_url, shown_as, micros(now)])?;
            Ok(())
        })
        .await
    }

    async fn mailbox(&self, store_id: StoreId) -> Result<Option<Mailbox>, StorageError> {
        let row = self
            .read(move |conn| {
                let sql = format!("SELECT {MAILBOX_COLUMNS} FROM mailboxes WHERE store_id = ?1");
                Ok(conn.prepare_cached(&sql)?.query_row([store_id.to_string()], columns::<MailboxRow>).optional()?)
            })
            .await?;
        row.map(mailbox).transpose()
    }

    async fn claim_mailboxes(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<Mailbox>, StorageError> {
        let rows = self
            .write(move |conn| {
                let sql = format!(
                    "UPDATE mailboxes SET next_poll_at_us = ?2
                     WHERE store_id IN (SELECT store_id FROM mailboxes WHERE next_poll_at_us <= ?1
                                        ORDER BY next_poll_at_us LIMIT ?3)
                     RETURNING {MAILBOX_COLUMNS}"
                );
                let mut statement = conn.prepare_cached(&sql)?;
                let rows = statement
                    .query_map(params![micros(now), micros(now + lease), i64::from(limit)], columns::<MailboxRow>)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter().map(mailbox).collect()
    }

    async fn mailbox_read_to(&self, store_id: StoreId, cursor: (u32, u32)) -> Result<(), StorageError> {
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE mailboxes SET uid_validity = ?2, last_uid = ?3, messages_read = messages_read + 1
                 WHERE store_id = ?1",
            )?
            .execute(params![store_id.to_string(), i64::from(cursor.0), i64::from(cursor.1)])?;
            Ok(())
        })
        .await
    }

    async fn mailbox_polled(
        &self,
        store_id: StoreId,
        now: OffsetDateTime,
        error: Option<&str>,
        next_poll_at: OffsetDateTime,
    ) -> Result<(), StorageError> {
        let error = error.map(bounded_error);
        self.write(move |conn| {
            conn.prepare_cached(
                "UPDATE mailboxes SET last_polled_at_us = ?2, last_error = ?3, next_poll_at_us = ?4 WHERE store_id = ?1",
            )?
            .execute(params![store_id.to_string(), micros(now), error, micros(next_poll_at)])?;
            Ok(())
        })
        .await
    }

    async fn record_dead_letter(&self, letter: &DeadLetter) -> Result<(), StorageError> {
        let letter = letter.clone();
        self.write(move |conn| {
            conn.prepare_cached(
                "INSERT INTO dead_letters (id, store_id, channel, reason, raw, received_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                letter.id.to_string(),
                letter.store_id.map(|id| id.to_string()),
                letter.channel,
                bounded_error(&letter.reason),
                letter.raw,
                micros(letter.received_at)
            ])?;
            Ok(())
        })
        .await
    }

    async fn dead_letter_raw(&self, store_id: StoreId, id: Uuid) -> Result<Option<(String, Vec<u8>)>, StorageError> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT channel, raw FROM dead_letters WHERE store_id = ?1 AND id = ?2")?
                .query_row(params![store_id.to_string(), id.to_string()], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        })
        .await
    }

    async fn remove_dead_letter(&self, store_id: StoreId, id: Uuid) -> Result<bool, StorageError> {
        self.write(move |conn| {
            let removed = conn
                .prepare_cached("DELETE FROM dead_letters WHERE store_id = ?1 AND id = ?2")?
                .execute(params![store_id.to_string(), id.to_string()])?;
            Ok(removed == 1)
        })
        .await
    }

    async fn dead_letters(&self, store_id: StoreId, limit: u32) -> Result<Vec<DeadLetterInfo>, StorageError> {
        let rows: Vec<(String, String, String, i64, i64)> = self
            .read(move |conn| {
                let mut statement = conn.prepare_cached(
                    "SELECT id, channel, reason, length(raw), received_at_us FROM dead_letters
                     WHERE store_id = ?1 ORDER BY received_at_us DESC, id DESC LIMIT ?2",
                )?;
                let rows = statement
                    .query_map(params![store_id.to_string(), i64::from(limit)], |row| {
                        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(id, channel, reason, size, at)| {
                Ok(DeadLetterInfo {
                    id: parse_uuid(&id)?,
                    channel,
                    reason,
                    size_bytes: u64::try_from(size).unwrap_or(0),
                    received_at: from_micros(at)?,
                })
            })
            .collect()
    }
}
