//! Trains the shipped model: `cargo run --release -p redress-text --example train -- [SHARED_DATA_DIR] [OUT]`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let shared = args.next().unwrap_or_else(|| "../shared/data".into());
    let out = args
        .next()
        .unwrap_or_else(|| "crates/redress-text/model/redress-text.bin".into());
    let shared = PathBuf::from(shared);
    let shared = if shared.as_os_str() == "-" { None } else { Some(shared) };
    let started = std::time::Instant::now();
    let summary = redress_text::train(
        shared.as_deref(),
        &PathBuf::from(&out),
        &redress_text::TrainOptions::default(),
    )?;
    print!("{summary}");
    println!("wrote {out} in {:.1?}", started.elapsed());
    Ok(())
}
