"""The pre-donation questionnaire: the first version's questions (PMI donor-selection practice),
and how answers become flags. Each flag names the DeferralReason an answer implies."""

from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Questionnaire

# defer_if: the answer that implies a deferral; reason_code: a DeferralReason code.
QUESTIONS_V1 = [
    {
        "code": "feeling_well",
        "text": {"en": "Are you feeling well and healthy today?", "id": "Apakah Anda merasa sehat hari ini?"},
        "defer_if": False,
        "reason_code": "questionnaire",
    },
    {
        "code": "fever_last_week",
        "text": {
            "en": "Have you had a fever or flu in the past week?",
            "id": "Apakah Anda demam atau flu dalam seminggu terakhir?",
        },
        "defer_if": True,
        "reason_code": "fever-flu",
    },
    {
        "code": "tattoo_6_months",
        "text": {
            "en": "Have you had a tattoo or piercing in the past 6 months?",
            "id": "Apakah Anda ditato atau ditindik dalam 6 bulan terakhir?",
        },
        "defer_if": True,
        "reason_code": "tattoo-piercing",
    },
    {
        "code": "surgery_12_months",
        "text": {
            "en": "Have you had surgery in the past 12 months?",
            "id": "Apakah Anda menjalani operasi dalam 12 bulan terakhir?",
        },
        "defer_if": True,
        "reason_code": "minor-surgery",
    },
    {
        "code": "dental_72_hours",
        "text": {
            "en": "Have you had a tooth extracted or dental surgery in the past 3 days?",
            "id": "Apakah Anda cabut gigi atau operasi gigi dalam 3 hari terakhir?",
        },
        "defer_if": True,
        "reason_code": "dental-surgery",
    },
    {
        "code": "vaccine_2_weeks",
        "text": {
            "en": "Have you been vaccinated in the past 2 weeks?",
            "id": "Apakah Anda divaksinasi dalam 2 minggu terakhir?",
        },
        "defer_if": True,
        "reason_code": "vaccine-live",
    },
    {
        "code": "transfusion_6_months",
        "text": {
            "en": "Have you received a blood transfusion in the past 6 months?",
            "id": "Apakah Anda menerima transfusi darah dalam 6 bulan terakhir?",
        },
        "defer_if": True,
        "reason_code": "transfusion-received",
    },
    {
        "code": "pregnant",
        "text": {
            "en": "Are you pregnant, or have you given birth in the past 6 months?",
            "id": "Apakah Anda hamil, atau melahirkan dalam 6 bulan terakhir?",
        },
        "defer_if": True,
        "reason_code": "pregnancy",
    },
    {
        "code": "bleeding_disorder",
        "text": {"en": "Do you have a bleeding disorder?", "id": "Apakah Anda memiliki kelainan pembekuan darah?"},
        "defer_if": True,
        "reason_code": "bleeding-disorder",
    },
    {
        "code": "injected_drugs",
        "text": {
            "en": "Have you ever injected drugs not prescribed by a doctor?",
            "id": "Apakah Anda pernah menyuntikkan obat yang tidak diresepkan dokter?",
        },
        "defer_if": True,
        "reason_code": "drug-dependence",
    },
]


def questionnaire_current() -> Questionnaire:
    """The newest active version; version 1 is created on first use if none exists."""
    current = Questionnaire.objects.filter(is_active=True).order_by("-version").first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            Questionnaire.objects.get_or_create(version=1, defaults={"questions": QUESTIONS_V1})
    except IntegrityError:  # created by a concurrent request
        pass
    return Questionnaire.objects.filter(is_active=True).order_by("-version").first() or Questionnaire.objects.get(
        version=1
    )


def answer_flags(*, questionnaire: Questionnaire, answers: dict[str, bool]) -> list[dict]:
    """The answers that imply a deferral, each with its question and reason."""
    from dblood.donors.models import DeferralReason

    names = dict(DeferralReason.objects.values_list("code", "name"))
    flags = []
    for question in questionnaire.questions:
        if answers.get(question["code"]) == question["defer_if"]:
            code = question["reason_code"]
            flags.append(
                {
                    "question": question["code"],
                    "text": question["text"].get("en", ""),
                    "answer": answers[question["code"]],
                    "reason_code": code,
                    "reason": names.get(code, code),
                }
            )
    return flags


def flags_in_words(*, flags: list[dict], questionnaire: Questionnaire | None) -> list[dict]:
    """Stored flags as staff read them at check-in, in the reader's language: the question as the
    questionnaire words it, the reason (a seeded reason's translation), and one sentence of both."""
    from dblood.donors.catalogue import reason_label

    language = (get_language() or "en").split("-")[0]
    questions = {q["code"]: q["text"] for q in (questionnaire.questions if questionnaire else [])}
    out = []
    for flag in flags:
        texts = questions.get(flag["question"], {})
        text = texts.get(language) or texts.get("en") or flag.get("text", "")
        reason = reason_label(flag.get("reason", ""))
        answer = _("yes") if flag.get("answer") else _("no")
        sentence = _("Answered %(answer)s to “%(question)s”: %(reason)s.") % {
            "answer": answer,
            "question": text,
            "reason": reason,
        }
        out.append({**flag, "text": text, "reason": reason, "sentence": sentence})
    return out
