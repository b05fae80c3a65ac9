//! Countries an address may name (ISO 3166-1 alpha-2, officially assigned codes) and the shape
//! of postal codes in the countries where most of our shops' parcels go. A country missing from
//! [`POSTAL_FORMATS`] takes any postal code: an unknown format is not a wrong one.

/// Every officially assigned ISO 3166-1 alpha-2 code.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM \
FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV \
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD \
SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC \
VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Postal code shapes per country: `9` a digit, `A` a letter, anything else itself.
pub const POSTAL_FORMATS: &[(&str, &[&str])] = &[
    ("AT", &["9999"]),
    ("AU", &["9999"]),
    ("BE", &["9999"]),
    ("BR", &["99999-999", "99999999"]),
    ("CA", &["A9A 9A9", "A9A9A9"]),
    ("CH", &["9999"]),
    ("CZ", &["999 99", "99999"]),
    ("DE", &["99999"]),
    ("DK", &["9999"]),
    ("ES", &["99999"]),
    ("FI", &["99999"]),
    ("FR", &["99999"]),
    ("GB", &["A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA"]),
    ("ID", &["99999"]),
    ("IN", &["999999"]),
    ("IT", &["99999"]),
    ("JP", &["999-9999", "9999999"]),
    ("MX", &["99999"]),
    ("NL", &["9999 AA", "9999AA"]),
    ("NO", &["9999"]),
    ("PL", &["99-999"]),
    ("PT", &["9999-999"]),
    ("SE", &["999 99", "99999"]),
    ("US", &["99999", "99999-9999"]),
];

/// True when `code` is an ISO 3166-1 alpha-2 country code (upper case, as addresses keep it).
pub fn is_country(code: &str) -> bool {
    code.len() == 2 && COUNTRIES.split(' ').any(|known| known == code)
}

/// The shapes a postal code takes in `country`, when we know them.
pub fn postal_formats(country: &str) -> Option<&'static [&'static str]> {
    POSTAL_FORMATS.iter().find(|(code, _)| *code == country).map(|(_, formats)| *formats)
}

/// True when `postal_code` has one of the country's shapes (letters in either case), or the
/// country's shapes are not known.
pub fn postal_code_fits(country: &str, postal_code: &str) -> bool {
    let Some(formats) = postal_formats(country) else { return true };
    let typed: Vec<char> = postal_code.trim().chars().collect();
    formats.iter().any(|format| {
        format.chars().count() == typed.len()
            && format.chars().zip(&typed).all(|(shape, c)| match shape {
                '9' => c.is_ascii_digit(),
                'A' => c.is_ascii_alphabetic(),
                literal => literal == *c,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_assigned_codes_are_countries() {
        for code in ["PL", "DE", "ID", "BR", "PT", "US", "GB"] {
            assert!(is_country(code), "{code}");
        }
        for code in ["ZZ", "XX", "UK", "EU", "pl", "P", "POL", ""] {
            assert!(!is_country(code), "{code}");
        }
        assert_eq!(COUNTRIES.split(' ').count(), 249);
    }

    #[test]
    fn postal_codes_have_their_countrys_shape() {
        assert!(postal_code_fits("PL", "30-001"));
        assert!(!postal_code_fits("PL", "30001"));
        assert!(postal_code_fits("NL", "1012 ab"));
        assert!(postal_code_fits("GB", "SW1A 1AA"));
        assert!(!postal_code_fits("DE", "1234"));
        assert!(postal_code_fits("BR", "01310-100"));
        assert!(postal_code_fits("IE", "D02 X285"), "no known shape: any code");
        assert!(POSTAL_FORMATS.iter().all(|(code, _)| is_country(code)));
    }
}
