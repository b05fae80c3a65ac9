//! Evaluates a model: `cargo run --release -p redress-text --example eval -- [SHARED_DATA_DIR] [MODEL]`.
//! Without MODEL, the shipped model is evaluated.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let shared = PathBuf::from(args.next().unwrap_or_else(|| "../shared/data".into()));
    let model = match args.next() {
        Some(path) => redress_text::Understanding::from_bytes(&std::fs::read(path)?)?,
        None => redress_text::Understanding::load_shipped()?,
    };
    let report = redress_text::evaluate(&shared, &model)?;
    print!("{report}");
    Ok(())
}
