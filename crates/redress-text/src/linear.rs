//! A multinomial logistic regression over hashed features, trained by averaged stochastic
//! gradient descent and stored with 8-bit weights.

use crate::ModelError;

/// A trained linear classifier with quantised weights, laid out bucket-major so that one
/// feature touches one contiguous row of `labels.len()` bytes.
#[derive(Debug, Clone)]
pub struct LinearModel {
    /// Class labels, in score order.
    pub labels: Vec<String>,
    bits: u8,
    bias: Vec<f32>,
    scale: Vec<f32>,
    weights: Vec<i8>,
}

impl LinearModel {
    /// Divides all scores by `temperature` (> 1 makes probabilities less peaked).
    pub fn set_temperature(&mut self, temperature: f32) {
        if temperature > 0.0 {
            for b in &mut self.bias {
                *b /= temperature;
            }
            for s in &mut self.scale {
                *s /= temperature;
            }
        }
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.labels.len()
    }

    /// The weights of the bucket `feature` falls in, one per class.
    #[inline]
    pub fn row(&self, feature: u64) -> &[i8] {
        let n = self.labels.len();
        let row = ((feature & ((1u64 << self.bits) - 1)) as usize) * n;
        self.weights.get(row..row + n).unwrap_or_default()
    }

    /// Logits from summed rows (`acc`, one per class) of `count` features: the same as
    /// [`LinearModel::scores`] of those features.
    pub fn logits(&self, acc: &[i32], count: usize, out: &mut Vec<f32>) {
        let norm = feature_norm(count);
        out.clear();
        out.extend(self.bias.iter().zip(&self.scale).zip(acc).map(|((b, s), a)| b + s * *a as f32 * norm));
    }

    /// Raw scores (logits) for a bag of hashed features.
    pub fn scores(&self, features: &[u64], out: &mut Vec<f32>) {
        let n = self.labels.len();
        let mask = (1u64 << self.bits) - 1;
        let mut acc = [0i32; 32];
        for &f in features {
            let row = ((f & mask) as usize) * n;
            if let Some(slice) = self.weights.get(row..row + n) {
                for (a, &w) in acc.iter_mut().zip(slice) {
                    *a += i32::from(w);
                }
            }
        }
        let norm = feature_norm(features.len());
        out.clear();
        out.extend(self.bias.iter().zip(&self.scale).zip(&acc).map(|((b, s), a)| b + s * *a as f32 * norm));
    }

    /// Class probabilities for a bag of hashed features.
    pub fn probabilities(&self, features: &[u64]) -> Vec<f32> {
        let mut s = Vec::with_capacity(self.classes());
        self.scores(features, &mut s);
        softmax(&mut s);
        s
    }

    /// Serialises the model.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&(self.labels.len() as u32).to_le_bytes());
        for l in &self.labels {
            out.extend_from_slice(&(l.len() as u16).to_le_bytes());
            out.extend_from_slice(l.as_bytes());
        }
        out.push(self.bits);
        for b in &self.bias {
            out.extend_from_slice(&b.to_le_bytes());
        }
        for s in &self.scale {
            out.extend_from_slice(&s.to_le_bytes());
        }
        out.extend(self.weights.iter().map(|w| *w as u8));
    }

    /// Reads a model written by [`LinearModel::write`], advancing `input`.
    pub fn read(input: &mut &[u8]) -> Result<Self, ModelError> {
        let n = read_u32(input)? as usize;
        if n == 0 || n > 32 {
            return Err(ModelError::Corrupt("class count"));
        }
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let len = usize::from(read_u16(input)?);
            let bytes = take(input, len)?;
            labels.push(String::from_utf8(bytes.to_vec()).map_err(|_| ModelError::Corrupt("label"))?);
        }
        let bits = take(input, 1)?[0];
        if !(8..=24).contains(&bits) {
            return Err(ModelError::Corrupt("bucket bits"));
        }
        let mut bias = Vec::with_capacity(n);
        for _ in 0..n {
            bias.push(read_f32(input)?);
        }
        let mut scale = Vec::with_capacity(n);
        for _ in 0..n {
            scale.push(read_f32(input)?);
        }
        let count = n << bits;
        let weights = take(input, count)?.iter().map(|b| *b as i8).collect();
        Ok(Self { labels, bits, bias, scale, weights })
    }
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], ModelError> {
    if input.len() < n {
        return Err(ModelError::Corrupt("truncated"));
    }
    let (head, rest) = input.split_at(n);
    *input = rest;
    Ok(head)
}

fn read_u32(input: &mut &[u8]) -> Result<u32, ModelError> {
    let b = take(input, 4)?;
    Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn read_u16(input: &mut &[u8]) -> Result<u16, ModelError> {
    let b = take(input, 2)?;
    Ok(u16::from_le_bytes([b[0], b[1]]))
}

fn read_f32(input: &mut &[u8]) -> Result<f32, ModelError> {
    let b = take(input, 4)?;
    Ok(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// Features are scaled by 1/sqrt(count) so that long and short messages score alike.
#[inline]
fn feature_norm(count: usize) -> f32 {
    if count == 0 { 0.0 } else { 1.0 / (count as f32).sqrt() }
}

/// In-place softmax.
pub fn softmax(s: &mut [f32]) {
    let max = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in s.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    if sum > 0.0 {
        for v in s.iter_mut() {
            *v /= sum;
        }
    }
}

/// One training example: hashed features, class index and weight.
#[derive(Debug, Clone)]
pub struct Example {
    /// Hashed features.
    pub features: Vec<u64>,
    /// Index of the true class.
    pub label: usize,
    /// How much this example counts (1.0 normally).
    pub weight: f32,
    /// True for the project's own examples: feature dropout applies only to them, and the
    /// naive Bayes counts can weigh them apart from public-set examples.
    pub own: bool,
}

/// Settings for [`train_linear`].
#[derive(Debug, Clone, Copy)]
pub struct LinearSettings {
    /// log2 of the number of hash buckets.
    pub bits: u8,
    /// Passes over the data.
    pub epochs: u32,
    /// Initial learning rate.
    pub learning_rate: f32,
    /// L2 penalty per example (applied lazily as weight decay).
    pub l2: f32,
    /// Seed for the shuffling.
    pub seed: u64,
    /// Share of an example's features dropped at random on each pass (0 = none). Dropping
    /// features stops the model from leaning on one strong cue word, which helps on phrasings
    /// it has not seen.
    pub dropout: f32,
    /// Factor on the weight of public (not own) examples in the naive Bayes counts (0 = own
    /// examples only).
    pub nb_public_factor: f32,
}

/// A small deterministic PRNG (SplitMix64), so training is reproducible without a dependency.
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

/// Trains a softmax regression with averaged SGD and returns it quantised to 8 bits.
pub fn train_linear(labels: Vec<String>, examples: &[Example], settings: LinearSettings) -> LinearModel {
    train_linear_with_prior(labels, examples, settings, 0.0)
}

/// As [`train_linear`], then adds `nb_weight` times multinomial naive Bayes log-probabilities
/// (per bucket, centred over the classes) to the weights. Both are linear in the same hashed
/// features, so the blend is one linear model of the same size: naive Bayes brings evidence
/// from rare words that the regression has not learnt to weigh.
pub fn train_linear_with_prior(
    labels: Vec<String>,
    examples: &[Example],
    settings: LinearSettings,
    nb_weight: f32,
) -> LinearModel {
    let n = labels.len();
    let buckets = 1usize << settings.bits;
    let mask = (buckets - 1) as u64;
    let mut w = vec![0f32; buckets * n];
    // Averaging by the "lazy" trick: avg = w - u / t, where u accumulates t * update.
    let mut u = vec![0f32; buckets * n];
    let mut b = vec![0f32; n];
    let mut ub = vec![0f32; n];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix(settings.seed);
    let mut t: f32 = 1.0;
    let mut scores = vec![0f32; n];
    let total_steps = (examples.len() as f32 * settings.epochs as f32).max(1.0);
    for _epoch in 0..settings.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let ex = &examples[i];
            let kept: Vec<u64>;
            let features: &[u64] = if settings.dropout > 0.0 && ex.own {
                let threshold = (settings.dropout * u32::MAX as f32) as u64;
                kept = ex.features.iter().copied().filter(|_| (rng.next_u64() >> 32) >= threshold).collect();
                if kept.is_empty() { &ex.features } else { &kept }
            } else {
                &ex.features
            };
            let norm = feature_norm(features.len());
            for (c, s) in scores.iter_mut().enumerate() {
                *s = b[c];
            }
            for &f in features {
                let row = ((f & mask) as usize) * n;
                for c in 0..n {
                    scores[c] += w[row + c] * norm;
                }
            }
            softmax(&mut scores);
            let progress = t / total_steps;
            let lr = settings.learning_rate * (1.0 - 0.9 * progress);
            for c in 0..n {
                let target = if c == ex.label { 1.0 } else { 0.0 };
                let g = (scores[c] - target) * ex.weight;
                scores[c] = g;
                b[c] -= lr * g;
                ub[c] -= t * lr * g;
            }
            for &f in features {
                let row = ((f & mask) as usize) * n;
                for c in 0..n {
                    let g = scores[c];
                    if g.abs() < 1e-6 {
                        continue;
                    }
                    let mut step = lr * g * norm;
                    if settings.l2 > 0.0 {
                        step += lr * settings.l2 * w[row + c];
                    }
                    w[row + c] -= step;
                    u[row + c] -= t * step;
                }
            }
            t += 1.0;
        }
    }
    for (wi, ui) in w.iter_mut().zip(&u) {
        *wi -= ui / t;
    }
    for (bi, ui) in b.iter_mut().zip(&ub) {
        *bi -= ui / t;
    }
    if nb_weight > 0.0 {
        add_naive_bayes(&mut w, examples, n, mask, nb_weight, settings.nb_public_factor);
    }
    quantise(labels, settings.bits, b, &w, 0.9999)
}

/// Adds `weight` × centred log P(bucket | class) (Laplace-smoothed) to `w`.
#[allow(clippy::needless_range_loop)] // one entry per class, indexed alike
fn add_naive_bayes(w: &mut [f32], examples: &[Example], n: usize, mask: u64, weight: f32, public_factor: f32) {
    let buckets = w.len() / n;
    let mut counts = vec![0f32; w.len()];
    let mut totals = vec![0f32; n];
    for ex in examples {
        let weight = if ex.own { ex.weight } else { ex.weight * public_factor };
        if weight <= 0.0 {
            continue;
        }
        for &f in &ex.features {
            let i = ((f & mask) as usize) * n + ex.label;
            counts[i] += weight;
            totals[ex.label] += weight;
        }
    }
    let alpha = 0.1f32;
    let denom: Vec<f32> = totals.iter().map(|t| (t + alpha * buckets as f32).ln()).collect();
    let mut row = vec![0f32; n];
    for bucket in 0..buckets {
        let cell = &counts[bucket * n..(bucket + 1) * n];
        if cell.iter().all(|c| *c == 0.0) {
            continue;
        }
        for c in 0..n {
            row[c] = (cell[c] + alpha).ln() - denom[c];
        }
        let mean = row.iter().sum::<f32>() / n as f32;
        for c in 0..n {
            w[bucket * n + c] += weight * (row[c] - mean);
        }
    }
}

/// One training example of a multi-label model read in windows.
#[derive(Debug, Clone)]
pub struct WindowExample {
    /// Hashed features of all windows, one window after the other.
    pub features: Vec<u64>,
    /// Each window's range of `features`.
    pub windows: Vec<(u32, u32)>,
    /// Bit `c` set when label `c` is present.
    pub targets: u32,
    /// How much this example counts.
    pub weight: f32,
}

/// Logistic sigmoid.
#[inline]
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Trains one logistic regression per label over windows, with averaged SGD, by multiple-instance
/// learning: a message has a label when its best window does. The labels of a message say that
/// a signal is somewhere in it, not where, so a present label moves only its best-scoring window
/// up, while an absent one moves every window down; this learns where signals are.
#[allow(clippy::needless_range_loop)] // one entry per label, indexed alike
pub fn train_windows(labels: Vec<String>, examples: &[WindowExample], settings: LinearSettings) -> LinearModel {
    let n = labels.len();
    let buckets = 1usize << settings.bits;
    let mask = (buckets - 1) as u64;
    let mut w = vec![0f32; buckets * n];
    let mut u = vec![0f32; buckets * n];
    let mut b = vec![0f32; n];
    let mut ub = vec![0f32; n];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix(settings.seed);
    let mut t: f32 = 1.0;
    let total_steps = (examples.len() as f32 * settings.epochs as f32).max(1.0);
    let mut best = vec![(f32::NEG_INFINITY, 0usize); n];
    for _epoch in 0..settings.epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let ex = &examples[i];
            best.iter_mut().for_each(|x| *x = (f32::NEG_INFINITY, 0));
            for (wi, &(a, e)) in ex.windows.iter().enumerate() {
                let feats = &ex.features[a as usize..e as usize];
                let norm = feature_norm(feats.len());
                for c in 0..n {
                    let mut s = b[c];
                    for &f in feats {
                        s += w[((f & mask) as usize) * n + c] * norm;
                    }
                    if s > best[c].0 {
                        best[c] = (s, wi);
                    }
                }
            }
            if ex.windows.is_empty() {
                continue;
            }
            let progress = t / total_steps;
            let lr = settings.learning_rate * (1.0 - 0.9 * progress);
            for c in 0..n {
                let present = ex.targets & (1 << c) != 0;
                // A present label moves its best window; an absent one moves every window
                // that says it (all windows of a message without the signal are without it).
                for (wi, &(a, e)) in ex.windows.iter().enumerate() {
                    if present && wi != best[c].1 {
                        continue;
                    }
                    let feats = &ex.features[a as usize..e as usize];
                    let norm = feature_norm(feats.len());
                    let score = if present || ex.windows.len() == 1 {
                        best[c].0
                    } else {
                        b[c] + feats.iter().map(|&f| w[((f & mask) as usize) * n + c]).sum::<f32>() * norm
                    };
                    let g = (sigmoid(score) - if present { 1.0 } else { 0.0 }) * ex.weight;
                    if g.abs() < 1e-6 {
                        continue;
                    }
                    b[c] -= lr * g;
                    ub[c] -= t * lr * g;
                    for &f in feats {
                        let k = ((f & mask) as usize) * n + c;
                        let mut step = lr * g * norm;
                        if settings.l2 > 0.0 {
                            step += lr * settings.l2 * w[k];
                        }
                        w[k] -= step;
                        u[k] -= t * step;
                    }
                }
            }
            t += 1.0;
        }
    }
    for (wi, ui) in w.iter_mut().zip(&u) {
        *wi -= ui / t;
    }
    for (bi, ui) in b.iter_mut().zip(&ub) {
        *bi -= ui / t;
    }
    // Keep the largest weights whole: a few phrases (and the lexicon's hit features) carry
    // the decision, and clipping them would silence exactly those.
    quantise(labels, settings.bits, b, &w, 1.0)
}

/// Stores `w` as 8-bit integers with one scale per class; the scale is set by the `clip`
/// quantile of the class's non-zero weights (those above are clipped), so that a few outliers
/// do not eat the resolution of a model whose evidence is spread over many features.
#[allow(clippy::needless_range_loop)] // one column per class, indexed alike
fn quantise(labels: Vec<String>, bits: u8, bias: Vec<f32>, w: &[f32], clip: f32) -> LinearModel {
    let n = labels.len();
    let mut scale = vec![0f32; n];
    for c in 0..n {
        let mut col: Vec<f32> = w.iter().skip(c).step_by(n).map(|v| v.abs()).filter(|v| *v > 0.0).collect();
        let max = if col.is_empty() {
            1.0
        } else {
            let k = ((col.len() as f32) * clip) as usize;
            let k = k.min(col.len() - 1);
            col.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
            col[k].max(1e-6)
        };
        scale[c] = max / 127.0;
    }
    let weights = w
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let c = i % n;
            (v / scale[c]).round().clamp(-127.0, 127.0) as i8
        })
        .collect();
    LinearModel { labels, bits, bias, scale, weights }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_separable_toy_problem_and_round_trips() {
        let examples: Vec<Example> = (0..200)
            .map(|i| Example {
                features: vec![if i % 2 == 0 { 11 } else { 22 }, 33],
                label: i % 2,
                weight: 1.0,
                own: false,
            })
            .collect();
        let m = train_linear(
            vec!["a".into(), "b".into()],
            &examples,
            LinearSettings {
                bits: 10,
                epochs: 3,
                learning_rate: 0.5,
                l2: 0.0,
                seed: 7,
                dropout: 0.0,
                nb_public_factor: 1.0,
            },
        );
        assert!(m.probabilities(&[11, 33])[0] > 0.8);
        assert!(m.probabilities(&[22, 33])[1] > 0.8);
        let mut bytes = Vec::new();
        m.write(&mut bytes);
        let mut slice = bytes.as_slice();
        let back = LinearModel::read(&mut slice).unwrap();
        assert!(slice.is_empty());
        assert_eq!(back.probabilities(&[11, 33]), m.probabilities(&[11, 33]));
        let mut short = &bytes[..bytes.len() - 1];
        assert!(LinearModel::read(&mut short).is_err());
    }
}
