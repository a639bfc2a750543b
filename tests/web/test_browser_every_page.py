"""Every page, for every role, on a 360 x 740 phone in Chromium, in Indonesian and in English: nothing
scrolls sideways, every visible link, button, input and select is a touch target of at least
44 x 44 CSS px, the header takes at most a quarter of the screen's height, and axe-core (the npm
package, injected into the page) finds no serious or critical accessibility violation.

Touch targets (WCAG 2.5.5's 44 px, with 2.5.8's inline exception): a link laid out inline inside
running text (its block holds words outside any link or button) is exempt, as its size is set by the
sentence's line height; so are elements hidden from everyone (display none, a closed menu, the
1-px visually-hidden labels and the skip link parked off screen until focused). A checkbox or a
radio button wrapped in its label is measured by the label, which toggles it too.

The pages are those of the web's URL configuration that answer a GET, each filled with real data
from the api (a drive today, a donation in the lab, a request, a deferral); a test below fails when
a GET page of the URL configuration is missing from this list, so a new page is checked too.
"""

from pathlib import Path

import pytest
from django.urls import URLPattern, get_resolver
from test_browser_donation_journey import log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
PHONE = 360
PHONE_HEIGHT = 740
TOUCH = 44  # CSS px, each side
HEADER_SHARE = 0.25  # of the screen's height, at most
# Every visible tap target below TOUCH x TOUCH px, described as "tag.class 'text' W x H".
SMALL_TARGETS = """(touch) => {
    const describe = (e, r) => e.tagName.toLowerCase()
        + (e.className ? '.' + String(e.className).replace(/ +/g, '.') : '')
        + (e.type && e.tagName !== 'A' ? '[' + e.type + ']' : '')
        + " '" + (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 30) + "' "
        + Math.round(r.width) + 'x' + Math.round(r.height);
    const inRunningText = (e) => {
        if (e.tagName !== 'A' || getComputedStyle(e).display !== 'inline') return false;
        let block = e.parentElement;
        while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
        // Words of the block outside any link or button: a row of links is not a sentence.
        const words = [...block.childNodes].map(function text(n) {
            if (n.nodeType === Node.TEXT_NODE) return n.textContent;
            if (n.nodeType !== Node.ELEMENT_NODE || n.matches('a, button')) return '';
            return [...n.childNodes].map(text).join('');
        }).join('');
        return /\\p{L}/u.test(words);
    };
    const small = [];
    for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
        if (!e.checkVisibility({visibilityProperty: true})) continue;
        let r = e.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1 || r.right <= 0 || r.bottom <= 0) continue;  // visually hidden, off screen
        if (inRunningText(e)) continue;
        const label = (e.type === 'checkbox' || e.type === 'radio') && e.closest('label');
        if (label) r = label.getBoundingClientRect();
        if (r.width < touch - 0.5 || r.height < touch - 0.5) small.push(describe(e, r));
    }
    return small;
}"""
# Pages not visited here, each with why (POST-only actions are left out by the URL walk itself).
NOT_PAGES = {
    "healthz": "a health check for the load balancer, not a page",
    "appointment_ics": "a calendar file, not a page",
    "password_reset_confirm": "reached only from a reset e-mail's one-time link (test_browser_password_reset)",
    "questionnaire": "the donor's health questions for one booking (test_browser_donation_journey)",
    "appointment_book": "reached from a drive's slot list (test_browser_donation_journey)",
    "staff_donation_new": "the donation form of a checked-in donor (test_browser_donation_journey)",
    "staff_drive_cancel": "the drive edit page holds the cancel form; this path only takes its POST",
    "staff_report_download": "a report's CSV or XLSX file, not a page (tests/web/test_report_pages.py)",
    "staff_haemovigilance_export": "the monthly haemovigilance CSV, not a page (tests/web/test_report_pages.py)",
    "site_photo": "the photo form is on the blood bank's own page (test_site_photo, browser photo test)",
    "staff_unit_label_pdf": "a label file, not a page (test_browser_labels reads it back)",
    "staff_unit_label_zpl": "a label file, not a page (tests/web/test_unit_pages.py)",
    # Haemovigilance pages: checked with the api faked in tests/web/test_haemovigilance_pages.py; the
    # browser world holds no complication or reaction yet (to add).
    "staff_complication_new": "tests/web/test_haemovigilance_pages.py (no browser world yet)",
    "staff_haemovigilance": "tests/web/test_haemovigilance_pages.py (no browser world yet)",
    "hospital_reaction": "tests/web/test_haemovigilance_pages.py (no browser world yet)",
    "donor_reaction": "tests/web/test_haemovigilance_pages.py (no browser world yet)",
    # The browser world has no call-out answer (the worker sends call-outs, and no worker runs there).
    "conversation": "tests/web/test_relay_pages.py (no call-out answer in the browser world)",
    # A real certificate needs ten donations: checked with the api faked in tests/web/test_check_pages.py.
    "certificate_check": "tests/web/test_check_pages.py (no browser world with ten donations)",
    "certificate_pdf": "a certificate file, not a page (dblood/donations/tests/test_milestones.py reads it back)",
}


def _methods(view) -> list[str] | None:
    """The methods a view's `require_http_methods` (or require_GET/POST) allows; None if unrestricted."""
    while view is not None:
        for cell in view.__closure__ or ():
            value = cell.cell_contents
            if isinstance(value, list) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return value
        view = getattr(view, "__wrapped__", None)
    return None


def _get_pages() -> set[str]:
    """Names of the web's URL patterns whose view answers a GET."""
    names = set()
    for pattern in get_resolver("dblood_web.urls").url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            methods = _methods(pattern.callback)
            if methods is None or "GET" in methods:
                names.add(pattern.name)
    return names


def pages_for(world) -> dict[str, list[tuple[str, str]]]:
    """(URL name, path) each role visits."""
    return {
        "anonymous": [
            ("home", "/"),
            ("drives", "/drives/"),
            ("sites", "/blood-banks/"),
            ("site", f"/blood-banks/{world['bank']}/"),
            ("signup", "/signup/"),
            # The sign-up e-mail's link: its page is the same for any token until its button is pressed.
            ("signup_confirm", "/signup/confirm/a-link-from-the-email/"),
            ("login", "/login/"),
            ("password_reset", "/password-reset/"),
            ("replacement_lookup", "/replacement/"),
            ("replacement_status", f"/replacement/{world['replacement']}/"),
        ],
        "donor@dblood.local": [
            ("my_home", "/home/"),
            ("donor_profile", "/me/"),
            ("eligibility", "/me/eligibility/"),
            ("appointments", "/me/appointments/"),
            ("appointment_reschedule", f"/me/appointments/{world['appointment']}/reschedule/"),
            ("donations", "/me/donations/"),
            ("notifications", "/me/notifications/"),
            ("call_outs", "/me/call-outs/"),
            ("card", "/me/card/"),
            ("account", "/account/"),
            ("password_change", "/account/password/"),
        ],
        "staff@dblood.local": [
            ("my_home", "/home/"),
            ("staff_home", "/staff/"),
            ("staff_drive_new", "/staff/drives/new/"),
            ("staff_drive", f"/staff/drives/{world['drive']}/"),
            ("staff_drive_edit", f"/staff/drives/{world['drive']}/edit/"),
            ("staff_walk_in", f"/staff/drives/{world['drive']}/walk-in/"),
            ("staff_deferral_new", f"/staff/donors/{world['donor']}/deferral/"),
            ("staff_donor_nik", f"/staff/donors/{world['donor']}/nik/"),
            ("staff_duplicates", "/staff/duplicates/"),
            ("staff_lab", "/staff/lab/"),
            ("staff_donation", f"/staff/donations/{world['donation']}/"),
            ("staff_donation", f"/staff/donations/{world['separated']}/"),  # its units, their labels
            ("staff_unit", f"/staff/units/{world['unit']}/"),
            ("staff_inventory", "/staff/inventory/"),
            ("staff_returns", "/staff/returns/"),
            ("staff_fees", "/staff/fees/"),
            ("staff_coldchain", "/staff/cold-chain/"),
            ("staff_storage_location", f"/staff/cold-chain/{world['location']}/"),
            ("staff_excursion", f"/staff/cold-chain/excursions/{world['excursion']}/"),
            ("staff_reconciliation", f"/staff/cold-chain/counts/{world['count']}/"),
            ("staff_reports", "/staff/reports/"),
            ("staff_report", "/staff/reports/wastage/"),
            ("staff_report", "/staff/reports/collections/"),
            ("staff_report", "/staff/reports/issues/"),
            ("staff_report", "/staff/reports/deferrals/"),
            ("staff_report", "/staff/reports/turnaround/"),
            ("staff_report", "/staff/reports/daily_stock/"),
            ("staff_report", "/staff/reports/returns/"),
            ("staff_report", "/staff/reports/complications/"),
            ("staff_report", "/staff/reports/reactions/"),
            ("blood_request", f"/requests/{world['request']}/"),
            ("notifications", "/me/notifications/"),  # the new request's alert
        ],
        "hospital@dblood.local": [
            ("my_home", "/home/"),
            ("hospital_home", "/hospital/"),
            ("hospital_requests", "/hospital/requests/"),
            ("blood_request", f"/requests/{world['request']}/"),
            ("notifications", "/me/notifications/"),
        ],
        "admin@dblood.local": [
            ("my_home", "/home/"),
            ("admin_home", "/console/"),
            ("account", "/account/"),
            ("staff_report", "/staff/reports/wastage/"),
        ],
    }


def test_every_get_page_of_the_web_is_visited_or_says_why_not():
    names = ["bank", "drive", "donation", "request", "donor", "appointment", "separated", "unit", "replacement"]
    ids = dict.fromkeys([*names, "location", "excursion", "count"], 1)
    visited = {name for pages in pages_for(ids).values() for name, _path in pages}
    missing = _get_pages() - visited - set(NOT_PAGES)
    assert not missing, f"pages nobody checks at 360 px and with axe: {sorted(missing)}"
    assert not (set(NOT_PAGES) & visited), "a page both visited and excused"


def _problems(page, path: str) -> list[str]:
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE:
        wide = page.evaluate(
            """(limit) => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit + 0.5)
                .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
            PHONE,
        )
        problems.append(f"{path}: {width} px wide, sticking out: {wide}")
    # Nor does a part of it: a table in a scroller is cut off on a phone; it must become cards.
    scrollers = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && /auto|scroll/.test(getComputedStyle(e).overflowX))
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' + e.scrollWidth + ' px')"""
    )
    if scrollers:
        problems.append(f"{path}: scrolls sideways inside: {scrollers}")
    small = page.evaluate(SMALL_TARGETS, TOUCH)
    if small:
        problems.append(f"{path}: {len(small)} tap targets under {TOUCH} x {TOUCH} px: {small}")
    header = page.locator("body > header").bounding_box()
    if header["height"] > HEADER_SHARE * PHONE_HEIGHT:
        high = header["height"]
        problems.append(f"{path}: the header is {high:.0f} px high, over {HEADER_SHARE:.0%} of {PHONE_HEIGHT}")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ' (' + v.impact + '): '
                    + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
        }""",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"],
    )
    problems += [f"{path}: {violation}" for violation in result]
    return problems


@pytest.mark.parametrize("language", ["id", "en"])
def test_no_page_scrolls_sideways_has_small_targets_or_fails_axe_on_a_phone(
    request, chromium, live_stack, world, language
):
    assert AXE.exists(), "axe-core is not installed: `make test-web` runs `npm ci --prefix tests/web`"
    problems = []
    for role, pages in pages_for(world).items():
        # The pages' Content-Security-Policy forbids injected scripts; axe is the test's, not the page's.
        screen = {"width": PHONE, "height": PHONE_HEIGHT}
        context = chromium.new_context(viewport=screen, locale="id-ID", bypass_csp=True)
        request.addfinalizer(context.close)
        context.set_default_timeout(15000)
        page = context.new_page()
        page.base = live_stack["web"]
        request.node.browser_page = page
        if role != "anonymous":
            log_in(page, role)
        page.goto(page.base + ("/login/" if role == "anonymous" else "/account/"))
        switch = page.get_by_role("button", name={"id": "Bahasa Indonesia", "en": "English"}[language])
        if switch.is_enabled():  # the page speaks the other language
            switch.click()
        for _name, path in pages:
            response = page.goto(page.base + path)
            assert response is not None and response.status == 200, f"{role} {path}: {response and response.status}"
            assert page.locator("html").get_attribute("lang") == language, (role, path)
            problems += [f"{role} {problem}" for problem in _problems(page, path)]
    assert not problems, "\n".join(problems)
