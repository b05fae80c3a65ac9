//! Prints the held-out messages a model gets wrong:
//! `cargo run --release -p redress-text --example errors -- MODEL`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: errors MODEL")?;
    let model = redress_text::Understanding::from_bytes(&std::fs::read(path)?)?;
    for line in include_str!("../data/heldout.jsonl").lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let text = v["text"].as_str().unwrap_or_default();
        let a = model.understand(text, None);
        if std::env::var("SENTIMENT").is_ok() {
            if a.sentiment.as_str() != v["sentiment"].as_str().unwrap_or_default() {
                println!(
                    "{:<9} -> {:<9} {:.2} | {}",
                    v["sentiment"].as_str().unwrap_or_default(),
                    a.sentiment.as_str(),
                    a.sentiment_confidence,
                    text
                );
            }
            continue;
        }
        if a.kind.as_str() != v["kind"].as_str().unwrap_or_default() {
            println!(
                "{:<24} -> {:<24} {:.2} | {}",
                v["kind"].as_str().unwrap_or_default(),
                a.kind.as_str(),
                a.confidence,
                text
            );
        }
    }
    Ok(())
}
