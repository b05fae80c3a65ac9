//! Reading the project's own examples and the public data sets in `shared/data`, mapped to
//! Redress's taxonomy as `shared/data/README.md` says.

use std::collections::HashSet;
use std::path::Path;

use redress_domain::{EscalationSignal, IssueKind, Sentiment};
use serde::Deserialize;

use crate::TextError;
use crate::text::hash_parts;

/// The project's own training examples, generated from templates.
pub const OWN_TRAIN_GENERATED: &str = include_str!("../data/train.jsonl");
/// The project's own training examples, written by hand.
pub const OWN_TRAIN_HANDWRITTEN: &str = include_str!("../data/handwritten.jsonl");
/// The project's own training examples in the style of real inboxes, generated from
/// `scripts/inbox_*.py`.
pub const OWN_TRAIN_INBOX: &str = include_str!("../data/inbox.jsonl");
/// Shop messages in languages Redress does not serve, for the language model.
pub const OTHER_LANGUAGES: &str = include_str!("../data/other_languages.jsonl");
/// The first pass's held-out set: never read by training; since the second pass the dev set
/// on which settings are chosen.
pub const OWN_HELDOUT: &str = include_str!("../data/heldout.jsonl");
/// Sets written after each freeze of the second pass, oldest first: (name, labelled messages,
/// messages in other languages, what it is now). The last is the report set; the others became
/// dev sets once their figures were taken (later settings were chosen looking at them).
pub const FRESH_SETS: [(&str, &str, &str, &str); 4] = [
    (
        "fresh.jsonl",
        include_str!("../data/fresh.jsonl"),
        include_str!("../data/fresh_other_languages.jsonl"),
        "written after the first freeze; a dev set since",
    ),
    (
        "fresh2.jsonl",
        include_str!("../data/fresh2.jsonl"),
        include_str!("../data/fresh2_other_languages.jsonl"),
        "written after the second freeze; a dev set since",
    ),
    (
        "fresh3.jsonl",
        include_str!("../data/fresh3.jsonl"),
        include_str!("../data/fresh3_other_languages.jsonl"),
        "written after the third freeze; a dev set since",
    ),
    (
        "fresh4.jsonl",
        include_str!("../data/fresh4.jsonl"),
        include_str!("../data/fresh4_other_languages.jsonl"),
        "written after the shipped model was frozen; never read by training or tuning",
    ),
];

/// One labelled example of the project's own data.
#[derive(Debug, Clone, Deserialize)]
pub struct OwnExample {
    /// The message.
    pub text: String,
    /// BCP 47 primary tag.
    pub lang: String,
    /// Issue kind id.
    pub kind: IssueKind,
    /// Tone.
    pub sentiment: Sentiment,
    /// Escalation signals present.
    #[serde(default)]
    pub escalation: Vec<EscalationSignal>,
}

/// A message in a known language (for the language model).
#[derive(Debug, Clone, Deserialize)]
pub struct LanguageLine {
    /// The message.
    pub text: String,
    /// BCP 47 primary tag.
    pub lang: String,
}

/// Parses a JSONL file of [`LanguageLine`]s.
pub fn parse_languages(name: &str, text: &str) -> Result<Vec<LanguageLine>, TextError> {
    parse_lines(name, text)
}

/// Parses a JSONL file of [`OwnExample`]s.
pub fn parse_own(name: &str, text: &str) -> Result<Vec<OwnExample>, TextError> {
    parse_lines(name, text)
}

fn parse_lines<T: serde::de::DeserializeOwned>(name: &str, text: &str) -> Result<Vec<T>, TextError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let ex: T = serde_json::from_str(line).map_err(|e| TextError::Data {
            path: name.to_owned(),
            line: i + 1,
            message: e.to_string(),
        })?;
        out.push(ex);
    }
    Ok(out)
}

fn read(path: &Path) -> Result<String, TextError> {
    std::fs::read_to_string(path).map_err(|source| TextError::Io { path: path.display().to_string(), source })
}

/// Reads RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes).
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A public example mapped to a kind.
#[derive(Debug, Clone)]
pub struct Mapped {
    /// The text.
    pub text: String,
    /// The mapped kind.
    pub kind: IssueKind,
    /// True for a weak (≈) mapping.
    pub weak: bool,
    /// The source label.
    pub label: String,
}

/// Bitext intent → (kind, weak).
pub fn map_bitext(intent: &str) -> (IssueKind, bool) {
    match intent {
        "cancel_order" => (IssueKind::CancelOrder, false),
        "change_shipping_address" => (IssueKind::ChangeShippingAddress, false),
        "set_up_shipping_address" => (IssueKind::ChangeShippingAddress, true),
        "change_order" => (IssueKind::ChangeOrderItems, false),
        "track_order" | "delivery_period" => (IssueKind::OrderStatus, false),
        "track_refund" => (IssueKind::RefundStatus, false),
        "get_refund" => (IssueKind::ReturnRequest, false),
        "check_refund_policy" => (IssueKind::ReturnPolicyQuestion, false),
        "payment_issue" => (IssueKind::StoreUnavailable, true),
        _ => (IssueKind::Other, false),
    }
}

/// BANKING77 category → (kind, weak).
pub fn map_banking(category: &str) -> (IssueKind, bool) {
    match category {
        "transaction_charged_twice"
        | "extra_charge_on_statement"
        | "card_payment_fee_charged"
        | "card_payment_wrong_exchange_rate"
        | "card_payment_not_recognised"
        | "direct_debit_payment_not_recognised" => (IssueKind::WrongCharge, false),
        "Refund_not_showing_up" => (IssueKind::RefundStatus, false),
        "request_refund" => (IssueKind::ReturnRequest, false),
        "pending_card_payment" | "balance_not_updated_after_bank_transfer" | "pending_transfer" => {
            (IssueKind::PaymentNotReflected, false)
        }
        "declined_card_payment" => (IssueKind::StoreUnavailable, true),
        "compromised_card" => (IssueKind::PhishingReport, true),
        _ => (IssueKind::Other, false),
    }
}

/// Rows of one Bitext file: (instruction, intent).
fn bitext_rows(path: &Path) -> Result<Vec<(String, String)>, TextError> {
    let text = read(path)?;
    let rows = parse_csv(&text);
    let Some(header) = rows.first() else {
        return Ok(Vec::new());
    };
    let col = |name: &str| header.iter().position(|h| h == name);
    let (Some(ti), Some(ii)) = (col("instruction"), col("intent")) else {
        return Err(TextError::Data {
            path: path.display().to_string(),
            line: 1,
            message: "no instruction/intent columns".into(),
        });
    };
    Ok(rows.iter().skip(1).filter_map(|r| Some((r.get(ti)?.clone(), r.get(ii)?.clone()))).collect())
}

const BITEXT_GPT: &str = "bitext-customer-support/Bitext_Sample_Customer_support_Training_Dataset_GPT3.5.csv";
const BITEXT_FULL: &str = "bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv";

fn to_mapped(rows: Vec<(String, String)>, map: fn(&str) -> (IssueKind, bool)) -> Vec<Mapped> {
    rows.into_iter()
        .map(|(text, label)| {
            let (kind, weak) = map(&label);
            Mapped { text, kind, weak, label }
        })
        .collect()
}

/// Bitext training rows (the GPT3.5 file).
pub fn bitext_train(shared: &Path) -> Result<Vec<Mapped>, TextError> {
    Ok(to_mapped(bitext_rows(&shared.join(BITEXT_GPT))?, map_bitext))
}

/// Bitext test rows: rows of the other file whose text is not in the GPT3.5 file.
pub fn bitext_test(shared: &Path) -> Result<Vec<Mapped>, TextError> {
    let train: HashSet<String> = bitext_rows(&shared.join(BITEXT_GPT))?.into_iter().map(|(t, _)| t).collect();
    let rows = bitext_rows(&shared.join(BITEXT_FULL))?.into_iter().filter(|(t, _)| !train.contains(t)).collect();
    Ok(to_mapped(rows, map_bitext))
}

/// BANKING77 rows of `file` (`train.csv` or `test.csv`).
pub fn banking(shared: &Path, file: &str) -> Result<Vec<Mapped>, TextError> {
    let text = read(&shared.join("banking77").join(file))?;
    let rows =
        parse_csv(&text).into_iter().skip(1).filter_map(|r| Some((r.first()?.clone(), r.get(1)?.clone()))).collect();
    Ok(to_mapped(rows, map_banking))
}

/// CLINC150 rows of the named splits; `order_status` maps to itself, all else to `other`.
pub fn clinc(shared: &Path, splits: &[&str]) -> Result<Vec<Mapped>, TextError> {
    let path = shared.join("clinc150/data_full.json");
    let value: serde_json::Value = serde_json::from_str(&read(&path)?).map_err(|e| TextError::Data {
        path: path.display().to_string(),
        line: 0,
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for split in splits {
        for row in value.get(*split).and_then(|v| v.as_array()).into_iter().flatten() {
            let (Some(text), Some(label)) = (row.get(0).and_then(|v| v.as_str()), row.get(1).and_then(|v| v.as_str()))
            else {
                continue;
            };
            let kind = if label == "order_status" { IssueKind::OrderStatus } else { IssueKind::Other };
            out.push(Mapped { text: text.to_owned(), kind, weak: false, label: label.to_owned() });
        }
    }
    Ok(out)
}

/// One XED subtitle line with its emotion labels.
#[derive(Debug, Clone)]
pub struct XedLine {
    /// The text.
    pub text: String,
    /// Language tag.
    pub lang: &'static str,
    /// Emotion labels 1–8.
    pub labels: Vec<u8>,
}

impl XedLine {
    /// Label 1 (anger) present.
    pub fn anger(&self) -> bool {
        self.labels.contains(&1)
    }

    /// Sentiment proxy: 1, 3, 4, 6 negative; 5, 8 positive; mixed or only 2/7 → none.
    pub fn sentiment(&self) -> Option<Sentiment> {
        let neg = self.labels.iter().any(|l| matches!(l, 1 | 3 | 4 | 6));
        let pos = self.labels.iter().any(|l| matches!(l, 5 | 8));
        match (neg, pos) {
            (true, false) => Some(Sentiment::Negative),
            (false, true) => Some(Sentiment::Positive),
            _ => None,
        }
    }
}

const XED_FILES: &[(&str, &str)] = &[
    ("en-annotated.tsv", "en"),
    ("es-projections.tsv", "es"),
    ("pt-projections.tsv", "pt"),
    ("br-projections.tsv", "pt"),
    ("pl-projections.tsv", "pl"),
    ("id-projections.tsv", "id"),
];

/// The seed of the fixed XED 80/20 split.
pub const XED_SPLIT_SEED: u64 = 20_251_123;

/// XED lines of the seeded 80 % training split (`train`) or the 20 % test split.
pub fn xed(shared: &Path, train: bool) -> Result<Vec<XedLine>, TextError> {
    let mut out = Vec::new();
    for (file, lang) in XED_FILES {
        let text = read(&shared.join("xed").join(file))?;
        for (i, line) in text.lines().enumerate() {
            let Some((t, labels)) = line.rsplit_once('\t') else {
                continue;
            };
            let labels: Vec<u8> = labels.split(',').filter_map(|l| l.trim().parse().ok()).collect();
            if labels.is_empty() || t.trim().is_empty() {
                continue;
            }
            let h = hash_parts(XED_SPLIT_SEED, &[file.as_bytes(), &(i as u64).to_le_bytes()]);
            let is_train = h % 100 < 80;
            if is_train == train {
                out.push(XedLine { text: t.to_owned(), lang, labels });
            }
        }
    }
    Ok(out)
}

/// A sentence with a sentiment label.
#[derive(Debug, Clone)]
pub struct SentimentLine {
    /// The text.
    pub text: String,
    /// Language tag.
    pub lang: &'static str,
    /// The label.
    pub sentiment: Sentiment,
}

/// NusaX sentiment, `lang_folder` `english` or `indonesian`, `split` `train`, `valid` or `test`.
pub fn nusax(shared: &Path, lang_folder: &str, split: &str) -> Result<Vec<SentimentLine>, TextError> {
    let lang = if lang_folder == "english" { "en" } else { "id" };
    let text = read(&shared.join("nusax-sentiment").join(lang_folder).join(format!("{split}.csv")))?;
    Ok(parse_csv(&text)
        .into_iter()
        .skip(1)
        .filter_map(|r| Some(SentimentLine { text: r.get(1)?.clone(), lang, sentiment: r.get(2)?.parse().ok()? }))
        .collect())
}

/// IndoNLU SmSA, `file` `train_preprocess.tsv` or `valid_preprocess.tsv`.
pub fn smsa(shared: &Path, file: &str) -> Result<Vec<SentimentLine>, TextError> {
    let text = read(&shared.join("indonlu-smsa").join(file))?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let (t, s) = l.rsplit_once('\t')?;
            Some(SentimentLine { text: t.to_owned(), lang: "id", sentiment: s.trim().parse().ok()? })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_handles_quotes_and_newlines() {
        let rows = parse_csv("a,b\n\"x, \"\"y\"\"\",\"line1\nline2\"\nlast,1");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], ["x, \"y\"", "line1\nline2"]);
        assert_eq!(rows[2], ["last", "1"]);
    }

    #[test]
    fn own_data_parses() {
        assert!(!parse_own("train", OWN_TRAIN_GENERATED).unwrap().is_empty());
        assert!(!parse_own("heldout", OWN_HELDOUT).unwrap().is_empty());
        parse_own("handwritten", OWN_TRAIN_HANDWRITTEN).unwrap();
        assert!(!parse_own("inbox", OWN_TRAIN_INBOX).unwrap().is_empty());
        assert!(!parse_languages("other", OTHER_LANGUAGES).unwrap().is_empty());
        for (name, own, other, _) in FRESH_SETS {
            assert!(!parse_own(name, own).unwrap().is_empty());
            assert!(!parse_languages(name, other).unwrap().is_empty());
        }
    }

    #[test]
    fn mappings_follow_the_readme() {
        assert_eq!(map_bitext("payment_issue"), (IssueKind::StoreUnavailable, true));
        assert_eq!(map_bitext("complaint"), (IssueKind::Other, false));
        assert_eq!(map_banking("Refund_not_showing_up"), (IssueKind::RefundStatus, false));
        assert_eq!(map_banking("card_arrival"), (IssueKind::Other, false));
    }
}
