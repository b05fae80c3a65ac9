//! Approvals: refunds and compensation above the policy's limit, or for customers flagged by
//! the abuse rules, wait for a second person with the right role. Nobody approves their own
//! request.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::store::{ValidationError, person_name};
use crate::timeline::Actor;

/// What a person may do in the shop's team. Ordered from least to most authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A support agent.
    Agent,
    /// A team lead: approves refunds above the limit.
    TeamLead,
    /// The shop owner.
    Owner,
}

impl Role {
    /// The snake_case id.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::TeamLead => "team_lead",
            Role::Owner => "owner",
        }
    }
}

/// A person acting on money: who they are and their role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Name or login, as on the timeline.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// Who they are, as authenticated: `agent:<id>` for a team member, `key:<id>` for an
    /// integration key. Four eyes compares these, never the names people type; requests
    /// written before identities were kept have none and compare by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
}

impl Person {
    /// A person with a trimmed name of 1 to 200 characters and no authenticated identity.
    pub fn new(name: &str, role: Role) -> Result<Self, ValidationError> {
        Ok(Self { name: person_name("name", name)?, role, identity: None })
    }

    /// The same person, known by `identity`.
    pub fn identified(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(identity.into());
        self
    }

    /// True when both are the same person: the same identity when both have one, else the
    /// same name.
    pub fn same_as(&self, other: &Person) -> bool {
        match (&self.identity, &other.identity) {
            (Some(a), Some(b)) => a == b,
            _ => self.name.eq_ignore_ascii_case(&other.name),
        }
    }

    /// The actor on the timeline.
    pub fn actor(&self) -> Actor {
        Actor::Agent { name: self.name.clone() }
    }
}

/// Why an approval or rejection was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    /// The requester tried to decide their own request.
    #[error("a second person must decide: the requester cannot approve or reject their own request")]
    OwnRequest,
    /// The approver's role is not enough.
    #[error("deciding needs the {} role or above; {name} is {}", needed.as_str(), has.as_str())]
    RoleTooLow {
        /// The approver.
        name: String,
        /// Their role.
        has: Role,
        /// The role needed.
        needed: Role,
    },
}

/// The shop's approval rule for money going out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalPolicy {
    /// Up to this many whole units (100 means 100.00 EUR or 100 JPY) a refund needs no
    /// second person, in currencies without a limit of their own.
    pub default_limit_units: i64,
    /// Limits in minor units for particular currencies.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub limits: BTreeMap<Currency, i64>,
    /// The least role that may approve.
    pub approver_role: Role,
    /// The abuse rules: a customer whose recent refunds reach these limits is flagged, and
    /// their refunds wait for a second person whatever the amount.
    #[serde(default)]
    pub abuse: AbuseRules,
}

impl Default for ApprovalPolicy {
    /// 100 units of any currency; team leads approve; the default policy's abuse rules.
    fn default() -> Self {
        Self {
            default_limit_units: 100,
            limits: BTreeMap::new(),
            approver_role: Role::TeamLead,
            abuse: AbuseRules::from_limits(&crate::policy::Policy::standard().limits),
        }
    }
}

/// A customer's refunds within the abuse rules' window: every intent not rejected or failed,
/// whatever its method, counted and summed per currency.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundHistory {
    /// Refunds in the window.
    pub refunds: u32,
    /// What they gave (or are giving) back, per currency, in minor units.
    pub refunded: BTreeMap<Currency, i64>,
}

impl RefundHistory {
    /// Adds one refund of `amount`.
    pub fn add(&mut self, amount: Money) {
        self.refunds = self.refunds.saturating_add(1);
        let sum = self.refunded.entry(amount.currency).or_default();
        *sum = sum.saturating_add(amount.amount_minor);
    }
}

/// The abuse rules for money going out, from the store's policy (`[limits]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AbuseRules {
    /// Days over which a customer's refunds are counted.
    pub window_days: u32,
    /// Refunds in the window from which the customer is flagged; none: no limit.
    pub max_refunds: Option<u32>,
    /// Money refunded in the window (plus what is asked) above which the customer is flagged,
    /// per currency, in minor units; an unlisted currency has no limit.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub max_refunded: BTreeMap<Currency, i64>,
}

impl Default for AbuseRules {
    /// No limits, counted over 90 days.
    fn default() -> Self {
        Self { window_days: 90, max_refunds: None, max_refunded: BTreeMap::new() }
    }
}

impl AbuseRules {
    /// The rules a policy's `[limits]` set.
    pub fn from_limits(limits: &crate::policy::CustomerLimits) -> Self {
        Self {
            window_days: limits.refund_window_days,
            max_refunds: limits.max_refunds_per_window,
            max_refunded: limits.max_refunded_per_window.clone(),
        }
    }

    /// True when the rules limit anything, so a customer's history is worth reading.
    pub fn limit_anything(&self) -> bool {
        self.max_refunds.is_some() || !self.max_refunded.is_empty()
    }

    /// Why the customer is flagged, given their refunds in the window and the refund now
    /// asked for; none when the rules do not flag them.
    pub fn flag(&self, history: &RefundHistory, asked: Money) -> Option<String> {
        let days = self.window_days;
        if let Some(max) = self.max_refunds
            && history.refunds >= max
        {
            return Some(format!(
                "the customer is flagged by the abuse rules: {} refunds in the last {days} days (limit {max})",
                history.refunds
            ));
        }
        if let Some(max) = self.max_refunded.get(&asked.currency) {
            let before = history.refunded.get(&asked.currency).copied().unwrap_or(0);
            let total = before.saturating_add(asked.amount_minor);
            if total > *max {
                let (total, max) = (Money::new(total, asked.currency), Money::new(*max, asked.currency));
                return Some(format!(
                    "the customer is flagged by the abuse rules: {total} refunded in the last {days} days with this one (limit {max})"
                ));
            }
        }
        None
    }
}

impl ApprovalPolicy {
    /// The approval rule of a store's written policy: its limits per currency (a currency it
    /// does not list always needs a second person) and its abuse rules.
    pub fn from_policy(policy: &crate::policy::Policy) -> Self {
        Self {
            default_limit_units: 0,
            limits: policy.approval.auto_up_to.clone(),
            approver_role: Role::TeamLead,
            abuse: AbuseRules::from_limits(&policy.limits),
        }
    }

    /// The limit in `currency`, in minor units.
    pub fn limit(&self, currency: Currency) -> Money {
        let minor = self.limits.get(&currency).copied().unwrap_or_else(|| {
            self.default_limit_units.saturating_mul(10i64.saturating_pow(u32::from(currency.exponent())))
        });
        Money::new(minor, currency)
    }

    /// Why money of `amount` needs a second person, or none when it does not: an agent
    /// flagged the customer, the abuse rules flag them given their `history`, or the amount is
    /// above the limit.
    pub fn needs_approval(&self, amount: Money, agent_flagged: bool, history: &RefundHistory) -> Option<String> {
        if agent_flagged {
            return Some("an agent flagged the customer for review".to_owned());
        }
        if let Some(flag) = self.abuse.flag(history, amount) {
            return Some(flag);
        }
        let limit = self.limit(amount.currency);
        (amount.amount_minor > limit.amount_minor).then(|| format!("{amount} is above the approval limit of {limit}"))
    }

    /// Checks that `approver` may decide a request made by `requester`.
    pub fn may_decide(&self, requester: &Person, approver: &Person) -> Result<(), ApprovalError> {
        if requester.same_as(approver) {
            return Err(ApprovalError::OwnRequest);
        }
        if approver.role < self.approver_role {
            return Err(ApprovalError::RoleTooLow {
                name: approver.name.clone(),
                has: approver.role,
                needed: self.approver_role,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_currency_exponent() {
        let policy = ApprovalPolicy::default();
        let jpy = Currency::from_code("JPY").unwrap();
        let eur = Currency::from_code("EUR").unwrap();
        assert_eq!(policy.limit(jpy).amount_minor, 100);
        assert_eq!(policy.limit(eur).amount_minor, 10_000);
        let none = RefundHistory::default();
        assert!(policy.needs_approval(Money::new(10_000, eur), false, &none).is_none());
        assert!(policy.needs_approval(Money::new(10_001, eur), false, &none).is_some());
        assert!(policy.needs_approval(Money::new(1, eur), true, &none).is_some());
    }

    #[test]
    fn a_store_policy_sets_the_limits_and_unlisted_currencies_need_a_person() {
        let eur = Currency::from_code("EUR").unwrap();
        let mut written = crate::policy::Policy::standard();
        written.approval.auto_up_to = BTreeMap::from([(eur, 5000)]);
        let policy = ApprovalPolicy::from_policy(&written);
        let none = RefundHistory::default();
        assert!(policy.needs_approval(Money::new(5000, eur), false, &none).is_none());
        assert!(policy.needs_approval(Money::new(5001, eur), false, &none).is_some());
        assert!(policy.needs_approval(Money::new(1, Currency::from_code("PLN").unwrap()), false, &none).is_some());
    }

    #[test]
    fn the_abuse_rules_flag_customers_by_count_and_amount_in_the_window() {
        let eur = Currency::from_code("EUR").unwrap();
        let rules = AbuseRules { window_days: 90, max_refunds: Some(3), max_refunded: BTreeMap::from([(eur, 10_000)]) };
        let mut history = RefundHistory::default();
        assert!(rules.flag(&history, Money::new(10_000, eur)).is_none());
        assert!(rules.flag(&history, Money::new(10_001, eur)).is_some_and(|why| why.contains("100.01")));
        history.add(Money::new(4000, eur));
        history.add(Money::new(4000, eur));
        assert!(rules.flag(&history, Money::new(2000, eur)).is_none());
        assert!(rules.flag(&history, Money::new(2001, eur)).is_some());
        // Another currency has no amount limit, but the count still applies.
        let usd = Currency::from_code("USD").unwrap();
        assert!(rules.flag(&history, Money::new(1_000_000, usd)).is_none());
        history.add(Money::new(1, usd));
        assert!(rules.flag(&history, Money::new(1, usd)).is_some_and(|why| why.contains("3 refunds")));
        let policy = ApprovalPolicy { abuse: rules, ..ApprovalPolicy::default() };
        assert!(policy.needs_approval(Money::new(1, eur), false, &history).is_some_and(|why| why.contains("abuse")));
    }

    proptest::proptest! {
        /// Whatever the history, a customer below both limits is never flagged and one at or
        /// above either always is.
        #[test]
        fn flagged_exactly_at_the_limits(count in 0u32..10, before in 0i64..50_000, asked in 1i64..50_000, max_count in 1u32..10, max_amount in 0i64..60_000) {
            let eur = Currency::from_code("EUR").unwrap();
            let rules = AbuseRules { window_days: 30, max_refunds: Some(max_count), max_refunded: BTreeMap::from([(eur, max_amount)]) };
            let history = RefundHistory { refunds: count, refunded: BTreeMap::from([(eur, before)]) };
            let flagged = rules.flag(&history, Money::new(asked, eur)).is_some();
            proptest::prop_assert_eq!(flagged, count >= max_count || before + asked > max_amount);
        }
    }

    #[test]
    fn names_compare_without_case() {
        let policy = ApprovalPolicy::default();
        let maria = Person::new("Maria", Role::Owner).unwrap();
        assert_eq!(
            policy.may_decide(&maria, &Person::new("maria", Role::Owner).unwrap()),
            Err(ApprovalError::OwnRequest)
        );
        assert!(Person::new("  ", Role::Agent).is_err());
    }

    #[test]
    fn identities_decide_who_is_who_not_names() {
        let policy = ApprovalPolicy::default();
        let ana = Person::new("Ana", Role::Agent).unwrap().identified("agent:1");
        // Another name typed by the same person is still the same person.
        let ana_again = Person::new("Leo", Role::TeamLead).unwrap().identified("agent:1");
        assert_eq!(policy.may_decide(&ana, &ana_again), Err(ApprovalError::OwnRequest));
        // Two people may share a name.
        let other_ana = Person::new("Ana", Role::TeamLead).unwrap().identified("agent:2");
        assert_eq!(policy.may_decide(&ana, &other_ana), Ok(()));
    }
}
