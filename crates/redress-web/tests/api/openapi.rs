//! The OpenAPI document describes every route, and every route it describes is served.

use reqwest::Method;
use serde_json::Value;

use crate::support::TestApp;

/// Every route of the API and its methods.
const ROUTES: &[(&str, &[&str])] = &[
    ("/healthz", &["get"]),
    ("/readyz", &["get"]),
    ("/api/v1/stores", &["get", "post"]),
    ("/api/v1/stores/{store_id}/api-keys", &["post"]),
    ("/api/v1/stores/{store_id}/admins", &["post"]),
    ("/api/v1/store", &["get"]),
    ("/api/v1/store/api-keys", &["get", "post"]),
    ("/api/v1/store/api-keys/{key_id}", &["delete"]),
    ("/api/v1/agents", &["get", "post"]),
    ("/api/v1/agents/{agent_id}", &["delete", "patch"]),
    ("/api/v1/orders", &["get", "post"]),
    ("/api/v1/orders/{order_id}", &["get"]),
    ("/api/v1/platforms", &["get", "post"]),
    ("/api/v1/platforms/sync", &["post"]),
    ("/api/v1/platforms/shopify/{store_id}/webhooks", &["post"]),
    ("/api/v1/platforms/woocommerce/{store_id}/webhooks", &["post"]),
    ("/api/v1/cases", &["get", "post"]),
    ("/api/v1/cases/{case_id}", &["get"]),
    ("/api/v1/cases/{case_id}/messages", &["post"]),
    ("/api/v1/cases/{case_id}/status", &["post"]),
    ("/api/v1/cases/{case_id}/assignee", &["post"]),
    ("/api/v1/cases/{case_id}/notes", &["post"]),
    ("/api/v1/cases/{case_id}/calls", &["post"]),
    ("/api/v1/cases/{case_id}/priority", &["post"]),
    ("/api/v1/cases/{case_id}/attachments", &["get"]),
    ("/api/v1/cases/{case_id}/attachments/{attachment_id}", &["get"]),
    ("/api/v1/cases/{case_id}/classification", &["post"]),
    ("/api/v1/understand", &["post"]),
    ("/api/v1/feedback/classifications", &["get"]),
    ("/api/v1/help/search", &["get"]),
    ("/api/v1/help/articles", &["get"]),
    ("/api/v1/help/articles/{article_id}", &["put", "delete"]),
    ("/api/v1/cases/{case_id}/suggested-reply", &["get"]),
    ("/api/v1/cases/{case_id}/options", &["get"]),
    ("/api/v1/cases/{case_id}/remedy", &["post"]),
    ("/api/v1/cases/{case_id}/amendments", &["post"]),
    ("/api/v1/cases/{case_id}/returns", &["get", "post"]),
    ("/api/v1/cases/{case_id}/returns/{return_id}/actions", &["post"]),
    ("/api/v1/cases/{case_id}/fault", &["post"]),
    ("/api/v1/policy", &["get", "put"]),
    ("/api/v1/policy/dry-run", &["post"]),
    ("/api/v1/cases/{case_id}/refunds", &["post"]),
    ("/api/v1/refunds/{refund_id}", &["get"]),
    ("/api/v1/refunds/{refund_id}/approve", &["post"]),
    ("/api/v1/refunds/{refund_id}/reject", &["post"]),
    ("/api/v1/approvals", &["get"]),
    ("/api/v1/disputes", &["get"]),
    ("/api/v1/cases/{case_id}/money", &["get"]),
    ("/api/v1/cases/{case_id}/transaction-check", &["post"]),
    ("/api/v1/ledger", &["get"]),
    ("/api/v1/customers/{customer_id}/store-credit", &["get"]),
    ("/api/v1/customers/{customer_id}/store-credit/spend", &["post"]),
    ("/api/v1/customers/{customer_id}/store-credit/spends", &["get"]),
    ("/api/v1/ledger/postings", &["get"]),
    ("/api/v1/ledger/reconciliation", &["get"]),
    ("/api/v1/ledger/postings/{posting_id}/corrections", &["post"]),
    ("/api/v1/cases/{case_id}/disputes", &["post"]),
    ("/api/v1/disputes/{dispute_id}", &["get"]),
    ("/api/v1/disputes/{dispute_id}/status", &["post"]),
    ("/api/v1/disputes/{dispute_id}/evidence", &["get"]),
    ("/api/v1/webhooks/stripe", &["post"]),
    ("/api/v1/webhooks", &["get", "post"]),
    ("/api/v1/webhooks/{endpoint_id}", &["delete"]),
    ("/api/v1/webhooks/{endpoint_id}/secret", &["post"]),
    ("/api/v1/disputes/{dispute_id}/submit", &["post"]),
    ("/api/v1/settings/support-addresses", &["get", "put"]),
    ("/api/v1/inbound/email", &["post"]),
    ("/api/v1/outbox", &["get"]),
    ("/api/v1/reports/follow-through", &["get"]),
    ("/api/v1/reports/analytics", &["get"]),
    ("/api/v1/reports/insights", &["get"]),
    ("/api/v1/reports/weekly", &["get"]),
    ("/api/v1/incidents", &["get", "post"]),
    ("/api/v1/incidents/{incident_id}/tell", &["post"]),
    ("/api/v1/incidents/{incident_id}/resolve", &["post"]),
    ("/api/v1/macros", &["get", "post"]),
    ("/api/v1/macros/{macro_id}", &["put", "delete"]),
    ("/api/v1/cases/{case_id}/macros/{macro_id}", &["get"]),
    ("/api/v1/outbox/{entry_id}/retry", &["post"]),
    ("/api/v1/dead-letters", &["get"]),
    ("/api/v1/dead-letters/{letter_id}/retry", &["post"]),
    ("/api/v1/settings/messaging-accounts", &["post"]),
    ("/api/v1/settings/mailbox", &["get", "put"]),
    ("/api/v1/webhooks/meta", &["get", "post"]),
    ("/api/v1/webhooks/telegram/{bot_id}", &["post"]),
    ("/api/v1/customers/{customer_id}/identities", &["post"]),
    ("/api/v1/customers", &["get"]),
    ("/api/v1/customers/{customer_id}/export", &["get"]),
    ("/api/v1/customers/{customer_id}/erasure", &["post"]),
    ("/s/{store}/assistant", &["post"]),
    ("/s/{store}/assistant/{conversation}/events", &["get"]),
];

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_every_route() {
    let app = TestApp::sqlite().await;
    let reply = app.call(Method::GET, "/api/v1/openapi.json", None, None).await;
    assert!(reply.content_type.as_deref().is_some_and(|t| t.starts_with("application/json")));
    let document = reply.expect(200);
    assert!(document["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", document["openapi"]);
    assert_eq!(document["info"]["title"], "Redress API");
    let paths = document["paths"].as_object().expect("paths");
    for (path, methods) in ROUTES {
        let item = paths.get(*path).unwrap_or_else(|| panic!("{path} is not in the document"));
        let documented: Vec<&str> = HTTP_METHODS.iter().copied().filter(|m| item.get(*m).is_some()).collect();
        assert_eq!(documented, *methods, "methods of {path}");
    }
    let mut extra: Vec<&String> = paths.keys().filter(|p| !ROUTES.iter().any(|(r, _)| r == p)).collect();
    extra.sort();
    assert!(extra.is_empty(), "undocumented in this test: {extra:?}");

    // The error format and both keys are described.
    let schemas = &document["components"]["schemas"];
    for schema in ["ErrorBody", "ErrorDetail", "Case", "CaseView", "Order", "OrderInput", "Store"] {
        assert!(schemas.get(schema).is_some(), "schema {schema}");
    }
    let schemes = &document["components"]["securitySchemes"];
    assert!(schemes.get("admin_key").is_some() && schemes.get("store_key").is_some());

    // What is served is the document the crate builds.
    assert_eq!(document, serde_json::to_value(redress_web::openapi()).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_operation_is_served() {
    let app = TestApp::sqlite().await;
    let document: Value = app.call(Method::GET, "/api/v1/openapi.json", None, None).await.expect(200);
    let id = "0190f0a0-0000-7000-8000-000000000000";
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in HTTP_METHODS.iter().filter(|m| item.get(**m).is_some()) {
            let concrete = path.replace("{store_id}", id).replace("{order_id}", id).replace("{case_id}", id);
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // Without a key: 401 for everything but health, never 404 or 405.
            let reply = app.call(method.clone(), &concrete, None, None).await;
            if path == "/healthz" || path == "/readyz" {
                assert_eq!(reply.status, 200);
            } else if path.ends_with("/events") {
                // The assistant's live lines are public: served, and no such store here.
                reply.error(404, "not_found", None);
            } else if path.starts_with("/s/") {
                // The assistant is public: served, and refusing a request without its JSON body.
                reply.error(415, "unsupported_media_type", None);
            } else {
                assert_eq!(reply.status, 401, "{method} {concrete}: {}", reply.body);
                reply.error(401, "unauthorized", None);
            }
        }
    }
}
