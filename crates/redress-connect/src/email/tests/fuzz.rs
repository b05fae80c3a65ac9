//! Property tests, our fuzzing: the parser and the quote stripper never panic and stay within
//! their bounds, on arbitrary bytes and on mutations of the real-world fixtures.
//!
//! Each property runs `PROPTEST_CASES` cases (the default below otherwise), so a long fuzzing
//! run is `PROPTEST_CASES=100000 cargo test -p redress-connect --release email::tests::fuzz`.

use proptest::prelude::*;

use super::{fixture, fixture_names};
use crate::email::{InboundEmail, InboundLimits, strip_quoted};

/// The cases per property in an ordinary test run: enough to catch a regression, few enough
/// for two cores.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
}

/// Tight limits, so that the bounds are actually reached by small inputs.
fn limits() -> InboundLimits {
    InboundLimits {
        max_raw_bytes: 256 * 1024,
        max_text_bytes: 4096,
        max_body_bytes: 1024,
        max_attachments: 3,
        max_attachment_bytes: 2048,
        max_total_attachment_bytes: 4096,
    }
}

fn check_bounds(raw: &[u8]) {
    let limits = limits();
    let Ok(email) = InboundEmail::parse_with(raw, &limits) else { return };
    assert!(email.body.len() <= limits.max_body_bytes);
    assert!(email.full_text.len() <= limits.max_text_bytes);
    assert!(email.attachments.len() <= limits.max_attachments);
    assert!(email.attachments.iter().all(|a| a.bytes.len() <= limits.max_attachment_bytes));
    assert!(email.attachments.iter().map(|a| a.bytes.len()).sum::<usize>() <= limits.max_total_attachment_bytes);
    assert!(email.references.len() <= 50);
    let _ = email.thread_ids();
}

/// Pieces that steer mutations into MIME's corners: boundaries, encoded words, charsets,
/// transfer encodings, nesting, and the markers the quote stripper looks for.
const TOKENS: &[&str] = &[
    "\r\n",
    "\r\n\r\n",
    "\n",
    "--",
    "--_000_AM0PR01MB1234_",
    "--rel-1",
    "--alt-1--",
    "=?utf-8?q?",
    "=?iso-8859-2?B?",
    "?=",
    "=C5=BC",
    "=\r\n",
    "=",
    "Content-Type: multipart/mixed; boundary=x\r\n",
    "Content-Type: message/rfc822\r\n",
    "Content-Type: text/html; charset=gb2312\r\n",
    "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n",
    "<blockquote>",
    "<table><tr><td>",
    "</div>",
    "&#x10FFFF;",
    "> ",
    "On Mon wrote:",
    "-- \r\n",
    "From: x\r\nSent: y\r\nSubject: z\r\n",
    "\u{0}",
    "\u{feff}",
    "żółć",
    "[#99]",
];

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, byte: u8 },
    Insert { at: usize, token: usize },
    Delete { at: usize, len: usize },
    Duplicate { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), 1usize..400).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
    ]
}

fn mutate(mut raw: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let n = raw.len().max(1);
        match *m {
            Mutation::Flip { at, byte } => {
                if let Some(b) = raw.get_mut(at % n) {
                    *b = byte;
                }
            }
            Mutation::Insert { at, token } => {
                let at = at % (raw.len() + 1);
                raw.splice(at..at, TOKENS[token].bytes());
            }
            Mutation::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(raw.len());
                if at < end {
                    raw.drain(at..end);
                }
            }
            Mutation::Duplicate { at, len } => {
                let at = at % n;
                let end = (at + len).min(raw.len());
                if at < end {
                    let copy = raw[at..end].to_vec();
                    raw.splice(at..at, copy);
                }
            }
        }
    }
    raw
}

/// Text made of lines that look like the stripper's markers, quotes and ordinary words.
fn mail_like_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just(String::new()),
        Just("-- ".to_owned()),
        Just("--".to_owned()),
        Just("> quoted".to_owned()),
        Just("On Tue, 3 Mar 2026, Ana <a@x> wrote:".to_owned()),
        Just("On Tue".to_owned()),
        Just("wrote:".to_owned()),
        Just("W dniu … napisał(a):".to_owned()),
        Just("From: Shop".to_owned()),
        Just("Sent: Monday".to_owned()),
        Just("Subject: x".to_owned()),
        Just("*Od:* x".to_owned()),
        Just("-----Original Message-----".to_owned()),
        Just("Sent from my iPhone".to_owned()),
        "\\PC{0,40}",
    ];
    prop::collection::vec(line, 0..40).prop_map(|lines| lines.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), ..ProptestConfig::default() })]

    #[test]
    fn the_parser_survives_arbitrary_bytes(raw in prop::collection::vec(any::<u8>(), 0..4096)) {
        check_bounds(&raw);
    }

    #[test]
    fn the_parser_survives_arbitrary_headers_and_bodies(
        headers in prop::collection::vec("[A-Za-z-]{1,20}: \\PC{0,80}", 0..12),
        body in "\\PC{0,600}",
    ) {
        check_bounds(format!("{}\r\n\r\n{body}", headers.join("\r\n")).as_bytes());
    }

    #[test]
    fn the_parser_survives_mutated_fixtures(
        which in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..12),
    ) {
        let names = fixture_names();
        let raw = fixture(which.get(&names).as_str());
        check_bounds(&mutate(raw, &mutations));
    }

    #[test]
    fn stripping_only_removes_lines(text in mail_like_text()) {
        let stripped = strip_quoted(&text);
        prop_assert!(stripped.len() <= text.len());
        let input_lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        for line in stripped.lines() {
            prop_assert!(input_lines.contains(&line), "{line:?} is not a line of the input");
        }
    }

    #[test]
    fn stripping_survives_arbitrary_text(text in "\\PC{0,2000}") {
        prop_assert!(strip_quoted(&text).len() <= text.len());
    }
}
