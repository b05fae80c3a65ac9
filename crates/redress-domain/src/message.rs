//! Messages between the customer and the shop on a case.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ids::{CaseId, MessageId, StoreId};
use crate::store::ValidationError;
use crate::taxonomy::Channel;
use crate::timeline::Actor;

/// Which way a message went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From the customer to the shop.
    Inbound,
    /// From the shop to the customer.
    Outbound,
}

/// Who wrote a message: the same people and systems that act on a case.
pub type Author = Actor;

/// What is known of an attached file; the bytes are kept elsewhere.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// File name as sent.
    pub filename: String,
    /// MIME type, e.g. `image/jpeg`.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
}

/// The longest message body accepted, in bytes: long enough for any real email, short enough
/// that one message cannot fill the database.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// A message on a case. Messages are never edited: corrections are new messages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    /// The message's id.
    pub id: MessageId,
    /// The store it belongs to.
    pub store_id: StoreId,
    /// The case it is on.
    pub case_id: CaseId,
    /// Inbound from the customer or outbound from the shop.
    pub direction: Direction,
    /// The channel it came on or went out on.
    pub channel: Channel,
    /// Who wrote it.
    pub author: Author,
    /// The text.
    pub body: String,
    /// Files sent with it.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// When it was received or sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Message {
    /// Checks the body (present, at most [`MAX_BODY_BYTES`]) and the attachments' metadata.
    pub fn validate(&self) -> Result<(), ValidationError> {
        validate_body(&self.body)?;
        for (i, attachment) in self.attachments.iter().enumerate() {
            if attachment.filename.trim().is_empty() || attachment.filename.len() > 255 {
                return Err(ValidationError::new(
                    format!("attachments[{i}].filename"),
                    "give a file name of 1 to 255 bytes",
                ));
            }
            if !attachment.content_type.contains('/') {
                return Err(ValidationError::new(
                    format!("attachments[{i}].content_type"),
                    "use a MIME type such as image/jpeg",
                ));
            }
        }
        Ok(())
    }
}

/// Checks a message or note body: not blank, at most [`MAX_BODY_BYTES`].
pub fn validate_body(body: &str) -> Result<(), ValidationError> {
    if body.trim().is_empty() {
        return Err(ValidationError::new("body", "the message is empty"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(ValidationError::new("body", format!("the message is longer than {MAX_BODY_BYTES} bytes")));
    }
    Ok(())
}
