//! Sending through an SMTP relay with `lettre`'s tokio transport (rustls, webpki roots).
//!
//! The relay is given as a URL, `smtp://user:pass@host:port?tls=required` or
//! `smtps://user:pass@host:port`:
//!
//! | URL                          | security                                  | default port |
//! |------------------------------|-------------------------------------------|--------------|
//! | `smtps://…`                  | TLS from the first byte                   | 465          |
//! | `smtp://…?tls=required`      | STARTTLS, refuse to send without it       | 587          |
//! | `smtp://…?tls=opportunistic` | STARTTLS when offered, else plain         | 587          |
//! | `smtp://…?tls=none`          | plain (a local relay or a test sink)      | 25           |
//! | `smtp://…` with a password   | as `required`: a password never goes out in clear unless `tls=none` says so | 587 |
//! | `smtp://…` without           | as `opportunistic`                        | 25           |
//!
//! A send fails with a [`SendError`] that tells the outbox what to do: a `5xx` answer is
//! [`SendError::Permanent`] (dead-letter it, trying again would get the same answer), a `4xx`
//! answer, a timeout or a broken connection is [`SendError::Transient`] (try again later with
//! the same bytes). A connection that breaks after the message was sent but before the relay
//! answered is transient too: the relay may have the message, so the retry may deliver it a
//! second time, with the same Message-ID, by which receiving systems drop the copy. SMTP offers
//! nothing stronger.

use std::fmt;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use url::Url;

use super::outbound::BuiltEmail;

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelaySecurity {
    /// TLS from the first byte (`smtps://`, port 465).
    Tls,
    /// STARTTLS, and no sending if the relay does not offer it.
    StartTlsRequired,
    /// STARTTLS when the relay offers it, plain otherwise.
    StartTlsOpportunistic,
    /// Plain text: only for a relay on the same machine or a test sink.
    None,
}

/// Why a relay URL is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayConfigError {
    /// Not a URL, or one without a host.
    #[error("the SMTP relay `{0}` is not a URL like smtp://user:pass@host:587")]
    Url(String),
    /// A scheme other than `smtp` or `smtps`.
    #[error("the SMTP relay scheme must be smtp or smtps, not `{0}`")]
    Scheme(String),
    /// A `tls=` value other than `required`, `opportunistic` or `none`, or `tls=` on `smtps`.
    #[error("the SMTP relay option tls={0} is not one of required, opportunistic or none (and smtps needs none)")]
    Tls(String),
    /// The user name or password is not valid percent-encoded UTF-8.
    #[error("the SMTP relay credentials are not valid percent-encoded UTF-8")]
    Credentials,
    /// The TLS settings could not be made for the host.
    #[error("TLS cannot be set up for the SMTP relay: {0}")]
    TlsSetup(String),
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The relay refused for good (a `5xx` answer, or a message it cannot take): do not retry.
    #[error("the SMTP relay refused the message for good{}: {message}", code_text(*.code))]
    Permanent {
        /// The SMTP reply code, when the relay gave one.
        code: Option<u16>,
        /// What went wrong.
        message: String,
    },
    /// The relay could not take it now (a `4xx` answer, a timeout, a broken connection):
    /// retry later with the same bytes.
    #[error("the SMTP relay could not take the message now{}: {message}", code_text(*.code))]
    Transient {
        /// The SMTP reply code, when the relay gave one.
        code: Option<u16>,
        /// What went wrong.
        message: String,
    },
}

fn code_text(code: Option<u16>) -> String {
    code.map(|c| format!(" ({c})")).unwrap_or_default()
}

impl SendError {
    /// True when trying again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Transient { .. })
    }

    fn from_lettre(error: &lettre::transport::smtp::Error) -> SendError {
        let code = error.status().map(u16::from);
        let message = error.to_string();
        if error.is_permanent() || error.is_client() {
            SendError::Permanent { code, message }
        } else {
            SendError::Transient { code, message }
        }
    }
}

/// An SMTP relay to send through.
#[derive(Clone)]
pub struct SmtpRelay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    security: RelaySecurity,
    described: String,
}

impl fmt::Debug for SmtpRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpRelay").field("relay", &self.described).field("security", &self.security).finish()
    }
}

impl SmtpRelay {
    /// The relay a URL names; `timeout` bounds each SMTP command and the connection.
    pub fn from_url(url: &str, timeout: Duration) -> Result<SmtpRelay, RelayConfigError> {
        let parsed = Url::parse(url.trim()).map_err(|_| RelayConfigError::Url(redact(url)))?;
        let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| RelayConfigError::Url(redact(url)))?;
        // IPv6 literals come bracketed from the URL; the transport wants them bare.
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
        let tls = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let has_password = parsed.password().is_some();
        let security = match (parsed.scheme(), tls.as_deref()) {
            ("smtps", None) => RelaySecurity::Tls,
            ("smtps", Some(other)) => return Err(RelayConfigError::Tls(other.to_owned())),
            ("smtp", Some("required")) => RelaySecurity::StartTlsRequired,
            ("smtp", Some("opportunistic")) => RelaySecurity::StartTlsOpportunistic,
            ("smtp", Some("none")) => RelaySecurity::None,
            ("smtp", Some(other)) => return Err(RelayConfigError::Tls(other.to_owned())),
            ("smtp", None) if has_password => RelaySecurity::StartTlsRequired,
            ("smtp", None) => RelaySecurity::StartTlsOpportunistic,
            (scheme, _) => return Err(RelayConfigError::Scheme(scheme.to_owned())),
        };
        let default_port = match security {
            RelaySecurity::Tls => 465,
            RelaySecurity::StartTlsRequired => 587,
            RelaySecurity::StartTlsOpportunistic if has_password => 587,
            RelaySecurity::StartTlsOpportunistic | RelaySecurity::None => 25,
        };
        let port = parsed.port().unwrap_or(default_port);
        let tls_parameters = || TlsParameters::new(host.clone()).map_err(|e| RelayConfigError::TlsSetup(e.to_string()));
        let tls = match security {
            RelaySecurity::Tls => Tls::Wrapper(tls_parameters()?),
            RelaySecurity::StartTlsRequired => Tls::Required(tls_parameters()?),
            RelaySecurity::StartTlsOpportunistic => Tls::Opportunistic(tls_parameters()?),
            RelaySecurity::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone())
            .port(port)
            .tls(tls)
            .timeout(Some(timeout));
        if let Some(password) = parsed.password() {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .map(|text| text.into_owned())
                    .map_err(|_| RelayConfigError::Credentials)
            };
            builder = builder.credentials(Credentials::new(decode(parsed.username())?, decode(password)?));
        }
        let user = if parsed.username().is_empty() { String::new() } else { format!("{}:***@", parsed.username()) };
        Ok(SmtpRelay {
            transport: builder.build(),
            security,
            described: format!("{}://{user}{}:{port}", parsed.scheme(), parsed.host_str().unwrap_or_default()),
        })
    }

    /// How the connection is protected.
    pub fn security(&self) -> RelaySecurity {
        self.security
    }

    /// The relay for logs: scheme, user, host and port, never the password.
    pub fn describe(&self) -> &str {
        &self.described
    }

    /// Sends a built message to its one recipient.
    pub async fn send(&self, email: &BuiltEmail) -> Result<(), SendError> {
        let permanent = |message: String| SendError::Permanent { code: None, message };
        let from = email.envelope_from.parse().map_err(|_| permanent(format!("bad sender {}", email.envelope_from)))?;
        let to = email.recipient.parse().map_err(|_| permanent(format!("bad recipient {}", email.recipient)))?;
        let envelope = Envelope::new(Some(from), vec![to]).map_err(|e| permanent(e.to_string()))?;
        self.transport.send_raw(&envelope, &email.bytes).await.map(drop).map_err(|e| SendError::from_lettre(&e))
    }
}

/// A URL for error messages: the password replaced.
fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            // Setting a password only fails on URLs that cannot have one, which has one.
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(unreadable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn security(url: &str) -> Result<RelaySecurity, RelayConfigError> {
        SmtpRelay::from_url(url, Duration::from_secs(5)).map(|r| r.security())
    }

    #[test]
    fn urls_choose_the_security() {
        assert_eq!(security("smtps://u:p@mail.example"), Ok(RelaySecurity::Tls));
        assert_eq!(security("smtp://u:p@mail.example:587?tls=required"), Ok(RelaySecurity::StartTlsRequired));
        assert_eq!(security("smtp://mail.example?tls=opportunistic"), Ok(RelaySecurity::StartTlsOpportunistic));
        assert_eq!(security("smtp://127.0.0.1:2525?tls=none"), Ok(RelaySecurity::None));
        assert_eq!(security("smtp://u:p@mail.example"), Ok(RelaySecurity::StartTlsRequired));
        assert_eq!(security("smtp://mail.example"), Ok(RelaySecurity::StartTlsOpportunistic));
        assert_eq!(security("smtp://[::1]:25?tls=none"), Ok(RelaySecurity::None));
        assert_eq!(security("http://mail.example"), Err(RelayConfigError::Scheme("http".into())));
        assert_eq!(security("smtp://mail.example?tls=maybe"), Err(RelayConfigError::Tls("maybe".into())));
        assert_eq!(security("smtps://mail.example?tls=none"), Err(RelayConfigError::Tls("none".into())));
        assert!(matches!(security("not a url"), Err(RelayConfigError::Url(_))));
    }

    #[test]
    fn descriptions_and_errors_never_show_the_password() {
        let relay =
            SmtpRelay::from_url("smtp://ana:s3cr%40t@mail.example?tls=required", Duration::from_secs(5)).unwrap();
        assert_eq!(relay.describe(), "smtp://ana:***@mail.example:587");
        assert!(!format!("{relay:?}").contains("s3cr"));
        let error = SmtpRelay::from_url("ftp://ana:s3cret@mail.example", Duration::from_secs(5)).unwrap_err();
        assert!(!error.to_string().contains("s3cret"));
        assert_eq!(redact("smtp://ana:s3cret@mail.example"), "smtp://ana:***@mail.example");
    }
}
