//! The resolution engine's use cases: the options for a case, carrying out a remedy, amending
//! an order before it ships, a return's lifecycle, fault, and the store's policy.
//!
//! Every write goes through [`redress_storage::Storage::resolve_case`] with a planner from the
//! domain ([`redress_domain::remedy::plan_remedy`], [`redress_domain::return_step`], the
//! amendment rules), so the case, its timeline, the order, returns, claims and refunds change
//! together or not at all. Writes that move money or goods take a [`RequestKey`].

use std::collections::BTreeMap;

use redress_domain::amendment::{Amendment, amend};
use redress_domain::claim::Claim;
use redress_domain::decision::{
    CaseFacts, CustomerHistory, Decision, LineQuantity, PastCase, ReplayChange, decide, replay,
};
use redress_domain::given::Given;
use redress_domain::policy::Policy;
use redress_domain::remedy::{RemedyMoney, RemedyRequest, amendment_entry, plan_remedy};
use redress_domain::resolution::{Resolution, ResolutionContext, ResolutionError};
use redress_domain::return_step::{ReturnAction, UNKNOWN_RETURN, plan_return_step};
use redress_domain::returns::{ExchangeItem, NewReturn, RequestedLine, ReturnAuthorisation};
use redress_domain::{
    Case, CaseEvent, CaseId, CaseStatus, ClaimId, Fault, LanguageTag, Money, Order, RefundId, ReturnId, StoreId,
};
use redress_storage::{CaseFilter, StoredPolicy, StoredResolution};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::caller::{Action, Caller};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::idempotency::{Answer, Replayed, RequestKey, fingerprint, once, refund_key_base};
use crate::money::{RefundView, approval_policy, carry_out_refunds};
use crate::{App, new_id, parse_id};

/// The store's policy in force: its own latest version, or the default shipped with Redress.
pub async fn policy_in_force(app: &App, store_id: StoreId) -> AppResult<Policy> {
    Ok(app.storage().policy(store_id).await?.map_or_else(Policy::standard, |p| p.policy))
}

/// The customer's history, not counting the case in hand.
async fn history_of(app: &App, case: &Case, now: OffsetDateTime) -> AppResult<CustomerHistory> {
    let Some(customer_id) = case.customer_id else { return Ok(CustomerHistory::default()) };
    let mut history = app.storage().customer_history(case.store_id, customer_id, now).await?;
    history.cases_last_90_days = history.cases_last_90_days.saturating_sub(1);
    Ok(history)
}

/// The case, which the caller may see.
pub(crate) async fn visible_case(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<Case> {
    let case = app.storage().case(caller.store_id()?, case_id).await?;
    caller.may_see(&case)?;
    Ok(case)
}

/// What the customer or agent adds to what the order says, for the options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionsRequest {
    /// The lines concerned; the lines the case was opened with, else the whole order, if none.
    pub lines: Option<Vec<LineQuantity>>,
    /// The customer has sent photos.
    pub photos_provided: bool,
    /// The carrier can stop a parcel in transit.
    pub carrier_allows_intercept: bool,
    /// The language to explain the reasons in; the customer's by default (an agent reads the
    /// reasons in their own language).
    pub language: Option<LanguageTag>,
}

/// What can be done about a case now: the remedies on offer (leaving out what was already
/// given), the one recommended, the amounts and the rules that produced them. Reads only.
pub async fn options(app: &App, caller: &Caller, case_id: CaseId, request: OptionsRequest) -> AppResult<Decision> {
    caller.require(Action::Read)?;
    let case = visible_case(app, caller, case_id).await?;
    let order = match case.order_id {
        Some(id) => Some(app.storage().order(case.store_id, id).await?),
        None => None,
    };
    let given = match &order {
        Some(order) => {
            let storage = app.storage();
            let (returns, refunds) = tokio::try_join!(
                storage.returns_of_order(case.store_id, order.id),
                storage.money().refunds_of_order(case.store_id, order.id)
            )?;
            let claims = storage.claims_of_order(case.store_id, order.id).await?;
            Given::of(order.id, &returns, &claims, &refunds).for_case(case.id)
        }
        None => Given::default(),
    };
    let facts = CaseFacts {
        kind: case.kind,
        lines: request.lines.unwrap_or_else(|| case.lines.clone()),
        photos_provided: request.photos_provided,
        carrier_allows_intercept: request.carrier_allows_intercept,
        language: request.language.unwrap_or_else(|| case.language.clone()),
    };
    let now = app.now();
    let policy = policy_in_force(app, case.store_id).await?;
    let history = history_of(app, &case, now).await?;
    Ok(decide(&facts, order.as_ref(), &policy, &history, &given, now).map_err(ResolutionError::from)?)
}

/// What carrying out a remedy did.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RemedyOutcome {
    /// The case as it now is.
    pub case: Case,
    /// The decision the remedy was chosen from.
    pub decision: Decision,
    /// Returns opened.
    pub returns: Vec<ReturnAuthorisation>,
    /// Claims filed.
    pub claims: Vec<Claim>,
    /// The order, if the remedy changed it (a cancellation).
    pub order: Option<Order>,
    /// The refunds the remedy asked for, carried out like any refund: at once within the
    /// approval limit, otherwise waiting for a second person.
    pub refunds: Vec<RefundView>,
}

impl Answer for RemedyOutcome {
    fn status(&self) -> u16 {
        201
    }
}

/// Carries out a remedy the options offer, as the caller: opens a return, files a claim,
/// cancels the order, or asks for the money it moves, with the decision and the fault on the
/// timeline. A remedy the policy offers only with approval goes ahead pending a second person:
/// its refunds wait in the approvals queue, its return waits to be approved. For an exchange,
/// `replacements` is what the customer chose instead. The same key again answers with the
/// first answer and never gives twice.
pub async fn carry_out_remedy(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    (request, replacements): (RemedyRequest, Vec<ExchangeItem>),
    key: &RequestKey,
) -> AppResult<Replayed<RemedyOutcome>> {
    let store_id = caller.require(Action::Resolve)?;
    let requested_by = caller.person()?;
    let actor = caller.actor();
    once(
        app,
        caller,
        key,
        fingerprint("carry_out_remedy", caller, &(case_id, &request, &replacements))?,
        |reservation| async move {
            let case = visible_case(app, caller, case_id).await?;
            let now = app.now();
            let policy = policy_in_force(app, store_id).await?;
            let history = history_of(app, &case, now).await?;
            let money = RemedyMoney {
                claim_id: new_id(ClaimId::from_uuid),
                return_id: new_id(ReturnId::from_uuid),
                approval: approval_policy(app, store_id).await?,
                requested_by,
                key_base: refund_key_base("remedy", case_id, key),
                refund_ids: [new_id(RefundId::from_uuid), new_id(RefundId::from_uuid)],
            };
            let (tx, rx) = std::sync::mpsc::channel();
            let stored = app
                .storage()
                .resolve_case(
                    store_id,
                    case_id,
                    Some(reservation),
                    Box::new(move |ctx: &ResolutionContext| {
                        let (resolution, decision) =
                            plan_remedy(ctx, (&request, &replacements), &policy, &history, &actor, &money, now)?;
                        // The decision leaves with the plan; the channel only carries it out of the step.
                        let _ = tx.send(decision);
                        Ok(resolution)
                    }),
                )
                .await?;
            let decision = rx.try_recv().map_err(|_| AppError::internal("the decision was not kept"))?;
            let order = match (&stored.order, case.order_id) {
                (Some(order), _) => Some(order.clone()),
                (None, Some(id)) if !stored.refunds.is_empty() => Some(app.storage().order(store_id, id).await?),
                _ => None,
            };
            let refunds = match &order {
                Some(order) => carry_out_refunds(app, order, stored.refunds.clone()).await?,
                None => Vec::new(),
            };
            let StoredResolution { case, returns, claims, order, .. } = stored;
            Ok(RemedyOutcome { case, decision, returns, claims, order, refunds })
        },
    )
    .await
}

/// An amendment to the case's order.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AmendmentRequest {
    /// The change.
    pub amendment: Amendment,
    /// Units in stock per SKU, as the shop's stock system reports them, for swaps and larger quantities.
    #[serde(default)]
    pub stock: BTreeMap<String, u32>,
    /// The carrier can stop a parcel in transit (offered as an alternative when it is too late).
    #[serde(default)]
    pub carrier_allows_intercept: bool,
}

/// An order after an amendment.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmendmentOutcome {
    /// The case.
    pub case: Case,
    /// The order as it now is.
    pub order: Order,
    /// The changed part before, in words.
    pub before: String,
    /// The changed part after, in words.
    pub after: String,
    /// What the customer owes (positive) or is owed (negative), for the money layer to settle.
    pub difference: Money,
}

impl Answer for AmendmentOutcome {}

/// Amends the case's order before it ships, as the caller (a customer only their own): address,
/// variant (with a stock check), quantity, billing details, cancel a line or the whole order.
/// Once the carrier has it, refused with `too_late_to_amend`, the reason in the customer's
/// language and the alternatives.
pub async fn amend_order(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    input: AmendmentRequest,
    key: &RequestKey,
) -> AppResult<Replayed<AmendmentOutcome>> {
    let store_id = caller.require(Action::Resolve)?;
    let actor = caller.actor();
    once(app, caller, key, fingerprint("amend_order", caller, &(case_id, &input))?, |reservation| async move {
        visible_case(app, caller, case_id).await?;
        let policy = policy_in_force(app, store_id).await?;
        let now = app.now();
        let stored = app
            .storage()
            .resolve_case(
                store_id,
                case_id,
                Some(reservation),
                Box::new(move |ctx: &ResolutionContext| {
                    let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
                    let amended = amend(
                        order,
                        &input.amendment,
                        &policy,
                        &input.stock,
                        input.carrier_allows_intercept,
                        &ctx.case.language,
                        now,
                    )
                    .map_err(|e| match e {
                        redress_domain::amendment::AmendmentError::Invalid(v) => {
                            ResolutionError::Invalid(v.within("amendment"))
                        }
                        other => other.into(),
                    })?;
                    let entry = amendment_entry(order, &amended, &actor, now);
                    let change = ctx.case.record(vec![entry], now).moving_to(CaseStatus::Resolved, &actor, now);
                    Ok(Resolution { order: Some(amended.order), ..Resolution::of(change) })
                }),
            )
            .await?;
        let order = stored.order.ok_or_else(|| AppError::internal("the amended order was not returned"))?;
        let (before, after, difference) = stored
            .entries
            .iter()
            .find_map(|e| match &e.entry.event {
                CaseEvent::OrderAmended { before, after, difference, .. } => {
                    Some((before.clone(), after.clone(), *difference))
                }
                _ => None,
            })
            .ok_or_else(|| AppError::internal("the amendment was not recorded"))?;
        crate::platforms::tell_now(app, store_id, stored.case.id, &stored.entries).await;
        Ok(AmendmentOutcome { case: stored.case, order, before, after, difference })
    })
    .await
}

/// A return to request, line by line.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// What comes back, with the reason for each line.
    pub lines: Vec<RequestedLine>,
}

/// A return and the case it belongs to.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnOutcome {
    /// The case.
    pub case: Case,
    /// The return.
    #[serde(rename = "return")]
    pub rma: ReturnAuthorisation,
    /// The refund a settlement asked for (refund or credit), carried out like any refund.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refunds: Vec<RefundView>,
}

impl Answer for ReturnOutcome {}

/// A newly requested return: answered `201`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NewReturnOutcome(pub ReturnOutcome);

impl Answer for NewReturnOutcome {
    fn status(&self) -> u16 {
        201
    }
}

fn one_return(stored: StoredResolution) -> AppResult<ReturnOutcome> {
    let rma = stored.returns.into_iter().next().ok_or_else(|| AppError::internal("the return was not written"))?;
    Ok(ReturnOutcome { case: stored.case, rma, refunds: Vec::new() })
}

/// Requests a return of delivered lines, each with its reason and quantity; it waits in
/// `requested` for approval.
pub async fn request_return(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    input: ReturnRequest,
    key: &RequestKey,
) -> AppResult<Replayed<NewReturnOutcome>> {
    let store_id = caller.require(Action::Resolve)?;
    let actor = caller.actor();
    let return_id = new_id(ReturnId::from_uuid);
    once(app, caller, key, fingerprint("request_return", caller, &(case_id, &input))?, |reservation| async move {
        visible_case(app, caller, case_id).await?;
        let now = app.now();
        let lines = input.lines;
        let stored = app
            .storage()
            .resolve_case(
                store_id,
                case_id,
                Some(reservation),
                Box::new(move |ctx: &ResolutionContext| {
                    let order = ctx.order.as_ref().ok_or(ResolutionError::NoOrder)?;
                    let new = NewReturn { id: return_id, case_id: ctx.case.id, lines, fault: ctx.case.fault.case };
                    let change = ReturnAuthorisation::request(new, order, &ctx.returns, &actor, now)?;
                    Ok(Resolution { returns: vec![change.rma], ..Resolution::of(ctx.case.record(change.entries, now)) })
                }),
            )
            .await?;
        Ok(NewReturnOutcome(one_return(stored)?))
    })
    .await
}

/// A case's returns and claims.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReturnsAndClaims {
    /// Returns, oldest first.
    pub returns: Vec<ReturnAuthorisation>,
    /// Claims, oldest first.
    pub claims: Vec<Claim>,
}

/// A case's returns and claims.
pub async fn returns(app: &App, caller: &Caller, case_id: CaseId) -> AppResult<ReturnsAndClaims> {
    caller.require(Action::Read)?;
    let case = visible_case(app, caller, case_id).await?;
    let storage = app.storage();
    let (returns, claims) = tokio::try_join!(
        storage.returns_of_case(case.store_id, case.id),
        storage.claims_of_case(case.store_id, case.id)
    )?;
    Ok(ReturnsAndClaims { returns, claims })
}

/// Moves a return through its lifecycle, as the caller: approve (a return waiting for a
/// second person needs a lead who did not ask for it) or reject, issue label, in transit,
/// receive, inspect each line, then refund, exchange, credit or close; cancel before receipt
/// (the only step a customer takes). Refunding or crediting asks for the money in the same
/// transaction and carries it out like any refund.
pub async fn move_return(
    app: &App,
    caller: &Caller,
    (case_id, return_id): (CaseId, &str),
    action: ReturnAction,
    key: &RequestKey,
) -> AppResult<Replayed<ReturnOutcome>> {
    let store_id = caller.require(Action::Resolve)?;
    if caller.is_customer() && !matches!(action, ReturnAction::Cancel { .. }) {
        return Err(AppError::forbidden("the shop's team moves a return on; a customer can call it off"));
    }
    let return_id: ReturnId = parse_id(return_id, "return")?;
    let requested_by = caller.person()?;
    let actor = caller.actor();
    once(
        app,
        caller,
        key,
        fingerprint("move_return", caller, &(case_id, return_id, &action))?,
        |reservation| async move {
            let case = visible_case(app, caller, case_id).await?;
            let policy = policy_in_force(app, store_id).await?;
            let money = RemedyMoney {
                claim_id: new_id(ClaimId::from_uuid),
                return_id,
                approval: approval_policy(app, store_id).await?,
                requested_by,
                key_base: refund_key_base("return", case_id, key),
                refund_ids: [new_id(RefundId::from_uuid), new_id(RefundId::from_uuid)],
            };
            let now = app.now();
            let stored = app
                .storage()
                .resolve_case(
                    store_id,
                    case_id,
                    Some(reservation),
                    Box::new(move |ctx: &ResolutionContext| {
                        plan_return_step(ctx, return_id, action, &policy, &actor, &money, now)
                    }),
                )
                .await
                .map_err(|e| match e {
                    redress_storage::StorageError::Resolution(ResolutionError::Invalid(v))
                        if v.field == UNKNOWN_RETURN =>
                    {
                        AppError::not_found("return")
                    }
                    other => other.into(),
                })?;
            let refunds = match (stored.refunds.is_empty(), case.order_id) {
                (false, Some(order_id)) => {
                    let order = app.storage().order(store_id, order_id).await?;
                    carry_out_refunds(app, &order, stored.refunds.clone()).await?
                }
                _ => Vec::new(),
            };
            Ok(ReturnOutcome { refunds, ..one_return(stored)? })
        },
    )
    .await
}

/// A change of fault, by a person, with a note.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FaultChange {
    /// The line's SKU; absent for the whole case.
    #[serde(default)]
    pub sku: Option<String>,
    /// Who caused it.
    pub fault: Fault,
    /// Why; required.
    pub note: String,
}

/// A case after a change, as answered.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChangedCase(pub Case);

impl Answer for ChangedCase {}

/// Changes who is at fault, for the case or one line, with a note saying why. Fault decides who
/// pays return shipping and whether compensation is offered.
pub async fn change_fault(
    app: &App,
    caller: &Caller,
    case_id: CaseId,
    input: FaultChange,
    key: &RequestKey,
) -> AppResult<Replayed<ChangedCase>> {
    let store_id = caller.require(Action::WorkCases)?;
    if caller.is_customer() {
        return Err(AppError::forbidden("the shop's team judges fault"));
    }
    let actor = caller.actor();
    let now = app.now();
    once(app, caller, key, fingerprint("change_fault", caller, &(case_id, &input))?, |reservation| async move {
        let stored = app
            .storage()
            .resolve_case(
                store_id,
                case_id,
                Some(reservation),
                Box::new(move |ctx: &ResolutionContext| {
                    if let Some(sku) = &input.sku
                        && !ctx.order.as_ref().is_some_and(|o| o.lines.iter().any(|l| l.sku == *sku))
                    {
                        return Err(redress_domain::ValidationError::new(
                            "sku",
                            format!("`{sku}` is not on the case's order"),
                        )
                        .into());
                    }
                    let change = ctx.case.change_fault(input.sku.as_deref(), input.fault, &input.note, &actor, now)?;
                    Ok(Resolution::of(change))
                }),
            )
            .await?;
        Ok(ChangedCase(stored.case))
    })
    .await
}

/// A store's policy.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyView {
    /// The policy in force.
    pub policy: Policy,
    /// Its TOML document.
    pub source: String,
    /// True when the store has saved none and the default applies.
    pub default: bool,
}

/// The store's policy in force, parsed and as written.
pub async fn policy(app: &App, caller: &Caller) -> AppResult<PolicyView> {
    let store_id = caller.require(Action::Read)?;
    Ok(match app.storage().policy(store_id).await? {
        Some(stored) => PolicyView { policy: stored.policy, source: stored.source, default: false },
        None => PolicyView {
            policy: Policy::standard(),
            source: redress_domain::policy::STANDARD_POLICY_TOML.to_owned(),
            default: true,
        },
    })
}

/// A policy document.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyDocument {
    /// The TOML document; see the default with GET /api/v1/policy. Or leave it out and name a preset.
    #[serde(default)]
    pub source: Option<String>,
    /// `default` or `eu_withdrawal`, instead of a document.
    #[serde(default)]
    pub preset: Option<String>,
    /// The version in force the document was edited from. When given and another version was
    /// saved meanwhile, the save is refused (`changed_meanwhile`) instead of overwriting it.
    #[serde(default)]
    pub based_on: Option<u32>,
}

/// The longest policy document accepted.
pub const MAX_POLICY_BYTES: usize = 64 * 1024;

fn read_policy(document: &PolicyDocument) -> AppResult<(Policy, String)> {
    let source = match (&document.source, document.preset.as_deref()) {
        (Some(source), None) => source.clone(),
        (None, Some("default")) => redress_domain::policy::STANDARD_POLICY_TOML.to_owned(),
        (None, Some("eu_withdrawal")) => redress_domain::policy::EU_WITHDRAWAL_TOML.to_owned(),
        (None, Some(other)) => {
            return Err(AppError::new(
                ErrorCode::UnknownValue,
                format!("`{other}` is not a preset; use default or eu_withdrawal"),
            )
            .at("preset"));
        }
        _ => return Err(AppError::invalid("source", "give either a `source` document or a `preset`")),
    };
    if source.len() > MAX_POLICY_BYTES {
        return Err(AppError::invalid("source", format!("keep the policy under {} KB", MAX_POLICY_BYTES / 1024)));
    }
    let policy = Policy::from_toml(&source).map_err(|e| AppError::invalid("source", e.to_string()))?;
    Ok((policy, source))
}

/// `source` with its top-level `version = …` line set to `version` (added when missing), so the
/// document kept says which version it is.
fn numbered(source: &str, version: u32) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut set = false;
    let mut in_table = false;
    for line in source.lines() {
        let trimmed = line.trim_start();
        in_table |= trimmed.starts_with('[');
        let is_version =
            !in_table && trimmed.strip_prefix("version").is_some_and(|rest| rest.trim_start().starts_with('='));
        if is_version && !set {
            out.push_str(&format!("version = {version}"));
            set = true;
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    if set { out } else { format!("version = {version}\n{out}") }
}

/// Saves a new version of the store's policy, as an admin. The document is checked on load
/// (errors name the line and the field); Redress numbers the versions: each save is the one
/// after the version in force (Redress's default counting as one), whatever the document
/// said, so a document saved unchanged can never go live under the same number.
pub async fn save_policy(app: &App, caller: &Caller, document: PolicyDocument) -> AppResult<PolicyView> {
    let store_id = caller.require(Action::ManageSettings)?;
    let (_, source) = read_policy(&document)?;
    let in_force = policy_in_force(app, store_id).await?.version;
    if let Some(based_on) = document.based_on
        && based_on != in_force
    {
        return Err(AppError::new(
            ErrorCode::ChangedMeanwhile,
            format!(
                "version {in_force} was saved while you edited version {based_on}; \
                 open the policy again and make your change on version {in_force}"
            ),
        )
        .at("based_on"));
    }
    let next = in_force.saturating_add(1);
    let source = numbered(&source, next);
    let policy = Policy::from_toml(&source).map_err(|e| AppError::invalid("source", e.to_string()))?;
    let stored = StoredPolicy { policy: policy.clone(), source: source.clone(), saved_at: app.now() };
    app.storage().save_policy(store_id, &stored).await?;
    Ok(PolicyView { policy, source, default: false })
}

/// What a proposed policy would change.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRun {
    /// Cases replayed.
    pub cases_replayed: usize,
    /// The cases whose decision would change.
    pub changes: Vec<ReplayChange>,
}

/// Dry run: replays a proposed policy against the store's latest 500 cases (with their orders
/// as they are now, at the time each case was opened) and reports the decisions that would
/// change. Nothing is saved or carried out.
pub async fn dry_run(app: &App, caller: &Caller, document: PolicyDocument) -> AppResult<DryRun> {
    let store_id = caller.require(Action::ManageSettings)?;
    let (proposed, _) = read_policy(&document)?;
    let current = policy_in_force(app, store_id).await?;
    let storage = app.storage();
    let page = storage.cases(store_id, &CaseFilter::default(), None, 500).await?;
    let mut past = Vec::with_capacity(page.cases.len());
    for case in page.cases {
        let order = match case.order_id {
            Some(id) => Some(storage.order(store_id, id).await?),
            None => None,
        };
        past.push(PastCase {
            case_id: case.id,
            facts: CaseFacts {
                kind: case.kind,
                lines: vec![],
                photos_provided: false,
                carrier_allows_intercept: false,
                language: case.language.clone(),
            },
            order,
            history: CustomerHistory::default(),
            decided_at: case.created_at,
        });
    }
    let changes = replay(&current, &proposed, &past).map_err(ResolutionError::from)?;
    Ok(DryRun { cases_replayed: past.len(), changes })
}

/// Why an amendment of the order would be refused now, without writing anything: what the
/// portal and the assistant check before opening a case for it. `None` when it would go
/// through.
pub async fn amendment_refusal(
    app: &App,
    caller: &Caller,
    order: &Order,
    amendment: &Amendment,
    language: &LanguageTag,
) -> AppResult<Option<AppError>> {
    let store_id = caller.require(Action::Read)?;
    if order.store_id != store_id {
        return Err(AppError::not_found("order"));
    }
    let policy = policy_in_force(app, store_id).await?;
    Ok(amend(order, amendment, &policy, &BTreeMap::new(), false, language, app.now())
        .err()
        .map(|e| AppError::from(ResolutionError::from(e))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redress_numbers_the_versions() {
        let source = "id = \"x\"\nversion = 1\nname = \"n\"\n[returns]\nversion = 3\n";
        assert_eq!(numbered(source, 7), "id = \"x\"\nversion = 7\nname = \"n\"\n[returns]\nversion = 3\n");
        assert_eq!(numbered("id = \"x\"\n", 2), "version = 2\nid = \"x\"\n");
    }
}
