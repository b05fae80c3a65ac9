//! The agent's inbox: what an agent narrows it to. Cases that need someone come first (new and
//! open before those waiting on the customer or a third party, finished ones last), then the
//! most urgent priority, then the least time left before the first answer is due, then the
//! oldest; storage ranks, counts and searches in SQL (`redress_storage::search`), so the order
//! holds over every case of a store, not a loaded part of them.

use time::{Duration, OffsetDateTime};

use crate::case::Case;
use crate::taxonomy::Channel;

/// What an agent narrows the inbox to, beyond status, kind and assignee.
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
    /// Words that must all be found in the subject or the customer's email (typos forgiven),
    /// or the case number.
    pub search: Option<String>,
}

/// Time left before the first answer is due (negative once overdue).
pub fn time_left(case: &Case, now: OffsetDateTime) -> Duration {
    case.response_due_at - now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{CaseStatus, Priority};
    use crate::sample;

    fn case_with(status: CaseStatus, priority: Priority, due_minutes: i64) -> Case {
        let mut case = sample::case(crate::IssueKind::Other, OffsetDateTime::UNIX_EPOCH);
        case.status = status;
        case.priority = priority;
        case.response_due_at = case.created_at + Duration::minutes(due_minutes);
        case
    }

    #[test]
    fn time_left_goes_negative_when_overdue() {
        let case = case_with(CaseStatus::Open, Priority::Normal, 60);
        assert_eq!(time_left(&case, case.created_at), Duration::minutes(60));
        assert_eq!(time_left(&case, case.created_at + Duration::minutes(90)), Duration::minutes(-30));
    }
}
