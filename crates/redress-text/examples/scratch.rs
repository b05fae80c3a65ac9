//! Scratch (not committed).
use std::io::BufRead;
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("model")?;
    let m = redress_text::Understanding::from_bytes(&std::fs::read(path)?)?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let a = m.understand(&line, None);
        let esc: Vec<String> = a.escalation.iter().map(|e| format!("{}:{:.2}:{:?}", e.signal, e.confidence, e.triggers)).collect();
        println!("{} {} {:.2} {} {:.2} | {:?} | {}", a.language.tag, a.kind, a.confidence, a.sentiment, a.sentiment_confidence, esc, line);
    }
    Ok(())
}
