//! The agent workspace over HTTP, as a browser without JavaScript uses it: signing in, the
//! inbox and its filters, answering a case, refunding a double charge once, a second person
//! approving a large refund, and what a session does not open.

use redress_domain::approval::Role;
use redress_domain::team::Agent;
use redress_domain::{AgentId, StoreId};
use reqwest::StatusCode;
use serde_json::json;

use crate::browser::{Browser, form_token};
use crate::fixtures::double_charged;
use crate::support::{TestApp, on_both_backends, text};

pub(crate) const PASSWORD: &str = "correct horse battery";

/// Adds a team member to the store with [`PASSWORD`].
pub(crate) async fn team_member(app: &TestApp, store_id: &str, email: &str, name: &str, role: Role) -> Agent {
    let store_id: StoreId = store_id.parse().unwrap();
    let agent = Agent::new(
        AgentId::from_uuid(uuid::Uuid::now_v7()),
        store_id,
        email,
        name,
        role,
        time::OffsetDateTime::now_utc(),
    )
    .unwrap();
    let hash = redress_app::team::hash_password(PASSWORD).unwrap();
    app.storage.team().add_agent(&agent, &hash).await.unwrap();
    agent
}

/// A browser signed in to `slug`'s desk as `email`.
pub(crate) async fn signed_in(app: &TestApp, slug: &str, email: &str) -> Browser {
    let mut browser = Browser::new(app);
    let answer = browser.post(&format!("/desk/{slug}/signin"), &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location.as_deref(), Some(format!("/desk/{slug}").as_str()));
    browser
}

/// The value of a hidden input in a page.
pub(crate) fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = page.find(&marker).unwrap_or_else(|| panic!("no {name} in {page}")) + marker.len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// An href in a page that contains `part`, with HTML entities undone.
fn link(page: &str, part: &str) -> String {
    let at = page.find(part).unwrap_or_else(|| panic!("no link with {part} in {page}"));
    let start = page[..at].rfind("href=\"").unwrap() + "href=\"".len();
    page[start..].split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&")
}

on_both_backends!(an_agent_answers_a_case_and_refunds_a_double_charge_once);

async fn an_agent_answers_a_case_and_refunds_a_double_charge_once(app: &TestApp) {
    let shop = app.create_store("desk-shop").await;
    team_member(app, &shop.id, "ana@desk.example", "Ana", Role::Agent).await;
    team_member(app, &shop.id, "bo@desk.example", "Bo", Role::Agent).await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let case_path = format!("/desk/desk-shop/cases/{case_id}");

    // Without a session every page sends the browser to sign in.
    let mut stranger = Browser::new(app);
    for path in ["/desk/desk-shop", case_path.as_str(), "/desk/desk-shop/approvals"] {
        let answer = stranger.get(path).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(answer.location.as_deref(), Some("/desk/desk-shop/signin"));
    }
    // A wrong password, or an address not on the team, gets the same refusal and no cookie.
    for (email, password) in [("ana@desk.example", "wrong password!"), ("eve@desk.example", PASSWORD)] {
        let answer = stranger.post("/desk/desk-shop/signin", &[("email", email), ("password", password)]).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(answer.body.contains("do not match a team member"), "{}", answer.body);
    }
    assert!(!stranger.cookies.iter().any(|(name, _)| name == "redress_desk"), "no session");

    // Signed in (the address in other capitals), the inbox lists the case, most urgent first.
    let mut ana = signed_in(app, "desk-shop", "ANA@desk.example").await;
    let inbox = ana.get("/desk/desk-shop").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains("Charged twice"), "{}", inbox.body);
    assert!(inbox.body.contains("Ana (agent)"));
    for (query, listed) in [
        ("?kind=wrong_charge", true),
        ("?kind=damaged_in_transit", false),
        ("?q=twice", true),
        ("?q=boots", false),
        ("?language=en", true),
        ("?language=pl", false),
        ("?assignee=none", true),
        ("?assignee=me", false),
        ("?escalated=yes", false),
        ("?channel=email", true),
    ] {
        let page = ana.get(&format!("/desk/desk-shop{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(page.body.contains("Charged twice"), listed, "{query}");
    }
    let refused = ana.get("/desk/desk-shop?kind=nonsense").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("kind: `nonsense` is not known"));

    // The case view: the order, its two payments, the policy's options and a suggested reply.
    let page = ana.get(&case_path).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in ["pi_1", "pi_2", "Blue mug", "Check the payments", "Send reply", "What the policy allows"] {
        assert!(page.body.contains(expected), "the case page shows {expected}");
    }
    let token = form_token(&page.body);

    // A form without the session's token changes nothing.
    let forged = ana.post(&format!("{case_path}/reply"), &[("form_token", "forged"), ("body", "Hello")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.case_view(&shop.key, &case_id).await["messages"].as_array().unwrap().len(), 1);

    // Ana answers and the case waits for the customer; her name is on the message.
    let reply = [("form_token", token.as_str()), ("body", "We are checking the payments now."), ("wait", "1")];
    let answer = ana.post(&format!("{case_path}/reply"), &reply).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location.as_deref(), Some(format!("{case_path}?done=reply").as_str()));
    let view = app.case_view(&shop.key, &case_id).await;
    let last = view["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["direction"], "outbound");
    assert_eq!(last["author"], json!({"type": "agent", "name": "Ana"}));
    assert_eq!(view["case"]["status"], "waiting_on_customer");
    // The page after sending has an empty reply box, and no answer counting down any more.
    let page = ana.get(answer.location.as_deref().unwrap()).await;
    let draft = page.body.split("id=\"reply-body\"").nth(1).unwrap().split("</textarea>").next().unwrap();
    assert_eq!(draft, " name=\"body\" required>", "the box is empty");
    assert!(!page.body.contains("Answer due"), "answered: nothing is due");
    // A second agent sending on the case now waiting sees no error.
    let mut bo = signed_in(app, "desk-shop", "bo@desk.example").await;
    let bo_token = form_token(&bo.get(&case_path).await.body);
    let second = [("form_token", bo_token.as_str()), ("body", "I am on it too."), ("wait", "1")];
    let answer = bo.post(&format!("{case_path}/reply"), &second).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    // An empty reply is refused with the reason, and nothing is added.
    let empty = ana.post(&format!("{case_path}/reply"), &[("form_token", token.as_str()), ("body", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.case_view(&shop.key, &case_id).await["messages"].as_array().unwrap().len(), 3);

    // An internal note and taking the case are on the timeline under her name.
    let note = [("form_token", token.as_str()), ("body", "Two captures two minutes apart.")];
    assert_eq!(ana.post(&format!("{case_path}/note"), &note).await.status, StatusCode::SEE_OTHER);
    let take = [("form_token", token.as_str()), ("to", "me")];
    assert_eq!(ana.post(&format!("{case_path}/assign"), &take).await.status, StatusCode::SEE_OTHER);
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["case"]["assignee"]["name"], "Ana");
    let kinds: Vec<_> = view["timeline"].as_array().unwrap().iter().map(|e| text(&e["event"]["type"])).collect();
    assert!(kinds.contains(&"note_added".to_owned()) && kinds.contains(&"assigned".to_owned()), "{kinds:?}");

    // She checks the payments: the duplicate is found, with a button to refund it.
    let answer = ana.post(&format!("{case_path}/check"), &[("form_token", token.as_str())]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let page = ana.get(&format!("{case_path}?done=check")).await;
    assert!(page.body.contains("captured twice"), "{}", page.body);
    let confirm = ana.get(&link(&page.body, "action=refund")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("€33.00"), "the confirmation shows the amount: {}", confirm.body);
    let form: Vec<(String, String)> = ["form_token", "key", "payment", "amount_minor", "reason"]
        .iter()
        .map(|name| ((*name).to_owned(), hidden(&confirm.body, name)))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    // She clicks twice: one refund.
    for _ in 0..2 {
        let answer = ana.post(&format!("{case_path}/refund"), &form).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    }
    let money = app.get(&format!("/api/v1/cases/{case_id}/money"), &shop.key).await.expect(200);
    let refunds = money["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1, "one refund for two clicks: {money}");
    assert_eq!(refunds[0]["refund"]["amount"]["amount_minor"], 3300);
    assert_eq!(refunds[0]["refund"]["requested_by"]["name"], "Ana");
    assert_eq!(refunds[0]["refund"]["payment_id"], order["payments"][1]["id"]);
    assert_eq!(refunds[0]["refund"]["status"], "succeeded");
    assert_eq!(money["balanced"], true);
    // The case page shows it with its expected arrival, for the answer to the customer.
    let page = ana.get(&case_path).await;
    assert!(page.body.contains("paid back"), "{}", page.body);
    assert!(page.body.contains("should arrive between"), "{}", page.body);
    // The drafted reply now tells the customer the duplicate was refunded, how much and by when.
    let draft = page.body.split("id=\"reply-body\"").nth(1).unwrap().split("</textarea>").next().unwrap();
    assert!(draft.contains("refunded the duplicate charge") && draft.contains("33.00"), "{draft}");
    // Nothing is left to refund: the button is gone.
    assert!(!page.body.contains("action=refund"), "no refund offered once the duplicate is back");
    assert!(page.body.contains("Ledger for this order · balanced"), "the ledger balances");

    // Correcting the kind: a kind that is not one is refused and changes nothing; a real one is kept.
    let bogus =
        ana.post(&format!("{case_path}/classification"), &[("form_token", token.as_str()), ("kind", "cats")]).await;
    assert_eq!(bogus.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bogus.body.contains("choose a kind from the list"));
    let fix = [("form_token", token.as_str()), ("kind", "refund_status")];
    assert_eq!(ana.post(&format!("{case_path}/classification"), &fix).await.status, StatusCode::SEE_OTHER);
    let view = app.case_view(&shop.key, &case_id).await;
    assert_eq!(view["case"]["kind"], "refund_status");
    let corrected = view["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"]["type"] == "classification_corrected")
        .expect("the correction is on the timeline")
        .clone();
    assert_eq!(corrected["actor"], json!({"type": "agent", "name": "Ana"}));

    // Signing out ends the session: the old cookie opens nothing.
    let cookie = ana.cookie_header();
    assert_eq!(
        ana.post("/desk/desk-shop/signout", &[("form_token", token.as_str())]).await.status,
        StatusCode::SEE_OTHER
    );
    let reused = app.client.get(format!("{}/desk/desk-shop", app.base)).header("cookie", cookie).send().await.unwrap();
    assert!(reused.url().path().ends_with("/signin"), "the old session is gone: {}", reused.url());
}

on_both_backends!(a_large_refund_waits_for_a_lead_who_is_not_the_requester);

async fn a_large_refund_waits_for_a_lead_who_is_not_the_requester(app: &TestApp) {
    let shop = app.create_store("desk-approvals").await;
    // The shop approves automatically only up to 10.00 EUR.
    let policy = include_str!("../../../redress-domain/policies/default.toml").replace("EUR = 15000", "EUR = 1000");
    app.client
        .put(format!("{}/api/v1/policy", app.base))
        .bearer_auth(&shop.admin)
        .json(&json!({"source": policy}))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    team_member(app, &shop.id, "ana@desk.example", "Ana", Role::Agent).await;
    team_member(app, &shop.id, "leo@desk.example", "Leo", Role::TeamLead).await;
    let (order, case_id) = double_charged(app, &shop.key).await;
    let case_path = format!("/desk/desk-approvals/cases/{case_id}");

    let mut ana = signed_in(app, "desk-approvals", "ana@desk.example").await;
    let token = form_token(&ana.get(&case_path).await.body);
    ana.post(&format!("{case_path}/check"), &[("form_token", token.as_str())]).await;
    let page = ana.get(&case_path).await;
    let confirm = ana.get(&link(&page.body, "action=refund")).await;
    let form: Vec<(String, String)> = ["form_token", "key", "payment", "amount_minor", "reason"]
        .iter()
        .map(|name| ((*name).to_owned(), hidden(&confirm.body, name)))
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(ana.post(&format!("{case_path}/refund"), &form).await.status, StatusCode::SEE_OTHER);
    let page = ana.get(&case_path).await;
    assert!(page.body.contains("waiting for approval"), "{}", page.body);

    // Ana sees it waiting but cannot decide it: her own request, and her role is too low.
    let queue = ana.get("/desk/desk-approvals/approvals").await;
    assert!(queue.body.contains("€33.00") && queue.body.contains("someone else must decide"), "{}", queue.body);
    let refund_id = {
        let money = app.get(&format!("/api/v1/cases/{case_id}/money"), &shop.key).await.expect(200);
        text(&money["refunds"][0]["refund"]["id"])
    };
    let decide = format!("/desk/desk-approvals/approvals/{refund_id}");
    let refused = ana.post(&decide, &[("form_token", token.as_str()), ("decision", "approve")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Leo approves it from the queue; the refund goes out under his decision.
    let mut leo = signed_in(app, "desk-approvals", "leo@desk.example").await;
    let queue = leo.get("/desk/desk-approvals/approvals").await;
    assert!(queue.body.contains("Approve and refund"), "{}", queue.body);
    let leo_token = form_token(&queue.body);
    let answer = leo.post(&decide, &[("form_token", leo_token.as_str()), ("decision", "approve")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let money = app.get(&format!("/api/v1/cases/{case_id}/money"), &shop.key).await.expect(200);
    assert_eq!(money["refunds"][0]["refund"]["status"], "succeeded", "{money}");
    assert_eq!(money["refunds"][0]["refund"]["decided_by"]["name"], "Leo");
    assert!(leo.get("/desk/desk-approvals/approvals").await.body.contains("Nothing is waiting for approval"));
    // Deciding it again changes nothing.
    let again = leo.post(&decide, &[("form_token", leo_token.as_str()), ("decision", "approve")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A remedy above the limit: Ana may ask for it, and what it pays waits for Leo; a field
    // claiming approval changes nothing.
    let damaged = crate::fixtures::set(
        crate::fixtures::case_on_order(&text(&order["id"]), "The mugs arrived broken"),
        "/kind",
        json!("damaged_in_transit"),
    );
    let damaged_id = text(&app.open_case(&shop.key, &damaged).await["case"]["id"]);
    let options = app.get(&format!("/api/v1/cases/{damaged_id}/options"), &shop.key).await.expect(200);
    let reserved = options["offers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["needs_approval"] == true && o["remedy"] == "refund_keep_item")
        .unwrap_or_else(|| panic!("a refund above a 10.00 EUR limit needs approval: {options}"));
    let remedy = text(&reserved["remedy"]);
    let damaged_path = format!("/desk/desk-approvals/cases/{damaged_id}");
    let confirm = ana.get(&format!("{damaged_path}/confirm?action=remedy&remedy={remedy}")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    assert!(confirm.body.contains("a lead other than you approves it"), "{}", confirm.body);
    let mut form =
        vec![("form_token", token.clone()), ("key", hidden(&confirm.body, "key")), ("remedy", remedy.clone())];
    form.push(("approve", "1".to_owned()));
    if confirm.body.contains("name=\"photos\"") {
        form.push(("photos", "1".to_owned()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let asked = ana.post(&format!("{damaged_path}/remedy"), &form).await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    let money = app.get(&format!("/api/v1/cases/{damaged_id}/money"), &shop.key).await.expect(200);
    // The money is the order's: the duplicate charge refunded above comes first.
    let waiting = &money["refunds"].as_array().unwrap().last().unwrap()["refund"];
    assert_eq!(waiting["status"], "awaiting_approval", "{money}");
    assert_eq!(waiting["requested_by"]["name"], "Ana");
    let decide = format!("/desk/desk-approvals/approvals/{}", text(&waiting["id"]));
    let answer = leo.post(&decide, &[("form_token", leo_token.as_str()), ("decision", "approve")]).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    let money = app.get(&format!("/api/v1/cases/{damaged_id}/money"), &shop.key).await.expect(200);
    let approved = &money["refunds"].as_array().unwrap().last().unwrap()["refund"];
    assert_eq!(
        (approved["status"].as_str(), approved["decided_by"]["name"].as_str()),
        (Some("succeeded"), Some("Leo"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_opens_only_its_own_store() {
    let app = TestApp::sqlite().await;
    let north = app.create_store("north-desk").await;
    let south = app.create_store("south-desk").await;
    team_member(&app, &north.id, "ana@north.example", "Ana", Role::Agent).await;
    let (_, south_case) = double_charged(&app, &south.key).await;
    let ana = signed_in(&app, "north-desk", "ana@north.example").await;
    // Her cookie sent to the other store's desk (a browser would not even send it: its path
    // is /desk/north-desk) opens nothing there.
    let cookie = ana.cookie_header();
    for path in ["/desk/south-desk".to_owned(), format!("/desk/south-desk/cases/{south_case}")] {
        let response = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{}{path}", app.base))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    }
    // Nor does her store's desk show the other store's case, or its photos.
    let mut ana = ana;
    let page = ana.get(&format!("/desk/north-desk/cases/{south_case}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let png = b"\x89PNG\r\n\x1a\nnot really drawn".to_vec();
    let photo = |case_id: &str| redress_storage::AttachmentInfo {
        id: uuid::Uuid::now_v7(),
        case_id: case_id.parse().unwrap(),
        filename: "box.png".into(),
        content_type: "image/png".into(),
        size_bytes: png.len() as u64,
        created_at: time::OffsetDateTime::now_utc(),
    };
    let south_photo = photo(&south_case);
    app.storage.save_attachment(south.id.parse().unwrap(), &south_photo, &png).await.unwrap();
    let stolen = ana.get(&format!("/desk/north-desk/cases/{south_case}/photos/{}", south_photo.id)).await;
    assert_eq!(stolen.status, StatusCode::NOT_FOUND);
    let (_, north_case) = double_charged(&app, &north.key).await;
    let north_photo = photo(&north_case);
    app.storage.save_attachment(north.id.parse().unwrap(), &north_photo, &png).await.unwrap();
    let page = ana.get(&format!("/desk/north-desk/cases/{north_case}")).await;
    assert!(page.body.contains("box.png"), "the case page lists the customer's photos");
    let shown = ana.get(&format!("/desk/north-desk/cases/{north_case}/photos/{}", north_photo.id)).await;
    assert_eq!(shown.status, StatusCode::OK);
    // The cookie is HttpOnly, SameSite=Strict and scoped to her store's desk.
    let mut fresh = Browser::new(&app);
    let signed = fresh.post("/desk/north-desk/signin", &[("email", "ana@north.example"), ("password", PASSWORD)]).await;
    let set_cookie = signed.set_cookies.iter().find(|c| c.starts_with("redress_desk=")).expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/desk/north-desk"] {
        assert!(set_cookie.contains(part), "{set_cookie} has {part}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_changes_the_address_before_the_parcel_leaves_and_not_after() {
    let app = TestApp::sqlite().await;
    let shop = app.create_store("desk-address").await;
    team_member(&app, &shop.id, "ana@desk.example", "Ana", Role::Agent).await;
    let waiting = crate::fixtures::remove(crate::fixtures::order("W-1", "ola@example.com"), "/shipments");
    let waiting = app.create_order(&shop.key, &waiting).await;
    let moving = app.create_order(&shop.key, &crate::fixtures::order("M-1", "ola@example.com")).await;
    let mut ana = signed_in(&app, "desk-address", "ana@desk.example").await;
    // The page's own key for the form, or (where the form is not shown) one a stale tab kept.
    let address = |page: &str| {
        let key = if page.contains("name=\"key\"") { hidden(page, "key") } else { "stale-tab-1".into() };
        vec![
            ("form_token", form_token(page)),
            ("key", key),
            ("name", "Ola Nowak".to_owned()),
            ("line1", "ul. Nowa 7".to_owned()),
            ("city", "Gdańsk".to_owned()),
            ("postal_code", "80-001".to_owned()),
            ("country", "pl".to_owned()),
        ]
    };
    for (order, allowed) in [(&waiting, true), (&moving, false)] {
        let case = crate::fixtures::case_on_order(&text(&order["id"]), "Wrong address");
        let case_id = text(&app.open_case(&shop.key, &case).await["case"]["id"]);
        let path = format!("/desk/desk-address/cases/{case_id}");
        let page = ana.get(&path).await;
        assert_eq!(page.body.contains("Change the delivery address"), allowed, "the form shows only before shipping");
        let form = address(&page.body);
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = ana.post(&format!("{path}/address"), &form).await;
        let stored = app.get(&format!("/api/v1/orders/{}", text(&order["id"])), &shop.key).await.expect(200);
        if allowed {
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
            assert_eq!(stored["shipping_address"]["city"], "Gdańsk");
            assert_eq!(stored["shipping_address"]["country"], "PL");
        } else {
            assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "refused once the carrier has it");
            assert_eq!(stored["shipping_address"]["city"], "Kraków", "nothing changed");
        }
    }
    // A blank city is refused with the field named, and nothing changes.
    let case = crate::fixtures::case_on_order(&text(&waiting["id"]), "Another address");
    let case_id = text(&app.open_case(&shop.key, &case).await["case"]["id"]);
    let path = format!("/desk/desk-address/cases/{case_id}");
    let mut form = address(&ana.get(&path).await.body);
    form.retain(|(k, _)| *k != "city");
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let answer = ana.post(&format!("{path}/address"), &form).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("address.city"), "{}", answer.body);
}
