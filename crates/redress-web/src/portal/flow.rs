//! The portal's guided flow: report a problem line by line with photos, see the decision the
//! shop's policy makes at once with its reasons, choose a remedy (an exchange with the new size
//! or colour and its stock), read the return instructions, and change the delivery address of
//! an order still in the warehouse.
//!
//! Nothing here decides anything: the decision, the remedy and the address change are the
//! application's use cases ([`redress_app::resolution`]), called with the customer as the
//! caller, the same ones the API runs, so a customer can never get what the API would refuse.
//! This module only reads forms, checks them against the one order the customer's grant opens,
//! and shows the answers in the customer's language. Every page works without JavaScript.

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_app::attachments::Photo;
use redress_app::cases::{self, FirstMessage, OpenCase, TimelineItem};
use redress_app::idempotency::RequestKey;
use redress_app::resolution::{self, AmendmentRequest, OptionsRequest};
use redress_app::{Caller, ErrorCode};
use redress_domain::amendment::{Amendment, AmendmentError, listed_variant, reported_stock};
use redress_domain::decision::LineQuantity;
use redress_domain::message::MAX_IMAGES_PER_REPORT;
use redress_domain::policy::{Payer, Policy, amount_in};
use redress_domain::remedy::RemedyRequest;
use redress_domain::returns::ReturnAuthorisation;
use redress_domain::{Address, Case, CaseEvent, CaseStatus, Channel, IssueKind, LanguageTag, Order, Remedy, Store};
use serde::Deserialize;
use time::Duration;

use super::i18n::Words;
use super::{Chrome, OrderVisit, PageQuery, date, grant_of, granted_case, notice, storefront, visit_order};
use crate::AppState;
use crate::html::{Page, redirect, unknown_store};

/// The largest report body: the photos at their limit plus the text fields.
pub(crate) const MAX_REPORT_BYTES: usize = MAX_IMAGES_PER_REPORT * redress_domain::message::MAX_IMAGE_BYTES + (1 << 20);

/// Kinds about particular lines of the order: the report asks which, and how many.
pub(crate) const fn is_line_kind(kind: IssueKind) -> bool {
    matches!(
        kind,
        IssueKind::DamagedInTransit
            | IssueKind::DefectiveItem
            | IssueKind::WrongItemReceived
            | IssueKind::NotAsDescribed
            | IssueKind::MissingItem
            | IssueKind::ReturnRequest
            | IssueKind::ExchangeRequest
            | IssueKind::ChangeOrderItems
    )
}

/// Kinds where photos show the problem: the report offers an upload.
fn wants_photos(kind: IssueKind, policy: &Policy) -> bool {
    policy.evidence.photos_required_for.contains(&kind)
        || matches!(
            kind,
            IssueKind::DamagedInTransit
                | IssueKind::DefectiveItem
                | IssueKind::WrongItemReceived
                | IssueKind::NotAsDescribed
        )
}

fn variant_words(variant: &BTreeMap<String, String>) -> String {
    variant.values().cloned().collect::<Vec<_>>().join(", ")
}

/// The store's policy in force as the customer may read it; the default when it cannot be read.
async fn policy_for(state: &AppState, caller: &Caller) -> Policy {
    match resolution::policy(state.app(), caller).await {
        Ok(view) => view.policy,
        Err(e) => {
            tracing::warn!(error = %e, "the policy could not be read for a portal page");
            Policy::standard()
        }
    }
}

/// The page's language as a tag for the domain; the store's own if the page's were not one.
fn language_of(w: &Words, store: &Store) -> LanguageTag {
    LanguageTag::parse(w.tag()).unwrap_or_else(|_| store.default_language.clone())
}

// ----------------------------------------------------------------------------------------------
// Reading a form, with or without files
// ----------------------------------------------------------------------------------------------

/// A file sent with a form.
struct Upload {
    filename: String,
    bytes: Vec<u8>,
}

/// A submitted form: its text fields in order, and its files.
#[derive(Default)]
struct Submitted {
    fields: Vec<(String, String)>,
    uploads: Vec<Upload>,
}

impl Submitted {
    fn get(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

/// Reads a multipart form (the report with photos) or a plain one. A body over the route's
/// limit or a broken multipart stream is refused with the status to answer.
async fn read_form(state: &AppState, request: Request) -> Result<Submitted, StatusCode> {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        let Form(fields) =
            Form::<Vec<(String, String)>>::from_request(request, state).await.map_err(|_| StatusCode::BAD_REQUEST)?;
        return Ok(Submitted { fields, uploads: Vec::new() });
    }
    let mut form = Multipart::from_request(request, state).await.map_err(|_| StatusCode::BAD_REQUEST)?;
    let mut submitted = Submitted::default();
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(e.status()),
        };
        let name = field.name().unwrap_or_default().to_owned();
        match field.file_name().map(str::to_owned) {
            Some(filename) => {
                let bytes = field.bytes().await.map_err(|e| e.status())?;
                // A file input left empty still sends a part, with no name and no bytes.
                if filename.is_empty() && bytes.is_empty() {
                    continue;
                }
                submitted.uploads.push(Upload { filename, bytes: bytes.to_vec() });
            }
            None => submitted.fields.push((name, field.text().await.map_err(|e| e.status())?)),
        }
    }
    Ok(submitted)
}

// ----------------------------------------------------------------------------------------------
// The report
// ----------------------------------------------------------------------------------------------

struct PickLine {
    sku: String,
    title: String,
    variant: String,
    ordered: String,
    max: u32,
    chosen: u32,
}

#[derive(Template)]
#[template(path = "portal/report.html")]
struct ReportPage<'a> {
    c: &'a Chrome,
    order_id: String,
    kind: &'static str,
    kind_label: String,
    lines: Vec<PickLine>,
    photos: bool,
    reason: String,
    comment: String,
    form_token: String,
    error: Option<String>,
}

/// Query of the report page.
#[derive(Deserialize, Default)]
pub struct ReportQuery {
    lang: Option<String>,
    kind: Option<String>,
}

/// What a customer filled in, shown again with what must be corrected.
#[derive(Default)]
struct Filled {
    quantities: BTreeMap<String, u32>,
    reason: String,
    comment: String,
    /// What to correct, in the customer's language.
    error: Option<String>,
}

async fn report_form(
    state: &AppState,
    caller: &Caller,
    chrome: &Chrome,
    order: &Order,
    kind: IssueKind,
    token: &str,
    filled: Filled,
) -> Result<String, askama::Error> {
    let policy = policy_for(state, caller).await;
    let lines = if is_line_kind(kind) {
        order
            .lines
            .iter()
            .map(|l| PickLine {
                sku: l.sku.clone(),
                title: l.title.clone(),
                variant: variant_words(&l.variant),
                ordered: l.quantity.to_string(),
                max: l.quantity,
                // One line only: it is surely the one concerned.
                chosen: filled.quantities.get(&l.sku).copied().unwrap_or(u32::from(order.lines.len() == 1)),
            })
            .collect()
    } else {
        Vec::new()
    };
    ReportPage {
        c: chrome,
        order_id: order.id.to_string(),
        kind: kind.as_str(),
        kind_label: chrome.w.t(&format!("kind-{}", kind.as_str())),
        lines,
        photos: wants_photos(kind, &policy),
        reason: filled.reason,
        comment: filled.comment,
        form_token: state.portal_keys().form_token(token),
        error: filled.error,
    }
    .render()
}

/// `GET /s/{slug}/orders/{order_id}/report?kind=`: the report form for one kind of problem.
pub(super) async fn report_page(
    State(state): State<AppState>,
    Path((slug, order_id)): Path<(String, String)>,
    Query(query): Query<ReportQuery>,
    headers: HeaderMap,
) -> Response {
    let page_query = PageQuery { lang: query.lang.clone(), ..PageQuery::default() };
    let OrderVisit { chrome, cookies, token, order, caller, .. } =
        match visit_order(&state, (&slug, &order_id), &headers, &page_query, None).await {
            Ok(visit) => visit,
            Err(refused) => return refused,
        };
    let kind = query.kind.as_deref().and_then(|k| k.parse().ok()).unwrap_or(IssueKind::Other);
    let html = report_form(&state, &caller, &chrome, &order, kind, &token, Filled::default()).await;
    Page { status: StatusCode::OK, html, cookies }.into_response()
}

/// A report that passed its checks.
struct Report {
    kind: IssueKind,
    lines: Vec<LineQuantity>,
    body: String,
    photos: Vec<Photo>,
}

/// Checks a report against the order; the error is the words' key.
fn check_report(order: &Order, kind: IssueKind, form: Submitted, w: &Words) -> Result<Report, (&'static str, Filled)> {
    let mut filled = Filled {
        reason: form.get("reason").trim().to_owned(),
        comment: [form.get("comment"), form.get("body")].join("\n").trim().to_owned(),
        ..Filled::default()
    };
    let mut lines = Vec::new();
    let mut problem = None;
    for (name, value) in &form.fields {
        let Some(sku) = name.strip_prefix("qty:") else { continue };
        let quantity = match value.trim() {
            "" => 0,
            text => text.parse::<u32>().unwrap_or(u32::MAX),
        };
        filled.quantities.insert(sku.to_owned(), quantity.min(999));
        match order.lines.iter().find(|l| l.sku == sku) {
            None => problem = problem.or(Some("error-line")),
            Some(line) if quantity > line.quantity => problem = problem.or(Some("error-quantity")),
            Some(_) if quantity > 0 => lines.push(LineQuantity { sku: sku.to_owned(), quantity }),
            Some(_) => {}
        }
    }
    if let Some(key) = problem {
        return Err((key, filled));
    }
    if is_line_kind(kind) && lines.is_empty() {
        return Err(("error-no-lines", filled));
    }
    let text: Vec<&str> =
        [filled.reason.as_str(), filled.comment.as_str()].into_iter().filter(|t| !t.is_empty()).collect();
    if text.is_empty() {
        return Err(("error-empty", filled));
    }
    if form.uploads.len() > MAX_IMAGES_PER_REPORT {
        return Err(("error-photo-count", filled));
    }
    let mut photos = Vec::with_capacity(form.uploads.len());
    for (i, upload) in form.uploads.into_iter().enumerate() {
        // A photo is kept only when it decodes as the image it claims to be, cleaned of
        // anything else it carried.
        match Photo::clean(&upload.filename, &upload.bytes, &format!("photos[{i}]")) {
            Ok(photo) => photos.push(photo),
            Err(_) => return Err(("error-photo", filled)),
        }
    }
    let mut body = text.join("\n\n");
    if !lines.is_empty() {
        let words: Vec<String> = lines
            .iter()
            .filter_map(|l| {
                let line = order.lines.iter().find(|o| o.sku == l.sku)?;
                let variant = variant_words(&line.variant);
                Some(if variant.is_empty() {
                    format!("{} × {} ({})", l.quantity, line.title, line.sku)
                } else {
                    format!("{} × {} [{variant}] ({})", l.quantity, line.title, line.sku)
                })
            })
            .collect();
        body.push_str(&format!("\n\n{}: {}", w.t("report-lines"), words.join("; ")));
    }
    Ok(Report { kind, lines, body, photos })
}

/// `POST /s/{slug}/orders/{order_id}/cases`: opens a case from the report, keeps its photos and
/// shows the decision at once. A refused report re-shows the form with the problem and opens
/// nothing.
pub(super) async fn report(
    State(state): State<AppState>,
    Path((slug, order_id)): Path<(String, String)>,
    headers: HeaderMap,
    request: Request,
) -> Response {
    let form = match read_form(&state, request).await {
        Ok(form) => form,
        Err(status) => {
            let Some((_, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
                return unknown_store();
            };
            return notice(status, &chrome, "error-upload", Vec::new()).into_response();
        }
    };
    let posted = Some(form.get("form_token"));
    let OrderVisit { chrome, token, grant, order, caller, .. } =
        match visit_order(&state, (&slug, &order_id), &headers, &PageQuery::default(), posted).await {
            Ok(visit) => visit,
            Err(refused) => return refused,
        };
    let kind = form.get("kind").parse::<IssueKind>().unwrap_or(IssueKind::Other);
    let report = match check_report(&order, kind, form, &chrome.w) {
        Ok(report) => report,
        Err((key, filled)) => {
            let html = report_form(
                &state,
                &caller,
                &chrome,
                &order,
                kind,
                &token,
                Filled { error: Some(chrome.w.t(key)), ..filled },
            )
            .await;
            return Page { status: StatusCode::UNPROCESSABLE_ENTITY, html, cookies: Vec::new() }.into_response();
        }
    };
    let attachments = report.photos.iter().map(Photo::attachment).collect();
    let input = OpenCase {
        order_id: Some(grant.order_id.to_string()),
        order_number: None,
        customer_email: None,
        subject: chrome.w.t(&format!("kind-{}", report.kind.as_str())),
        channel: Channel::Portal,
        kind: Some(report.kind),
        language: Some(chrome.w.tag().to_owned()),
        sentiment: None,
        escalation: Vec::new(),
        message: FirstMessage { body: report.body, attachments },
        lines: report.lines,
    };
    let case_id = match cases::open(state.app(), &caller, input).await {
        Ok(view) => view.case.id,
        Err(e) => {
            tracing::warn!(error = ?e, "a portal report was refused");
            let problem = Some(chrome.w.t("error-remedy"));
            let html = report_form(
                &state,
                &caller,
                &chrome,
                &order,
                kind,
                &token,
                Filled { error: problem, ..Filled::default() },
            )
            .await;
            return Page { status: StatusCode::UNPROCESSABLE_ENTITY, html, cookies: Vec::new() }.into_response();
        }
    };
    // The photos were checked and cleaned before the case was opened, so only the database can
    // refuse them now.
    if let Err(e) = redress_app::attachments::save(state.app(), &caller, case_id, report.photos).await {
        tracing::error!(error = %e, %case_id, "the photos of a portal report could not be kept");
    }
    redirect(&format!("{}/cases/{case_id}?sent=1", chrome.base), Vec::new())
}

// ----------------------------------------------------------------------------------------------
// Photos
// ----------------------------------------------------------------------------------------------

/// A photo on the case page.
pub(super) struct PhotoView {
    pub(super) url: String,
    pub(super) alt: String,
}

pub(super) async fn photos_of(state: &AppState, caller: &Caller, chrome: &Chrome, case: &Case) -> Vec<PhotoView> {
    let photos = match redress_app::attachments::list(state.app(), caller, case.id).await {
        Ok(photos) => photos,
        Err(e) => {
            tracing::warn!(error = %e, "a case's photos could not be read");
            Vec::new()
        }
    };
    photos
        .iter()
        .enumerate()
        .map(|(i, p)| PhotoView {
            url: format!("{}/cases/{}/photos/{}", chrome.base, case.id, p.id),
            alt: chrome.w.ta("photo-alt", &[("number", &(i + 1).to_string()), ("name", &p.filename)]),
        })
        .collect()
}

/// `GET /s/{slug}/cases/{case_id}/photos/{id}`: a photo of a case the grant opens.
pub(super) async fn photo(
    State(state): State<AppState>,
    Path((slug, case_id, photo_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let Some((store, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    let found = async {
        let (grant, _, _) = grant_of(&state, &store, &chrome, &headers, &PageQuery::default())?;
        let (caller, case) = granted_case(&state, &grant, &case_id).await?;
        redress_app::attachments::photo(state.app(), &caller, case.id, &photo_id).await.ok()
    };
    let Some((info, bytes)) = found.await else {
        return notice(StatusCode::NOT_FOUND, &chrome, "error-expired", Vec::new()).into_response();
    };
    crate::routes::attachments::image_response(&info, bytes)
}

// ----------------------------------------------------------------------------------------------
// The decision, the choice, and what happens next
// ----------------------------------------------------------------------------------------------

/// One remedy the customer may pick.
pub(super) struct OfferView {
    pub(super) remedy: &'static str,
    pub(super) label: String,
    pub(super) amount: Option<String>,
    pub(super) note: Option<String>,
    pub(super) choosable: bool,
    pub(super) checked: bool,
}

/// A new size or colour to pick for one line.
pub(super) struct SwapChoice {
    pub(super) field: String,
    pub(super) id: String,
    pub(super) label: String,
    pub(super) options: Vec<(String, String, bool)>,
}

/// The decision as the case page shows it.
pub(super) struct DecisionView {
    pub(super) reasons: Vec<String>,
    pub(super) offers: Vec<OfferView>,
    pub(super) swaps: Vec<SwapChoice>,
    pub(super) address_link: bool,
    pub(super) any_choosable: bool,
}

/// A return as the case page shows it.
pub(super) struct ReturnView {
    pub(super) number: String,
    pub(super) status: String,
    pub(super) lines: Vec<String>,
    pub(super) send_to: Option<Vec<String>>,
    pub(super) deadline: String,
    pub(super) label: String,
    pub(super) wanted: Vec<String>,
}

/// What was done on the case, in words.
pub(super) fn done_on(w: &Words, entries: &[TimelineItem]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|e| match &e.event {
            CaseEvent::RemedyCarriedOut { remedy, amount, .. } => Some(match amount {
                Some(amount) if amount.amount_minor > 0 => format!("{} ({amount})", w.t(&format!("remedy-{remedy}"))),
                _ => w.t(&format!("remedy-{remedy}")),
            }),
            CaseEvent::OrderAmended { after, .. } => Some(w.t1("chosen-amended", "after", after)),
            _ => None,
        })
        .collect()
}

/// The decision on a case still waiting for a remedy, about the lines the customer reported.
pub(super) async fn decision_of(
    state: &AppState,
    caller: &Caller,
    w: &Words,
    case: &Case,
    photos_provided: bool,
) -> Option<DecisionView> {
    let request = OptionsRequest {
        lines: None,
        photos_provided,
        carrier_allows_intercept: false,
        // The reasons in the language the customer reads the page in now.
        language: Some(LanguageTag::parse(w.tag()).unwrap_or_else(|_| case.language.clone())),
    };
    let decision = match resolution::options(state.app(), caller, case.id, request).await {
        Ok(decision) => decision,
        Err(e) => {
            tracing::warn!(code = ?e.code, message = %e.message, case_id = %case.id, "no decision for a portal case");
            return None;
        }
    };
    let order = redress_app::orders::order(state.app(), caller, &case.order_id?.to_string()).await.ok()?;
    let order = &order;
    let lines = &case.lines;
    let address_kind = case.kind == IssueKind::ChangeShippingAddress;
    let mut offers = Vec::new();
    let mut first = true;
    for offer in &decision.offers {
        // Information is the answer itself; an address change has its own form.
        if offer.remedy == Remedy::Inform || (address_kind && offer.remedy == Remedy::AmendOrder) {
            continue;
        }
        // A partial refund needs an amount a person sets.
        let choosable = !offer.needs_approval && !offer.needs_photos && offer.remedy != Remedy::PartialRefund;
        let note = if offer.needs_photos {
            Some(w.t("decision-needs-photos"))
        } else if !choosable {
            Some(w.t("decision-needs-approval"))
        } else if offer.requires_return {
            Some(w.t("decision-with-return"))
        } else {
            None
        };
        let mut label = w.t(&format!("remedy-{}", offer.remedy));
        if offer.remedy == decision.recommended {
            label = format!("{label} · {}", w.t("decision-recommended"));
        }
        offers.push(OfferView {
            remedy: offer.remedy.as_str(),
            label,
            amount: offer.amount.filter(|a| a.amount_minor > 0).map(|a| a.to_string()),
            note,
            choosable,
            checked: choosable && std::mem::take(&mut first),
        });
    }
    let swapping =
        !address_kind && decision.offers.iter().any(|o| matches!(o.remedy, Remedy::Exchange | Remedy::AmendOrder));
    let concerned: Vec<&str> = if lines.is_empty() {
        order.lines.iter().map(|l| l.sku.as_str()).collect()
    } else {
        lines.iter().map(|l| l.sku.as_str()).collect()
    };
    let swaps = if swapping {
        order
            .lines
            .iter()
            .filter(|l| concerned.contains(&l.sku.as_str()) && !l.other_variants.is_empty())
            .enumerate()
            .map(|(i, l)| SwapChoice {
                field: format!("swap:{}", l.sku),
                id: format!("swap-{}", i + 1),
                label: w.ta("swap-label", &[("item", &l.title), ("now", &variant_words(&l.variant))]),
                options: l
                    .other_variants
                    .iter()
                    .map(|v| {
                        let stock = if v.in_stock == 0 {
                            w.t("swap-out-of-stock")
                        } else {
                            w.t1("swap-in-stock", "count", &v.in_stock.to_string())
                        };
                        (
                            v.sku.clone(),
                            format!("{} · {} · {stock}", variant_words(&v.variant), v.unit_price),
                            v.in_stock == 0,
                        )
                    })
                    .collect(),
            })
            .collect()
    } else {
        Vec::new()
    };
    Some(DecisionView {
        reasons: decision.reasons.iter().map(|r| r.text.clone()).collect(),
        any_choosable: offers.iter().any(|o| o.choosable),
        offers,
        swaps,
        address_link: address_kind && decision.offers.iter().any(|o| o.remedy == Remedy::AmendOrder),
    })
}

/// The case's returns with what the customer must do: where to send them, by when, and the label.
pub(super) async fn returns_of(
    state: &AppState,
    caller: &Caller,
    w: &Words,
    case: &Case,
    order: &Order,
) -> Vec<ReturnView> {
    let returns = match resolution::returns(state.app(), caller, case.id).await {
        Ok(found) => found.returns,
        Err(e) => {
            tracing::warn!(error = %e, "a case's returns could not be read");
            Vec::new()
        }
    };
    if returns.is_empty() {
        return Vec::new();
    }
    let policy = policy_for(state, caller).await;
    returns.iter().map(|rma| return_view(w, rma, order, &policy)).collect()
}

fn return_view(w: &Words, rma: &ReturnAuthorisation, order: &Order, policy: &Policy) -> ReturnView {
    let title =
        |sku: &str| order.lines.iter().find(|l| l.sku == sku).map_or_else(|| sku.to_owned(), |l| l.title.clone());
    let label = match &rma.label {
        Some(label) => {
            w.ta("return-label-issued", &[("carrier", &label.carrier), ("tracking", &label.tracking_number)])
        }
        None => match (policy.return_shipping_payer(rma.fault), amount_in(&policy.returns.label_cost, rma.currency)) {
            (Payer::Customer, Some(cost)) => w.t1("return-label-paid", "amount", &cost.to_string()),
            _ => w.t("return-label-free"),
        },
    };
    ReturnView {
        number: rma.number(),
        status: w.t(&format!("return-{}", rma.status)),
        lines: rma.lines.iter().map(|l| format!("{} × {}", l.quantity, title(&l.sku))).collect(),
        send_to: policy.returns.address.as_ref().map(redress_domain::Address::label_lines),
        deadline: date(rma.created_at + Duration::days(i64::from(policy.returns.window_days))),
        label,
        wanted: rma
            .exchange_wanted
            .iter()
            .map(|x| format!("{} × {} ({})", x.quantity, x.item.title, variant_words(&x.item.variant)))
            .collect(),
    }
}

/// `POST /s/{slug}/cases/{case_id}/remedy`: carries out the remedy the customer chose, through
/// the same code as `POST /api/v1/cases/{id}/remedy` (or the amendment for a new size before
/// the order ships), by the customer, on the case's timeline.
pub(super) async fn choose(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = Submitted { fields, uploads: Vec::new() };
    let Some((store, chrome, _)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    let granted = grant_of(&state, &store, &chrome, &headers, &PageQuery::default())
        .filter(|(_, token, _)| state.portal_keys().form_token(token) == form.get("form_token"));
    let Some((grant, _, _)) = granted else {
        return notice(StatusCode::FORBIDDEN, &chrome, "error-form", Vec::new()).into_response();
    };
    let Some((caller, case)) = granted_case(&state, &grant, &case_id).await else {
        return notice(StatusCode::NOT_FOUND, &chrome, "error-expired", Vec::new()).into_response();
    };
    let page = format!("{}/cases/{}", chrome.base, case.id);
    let done = redirect(&format!("{page}?done=1"), Vec::new());
    // A remedy is chosen once: a second click (or a second tab) shows what the first one did.
    if is_settled(&state, &caller, &case).await {
        return done;
    }
    match carry_out_choice(&state, &caller, &case, &form).await {
        Ok(()) => done,
        // Two clicks at once: the one that lost the race finds the case settled by the other.
        Err(_) if is_settled(&state, &caller, &case).await => done,
        Err(code) => redirect(&format!("{page}?error={code}"), Vec::new()),
    }
}

async fn is_settled(state: &AppState, caller: &Caller, case: &Case) -> bool {
    let Ok(view) = cases::view(state.app(), caller, case.id).await else { return false };
    let carried_out = view
        .timeline
        .iter()
        .any(|e| matches!(e.event, CaseEvent::RemedyCarriedOut { .. } | CaseEvent::OrderAmended { .. }));
    carried_out || matches!(view.case.status, CaseStatus::Resolved | CaseStatus::Closed)
}

/// The error codes the case page knows how to say.
pub(super) const CHOICE_ERRORS: &[&str] =
    &["needs-approval", "not-offered", "out-of-stock", "too-late", "choose-variant", "remedy"];

async fn carry_out_choice(
    state: &AppState,
    caller: &Caller,
    case: &Case,
    form: &Submitted,
) -> Result<(), &'static str> {
    let app = state.app();
    let lines = case.lines.clone();
    let remedy: Remedy = form.get("remedy").parse().map_err(|_| "not-offered")?;
    let order_id = case.order_id.ok_or("remedy")?;
    let order = redress_app::orders::order(app, caller, &order_id.to_string()).await.map_err(|_| "remedy")?;
    let photos_provided = !redress_app::attachments::list(app, caller, case.id).await.map_err(|_| "remedy")?.is_empty();
    let swaps: Vec<(&str, &str)> = form
        .fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("swap:")?, v.as_str())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let quantity_of = |sku: &str| {
        lines.iter().find(|l| l.sku == sku).map(|l| l.quantity).or_else(|| {
            // No lines named: the whole order, as the API reads it.
            lines.is_empty().then(|| order.lines.iter().find(|l| l.sku == sku).map(|l| l.quantity)).flatten()
        })
    };
    let listed = |sku: &str, to: &str, quantity: u32| {
        listed_variant(&order, sku, to, quantity).map_err(|e| match e {
            AmendmentError::OutOfStock { .. } => "out-of-stock",
            _ => "choose-variant",
        })
    };
    // One key per case: of two choices racing, one is carried out and the other refused whole.
    let key = RequestKey::parse(&format!("portal-remedy-{}", case.id)).map_err(|_| "remedy")?;
    let outcome = if remedy == Remedy::AmendOrder {
        // Before it ships a new size is an amendment of the line, if the policy offers one.
        let request = OptionsRequest { photos_provided, ..OptionsRequest::default() };
        let decision = resolution::options(app, caller, case.id, request).await.map_err(|_| "remedy")?;
        if decision.offer(Remedy::AmendOrder).is_none() || case.kind == IssueKind::ChangeShippingAddress {
            return Err("not-offered");
        }
        let (sku, to) = swaps.first().copied().ok_or("choose-variant")?;
        // An amendment changes the whole line, so the whole line's quantity must be in stock.
        let line_quantity = order.lines.iter().find(|l| l.sku == sku).map(|l| l.quantity).ok_or("choose-variant")?;
        let item = listed(sku, to, line_quantity)?;
        let input = AmendmentRequest {
            amendment: Amendment::SwapVariant { sku: sku.to_owned(), to: item.item },
            stock: reported_stock(&order),
            carrier_allows_intercept: false,
        };
        resolution::amend_order(app, caller, case.id, input, &key).await.map(|_| ())
    } else {
        let replacements = if remedy == Remedy::Exchange {
            let items = swaps
                .iter()
                .map(|(sku, to)| listed(sku, to, quantity_of(sku).ok_or("choose-variant")?))
                .collect::<Result<Vec<_>, _>>()?;
            if items.is_empty() {
                return Err("choose-variant");
            }
            items
        } else {
            Vec::new()
        };
        // The case's own lines are the ones concerned; the remedy reads them from the case.
        let input = RemedyRequest {
            remedy,
            lines: Vec::new(),
            photos_provided,
            carrier_allows_intercept: false,
            carrier_reference: None,
            amount: None,
            refund_shipping: None,
            customer_flagged: false,
        };
        resolution::carry_out_remedy(app, caller, case.id, (input, replacements), &key).await.map(|_| ())
    };
    outcome.map_err(|e| {
        tracing::info!(code = ?e.code, message = %e.message, "a portal remedy was refused");
        match e.code {
            ErrorCode::NotOffered | ErrorCode::AlreadyGiven => "not-offered",
            ErrorCode::OutOfStock => "out-of-stock",
            ErrorCode::TooLateToAmend => "too-late",
            _ => "remedy",
        }
    })
}

// ----------------------------------------------------------------------------------------------
// The delivery address
// ----------------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "portal/address.html")]
struct AddressPage<'a> {
    c: &'a Chrome,
    order_id: String,
    number: String,
    current: Vec<String>,
    address: Address,
    street2: String,
    region: String,
    refused: Option<(String, Vec<String>)>,
    error: Option<String>,
    form_token: String,
    /// The typed address passed every check: shown to be confirmed before it is saved.
    confirm: Option<Vec<String>>,
}

/// Whether the order's address can still change; when not, the reason in the customer's
/// language and what can be done instead, as the amendment rules give them.
async fn too_late(
    state: &AppState,
    caller: &Caller,
    order: &Order,
    w: &Words,
    language: &LanguageTag,
) -> Option<(String, Vec<String>)> {
    if redress_app::orders::amendable(state.app(), caller, order).await.unwrap_or(false) {
        return None;
    }
    // The same address again: an amendment that would change nothing, refused only for its timing.
    let same = Amendment::ShippingAddress { address: order.shipping_address.clone() };
    match resolution::amendment_refusal(state.app(), caller, order, &same, language).await {
        Ok(Some(refusal)) if refusal.code == ErrorCode::TooLateToAmend => {
            Some((refusal.message, refusal.alternatives.iter().map(|r| w.t(&format!("remedy-{r}"))).collect()))
        }
        _ => Some((w.t("address-cancelled"), Vec::new())),
    }
}

async fn address_form(
    state: &AppState,
    (caller, chrome, store): (&Caller, &Chrome, &Store),
    order: &Order,
    token: &str,
    address: Address,
    (error, confirm): (Option<String>, bool),
) -> Result<String, askama::Error> {
    let refused = too_late(state, caller, order, &chrome.w, &language_of(&chrome.w, store)).await;
    AddressPage {
        c: chrome,
        order_id: order.id.to_string(),
        number: order.number.clone(),
        current: order.shipping_address.label_lines(),
        street2: address.lines.get(1).cloned().unwrap_or_default(),
        region: address.region.clone().unwrap_or_default(),
        confirm: confirm.then(|| address.label_lines()),
        address,
        refused,
        error,
        form_token: state.portal_keys().form_token(token),
    }
    .render()
}

/// `GET /s/{slug}/orders/{order_id}/address`: the delivery address form, or why it is too late.
pub(super) async fn address_page(
    State(state): State<AppState>,
    Path((slug, order_id)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let OrderVisit { store, chrome, cookies, token, order, caller, .. } =
        match visit_order(&state, (&slug, &order_id), &headers, &query, None).await {
            Ok(visit) => visit,
            Err(refused) => return refused,
        };
    let html =
        address_form(&state, (&caller, &chrome, &store), &order, &token, order.shipping_address.clone(), (None, false))
            .await;
    Page { status: StatusCode::OK, html, cookies }.into_response()
}

/// `POST /s/{slug}/orders/{order_id}/address`: changes the delivery address through the
/// amendment logic, on a case of its own so the change is on a timeline. Refused (with the
/// reason, nothing opened) once a parcel is with the carrier.
pub(super) async fn change_address(
    State(state): State<AppState>,
    Path((slug, order_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let form = Submitted { fields, uploads: Vec::new() };
    let posted = Some(form.get("form_token"));
    let OrderVisit { store, chrome, token, order, caller, .. } =
        match visit_order(&state, (&slug, &order_id), &headers, &PageQuery::default(), posted).await {
            Ok(visit) => visit,
            Err(refused) => return refused,
        };
    let field = |name: &str| form.get(name).trim().to_owned();
    let address = Address {
        name: field("name"),
        lines: [field("street"), field("street2")].into_iter().filter(|l| !l.is_empty()).collect(),
        city: field("city"),
        postal_code: field("postal_code"),
        region: Some(field("region")).filter(|r| !r.is_empty()),
        country: field("country").to_uppercase(),
    };
    let show = |status: StatusCode, message: Option<String>, address: Address| {
        let (state, chrome, store, order, token, caller) = (&state, &chrome, &store, &order, &token, &caller);
        async move {
            let confirm = message.is_none();
            let html = address_form(state, (caller, chrome, store), order, token, address, (message, confirm)).await;
            Page { status, html, cookies: Vec::new() }.into_response()
        }
    };
    let refuse = |status: StatusCode, key: &str, address: Address| show(status, Some(chrome.w.t(key)), address);
    if let Err(problem) = address.validate_typed() {
        let message = address_problem(&chrome.w, &problem.field, &address);
        return show(StatusCode::UNPROCESSABLE_ENTITY, Some(message), address).await;
    }
    // The amendment is tried on the order first, so a refused change opens no case.
    let amendment = Amendment::ShippingAddress { address: address.clone() };
    let language = language_of(&chrome.w, &store);
    match resolution::amendment_refusal(state.app(), &caller, &order, &amendment, &language).await {
        Ok(None) => {}
        Ok(Some(refusal)) => {
            let (status, key) = match refusal.code {
                ErrorCode::NoChange => (StatusCode::UNPROCESSABLE_ENTITY, "address-same"),
                ErrorCode::TooLateToAmend | ErrorCode::OrderCancelled => (StatusCode::CONFLICT, "address-refused"),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, "error-address"),
            };
            return refuse(status, key, address).await;
        }
        Err(e) => {
            tracing::error!(error = %e, "an address change could not be checked");
            return refuse(StatusCode::SERVICE_UNAVAILABLE, "error-address", address).await;
        }
    }
    // A checked address is shown once more and saved only when the customer confirms it.
    if form.get("confirmed") != "yes" {
        return show(StatusCode::OK, None, address).await;
    }
    let input = OpenCase {
        order_id: Some(order.id.to_string()),
        order_number: None,
        customer_email: None,
        subject: chrome.w.t("kind-change_shipping_address"),
        channel: Channel::Portal,
        kind: Some(IssueKind::ChangeShippingAddress),
        language: Some(chrome.w.tag().to_owned()),
        sentiment: None,
        escalation: Vec::new(),
        message: FirstMessage {
            body: format!("{}\n{}", chrome.w.t("address-message"), address.label_lines().join("\n")),
            attachments: Vec::new(),
        },
        lines: Vec::new(),
    };
    let case = match cases::open(state.app(), &caller, input).await {
        Ok(view) => view.case,
        Err(e) => {
            tracing::warn!(error = ?e, "a portal address change could not open its case");
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, "error-remedy", address).await;
        }
    };
    let input = AmendmentRequest { amendment, stock: BTreeMap::new(), carrier_allows_intercept: false };
    let key = RequestKey::fresh();
    match resolution::amend_order(state.app(), &caller, case.id, input, &key).await {
        Ok(_) => redirect(&format!("{}/orders/{}?amended=1", chrome.base, order.id), Vec::new()),
        Err(e) => {
            // The order changed between the check and the write (a parcel left): the case stays
            // open for the shop, and the customer is told.
            tracing::warn!(code = ?e.code, "a portal address change was refused");
            redirect(&format!("{}/cases/{}?error=too-late", chrome.base, case.id), Vec::new())
        }
    }
}

/// What is wrong with a typed address, in the page's language, naming the field.
fn address_problem(w: &Words, field: &str, address: &Address) -> String {
    match field {
        "country" => w.t1("error-address-country", "value", &address.country),
        "postal_code" if !address.postal_code.is_empty() => w.ta(
            "error-address-postal",
            &[
                ("country", &address.country),
                ("shapes", &redress_domain::country::postal_formats(&address.country).unwrap_or_default().join(", ")),
            ],
        ),
        other => {
            let label = match other.split(['.', '[']).next().unwrap_or_default() {
                "name" => "field-name",
                "lines" => "field-street",
                "city" => "field-city",
                "postal_code" => "field-postal",
                "region" => "field-region",
                _ => return w.t("error-address"),
            };
            w.t1("error-address-field", "field", &w.t(label))
        }
    }
}

/// True when a case has had its remedy (or amendment) carried out, or is done.
pub(super) fn settled(case: &Case, done: &[String]) -> bool {
    !done.is_empty() || matches!(case.status, CaseStatus::Resolved | CaseStatus::Closed)
}
