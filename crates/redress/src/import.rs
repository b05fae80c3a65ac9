//! `redress import orders FILE.csv`: a shop on another platform brings its orders in from a CSV
//! file, with a progress bar on standard error and, when rows are refused, each with its line
//! and reason; then nothing is imported.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use redress_app::App;
use redress_app::platforms::{self, ImportOutcome};

/// The largest file read (the CSV reader's own limit).
const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// Imports `file` into the store with `slug`; false when rows were refused.
pub async fn orders(database_url: &str, slug: &str, file: &Path) -> anyhow::Result<bool> {
    let size = std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?.len();
    if size > MAX_FILE_BYTES {
        anyhow::bail!("{} is larger than {MAX_FILE_BYTES} bytes; split it", file.display());
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let storage = redress_storage::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database at {database_url}"))?;
    let app = App::new(storage);
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} reading rows {pos}/{len} [{bar:30}] {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let outcome = platforms::import_csv(&app, slug, &bytes, &mut |progress| {
        bar.set_length(progress.total as u64);
        bar.set_position(progress.done as u64);
    })
    .await;
    bar.finish_and_clear();
    let mut out = std::io::stdout().lock();
    match outcome
        .map_err(|e| anyhow::anyhow!("{}{}", e.field.map(|f| format!("{f}: ")).unwrap_or_default(), e.message))?
    {
        ImportOutcome::Imported { orders, created } => {
            writeln!(out, "imported {orders} order(s) into {slug}: {created} new, {} updated", orders - created)?;
            Ok(true)
        }
        ImportOutcome::Refused(rows) => {
            writeln!(out, "{} row(s) refused; nothing was imported:", rows.len())?;
            for row in &rows {
                writeln!(out, "  line {}: {}", row.line, row.reason)?;
            }
            Ok(false)
        }
    }
}
