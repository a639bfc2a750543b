"""The label check for tests: print a unit's label and scan it, as the clerk at the bench does before
a unit enters stock (`dblood.inventory.verification`).

`label_scans` is what a scanner types from the unit's last printed label (its DIN and product
barcodes); `label_check` prints the label and checks it through the service, which releases a unit
awaiting its check.
"""


def label_scans(unit) -> dict[str, str]:
    """The two barcodes of `unit`'s last printed label, as the api's scan fields take them."""
    from dblood.inventory.verification import printed_scans

    last = unit.label_prints.order_by("-at", "-id").first()
    assert last is not None, f"unit {unit.pk} has no printed label"
    return printed_scans(last)


def label_check(unit, *, by=None):
    """Print `unit`'s label (ZPL) and verify both scans; returns the matched check."""
    from dblood.inventory.labels import label_print
    from dblood.inventory.verification import label_verify

    label_print(unit=unit, by=by, fmt="zpl")
    scans = label_scans(unit)
    check = label_verify(unit=unit, by=by, din_scan=scans["din"], product_scan=scans["product_code"])
    assert check.matched, check.mismatched
    return check


def label_print_only(unit, *, by=None):
    """Print `unit`'s label without checking it (a unit about to leave for another bank)."""
    from dblood.inventory.labels import label_print

    return label_print(unit=unit, by=by, fmt="zpl")[1]


def api_label_check(client, unit_id: int):
    """The same through the api, as the web does: GET the label (ZPL), POST its two scans. The
    verification's response is returned (201 when it matched)."""
    from dblood.inventory.models import BloodUnit

    printed = client.get(f"/api/v1/units/{unit_id}/label.zpl")
    assert printed.status_code == 200, printed.content
    return client.post(f"/api/v1/units/{unit_id}/label-verification", label_scans(BloodUnit.objects.get(pk=unit_id)))
