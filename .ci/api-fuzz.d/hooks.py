"""Schemathesis hooks for the API fuzzer (.ci/api-fuzz).

Raw mail bodies are serialized as bytes. A generated `Idempotency-Key` that is valid is made unique, so that writes reach their rules
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


@schemathesis.serializer("message/rfc822")
def raw_mail(ctx, value):
    """A raw mail body (`POST /api/v1/inbound/email`) is sent as the bytes of the generated
    text; the endpoint must refuse what is not a mail without a 5xx."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8")
