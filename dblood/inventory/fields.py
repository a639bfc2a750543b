"""A serializer field for a unit as the api's clients name it: its id, or its label scanned."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dblood.core.isbt import ScanError, parse_scan

from .models import BloodUnit

# Every DIN is 13 characters or more: a shorter run of digits is an id.
LONGEST_ID = 12


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string"}],
        "description": "The unit's id, or its label scanned: the DIN (001, with flags or check character) "
        "and, when the donation made more than one unit, the product code (003), concatenated as the "
        "scanner sends them.",
    }
)
class UnitField(serializers.Field):
    """Yields the unit's id. A scan is read by dblood.core.isbt.parse_scan; a bad one is a 400 naming
    the field with what is wrong, as is a scan that matches no unit or several."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail_with(_("A unit's id or its scanned label."))
        text = data.strip() if isinstance(data, str) else ""
        if isinstance(data, int) or (text.isdigit() and len(text) <= LONGEST_ID):
            value = int(data)
            if value < 1:
                self.fail_with(_("A unit's id is a positive number."))
            return value
        if not text:
            self.fail_with(_("A unit's id or its scanned label."))
        try:
            scan = parse_scan(text, expect="din", require=("din",))
        except ScanError as exc:
            raise serializers.ValidationError(exc.message) from exc
        units = BloodUnit.objects.filter(donation__din=scan.din)
        if scan.product_code:
            units = units.filter(product_code=scan.product_code)
        ids = list(units.values_list("pk", flat=True)[:2])
        if not ids:
            self.fail_with(_("No unit carries this DIN and product code."))
        if len(ids) > 1:
            self.fail_with(_("This donation made several units: scan the product code as well."))
        return ids[0]

    def to_representation(self, value):
        return value

    @staticmethod
    def fail_with(message: str):
        raise serializers.ValidationError(message)
