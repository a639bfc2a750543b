"""Who is acting: the current request's user, or whoever a command says it is."""

from contextlib import contextmanager
from contextvars import ContextVar

_request: ContextVar = ContextVar("audit_request", default=None)
_actor: ContextVar = ContextVar("audit_actor", default=None)
_label: ContextVar = ContextVar("audit_actor_label", default="")


class AuditContextMiddleware:
    """Remembers the request, not its user: DRF authenticates bearer tokens inside the view and
    then sets `request.user` on this same HttpRequest, so reading it at save time gets the caller."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


@contextmanager
def audit_actor(user):
    """For work outside a request (management commands, the worker): attribute changes to `user`."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


@contextmanager
def audit_actor_label(label: str):
    """For an actor that is not a user (a storage location's temperature device): the log's actor is
    empty and its `actor_email` column names it, e.g. `device:udd-jakarta K1`."""
    token = _label.set(label)
    try:
        yield
    finally:
        _label.reset(token)


def current_actor_label() -> str:
    return _label.get()


def current_actor():
    actor = _actor.get()
    if actor is not None:
        return actor
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    return None
