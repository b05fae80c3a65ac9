//! The satisfaction survey: reached by the signed link in the message sent when a case was
//! resolved, no sign-in; a score from 1 to 5 and a comment, once per case.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use redress_app::ErrorCode;
use serde::Deserialize;

use super::{Chrome, PageQuery, notice, storefront};
use crate::AppState;
use crate::html::{Page, unknown_store};

/// The link's query: its signature, and a language to switch to.
#[derive(Deserialize, Default)]
pub struct SurveyQuery {
    sig: Option<String>,
    lang: Option<String>,
}

/// The answer.
#[derive(Deserialize)]
pub struct SurveyForm {
    sig: String,
    score: String,
    #[serde(default)]
    comment: String,
}

#[derive(Template)]
#[template(path = "portal/survey.html")]
struct SurveyPage<'a> {
    c: &'a Chrome,
    case_number: String,
    action: String,
    sig: String,
    error: Option<String>,
}

/// The survey of a case, or the notice that it is answered or unknown.
pub(crate) async fn survey_page(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    Query(query): Query<SurveyQuery>,
    headers: HeaderMap,
) -> Response {
    let page_query = PageQuery { lang: query.lang.clone(), ..PageQuery::default() };
    let Some((store, chrome, cookies)) = storefront(&state, &slug, &headers, &page_query).await else {
        return unknown_store();
    };
    let sig = query.sig.unwrap_or_default();
    let found = match redress_app::cases::case_id(&case_id) {
        Ok(id) => redress_app::follow_through::survey(state.app(), store.id, id, &sig).await,
        Err(e) => Err(e),
    };
    match found {
        Ok(survey) if survey.answered => notice(StatusCode::OK, &chrome, "survey-thanks", cookies).into_response(),
        Ok(survey) => {
            let action = format!("{}/survey/{case_id}", chrome.base);
            let page = SurveyPage { c: &chrome, case_number: survey.case_number, action, sig, error: None };
            Page { status: StatusCode::OK, html: page.render(), cookies }.into_response()
        }
        Err(_) => notice(StatusCode::NOT_FOUND, &chrome, "survey-unknown", cookies).into_response(),
    }
}

/// Records the answer; a second answer is thanked and changes nothing.
pub(crate) async fn answer(
    State(state): State<AppState>,
    Path((slug, case_id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<SurveyForm>,
) -> Response {
    let Some((store, chrome, cookies)) = storefront(&state, &slug, &headers, &PageQuery::default()).await else {
        return unknown_store();
    };
    let Ok(id) = redress_app::cases::case_id(&case_id) else {
        return notice(StatusCode::NOT_FOUND, &chrome, "survey-unknown", cookies).into_response();
    };
    let score: u8 = form.score.trim().parse().unwrap_or(0);
    let comment: String = form.comment.chars().take(2000).collect();
    let answered =
        redress_app::follow_through::answer_survey(state.app(), store.id, id, &form.sig, score, Some(comment)).await;
    match answered {
        Ok(()) => notice(StatusCode::OK, &chrome, "survey-thanks", cookies).into_response(),
        Err(e) if e.code == ErrorCode::Duplicate => {
            notice(StatusCode::OK, &chrome, "survey-thanks", cookies).into_response()
        }
        Err(e) if e.code == ErrorCode::InvalidField => {
            let action = format!("{}/survey/{case_id}", chrome.base);
            let error = Some(chrome.w.t("survey-pick-score"));
            let page = SurveyPage { c: &chrome, case_number: String::new(), action, sig: form.sig, error };
            Page { status: StatusCode::UNPROCESSABLE_ENTITY, html: page.render(), cookies }.into_response()
        }
        Err(_) => notice(StatusCode::NOT_FOUND, &chrome, "survey-unknown", cookies).into_response(),
    }
}
