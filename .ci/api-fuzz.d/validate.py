"""Validates an OpenAPI 3.1 document with openapi-spec-validator, printing each error briefly.

Usage: validate.py OPENAPI.json
"""

import json
import sys

from openapi_spec_validator import OpenAPIV31SpecValidator

with open(sys.argv[1]) as f:
    document = json.load(f)
errors = 0
try:
    for error in OpenAPIV31SpecValidator(document).iter_errors():
        errors += 1
        where = "/".join(str(part) for part in getattr(error, "absolute_path", []))
        print(f"openapi: {where or '(document)'}: {str(error.message)[:300]}", file=sys.stderr)
except Exception as e:  # a dangling reference stops the walk: report it the same way
    errors += 1
    print(f"openapi: {str(e).split(' within ')[0][:300]}", file=sys.stderr)
if errors:
    sys.exit(f"openapi: {errors} error(s) in {sys.argv[1]}")
paths = document.get("paths", {})
operations = sum(1 for item in paths.values() for method in item if method in
                 ("get", "put", "post", "delete", "patch", "options", "head", "trace"))
print(f"openapi: {sys.argv[1]} is a valid OpenAPI {document.get('openapi')} document ({operations} operations)")
