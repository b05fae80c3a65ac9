//! The team story: accounts, sign-in lookups, roles, sessions and their end, per store.

use std::sync::Arc;

use redress_domain::approval::Role;
use redress_domain::team::Agent;
use redress_domain::{AgentId, EmailAddress};
use redress_storage::{AgentSession, Storage, StorageError};
use time::Duration;
use uuid::Uuid;

use super::{T0, store};

fn member(store_id: redress_domain::StoreId, email: &str, name: &str, role: Role) -> Agent {
    Agent::new(AgentId::from_uuid(Uuid::now_v7()), store_id, email, name, role, T0).unwrap()
}

fn session(agent: &Agent, token: &str, hours: i64) -> AgentSession {
    AgentSession {
        token_hash: token.into(),
        store_id: agent.store_id,
        agent_id: agent.id,
        created_at: T0,
        expires_at: T0 + Duration::hours(hours),
    }
}

pub async fn story(db: Arc<dyn Storage>) {
    let north = store(&format!("team-n-{}", Uuid::now_v7().simple()));
    let south = store(&format!("team-s-{}", Uuid::now_v7().simple()));
    db.create_store(&north).await.unwrap();
    db.create_store(&south).await.unwrap();
    let team = db.team();

    let ana = member(north.id, "Ana@North.example", "Ana", Role::Agent);
    let lee = member(north.id, "lee@north.example", "Lee", Role::TeamLead);
    team.add_agent(&ana, "hash-ana").await.unwrap();
    team.add_agent(&lee, "hash-lee").await.unwrap();
    // The same address in another case is the same person; in another store it is not.
    let twin = member(north.id, "ana@NORTH.example", "Ana again", Role::Owner);
    assert!(matches!(team.add_agent(&twin, "x").await, Err(StorageError::Conflict(_))));
    team.add_agent(&member(south.id, "ana@north.example", "Ana South", Role::Owner), "hash-south").await.unwrap();
    let ghost = store("team-ghost");
    assert!(matches!(
        team.add_agent(&member(ghost.id, "g@x.example", "G", Role::Agent), "x").await,
        Err(StorageError::NotFound("store"))
    ));

    let names: Vec<_> = team.agents(north.id).await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Ana", "Lee"]);
    let email = EmailAddress::parse("ANA@north.example").unwrap();
    let (found, hash) = team.agent_sign_in(north.id, &email).await.unwrap().unwrap();
    assert_eq!((found.id, hash.as_str()), (ana.id, "hash-ana"));
    assert_eq!(team.agent_sign_in(south.id, &email).await.unwrap().unwrap().1, "hash-south");
    assert!(
        team.agent_sign_in(north.id, &EmailAddress::parse("nobody@north.example").unwrap()).await.unwrap().is_none()
    );
    assert!(matches!(team.agent(south.id, ana.id).await, Err(StorageError::NotFound("agent"))));

    // Sessions: found until they expire, never through another store's agent, gone on sign-out.
    team.start_session(&session(&ana, "token-1", 8)).await.unwrap();
    let (open, who) = team.session("token-1", T0 + Duration::hours(1)).await.unwrap().unwrap();
    assert_eq!((open.agent_id, who.name.as_str()), (ana.id, "Ana"));
    assert!(team.session("token-1", T0 + Duration::hours(9)).await.unwrap().is_none());
    let mut foreign = session(&ana, "token-foreign", 8);
    foreign.store_id = south.id;
    assert!(matches!(team.start_session(&foreign).await, Err(StorageError::NotFound("agent"))));
    team.end_session("token-1").await.unwrap();
    assert!(team.session("token-1", T0).await.unwrap().is_none());
    team.end_session("never-was").await.unwrap();

    // A role change shows at once; a new password and a removal end the person's sessions.
    team.start_session(&session(&ana, "token-2", 8)).await.unwrap();
    assert_eq!(team.set_agent_role(north.id, ana.id, Role::TeamLead).await.unwrap().role, Role::TeamLead);
    assert_eq!(team.session("token-2", T0).await.unwrap().unwrap().1.role, Role::TeamLead);
    assert!(matches!(team.set_agent_role(south.id, ana.id, Role::Owner).await, Err(StorageError::NotFound("agent"))));
    team.set_agent_password(north.id, ana.id, "hash-ana-2").await.unwrap();
    assert!(team.session("token-2", T0).await.unwrap().is_none());
    assert_eq!(team.agent_sign_in(north.id, &email).await.unwrap().unwrap().1, "hash-ana-2");
    team.start_session(&session(&lee, "token-3", 8)).await.unwrap();
    assert!(matches!(team.remove_agent(south.id, lee.id).await, Err(StorageError::NotFound("agent"))));
    team.remove_agent(north.id, lee.id).await.unwrap();
    assert!(team.session("token-3", T0).await.unwrap().is_none());
    assert_eq!(team.agents(north.id).await.unwrap().len(), 1);

    // The shop keeps an admin: the last one can be neither demoted nor removed, and nothing
    // changes; with a second admin, either may go.
    let (own, boss) = (member(north.id, "own@north.example", "Own", Role::Owner), Role::Owner);
    team.add_agent(&own, "hash-own").await.unwrap();
    assert!(matches!(team.set_agent_role(north.id, own.id, Role::TeamLead).await, Err(StorageError::Conflict(_))));
    assert!(matches!(team.remove_agent(north.id, own.id).await, Err(StorageError::Conflict(_))));
    assert_eq!(team.agent(north.id, own.id).await.unwrap().role, boss);
    assert_eq!(team.set_agent_role(north.id, own.id, boss).await.unwrap().role, boss);
    assert_eq!(team.set_agent_role(north.id, ana.id, boss).await.unwrap().role, boss);
    team.remove_agent(north.id, own.id).await.unwrap();
    assert!(matches!(team.remove_agent(north.id, ana.id).await, Err(StorageError::Conflict(_))));
    // Another store's admins do not count.
    assert!(matches!(team.set_agent_role(north.id, ana.id, Role::Agent).await, Err(StorageError::Conflict(_))));

    // Two admins demoting each other at the same moment: one of them stays an admin.
    let (kim, joe) =
        (member(south.id, "kim@south.example", "Kim", boss), member(south.id, "joe@south.example", "Joe", boss));
    team.add_agent(&kim, "hash-kim").await.unwrap();
    team.add_agent(&joe, "hash-joe").await.unwrap();
    let ana_south = team.agents(south.id).await.unwrap().into_iter().find(|a| a.name == "Ana South").unwrap();
    team.remove_agent(south.id, ana_south.id).await.unwrap();
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            team.set_agent_role(south.id, kim.id, Role::Agent),
            team.set_agent_role(south.id, joe.id, Role::Agent)
        );
        assert!(a.is_ok() != b.is_ok(), "exactly one demotion passes: {a:?} {b:?}");
        let admins = team.agents(south.id).await.unwrap().into_iter().filter(|a| a.role == boss).count();
        assert_eq!(admins, 1);
        for id in [kim.id, joe.id] {
            team.set_agent_role(south.id, id, boss).await.unwrap();
        }
    }
}
