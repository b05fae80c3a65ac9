//! Following cases through on PostgreSQL. Claims skip rows another server has locked, so two
//! servers claiming at once take different timers; a fire re-checks its claim inside the
//! transaction that changes the case.

use async_trait::async_trait;
use redress_domain::follow_through::{SlaState, Timer};
use redress_domain::{CaseId, StoreId};
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::channels::ChannelWrites;
use crate::follow_through::{
    CURSOR_OVERLAP, ChangedCase, FollowThroughStorage, SlaCounts, SurveyRecord, TimerRow, count, timer_kind,
};
use crate::postgres::{PostgresStorage, from_doc, update_case_on};
use crate::{CaseUpdateFn, Conflict, StorageError, StoredChange, from_micros, micros};

fn version(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

macro_rules! timer_columns {
    () => {
        "id, store_id, case_id, kind, subject, due_at_us, attempts"
    };
}

fn timer_of(row: &PgRow) -> Result<TimerRow, StorageError> {
    Ok(TimerRow {
        id: row.try_get(0)?,
        store_id: StoreId::from_uuid(row.try_get(1)?),
        case_id: CaseId::from_uuid(row.try_get(2)?),
        timer: Timer {
            kind: timer_kind(row.try_get(3)?)?,
            due_at: from_micros(row.try_get(5)?)?,
            subject: row.try_get(4)?,
        },
        attempts: u32::try_from(row.try_get::<i32, _>(6)?).unwrap_or(u32::MAX),
    })
}

macro_rules! survey_columns {
    () => {
        "case_id, store_id, sent_at_us, agent, kind, channel, language, score, comment, answered_at_us"
    };
}

fn survey_of(row: &PgRow) -> Result<SurveyRecord, StorageError> {
    Ok(SurveyRecord {
        case_id: CaseId::from_uuid(row.try_get(0)?),
        store_id: StoreId::from_uuid(row.try_get(1)?),
        sent_at: from_micros(row.try_get(2)?)?,
        agent: row.try_get(3)?,
        kind: row.try_get(4)?,
        channel: row.try_get(5)?,
        language: row.try_get(6)?,
        score: row.try_get::<Option<i32>, _>(7)?.map(|s| u8::try_from(s).unwrap_or(0)),
        comment: row.try_get(8)?,
        answered_at: row.try_get::<Option<i64>, _>(9)?.map(from_micros).transpose()?,
    })
}

/// Marks a claimed timer done; false when the claim is no longer this one.
async fn finish(
    tx: &mut Transaction<'_, Postgres>,
    timer: &TimerRow,
    now: OffsetDateTime,
) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "UPDATE follow_timers SET status = 'done', fired_at_us = $2 WHERE id = $1 AND status = 'claimed' AND attempts = $3",
    )
    .bind(timer.id)
    .bind(micros(now))
    .bind(i32::try_from(timer.attempts).unwrap_or(i32::MAX))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[async_trait]
impl FollowThroughStorage for PostgresStorage {
    async fn changed_cases(&self, after: i64, limit: u32) -> Result<(Vec<ChangedCase>, i64), StorageError> {
        let newest: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM timeline").fetch_one(&self.pool).await?;
        let rows = sqlx::query(
            "SELECT t.store_id, t.case_id, MAX(t.seq) AS last FROM timeline t
             JOIN cases c ON c.id = t.case_id
             LEFT JOIN follow_cases f ON f.case_id = t.case_id
             WHERE t.seq > $1 AND t.seq <= $2 AND (f.version IS NULL OR f.version < c.version)
             GROUP BY t.store_id, t.case_id ORDER BY last LIMIT $3",
        )
        .bind(after - CURSOR_OVERLAP)
        .bind(newest)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let changed = rows
            .iter()
            .map(|row| {
                Ok(ChangedCase {
                    store_id: StoreId::from_uuid(row.try_get(0)?),
                    case_id: CaseId::from_uuid(row.try_get(1)?),
                    seq: row.try_get(2)?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok((changed, newest))
    }

    async fn cursor(&self) -> Result<i64, StorageError> {
        Ok(sqlx::query_scalar("SELECT seq FROM follow_cursor WHERE id = 1").fetch_one(&self.pool).await?)
    }

    async fn advance_cursor(&self, seq: i64) -> Result<(), StorageError> {
        sqlx::query("UPDATE follow_cursor SET seq = GREATEST(seq, $1) WHERE id = 1")
            .bind(seq)
            .execute(&self.pool)
            .await?;
        Ok(())
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
        let mut tx = self.pool.begin().await?;
        // Planning the same case on two servers: the newer version wins, the other waits here.
        let saved = sqlx::query(
            "INSERT INTO follow_cases (case_id, store_id, version, first_response_met, resolution_met, planned_at_us, doc)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (case_id) DO UPDATE SET version = EXCLUDED.version,
                 first_response_met = EXCLUDED.first_response_met, resolution_met = EXCLUDED.resolution_met,
                 planned_at_us = EXCLUDED.planned_at_us, doc = EXCLUDED.doc
             WHERE follow_cases.version < EXCLUDED.version",
        )
        .bind(case_id.as_uuid())
        .bind(store_id.as_uuid())
        .bind(version(case_version))
        .bind(sla.first_response_met)
        .bind(sla.resolution_met)
        .bind(micros(now))
        .bind(Json(sla))
        .execute(&mut *tx)
        .await?;
        if saved.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM follow_timers WHERE case_id = $1 AND status = 'pending'")
            .bind(case_id.as_uuid())
            .execute(&mut *tx)
            .await?;
        for timer in timers {
            sqlx::query(
                "INSERT INTO follow_timers (id, store_id, case_id, kind, subject, due_at_us, status, next_at_us)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $6)
                 ON CONFLICT (case_id, kind, subject, due_at_us) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(store_id.as_uuid())
            .bind(case_id.as_uuid())
            .bind(timer.kind.as_str())
            .bind(&timer.subject)
            .bind(micros(timer.due_at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn claim_timers(
        &self,
        now: OffsetDateTime,
        lease: Duration,
        limit: u32,
    ) -> Result<Vec<TimerRow>, StorageError> {
        // SKIP LOCKED: two servers claiming at once take different timers.
        let sql = concat!(
            "UPDATE follow_timers SET status = 'claimed', attempts = attempts + 1, next_at_us = $2
             WHERE id IN (SELECT id FROM follow_timers WHERE status IN ('pending', 'claimed') AND next_at_us <= $1
                          ORDER BY next_at_us LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING ",
            timer_columns!()
        );
        let rows = sqlx::query(sql)
            .bind(micros(now))
            .bind(micros(now + lease))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(timer_of).collect()
    }

    async fn fire(
        &self,
        timer: &TimerRow,
        update: CaseUpdateFn,
        writes: ChannelWrites,
        survey: Option<SurveyRecord>,
        now: OffsetDateTime,
    ) -> Result<StoredChange, StorageError> {
        let mut tx = self.pool.begin().await?;
        if !finish(&mut tx, timer, now).await? {
            return Err(Conflict::ChangedMeanwhile("timer").into());
        }
        let stored = update_case_on(&mut tx, timer.store_id, timer.case_id, update).await?;
        crate::channels_postgres::insert_writes(&mut tx, &writes).await?;
        if let Some(survey) = survey {
            sqlx::query(
                "INSERT INTO surveys (case_id, store_id, sent_at_us, agent, kind, channel, language)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(survey.case_id.as_uuid())
            .bind(survey.store_id.as_uuid())
            .bind(micros(survey.sent_at))
            .bind(&survey.agent)
            .bind(&survey.kind)
            .bind(&survey.channel)
            .bind(&survey.language)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn drop_timer(&self, timer: &TimerRow, now: OffsetDateTime) -> Result<(), StorageError> {
        let mut tx = self.pool.begin().await?;
        finish(&mut tx, timer, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pending_timers(&self, store_id: StoreId, case_id: CaseId) -> Result<Vec<TimerRow>, StorageError> {
        let sql = concat!(
            "SELECT ",
            timer_columns!(),
            " FROM follow_timers WHERE store_id = $1 AND case_id = $2 AND status <> 'done' ORDER BY due_at_us"
        );
        let rows = sqlx::query(sql).bind(store_id.as_uuid()).bind(case_id.as_uuid()).fetch_all(&self.pool).await?;
        rows.iter().map(timer_of).collect()
    }

    async fn sla_of_cases(&self, store_id: StoreId, ids: &[CaseId]) -> Result<Vec<(CaseId, SlaState)>, StorageError> {
        let uuids: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
        let rows = sqlx::query("SELECT case_id, doc FROM follow_cases WHERE store_id = $1 AND case_id = ANY($2)")
            .bind(store_id.as_uuid())
            .bind(&uuids)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|row| Ok((CaseId::from_uuid(row.try_get(0)?), from_doc(row.try_get(1)?)?))).collect()
    }

    async fn sla_counts(&self, store_id: StoreId) -> Result<SlaCounts, StorageError> {
        let row = sqlx::query(
            "SELECT COUNT(*), COUNT(first_response_met), COUNT(*) FILTER (WHERE first_response_met),
                    COUNT(resolution_met), COUNT(*) FILTER (WHERE resolution_met)
             FROM follow_cases WHERE store_id = $1",
        )
        .bind(store_id.as_uuid())
        .fetch_one(&self.pool)
        .await?;
        Ok(SlaCounts {
            cases: count(row.try_get(0)?),
            first_response_judged: count(row.try_get(1)?),
            first_response_met: count(row.try_get(2)?),
            resolution_judged: count(row.try_get(3)?),
            resolution_met: count(row.try_get(4)?),
        })
    }

    async fn survey(&self, store_id: StoreId, case_id: CaseId) -> Result<Option<SurveyRecord>, StorageError> {
        let sql = concat!("SELECT ", survey_columns!(), " FROM surveys WHERE store_id = $1 AND case_id = $2");
        let row = sqlx::query(sql).bind(store_id.as_uuid()).bind(case_id.as_uuid()).fetch_optional(&self.pool).await?;
        row.as_ref().map(survey_of).transpose()
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
        let mut tx = self.pool.begin().await?;
        let answered = sqlx::query(
            "UPDATE surveys SET score = $3, comment = $4, answered_at_us = $5
             WHERE store_id = $1 AND case_id = $2 AND score IS NULL",
        )
        .bind(store_id.as_uuid())
        .bind(case_id.as_uuid())
        .bind(i32::from(score))
        .bind(comment)
        .bind(micros(now))
        .execute(&mut *tx)
        .await?;
        if answered.rows_affected() != 1 {
            return Err(Conflict::Duplicate("survey answer").into());
        }
        let stored = update_case_on(&mut tx, store_id, case_id, update).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn answered_surveys(&self, store_id: StoreId) -> Result<Vec<SurveyRecord>, StorageError> {
        let sql = concat!(
            "SELECT ",
            survey_columns!(),
            " FROM surveys WHERE store_id = $1 AND score IS NOT NULL ORDER BY answered_at_us"
        );
        let rows = sqlx::query(sql).bind(store_id.as_uuid()).fetch_all(&self.pool).await?;
        rows.iter().map(survey_of).collect()
    }
}
