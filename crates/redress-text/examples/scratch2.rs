//! Scratch (not committed).
use std::collections::BTreeMap;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lex = redress_text::lexicon::EscalationLexicon::new();
    for file in ["data/train.jsonl", "data/inbox.jsonl", "data/handwritten.jsonl"] {
        let mut unl: BTreeMap<String, usize> = BTreeMap::new();
        let mut ex: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in std::fs::read_to_string(file)?.lines() {
            let v: serde_json::Value = serde_json::from_str(line)?;
            let text = v["text"].as_str().unwrap_or_default();
            let lang = v["lang"].as_str().unwrap_or_default();
            let labels: Vec<String> = v["escalation"].as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect()).unwrap_or_default();
            for h in lex.find(text, &redress_text::text::tokenize(text), Some(lang)) {
                let s = h.signal.to_string();
                if !labels.contains(&s) {
                    *unl.entry(s.clone()).or_default() += 1;
                    let e = ex.entry(s).or_default();
                    if e.len() < 6 { e.push(format!("[{}] {}", h.trigger, &text[..text.len().min(110)])); }
                }
            }
        }
        println!("{file}: lexicon hits without label {unl:?}");
        for (s, v) in ex { for t in v { println!("  {s}: {t}"); } }
    }
    Ok(())
}
