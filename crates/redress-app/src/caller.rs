//! Who is calling, as authenticated, and what they may do. Adapters (the JSON API, the
//! portal, the desk, channels, workers) authenticate a request and hand the use case a
//! [`Caller`]; whether that caller may do the thing is decided here, once, from who they are,
//! never from anything in a request body.

use redress_domain::approval::{Person, Role};
use redress_domain::team::Agent;
use redress_domain::{Actor, AgentId, ApiKeyId, Case, OrderId, StoreId};

use crate::error::{AppError, AppResult};

/// Why Redress itself acts: the rule or worker, named on the timeline's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemRule {
    /// The payment provider's signed webhook (refund settled, dispute reported).
    PaymentProviderWebhook,
    /// The refund worker finishing or reconciling refunds.
    RefundWorker,
    /// The automatic first answer the policy allows.
    AutomaticAnswer,
    /// The demo seeding its sample shop.
    Demo,
    /// Anyone reading a store's public help page.
    PublicHelp,
    /// The operator's books check (`redress reconcile`): reads money, changes nothing.
    Reconciliation,
    /// Mail received for one of the store's support addresses (the SMTP receiver).
    MailReceiver,
    /// A messaging app's signed webhook, for an account the store receives on.
    MessagingWebhook,
    /// The store's shop platform (Shopify, WooCommerce), once its webhook's signature checked
    /// out against the store's secret, or the back-fill an admin started: reports orders.
    ShopPlatform,
    /// The operator's `redress import orders FILE.csv`: reports orders.
    CsvImport,
    /// The self-service assistant, before the customer proved they hold an order: records
    /// phishing reports and hands conversations to a person.
    Assistant,
    /// The retention pass erasing personal data of cases over for longer than the policy keeps it.
    Retention,
}

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The deployment's operator (the server's `--admin-key`): sets up stores.
    Operator,
    /// A shop's other system, through an integration API key: orders, cases and messages;
    /// never approvals or settings.
    Integration {
        /// The key's store.
        store_id: StoreId,
        /// The key.
        key_id: ApiKeyId,
        /// The key's label, named on the timeline.
        label: String,
    },
    /// A member of the shop's team, signed in to the desk or through their personal API key,
    /// with the role they hold now.
    Member {
        /// Their store.
        store_id: StoreId,
        /// Who they are.
        agent_id: AgentId,
        /// Their name, as on the timeline.
        name: String,
        /// Their role.
        role: Role,
    },
    /// A customer who proved they hold an order (a portal grant: order number and email, or a
    /// signed link).
    Customer {
        /// The order's store.
        store_id: StoreId,
        /// The order they hold.
        order_id: OrderId,
        /// How they are named on the timeline: the order's email.
        handle: String,
        /// The self-service assistant acts for them (named so on the timeline).
        through_assistant: bool,
    },
    /// Redress itself, acting for a store by a named rule.
    System {
        /// The store acted for.
        store_id: StoreId,
        /// The rule.
        rule: SystemRule,
    },
}

/// What a caller may be asked to be allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Read cases, orders, timelines and money views.
    Read,
    /// Open cases, add messages, change a case's status, priority, assignee or kind.
    WorkCases,
    /// Report orders as the shop's systems know them.
    ReportOrders,
    /// Carry out a remedy, amend an order, move a return, ask for a refund, spend store credit.
    Resolve,
    /// Record or move a bank dispute, submit evidence.
    Disputes,
    /// Approve or reject money waiting for a second person.
    Approve,
    /// Correct the books.
    CorrectLedger,
    /// Change the shop's settings: policy, team, keys, help articles.
    ManageSettings,
    /// Export everything held about a customer (their data protection request).
    ExportPersonalData,
    /// Erase a customer's personal data: irreversible, so an admin's alone.
    ErasePersonalData,
}

impl Caller {
    /// A signed-in team member.
    pub fn member(agent: &Agent) -> Self {
        Caller::Member { store_id: agent.store_id, agent_id: agent.id, name: agent.name.clone(), role: agent.role }
    }

    /// The store the caller acts for; the operator acts for none.
    pub fn store_id(&self) -> AppResult<StoreId> {
        match self {
            Caller::Operator => {
                Err(AppError::unauthorized("the operator key sets up stores; use one of the store's keys for its data"))
            }
            Caller::Integration { store_id, .. }
            | Caller::Member { store_id, .. }
            | Caller::Customer { store_id, .. }
            | Caller::System { store_id, .. } => Ok(*store_id),
        }
    }

    /// Checks the caller is the deployment's operator (who sets up stores).
    pub fn require_operator(&self) -> AppResult<()> {
        match self {
            Caller::Operator => Ok(()),
            _ => Err(AppError::unauthorized("this needs the operator key the server was started with")),
        }
    }

    /// Checks the caller may do `action` in its store and returns the store.
    pub fn require(&self, action: Action) -> AppResult<StoreId> {
        let allowed = match self {
            // The operator's key is not a store's key: refused as unknown credentials here.
            Caller::Operator => return self.store_id(),
            // A shop's other system answers customers' access requests (export), but erasing,
            // which cannot be undone, is like settings: an admin's, signed in or by personal key.
            Caller::Integration { .. } => matches!(
                action,
                Action::Read
                    | Action::WorkCases
                    | Action::ReportOrders
                    | Action::Resolve
                    | Action::Disputes
                    | Action::ExportPersonalData
            ),
            Caller::Member { role, .. } => match action {
                Action::ManageSettings | Action::ExportPersonalData | Action::ErasePersonalData => *role == Role::Owner,
                Action::CorrectLedger | Action::Approve => *role >= Role::TeamLead,
                Action::Read | Action::WorkCases | Action::ReportOrders | Action::Resolve | Action::Disputes => true,
            },
            // What a customer reaches is narrowed further to their own order by the use case.
            Caller::Customer { .. } => matches!(action, Action::Read | Action::WorkCases | Action::Resolve),
            Caller::System { rule, .. } => match rule {
                SystemRule::Demo => !matches!(action, Action::ExportPersonalData | Action::ErasePersonalData),
                SystemRule::Retention => matches!(action, Action::Read | Action::ErasePersonalData),
                SystemRule::PaymentProviderWebhook => {
                    matches!(action, Action::Read | Action::WorkCases | Action::Disputes | Action::Resolve)
                }
                SystemRule::RefundWorker => matches!(action, Action::Read | Action::Resolve),
                SystemRule::AutomaticAnswer => matches!(action, Action::Read | Action::WorkCases),
                SystemRule::PublicHelp => false,
                SystemRule::Reconciliation => matches!(action, Action::Read),
                SystemRule::MailReceiver | SystemRule::MessagingWebhook => {
                    matches!(action, Action::Read | Action::WorkCases)
                }
                SystemRule::ShopPlatform | SystemRule::CsvImport => {
                    matches!(action, Action::Read | Action::ReportOrders)
                }
                SystemRule::Assistant => matches!(action, Action::Read | Action::WorkCases),
            },
        };
        if !allowed {
            return Err(AppError::forbidden(self.refusal(action)));
        }
        self.store_id()
    }

    fn refusal(&self, action: Action) -> String {
        match (self, action) {
            (Caller::Integration { .. }, Action::Approve) => {
                "an integration key cannot approve: approving needs a second person, signed in or with their personal key".into()
            }
            (Caller::Integration { .. }, Action::ErasePersonalData) => {
                "an integration key cannot erase a customer: erasing cannot be undone and needs an admin's personal key".into()
            }
            (Caller::Integration { .. }, _) => {
                "an integration key works with orders, cases and messages; settings need an admin's personal key".into()
            }
            (Caller::Member { .. }, Action::ManageSettings) => "only an admin changes the shop's settings".into(),
            (Caller::Member { .. }, Action::ExportPersonalData | Action::ErasePersonalData) => {
                "only an admin exports or erases a customer's personal data".into()
            }
            (Caller::Member { .. }, _) => "this needs a team lead or an admin".into(),
            _ => "this caller may not do that".into(),
        }
    }

    /// Checks the caller may see `case`: a customer sees only cases about the order they hold.
    pub fn may_see(&self, case: &Case) -> AppResult<()> {
        match self {
            Caller::Customer { order_id, .. } if case.order_id != Some(*order_id) => Err(AppError::not_found("case")),
            _ => Ok(()),
        }
    }

    /// Who the timeline names for what this caller does.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::Operator => Actor::Integration { name: "operator".into() },
            Caller::Integration { label, .. } => Actor::Integration { name: label.clone() },
            Caller::Member { name, .. } => Actor::Agent { name: name.clone() },
            Caller::Customer { handle, through_assistant: true, .. } => Actor::Assistant { customer: handle.clone() },
            Caller::Customer { handle, .. } => Actor::Customer { handle: handle.clone() },
            Caller::System { .. } => Actor::System,
        }
    }

    /// The person asking for or deciding money, with their authenticated identity: a team
    /// member with their role, an integration key as an agent, a customer or Redress itself as
    /// an agent named for them.
    pub fn person(&self) -> AppResult<Person> {
        let (name, role, identity) = match self {
            Caller::Member { name, role, agent_id, .. } => (name.clone(), *role, format!("agent:{agent_id}")),
            Caller::Integration { label, key_id, .. } => (label.clone(), Role::Agent, format!("key:{key_id}")),
            Caller::Customer { handle, order_id, through_assistant, .. } => {
                let name = if *through_assistant { "assistant" } else { "customer portal" };
                (name.to_owned(), Role::Agent, format!("customer:{order_id}:{handle}"))
            }
            Caller::System { rule, .. } => ("Redress".to_owned(), Role::Agent, format!("system:{rule:?}")),
            Caller::Operator => ("operator".to_owned(), Role::Agent, "operator".to_owned()),
        };
        Ok(Person::new(&name, role)?.identified(identity))
    }

    /// True for a customer acting for themselves.
    pub fn is_customer(&self) -> bool {
        matches!(self, Caller::Customer { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn store() -> StoreId {
        StoreId::from_uuid(Uuid::from_u128(1))
    }

    fn member(role: Role) -> Caller {
        Caller::Member { store_id: store(), agent_id: AgentId::from_uuid(Uuid::from_u128(7)), name: "Ana".into(), role }
    }

    #[test]
    fn an_integration_key_never_approves_nor_changes_settings() {
        let key = Caller::Integration {
            store_id: store(),
            key_id: ApiKeyId::from_uuid(Uuid::from_u128(2)),
            label: "sync".into(),
        };
        for action in [Action::Approve, Action::ManageSettings, Action::CorrectLedger] {
            assert_eq!(key.require(action).map_err(|e| e.code), Err(crate::ErrorCode::Forbidden), "{action:?}");
        }
        for action in [Action::Read, Action::WorkCases, Action::ReportOrders, Action::Resolve] {
            assert_eq!(key.require(action), Ok(store()));
        }
    }

    #[test]
    fn roles_decide_what_members_may_do() {
        assert!(member(Role::Agent).require(Action::Approve).is_err());
        assert!(member(Role::TeamLead).require(Action::Approve).is_ok());
        assert!(member(Role::TeamLead).require(Action::ManageSettings).is_err());
        assert!(member(Role::Owner).require(Action::ManageSettings).is_ok());
    }

    #[test]
    fn only_an_admin_erases_and_an_integration_may_export() {
        let key = Caller::Integration {
            store_id: store(),
            key_id: ApiKeyId::from_uuid(Uuid::from_u128(2)),
            label: "crm".into(),
        };
        assert_eq!(key.require(Action::ExportPersonalData), Ok(store()));
        assert!(key.require(Action::ErasePersonalData).is_err());
        for role in [Role::Agent, Role::TeamLead] {
            assert!(member(role).require(Action::ExportPersonalData).is_err());
            assert!(member(role).require(Action::ErasePersonalData).is_err());
        }
        assert!(member(Role::Owner).require(Action::ErasePersonalData).is_ok());
        let retention = Caller::System { store_id: store(), rule: SystemRule::Retention };
        assert!(retention.require(Action::ErasePersonalData).is_ok());
        assert!(retention.require(Action::ExportPersonalData).is_err());
    }

    #[test]
    fn the_person_carries_the_authenticated_identity() {
        let person = member(Role::TeamLead).person().unwrap();
        assert_eq!(person.identity.as_deref(), Some("agent:00000000-0000-0000-0000-000000000007"));
    }
}
