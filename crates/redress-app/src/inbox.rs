//! The desk inbox: every case of a store passing the agent's filters, ranked and counted by
//! storage (`redress_storage::search`), and a search that forgives typos.
//!
//! Typos: the search index matches words exactly (as prefixes). When a search finds nothing,
//! each word the index does not know is corrected against the index's vocabulary: the words
//! sharing its first two letters within one edit (two for words of six letters or more,
//! adjacent letters swapped counting as one), and searched for beside the word as typed. So
//! "chargd twce" finds "charged twice". A typo in the first two letters is not corrected: the
//! vocabulary is read by prefix so that correcting costs a few hundred words, not a million.

use redress_domain::inbox::InboxFilter;
use redress_domain::{AgentId, Case, CaseNumber, CaseStatus, IssueKind};
use redress_storage::search::{InboxQuery, search_words};
use redress_text::help::osa_distance;

use crate::App;
use crate::caller::{Action, Caller};
use crate::cases::staff_only;
use crate::error::AppResult;

/// Most cases one inbox page shows.
pub const MAX_PAGE: u32 = 200;

/// Most vocabulary words read to correct one word.
const CANDIDATES: u32 = 5000;

/// Most corrections searched for one word.
const MAX_CORRECTIONS: usize = 5;

/// What the inbox shows: status, kind, assignee and the rest of the filter.
#[derive(Clone, Debug, Default)]
pub struct InboxRequest {
    /// Only these statuses (any when empty).
    pub statuses: Vec<CaseStatus>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only cases of this team member.
    pub assignee: Option<AgentId>,
    /// The rest: language, escalation, channel, nobody assigned, words.
    pub filter: InboxFilter,
    /// How many cases to show (at most [`MAX_PAGE`]).
    pub limit: u32,
}

/// The first cases of the inbox and how many pass its filters.
#[derive(Clone, Debug, Default)]
pub struct Inbox {
    /// The first cases, most in need of someone first.
    pub cases: Vec<Case>,
    /// How many cases pass the filters in all.
    pub total: u64,
}

/// The inbox: the first cases passing the filters, ranked by what needs someone first, then
/// priority, then the least time left, then age, among all of the store's cases; and how many
/// pass in all.
pub async fn inbox(app: &App, caller: &Caller, request: InboxRequest) -> AppResult<Inbox> {
    let store_id = caller.require(Action::Read)?;
    staff_only(caller)?;
    let text = request.filter.search.as_deref().unwrap_or_default().trim();
    let words = search_words(text);
    let mut query = InboxQuery {
        statuses: request.statuses,
        kind: request.kind,
        assignee: request.assignee,
        unassigned: request.filter.unassigned,
        language: request.filter.language,
        escalated: request.filter.escalated,
        channel: request.filter.channel,
        words: words.iter().map(|word| vec![word.clone()]).collect(),
        number: text.trim_start_matches('#').parse::<u64>().ok().map(CaseNumber),
        limit: request.limit.clamp(1, MAX_PAGE),
    };
    let search = app.storage().search();
    let page = search.inbox(store_id, &query).await?;
    if page.total > 0 || words.is_empty() {
        return Ok(Inbox { cases: page.cases, total: page.total });
    }
    let mut corrected = false;
    for group in &mut query.words {
        let spellings = corrections(app, &group[0]).await?;
        corrected |= !spellings.is_empty();
        group.extend(spellings);
    }
    if !corrected {
        return Ok(Inbox { cases: page.cases, total: page.total });
    }
    let page = search.inbox(store_id, &query).await?;
    Ok(Inbox { cases: page.cases, total: page.total })
}

/// The vocabulary's nearest spellings of a word it does not know (see the module's
/// documentation); none for a word it knows, a short word or one with digits.
async fn corrections(app: &App, word: &str) -> AppResult<Vec<String>> {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 || !chars.iter().all(|c| c.is_alphabetic()) {
        return Ok(Vec::new());
    }
    let search = app.storage().search();
    if !search.words_starting(word, 1).await?.is_empty() {
        return Ok(Vec::new());
    }
    let prefix: String = chars.iter().take(2).collect();
    let vocabulary = search.words_starting(&prefix, CANDIDATES).await?;
    Ok(nearest(&chars, &vocabulary))
}

/// The words of `vocabulary` nearest to `word`, within the allowed edits.
fn nearest(word: &[char], vocabulary: &[String]) -> Vec<String> {
    let allowed = if word.len() >= 6 { 2 } else { 1 };
    let mut near: Vec<(usize, &String)> = vocabulary
        .iter()
        .filter_map(|candidate| {
            let other: Vec<char> = candidate.chars().collect();
            let distance = osa_distance(word, &other);
            (distance <= allowed).then_some((distance, candidate))
        })
        .collect();
    let Some(best) = near.iter().map(|(distance, _)| *distance).min() else {
        return Vec::new();
    };
    near.retain(|(distance, _)| *distance == best);
    near.into_iter().take(MAX_CORRECTIONS).map(|(_, candidate)| candidate.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn the_nearest_words_within_the_allowed_edits_are_the_corrections() {
        let chars = |w: &str| w.chars().collect::<Vec<_>>();
        let vocabulary = words(&["chair", "charge", "charged", "charges", "check"]);
        assert_eq!(nearest(&chars("chargd"), &vocabulary), words(&["charge", "charged"]), "every nearest word");
        assert_eq!(nearest(&chars("twce"), &words(&["twice", "two", "twenty"])), words(&["twice"]));
        assert_eq!(nearest(&chars("chiar"), &vocabulary), words(&["chair"]));
        assert!(nearest(&chars("zzzz"), &vocabulary).is_empty());
    }
}
