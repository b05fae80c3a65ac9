//! Help-article search latency with 10,000 articles, issue-kind model included.
//!
//! `cargo bench -p redress-text --bench help_search`. Before divan's table, `main` times every
//! evaluation query (clean and with two typos) over many rounds and prints the wall-clock p50,
//! p99 and maximum per search, then each query's best-of-15 cost and its p99 over queries
//! (divan reports means and medians, not percentiles).

use std::time::{Duration, Instant};

use redress_text::help::{HelpArticle, HelpIndex, TYPO_SEED, TypoGenerator, eval_queries, synthetic_articles};

const ARTICLES: usize = 10_000;

fn index() -> HelpIndex {
    let mut articles: Vec<HelpArticle> = redress_text::help::default_articles();
    articles.extend(synthetic_articles(ARTICLES - articles.len(), 7));
    HelpIndex::build(articles).with_kind_model(redress_text::Understanding::shipped())
}

fn queries() -> Vec<(String, String)> {
    let mut typo_gen = TypoGenerator::new(TYPO_SEED);
    let mut out = Vec::new();
    for q in eval_queries() {
        out.push((typo_gen.typos(&q.text, 2), q.language.clone()));
        out.push((q.text, q.language));
    }
    out
}

fn main() {
    let started = Instant::now();
    let index = index();
    println!("built an index of {} articles in {:?}", index.articles().len(), started.elapsed());
    let queries = queries();
    let mut times: Vec<Duration> = Vec::new();
    for _ in 0..30 {
        for (q, lang) in &queries {
            let t = Instant::now();
            let hits = index.search(q, lang, 5);
            times.push(t.elapsed());
            divan::black_box(hits);
        }
    }
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    println!(
        "search over {} articles, {} timed searches: p50 {:?}, p99 {:?}, max {:?}",
        index.articles().len(),
        times.len(),
        at(0.50),
        at(0.99),
        times[times.len() - 1]
    );
    // The machine is shared, so wall-clock percentiles include time the process was not
    // running. Per query, the best of 15 runs is its cost without preemption; the p99 over
    // queries of that is the figure to compare with the 1 ms target.
    let mut per_query: Vec<(Duration, &str)> = queries
        .iter()
        .map(|(q, lang)| {
            let best = (0..15)
                .map(|_| {
                    let t = Instant::now();
                    divan::black_box(index.search(q, lang, 5));
                    t.elapsed()
                })
                .min()
                .unwrap_or_default();
            (best, q.as_str())
        })
        .collect();
    per_query.sort();
    let q_at = |p: f64| per_query[((per_query.len() as f64 * p) as usize).min(per_query.len() - 1)].0;
    println!(
        "per-query cost (best of 15 runs each, {} queries): p50 {:?}, p99 {:?}, max {:?}",
        per_query.len(),
        q_at(0.50),
        q_at(0.99),
        per_query[per_query.len() - 1].0
    );
    if std::env::var_os("HELP_BENCH_SLOWEST").is_some() {
        for s in per_query.iter().rev().take(8) {
            println!("{s:?}");
        }
    }
    divan::main();
}

#[divan::bench(sample_count = 200)]
fn search_10k(bencher: divan::Bencher) {
    let index = index();
    let queries = queries();
    let mut i = 0;
    bencher.bench_local(|| {
        let (q, lang) = &queries[i % queries.len()];
        i += 1;
        index.search(divan::black_box(q), lang, 5)
    });
}
