//! Incidents and proactive contact: a lead declares an incident (the store down, checkout
//! failing, a carrier's delay, a faulty batch) with its message in the five languages; a new
//! case it affects gets that answer at once and is grouped under it (a note on the timeline);
//! the affected customers who already wrote can be told in one step; resolving it tells every
//! case grouped under it again. Answers on email cases go out through the outbox.

use std::collections::BTreeMap;

use redress_domain::analytics::Dimension;
use redress_domain::approval::Role;
use redress_domain::incident::{Incident, IncidentKind, IncidentScope, IncidentStatus};
use redress_domain::{Case, CaseStatus, Message, Order};
use redress_storage::StoredChange;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::caller::{Action, Caller};
use crate::{App, AppError, AppResult};

/// Cases looked at by one proactive round: told in order, newest first; a second round
/// reaches the rest (a case is told once).
pub const MAX_TOLD: u32 = 500;

/// A declaration.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    /// What kind.
    pub kind: IncidentKind,
    /// Which orders (a carrier delay names the carrier, a faulty batch the SKU).
    #[serde(default)]
    pub scope: IncidentScope,
    /// The answer in `en`, `es`, `pt`, `pl` and `id`.
    pub messages: BTreeMap<String, String>,
}

/// The message telling an incident's customers it is over.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    /// In `en`, `es`, `pt`, `pl` and `id`.
    pub messages: BTreeMap<String, String>,
}

/// How many cases a step told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Told {
    /// The incident as it now is.
    pub incident: Incident,
    /// Cases told by this step.
    pub told: u32,
}

/// Declaring and resolving is for leads and admins.
fn lead(caller: &Caller) -> AppResult<(redress_domain::StoreId, String)> {
    let store_id = caller.require(Action::WorkCases)?;
    match caller {
        Caller::Member { role, name, .. } if *role >= Role::TeamLead => Ok((store_id, name.clone())),
        _ => Err(AppError::forbidden("incidents are declared and resolved by a lead or an admin")),
    }
}

/// Declares an incident.
pub async fn declare(app: &App, caller: &Caller, input: NewIncident) -> AppResult<Incident> {
    let (store_id, name) = lead(caller)?;
    let incident =
        Incident::declare(Uuid::now_v7(), store_id, input.kind, input.scope, input.messages, &name, app.now())?;
    app.storage().incidents().save_incident(&incident).await?;
    Ok(incident)
}

/// The store's incidents, open first.
pub async fn list(app: &App, caller: &Caller) -> AppResult<Vec<Incident>> {
    let store_id = caller.require(Action::Read)?;
    crate::cases::staff_only(caller)?;
    Ok(app.storage().incidents().incidents(store_id).await?)
}

async fn found(app: &App, store_id: redress_domain::StoreId, id: Uuid) -> AppResult<Incident> {
    app.storage().incidents().incident(store_id, id).await?.ok_or_else(|| AppError::not_found("incident"))
}

fn note(incident: &Incident) -> String {
    format!("Grouped under incident {} ({:?}).", incident.id, incident.kind)
}

/// The answer a new case gets when an open incident affects it: the first such incident's
/// message in the case's language, the case grouped under it. None when no incident applies
/// (or the answer could not be stored: the case then waits for a person, as without one).
pub(crate) async fn answer_new_case(app: &App, case: &Case, order: Option<&Order>) -> Option<(StoredChange, Message)> {
    let incidents = match app.storage().incidents().incidents(case.store_id).await {
        Ok(incidents) => incidents,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the store's incidents");
            return None;
        }
    };
    let incident = incidents.into_iter().find(|i| i.status == IncidentStatus::Open && i.affects(order))?;
    tell(app, &incident, case, incident.message(&case.language)).await
}

/// Links the case to the incident and, when it was not linked yet, sends it `body`. Linking
/// first means a case is never told twice; a failure between the two leaves it linked and
/// untold (logged).
async fn tell(app: &App, incident: &Incident, case: &Case, body: &str) -> Option<(StoredChange, Message)> {
    match app.storage().incidents().link_case(case.store_id, incident.id, case.id, app.now()).await {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => {
            tracing::warn!(error = %e, "cannot group a case under an incident");
            return None;
        }
    }
    crate::cases::send_system_answer(app, case, body.to_owned(), Some(note(incident))).await
}

/// Tells the customers an open incident affects who already wrote: open cases about an order
/// in its scope (found through the analytics facts by SKU or carrier), each once.
pub async fn tell_affected(app: &App, caller: &Caller, id: Uuid) -> AppResult<Told> {
    let (store_id, _) = lead(caller)?;
    let incident = found(app, store_id, id).await?;
    if incident.status != IncidentStatus::Open {
        return Err(AppError::invalid("status", "the incident is resolved"));
    }
    let (dimension, value) = match (&incident.scope.sku, &incident.scope.carrier) {
        (Some(sku), _) => (Dimension::Sku, sku.clone()),
        (None, Some(carrier)) => (Dimension::Carrier, carrier.clone()),
        (None, None) => {
            return Err(AppError::invalid(
                "scope",
                "customers are told ahead of writing when the incident names a SKU or a carrier",
            ));
        }
    };
    let today = crate::analytics::day_number(app.now().date());
    let ids = app.storage().analytics().cases_with(store_id, dimension, &value, None, 0, today, MAX_TOLD).await?;
    let mut told = 0;
    for id in ids {
        let case = app.storage().case(store_id, id).await?;
        if matches!(case.status, CaseStatus::Resolved | CaseStatus::Closed) {
            continue;
        }
        let order = match case.order_id {
            Some(order_id) => Some(app.storage().order(store_id, order_id).await?),
            None => None,
        };
        if incident.affects(order.as_ref())
            && tell(app, &incident, &case, incident.message(&case.language)).await.is_some()
        {
            told += 1;
        }
    }
    Ok(Told { incident, told })
}

/// Resolves an incident and tells every case grouped under it (that is not closed).
pub async fn resolve(app: &App, caller: &Caller, id: Uuid, input: Resolution) -> AppResult<Told> {
    let (store_id, _) = lead(caller)?;
    let incident = found(app, store_id, id).await?.resolve(input.messages, app.now())?;
    app.storage().incidents().save_incident(&incident).await?;
    let mut told = 0;
    for case_id in app.storage().incidents().linked_cases(store_id, id).await? {
        let case = app.storage().case(store_id, case_id).await?;
        if case.status == CaseStatus::Closed {
            continue;
        }
        let body = incident.resolved_message(&case.language).to_owned();
        let note = format!("Incident {} resolved.", incident.id);
        if crate::cases::send_system_answer(app, &case, body, Some(note)).await.is_some() {
            told += 1;
        }
    }
    Ok(Told { incident, told })
}
