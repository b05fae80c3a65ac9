"""Sets up a shop on a running Redress for the API fuzzer, and writes its schemathesis.toml.

Usage: seed.py BASE_URL OPERATOR_KEY CONFIG_OUT

Through the API only, as an integrator would: a store with an admin, an agent, a spare key,
an order (paid, one parcel delivered, one in transit), cases on it, a refund, a return, a
dispute and a help article. The ids go into the fuzzer's configuration as dictionaries for the
path parameters, so most requests reach real resources and the rest try ids that do not exist.
"""

import json
import sys
import uuid
from datetime import datetime, timedelta, timezone

import requests

base, operator_key, config_out = sys.argv[1], sys.argv[2], sys.argv[3]
session = requests.Session()


def call(method, path, key, body=None, idempotent=False, expect=(200, 201)):
    headers = {"Authorization": f"Bearer {key}"}
    if idempotent:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    reply = session.request(method, base + path, json=body, headers=headers, timeout=30)
    if reply.status_code not in expect:
        sys.exit(f"seed: {method} {path} answered {reply.status_code}: {reply.text[:2000]}")
    return reply.json() if reply.content else None


def ago(days):
    return (datetime.now(timezone.utc) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def eur(minor):
    return {"amount_minor": minor, "currency": "EUR"}


created = call("POST", "/api/v1/stores", operator_key, {
    "slug": "fuzz-shop", "name": "Fuzz Shop", "default_currency": "EUR", "default_language": "en",
    "admin": {"email": "admin@fuzz.example", "name": "Ada Admin", "role": "admin", "password": "fuzz-admin-password"},
})
store_id = created["store"]["id"]
store_key = created["api_key"]["secret"]
admin_key = created["admin_key"]["secret"]

agent = call("POST", "/api/v1/agents", admin_key, {
    "email": "agent@fuzz.example", "name": "Ali Agent", "role": "agent", "password": "fuzz-agent-password",
})
spare_key = call("POST", "/api/v1/store/api-keys", admin_key, {"label": "spare, for the fuzzer to revoke"})

order = call("POST", "/api/v1/orders", store_key, {
    "number": "FUZZ-1",
    "customer": {"email": "ana@example.com", "name": "Ana Kowalska", "language": "en"},
    "currency": "EUR",
    "lines": [
        {"sku": "MUG-1", "title": "Blue mug", "quantity": 2, "unit_price": eur(1250)},
        {"sku": "TEA-9", "title": "Green tea", "quantity": 1, "unit_price": eur(800)},
        {"sku": "VASE-3", "title": "Vase", "quantity": 1, "unit_price": eur(5899)},
    ],
    "shipping_address": {"name": "Ana Kowalska", "lines": ["ul. Długa 5"], "city": "Kraków",
                         "postal_code": "31-147", "country": "PL"},
    "payments": [{"provider": "stripe", "provider_reference": "pi_fuzz_1", "method": "card",
                  "authorized": eur(9199), "captured": eur(9199), "status": "captured"}],
    "shipments": [
        {"carrier": "dhl", "tracking_number": "FZ0001", "lines": [{"sku": "MUG-1", "quantity": 2},
                                                                   {"sku": "VASE-3", "quantity": 1}],
         "status": "delivered",
         "status_times": {"handed_to_carrier": ago(6), "in_transit": ago(5), "delivered": ago(3)}},
        {"carrier": "dpd", "tracking_number": "FZ0002", "lines": [{"sku": "TEA-9", "quantity": 1}],
         "status": "in_transit", "status_times": {"handed_to_carrier": ago(2), "in_transit": ago(1)}},
    ],
    "placed_at": ago(7),
})
order_id = order["id"]
customer_id = order["customer_id"]
payment_id = order["payments"][0]["id"]


def open_case(kind, subject, body, lines=()):
    case = call("POST", "/api/v1/cases", store_key, {
        "order_id": order_id, "subject": subject, "channel": "email", "kind": kind,
        "lines": [{"sku": sku, "quantity": qty} for sku, qty in lines], "message": {"body": body},
    })
    return case["case"]["id"]


damaged = open_case("damaged_in_transit", "Broken vase", "The vase arrived in pieces.", [("VASE-3", 1)])
returning = open_case("return_request", "Return the mugs", "I would like to return one mug.", [("MUG-1", 1)])
charged = open_case("wrong_charge", "Charged wrongly", "I was charged the wrong amount.")
cases = [damaged, returning, charged]

refund = call("POST", f"/api/v1/cases/{charged}/refunds", admin_key, {
    "method": "original_payment", "payment_id": payment_id, "reason": "other", "amount": eur(300),
}, idempotent=True, expect=(201, 202))
a_return = call("POST", f"/api/v1/cases/{returning}/returns", store_key, {
    "lines": [{"sku": "MUG-1", "quantity": 1, "reason": "return_request"}],
}, idempotent=True)
dispute = call("POST", f"/api/v1/cases/{charged}/disputes", store_key, {
    "payment_id": payment_id, "provider_reference": "dp_fuzz_1", "amount": eur(800),
    "reason": "general", "status": "needs_response", "evidence_due_by": ago(-7),
})
call("PUT", "/api/v1/help/articles/fuzz-returns", admin_key, {
    "language": "en", "title": "Returns", "body": "Send items back within 30 days.", "tags": ["return"],
})
postings = call("GET", "/api/v1/ledger/postings", store_key)

refund_id = refund["refund"]["id"]
return_id = a_return["return"]["id"]
if not postings["postings"]:
    sys.exit("seed: the ledger has no postings")

# Every path parameter points at a seeded resource, in every phase, so that requests reach the
# rules behind the ids (unknown ids are the API tests' business); the return's operations use
# the case that has it.
everywhere = {
    "case_id": damaged, "order_id": order_id, "customer_id": customer_id, "refund_id": refund_id,
    "return_id": return_id, "dispute_id": dispute["dispute"]["id"], "posting_id": postings["postings"][0]["id"],
    "agent_id": agent["id"], "key_id": spare_key["id"], "store_id": store_id, "article_id": "fuzz-returns",
}
with open(config_out, "w") as out:
    out.write("[parameters]\n")
    for name, value in everywhere.items():
        out.write(f'"path.{name}" = {json.dumps(value)}\n')
    # Refunds and disputes name a payment of the case's order, amounts are in its currency.
    out.write(f'"body.payment_id" = {json.dumps(payment_id)}\n')
    out.write('"body.amount.currency" = "EUR"\n')
    out.write('\n[[operations]]\ninclude-path-regex = "/returns"\n')
    out.write(f'parameters = {{ "path.case_id" = {json.dumps(returning)} }}\n')

with open(config_out + ".env", "w") as out:
    out.write(f"STORE_KEY={store_key}\nADMIN_KEY={admin_key}\n")
print(f"seeded store {store_id}: order {order_id}, cases {', '.join(cases)}")
