"""schemathesis against the api's own OpenAPI schema, on PostgreSQL, as every role.

Every operation in the live schema (so endpoints added later are fuzzed without editing this
file) is called with generated valid and invalid requests as each kind of user. Nothing may
answer 5xx, and every answer (status, content type, body) must match the schema. All problems
are collected and reported together, one line per operation, role and check.

Budget: FUZZ_REQUESTS (default 1100) requests spread over operations x roles (at least
FUZZ_MIN_EXAMPLES each), so the run stays within a few minutes as the api grows.
"""

import math
import os
import time
from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dblood.accounts.services import token_create

TARGET_REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "1100"))
MIN_EXAMPLES = int(os.environ.get("FUZZ_MIN_EXAMPLES", "3"))
MAX_EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Schema bugs found by this test in apps this area does not own, reported to their owners.
# (operation, text in the failure) -> what is wrong. Listed problems are printed, not failed on;
# a row that no longer reproduces is printed too, so it can be deleted.
KNOWN_ISSUES: dict[tuple[str, str], str] = {}
# One persona per kind of user (the authorization matrix covers "another donor", "staff B").
ROLES = ["anonymous", "donor", "staff_a", "hospital_user", "admin_user"]


def _describe(exc: BaseException) -> list[str]:
    """One short line per check failure (a group holds several)."""
    if isinstance(exc, BaseExceptionGroup):
        return [line for inner in exc.exceptions for line in _describe(inner)]
    message = getattr(exc, "message", None) or str(exc)
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    where = next((line for line in lines if line.startswith("Schema at")), "")
    first = (lines[0] if lines else "")[:300]
    return [f"{getattr(exc, 'code', type(exc).__name__)} {getattr(exc, 'title', '')}: {first} {where}".strip()]


@pytest.mark.django_db(transaction=True)
def test_every_operation_as_every_role_conforms_and_never_5xx(request):
    users = {role: None if role == "anonymous" else request.getfixturevalue(role) for role in ROLES}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8, "the schema lost its operations"
    per_combo = max(MIN_EXAMPLES, min(MAX_EXAMPLES, math.ceil(TARGET_REQUESTS / (len(operations) * len(ROLES)))))
    sent: Counter = Counter()
    problems: set[str] = set()
    started = time.monotonic()

    for operation in operations:
        for role, user in users.items():
            # Valid requests get the larger half: they reach deeper than a 400.
            _fuzz(operation, role, user, GenerationMode.POSITIVE, math.ceil(per_combo / 2), sent, problems)
            _fuzz(operation, role, user, GenerationMode.NEGATIVE, max(1, per_combo // 2), sent, problems)

    total = sum(sent.values())
    print(
        f"fuzz: {total} requests over {len(operations)} operations x {len(ROLES)} roles "
        f"in {time.monotonic() - started:.0f} s; {len(problems)} problems"
    )
    known = {line for line in problems if _known(line)}
    for line in sorted(known):
        print("   known issue:", line)
    for key, why in KNOWN_ISSUES.items():
        if not any(_known(line) == key for line in known):
            print(f"   known issue no longer reproduces, delete its row: {key}: {why}")
    problems -= known
    assert total >= 1000, f"only {total} requests were generated"
    assert set(sent) == {operation.label for operation in operations}, "some operations were never called"
    assert not problems, "\n".join(sorted(problems))


def _known(line: str) -> tuple[str, str] | None:
    for operation, text in KNOWN_ISSUES:
        if line.startswith(f"{operation} as ") and text in line:
            return operation, text
    return None


def _fuzz(operation, role: str, user, mode, examples: int, sent: Counter, problems: set[str]) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def fuzz(case):
        cache.clear()  # login throttles would turn most auth calls into 429s
        # The WSGI transport hands back the body as sent and does not undo a Content-Encoding the
        # way an HTTP client would; the gzip answers are tested where they are made (inventory).
        headers = {"Accept-Encoding": "identity"}
        if user is not None:
            key, _ = token_create(user=user)  # fresh: an earlier logout may have revoked it
            headers["Authorization"] = f"Bearer {key}"
        response = case.call(headers=headers)
        sent[operation.label] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, BaseExceptionGroup) as exc:  # collect every failure, report all at the end
            for line in _describe(exc):
                problems.add(f"{operation.label} as {role} ({mode.value}): HTTP {response.status_code}: {line}")

    try:
        fuzz()
    except Unsatisfiable:
        # No invalid request exists for an operation without parameters or body: nothing to negate.
        assert mode == GenerationMode.NEGATIVE, f"{operation.label}: no valid request could be generated"
