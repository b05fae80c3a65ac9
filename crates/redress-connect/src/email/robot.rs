//! Mail written by machines: auto-replies, bounces and mailing-list traffic.
//!
//! Such mail must never open a case and never be answered: two robots answering each other
//! (our acknowledgement, their "I am on holiday") would loop for ever. The signs are standard
//! (RFC 3834 `Auto-Submitted`, RFC 3464 delivery reports, RFC 2369/2919 list headers) or
//! widespread (`Precedence`, `X-Autoreply`, `MAILER-DAEMON`); any one is enough.

use mail_parser::{Message, MimeHeaders};
use serde::{Deserialize, Serialize};

/// Who wrote a mail, as far as its headers tell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Sender {
    /// A person: the mail may open or continue a case and be answered.
    Person,
    /// A machine: record it if useful, never open a case for it, never answer it.
    Automatic {
        /// The sign that gave it away.
        reason: AutomaticReason,
    },
}

impl Sender {
    /// True for [`Sender::Automatic`].
    pub fn is_automatic(&self) -> bool {
        matches!(self, Sender::Automatic { .. })
    }
}

/// Why a mail was taken for a machine's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "sign", content = "value", rename_all = "snake_case")]
pub enum AutomaticReason {
    /// `Auto-Submitted` with a value other than `no` (RFC 3834), e.g. `auto-replied`.
    AutoSubmitted(String),
    /// `Precedence: bulk`, `list`, `junk` or `auto_reply`.
    Precedence(String),
    /// A vendor's auto-reply header: `X-Autoreply`, `X-Autorespond` and the like. Holds the
    /// header's name.
    AutoReplyHeader(String),
    /// `List-Id` or `List-Unsubscribe`: mailing-list or newsletter traffic.
    MailingList,
    /// A delivery status notification (`multipart/report; report-type=delivery-status`), i.e.
    /// a bounce, or a disposition (read receipt) report.
    DeliveryReport,
    /// From `MAILER-DAEMON`, `postmaster` or a similar system address.
    SystemSender(String),
    /// `Return-Path: <>`: the null sender, used only by bounces and auto-replies.
    NullReturnPath,
}

/// Headers that vendors put on their auto-replies, whatever their value.
const AUTO_REPLY_HEADERS: &[&str] = &["x-autoreply", "x-autorespond", "x-autorespond-reason", "x-autoreply-from"];

/// Local parts that only machines send from.
const SYSTEM_SENDERS: &[&str] = &["mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"];

/// Who wrote `message`.
pub fn classify(message: &Message<'_>) -> Sender {
    match automatic_reason(message) {
        Some(reason) => Sender::Automatic { reason },
        None => Sender::Person,
    }
}

fn automatic_reason(message: &Message<'_>) -> Option<AutomaticReason> {
    for (name, value) in message.headers_raw() {
        let name = name.to_ascii_lowercase();
        let value = value.trim();
        let lower = value.to_ascii_lowercase();
        match name.as_str() {
            // RFC 3834: `no` (and any parameters after it) is the only human value.
            "auto-submitted" if lower.split(';').next().map(str::trim) != Some("no") => {
                return Some(AutomaticReason::AutoSubmitted(value.to_owned()));
            }
            "precedence" if matches!(lower.as_str(), "bulk" | "list" | "junk" | "auto_reply" | "auto-reply") => {
                return Some(AutomaticReason::Precedence(lower));
            }
            "list-id" | "list-unsubscribe" => return Some(AutomaticReason::MailingList),
            "return-path" if lower.trim_matches(|c: char| c.is_whitespace() || c == '<' || c == '>').is_empty() => {
                return Some(AutomaticReason::NullReturnPath);
            }
            name if AUTO_REPLY_HEADERS.contains(&name) => {
                return Some(AutomaticReason::AutoReplyHeader(name.to_owned()));
            }
            _ => {}
        }
    }
    if let Some(content_type) = message.content_type()
        && content_type.ctype().eq_ignore_ascii_case("multipart")
        && content_type.subtype().is_some_and(|s| s.eq_ignore_ascii_case("report"))
    {
        return Some(AutomaticReason::DeliveryReport);
    }
    let from = message.from().and_then(|a| a.first()).and_then(|a| a.address());
    let sender = message.sender().and_then(|a| a.first()).and_then(|a| a.address());
    for address in [from, sender].into_iter().flatten() {
        let local = address.rsplit_once('@').map_or(address, |(local, _)| local).to_ascii_lowercase();
        if SYSTEM_SENDERS.contains(&local.as_str()) {
            return Some(AutomaticReason::SystemSender(address.to_owned()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use mail_parser::MessageParser;

    use super::*;

    fn check(headers: &str, expected: Option<AutomaticReason>) {
        let raw = format!("{headers}\r\nSubject: hi\r\n\r\nbody\r\n");
        let message = MessageParser::default().parse(raw.as_bytes()).unwrap();
        let expected = expected.map_or(Sender::Person, |reason| Sender::Automatic { reason });
        assert_eq!(classify(&message), expected, "{headers}");
    }

    const FROM: &str = "From: Ana <ana@example.com>";

    #[test]
    fn people() {
        check(FROM, None);
        check(&format!("{FROM}\r\nAuto-Submitted: no"), None);
        check(&format!("{FROM}\r\nAuto-Submitted: No; comment"), None);
        check(&format!("{FROM}\r\nPrecedence: first-class"), None);
        check(&format!("{FROM}\r\nReturn-Path: <ana@example.com>"), None);
        // Outlook asks others not to auto-reply to it, also on mail people write: not a sign.
        check(&format!("{FROM}\r\nX-Auto-Response-Suppress: All"), None);
    }

    #[test]
    fn robots() {
        use AutomaticReason::*;
        check(&format!("{FROM}\r\nAuto-Submitted: auto-replied"), Some(AutoSubmitted("auto-replied".into())));
        check(&format!("{FROM}\r\nauto-submitted: auto-generated"), Some(AutoSubmitted("auto-generated".into())));
        for value in ["bulk", "list", "junk", "auto_reply", "Bulk"] {
            check(&format!("{FROM}\r\nPrecedence: {value}"), Some(Precedence(value.to_ascii_lowercase())));
        }
        check(&format!("{FROM}\r\nX-Autoreply: yes"), Some(AutoReplyHeader("x-autoreply".into())));
        check(&format!("{FROM}\r\nX-Autorespond: on"), Some(AutoReplyHeader("x-autorespond".into())));
        check(&format!("{FROM}\r\nList-Id: <news.shop.example>"), Some(MailingList));
        check(&format!("{FROM}\r\nList-Unsubscribe: <mailto:u@x.example>"), Some(MailingList));
        check(&format!("{FROM}\r\nReturn-Path: <>"), Some(NullReturnPath));
        check("From: MAILER-DAEMON@mx.example.com", Some(SystemSender("MAILER-DAEMON@mx.example.com".into())));
        check("From: Mail System <postmaster@mx.example.com>", Some(SystemSender("postmaster@mx.example.com".into())));
        check(
            &format!("{FROM}\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b"),
            Some(DeliveryReport),
        );
    }
}
