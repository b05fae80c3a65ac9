//! Prints the help-search evaluation table.
//!
//! `cargo run --release -p redress-text --example help_eval -- [shared/data folder] [--misses]`

use redress_text::help::{HelpIndex, eval_queries, evaluate_help};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let shared = args.first().filter(|a| !a.starts_with("--")).map(std::path::PathBuf::from);
    let mut index = HelpIndex::shipped().clone();
    if let Ok(v) = std::env::var("HELP_MIN_SCORE") {
        index = index.with_min_score(v.parse().unwrap_or(0.25));
    }
    if let Ok(v) = std::env::var("HELP_UNKNOWN_WEIGHT") {
        index = index.with_unknown_weight(v.parse().unwrap_or(1.0));
    }
    if let Ok(v) = std::env::var("HELP_KIND_WEIGHT") {
        index = index.with_kind_weight(v.parse().unwrap_or(0.5));
    }
    let index = &index;
    if let Some(i) = args.iter().position(|a| a == "--explain") {
        let q = args.get(i + 1).map(String::as_str).unwrap_or("");
        let lang = args.get(i + 2).map(String::as_str).unwrap_or("en");
        println!("{:?}", index.explain(q, lang));
        for h in index.search(q, lang, 5) {
            println!("{h}");
        }
        return;
    }
    println!("{}", evaluate_help(index, shared.as_deref()));
    if args.iter().any(|a| a == "--typo-misses") {
        let mut typo_gen = redress_text::help::TypoGenerator::new(redress_text::help::TYPO_SEED);
        let answerable: Vec<_> = eval_queries().into_iter().filter(|q| !q.expected.is_empty()).collect();
        for edits in [1, 2] {
            for q in &answerable {
                let t = typo_gen.typos(&q.text, edits);
                let hits = index.search(&t, &q.language, 3);
                if hits.first().map(|h| &h.id) != q.expected.first() {
                    let got: Vec<String> = hits.iter().map(ToString::to_string).collect();
                    println!("MISS{edits} [{}] {:?} want {:?} got {:?}", q.language, t, q.expected, got);
                }
            }
        }
    }
    if args.iter().any(|a| a == "--misses") {
        for q in eval_queries().iter().filter(|q| !q.expected.is_empty()) {
            let hits = index.search(&q.text, &q.language, 3);
            if hits.first().map(|h| &h.id) != q.expected.first() {
                let got: Vec<String> = hits.iter().map(ToString::to_string).collect();
                println!("MISS [{}] {:?} want {:?} got {:?}", q.language, q.text, q.expected, got);
            }
        }
    }
}
