//! `redress backup` and `redress restore`: a consistent copy of a SQLite database taken while
//! servers keep writing to it, and that copy put in place as a new database. PostgreSQL has its
//! own tools (`pg_dump`, continuous archiving); the README's operations section says how.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use redress_storage::sqlite::SqliteStorage;

/// The SQLite file a database URL names, or a message saying what to use instead.
fn sqlite_file(database_url: &str) -> anyhow::Result<PathBuf> {
    if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        anyhow::bail!(
            "redress backup copies SQLite databases; for PostgreSQL use pg_dump or continuous archiving \
             (see the README's operations section)"
        );
    }
    Ok(PathBuf::from(database_url.strip_prefix("sqlite://").unwrap_or(database_url)))
}

/// Copies the database at `database_url` to the new file `to`, with progress on standard error.
pub async fn backup(database_url: &str, to: &Path) -> anyhow::Result<()> {
    let source = sqlite_file(database_url)?;
    copy(&source, to, "backing up").await?;
    println!(
        "backed up {} to {}; restore it with `redress restore --from {}`",
        source.display(),
        to.display(),
        to.display()
    );
    Ok(())
}

/// Puts the backup `from` in place as the database at `database_url`, which must not exist
/// (move the old one away with the servers stopped), then applies any newer migrations.
pub async fn restore(from: &Path, database_url: &str) -> anyhow::Result<()> {
    let target = sqlite_file(database_url)?;
    copy(from, &target, "restoring").await?;
    let applied = SqliteStorage::migrate_path(&target).context("the restored database could not be migrated")?;
    println!(
        "restored {} as {} ({applied} newer migration(s) applied); start the servers on it",
        from.display(),
        target.display()
    );
    Ok(())
}

async fn copy(from: &Path, to: &Path, doing: &str) -> anyhow::Result<()> {
    eprintln!("{doing} {} to {} ...", from.display(), to.display());
    let started = Instant::now();
    let (source, target) = (from.to_owned(), to.to_owned());
    let report = tokio::task::spawn_blocking(move || SqliteStorage::backup(&source, &target))
        .await?
        .with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    eprintln!(
        "copied {:.1} MB (schema version {}), integrity checked, in {:.1?}",
        report.bytes as f64 / 1_000_000.0,
        report.schema_version,
        started.elapsed()
    );
    Ok(())
}
