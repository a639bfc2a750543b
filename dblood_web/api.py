"""The web's one door to the api: a small typed HTTP client.

Every call goes over HTTP to `DBLOOD_API_URL` with the signed-in user's bearer token; the web never
imports `dblood`. The api answers errors in one shape
(`{"status", "code", "detail", "fields": {name: [messages]}}`), raised here as `ApiError`;
a refused connection, a timeout or a 502/503/504 is `ApiUnavailable` (the web shows its 503 page).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict
from urllib.parse import quote

import httpx

# Tests replace this with an httpx.MockTransport; None means real network I/O.
TRANSPORT: httpx.BaseTransport | None = None

BLOOD_GROUPS = [f"{abo}{rhd}" for abo in ("O", "A", "B", "AB") for rhd in ("+", "-")]


class ApiUnavailable(Exception):
    """The api could not be reached or said it is unavailable."""


@dataclass
class ApiError(Exception):
    status: int
    code: str = "error"
    detail: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)
    # Why a refusal was made, one sentence each (a booking refused for eligibility names every rule).
    reasons: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail}"


class Membership(TypedDict):
    site_id: int
    site_name: str
    site_kind: str


class User(TypedDict):
    id: int
    email: str
    full_name: str
    role: str
    language: str
    memberships: list[Membership]


class TokenResponse(TypedDict):
    token: str
    expires_at: str
    user: User


class StockRow(TypedDict):
    site_id: int
    site_name: str
    city: str
    province: str
    abo: str
    rhd: str
    component: str
    available: int
    soonest_expiry: str | None
    days_of_supply: float | None
    level: str  # critical | low | adequate


class Stock(TypedDict):
    generated_at: str
    results: list[StockRow]
    totals: NotRequired[dict[str, Any]]


class Slot(TypedDict):
    id: int
    starts_at: str
    ends_at: str
    capacity: int
    free: int


class Drive(TypedDict, total=False):
    id: int
    name: str
    status: str
    organiser: int
    organiser_name: str
    site: int | None
    site_name: str | None
    location_name: str
    address: str
    city: str
    province: str
    date: str
    start_time: str
    end_time: str
    donation_types: list[str]
    free: int
    distance_km: float | None
    slots: list[Slot]


class Page(TypedDict):
    count: int
    results: list[dict[str, Any]]


def _results(body: Any) -> list[dict[str, Any]]:
    """A list endpoint's rows, whether paginated (`{"results": [...]}`) or a bare list."""
    if isinstance(body, dict):
        return list(body.get("results", []))
    return list(body or [])


# Sent with every call when WEB_PROXY_KEY is set: the api then counts the web as one more trusted
# proxy in X-Forwarded-For (a browser cannot send it: it does not know the key).
PROXY_KEY_HEADER = "X-Dblood-Web-Proxy-Key"


def from_trusted_proxy(address: str, networks) -> bool:
    """Is the peer one of the proxies in front of the web (TRUSTED_PROXY_NETWORKS)?"""
    try:
        peer = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(peer in ipaddress.ip_network(network.strip(), strict=False) for network in networks if network.strip())


def forwarded_for(*, remote_addr: str, forwarded: str | None, trusted_proxies: int) -> str:
    """The X-Forwarded-For the web sends the api for one browser request.

    The hops the web's own trusted proxies wrote (the last `trusted_proxies` entries of the header
    it received; nginx in front = 1), then the address the web itself saw. Anything a browser wrote
    before those is dropped, so a browser cannot choose its own login-throttle bucket at the api:
    the api reads the entry its trusted hops point at, and that entry is always one a proxy wrote.
    """
    hops = [hop.strip() for hop in (forwarded or "").split(",") if hop.strip()]
    trusted = hops[-trusted_proxies:] if trusted_proxies > 0 else []
    return ", ".join([*trusted, remote_addr or "unknown"])


class Api:
    """One api conversation on behalf of one web request (and its user's token, if any).

    `forwarded_for` (see `forwarded_for()`) and `proxy_key` tell the api which browser the call is
    for, so its per-address throttles count browsers, not the web.
    """

    def __init__(
        self,
        *,
        base_url: str,
        token: str | None = None,
        language: str | None = None,
        timeout: float = 5.0,
        forwarded_for: str | None = None,
        proxy_key: str | None = None,
    ):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if language:
            headers["Accept-Language"] = language
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
            if proxy_key:
                headers[PROXY_KEY_HEADER] = proxy_key
        self.token = token
        self._http = httpx.Client(base_url=f"{base_url}/api/v1/", headers=headers, timeout=timeout, transport=TRANSPORT)

    # -- transport -------------------------------------------------------------------------
    def request(
        self, method: str, path: str, *, params: dict | None = None, json: Any = None, files: dict | None = None
    ) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = self._http.request(method, path.lstrip("/"), params=clean or None, json=json, files=files)
        except (httpx.TransportError, httpx.TimeoutException) as exc:
            raise ApiUnavailable(str(exc)) from exc
        if response.status_code in (502, 503, 504):
            raise ApiUnavailable(f"api answered {response.status_code}")
        if response.status_code >= 400:
            raise _error(response)
        return response

    def get(self, path: str, **params: Any) -> Any:
        return _json(self.request("GET", path, params=params))

    def post(self, path: str, json: Any = None) -> Any:
        return _json(self.request("POST", path, json=json if json is not None else {}))

    def patch(self, path: str, json: Any) -> Any:
        return _json(self.request("PATCH", path, json=json))

    def put(self, path: str, json: Any) -> Any:
        return _json(self.request("PUT", path, json=json))

    def delete(self, path: str) -> Any:
        return _json(self.request("DELETE", path))

    def get_bytes(self, path: str) -> tuple[bytes, str]:
        response = self.request("GET", path)
        return response.content, response.headers.get("content-type", "application/octet-stream")

    def get_file(self, path: str, **params: Any) -> httpx.Response:
        """A file answer (CSV, XLSX) as it came: the caller passes on its bytes and headers."""
        return self.request("GET", path, params=params)

    def close(self) -> None:
        self._http.close()

    def readiness(self) -> dict[str, Any]:
        """What the api's /readyz reports (database, cache), even when it says 503; an api that
        does not answer is reported as such instead of failing the page that asks."""
        url = self._http.base_url.copy_with(path="/readyz")
        try:
            response = self._http.get(url)
            body = response.json()
        except (httpx.TransportError, httpx.TimeoutException, ValueError):
            return {"status": "unreachable", "checks": {}}
        return body if isinstance(body, dict) else {"status": "unreachable", "checks": {}}

    # -- accounts --------------------------------------------------------------------------
    def register(self, *, email: str, password: str, full_name: str, language: str) -> None:
        """Always the same 202, whether or not the email has an account: the e-mail says which."""
        body = {"email": email, "password": password, "full_name": full_name, "language": language}
        self.post("auth/register", body)

    def register_confirm(self, *, token: str) -> TokenResponse:
        return self.post("auth/register/confirm", {"token": token})

    def login(self, *, email: str, password: str) -> TokenResponse:
        return self.post("auth/login", {"email": email, "password": password})

    def logout(self) -> None:
        self.post("auth/logout")

    def me(self) -> User:
        return self.get("me")

    def me_update(self, **changes: Any) -> User:
        return self.patch("me", changes)

    def password_change(self, *, old_password: str, new_password: str) -> None:
        self.post("auth/password/change", {"old_password": old_password, "new_password": new_password})

    def password_reset(self, *, email: str) -> None:
        self.post("auth/password/reset", {"email": email})

    def password_reset_confirm(self, *, uid: str, token: str, new_password: str) -> None:
        self.post("auth/password/reset/confirm", {"uid": uid, "token": token, "new_password": new_password})

    # -- public ----------------------------------------------------------------------------
    def stock(self, **filters: Any) -> Stock:
        return self.get("stock", **filters)

    def sites(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("sites", **filters))

    def site(self, site_id: int) -> dict[str, Any]:
        return self.get(f"sites/{site_id}")

    def site_photo_upload(self, site_id: int, *, content: bytes, content_type: str) -> dict[str, Any]:
        """PUT the photo as multipart. The filename sent is fixed: the api never uses it anyway."""
        files = {"photo": ("photo", content, content_type or "application/octet-stream")}
        return _json(self.request("PUT", f"sites/{site_id}/photo", files=files))

    def site_fees_set(self, site_id: int, *, fees: list[dict[str, Any]]) -> dict[str, Any]:
        return self.put(f"sites/{site_id}/fees", {"fees": fees})

    def site_photo_delete(self, site_id: int) -> None:
        self.delete(f"sites/{site_id}/photo")

    def drives(self, **filters: Any) -> list[Drive]:
        return _results(self.get("drives", **filters))  # type: ignore[return-value]

    def drive(self, drive_id: int) -> Drive:
        return self.get(f"drives/{drive_id}")

    # -- donors ----------------------------------------------------------------------------
    def donor_me(self) -> dict[str, Any]:
        return self.get("donors/me")

    def donor_update(self, **changes: Any) -> dict[str, Any]:
        return self.patch("donors/me", changes)

    def eligibility(self) -> dict[str, Any]:
        return self.get("donors/me/eligibility")

    def questionnaire(self) -> dict[str, Any]:
        return self.get("questionnaire")

    def appointments(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("appointments", **filters))

    def appointment(self, appointment_id: int) -> dict[str, Any]:
        return self.get(f"appointments/{appointment_id}")

    def appointment_book(self, *, slot: int, donation_type: str, replacement_code: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"slot": slot, "donation_type": donation_type}
        if replacement_code:
            body["replacement_code"] = replacement_code
        return self.post("appointments", body)

    def appointment_cancel(self, appointment_id: int) -> dict[str, Any]:
        return self.post(f"appointments/{appointment_id}/cancel")

    def appointment_reschedule(self, appointment_id: int, *, slot: int) -> dict[str, Any]:
        return self.post(f"appointments/{appointment_id}/reschedule", {"slot": slot})

    def appointment_answer(self, appointment_id: int, *, version: int, answers: dict[str, bool]) -> dict[str, Any]:
        return self.post(f"appointments/{appointment_id}/questionnaire", {"version": version, "answers": answers})

    def appointment_ics(self, appointment_id: int) -> tuple[bytes, str]:
        return self.get_bytes(f"appointments/{appointment_id}/ics")

    def donations_mine(self) -> list[dict[str, Any]]:
        return _results(self.get("donations/mine", page_size=100))

    def milestones(self) -> dict[str, Any]:
        """The donor's count of completed donations (every blood bank), the next award, the certificates."""
        return self.get("donations/mine/milestones")

    def certificate_pdf(self, milestone: int) -> httpx.Response:
        return self.get_file(f"donations/mine/certificates/{milestone}/certificate.pdf")

    def certificate_check(self, token: str) -> dict[str, Any]:
        return self.get(f"public/certificates/{quote(token, safe='')}")

    def replacement_status(self, code: str) -> dict[str, Any]:
        return self.get(f"public/replacement-codes/{quote(code, safe='')}")

    def notifications(self) -> list[dict[str, Any]]:
        return _results(self.get("notifications", page_size=50))

    def unread_count(self) -> int:
        return int(self.get("notifications/unread-count")["unread"])

    def notification_read(self, notification_id: int) -> None:
        self.post(f"notifications/{notification_id}/read")

    def call_outs(self) -> list[dict[str, Any]]:
        return _results(self.get("call-outs"))

    def call_out_answer(self, call_out_id: int, *, answer: str) -> dict[str, Any]:
        return self.post(f"call-outs/{call_out_id}/answer", {"answer": answer})

    # -- the contact relay: a call-out's responder and its staff, without contact details --------
    def conversation_open(self, response_id: int) -> dict[str, Any]:
        """The conversation about one call-out answer (made on first use)."""
        return self.post("relay/threads", {"response": response_id})

    def conversation(self, thread_id: int) -> dict[str, Any]:
        return self.get(f"relay/threads/{thread_id}")

    def conversation_send(self, thread_id: int, body: str) -> dict[str, Any]:
        return self.post(f"relay/threads/{thread_id}/messages", {"body": body})

    def conversation_block(self, thread_id: int, *, blocked: bool) -> dict[str, Any]:
        return self.post(f"relay/threads/{thread_id}/{'block' if blocked else 'unblock'}")

    # -- blood-bank staff and hospitals -----------------------------------------------------
    def drive_create(self, **fields: Any) -> Drive:
        return self.post("drives", fields)

    def drive_update(self, drive_id: int, **changes: Any) -> Drive:
        return self.patch(f"drives/{drive_id}", changes)

    def drive_cancel(self, drive_id: int, *, reason: str) -> Drive:
        return self.post(f"drives/{drive_id}/cancel", {"reason": reason})

    def drive_walk_in(self, drive_id: int, **fields: Any) -> dict[str, Any]:
        """Register a donor at the desk at today's drive; the answer is their (checked-in) appointment."""
        return self.post(f"drives/{drive_id}/walk-ins", fields)

    def drive_appointments(self, drive_id: int) -> list[dict[str, Any]]:
        return _results(self.get(f"drives/{drive_id}/appointments", page_size=100))

    def appointment_check_in(self, appointment_id: int) -> dict[str, Any]:
        return self.post(f"appointments/{appointment_id}/check-in")

    def appointment_no_show(self, appointment_id: int) -> dict[str, Any]:
        return self.post(f"appointments/{appointment_id}/no-show")

    def donation_record(self, **fields: Any) -> dict[str, Any]:
        return self.post("donations", fields)

    def donation(self, donation_id: int) -> dict[str, Any]:
        return self.get(f"donations/{donation_id}")

    def lab_worklist(self) -> list[dict[str, Any]]:
        return self.get("donations/worklist")

    def donation_typing(self, donation_id: int, *, abo: str, rhd: str) -> dict[str, Any]:
        return self.post(f"donations/{donation_id}/typing", {"abo": abo, "rhd": rhd})

    def donation_screening(self, donation_id: int, *, test: str, reactive: bool) -> dict[str, Any]:
        return self.post(f"donations/{donation_id}/screening", {"test": test, "reactive": reactive})

    def donation_components(self, donation_id: int, *, components: list[str]) -> Any:
        return self.post(f"donations/{donation_id}/components", {"components": [{"component": c} for c in components]})

    def units(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("units", page_size=100, **filters))

    def units_page(self, **filters: Any) -> dict[str, Any]:
        """One page of the staff unit list: `count`, `next`, `previous` and `results`."""
        return self.get("units", **filters)

    def units_by_din(self, scanned: str) -> list[dict[str, Any]]:
        """The units of a scanned or typed DIN at the staff member's banks (the api parses the scan)."""
        return self.get(f"units/din/{quote(scanned, safe='')}")

    def unit(self, unit_id: int) -> dict[str, Any]:
        """One unit with its history and its label's state (printed, current, verified)."""
        return self.get(f"units/{unit_id}")

    def unit_label(self, unit_id: int, fmt: str) -> httpx.Response:
        """The unit's label as the api renders it (`pdf` or `zpl`); every call is a recorded print."""
        return self.request("GET", f"units/{unit_id}/label.{fmt}")

    def unit_label_verify(self, unit_id: int, *, din: str, product_code: str) -> dict[str, Any]:
        """The two barcodes scanned from the printed label, checked by the api against the unit."""
        return self.post(f"units/{unit_id}/label-verification", {"din": din, "product_code": product_code})

    def donations(self, **filters: Any) -> list[dict[str, Any]]:
        """Donations at the staff member's banks; `din=` takes what a scanner typed (the api parses it)."""
        return _results(self.get("donations", **filters))

    def units_expiring(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("units/expiring", page_size=100, **filters))

    def unit_discard(self, unit_id: int, *, reason: str) -> dict[str, Any]:
        return self.post(f"units/{unit_id}/discard", {"reason": reason})

    def transfers(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("transfers", **filters))

    def transfer_create(self, *, unit: int, to_site: int) -> dict[str, Any]:
        return self.post("transfers", {"unit": unit, "to_site": to_site})

    def transfer_receive(self, transfer_id: int, *, din: str, product_code: str, temperature_c) -> dict[str, Any]:
        """Book a unit in on the two barcodes scanned from its label (the api checks both) and its
        temperature on arrival."""
        body = {"din": din, "product_code": product_code, "temperature_c": str(temperature_c)}
        return self.post(f"transfers/{transfer_id}/receive", body)

    def transfer_dispatch(self, transfer_id: int) -> dict[str, Any]:
        return self.post(f"transfers/{transfer_id}/dispatch")

    # --- cold chain -------------------------------------------------------------------------------

    def storage_locations(self) -> list[dict[str, Any]]:
        """The fridges, freezers and agitators of the user's banks, each with its last reading."""
        return self.get("storage-locations")

    def storage_location(self, location_id: int) -> dict[str, Any]:
        return self.get(f"storage-locations/{location_id}")

    def storage_readings(self, location_id: int) -> list[dict[str, Any]]:
        return self.get(f"storage-locations/{location_id}/readings")

    def storage_reading_create(self, location_id: int, **fields: Any) -> dict[str, Any]:
        return self.post(f"storage-locations/{location_id}/readings", fields)

    def excursions(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("excursions", page_size=100, **filters))

    def excursion(self, excursion_id: int) -> dict[str, Any]:
        return self.get(f"excursions/{excursion_id}")

    def excursion_close(self, excursion_id: int, *, reason: str, units: list[dict]) -> dict[str, Any]:
        return self.post(f"excursions/{excursion_id}/close", {"reason": reason, "units": units})

    def unit_move(self, *, unit: int, to_location: int | None) -> dict[str, Any]:
        return self.post("unit-moves", {"unit": unit, "to_location": to_location})

    def reconciliations(self) -> list[dict[str, Any]]:
        return _results(self.get("reconciliations", page_size=20))

    def reconciliation(self, reconciliation_id: int) -> dict[str, Any]:
        return self.get(f"reconciliations/{reconciliation_id}")

    def reconciliation_create(self, *, location: int, scans: list[dict]) -> dict[str, Any]:
        return self.post("reconciliations", {"location": location, "scans": scans})

    def reconciliation_resolve(self, reconciliation_id: int, item_id: int, *, resolution: str) -> dict[str, Any]:
        return self.post(f"reconciliations/{reconciliation_id}/items/{item_id}/resolve", {"resolution": resolution})

    def unit_returns(self) -> list[dict[str, Any]]:
        """Returns from the user's hospital, or to the user's blood bank, newest first."""
        return _results(self.get("returns", page_size=100))

    def unit_return_create(self, **fields: Any) -> dict[str, Any]:
        return self.post("returns", fields)

    def unit_return_decide(self, return_id: int, **fields: Any) -> dict[str, Any]:
        return self.post(f"returns/{return_id}/decide", fields)

    def deferral_reasons(self) -> list[dict[str, Any]]:
        return _results(self.get("deferral-reasons"))

    def deferral_create(self, donor_id: int, **fields: Any) -> dict[str, Any]:
        return self.post(f"donors/{donor_id}/deferrals", fields)

    def deferrals(self, donor_id: int) -> list[dict[str, Any]]:
        """The donor's deferral register, newest first (staff of a bank the donor visited)."""
        return self.get(f"donors/{donor_id}/deferrals")

    def deferral_lift(self, donor_id: int, deferral_id: int, *, reason: str) -> dict[str, Any]:
        return self.post(f"donors/{donor_id}/deferrals/{deferral_id}/lift", {"reason": reason})

    def donor_nik(self, donor_id: int) -> dict[str, Any]:
        """The desk's view of a donor's NIK, in full, to compare with the identity card."""
        return self.get(f"donors/{donor_id}/nik")

    def donor_nik_verify(self, donor_id: int, *, nik: str) -> dict[str, Any]:
        return self.post(f"donors/{donor_id}/nik/verify", {"nik": nik})

    def donor_duplicates(self) -> list[dict[str, Any]]:
        """Likely duplicate donor records still to review."""
        return _results(self.get("donor-duplicates", page_size=100))

    def donor_merges(self) -> list[dict[str, Any]]:
        return _results(self.get("donor-merges", page_size=50))

    def donor_merge(self, *, survivor: int, merged: int) -> dict[str, Any]:
        return self.post("donor-merges", {"survivor": survivor, "merged": merged})

    def donor_merge_undo(self, merge_id: int) -> dict[str, Any]:
        return self.post(f"donor-merges/{merge_id}/undo", {})

    def recalls(self, **filters: Any) -> list[dict[str, Any]]:
        """Open lookback recalls concerning the staff member's banks (the api's default)."""
        return _results(self.get("recalls", page_size=100, **filters))

    def blood_requests(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("requests", page_size=100, **filters))

    def blood_request(self, request_id: int) -> dict[str, Any]:
        return self.get(f"requests/{request_id}")

    def blood_request_create(self, **fields: Any) -> dict[str, Any]:
        return self.post("requests", fields)

    def blood_request_proposal(self, request_id: int) -> list[dict[str, Any]]:
        """The compatible units on offer, best first, each with its bank, distance and match."""
        return _results(self.get(f"requests/{request_id}/proposal"))

    def blood_request_action(self, request_id: int, action: str, body: dict | None = None) -> Any:
        """reserve, allocate, issue, cancel, outcome or call-outs on one request."""
        return self.post(f"requests/{request_id}/{action}", body or {})

    def call_outs_staff(self) -> list[dict[str, Any]]:
        return _results(self.get("call-outs", page_size=100))

    # Haemovigilance: donor complications and transfusion reactions.
    def complications(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("donor-complications", page_size=100, **filters))

    def complication_create(self, **fields: Any) -> dict[str, Any]:
        return self.post("donor-complications", fields)

    def complication_action(self, complication_id: int, action: str, body: dict) -> dict[str, Any]:
        """code (a donor's report) or follow-up."""
        return self.post(f"donor-complications/{complication_id}/{action}", body)

    def my_complications(self) -> list[dict[str, Any]]:
        return _results(self.get("donor-complications/mine", page_size=100))

    def my_complication_report(self, **fields: Any) -> dict[str, Any]:
        return self.post("donor-complications/mine", fields)

    def reactions(self, **filters: Any) -> list[dict[str, Any]]:
        return _results(self.get("transfusion-reactions", page_size=100, **filters))

    def reaction_report(self, **fields: Any) -> dict[str, Any]:
        return self.post("transfusion-reactions", fields)

    def reaction_action(self, reaction_id: int, action: str, body: dict | None = None) -> dict[str, Any]:
        """investigate, conclude, lookback or defer."""
        return self.post(f"transfusion-reactions/{reaction_id}/{action}", body or {})

    # -- reports ---------------------------------------------------------------------------
    def report(self, name: str, **period: Any) -> dict[str, Any]:
        """One report's rows and totals for a period (day, month, or from and to; site)."""
        return self.get(f"reports/{quote(name)}", **period)

    def report_file(self, name: str, fmt: str, **period: Any) -> httpx.Response:
        return self.get_file(f"reports/{quote(name)}.{fmt}", **period)

    def haemovigilance_export(self, **period: Any) -> httpx.Response:
        """The month's coded complications and reactions for the national programme (month; site)."""
        return self.get_file("reports/haemovigilance-export.csv", **period)


def _json(response: httpx.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    return response.json()


def _error(response: httpx.Response) -> ApiError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    fields = body.get("fields") or {}
    return ApiError(
        status=response.status_code,
        code=str(body.get("code", "error")),
        detail=str(body.get("detail", response.reason_phrase)),
        fields={str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in fields.items()},
        reasons=[str(r) for r in body.get("reasons") or [] if r] if isinstance(body.get("reasons"), list) else [],
    )
