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
}

impl Person {
    /// A person with a trimmed name of 1 to 200 characters.
    pub fn new(name: &str, role: Role) -> Result<Self, ValidationError> {
        Ok(Self { name: person_name("name", name)?, role })
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
}

impl Default for ApprovalPolicy {
    /// 100 units of any currency; team leads approve.
    fn default() -> Self {
        Self { default_limit_units: 100, limits: BTreeMap::new(), approver_role: Role::TeamLead }
    }
}

impl ApprovalPolicy {
    /// The approval rule of a store's written policy: its limits per currency; a currency it
    /// does not list always needs a second person.
    pub fn from_rules(rules: &crate::policy::ApprovalRules) -> Self {
        Self { default_limit_units: 0, limits: rules.auto_up_to.clone(), approver_role: Role::TeamLead }
    }

    /// The limit in `currency`, in minor units.
    pub fn limit(&self, currency: Currency) -> Money {
        let minor = self.limits.get(&currency).copied().unwrap_or_else(|| {
            self.default_limit_units.saturating_mul(10i64.saturating_pow(u32::from(currency.exponent())))
        });
        Money::new(minor, currency)
    }

    /// Why money of `amount` needs a second person, or none when it does not.
    pub fn needs_approval(&self, amount: Money, customer_flagged: bool) -> Option<String> {
        if customer_flagged {
            return Some("the customer is flagged by the abuse rules".to_owned());
        }
        let limit = self.limit(amount.currency);
        (amount.amount_minor > limit.amount_minor).then(|| format!("{amount} is above the approval limit of {limit}"))
    }

    /// Checks that `approver` may decide a request made by `requester`.
    pub fn may_decide(&self, requester: &Person, approver: &Person) -> Result<(), ApprovalError> {
        if requester.name.eq_ignore_ascii_case(&approver.name) {
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
        assert!(policy.needs_approval(Money::new(10_000, eur), false).is_none());
        assert!(policy.needs_approval(Money::new(10_001, eur), false).is_some());
        assert!(policy.needs_approval(Money::new(1, eur), true).is_some());
    }

    #[test]
    fn a_store_policy_sets_the_limits_and_unlisted_currencies_need_a_person() {
        let eur = Currency::from_code("EUR").unwrap();
        let rules =
            crate::policy::ApprovalRules { auto_up_to: BTreeMap::from([(eur, 5000)]), max_cases_per_90_days: 5 };
        let policy = ApprovalPolicy::from_rules(&rules);
        assert!(policy.needs_approval(Money::new(5000, eur), false).is_none());
        assert!(policy.needs_approval(Money::new(5001, eur), false).is_some());
        assert!(policy.needs_approval(Money::new(1, Currency::from_code("PLN").unwrap()), false).is_some());
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
}
