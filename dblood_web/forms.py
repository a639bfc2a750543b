"""Forms: the web checks shape only (required, types); the api decides and its field errors land here."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .api import ApiError
from .forms_staff import COMPONENTS

# What the api answers when the user can fix it (bad input, a conflict with the record's state):
# shown on the form. Any other refusal is the middleware's page (403, 404, 429, or 500).
FIXABLE = (400, 409)


def api_errors_to_form(
    form: forms.Form, error: ApiError, *, fixable: tuple[int, ...] = FIXABLE, rename: dict[str, str] | None = None
) -> None:
    """A view's `except ApiError` branch. A refusal the user can fix goes on the form: the api's
    `fields` beside the matching form fields (`rename` maps an api name to the form's), anything
    else on top of the form. Any other status is raised again for the middleware's page."""
    if error.status not in fixable:
        raise error
    rename = rename or {}
    placed = False
    for name, messages in error.fields.items():
        target = rename.get(name, name)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.detail or _("Something went wrong. Please try again."))
    # Every reason behind the refusal, each that its sentence does not already say.
    said = " ".join(m for msgs in error.fields.values() for m in msgs) if placed else error.detail
    for reason in error.reasons:
        if reason not in said:
            form.add_error(None, reason)


class SignupForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150, widget=forms.TextInput({"autocomplete": "name"}))
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"), max_length=128, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class SignupConfirmForm(forms.Form):
    """No fields: the token is in the link. A button, so a mail scanner that follows the link
    (a GET) does not use up its one confirmation."""


class LoginForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))
    password = forms.CharField(
        label=_("Password"), max_length=128, widget=forms.PasswordInput({"autocomplete": "current-password"})
    )


class PasswordResetForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput({"autocomplete": "email"}))


class PasswordResetConfirmForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"), max_length=128, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Current password"), max_length=128, widget=forms.PasswordInput({"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("New password"), max_length=128, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )


class AccountForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class StockFilterForm(forms.Form):
    DEFAULT_COMPONENT = "PRC"

    province = forms.CharField(label=_("Province"), required=False, max_length=100)
    # One component at a time: a cell that summed red cells and platelets would mix shelf lives
    # and levels.
    component = forms.ChoiceField(
        label=_("Component"),
        required=False,
        choices=COMPONENTS,
    )


# A searched point is rounded to 2 decimals (about 1 km) before it is sent to the api: nearby
# donors ask the same question, so the api answers most of them from its cache, and no precise
# position leaves the web for a search. Distances shown are from the rounded point.
SEARCH_POINT_DECIMALS = 2


class RoundedPointMixin:
    def clean_lat(self):
        lat = self.cleaned_data.get("lat")
        return None if lat is None else round(lat, SEARCH_POINT_DECIMALS)

    def clean_lon(self):
        lon = self.cleaned_data.get("lon")
        return None if lon is None else round(lon, SEARCH_POINT_DECIMALS)


class DriveSearchForm(RoundedPointMixin, forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput({"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput({"type": "date"}))
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    radius_km = forms.IntegerField(label=_("Within (km)"), required=False, min_value=1, max_value=500, initial=25)
    has_free_slots = forms.BooleanField(label=_("Only with free places"), required=False, initial=True)

    def api_filters(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("date_from", "date_to"):
            if data.get(key):
                data[key] = data[key].isoformat()
        if data.get("lat") is None or data.get("lon") is None:
            data.pop("lat", None), data.pop("lon", None), data.pop("radius_km", None)
        data["has_free_slots"] = "true" if data.get("has_free_slots") else None
        return data


class SiteSearchForm(RoundedPointMixin, forms.Form):
    q = forms.CharField(label=_("Name or city"), required=False, max_length=100)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)


class DonorProfileForm(forms.Form):
    """The donor's own record (PATCH donors/me). Blood group is set by the lab once confirmed."""

    abo = forms.ChoiceField(
        label=_("Blood group (ABO), if you know it"),
        required=False,
        choices=[("", "—"), ("O", "O"), ("A", "A"), ("B", "B"), ("AB", "AB")],
    )
    rhd = forms.ChoiceField(
        label=_("Rhesus (RhD), if you know it"), required=False, choices=[("", "—"), ("+", "+"), ("-", "−")]
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=40,
        help_text=_("For SMS and WhatsApp, e.g. 0812 3456 7890. Saved as +62…"),
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=forms.DateInput({"type": "date"}))
    sex = forms.ChoiceField(label=_("Sex"), required=False, choices=[("", "—"), ("F", _("Female")), ("M", _("Male"))])
    weight_kg = forms.DecimalField(label=_("Weight (kg)"), required=False, min_value=0, max_digits=5, decimal_places=1)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    province = forms.CharField(label=_("Province"), required=False, max_length=100)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    call_out_opt_in = forms.BooleanField(label=_("Tell me when a patient nearby needs my blood group"), required=False)
    alert_radius_km = forms.IntegerField(label=_("How far I can travel (km)"), required=False, min_value=1)
    max_alerts_per_week = forms.IntegerField(label=_("At most this many alerts a week"), required=False, min_value=0)
    nik = forms.CharField(
        label=_("NIK (national identity number, optional)"),
        required=False,
        max_length=32,
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("16 digits, as on your KTP; checked against your birth date and sex. One NIK, one donor record."),
    )
    notify_channels = forms.MultipleChoiceField(
        label=_("Send my messages by"),
        required=False,
        choices=[],
        help_text=_("Messages always reach your inbox here. SMS and WhatsApp say only that there is news."),
        widget=forms.CheckboxSelectMultiple,
    )

    # Every channel dblood knows; a page offers those the api says are available (donors/me).
    CHANNELS = {"in_app": _("In the app"), "email": _("Email"), "sms": _("SMS"), "whatsapp": _("WhatsApp")}

    def __init__(self, *args, available_channels=None, **kwargs):
        super().__init__(*args, **kwargs)
        available = available_channels or ["in_app", "email"]
        self.fields["notify_channels"].choices = [(c, label) for c, label in self.CHANNELS.items() if c in available]

    def api_changes(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("birth_date"):
            data["birth_date"] = data["birth_date"].isoformat()
        if data.get("weight_kg") is not None:
            data["weight_kg"] = str(data["weight_kg"])
        return {k: v for k, v in data.items() if v not in (None, "")}


class MessageForm(forms.Form):
    """A message through the contact relay."""

    body = forms.CharField(
        label=_("Message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your phone number and e-mail address are not shown."),
    )
