"""Organizations (blood banks and hospitals) as FHIR references, and back."""

from dblood.sites.models import Site

from . import codes


def organization_reference(site: Site) -> dict:
    return {
        "reference": f"Organization/{site.pk}",
        "type": "Organization",
        "identifier": {"system": codes.SITE_SYSTEM, "value": site.code},
        "display": site.name,
    }


def site_from_reference(reference, *, kind: str) -> Site | None:
    """The active site of `kind` a Reference points at: `Organization/<id>`, or an identifier in
    dblood's site system (the site's code). None when it names no such site."""
    sites = Site.objects.filter(kind=kind, is_active=True)
    if reference.reference:
        prefix, _, pk = reference.reference.partition("/")
        if prefix != "Organization" or not pk.isdigit():
            return None
        return sites.filter(pk=int(pk)).first()
    identifier = reference.identifier
    if identifier is not None and identifier.system == codes.SITE_SYSTEM and identifier.value:
        return sites.filter(code=identifier.value).first()
    return None
