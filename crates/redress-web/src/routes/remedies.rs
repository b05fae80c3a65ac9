//! What can be done about a case and doing it, over HTTP: the options (the decision with its
//! reasons in the reader's language), carrying out a remedy, amending the order before it
//! ships, and changing fault. Writes that move money or goods require an `Idempotency-Key`.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use redress_app::cases::case_id;
use redress_app::resolution::{
    self, AmendmentOutcome, AmendmentRequest, ChangedCase, FaultChange, OptionsRequest, RemedyOutcome,
};
use redress_domain::decision::{Decision, LineQuantity};
use redress_domain::remedy::RemedyRequest;
use redress_domain::{Case, LanguageTag};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{KEY_DESCRIPTION, replayable};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, IdempotencyKey};

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_options))
        .routes(routes!(carry_out_remedy))
        .routes(routes!(amend_order))
        .routes(routes!(change_fault))
}

/// Options for a case: the facts the customer or agent adds to what the order says.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OptionsQuery {
    /// Lines concerned as `SKU:quantity`, comma separated; the lines the case was opened with,
    /// else the whole order, if absent.
    pub lines: Option<String>,
    /// The customer has sent photos.
    pub photos_provided: Option<bool>,
    /// The carrier can stop a parcel in transit.
    pub carrier_allows_intercept: Option<bool>,
    /// The language to explain the reasons in (`en`, `es`, `pt`, `pl`, `id`); the customer's
    /// by default. An agent reads the reasons in their own language.
    pub language: Option<String>,
}

/// Reads `SKU:quantity` pairs, comma separated.
pub(crate) fn parse_lines(text: &str) -> Result<Vec<LineQuantity>, ApiError> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .take(200)
        .map(|part| {
            let (sku, quantity) = part.rsplit_once(':').unwrap_or((part, "1"));
            let quantity = quantity
                .parse()
                .map_err(|_| ApiError::invalid("lines", format!("`{part}` is not SKU:quantity, e.g. TEE-M:1")))?;
            Ok(LineQuantity { sku: sku.to_owned(), quantity })
        })
        .collect()
}

/// What can be done about a case now: the remedies on offer (what was already given left
/// out), the one recommended, the amounts and the rules that produced them. Reads only.
#[utoipa::path(get, path = "/api/v1/cases/{case_id}/options", tag = "resolution", params(
        ("case_id" = String, Path, description = "The case's id"), OptionsQuery), security(("store_key" = [])),
    responses((status = 200, body = Decision), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_options(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<OptionsQuery>,
) -> Result<Json<Decision>, ApiError> {
    let request = OptionsRequest {
        lines: query.lines.as_deref().map(parse_lines).transpose()?,
        photos_provided: query.photos_provided.unwrap_or(false),
        carrier_allows_intercept: query.carrier_allows_intercept.unwrap_or(false),
        language: query
            .language
            .as_deref()
            .map(LanguageTag::parse)
            .transpose()
            .map_err(|e| ApiError::invalid("language", e.problem))?,
    };
    Ok(Json(resolution::options(state.app(), &caller, case_id(&id)?, request).await?))
}

/// Carries out a remedy the options offer, as the caller: opens a return, files a claim,
/// cancels the order, or asks for the money it moves, with the decision and the fault on the
/// timeline. Units that already had a remedy are refused (`already_given`). A remedy the policy
/// offers only with approval goes ahead pending a second person: its refunds wait in the
/// approvals queue and its return waits to be approved by a lead who did not ask for it.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/remedy", tag = "resolution", request_body = RemedyRequest,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 201, body = RemedyOutcome, headers(("Idempotent-Replayed" = String, description = "`true` on a replayed answer"))),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not on offer, already given, or the case changed", body = ErrorBody),
        (status = 422, description = "The key was used for another request", body = ErrorBody)))]
async fn carry_out_remedy(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(input): ApiJson<RemedyRequest>,
) -> Result<Response, ApiError> {
    let outcome = resolution::carry_out_remedy(state.app(), &caller, case_id(&id)?, (input, Vec::new()), &key).await?;
    Ok(replayable(outcome))
}

/// Amends the case's order before it ships: address, variant (with a stock check), quantity,
/// billing details, cancel a line or the whole order. Once the carrier has it, refused with
/// 409 `too_late_to_amend`, the reason in the customer's language and the `alternatives`.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/amendments", tag = "resolution", request_body = AmendmentRequest,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 200, body = AmendmentOutcome), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Too late, out of stock, no change, or the order is cancelled", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn amend_order(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(input): ApiJson<AmendmentRequest>,
) -> Result<Response, ApiError> {
    Ok(replayable(resolution::amend_order(state.app(), &caller, case_id(&id)?, input, &key).await?))
}

/// Changes who is at fault, for the case or one line, with a note saying why. Fault decides who
/// pays return shipping and whether compensation is offered.
#[utoipa::path(post, path = "/api/v1/cases/{case_id}/fault", tag = "resolution", request_body = FaultChange,
    params(("case_id" = String, Path, description = "The case's id"),
        ("Idempotency-Key" = String, Header, description = KEY_DESCRIPTION, pattern = "^[!-~]{1,255}$")),
    security(("store_key" = [])),
    responses((status = 200, body = Case), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change_fault(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiPath(id): ApiPath<String>,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(input): ApiJson<FaultChange>,
) -> Result<Response, ApiError> {
    let changed: redress_app::idempotency::Replayed<ChangedCase> =
        resolution::change_fault(state.app(), &caller, case_id(&id)?, input, &key).await?;
    Ok(replayable(changed))
}
