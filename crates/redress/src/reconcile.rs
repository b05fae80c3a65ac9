//! `redress reconcile`: checks every payment's recorded amounts against the books, store by
//! store, with progress on standard error and a table of what disagrees on standard output.
//! It exits with failure when anything disagrees, so a scheduled run can alert someone.

use std::io::Write;

use anyhow::Context;
use redress_app::{App, Caller, SystemRule};

/// Runs the check on the stores of `database_url` (only `slug`'s when given).
pub async fn run(database_url: &str, slug: Option<&str>) -> anyhow::Result<bool> {
    let storage = redress_storage::connect(database_url)
        .await
        .with_context(|| format!("cannot open the database at {database_url}"))?;
    let app = App::new(storage);
    let stores = match slug {
        Some(slug) => vec![
            redress_app::stores::by_slug(&app, slug)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?
                .with_context(|| format!("no store has the slug `{slug}`; list them with GET /api/v1/stores"))?,
        ],
        None => redress_app::stores::list(&app, &Caller::Operator).await.map_err(|e| anyhow::anyhow!(e.message))?,
    };
    let mut whole = true;
    let mut out = std::io::stdout().lock();
    for store in stores {
        let caller = Caller::System { store_id: store.id, rule: SystemRule::Reconciliation };
        let report = redress_app::money::reconcile(&app, &caller, |checked| {
            eprint!("\r{}: {checked} payments checked", store.slug.as_str());
        })
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
        eprintln!();
        let agrees = report.discrepancies.is_empty() && report.ledger_balanced;
        whole &= agrees;
        writeln!(
            out,
            "{}: {} payments, ledger {}, {}",
            store.slug.as_str(),
            report.payments_checked,
            if report.ledger_balanced { "balanced" } else { "NOT balanced" },
            match report.discrepancies.len() {
                0 => "every payment agrees with the books".to_owned(),
                n => format!("{n}{} figure(s) disagree:", if report.truncated { "+" } else { "" }),
            }
        )?;
        if !report.discrepancies.is_empty() {
            writeln!(
                out,
                "  {:<36}  {:<36}  {:<9}  {:>16}  {:>16}",
                "payment", "order", "figure", "recorded", "books say"
            )?;
        }
        for d in &report.discrepancies {
            let figure = serde_json::to_value(d.figure)?.as_str().unwrap_or_default().to_owned();
            writeln!(
                out,
                "  {:<36}  {:<36}  {:<9}  {:>16}  {:>16}",
                d.payment_id.to_string(),
                d.order_id.to_string(),
                figure,
                d.recorded.to_string(),
                d.expected.to_string()
            )?;
        }
    }
    if !whole {
        writeln!(
            out,
            "\nSome figures disagree: look at each payment's postings with GET /api/v1/cases/{{id}}/money, and correct wrong postings with POST /api/v1/ledger/postings/{{id}}/corrections."
        )?;
    }
    Ok(whole)
}
