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

/// The largest photo a customer may send, in bytes: a phone photo fits, a video does not.
pub const MAX_IMAGE_BYTES: usize = 5 * 1024 * 1024;

/// Photos one report may carry.
pub const MAX_IMAGES_PER_REPORT: usize = 3;

/// The image type of `bytes`, read from their first bytes rather than from what the sender
/// claims: JPEG, PNG or WebP, the formats every browser shows. `None` for anything else.
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Checks a photo a customer sent: not empty, at most [`MAX_IMAGE_BYTES`], and really an image
/// of a supported type. Returns its type.
pub fn check_image(bytes: &[u8]) -> Result<&'static str, ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::new("photos", "the file is empty"));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ValidationError::new("photos", format!("a photo may be at most {} MB", MAX_IMAGE_BYTES >> 20)));
    }
    image_type(bytes).ok_or_else(|| ValidationError::new("photos", "send a JPEG, PNG or WebP photo"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_known_by_their_bytes_not_their_name() {
        assert_eq!(check_image(b"\x89PNG\r\n\x1a\n0000"), Ok("image/png"));
        assert_eq!(check_image(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(check_image(b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert_eq!(check_image(b"%PDF-1.7").unwrap_err().field, "photos");
        assert_eq!(check_image(b"").unwrap_err().field, "photos");
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(MAX_IMAGE_BYTES + 1, 0);
        assert!(check_image(&big).is_err());
    }
}
