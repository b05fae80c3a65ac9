//! The agent's inbox: which cases to show and in what order. Cases that need someone come
//! first (new and open before those waiting on the customer or a third party, finished ones
//! last), then the most urgent priority, then the least time left before the first answer is
//! due, then the oldest.
//!
//! Storage narrows by the indexed columns (status, kind, assignee); the rest of the filter is
//! here, so both backends and the tests share one meaning.

use std::cmp::Ordering;

use time::{Duration, OffsetDateTime};

use crate::case::{Case, CaseStatus};
use crate::taxonomy::Channel;

/// What an agent narrows the inbox to, beyond what storage indexes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxFilter {
    /// Only cases in this language (primary subtag, e.g. `pl`).
    pub language: Option<String>,
    /// Only cases with (true) or without (false) escalation signals.
    pub escalated: Option<bool>,
    /// Only cases that came through this channel.
    pub channel: Option<Channel>,
    /// Only unassigned cases.
    pub unassigned: bool,
    /// Words that must all appear in the subject, the customer's email or the case number.
    pub search: Option<String>,
}

impl InboxFilter {
    /// True when `case` passes every part of the filter.
    pub fn matches(&self, case: &Case) -> bool {
        if let Some(language) = &self.language {
            let primary = case.language.as_str().split('-').next().unwrap_or_default();
            if !primary.eq_ignore_ascii_case(language) {
                return false;
            }
        }
        if self.escalated.is_some_and(|wanted| wanted == case.escalation.is_empty()) {
            return false;
        }
        if self.channel.is_some_and(|channel| channel != case.channel) {
            return false;
        }
        if self.unassigned && case.assignee.is_some() {
            return false;
        }
        match &self.search {
            Some(words) => {
                let haystack = format!(
                    "#{} {} {}",
                    case.number.0,
                    case.subject.to_lowercase(),
                    case.customer_email.as_ref().map(|e| e.as_str().to_lowercase()).unwrap_or_default()
                );
                words.to_lowercase().split_whitespace().all(|word| haystack.contains(word.trim_start_matches('#')))
            }
            None => true,
        }
    }
}

/// How much a status needs someone: lower comes first.
fn attention(status: CaseStatus) -> u8 {
    match status {
        CaseStatus::New | CaseStatus::Open => 0,
        CaseStatus::WaitingOnCustomer | CaseStatus::WaitingOnThirdParty => 1,
        CaseStatus::Resolved | CaseStatus::Closed => 2,
    }
}

/// The inbox order of two cases (see the module's documentation).
pub fn inbox_order(a: &Case, b: &Case) -> Ordering {
    attention(a.status)
        .cmp(&attention(b.status))
        .then_with(|| b.priority.cmp(&a.priority))
        .then_with(|| a.response_due_at.cmp(&b.response_due_at))
        .then_with(|| a.created_at.cmp(&b.created_at))
        .then_with(|| a.id.cmp(&b.id))
}

/// Sorts cases into inbox order.
pub fn rank(cases: &mut [Case]) {
    cases.sort_by(inbox_order);
}

/// Time left before the first answer is due (negative once overdue).
pub fn time_left(case: &Case, now: OffsetDateTime) -> Duration {
    case.response_due_at - now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::Priority;
    use crate::sample;

    fn case_with(status: CaseStatus, priority: Priority, due_minutes: i64) -> Case {
        let mut case = sample::case(crate::IssueKind::Other, OffsetDateTime::UNIX_EPOCH);
        case.status = status;
        case.priority = priority;
        case.response_due_at = case.created_at + Duration::minutes(due_minutes);
        case.id = crate::CaseId::from_uuid(uuid::Uuid::from_u128(due_minutes as u128 + priority as u128 * 1000));
        case
    }

    #[test]
    fn open_urgent_cases_with_least_time_left_come_first() {
        let mut cases = vec![
            case_with(CaseStatus::Resolved, Priority::Urgent, 1),
            case_with(CaseStatus::Open, Priority::Normal, 5),
            case_with(CaseStatus::WaitingOnCustomer, Priority::Urgent, 1),
            case_with(CaseStatus::New, Priority::High, 90),
            case_with(CaseStatus::Open, Priority::High, 30),
        ];
        rank(&mut cases);
        let order: Vec<_> = cases.iter().map(|c| (c.status, c.priority)).collect();
        assert_eq!(
            order,
            vec![
                (CaseStatus::Open, Priority::High),
                (CaseStatus::New, Priority::High),
                (CaseStatus::Open, Priority::Normal),
                (CaseStatus::WaitingOnCustomer, Priority::Urgent),
                (CaseStatus::Resolved, Priority::Urgent),
            ]
        );
    }

    #[test]
    fn filter_checks_language_escalation_channel_assignee_and_words() {
        let mut case = sample::case(crate::IssueKind::WrongCharge, OffsetDateTime::UNIX_EPOCH);
        case.subject = "Charged twice for my boots".to_owned();
        assert!(InboxFilter::default().matches(&case));
        let language = case.language.as_str().split('-').next().unwrap_or_default().to_owned();
        assert!(InboxFilter { language: Some(language.to_uppercase()), ..Default::default() }.matches(&case));
        assert!(!InboxFilter { language: Some("xx".into()), ..Default::default() }.matches(&case));
        assert!(!InboxFilter { escalated: Some(true), ..Default::default() }.matches(&case));
        assert!(InboxFilter { escalated: Some(false), ..Default::default() }.matches(&case));
        let other_channel = Channel::ALL.iter().copied().find(|c| *c != case.channel);
        assert!(!InboxFilter { channel: other_channel, ..Default::default() }.matches(&case));
        assert!(InboxFilter { search: Some("TWICE boots".into()), ..Default::default() }.matches(&case));
        assert!(!InboxFilter { search: Some("twice sandals".into()), ..Default::default() }.matches(&case));
        let number = format!("#{}", case.number.0);
        assert!(InboxFilter { search: Some(number), ..Default::default() }.matches(&case));
        case.assignee = Some(crate::case::Assignee {
            agent_id: crate::AgentId::from_uuid(uuid::Uuid::from_u128(5)),
            name: "Ana".into(),
        });
        assert!(!InboxFilter { unassigned: true, ..Default::default() }.matches(&case));
    }

    #[test]
    fn time_left_goes_negative_when_overdue() {
        let case = case_with(CaseStatus::Open, Priority::Normal, 60);
        assert_eq!(time_left(&case, case.created_at), Duration::minutes(60));
        assert_eq!(time_left(&case, case.created_at + Duration::minutes(90)), Duration::minutes(-30));
    }
}
