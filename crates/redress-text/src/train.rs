//! Training the three models from the project's own examples and, when given, the training
//! splits of the public data sets. Reproducible: the same data and seed give the same bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use redress_domain::{IssueKind, Sentiment};
use serde::Serialize;

use crate::data::{self, OwnExample};
use crate::linear::{Example, LinearSettings, SplitMix, train_linear};
use crate::text::{language_features, tokenize, topic_features};
use crate::{LANGUAGES, TextError, Understanding, sentiment_features};

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
    /// Softmax temperature of the issue-kind model (> 1 spreads probabilities, so that
    /// `low_confidence` flags uncertain messages).
    pub kind_temperature: f32,
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
            xed_weight: 0.3,
            kind_bits: 17,
            learning_rate: 0.5,
            l2: 0.0,
            dropout: 0.0,
            naive_bayes_weight: 0.3,
            nb_public_factor: 0.1,
            kind_temperature: 1.5,
            sentiment_nb_weight: 0.0,
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

/// Trains the models in memory, without writing anything.
pub fn train_model(
    shared_data_dir: Option<&Path>,
    options: &TrainOptions,
) -> Result<(Understanding, TrainSummary), TextError> {
    let mut own = data::parse_own("data/train.jsonl", data::OWN_TRAIN_GENERATED)?;
    let handwritten = data::parse_own("data/handwritten.jsonl", data::OWN_TRAIN_HANDWRITTEN)?;
    for _ in 0..options.handwritten_repeat.div_ceil(options.own_repeat.max(1)) {
        own.extend(handwritten.iter().cloned());
    }
    train_from(&own, shared_data_dir, options)
}

fn topic(text: &str) -> Vec<u64> {
    let tokens = tokenize(crate::text::cap(text, crate::text::MAX_ANALYSED_BYTES).0);
    let mut f = Vec::new();
    topic_features(&tokens, &mut f);
    f
}

fn sentiment_feats(text: &str) -> Vec<u64> {
    let text = crate::text::cap(text, crate::text::MAX_ANALYSED_BYTES).0;
    let tokens = tokenize(text);
    let mut f = Vec::new();
    topic_features(&tokens, &mut f);
    sentiment_features(text, &tokens, &mut f);
    f
}

fn lang_feats(text: &str) -> Vec<u64> {
    let tokens = tokenize(crate::text::cap(text, crate::text::MAX_ANALYSED_BYTES).0);
    let mut f = Vec::new();
    language_features(&tokens, &mut f);
    f
}

/// Trains from the given own examples (and public sets, when a directory is given).
pub(crate) fn train_from(
    own: &[OwnExample],
    shared: Option<&Path>,
    options: &TrainOptions,
) -> Result<(Understanding, TrainSummary), TextError> {
    let mut rng = SplitMix(options.seed ^ 0x5EED);
    let kind_index = |k: IssueKind| IssueKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    let sent_index = |s: Sentiment| Sentiment::ALL.iter().position(|x| *x == s).unwrap_or(1);
    let lang_index = |l: &str| LANGUAGES.iter().position(|x| *x == l);

    let mut kind_ex: Vec<Example> = Vec::new();
    let mut sent_ex: Vec<Example> = Vec::new();
    let mut lang_ex: Vec<Example> = Vec::new();
    let mut kind_sources: BTreeMap<String, usize> = BTreeMap::new();
    let mut sentiment_sources: BTreeMap<String, usize> = BTreeMap::new();
    let mut language_examples: BTreeMap<String, usize> = BTreeMap::new();

    for ex in own {
        let f = topic(&ex.text);
        for _ in 0..options.own_repeat.max(1) {
            kind_ex.push(Example { features: f.clone(), label: kind_index(ex.kind), weight: 1.0, own: true });
        }
        *kind_sources.entry("own".into()).or_default() += 1;
        sent_ex.push(Example {
            features: sentiment_feats(&ex.text),
            label: sent_index(ex.sentiment),
            weight: 2.0,
            own: false,
        });
        *sentiment_sources.entry("own".into()).or_default() += 1;
        if let Some(l) = lang_index(&ex.lang) {
            lang_ex.push(Example { features: lang_feats(&ex.text), label: l, weight: 1.0, own: false });
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
    kind.set_temperature(options.kind_temperature);
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
        LANGUAGES.iter().map(|s| (*s).to_owned()).collect(),
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
    let model = Understanding::from_parts(language, kind, sentiment)?;
    Ok((model, TrainSummary { kind_sources, sentiment_sources, language_examples, model_bytes: 0 }))
}

/// For experiments: trains on the generated examples plus half of the hand-written ones
/// (split by a hash of the text) and scores issue kinds and sentiment on the other half.
/// The held-out set is not touched. Returns (kind accuracy, kind macro-F1, sentiment macro-F1).
#[doc(hidden)]
pub fn dev_experiment(shared_data_dir: Option<&Path>, options: &TrainOptions) -> Result<(f64, f64, f64), TextError> {
    let mut own = data::parse_own("data/train.jsonl", data::OWN_TRAIN_GENERATED)?;
    let handwritten = data::parse_own("data/handwritten.jsonl", data::OWN_TRAIN_HANDWRITTEN)?;
    let (dev, train_half): (Vec<OwnExample>, Vec<OwnExample>) =
        handwritten.into_iter().partition(|e| crate::text::hash_parts(99, &[e.text.as_bytes()]).is_multiple_of(2));
    for _ in 0..options.handwritten_repeat.div_ceil(options.own_repeat.max(1)) {
        own.extend(train_half.iter().cloned());
    }
    let (model, _) = train_from(&own, shared_data_dir, options)?;
    let kinds: Vec<(IssueKind, IssueKind)> =
        dev.iter().map(|e| (e.kind, model.understand(&e.text, None).kind)).collect();
    let sents: Vec<(Sentiment, Sentiment)> =
        dev.iter().map(|e| (e.sentiment, model.understand(&e.text, None).sentiment)).collect();
    let k = crate::eval::score(&kinds);
    let s = crate::eval::score(&sents);
    let (mut low, mut confident, mut nll) = (0usize, (0usize, 0usize), 0f64);
    for e in &dev {
        let a = model.understand(&e.text, None);
        if a.low_confidence {
            low += 1;
        } else {
            confident.1 += 1;
            confident.0 += usize::from(a.kind == e.kind);
        }
        let p =
            model.kind_probabilities(&e.text).into_iter().find(|(k, _)| *k == e.kind).map(|(_, p)| p).unwrap_or(0.0);
        nll -= f64::from(p.max(1e-6)).ln();
    }
    eprintln!(
        "dev: low-confidence {:.1}%, accuracy when confident {:.1}%, mean NLL {:.3}",
        100.0 * low as f64 / dev.len() as f64,
        100.0 * confident.0 as f64 / confident.1.max(1) as f64,
        nll / dev.len() as f64
    );
    Ok((k.accuracy, k.macro_f1, s.macro_f1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trains_on_a_tiny_set_reproducibly() {
        let own: Vec<OwnExample> =
            data::parse_own("train", data::OWN_TRAIN_GENERATED).unwrap().into_iter().step_by(25).collect();
        let options = TrainOptions { epochs: 2, own_repeat: 1, ..TrainOptions::default() };
        let (a, _) = train_from(&own, None, &options).unwrap();
        let (b, _) = train_from(&own, None, &options).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
    }
}
