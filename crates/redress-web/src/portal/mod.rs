//! The customer self-service portal: server-rendered pages under `/s/{store}` in five
//! languages. A customer finds an order by number and email (or follows a signed link), sees
//! its lines, payments, parcels and requests, reports a problem, and follows and answers a
//! request. No JavaScript is needed.
//!
//! Access rests on [`session`]: a signed grant to one order, kept in an HttpOnly cookie; every
//! form carries a token tied to that cookie. A grant never opens another order or another
//! store's pages.

mod chat;
mod flow;
pub mod i18n;
pub mod session;
mod survey;

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use redress_app::Caller;
use redress_app::cases::{self, CaseQuery as CaseListQuery, NewMessage};
use redress_app::orders::LookUp;
use redress_domain::{Case, CaseStatus, Channel, Direction, IssueKind, Order, OrderId, Store};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::AppState;
use crate::html::{
    Page, Source, cookie, language_cookie, login_form, login_form_valid, redirect, secure, store_and_words,
    unknown_store,
};
use i18n::{LANGUAGES, Words};
use redress_app::portal_links::Grant;
use session::{COOKIE as SESSION_COOKIE, SESSION_HOURS};

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/s/{slug}", get(lookup_page))
        .route("/s/{slug}/lookup", post(lookup))
        .route("/s/{slug}/orders/{order_id}", get(order_page))
        .route(
            "/s/{slug}/orders/{order_id}/cases",
            post(flow::report).layer(axum::extract::DefaultBodyLimit::max(flow::MAX_REPORT_BYTES)),
        )
        .route("/s/{slug}/orders/{order_id}/report", get(flow::report_page))
        .route("/s/{slug}/orders/{order_id}/address", get(flow::address_page).post(flow::change_address))
        .route("/s/{slug}/cases/{case_id}", get(case_page))
        .route("/s/{slug}/cases/{case_id}/remedy", post(flow::choose))
        .route("/s/{slug}/cases/{case_id}/photos/{photo_id}", get(flow::photo))
        .route("/s/{slug}/cases/{case_id}/messages", post(reply))
        .route("/s/{slug}/signout", post(sign_out))
        .route("/s/{slug}/help", get(help_page))
        .route("/s/{slug}/chat", get(chat::page).post(chat::send))
        .route("/s/{slug}/chat/restart", post(chat::restart))
        .route("/s/{slug}/chat/events", get(chat::events))
        .route("/assets/chat-live.js", get(crate::chat_live::chat_live_js))
        .route("/assets/widget.js", get(crate::chat_live::widget_js))
        .route("/s/{slug}/survey/{case_id}", get(survey::survey_page).post(survey::answer))
        .layer(axum::middleware::from_fn(crate::html::refuse_nul_text))
}

/// What every page shows around its content.
pub struct Chrome {
    w: Words,
    store_name: String,
    base: String,
    languages: &'static [(&'static str, &'static str)],
}

/// Query parameters every page takes.
#[derive(Deserialize, Default)]
pub struct PageQuery {
    /// A language to switch to.
    lang: Option<String>,
    /// A signed link's token.
    t: Option<String>,
    /// Set after the delivery address was changed.
    amended: Option<String>,
}

/// The store a portal URL names, the page chrome in the negotiated language, and the cookie
/// remembering an explicit language choice.
async fn storefront(
    state: &AppState,
    slug: &str,
    headers: &HeaderMap,
    query: &PageQuery,
) -> Option<(Store, Chrome, Vec<String>)> {
    let (store, w) = store_and_words(state, slug, headers, query.lang.as_deref()).await?;
    let mut cookies = Vec::new();
    if query.lang.is_some() {
        cookies.push(language_cookie(w.tag(), headers));
    }
    let chrome = Chrome { w, store_name: store.name.clone(), base: format!("/s/{}", store.slug), languages: LANGUAGES };
    Some((store, chrome, cookies))
}

#[derive(Template)]
#[template(path = "portal/notice.html")]
struct NoticePage<'a> {
    c: &'a Chrome,
    text: String,
}

fn notice(status: StatusCode, chrome: &Chrome, key: &str, cookies: Vec<String>) -> Page {
    Page { status, html: NoticePage { c: chrome, text: chrome.w.t(key) }.render(), cookies }
}

/// `/`: the portal of a deployment's only store, or where to go. The deployment's shops are
/// not listed to whoever asks.
async fn home(State(state): State<AppState>) -> Response {
    match redress_app::stores::single_store(state.app()).await {
        Ok(Some(slug)) => redirect(&format!("/s/{slug}"), Vec::new()),
        _ => Html(
            "<!doctype html><title>Redress</title><p>Open your shop's own help address: <code>/s/&lt;shop&gt;</code>. \
             A new deployment creates its first shop with <code>POST /api/v1/stores</code> \
             (see <a href=\"/api/v1/openapi.json\">the API</a>).</p>"
                .to_owned(),
        )
        .into_response(),
    }
}

#[derive(Template)]
#[template(path = "portal/lookup.html")]
struct LookupPage<'a> {
    c: &'a Chrome,
    error: Option<String>,
    number: String,
    email: String,
    /// Ties the form to this browser's look-up cookie.
    login_token: String,
}

async fn lookup_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let Some((_, chrome, mut cookies)) = storefront(&state, &slug, &headers, &query).await else {
        return unknown_store();
    };
    let (login_token, login_cookie) = login_form(&headers);
    cookies.extend(login_cookie);
    let page = LookupPage { c: &chrome, error: None, number: String::new(), email: String::new(), login_token };
    Page { status: StatusCode::OK, html: page.render(), cookies }.into_response()
}

/// The look-up form.
#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    login_token: String,
}

async fn lookup(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Source(source): Source,
    headers: HeaderMap,
    Form(form): Form<LookupForm>,
) -> Response {
    let Some((store, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    let number: String = form.number.trim().chars().take(64).collect();
    let email: String = form.email.trim().chars().take(320).collect();
    let (login_token, login_cookie) = login_form(&headers);
    let refuse = |status: StatusCode, key: &str| {
        let page = LookupPage {
            c: &chrome,
            error: Some(chrome.w.t(key)),
            number: number.clone(),
            email: email.clone(),
            login_token: login_token.clone(),
        };
        Page { status, html: page.render(), cookies: login_cookie.clone().into_iter().collect() }.into_response()
    };
    if !login_form_valid(&headers, &form.login_token) {
        return refuse(StatusCode::FORBIDDEN, "error-form");
    }
    let order_id = match redress_app::orders::look_up(state.app(), &store, (&number, &email), &source).await {
        Ok(LookUp::Found(order_id)) => order_id,
        Ok(LookUp::TooMany) => return refuse(StatusCode::TOO_MANY_REQUESTS, "find-order-too-many"),
        Ok(LookUp::NotFound) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, "find-order-failed"),
        Err(e) => {
            tracing::error!(error = %e, "an order look-up failed");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "find-order-failed");
        }
    };
    let app = state.app();
    let grant = app.portal_grant(store.id, order_id, SESSION_HOURS);
    redirect(
        &format!("{}/orders/{}", chrome.base, order_id),
        vec![session_cookie(&chrome, &app.grant_token(&grant), &headers)],
    )
}

fn session_cookie(chrome: &Chrome, token: &str, headers: &HeaderMap) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path={}; Max-Age={}; HttpOnly; SameSite=Lax{}",
        chrome.base,
        SESSION_HOURS * 3600,
        secure(headers)
    )
}

/// The grant the request carries for this store: a signed link's token, else the cookie.
/// Returns the grant, its token, and the cookie to set when it came from a link.
fn grant_of(
    state: &AppState,
    store: &Store,
    chrome: &Chrome,
    headers: &HeaderMap,
    query: &PageQuery,
) -> Option<(Grant, String, Option<String>)> {
    let app = state.app();
    let from_link = query.t.as_deref().and_then(|t| Some((app.verify_grant(t)?, t.to_owned())));
    let (grant, token, set) = match from_link {
        Some((grant, token)) => {
            let cookie = session_cookie(chrome, &token, headers);
            (grant, token, Some(cookie))
        }
        None => {
            let token = cookie(headers, SESSION_COOKIE)?.to_owned();
            (app.verify_grant(&token)?, token, None)
        }
    };
    (grant.store_id == store.id).then_some((grant, token, set))
}

struct LineView {
    title: String,
    variant: String,
    quantity: u32,
    price: String,
}

struct ShipmentView {
    carrier: String,
    tracking: Option<String>,
    status: String,
}

struct CaseLink {
    id: String,
    number: u64,
    subject: String,
    status: String,
}

#[derive(Template)]
#[template(path = "portal/order.html")]
struct OrderPage<'a> {
    c: &'a Chrome,
    order: &'a Order,
    order_id: String,
    placed: String,
    lines: Vec<LineView>,
    total: String,
    payments: Vec<String>,
    shipments: Vec<ShipmentView>,
    cases: Vec<CaseLink>,
    kinds: Vec<(&'static str, String)>,
    form_token: String,
    notice: Option<String>,
    address: Vec<String>,
    can_change_address: bool,
}

fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

fn case_status(w: &Words, status: CaseStatus) -> String {
    w.t(&format!("case-{}", status.as_str()))
}

/// One order as a request's grant opens it: the store, the page chrome, the cookies to set, the
/// grant with its token, the customer as the caller, and the order.
struct OrderVisit {
    store: Store,
    chrome: Chrome,
    cookies: Vec<String>,
    grant: Grant,
    token: String,
    caller: Caller,
    order: Order,
}

/// The order the request's portal cookie holds a grant to in `store`, if any: a customer who
/// found their order (or followed a signed link) needs not prove it again to the assistant.
pub(crate) fn held_order(state: &AppState, store: &Store, headers: &HeaderMap) -> Option<OrderId> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let grant = state.app().verify_grant(token)?;
    (grant.store_id == store.id).then_some(grant.order_id)
}

/// The customer a grant names, as the application's caller; `None` when the order is gone.
async fn holder(state: &AppState, grant: &Grant) -> Option<Caller> {
    redress_app::orders::holder(state.app(), grant.store_id, grant.order_id).await.ok()
}

/// The order `order_id` as the request's grant opens it, or the page refusing it: an unknown
/// shop, no grant for this order (404), a posted form whose token is not the grant's (403), or
/// an order that is gone. `posted` is the form token of a POST, `None` for a page.
async fn visit_order(
    state: &AppState,
    (slug, order_id): (&str, &str),
    headers: &HeaderMap,
    query: &PageQuery,
    posted: Option<&str>,
) -> Result<OrderVisit, Response> {
    let Some((store, chrome, mut cookies)) = storefront(state, slug, headers, query).await else {
        return Err(unknown_store());
    };
    let order_id: Option<OrderId> = order_id.parse().ok();
    let granted = grant_of(state, &store, &chrome, headers, query).filter(|(g, token, _)| {
        Some(g.order_id) == order_id && posted.is_none_or(|form| state.portal_keys().form_token(token) == form)
    });
    let Some((grant, token, set)) = granted else {
        let (status, key) = if posted.is_some() {
            (StatusCode::FORBIDDEN, "error-form")
        } else {
            (StatusCode::NOT_FOUND, "error-expired")
        };
        return Err(notice(status, &chrome, key, cookies).into_response());
    };
    cookies.extend(set);
    let found = match holder(state, &grant).await {
        Some(caller) => redress_app::orders::order(state.app(), &caller, &grant.order_id.to_string())
            .await
            .ok()
            .map(|order| (caller, order)),
        None => None,
    };
    let Some((caller, order)) = found else {
        return Err(notice(StatusCode::NOT_FOUND, &chrome, "error-expired", cookies).into_response());
    };
    Ok(OrderVisit { store, chrome, cookies, grant, token, caller, order })
}

async fn order_page(
    State(state): State<AppState>,
    Path((slug, order_id)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let OrderVisit { chrome, cookies, token, order, caller, .. } =
        match visit_order(&state, (&slug, &order_id), &headers, &query, None).await {
            Ok(visit) => visit,
            Err(refused) => return refused,
        };
    let listed = cases::list(state.app(), &caller, CaseListQuery { limit: Some(50), ..CaseListQuery::default() }).await;
    let cases = match listed {
        Ok(list) => list.cases,
        Err(e) => {
            tracing::error!(error = %e, "a customer's cases could not be read");
            return notice(StatusCode::SERVICE_UNAVAILABLE, &chrome, "error-expired", cookies).into_response();
        }
    };
    let w = &chrome.w;
    let page = OrderPage {
        c: &chrome,
        order: &order,
        order_id: order.id.to_string(),
        placed: date(order.placed_at),
        lines: order
            .lines
            .iter()
            .map(|l| LineView {
                title: l.title.clone(),
                variant: l.variant.values().cloned().collect::<Vec<_>>().join(", "),
                quantity: l.quantity,
                price: l.unit_price.to_string(),
            })
            .collect(),
        total: order.total().map(|t| t.to_string()).unwrap_or_default(),
        payments: order
            .payments
            .iter()
            .map(|p| {
                let mut text = format!("{}: {} {}", p.method, w.t("payment-captured"), p.captured);
                if p.refunded.amount_minor > 0 {
                    text.push_str(&format!(" · {} {}", w.t("payment-refunded"), p.refunded));
                }
                text
            })
            .collect(),
        shipments: order
            .shipments
            .iter()
            .map(|s| ShipmentView {
                carrier: s.carrier.clone(),
                tracking: s.tracking_number.clone(),
                status: w.t(&format!("shipment-{}", s.status.as_str())),
            })
            .collect(),
        cases: cases
            .iter()
            .map(|c| CaseLink {
                id: c.id.to_string(),
                number: c.number.0,
                subject: c.subject.clone(),
                status: case_status(w, c.status),
            })
            .collect(),
        kinds: IssueKind::ALL.iter().map(|k| (k.as_str(), w.t(&format!("kind-{}", k.as_str())))).collect(),
        form_token: state.portal_keys().form_token(&token),
        notice: query.amended.is_some().then(|| w.t("address-changed")),
        address: order.shipping_address.label_lines(),
        can_change_address: redress_app::orders::amendable(state.app(), &caller, &order).await.unwrap_or(false),
    };
    Page { status: StatusCode::OK, html: page.render(), cookies }.into_response()
}

struct MessageView {
    direction: &'static str,
    who: String,
    at: String,
    body: String,
}

#[derive(Template)]
#[template(path = "portal/case.html")]
struct CasePage<'a> {
    c: &'a Chrome,
    case_id: String,
    order_id: String,
    number: String,
    subject: String,
    status: String,
    closed: bool,
    messages: Vec<MessageView>,
    form_token: String,
    notice: Option<String>,
    error: Option<String>,
    photos: Vec<flow::PhotoView>,
    decision: Option<flow::DecisionView>,
    done: Vec<String>,
    returns: Vec<flow::ReturnView>,
}

/// Query parameters of the case page.
#[derive(Deserialize, Default)]
pub struct CaseQuery {
    lang: Option<String>,
    t: Option<String>,
    sent: Option<String>,
    empty: Option<String>,
    /// Set after a remedy was carried out.
    done: Option<String>,
    /// Why a choice was refused, one of [`flow::CHOICE_ERRORS`].
    error: Option<String>,
}

/// The case a grant reaches (only cases about the granted order), with the customer as the
/// caller.
async fn granted_case(state: &AppState, grant: &Grant, case_id: &str) -> Option<(Caller, Case)> {
    let caller = holder(state, grant).await?;
    let case = cases::case(state.app(), &caller, cases::case_id(case_id).ok()?).await.ok()?;
    Some((caller, case))
}

async fn case_page(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    Query(query): Query<CaseQuery>,
    headers: HeaderMap,
) -> Response {
    let page_query = PageQuery { lang: query.lang.clone(), t: query.t.clone(), ..PageQuery::default() };
    let Some((store, chrome, mut cookies)) = storefront(&state, &slug, &headers, &page_query).await else {
        return unknown_store();
    };
    let Some((grant, token, set)) = grant_of(&state, &store, &chrome, &headers, &page_query) else {
        return notice(StatusCode::NOT_FOUND, &chrome, "error-expired", cookies).into_response();
    };
    cookies.extend(set);
    let Some((caller, case)) = granted_case(&state, &grant, &case_id).await else {
        return notice(StatusCode::NOT_FOUND, &chrome, "error-expired", cookies).into_response();
    };
    let view = match cases::view(state.app(), &caller, case.id).await {
        Ok(view) => view,
        Err(e) => {
            tracing::error!(error = %e, "a customer's case could not be read");
            return notice(StatusCode::SERVICE_UNAVAILABLE, &chrome, "error-expired", cookies).into_response();
        }
    };
    let (messages, timeline) = (view.messages, view.timeline);
    let w = &chrome.w;
    let done = flow::done_on(w, &timeline);
    let photos = flow::photos_of(&state, &caller, &chrome, &case).await;
    let order = redress_app::orders::order(state.app(), &caller, &grant.order_id.to_string()).await.ok();
    let (decision, returns) = match &order {
        Some(order) => {
            let decision = if flow::settled(&case, &done) {
                None
            } else {
                flow::decision_of(&state, &caller, w, &case, !photos.is_empty()).await
            };
            (decision, flow::returns_of(&state, &caller, w, &case, order).await)
        }
        None => (None, Vec::new()),
    };
    let error = match query.error.as_deref() {
        Some(code) if flow::CHOICE_ERRORS.contains(&code) => Some(w.t(&format!("error-{code}"))),
        _ => query.empty.is_some().then(|| w.t("error-empty")),
    };
    let notice =
        if query.done.is_some() { Some(w.t("remedy-done")) } else { query.sent.is_some().then(|| w.t("report-sent")) };
    let page = CasePage {
        c: &chrome,
        case_id: case.id.to_string(),
        order_id: grant.order_id.to_string(),
        number: case.number.0.to_string(),
        subject: case.subject.clone(),
        status: case_status(w, case.status),
        closed: case.status == CaseStatus::Closed,
        messages: messages
            .into_iter()
            .map(|m| MessageView {
                direction: match m.direction {
                    Direction::Inbound => "inbound",
                    Direction::Outbound => "outbound",
                },
                who: w.t(if m.direction == Direction::Inbound { "message-you" } else { "message-shop" }),
                at: date(m.created_at),
                body: m.body,
            })
            .collect(),
        form_token: state.portal_keys().form_token(&token),
        notice,
        error,
        photos,
        decision,
        done,
        returns,
    };
    Page { status: StatusCode::OK, html: page.render(), cookies }.into_response()
}

/// The reply form.
#[derive(Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    form_token: String,
}

async fn reply(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<ReplyForm>,
) -> Response {
    let Some((store, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    let granted = grant_of(&state, &store, &chrome, &headers, &PageQuery::default())
        .filter(|(_, token, _)| state.portal_keys().form_token(token) == form.form_token);
    let Some((grant, _, _)) = granted else {
        return notice(StatusCode::FORBIDDEN, &chrome, "error-form", Vec::new()).into_response();
    };
    let Some((caller, case)) = granted_case(&state, &grant, &case_id).await else {
        return notice(StatusCode::NOT_FOUND, &chrome, "error-expired", Vec::new()).into_response();
    };
    let page = format!("{}/cases/{}", chrome.base, case.id);
    if form.body.trim().is_empty() {
        return redirect(&format!("{page}?empty=1"), Vec::new());
    }
    let message = NewMessage {
        direction: Direction::Inbound,
        body: form.body,
        channel: Some(Channel::Portal),
        author: None,
        attachments: Vec::new(),
    };
    if let Err(e) = cases::add_message(state.app(), &caller, case.id, message).await {
        tracing::warn!(error = %e, "a portal reply was refused");
    }
    redirect(&page, Vec::new())
}

/// The sign-out form.
#[derive(Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    form_token: String,
}

async fn sign_out(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SignOutForm>,
) -> Response {
    let Some((store, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    let valid = grant_of(&state, &store, &chrome, &headers, &PageQuery::default())
        .is_some_and(|(_, token, _)| state.portal_keys().form_token(&token) == form.form_token);
    if !valid {
        return notice(StatusCode::FORBIDDEN, &chrome, "error-form", Vec::new()).into_response();
    }
    let clear = format!("{SESSION_COOKIE}=; Path={}; Max-Age=0; HttpOnly; SameSite=Lax", chrome.base);
    redirect(&chrome.base, vec![clear])
}

/// Query parameters of the help page.
#[derive(Deserialize, Default)]
pub struct HelpQuery {
    lang: Option<String>,
    q: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/help.html")]
struct HelpPage<'a> {
    c: &'a Chrome,
    query: String,
    results: Vec<redress_app::help::HelpResult>,
}

/// Help articles for anyone, no order needed: typos, missing accents and synonyms tolerated.
async fn help_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HelpQuery>,
    headers: HeaderMap,
) -> Response {
    let page_query = PageQuery { lang: query.lang.clone(), ..PageQuery::default() };
    let Some((store, chrome, cookies)) = storefront(&state, &slug, &headers, &page_query).await else {
        return unknown_store();
    };
    // A question is at most a few sentences; longer input is cut, not refused, on a public page.
    let asked: String = query.q.unwrap_or_default().trim().chars().take(300).collect();
    let results = if asked.is_empty() {
        Ok(Vec::new())
    } else {
        redress_app::help::search_public(state.app(), &store, &asked, chrome.w.tag(), 5).await
    };
    let results = results.unwrap_or_else(|e| {
        tracing::warn!(error = ?e, "help search failed");
        Vec::new()
    });
    let page = HelpPage { c: &chrome, query: asked, results };
    Page { status: StatusCode::OK, html: page.render(), cookies }.into_response()
}
