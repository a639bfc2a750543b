from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "dblood.fhir"
    label = "fhir"
    verbose_name = "HL7 FHIR R4 interface"
