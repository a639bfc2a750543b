"""The contact relay's pages: a call-out's responder and the staff of its bank or verified hospital
write to each other; the api shows neither side the other's phone number or e-mail."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import session
from ..api import ApiError
from ..forms import MessageForm, api_errors_to_form
from .refusals import api_message

relay_required = session.login_required("donor", "blood_bank_staff", "hospital_staff", "admin")


@relay_required
@require_POST
def conversation_open(request, response_id: int):
    try:
        thread = request.api.conversation_open(response_id)
    except ApiError as error:
        api_message(request, error)
        return redirect("my_home")
    return redirect("conversation", thread_id=thread["id"])


@relay_required
@require_http_methods(["GET", "POST"])
def conversation(request, thread_id: int):
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request.api.conversation_send(thread_id, form.cleaned_data["body"])
        except ApiError as error:
            api_errors_to_form(form, error)
        else:
            messages.success(request, _("Message sent."))
            return redirect("conversation", thread_id=thread_id)
    thread = request.api.conversation(thread_id)
    return render(request, "dblood_web/conversation.html", {"thread": thread, "form": form})


@session.donor_required
@require_POST
def conversation_block(request, thread_id: int):
    blocked = request.POST.get("blocked") == "yes"
    try:
        request.api.conversation_block(thread_id, blocked=blocked)
    except ApiError as error:
        api_message(request, error)
    else:
        if blocked:
            messages.info(request, _("The blood bank can no longer write to you here."))
        else:
            messages.info(request, _("The blood bank can write to you here again."))
    return redirect("conversation", thread_id=thread_id)
