from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class LoginEmailThrottle(SimpleRateThrottle):
    """Attempts per account, wherever they come from: stops password guessing on one email."""

    scope = "login"

    def get_cache_key(self, request, view):
        email = request.data.get("email") if isinstance(request.data, dict) else None
        if not isinstance(email, str) or not email.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}


class LoginIPThrottle(AnonRateThrottle):
    """Attempts per client address: stops one client trying many accounts."""

    scope = "login_ip"


class PasswordResetThrottle(AnonRateThrottle):
    scope = "password_reset"
