//! The photos customers sent with a case, for the shop's people and systems: what there is, and
//! each photo itself. Customers send them from the portal; this is how the shop sees them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use redress_domain::CaseId;
use redress_storage::AttachmentInfo;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::path_id;
use crate::AppState;
use crate::auth::StoreCaller;
use crate::error::{ApiError, ErrorBody};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_attachments)).routes(routes!(get_attachment))
}

/// What is known of a photo sent with a case.
#[derive(Serialize, ToSchema)]
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
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    /// Where to fetch it, with the same key.
    pub url: String,
}

impl AttachmentView {
    fn of(info: AttachmentInfo) -> Self {
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
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/attachments", tag = "cases",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Vec<AttachmentView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_attachments(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path(case_id): Path<String>,
) -> Result<Json<Vec<AttachmentView>>, ApiError> {
    let case_id: CaseId = path_id(&case_id, "case")?;
    // The case must be the caller's: another store's case is as unknown as a missing one.
    let case = state.storage().case(caller.store_id, case_id).await?;
    let photos = state.storage().attachments_of_case(caller.store_id, case.id).await?;
    Ok(Json(photos.into_iter().map(AttachmentView::of).collect()))
}

/// One photo of a case, as the image it is.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/attachments/{attachment_id}", tag = "cases",
    params(("case_id" = String, Path, description = "The case's id"),
        ("attachment_id" = String, Path, description = "The photo's id")),
    security(("store_key" = [])),
    responses((status = 200, description = "The image (JPEG, PNG or WebP)", content_type = "image/*"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_attachment(
    State(state): State<AppState>,
    caller: StoreCaller,
    Path((case_id, attachment_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let case_id: CaseId = path_id(&case_id, "case")?;
    let id: uuid::Uuid = path_id(&attachment_id, "attachment")?;
    let (info, bytes) = state.storage().attachment(caller.store_id, case_id, id).await?;
    Ok(image_response(&info, bytes))
}

/// A stored photo as an HTTP answer, for the API and the portal alike.
pub(crate) fn image_response(info: &AttachmentInfo, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    // Only the three image types are ever stored; no browser may guess another from the bytes.
    if let Ok(value) = HeaderValue::from_str(&info.content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    response
}
