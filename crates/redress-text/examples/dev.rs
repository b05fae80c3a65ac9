//! Setting experiments on the dev set (`data/heldout.jsonl`, the first pass's held-out set;
//! never the report set `data/fresh.jsonl`):
//! `cargo run --release -p redress-text --example dev -- SHARED_DATA_DIR`.
//!
//! `REDRESS_TRAIN_OPTIONS='{"own_repeat": 5}'` overrides options.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let shared = std::env::args().nth(1).map(std::path::PathBuf::from);
    let shared = shared.filter(|p| p.as_os_str() != "-");
    let mut options = redress_text::TrainOptions::default();
    if let Ok(json) = std::env::var("REDRESS_TRAIN_OPTIONS") {
        let mut value = serde_json::to_value(&options)?;
        if let (Some(obj), serde_json::Value::Object(over)) = (value.as_object_mut(), serde_json::from_str(&json)?) {
            obj.extend(over);
        }
        options = serde_json::from_value(value)?;
    }
    let report = redress_text::train::dev_experiment(shared.as_deref(), &options)?;
    print!("{report}");
    Ok(())
}
