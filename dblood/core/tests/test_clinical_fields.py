"""Every clinical value the api records is one somebody entered.

The walk below takes every write endpoint of the url conf (through the schema generator, which knows each
view's request serializer) and fails on a boolean or choice field of a clinical write that can be omitted
or has a default. A field that is not a clinical value goes in NOT_CLINICAL, with the reason.
"""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers
from rest_framework.fields import empty

from dblood.core.serializers import ClinicalBooleanField, ClinicalChoiceField

WRITE_METHODS = {"POST", "PUT", "PATCH"}

# (serializer class name, field path): why an omitted value or its default records nothing clinical.
NOT_CLINICAL = {
    # The donation type of a collection from an appointment is the one booked (explicitly, at booking);
    # for a walk-in (no appointment) validate() requires it.
    ("DonationCreateSerializer", "donation_type"): "from the appointment, or required for a walk-in",
    # Moving a booking to another slot keeps the type that was booked unless a new one is named.
    ("AppointmentRescheduleSerializer", "donation_type"): "keeps the explicitly booked type",
    # Interface and notification preferences, and what a drive offers.
    ("DonorSerializer", "language"): "user interface language",
    ("DonorSerializer", "notify_channels.child"): "how to be notified",
    ("DriveWriteSerializer", "donation_types.child"): "what a drive offers, not a donor's value",
    ("DriveWriteSerializer", "status"): "drive scheduling state",
    ("RegisterSerializer", "language"): "user interface language",
    ("UserSerializer", "language"): "user interface language",
    ("CallOutAnswerSerializer", "answer"): "a donor saying whether they come, required anyway",
    # A PATCH of the donor's own profile: what is omitted stays as it was. The group here is the donor's
    # own declaration, flagged unconfirmed; the lab's typing replaces it and compatibility never uses it.
    ("DonorSerializer", "abo"): "self-declared, partial update",
    ("DonorSerializer", "rhd"): "self-declared, partial update",
    ("DonorSerializer", "sex"): "partial update",
    ("DonorSerializer", "share_contact"): "a privacy preference, partial update",
    ("DonorSerializer", "call_out_opt_in"): "a contact preference, partial update",
    # A walk-in of a known donor keeps the profile's sex; a new donor's may be added later.
    ("WalkInSerializer", "sex"): "profile data, not a clinical answer of this visit",
    # A confirmation: when it is missing an override that needs it is refused, never permitted.
    ("ReserveSerializer", "override_acknowledged"): "missing refuses the override it would confirm",
}


def _write_serializers():
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found = {}
    for path, _regex, method, view in generator._get_paths_and_endpoints():
        if method not in WRITE_METHODS:
            continue
        schema = view.schema
        schema.path, schema.path_regex, schema.path_prefix, schema.method = path, _regex, "", method
        if schema.is_excluded():
            continue
        serializer = schema.get_request_serializer()
        if serializer is None:
            continue
        cls = serializer if isinstance(serializer, type) else type(serializer)
        if issubclass(cls, serializers.BaseSerializer):
            found.setdefault(cls, []).append(f"{method} {path}")
    return found


def _choice_and_boolean_fields(serializer, prefix=""):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        path = f"{prefix}{name}"
        if isinstance(field, serializers.ListSerializer):
            yield from _choice_and_boolean_fields(field.child, f"{path}.")
        elif isinstance(field, serializers.Serializer):
            yield from _choice_and_boolean_fields(field, f"{path}.")
        elif isinstance(field, (serializers.ListField, serializers.DictField)):
            child = field.child
            if isinstance(child, (serializers.BooleanField, serializers.ChoiceField)):
                yield f"{path}.child", child, field
        elif isinstance(field, (serializers.BooleanField, serializers.ChoiceField)):
            yield path, field, field


WRITE_SERIALIZERS = _write_serializers()


def test_the_walk_finds_the_clinical_writes():
    names = {cls.__name__ for cls in WRITE_SERIALIZERS}
    assert {
        "DonationCreateSerializer",
        "TypingSerializer",
        "ScreeningSerializer",
        "SeparationSerializer",
        "OutcomeSerializer",
        "AnswersSerializer",
        "AppointmentCreateSerializer",
        "WalkInSerializer",
        "DeferralCreateSerializer",
        "BloodRequestCreateSerializer",
    } <= names


@pytest.mark.parametrize("cls", sorted(WRITE_SERIALIZERS, key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_no_clinical_choice_or_boolean_can_be_omitted(cls):
    serializer = cls(context={"request": None})
    leaks = []
    for path, field, outer in _choice_and_boolean_fields(serializer):
        if (cls.__name__, path) in NOT_CLINICAL:
            continue
        if not isinstance(field, (ClinicalBooleanField, ClinicalChoiceField)):
            leaks.append(f"{path}: a {type(field).__name__}, not a clinical field")
        if not outer.required or outer.default is not empty:
            leaks.append(f"{path}: can be omitted (required={outer.required}, default={outer.default!r})")
        if getattr(field, "allow_blank", False) or field.allow_null:
            leaks.append(f"{path}: may be blank or null")
    assert not leaks, f"{cls.__name__} ({', '.join(WRITE_SERIALIZERS[cls])}): {leaks}"


def test_not_clinical_names_only_fields_that_exist():
    present = {
        (cls.__name__, path)
        for cls in WRITE_SERIALIZERS
        for path, _field, _outer in _choice_and_boolean_fields(cls(context={"request": None}))
    }
    assert set(NOT_CLINICAL) <= present, set(NOT_CLINICAL) - present


@pytest.mark.parametrize("value", ["", "maybe", "1", "0", "on", "yes", 1, 0, None, [], {}])
def test_a_clinical_boolean_takes_only_true_or_false(value):
    field = ClinicalBooleanField()
    with pytest.raises(serializers.ValidationError):
        field.run_validation(value)


def test_a_clinical_boolean_missing_from_a_form_is_missing_not_false():
    from django.http import QueryDict

    class Body(serializers.Serializer):
        reactive = ClinicalBooleanField()

    body = Body(data=QueryDict("other=1"))
    assert not body.is_valid()
    assert "reactive" in body.errors
    assert Body(data=QueryDict("reactive=false")).is_valid()


@pytest.mark.parametrize("kwargs", [{"default": False}, {"required": False}, {"allow_null": True}])
def test_a_clinical_field_refuses_a_default(kwargs):
    with pytest.raises(TypeError):
        ClinicalBooleanField(**kwargs)
    with pytest.raises(TypeError):
        ClinicalChoiceField(choices=["a"], **kwargs)
