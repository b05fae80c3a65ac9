//! Following cases through: service targets on business hours, reminders, closing cases the
//! customer left, returns not sent, refunds not arrived, satisfaction surveys, and the reports.
//!
//! [`run_due`] is one round of the worker, and what tests call with a [`crate::clock::ManualClock`]:
//! it plans the cases whose timeline moved (from a cursor kept in the database), claims the
//! timers due (as the outbox is claimed: one server at a time, a lapsed claim taken again),
//! re-plans each timer's case to see the timer still applies, and fires it in the transaction
//! of its case change. [`spawn_worker`] runs rounds beside the server.

use std::collections::BTreeMap;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use redress_domain::follow_through::{self, FollowUpStep, SlaState, TimerKind};
use redress_domain::message::{Direction, Message};
use redress_domain::timeline::{Actor, CaseEvent, TimelineEntry};
use redress_domain::{Case, CaseId, CaseStatus, MessageId, StoreId};
use redress_storage::CaseUpdate;
use redress_storage::channels::ChannelWrites;
use redress_storage::follow_through::{SurveyRecord, TimerRow};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::{Duration, OffsetDateTime};

use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult};
use crate::{App, new_id};

/// Cases planned per query of the timeline.
const PLAN_BATCH: u32 = 200;
/// Timers claimed per round.
const FIRE_BATCH: u32 = 50;
/// How long a claim lasts: longer than a fire can take.
const LEASE: Duration = Duration::minutes(2);
/// The lowest score that does not reopen a case.
const LOW_SCORE: u8 = 2;

/// What one round did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundReport {
    /// Cases planned.
    pub planned: u32,
    /// Timers fired.
    pub fired: u32,
    /// Timers that no longer applied.
    pub dropped: u32,
}

/// The store's rules and calendar, and a case's timeline: what planning reads.
async fn plan_of(app: &App, case: &Case) -> AppResult<(follow_through::FollowPlan, Vec<TimelineEntry>)> {
    let policy = crate::resolution::policy_in_force(app, case.store_id).await?;
    let calendar = policy.service.calendar().map_err(AppError::from)?;
    let timeline: Vec<TimelineEntry> =
        app.storage().timeline(case.store_id, case.id).await?.into_iter().map(|r| r.entry).collect();
    let plan = follow_through::plan(case, &timeline, &policy.service, &policy.follow_up, &calendar);
    Ok((plan, timeline))
}

/// Plans one case and stores the plan.
async fn plan_case(app: &App, store_id: StoreId, case_id: CaseId) -> AppResult<()> {
    let case = app.storage().case(store_id, case_id).await?;
    let (plan, _) = plan_of(app, &case).await?;
    app.storage()
        .follow_through()
        .save_plan(store_id, case_id, case.version, &plan.sla, &plan.timers, app.now())
        .await?;
    Ok(())
}

/// Plans every case whose timeline moved since the cursor, and moves the cursor on.
pub async fn plan_changed(app: &App) -> AppResult<u32> {
    let store = app.storage().follow_through();
    let mut planned = 0;
    loop {
        let cursor = store.cursor().await?;
        let (changed, newest) = store.changed_cases(cursor, PLAN_BATCH).await?;
        for case in &changed {
            if let Err(e) = plan_case(app, case.store_id, case.case_id).await {
                tracing::warn!(case = %case.case_id, error = %e.message, "a case could not be planned");
            }
        }
        planned += u32::try_from(changed.len()).unwrap_or(u32::MAX);
        let full = changed.len() >= PLAN_BATCH as usize;
        let reached = if full { changed.last().map_or(newest, |c| c.seq) } else { newest };
        store.advance_cursor(reached).await?;
        if !full {
            return Ok(planned);
        }
    }
}

/// One round at `now`: plan what changed, fire what is due, plan what the fires changed.
pub async fn run_due(app: &App, now: OffsetDateTime) -> AppResult<RoundReport> {
    let mut report = RoundReport { planned: plan_changed(app).await?, ..RoundReport::default() };
    let claimed = app.storage().follow_through().claim_timers(now, LEASE, FIRE_BATCH).await?;
    for timer in claimed {
        match fire_one(app, &timer, now).await {
            Ok(true) => report.fired += 1,
            Ok(false) => report.dropped += 1,
            // Left claimed: taken again when the claim lapses, and planned afresh then.
            Err(e) => tracing::warn!(timer = %timer.id, error = %e.message, "a timer could not fire"),
        }
    }
    report.planned += plan_changed(app).await?;
    Ok(report)
}

/// Runs [`run_due`] every `every` until aborted, on the application's clock.
pub fn spawn_worker(app: Arc<App>, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = run_due(&app, app.now()).await {
                tracing::warn!(error = %e.message, "following cases through failed; trying again");
            }
            tokio::time::sleep(every).await;
        }
    })
}

/// A message Redress writes to the customer on the case's channel.
fn system_message(case: &Case, body: String, now: OffsetDateTime) -> Message {
    Message {
        id: new_id(MessageId::from_uuid),
        store_id: case.store_id,
        case_id: case.id,
        direction: Direction::Outbound,
        channel: case.channel,
        author: Actor::System,
        body,
        attachments: Vec::new(),
        created_at: now,
    }
}

/// Fires one claimed timer; false when it no longer applies (dropped).
async fn fire_one(app: &App, row: &TimerRow, now: OffsetDateTime) -> AppResult<bool> {
    let storage = app.storage();
    let case = storage.case(row.store_id, row.case_id).await?;
    let (plan, timeline) = plan_of(app, &case).await?;
    let stale = row.timer.kind.stale_after().is_some_and(|late| now - row.timer.due_at > late);
    if !plan.timers.contains(&row.timer) || stale {
        storage.follow_through().drop_timer(row, now).await?;
        return Ok(false);
    }
    let planned_version = case.version;
    let due_at = row.timer.due_at;
    let subject = (!row.timer.subject.is_empty()).then(|| row.timer.subject.clone());
    let store = storage.store(case.store_id).await?;
    let number = case.number.to_string();
    let language = case.language.as_str();
    let words =
        |id: &str, link: Option<&str>| redress_text::replies::follow_up(language, id, &number, &store.name, link);
    // News told with the way back to the order in the portal, signed for the customer.
    let with_portal = |text: String| {
        let link = app.order_link(&store, case.order_id);
        format!("{text}\n\n{}", words("follow-portal-link", Some(&link)))
    };
    let mut survey = None;
    let (message, step) = match row.timer.kind {
        TimerKind::Warning(_) | TimerKind::Breach(_) | TimerKind::RefundCheck => (None, None),
        TimerKind::Reminder => (Some(words("follow-reminder", None)), Some(FollowUpStep::Reminder)),
        TimerKind::CloseForSilence => (Some(words("follow-closed", None)), Some(FollowUpStep::ClosedForSilence)),
        TimerKind::ReturnReminder => (Some(words("follow-return-reminder", None)), Some(FollowUpStep::ReturnReminder)),
        TimerKind::Survey => {
            survey = Some(SurveyRecord {
                case_id: case.id,
                store_id: case.store_id,
                sent_at: now,
                agent: case.assignee.as_ref().map(|a| a.name.clone()),
                kind: case.kind.to_string(),
                channel: case.channel.as_str().to_owned(),
                language: case.language.to_string(),
                score: None,
                comment: None,
                answered_at: None,
            });
            let link = app.public_link(&survey_link(app, &store.slug.to_string(), case.id));
            let text = format!("{}\n\n{}", words("follow-resolved", None), words("follow-survey", Some(&link)));
            (Some(text), Some(FollowUpStep::SurveySent))
        }
        TimerKind::TellRefundSent => {
            let refund_id = row.timer.subject.as_str();
            let sent = timeline.iter().rev().find_map(|entry| match &entry.event {
                CaseEvent::RefundSucceeded { refund_id: id, amount, expected_by, .. }
                    if id.to_string() == refund_id =>
                {
                    Some((*amount, *expected_by))
                }
                _ => None,
            });
            let Some((amount, expected_by)) = sent else {
                storage.follow_through().drop_timer(row, now).await?;
                return Ok(false);
            };
            let amount = redress_text::replies::format_money(&amount, language);
            let mut values =
                vec![("case", number.as_str()), ("shop", store.name.as_str()), ("amount", amount.as_str())];
            let date = expected_by.map(|day| redress_text::replies::format_date(day, language));
            let id = match &date {
                Some(date) => {
                    values.push(("date", date));
                    "follow-refund-sent-by"
                }
                None => "follow-refund-sent",
            };
            let text = redress_text::replies::follow_up_with(language, id, &values);
            (Some(with_portal(text)), Some(FollowUpStep::ToldRefundSent))
        }
        TimerKind::TellLabelIssued => {
            (Some(with_portal(words("follow-label-issued", None))), Some(FollowUpStep::ToldLabelIssued))
        }
        TimerKind::TellResolved => {
            (Some(with_portal(words("follow-resolved", None))), Some(FollowUpStep::ToldResolved))
        }
    };
    let message = message.map(|body| system_message(&case, body, now));
    let writes = match &message {
        Some(message) => crate::channels::outbound_writes(app, &case, message.id, &message.body, true).await?,
        None => ChannelWrites::default(),
    };
    let sends_mail = writes.outbox.is_some();
    let kind = row.timer.kind;
    let update = move |current: &Case| {
        if current.version != planned_version {
            return Err(redress_domain::CaseError::NoChange("changed while the timer fired".into()));
        }
        let change = match (kind, step, &message) {
            (TimerKind::Warning(target), ..) => follow_through::warn(current, target, due_at, now),
            (TimerKind::Breach(target), ..) => follow_through::breach(current, target, due_at, now),
            (TimerKind::RefundCheck, ..) => {
                let note = format!(
                    "The refund {} was expected by {} and is not confirmed: check it with the payment provider and the customer.",
                    subject.as_deref().unwrap_or_default(),
                    due_at.date()
                );
                follow_through::refund_overdue(current, subject.as_deref().unwrap_or_default(), &note, now)?
            }
            (_, Some(step), Some(message)) => follow_through::follow_up(current, step, subject, message, now)?,
            _ => return Err(redress_domain::CaseError::NoChange("nothing to do".into())),
        };
        Ok(CaseUpdate { change, message })
    };
    storage.follow_through().fire(row, Box::new(update), writes, survey, now).await?;
    if sends_mail {
        app.wake_outbox();
    }
    Ok(true)
}

type HmacSha256 = Hmac<Sha256>;

/// The MAC of a case's survey link, under the application's link key.
fn survey_mac(app: &App, case_id: CaseId) -> HmacSha256 {
    // The key is 32 bytes, which HMAC always accepts.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(app.link_key()).unwrap_or_else(|_| unreachable!());
    mac.update(b"survey\0");
    mac.update(case_id.to_string().as_bytes());
    mac
}

/// The signature of a case's survey link.
fn survey_signature(app: &App, case_id: CaseId) -> String {
    hex::encode(survey_mac(app, case_id).finalize().into_bytes())
}

/// The portal path of a case's survey, signed: no sign-in needed, nothing to guess.
pub fn survey_link(app: &App, store_slug: &str, case_id: CaseId) -> String {
    format!("/s/{store_slug}/survey/{case_id}?sig={}", survey_signature(app, case_id))
}

/// True when `signature` is the survey link's for the case (compared in constant time).
fn signature_holds(app: &App, case_id: CaseId, signature: &str) -> bool {
    let Ok(given) = hex::decode(signature) else { return false };
    survey_mac(app, case_id).verify_slice(&given).is_ok()
}

/// A survey as the portal shows it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SurveyView {
    /// The case number, `#1042`.
    pub case_number: String,
    /// The customer's language.
    pub language: String,
    /// True once answered.
    pub answered: bool,
}

/// The survey of a case, for whoever holds its signed link.
pub async fn survey(app: &App, store_id: StoreId, case_id: CaseId, signature: &str) -> AppResult<SurveyView> {
    if !signature_holds(app, case_id, signature) {
        return Err(AppError::not_found("survey"));
    }
    let record =
        app.storage().follow_through().survey(store_id, case_id).await?.ok_or_else(|| AppError::not_found("survey"))?;
    let case = app.storage().case(store_id, case_id).await?;
    Ok(SurveyView { case_number: case.number.to_string(), language: record.language, answered: record.score.is_some() })
}

/// Records the answer to a case's survey, once; a low score reopens the case for a lead.
pub async fn answer_survey(
    app: &App,
    store_id: StoreId,
    case_id: CaseId,
    signature: &str,
    score: u8,
    comment: Option<String>,
) -> AppResult<()> {
    survey(app, store_id, case_id, signature).await?;
    if !(1..=5).contains(&score) {
        return Err(AppError::invalid("score", "give a score from 1 to 5"));
    }
    let comment = comment.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        return Err(AppError::invalid("comment", "say it in at most 2000 characters"));
    }
    let now = app.now();
    let event_comment = comment.clone();
    let update = move |case: &Case| {
        let answered = TimelineEntry {
            at: now,
            actor: Actor::Customer {
                handle: case.customer_email.as_ref().map_or_else(|| "customer".to_owned(), ToString::to_string),
            },
            event: CaseEvent::SurveyAnswered { score, comment: event_comment },
        };
        let mut change = case.record(vec![answered], now);
        if score <= LOW_SCORE {
            change = change.moving_to(CaseStatus::Open, &Actor::System, now);
            change.case.priority = change.case.priority.raised();
        }
        Ok(CaseUpdate { change, message: None })
    };
    // A second answer is refused as a duplicate: one answer per case.
    app.storage().follow_through().answer_survey(store_id, case_id, score, comment, now, Box::new(update)).await?;
    Ok(())
}

/// Share of targets met, in percent (none when nothing was judged).
fn percent(met: u64, judged: u64) -> Option<f64> {
    (judged > 0).then(|| (met as f64 * 1000.0 / judged as f64).round() / 10.0)
}

/// Satisfaction over one group: answers and the mean score.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Csat {
    /// Answers.
    pub answers: u64,
    /// Mean score, 1 to 5.
    pub mean: f64,
    /// Share of answers scoring 4 or 5, in percent.
    pub satisfied_pct: f64,
}

/// A store's follow-through report: service targets met, and satisfaction by group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowThroughReport {
    /// Cases with planned service clocks.
    pub cases: u64,
    /// First answers in time, in percent of those judged; absent when none was.
    pub first_response_met_pct: Option<f64>,
    /// First answers judged.
    pub first_response_judged: u64,
    /// Resolutions in time, in percent of those judged; absent when none was.
    pub resolution_met_pct: Option<f64>,
    /// Resolutions judged.
    pub resolution_judged: u64,
    /// Satisfaction over every answer.
    pub csat: Csat,
    /// … per agent who had the case (`unassigned` for none).
    pub csat_by_agent: BTreeMap<String, Csat>,
    /// … per issue kind.
    pub csat_by_kind: BTreeMap<String, Csat>,
    /// … per channel.
    pub csat_by_channel: BTreeMap<String, Csat>,
    /// … per customer language.
    pub csat_by_language: BTreeMap<String, Csat>,
}

/// Adds up scores into [`Csat`].
fn csat<'a>(scores: impl Iterator<Item = &'a u8>) -> Csat {
    let (mut answers, mut sum, mut satisfied) = (0u64, 0u64, 0u64);
    for score in scores {
        answers += 1;
        sum += u64::from(*score);
        satisfied += u64::from(*score >= 4);
    }
    Csat {
        answers,
        mean: if answers == 0 { 0.0 } else { (sum as f64 * 100.0 / answers as f64).round() / 100.0 },
        satisfied_pct: percent(satisfied, answers).unwrap_or(0.0),
    }
}

/// The store's follow-through report.
pub async fn report(app: &App, caller: &Caller) -> AppResult<FollowThroughReport> {
    let store_id = caller.require(Action::Read)?;
    crate::cases::staff_only(caller)?;
    let counts = app.storage().follow_through().sla_counts(store_id).await?;
    let surveys = app.storage().follow_through().answered_surveys(store_id).await?;
    let scored: Vec<(&SurveyRecord, u8)> = surveys.iter().filter_map(|s| s.score.map(|score| (s, score))).collect();
    let by = |key: fn(&SurveyRecord) -> String| {
        let mut groups: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for (survey, score) in &scored {
            groups.entry(key(survey)).or_default().push(*score);
        }
        groups.into_iter().map(|(k, v)| (k, csat(v.iter()))).collect::<BTreeMap<_, _>>()
    };
    Ok(FollowThroughReport {
        cases: counts.cases,
        first_response_met_pct: percent(counts.first_response_met, counts.first_response_judged),
        first_response_judged: counts.first_response_judged,
        resolution_met_pct: percent(counts.resolution_met, counts.resolution_judged),
        resolution_judged: counts.resolution_judged,
        csat: csat(scored.iter().map(|(_, s)| s)),
        csat_by_agent: by(|s| s.agent.clone().unwrap_or_else(|| "unassigned".to_owned())),
        csat_by_kind: by(|s| s.kind.clone()),
        csat_by_channel: by(|s| s.channel.clone()),
        csat_by_language: by(|s| s.language.clone()),
    })
}

/// The planned service clocks of cases (for the inbox's time left); cases not planned yet are
/// left out.
pub async fn clocks(app: &App, caller: &Caller, ids: &[CaseId]) -> AppResult<BTreeMap<CaseId, SlaState>> {
    let store_id = caller.require(Action::Read)?;
    crate::cases::staff_only(caller)?;
    Ok(app.storage().follow_through().sla_of_cases(store_id, ids).await?.into_iter().collect())
}

/// The time left before a case's next service deadline at `now` (negative once over), or none
/// when no clock runs.
pub fn time_left(sla: &SlaState, now: OffsetDateTime) -> Option<Duration> {
    let response = sla.first_response_at.is_none().then_some(sla.first_response_due_at);
    let due = match (response, sla.resolution_due_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    due.filter(|_| sla.resolved_at.is_none()).map(|due| due - now)
}
