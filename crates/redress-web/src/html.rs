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

/// The answer for a URL naming no shop of this deployment.
pub(crate) fn unknown_store() -> Response {
    (StatusCode::NOT_FOUND, Html("<!doctype html><title>Not found</title><p>No such shop.</p>".to_owned()))
        .into_response()
}

/// The cookie remembering a language the reader chose, for a year, on every page.
pub(crate) fn language_cookie(tag: &str, headers: &HeaderMap) -> String {
    format!("{}={tag}; Path=/; Max-Age=31536000; SameSite=Lax{}", crate::portal::i18n::LANGUAGE_COOKIE, secure(headers))
}

/// The store a page's URL names, and the words to speak on it: an explicit `?lang=`, then the
/// reader's remembered choice, then the browser's languages, then the store's own.
pub(crate) async fn store_and_words(
    state: &crate::AppState,
    slug: &str,
    headers: &HeaderMap,
    lang: Option<&str>,
) -> Option<(redress_domain::Store, crate::portal::i18n::Words)> {
    use crate::portal::i18n::{LANGUAGE_COOKIE, negotiate};
    let store = redress_app::stores::by_slug(state.app(), slug).await.ok()??;
    let w = negotiate(
        lang,
        cookie(headers, LANGUAGE_COOKIE),
        headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        store.default_language.as_str(),
    );
    Some((store, w))
}

/// The cookie of a sign-in or look-up form: a random token the page sets, which the form
/// posts back hashed. A page of another site cannot read the cookie, so it cannot post a form
/// that signs someone in as the attacker (login CSRF).
pub(crate) const LOGIN_COOKIE: &str = "redress_login";

fn login_form_value(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::new().chain_update(b"redress login form v1\0").chain_update(token.as_bytes()).finalize())
}

/// The token a sign-in or look-up page puts in its form, and the cookie to set for it (none
/// when the browser already holds one).
pub(crate) fn login_form(headers: &HeaderMap) -> (String, Option<String>) {
    if let Some(token) = cookie(headers, LOGIN_COOKIE).filter(|t| (32..=128).contains(&t.len())) {
        return (login_form_value(token), None);
    }
    let token = redress_app::keys::new_secret();
    let set = format!("{LOGIN_COOKIE}={token}; Path=/; Max-Age=3600; HttpOnly; SameSite=Strict{}", secure(headers));
    (login_form_value(&token), Some(set))
}

/// True when a posted sign-in or look-up form carries the token of this browser's cookie.
pub(crate) fn login_form_valid(headers: &HeaderMap, posted: &str) -> bool {
    use subtle::ConstantTimeEq;
    cookie(headers, LOGIN_COOKIE)
        .is_some_and(|token| bool::from(login_form_value(token).as_bytes().ct_eq(posted.as_bytes())))
}

/// Where a request comes from: the connection's address (or the first hop a proxy reports),
/// for limits counted per source.
pub(crate) struct Source(pub(crate) String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().chars().take(64).collect::<String>())
            .filter(|v| !v.is_empty());
        let connected = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        Ok(Source(forwarded.or(connected).unwrap_or_else(|| "unknown".to_owned())))
    }
}

/// Refuses a page's request whose query or form holds a NUL character, as the JSON API does:
/// no text Redress keeps may hold one (PostgreSQL cannot store it), and a refusal here changes
/// nothing. Multipart forms (photos) are left to their handler, as their files hold NUL bytes.
pub(crate) async fn refuse_nul_text(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let has_nul =
        |bytes: &[u8]| form_urlencoded::parse(bytes).any(|(name, value)| name.contains('\0') || value.contains('\0'));
    let refused = || {
        (
            axum::http::StatusCode::BAD_REQUEST,
            axum::response::Html(
                "<!doctype html><title>Not sent</title><p>The form held a character that cannot be kept \
                 (NUL, U+0000). Go back, remove it and send the form again.</p>",
            ),
        )
            .into_response()
    };
    if request.uri().query().is_some_and(|q| has_nul(q.as_bytes())) {
        return refused();
    }
    let is_form = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::extract::MAX_BODY_BYTES).await else {
        return (axum::http::StatusCode::PAYLOAD_TOO_LARGE, "the form is too large").into_response();
    };
    if has_nul(&bytes) {
        return refused();
    }
    next.run(axum::extract::Request::from_parts(parts, axum::body::Body::from(bytes))).await
}
