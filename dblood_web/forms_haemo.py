"""Haemovigilance forms: every clinical question starts on "Choose…" (nothing pre-selected) and the
api refuses what is missing. The codes are the api's (ISBT 2014, ISBT/IHN); the labels are here."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms_staff import YES_NO, _iso, _true, choose

CATEGORIES = [
    ("haematoma", _("Local: haematoma (bruise)")),
    ("arterial_puncture", _("Local: arterial puncture")),
    ("delayed_bleeding", _("Local: delayed bleeding")),
    ("nerve_injury", _("Local: nerve injury or irritation")),
    ("tendon_injury", _("Local: other injury (tendon)")),
    ("painful_arm", _("Local: painful arm")),
    ("thrombophlebitis", _("Local: thrombophlebitis or local infection")),
    ("vasovagal_immediate", _("Vasovagal reaction, immediate, without injury")),
    ("vasovagal_immediate_injury", _("Vasovagal reaction, immediate, with injury")),
    ("vasovagal_delayed", _("Vasovagal reaction, delayed, without injury")),
    ("vasovagal_delayed_injury", _("Vasovagal reaction, delayed, with injury")),
    ("apheresis_citrate", _("Apheresis: citrate reaction")),
    ("apheresis_haemolysis", _("Apheresis: haemolysis")),
    ("apheresis_air_embolism", _("Apheresis: air embolism")),
    ("apheresis_infiltration", _("Apheresis: infiltration")),
    ("allergic_local", _("Allergic reaction, local")),
    ("allergic_generalised", _("Allergic reaction, generalised (anaphylaxis)")),
    ("cardiovascular", _("Other serious: cardiovascular event")),
    ("other", _("Other")),
]
SEVERITY = [("non_severe", _("Non-severe")), ("severe", _("Severe"))]
ONSET = [
    ("during", _("During the donation")),
    ("after", _("After the donation, before leaving")),
    ("delayed", _("Delayed, after leaving the site")),
]
OUTCOMES = [
    ("resolved", _("Resolved")),
    ("minor_sequelae", _("Resolved with minor sequelae")),
    ("major_sequelae", _("Resolved with major sequelae (over a year)")),
    ("ongoing", _("Not yet resolved")),
    ("death", _("Death")),
    ("unknown", _("Unknown (lost to follow-up)")),
]
FOLLOW_UP = [
    ("none_needed", _("None needed")),
    ("advice", _("Advice given")),
    ("call_back", _("Donor to be called back")),
    ("treated_on_site", _("Treated on site")),
    ("referred", _("Referred to a doctor")),
    ("hospitalised", _("Hospitalised")),
]
SYMPTOMS = [
    ("bruise", _("Bruise or swelling where the needle went in")),
    ("bleeding", _("Bleeding again from the needle site")),
    ("arm_pain", _("Pain, tingling or numbness in the arm")),
    ("faint", _("Felt faint, dizzy or fainted")),
    ("fall", _("Fell or was injured")),
    ("rash", _("Itching or rash")),
    ("other", _("Something else")),
]
REACTIONS = [
    ("fnhtr", _("Febrile non-haemolytic reaction (FNHTR)")),
    ("allergic", _("Allergic reaction")),
    ("anaphylactic", _("Anaphylactic reaction")),
    ("ahtr", _("Acute haemolytic reaction (AHTR)")),
    ("dhtr", _("Delayed haemolytic reaction (DHTR)")),
    ("dstr", _("Delayed serologic reaction (DSTR)")),
    ("taco", _("Transfusion-associated circulatory overload (TACO)")),
    ("trali", _("Transfusion-related acute lung injury (TRALI)")),
    ("tad", _("Transfusion-associated dyspnoea (TAD)")),
    ("hypotensive", _("Hypotensive reaction")),
    ("ptp", _("Post-transfusion purpura (PTP)")),
    ("ta_gvhd", _("Transfusion-associated graft-versus-host disease (TA-GvHD)")),
    ("tti", _("Transfusion-transmitted infection (TTI)")),
    ("other", _("Other")),
]
REACTION_SEVERITY = [
    ("non_severe", _("Non-severe")),
    ("severe", _("Severe")),
    ("life_threatening", _("Life-threatening")),
    ("death", _("Death")),
]
IMPUTABILITY = [
    ("excluded", _("Excluded")),
    ("unlikely", _("Unlikely")),
    ("possible", _("Possible")),
    ("likely", _("Likely (probable)")),
    ("certain", _("Certain (definite)")),
]
SIGNS = [
    ("fever", _("Fever (at least 38 °C and 1 °C above baseline)")),
    ("chills", _("Chills or rigors")),
    ("urticaria", _("Urticaria or rash")),
    ("pruritus", _("Itching")),
    ("angioedema", _("Angioedema")),
    ("hypotension", _("Hypotension")),
    ("hypertension", _("Hypertension")),
    ("tachycardia", _("Tachycardia")),
    ("dyspnoea", _("Dyspnoea")),
    ("hypoxaemia", _("Hypoxaemia")),
    ("wheeze", _("Wheeze or bronchospasm")),
    ("chest_pain", _("Chest pain")),
    ("loin_pain", _("Back or loin pain")),
    ("haemoglobinuria", _("Haemoglobinuria (dark urine)")),
    ("jaundice", _("Jaundice")),
    ("bleeding", _("Unexpected bleeding")),
    ("nausea", _("Nausea or vomiting")),
    ("shock", _("Shock")),
    ("other", _("Other")),
]
LABELS = dict(CATEGORIES + REACTIONS + REACTION_SEVERITY)
DATETIME = forms.DateTimeInput({"type": "datetime-local"})


class ComplicationCodesForm(forms.Form):
    category = forms.ChoiceField(label=_("Complication (ISBT 2014)"), choices=choose(CATEGORIES))
    severity = forms.ChoiceField(label=_("Severity"), choices=choose(SEVERITY))
    onset = forms.ChoiceField(label=_("Onset"), choices=choose(ONSET))
    outcome = forms.ChoiceField(label=_("Outcome"), choices=choose(OUTCOMES))
    follow_up = forms.ChoiceField(label=_("Follow-up"), choices=choose(FOLLOW_UP))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class ComplicationForm(ComplicationCodesForm):
    occurred_at = forms.DateTimeField(label=_("Began at"), widget=DATETIME)

    def api_fields(self) -> dict:
        return _iso(self.cleaned_data)


class DonorReactionForm(forms.Form):
    symptoms = forms.MultipleChoiceField(
        label=_("What happened?"), choices=SYMPTOMS, widget=forms.CheckboxSelectMultiple
    )
    occurred_at = forms.DateTimeField(label=_("When did it begin?"), widget=DATETIME)
    still_unwell = forms.TypedChoiceField(label=_("Do you still feel it?"), choices=choose(YES_NO), coerce=_true)
    description = forms.CharField(
        label=_("Anything else we should know"), required=False, max_length=1000, widget=forms.Textarea({"rows": 3})
    )

    def api_fields(self) -> dict:
        return _iso(self.cleaned_data) | {"still_unwell": self.cleaned_data["still_unwell"]}


class ReactionCodesForm(forms.Form):
    """A transfusion reaction's coding: the hospital's report and the bank's conclusion ask the same."""

    category = forms.ChoiceField(label=_("Reaction (ISBT/IHN)"), choices=choose(REACTIONS))
    severity = forms.ChoiceField(label=_("Severity"), choices=choose(REACTION_SEVERITY))
    imputability = forms.ChoiceField(label=_("Imputability"), choices=choose(IMPUTABILITY))


class ReactionForm(ReactionCodesForm):
    field_order = ["units"]  # which units first, then the coding, then the times and signs
    units = forms.MultipleChoiceField(label=_("Units transfused"), widget=forms.CheckboxSelectMultiple)
    transfusion_started_at = forms.DateTimeField(label=_("Transfusion started at"), widget=DATETIME)
    onset_at = forms.DateTimeField(label=_("First sign at"), widget=DATETIME)
    signs = forms.MultipleChoiceField(label=_("Signs"), choices=SIGNS, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Clinical note (no patient names)"), required=False, max_length=500)

    def __init__(self, *args, units: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(str(u["unit"]), f"DIN {u.get('din') or u['unit']}") for u in units]

    def api_fields(self) -> dict:
        fields = _iso(self.cleaned_data)
        fields["units"] = [int(unit) for unit in self.cleaned_data["units"]]
        return fields


class ConcludeForm(ReactionCodesForm):
    conclusion = forms.CharField(label=_("Conclusion"), max_length=2000, widget=forms.Textarea({"rows": 3}))


class DonorActionForm(forms.Form):
    """Lookback or deferral of an implicated unit's donor."""

    unit = forms.IntegerField(widget=forms.HiddenInput)
    reason_code = forms.CharField(required=False, max_length=50)
