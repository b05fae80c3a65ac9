//! Decimal amounts as platforms write them (`"199.00"`, `"1500.0"` for yen, `"-10.00"` for a
//! WooCommerce refund) to exact integer minor units, and back.
//!
//! Platforms sometimes write more decimals than the currency has (Shopify's GraphQL `Decimal`
//! writes JPY as `"1500.0"`); those extra digits are accepted only when they are zeros, so no
//! amount is ever rounded. Anything else (exponents, commas, signs other than a leading `-`,
//! more than [`MAX_AMOUNT_LEN`] characters) is refused.

use redress_domain::{Currency, Money};

/// The longest amount text accepted; `i64` minor units need at most 20 digits.
pub const MAX_AMOUNT_LEN: usize = 40;

/// Why an amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a plain decimal number.
    #[error("`{text}` is not a decimal amount such as 12.50")]
    Malformed {
        /// The text, cut to [`MAX_AMOUNT_LEN`] characters.
        text: String,
    },
    /// Non-zero digits beyond the currency's minor unit: the amount cannot be held exactly.
    #[error("`{text}` has more than {exponent} decimals, which {currency} does not have")]
    TooPrecise {
        /// The text.
        text: String,
        /// The currency.
        currency: Currency,
        /// Its digits after the point.
        exponent: u8,
    },
    /// Beyond what 64 bits of minor units hold.
    #[error("`{text}` is out of range")]
    Overflow {
        /// The text.
        text: String,
    },
}

fn cut(text: &str) -> String {
    text.chars().take(MAX_AMOUNT_LEN).collect()
}

/// Reads `text` as an amount of `currency`, exactly.
pub fn parse_amount(text: &str, currency: Currency) -> Result<Money, AmountError> {
    let malformed = || AmountError::Malformed { text: cut(text) };
    if text.len() > MAX_AMOUNT_LEN {
        return Err(malformed());
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() => (whole, fraction),
        Some(_) => return Err(malformed()),
        None => (digits, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return Err(malformed());
    }
    let exponent = usize::from(currency.exponent());
    let (kept, extra) = fraction.split_at(fraction.len().min(exponent));
    if extra.bytes().any(|b| b != b'0') {
        return Err(AmountError::TooPrecise { text: cut(text), currency, exponent: currency.exponent() });
    }
    let overflow = || AmountError::Overflow { text: cut(text) };
    let mut minor: i64 = 0;
    // Whole digits, then the kept fraction digits, then zeros up to the exponent: one number.
    let padding = exponent - kept.len();
    for b in whole.bytes().chain(kept.bytes()).chain(std::iter::repeat_n(b'0', padding)) {
        minor = minor.checked_mul(10).and_then(|m| m.checked_add(i64::from(b - b'0'))).ok_or_else(overflow)?;
    }
    Ok(Money::new(if negative { -minor } else { minor }, currency))
}

/// Writes an amount with exactly its currency's decimals: `12.50`, `-0.05`, `1500`, `0.001`.
pub fn format_amount(money: &Money) -> String {
    let exponent = u32::from(money.currency.exponent());
    let sign = if money.amount_minor < 0 { "-" } else { "" };
    let magnitude = money.amount_minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    // 10^3 at most for the currencies Redress knows; u64 holds it.
    let scale = 10u64.pow(exponent);
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale, width = exponent as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn currency(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn reads_amounts_exactly_per_currency() {
        assert_eq!(parse_amount("199.00", currency("USD")).unwrap().amount_minor, 19900);
        assert_eq!(parse_amount("12.5", currency("EUR")).unwrap().amount_minor, 1250);
        assert_eq!(parse_amount("1500", currency("JPY")).unwrap().amount_minor, 1500);
        assert_eq!(parse_amount("1500.0", currency("JPY")).unwrap().amount_minor, 1500);
        assert_eq!(parse_amount("1500.00", currency("JPY")).unwrap().amount_minor, 1500);
        assert_eq!(parse_amount("1.234", currency("KWD")).unwrap().amount_minor, 1234);
        assert_eq!(parse_amount("-10.00", currency("EUR")).unwrap().amount_minor, -1000);
        assert_eq!(parse_amount("0.10", currency("EUR")).unwrap().amount_minor, 10);
        assert_eq!(parse_amount("007.50", currency("EUR")).unwrap().amount_minor, 750);
    }

    #[test]
    fn refuses_what_it_cannot_hold_exactly() {
        assert!(matches!(parse_amount("1500.5", currency("JPY")), Err(AmountError::TooPrecise { .. })));
        assert!(matches!(parse_amount("12.345", currency("EUR")), Err(AmountError::TooPrecise { .. })));
        for bad in ["", "-", ".5", "1.", "1,50", "1e3", "+1", "--1", " 1", "1 ", "abc", "1.2.3", "٣"] {
            assert!(matches!(parse_amount(bad, currency("EUR")), Err(AmountError::Malformed { .. })), "{bad:?}");
        }
        assert!(matches!(parse_amount("92233720368547758.08", currency("EUR")), Err(AmountError::Overflow { .. })));
        assert!(parse_amount(&"9".repeat(41), currency("EUR")).is_err());
    }

    #[test]
    fn writes_the_currency_decimals() {
        assert_eq!(format_amount(&Money::new(1250, currency("EUR"))), "12.50");
        assert_eq!(format_amount(&Money::new(-5, currency("EUR"))), "-0.05");
        assert_eq!(format_amount(&Money::new(1500, currency("JPY"))), "1500");
        assert_eq!(format_amount(&Money::new(1, currency("KWD"))), "0.001");
        assert_eq!(format_amount(&Money::new(i64::MIN, currency("EUR"))), "-92233720368547758.08");
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        proptest::sample::select(Currency::all().collect::<Vec<_>>())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// minor units → decimal string → minor units, for every currency exponent.
        #[test]
        fn minor_units_round_trip(minor in any::<i64>().prop_filter("no MIN", |m| *m != i64::MIN), c in any_currency()) {
            let money = Money::new(minor, c);
            prop_assert_eq!(parse_amount(&format_amount(&money), c).unwrap(), money);
        }

        /// decimal string → minor units → decimal string gives the canonical form back, and
        /// trailing zeros beyond the exponent change nothing.
        #[test]
        fn decimal_strings_round_trip(whole in 0u64..10_000_000_000_000, fraction in 0u64..1000, zeros in 0usize..4, negative in any::<bool>(), c in any_currency()) {
            let exponent = usize::from(c.exponent());
            let fraction = fraction % 10u64.pow(exponent as u32);
            let sign = if negative && (whole > 0 || fraction > 0) { "-" } else { "" };
            let canonical = if exponent == 0 {
                format!("{sign}{whole}")
            } else {
                format!("{sign}{whole}.{fraction:0exponent$}")
            };
            let money = parse_amount(&canonical, c).unwrap();
            prop_assert_eq!(format_amount(&money), canonical.clone());
            let padded = if exponent == 0 && zeros > 0 {
                format!("{canonical}.{}", "0".repeat(zeros))
            } else {
                format!("{canonical}{}", "0".repeat(zeros))
            };
            prop_assert_eq!(parse_amount(&padded, c).unwrap(), money);
        }

        /// Any text: an answer, never a panic.
        #[test]
        fn never_panics(text in "\\PC{0,50}", c in any_currency()) {
            let _ = parse_amount(&text, c);
        }

        /// Text made of the characters amounts use: an answer, never a panic; an accepted one
        /// writes back to a number equal to it.
        #[test]
        fn near_amounts_parse_or_refuse(text in "-?[0-9.]{0,30}", c in any_currency()) {
            if let Ok(money) = parse_amount(&text, c) {
                prop_assert_eq!(parse_amount(&format_amount(&money), c).unwrap(), money);
            }
        }
    }
}
