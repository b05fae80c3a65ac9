//! Email in and out: the components the application layer wires into channels. Nothing here
//! touches storage or HTTP; every function takes and returns plain values.
//!
//! Inbound, whatever the way in (the [`smtp_server`], an [`imap`] mailbox, a provider's
//! webhook), raw bytes become an [`InboundEmail`] with [`InboundEmail::parse`]:
//!
//! - threading keys: [`InboundEmail::thread_ids`] (In-Reply-To, then References, newest first)
//!   to match stored Message-IDs, then [`InboundEmail::case_token`] (`[#1234]` in the subject
//!   or `support+1234@` among the recipients; see [`token`]);
//! - [`InboundEmail::body`], the customer's new words ([`quote`] strips quoted history and
//!   signatures), beside [`InboundEmail::full_text`] and the attachments;
//! - [`InboundEmail::sender`]: [`Sender::Automatic`] for auto-replies, bounces and list mail
//!   ([`robot`]), which must never open a case or be answered; over SMTP, a null envelope
//!   sender ([`Envelope::is_null_sender`]) means the same.
//!
//! Outbound, an [`OutboundEmail`] is [`build`]t into bytes (multipart/alternative, threaded,
//! a Message-ID fixed by the caller's id so retries are recognisable) and sent by an
//! [`SmtpRelay`], whose [`SendError`] says whether to retry or dead-letter.
//!
//! The [`smtp_server`] answers `250` to a message only after the caller's
//! [`SmtpHandler::deliver`] returned, i.e. after the caller stored it: nothing accepted is
//! lost. With the `fake` feature, [`sink::SmtpSink`] runs the same server as a local relay
//! for tests that collects mail and can be told to fail or to hang up before answering.

#[cfg(any(test, feature = "fake"))]
pub mod dovecot;
mod html;
pub mod imap;
pub mod inbound;
pub mod outbound;
pub mod quote;
pub mod relay;
pub mod robot;
#[cfg(any(test, feature = "fake"))]
pub mod sink;
pub mod smtp_server;
#[cfg(test)]
mod tests;
pub mod token;

pub use imap::{
    ImapAccount, ImapBatch, ImapContent, ImapCursor, ImapError, ImapLimits, ImapMessage, ImapSecurity, fetch_new,
};
pub use inbound::{
    InboundAttachment, InboundEmail, InboundError, InboundLimits, Mailbox, SkipReason, SkippedAttachment,
};
pub use outbound::{AutoSubmitted, BuildError, BuiltEmail, OutboundEmail, build, html_from_text, message_id_for};
pub use quote::strip_quoted;
pub use relay::{RelayConfigError, RelaySecurity, SendError, SmtpRelay};
pub use robot::{AutomaticReason, Sender};
#[cfg(any(test, feature = "fake"))]
pub use sink::{ReceivedMail, SinkBehaviour, SmtpSink};
pub use smtp_server::{Envelope, Reject, SmtpHandler, SmtpServer, SmtpServerConfig, serve};
pub use token::{base_address, case_token_in_address, case_token_in_subject, plus_address, subject_with_token};
