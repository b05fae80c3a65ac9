//! Property tests of the parsers that read untrusted input (API bodies, portal forms, data
//! files): whatever the text, they answer with a value or an error, never a panic, and what
//! they accept is normalised so that parsing it again gives the same value.

#![allow(clippy::unwrap_used, missing_docs)]

use proptest::prelude::*;
use redress_domain::{Currency, EmailAddress, IssueKind, LanguageTag, Money, StoreSlug, person_name};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn emails_parse_or_refuse_and_accepted_ones_are_stable(text in "\\PC{0,80}") {
        if let Ok(email) = EmailAddress::parse(&text) {
            prop_assert_eq!(EmailAddress::parse(email.as_str()).unwrap(), email.clone());
            prop_assert!(email.as_str().contains('@'));
        }
    }

    #[test]
    fn email_like_text_is_handled(local in "[a-zA-Z0-9._%+-]{0,20}", domain in "[a-zA-Z0-9.-]{0,20}") {
        let _ = EmailAddress::parse(&format!("{local}@{domain}"));
    }

    #[test]
    fn language_tags_parse_or_refuse_and_are_stable(text in "\\PC{0,20}") {
        if let Ok(tag) = LanguageTag::parse(&text) {
            prop_assert_eq!(LanguageTag::parse(tag.as_str()).unwrap(), tag.clone());
            prop_assert!((2..=3).contains(&tag.primary().len()));
        }
    }

    #[test]
    fn slugs_parse_or_refuse(text in "\\PC{0,50}") {
        if let Ok(slug) = StoreSlug::parse(&text) {
            prop_assert_eq!(slug.as_str(), text.as_str());
        }
    }

    #[test]
    fn amounts_parse_or_refuse_without_rounding(text in "-?[0-9]{0,20}(\\.[0-9]{0,5})?|\\PC{0,20}") {
        for currency in Currency::all() {
            if let Ok(money) = Money::parse_decimal(&text, currency) {
                let shown = money.to_string();
                let number = shown.rsplit_once(' ').unwrap().0;
                prop_assert_eq!(Money::parse_decimal(number, currency).unwrap(), money);
            }
        }
    }

    #[test]
    fn vocabulary_and_currency_codes_parse_or_refuse(text in "\\PC{0,30}") {
        if let Ok(kind) = text.parse::<IssueKind>() {
            prop_assert_eq!(kind.as_str(), text.as_str());
        }
        if let Ok(currency) = Currency::from_code(&text) {
            prop_assert_eq!(currency.code(), text.as_str());
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded(text in "\\PC{0,250}") {
        if let Ok(name) = person_name("author", &text) {
            prop_assert_eq!(name.trim(), name.as_str());
            prop_assert!(!name.is_empty() && name.chars().count() <= 200);
        }
    }
}
