//! Reading a message with all models in one pass over its words. Most features are a word's
//! own (its unigram and character n-grams), and words repeat from message to message, so each
//! distinct word's features are hashed and looked up once per thread and kept as sums per
//! model: a common word then costs one hash-map probe instead of a dozen hashes and weight
//! lookups. Only its bigrams are looked up each time.
//! The feature lists of [`crate::text`] stay the definition (training reads them); sums of
//! integer weights are exact in any order, so both paths score alike (tested below).

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use crate::linear::LinearModel;
use crate::text::{self, FeatureSink, Token};

/// Most classes of a model (as [`LinearModel::read`] allows).
pub(crate) const MAX_CLASSES: usize = 32;
/// Most escalation signals the per-token sums hold.
pub(crate) const MAX_SIGNALS: usize = 8;
/// Distinct words kept per thread and per cache before it starts over (about 4 MB).
const MAX_CACHED_WORDS: usize = 50_000;

/// The models a message is read with, and the identity of the whole (for the cache).
pub(crate) struct Models<'a> {
    pub(crate) id: u64,
    pub(crate) kind: &'a LinearModel,
    pub(crate) sentiment: &'a LinearModel,
    pub(crate) escalation: &'a LinearModel,
    pub(crate) language: &'a LinearModel,
}

/// Summed weight rows of one message's topic features.
pub(crate) struct Reading {
    /// Kind model sums, one per class.
    pub(crate) kind: [i32; MAX_CLASSES],
    /// Sentiment model sums.
    pub(crate) sentiment: [i32; MAX_CLASSES],
    /// Features summed.
    pub(crate) count: usize,
    /// Per token: escalation model sums of its features, and how many there are.
    pub(crate) tokens: Vec<([i32; MAX_SIGNALS], u32)>,
}

/// Sums of the rows of each cached word's features, `width` values per word.
#[derive(Default)]
struct WordSums {
    index: FxHashMap<Box<str>, u32>,
    sums: Vec<i16>,
    counts: Vec<u16>,
}

impl WordSums {
    fn clear(&mut self) {
        self.index.clear();
        self.sums.clear();
        self.counts.clear();
    }

    /// The sums and feature count of `word`, computed by `compute` (features into the scratch
    /// list, then summed by `sum`) the first time.
    fn get_or_compute(
        &mut self,
        word: &str,
        width: usize,
        scratch: &mut Vec<u64>,
        features: impl Fn(&str, &mut Vec<u64>),
        sum: impl Fn(&[u64], &mut [i32]),
        out: &mut [i32],
    ) -> usize {
        if let Some(&i) = self.index.get(word) {
            let i = i as usize;
            for (o, s) in out.iter_mut().zip(&self.sums[i * width..(i + 1) * width]) {
                *o += i32::from(*s);
            }
            return usize::from(self.counts[i]);
        }
        scratch.clear();
        features(word, scratch);
        let mut acc = [0i32; MAX_CLASSES + MAX_SIGNALS];
        sum(scratch, &mut acc[..width]);
        for (o, a) in out.iter_mut().zip(&acc[..width]) {
            *o += *a;
        }
        // A word's sums fit in 16 bits (at most about 160 features of weight 127); should one
        // not, it is simply not cached.
        let small: Option<Vec<i16>> = acc[..width].iter().map(|a| i16::try_from(*a).ok()).collect();
        if let (Some(small), Ok(count)) = (small, u16::try_from(scratch.len())) {
            if self.counts.len() >= MAX_CACHED_WORDS {
                self.clear();
            }
            self.index.insert(word.into(), self.counts.len() as u32);
            self.sums.extend(small);
            self.counts.push(count);
        }
        scratch.len()
    }
}

#[derive(Default)]
struct Cache {
    model: u64,
    topic: WordSums,
    language: WordSums,
    scratch: Vec<u64>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// Runs `f` with this thread's cache for `model` (emptied if it held another model's sums), or
/// with a fresh one should it be in use.
fn with_cache<R>(model: u64, f: impl FnOnce(&mut Cache) -> R) -> R {
    CACHE.with(|cell| match cell.try_borrow_mut() {
        Ok(mut cache) => {
            if cache.model != model {
                cache.topic.clear();
                cache.language.clear();
                cache.model = model;
            }
            f(&mut cache)
        }
        Err(_) => f(&mut Cache::default()),
    })
}

fn add_row(model: &LinearModel, feature: u64, acc: &mut [i32]) {
    for (a, w) in acc.iter_mut().zip(model.row(feature)) {
        *a += i32::from(*w);
    }
}

/// The sums of a message's topic features (as [`text::topic_features`] lists them) for the
/// kind, sentiment and escalation models.
pub(crate) fn read(models: &Models<'_>, tokens: &[Token], sentences: &[(usize, usize)]) -> Reading {
    with_cache(models.id, |cache| {
        let mut sink = Sink {
            models,
            cache,
            reading: Reading {
                kind: [0; MAX_CLASSES],
                sentiment: [0; MAX_CLASSES],
                count: 0,
                tokens: Vec::with_capacity(tokens.len()),
            },
        };
        text::topic_features_into(tokens, sentences, &mut sink);
        sink.reading
    })
}

/// Language model sums over the message's language features, and their count.
pub(crate) fn language(models: &Models<'_>, tokens: &[Token]) -> ([i32; MAX_CLASSES], usize) {
    let model = models.language;
    let width = model.classes();
    with_cache(models.id, |cache| {
        let mut acc = [0i32; MAX_CLASSES];
        let mut count = 0;
        let Cache { language, scratch, .. } = cache;
        for w in text::language_words(tokens) {
            count += language.get_or_compute(
                w,
                width,
                scratch,
                text::language_word_features,
                |feats, acc| feats.iter().for_each(|f| add_row(model, *f, acc)),
                &mut acc[..width],
            );
        }
        (acc, count)
    })
}

struct Sink<'m, 'c> {
    models: &'m Models<'m>,
    cache: &'c mut Cache,
    reading: Reading,
}

impl Sink<'_, '_> {
    fn add_message(&mut self, feature: u64) {
        add_row(self.models.kind, feature, &mut self.reading.kind);
        add_row(self.models.sentiment, feature, &mut self.reading.sentiment);
        self.reading.count += 1;
    }
}

impl FeatureSink for Sink<'_, '_> {
    fn begin_token(&mut self, _token: usize) {
        self.reading.tokens.push(([0; MAX_SIGNALS], 0));
    }

    fn word_feature(&mut self, feature: u64) {
        self.add_message(feature);
        if let Some((esc, n)) = self.reading.tokens.last_mut() {
            add_row(self.models.escalation, feature, esc);
            *n += 1;
        }
    }

    fn word_features(&mut self, form: &str) {
        let (k, s, e) = (self.models.kind.classes(), self.models.sentiment.classes(), self.models.escalation.classes());
        let models = self.models;
        let mut acc = [0i32; MAX_CLASSES + MAX_SIGNALS];
        let Cache { topic, scratch, .. } = &mut *self.cache;
        let count = topic.get_or_compute(
            form,
            k + s + e,
            scratch,
            text::word_features,
            |feats, acc| {
                for &f in feats {
                    add_row(models.kind, f, &mut acc[..k]);
                    add_row(models.sentiment, f, &mut acc[k..k + s]);
                    add_row(models.escalation, f, &mut acc[k + s..k + s + e]);
                }
            },
            &mut acc[..k + s + e],
        );
        for (a, b) in self.reading.kind.iter_mut().zip(&acc[..k]) {
            *a += *b;
        }
        for (a, b) in self.reading.sentiment.iter_mut().zip(&acc[k..k + s]) {
            *a += *b;
        }
        self.reading.count += count;
        if let Some((esc, n)) = self.reading.tokens.last_mut() {
            for (a, b) in esc.iter_mut().zip(&acc[k + s..k + s + e]) {
                *a += *b;
            }
            *n += count as u32;
        }
    }

    fn end_tokens(&mut self) {}

    fn message_feature(&mut self, feature: u64) {
        self.add_message(feature);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Understanding;

    #[test]
    fn cached_sums_score_like_the_feature_lists() {
        let model = Understanding::shipped();
        let models = model.models();
        for text in [
            "Hola, me cobraron dos veces el pedido 558211. ¡Es la tercera vez que escribo!",
            "Paczka nie dotarła, numer przesyłki 00340434161094012345. Piszę już trzeci raz!",
            "kak udh 5 hari blm nyampe nih paketnya gmn dong",
            "Hola, me cobraron dos veces el pedido 558211.",
        ] {
            let tokens = text::tokenize(text);
            let sentences = text::sentences(text, &tokens);
            let mut feats = Vec::new();
            let mut starts = Vec::new();
            text::topic_features(&tokens, &sentences, &mut feats, &mut starts);
            // Twice: the second reading comes from the cache.
            for _ in 0..2 {
                let r = read(&models, &tokens, &sentences);
                assert_eq!(r.count, feats.len());
                let mut direct = Vec::new();
                models.kind.scores(&feats, &mut direct);
                let mut cached = Vec::new();
                models.kind.logits(&r.kind[..models.kind.classes()], r.count, &mut cached);
                assert_eq!(direct, cached, "{text}");
                for (t, (_, n)) in r.tokens.iter().enumerate() {
                    assert_eq!(*n, starts[t + 1] - starts[t]);
                }
                let (lang, n) = language(&models, &tokens);
                let mut lf = Vec::new();
                text::language_features(&tokens, &mut lf);
                assert_eq!(n, lf.len());
                let mut direct = Vec::new();
                models.language.scores(&lf, &mut direct);
                let mut cached = Vec::new();
                models.language.logits(&lang[..models.language.classes()], n, &mut cached);
                assert_eq!(direct, cached);
            }
        }
    }
}
