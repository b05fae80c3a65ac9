//! Incidents over HTTP: a lead declares a faulty batch; the customer who already wrote about
//! it is told in one step (once); a new case about it gets the incident's answer at once in
//! its language and is grouped under it; a case about something else is not; resolving tells
//! the grouped cases again. Refusals: an agent may not declare, every language is required.

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::browser::{Browser, form_token};
use crate::fixtures::{case_on_order, order, set};
use crate::support::{TestApp, on_both_backends, text};

fn five(word: &str) -> Value {
    let messages: BTreeMap<&str, String> =
        ["en", "es", "pt", "pl", "id"].iter().map(|l| (*l, format!("{word} ({l})"))).collect();
    json!(messages)
}

fn bodies(case: &Value) -> Vec<String> {
    case["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_owned()).collect()
}

on_both_backends!(a_faulty_batch_is_answered_grouped_and_resolved);

async fn a_faulty_batch_is_answered_grouped_and_resolved(app: &TestApp) {
    let shop = app.create_store("incident-shop").await;
    let mugs = text(&app.create_order(&shop.key, &order("NW-1", "ana@example.com")).await["id"]);
    let shoes_order = set(order("NW-2", "luis@example.com"), "/lines/0/sku", json!("SHOE-2"));
    let shoes_order = set(shoes_order, "/shipments/0/lines/0/sku", json!("SHOE-2"));
    let shoes = text(&app.create_order(&shop.key, &shoes_order).await["id"]);
    let early = text(&app.open_case(&shop.key, &case_on_order(&mugs, "Mug cracked")).await["case"]["id"]);

    let declaration = json!({"kind": "faulty_batch", "scope": {"sku": "MUG-1"}, "messages": five("Batch")});
    let agent = app.member_key(&shop, "Ana", "agent").await;
    app.post("/api/v1/incidents", &agent, &declaration).await.error(403, "forbidden", None);
    let mut four = five("Batch");
    four.as_object_mut().unwrap().remove("id");
    let incomplete = json!({"kind": "faulty_batch", "scope": {"sku": "MUG-1"}, "messages": four});
    app.post("/api/v1/incidents", &shop.admin, &incomplete).await.error(400, "invalid_field", Some("messages.id"));
    let incident = app.post("/api/v1/incidents", &shop.admin, &declaration).await.expect(201);
    let id = text(&incident["id"]);

    // The customer who already wrote is told once.
    let told = app.post(&format!("/api/v1/incidents/{id}/tell"), &shop.admin, &json!({})).await.expect(200);
    assert_eq!(told["told"], 1, "{told}");
    let again = app.post(&format!("/api/v1/incidents/{id}/tell"), &shop.admin, &json!({})).await.expect(200);
    assert_eq!(again["told"], 0, "a case is told once");
    let case = app.case_view(&shop.admin, &early).await;
    assert!(bodies(&case).contains(&"Batch (en)".to_owned()), "{case}");
    assert!(
        case["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"]["type"] == "note_added" && e["event"]["body"].as_str().unwrap().contains(&id)),
        "grouped on the timeline: {case}"
    );

    // A new case about the batch is answered at once, in its language.
    let spanish = set(case_on_order(&mugs, "Taza rota"), "/language", json!("es"));
    let new = app.open_case(&shop.key, &spanish).await;
    assert!(new["messages"].as_array().unwrap().iter().any(|m| m["body"] == "Batch (es)"), "{new}");
    let new_id = text(&new["case"]["id"]);
    // One about another product is not.
    let other = app.open_case(&shop.key, &case_on_order(&shoes, "Shoes too small")).await;
    assert!(!bodies(&other).iter().any(|b| b.starts_with("Batch")), "{other}");

    // Resolving tells both grouped cases again.
    let resolved = app
        .post(&format!("/api/v1/incidents/{id}/resolve"), &shop.admin, &json!({"messages": five("Fixed")}))
        .await
        .expect(200);
    assert_eq!(resolved["told"], 2, "{resolved}");
    assert_eq!(resolved["incident"]["status"], "resolved");
    let case = app.case_view(&shop.admin, &new_id).await;
    assert!(bodies(&case).contains(&"Fixed (es)".to_owned()), "{case}");
    app.post(&format!("/api/v1/incidents/{id}/resolve"), &shop.admin, &json!({"messages": five("Fixed")})).await.error(
        400,
        "invalid_field",
        Some("status"),
    );
    let listed = app.get("/api/v1/incidents", &shop.admin).await.expect(200);
    assert_eq!(listed[0]["status"], "resolved");
    // After the incident, a new case about the batch is not given its answer.
    let later = app.open_case(&shop.key, &case_on_order(&mugs, "Another mug")).await;
    assert!(!bodies(&later).iter().any(|b| b.starts_with("Batch")), "{later}");
}

on_both_backends!(a_lead_declares_and_resolves_on_the_desk);

async fn a_lead_declares_and_resolves_on_the_desk(app: &TestApp) {
    app.create_store_with_admin("desk-incidents", "olga@inc.example", "correct horse battery").await;
    let mut browser = Browser::new(app);
    let signed = browser
        .post("/desk/desk-incidents/signin", &[("email", "olga@inc.example"), ("password", "correct horse battery")])
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.body);
    let page = browser.get("/desk/desk-incidents/incidents?lang=pl").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Zgłoś incydent"), "{}", page.body);
    let token = form_token(&page.body);
    let mut form = vec![("form_token", token.as_str()), ("kind", "carrier_delay"), ("carrier", "")];
    let texts: Vec<(String, String)> =
        ["en", "es", "pt", "pl", "id"].iter().map(|l| (format!("msg_{l}"), format!("Late parcels ({l})"))).collect();
    form.extend(texts.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let refused = browser.post("/desk/desk-incidents/incidents", &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("scope.carrier"), "{}", refused.body);
    form[2] = ("carrier", "dhl");
    let declared = browser.post("/desk/desk-incidents/incidents", &form).await;
    assert_eq!(declared.status, StatusCode::SEE_OTHER, "{}", declared.body);
    let page = browser.get("/desk/desk-incidents/incidents?lang=en&done=incident-declared").await;
    assert!(page.body.contains("Late parcels (en)") && page.body.contains("The incident is declared"), "{}", page.body);
    let action =
        page.body.split("action=\"").find(|a| a.contains("/resolve\"")).unwrap().split('"').next().unwrap().to_owned();
    let mut resolution: Vec<(&str, &str)> = vec![("form_token", token.as_str())];
    resolution.extend(texts.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let resolved = browser.post(&action, &resolution).await;
    assert_eq!(resolved.status, StatusCode::SEE_OTHER, "{}", resolved.body);
    let page = browser.get("/desk/desk-incidents/incidents").await;
    assert!(!page.body.contains("/resolve\""), "nothing left to resolve");
}
