//! The agent desk's working aids: macros (saved replies per store, a body per language, with
//! variables filled from the case and an optional action run when the reply is sent) and saved
//! inbox views. Pure: filling a macro is a function of its text and the values known.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::{AgentId, StoreId};
use crate::{CaseStatus, Priority, ValidationError};

/// The variables a macro may use, each written `{name}` in its text.
pub const VARIABLES: &[&str] = &["customer_name", "order_number", "tracking_number", "agent_name", "case_number"];
/// The languages a macro may be written in (the desk's five).
pub const LANGUAGES: &[&str] = &["en", "es", "pt", "pl", "id"];
/// Longest macro name, in characters.
pub const MAX_NAME: usize = 80;
/// Longest macro body, in characters (a reply's own bound).
pub const MAX_BODY: usize = 5_000;
/// Macros a store keeps at most.
pub const MAX_MACROS: usize = 200;

/// What a macro does besides filling the reply, once the reply is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum MacroAction {
    /// Moves the case to this status (as the status machine allows).
    SetStatus {
        /// The status.
        status: CaseStatus,
    },
    /// Sets the case's priority.
    SetPriority {
        /// The priority.
        priority: Priority,
    },
}

/// A saved reply of a store's team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Macro {
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: Uuid,
    /// The store.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub store_id: StoreId,
    /// Its name, unique in the store.
    pub name: String,
    /// The reply per language (`en`, `es`, `pt`, `pl`, `id`); at least one.
    pub bodies: BTreeMap<String, String>,
    /// What sending it also does.
    #[serde(default)]
    pub action: Option<MacroAction>,
    /// When it was last saved.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub saved_at: OffsetDateTime,
}

impl Macro {
    /// A macro with a checked name and bodies: blank bodies are dropped, at least one must
    /// remain, every variable named must be known.
    pub fn new(
        (id, store_id): (Uuid, StoreId),
        name: &str,
        bodies: BTreeMap<String, String>,
        action: Option<MacroAction>,
        saved_at: OffsetDateTime,
    ) -> Result<Macro, ValidationError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(ValidationError::new("name", format!("give a name of 1 to {MAX_NAME} characters")));
        }
        let mut kept = BTreeMap::new();
        for (language, body) in bodies {
            if !LANGUAGES.contains(&language.as_str()) {
                return Err(ValidationError::new("bodies", format!("`{language}` is not one of en, es, pt, pl, id")));
            }
            let body = body.trim();
            if body.is_empty() {
                continue;
            }
            if body.chars().count() > MAX_BODY {
                return Err(ValidationError::new(
                    format!("bodies.{language}"),
                    format!("at most {MAX_BODY} characters"),
                ));
            }
            if let Some(unknown) = placeholders(body).into_iter().find(|p| !VARIABLES.contains(&p.as_str())) {
                return Err(ValidationError::new(
                    format!("bodies.{language}"),
                    format!("{{{unknown}}} is not a variable; use {}", VARIABLES.join(", ")),
                ));
            }
            kept.insert(language, body.to_owned());
        }
        if kept.is_empty() {
            return Err(ValidationError::new("bodies", "write the reply in at least one language"));
        }
        Ok(Macro { id, store_id, name: name.to_owned(), bodies: kept, action, saved_at })
    }

    /// The text for a case in `language`: that language's, else the store's default language's,
    /// else English, else the first written.
    pub fn body_for(&self, language: &str, store_default: &str) -> &str {
        [language, store_default, "en"]
            .iter()
            .find_map(|l| self.bodies.get(*l))
            .or_else(|| self.bodies.values().next())
            .map_or("", String::as_str)
    }
}

/// A macro's text with its variables filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filled {
    /// The text: known values in place, unknown ones left out (never a raw `{name}`).
    pub text: String,
    /// The variables the case had no value for, so the agent completes the text by hand.
    pub missing: Vec<String>,
}

/// Fills `body` from `values` (variable name → value; an empty value counts as missing).
pub fn fill(body: &str, values: &BTreeMap<&str, String>) -> Filled {
    let mut text = String::with_capacity(body.len());
    let mut missing = Vec::new();
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if VARIABLES.contains(&name) => {
                match values.get(name).filter(|v| !v.trim().is_empty()) {
                    Some(value) => text.push_str(value.trim()),
                    None if !missing.iter().any(|m| m == name) => missing.push(name.to_owned()),
                    None => {}
                }
                rest = &after[close + 1..];
            }
            _ => {
                text.push('{');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    Filled { text, missing }
}

/// The `{name}` placeholders in a text (known or not).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            found.push(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    found
}

/// True when a text still holds a macro variable unfilled: such a text must not reach a
/// customer.
pub fn has_unfilled(text: &str) -> bool {
    placeholders(text).iter().any(|p| VARIABLES.contains(&p.as_str()))
}

/// An inbox view saved under a name: the inbox's filters as its address's query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    /// Its id.
    pub id: Uuid,
    /// The store.
    pub store_id: StoreId,
    /// Whose it is; `None`: the whole team's.
    pub agent_id: Option<AgentId>,
    /// Its name.
    pub name: String,
    /// The inbox's query, e.g. `status=open&assignee=me`.
    pub query: String,
}

/// Longest saved query, in characters.
pub const MAX_VIEW_QUERY: usize = 500;

impl SavedView {
    /// A view with a checked name and query.
    pub fn new(
        (id, store_id): (Uuid, StoreId),
        agent_id: Option<AgentId>,
        name: &str,
        query: &str,
    ) -> Result<SavedView, ValidationError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(ValidationError::new("name", format!("give a name of 1 to {MAX_NAME} characters")));
        }
        let query = query.trim().trim_start_matches('?');
        if query.chars().count() > MAX_VIEW_QUERY || query.chars().any(char::is_control) {
            return Err(ValidationError::new("query", format!("at most {MAX_VIEW_QUERY} characters of filters")));
        }
        Ok(SavedView { id, store_id, agent_id, name: name.to_owned(), query: query.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> BTreeMap<&'static str, String> {
        BTreeMap::from([("customer_name", "Ana".to_owned()), ("order_number", "#1001".to_owned())])
    }

    #[test]
    fn known_values_fill_and_missing_ones_are_named_never_left_raw() {
        let filled = fill("Hi {customer_name}, order {order_number} ships as {tracking_number}. {other}", &values());
        assert_eq!(filled.text, "Hi Ana, order #1001 ships as . {other}");
        assert_eq!(filled.missing, vec!["tracking_number"]);
        assert!(!has_unfilled(&filled.text));
        assert!(has_unfilled("Hello {customer_name}"));
    }

    #[test]
    fn the_case_language_then_the_store_default_then_english() {
        let bodies = BTreeMap::from([("en".to_owned(), "Hello".to_owned()), ("es".to_owned(), "Hola".to_owned())]);
        let m =
            Macro::new((Uuid::nil(), StoreId::from_uuid(Uuid::nil())), "Hi", bodies, None, OffsetDateTime::UNIX_EPOCH)
                .unwrap();
        assert_eq!(m.body_for("es", "en"), "Hola");
        assert_eq!(m.body_for("pl", "es"), "Hola");
        assert_eq!(m.body_for("pl", "pt"), "Hello");
    }

    #[test]
    fn unknown_variables_and_empty_macros_are_refused() {
        let at = OffsetDateTime::UNIX_EPOCH;
        let id = (Uuid::nil(), StoreId::from_uuid(Uuid::nil()));
        let bad = BTreeMap::from([("en".to_owned(), "Hi {nme}".to_owned())]);
        assert_eq!(Macro::new(id, "x", bad, None, at).unwrap_err().field, "bodies.en");
        let blank = BTreeMap::from([("en".to_owned(), "  ".to_owned())]);
        assert_eq!(Macro::new(id, "x", blank, None, at).unwrap_err().field, "bodies");
    }
}
