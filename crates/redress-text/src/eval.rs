//! Evaluation on the project's held-out set and on each public test split, reported
//! separately (never pooled).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use redress_domain::{EscalationSignal, IssueKind, Sentiment};
use serde::Serialize;

use crate::data::{self, Mapped};
use crate::{TextError, Understanding};

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassScore {
    /// The class id.
    pub class: String,
    /// Gold examples of the class.
    pub support: usize,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
}

/// Accuracy and macro-F1 of a classification, over the classes present in the gold labels.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// Examples.
    pub n: usize,
    /// Share correct.
    pub accuracy: f64,
    /// Mean F1 over the gold classes.
    pub macro_f1: f64,
    /// Per gold class.
    pub per_class: Vec<ClassScore>,
}

/// Scores `(gold, predicted)` pairs.
pub fn score<T: Ord + Clone + fmt::Display>(pairs: &[(T, T)]) -> Scores {
    let mut classes: BTreeMap<T, (usize, usize)> = BTreeMap::new(); // (true positives, gold)
    let mut correct = 0;
    for (g, p) in pairs {
        let e = classes.entry(g.clone()).or_default();
        e.1 += 1;
        if g == p {
            correct += 1;
            e.0 += 1;
        }
    }
    let mut predicted: BTreeMap<T, usize> = BTreeMap::new();
    for (_, p) in pairs {
        *predicted.entry(p.clone()).or_default() += 1;
    }
    let per_class: Vec<ClassScore> = classes
        .iter()
        .map(|(c, (tp, gold))| {
            let pred = predicted.get(c).copied().unwrap_or(0);
            let precision = ratio(*tp, pred);
            let recall = ratio(*tp, *gold);
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            ClassScore { class: c.to_string(), support: *gold, precision, recall, f1 }
        })
        .collect();
    let macro_f1 =
        if per_class.is_empty() { 0.0 } else { per_class.iter().map(|c| c.f1).sum::<f64>() / per_class.len() as f64 };
    Scores { n: pairs.len(), accuracy: ratio(correct, pairs.len()), macro_f1, per_class }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Results on the project's own held-out set.
#[derive(Debug, Clone, Serialize)]
pub struct OwnReport {
    /// Issue kinds, all languages.
    pub kinds: Scores,
    /// Issue kinds per language.
    pub kinds_by_language: BTreeMap<String, Scores>,
    /// Sentiment, all languages.
    pub sentiment: Scores,
    /// Sentiment per language.
    pub sentiment_by_language: BTreeMap<String, Scores>,
    /// Escalation: recall per signal (found / labelled).
    pub escalation_recall: BTreeMap<String, (usize, usize)>,
    /// Escalation: messages with no labelled signal that got one (false alarms / such messages).
    pub escalation_false_alarms: (usize, usize),
    /// Escalation: signals raised that were not labelled, over all messages.
    pub escalation_wrong_signals: usize,
    /// Language id on messages of at least 20 characters: per language (correct, total).
    pub language_id: BTreeMap<String, (usize, usize)>,
    /// Share of messages marked low-confidence, and accuracy on the rest.
    pub low_confidence_share: f64,
    /// Accuracy on the messages not marked low-confidence.
    pub confident_accuracy: f64,
    /// Expected calibration error of the kind confidence (10 equal-width bins).
    pub kind_ece: f64,
    /// Expected calibration error of the sentiment confidence.
    pub sentiment_ece: f64,
    /// Messages reported as not in one of the five languages (should be none).
    pub reported_unsupported: usize,
}

/// Results on one set written after a freeze.
#[derive(Debug, Clone, Serialize)]
pub struct FreshReport {
    /// The file.
    pub name: String,
    /// When it was written and what it is now.
    pub role: String,
    /// Its messages in the five languages.
    pub own: OwnReport,
    /// Its messages in other languages.
    pub other_languages: OtherLanguagesReport,
}

/// Results on messages in languages Redress does not serve.
#[derive(Debug, Clone, Serialize)]
pub struct OtherLanguagesReport {
    /// Per true language: (reported as not one of the five, messages).
    pub not_one_of_five: BTreeMap<String, (usize, usize)>,
    /// Per true language: (reported with the right tag, messages).
    pub right_tag: BTreeMap<String, (usize, usize)>,
    /// Messages marked for triage (`low_confidence`).
    pub marked_for_triage: (usize, usize),
}

/// Expected calibration error of `(confidence, correct)` pairs over 10 equal-width bins: the
/// gap between confidence and accuracy in each bin, weighted by the bin's share.
pub fn expected_calibration_error(pairs: &[(f32, bool)]) -> f64 {
    let mut bins = [(0f64, 0f64, 0usize); 10];
    for &(c, ok) in pairs {
        let i = ((c.clamp(0.0, 1.0) * 10.0) as usize).min(9);
        bins[i].0 += f64::from(c);
        bins[i].1 += f64::from(u8::from(ok));
        bins[i].2 += 1;
    }
    let n = pairs.len().max(1) as f64;
    bins.iter().map(|(c, a, _)| (c - a).abs() / n).sum()
}

/// Results on a public intent set mapped to Redress kinds.
#[derive(Debug, Clone, Serialize)]
pub struct MappedReport {
    /// Which set and split.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Kinds on strongly mapped rows.
    pub strong: Scores,
    /// Weak (≈) mappings: per source label, (rows, predicted as the mapped kind).
    pub weak: BTreeMap<String, (usize, usize)>,
    /// Extra figures (name, value).
    pub extra: Vec<(String, f64)>,
}

/// Results on a sentiment set.
#[derive(Debug, Clone, Serialize)]
pub struct SentimentReport {
    /// Which set and split.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Scores.
    pub scores: Scores,
}

/// Results on XED's 20 % test split, per language.
#[derive(Debug, Clone, Serialize)]
pub struct XedReport {
    /// Per language: anger lines flagged negative / anger lines.
    pub anger_recall: BTreeMap<String, (usize, usize)>,
    /// Per language: joy/trust-only lines flagged negative / such lines.
    pub anger_false_alarm: BTreeMap<String, (usize, usize)>,
    /// Per language: sentiment proxy (negative vs positive) scores.
    pub sentiment: BTreeMap<String, Scores>,
}

/// Everything [`evaluate`] measured.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    /// Each set written after a freeze, oldest first; the last is the report set.
    pub fresh: Vec<FreshReport>,
    /// The first pass's held-out set (`heldout.jsonl`), the dev set since the second pass.
    pub own: OwnReport,
    /// Public intent sets, each separately.
    pub mapped: Vec<MappedReport>,
    /// XED.
    pub xed: Option<XedReport>,
    /// Public sentiment sets, each separately.
    pub sentiment: Vec<SentimentReport>,
    /// Language id on public test text of 20+ characters: per set and language (correct, total).
    pub language_id: BTreeMap<String, (usize, usize)>,
    /// Sets that could not be read, with the reason.
    pub skipped: Vec<String>,
}

/// Evaluates `model` on the crate's held-out set and on the test splits of the public sets in
/// `shared_data_dir` (`shared/data`). A missing public set is listed in
/// [`EvalReport::skipped`], not an error.
pub fn evaluate(shared_data_dir: &Path, model: &Understanding) -> Result<EvalReport, TextError> {
    let own = evaluate_own(model)?;
    let mut fresh = Vec::new();
    for (name, messages, other, role) in data::FRESH_SETS {
        fresh.push(FreshReport {
            name: name.into(),
            role: role.into(),
            own: evaluate_set(model, name, messages)?,
            other_languages: evaluate_other_languages(model, &data::parse_languages(name, other)?),
        });
    }
    let mut skipped = Vec::new();
    let mut mapped = Vec::new();
    let mut run = |name: &str, r: Result<MappedReport, TextError>| match r {
        Ok(r) => mapped.push(r),
        Err(e) => skipped.push(format!("{name}: {e}")),
    };
    run(
        "bitext",
        data::bitext_test(shared_data_dir).map(|rows| {
            let complaints: Vec<&Mapped> = rows.iter().filter(|r| r.label == "complaint").collect();
            let negative = complaints
                .iter()
                .filter(|r| model.understand(&r.text, Some("en")).sentiment == Sentiment::Negative)
                .count();
            let mut rep = mapped_report(
                model,
                "Bitext test rows",
                "synthetic, template-generated English requests; rows of the full file not in the GPT3.5 file",
                &rows,
            );
            if !complaints.is_empty() {
                rep.extra.push(("complaint rows rated negative".into(), ratio(negative, complaints.len())));
            }
            rep
        }),
    );
    run(
        "banking77",
        data::banking(shared_data_dir, "test.csv").map(|rows| {
            mapped_report(model, "BANKING77 test.csv", "crowd-written English online-banking questions", &rows)
        }),
    );
    run(
        "clinc150",
        data::clinc(shared_data_dir, &["test", "oos_test"]).and_then(|_| {
            let test = data::clinc(shared_data_dir, &["test"])?;
            let oos = data::clinc(shared_data_dir, &["oos_test"])?;
            let mut rep = mapped_report(
                model,
                "CLINC150 test + oos_test",
                "crowd-written English queries, 150 intents of many domains plus out-of-scope",
                &test.iter().chain(oos.iter()).cloned().collect::<Vec<_>>(),
            );
            let left = |rows: &[Mapped], or_unsure: bool| {
                let n = rows
                    .iter()
                    .filter(|r| {
                        let a = model.understand(&r.text, Some("en"));
                        a.kind == IssueKind::Other || (or_unsure && a.low_confidence)
                    })
                    .count();
                ratio(n, rows.len())
            };
            let in_scope_other: Vec<Mapped> = test.iter().filter(|r| r.kind == IssueKind::Other).cloned().collect();
            rep.extra.push(("oos_test left as other".into(), left(&oos, false)));
            rep.extra.push(("oos_test left as other or low-confidence".into(), left(&oos, true)));
            rep.extra.push(("in-scope non-order intents left as other".into(), left(&in_scope_other, false)));
            Ok(rep)
        }),
    );
    let mut language_id: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut lang_check = |set: &str, lang: &str, text: &str| {
        if text.chars().count() >= 20 {
            let e = language_id.entry(format!("{set} {lang}")).or_default();
            e.1 += 1;
            e.0 += usize::from(model.detect_language(text).map(|(l, _)| l) == Some(lang));
        }
    };
    let xed = match data::xed(shared_data_dir, false) {
        Ok(lines) => {
            for x in &lines {
                lang_check("XED test", x.lang, &x.text);
            }
            Some(xed_report(model, &lines))
        }
        Err(e) => {
            skipped.push(format!("xed: {e}"));
            None
        }
    };
    let mut sentiment = Vec::new();
    for (name, desc, rows) in [
        (
            "NusaX English test",
            "English sentences translated from Indonesian reviews and comments",
            data::nusax(shared_data_dir, "english", "test"),
        ),
        (
            "NusaX Indonesian test",
            "Indonesian reviews and comments, human-annotated",
            data::nusax(shared_data_dir, "indonesian", "test"),
        ),
        (
            "SmSA valid",
            "Indonesian reviews (IndoNLU), human-annotated",
            data::smsa(shared_data_dir, "valid_preprocess.tsv"),
        ),
    ] {
        match rows {
            Ok(rows) => {
                for r in &rows {
                    lang_check(name, r.lang, &r.text);
                }
                let pairs: Vec<(Sentiment, Sentiment)> =
                    rows.iter().map(|r| (r.sentiment, model.understand(&r.text, Some(r.lang)).sentiment)).collect();
                sentiment.push(SentimentReport { name: name.into(), description: desc.into(), scores: score(&pairs) });
            }
            Err(e) => skipped.push(format!("{name}: {e}")),
        }
    }
    if let Ok(rows) = data::banking(shared_data_dir, "test.csv") {
        for r in &rows {
            lang_check("BANKING77 test", "en", &r.text);
        }
    }
    Ok(EvalReport { fresh, own, mapped, xed, sentiment, language_id, skipped })
}

fn mapped_report(model: &Understanding, name: &str, description: &str, rows: &[Mapped]) -> MappedReport {
    let mut pairs = Vec::new();
    let mut weak: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for r in rows {
        let k = model.understand(&r.text, Some("en")).kind;
        if r.weak {
            let e = weak.entry(format!("{} ≈ {}", r.label, r.kind)).or_default();
            e.0 += 1;
            e.1 += usize::from(k == r.kind);
        } else {
            pairs.push((r.kind, k));
        }
    }
    MappedReport { name: name.into(), description: description.into(), strong: score(&pairs), weak, extra: Vec::new() }
}

/// Evaluates on the first pass's held-out set only (no public data needed).
pub fn evaluate_own(model: &Understanding) -> Result<OwnReport, TextError> {
    evaluate_set(model, "data/heldout.jsonl", data::OWN_HELDOUT)
}

/// Messages in other languages: how many are reported as not one of the five, with which tag.
pub fn evaluate_other_languages(model: &Understanding, lines: &[data::LanguageLine]) -> OtherLanguagesReport {
    let mut not_one_of_five: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut right_tag: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut triage = (0, 0);
    for l in lines {
        let a = model.understand(&l.text, None);
        let e = not_one_of_five.entry(l.lang.clone()).or_default();
        e.1 += 1;
        e.0 += usize::from(!a.language.supported);
        let e = right_tag.entry(l.lang.clone()).or_default();
        e.1 += 1;
        e.0 += usize::from(a.language.tag == l.lang);
        triage.1 += 1;
        triage.0 += usize::from(a.low_confidence);
    }
    OtherLanguagesReport { not_one_of_five, right_tag, marked_for_triage: triage }
}

/// Evaluates on one set of the project's own labelled messages.
pub fn evaluate_set(model: &Understanding, name: &str, text: &str) -> Result<OwnReport, TextError> {
    let heldout = data::parse_own(name, text)?;
    let mut kind_conf = Vec::new();
    let mut sent_conf = Vec::new();
    let mut unsupported = 0;
    let mut kinds = Vec::new();
    let mut kinds_by: BTreeMap<String, Vec<(IssueKind, IssueKind)>> = BTreeMap::new();
    let mut sent = Vec::new();
    let mut sent_by: BTreeMap<String, Vec<(Sentiment, Sentiment)>> = BTreeMap::new();
    let mut esc_recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut false_alarms = (0, 0);
    let mut wrong_signals = 0;
    let mut lang_id: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut low = 0;
    let mut confident = (0, 0);
    for ex in &heldout {
        let a = model.understand(&ex.text, None);
        kind_conf.push((a.confidence, a.kind == ex.kind));
        sent_conf.push((a.sentiment_confidence, a.sentiment == ex.sentiment));
        unsupported += usize::from(!a.language.supported);
        kinds.push((ex.kind, a.kind));
        kinds_by.entry(ex.lang.clone()).or_default().push((ex.kind, a.kind));
        sent.push((ex.sentiment, a.sentiment));
        sent_by.entry(ex.lang.clone()).or_default().push((ex.sentiment, a.sentiment));
        let found: Vec<EscalationSignal> = a.escalation.iter().map(|e| e.signal).collect();
        for s in &ex.escalation {
            let e = esc_recall.entry(s.to_string()).or_default();
            e.1 += 1;
            e.0 += usize::from(found.contains(s));
        }
        if ex.escalation.is_empty() {
            false_alarms.1 += 1;
            false_alarms.0 += usize::from(!found.is_empty());
        }
        wrong_signals += found.iter().filter(|s| !ex.escalation.contains(s)).count();
        if ex.text.chars().count() >= 20 {
            let e = lang_id.entry(ex.lang.clone()).or_default();
            e.1 += 1;
            e.0 += usize::from(a.language.tag == ex.lang);
        }
        if a.low_confidence {
            low += 1;
        } else {
            confident.1 += 1;
            confident.0 += usize::from(a.kind == ex.kind);
        }
    }
    Ok(OwnReport {
        kinds: score(&kinds),
        kinds_by_language: kinds_by.into_iter().map(|(k, v)| (k, score(&v))).collect(),
        sentiment: score(&sent),
        sentiment_by_language: sent_by.into_iter().map(|(k, v)| (k, score(&v))).collect(),
        escalation_recall: esc_recall,
        escalation_false_alarms: false_alarms,
        escalation_wrong_signals: wrong_signals,
        language_id: lang_id,
        low_confidence_share: ratio(low, heldout.len()),
        confident_accuracy: ratio(confident.0, confident.1),
        kind_ece: expected_calibration_error(&kind_conf),
        sentiment_ece: expected_calibration_error(&sent_conf),
        reported_unsupported: unsupported,
    })
}

fn xed_report(model: &Understanding, lines: &[data::XedLine]) -> XedReport {
    let mut anger_recall: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut anger_false_alarm: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut pairs: BTreeMap<String, Vec<(Sentiment, Sentiment)>> = BTreeMap::new();
    for x in lines {
        let a = model.understand(&x.text, Some(x.lang));
        let flagged = a.sentiment == Sentiment::Negative;
        if x.anger() {
            let e = anger_recall.entry(x.lang.into()).or_default();
            e.1 += 1;
            e.0 += usize::from(flagged);
        } else if x.sentiment() == Some(Sentiment::Positive) {
            let e = anger_false_alarm.entry(x.lang.into()).or_default();
            e.1 += 1;
            e.0 += usize::from(flagged);
        }
        if let Some(s) = x.sentiment() {
            pairs.entry(x.lang.into()).or_default().push((s, a.sentiment));
        }
    }
    XedReport { anger_recall, anger_false_alarm, sentiment: pairs.into_iter().map(|(k, v)| (k, score(&v))).collect() }
}

fn pct(x: f64) -> String {
    format!("{:5.1}%", 100.0 * x)
}

fn frac((a, b): (usize, usize)) -> String {
    format!("{} ({a}/{b})", pct(ratio(a, b)))
}

fn write_other(f: &mut fmt::Formatter<'_>, title: &str, o: &OtherLanguagesReport) -> fmt::Result {
    writeln!(f, "\n== {title} ==")?;
    let mut total = (0, 0);
    for (l, r) in &o.not_one_of_five {
        let tag = o.right_tag.get(l).copied().unwrap_or_default();
        writeln!(f, "  {:<4} reported as not one of the five {}; right tag {}", l, frac(*r), frac(tag))?;
        total.0 += r.0;
        total.1 += r.1;
    }
    writeln!(
        f,
        "  all  reported as not one of the five {}; marked for triage {}",
        frac(total),
        frac(o.marked_for_triage)
    )
}

fn write_own(f: &mut fmt::Formatter<'_>, title: &str, o: &OwnReport) -> fmt::Result {
    writeln!(f, "== {title} ==")?;
    writeln!(f, "{:<10} {:>6} {:>9} {:>9} {:>11} {:>11}", "language", "n", "kind acc", "kind F1", "sent. F1", "")?;
    for (lang, s) in &o.kinds_by_language {
        let sf = o.sentiment_by_language.get(lang).map(|s| s.macro_f1).unwrap_or(0.0);
        writeln!(f, "{:<10} {:>6} {:>9} {:>9} {:>11}", lang, s.n, pct(s.accuracy), pct(s.macro_f1), pct(sf))?;
    }
    writeln!(
        f,
        "{:<10} {:>6} {:>9} {:>9} {:>11}",
        "all",
        o.kinds.n,
        pct(o.kinds.accuracy),
        pct(o.kinds.macro_f1),
        pct(o.sentiment.macro_f1)
    )?;
    writeln!(
        f,
        "low-confidence share {}; accuracy when confident {}; kind ECE {}; sentiment ECE {}",
        pct(o.low_confidence_share),
        pct(o.confident_accuracy),
        pct(o.kind_ece),
        pct(o.sentiment_ece)
    )?;
    writeln!(f, "\n{:<26} {:>6} {:>9} {:>9} {:>9}", "kind", "n", "precision", "recall", "F1")?;
    for c in &o.kinds.per_class {
        writeln!(f, "{:<26} {:>6} {:>9} {:>9} {:>9}", c.class, c.support, pct(c.precision), pct(c.recall), pct(c.f1))?;
    }
    writeln!(f, "\nescalation recall by signal:")?;
    for (s, r) in &o.escalation_recall {
        writeln!(f, "  {:<16} {}", s, frac(*r))?;
    }
    writeln!(
        f,
        "  false alarms (messages with no signal that got one): {}; signals raised but not labelled: {}",
        frac(o.escalation_false_alarms),
        o.escalation_wrong_signals
    )?;
    writeln!(
        f,
        "language id, messages of 20+ characters (reported as not one of the five: {}):",
        o.reported_unsupported
    )?;
    let mut total = (0, 0);
    for (l, r) in &o.language_id {
        writeln!(f, "  {:<4} {}", l, frac(*r))?;
        total.0 += r.0;
        total.1 += r.1;
    }
    writeln!(f, "  all  {}", frac(total))
}

impl fmt::Display for OwnReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_own(f, "Own set", self)
    }
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for r in self.fresh.iter().rev() {
            write_own(f, &format!("crates/redress-text/data/{} ({})", r.name, r.role), &r.own)?;
            write_other(f, &format!("Other languages of {}", r.name), &r.other_languages)?;
            writeln!(f)?;
        }
        write_own(
            f,
            "Dev set (crates/redress-text/data/heldout.jsonl; first pass's held-out, used to choose settings since)",
            &self.own,
        )?;
        for m in &self.mapped {
            writeln!(f, "\n== {} ({}) ==", m.name, m.description)?;
            writeln!(
                f,
                "strongly mapped rows: n {}, accuracy {}, macro-F1 {} (over gold kinds)",
                m.strong.n,
                pct(m.strong.accuracy),
                pct(m.strong.macro_f1)
            )?;
            for c in &m.strong.per_class {
                writeln!(
                    f,
                    "  {:<26} {:>6} P {} R {} F1 {}",
                    c.class,
                    c.support,
                    pct(c.precision),
                    pct(c.recall),
                    pct(c.f1)
                )?;
            }
            for (label, r) in &m.weak {
                writeln!(f, "  weak {label}: predicted as mapped {}", frac((r.1, r.0)))?;
            }
            for (name, v) in &m.extra {
                writeln!(f, "  {name}: {}", pct(*v))?;
            }
        }
        if let Some(x) = &self.xed {
            writeln!(f, "\n== XED 20% test split (film subtitles; en annotated by people, others projected) ==")?;
            writeln!(
                f,
                "{:<6} {:>22} {:>22} {:>14}",
                "lang", "anger→negative recall", "joy/trust→neg (FA)", "neg/pos F1"
            )?;
            for (lang, s) in &x.sentiment {
                writeln!(
                    f,
                    "{:<6} {:>22} {:>22} {:>14}",
                    lang,
                    pct(x.anger_recall.get(lang).map(|r| ratio(r.0, r.1)).unwrap_or(0.0)),
                    pct(x.anger_false_alarm.get(lang).map(|r| ratio(r.0, r.1)).unwrap_or(0.0)),
                    pct(s.macro_f1)
                )?;
            }
        }
        for s in &self.sentiment {
            writeln!(
                f,
                "\n== {} ({}) ==\nsentiment: n {}, accuracy {}, macro-F1 {}",
                s.name,
                s.description,
                s.scores.n,
                pct(s.scores.accuracy),
                pct(s.scores.macro_f1)
            )?;
        }
        if !self.language_id.is_empty() {
            writeln!(f, "\n== Language id on public test text of 20+ characters ==")?;
            for (set, r) in &self.language_id {
                writeln!(f, "  {:<28} {}", set, frac(*r))?;
            }
        }
        for s in &self.skipped {
            writeln!(f, "skipped: {s}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_error_is_the_weighted_gap() {
        // Bin 0.9: confidence 0.9, accuracy 0.5 → gap 0.4 over half the pairs; bin 0.6: exact.
        let pairs = [(0.9, true), (0.9, false), (0.6, true), (0.6, true)];
        // 0.6 with 2 of 2 right: gap 0.4 too.
        assert!((expected_calibration_error(&pairs) - 0.4).abs() < 1e-6);
        assert_eq!(expected_calibration_error(&[]), 0.0);
    }

    #[test]
    fn scores_are_right_on_a_small_case() {
        let s = score(&[("a", "a"), ("a", "b"), ("b", "b"), ("b", "c")]);
        assert_eq!(s.accuracy, 0.5);
        // a: P 1, R .5, F1 .667; b: P .5, R .5, F1 .5
        assert!((s.macro_f1 - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-9);
    }
}
