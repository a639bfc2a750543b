import pytest

from dblood.drives.tests.factories import make_drive


@pytest.mark.parametrize(
    "url",
    [
        "/admin/donors/eligibilityprofile/",
        "/admin/donors/eligibilityprofile/add/",
        "/admin/donors/deferralreason/",
        "/admin/donors/donor/",
        "/admin/donors/deferral/",
        "/admin/drives/drive/",
        "/admin/drives/appointment/",
        "/admin/drives/questionnaire/",
    ],
)
def test_admin_pages_render(client, admin_user, bank_a, url):
    make_drive(bank_a)
    client.force_login(admin_user)
    assert client.get(url).status_code == 200


def test_profile_and_drive_change_pages(client, admin_user, bank_a):
    from dblood.donors.models import EligibilityProfile

    profile = EligibilityProfile.objects.get(code="pmi")
    client.force_login(admin_user)
    assert client.get(f"/admin/donors/eligibilityprofile/{profile.pk}/change/").status_code == 200
    drive = make_drive(bank_a)
    assert client.get(f"/admin/drives/drive/{drive.pk}/change/").status_code == 200
