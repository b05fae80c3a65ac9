//! Help-article search latency with 10,000 articles.
//!
//! `cargo bench -p redress-text --bench help_search`. Before divan's table, `main` times every
//! evaluation query (clean and with typos) over many rounds and prints the p50, p99 and maximum
//! per search, since divan reports means and medians, not percentiles.

use std::time::{Duration, Instant};

use redress_text::help::{HelpArticle, HelpIndex, TYPO_SEED, TypoGenerator, eval_queries, synthetic_articles};

const ARTICLES: usize = 10_000;

fn index() -> HelpIndex {
    let mut articles: Vec<HelpArticle> = redress_text::help::default_articles();
    articles.extend(synthetic_articles(ARTICLES - articles.len(), 7));
    HelpIndex::build(articles)
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
    println!(
        "built an index of {} articles in {:?}",
        index.articles().len(),
        started.elapsed()
    );
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
    let mut slow: Vec<(Duration, Duration, &str)> = Vec::new();
    for (q, lang) in &queries {
        let t = Instant::now();
        divan::black_box(index.explain(q, lang));
        let terms = t.elapsed();
        let t = Instant::now();
        divan::black_box(index.search(q, lang, 5));
        slow.push((t.elapsed(), terms, q));
    }
    slow.sort();
    if std::env::var_os("HELP_BENCH_SLOWEST").is_some() {
        for s in slow.iter().rev().take(8) {
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
