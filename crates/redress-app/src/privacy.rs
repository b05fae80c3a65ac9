//! Customers' personal data (the shops' GDPR duties): export everything held about a customer,
//! erase it, and the retention pass erasing cases over for longer than the policy keeps them.
//!
//! Who may: exporting is an admin's or an integration key's (the shop's own tooling answering
//! an access request); erasing cannot be undone and is an admin's alone, signed in or with a
//! personal key ([`Action::ErasePersonalData`]). What is personal and what erasing keeps is
//! the domain's ([`redress_domain::privacy`]); storage loads and writes.

use std::sync::Arc;

use redress_domain::assistant::Conversation;
use redress_domain::dispute::Dispute;
use redress_domain::privacy::{ErasureReason, plan_erasure, retention_cutoff};
use redress_domain::refund::{Refund, StoreCredit};
use redress_domain::returns::ReturnAuthorisation;
use redress_domain::{Actor, Case, CaseId, Customer, CustomerId, EmailAddress, Message, Order, StoreId, TimelineEntry};
use redress_storage::privacy::ErasureScope;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::caller::{Action, Caller, SystemRule};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::idempotency::{self, Answer, Replayed, RequestKey};
use crate::{App, parse_id};

/// Cases an export holds at most, newest first; past it the export says `truncated` and the
/// rest are reached case by case through the API (`GET /api/v1/cases/{id}`).
pub const MAX_EXPORT_CASES: u32 = 200;
/// Orders an export holds at most, newest first.
pub const MAX_EXPORT_ORDERS: usize = 200;
/// The assistant's conversations an export holds at most.
pub const MAX_EXPORT_CONVERSATIONS: u32 = 100;
/// Cases the retention pass reads at once.
const RETENTION_BATCH: u32 = 100;

/// The export's format, so a reader knows what it holds.
pub const EXPORT_FORMAT: &str = "redress.customer-export.v1";

/// A contact identity of the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentityExport {
    /// `email`, `phone`, `whatsapp`, `messenger`, `instagram` or `telegram`.
    pub kind: String,
    /// The address, number or id.
    pub value: String,
    /// When it was linked.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub linked_at: OffsetDateTime,
}

/// A photo sent with a case: what is known of it (the file itself is fetched from the case).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentExport {
    /// Its id.
    pub id: uuid::Uuid,
    /// The file name as sent.
    pub filename: String,
    /// Its type.
    pub content_type: String,
    /// Its size in bytes.
    pub size_bytes: u64,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: OffsetDateTime,
}

/// The customer's answer to a case's survey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SurveyExport {
    /// From 1 to 5, once answered.
    pub score: Option<u8>,
    /// Their words, if any.
    pub comment: Option<String>,
}

/// One case with what hangs on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseExport {
    /// The case.
    pub case: Case,
    /// Its messages, oldest first.
    pub messages: Vec<Message>,
    /// Its timeline, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Its photos' metadata.
    pub attachments: Vec<AttachmentExport>,
    /// Its bank disputes.
    pub disputes: Vec<Dispute>,
    /// The satisfaction survey, if one was sent.
    pub survey: Option<SurveyExport>,
}

/// Everything a store holds about one customer, as one document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerExport {
    /// [`EXPORT_FORMAT`].
    pub format: String,
    /// When it was made.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub exported_at: OffsetDateTime,
    /// The customer.
    pub customer: Customer,
    /// Their email addresses, numbers and messaging ids.
    pub contact_identities: Vec<IdentityExport>,
    /// Their orders, newest first (at most [`MAX_EXPORT_ORDERS`]).
    pub orders: Vec<Order>,
    /// Their cases, newest first (at most [`MAX_EXPORT_CASES`]).
    pub cases: Vec<CaseExport>,
    /// Returns of their orders.
    pub returns: Vec<ReturnAuthorisation>,
    /// Refunds of their orders.
    pub refunds: Vec<Refund>,
    /// Their store credit.
    pub store_credit: Vec<StoreCredit>,
    /// The assistant's conversations about their cases and orders.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub assistant_conversations: Vec<Conversation>,
    /// True when the customer has more cases or orders than an export holds: the newest are
    /// here, the rest are read one by one.
    pub truncated: bool,
}

/// The customer an email address names.
pub async fn customer_by_email(app: &App, caller: &Caller, email: &str) -> AppResult<Customer> {
    let store_id = caller.require(Action::ExportPersonalData)?;
    let email = EmailAddress::parse(email).map_err(|e| AppError::invalid("email", e.problem))?;
    app.storage().customer_by_email(store_id, &email).await?.ok_or_else(|| AppError::not_found("customer"))
}

/// Everything the store holds about a customer.
pub async fn export(app: &App, caller: &Caller, customer_id: &str) -> AppResult<CustomerExport> {
    let store_id = caller.require(Action::ExportPersonalData)?;
    let customer_id: CustomerId = parse_id(customer_id, "customer")?;
    let storage = app.storage();
    let customer = storage.customer(store_id, customer_id).await?;
    let contact_identities = storage
        .privacy()
        .identities_of_customer(store_id, customer_id)
        .await?
        .into_iter()
        .map(|stored| IdentityExport {
            kind: stored.identity.kind.as_str().to_owned(),
            value: stored.identity.value,
            linked_at: stored.linked_at,
        })
        .collect();
    let mut orders = storage.orders_of_customer(store_id, customer_id).await?;
    let mut truncated = orders.len() > MAX_EXPORT_ORDERS;
    orders.truncate(MAX_EXPORT_ORDERS);
    let mut found = storage.privacy().cases_of_customer(store_id, customer_id, MAX_EXPORT_CASES + 1).await?;
    truncated |= found.len() > MAX_EXPORT_CASES as usize;
    found.truncate(MAX_EXPORT_CASES as usize);
    let mut cases = Vec::with_capacity(found.len());
    for case in found {
        cases.push(case_export(app, store_id, case).await?);
    }
    let (mut returns, mut refunds) = (Vec::new(), Vec::new());
    for order in &orders {
        returns.extend(storage.returns_of_order(store_id, order.id).await?);
        refunds.extend(storage.money().refunds_of_order(store_id, order.id).await?);
    }
    let case_ids: Vec<CaseId> = cases.iter().map(|c| c.case.id).collect();
    let order_ids: Vec<_> = orders.iter().map(|o| o.id).collect();
    let assistant_conversations =
        storage.privacy().conversations_of(store_id, &case_ids, &order_ids, MAX_EXPORT_CONVERSATIONS).await?;
    Ok(CustomerExport {
        format: EXPORT_FORMAT.to_owned(),
        exported_at: app.now(),
        customer,
        contact_identities,
        orders,
        cases,
        returns,
        refunds,
        store_credit: storage.money().store_credit(store_id, customer_id).await?,
        assistant_conversations,
        truncated,
    })
}

async fn case_export(app: &App, store_id: StoreId, case: Case) -> AppResult<CaseExport> {
    let storage = app.storage();
    let id = case.id;
    let attachments = storage
        .attachments_of_case(store_id, id)
        .await?
        .into_iter()
        .map(|a| AttachmentExport {
            id: a.id,
            filename: a.filename,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
            received_at: a.created_at,
        })
        .collect();
    let survey = storage
        .follow_through()
        .survey(store_id, id)
        .await?
        .map(|s| SurveyExport { score: s.score, comment: s.comment });
    Ok(CaseExport {
        messages: storage.messages(store_id, id).await?,
        timeline: storage.timeline(store_id, id).await?.into_iter().map(|r| r.entry).collect(),
        attachments,
        disputes: storage.money().disputes_of_case(store_id, id).await?,
        survey,
        case,
    })
}

/// What an erasure changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureOutcome {
    /// The customer.
    pub customer_id: CustomerId,
    /// Cases whose personal data was erased now (each has a `customer_erased` timeline entry).
    pub cases_erased: u32,
    /// Orders whose addresses were erased now.
    pub orders_erased: u32,
    /// False when nothing was left to erase (erased before).
    pub changed: bool,
}

impl Answer for ErasureOutcome {}

/// Erases a customer's personal data, once per `key`; erasing again changes nothing more.
/// Refused (`erasure_blocked`, nothing changed) while a refund to them is in flight or a
/// dispute about their payment is open.
pub async fn erase(
    app: &App,
    caller: &Caller,
    customer_id: &str,
    key: &RequestKey,
) -> AppResult<Replayed<ErasureOutcome>> {
    let store_id = caller.require(Action::ErasePersonalData)?;
    let customer_id: CustomerId = parse_id(customer_id, "customer")?;
    let fingerprint = idempotency::fingerprint("erase_customer", caller, &customer_id)?;
    idempotency::once(app, caller, key, fingerprint, |_| async move {
        let erasure =
            erase_scope(app, store_id, ErasureScope::Customer(customer_id), ErasureReason::Request, caller.actor())
                .await?;
        Ok(ErasureOutcome {
            customer_id,
            cases_erased: u32::try_from(erasure.cases.len()).unwrap_or(u32::MAX),
            orders_erased: u32::try_from(erasure.orders.len()).unwrap_or(u32::MAX),
            changed: !erasure.is_empty(),
        })
    })
    .await
}

/// The customer an admin is about to erase (the desk's confirmation page shows their address).
pub async fn customer_to_erase(app: &App, caller: &Caller, customer_id: &str) -> AppResult<Customer> {
    let store_id = caller.require(Action::ErasePersonalData)?;
    let customer_id: CustomerId = parse_id(customer_id, "customer")?;
    Ok(app.storage().customer(store_id, customer_id).await?)
}

/// [`erase`], once the person typed the customer's email address again (the desk's
/// confirmation): another address is `confirmation_mismatch` and changes nothing.
pub async fn erase_confirmed(
    app: &App,
    caller: &Caller,
    customer_id: &str,
    typed_email: &str,
    key: &RequestKey,
) -> AppResult<Replayed<ErasureOutcome>> {
    let customer = customer_to_erase(app, caller, customer_id).await?;
    if EmailAddress::parse(typed_email).ok().as_ref() != Some(&customer.email) {
        return Err(AppError::new(ErrorCode::ConfirmationMismatch, "type the customer's email address as shown")
            .at("confirm_email"));
    }
    erase(app, caller, customer_id, key).await
}

async fn erase_scope(
    app: &App,
    store_id: StoreId,
    scope: ErasureScope,
    reason: ErasureReason,
    actor: Actor,
) -> AppResult<redress_domain::privacy::Erasure> {
    let now = app.now();
    let plan =
        Box::new(move |subject: &redress_domain::privacy::ErasureSubject| plan_erasure(subject, reason, &actor, now));
    Ok(app.storage().privacy().erase(store_id, scope, plan, now).await?)
}

/// What a retention pass did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Cases erased.
    pub erased: u32,
    /// Cases left for a later pass (a refund in flight or a dispute open).
    pub held: u32,
}

/// One retention pass at `now` over every store whose policy sets `[privacy]
/// retention_months`: erases the personal data of cases resolved or closed with no change for
/// that long (and their customer's, when no other case of theirs is kept). Several servers may
/// run it at once: each erasure locks what it erases and erasing erased data changes nothing,
/// so a case raced for gets one `customer_erased` entry.
pub async fn apply_retention(app: &App, now: OffsetDateTime) -> AppResult<RetentionReport> {
    let mut report = RetentionReport::default();
    for store in app.storage().stores().await? {
        let Some(months) = crate::resolution::policy_in_force(app, store.id).await?.privacy.retention_months else {
            continue;
        };
        let caller = Caller::System { store_id: store.id, rule: SystemRule::Retention };
        caller.require(Action::ErasePersonalData)?;
        let cutoff = retention_cutoff(now, months);
        let mut after = None;
        loop {
            let due = app.storage().privacy().cases_past_retention(store.id, cutoff, after, RETENTION_BATCH).await?;
            let Some(last) = due.last() else { break };
            after = Some(*last);
            for case_id in due {
                let reason = ErasureReason::Retention { months };
                match erase_scope(app, store.id, ErasureScope::Case(case_id), reason, caller.actor()).await {
                    Ok(_) => report.erased += 1,
                    Err(e) if e.code == ErrorCode::ErasureBlocked => report.held += 1,
                    Err(e) => return Err(e),
                }
            }
        }
    }
    Ok(report)
}

/// Runs [`apply_retention`] every `every` until aborted, on the application's clock.
pub fn spawn_worker(app: Arc<App>, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match apply_retention(&app, app.now()).await {
                Ok(report) if report.erased > 0 || report.held > 0 => {
                    tracing::info!(erased = report.erased, held = report.held, "retention pass")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e.message, "the retention pass failed; trying again"),
            }
            tokio::time::sleep(every).await;
        }
    })
}
