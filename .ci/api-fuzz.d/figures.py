"""Prints one schemathesis run's figures: operations, test cases, requests by status, failures.

Usage: figures.py REPORT.json REPORT.har LABEL
"""

import collections
import json
import sys

report_path, har_path, label = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    with open(report_path) as f:
        report = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f"{label}: no report ({e})")
try:
    with open(har_path) as f:
        entries = json.load(f)["log"]["entries"]
except (OSError, ValueError, KeyError):
    entries = []

statuses = collections.Counter(entry["response"]["status"] for entry in entries)
operations = report.get("operations") or {}
cases = report.get("test_cases") or {}
print(
    f"{label}: {operations.get('tested', 0)} of {operations.get('total', 0)} operations tested, "
    f"{cases.get('generated', 0)} test cases, {len(entries)} requests "
    f"({', '.join(f'{status}: {count}' for status, count in sorted(statuses.items()))}), "
    f"{report.get('running_time', 0):.0f} s; "
    f"{sum(group['count'] for group in report.get('failures', []))} failures, "
    f"{sum(group['count'] for group in report.get('errors', []))} errors"
)
for group in report.get("failures", []):
    print(f"  failure: {group['title']} ({group['count']}) in {', '.join(group['operations'][:6])}")
for group in report.get("errors", []):
    print(f"  error: {group['title']} ({group['count']})")
