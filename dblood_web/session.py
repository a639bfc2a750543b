"""The signed-in user, kept in the signed-cookie session: the api token and a copy of /me."""

from functools import wraps

from django.shortcuts import redirect

from .api import TokenResponse, User

TOKEN_KEY = "api_token"
USER_KEY = "user"


def token(request) -> str | None:
    return request.session.get(TOKEN_KEY)


def user(request) -> User | None:
    return request.session.get(USER_KEY) if token(request) else None


def login(request, answer: TokenResponse) -> None:
    request.session.cycle_key()
    request.session[TOKEN_KEY] = answer["token"]
    request.session[USER_KEY] = dict(answer["user"])


def remember_user(request, fresh: User) -> None:
    request.session[USER_KEY] = dict(fresh)


def logout(request) -> None:
    request.session.flush()


def has_role(request, *roles: str) -> bool:
    current = user(request)
    return bool(current and current.get("role") in roles)


def may_manage_site(request, site_id: int) -> bool:
    """Staff of this site (by their memberships), or an admin: who is offered the site's own forms.
    The api decides for real."""
    current = user(request) or {}
    if current.get("role") == "admin":
        return True
    staff = current.get("role") in ("blood_bank_staff", "hospital_staff")
    return staff and any(m.get("site_id") == site_id for m in current.get("memberships", []))


def login_required(*roles: str):
    """Send anonymous visitors to log in (and back); a wrong role gets the 403 page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            from django.shortcuts import render

            from .middleware import login_url

            if token(request) is None:
                return redirect(login_url(request.get_full_path()))
            if roles and not has_role(request, *roles):
                return render(request, "dblood_web/403.html", status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Who may open a role's pages: each page asks one of these (the api decides again on every call).
donor_required = login_required("donor")
staff_required = login_required("blood_bank_staff")
hospital_required = login_required("hospital_staff")
staff_or_hospital_required = login_required("blood_bank_staff", "hospital_staff")
admin_required = login_required("admin")
