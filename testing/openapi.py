"""Every api response a test receives must match the api's own OpenAPI schema.

A client that reads the schema (the web, a hospital's system) trusts it: a field documented as never
null that comes back null, a list documented as a page, a public endpoint documented as needing a
token, a status the operation does not list, all break such a client without any test noticing.
So the suite checks each response of Django's test client (and DRF's APIClient, built on it) against
the schema drf-spectacular generates, for the operation's path, method and status:

- the status must be one the operation documents (every operation documents the shared error
  statuses, dblood.core.schema.ERROR_DESCRIPTIONS, so only unlisted successes and redirects fail);
- a JSON body must validate against that response's schema (OpenAPI 3.0's `nullable` included);
- any other body must have a media type the response documents;
- a success for an anonymous caller needs an operation documented as open to anonymous callers.

The schema is generated once per process and each response schema is compiled once, so the
check costs little per request. Failures raise at the request, naming the operation and the
mismatch, and are listed again at the end of the run.
"""

import gzip
import json
import re
from functools import cache

import pytest
from jsonschema import Draft202012Validator

PREFIXES = ("/api/v1/", "/healthz", "/readyz")
# DRF answers OPTIONS with its own metadata, outside the schema.
UNCHECKED_METHODS = {"OPTIONS"}

mismatches: list[str] = []


class SchemaMismatch(AssertionError):
    """A response that does not match the api's OpenAPI schema."""


@cache
def document() -> dict:
    """The api's schema, as /api/schema/ serves it (generated once per process)."""
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def _json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable: true` becomes an allowed null."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if not node.get("nullable"):
        return out
    if "type" in out and not any(key in out for key in ("allOf", "oneOf", "anyOf", "$ref")):
        out["type"] = [out["type"], "null"]
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [out, {"type": "null"}]}


@cache
def _components() -> dict:
    return _json_schema(document().get("components", {}))


@cache
def _templates() -> tuple[tuple[re.Pattern, str], ...]:
    """Each documented path as a pattern; literal paths first, so /drives/mine is not /drives/{id}."""
    paths = sorted(document()["paths"], key=lambda path: (path.count("{"), path))
    patterns = []
    for path in paths:
        parts = re.split(r"\{[^}]+\}", path.rstrip("/"))
        regex = "[^/]+".join(re.escape(part) for part in parts)
        patterns.append((re.compile(f"^{regex}/?$"), path))
    return tuple(patterns)


def operation_for(path: str, method: str) -> tuple[str | None, dict | None]:
    """The documented path template and operation for a request path, or (None, None)."""
    for pattern, template in _templates():
        if pattern.match(path):
            return template, document()["paths"][template].get(method.lower())
    return None, None


@cache
def _validator(template: str, method: str, status: str, media_type: str) -> Draft202012Validator:
    schema = document()["paths"][template][method]["responses"][status]["content"][media_type]["schema"]
    # The components travel inside the schema so that its "#/components/..." references resolve.
    # Formats are asserted: drf-spectacular documents a blank e-mail as oneOf("" or an e-mail).
    return Draft202012Validator(
        {"allOf": [_json_schema(schema)], "components": _components()},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _public(operation: dict) -> bool:
    security = operation.get("security")
    return not security or {} in security


def problems(method: str, path: str, status: int, content_type: str, body: bytes | None, anonymous: bool) -> list[str]:
    """What is wrong with one response against the schema; empty when it matches.

    `body` is None for a response whose content was not read (a streamed file)."""
    method = method.lower()
    if method == "head":
        method, body = "get", None
    template, operation = operation_for(path, method)
    if template is None:
        return [] if status == 404 else [f"{path} is not a documented path (status {status})"]
    if operation is None:
        return [] if status == 405 else [f"{method.upper()} is not documented for {template} (status {status})"]
    responses = operation["responses"]
    code = str(status)
    if code not in responses:
        return [f"status {status} is not documented (documented: {', '.join(sorted(responses))})"]
    found = []
    if anonymous and 200 <= status < 300 and not _public(operation):
        found.append(f"answered {status} to an anonymous caller but is documented as needing a token")
    content = responses[code].get("content") or {}
    media_type = content_type.split(";")[0].strip().lower()
    if not body:
        return found
    if media_type not in content:
        return [*found, f"media type {media_type!r} is not documented for status {status} ({', '.join(content)})"]
    if media_type != "application/json":
        return found
    validator = _validator(template, method, code, media_type)
    data = json.loads(body)
    for error in sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path)):
        where = "/".join(str(part) for part in error.absolute_path) or "(body)"
        found.append(f"{where}: {error.message[:300]}")
    return found


def _body(response) -> bytes | None:
    if response.streaming:
        return None
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content)
    return response.content


def check(response) -> None:
    """Raise SchemaMismatch when a test client's response does not match the schema."""
    from django.conf import settings

    request = response.wsgi_request
    path, method = request.path_info, request.method
    if method in UNCHECKED_METHODS or not path.startswith(PREFIXES):
        return
    if getattr(request, "urlconf", None) or settings.ROOT_URLCONF != "dblood.urls":
        return  # a test's own routes, outside the api's schema
    user = getattr(request, "user", None)
    # A caller authenticated by something other than a user (a storage location's device token)
    # carries it in `auth`.
    anonymous = (user is None or not user.is_authenticated) and getattr(request, "auth", None) is None
    # DRF's browsable api (HTML for a browser's Accept) is a convenience outside the schema.
    renderer = getattr(response, "accepted_renderer", None)
    body = None if getattr(renderer, "format", None) == "api" else _body(response)
    found = problems(method, path, response.status_code, response.get("Content-Type", ""), body, anonymous)
    if found:
        template, _ = operation_for(path, method)
        message = f"{method} {template or path} -> {response.status_code}: " + "; ".join(found)
        mismatches.append(message)
        raise SchemaMismatch(message)


@pytest.fixture(autouse=True, scope="session")
def _responses_match_schema():
    """Wrap the test client's request (APIClient's too) so every response is checked."""
    from django.test.client import Client

    original = Client.request

    def request(self, **kwargs):
        response = original(self, **kwargs)
        check(response)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "request", request)
        yield


def pytest_terminal_summary(terminalreporter):
    if mismatches:
        terminalreporter.section("responses that do not match the OpenAPI schema")
        for line in sorted(set(mismatches)):
            terminalreporter.write_line(line)
