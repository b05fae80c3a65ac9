//! Feature and setting experiments on a dev split of the hand-written examples (never the
//! held-out set): `cargo run --release -p redress-text --example dev -- SHARED_DATA_DIR`.

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
    let (acc, f1, sent) = redress_text::train::dev_experiment(shared.as_deref(), &options)?;
    println!(
        "dev: kind accuracy {:.1}% kind macro-F1 {:.1}% sentiment macro-F1 {:.1}%",
        acc * 100.0,
        f1 * 100.0,
        sent * 100.0
    );
    Ok(())
}
