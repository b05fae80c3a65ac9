"""Schemathesis hooks for the API fuzzer (.ci/api-fuzz).

A generated `Idempotency-Key` that is valid is made unique, so that writes reach their rules
instead of replaying or refusing an earlier request's key (`idempotency_key_reused`); keys that
are not valid are sent as generated, to test their refusal.
"""

import re
import uuid

import schemathesis

VALID_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    key = case.headers.get("Idempotency-Key") if case.headers else None
    if isinstance(key, str) and VALID_KEY.match(key):
        case.headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4()}"
