//! What the server-rendered pages (the customer portal and the agent workspace) share: a page
//! answer with its cookies, redirects after a form, and reading cookies.

use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// A page answer: the HTML plus the cookies to set.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) html: Result<String, askama::Error>,
    pub(crate) cookies: Vec<String>,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let html = match self.html {
            Ok(html) => html,
            Err(e) => {
                tracing::error!(error = %e, "a page failed to render");
                return (StatusCode::INTERNAL_SERVER_ERROR, "something went wrong on our side").into_response();
            }
        };
        let mut response = (self.status, Html(html)).into_response();
        for cookie in self.cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
        response
    }
}

pub(crate) fn redirect(to: &str, cookies: Vec<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(LOCATION, location);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name)?.strip_prefix('='))
}

/// `Secure` when the request came over HTTPS through a proxy; plain HTTP (a local demo) would
/// drop a Secure cookie.
pub(crate) fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "https");
    if https { "; Secure" } else { "" }
}
