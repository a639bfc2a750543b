"""Forms of the blood-bank staff and hospital pages. Shape only: the api applies the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

ABO = [("O", "O"), ("A", "A"), ("B", "B"), ("AB", "AB")]
RHD = [("+", _("RhD positive")), ("-", _("RhD negative"))]
# The one table of component codes and their names: the forms' choices and the `component_label`
# filter. Red cells first: they are what most patients need.
COMPONENTS = [
    ("PRC", _("Packed red cells")),
    ("FFP", _("Fresh frozen plasma")),
    ("TC", _("Platelets")),
    ("AHF", _("Cryoprecipitate")),
    ("LP", _("Liquid plasma")),
    ("WB", _("Whole blood")),
]
# A bank's processing fees cover every component it makes, cryo-poor plasma too.
FEE_COMPONENTS = [*COMPONENTS, ("CPP", _("Cryo-poor plasma"))]
TESTS = [("hiv", "HIV"), ("hbv", "HBV"), ("hcv", "HCV"), ("syphilis", _("Syphilis")), ("malaria", _("Malaria"))]
YES_NO = [("true", _("Yes")), ("false", _("No"))]


def choose(choices) -> list:
    """A clinical question's choices, after an empty "Choose" that is never an answer: nothing is
    pre-selected, and a form sent without a choice is refused (here, and by the api)."""
    return [("", _("Choose…")), *choices]


def _true(value: str) -> bool:
    return value == "true"


def _iso(data: dict) -> dict:
    """Dates, times and decimals as the api's JSON wants them; blanks left out."""
    out = {}
    for key, value in data.items():
        if value in (None, ""):
            continue
        out[key] = (
            value.isoformat() if hasattr(value, "isoformat") else (str(value) if key.endswith(("_c", "_dl")) else value)
        )
    return out


class DriveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput({"type": "date"}))
    start_time = forms.TimeField(label=_("Starts"), widget=forms.TimeInput({"type": "time"}))
    end_time = forms.TimeField(label=_("Ends"), widget=forms.TimeInput({"type": "time"}))
    slot_minutes = forms.IntegerField(label=_("Minutes per slot"), initial=30, min_value=5)
    capacity_per_slot = forms.IntegerField(label=_("Donors per slot"), initial=4, min_value=1)
    location_name = forms.CharField(label=_("Place"), required=False, max_length=200)
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    city = forms.CharField(label=_("City"), required=False, max_length=100)

    def api_fields(self) -> dict:
        data = _iso(self.cleaned_data)
        for key in ("start_time", "end_time"):
            data[key] = data[key][:5]
        return data


class DriveCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the drive cancelled?"), max_length=200)


class DonationForm(forms.Form):
    volume_ml = forms.IntegerField(label=_("Volume (ml)"), min_value=0)
    hemoglobin_g_dl = forms.DecimalField(label=_("Haemoglobin (g/dl)"), max_digits=4, decimal_places=1)
    bp_systolic = forms.IntegerField(label=_("Blood pressure, systolic"), required=False)
    bp_diastolic = forms.IntegerField(label=_("Blood pressure, diastolic"), required=False)
    pulse = forms.IntegerField(label=_("Pulse"), required=False)
    temperature_c = forms.DecimalField(label=_("Temperature (°C)"), required=False, max_digits=4, decimal_places=1)
    bag_type = forms.CharField(label=_("Bag type"), required=False, max_length=40)
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=choose(
            [("completed", _("Completed")), ("incomplete", _("Incomplete")), ("adverse_event", _("Adverse event"))]
        ),
    )
    adverse_event_kind = forms.CharField(label=_("Adverse event"), required=False, max_length=100)
    replacement_code = forms.CharField(
        label=_("Replacement-donation code, if the donor brought one"),
        required=False,
        max_length=20,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "characters", "placeholder": "ABCD-EFGH"}),
    )

    def api_fields(self) -> dict:
        return _iso(self.cleaned_data)


DONATION_TYPES = [
    ("whole_blood", _("Whole blood")),
    ("apheresis_platelets", _("Apheresis platelets")),
    ("apheresis_plasma", _("Apheresis plasma")),
]


class WalkInForm(forms.Form):
    """A donor at the desk without a booking: a known donor by donor number (typed, or scanned from
    the card) and birth date, which prove they are here; a new one by e-mail and name. The api finds
    the donor, checks eligibility and checks them in; this form only shapes the answer."""

    donor_number = forms.CharField(
        label=_("Donor number (type it or scan the card)"),
        max_length=16,
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "characters"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
        help_text=_("Always, as on the donor's ID: with the donor number it confirms who is here."),
    )
    email = forms.EmailField(label=_("E-mail (new donor)"), max_length=254, required=False)
    full_name = forms.CharField(label=_("Full name (new donor)"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=choose([("F", _("Female")), ("M", _("Male"))]), required=False)
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"), max_digits=5, decimal_places=1, min_value=20, max_value=300, required=False
    )
    donation_type = forms.ChoiceField(label=_("Donation type"), choices=choose(DONATION_TYPES))

    def clean(self):
        data = super().clean()
        if not data.get("donor_number") and not data.get("email"):
            raise forms.ValidationError(_("Give the donor number, or the e-mail of a new donor."))
        return data

    def api_fields(self) -> dict:
        fields = _iso(self.cleaned_data)
        if "weight_kg" in fields:
            fields["weight_kg"] = str(fields["weight_kg"])
        return fields


class TypingForm(forms.Form):
    abo = forms.ChoiceField(label=_("ABO"), choices=choose(ABO))
    rhd = forms.ChoiceField(label=_("RhD"), choices=choose(RHD))


class ScreeningForm(forms.Form):
    test = forms.ChoiceField(label=_("Test"), choices=choose(TESTS))
    reactive = forms.TypedChoiceField(
        label=_("Result"), choices=choose([("false", _("Non-reactive")), ("true", _("Reactive"))]), coerce=_true
    )


class ComponentsForm(forms.Form):
    components = forms.MultipleChoiceField(
        label=_("Components to make"), choices=COMPONENTS, widget=forms.CheckboxSelectMultiple
    )


# What a staff member can look for on the inventory page (units still in a bank's custody).
STOCK_STATES = [
    ("available", _("Available")),
    ("quarantined", _("In quarantine")),
    ("reserved", _("Reserved for a request")),
    ("in_transit", _("On its way to another bank")),
]


def _scan_field(label) -> forms.CharField:
    """A field a barcode scanner types into (then Enter): no autocomplete, capitals."""
    return forms.CharField(
        label=label,
        max_length=100,
        widget=forms.TextInput({"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}),
    )


class ScanForm(forms.Form):
    """One field for a scanned (or typed) DIN: the api reads the scan and says what is wrong with it."""

    scan = _scan_field(_("Scan or type a DIN"))


class IssueScanForm(ScanForm):
    """The request page's scan field: a reserved bag taken from the fridge to be issued."""

    scan = _scan_field(_("Scan a unit to issue"))


class DonationScanForm(forms.Form):
    """The lab's scan field: the DIN of a bag, scanned (or typed); the api finds its donation."""

    din = _scan_field(_("Scan or type a DIN"))


class LabelCheckForm(forms.Form):
    """The two-scan check of a printed label: its DIN barcode and its product barcode, each as the
    scanner typed it (the api refuses typed data, and checks both against the unit)."""

    din = _scan_field(_("DIN barcode (scan it from the label)"))
    product_code = _scan_field(_("Product barcode (scan it from the label)"))


class InventoryFilterForm(forms.Form):
    """The inventory list's filters; every one may be left empty except the state (available)."""

    state = forms.ChoiceField(label=_("State"), choices=STOCK_STATES, required=False)
    abo = forms.ChoiceField(label=_("ABO"), choices=[("", _("Any")), *ABO], required=False)
    rhd = forms.ChoiceField(label=_("RhD"), choices=[("", _("Any")), *RHD], required=False)
    component = forms.ChoiceField(label=_("Component"), choices=[("", _("Any")), *COMPONENTS], required=False)
    expires_within_days = forms.IntegerField(
        label=_("Expiring within (days)"), min_value=0, max_value=400, required=False
    )

    def api_filters(self) -> dict:
        """The filters as the api's query string (an invalid form filters nothing but the state)."""
        data = self.cleaned_data if self.is_valid() else {}
        filters = {name: value for name, value in data.items() if value not in (None, "")}
        return {"state": "available", **filters}


class UnitByDinForm(forms.Form):
    """One available unit, by its scanned DIN and, when the donation gave several units there, its
    component (a transfer, a reservation under the override)."""

    din = forms.CharField(label=_("Unit (scan or type its DIN)"), max_length=100)
    component = forms.ChoiceField(
        label=_("Component"),
        choices=[("", _("Any")), *COMPONENTS],
        required=False,
        help_text=_("Only needed when the donation gave several units at your bank."),
    )

    def unit_among(self, units: list[dict], *, site_id: int | None = None) -> int | None:
        """The id of the one available unit the form names among `units` (the DIN's), at `site_id`
        when given (else at any of the clerk's banks), or None with the reason on the form."""
        component = self.cleaned_data.get("component")
        here = [
            u
            for u in units
            if site_id in (None, u.get("site"))
            and u.get("state") == "available"
            and component in ("", u.get("component"))
        ]
        if len(here) == 1:
            return here[0]["id"]
        if here:
            self.add_error("component", _("This donation gave several units here: choose the component."))
        elif site_id is None:
            self.add_error("din", _("No available unit with this DIN at your blood banks."))
        else:
            self.add_error("din", _("No available unit with this DIN at your blood bank."))
        return None


class TransferForm(UnitByDinForm):
    """Send one available unit of this bank to another blood bank, chosen from the api's list."""

    to_site = forms.TypedChoiceField(label=_("To blood bank"), coerce=int)

    def __init__(self, *args, banks: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_site"].choices = [(b["id"], b.get("name", "")) for b in banks]


class DeferralForm(forms.Form):
    """A deferral for one donor; the reasons (and their default length) are the api's catalogue."""

    reason_code = forms.ChoiceField(label=_("Reason"))
    starts_on = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    ends_on = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput({"type": "date"}),
        help_text=_("Leave empty for the reason's usual length."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.Textarea({"rows": 3}))

    def __init__(self, *args, reasons: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = choose(
            (r["code"], r.get("name", r["code"]) + (" · " + str(_("permanent")) if r.get("permanent") else ""))
            for r in reasons
        )

    def api_fields(self) -> dict:
        return _iso(self.cleaned_data)


class DeferralLiftForm(forms.Form):
    reason = forms.CharField(label=_("Why does the deferral end early?"), max_length=300)


class DiscardForm(forms.Form):
    """Destroying a unit cannot be undone: a reason, and a tick that says the clerk means it."""

    reason = forms.CharField(label=_("Reason"), max_length=200)
    confirm = forms.BooleanField(label=_("Destroy this unit"))

    def api_fields(self) -> dict:
        return {"reason": self.cleaned_data["reason"]}


class BloodRequestForm(forms.Form):
    target_bank = forms.TypedChoiceField(label=_("Blood bank"), coerce=int)
    patient_abo = forms.ChoiceField(label=_("Patient ABO"), choices=choose(ABO))
    patient_rhd = forms.ChoiceField(label=_("Patient RhD"), choices=choose(RHD))
    # Asked, never assumed: an unticked box would say "no" for a patient nobody asked about.
    patient_female_cbp = forms.TypedChoiceField(
        label=_("Is the patient a woman who may still have children?"), choices=choose(YES_NO), coerce=_true
    )
    component = forms.ChoiceField(label=_("Component"), choices=choose(COMPONENTS))
    units = forms.IntegerField(label=_("Units"), min_value=1)
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=choose([("routine", _("Routine")), ("urgent", _("Urgent")), ("emergency", _("Emergency"))]),
    )
    needed_by = forms.DateTimeField(label=_("Needed by"), widget=forms.DateTimeInput({"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, banks: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_bank"].choices = [(bank["id"], bank["name"]) for bank in banks]

    def api_fields(self) -> dict:
        return _iso(self.cleaned_data)


class ReserveForm(forms.Form):
    """The units a clerk picks from the proposal (each offered by the api's compatibility rules)."""

    units = forms.TypedMultipleChoiceField(label=_("Units to reserve"), coerce=int, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, proposal: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(u["id"], u.get("din") or str(u["id"])) for u in proposal]


class OverrideForm(UnitByDinForm):
    """A unit the rules would not propose (an RhD-positive unit for an RhD-negative patient, in an
    emergency), found by its scanned DIN: the reason is required and kept with the clerk's name;
    the api alone decides whether the policy allows it."""

    override_reason = forms.CharField(
        label=_("Why this unit, against the compatibility rules?"), max_length=300, widget=forms.Textarea({"rows": 2})
    )
    override_acknowledged = forms.BooleanField(
        label=_("I know the patient is a woman who may still have children and accept the risk of RhD immunisation."),
        required=False,
        help_text=_("Needed only for an RhD-negative woman of childbearing potential."),
    )


class IssueForm(forms.Form):
    """Reserved units to hand over, each checked against its label by the clerk who ticks it."""

    units = forms.TypedMultipleChoiceField(label=_("Units to issue"), coerce=int, widget=forms.CheckboxSelectMultiple)
    confirm = forms.BooleanField(
        label=_("I checked each unit's label (DIN, group, component, expiry) against this request.")
    )

    def __init__(self, *args, reserved: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(a["unit"], a.get("din") or str(a["unit"])) for a in reserved]


class RequestCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is the request cancelled?"), max_length=300)
    confirm = forms.BooleanField(label=_("Cancel this request: its reserved units go back to stock."))


class OutcomeForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    transfused = forms.TypedChoiceField(label=_("Transfused?"), choices=choose(YES_NO), coerce=_true)
    reaction = forms.CharField(label=_("Reaction, if any"), required=False, max_length=200)


class ReturnForm(forms.Form):
    """An issued unit the hospital hands back unused: when it left the fridge, how warm it is now,
    and whether it stayed in a validated box (asked, never assumed). The bank inspects and decides."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    left_storage_at = forms.DateTimeField(
        label=_("Left controlled storage at"), widget=forms.DateTimeInput({"type": "datetime-local"})
    )
    temperature_c = forms.DecimalField(
        label=_("Temperature now (°C)"), max_digits=4, decimal_places=1, min_value=-40, max_value=45
    )
    validated_box = forms.TypedChoiceField(
        label=_("Kept in a validated transport box since then?"), choices=choose(YES_NO), coerce=_true
    )

    def api_fields(self) -> dict:
        fields = _iso(self.cleaned_data)
        fields["temperature_c"] = str(fields["temperature_c"])
        return fields


class ReturnDecideForm(forms.Form):
    """The bank's inspection of a returned unit: the seal, then restock or discard (the api allows a
    restock only within the limits, with the seal intact, in date and not recalled)."""

    seal_intact = forms.TypedChoiceField(label=_("Is the seal intact?"), choices=choose(YES_NO), coerce=_true)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=choose([("restocked", _("Put back into stock")), ("discarded", _("Discard"))]),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class SitePhotoForm(forms.Form):
    """The photo of a blood bank or hospital. The web only checks a file came; the api decodes it."""

    photo = forms.FileField(
        label=_("Photo of the building or entrance"),
        help_text=_("JPEG, PNG or WebP. Donors see it on this page."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class ProcessingFeesForm(forms.Form):
    """The bank's processing fee (BPPD) per bag, in rupiah, one field per component; blank: no fee
    published for it. The api keeps the table and checks the amounts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, name in FEE_COMPONENTS:
            self.fields[code] = forms.IntegerField(
                label=name, required=False, min_value=0, max_value=10_000_000, widget=forms.NumberInput({"step": 1000})
            )

    def api_fees(self) -> list[dict]:
        return [
            {"component": code, "amount_idr": self.cleaned_data[code]}
            for code, _name in FEE_COMPONENTS
            if self.cleaned_data.get(code) is not None
        ]
