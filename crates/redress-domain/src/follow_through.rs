//! Following a case through: service targets on business hours, reminders, closing a case the
//! customer left, returns not sent, refunds not arrived, and the satisfaction survey.
//!
//! [`plan`] reads a case and its timeline and says where its service clocks stand
//! ([`SlaState`]) and which timers it needs ([`Timer`]): storage keeps them as rows, a worker
//! claims the due ones and carries each out with the change functions here. A timer is planned
//! again from the timeline every time the case changes, so a customer's answer (which ends the
//! wait) or a resolution (which stops the clock) drops the timers that no longer apply; one that
//! fired is recorded on the timeline and is never planned again.
//!
//! The first-answer clock runs from opening until a person answers. The resolution clock runs
//! while the case is new or open, pauses while it waits on the customer or a third party, and
//! stops when it is resolved or closed; a reopen starts it again where it stopped.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::business_hours::BusinessCalendar;
use crate::case::{Case, CaseChange, CaseError, CaseStatus};
use crate::message::{Direction, Message};
use crate::policy::{FollowUpRules, ServiceRules};
use crate::returns::ReturnStatus;
use crate::timeline::{Actor, CaseEvent, TimelineEntry};

/// Which service target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaTarget {
    /// The first answer from a person.
    FirstResponse,
    /// The resolution.
    Resolution,
}

/// A step Redress took on its own to follow a case up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStep {
    /// The customer was reminded that the case waits for their answer.
    Reminder,
    /// The customer did not answer: the case was closed.
    ClosedForSilence,
    /// The customer was reminded to send a return.
    ReturnReminder,
    /// A refund had not arrived after its expected date: the case was reopened.
    RefundOverdue,
    /// The customer was asked how it went.
    SurveySent,
    /// The customer was told a refund was sent (the subject is the refund).
    ToldRefundSent,
    /// The customer was told their return label is ready (the subject is the return).
    ToldLabelIssued,
    /// The customer was told the case is resolved.
    ToldResolved,
}

/// What a timer does when it comes due.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimerKind {
    /// Warn before a service deadline.
    Warning(SlaTarget),
    /// Escalate at a service deadline.
    Breach(SlaTarget),
    /// Remind a customer the case waits for them.
    Reminder,
    /// Close a case the customer left.
    CloseForSilence,
    /// Remind a customer to send a return (the subject is the return).
    ReturnReminder,
    /// Reopen a case whose refund has not arrived (the subject is the refund).
    RefundCheck,
    /// Ask how it went.
    Survey,
    /// Tell the customer a refund was sent (the subject is the refund).
    TellRefundSent,
    /// Tell the customer their return label is ready (the subject is the return).
    TellLabelIssued,
    /// Tell the customer the case is resolved (when no survey says it).
    TellResolved,
}

impl TimerKind {
    /// Every kind.
    pub const ALL: [TimerKind; 12] = [
        TimerKind::Warning(SlaTarget::FirstResponse),
        TimerKind::Breach(SlaTarget::FirstResponse),
        TimerKind::Warning(SlaTarget::Resolution),
        TimerKind::Breach(SlaTarget::Resolution),
        TimerKind::Reminder,
        TimerKind::CloseForSilence,
        TimerKind::ReturnReminder,
        TimerKind::RefundCheck,
        TimerKind::Survey,
        TimerKind::TellRefundSent,
        TimerKind::TellLabelIssued,
        TimerKind::TellResolved,
    ];

    /// How long after it came due a timer is still worth firing: news told days late (a case
    /// planned again long after its refund) would confuse more than help.
    pub fn stale_after(self) -> Option<time::Duration> {
        match self {
            TimerKind::TellRefundSent | TimerKind::TellLabelIssued | TimerKind::TellResolved => {
                Some(time::Duration::days(2))
            }
            _ => None,
        }
    }

    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            TimerKind::Warning(SlaTarget::FirstResponse) => "response_warning",
            TimerKind::Breach(SlaTarget::FirstResponse) => "response_breach",
            TimerKind::Warning(SlaTarget::Resolution) => "resolution_warning",
            TimerKind::Breach(SlaTarget::Resolution) => "resolution_breach",
            TimerKind::Reminder => "reminder",
            TimerKind::CloseForSilence => "close_for_silence",
            TimerKind::ReturnReminder => "return_reminder",
            TimerKind::RefundCheck => "refund_check",
            TimerKind::Survey => "survey",
            TimerKind::TellRefundSent => "tell_refund_sent",
            TimerKind::TellLabelIssued => "tell_label_issued",
            TimerKind::TellResolved => "tell_resolved",
        }
    }

    /// The kind of a stored name.
    pub fn parse(text: &str) -> Option<TimerKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A timer a case needs: what, when, and about what (a return or refund id; empty otherwise).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timer {
    /// What it does.
    pub kind: TimerKind,
    /// When.
    pub due_at: OffsetDateTime,
    /// The return or refund it is about; empty when about the case.
    pub subject: String,
}

/// Where a case's service clocks stand.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlaState {
    /// When the first answer is due.
    #[serde(with = "time::serde::rfc3339")]
    pub first_response_due_at: OffsetDateTime,
    /// When a person first answered.
    #[serde(with = "time::serde::rfc3339::option")]
    pub first_response_at: Option<OffsetDateTime>,
    /// When the resolution is due while the clock runs; none while paused or stopped.
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolution_due_at: Option<OffsetDateTime>,
    /// Business minutes left for the resolution (negative once over).
    pub resolution_minutes_left: i64,
    /// True while the case waits on the customer or a third party.
    pub paused: bool,
    /// When it was resolved or closed, while it is.
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    /// Whether the first answer came in time (none until it came or was late).
    pub first_response_met: Option<bool>,
    /// Whether the resolution came in time (none until resolved or late).
    pub resolution_met: Option<bool>,
}

/// What [`plan`] found: the clocks and the timers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowPlan {
    /// The service clocks.
    pub sla: SlaState,
    /// The timers the case needs now, in no particular order.
    pub timers: Vec<Timer>,
}

/// The last day's end of a date, in UTC: a refund expected "by 12 December" is late from the 13th.
fn end_of(day: time::Date) -> OffsetDateTime {
    day.next_day().unwrap_or(day).midnight().assume_utc()
}

/// Plans a case: its service clocks and the timers it needs (see the module's documentation).
pub fn plan(
    case: &Case,
    timeline: &[TimelineEntry],
    service: &ServiceRules,
    follow: &FollowUpRules,
    calendar: &BusinessCalendar,
) -> FollowPlan {
    let mut first_response_at = None;
    let mut status = CaseStatus::New;
    let mut since = case.created_at;
    let mut spent = 0i64;
    let mut done_at = None;
    let mut warned = BTreeMap::new();
    let mut breached = BTreeMap::new();
    let mut stepped: BTreeMap<(FollowUpStep, String), OffsetDateTime> = BTreeMap::new();
    let mut returns: BTreeMap<String, (ReturnStatus, OffsetDateTime)> = BTreeMap::new();
    let mut refunds: BTreeMap<String, Option<time::Date>> = BTreeMap::new();
    // News the customer hears of: refunds sent, labels issued (by id, when), and who resolved.
    let mut sent_refunds: BTreeMap<String, OffsetDateTime> = BTreeMap::new();
    let mut labels: BTreeMap<String, OffsetDateTime> = BTreeMap::new();
    let mut resolved_by_customer = false;
    let running = |s: CaseStatus| matches!(s, CaseStatus::New | CaseStatus::Open);
    for entry in timeline {
        match &entry.event {
            CaseEvent::MessageAdded { direction: Direction::Outbound, .. }
                if first_response_at.is_none() && entry.actor != Actor::System =>
            {
                first_response_at = Some(entry.at);
            }
            CaseEvent::StatusChanged { to, .. } => {
                if running(status) {
                    spent += calendar.minutes_between(since, entry.at);
                }
                status = *to;
                since = entry.at;
                done_at = to.is_done().then_some(entry.at);
                resolved_by_customer = matches!(entry.actor, Actor::Customer { .. } | Actor::Assistant { .. });
            }
            CaseEvent::SlaWarning { target, .. } => {
                warned.insert(*target, ());
            }
            CaseEvent::SlaBreached { target, .. } => {
                breached.insert(*target, ());
            }
            CaseEvent::FollowedUp { step, subject } => {
                stepped.insert((*step, subject.clone().unwrap_or_default()), entry.at);
            }
            CaseEvent::ReturnRequested { return_id, .. } => {
                returns.insert(return_id.to_string(), (ReturnStatus::Requested, entry.at));
            }
            CaseEvent::ReturnStatusChanged { return_id, to, .. } => {
                returns.insert(return_id.to_string(), (*to, entry.at));
                if *to == ReturnStatus::LabelIssued {
                    labels.insert(return_id.to_string(), entry.at);
                }
            }
            CaseEvent::RefundPending { refund_id, expected_by, .. } => {
                refunds.insert(refund_id.to_string(), Some(*expected_by));
            }
            CaseEvent::RefundSucceeded { refund_id, .. } => {
                refunds.insert(refund_id.to_string(), None);
                sent_refunds.insert(refund_id.to_string(), entry.at);
            }
            CaseEvent::RefundFailed { refund_id, .. } => {
                refunds.insert(refund_id.to_string(), None);
            }
            _ => {}
        }
    }
    let mut timers = Vec::new();
    // Whole microseconds, as timers are stored: a timer planned again from the same timeline
    // must equal the stored one, whatever the precision of the clock that wrote the entry.
    let mut timer = |kind, due_at: OffsetDateTime, subject: &str| {
        let due_at = due_at.replace_nanosecond(due_at.nanosecond() / 1_000 * 1_000).unwrap_or(due_at);
        timers.push(Timer { kind, due_at, subject: subject.to_owned() });
    };

    // First answer: from opening, on business hours.
    let response_target = service.first_response_target(case.kind, case.priority);
    let first_response_due_at = calendar.add_minutes(case.created_at, response_target);
    let first_response_met = match first_response_at {
        Some(at) => Some(at <= first_response_due_at),
        None => {
            let target = SlaTarget::FirstResponse;
            if !case.status.is_done() && !breached.contains_key(&target) {
                if !warned.contains_key(&target) && response_target > service.warn_before_minutes {
                    let warn_at = calendar.add_minutes(case.created_at, response_target - service.warn_before_minutes);
                    timer(TimerKind::Warning(target), warn_at, "");
                }
                timer(TimerKind::Breach(target), first_response_due_at, "");
            }
            breached.contains_key(&target).then_some(false)
        }
    };

    // Resolution: running while new or open, paused while waiting, stopped when done.
    let target = i64::from(service.resolution_target(case.kind, case.priority));
    let left = target - spent;
    let resolution_due_at =
        running(status).then(|| calendar.add_minutes(since, u32::try_from(left.max(0)).unwrap_or(0)));
    if let Some(due) = resolution_due_at
        && !breached.contains_key(&SlaTarget::Resolution)
    {
        let warn = i64::from(service.warn_before_minutes);
        if !warned.contains_key(&SlaTarget::Resolution) && left > warn {
            let warn_at = calendar.add_minutes(since, u32::try_from(left - warn).unwrap_or(0));
            timer(TimerKind::Warning(SlaTarget::Resolution), warn_at, "");
        }
        timer(TimerKind::Breach(SlaTarget::Resolution), due, "");
    }
    let resolution_met = if status.is_done() {
        Some(left >= 0 && !breached.contains_key(&SlaTarget::Resolution))
    } else {
        breached.contains_key(&SlaTarget::Resolution).then_some(false)
    };

    // Waiting on the customer: a reminder once per wait, then closing.
    if status == CaseStatus::WaitingOnCustomer {
        let reminded = stepped.get(&(FollowUpStep::Reminder, String::new())).is_some_and(|at| *at >= since);
        if !reminded {
            timer(TimerKind::Reminder, calendar.add_days(since, follow.remind_after_days), "");
        }
        timer(TimerKind::CloseForSilence, calendar.add_days(since, follow.close_after_days), "");
    }
    // Returns approved and not sent.
    for (return_id, (return_status, at)) in &returns {
        let waiting_to_send = matches!(return_status, ReturnStatus::Approved | ReturnStatus::LabelIssued);
        if waiting_to_send && !stepped.contains_key(&(FollowUpStep::ReturnReminder, return_id.clone())) {
            timer(TimerKind::ReturnReminder, calendar.add_days(*at, follow.return_send_within_days), return_id);
        }
    }
    // Refunds accepted by the provider and never confirmed.
    for (refund_id, expected_by) in &refunds {
        if let Some(day) = expected_by
            && !stepped.contains_key(&(FollowUpStep::RefundOverdue, refund_id.clone()))
        {
            let due = end_of(*day) + time::Duration::days(i64::from(follow.refund_grace_days));
            timer(TimerKind::RefundCheck, due, refund_id);
        }
    }
    // Resolved: ask once how it went.
    if status == CaseStatus::Resolved
        && follow.survey
        && !stepped.keys().any(|(step, _)| *step == FollowUpStep::SurveySent)
        && let Some(at) = done_at
    {
        timer(TimerKind::Survey, at, "");
    }
    // The customer hears the news on their channel, once each.
    if follow.tell_customers {
        for (refund_id, at) in &sent_refunds {
            if !stepped.contains_key(&(FollowUpStep::ToldRefundSent, refund_id.clone())) {
                timer(TimerKind::TellRefundSent, *at, refund_id);
            }
        }
        for (return_id, at) in &labels {
            if !stepped.contains_key(&(FollowUpStep::ToldLabelIssued, return_id.clone())) {
                timer(TimerKind::TellLabelIssued, *at, return_id);
            }
        }
        // Resolved by the shop: told, unless the survey says it; once per resolution.
        let told = stepped.get(&(FollowUpStep::ToldResolved, String::new())).is_some_and(|at| *at >= since);
        if status == CaseStatus::Resolved && !follow.survey && !resolved_by_customer && !told {
            timer(TimerKind::TellResolved, since, "");
        }
    }

    FollowPlan {
        sla: SlaState {
            first_response_due_at,
            first_response_at,
            resolution_due_at,
            resolution_minutes_left: left,
            paused: matches!(status, CaseStatus::WaitingOnCustomer | CaseStatus::WaitingOnThirdParty),
            resolved_at: done_at,
            first_response_met,
            resolution_met,
        },
        timers,
    }
}

/// A service deadline is near: recorded on the timeline for the team.
pub fn warn(case: &Case, target: SlaTarget, due_at: OffsetDateTime, now: OffsetDateTime) -> CaseChange {
    case.record(
        vec![TimelineEntry { at: now, actor: Actor::System, event: CaseEvent::SlaWarning { target, due_at } }],
        now,
    )
}

/// A service deadline passed: recorded, and the case raised one priority (a lead sees it at the
/// top of the inbox).
pub fn breach(case: &Case, target: SlaTarget, due_at: OffsetDateTime, now: OffsetDateTime) -> CaseChange {
    let mut entries =
        vec![TimelineEntry { at: now, actor: Actor::System, event: CaseEvent::SlaBreached { target, due_at } }];
    let mut change = case.record(Vec::new(), now);
    let raised = case.priority.raised();
    if raised != case.priority {
        entries.push(TimelineEntry {
            at: now,
            actor: Actor::System,
            event: CaseEvent::PriorityChanged { from: case.priority, to: raised },
        });
        change.case.priority = raised;
    }
    change.entries = entries;
    change
}

/// A follow-up step that writes to the customer: the message (written by Redress), the step
/// on the timeline, and for [`FollowUpStep::ClosedForSilence`] the case closed.
pub fn follow_up(
    case: &Case,
    step: FollowUpStep,
    subject: Option<String>,
    message: &Message,
    now: OffsetDateTime,
) -> Result<CaseChange, CaseError> {
    let mut change = case.add_message(message, now)?;
    change.entries.push(TimelineEntry {
        at: now,
        actor: Actor::System,
        event: CaseEvent::FollowedUp { step, subject },
    });
    if step == FollowUpStep::ClosedForSilence {
        change = change.moving_to(CaseStatus::Closed, &Actor::System, now);
    }
    Ok(change)
}

/// A refund has not arrived after its expected date: the case is reopened (if it was done)
/// with a note for the team, and the step recorded.
pub fn refund_overdue(case: &Case, refund_id: &str, note: &str, now: OffsetDateTime) -> Result<CaseChange, CaseError> {
    let mut change = case.add_note(note, &Actor::System, now)?;
    change.entries.push(TimelineEntry {
        at: now,
        actor: Actor::System,
        event: CaseEvent::FollowedUp { step: FollowUpStep::RefundOverdue, subject: Some(refund_id.to_owned()) },
    });
    Ok(change.moving_to(CaseStatus::Open, &Actor::System, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Priority;
    use crate::ids::MessageId;
    use crate::taxonomy::{Channel, IssueKind};
    use time::macros::datetime;

    /// Monday 7 December 2026, 10:00 UTC.
    const MONDAY: OffsetDateTime = datetime!(2026-12-07 10:00 UTC);

    fn case() -> Case {
        let mut case = crate::sample::case(IssueKind::OrderStatus, MONDAY);
        case.priority = Priority::Normal;
        case.status = CaseStatus::New;
        case
    }

    fn entry(at: OffsetDateTime, actor: Actor, event: CaseEvent) -> TimelineEntry {
        TimelineEntry { at, actor, event }
    }

    fn status(at: OffsetDateTime, from: CaseStatus, to: CaseStatus) -> TimelineEntry {
        entry(at, Actor::Agent { name: "maria".into() }, CaseEvent::StatusChanged { from, to })
    }

    fn planned(case: &Case, timeline: &[TimelineEntry]) -> FollowPlan {
        let service = ServiceRules::default();
        plan(case, timeline, &service, &FollowUpRules::default(), &service.calendar().unwrap())
    }

    fn kinds(plan: &FollowPlan) -> Vec<TimerKind> {
        let mut kinds: Vec<_> = plan.timers.iter().map(|t| t.kind).collect();
        kinds.sort();
        kinds
    }

    #[test]
    fn a_new_case_gets_warnings_and_deadlines_on_business_hours() {
        let plan = planned(&case(), &[]);
        // Normal: 8 business hours to answer, from Monday 10:00 to Tuesday 10:00.
        assert_eq!(plan.sla.first_response_due_at, datetime!(2026-12-08 10:00 UTC));
        // 40 business hours to resolve: Monday 10:00 + 5 working days.
        assert_eq!(plan.sla.resolution_due_at, Some(datetime!(2026-12-14 10:00 UTC)));
        let warning = plan.timers.iter().find(|t| t.kind == TimerKind::Warning(SlaTarget::FirstResponse)).unwrap();
        assert_eq!(warning.due_at, datetime!(2026-12-07 17:00 UTC), "an hour of business time before");
        assert_eq!(kinds(&plan).len(), 4);
    }

    #[test]
    fn an_answer_meets_the_first_target_and_waiting_pauses_the_resolution() {
        let mut case = case();
        let answered = MONDAY + time::Duration::hours(2);
        let timeline = vec![
            entry(
                answered,
                Actor::Agent { name: "maria".into() },
                CaseEvent::MessageAdded {
                    message_id: MessageId::from_uuid(uuid::Uuid::from_u128(1)),
                    direction: Direction::Outbound,
                    channel: Channel::Email,
                },
            ),
            status(answered, CaseStatus::New, CaseStatus::WaitingOnCustomer),
        ];
        case.status = CaseStatus::WaitingOnCustomer;
        let plan = planned(&case, &timeline);
        assert_eq!(plan.sla.first_response_met, Some(true));
        assert!(plan.sla.paused);
        assert_eq!(plan.sla.resolution_due_at, None);
        assert_eq!(plan.sla.resolution_minutes_left, 2400 - 120);
        assert_eq!(kinds(&plan), vec![TimerKind::Reminder, TimerKind::CloseForSilence]);
        let reminder = plan.timers.iter().find(|t| t.kind == TimerKind::Reminder).unwrap();
        assert_eq!(reminder.due_at, datetime!(2026-12-10 12:00 UTC), "three business days later");

        // The customer answers on Friday: the clock resumes with what was left.
        let back = datetime!(2026-12-11 09:00 UTC);
        let mut timeline = timeline;
        timeline.push(status(back, CaseStatus::WaitingOnCustomer, CaseStatus::Open));
        case.status = CaseStatus::Open;
        let plan = planned(&case, &timeline);
        assert!(!plan.sla.paused);
        // 2280 minutes left are four 8-hour days and 6 hours from Friday 09:00.
        assert_eq!(plan.sla.resolution_due_at, Some(datetime!(2026-12-17 15:00 UTC)));
    }

    #[test]
    fn a_breach_raises_the_priority_once_and_is_not_planned_again() {
        let case = case();
        let due = datetime!(2026-12-08 10:00 UTC);
        let change = breach(&case, SlaTarget::FirstResponse, due, due);
        assert_eq!(change.case.priority, Priority::High);
        assert!(matches!(change.entries[1].event, CaseEvent::PriorityChanged { to: Priority::High, .. }));
        let plan = planned(&change.case, &change.entries);
        assert!(plan.timers.iter().all(|t| !matches!(t.kind, TimerKind::Breach(SlaTarget::FirstResponse))));
        assert_eq!(plan.sla.first_response_met, Some(false));
        let mut urgent = case.clone();
        urgent.priority = Priority::Urgent;
        assert_eq!(breach(&urgent, SlaTarget::Resolution, due, due).entries.len(), 1);
    }

    #[test]
    fn the_customer_hears_of_a_refund_a_label_and_the_shops_resolution_once_each() {
        use crate::{Currency, Money, RefundId, ReturnId};
        let mut case = case();
        // A system clock's nanoseconds: the timer keeps the microseconds storage keeps.
        let sent = MONDAY + time::Duration::hours(1) + time::Duration::nanoseconds(123_456_789);
        let refund_id = RefundId::from_uuid(uuid::Uuid::from_u128(7));
        let return_id = ReturnId::from_uuid(uuid::Uuid::from_u128(8));
        let eur = Currency::from_code("EUR").unwrap();
        let mut timeline = vec![
            entry(
                sent,
                Actor::System,
                CaseEvent::RefundSucceeded {
                    refund_id,
                    amount: Money::new(1250, eur),
                    provider_reference: None,
                    expected_by: None,
                },
            ),
            entry(
                sent,
                Actor::Agent { name: "maria".into() },
                CaseEvent::ReturnStatusChanged {
                    return_id,
                    from: ReturnStatus::Approved,
                    to: ReturnStatus::LabelIssued,
                    amount: None,
                    note: None,
                },
            ),
        ];
        let tells = |plan: &FollowPlan| -> Vec<(TimerKind, String)> {
            let mut tells: Vec<_> = plan
                .timers
                .iter()
                .filter(|t| t.kind.stale_after().is_some())
                .map(|t| (t.kind, t.subject.clone()))
                .collect();
            tells.sort();
            tells
        };
        assert_eq!(
            tells(&planned(&case, &timeline)),
            vec![
                (TimerKind::TellRefundSent, refund_id.to_string()),
                (TimerKind::TellLabelIssued, return_id.to_string())
            ]
        );
        for (step, subject) in [
            (FollowUpStep::ToldRefundSent, refund_id.to_string()),
            (FollowUpStep::ToldLabelIssued, return_id.to_string()),
        ] {
            timeline.push(entry(sent, Actor::System, CaseEvent::FollowedUp { step, subject: Some(subject) }));
        }
        assert!(tells(&planned(&case, &timeline)).is_empty(), "each told once");
        let due = planned(&case, &timeline[..1]).timers.into_iter().find(|t| t.kind == TimerKind::TellRefundSent);
        assert_eq!(due.map(|t| t.due_at.nanosecond()), Some(123_456_000));

        // Resolved by the shop without a survey: told once; resolved by the customer: not told.
        let service = ServiceRules::default();
        let no_survey = FollowUpRules { survey: false, ..FollowUpRules::default() };
        let resolved = sent + time::Duration::hours(1);
        timeline.push(status(resolved, CaseStatus::Open, CaseStatus::Resolved));
        case.status = CaseStatus::Resolved;
        let plan = plan(&case, &timeline, &service, &no_survey, &service.calendar().unwrap());
        assert_eq!(tells(&plan), vec![(TimerKind::TellResolved, String::new())]);
        assert_eq!(tells(&planned(&case, &timeline)), vec![], "the survey's message says it");
        let mut by_customer = timeline.clone();
        by_customer.pop();
        by_customer.push(entry(
            resolved,
            Actor::Customer { handle: "ana@example.com".into() },
            CaseEvent::StatusChanged { from: CaseStatus::Open, to: CaseStatus::Resolved },
        ));
        let plan = super::plan(&case, &by_customer, &service, &no_survey, &service.calendar().unwrap());
        assert!(tells(&plan).is_empty(), "the customer knows what they did");
    }

    #[test]
    fn resolution_stops_the_clock_and_asks_once_how_it_went() {
        let mut case = case();
        let resolved = MONDAY + time::Duration::hours(3);
        let mut timeline = vec![status(resolved, CaseStatus::New, CaseStatus::Resolved)];
        case.status = CaseStatus::Resolved;
        let plan = planned(&case, &timeline);
        assert_eq!(plan.sla.resolution_met, Some(true));
        assert_eq!(plan.timers, vec![Timer { kind: TimerKind::Survey, due_at: resolved, subject: String::new() }]);
        timeline.push(entry(
            resolved,
            Actor::System,
            CaseEvent::FollowedUp { step: FollowUpStep::SurveySent, subject: None },
        ));
        assert!(planned(&case, &timeline).timers.is_empty());
    }

    #[test]
    fn closing_for_silence_closes_and_a_refund_overdue_reopens() {
        let mut case = case();
        case.status = CaseStatus::WaitingOnCustomer;
        let message = Message {
            id: MessageId::from_uuid(uuid::Uuid::from_u128(5)),
            store_id: case.store_id,
            case_id: case.id,
            direction: Direction::Outbound,
            channel: case.channel,
            author: Actor::System,
            body: "We are closing this case.".into(),
            attachments: vec![],
            created_at: MONDAY,
        };
        let change = follow_up(&case, FollowUpStep::ClosedForSilence, None, &message, MONDAY).unwrap();
        assert_eq!(change.case.status, CaseStatus::Closed);
        let reopened = refund_overdue(&change.case, "r1", "The refund has not arrived.", MONDAY).unwrap();
        assert_eq!(reopened.case.status, CaseStatus::Open);
        assert!(reopened.entries.iter().any(|e| matches!(e.event, CaseEvent::Reopened { .. })));
    }

    #[test]
    fn timer_kinds_round_trip() {
        for kind in TimerKind::ALL {
            assert_eq!(TimerKind::parse(kind.as_str()), Some(kind));
        }
    }
}
