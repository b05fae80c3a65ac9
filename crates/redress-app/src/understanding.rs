//! Message understanding as a use case: analyse one message, and export agents' corrections
//! as training examples.

use redress_domain::{CaseId, IssueKind, LanguageTag, Sentiment};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::App;
use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult};

/// The longest message analysed, in bytes (understanding reads at most its first 8 KB).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Analyses one message: language, issue kind with confidence and runners-up, sentiment,
/// escalation signals with their trigger words, and entities.
pub async fn understand(
    app: &App,
    caller: &Caller,
    text: &str,
    lang: Option<&str>,
) -> AppResult<redress_text::Analysis> {
    caller.require(Action::Read)?;
    if let Some(lang) = lang {
        LanguageTag::parse(lang).map_err(|e| AppError::invalid("lang", e.problem))?;
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(AppError::invalid("text", format!("give at most {} KB of text", MAX_TEXT_BYTES / 1024)));
    }
    Ok(app.understanding().understand(text, lang))
}

/// One corrected example, in the training data's own line format.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackExample {
    /// The case's subject and first message.
    pub text: String,
    /// The corrected language.
    pub lang: Option<LanguageTag>,
    /// The corrected kind.
    pub kind: Option<IssueKind>,
    /// The corrected tone.
    pub sentiment: Option<Sentiment>,
    /// The case it came from.
    pub case_id: CaseId,
    /// When it was corrected.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub corrected_at: OffsetDateTime,
}

/// The store's classification corrections, oldest first, as training examples.
pub async fn feedback(app: &App, caller: &Caller) -> AppResult<Vec<FeedbackExample>> {
    let store_id = caller.require(Action::Read)?;
    if caller.is_customer() {
        return Err(AppError::forbidden("that is for the shop's team"));
    }
    Ok(app
        .storage()
        .classification_feedback(store_id)
        .await?
        .into_iter()
        .map(|f| FeedbackExample {
            text: format!("{}\n{}", f.subject, f.text),
            lang: f.corrected.language,
            kind: f.corrected.kind,
            sentiment: f.corrected.sentiment,
            case_id: f.case_id,
            corrected_at: f.at,
        })
        .collect())
}
