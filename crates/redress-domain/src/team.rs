//! The shop's support team: the people who sign in to the agent workspace, and what their
//! role lets them do. Roles are the approval rule's ([`Role`]): an agent answers and resolves
//! cases, a team lead also approves money above the limit, the owner (shown as "admin") also
//! edits the policy, the team and the API keys.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::approval::{Person, Role};
use crate::ids::{AgentId, StoreId};
use crate::store::{EmailAddress, ValidationError, person_name};

/// Shortest password accepted: long enough that guessing online is hopeless with sign-in
/// attempts limited, short enough for a passphrase people remember.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted, so hashing cost stays bounded.
pub const MAX_PASSWORD_CHARS: usize = 200;

/// One person on a store's team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    /// The agent's id.
    pub id: AgentId,
    /// The store whose team they are on.
    pub store_id: StoreId,
    /// The address they sign in with; unique within the store, compared without case.
    pub email: EmailAddress,
    /// Their name, as it appears on the timeline.
    pub name: String,
    /// What they may do.
    pub role: Role,
    /// When they joined the team.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Agent {
    /// A team member with a checked email and name.
    pub fn new(
        id: AgentId,
        store_id: StoreId,
        email: &str,
        name: &str,
        role: Role,
        now: OffsetDateTime,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            id,
            store_id,
            email: EmailAddress::parse(email)?,
            name: person_name("name", name)?,
            role,
            created_at: now,
        })
    }

    /// The key their email is looked up by: the whole address in lower case, because people
    /// type their address with whatever capitals their phone chooses.
    pub fn email_key(email: &EmailAddress) -> String {
        email.as_str().to_lowercase()
    }

    /// The person acting on money.
    pub fn person(&self) -> Person {
        Person { name: self.name.clone(), role: self.role, identity: Some(format!("agent:{}", self.id)) }
    }

    /// True when they may approve refunds and compensation above the limit.
    pub fn may_approve(&self) -> bool {
        self.role >= Role::TeamLead
    }

    /// True when they may change the shop's settings: policy, team, API keys, help articles.
    pub fn may_manage_shop(&self) -> bool {
        self.role == Role::Owner
    }
}

/// Checks a new password's length, counted in characters.
pub fn check_password(password: &str) -> Result<(), ValidationError> {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(ValidationError::new(
            "password",
            format!("use {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters; a few words make a good one"),
        ));
    }
    Ok(())
}

/// Why a change to the team is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TeamError {
    /// The change would leave a shop that has an admin without one, and nobody could then
    /// edit its policy, team or keys from the workspace.
    #[error("the shop must keep an admin: make another team member admin first")]
    LastAdmin,
}

/// Checks that changing member `id` to `new_role` (`None`: removing them) leaves `team` (the
/// store's whole team as it is now) with an admin, if it had one. A shop with no admin yet
/// (set up through the API) may change freely until its first admin is added.
pub fn check_keeps_admin(team: &[Agent], id: AgentId, new_role: Option<Role>) -> Result<(), TeamError> {
    let is_admin = |a: &Agent| a.role == Role::Owner;
    let losing_admin = team.iter().any(|a| a.id == id && is_admin(a)) && new_role != Some(Role::Owner);
    if losing_admin && !team.iter().any(|a| a.id != id && is_admin(a)) {
        return Err(TeamError::LastAdmin);
    }
    Ok(())
}

/// How a role is shown to the team.
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Agent => "agent",
        Role::TeamLead => "lead",
        Role::Owner => "admin",
    }
}

/// The role a label names: `agent`, `lead` or `admin` (the API's `team_lead` and `owner` too).
pub fn role_from_label(label: &str) -> Result<Role, ValidationError> {
    match label.trim() {
        "agent" => Ok(Role::Agent),
        "lead" | "team_lead" => Ok(Role::TeamLead),
        "admin" | "owner" => Ok(Role::Owner),
        other => Err(ValidationError::new("role", format!("`{other}` is not a role: use agent, lead or admin"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(role: Role) -> Agent {
        Agent::new(
            AgentId::from_uuid(uuid::Uuid::nil()),
            StoreId::from_uuid(uuid::Uuid::nil()),
            "Ana@Example.COM",
            " Ana ",
            role,
            OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap()
    }

    #[test]
    fn roles_grant_approval_and_settings_in_order() {
        assert!(!agent(Role::Agent).may_approve());
        assert!(agent(Role::TeamLead).may_approve());
        assert!(agent(Role::Owner).may_approve());
        assert!(!agent(Role::TeamLead).may_manage_shop());
        assert!(agent(Role::Owner).may_manage_shop());
    }

    #[test]
    fn names_are_trimmed_and_emails_compared_without_case() {
        let ana = agent(Role::Agent);
        assert_eq!(ana.name, "Ana");
        assert_eq!(Agent::email_key(&ana.email), "ana@example.com");
        assert_eq!(ana.person().role, Role::Agent);
    }

    #[test]
    fn passwords_need_ten_characters_counted_as_characters() {
        assert!(check_password("short").is_err());
        assert!(check_password("żółć-gęśla").is_ok());
        assert_eq!(check_password("123456789").unwrap_err().field, "password");
        assert!(check_password(&"x".repeat(201)).is_err());
    }

    #[test]
    fn the_last_admin_stays_an_admin() {
        let (ana, lee) =
            (agent(Role::Owner), Agent { id: AgentId::from_uuid(uuid::Uuid::max()), ..agent(Role::Owner) });
        let team = vec![ana.clone()];
        assert_eq!(check_keeps_admin(&team, ana.id, None), Err(TeamError::LastAdmin));
        assert_eq!(check_keeps_admin(&team, ana.id, Some(Role::TeamLead)), Err(TeamError::LastAdmin));
        assert_eq!(check_keeps_admin(&team, ana.id, Some(Role::Owner)), Ok(()));
        // With a second admin either may go; a team without admins changes freely.
        let both = vec![ana.clone(), lee.clone()];
        assert_eq!(check_keeps_admin(&both, ana.id, None), Ok(()));
        assert_eq!(check_keeps_admin(&both, lee.id, Some(Role::Agent)), Ok(()));
        let agents = vec![agent(Role::Agent)];
        assert_eq!(check_keeps_admin(&agents, agents[0].id, None), Ok(()));
        // An unknown id changes nobody.
        assert_eq!(check_keeps_admin(&team, lee.id, None), Ok(()));
    }

    #[test]
    fn role_labels_round_trip() {
        for role in [Role::Agent, Role::TeamLead, Role::Owner] {
            assert_eq!(role_from_label(role_label(role)).unwrap(), role);
            assert_eq!(role_from_label(role.as_str()).unwrap(), role);
        }
        assert_eq!(role_from_label("boss").unwrap_err().field, "role");
    }
}
