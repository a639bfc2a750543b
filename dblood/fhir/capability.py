"""The CapabilityStatement: built from the FHIR routes themselves, so it lists exactly what is served."""

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from . import codes

PREFIX = "fhir/r4/"


def fhir_views() -> list:
    """The FHIR view classes routed under /fhir/r4/, in URL order (each once)."""
    from .views import FhirView

    found = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                cls = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                route = prefix + str(pattern.pattern)
                if route.startswith(PREFIX) and cls and issubclass(cls, FhirView) and cls not in found:
                    found.append(cls)

    walk(get_resolver().url_patterns)
    return found


def supported() -> dict[str, dict]:
    """resource type -> {"interactions": [...], "search": [...]}, from the routed views."""
    resources: dict[str, dict] = {}
    for cls in fhir_views():
        if cls.resource_type == "CapabilityStatement":
            continue
        entry = resources.setdefault(cls.resource_type, {"interactions": [], "search": []})
        for method, code in cls.interactions.items():
            if hasattr(cls, method.lower()) and code not in entry["interactions"]:
                entry["interactions"].append(code)
        entry["search"] += [p for p in cls.search_params if p not in entry["search"]]
    return resources


def capability_statement(request) -> dict:
    base = request.build_absolute_uri(f"/{PREFIX}").rstrip("/")
    resources = []
    for resource_type, entry in supported().items():
        resource = {
            "type": resource_type,
            "interaction": [{"code": code} for code in entry["interactions"]],
        }
        if "create" in entry["interactions"] and resource_type == "ServiceRequest":
            resource["conditionalCreate"] = True
        if entry["search"]:
            resource["searchParam"] = [
                {"name": name, "type": kind, "documentation": doc} for name, kind, doc in entry["search"]
            ]
        resources.append(resource)
    token_url = request.build_absolute_uri(f"/{PREFIX}auth/token")
    data = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "dblood",
        "kind": "instance",
        "implementation": {"description": "dblood blood-bank system", "url": base},
        "software": {"name": "dblood", "version": getattr(settings, "DBLOOD_VERSION", "1")},
        "fhirVersion": codes.FHIR_VERSION,
        "format": [codes.MEDIA_TYPE, "json"],
        "patchFormat": ["application/json-patch+json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "extension": [
                        {
                            "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                            "extension": [{"url": "token", "valueUri": token_url}],
                        }
                    ],
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "OAuth",
                                }
                            ]
                        }
                    ],
                    "description": "OAuth2 client credentials, one client per hospital; or a dblood api token.",
                },
                "resource": resources,
            }
        ],
    }
    return CapabilityStatement.model_validate(data).model_dump(mode="json", exclude_none=True)
