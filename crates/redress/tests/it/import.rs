//! `redress import orders FILE.csv` as an operator runs it: a file with bad rows is refused
//! whole, each bad row named by its line and reason, and nothing is imported; a good file is
//! imported; importing it again updates the same orders.

use std::path::Path;
use std::process::Command;

use redress_domain::{Currency, LanguageTag, Store, StoreId, StoreSlug};
use redress_storage::OrderFilter;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../redress-connect/src/shop/fixtures").join(name)
}

fn import(database_url: &str, file: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["import", "orders"])
        .arg(file)
        .args(["--database-url", database_url, "--store", "northwind"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("the redress binary runs");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_file_is_imported_whole_or_not_at_all() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("redress.db").display());
    let store = Store {
        id: StoreId::from_uuid(uuid::Uuid::now_v7()),
        slug: StoreSlug::parse("northwind").unwrap(),
        name: "Northwind".into(),
        default_currency: Currency::from_code("EUR").unwrap(),
        default_language: LanguageTag::parse("en").unwrap(),
        created_at: time::OffsetDateTime::now_utc(),
    };
    redress_storage::connect(&url).await.unwrap().create_store(&store).await.unwrap();
    let stored = || async {
        let storage = redress_storage::connect(&url).await.unwrap();
        storage.orders(store.id, &OrderFilter::default(), None, 100).await.unwrap().orders.len()
    };

    // Its first order is good, the rest is not: every bad row is reported, nothing stored.
    let (status, report) = import(&url, &fixture("orders_bad.csv"));
    assert_eq!(status, 1, "{report}");
    assert!(report.contains("nothing was imported"), "{report}");
    for line in [3, 4, 5, 6, 7, 8, 9] {
        assert!(report.contains(&format!("line {line}: ")), "line {line} in {report}");
    }
    assert_eq!(stored().await, 0, "nothing half-imported");

    let (status, report) = import(&url, &fixture("orders.csv"));
    assert_eq!(status, 0, "{report}");
    assert!(report.starts_with("imported 3 order(s) into northwind: 3 new, 0 updated"), "{report}");
    assert_eq!(stored().await, 3);
    let (status, report) = import(&url, &fixture("orders.csv"));
    assert_eq!(status, 0, "{report}");
    assert!(report.contains("0 new, 3 updated"), "{report}");
    assert_eq!(stored().await, 3);

    // An unknown store is named.
    let output = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["import", "orders"])
        .arg(fixture("orders.csv"))
        .args(["--database-url", &url, "--store", "nowhere"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no store has the slug `nowhere`"), "{output:?}");
}
