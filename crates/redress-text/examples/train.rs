//! Trains the shipped model:
//! `cargo run --release -p redress-text --example train -- [SHARED_DATA_DIR|-] [OUT]`.
//!
//! `REDRESS_TRAIN_OPTIONS='{"own_repeat": 5}'` overrides options (for experiments).

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let shared = args.next().unwrap_or_else(|| "../shared/data".into());
    let out = args.next().unwrap_or_else(|| "crates/redress-text/model/redress-text.bin".into());
    let shared = PathBuf::from(shared);
    let shared = if shared.as_os_str() == "-" { None } else { Some(shared) };
    let mut options = redress_text::TrainOptions::default();
    if let Ok(json) = std::env::var("REDRESS_TRAIN_OPTIONS") {
        let mut value = serde_json::to_value(&options)?;
        if let (Some(obj), serde_json::Value::Object(over)) = (value.as_object_mut(), serde_json::from_str(&json)?) {
            obj.extend(over);
        }
        options = serde_json::from_value(value)?;
    }
    println!("options: {}", serde_json::to_string(&options)?);
    let started = std::time::Instant::now();
    let summary = redress_text::train(shared.as_deref(), &PathBuf::from(&out), &options)?;
    print!("{summary}");
    println!("wrote {out} in {:.1?}", started.elapsed());
    Ok(())
}
