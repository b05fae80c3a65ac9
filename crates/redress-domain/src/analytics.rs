//! Learning from past cases: what analytics groups cases by, the sums it keeps, and the test
//! that turns a jump in damage, loss or not-as-described cases into an insight.
//!
//! The sums are kept in storage by triggers (migration `0016_analytics`); this module only
//! names the dimensions, adds rows up with checked arithmetic and decides what is unusual.

use serde::{Deserialize, Serialize};

use crate::IssueKind;

/// What cases are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The issue kind.
    Kind,
    /// The SKU the case is about (its first line, else the order's first line).
    Sku,
    /// The carrier of the order's first parcel.
    Carrier,
    /// The shipping country.
    Region,
    /// Who caused the problem.
    Fault,
    /// The channel the customer used first.
    Channel,
    /// The customer's language.
    Language,
}

impl Dimension {
    /// Every dimension.
    pub const ALL: &'static [Dimension] =
        &[Self::Kind, Self::Sku, Self::Carrier, Self::Region, Self::Fault, Self::Channel, Self::Language];

    /// The wire and storage id.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Sku => "sku",
            Self::Carrier => "carrier",
            Self::Region => "region",
            Self::Fault => "fault",
            Self::Channel => "channel",
            Self::Language => "language",
        }
    }

    /// The dimension with this id.
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|d| d.as_str() == id)
    }
}

/// How long one point of a series is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// A calendar day (UTC).
    Day,
    /// A week from Monday (UTC).
    Week,
}

/// Sums over a group of cases, as the rollup keeps them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Totals {
    /// Cases opened.
    pub opened: i64,
    /// … of which answered at least once.
    pub responded: i64,
    /// Seconds from opening to the first answer, summed over those answered.
    pub response_s: i64,
    /// … of which resolved (or closed).
    pub resolved: i64,
    /// Seconds from opening to resolution, summed over those resolved.
    pub resolution_s: i64,
    /// Resolved without any agent acting on the case.
    pub automated: i64,
    /// Refunds that succeeded, in minor units of the group's currency.
    pub refund_minor: i64,
    /// Cases about damage in transit.
    pub damaged: i64,
    /// Cases about parcels not received.
    pub lost: i64,
    /// Cases about items not as described.
    pub not_as_described: i64,
    /// Return or exchange requests.
    pub returns: i64,
}

/// A sum left the range of 64-bit integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an analytics sum overflowed")]
pub struct SumOverflow;

impl Totals {
    /// These sums plus `other`'s, every addition checked.
    pub fn plus(&self, other: &Totals) -> Result<Totals, SumOverflow> {
        let add = |a: i64, b: i64| a.checked_add(b).ok_or(SumOverflow);
        Ok(Totals {
            opened: add(self.opened, other.opened)?,
            responded: add(self.responded, other.responded)?,
            response_s: add(self.response_s, other.response_s)?,
            resolved: add(self.resolved, other.resolved)?,
            resolution_s: add(self.resolution_s, other.resolution_s)?,
            automated: add(self.automated, other.automated)?,
            refund_minor: add(self.refund_minor, other.refund_minor)?,
            damaged: add(self.damaged, other.damaged)?,
            lost: add(self.lost, other.lost)?,
            not_as_described: add(self.not_as_described, other.not_as_described)?,
            returns: add(self.returns, other.returns)?,
        })
    }

    /// Mean seconds to the first answer, when any case was answered.
    pub fn mean_response_s(&self) -> Option<i64> {
        (self.responded > 0).then(|| self.response_s / self.responded)
    }

    /// Mean seconds to resolution, when any case was resolved.
    pub fn mean_resolution_s(&self) -> Option<i64> {
        (self.resolved > 0).then(|| self.resolution_s / self.resolved)
    }

    /// Share of resolved cases resolved without a person, in percent with one decimal.
    pub fn automation_pct(&self) -> Option<f64> {
        (self.resolved > 0).then(|| (self.automated as f64 * 1000.0 / self.resolved as f64).round() / 10.0)
    }

    /// The count of one problem the alerts watch.
    pub fn problem(&self, problem: Problem) -> i64 {
        match problem {
            Problem::Damaged => self.damaged,
            Problem::Lost => self.lost,
            Problem::NotAsDescribed => self.not_as_described,
        }
    }
}

/// A problem whose rate the alerts watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// Damaged in transit.
    Damaged,
    /// Not received.
    Lost,
    /// Not as described.
    NotAsDescribed,
}

impl Problem {
    /// Every problem watched.
    pub const ALL: &'static [Problem] = &[Self::Damaged, Self::Lost, Self::NotAsDescribed];

    /// The issue kind of the cases it counts.
    pub const fn kind(&self) -> IssueKind {
        match self {
            Self::Damaged => IssueKind::DamagedInTransit,
            Self::Lost => IssueKind::NotReceived,
            Self::NotAsDescribed => IssueKind::NotAsDescribed,
        }
    }

    /// The fix to look at first for a jump of this problem on a value of `dimension`.
    pub const fn suggested_fix(&self, dimension: Dimension) -> Fix {
        match (self, dimension) {
            (Self::Damaged, Dimension::Sku) => Fix::Packaging,
            (Self::NotAsDescribed, _) => Fix::Description,
            _ => Fix::CarrierReview,
        }
    }
}

/// What an insight suggests doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Fix {
    /// Pack the item better.
    Packaging,
    /// Fix the product description, photos or size chart.
    Description,
    /// Review the carrier (or the carrier's service to this region).
    CarrierReview,
}

/// Days in the recent window the alerts test.
pub const RECENT_DAYS: i32 = 7;
/// Days in the trailing baseline before it.
pub const BASELINE_DAYS: i32 = 56;
/// Fewest cases of a problem in the recent window that can raise an insight: below this, a
/// jump is too small to act on whatever its probability.
pub const MIN_COUNT: i64 = 5;
/// Family-wise false-alarm rate over all tests of one run (Bonferroni: each test runs at this
/// divided by the number of tests).
pub const FAMILY_ALPHA: f64 = 0.01;

/// One value's counts in both windows, and the store's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window<V> {
    /// The value (a SKU, carrier or country).
    pub value: V,
    /// The value's sums over the recent window.
    pub recent: Totals,
    /// The value's sums over the baseline.
    pub baseline: Totals,
}

/// A jump found by [`spikes`].
#[derive(Clone, Debug, PartialEq)]
pub struct Spike<V> {
    /// The value.
    pub value: V,
    /// The problem that jumped.
    pub problem: Problem,
    /// Cases of it in the recent window.
    pub observed: i64,
    /// Cases expected from the baseline rate.
    pub expected: f64,
    /// The one-sided p-value of seeing at least `observed`.
    pub p_value: f64,
}

/// The values whose rate of a problem jumped in the recent window.
///
/// The test is the exact conditional test for comparing two Poisson rates: with `x` cases of
/// the problem on the value in the recent window and `b` in the baseline, and the store's
/// cases in each window as the exposure (so a busy week is not a jump), under "no change"
/// `x` given `x + b` is binomial with `p0 = store_recent / (store_recent + store_baseline)`.
/// An insight is raised when the one-sided upper tail P(X ≥ x) is below [`FAMILY_ALPHA`]
/// divided by the number of tests (Bonferroni), `x` is at least [`MIN_COUNT`] and at least
/// twice what the baseline rate predicts. Conditioning on `x + b` carries the baseline's own
/// noise, so a baseline that happened to be low does not make an ordinary week look unusual.
pub fn spikes<V: Clone>(windows: &[Window<V>], store_recent: i64, store_baseline: i64) -> Vec<Spike<V>> {
    let tests = (windows.len() * Problem::ALL.len()).max(1) as f64;
    let alpha = FAMILY_ALPHA / tests;
    let (recent, baseline) = (store_recent.max(1) as f64, store_baseline.max(1) as f64);
    let p0 = recent / (recent + baseline);
    let mut found = Vec::new();
    for window in windows {
        for problem in Problem::ALL {
            let observed = window.recent.problem(*problem);
            let before = window.baseline.problem(*problem).max(0);
            if observed < MIN_COUNT {
                continue;
            }
            let expected = (before as f64 + 0.5) * recent / baseline;
            if (observed as f64) < 2.0 * expected {
                continue;
            }
            let p_value = binomial_upper_tail(observed.saturating_add(before), p0, observed);
            if p_value < alpha {
                found.push(Spike { value: window.value.clone(), problem: *problem, observed, expected, p_value });
            }
        }
    }
    found.sort_by(|a, b| a.p_value.total_cmp(&b.p_value));
    found
}

/// P(X ≥ k) for X ~ Binomial(n, p), summed in log space so large counts neither overflow nor
/// vanish.
pub fn binomial_upper_tail(n: i64, p: f64, k: i64) -> f64 {
    if k <= 0 {
        return 1.0;
    }
    if k > n || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let (ln_p, ln_q, ln_n) = (p.ln(), (1.0 - p).ln(), ln_factorial(n));
    let total: f64 = (k..=n)
        .map(|i| (ln_n - ln_factorial(i) - ln_factorial(n - i) + i as f64 * ln_p + (n - i) as f64 * ln_q).exp())
        .sum();
    total.min(1.0)
}

/// ln(n!): exact below 30, Stirling's series above (error below 1e-12 there).
fn ln_factorial(n: i64) -> f64 {
    if n < 30 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x) - 1.0 / (360.0 * x.powi(3))
}

/// The first day (days since 1970-01-01) of the bucket holding `day`.
pub const fn bucket_start(day: i32, bucket: Bucket) -> i32 {
    match bucket {
        Bucket::Day => day,
        // 1970-01-01 was a Thursday: three days after a Monday.
        Bucket::Week => day - (day + 3).rem_euclid(7),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn totals(opened: i64, damaged: i64) -> Totals {
        Totals { opened, damaged, ..Totals::default() }
    }

    /// A small deterministic generator, so the noise test is the same on every run.
    struct Lcg(u64);
    impl Lcg {
        fn unit(&mut self) -> f64 {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
        fn poisson(&mut self, lambda: f64) -> i64 {
            let (limit, mut k, mut p) = ((-lambda).exp(), 0, 1.0);
            loop {
                p *= self.unit();
                if p <= limit {
                    return k;
                }
                k += 1;
            }
        }
    }

    #[test]
    fn the_tail_matches_known_values() {
        // P(X ≥ 1 | n = 2, p = 0.5) = 3/4; P(X ≥ 8 | n = 10, p = 0.5) = 56/1024.
        assert!((binomial_upper_tail(2, 0.5, 1) - 0.75).abs() < 1e-12);
        assert!((binomial_upper_tail(10, 0.5, 8) - 56.0 / 1024.0).abs() < 1e-12);
        assert!((binomial_upper_tail(5, 0.3, 0) - 1.0).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(5, 0.3, 6), 0.0);
        // Large n through Stirling: the mean is not in the far tail, 20 % above it is.
        assert!(binomial_upper_tail(10_000, 0.1, 1000) > 0.4);
        assert!(binomial_upper_tail(10_000, 0.1, 1200) < 1e-9);
        assert!((ln_factorial(40) - (1..=40).map(|i| (i as f64).ln()).sum::<f64>()).abs() < 1e-9);
    }

    #[test]
    fn a_planted_spike_fires() {
        // 40 SKUs, each damaged in about 1 of 500 cases over eight weeks; one SKU gets 12
        // damaged cases in a week where 2 were expected.
        let mut windows: Vec<Window<String>> = (0..40)
            .map(|i| Window { value: format!("SKU-{i}"), recent: totals(25, 0), baseline: totals(200, 8) })
            .collect();
        windows[7].recent = totals(40, 12);
        let found = spikes(&windows, 1000, 8000);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].value, "SKU-7");
        assert_eq!(found[0].problem, Problem::Damaged);
    }

    #[test]
    fn noise_does_not_fire() {
        let mut rng = Lcg(42);
        // 200 SKUs × 3 problems, each at a steady rate, over 50 simulated weeks: no insight.
        for _ in 0..50 {
            let windows: Vec<Window<u32>> = (0..200)
                .map(|i| {
                    let rate = 0.2 + f64::from(i % 10) * 0.3; // cases per week
                    let mut recent = totals(50, rng.poisson(rate));
                    recent.lost = rng.poisson(rate);
                    recent.not_as_described = rng.poisson(rate);
                    let mut baseline = totals(400, rng.poisson(rate * 8.0));
                    baseline.lost = rng.poisson(rate * 8.0);
                    baseline.not_as_described = rng.poisson(rate * 8.0);
                    Window { value: i, recent, baseline }
                })
                .collect();
            let found = spikes(&windows, 10_000, 80_000);
            assert!(found.is_empty(), "{found:?}");
        }
    }

    #[test]
    fn a_busy_week_is_not_a_jump() {
        // The SKU's damage doubles, but so does the store's volume.
        let windows = vec![Window { value: "A", recent: totals(100, 25), baseline: totals(400, 80) }];
        assert!(spikes(&windows, 2000, 8000).is_empty());
        assert_eq!(spikes(&windows, 1000, 8000).len(), 1);
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2026-12-07 is a Monday: day 20_794.
        assert_eq!(bucket_start(20_794, Bucket::Week), 20_794);
        assert_eq!(bucket_start(20_800, Bucket::Week), 20_794);
        assert_eq!(bucket_start(20_801, Bucket::Week), 20_801);
        assert_eq!(bucket_start(20_430, Bucket::Day), 20_430);
    }

    #[test]
    fn sums_are_checked() {
        let big = Totals { opened: i64::MAX, ..Totals::default() };
        assert_eq!(big.plus(&totals(1, 0)), Err(SumOverflow));
        assert_eq!(totals(1, 2).plus(&totals(3, 4)).map(|t| (t.opened, t.damaged)), Ok((4, 6)));
    }
}
