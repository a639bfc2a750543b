"""Errors as FHIR OperationOutcome: each issue names the offending element by its FHIRPath."""

from fhir.resources.R4B.operationoutcome import OperationOutcome
from pydantic import ValidationError as PydanticValidationError
from rest_framework import exceptions

# HTTP status -> OperationOutcome issue code (FHIR's issue-type value set).
ISSUE_CODE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "duplicate",
    413: "too-costly",
    415: "not-supported",
    422: "business-rule",
    429: "throttled",
}


class FhirError(exceptions.APIException):
    """A 4xx about one or more elements: `issues` is [(expression, message), ...]."""

    def __init__(self, issues: list[tuple[str | None, str]], status: int = 400):
        super().__init__(issues[0][1] if issues else "")
        self.status_code = status
        self.issues = issues


def expression(resource_type: str, loc) -> str:
    """pydantic's error location ('identifier', 0, 'value') as FHIRPath: ServiceRequest.identifier[0].value."""
    path = resource_type
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "__root__":
            path += f".{part}"
    return path


def from_pydantic(resource_type: str, error: PydanticValidationError) -> FhirError:
    issues = []
    for item in error.errors():
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "Unknown element."
        issues.append((expression(resource_type, item["loc"]), message))
    return FhirError(issues)


def operation_outcome(*, status: int, issues: list[tuple[str | None, str]]) -> dict:
    code = ISSUE_CODE.get(status, "exception" if status >= 500 else "processing")
    entries = []
    for path, message in issues:
        entry = {"severity": "error" if status < 500 else "fatal", "code": code, "diagnostics": str(message)}
        if path:
            entry["expression"] = [path]
        entries.append(entry)
    return OperationOutcome.model_validate({"resourceType": "OperationOutcome", "issue": entries}).model_dump(
        mode="json", exclude_none=True
    )


def _flatten(detail, prefix: str) -> list[tuple[str | None, str]]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            out += _flatten(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    if isinstance(detail, list):
        out = []
        for value in detail:
            out += _flatten(value, prefix)
        return out
    return [(prefix or None, str(detail))]


def from_serializer(errors, fields: dict[str, str]) -> FhirError:
    """A dblood serializer's errors, each put on the FHIR element its field came from."""
    issues = []
    for name, message in _flatten(errors, ""):
        top = (name or "").split(".")[0]
        issues.append((fields.get(top, fields.get("")), message))
    return FhirError(issues)
