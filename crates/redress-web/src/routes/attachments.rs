//! The photos customers sent with a case, for the shop's people and systems.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use redress_app::attachments::AttachmentInfo;
use redress_app::attachments::{self, AttachmentView};
use redress_app::cases::case_id;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_attachments)).routes(routes!(get_attachment))
}

/// The photos sent with a case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/attachments", tag = "cases",
    params(("case_id" = String, Path, description = "The case's id")), security(("store_key" = [])),
    responses((status = 200, body = Vec<AttachmentView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_attachments(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<AttachmentView>>, ApiError> {
    let photos = attachments::list(state.app(), &caller, case_id(&id)?).await?;
    Ok(Json(photos.into_iter().map(AttachmentView::from).collect()))
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
    ApiCaller(caller): ApiCaller,
    ApiPath((id, attachment_id)): ApiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let (info, bytes) = attachments::photo(state.app(), &caller, case_id(&id)?, &attachment_id).await?;
    Ok(image_response(&info, bytes))
}

/// A stored photo as an HTTP answer, for the API, the portal and the desk alike.
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
