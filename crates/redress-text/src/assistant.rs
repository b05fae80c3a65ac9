//! The self-service assistant's words and the small readings a conversation needs beyond
//! understanding's kind and entities: a yes or a no, a number chosen from a list, a request for
//! a person, a greeting. The words are Fluent messages in `assistant/<lang>.ftl`, in the five
//! languages replies are written in; numbers and dates arrive already formatted for the
//! language.

use std::sync::OnceLock;

use fluent_bundle::FluentArgs;
use redress_domain::assistant::Answer;

use crate::replies::{Bundles, build_bundle, reply_language};
use crate::text::fold;

const SOURCES: [(&str, &str); 5] = [
    ("en", include_str!("../assistant/en.ftl")),
    ("es", include_str!("../assistant/es.ftl")),
    ("pt", include_str!("../assistant/pt.ftl")),
    ("pl", include_str!("../assistant/pl.ftl")),
    ("id", include_str!("../assistant/id.ftl")),
];

fn bundles() -> &'static Bundles {
    static CELL: OnceLock<Bundles> = OnceLock::new();
    CELL.get_or_init(|| Bundles::parse(&SOURCES))
}

/// The assistant's message `id` in `language` (English where the language lacks it), with
/// `values` filled in. Values are text already written for the language; a count is passed as
/// a number so plural variants can match.
pub fn say(language: &str, id: &str, values: &[(&str, &str)]) -> String {
    let mut args = FluentArgs::new();
    for (name, value) in values {
        match value.parse::<i64>() {
            Ok(n) if *name == "count" => args.set(*name, n),
            _ => args.set(*name, (*value).to_owned()),
        }
    }
    let text = bundles().format(reply_language(language), id, None, &args).0;
    // A value may open the sentence (a carrier written `ups` in the shop's data).
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// Checks that every language's file parses and has every message English has.
pub fn check_words() -> Result<(), String> {
    let mut ids: Vec<Vec<String>> = Vec::new();
    for (lang, src) in SOURCES {
        build_bundle(lang, src)?;
        ids.push(
            src.lines()
                .filter_map(|l| l.split_once(" =").map(|(id, _)| id.trim()))
                .filter(|id| !id.is_empty() && !id.starts_with(['#', ' ', '[', '*', '.']))
                .map(str::to_owned)
                .collect(),
        );
    }
    let english = &ids[0];
    for ((lang, _), own) in SOURCES.iter().zip(&ids).skip(1) {
        if let Some(missing) = english.iter().find(|id| !own.contains(id)) {
            return Err(format!("assistant/{lang}.ftl lacks `{missing}`"));
        }
    }
    Ok(())
}

/// Words that answer yes or no, folded (lower case, no accents), in the five languages.
const YES: &[&str] = &[
    "yes",
    "y",
    "yeah",
    "yep",
    "ok",
    "okay",
    "sure",
    "confirm",
    "correct",
    "please do",
    "do it",
    "si",
    "vale",
    "claro",
    "confirmo",
    "de acuerdo",
    "sim",
    "pode",
    "isso",
    "certo",
    "tak",
    "potwierdzam",
    "jasne",
    "dobrze",
    "ya",
    "iya",
    "benar",
    "betul",
    "boleh",
    "setuju",
    "oke",
];
const NO: &[&str] =
    &["no", "n", "nope", "don't", "do not", "nao", "nie", "tidak", "nggak", "gak", "jangan", "bukan", "no gracias"];

/// The yes or no a short message gives, if it is one ("yes please", "sí, claro", "nie").
pub fn answer_of(text: &str) -> Option<Answer> {
    let folded = fold(text);
    let words: Vec<&str> =
        folded.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let first_two = words.iter().take(2).copied().collect::<Vec<_>>().join(" ");
    let starts = |list: &[&str]| list.iter().any(|w| *w == words[0] || *w == first_two);
    match (starts(YES), starts(NO)) {
        (true, false) => Some(Answer::Yes),
        (false, true) => Some(Answer::No),
        _ => None,
    }
}

/// The number a short message chooses from a numbered list ("2", "option 2", "nº 2").
pub fn choice_of(text: &str) -> Option<usize> {
    let numbers: Vec<&str> = text.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).collect();
    match numbers.as_slice() {
        [n] if text.chars().count() <= 20 && n.len() <= 2 => n.parse().ok(),
        _ => None,
    }
}

/// Phrases asking for a person, folded, in the five languages.
const PERSON: &[&str] = &[
    "human",
    "real person",
    "a person",
    "an agent",
    "speak to someone",
    "talk to someone",
    "customer service",
    "representative",
    "operator",
    "humano",
    "una persona",
    "un agente",
    "hablar con alguien",
    "atencion al cliente",
    "uma pessoa",
    "atendente",
    "falar com alguem",
    "czlowiek",
    "czlowiekiem",
    "konsultant",
    "konsultantem",
    "z kims",
    "manusia",
    "agen",
    "petugas",
    "customer service",
    "bicara dengan orang",
];

/// True when the customer asks to talk to a person.
pub fn asks_for_person(text: &str) -> bool {
    let folded = format!(" {} ", fold(text));
    PERSON.iter().any(|p| {
        folded.match_indices(p).any(|(at, _)| {
            let before = folded[..at].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after = folded[at + p.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            before && after
        })
    })
}

/// Greetings and thanks, folded.
const SMALL_TALK: &[&str] = &[
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank you",
    "good morning",
    "hola",
    "gracias",
    "buenos dias",
    "buenas",
    "ola",
    "oi",
    "obrigado",
    "obrigada",
    "bom dia",
    "boa tarde",
    "czesc",
    "dzien dobry",
    "dziekuje",
    "witam",
    "halo",
    "hai",
    "terima kasih",
    "selamat pagi",
    "selamat siang",
    "makasih",
];

/// True when a short message is only a greeting or thanks.
pub fn small_talk(text: &str) -> bool {
    let folded = fold(text);
    let trimmed = folded.trim_matches(|c: char| !c.is_alphanumeric());
    trimmed.chars().count() <= 30
        && SMALL_TALK.iter().any(|g| trimmed == *g || trimmed.strip_prefix(g).is_some_and(|rest| rest.starts_with(' ')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_message() {
        check_words().unwrap();
    }

    #[test]
    fn words_are_filled_in_each_language() {
        for lang in ["en", "es", "pt", "pl", "id"] {
            let text = say(lang, "assistant-verified", &[("number", "NW-1")]);
            assert!(text.contains("NW-1"), "{lang}: {text}");
        }
    }

    #[test]
    fn yes_and_no_in_five_languages() {
        for yes in ["yes", "Yes please", "sí, claro", "Sim", "tak", "iya, benar", "ok"] {
            assert_eq!(answer_of(yes), Some(Answer::Yes), "{yes}");
        }
        for no in ["no", "No, thanks", "não", "nie", "tidak", "no gracias"] {
            assert_eq!(answer_of(no), Some(Answer::No), "{no}");
        }
        assert_eq!(answer_of("where is my parcel, I ordered it two weeks ago"), None);
    }

    #[test]
    fn choices_and_requests_for_a_person() {
        assert_eq!(choice_of("2"), Some(2));
        assert_eq!(choice_of("option 1"), Some(1));
        assert_eq!(choice_of("order 10482"), None);
        assert!(asks_for_person("I want to talk to a human"));
        assert!(asks_for_person("Quiero hablar con una persona"));
        assert!(asks_for_person("chcę rozmawiać z człowiekiem"));
        assert!(!asks_for_person("the agenda of the delivery"));
        assert!(small_talk("Hello!"));
        assert!(small_talk("Dzień dobry"));
        assert!(!small_talk("hello, where is my parcel 10482?"));
    }
}
