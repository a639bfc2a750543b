"""The in-app inbox: list, unread count, mark one or all read; only one's own messages."""

import pytest

from dblood.notifications.models import Notification
from dblood.notifications.services import notification_send


def _send(user, n: int = 1):
    for i in range(n):
        notification_send(user=user, kind="generic", key=f"test:{i}", title=f"Hello {i}", body="Body")


@pytest.mark.django_db
def test_inbox_lists_own_messages_newest_first(api, donor, other_donor):
    _send(donor, 3)
    _send(other_donor, 2)
    body = api(donor).get("/api/v1/notifications").json()
    assert body["count"] == 3
    assert [item["title"] for item in body["results"]] == ["Hello 2", "Hello 1", "Hello 0"]
    assert body["results"][0]["read"] is False


@pytest.mark.django_db
def test_unread_count_and_mark_read(api, donor):
    _send(donor, 3)
    client = api(donor)
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 3}
    first = Notification.objects.filter(user=donor).first()
    response = client.post(f"/api/v1/notifications/{first.pk}/read")
    assert response.status_code == 200
    assert response.json()["read"] is True
    read_at = response.json()["read_at"]
    # A second click keeps the first read time.
    assert client.post(f"/api/v1/notifications/{first.pk}/read").json()["read_at"] == read_at
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 2}
    assert client.get("/api/v1/notifications?unread=true").json()["count"] == 2
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 0}


@pytest.mark.django_db
def test_someone_elses_message_is_not_found(api, donor, other_donor):
    _send(other_donor)
    theirs = Notification.objects.get(user=other_donor)
    assert api(donor).post(f"/api/v1/notifications/{theirs.pk}/read").status_code == 404
    assert api(donor).get(f"/api/v1/notifications/{theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_inbox_needs_a_login(api):
    assert api().get("/api/v1/notifications").status_code == 401


@pytest.mark.django_db
def test_send_is_idempotent_per_event(donor):
    assert notification_send(user=donor, kind="generic", key="k", title="t", body="b") is not None
    assert notification_send(user=donor, kind="generic", key="k", title="t", body="b") is None
    assert Notification.objects.filter(user=donor).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 10])
def test_inbox_query_count_does_not_grow(api, donor, django_assert_num_queries, rows):
    _send(donor, rows)
    client = api(donor)
    # token lookup + token touch + count + page
    with django_assert_num_queries(4):
        assert client.get("/api/v1/notifications").status_code == 200


@pytest.mark.django_db
def test_the_inbox_reads_in_its_readers_language_whatever_the_message_was_sent_in(api, donor):
    """Sent to a donor whose account said English; read on an Indonesian page, it is Indonesian, its
    day written the Indonesian way. A message kept from before every language was stored reads as
    it was written."""
    from dblood.notifications.messages import notify

    donor.language = "en"
    donor.save()
    notify(user=donor, kind=Notification.Kind.DRIVE_CANCELLED, key="d:1", drive="Donor Kampus", date="2026-12-01")
    Notification.objects.create(user=donor, kind="generic", dedupe_key="old", title="Old title", body="Old body")
    client = api(donor)
    indonesian = client.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="id").json()["results"]
    english = client.get("/api/v1/notifications", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert indonesian[1]["title"] == "Kegiatan donor darah dibatalkan", indonesian[1]
    assert "1 Des. 2026" in indonesian[1]["body"] and "2026-12-01" not in indonesian[1]["body"]
    assert english[1]["title"] == "Donation drive cancelled" and "Dec. 1, 2026" in english[1]["body"]
    assert indonesian[0]["title"] == english[0]["title"] == "Old title"
    # The e-mail keeps the recipient's own language.
    assert Notification.objects.get(dedupe_key="d:1").title == "Donation drive cancelled"


@pytest.mark.django_db
def test_a_label_among_the_placeholders_is_written_in_each_language(donor):
    """A component's name (a lazy label) reads in the language each text is written in."""
    from dblood.core.blood import Component
    from dblood.notifications.messages import notify

    params = {"date": "2026-12-01", "component": Component.PRC.label, "hospital": "RS H"}
    sent = notify(user=donor, kind=Notification.Kind.UNIT_ISSUED, key="u:1", **params)
    assert "Sel darah merah pekat" in sent.texts["id"]["body"]
    assert "Packed red cells" in sent.texts["en"]["body"]
