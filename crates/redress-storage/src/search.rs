//! The desk inbox at any size: every one of a store's cases ranked, counted and searched in SQL,
//! reached through [`crate::Storage::search`].
//!
//! - **Ranking** reads generated columns (migration `0014_desk_search.sql`): what needs someone
//!   first (new and open, then waiting, then finished), then the most urgent priority, then the
//!   least time before the first answer is due, then the oldest. Each filter has an index that
//!   ends in that order, so a page is read in order from an index and never sorted.
//! - **The count** is a sum over `case_counts`, which triggers keep per combination of the
//!   filtered columns; only a search counts matching rows.
//! - **Search** is an index query (SQLite FTS5, PostgreSQL `tsvector` with GIN) over the subject
//!   and the customer's address, every word a prefix. Typo tolerance is not in the index: when a
//!   search finds nothing, the application corrects each word against the index's vocabulary
//!   ([`SearchStorage::words_starting`]) and searches again. We chose that over trigram
//!   similarity because a word's trigrams are shared by a large part of a million subjects
//!   ("  t", "ed "), so a similarity query reads most of the index, whereas an exact word query
//!   reads only its matches and a vocabulary look-up reads a few hundred words; and it works the
//!   same way on both backends (FTS5's trigram tokenizer matches substrings, not near words).

use async_trait::async_trait;
use redress_domain::{AgentId, Case, CaseNumber, CaseStatus, Channel, IssueKind, Order, StoreId};
use uuid::Uuid;

use crate::StorageError;

/// Most words of a search that are used.
pub const MAX_SEARCH_WORDS: usize = 8;

/// Longest word of a search that is used, in characters.
const MAX_WORD_CHARS: usize = 40;

/// What the inbox asks for. Empty or `None` fields do not narrow.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxQuery {
    /// Only these statuses (any when empty).
    pub statuses: Vec<CaseStatus>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only cases of this team member.
    pub assignee: Option<AgentId>,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Only cases in this language (primary subtag, any case: `pl`).
    pub language: Option<String>,
    /// Only cases with (true) or without (false) escalation signals.
    pub escalated: Option<bool>,
    /// Only cases that came through this channel.
    pub channel: Option<Channel>,
    /// Words that must all be found; each is a group of spellings of which any may match, as
    /// a prefix of a word of the subject or the customer's address.
    pub words: Vec<Vec<String>>,
    /// A case number the search may also mean (`#1042`, `1042`).
    pub number: Option<CaseNumber>,
    /// Most cases to return.
    pub limit: u32,
}

/// One page of the inbox and how many cases pass the filters in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxPage {
    /// The first cases in inbox order.
    pub cases: Vec<Case>,
    /// How many cases pass the filters, the page's and all others.
    pub total: u64,
}

/// The inbox's queries, on the same database as the cases.
#[async_trait]
pub trait SearchStorage: Send + Sync {
    /// The first `query.limit` cases of a store passing the query, in inbox order, and how many
    /// pass it in all.
    async fn inbox(&self, store_id: StoreId, query: &InboxQuery) -> Result<InboxPage, StorageError>;

    /// Up to `limit` words of the search index starting with `prefix`, in byte order: the
    /// vocabulary a misspelt word is corrected against. Words of every store: they only choose
    /// what to search for, and the search itself stays within one store.
    async fn words_starting(&self, prefix: &str, limit: u32) -> Result<Vec<String>, StorageError>;

    /// Up to two orders of a store whose number, reduced like `key`, is the typed one (see
    /// [`OrderNumberKey`]): two means the typed number is ambiguous.
    async fn orders_by_number_key(&self, store_id: StoreId, key: &OrderNumberKey) -> Result<Vec<Order>, StorageError>;

    /// Refreshes the query planner's statistics of the cases, as after a bulk load
    /// (`redress bench --inbox`), so it picks the filter's index.
    async fn analyze(&self) -> Result<(), StorageError>;
}

/// The words of a search as the indexes split text: lower case, split at anything that is not
/// a letter or a digit (so `NW-11007` is `nw` and `11007`, an address its parts).
pub fn search_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| word.to_lowercase().chars().take(MAX_WORD_CHARS).collect())
        .take(MAX_SEARCH_WORDS)
        .collect()
}

/// An order number as a customer may type it, reduced as the `orders.number_key` and
/// `number_tail` columns reduce the shop's numbers (migration `0014_desk_search.sql`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderNumberKey {
    /// In capitals, without `-`, spaces, `#`, `/`, `.` and `_`: `nw-11007` is `NW11007`.
    pub key: String,
    /// The key without its leading letters: `11007`. Typed digits alone match on this.
    pub tail: String,
}

impl OrderNumberKey {
    /// The key of a typed number.
    pub fn of(typed: &str) -> Self {
        let key: String = typed
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '#' | '/' | '.' | '_'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let tail = key.trim_start_matches(|c: char| c.is_ascii_uppercase()).to_owned();
        OrderNumberKey { key, tail }
    }

    /// True when the typed number had no letters: it is matched against the numbers' tails.
    pub fn digits_only(&self) -> bool {
        self.key == self.tail
    }
}

/// The upper bound of a prefix range: every word starting with `prefix` sorts below it.
pub(crate) fn prefix_end(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

/// Whether a word is matched as a prefix: short ones would expand to too many words.
fn as_prefix(word: &str) -> bool {
    word.chars().count() >= 3
}

/// The FTS5 query for the words: every group, any spelling of each, quoted (words hold only
/// letters and digits, see [`search_words`]).
pub(crate) fn fts5_query(words: &[Vec<String>]) -> String {
    group_query(words, " AND ", " OR ", |word| format!("\"{word}\"{}", if as_prefix(word) { "*" } else { "" }))
}

/// The `to_tsquery` text for the words.
pub(crate) fn tsquery(words: &[Vec<String>]) -> String {
    group_query(words, " & ", " | ", |word| format!("{word}{}", if as_prefix(word) { ":*" } else { "" }))
}

fn group_query(words: &[Vec<String>], and: &str, or: &str, term: impl Fn(&str) -> String) -> String {
    words
        .iter()
        .map(|group| {
            let spellings: Vec<String> = group
                .iter()
                .filter(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric))
                .map(|w| term(w))
                .collect();
            format!("({})", spellings.join(or))
        })
        .collect::<Vec<_>>()
        .join(and)
}

/// How much a status needs someone, as the `inbox_attention` column says: lower comes first.
fn attention(status: CaseStatus) -> u8 {
    match status {
        CaseStatus::New | CaseStatus::Open => 0,
        CaseStatus::WaitingOnCustomer | CaseStatus::WaitingOnThirdParty => 1,
        CaseStatus::Resolved | CaseStatus::Closed => 2,
    }
}

/// A value bound to a statement.
#[derive(Clone, Debug)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
    Id(Uuid),
}

/// A statement being written with its values, in either backend's placeholder style.
pub(crate) struct Statement {
    pub(crate) text: String,
    pub(crate) params: Vec<Param>,
    numbered: bool,
}

impl Statement {
    /// A statement with `?` placeholders (SQLite) or `$1`… (PostgreSQL, `numbered`).
    pub(crate) fn new(text: &str, numbered: bool) -> Self {
        Statement { text: text.to_owned(), params: Vec::new(), numbered }
    }

    /// Appends `sql`, replacing each `?` in it with the next placeholder bound to a value.
    fn push(&mut self, sql: &str, values: impl IntoIterator<Item = Param>) {
        let mut values = values.into_iter();
        for (i, piece) in sql.split('?').enumerate() {
            if i > 0 {
                let value = values.next().unwrap_or(Param::Int(0));
                self.params.push(value);
                if self.numbered {
                    self.text.push_str(&format!("${}", self.params.len()));
                } else {
                    self.text.push('?');
                }
            }
            self.text.push_str(piece);
        }
    }
}

/// How the backend finds a search's matches: a condition on `cases`, with a `?` for the query.
pub(crate) struct SearchSql {
    /// `rowid IN (… MATCH ?)` or `inbox_search @@ to_tsquery('simple', ?)`.
    pub(crate) condition: &'static str,
    /// The query text for the words.
    pub(crate) query: String,
}

/// Store id, statuses, kind, assignee, language, channel and escalation, as conditions on the
/// cases table (`counts` false) or the counts table (`counts` true).
fn filters(statement: &mut Statement, store_id: StoreId, query: &InboxQuery, counts: bool) {
    let (assignee, language, channel, escalated) = if counts {
        ("assignee", "language", "channel", "escalated")
    } else {
        ("assignee", "inbox_language", "inbox_channel", "inbox_escalated")
    };
    statement.push(" WHERE store_id = ?", [Param::Id(store_id.as_uuid())]);
    match query.statuses.as_slice() {
        [] => {}
        [status] => statement.push(" AND status = ?", [Param::Text(status.as_str().to_owned())]),
        statuses => {
            let mut classes: Vec<u8> = statuses.iter().map(|s| attention(*s)).collect();
            classes.sort_unstable();
            classes.dedup();
            let whole_classes =
                CaseStatus::ALL.iter().filter(|s| classes.contains(&attention(**s))).all(|s| statuses.contains(s));
            if !counts {
                let list: Vec<String> = classes.iter().map(u8::to_string).collect();
                statement.push(&format!(" AND inbox_attention IN ({})", list.join(", ")), []);
            }
            if counts || !whole_classes {
                let marks = vec!["?"; statuses.len()].join(", ");
                statement.push(
                    &format!(" AND status IN ({marks})"),
                    statuses.iter().map(|s| Param::Text(s.as_str().to_owned())),
                );
            }
        }
    }
    if let Some(kind) = query.kind {
        statement.push(" AND kind = ?", [Param::Text(kind.as_str().to_owned())]);
    }
    if let Some(agent) = query.assignee {
        statement.push(&format!(" AND {assignee} = ?"), [Param::Text(agent.to_string())]);
    }
    if query.unassigned {
        statement.push(if counts { " AND assignee = ''" } else { " AND assignee IS NULL" }, []);
    }
    if let Some(wanted) = &query.language {
        statement.push(&format!(" AND {language} = ?"), [Param::Text(wanted.to_lowercase())]);
    }
    if let Some(wanted) = query.channel {
        statement.push(&format!(" AND {channel} = ?"), [Param::Text(wanted.as_str().to_owned())]);
    }
    if let Some(wanted) = query.escalated {
        statement.push(&format!(" AND {escalated} = {}", u8::from(wanted)), []);
    }
}

/// The search's condition, when the query searches.
fn search_condition(statement: &mut Statement, query: &InboxQuery, search: &SearchSql) {
    let words = !query.words.is_empty();
    match (query.number, words) {
        (Some(number), true) => {
            statement.push(
                &format!(" AND (number = ? OR {})", search.condition),
                [Param::Int(i64::try_from(number.0).unwrap_or(i64::MAX)), Param::Text(search.query.clone())],
            );
        }
        (Some(number), false) => {
            statement.push(" AND number = ?", [Param::Int(i64::try_from(number.0).unwrap_or(i64::MAX))]);
        }
        (None, true) => statement.push(&format!(" AND {}", search.condition), [Param::Text(search.query.clone())]),
        (None, false) => {}
    }
}

/// Whether the query searches (and so is counted from the cases, not the counts table).
fn searches(query: &InboxQuery) -> bool {
    query.number.is_some() || !query.words.is_empty()
}

/// The statement reading the page: `doc` of the first `limit` cases in inbox order.
pub(crate) fn page_statement(store_id: StoreId, query: &InboxQuery, search: &SearchSql, numbered: bool) -> Statement {
    let mut statement = Statement::new("SELECT doc FROM cases", numbered);
    filters(&mut statement, store_id, query, false);
    search_condition(&mut statement, query, search);
    // One status: its attention is fixed, and leaving it out of the order lets the status
    // index give the order.
    statement.push(
        if query.statuses.len() == 1 {
            " ORDER BY inbox_urgency DESC, inbox_due_us, created_at_us, id"
        } else {
            " ORDER BY inbox_attention, inbox_urgency DESC, inbox_due_us, created_at_us, id"
        },
        [],
    );
    statement.push(" LIMIT ?", [Param::Int(i64::from(query.limit))]);
    statement
}

/// The statement counting every case passing the query.
pub(crate) fn count_statement(store_id: StoreId, query: &InboxQuery, search: &SearchSql, numbered: bool) -> Statement {
    if searches(query) {
        let mut statement = Statement::new("SELECT count(*) FROM cases", numbered);
        filters(&mut statement, store_id, query, false);
        search_condition(&mut statement, query, search);
        statement
    } else {
        let mut statement = Statement::new("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) FROM case_counts", numbered);
        filters(&mut statement, store_id, query, true);
        statement
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_split_like_the_indexes_split_them() {
        assert_eq!(search_words("Chargd  TWCE!"), vec!["chargd", "twce"]);
        assert_eq!(search_words("NW-11007 ana@example.com"), vec!["nw", "11007", "ana", "example", "com"]);
        assert_eq!(search_words(" ,; "), Vec::<String>::new());
        assert_eq!(search_words(&"a ".repeat(20)).len(), MAX_SEARCH_WORDS);
    }

    #[test]
    fn order_numbers_are_reduced_to_key_and_tail() {
        for typed in ["nw-11007", "NW11007", "#NW 11007", "nw_11007"] {
            assert_eq!(OrderNumberKey::of(typed), OrderNumberKey { key: "NW11007".into(), tail: "11007".into() });
        }
        assert!(OrderNumberKey::of("11007").digits_only());
        assert!(!OrderNumberKey::of("NW11007").digits_only());
    }

    #[test]
    fn queries_match_prefixes_of_any_spelling_of_every_word() {
        let words = vec![vec!["chargd".to_owned(), "charged".to_owned()], vec!["nw".to_owned()]];
        assert_eq!(fts5_query(&words), "(\"chargd\"* OR \"charged\"*) AND (\"nw\")");
        assert_eq!(tsquery(&words), "(chargd:* | charged:*) & (nw)");
    }

    #[test]
    fn placeholders_follow_the_backend() {
        let store = StoreId::from_uuid(Uuid::nil());
        let query = InboxQuery {
            statuses: vec![CaseStatus::New, CaseStatus::Open],
            kind: Some(IssueKind::WrongCharge),
            limit: 10,
            ..InboxQuery::default()
        };
        let search = SearchSql { condition: "x = ?", query: String::new() };
        let numbered = page_statement(store, &query, &search, true);
        assert!(numbered.text.contains("store_id = $1 AND inbox_attention IN (0) AND kind = $2"), "{}", numbered.text);
        assert!(numbered.text.ends_with("LIMIT $3"));
        let plain = count_statement(store, &query, &search, false);
        assert!(plain.text.contains("status IN (?, ?) AND kind = ?"), "{}", plain.text);
        assert_eq!(plain.params.len(), 4);
    }
}
