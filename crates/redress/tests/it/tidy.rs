//! Checks of the tree that keep the architecture honest, run as ordinary tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// Package name to its dependencies' names, read from Cargo.lock.
fn lock_graph() -> BTreeMap<String, Vec<String>> {
    let lock = std::fs::read_to_string(workspace().join("Cargo.lock")).unwrap();
    let mut graph = BTreeMap::new();
    for package in lock.split("[[package]]").skip(1) {
        let name = package.lines().find_map(|l| l.strip_prefix("name = \"")).unwrap().trim_end_matches('"').to_owned();
        let deps = package
            .split("dependencies = [")
            .nth(1)
            .map(|list| {
                list.split(']')
                    .next()
                    .unwrap()
                    .lines()
                    .filter_map(|l| l.trim().strip_prefix('"'))
                    .map(|d| d.split([' ', '"']).next().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn the_domain_reaches_no_io_crate() {
    let graph = lock_graph();
    let mut seen = BTreeSet::new();
    let mut stack = vec!["redress-domain".to_owned()];
    while let Some(name) = stack.pop() {
        if seen.insert(name.clone()) {
            stack.extend(graph.get(&name).cloned().unwrap_or_default());
        }
    }
    for forbidden in ["tokio", "sqlx", "axum", "rusqlite", "hyper", "reqwest", "redress-storage", "redress-web"] {
        assert!(
            !seen.contains(forbidden),
            "redress-domain depends on {forbidden}, directly or not: keep the domain pure"
        );
    }
    assert!(seen.len() > 3, "the lock file was not read: {seen:?}");
}

/// The names under a crate's `[dependencies]` (not its dev-dependencies: tests may set up a
/// database directly).
fn normal_dependencies(crate_name: &str) -> Vec<String> {
    let manifest = std::fs::read_to_string(workspace().join("crates").join(crate_name).join("Cargo.toml")).unwrap();
    let section = manifest.split("\n[dependencies]\n").nth(1).unwrap_or_default();
    let section = section.split("\n[").next().unwrap_or_default();
    section
        .lines()
        .filter_map(|l| l.split([' ', '=', '.']).next())
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn only_the_store_speaks_sql_and_only_the_web_crate_speaks_http() {
    for crate_name in ["redress-domain", "redress-web"] {
        let deps = normal_dependencies(crate_name);
        assert!(deps.contains(&"serde".to_owned()), "{crate_name}'s dependencies were not read: {deps:?}");
        for sql in ["sqlx", "rusqlite"] {
            assert!(!deps.contains(&sql.to_owned()), "{crate_name} uses {sql}: SQL lives in redress-storage");
        }
    }
    for crate_name in ["redress-domain", "redress-storage"] {
        assert!(
            !normal_dependencies(crate_name).contains(&"axum".to_owned()),
            "{crate_name} uses axum: HTTP lives in redress-web"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_says_what_it_is_for() {
    let mut files = Vec::new();
    for krate in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    assert!(files.len() > 10);
    let undocumented: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().trim_start().starts_with("//!"))
        .map(|f| f.strip_prefix(workspace()).unwrap().display().to_string())
        .collect();
    assert!(undocumented.is_empty(), "modules without a //! doc comment: {undocumented:?}");
}

#[test]
fn no_test_is_ignored() {
    let mut files = Vec::new();
    rust_files(&workspace().join("crates"), &mut files);
    let marker = ["#[", "ignore]"].concat();
    let ignored: Vec<_> = files.iter().filter(|f| std::fs::read_to_string(f).unwrap().contains(&marker)).collect();
    assert!(ignored.is_empty(), "ignored tests hide failures: {ignored:?}");
}

/// The crates of ours each crate may use in `[dependencies]`, as ARCHITECTURE.md draws them.
const MAY_DEPEND_ON: &[(&str, &[&str])] = &[
    ("redress-domain", &[]),
    ("redress-text", &["redress-domain"]),
    ("redress-storage", &["redress-domain"]),
    ("redress-connect", &["redress-domain", "redress-storage"]),
    ("redress-app", &["redress-domain", "redress-storage", "redress-connect", "redress-text"]),
    ("redress-web", &["redress-domain", "redress-app", "redress-text"]),
    (
        "redress",
        &["redress-domain", "redress-storage", "redress-connect", "redress-text", "redress-app", "redress-web"],
    ),
];

#[test]
fn every_crate_depends_only_on_what_the_architecture_allows() {
    let crates: BTreeSet<String> = std::fs::read_dir(workspace().join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| workspace().join("crates").join(name).join("Cargo.toml").is_file())
        .collect();
    let listed: BTreeSet<String> = MAY_DEPEND_ON.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(crates, listed, "every crate has a line in MAY_DEPEND_ON and in ARCHITECTURE.md");
    for (name, allowed) in MAY_DEPEND_ON {
        let ours: Vec<String> =
            normal_dependencies(name).into_iter().filter(|dependency| dependency.starts_with("redress")).collect();
        for dependency in &ours {
            assert!(allowed.contains(&dependency.as_str()), "{name} must not depend on {dependency}");
        }
    }
}

/// The text of every Rust file under `dir`, with its path.
fn sources(dir: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&workspace().join(dir), &mut files);
    files.into_iter().map(|f| (f.clone(), std::fs::read_to_string(&f).unwrap())).collect()
}

#[test]
fn adapters_reach_storage_only_through_the_application() {
    let files = sources("crates/redress-web/src");
    assert!(files.len() > 10);
    for (path, source) in files {
        for forbidden in ["redress_storage", ".storage()"] {
            assert!(!source.contains(forbidden), "{} reaches storage ({forbidden}): call a use case", path.display());
        }
    }
}

#[test]
fn no_page_calls_an_http_handler() {
    for dir in ["crates/redress-web/src/portal", "crates/redress-web/src/workspace"] {
        for (path, source) in sources(dir) {
            // The one shared piece is how a stored photo is answered, not a handler.
            let calls = source.replace("crate::routes::attachments::image_response", "");
            assert!(!calls.contains("routes::"), "{} calls into routes/: call the use case instead", path.display());
        }
    }
}

#[test]
fn both_backends_have_the_same_migrations_and_sqlite_applies_them_all() {
    let names = |backend: &str| -> BTreeSet<String> {
        std::fs::read_dir(workspace().join("crates/redress-storage/migrations").join(backend))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    };
    let sqlite = names("sqlite");
    assert!(sqlite.len() > 5, "the migrations were not read: {sqlite:?}");
    assert_eq!(sqlite, names("postgres"), "each migration exists for both backends under one name");
    // PostgreSQL's are embedded by directory (sqlx::migrate!); SQLite's are listed by hand.
    let listed = std::fs::read_to_string(workspace().join("crates/redress-storage/src/sqlite.rs")).unwrap();
    for name in &sqlite {
        assert!(listed.contains(&format!("migrations/sqlite/{name}")), "{name} is not in sqlite.rs's MIGRATIONS");
    }
}
