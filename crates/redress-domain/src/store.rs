//! Shops and their customers, and the validated values they are made of.
//!
//! Values are parsed, not validated later: an [`EmailAddress`] that exists is well formed.

use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{CustomerId, StoreId};
use crate::money::Currency;

/// A value that does not meet its rules; `field` names what was wrong for the API's errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct ValidationError {
    /// The field at fault, as the API names it.
    pub field: String,
    /// What is wrong with it, in words a person can act on.
    pub problem: String,
}

impl ValidationError {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self { field: field.into(), problem: problem.into() }
    }

    /// The same problem, reported under a longer path (`lines[2].sku` instead of `sku`).
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() { prefix.to_owned() } else { format!("{prefix}.{}", self.field) };
        self
    }
}

macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).map_err(|e| serde::de::Error::custom(e.problem))
            }
        }
    };
}

string_value!(
    /// A store's short name in URLs: lower-case letters, digits and dashes, 2 to 40 long.
    StoreSlug
);
string_value!(
    /// An email address, trimmed and with its domain in lower case.
    EmailAddress
);
string_value!(
    /// A BCP 47 language tag such as `en`, `pt-BR` or `id`.
    LanguageTag
);

impl StoreSlug {
    /// Checks the slug rules.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let ok_chars = text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !(2..=40).contains(&text.len()) || !ok_chars || text.starts_with('-') || text.ends_with('-') {
            return Err(ValidationError::new(
                "slug",
                "use 2 to 40 lower-case letters, digits and dashes, not starting or ending with a dash",
            ));
        }
        Ok(Self(text.to_owned()))
    }
}

impl EmailAddress {
    /// Accepts `local@domain.tld` without spaces; lower-cases the domain (the local part is
    /// case-sensitive by the standard, though few servers treat it so).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let invalid =
            || ValidationError::new("email", format!("`{text}` is not an email address like name@example.com"));
        let (local, domain) = text.rsplit_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && domain.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
        if local.is_empty()
            || local.contains(char::is_whitespace)
            || local.contains('@')
            || !domain_ok
            || text.len() > 254
        {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }
}

impl LanguageTag {
    /// Accepts a BCP 47 tag: a 2 or 3 letter primary language, then optional subtags of 1 to 8
    /// letters or digits. Normalises the case (`pt-br` becomes `pt-BR`).
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let invalid = || {
            ValidationError::new("language", format!("`{text}` is not a language tag such as en, es, pt-BR, pl or id"))
        };
        let mut parts = text.split('-');
        let primary = parts.next().ok_or_else(invalid)?;
        if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(invalid());
        }
        let mut normalised = primary.to_ascii_lowercase();
        for part in parts {
            if !(1..=8).contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(invalid());
            }
            normalised.push('-');
            if part.len() == 2 {
                normalised.push_str(&part.to_ascii_uppercase());
            } else {
                normalised.push_str(&part.to_ascii_lowercase());
            }
        }
        Ok(Self(normalised))
    }

    /// The primary language subtag: `pt` for `pt-BR`.
    pub fn primary(&self) -> &str {
        self.0.split('-').next().unwrap_or(&self.0)
    }
}

/// Checks a free-text field: at most `max` characters and, when `required`, not blank. Every
/// text a client sends is bounded, so no field can grow a row, a page or an error message.
pub fn bounded_text(field: &str, text: &str, max: usize, required: bool) -> Result<(), ValidationError> {
    if required && text.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if text.chars().count() > max {
        return Err(ValidationError::new(field, format!("must be at most {max} characters")));
    }
    Ok(())
}

/// Checks a list a client sends holds at most `max` items.
pub fn bounded_list<T>(field: &str, items: &[T], max: usize) -> Result<(), ValidationError> {
    if items.len() > max {
        return Err(ValidationError::new(field, format!("must hold at most {max} items")));
    }
    Ok(())
}

/// Checks the name of a person or system acting on a case (an agent, an author): trimmed, 1 to
/// 200 characters. Returns the trimmed name; `field` names the field in the error.
pub fn person_name(field: &str, name: &str) -> Result<String, ValidationError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ValidationError::new(field, "give a name of 1 to 200 characters"));
    }
    Ok(name.to_owned())
}

/// A shop served by this deployment. Stores are isolated from each other: every row carries
/// its store id and no query crosses stores.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Store {
    /// The store's id.
    pub id: StoreId,
    /// Short name used in URLs, unique in the deployment.
    pub slug: StoreSlug,
    /// Name shown to customers.
    pub name: String,
    /// Currency orders are in unless they say otherwise.
    pub default_currency: Currency,
    /// Language of replies when a customer's is not known.
    pub default_language: LanguageTag,
    /// When the store was set up.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Store {
    /// Checks the name: present and at most 200 characters.
    pub fn validate_name(name: &str) -> Result<String, ValidationError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ValidationError::new("name", "give the store a name of 1 to 200 characters"));
        }
        Ok(name.to_owned())
    }
}

/// Someone who bought from a store; identified within the store by email.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// The customer's id.
    pub id: CustomerId,
    /// The store the customer bought from.
    pub store_id: StoreId,
    /// Email address, unique within the store.
    pub email: EmailAddress,
    /// Name as given at checkout.
    pub name: String,
    /// Preferred language, when known.
    pub language: Option<LanguageTag>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(StoreSlug::parse("north-wind-2").is_ok());
        for bad in ["", "a", "Shop", "-x", "x-", "has space", "ünï"] {
            assert!(StoreSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(EmailAddress::parse(" Ana@Example.COM ").unwrap().as_str(), "Ana@example.com");
        for bad in ["", "ana", "ana@", "@x.com", "ana@x", "a b@x.com", "ana@x..com@", "ana@-x_y.com"] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn language_tags() {
        assert_eq!(LanguageTag::parse("pt-br").unwrap().as_str(), "pt-BR");
        assert_eq!(LanguageTag::parse("PL").unwrap().as_str(), "pl");
        assert_eq!(LanguageTag::parse("pt-BR").unwrap().primary(), "pt");
        for bad in ["", "e", "english", "en-", "en_US", "12"] {
            assert!(LanguageTag::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn validation_errors_nest_field_paths() {
        let e = ValidationError::new("sku", "empty").within("lines[2]");
        assert_eq!(e.field, "lines[2].sku");
    }
}
