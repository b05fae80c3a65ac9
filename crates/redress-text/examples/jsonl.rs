//! The batch interface on stdin/stdout:
//! `echo '{"text":"where is my parcel?"}' | cargo run --release -p redress-text --example jsonl`.

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let summary = redress_text::understand_jsonl(stdin, stdout)?;
    eprintln!("{} analysed, {} errors", summary.analysed, summary.errors);
    Ok(())
}
