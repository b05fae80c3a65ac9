//! The API's endpoints, one module per resource. Each handler parses the request, calls the
//! use case in [`redress_app`] with the authenticated caller, and answers.

pub(crate) mod analytics;
pub(crate) mod assistant;
pub(crate) mod attachments;
pub(crate) mod cases;
pub(crate) mod channels;
pub(crate) mod follow_through;
pub(crate) mod health;
pub(crate) mod help;
pub(crate) mod incidents;
pub(crate) mod macros;
pub(crate) mod money;
pub(crate) mod orders;
pub(crate) mod platforms;
pub(crate) mod policy;
pub(crate) mod privacy;
pub(crate) mod remedies;
pub(crate) mod returns;
pub(crate) mod stores;
pub(crate) mod team;
pub(crate) mod understanding;
pub(crate) mod webhooks;

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_app::idempotency::{Answer, Replayed};

/// An answer a key may replay: its own status (the first answer's, on a replay too), with
/// `Idempotent-Replayed: true` when it is the first answer given again.
pub(crate) fn replayable<T: Answer>(answer: Replayed<T>) -> Response {
    let status = StatusCode::from_u16(answer.value.status()).unwrap_or(StatusCode::OK);
    let mut response = (status, Json(&answer.value)).into_response();
    if answer.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// The description of the `Idempotency-Key` header, shared by every write that requires it.
pub(crate) const KEY_DESCRIPTION: &str = "Required. The client's key for this request (1 to 255 printable ASCII \
characters, e.g. a UUID). Retrying with the same key and the same request answers the first answer again, \
with `Idempotent-Replayed: true`, and never acts twice; the same key with another request is 422 \
`idempotency_key_reused`. Keys are remembered for 24 hours.";
