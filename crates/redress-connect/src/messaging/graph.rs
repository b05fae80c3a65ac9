//! What the WhatsApp Cloud API and the Messenger/Instagram Send API share: both are Graph API
//! endpoints, take a bearer token, and fail with Graph's error envelope
//! (`{"error": {"message", "type", "code", "error_subcode", "error_data": {"details"}}}`), often
//! with HTTP 400 even for rate limits, so errors are sorted by their documented codes as well as
//! by the HTTP status.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::send::{ChatApiError, read_answer, retry_after_header, transport};
use super::{Secret, clip};

/// Meta's Graph API host.
pub const GRAPH_API_URL: &str = "https://graph.facebook.com";

/// The Graph API version called unless the configuration says otherwise. Meta retires versions
/// about two years after release; the store's settings can name a newer one without a release.
pub const GRAPH_API_VERSION: &str = "v25.0";

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: GraphError,
}

#[derive(Deserialize)]
struct GraphError {
    message: Option<String>,
    code: Option<i64>,
    error_subcode: Option<i64>,
    error_data: Option<ErrorData>,
}

#[derive(Deserialize)]
struct ErrorData {
    details: Option<String>,
}

/// POSTs JSON with the token and reads the answer.
pub(crate) async fn post_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    token: &Secret,
    body: &Value,
) -> Result<T, ChatApiError> {
    let response = client.post(url).bearer_auth(token.expose()).json(body).send().await.map_err(transport)?;
    answer(response).await
}

/// GETs with the token and reads the answer.
pub(crate) async fn get_json<T: DeserializeOwned>(
    client: &reqwest::Client,
    url: &str,
    token: &Secret,
) -> Result<T, ChatApiError> {
    let response = client.get(url).bearer_auth(token.expose()).send().await.map_err(transport)?;
    answer(response).await
}

async fn answer<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, ChatApiError> {
    let status = response.status().as_u16();
    let retry_after = retry_after_header(response.headers());
    let body = read_answer(response).await?;
    if (200..300).contains(&status) {
        return serde_json::from_slice(&body).map_err(|e| ChatApiError::Protocol(clip(&e.to_string())));
    }
    Err(classify(status, retry_after, &body))
}

/// Sorts a Graph API failure by what the caller can do about it.
pub(crate) fn classify(status: u16, retry_after: Option<Duration>, body: &[u8]) -> ChatApiError {
    let error = serde_json::from_slice::<ErrorEnvelope>(body).ok().map(|e| e.error);
    let (code, subcode) = error.as_ref().map_or((None, None), |e| (e.code, e.error_subcode));
    let detail = match &error {
        Some(e) => {
            let message = e.message.as_deref().unwrap_or("no message");
            match e.error_data.as_ref().and_then(|d| d.details.as_deref()) {
                Some(details) => clip(&format!("{message} ({details})")),
                None => clip(message),
            }
        }
        None => clip(&format!("HTTP {status}: {}", String::from_utf8_lossy(body))),
    };
    // WhatsApp's 131047 ("Re-engagement message") and the Send API's 10 with subcodes 2018278
    // (Messenger) or 2534022 (Instagram) all mean "outside the allowed window".
    if code == Some(131_047) || matches!(subcode, Some(2_018_278 | 2_534_022)) {
        return ChatApiError::OutsideWindow { detail };
    }
    // 190: access token expired or invalid; 102: session expired.
    if status == 401 || matches!(code, Some(190 | 102)) {
        return ChatApiError::Unauthorized { detail };
    }
    // Graph's app, user and page rate limits (4, 17, 32, 613), WhatsApp's account, throughput
    // and per-recipient limits (80007, 130429, 131056).
    if status == 429 || matches!(code, Some(4 | 17 | 32 | 613 | 80_007 | 130_429 | 131_056)) {
        return ChatApiError::RateLimited { detail, retry_after };
    }
    // Documented as temporary: 1 (unknown, possibly temporary), 2 (service temporarily
    // unavailable), 131000 (something went wrong), 131016 (service unavailable), 133004 (server
    // temporarily unavailable), 1200 (Messenger's temporary send failure).
    if status >= 500 || matches!(code, Some(1 | 2 | 1200 | 131_000 | 131_016 | 133_004)) {
        return ChatApiError::Unavailable { detail, retry_after };
    }
    ChatApiError::Rejected { code, detail }
}
