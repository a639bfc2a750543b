"""Sign up, log in and out, session expiry, password reset: api answers shown in the right place."""

from webfakes import USER

ERROR_400 = {"status": 400, "code": "invalid", "detail": "Invalid input."}


def test_signup_says_check_your_email_whatever_the_api_knows(client, fake_api):
    fake_api.on("POST", "auth/register", status=202, body={"detail": "Check your email to finish signing up."})
    response = client.post(
        "/signup/",
        {"full_name": "Ani Lestari", "email": "ani@example.org", "password": "pw-long-enough", "language": "en"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Check your email</h1>" in html
    assert "We have sent a message to ani@example.org." in html
    assert "pw-long-enough" not in html
    assert fake_api.last_json("POST", "auth/register") == {
        "email": "ani@example.org",
        "password": "pw-long-enough",
        "full_name": "Ani Lestari",
        "language": "en",
    }
    assert client.get("/account/").status_code == 302  # not signed in before the link is opened


def test_the_emailed_link_shows_a_button_and_only_its_press_signs_the_donor_in(client, fake_api):
    fake_api.on("POST", "auth/register/confirm", status=201, body={"token": "t1", "expires_at": "x", "user": USER})
    page = client.get("/signup/confirm/WzEsImFiYyJd:1kX:sig/")
    assert page.status_code == 200
    assert "Open my account" in page.content.decode()
    assert not [r for r in fake_api.requests if r.url.path.endswith("auth/register/confirm")]  # a GET uses nothing up

    response = client.post("/signup/confirm/WzEsImFiYyJd:1kX:sig/")
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    assert fake_api.last_json("POST", "auth/register/confirm") == {"token": "WzEsImFiYyJd:1kX:sig"}
    assert response.cookies["dblood_language"].value == "en"
    fake_api.on("GET", "me", body=USER)
    page = client.get("/account/")
    assert "ani@example.org" in page.content.decode()
    assert fake_api.last("GET", "me").headers["Authorization"] == "Bearer t1"


def test_a_dead_link_says_so_and_offers_to_sign_up_again(client, fake_api):
    fake_api.on(
        "POST",
        "auth/register/confirm",
        status=400,
        body={**ERROR_400, "fields": {"token": ["This sign-up link is invalid or has expired. Sign up again."]}},
    )
    html = client.post("/signup/confirm/used/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'role="alert"' in html
    assert "This sign-up link is invalid or has expired. Sign up again." in html
    assert 'href="/signup/"' in html
    assert client.get("/account/").status_code == 302


def test_signup_shows_api_field_errors_beside_the_field_and_keeps_what_was_typed(client, fake_api):
    fake_api.on(
        "POST",
        "auth/register",
        status=400,
        body={**ERROR_400, "fields": {"email": ["Enter a valid email address."]}},
    )
    response = client.post(
        "/signup/",
        {"full_name": "Ani Lestari", "email": "ani@example.org", "password": "pw-long-enough", "language": "id"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="error" id="id_email_error">Enter a valid email address.</p>' in html
    assert 'value="ani@example.org"' in html
    assert 'value="Ani Lestari"' in html
    assert "pw-long-enough" not in html  # passwords are never echoed back
    assert 'aria-describedby="id_email_error"' in html or 'aria-invalid="true"' in html


def test_login_failure_is_shown_on_top_of_the_form(client, fake_api):
    fake_api.on(
        "POST",
        "auth/login",
        status=400,
        body={**ERROR_400, "fields": {"non_field_errors": ["Unable to log in with this email and password."]}},
    )
    response = client.post("/login/", {"email": "ani@example.org", "password": "wrong-password"})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Unable to log in with this email and password." in html
    assert 'value="ani@example.org"' in html


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(client, fake_api):
    fake_api.on("POST", "auth/login", body={"token": "t", "expires_at": "x", "user": USER})
    form = {"email": "ani@example.org", "password": "pw-long-enough"}
    assert client.post("/login/?next=/me/card/", form)["Location"] == "/me/card/"
    assert client.post("/login/", {**form, "next": "https://evil.example/"})["Location"] == "/home/"


def test_anonymous_visitor_is_sent_to_log_in_and_back(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Faccount%2F"


def test_expired_session_sends_the_user_to_log_in_and_back(signed_in, fake_api):
    fake_api.on("GET", "me", status=401, body={"status": 401, "code": "authentication_failed", "detail": "Expired."})
    response = signed_in.get("/account/?tab=1")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Faccount%2F%3Ftab%3D1"
    follow = signed_in.get(response["Location"])
    assert "Your session has ended" in follow.content.decode()
    assert signed_in.get("/account/").status_code == 302  # the token is gone from the session


def test_logout_revokes_the_token_and_forgets_it(signed_in, fake_api):
    fake_api.on("POST", "auth/logout", status=204)
    response = signed_in.post("/logout/")
    assert response["Location"] == "/"
    assert fake_api.last("POST", "auth/logout").headers["Authorization"] == "Bearer tok-ani"
    assert signed_in.get("/account/").status_code == 302


def test_account_update_shows_field_errors_and_saves_language(signed_in, fake_api):
    fake_api.on(
        "PATCH", "me", status=400, body={**ERROR_400, "fields": {"full_name": ["This field may not be blank."]}}
    )
    html = signed_in.post("/account/", {"full_name": "  x", "language": "id"}).content.decode()
    assert '<p class="error" id="id_full_name_error">This field may not be blank.</p>' in html
    fake_api.on("PATCH", "me", body={**USER, "language": "id"})
    response = signed_in.post("/account/", {"full_name": "Ani L", "language": "id"})
    assert response.status_code == 302
    assert fake_api.last_json("PATCH", "me") == {"full_name": "Ani L", "language": "id"}
    assert response.cookies["dblood_language"].value == "id"


def test_password_reset_request_and_confirm(client, fake_api):
    fake_api.on("POST", "auth/password/reset", status=202)
    assert "Check your email" in client.post("/password-reset/", {"email": "ani@example.org"}).content.decode()
    fake_api.on(
        "POST",
        "auth/password/reset/confirm",
        status=400,
        body={**ERROR_400, "fields": {"new_password": ["This password is too common."]}},
    )
    html = client.post("/password-reset/MQ/abc-123/", {"new_password": "password"}).content.decode()
    assert "This password is too common." in html
    assert fake_api.last_json("POST", "auth/password/reset/confirm") == {
        "uid": "MQ",
        "token": "abc-123",
        "new_password": "password",
    }
    fake_api.on("POST", "auth/password/reset/confirm", status=204)
    assert client.post("/password-reset/MQ/abc-123/", {"new_password": "a-good-one-42"})["Location"] == "/login/"


def test_password_change_error_lands_on_the_old_password_field(signed_in, fake_api):
    fake_api.on("POST", "auth/password/change", status=400, body={**ERROR_400, "fields": {"old_password": ["Wrong."]}})
    html = signed_in.post("/account/password/", {"old_password": "x", "new_password": "y-long-9"}).content.decode()
    assert '<p class="error" id="id_old_password_error">Wrong.</p>' in html
