//! Tests of the email components together: real-world-style fixtures through the parser, the
//! SMTP receiver against lettre and Python's `smtplib`, the relay against the sink, IMAP
//! polling against a Dovecot started by the test, and property tests (fuzzing) of the parser
//! and the quote stripper.

mod fixtures;
mod fuzz;
mod imap;
mod smtp;

/// A fixture's bytes, from `tests/fixtures/email/`.
fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/email").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every fixture's name.
fn fixture_names() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/email");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eml"))
        .collect();
    names.sort();
    names
}
