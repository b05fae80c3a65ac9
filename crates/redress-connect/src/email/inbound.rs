//! Inbound mail: raw RFC 5322 bytes, as the SMTP receiver, an IMAP mailbox or a provider's
//! webhook hands them over, read into an [`InboundEmail`].
//!
//! MIME, transfer encodings (quoted-printable, base64) and charsets (ISO-8859-1/2, Windows-125x,
//! UTF-8 and the rest of the WHATWG encodings) are decoded by `mail-parser`, which is built for
//! hostile input; this module only picks what a case needs out of its result and bounds every
//! piece of it. HTML-only mail is turned into text with `html2text`; quoted history and
//! signatures are then stripped ([`super::quote`]) from a copy, so the case stores the new text
//! while the full decoded text stays available beside it.

use std::borrow::Cow;

use bytes::Bytes;
use mail_parser::{Address, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use redress_domain::EmailAddress;
use redress_domain::case::CaseNumber;
use redress_domain::message::MAX_BODY_BYTES;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::quote::{strip_quoted, truncate};
use super::robot::{self, Sender};
use super::token::{case_token_in_address, case_token_in_subject};

/// The largest raw message accepted, in bytes (25 MiB, what the large mail providers accept).
pub const MAX_RAW_BYTES: usize = 25 * 1024 * 1024;

/// How long a Message-ID, In-Reply-To or References entry may be: a header line's limit.
const MAX_ID_BYTES: usize = 998;
/// How many References are kept (the most recent ones, at the end of the header).
const MAX_REFERENCES: usize = 50;
/// How many recipients of each kind (To, Cc, Delivered-To) are kept.
const MAX_RECIPIENTS: usize = 100;
/// The longest subject or display name kept, in bytes.
const MAX_HEADER_TEXT_BYTES: usize = 998;
/// The longest HTML converted to text, in bytes; the rest of a larger HTML body is not read.
const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;
/// The deepest HTML given to `html2text`, whose time grows with the square of the nesting (a
/// 50,000-deep `<div>` takes minutes). Real mail nests a few dozen levels; deeper HTML is made
/// by hand to stall us and is read by the plain tag stripper instead.
const MAX_HTML_DEPTH: usize = 400;
/// The width HTML is laid out in: wide, so that attribution lines ("On … wrote:") are not
/// wrapped and the desk wraps text itself.
const HTML_TEXT_WIDTH: usize = 200;

/// The bounds applied while reading a message. Every piece of an [`InboundEmail`] is bounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundLimits {
    /// The largest raw message read at all.
    pub max_raw_bytes: usize,
    /// The longest full decoded text kept, in bytes.
    pub max_text_bytes: usize,
    /// The longest cleaned body kept, in bytes: the domain's limit on a message body.
    pub max_body_bytes: usize,
    /// How many attachments are kept; later ones are listed in `skipped_attachments`.
    pub max_attachments: usize,
    /// The largest single attachment kept.
    pub max_attachment_bytes: usize,
    /// The most attachment bytes kept in all.
    pub max_total_attachment_bytes: usize,
}

impl Default for InboundLimits {
    fn default() -> Self {
        Self {
            max_raw_bytes: MAX_RAW_BYTES,
            max_text_bytes: 1024 * 1024,
            max_body_bytes: MAX_BODY_BYTES,
            max_attachments: 20,
            max_attachment_bytes: 15 * 1024 * 1024,
            max_total_attachment_bytes: MAX_RAW_BYTES,
        }
    }
}

/// Why a raw message could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboundError {
    /// Larger than [`InboundLimits::max_raw_bytes`].
    #[error("the message is {size} bytes, more than the {limit} accepted")]
    TooLarge {
        /// The message's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Nothing that reads as a mail message: no header at all.
    #[error("the message has no headers")]
    NotAMessage,
    /// Built to exhaust the parser: transfer-encoded attached messages that could not be
    /// neutralised (see `defuse_encoded_messages`).
    #[error("the message nests encoded messages in a way that cannot be read safely")]
    TooComplex,
}

/// A person's or system's mailbox: an address and, when given, a display name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// The display name (`Ana Kowalska` in `Ana Kowalska <ana@example.com>`), decoded.
    pub name: Option<String>,
    /// The address.
    pub address: EmailAddress,
}

/// A file that came with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundAttachment {
    /// The file name as sent, or `attachment-<n>` when none was given.
    pub filename: String,
    /// The MIME type, e.g. `image/jpeg`, lower case.
    pub content_type: String,
    /// True for a part shown inside the message (a pasted photo) rather than attached.
    pub inline: bool,
    /// The part's Content-ID without angle brackets, which HTML refers to as `cid:…`.
    pub content_id: Option<String>,
    /// The decoded content.
    pub bytes: Bytes,
}

/// An attachment that was not kept, and why; recorded so the desk can say a file is missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedAttachment {
    /// The file name as sent.
    pub filename: String,
    /// The MIME type.
    pub content_type: String,
    /// Its decoded size.
    pub size_bytes: u64,
    /// Why it was not kept.
    pub reason: SkipReason,
}

/// Why an attachment was not kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// Larger than [`InboundLimits::max_attachment_bytes`].
    TooLarge,
    /// More attachments, or more attachment bytes, than the limits allow.
    TooMany,
}

/// A mail read from its raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundEmail {
    /// The Message-ID without angle brackets, when the message has one.
    pub message_id: Option<String>,
    /// The Message-IDs this message replies to (usually one), without angle brackets.
    pub in_reply_to: Vec<String>,
    /// The thread's Message-IDs, oldest first, without angle brackets (the last 50 at most).
    pub references: Vec<String>,
    /// The author, when the From header holds a valid address.
    pub from: Option<Mailbox>,
    /// Where the author wants answers, when it differs from `from`.
    pub reply_to: Option<Mailbox>,
    /// The To recipients with valid addresses.
    pub to: Vec<Mailbox>,
    /// The Cc recipients with valid addresses.
    pub cc: Vec<Mailbox>,
    /// The addresses the receiving servers delivered to (`Delivered-To`, `X-Original-To`,
    /// `Envelope-To`): where a Bcc'd or forwarded message was really sent.
    pub delivered_to: Vec<String>,
    /// The subject, decoded; empty when there is none.
    pub subject: String,
    /// When the author's program says it was written.
    pub date: Option<OffsetDateTime>,
    /// What the customer wrote this time: the text with quoted history and signatures removed.
    pub body: String,
    /// The whole decoded text, history included (HTML turned into text).
    pub full_text: String,
    /// True when the text came from an HTML part because the message had no plain text.
    pub body_from_html: bool,
    /// The files kept.
    pub attachments: Vec<InboundAttachment>,
    /// The files not kept, with the reason.
    pub skipped_attachments: Vec<SkippedAttachment>,
    /// The case the message names by token: `[#1234]` in the subject, else a plus address
    /// (`support+1234@…`) among the recipients. Threading headers come first; see
    /// [`InboundEmail::thread_ids`].
    pub case_token: Option<CaseNumber>,
    /// A person or a machine: machines' mail never opens a case and is never answered.
    pub sender: Sender,
}

impl InboundEmail {
    /// Reads a raw message with the default [`InboundLimits`].
    pub fn parse(raw: &[u8]) -> Result<InboundEmail, InboundError> {
        Self::parse_with(raw, &InboundLimits::default())
    }

    /// Reads a raw message within `limits`.
    pub fn parse_with(raw: &[u8], limits: &InboundLimits) -> Result<InboundEmail, InboundError> {
        if raw.len() > limits.max_raw_bytes {
            return Err(InboundError::TooLarge { size: raw.len(), limit: limits.max_raw_bytes });
        }
        let (raw, renamed) = defuse_encoded_messages(raw)?;
        let parsed = Parsed(MessageParser::default().parse(raw.as_ref()).ok_or(InboundError::NotAMessage)?);
        let message = &parsed.0;
        if message.headers().is_empty() {
            return Err(InboundError::NotAMessage);
        }
        let (full_text, body_from_html) = text_of(message, limits.max_text_bytes);
        let body = truncate(&strip_quoted(&full_text), limits.max_body_bytes).to_owned();
        let (attachments, skipped_attachments) = attachments_of(message, limits, renamed);
        let subject = truncate(message.subject().unwrap_or_default().trim(), MAX_HEADER_TEXT_BYTES).to_owned();
        let to = mailboxes(message.to());
        let cc = mailboxes(message.cc());
        let delivered_to = delivered_to(message);
        let case_token = case_token_in_subject(&subject).or_else(|| {
            delivered_to
                .iter()
                .map(String::as_str)
                .chain(to.iter().chain(&cc).map(|m| m.address.as_str()))
                .find_map(case_token_in_address)
        });
        let from = mailboxes(message.from()).into_iter().next();
        let reply_to = mailboxes(message.reply_to()).into_iter().next().filter(|r| Some(r) != from.as_ref());
        Ok(InboundEmail {
            message_id: message.message_id().and_then(message_id),
            in_reply_to: ids(message.in_reply_to()),
            references: last(ids(message.references()), MAX_REFERENCES),
            from,
            reply_to,
            to,
            cc,
            delivered_to,
            subject,
            date: message.date().and_then(|d| OffsetDateTime::from_unix_timestamp(d.to_timestamp()).ok()),
            body,
            full_text,
            body_from_html,
            attachments,
            skipped_attachments,
            case_token,
            sender: robot::classify(message),
        })
    }

    /// The Message-IDs to look up, in order, to find the case this message continues: those it
    /// replies to first, then its References from the newest back. The first one that names a
    /// stored message wins; when none does, [`InboundEmail::case_token`] is the fallback.
    pub fn thread_ids(&self) -> Vec<&str> {
        let mut seen = Vec::new();
        for id in self.in_reply_to.iter().chain(self.references.iter().rev()) {
            if !seen.contains(&id.as_str()) {
                seen.push(id.as_str());
            }
        }
        seen
    }
}

/// The message's text: its plain-text parts, or its HTML parts turned into text when it has
/// no plain text. Returns the text and whether it came from HTML.
fn text_of(message: &Message<'_>, max_bytes: usize) -> (String, bool) {
    let mut text = String::new();
    let mut from_html = false;
    let mut parts: Vec<_> = message.text_bodies().collect();
    if parts.iter().all(|p| !matches!(p.body, PartType::Text(_) | PartType::Html(_))) {
        parts = message.html_bodies().collect();
    }
    for part in parts {
        if text.len() >= max_bytes {
            break;
        }
        let piece = match &part.body {
            PartType::Text(plain) => plain.replace("\r\n", "\n"),
            PartType::Html(html) => {
                from_html = true;
                html_to_text(html)
            }
            // Inline images and nested messages listed among the bodies are attachments.
            PartType::Binary(_) | PartType::InlineBinary(_) | PartType::Message(_) | PartType::Multipart(_) => {
                continue;
            }
        };
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(piece.trim_end());
    }
    (truncate(&text, max_bytes).to_owned(), from_html)
}

/// HTML as readable text: paragraphs and line breaks kept, `<blockquote>` as `> ` lines (which
/// the quote stripper then removes), tables as blocks, links as their text.
pub fn html_to_text(html: &str) -> String {
    let html = truncate(html, MAX_HTML_BYTES);
    if nesting_depth(html) > MAX_HTML_DEPTH {
        return super::html::strip_tags(html);
    }
    html2text::config::plain_no_decorate()
        .raw_mode(true)
        .allow_width_overflow()
        .no_link_wrapping()
        .link_footnotes(false)
        .string_from_read(html.as_bytes(), HTML_TEXT_WIDTH)
        // html2text fails only on a width too narrow for the text, which overflow allows, or
        // on a read error, which a byte slice cannot give; fall back to the markup's text.
        .unwrap_or_else(|_| html.to_owned())
}

fn attachments_of(
    message: &Message<'_>,
    limits: &InboundLimits,
    renamed: bool,
) -> (Vec<InboundAttachment>, Vec<SkippedAttachment>) {
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    let mut total = 0usize;
    for (n, part) in message.attachments().enumerate() {
        let filename = part
            .attachment_name()
            .map(|name| truncate(name.trim(), MAX_HEADER_TEXT_BYTES).to_owned())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| format!("attachment-{}", n + 1));
        let content_type = part
            .content_type()
            .map(|ct| match ct.subtype() {
                Some(sub) => format!("{}/{}", ct.ctype(), sub),
                None => ct.ctype().to_owned(),
            })
            .unwrap_or_else(|| {
                if matches!(part.body, PartType::Message(_)) { "message/rfc822" } else { "application/octet-stream" }
                    .to_owned()
            })
            .to_ascii_lowercase();
        // Undo the renaming of `defuse_encoded_messages`: the desk shows what was sent.
        let content_type = match content_type.strip_prefix("xessage/") {
            Some(subtype) if renamed => format!("message/{subtype}"),
            _ => content_type,
        };
        let contents = part.contents();
        let reason = if contents.len() > limits.max_attachment_bytes {
            Some(SkipReason::TooLarge)
        } else if kept.len() >= limits.max_attachments || total + contents.len() > limits.max_total_attachment_bytes {
            Some(SkipReason::TooMany)
        } else {
            None
        };
        if let Some(reason) = reason {
            skipped.push(SkippedAttachment { filename, content_type, size_bytes: contents.len() as u64, reason });
            continue;
        }
        total += contents.len();
        let inline = matches!(part.body, PartType::InlineBinary(_))
            || part.content_disposition().is_some_and(|d| d.ctype().eq_ignore_ascii_case("inline"));
        kept.push(InboundAttachment {
            filename,
            content_type,
            inline,
            content_id: part.content_id().and_then(message_id),
            bytes: Bytes::copy_from_slice(contents),
        });
    }
    (kept, skipped)
}

/// The valid mailboxes of an address header, groups flattened.
fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    let Some(address) = address else { return Vec::new() };
    address
        .iter()
        .filter_map(|addr| {
            let address = EmailAddress::parse(addr.address()?).ok()?;
            let name = addr
                .name()
                .map(|n| truncate(n.trim().trim_matches('"').trim(), MAX_HEADER_TEXT_BYTES).to_owned())
                .filter(|n| !n.is_empty() && n != address.as_str());
            Some(Mailbox { name, address })
        })
        .take(MAX_RECIPIENTS)
        .collect()
}

/// The addresses of `Delivered-To`, `X-Original-To` and `Envelope-To`, which receiving servers
/// add with the envelope recipient.
fn delivered_to(message: &Message<'_>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for (name, value) in message.headers_raw() {
        if !["delivered-to", "x-original-to", "envelope-to"].iter().any(|h| name.eq_ignore_ascii_case(h)) {
            continue;
        }
        let address = value.trim().trim_start_matches('<').trim_end_matches('>').trim();
        if let Ok(address) = EmailAddress::parse(address)
            && !found.iter().any(|f| f == address.as_str())
            && found.len() < MAX_RECIPIENTS
        {
            found.push(address.as_str().to_owned());
        }
    }
    found
}

/// A Message-ID as stored: without angle brackets or spaces, bounded; `None` when empty.
fn message_id(id: &str) -> Option<String> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>').trim();
    (!id.is_empty() && id.len() <= MAX_ID_BYTES && !id.contains(char::is_whitespace)).then(|| id.to_owned())
}

fn ids(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => message_id(id).into_iter().collect(),
        HeaderValue::TextList(list) => list.iter().filter_map(|id| message_id(id)).collect(),
        _ => Vec::new(),
    }
}

fn last(mut items: Vec<String>, n: usize) -> Vec<String> {
    let excess = items.len().saturating_sub(n);
    items.drain(..excess);
    items
}

/// An upper estimate of how deep `html` nests its elements: opening tags minus closing tags,
/// void elements and self-closing tags aside. Linear, never fooled into underestimating by
/// unclosed tags (it overestimates them, which only sends odd HTML to the simpler converter).
fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(offset) = bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == b'<')) {
        i += offset + 1;
        match bytes.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b) if b.is_ascii_alphabetic() => {
                let name_len = bytes[i..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
                let name = html.get(i..i + name_len).unwrap_or_default().to_ascii_lowercase();
                let end = bytes[i..].iter().position(|&b| b == b'>').map_or(bytes.len(), |e| i + e);
                let self_closing = end > 0 && bytes.get(end - 1) == Some(&b'/');
                if !VOID.contains(&name.as_str()) && !self_closing {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            _ => {}
        }
    }
    deepest
}

/// A parsed message whose nested messages are dropped one after another. `mail-parser` nests
/// one `Message` per attached `message/rfc822` level and Rust drops nested values recursively:
/// 20,000 levels, 640 KB of input, overflow a thread's stack and abort the process.
struct Parsed<'x>(Message<'x>);

impl Drop for Parsed<'_> {
    fn drop(&mut self) {
        let mut pending = take_nested(&mut self.0);
        while let Some(mut message) = pending.pop() {
            pending.extend(take_nested(&mut message));
        }
    }
}

/// Moves the messages nested in `message`'s parts out, leaving empty parts in their place.
fn take_nested<'x>(message: &mut Message<'x>) -> Vec<Message<'x>> {
    let mut nested = Vec::new();
    for part in &mut message.parts {
        if matches!(part.body, PartType::Message(_))
            && let PartType::Message(inner) = std::mem::replace(&mut part.body, PartType::Binary(Cow::Borrowed(&[])))
        {
            nested.push(inner);
        }
    }
    nested
}

/// Guards against attached messages sent base64 or quoted-printable encoded (RFC 2046 forbids
/// it, and no mail program we know does it). `mail-parser` reads such a part by recursion and
/// copies each level, so a few hundred KB of nested levels take half a minute and a 96 MB
/// stack. A first reading that decodes nothing (and so cannot recurse) finds them; they are
/// then renamed in a copy (`message/rfc822` to `xessage/rfc822`, `multipart/digest`, whose
/// parts are messages by default, to `multipart/xigest`, same lengths, so nothing moves) and
/// kept as plain attachments. A message in which the renaming does not remove them (a content
/// type written with comments, say) is refused. Returns the bytes to parse and whether they
/// were renamed.
fn defuse_encoded_messages(raw: &[u8]) -> Result<(Cow<'_, [u8]>, bool), InboundError> {
    if !has_encoded_messages(raw) {
        return Ok((Cow::Borrowed(raw), false));
    }
    let mut renamed = raw.to_vec();
    for (from, to) in [
        (&b"message/rfc822"[..], &b"xessage/rfc822"[..]),
        (b"message/global", b"xessage/global"),
        (b"multipart/digest", b"multipart/xigest"),
    ] {
        let mut at = 0;
        while let Some(found) =
            renamed.get(at..).and_then(|rest| rest.windows(from.len()).position(|w| w.eq_ignore_ascii_case(from)))
        {
            let start = at + found;
            renamed[start..start + to.len()].copy_from_slice(to);
            at = start + to.len();
        }
    }
    if has_encoded_messages(&renamed) {
        return Err(InboundError::TooComplex);
    }
    Ok((Cow::Owned(renamed), true))
}

/// True when a part that `mail-parser` would read as an attached message (a `message/*` type,
/// or no type inside a `multipart/digest`) has a base64 or quoted-printable
/// Content-Transfer-Encoding. Reads with that header parsed as an address list, which
/// `mail-parser` does not take for an encoding: nothing is decoded, so nothing recurses.
fn has_encoded_messages(raw: &[u8]) -> bool {
    // Content-Type read as usual, Content-Transfer-Encoding as addresses; other headers raw.
    let parser = MessageParser::new()
        .header_content_type(HeaderName::ContentType)
        .header_address(HeaderName::ContentTransferEncoding);
    let Some(message) = parser.parse(raw) else { return false };
    let mut pending = vec![Parsed(message)];
    while let Some(mut parsed) = pending.pop() {
        let parts = &parsed.0.parts;
        let in_digest = parts.iter().any(|p| p.content_type().is_some_and(|ct| is_type(ct, "multipart", "digest")));
        let read_as_message = |part: &mail_parser::MessagePart<'_>| match part.content_type() {
            Some(ct) => ct.ctype().eq_ignore_ascii_case("message"),
            None => in_digest,
        };
        if parts.iter().any(|p| read_as_message(p) && p.headers.iter().any(is_encoding_header)) {
            return true;
        }
        pending.extend(take_nested(&mut parsed.0).into_iter().map(Parsed));
    }
    false
}

fn is_type(content_type: &mail_parser::ContentType<'_>, ctype: &str, subtype: &str) -> bool {
    content_type.ctype().eq_ignore_ascii_case(ctype)
        && content_type.subtype().is_some_and(|s| s.eq_ignore_ascii_case(subtype))
}

fn is_encoding_header(header: &mail_parser::Header<'_>) -> bool {
    if header.name != HeaderName::ContentTransferEncoding {
        return false;
    }
    let encoded = |text: &str| {
        let text = text.trim();
        text.eq_ignore_ascii_case("base64") || text.eq_ignore_ascii_case("quoted-printable")
    };
    match &header.value {
        HeaderValue::Address(address) => address.iter().any(|a| a.address().or(a.name()).is_some_and(encoded)),
        HeaderValue::Text(text) => encoded(text),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_ids_put_the_direct_parent_first() {
        let raw =
            b"From: a@x.example\r\nMessage-ID: <c@x>\r\nIn-Reply-To: <b@x>\r\nReferences: <a@x> <b@x>\r\n\r\nhi\r\n";
        let email = InboundEmail::parse(raw).unwrap();
        assert_eq!(email.message_id.as_deref(), Some("c@x"));
        assert_eq!(email.thread_ids(), ["b@x", "a@x"]);
    }

    #[test]
    fn references_are_bounded_to_the_newest() {
        let refs: Vec<String> = (0..80).map(|i| format!("<r{i}@x>")).collect();
        let raw = format!("From: a@x.example\r\nReferences: {}\r\n\r\nhi\r\n", refs.join(" "));
        let email = InboundEmail::parse(raw.as_bytes()).unwrap();
        assert_eq!(email.references.len(), MAX_REFERENCES);
        assert_eq!(email.references.last().map(String::as_str), Some("r79@x"));
    }

    #[test]
    fn big_and_empty_messages_are_refused() {
        let limits = InboundLimits { max_raw_bytes: 10, ..InboundLimits::default() };
        assert_eq!(
            InboundEmail::parse_with(b"From: a@x.example\r\n\r\nhello", &limits),
            Err(InboundError::TooLarge { size: 26, limit: 10 })
        );
        assert_eq!(InboundEmail::parse(b""), Err(InboundError::NotAMessage));
    }

    #[test]
    fn plus_address_recipients_give_the_token_when_the_subject_has_none() {
        let raw = b"From: a@x.example\r\nTo: Shop <support+42@shop.example>\r\nSubject: hello\r\n\r\nhi\r\n";
        assert_eq!(InboundEmail::parse(raw).unwrap().case_token, Some(CaseNumber(42)));
        let raw = b"From: a@x.example\r\nTo: support+42@shop.example\r\nSubject: Re: [#7]\r\n\r\nhi\r\n";
        assert_eq!(InboundEmail::parse(raw).unwrap().case_token, Some(CaseNumber(7)));
        let raw = b"From: a@x.example\r\nDelivered-To: support+9@shop.example\r\nTo: other@x.example\r\n\r\nhi\r\n";
        let email = InboundEmail::parse(raw).unwrap();
        assert_eq!(email.case_token, Some(CaseNumber(9)));
        assert_eq!(email.delivered_to, ["support+9@shop.example"]);
    }

    /// `message/rfc822` nested `depth` times, each level `n` bytes long at least.
    fn nested_messages(depth: usize) -> String {
        "Content-Type: message/rfc822\r\n\r\n".repeat(depth)
    }

    #[test]
    fn deeply_nested_messages_do_not_overflow_the_stack() {
        // Regression: dropping mail-parser's nested messages recursively aborted the process.
        let raw = format!("From: a@x.example\r\n{}hello\r\n", nested_messages(20_000));
        let email = InboundEmail::parse(raw.as_bytes()).unwrap();
        assert_eq!(email.attachments.len(), 1);
        assert_eq!(email.attachments[0].content_type, "message/rfc822");
    }

    #[test]
    fn encoded_nested_messages_are_kept_as_attachments_without_recursion() {
        // Regression: a base64 message/rfc822 holding 20,000 nested levels (850 KB) took 34 s
        // and a 96 MB stack inside mail-parser.
        let inner = nested_messages(20_000);
        let mut encoded = String::new();
        for line in inner.as_bytes().chunks(57) {
            encoded.push_str(&base64_line(line));
            encoded.push_str("\r\n");
        }
        for encoding in ["base64", "BASE64"] {
            let raw = format!(
                "From: a@x.example\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
                 Content-Type: text/plain\r\n\r\nsee the forward; it is about message/rfc822\r\n--b\r\n\
                 Content-Type: Message/RFC822\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n{encoded}--b--\r\n"
            );
            let email = InboundEmail::parse(raw.as_bytes()).unwrap();
            assert_eq!(email.attachments.len(), 1);
            assert_eq!(email.attachments[0].content_type, "message/rfc822");
            assert_eq!(email.attachments[0].bytes.as_ref(), inner.as_bytes());
        }
        let evasive = format!(
            "From: a@x.example\r\nContent-Type: message (sneaky) / rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}"
        );
        let outcome = InboundEmail::parse(evasive.as_bytes());
        assert!(matches!(outcome, Ok(_) | Err(InboundError::TooComplex)), "{outcome:?}");
    }

    fn base64_line(bytes: &[u8]) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..4 {
                out.push(if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
            }
        }
        out
    }

    #[test]
    fn deeply_nested_html_is_read_by_the_plain_stripper() {
        // Regression: html2text takes minutes on 50,000 nested <div>s.
        for tag in ["div", "blockquote", "ul><li", "table><tr><td"] {
            let html = format!("<p>Top</p>{}deep", format!("<{tag}>").repeat(50_000));
            let text = html_to_text(&html);
            assert!(text.contains("Top") && text.ends_with("deep"), "{tag}: {}", &text[..text.len().min(200)]);
        }
        assert_eq!(nesting_depth("<div><br><img src=x/><p>a</p><hr/></div>"), 2);
        assert_eq!(nesting_depth("<a><b><c></c></b></a><d>"), 3);
    }

    #[test]
    fn html_becomes_readable_text_with_quotes_marked() {
        let text = html_to_text("<p>Hello <b>there</b></p><p>Line<br>two</p><blockquote>old</blockquote>");
        assert!(text.contains("Hello there"), "{text}");
        assert!(text.contains("Line\ntwo"), "{text}");
        assert!(text.contains("> old"), "{text}");
    }
}
