from dblood.core.throttles import AddressRateThrottle, AtomicRateThrottle


class LoginEmailThrottle(AtomicRateThrottle):
    """Attempts per account, wherever they come from: stops password guessing on one email."""

    scope = "login"

    def get_cache_key(self, request, view):
        if hasattr(request, "data"):  # the api's login
            email = request.data.get("email") if isinstance(request.data, dict) else None
        else:  # the admin's login form (a plain Django request): the same account, the same bucket
            email = request.POST.get("username")
        if not isinstance(email, str) or not email.strip():
            return None
        return self.ident_key(email.strip().lower())


class LoginIPThrottle(AddressRateThrottle):
    """Attempts per client address: stops one client trying many accounts."""

    scope = "login_ip"


class PasswordResetThrottle(AddressRateThrottle):
    scope = "password_reset"
