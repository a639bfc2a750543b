from dblood.core.throttles import AddressRateThrottle, AtomicRateThrottle

from .addresses import address_known


class LoginEmailThrottle(AtomicRateThrottle):
    """Attempts per account from addresses it has never signed in from: stops password guessing on
    one email, and cannot lock its owner out (their own address is not counted; `addresses`)."""

    scope = "login"

    def get_cache_key(self, request, view):
        if hasattr(request, "data"):  # the api's login
            email = request.data.get("email") if isinstance(request.data, dict) else None
        else:  # the admin's login form (a plain Django request): the same account, the same bucket
            email = request.POST.get("username")
        if not isinstance(email, str) or not email.strip():
            return None
        email = email.strip().lower()[:254]
        if address_known(email=email, request=request):
            return None  # the owner's own address: only the per-address bucket applies
        return self.ident_key(email)


class LoginIPThrottle(AddressRateThrottle):
    """Attempts per client address: stops one client trying many accounts."""

    scope = "login_ip"


class PasswordResetThrottle(AddressRateThrottle):
    scope = "password_reset"
