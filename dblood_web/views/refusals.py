"""An action a page posts (a button, a small form) that the api may refuse: the refusal becomes a
message on the next page, an accepted action a "done" message. Forms with fields put the api's
refusal beside them instead (forms.api_errors_to_form)."""

from django.contrib import messages

from ..api import ApiError


def api_message(request, error: ApiError) -> None:
    """A refused action (400 or 409) as a message on the next page; anything else is the middleware's."""
    if error.status not in (400, 409):
        raise error
    text = "; ".join(m for msgs in error.fields.values() for m in msgs) or error.detail
    # Each reason the api gave that its sentence does not already say.
    more = [reason for reason in error.reasons if reason not in text]
    messages.error(request, " ".join([text, *more]))


def attempt(request, done: str, call, *args, **kwargs) -> bool:
    """Ask the api to `call(*args, **kwargs)`; say `done` when it did, its refusal when not."""
    try:
        call(*args, **kwargs)
    except ApiError as error:
        api_message(request, error)
        return False
    messages.success(request, done)
    return True
