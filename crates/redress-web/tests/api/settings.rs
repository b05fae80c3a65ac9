//! Shop settings: the team over the API (`/api/v1/agents`), the store's own API keys, and the
//! workspace's settings pages as an admin's browser uses them: only admins get in, every form
//! needs its token, a policy error is shown at its line and saves nothing, the team keeps an
//! admin, a revoked key stops working at once, and a saved help article is searchable.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::browser::{Answer, Browser, form_token};
use crate::support::{Shop, TestApp, on_both_backends, text};

const PASSWORD: &str = "correct horse battery";

/// A browser signed in to one store's workspace.
struct Desk {
    browser: Browser,
    slug: String,
}

impl Desk {
    /// Signs in with email and password through the sign-in form.
    async fn sign_in(app: &TestApp, slug: &str, email: &str, password: &str) -> Desk {
        let mut browser = Browser::new(app);
        let answer = browser.post(&format!("/desk/{slug}/signin"), &[("email", email), ("password", password)]).await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{email} signs in: {}", answer.body);
        Desk { browser, slug: slug.to_owned() }
    }

    /// GET a page of this store's desk (`path` after `/desk/{slug}`).
    async fn get(&mut self, path: &str) -> Answer {
        self.browser.get(&format!("/desk/{}{path}", self.slug)).await
    }

    /// Posts a form with the session's form token (read from the inbox page) added.
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let token = form_token(&self.get("").await.body);
        let mut fields = form.to_vec();
        fields.push(("form_token", token.as_str()));
        self.post_raw(path, &fields).await
    }

    /// Posts a form as given (no token added).
    async fn post_raw(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.browser.post(&format!("/desk/{}{path}", self.slug), form).await
    }
}

/// A store with an admin (Olga, its first), a lead (Lee) and an agent (Ana), added through
/// the team API.
async fn shop_with_team(app: &TestApp, slug: &str) -> (Shop, Value) {
    let shop = app.create_store_with_admin(slug, "olga@shop.example", PASSWORD).await;
    let mut ids = serde_json::Map::new();
    let team = app.get("/api/v1/agents", &shop.admin).await.expect(200);
    ids.insert("Olga".to_owned(), team["agents"][0]["id"].clone());
    for (name, email, role) in [("Lee", "lee@shop.example", "lead"), ("Ana", "ana@shop.example", "agent")] {
        let body = json!({"email": email, "name": name, "role": role, "password": PASSWORD});
        let added = app.post("/api/v1/agents", &shop.admin, &body).await.expect(201);
        assert!(added.get("password").is_none() && added.get("password_hash").is_none(), "{added}");
        ids.insert(name.to_owned(), added["id"].clone());
    }
    (shop, Value::Object(ids))
}

async fn team_names(app: &TestApp, key: &str) -> Vec<(String, String)> {
    let list = app.get("/api/v1/agents", key).await.expect(200);
    list["agents"].as_array().unwrap().iter().map(|a| (text(&a["name"]), text(&a["role"]))).collect()
}

on_both_backends!(team_api, settings_are_for_admins_and_forms_need_their_token, policy_errors_show_their_line);
on_both_backends!(team_pages_keep_an_admin, revoked_keys_stop_working, help_articles_are_searchable_once_saved);

async fn team_api(app: &TestApp) {
    let (shop, ids) = shop_with_team(app, "team-api").await;
    let other = app.create_store("team-api-other").await;
    let (olga, ana) = (text(&ids["Olga"]), text(&ids["Ana"]));
    assert_eq!(
        team_names(app, &shop.key).await,
        [("Ana".into(), "agent".into()), ("Lee".into(), "team_lead".into()), ("Olga".into(), "owner".into())]
    );
    assert_eq!(team_names(app, &other.key).await, [("Olga".into(), "owner".into())], "another store, its own team");
    app.call(Method::GET, "/api/v1/agents", None, None).await.error(401, "unauthorized", None);

    // Bad input names the field and adds nobody.
    let bad = [
        (json!({"email": "not-an-email", "name": "X", "role": "agent", "password": PASSWORD}), "email"),
        (json!({"email": "x@shop.example", "name": " ", "role": "agent", "password": PASSWORD}), "name"),
        (json!({"email": "x@shop.example", "name": "X", "role": "boss", "password": PASSWORD}), "role"),
        (json!({"email": "x@shop.example", "name": "X", "role": "agent", "password": "short"}), "password"),
    ];
    for (body, field) in bad {
        app.post("/api/v1/agents", &shop.admin, &body).await.error(400, "invalid_field", Some(field));
    }
    let twin = json!({"email": "ANA@shop.example", "name": "Ana 2", "role": "agent", "password": PASSWORD});
    app.post("/api/v1/agents", &shop.admin, &twin).await.error(409, "member_exists", None);
    // An integration key reads the team (to assign cases) but never changes it.
    let eve = json!({"email": "eve@shop.example", "name": "Eve", "role": "agent", "password": PASSWORD});
    app.post("/api/v1/agents", &shop.key, &eve).await.error(403, "forbidden", None);
    assert_eq!(team_names(app, &shop.key).await.len(), 3);

    // Changes: a role, a password (the new one signs in), nothing at all, another store's member.
    let path = format!("/api/v1/agents/{ana}");
    let lead = app.call(Method::PATCH, &path, Some(&shop.admin), Some(&json!({"role": "lead"}))).await.expect(200);
    assert_eq!(lead["role"], "team_lead");
    let new_password = json!({"password": "a brand new passphrase"});
    app.call(Method::PATCH, &path, Some(&shop.admin), Some(&new_password)).await.expect(200);
    Desk::sign_in(app, "team-api", "ana@shop.example", "a brand new passphrase").await;
    app.call(Method::PATCH, &path, Some(&shop.admin), Some(&json!({}))).await.error(400, "invalid_field", Some("role"));
    app.call(Method::PATCH, &path, Some(&shop.admin), Some(&json!({"role": "lead", "password": "short"}))).await.error(
        400,
        "invalid_field",
        Some("password"),
    );
    app.call(Method::PATCH, &path, Some(&other.admin), Some(&json!({"role": "agent"}))).await.error(
        404,
        "not_found",
        None,
    );
    app.call(Method::DELETE, &path, Some(&other.admin), None).await.error(404, "not_found", None);

    // The last admin can be neither demoted nor removed; with a second admin, the first can go.
    let olga_path = format!("/api/v1/agents/{olga}");
    app.call(Method::PATCH, &olga_path, Some(&shop.admin), Some(&json!({"role": "agent"}))).await.error(
        409,
        "last_admin",
        None,
    );
    app.call(Method::DELETE, &olga_path, Some(&shop.admin), None).await.error(409, "last_admin", None);
    app.call(Method::PATCH, &path, Some(&shop.admin), Some(&json!({"role": "admin"}))).await.expect(200);
    assert_eq!(app.call(Method::DELETE, &olga_path, Some(&shop.admin), None).await.status, 204);
    assert_eq!(team_names(app, &shop.key).await, [("Ana".into(), "owner".into()), ("Lee".into(), "team_lead".into())]);
    // Her personal key left with her; Ana, now an admin, finds her gone.
    app.call(Method::DELETE, &olga_path, Some(&shop.admin), None).await.error(401, "unauthorized", None);
    let anas_key = app
        .post("/api/v1/store/api-keys", &shop.key, &json!({"label": "Ana", "kind": "personal", "agent_id": ana}))
        .await;
    anas_key.error(403, "forbidden", None);
}

async fn settings_are_for_admins_and_forms_need_their_token(app: &TestApp) {
    let (shop, _) = shop_with_team(app, "settings-access").await;
    let mut admin = Desk::sign_in(app, "settings-access", "olga@shop.example", PASSWORD).await;
    let page = admin.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for section in ["/settings/policy", "/settings/team", "/settings/keys", "/settings/help"] {
        assert!(page.body.contains(&format!("/desk/settings-access{section}\"")), "links {section}");
        assert_eq!(admin.get(section).await.status, StatusCode::OK, "{section} opens for an admin");
    }

    // Leads and agents get a page saying why, for every page and every form.
    for email in ["lee@shop.example", "ana@shop.example"] {
        let mut desk = Desk::sign_in(app, "settings-access", email, PASSWORD).await;
        let inbox = desk.get("").await;
        assert!(!inbox.body.contains("/settings\""), "no settings link for {email}");
        for section in ["/settings", "/settings/policy", "/settings/team", "/settings/keys", "/settings/help"] {
            let refused = desk.get(section).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{email} {section}");
            assert!(refused.body.contains("Only the shop&#39;s admins"), "{}", refused.body);
        }
        let form = [("email", "eve@shop.example"), ("name", "Eve"), ("role", "admin"), ("password", PASSWORD)];
        assert_eq!(desk.post("/settings/team", &form).await.status, StatusCode::FORBIDDEN);
    }
    // Without a session, the sign-in page.
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = anonymous.get(format!("{}/desk/settings-access/settings", app.base)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    // A form without the session's token (a page elsewhere posting as the admin) changes nothing.
    let form = [("email", "eve@shop.example"), ("name", "Eve"), ("role", "admin"), ("password", PASSWORD)];
    for token in ["", "0123abcd"] {
        let mut fields = form.to_vec();
        fields.push(("form_token", token));
        let refused = admin.post_raw("/settings/team", &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("This form has expired"), "{}", refused.body);
    }
    let policy = admin.post_raw("/settings/policy", &[("source", "version = 9"), ("action", "save")]).await;
    assert_eq!(policy.status, StatusCode::FORBIDDEN);
    let key = admin.post_raw("/settings/keys", &[("label", "sneaky"), ("form_token", "x")]).await;
    assert_eq!(key.status, StatusCode::FORBIDDEN);
    assert_eq!(team_names(app, &shop.key).await.len(), 3, "nobody added");
    assert_eq!(app.get("/api/v1/store/api-keys", &shop.admin).await.expect(200)["keys"].as_array().unwrap().len(), 2);
    assert_eq!(app.get("/api/v1/policy", &shop.key).await.expect(200)["default"], true);
}

async fn policy_errors_show_their_line(app: &TestApp) {
    let (shop, _) = shop_with_team(app, "settings-policy").await;
    let mut admin = Desk::sign_in(app, "settings-policy", "olga@shop.example", PASSWORD).await;
    let page = admin.get("/settings/policy").await;
    assert!(page.body.contains("Redress&#39;s default (version 1)"), "{}", page.body);
    let in_force = text(&app.get("/api/v1/policy", &shop.key).await.expect(200)["source"]);
    assert!(page.body.contains("window_days"), "the editor is filled with the policy in force");

    // A window of 999 days: refused at its line, the typed text kept, nothing saved.
    let window_line = in_force.lines().position(|l| l.trim_start().starts_with("window_days")).unwrap() + 1;
    let typed: String = in_force
        .lines()
        .map(|l| if l.trim_start().starts_with("window_days") { "window_days = 999" } else { l })
        .map(|l| if l.starts_with("version") { "version = 2" } else { l })
        .collect::<Vec<_>>()
        .join("\r\n");
    let refused = admin.post("/settings/policy", &[("source", &typed), ("action", "save")]).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let message = format!("line {window_line}: `returns.window_days`: must be between 1 and 365 days");
    assert!(refused.body.contains(&message), "the message names the line: {}", refused.body);
    let marked = format!("<li id=\"line-{window_line}\" value=\"{window_line}\" class=\"bad\"");
    let at = refused.body.find(&marked).unwrap_or_else(|| panic!("line {window_line} is marked: {}", refused.body));
    let next_line = refused.body[at..].find("</li>").unwrap();
    assert!(refused.body[at..at + next_line].contains(&message), "the message is beside the line");
    assert!(refused.body.contains("window_days = 999"), "the typed text is kept");
    assert!(refused.body.contains("aria-invalid=\"true\""));
    assert_eq!(app.get("/api/v1/policy", &shop.key).await.expect(200)["default"], true, "nothing saved");

    // A dry run of the same good document saves nothing either.
    let good = typed.replace("window_days = 999", "window_days = 60");
    let tried = admin.post("/settings/policy", &[("source", &good), ("action", "dry_run")]).await;
    assert_eq!(tried.status, StatusCode::OK, "{}", tried.body);
    assert!(tried.body.contains("Cases replayed: 0."), "{}", tried.body);
    assert_eq!(app.get("/api/v1/policy", &shop.key).await.expect(200)["default"], true);

    // The corrected document is saved and in force.
    let saved = admin.post("/settings/policy", &[("source", &good), ("action", "save")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let view = app.get("/api/v1/policy", &shop.key).await.expect(200);
    assert_eq!((view["default"].clone(), view["policy"]["version"].clone()), (json!(false), json!(2)));
    assert_eq!(view["policy"]["returns"]["window_days"], 60);
    assert!(!text(&view["source"]).contains('\r'), "line ends as a document's");
    let page = admin.get(saved.location.unwrap().trim_start_matches("/desk/settings-policy")).await;
    assert!(page.body.contains("Version 2 is in force."), "{}", page.body);
    assert!(page.body.contains("The new policy is saved"), "{}", page.body);

    // A preset is loaded into the editor, not saved.
    let preset = admin.get("/settings/policy?preset=eu_withdrawal").await;
    assert!(preset.body.contains("id = &#34;eu-withdrawal&#34;"), "{}", preset.body);
    assert!(preset.body.contains("nothing is saved until you save it"));
    assert_eq!(app.get("/api/v1/policy", &shop.key).await.expect(200)["policy"]["version"], 2);

    // Saved again unchanged, it is the next version: Redress numbers them, whatever the text says.
    let again = admin.post("/settings/policy", &[("source", &good), ("action", "save")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    let view = app.get("/api/v1/policy", &shop.key).await.expect(200);
    assert_eq!(view["policy"]["version"], 3);
    assert!(text(&view["source"]).lines().any(|l| l == "version = 3"), "the kept document says its version");

    // An editor opened on version 3 while another admin saved version 4 is refused, not lost.
    let stale = good.replace("window_days = 60", "window_days = 30");
    let put = |based_on: u32, source: &str| json!({"source": source, "based_on": based_on});
    app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&put(3, &good))).await.expect(200);
    let refused = admin.post("/settings/policy", &[("source", &stale), ("action", "save"), ("based_on", "3")]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(refused.body.contains("window_days = 30"), "the typed text is kept");
    assert!(refused.body.contains("was saved while you edited version 3"), "{}", refused.body);
    app.call(Method::PUT, "/api/v1/policy", Some(&shop.admin), Some(&put(3, &stale))).await.error(
        409,
        "changed_meanwhile",
        Some("based_on"),
    );
    assert_eq!(app.get("/api/v1/policy", &shop.key).await.expect(200)["policy"]["returns"]["window_days"], 60);
}

async fn team_pages_keep_an_admin(app: &TestApp) {
    let (shop, ids) = shop_with_team(app, "settings-team").await;
    let (olga, ana) = (text(&ids["Olga"]), text(&ids["Ana"]));
    let mut admin = Desk::sign_in(app, "settings-team", "olga@shop.example", PASSWORD).await;
    let page = admin.get("/settings/team").await;
    for name in ["Olga", "Lee", "Ana", "ana@shop.example"] {
        assert!(page.body.contains(name), "{name} is listed");
    }
    assert!(page.body.contains("<fieldset>") && page.body.contains("<label for=\"new-email\">"));

    // Refusals name the problem, keep what was typed (not the password) and add nobody.
    let refused = admin
        .post("/settings/team", &[("email", "eve@shop"), ("name", "Eve"), ("role", "lead"), ("password", PASSWORD)])
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("email:"), "{}", refused.body);
    assert!(refused.body.contains("value=\"eve@shop\"") && refused.body.contains("value=\"Eve\""));
    assert!(!refused.body.contains(PASSWORD));
    let short = [("email", "eve@shop.example"), ("name", "Eve"), ("role", "lead"), ("password", "2short")];
    let refused = admin.post("/settings/team", &short).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("password: use 10 to 200 characters"), "{}", refused.body);
    let taken = [("email", "ANA@shop.example"), ("name", "Ana"), ("role", "agent"), ("password", PASSWORD)];
    assert_eq!(admin.post("/settings/team", &taken).await.status, StatusCode::CONFLICT);
    assert_eq!(team_names(app, &shop.key).await.len(), 3);

    // Added, then signs in.
    let eve = [("email", "eve@shop.example"), ("name", "Eve"), ("role", "lead"), ("password", PASSWORD)];
    let added = admin.post("/settings/team", &eve).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER);
    assert!(team_names(app, &shop.key).await.contains(&("Eve".into(), "team_lead".into())));
    Desk::sign_in(app, "settings-team", "eve@shop.example", PASSWORD).await;

    // A role change; a password reset that ends their session and lets the new one in.
    let ana_path = format!("/settings/team/{ana}");
    let mut anas = Desk::sign_in(app, "settings-team", "ana@shop.example", PASSWORD).await;
    assert_eq!(admin.post(&ana_path, &[("action", "role"), ("role", "lead")]).await.status, StatusCode::SEE_OTHER);
    assert!(team_names(app, &shop.key).await.contains(&("Ana".into(), "team_lead".into())));
    let reset = admin.post(&ana_path, &[("action", "password"), ("password", "another long passphrase")]).await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    assert_eq!(anas.get("").await.status, StatusCode::SEE_OTHER, "Ana's old session has ended");
    Desk::sign_in(app, "settings-team", "ana@shop.example", "another long passphrase").await;

    // The admin can neither demote nor remove themself; removing needs the box ticked.
    let own = format!("/settings/team/{olga}");
    let demote = admin.post(&own, &[("action", "role"), ("role", "agent")]).await;
    assert_eq!(demote.status, StatusCode::CONFLICT);
    assert!(demote.body.contains("the shop must keep an admin"), "{}", demote.body);
    assert_eq!(admin.post(&own, &[("action", "remove"), ("confirm", "yes")]).await.status, StatusCode::CONFLICT);
    assert_eq!(admin.post(&ana_path, &[("action", "remove")]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(team_names(app, &shop.key).await.len(), 4);

    // An admin's own new password signs them out, and lets them back in.
    let reset = admin.post(&own, &[("action", "password"), ("password", "my own new passphrase")]).await;
    assert_eq!(reset.location.as_deref(), Some("/desk/settings-team/signin"));
    assert_eq!(admin.get("/settings").await.status, StatusCode::SEE_OTHER);
    let mut admin = Desk::sign_in(app, "settings-team", "olga@shop.example", "my own new passphrase").await;

    // Removed, and their session with them.
    let removed = admin.post(&ana_path, &[("action", "remove"), ("confirm", "yes")]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(!team_names(app, &shop.key).await.iter().any(|(name, _)| name == "Ana"));
    // The last admin, demoted through another admin's desk, is refused by the rule itself.
    let mut eve_desk = Desk::sign_in(app, "settings-team", "eve@shop.example", PASSWORD).await;
    assert_eq!(eve_desk.get("/settings").await.status, StatusCode::FORBIDDEN, "Eve is a lead");
    app.call(Method::PATCH, &format!("/api/v1/agents/{olga}"), Some(&shop.admin), Some(&json!({"role": "lead"})))
        .await
        .error(409, "last_admin", None);
}

async fn revoked_keys_stop_working(app: &TestApp) {
    let (shop, _) = shop_with_team(app, "settings-keys").await;
    let mut admin = Desk::sign_in(app, "settings-keys", "olga@shop.example", PASSWORD).await;

    // Created in the desk: the secret is shown once, and works.
    let created = admin.post("/settings/keys", &[("label", "shopify-sync")]).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let at = created.body.find("value=\"rk_").expect("the secret is shown") + "value=\"".len();
    let secret = created.body[at..].split('"').next().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/store", &secret).await.expect(200)["slug"], "settings-keys");
    let page = admin.get("/settings/keys").await;
    assert!(page.body.contains("shopify-sync") && !page.body.contains(&secret), "listed, never shown again");
    assert_eq!(admin.post("/settings/keys", &[("label", " ")]).await.status, StatusCode::BAD_REQUEST);

    app.get("/api/v1/store/api-keys", &shop.key).await.error(403, "forbidden", None);
    let keys = app.get("/api/v1/store/api-keys", &shop.admin).await.expect(200);
    let listed = keys["keys"].as_array().unwrap();
    let labels: Vec<String> = listed.iter().map(|k| text(&k["label"])).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert_eq!((labels[0].as_str(), labels[2].as_str()), ("default", "shopify-sync"));
    assert!(listed.iter().all(|k| k.get("secret").is_none() && k.get("secret_hash").is_none()), "{keys}");
    let id = text(&listed[2]["id"]);

    // Revoking needs the box ticked; then the key (cached as verified) stops working at once.
    let path = format!("/settings/keys/{id}/revoke");
    assert_eq!(admin.post(&path, &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    app.get("/api/v1/store", &secret).await.expect(200);
    let revoked = admin.post(&path, &[("confirm", "yes")]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER, "{}", revoked.body);
    app.get("/api/v1/store", &secret).await.error(401, "unauthorized", None);
    assert_eq!(admin.post(&path, &[("confirm", "yes")]).await.status, StatusCode::NOT_FOUND);

    // Over the API too, and only the caller's own store's keys.
    let other = app.create_store("settings-keys-other").await;
    let made = app.post("/api/v1/store/api-keys", &shop.admin, &json!({"label": "ci"})).await.expect(201);
    let (made_id, made_secret) = (text(&made["id"]), text(&made["secret"]));
    app.get("/api/v1/store", &made_secret).await.expect(200);
    let made_path = format!("/api/v1/store/api-keys/{made_id}");
    app.call(Method::DELETE, &made_path, Some(&other.admin), None).await.error(404, "not_found", None);
    app.call(Method::DELETE, &made_path, Some(&shop.key), None).await.error(403, "forbidden", None);
    app.get("/api/v1/store", &made_secret).await.expect(200);
    assert_eq!(app.call(Method::DELETE, &made_path, Some(&shop.admin), None).await.status, 204);
    app.get("/api/v1/store", &made_secret).await.error(401, "unauthorized", None);
    app.get("/api/v1/store", &shop.key).await.expect(200);
}

async fn help_articles_are_searchable_once_saved(app: &TestApp) {
    let (shop, _) = shop_with_team(app, "settings-help").await;
    let mut admin = Desk::sign_in(app, "settings-help", "olga@shop.example", PASSWORD).await;
    let question = "/api/v1/help/search?q=gift%20wrapping&lang=en";
    let article = [
        ("article_id", "gift-wrapping"),
        ("language", "en"),
        ("title", "Gift wrapping"),
        ("body", "We wrap any order as a gift for 3 EUR; tick the box at checkout."),
        ("tags", "gift, wrapping, present"),
    ];
    // A bad id names the field and keeps the text.
    let mut bad = article.to_vec();
    bad[0] = ("article_id", "Gift Wrapping");
    let refused = admin.post("/settings/help", &bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("article_id:") && refused.body.contains("tick the box at checkout"));

    let saved = admin.post("/settings/help", &article).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let found = app.get(question, &shop.key).await.expect(200);
    assert_eq!(found["results"][0]["id"], "gift-wrapping", "{found}");
    let list = app.get("/api/v1/help/articles", &shop.key).await.expect(200);
    assert_eq!(list["articles"][0]["tags"], json!(["gift", "wrapping", "present"]));

    // Listed, editable with the form filled in, and deleted.
    let page = admin.get("/settings/help").await;
    assert!(page.body.contains("Gift wrapping"));
    let edit = admin.get("/settings/help?edit=gift-wrapping&language=en").await;
    assert!(edit.body.contains("tick the box at checkout") && edit.body.contains("readonly"), "{}", edit.body);
    // A translation starts from the article, in a language it does not have yet.
    let translate = admin.get("/settings/help?translate=gift-wrapping").await;
    assert!(translate.body.contains("<option value=\"es\" selected>"), "{}", translate.body);
    assert!(translate.body.contains("tick the box at checkout") && !translate.body.contains("readonly"));
    let mut changed = article.to_vec();
    changed[3] = ("body", "Gift wrapping is free in December.");
    changed.push(("editing", "yes"));
    assert_eq!(admin.post("/settings/help", &changed).await.status, StatusCode::SEE_OTHER);
    let list = app.get("/api/v1/help/articles", &shop.key).await.expect(200);
    assert_eq!(list["articles"].as_array().unwrap().len(), 1);
    assert_eq!(list["articles"][0]["body"], "Gift wrapping is free in December.");
    let deleted = admin.post("/settings/help/gift-wrapping/delete", &[("language", "en")]).await;
    assert_eq!(deleted.status, StatusCode::SEE_OTHER);
    let after = app.get(question, &shop.key).await.expect(200);
    assert!(after["results"].as_array().unwrap().iter().all(|r| r["id"] != "gift-wrapping"), "{after}");
    assert_eq!(
        admin.post("/settings/help/gift-wrapping/delete", &[("language", "en")]).await.status,
        StatusCode::NOT_FOUND
    );
}
