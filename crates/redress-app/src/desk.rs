//! The agent desk's working aids: presence on a case (kept in the database, so agents on
//! different servers see each other), what changed on a case since an agent last looked (a
//! reply composed meanwhile is warned before it goes), the store's macros (saved replies with
//! variables and an optional action), saved inbox views and bulk actions, each case through
//! its own use case and on its own timeline.

use std::collections::BTreeMap;

use redress_domain::desk::{self, Macro, MacroAction, SavedView};
use redress_domain::{Actor, AgentId, CaseId, CaseStatus};
use serde::{Deserialize, Serialize};
use time::Duration;
use uuid::Uuid;

use crate::cases::{self, TimelineItem};
use crate::{App, AppError, AppResult, Caller, caller::Action};

/// A viewer counts as present when seen this recently.
pub const PRESENT_FOR: Duration = Duration::seconds(30);
/// Cases one bulk action reaches at most.
pub const MAX_BULK: usize = 100;

/// Another team member who has the case open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Present {
    /// Who.
    pub agent_id: AgentId,
    /// Their name.
    pub name: String,
}

/// The signed-in member a desk aid is for; other callers have no desk.
fn member(caller: &Caller) -> AppResult<(AgentId, &str)> {
    match caller {
        Caller::Member { agent_id, name, .. } => Ok((*agent_id, name.as_str())),
        _ => Err(AppError::forbidden("the desk's aids are for signed-in team members")),
    }
}

/// Records that the caller has the case open now and returns the other members present.
pub async fn see_case(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<Vec<Present>> {
    let store_id = caller.require(Action::Read)?;
    let (me, name) = member(caller)?;
    cases::case(app, caller, case_id).await?;
    let now = app.now();
    let desk = app.storage().desk();
    desk.see_case(store_id, case_id, (me, name), now).await?;
    present(app, caller, case_id).await
}

/// The other members present on a case (seen in the last [`PRESENT_FOR`]), without recording
/// the caller; the case itself is the caller's to read.
pub async fn present(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<Vec<Present>> {
    let store_id = caller.require(Action::Read)?;
    let (me, _) = member(caller)?;
    let viewers = app.storage().desk().viewers(store_id, case_id, app.now() - PRESENT_FOR).await?;
    Ok(viewers
        .into_iter()
        .filter(|v| v.agent_id != me)
        .map(|v| Present { agent_id: v.agent_id, name: v.name })
        .collect())
}

/// The case's timeline entries after position `seen` made by someone other than the caller
/// (Redress's own bookkeeping left out): what an agent who last looked at `seen` has missed.
pub async fn changes_since(app: &App, caller: &Caller, case_id: CaseId, seen: i64) -> AppResult<Vec<TimelineItem>> {
    let me = caller.actor();
    let view = cases::view(app, caller, case_id).await?;
    Ok(view.timeline.into_iter().filter(|e| e.seq > seen && e.actor != me && e.actor != Actor::System).collect())
}

/// How many of the caller's store's cases changed after timeline position `after`, and the
/// position to count from next.
pub async fn store_changes(app: &App, caller: &Caller, after: i64) -> AppResult<(u32, i64)> {
    let store_id = caller.require(Action::Read)?;
    member(caller)?;
    let changes = app.storage().desk().store_changes(store_id, after).await?;
    Ok((changes.cases, changes.last_seq))
}

/// A macro as written in the desk's settings or through the API.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MacroInput {
    /// Its name, unique in the store.
    pub name: String,
    /// The reply per language (`en`, `es`, `pt`, `pl`, `id`); blank ones are left out, one at
    /// least. Variables: `{customer_name}`, `{order_number}`, `{tracking_number}`,
    /// `{agent_name}`, `{case_number}`.
    pub bodies: BTreeMap<String, String>,
    /// What sending it also does.
    #[serde(default)]
    pub action: Option<MacroAction>,
}

/// The store's macros, by name.
pub async fn macros(app: &App, caller: &Caller) -> AppResult<Vec<Macro>> {
    let store_id = caller.require(Action::Read)?;
    cases::staff_only(caller)?;
    Ok(app.storage().desk().macros(store_id).await?)
}

/// Saves a new macro (`id` `None`) or a macro's new text: leads and admins only.
pub async fn save_macro(app: &App, caller: &Caller, id: Option<Uuid>, input: MacroInput) -> AppResult<Macro> {
    let store_id = caller.require(Action::Approve)?;
    let desk = app.storage().desk();
    let existing = desk.macros(store_id).await?;
    let id = match id {
        Some(id) if existing.iter().any(|m| m.id == id) => id,
        Some(_) => return Err(AppError::not_found("macro")),
        None if existing.len() >= desk::MAX_MACROS => {
            return Err(AppError::invalid("name", format!("a store keeps at most {} macros", desk::MAX_MACROS)));
        }
        None => Uuid::new_v4(),
    };
    if existing.iter().any(|m| m.id != id && m.name.eq_ignore_ascii_case(input.name.trim())) {
        return Err(AppError::invalid("name", "another macro has this name"));
    }
    let saved = Macro::new((id, store_id), &input.name, input.bodies, input.action, app.now())?;
    desk.save_macro(&saved).await.map_err(|e| match e {
        redress_storage::StorageError::Conflict(redress_storage::Conflict::Duplicate(_)) => {
            AppError::invalid("name", "another macro has this name")
        }
        other => other.into(),
    })?;
    Ok(saved)
}

/// Removes a macro: leads and admins only.
pub async fn delete_macro(app: &App, caller: &Caller, id: Uuid) -> AppResult<()> {
    let store_id = caller.require(Action::Approve)?;
    if app.storage().desk().delete_macro(store_id, id).await? { Ok(()) } else { Err(AppError::not_found("macro")) }
}

/// A macro filled for one case, ready for the agent to read, change and send.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppliedMacro {
    /// The macro.
    pub r#macro: Macro,
    /// Its text in the case's language (or the fallback), variables filled.
    pub text: String,
    /// The variables the case has no value for: left out of the text, to be written by hand.
    pub missing: Vec<String>,
}

/// Fills a macro for a case: the body in the case's language (falling back to the store's
/// default language, then English), the variables from the case, its order and the caller.
pub async fn apply_macro(app: &App, caller: &Caller, case_id: CaseId, macro_id: Uuid) -> AppResult<AppliedMacro> {
    let store_id = caller.require(Action::WorkCases)?;
    cases::staff_only(caller)?;
    let found = app.storage().desk().macros(store_id).await?.into_iter().find(|m| m.id == macro_id);
    let found = found.ok_or_else(|| AppError::not_found("macro"))?;
    let case = cases::case(app, caller, case_id).await?;
    let store = app.storage().store(store_id).await?;
    let mut values: BTreeMap<&str, String> = BTreeMap::new();
    values.insert("case_number", case.number.0.to_string());
    if let Caller::Member { name, .. } = caller {
        values.insert("agent_name", name.clone());
    }
    if let Some(order_id) = case.order_id {
        let order = crate::orders::order(app, caller, &order_id.to_string()).await?;
        values.insert("order_number", order.number.as_str().to_owned());
        if let Some(tracking) = order.shipments.iter().rev().find_map(|s| s.tracking_number.clone()) {
            values.insert("tracking_number", tracking);
        }
        values.insert("customer_name", crate::orders::customer(app, caller, &order).await?.name);
    }
    let body = found.body_for(case.language.as_str(), store.default_language.as_str());
    let filled = desk::fill(body, &values);
    Ok(AppliedMacro { text: filled.text, missing: filled.missing, r#macro: found })
}

/// Carries out a macro's action on a case through the case's own use cases (the status
/// machine, the priority rules), on its timeline. A case already where the action would put
/// it is left as it is.
pub async fn run_action(app: &App, caller: &Caller, case_id: CaseId, action: MacroAction) -> AppResult<()> {
    let case = cases::case(app, caller, case_id).await?;
    match action {
        MacroAction::SetStatus { status } if case.status != status => {
            cases::change_status(app, caller, case_id, status).await?;
        }
        MacroAction::SetPriority { priority } if case.priority != priority => {
            cases::change_priority(app, caller, case_id, priority).await?;
        }
        _ => {}
    }
    Ok(())
}

/// What a bulk action does to each case chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BulkAction {
    /// Gives each case to a team member (by id), or takes them back with `None`.
    Assign(Option<String>),
    /// Moves each case to a status.
    Status(CaseStatus),
}

/// One case's outcome in a bulk action.
#[derive(Clone, Debug)]
pub struct BulkOutcome {
    /// The case.
    pub case_id: CaseId,
    /// Its number, when it could be read.
    pub number: Option<u64>,
    /// Done, or why not.
    pub result: AppResult<()>,
}

/// Carries out an action on each case through its own use case, each on its own timeline; one
/// refusal leaves the others done. The assignee is checked against the team once, before any
/// case changes.
pub async fn bulk(app: &App, caller: &Caller, case_ids: &[CaseId], action: BulkAction) -> AppResult<Vec<BulkOutcome>> {
    caller.require(Action::WorkCases)?;
    cases::staff_only(caller)?;
    if case_ids.is_empty() {
        return Err(AppError::invalid("cases", "choose at least one case"));
    }
    if case_ids.len() > MAX_BULK {
        return Err(AppError::invalid("cases", format!("at most {MAX_BULK} cases at once")));
    }
    if let BulkAction::Assign(Some(to)) = &action {
        cases::team_member(app, caller, to).await?;
    }
    let mut outcomes = Vec::with_capacity(case_ids.len());
    for &case_id in case_ids {
        let number = cases::case(app, caller, case_id).await.ok().map(|c| c.number.0);
        let result = match &action {
            BulkAction::Assign(to) => cases::assign(app, caller, case_id, to.as_deref()).await.map(|_| ()),
            BulkAction::Status(status) => cases::change_status(app, caller, case_id, *status).await.map(|_| ()),
        };
        outcomes.push(BulkOutcome { case_id, number, result });
    }
    Ok(outcomes)
}

/// Saves the inbox's current filters under a name, the caller's own or (leads and admins) the
/// whole team's.
pub async fn save_view(app: &App, caller: &Caller, name: &str, query: &str, for_team: bool) -> AppResult<SavedView> {
    let store_id = caller.require(if for_team { Action::Approve } else { Action::Read })?;
    let (me, _) = member(caller)?;
    let view = SavedView::new((Uuid::new_v4(), store_id), (!for_team).then_some(me), name, query)?;
    app.storage().desk().save_view(&view).await?;
    Ok(view)
}

/// The views the caller sees: their own and the team's.
pub async fn views(app: &App, caller: &Caller) -> AppResult<Vec<SavedView>> {
    let store_id = caller.require(Action::Read)?;
    let (me, _) = member(caller)?;
    Ok(app.storage().desk().views(store_id, me).await?)
}

/// Removes one of the caller's views, or (leads and admins) a team view.
pub async fn delete_view(app: &App, caller: &Caller, id: Uuid) -> AppResult<()> {
    let store_id = caller.require(Action::Read)?;
    let (me, _) = member(caller)?;
    let view = app.storage().desk().views(store_id, me).await?.into_iter().find(|v| v.id == id);
    match view {
        None => Err(AppError::not_found("view")),
        Some(view) if view.agent_id.is_none() && caller.require(Action::Approve).is_err() => {
            Err(AppError::forbidden("a team view is removed by a team lead or an admin"))
        }
        Some(_) => {
            app.storage().desk().delete_view(store_id, id, me).await?;
            Ok(())
        }
    }
}
