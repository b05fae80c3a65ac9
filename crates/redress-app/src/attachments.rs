//! The photos customers send with a case. A photo is kept only when it decodes as the JPEG,
//! PNG or WebP image it claims to be, and is kept re-encoded from its pixels: whatever else
//! the file carried (scripts behind a JPEG header, metadata with the customer's location) is
//! gone, so what the team opens is a plain image.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};
use redress_domain::CaseId;
use redress_domain::message::MAX_IMAGE_BYTES;
pub use redress_storage::AttachmentInfo;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult};
use crate::resolution::visible_case;
use crate::{App, parse_id};

/// The largest picture accepted, in pixels a side: a phone photo fits, a decompression bomb
/// does not.
const MAX_SIDE: u32 = 8_000;

/// A photo that decoded as the image it claims to be, re-encoded from its pixels: the only
/// form in which a photo is kept.
#[derive(Clone, Debug)]
pub struct Photo {
    filename: String,
    bytes: Vec<u8>,
    content_type: &'static str,
}

impl Photo {
    /// Checks and cleans a photo as sent; `field` names it in a refusal.
    pub fn clean(filename: &str, bytes: &[u8], field: &str) -> AppResult<Photo> {
        let (bytes, content_type) = clean_photo(bytes, field)?;
        // Only the last part of a path some browsers send, and never an empty or huge name.
        let name: String = filename
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(120)
            .collect();
        let filename = if name.trim().is_empty() { "photo".to_owned() } else { name.trim().to_owned() };
        Ok(Photo { filename, bytes, content_type })
    }

    /// How the photo is listed on the message it came with.
    pub fn attachment(&self) -> redress_domain::Attachment {
        redress_domain::Attachment {
            filename: self.filename.clone(),
            content_type: self.content_type.to_owned(),
            size_bytes: self.bytes.len() as u64,
        }
    }
}

/// Why a file is not a photo Redress keeps.
fn not_a_photo(field: &str) -> AppError {
    AppError::invalid(field, "send a JPEG, PNG or WebP photo; this file is not one")
}

/// Decodes a photo and encodes it again from its pixels, in the format it came in.
pub fn clean_photo(bytes: &[u8], field: &str) -> AppResult<(Vec<u8>, &'static str)> {
    if bytes.is_empty() || bytes.len() > MAX_IMAGE_BYTES {
        return Err(AppError::invalid(field, format!("a photo is at most {} MB", MAX_IMAGE_BYTES / (1024 * 1024))));
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| not_a_photo(field))?;
    let (format, content_type) = match reader.format() {
        Some(ImageFormat::Jpeg) => (ImageFormat::Jpeg, "image/jpeg"),
        Some(ImageFormat::Png) => (ImageFormat::Png, "image/png"),
        Some(ImageFormat::WebP) => (ImageFormat::WebP, "image/webp"),
        _ => return Err(not_a_photo(field)),
    };
    let (width, height) = reader.into_dimensions().map_err(|_| not_a_photo(field))?;
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(AppError::invalid(field, format!("a photo is at most {MAX_SIDE} pixels a side")));
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(image::Limits::default());
    let picture = reader.decode().map_err(|_| not_a_photo(field))?;
    let mut cleaned = Cursor::new(Vec::new());
    // WebP is written losslessly by the image crate; JPEG and PNG as themselves.
    let picture = if format == ImageFormat::Jpeg { image::DynamicImage::ImageRgb8(picture.to_rgb8()) } else { picture };
    picture.write_to(&mut cleaned, format).map_err(AppError::internal)?;
    let cleaned = cleaned.into_inner();
    if cleaned.len() > MAX_IMAGE_BYTES {
        return Err(AppError::invalid(field, "the photo is too large once cleaned; send a smaller one"));
    }
    Ok((cleaned, content_type))
}

/// Keeps photos sent with a case, each already checked and cleaned ([`Photo::clean`]).
pub async fn save(app: &App, caller: &Caller, case_id: CaseId, photos: Vec<Photo>) -> AppResult<Vec<AttachmentInfo>> {
    let store_id = caller.require(Action::WorkCases)?;
    visible_case(app, caller, case_id).await?;
    let mut saved = Vec::with_capacity(photos.len());
    for photo in photos {
        let info = AttachmentInfo {
            id: uuid::Uuid::now_v7(),
            case_id,
            filename: photo.filename,
            content_type: photo.content_type.to_owned(),
            size_bytes: photo.bytes.len() as u64,
            created_at: app.now(),
        };
        app.storage().save_attachment(store_id, &info, &photo.bytes).await?;
        saved.push(info);
    }
    Ok(saved)
}

/// What is known of a photo sent with a case.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    /// Its id.
    pub id: String,
    /// The file name as sent.
    pub filename: String,
    /// `image/jpeg`, `image/png` or `image/webp`, read from the file itself.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: u64,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: OffsetDateTime,
    /// Where to fetch it, with the same key.
    pub url: String,
}

impl From<AttachmentInfo> for AttachmentView {
    fn from(info: AttachmentInfo) -> Self {
        AttachmentView {
            url: format!("/api/v1/cases/{}/attachments/{}", info.case_id, info.id),
            id: info.id.to_string(),
            filename: info.filename,
            content_type: info.content_type,
            size_bytes: info.size_bytes,
            created_at: info.created_at,
        }
    }
}

/// The photos sent with a case, oldest first.
pub async fn list(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<Vec<AttachmentInfo>> {
    let store_id = caller.require(Action::Read)?;
    let case = visible_case(app, caller, case_id).await?;
    Ok(app.storage().attachments_of_case(store_id, case.id).await?)
}

/// One photo of a case, with its bytes.
pub async fn photo(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    photo_id: &str,
) -> AppResult<(AttachmentInfo, Vec<u8>)> {
    let store_id = caller.require(Action::Read)?;
    visible_case(app, caller, case_id).await?;
    let id: uuid::Uuid = parse_id(photo_id, "attachment")?;
    Ok(app.storage().attachment(store_id, case_id, id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Vec<u8> {
        let picture = image::RgbImage::from_pixel(4, 3, image::Rgb([200, 10, 10]));
        let mut bytes = Cursor::new(Vec::new());
        image::DynamicImage::ImageRgb8(picture).write_to(&mut bytes, ImageFormat::Png).unwrap();
        bytes.into_inner()
    }

    #[test]
    fn a_real_photo_is_kept_re_encoded() {
        let (cleaned, content_type) = clean_photo(&png(), "photos[0]").unwrap();
        assert_eq!(content_type, "image/png");
        assert!(image::load_from_memory(&cleaned).is_ok());
    }

    #[test]
    fn a_page_behind_a_jpeg_header_is_refused() {
        let mut fake = vec![0xFF, 0xD8, 0xFF, 0xE0];
        fake.extend_from_slice(b"<html><script>alert(1)</script></html>");
        let refused = clean_photo(&fake, "photos[0]").unwrap_err();
        assert_eq!(refused.field.as_deref(), Some("photos[0]"));
        assert!(clean_photo(b"", "photos[0]").is_err());
    }
}
