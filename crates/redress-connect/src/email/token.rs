//! The case token: how a mail names the case it belongs to when its threading headers do not.
//!
//! A case number is shown as `#1234` (see [`CaseNumber`]'s `Display`). Outbound mail carries it
//! twice: at the end of the subject as `[#1234]` and in the Reply-To as a plus address
//! (`support+1234@shop.example`). Mail clients keep at least one of them on a reply even when
//! they drop `In-Reply-To` and `References`, which is why threading falls back on the token.

use redress_domain::EmailAddress;
use redress_domain::case::CaseNumber;

/// The most digits a case number may have in a token. Anything longer is not one of ours, and
/// the bound keeps the number inside `u64`.
const MAX_DIGITS: usize = 15;

/// The longest bracketed text searched for a token: `[Case #1234]` fits, a whole sentence in
/// brackets does not.
const MAX_BRACKET_CHARS: usize = 40;

/// The subject with the case token appended: `Your return [#1234]`. Does nothing when the
/// subject already carries this case's token (replies keep it), so it never doubles.
pub fn subject_with_token(subject: &str, number: CaseNumber) -> String {
    let subject = subject.trim();
    if case_token_in_subject(subject) == Some(number) {
        return subject.to_owned();
    }
    if subject.is_empty() {
        return format!("[{number}]");
    }
    format!("{subject} [{number}]")
}

/// The case number named in a subject by a bracketed token ending in `#<digits>`: `[#1234]`,
/// `[Case #1234]` or `[Caso #1234]`. The last token wins, since a reply's subject may keep an
/// older one before a newer one appended by us.
pub fn case_token_in_subject(subject: &str) -> Option<CaseNumber> {
    let mut found = None;
    let mut rest = subject;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let Some(close) = after.char_indices().take(MAX_BRACKET_CHARS + 1).find(|(_, c)| *c == ']').map(|(i, _)| i)
        else {
            rest = after;
            continue;
        };
        let inside = &after[..close];
        if let Some((_, digits)) = inside.rsplit_once('#')
            && let Some(number) = case_number(digits)
        {
            found = Some(number);
        }
        rest = &after[close + 1..];
    }
    found
}

/// The case number in a plus address: `support+1234@shop.example` names case 1234.
pub fn case_token_in_address(address: &str) -> Option<CaseNumber> {
    let (local, _domain) = address.trim().rsplit_once('@')?;
    let (_, tag) = local.rsplit_once('+')?;
    case_number(tag)
}

/// The plus address of a case on a store's support address: `support@shop.example` and case
/// 1234 give `support+1234@shop.example`. A support address that already has a plus tag keeps
/// it and gains the case after it (`support+eu+1234@…`).
pub fn plus_address(support: &EmailAddress, number: CaseNumber) -> EmailAddress {
    let text = support.as_str();
    match text.rsplit_once('@') {
        // Both parts come from a valid address and digits are valid in a local part, so the
        // result is valid; parsing again keeps `EmailAddress`'s invariant in one place.
        Some((local, domain)) => {
            EmailAddress::parse(&format!("{local}+{}@{domain}", number.0)).unwrap_or_else(|_| support.clone())
        }
        None => support.clone(),
    }
}

/// The support address a plus address was made from: `support+1234@shop.example` gives
/// `support@shop.example`; an address without a case tag is returned as it is (trimmed and with
/// its domain in lower case, like [`EmailAddress`]). Lets the caller look up which store a
/// recipient belongs to.
pub fn base_address(address: &str) -> String {
    let address = address.trim();
    let Some((local, domain)) = address.rsplit_once('@') else {
        return address.to_owned();
    };
    let local = match local.rsplit_once('+') {
        Some((base, tag)) if case_number(tag).is_some() => base,
        _ => local,
    };
    format!("{local}@{}", domain.to_ascii_lowercase())
}

fn case_number(digits: &str) -> Option<CaseNumber> {
    let digits = digits.trim();
    if digits.is_empty() || digits.len() > MAX_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match digits.parse::<u64>() {
        Ok(0) | Err(_) => None,
        Ok(number) => Some(CaseNumber(number)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tokens() {
        for (subject, expected) in [
            ("Re: Your return [#1234]", Some(1234)),
            ("RE: AW: [Case #7] damaged parcel", Some(7)),
            ("Re: [#12] and later [#13]", Some(13)),
            ("Order #1234 is late", None),
            ("[#0]", None),
            ("[#]", None),
            ("[#12a]", None),
            ("[#1234567890123456]", None),
            ("[unclosed #12", None),
            ("[ #99 ]", Some(99)),
            ("Zwrot [Sprawa #5] – żółć", Some(5)),
        ] {
            assert_eq!(case_token_in_subject(subject), expected.map(CaseNumber), "{subject}");
        }
    }

    #[test]
    fn subjects_gain_the_token_once() {
        assert_eq!(subject_with_token("Your return", CaseNumber(4)), "Your return [#4]");
        assert_eq!(subject_with_token("Re: Your return [#4]", CaseNumber(4)), "Re: Your return [#4]");
        assert_eq!(subject_with_token("Re: Your return [#3]", CaseNumber(4)), "Re: Your return [#3] [#4]");
        assert_eq!(subject_with_token("  ", CaseNumber(4)), "[#4]");
        assert_eq!(case_token_in_subject(&subject_with_token("Re: [#3]", CaseNumber(4))), Some(CaseNumber(4)));
    }

    #[test]
    fn plus_addresses_round_trip() {
        let support = EmailAddress::parse("support@Shop.Example").unwrap();
        let plus = plus_address(&support, CaseNumber(1234));
        assert_eq!(plus.as_str(), "support+1234@shop.example");
        assert_eq!(case_token_in_address(plus.as_str()), Some(CaseNumber(1234)));
        assert_eq!(base_address(plus.as_str()), "support@shop.example");
        assert_eq!(base_address("support+eu@Shop.example"), "support+eu@shop.example");
        assert_eq!(case_token_in_address("support+eu@shop.example"), None);
        assert_eq!(case_token_in_address("support@shop.example"), None);
        assert_eq!(case_token_in_address("no-at-sign+12"), None);
        let tagged = EmailAddress::parse("support+eu@shop.example").unwrap();
        assert_eq!(plus_address(&tagged, CaseNumber(9)).as_str(), "support+eu+9@shop.example");
    }
}
