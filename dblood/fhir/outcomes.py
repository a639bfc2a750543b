"""Transfusion results in: an Observation of what became of an issued unit, and an AdverseEvent for
a transfusion reaction. Both are mapped to the REST api's serializers and services (requests'
outcome, haemovigilance's reaction report), whose checks and alerts apply unchanged."""

from django.utils.translation import gettext as _
from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.observation import Observation
from pydantic import ValidationError as PydanticValidationError

from dblood.haemovigilance import reactions
from dblood.haemovigilance.serializers import ReactionCreateSerializer
from dblood.requests import services
from dblood.requests.models import Allocation

from . import codes
from .outcome import FhirError, from_pydantic, from_serializer

REACTION_PATHS = {
    "units": "AdverseEvent.suspectEntity",
    "category": "AdverseEvent.event",
    "severity": "AdverseEvent.severity",
    "imputability": "AdverseEvent.suspectEntity[0].causality[0].assessment",
    "transfusion_started_at": f"AdverseEvent.extension('{codes.EXT_TRANSFUSION_STARTED}')",
    "onset_at": "AdverseEvent.date",
    "signs": f"AdverseEvent.extension('{codes.EXT_REACTION_SIGN}')",
    "": "AdverseEvent",
}


def _parse(model, data):
    name = model.__name__
    if not isinstance(data, dict) or data.get("resourceType") != name:
        raise FhirError([(f"{name}.resourceType", _("Expected a %(type)s.") % {"type": name})])
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise from_pydantic(name, exc) from exc


def _unit_id(reference) -> int | None:
    prefix, _sep, pk = (reference.reference or "").partition("/")
    return int(pk) if prefix == "BiologicallyDerivedProduct" and pk.isdigit() else None


def _code(concept, system: str) -> str | None:
    for coding in (concept.coding or []) if concept else []:
        if coding.system == system and coding.code:
            return coding.code
    return None


def _check_subject(resource, path: str) -> None:
    subject = resource.subject
    if subject is not None and (subject.reference or subject.display):
        raise FhirError([(path, _("Give the patient only as an opaque identifier of your system, or not at all."))])


def outcome_record(*, data, by) -> Allocation:
    """An Observation: focus the unit, value transfused or not_transfused."""
    resource = _parse(Observation, data)
    _check_subject(resource, "Observation.subject")
    issues = []
    if resource.status != "final":
        issues.append(("Observation.status", _("A transfusion outcome is final.")))
    if _code(resource.code, codes.OBSERVATION_SYSTEM) != codes.TRANSFUSION_OUTCOME:
        issues.append(("Observation.code", _("Only the transfusion outcome is taken.")))
    foci = resource.focus or []
    unit_id = _unit_id(foci[0]) if len(foci) == 1 else None
    if unit_id is None:
        issues.append(("Observation.focus", _("Exactly one focus: the BiologicallyDerivedProduct.")))
    value = _code(resource.valueCodeableConcept, codes.TRANSFUSION_OUTCOME_SYSTEM)
    if value not in Allocation.Outcome.values:
        issues.append(("Observation.valueCodeableConcept", _("transfused or not_transfused.")))
    if issues:
        raise FhirError(issues)
    from .views import _allocations

    allocation = _allocations(by).filter(unit_id=unit_id, status=Allocation.Status.ISSUED).first()
    if allocation is None:
        raise FhirError([("Observation.focus", _("No unit issued to your hospital has this id."))], 404)
    reaction = " ".join(n.text for n in resource.note or [] if n.text)
    return services.allocation_record_outcome(
        allocation=allocation, by=by, transfused=value == Allocation.Outcome.TRANSFUSED, reaction=reaction[:300]
    )


def render_outcome(allocation: Allocation) -> dict:
    data = {
        "resourceType": "Observation",
        "id": str(allocation.pk),
        "status": "final",
        "code": {"coding": [{"system": codes.OBSERVATION_SYSTEM, "code": codes.TRANSFUSION_OUTCOME}]},
        "focus": [{"reference": f"BiologicallyDerivedProduct/{allocation.unit_id}"}],
        "basedOn": [{"reference": f"ServiceRequest/{allocation.request_id}"}],
        "effectiveDateTime": allocation.outcome_at.isoformat(),
        "valueCodeableConcept": {"coding": [{"system": codes.TRANSFUSION_OUTCOME_SYSTEM, "code": allocation.outcome}]},
    }
    if allocation.reaction:
        data["note"] = [{"text": allocation.reaction}]
    return Observation.model_validate(data).model_dump(mode="json", exclude_none=True)


def reaction_create(*, data, by):
    """An AdverseEvent: the reaction's category, severity, imputability, times, signs and units."""
    resource = _parse(AdverseEvent, data)
    _check_subject(resource, "AdverseEvent.subject")
    if resource.actuality != "actual":
        raise FhirError([("AdverseEvent.actuality", _("Only an actual reaction is reported."))])
    entities = resource.suspectEntity or []
    unit_ids = [_unit_id(entity.instance) for entity in entities]
    assessments = {
        _code(c.assessment, codes.IMPUTABILITY_SYSTEM) for entity in entities for c in entity.causality or []
    }
    started = [e.valueDateTime for e in resource.extension or [] if e.url == codes.EXT_TRANSFUSION_STARTED]
    fields = {
        "units": [pk for pk in unit_ids if pk is not None] if None not in unit_ids else [],
        "category": _code(resource.event, codes.REACTION_CATEGORY_SYSTEM),
        "severity": _code(resource.severity, codes.REACTION_SEVERITY_SYSTEM),
        "imputability": assessments.pop() if len(assessments) == 1 else None,
        "transfusion_started_at": started[0].isoformat() if len(started) == 1 and started[0] else None,
        "onset_at": resource.date.isoformat() if resource.date else None,
        "signs": [e.valueCode for e in resource.extension or [] if e.url == codes.EXT_REACTION_SIGN],
    }
    serializer = ReactionCreateSerializer(data={k: v for k, v in fields.items() if v is not None})
    if not serializer.is_valid():
        raise from_serializer(serializer.errors, REACTION_PATHS)
    values = dict(serializer.validated_data)
    return reactions.reaction_report(by=by, unit_ids=values.pop("units"), **values)


def render_reaction(reaction) -> dict:
    def coding(system, code):
        return {"coding": [{"system": system, "code": code}]}

    data = {
        "resourceType": "AdverseEvent",
        "id": str(reaction.pk),
        "actuality": "actual",
        "event": coding(codes.REACTION_CATEGORY_SYSTEM, reaction.category),
        "subject": {"extension": [{"url": codes.DATA_ABSENT, "valueCode": "unknown"}]},
        "date": reaction.onset_at.isoformat(),
        "recordedDate": reaction.reported_at.isoformat(),
        "severity": coding(codes.REACTION_SEVERITY_SYSTEM, reaction.severity),
        "extension": [
            {"url": codes.EXT_TRANSFUSION_STARTED, "valueDateTime": reaction.transfusion_started_at.isoformat()}
        ]
        + [{"url": codes.EXT_REACTION_SIGN, "valueCode": sign} for sign in reaction.signs],
        "suspectEntity": [
            {
                "instance": {"reference": f"BiologicallyDerivedProduct/{link.unit_id}"},
                "causality": [{"assessment": coding(codes.IMPUTABILITY_SYSTEM, reaction.imputability)}],
            }
            for link in reaction.implicated.all()
        ],
    }
    return AdverseEvent.model_validate(data).model_dump(mode="json", exclude_none=True)
