//! Following cases through on SQLite. The writer thread is the only writer, so a claim is one
//! update and a fire one batch of statements on its connection.

use async_trait::async_trait;
use redress_domain::follow_through::{SlaState, Timer};
use redress_domain::{CaseId, StoreId};
use rusqlite::{Connection, OptionalExtension, params};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::channels::ChannelWrites;
use crate::channels_sqlite::parse_uuid;
use crate::follow_through::{
    CURSOR_OVERLAP, ChangedCase, FollowThroughStorage, SlaCounts, SurveyRecord, TimerRow, count, timer_kind,
};
use crate::sqlite::{SqliteStorage, columns, doc, update_case_on};
use crate::{CaseUpdateFn, Conflict, StorageError, StoredChange, from_micros, micros};

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

const TIMER_COLUMNS: &str = "id, store_id, case_id, kind, subject, due_at_us, attempts";

type RawTimer = (String, String, String, String, String, i64, i64);

fn timer_of(raw: RawTimer) -> Result<TimerRow, StorageError> {
    let (id, store_id, case_id, kind, subject, due_at, attempts) = raw;
    Ok(TimerRow {
        id: parse_uuid(&id)?,
        store_id: StoreId::from_uuid(parse_uuid(&store_id)?),
        case_id: CaseId::from_uuid(parse_uuid(&case_id)?),
        timer: Timer { kind: timer_kind(&kind)?, due_at: from_micros(due_at)?, subject },
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
    })
}

const SURVEY_COLUMNS: &str =
    "case_id, store_id, sent_at_us, agent, kind, channel, language, score, comment, answered_at_us";

type RawSurvey =
    (String, String, i64, Option<String>, String, String, String, Option<i64>, Option<String>, Option<i64>);

fn survey_of(raw: RawSurvey) -> Result<SurveyRecord, StorageError> {
    let (case_id, store_id, sent_at, agent, kind, channel, language, score, comment, answered_at) = raw;
    Ok(SurveyRecord {
        case_id: CaseId::from_uuid(parse_uuid(&case_id)?),
        store_id: StoreId::from_uuid(parse_uuid(&store_id)?),
        sent_at: from_micros(sent_at)?,
        agent,
        kind,
        channel,
        language,
        score: score.map(|s| u8::try_from(s).unwrap_or(0)),
        comment,
        answered_at: answered_at.map(from_micros).transpose()?,
    })
}

/// Marks a claimed timer done; false when the claim is no longer this one.
fn finish(conn: &Connection, timer: &TimerRow, now: OffsetDateTime) -> Result<bool, StorageError> {
    let done = conn
        .prepare_cached(
            "UPDATE follow_timers SET status = 'done', fired_at_us = ?2 WHERE id = ?1 AND status = 'claimed' AND attempts = ?3",
        )?
        .execute(params![timer.id.to_string(), micros(now), i64::from(timer.attempts)])?;
    Ok(done == 1)
}

#[async_trait]
impl FollowThroughStorage for SqliteStorage {
    async fn changed_cases(&self, after: i64, limit: u32) -> Result<(Vec<ChangedCase>, i64), StorageError> {
        self.read(move |conn| {
            let newest: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM timeline", [], |r| r.get(0))?;
            let rows = conn
                .prepare_cached(
                    "SELECT t.store_id, t.case_id, MAX(t.seq) AS last FROM timeline t
                     JOIN cases c ON c.id = t.case_id
                     LEFT JOIN follow_cases f ON f.case_id = t.case_id
                     WHERE t.seq > ?1 AND t.seq <= ?2 AND (f.version IS NULL OR f.version < c.version)
                     GROUP BY t.store_id, t.case_id ORDER BY last LIMIT ?3",
                )?
                .query_map(params![after - CURSOR_OVERLAP, newest, i64::from(limit)], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            let changed = rows
                .into_iter()
                .map(|(store, case, seq)| {
                    Ok(ChangedCase {
                        store_id: StoreId::from_uuid(parse_uuid(&store)?),
                        case_id: CaseId::from_uuid(parse_uuid(&case)?),
                        seq,
                    })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok((changed, newest))
        })
        .await
    }

    async fn cursor(&self) -> Result<i64, StorageError> {
        self.read(|conn| Ok(conn.query_row("SELECT seq FROM follow_cursor WHERE id = 1", [], |r| r.get(0))?)).await
    }

    async fn advance_cursor(&self, seq: i64) -> Result<(), StorageError> {
        self.write(move |conn| {
            conn.prepare_cached("UPDATE follow_cursor SET seq = MAX(seq, ?1) WHERE id = 1")?.execute([seq])?;
            Ok(())
        })
        .await
    }

    async fn save_plan(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        case_version: u64,
        sla: &SlaState,
        timers: &[Timer],
        now: OffsetDateTime,
    ) -> Result<bool, StorageError> {
        let sla_doc = serde_json::to_string(sla)?;
        let (response_met, resolution_met) = (sla.first_response_met, sla.resolution_met);
        let timers = timers.to_vec();
        self.write(move |conn| {
            let stored: Option<i64> = conn
                .prepare_cached("SELECT version FROM follow_cases WHERE case_id = ?1")?
                .query_row([case_id.to_string()], |r| r.get(0))
                .optional()?;
            if stored.is_some_and(|v| v >= version(case_version)) {
                return Ok(false);
            }
            conn.prepare_cached(
                "INSERT INTO follow_cases (case_id, store_id, version, first_response_met, resolution_met, planned_at_us, doc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (case_id) DO UPDATE SET version = excluded.version,
                     first_response_met = excluded.first_response_met, resolution_met = excluded.resolution_met,
                     planned_at_us = excluded.planned_at_us, doc = excluded.doc",
            )?
            .execute(params![
                case_id.to_string(),
                store_id.to_string(),
                version(case_version),
                response_met,
                resolution_met,
                micros(now),
                sla_doc
            ])?;
            conn.prepare_cached("DELETE FROM follow_timers WHERE case_id = ?1 AND status = 'pending'")?
                .execute([case_id.to_string()])?;
            let mut insert = conn.prepare_cached(
                "INSERT INTO follow_timers (id, store_id, case_id, kind, subject, due_at_us, status, next_at_us)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'pending', ?6)
                 ON CONFLICT (case_id, kind, subject, due_at_us) DO NOTHING",
            )?;
            for timer in &timers {
                insert.execute(params![
                    Uuid::now_v7().to_string(),
                    store_id.to_string(),
                    case_id.to_string(),
                    timer.kind.as_str(),
                    timer.subject,
                    micros(timer.due_at)
                ])?;
            }
            Ok(true)
        })
        .await
    }

    async fn claim_timers(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<TimerRow>, StorageError> {
        let rows = self
            .write(move |conn| {
                let sql = format!(
                    "UPDATE follow_timers SET status = 'claimed', attempts = attempts + 1, next_at_us = ?2
                     WHERE id IN (SELECT id FROM follow_timers WHERE status IN ('pending', 'claimed') AND next_at_us <= ?1
                                  ORDER BY next_at_us LIMIT ?3)
                     RETURNING {TIMER_COLUMNS}"
                );
                let rows = conn
                    .prepare_cached(&sql)?
                    .query_map(params![micros(now), micros(now + lease), i64::from(limit)], columns::<RawTimer>)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter().map(timer_of).collect()
    }

    async fn fire(
        &self,
        timer: &TimerRow,
        update: CaseUpdateFn,
        writes: ChannelWrites,
        survey: Option<SurveyRecord>,
        now: OffsetDateTime,
    ) -> Result<StoredChange, StorageError> {
        let timer = timer.clone();
        self.write(move |conn| {
            if !finish(conn, &timer, now)? {
                return Err(Conflict::ChangedMeanwhile("timer").into());
            }
            let stored = update_case_on(conn, timer.store_id, timer.case_id, update)?;
            crate::channels_sqlite::insert_writes(conn, &writes)?;
            if let Some(survey) = survey {
                conn.prepare_cached(
                    "INSERT INTO surveys (case_id, store_id, sent_at_us, agent, kind, channel, language)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![
                    survey.case_id.to_string(),
                    survey.store_id.to_string(),
                    micros(survey.sent_at),
                    survey.agent,
                    survey.kind,
                    survey.channel,
                    survey.language
                ])?;
            }
            Ok(stored)
        })
        .await
    }

    async fn drop_timer(&self, timer: &TimerRow, now: OffsetDateTime) -> Result<(), StorageError> {
        let timer = timer.clone();
        self.write(move |conn| finish(conn, &timer, now).map(|_| ())).await
    }

    async fn pending_timers(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<TimerRow>, StorageError> {
        let rows = self
            .read(move |conn| {
                let sql = format!(
                    "SELECT {TIMER_COLUMNS} FROM follow_timers
                     WHERE store_id = ?1 AND case_id = ?2 AND status <> 'done' ORDER BY due_at_us"
                );
                let rows = conn
                    .prepare_cached(&sql)?
                    .query_map([store_id.to_string(), case_id.to_string()], columns::<RawTimer>)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter().map(timer_of).collect()
    }

    async fn sla_of_cases(&self, store_id: StoreId, ids: &[CaseId]) -> Result<Vec<(CaseId, SlaState)>, StorageError> {
        let ids = ids.to_vec();
        self.read(move |conn| {
            let mut statement =
                conn.prepare_cached("SELECT doc FROM follow_cases WHERE store_id = ?1 AND case_id = ?2")?;
            let mut found = Vec::new();
            for id in ids {
                let text: Option<String> =
                    statement.query_row([store_id.to_string(), id.to_string()], |r| r.get(0)).optional()?;
                if let Some(text) = text {
                    found.push((id, doc(&text)?));
                }
            }
            Ok(found)
        })
        .await
    }

    async fn sla_counts(&self, store_id: StoreId) -> Result<SlaCounts, StorageError> {
        self.read(move |conn| {
            let row = conn.query_row(
                "SELECT COUNT(*), COUNT(first_response_met), COALESCE(SUM(first_response_met), 0),
                        COUNT(resolution_met), COALESCE(SUM(resolution_met), 0)
                 FROM follow_cases WHERE store_id = ?1",
                [store_id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )?;
            Ok(SlaCounts {
                cases: count(row.0),
                first_response_judged: count(row.1),
                first_response_met: count(row.2),
                resolution_judged: count(row.3),
                resolution_met: count(row.4),
            })
        })
        .await
    }

    async fn survey(&self, store_id: StoreId, case_id: CaseId) -> Result<Option<SurveyRecord>, StorageError> {
        let raw = self
            .read(move |conn| {
                let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE store_id = ?1 AND case_id = ?2");
                Ok(conn
                    .prepare_cached(&sql)?
                    .query_row([store_id.to_string(), case_id.to_string()], columns::<RawSurvey>)
                    .optional()?)
            })
            .await?;
        raw.map(survey_of).transpose()
    }

    async fn answer_survey(
        &self,
        store_id: StoreId,
        case_id: CaseId,
        score: u8,
        comment: Option<String>,
        now: OffsetDateTime,
        update: CaseUpdateFn,
    ) -> Result<StoredChange, StorageError> {
        self.write(move |conn| {
            let answered = conn
                .prepare_cached(
                    "UPDATE surveys SET score = ?3, comment = ?4, answered_at_us = ?5
                     WHERE store_id = ?1 AND case_id = ?2 AND score IS NULL",
                )?
                .execute(params![store_id.to_string(), case_id.to_string(), i64::from(score), comment, micros(now)])?;
            if answered != 1 {
                return Err(Conflict::Duplicate("survey answer").into());
            }
            update_case_on(conn, store_id, case_id, update)
        })
        .await
    }

    async fn answered_surveys(&self, store_id: StoreId) -> Result<Vec<SurveyRecord>, StorageError> {
        let rows = self
            .read(move |conn| {
                let sql = format!(
                    "SELECT {SURVEY_COLUMNS} FROM surveys WHERE store_id = ?1 AND score IS NOT NULL ORDER BY answered_at_us"
                );
                let rows = conn
                    .prepare_cached(&sql)?
                    .query_map([store_id.to_string()], columns::<RawSurvey>)?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter().map(survey_of).collect()
    }
}
