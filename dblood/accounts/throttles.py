from dblood.core.throttles import AddressRateThrottle, AtomicRateThrottle


class LoginEmailThrottle(AtomicRateThrottle):
    """Attempts per account, wherever they come from: stops password guessing on one email."""

    scope = "login"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.ident_key(email.strip().lower())


class LoginIPThrottle(AddressRateThrottle):
    """Attempts per client address: stops one client trying many accounts."""

    scope = "login_ip"


class PasswordResetThrottle(AddressRateThrottle):
    scope = "password_reset"
