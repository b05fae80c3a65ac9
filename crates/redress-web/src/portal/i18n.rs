//! The portal's words in the five languages (Fluent files under `locales/`, compiled into the
//! binary), and how a page's language is chosen: an explicit `?lang=`, then the language the
//! customer picked before (a cookie), then the browser's Accept-Language, then the store's.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, static_loader};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // Bidirectional isolation marks only matter for right-to-left scripts, none of which
        // the portal speaks, and they would show up in copied order numbers.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages the portal speaks, with their own names for the switcher.
pub const LANGUAGES: &[(&str, &str)] =
    &[("en", "English"), ("es", "Español"), ("pt", "Português"), ("pl", "Polski"), ("id", "Bahasa Indonesia")];

/// The cookie remembering the customer's choice.
pub const LANGUAGE_COOKIE: &str = "redress_lang";

/// Looks up the portal's words in one language.
#[derive(Clone, Debug)]
pub struct Words {
    tag: &'static str,
    id: LanguageIdentifier,
}

impl Words {
    /// The words of a supported language tag (its primary subtag), or English.
    pub fn new(tag: &str) -> Self {
        let primary = tag.split(['-', '_']).next().unwrap_or("en").to_ascii_lowercase();
        let tag = LANGUAGES.iter().map(|(t, _)| *t).find(|t| *t == primary).unwrap_or("en");
        let id = tag.parse().unwrap_or_default();
        Self { tag, id }
    }

    /// The chosen language's tag, e.g. `pl`.
    pub fn tag(&self) -> &'static str {
        self.tag
    }

    /// The text of `key`.
    pub fn t(&self, key: &str) -> String {
        LOCALES.lookup(&self.id, key)
    }

    /// The text of `key`, or `None` when no language has it.
    pub fn try_t(&self, key: &str) -> Option<String> {
        LOCALES.try_lookup(&self.id, key)
    }

    /// The text of `key` with one named argument.
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> =
            HashMap::from([(Cow::Borrowed(name), FluentValue::from(value.to_owned()))]);
        LOCALES.lookup_with_args(&self.id, key, &args)
    }

    /// The text of `key` with several named arguments.
    pub fn ta(&self, key: &str, values: &[(&'static str, &str)]) -> String {
        let args: HashMap<Cow<'static, str>, FluentValue<'_>> =
            values.iter().map(|(name, value)| (Cow::Borrowed(*name), FluentValue::from((*value).to_owned()))).collect();
        LOCALES.lookup_with_args(&self.id, key, &args)
    }
}

/// Picks the first supported language from an explicit choice, a remembered choice, the
/// browser's Accept-Language list (in its order of preference) and the store's default.
pub fn negotiate(
    explicit: Option<&str>,
    remembered: Option<&str>,
    accept_language: Option<&str>,
    store_default: &str,
) -> Words {
    let supported = |tag: &str| {
        let primary = tag.trim().split(['-', '_', ';']).next().unwrap_or_default().to_ascii_lowercase();
        LANGUAGES.iter().any(|(t, _)| *t == primary).then_some(primary)
    };
    let from_header = accept_language.and_then(|header| {
        let mut ranked: Vec<(f32, &str)> = header
            .split(',')
            .filter_map(|part| {
                let mut pieces = part.split(';');
                let tag = pieces.next()?.trim();
                let quality =
                    pieces.find_map(|p| p.trim().strip_prefix("q=")).map_or(1.0, |q| q.parse::<f32>().unwrap_or(0.0));
                Some((quality, tag))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked.into_iter().filter(|(q, _)| *q > 0.0).find_map(|(_, tag)| supported(tag))
    });
    let chosen = explicit
        .and_then(supported)
        .or_else(|| remembered.and_then(supported))
        .or(from_header)
        .or_else(|| supported(store_default))
        .unwrap_or_else(|| "en".to_owned());
    Words::new(&chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_explicit_then_remembered_then_browser_then_store() {
        assert_eq!(negotiate(Some("pl"), Some("es"), Some("pt-BR"), "en").tag(), "pl");
        assert_eq!(negotiate(Some("klingon"), Some("es"), None, "en").tag(), "es");
        assert_eq!(negotiate(None, None, Some("de-DE,de;q=0.9,pt-BR;q=0.8,en;q=0.5"), "en").tag(), "pt");
        assert_eq!(negotiate(None, None, Some("en;q=0.1, id;q=0.9"), "en").tag(), "id");
        assert_eq!(negotiate(None, None, Some("de"), "es").tag(), "es");
        assert_eq!(negotiate(None, None, None, "fr").tag(), "en");
    }

    #[test]
    fn every_language_has_every_key_of_english() {
        let english =
            concat!(include_str!("../../locales/en/portal.ftl"), include_str!("../../locales/en/workspace.ftl"));
        let keys: Vec<&str> = english
            .lines()
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim()))
            .filter(|k| !k.is_empty() && !k.starts_with('#'))
            .collect();
        assert!(keys.len() > 20);
        for (tag, file) in [
            (
                "es",
                concat!(include_str!("../../locales/es/portal.ftl"), include_str!("../../locales/es/workspace.ftl")),
            ),
            (
                "pt",
                concat!(include_str!("../../locales/pt/portal.ftl"), include_str!("../../locales/pt/workspace.ftl")),
            ),
            (
                "pl",
                concat!(include_str!("../../locales/pl/portal.ftl"), include_str!("../../locales/pl/workspace.ftl")),
            ),
            (
                "id",
                concat!(include_str!("../../locales/id/portal.ftl"), include_str!("../../locales/id/workspace.ftl")),
            ),
        ] {
            for key in &keys {
                assert!(file.lines().any(|l| l.starts_with(&format!("{key} ="))), "{tag} lacks {key}");
            }
        }
        assert_eq!(Words::new("pl").t("find-order-title"), "Znajdź swoje zamówienie");
        assert!(Words::new("id").t1("order-heading", "number", "NW-1").contains("NW-1"));
    }
}
