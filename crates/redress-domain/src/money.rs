//! Money in integer minor units of an ISO 4217 currency.
//!
//! There are no floats anywhere: `12.34 EUR` is `1234` cents. Arithmetic between two
//! currencies is refused with [`MoneyError::CurrencyMismatch`], and overflow is an error, not a
//! wrap, so a total can never silently turn negative.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An ISO 4217 currency Redress knows the minor unit of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

/// ISO 4217 codes with the number of digits after the decimal point. Kept to currencies shops
/// actually sell in; adding one is a one-line change.
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EGP", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("MAD", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NGN", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PEN", 2),
    ("PHP", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("USD", 2),
    ("UYU", 2),
    ("VND", 0),
    ("ZAR", 2),
];

impl Currency {
    /// Looks up an ISO 4217 code such as `EUR` (upper case, as the standard writes it).
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .and_then(|(c, exponent)| {
                let bytes: [u8; 3] = c.as_bytes().try_into().ok()?;
                Some(Self { code: bytes, exponent: *exponent })
            })
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_owned()))
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // The bytes come from the ASCII table above.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Digits after the decimal point (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u8 {
        self.exponent
    }

    /// Every currency Redress knows.
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES.iter().filter_map(|(c, _)| Currency::from_code(c).ok())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Currency {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("ISO 4217 currency code, upper case: one of those Redress knows the minor unit of"))
            .enum_values(Some(CURRENCIES.iter().map(|(code, _)| *code)))
            .examples([serde_json::json!("EUR")])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Currency {}

/// An amount in the minor unit of a currency (cents for EUR).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// The amount in minor units, e.g. `1234` for 12.34 EUR. May be negative for differences.
    pub amount_minor: i64,
    /// The currency.
    pub currency: Currency,
}

/// Why a money operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not an ISO 4217 code Redress knows.
    #[error("unknown currency `{0}`: use an ISO 4217 code such as EUR, USD or PLN")]
    UnknownCurrency(String),
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}: amounts are in different currencies")]
    CurrencyMismatch {
        /// Currency of the left operand.
        left: Currency,
        /// Currency of the right operand.
        right: Currency,
    },
    /// The result does not fit in 64 bits of minor units.
    #[error("amount out of range")]
    Overflow,
    /// Text that is not a decimal amount with at most the currency's digits.
    #[error("`{text}` is not an amount in {currency}: expected digits with at most {exponent} decimals")]
    Unparsable {
        /// The text given.
        text: String,
        /// The currency it was read in.
        currency: Currency,
        /// Digits allowed after the point.
        exponent: u8,
    },
}

impl Money {
    /// An amount in minor units.
    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Self { amount_minor, currency }
    }

    /// Nothing, in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self { amount_minor: 0, currency }
    }

    /// Reads a decimal such as `12.5` or `-3.05` as an amount of `currency`, refusing more
    /// decimals than the currency has (no silent rounding).
    pub fn parse_decimal(text: &str, currency: Currency) -> Result<Self, MoneyError> {
        let unparsable = || MoneyError::Unparsable { text: text.to_owned(), currency, exponent: currency.exponent };
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !all_digits(whole)
            || !all_digits(fraction)
            || fraction.len() > usize::from(currency.exponent)
            || (digits.contains('.') && fraction.is_empty())
        {
            return Err(unparsable());
        }
        let scale = 10i64.checked_pow(u32::from(currency.exponent)).ok_or(MoneyError::Overflow)?;
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let mut fraction_value: i64 =
            if fraction.is_empty() { 0 } else { fraction.parse().map_err(|_| unparsable())? };
        for _ in fraction.len()..usize::from(currency.exponent) {
            fraction_value *= 10;
        }
        let minor = whole.checked_mul(scale).and_then(|w| w.checked_add(fraction_value)).ok_or(MoneyError::Overflow)?;
        Ok(Self::new(if negative { -minor } else { minor }, currency))
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch { left: self.currency, right: other.currency })
        }
    }

    /// `self + other`, refused across currencies or on overflow.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let sum = self.amount_minor.checked_add(other.amount_minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(sum, self.currency))
    }

    /// `self - other`, refused across currencies or on overflow.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let difference = self.amount_minor.checked_sub(other.amount_minor).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(difference, self.currency))
    }

    /// `self × quantity`, e.g. a line's unit price times its quantity.
    pub fn checked_mul(&self, quantity: u32) -> Result<Money, MoneyError> {
        let product = self.amount_minor.checked_mul(i64::from(quantity)).ok_or(MoneyError::Overflow)?;
        Ok(Money::new(product, self.currency))
    }

    /// Sums amounts that must all be in `currency`.
    pub fn sum<'a>(currency: Currency, amounts: impl IntoIterator<Item = &'a Money>) -> Result<Money, MoneyError> {
        amounts.into_iter().try_fold(Money::zero(currency), |total, m| total.checked_add(m))
    }

    /// True below zero.
    pub const fn is_negative(&self) -> bool {
        self.amount_minor < 0
    }
}

impl fmt::Display for Money {
    /// `12.34 EUR`, `-0.05 USD`, `1500 JPY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exponent = u32::from(self.currency.exponent);
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let magnitude = self.amount_minor.unsigned_abs();
        if exponent == 0 {
            return write!(f, "{sign}{magnitude} {}", self.currency);
        }
        let scale = 10u64.pow(exponent);
        write!(
            f,
            "{sign}{}.{:0width$} {}",
            magnitude / scale,
            magnitude % scale,
            self.currency,
            width = exponent as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    #[test]
    fn knows_minor_units() {
        assert_eq!(Currency::from_code("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::from_code("KWD").unwrap().exponent(), 3);
        assert!(matches!(Currency::from_code("eur"), Err(MoneyError::UnknownCurrency(_))));
        assert!(Currency::from_code("XYZ").is_err());
    }

    #[test]
    fn refuses_mixing_currencies() {
        let usd = Currency::from_code("USD").unwrap();
        let err = Money::new(100, eur()).checked_add(&Money::new(100, usd)).unwrap_err();
        assert!(matches!(err, MoneyError::CurrencyMismatch { .. }));
        assert!(Money::new(100, eur()).checked_sub(&Money::new(1, usd)).is_err());
    }

    #[test]
    fn overflow_is_an_error() {
        assert_eq!(Money::new(i64::MAX, eur()).checked_add(&Money::new(1, eur())), Err(MoneyError::Overflow));
        assert_eq!(Money::new(i64::MAX, eur()).checked_mul(2), Err(MoneyError::Overflow));
    }

    #[test]
    fn displays_with_the_currency_exponent() {
        assert_eq!(Money::new(1234, eur()).to_string(), "12.34 EUR");
        assert_eq!(Money::new(-5, eur()).to_string(), "-0.05 EUR");
        assert_eq!(Money::new(1500, Currency::from_code("JPY").unwrap()).to_string(), "1500 JPY");
        assert_eq!(Money::new(1, Currency::from_code("KWD").unwrap()).to_string(), "0.001 KWD");
    }

    #[test]
    fn parses_decimals_without_rounding() {
        assert_eq!(Money::parse_decimal("12.5", eur()).unwrap().amount_minor, 1250);
        assert_eq!(Money::parse_decimal("-3.05", eur()).unwrap().amount_minor, -305);
        assert_eq!(Money::parse_decimal("7", eur()).unwrap().amount_minor, 700);
        for bad in ["12.345", "", "1.", ".5", "1,5", "abc", "1e3", "--1"] {
            assert!(Money::parse_decimal(bad, eur()).is_err(), "{bad:?} should be refused");
        }
        let jpy = Currency::from_code("JPY").unwrap();
        assert!(Money::parse_decimal("1.5", jpy).is_err());
    }

    #[test]
    fn serializes_as_minor_units_and_code() {
        let json = serde_json::to_value(Money::new(1999, eur())).unwrap();
        assert_eq!(json, serde_json::json!({"amount_minor": 1999, "currency": "EUR"}));
        assert!(serde_json::from_value::<Money>(serde_json::json!({"amount_minor": 1, "currency": "EURO"})).is_err());
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        proptest::sample::select(Currency::all().collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn addition_is_commutative_and_sub_undoes_it(a in -1_000_000_000_000i64..1_000_000_000_000, b in -1_000_000_000_000i64..1_000_000_000_000, c in any_currency()) {
            let (x, y) = (Money::new(a, c), Money::new(b, c));
            let sum = x.checked_add(&y).unwrap();
            prop_assert_eq!(sum, y.checked_add(&x).unwrap());
            prop_assert_eq!(sum.checked_sub(&y).unwrap(), x);
        }

        #[test]
        fn display_parses_back(a in any::<i64>().prop_filter("no MIN", |v| *v != i64::MIN), c in any_currency()) {
            let money = Money::new(a, c);
            let text = money.to_string();
            let (number, code) = text.rsplit_once(' ').unwrap();
            prop_assert_eq!(code, c.code());
            prop_assert_eq!(Money::parse_decimal(number, c).unwrap(), money);
        }

        #[test]
        fn sums_never_mix_currencies(amounts in proptest::collection::vec(-1_000_000i64..1_000_000, 0..20), c in any_currency(), other in any_currency()) {
            let mut list: Vec<Money> = amounts.iter().map(|a| Money::new(*a, c)).collect();
            let total = Money::sum(c, &list).unwrap();
            prop_assert_eq!(total.amount_minor, amounts.iter().sum::<i64>());
            if other != c {
                list.push(Money::new(1, other));
                prop_assert!(Money::sum(c, &list).is_err());
            }
        }
    }
}
