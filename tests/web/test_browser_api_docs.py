"""The api's HTML pages (Swagger UI, Redoc, the admin's sign-in) render in Chromium under their
Content Security Policy: none of their own scripts or styles is refused, and nothing is fetched from
another origin (Redoc's bundle asks for its vendor's logo from a CDN: the policy blocks it, and the
page hides the missing image)."""

import pytest
from playwright.sync_api import expect


@pytest.mark.parametrize(
    ("path", "rendered"),
    [
        ("/api/docs/", ".swagger-ui .info .title"),
        ("/api/redoc/", "h1"),
        ("/admin/login/", "#login-form"),
    ],
)
def test_api_html_pages_render_under_their_csp(chromium, live_stack, path, rendered):
    context = chromium.new_context(viewport={"width": 1024, "height": 800})
    try:
        page = context.new_page()
        violations, elsewhere = [], []
        page.on(
            "console", lambda message: "Content Security Policy" in message.text and violations.append(message.text)
        )
        page.on(
            "request", lambda request: not request.url.startswith(live_stack["api"]) and elsewhere.append(request.url)
        )
        response = page.goto(live_stack["api"] + path)
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # Redoc lays the whole schema out before its title shows: on a loaded machine that took over 20 s.
        expect(page.locator(rendered).first).to_be_visible(timeout=60000)
        page.wait_for_timeout(500)  # late scripts (workers, fonts) too
        blocked_logo = "https://cdn.redoc.ly/redoc/logo-mini.svg"  # refused by img-src (the console says so)
        refused_own = [v for v in violations if blocked_logo not in v]
        assert refused_own == [], refused_own
        assert [url for url in elsewhere if not url.startswith(("data:", "blob:")) and url != blocked_logo] == []
    finally:
        context.close()
