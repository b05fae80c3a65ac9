//! Incidents: something going wrong for many customers at once (the store down, checkout
//! failing, a carrier's delay in a region, a faulty batch of a SKU), declared by a lead with a
//! message in the five languages. Which orders an incident affects is decided here, purely.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::order::Order;
use crate::{LanguageTag, StoreId, ValidationError};

/// The languages every incident message is written in.
pub const LANGUAGES: [&str; 5] = ["en", "es", "pt", "pl", "id"];
/// The longest message, in characters.
pub const MAX_MESSAGE: usize = 2000;
/// The longest SKU, carrier or region named in a scope.
pub const MAX_SCOPE_TEXT: usize = 100;

/// What kind of incident.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// The shop cannot be reached.
    StoreDown,
    /// Customers cannot pay.
    CheckoutFailing,
    /// A carrier is late (in a region, when one is named).
    CarrierDelay,
    /// A batch of a SKU is faulty.
    FaultyBatch,
}

/// Which orders an incident is about; an absent part does not narrow it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IncidentScope {
    /// Orders with a line of this SKU.
    #[serde(default)]
    pub sku: Option<String>,
    /// Orders with a parcel with this carrier (any case).
    #[serde(default)]
    pub carrier: Option<String>,
    /// Orders shipped to this country (ISO code, any case).
    #[serde(default)]
    pub region: Option<String>,
    /// Orders placed on or after this day (UTC).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub placed_from: Option<Date>,
    /// Orders placed on or before this day (UTC).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub placed_to: Option<Date>,
}

/// Where an incident stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Going on: new messages matching it get its answer.
    Open,
    /// Over: its customers were told.
    Resolved,
}

impl IncidentStatus {
    /// The stored id.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
        }
    }
}

/// An incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub id: Uuid,
    /// The store.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Uuid))]
    pub store_id: StoreId,
    /// What kind.
    pub kind: IncidentKind,
    /// Which orders.
    pub scope: IncidentScope,
    /// The answer, per language (`en`, `es`, `pt`, `pl`, `id`).
    pub messages: BTreeMap<String, String>,
    /// The message telling its customers it is over, per language, once resolved.
    #[serde(default)]
    pub resolved_messages: BTreeMap<String, String>,
    /// Where it stands.
    pub status: IncidentStatus,
    /// Who declared it.
    pub declared_by: String,
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub declared_at: OffsetDateTime,
    /// When it was resolved.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
}

/// Checks a message in every language: present, not blank, bounded.
fn checked_messages(
    messages: BTreeMap<String, String>,
    field: &str,
) -> Result<BTreeMap<String, String>, ValidationError> {
    let mut kept = BTreeMap::new();
    for language in LANGUAGES {
        let text = messages.get(language).map(|t| t.trim()).unwrap_or_default();
        if text.is_empty() {
            return Err(ValidationError::new(format!("{field}.{language}"), "write the message in this language"));
        }
        if text.chars().count() > MAX_MESSAGE {
            return Err(ValidationError::new(
                format!("{field}.{language}"),
                format!("at most {MAX_MESSAGE} characters"),
            ));
        }
        kept.insert(language.to_owned(), text.to_owned());
    }
    if let Some(other) = messages.keys().find(|k| !LANGUAGES.contains(&k.as_str())) {
        return Err(ValidationError::new(format!("{field}.{other}"), "messages are in en, es, pt, pl and id"));
    }
    Ok(kept)
}

fn checked_text(text: Option<String>, field: &str) -> Result<Option<String>, ValidationError> {
    match text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > MAX_SCOPE_TEXT => {
            Err(ValidationError::new(field, format!("at most {MAX_SCOPE_TEXT} characters")))
        }
        other => Ok(other),
    }
}

impl Incident {
    /// Declares an incident: a carrier delay names its carrier, a faulty batch its SKU; every
    /// message is written in the five languages.
    pub fn declare(
        id: Uuid,
        store_id: StoreId,
        kind: IncidentKind,
        scope: IncidentScope,
        messages: BTreeMap<String, String>,
        declared_by: &str,
        now: OffsetDateTime,
    ) -> Result<Self, ValidationError> {
        let scope = IncidentScope {
            sku: checked_text(scope.sku, "scope.sku")?,
            carrier: checked_text(scope.carrier, "scope.carrier")?,
            region: checked_text(scope.region, "scope.region")?,
            ..scope
        };
        if kind == IncidentKind::CarrierDelay && scope.carrier.is_none() {
            return Err(ValidationError::new("scope.carrier", "a carrier delay names the carrier"));
        }
        if kind == IncidentKind::FaultyBatch && scope.sku.is_none() {
            return Err(ValidationError::new("scope.sku", "a faulty batch names the SKU"));
        }
        if let (Some(from), Some(to)) = (scope.placed_from, scope.placed_to)
            && from > to
        {
            return Err(ValidationError::new("scope.placed_from", "the range must start on or before its end"));
        }
        Ok(Self {
            id,
            store_id,
            kind,
            scope,
            messages: checked_messages(messages, "messages")?,
            resolved_messages: BTreeMap::new(),
            status: IncidentStatus::Open,
            declared_by: declared_by.to_owned(),
            declared_at: now,
            resolved_at: None,
        })
    }

    /// Resolves it with the message telling its customers it is over.
    pub fn resolve(&self, messages: BTreeMap<String, String>, now: OffsetDateTime) -> Result<Self, ValidationError> {
        if self.status == IncidentStatus::Resolved {
            return Err(ValidationError::new("status", "the incident is already resolved"));
        }
        Ok(Self {
            resolved_messages: checked_messages(messages, "messages")?,
            status: IncidentStatus::Resolved,
            resolved_at: Some(now),
            ..self.clone()
        })
    }

    /// Whether a case about `order` (none when it names no order) is affected. The store
    /// being down or checkout failing affects everyone, unless a scope narrows it; the others
    /// need an order within the scope.
    pub fn affects(&self, order: Option<&Order>) -> bool {
        let scope = &self.scope;
        let scoped = scope.sku.is_some()
            || scope.carrier.is_some()
            || scope.region.is_some()
            || scope.placed_from.is_some()
            || scope.placed_to.is_some();
        let Some(order) = order else {
            return !scoped && matches!(self.kind, IncidentKind::StoreDown | IncidentKind::CheckoutFailing);
        };
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        let placed = order.placed_at.date();
        scope.sku.as_deref().is_none_or(|sku| order.lines.iter().any(|l| same(&l.sku, sku)))
            && scope.carrier.as_deref().is_none_or(|c| order.shipments.iter().any(|s| same(&s.carrier, c)))
            && scope.region.as_deref().is_none_or(|r| same(&order.shipping_address.country, r))
            && scope.placed_from.is_none_or(|from| placed >= from)
            && scope.placed_to.is_none_or(|to| placed <= to)
    }

    /// The answer in `language` (its primary subtag), English when not one of the five.
    pub fn message(&self, language: &LanguageTag) -> &str {
        pick(&self.messages, language)
    }

    /// The resolution message in `language`, as [`Incident::message`].
    pub fn resolved_message(&self, language: &LanguageTag) -> &str {
        pick(&self.resolved_messages, language)
    }
}

fn pick<'a>(messages: &'a BTreeMap<String, String>, language: &LanguageTag) -> &'a str {
    let primary = language.as_str().split('-').next().unwrap_or("en").to_ascii_lowercase();
    messages.get(&primary).or_else(|| messages.get("en")).map(String::as_str).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    fn five(word: &str) -> BTreeMap<String, String> {
        LANGUAGES.iter().map(|l| (l.to_string(), format!("{word} ({l})"))).collect()
    }

    fn store() -> StoreId {
        StoreId::from_uuid(Uuid::nil())
    }

    fn order() -> Order {
        sample::order(sample::Stage::WithCarrier, time::macros::datetime!(2026-12-07 10:00 UTC))
    }

    fn declared(kind: IncidentKind, scope: IncidentScope) -> Incident {
        let now = OffsetDateTime::UNIX_EPOCH;
        Incident::declare(Uuid::nil(), store(), kind, scope, five("Sorry"), "Leo", now).unwrap()
    }

    #[test]
    fn matching_follows_the_scope() {
        let order = order();
        let sku = order.lines[0].sku.clone();
        let carrier = order.shipments[0].carrier.clone();
        let batch =
            declared(IncidentKind::FaultyBatch, IncidentScope { sku: Some(sku.to_lowercase()), ..Default::default() });
        assert!(batch.affects(Some(&order)));
        assert!(!batch.affects(None));
        let other =
            declared(IncidentKind::FaultyBatch, IncidentScope { sku: Some("NOPE".into()), ..Default::default() });
        assert!(!other.affects(Some(&order)));
        let delay = IncidentScope { carrier: Some(carrier), region: Some("zz".into()), ..Default::default() };
        assert!(!declared(IncidentKind::CarrierDelay, delay).affects(Some(&order)), "another region");
        let placed = order.placed_at.date();
        let later = IncidentScope { placed_from: placed.next_day(), ..Default::default() };
        assert!(!declared(IncidentKind::StoreDown, later).affects(Some(&order)));
        let down = declared(IncidentKind::StoreDown, IncidentScope::default());
        assert!(down.affects(None) && down.affects(Some(&order)));
    }

    #[test]
    fn a_declaration_is_complete() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let store = store();
        let mut four = five("Sorry");
        four.remove("pl");
        let missing =
            Incident::declare(Uuid::nil(), store, IncidentKind::StoreDown, IncidentScope::default(), four, "Leo", now);
        assert_eq!(missing.unwrap_err().field, "messages.pl");
        let no_carrier = Incident::declare(
            Uuid::nil(),
            store,
            IncidentKind::CarrierDelay,
            IncidentScope::default(),
            five("x"),
            "Leo",
            now,
        );
        assert_eq!(no_carrier.unwrap_err().field, "scope.carrier");
    }

    #[test]
    fn the_message_is_in_the_customers_language() {
        let incident = declared(IncidentKind::StoreDown, IncidentScope::default());
        assert_eq!(incident.message(&LanguageTag::parse("pt-BR").unwrap()), "Sorry (pt)");
        assert_eq!(incident.message(&LanguageTag::parse("de").unwrap()), "Sorry (en)");
        let resolved = incident.resolve(five("Fixed"), OffsetDateTime::UNIX_EPOCH).unwrap();
        assert_eq!(resolved.resolved_message(&LanguageTag::parse("pl").unwrap()), "Fixed (pl)");
        assert!(resolved.resolve(five("again"), OffsetDateTime::UNIX_EPOCH).is_err());
    }
}
