//! Training the three models from the project's own examples and, when given, the training
//! splits of the public data sets. Reproducible: the same data and seed give the same bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use redress_domain::{IssueKind, Sentiment};
use serde::Serialize;

use crate::data::{self, OwnExample};
use crate::lexicon::EscalationLexicon;
use crate::linear::{Example, LinearModel, LinearSettings, SplitMix, WindowExample, train_linear};
use crate::text::{clauses, language_features, sentences, tokenize, topic_features};
use crate::{TextError, Understanding, escalation_windows, known_languages, sentiment_features};
use redress_domain::EscalationSignal;

/// Settings of a training run.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct TrainOptions {
    /// Seed for shuffling and sampling.
    pub seed: u64,
    /// Passes over the data for the issue-kind model.
    pub epochs: u32,
    /// How many times each own example is repeated (the public sets are much larger).
    pub own_repeat: u32,
    /// Weight of public rows mapped to `other` (there are many of them).
    pub public_other_weight: f32,
    /// Weight of weak (≈) public mappings.
    pub weak_weight: f32,
    /// How many times each hand-written own example is repeated.
    pub handwritten_repeat: u32,
    /// Weight of XED subtitle lines in the sentiment model.
    pub xed_weight: f32,
    /// log2 of the hash buckets of the issue-kind model.
    pub kind_bits: u8,
    /// Initial learning rate of the issue-kind model.
    pub learning_rate: f32,
    /// L2 penalty of the issue-kind model.
    pub l2: f32,
    /// Feature dropout while training the issue-kind model.
    pub dropout: f32,
    /// Weight of the naive Bayes log-probabilities blended into the issue-kind model.
    pub naive_bayes_weight: f32,
    /// Factor on the weight of public-set examples in the naive Bayes counts (0 = only the
    /// project's own examples). The public sets are English-only and mostly `other`, so at full
    /// weight their general English vocabulary pulls English messages towards `other`.
    pub nb_public_factor: f32,
    /// Weight of the naive Bayes log-probabilities blended into the sentiment model.
    pub sentiment_nb_weight: f32,
    /// Softmax temperature of the issue-kind model when there is no calibration split to fit
    /// it on (> 1 spreads probabilities).
    pub kind_temperature: f32,
    /// Passes over the data for the escalation model.
    pub escalation_epochs: u32,
    /// Initial learning rate of the escalation model.
    pub escalation_learning_rate: f32,
    /// Weight of a message with a signal in the escalation model (signals are rarer than
    /// their absence, and a missed one costs more than a false alarm).
    pub escalation_positive_weight: f32,
    /// Weight of a message in a language Redress does not serve, in the language model (there
    /// are far fewer of them than of the five, which would otherwise win every doubt).
    pub other_language_weight: f32,
    /// Most weight a rare tone gets in the sentiment model (own examples are weighed by the
    /// inverse of their tone's share, up to this).
    pub max_tone_weight: f32,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            seed: 20_261_123,
            epochs: 8,
            own_repeat: 3,
            public_other_weight: 0.2,
            weak_weight: 0.5,
            handwritten_repeat: 3,
            xed_weight: 0.1,
            kind_bits: 17,
            learning_rate: 0.5,
            l2: 0.0,
            dropout: 0.0,
            naive_bayes_weight: 0.3,
            nb_public_factor: 0.1,
            kind_temperature: 1.5,
            sentiment_nb_weight: 0.0,
            escalation_epochs: 6,
            escalation_learning_rate: 0.5,
            escalation_positive_weight: 4.0,
            max_tone_weight: 4.0,
            other_language_weight: 3.0,
        }
    }
}

/// What a training run used.
#[derive(Debug, Clone, Serialize)]
pub struct TrainSummary {
    /// Examples per source for the issue-kind model.
    pub kind_sources: BTreeMap<String, usize>,
    /// Examples per source for the sentiment model.
    pub sentiment_sources: BTreeMap<String, usize>,
    /// Examples per language for the language model.
    pub language_examples: BTreeMap<String, usize>,
    /// Messages with each escalation signal in the escalation model's data (and, as `none`,
    /// those with none).
    pub escalation_examples: BTreeMap<String, usize>,
    /// The kind model's temperature, fitted on the calibration split.
    pub kind_temperature: f32,
    /// Messages of the calibration split (a third of `handwritten.jsonl`, never trained on).
    pub calibration_messages: usize,
    /// Expected calibration error of the kind confidence on the calibration split, before and
    /// after fitting the temperature.
    pub calibration_ece: (f64, f64),
    /// Size of the written model, in bytes.
    pub model_bytes: usize,
}

impl fmt::Display for TrainSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "issue-kind examples by source:")?;
        for (k, v) in &self.kind_sources {
            writeln!(f, "  {k:<28} {v:>7}")?;
        }
        writeln!(f, "sentiment examples by source:")?;
        for (k, v) in &self.sentiment_sources {
            writeln!(f, "  {k:<28} {v:>7}")?;
        }
        writeln!(f, "language-id examples by language:")?;
        for (k, v) in &self.language_examples {
            writeln!(f, "  {k:<28} {v:>7}")?;
        }
        writeln!(f, "escalation examples by signal:")?;
        for (k, v) in &self.escalation_examples {
            writeln!(f, "  {k:<28} {v:>7}")?;
        }
        writeln!(
            f,
            "kind temperature {:.3}, fitted on {} calibration messages (ECE {:.1}% before, {:.1}% after)",
            self.kind_temperature,
            self.calibration_messages,
            100.0 * self.calibration_ece.0,
            100.0 * self.calibration_ece.1
        )?;
        writeln!(f, "model size: {} bytes", self.model_bytes)
    }
}

/// Trains the models and writes the model file to `model_out` (the crate ships
/// `crates/redress-text/model/redress-text.bin`). `shared_data_dir` is `shared/data`; without it
/// only the project's own examples are used.
pub fn train(
    shared_data_dir: Option<&Path>,
    model_out: &Path,
    options: &TrainOptions,
) -> Result<TrainSummary, TextError> {
    let (model, mut summary) = train_model(shared_data_dir, options)?;
    let bytes = model.to_bytes();
    summary.model_bytes = bytes.len();
    if let Some(dir) = model_out.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|source| TextError::Io { path: dir.display().to_string(), source })?;
    }
    std::fs::write(model_out, &bytes)
        .map_err(|source| TextError::Io { path: model_out.display().to_string(), source })?;
    Ok(summary)
}

/// The project's own examples, split for training and for calibration.
pub(crate) struct OwnData {
    /// Generated and hand-written examples the models learn from.
    pub(crate) train: Vec<OwnExample>,
    /// A third of the hand-written examples (by a hash of the text): never trained on; the
    /// kind model's temperature is fitted on them.
    pub(crate) calibration: Vec<OwnExample>,
    /// Messages in languages Redress does not serve (language model only).
    pub(crate) other_languages: Vec<data::LanguageLine>,
}

/// Whether a hand-written example belongs to the calibration split.
pub(crate) fn is_calibration(text: &str) -> bool {
    crate::text::hash_parts(99, &[text.as_bytes()]).is_multiple_of(3)
}

pub(crate) fn own_data(options: &TrainOptions) -> Result<OwnData, TextError> {
    let mut train = data::parse_own("data/train.jsonl", data::OWN_TRAIN_GENERATED)?;
    train.extend(data::parse_own("data/inbox.jsonl", data::OWN_TRAIN_INBOX)?);
    let handwritten = data::parse_own("data/handwritten.jsonl", data::OWN_TRAIN_HANDWRITTEN)?;
    let (calibration, hand_train): (Vec<OwnExample>, Vec<OwnExample>) =
        handwritten.into_iter().partition(|e| is_calibration(&e.text));
    for _ in 0..options.handwritten_repeat.div_ceil(options.own_repeat.max(1)) {
        train.extend(hand_train.iter().cloned());
    }
    let other_languages = data::parse_languages("data/other_languages.jsonl", data::OTHER_LANGUAGES)?;
    Ok(OwnData { train, calibration, other_languages })
}

/// Trains the models in memory, without writing anything.
pub fn train_model(
    shared_data_dir: Option<&Path>,
    options: &TrainOptions,
) -> Result<(Understanding, TrainSummary), TextError> {
    let own = own_data(options)?;
    train_from(&own, shared_data_dir, options)
}

fn topic(text: &str) -> Vec<u64> {
    let text = crate::text::cap(text, crate::text::MAX_ANALYSED_BYTES).0;
    let tokens = tokenize(text);
    let mut f = Vec::new();
    topic_features(&tokens, &sentences(text, &tokens), &mut f, &mut Vec::new());
    f
}

fn sentiment_feats(text: &str) -> Vec<u64> {
    let text = crate::text::cap(text, crate::text::MAX_ANALYSED_BYTES).0;
    let tokens = tokenize(text);
    let mut f = Vec::new();
    topic_features(&tokens, &sentences(text, &tokens), &mut f, &mut Vec::new());
    let topic_count = f.len();
    sentiment_features(text, &tokens, topic_count, &mut f);
    f
}

fn lang_feats(text: &str) -> Vec<u64> {
    let tokens = tokenize(crate::text::cap(text, crate::text::MAX_ANALYSED_BYTES).0);
    let mut f = Vec::new();
    language_features(&tokens, &mut f);
    f
}

/// The escalation model's example for a message: its windows, and the signals as a bit set.
fn escalation_example(
    lexicon: &EscalationLexicon,
    text: &str,
    lang: &str,
    signals: &[EscalationSignal],
    weight: f32,
) -> WindowExample {
    let text = crate::text::cap(text, crate::text::MAX_ANALYSED_BYTES).0;
    let tokens = tokenize(text);
    let sents = sentences(text, &tokens);
    let mut feats = Vec::new();
    let mut starts = Vec::new();
    topic_features(&tokens, &sents, &mut feats, &mut starts);
    let hits = lexicon.find(text, &tokens, Some(lang));
    let (features, windows) = escalation_windows(&tokens, &clauses(text, &tokens), &feats, &starts, &hits);
    let targets = signals
        .iter()
        .filter_map(|s| EscalationSignal::ALL.iter().position(|x| x == s))
        .fold(0u32, |acc, i| acc | (1 << i));
    WindowExample { features, windows, targets, weight }
}

/// Trains from the given own examples (and public sets, when a directory is given).
pub(crate) fn train_from(
    data: &OwnData,
    shared: Option<&Path>,
    options: &TrainOptions,
) -> Result<(Understanding, TrainSummary), TextError> {
    let own = &data.train;
    let mut rng = SplitMix(options.seed ^ 0x5EED);
    let kind_index = |k: IssueKind| IssueKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    let sent_index = |s: Sentiment| Sentiment::ALL.iter().position(|x| *x == s).unwrap_or(1);
    let languages: Vec<&'static str> = known_languages().collect();
    let lang_index = |l: &str| languages.iter().position(|x| *x == l);
    let lexicon = EscalationLexicon::new();
    let mut esc_ex: Vec<WindowExample> = Vec::new();
    let mut escalation_examples: BTreeMap<String, usize> = BTreeMap::new();

    let mut kind_ex: Vec<Example> = Vec::new();
    let mut sent_ex: Vec<Example> = Vec::new();
    let mut lang_ex: Vec<Example> = Vec::new();
    let mut kind_sources: BTreeMap<String, usize> = BTreeMap::new();
    let mut sentiment_sources: BTreeMap<String, usize> = BTreeMap::new();
    let mut language_examples: BTreeMap<String, usize> = BTreeMap::new();

    // The own examples are mostly complaints; weighing each tone by the inverse of its share
    // (within limits) keeps plain questions from reading as negative.
    let mut tone_counts = [0usize; 3];
    for ex in own {
        if let Some(c) = tone_counts.get_mut(sent_index(ex.sentiment)) {
            *c += 1;
        }
    }
    let sentiment_balance: Vec<f32> = tone_counts
        .iter()
        .map(|&c| (own.len() as f32 / (3.0 * c.max(1) as f32)).clamp(0.5, options.max_tone_weight))
        .collect();
    for ex in own {
        let f = topic(&ex.text);
        for _ in 0..options.own_repeat.max(1) {
            kind_ex.push(Example { features: f.clone(), label: kind_index(ex.kind), weight: 1.0, own: true });
        }
        *kind_sources.entry("own".into()).or_default() += 1;
        sent_ex.push(Example {
            features: sentiment_feats(&ex.text),
            label: sent_index(ex.sentiment),
            weight: 2.0 * sentiment_balance[sent_index(ex.sentiment)],
            own: false,
        });
        *sentiment_sources.entry("own".into()).or_default() += 1;
        if let Some(l) = lang_index(&ex.lang) {
            lang_ex.push(Example { features: lang_feats(&ex.text), label: l, weight: 1.0, own: false });
            *language_examples.entry(ex.lang.clone()).or_default() += 1;
        }
        let weight = if ex.escalation.is_empty() { 1.0 } else { options.escalation_positive_weight };
        esc_ex.push(escalation_example(&lexicon, &ex.text, &ex.lang, &ex.escalation, weight));
        for s in &ex.escalation {
            *escalation_examples.entry(s.to_string()).or_default() += 1;
        }
        if ex.escalation.is_empty() {
            *escalation_examples.entry("none".into()).or_default() += 1;
        }
    }
    for ex in &data.other_languages {
        if let Some(l) = lang_index(&ex.lang) {
            let weight = options.other_language_weight;
            lang_ex.push(Example { features: lang_feats(&ex.text), label: l, weight, own: false });
            *language_examples.entry(ex.lang.clone()).or_default() += 1;
        }
    }

    if let Some(shared) = shared {
        let mut add_mapped = |name: &str, rows: Vec<data::Mapped>, kind_ex: &mut Vec<Example>| {
            for r in &rows {
                let mut weight = if r.kind == IssueKind::Other { options.public_other_weight } else { 1.0 };
                if r.weak {
                    weight *= options.weak_weight;
                }
                kind_ex.push(Example { features: topic(&r.text), label: kind_index(r.kind), weight, own: false });
            }
            *kind_sources.entry(name.into()).or_default() += rows.len();
        };
        let bitext = data::bitext_train(shared)?;
        add_mapped("bitext_gpt3.5", bitext.clone(), &mut kind_ex);
        add_mapped("banking77_train", data::banking(shared, "train.csv")?, &mut kind_ex);
        add_mapped(
            "clinc150_train_val_oos",
            data::clinc(shared, &["train", "val", "oos_train", "oos_val"])?,
            &mut kind_ex,
        );

        // Sentiment: Bitext complaints are negative, the rest matter-of-fact.
        for r in &bitext {
            let (s, w) = if r.label == "complaint" { (Sentiment::Negative, 1.0) } else { (Sentiment::Neutral, 0.2) };
            sent_ex.push(Example { features: sentiment_feats(&r.text), label: sent_index(s), weight: w, own: false });
        }
        *sentiment_sources.entry("bitext_gpt3.5".into()).or_default() += bitext.len();
        let mut add_sent = |name: &str, rows: Vec<data::SentimentLine>, weight: f32, sent_ex: &mut Vec<Example>| {
            for r in &rows {
                sent_ex.push(Example {
                    features: sentiment_feats(&r.text),
                    label: sent_index(r.sentiment),
                    weight,
                    own: false,
                });
            }
            *sentiment_sources.entry(name.into()).or_default() += rows.len();
        };
        let mut nusax_all = Vec::new();
        for folder in ["english", "indonesian"] {
            for split in ["train", "valid"] {
                nusax_all.extend(data::nusax(shared, folder, split)?);
            }
        }
        add_sent("nusax_train_valid", nusax_all.clone(), 1.0, &mut sent_ex);
        let smsa = data::smsa(shared, "train_preprocess.tsv")?;
        add_sent("smsa_train", smsa.clone(), 0.3, &mut sent_ex);
        let xed = data::xed(shared, true)?;
        let xed_sent: Vec<data::SentimentLine> = xed
            .iter()
            .filter_map(|x| Some(data::SentimentLine { text: x.text.clone(), lang: x.lang, sentiment: x.sentiment()? }))
            .collect();
        add_sent("xed_train_80pct", xed_sent, options.xed_weight, &mut sent_ex);

        // Language id: subtitles, reviews and English support requests, capped per language.
        let mut per_lang: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for x in &xed {
            per_lang.entry(x.lang).or_default().push(x.text.clone());
        }
        for s in nusax_all.iter().chain(smsa.iter()) {
            per_lang.entry(s.lang).or_default().push(s.text.clone());
        }
        per_lang.entry("en").or_default().extend(bitext.iter().map(|r| r.text.clone()));
        for (lang, mut texts) in per_lang {
            rng.shuffle(&mut texts);
            texts.truncate(6000);
            let Some(l) = lang_index(lang) else { continue };
            for t in &texts {
                let f = lang_feats(t);
                if f.is_empty() {
                    continue;
                }
                lang_ex.push(Example { features: f, label: l, weight: 1.0, own: false });
                *language_examples.entry(lang.to_owned()).or_default() += 1;
            }
        }
    }

    let kind_labels = IssueKind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
    let mut kind = crate::linear::train_linear_with_prior(
        kind_labels,
        &kind_ex,
        LinearSettings {
            bits: options.kind_bits,
            epochs: options.epochs,
            learning_rate: options.learning_rate,
            l2: options.l2,
            dropout: options.dropout,
            seed: options.seed,
            nb_public_factor: options.nb_public_factor,
        },
        options.naive_bayes_weight,
    );
    // Temperature scaling on the calibration split, which no model here was trained on.
    let calibration: Vec<(Vec<u64>, usize)> =
        data.calibration.iter().map(|e| (topic(&e.text), kind_index(e.kind))).collect();
    let ece_before = kind_ece(&kind, &calibration, 1.0);
    let kind_temperature =
        if calibration.is_empty() { options.kind_temperature } else { fit_temperature(&kind, &calibration) };
    let ece_after = kind_ece(&kind, &calibration, kind_temperature);
    kind.set_temperature(kind_temperature);
    let sentiment = crate::linear::train_linear_with_prior(
        Sentiment::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
        &sent_ex,
        LinearSettings {
            bits: 16,
            epochs: 6,
            learning_rate: 0.3,
            l2: 0.0,
            seed: options.seed.wrapping_add(1),
            dropout: 0.0,
            nb_public_factor: 1.0,
        },
        options.sentiment_nb_weight,
    );
    let language = train_linear(
        languages.iter().map(|s| (*s).to_owned()).collect(),
        &lang_ex,
        LinearSettings {
            bits: 16,
            epochs: 5,
            learning_rate: 0.5,
            l2: 0.0,
            seed: options.seed.wrapping_add(2),
            dropout: 0.0,
            nb_public_factor: 1.0,
        },
    );
    let escalation = crate::linear::train_windows(
        EscalationSignal::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
        &esc_ex,
        LinearSettings {
            bits: 16,
            epochs: options.escalation_epochs,
            learning_rate: options.escalation_learning_rate,
            l2: 0.0,
            seed: options.seed.wrapping_add(3),
            dropout: 0.0,
            nb_public_factor: 1.0,
        },
    );
    let model = Understanding::from_parts(language, kind, sentiment, escalation)?;
    Ok((
        model,
        TrainSummary {
            kind_sources,
            sentiment_sources,
            language_examples,
            escalation_examples,
            kind_temperature,
            calibration_messages: calibration.len(),
            calibration_ece: (ece_before, ece_after),
            model_bytes: 0,
        },
    ))
}

/// Kind probabilities of a feature bag at temperature `t`.
fn probabilities_at(model: &LinearModel, features: &[u64], t: f32) -> Vec<f32> {
    let mut s = Vec::new();
    model.scores(features, &mut s);
    s.iter_mut().for_each(|v| *v /= t);
    crate::linear::softmax(&mut s);
    s
}

/// The temperature that minimises the negative log-likelihood of the true kinds, by
/// golden-section search over log T in [ln 0.25, ln 6] (the likelihood is unimodal in T).
fn fit_temperature(model: &LinearModel, examples: &[(Vec<u64>, usize)]) -> f32 {
    let nll = |log_t: f64| -> f64 {
        let t = log_t.exp() as f32;
        examples
            .iter()
            .map(|(f, y)| -f64::from(probabilities_at(model, f, t).get(*y).copied().unwrap_or(0.0).max(1e-7)).ln())
            .sum()
    };
    let (mut lo, mut hi) = (0.25f64.ln(), 6f64.ln());
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (hi - g * (hi - lo), lo + g * (hi - lo));
    let (mut fa, mut fb) = (nll(a), nll(b));
    for _ in 0..40 {
        if fa < fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = nll(a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = nll(b);
        }
    }
    ((lo + hi) / 2.0).exp() as f32
}

fn kind_ece(model: &LinearModel, examples: &[(Vec<u64>, usize)], t: f32) -> f64 {
    let pairs: Vec<(f32, bool)> = examples
        .iter()
        .filter_map(|(f, y)| {
            let p = probabilities_at(model, f, t);
            let (i, conf) = crate::argmax(&p)?;
            Some((conf, i == *y))
        })
        .collect();
    crate::eval::expected_calibration_error(&pairs)
}

/// For experiments: trains as [`train_model`] does and scores the dev set (`heldout.jsonl`,
/// which since the second pass is used to choose settings; the report set is `fresh.jsonl`).
#[doc(hidden)]
pub fn dev_experiment(
    shared_data_dir: Option<&Path>,
    options: &TrainOptions,
) -> Result<crate::eval::OwnReport, TextError> {
    let (model, summary) = train_model(shared_data_dir, options)?;
    eprint!("{summary}");
    crate::eval::evaluate_set(&model, "data/heldout.jsonl", data::OWN_HELDOUT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trains_on_a_tiny_set_reproducibly() {
        let options = TrainOptions { epochs: 2, own_repeat: 1, escalation_epochs: 1, ..TrainOptions::default() };
        let all = own_data(&options).unwrap();
        let data = OwnData {
            train: all.train.into_iter().step_by(50).collect(),
            calibration: all.calibration.into_iter().step_by(5).collect(),
            other_languages: all.other_languages.into_iter().step_by(20).collect(),
        };
        let (a, summary) = train_from(&data, None, &options).unwrap();
        let (b, _) = train_from(&data, None, &options).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert!(summary.kind_temperature > 0.25 && summary.kind_temperature < 6.0);
        assert!(Understanding::from_bytes(&a.to_bytes()).is_ok());
    }

    #[test]
    fn temperature_fit_sharpens_an_underconfident_model() {
        // Two classes, one feature each, learnt well; scaled down 5 times, the model is too
        // unsure, so the fitted temperature must be well under 1.
        let examples: Vec<Example> = (0..200)
            .map(|i| Example { features: vec![(i % 2) as u64 + 1], label: i % 2, weight: 1.0, own: false })
            .collect();
        let settings = LinearSettings {
            bits: 8,
            epochs: 5,
            learning_rate: 0.5,
            l2: 0.0,
            seed: 1,
            dropout: 0.0,
            nb_public_factor: 1.0,
        };
        let mut m = train_linear(vec!["a".into(), "b".into()], &examples, settings);
        m.set_temperature(5.0);
        let cal: Vec<(Vec<u64>, usize)> = (0..40).map(|i| (vec![(i % 2) as u64 + 1], i % 2)).collect();
        assert!(fit_temperature(&m, &cal) < 0.5);
    }
}
