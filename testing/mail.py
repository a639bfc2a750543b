"""What the api e-mailed, for tests: links read from Django's outbox (tests in this process) or from
the files of Django's file backend (live servers started with EMAIL_URL=filemail:///DIR, one file
per message), so a test signs up the way a donor does: by opening the link in the e-mail."""

import re
from pathlib import Path

import httpx

SIGNUP_LINK = re.compile(r"https?://[^/\s]+(/signup/confirm/([^/\s]+)/)")
RESET_LINK = re.compile(r"https?://[^/\s]+(/password-reset/([^/\s]+)/([^/\s]+)/)")


def outbox_to(email: str):
    """The newest message in Django's outbox (locmem backend) addressed to `email`."""
    from django.core import mail

    for message in reversed(mail.outbox):
        if email.lower() in [to.lower() for to in message.to]:
            return message
    raise AssertionError(f"no email to {email} in the outbox ({len(mail.outbox)} messages)")


def signup_token_in(text: str) -> str:
    found = SIGNUP_LINK.search(text)
    assert found, f"no sign-up link in:\n{text}"
    return found.group(2)


# The file (and console) backend ends each message with a line of 79 dashes. One file may hold
# several messages: its name is the second and the backend's id(), which a later backend can reuse.
_SEPARATOR = "\n" + "-" * 79 + "\n"


def mail_file_to(mail_dir: Path, email: str) -> str:
    """The text of the newest message the file backend wrote to `email` in `mail_dir`."""
    files = sorted(Path(mail_dir).glob("*.log"), key=lambda p: p.stat().st_mtime_ns)
    to = re.compile(rf"^To: {re.escape(email)}$", re.MULTILINE | re.IGNORECASE)
    for path in reversed(files):
        for message in reversed(path.read_text().split(_SEPARATOR)):
            if to.search(message):
                return message
    raise AssertionError(f"no email to {email} in {mail_dir}")


def sign_up(api_url: str, mail_dir: Path, *, email: str, password: str, full_name: str, **extra) -> dict:
    """Sign up through the api at `api_url` (its root) and confirm with the e-mailed link: the
    confirmation's answer (token, expiry, user), as sign-up answered before it was confirmed by e-mail."""
    body = {"email": email, "password": password, "full_name": full_name, **extra}
    registered = httpx.post(f"{api_url}/api/v1/auth/register", json=body, timeout=30)
    assert registered.status_code == 202, registered.text
    token = signup_token_in(mail_file_to(mail_dir, email))
    confirmed = httpx.post(f"{api_url}/api/v1/auth/register/confirm", json={"token": token}, timeout=30)
    assert confirmed.status_code == 201, confirmed.text
    return confirmed.json()
