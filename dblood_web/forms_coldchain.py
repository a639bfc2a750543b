"""The cold chain's forms (views/coldchain.py): a reading by hand, an excursion's closing, the
end-of-day count by scanning, a difference's resolution and a unit's move."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _temperature_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=4, decimal_places=1, min_value=-90, max_value=60)


class ReadingForm(forms.Form):
    """A temperature read off a fridge's, freezer's or agitator's thermometer, and when."""

    taken_at = forms.DateTimeField(label=_("Read at"), widget=forms.DateTimeInput({"type": "datetime-local"}))
    temperature_c = _temperature_field(_("Temperature (°C)"))

    def api_fields(self) -> dict:
        return {
            "taken_at": self.cleaned_data["taken_at"].isoformat(),
            "temperature_c": str(self.cleaned_data["temperature_c"]),
        }


class ExcursionCloseForm(forms.Form):
    """Why the held units are released or discarded; the decision for each unit is its own field
    (views/coldchain.py), with no choice made beforehand."""

    reason = forms.CharField(label=_("Reason for the decision"), max_length=300, widget=forms.Textarea({"rows": 3}))
    confirm = forms.BooleanField(label=_("I have inspected every unit and take this decision"))


class ReconciliationForm(forms.Form):
    """The bags on a shelf, scanned: one line per barcode, each bag's DIN barcode then its product barcode."""

    scans = forms.CharField(
        label=_("Scans (each bag: its DIN barcode, then its product barcode, one per line)"),
        widget=forms.Textarea({"rows": 8, "autocomplete": "off", "spellcheck": "false"}),
        required=False,
    )

    def pairs(self) -> list[dict] | None:
        """The scans as (din, product_code) pairs; None with the reason on the form when a line is missing."""
        lines = [line.strip() for line in self.cleaned_data["scans"].splitlines() if line.strip()]
        if len(lines) % 2:
            self.add_error("scans", _("Each bag needs two scans: its DIN barcode and its product barcode."))
            return None
        return [{"din": lines[i], "product_code": lines[i + 1]} for i in range(0, len(lines), 2)]


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("What was found and done"), max_length=300)


class MoveForm(forms.Form):
    to_location = forms.TypedChoiceField(label=_("Move to"), coerce=int, empty_value=None)
