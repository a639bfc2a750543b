"""The contact relay's pages, the api faked at the HTTP layer: a donor opens the conversation from
their call-out, staff from the request's responders; messages, refusals and blocking, in both languages."""

from test_staff_pages import staff  # noqa: F401 - fixtures

THREAD = {
    "id": 4,
    "call_out": 2,
    "request": 9,
    "collection_site": {"id": 1, "code": "udd-jkt", "name": "UDD Jakarta", "city": "Jakarta"},
    "donor_name": "Ani Lestari",
    "answer": "coming",
    "blocked": False,
    "created_at": "2036-01-01T01:00:00Z",
    "last_message_at": "2036-01-01T02:00:00Z",
    "messages": [
        {
            "id": 1,
            "side": "staff",
            "sender_name": "UDD Jakarta",
            "mine": False,
            "body": "Gate B, please",
            "created_at": "2036-01-01T01:30:00Z",
        },
        {
            "id": 2,
            "side": "donor",
            "sender_name": "Ani",
            "mine": True,
            "body": "OK",
            "created_at": "2036-01-01T02:00:00Z",
        },
    ],
}
CALL_OUT = {
    "id": 2,
    "collection_site": {"id": 1, "name": "UDD Jakarta", "address": "Jl. Kramat", "city": "Jakarta", "phone": ""},
    "blood_group": "O-",
    "donation_type": "whole_blood",
    "come_by": "2036-01-01T10:00:00Z",
    "status": "open",
    "my_answer": "coming",
    "my_response": 17,
}


def test_a_donor_opens_the_conversation_from_the_call_out_and_writes(signed_in, fake_api):
    fake_api.on("GET", "call-outs", body={"count": 1, "results": [CALL_OUT]})
    html = signed_in.get("/me/call-outs/").content.decode()
    assert 'action="/call-out-answers/17/messages/"' in html
    fake_api.on("POST", "relay/threads", status=201, body=THREAD)
    opened = signed_in.post("/call-out-answers/17/messages/")
    assert opened.status_code == 302 and opened.url == "/messages/4/"
    assert fake_api.last_json("POST", "relay/threads") == {"response": 17}

    fake_api.on("GET", "relay/threads/4", body=THREAD)
    page = signed_in.get("/messages/4/").content.decode()
    assert "Gate B, please" in page and "UDD Jakarta" in page and "Block messages from staff" in page
    fake_api.on("POST", "relay/threads/4/messages", status=201, body=THREAD)
    sent = signed_in.post("/messages/4/", {"body": "On my way"})
    assert sent.status_code == 302
    assert fake_api.last_json("POST", "relay/threads/4/messages") == {"body": "On my way"}


def test_an_empty_message_is_refused_by_the_form_and_the_apis_refusal_shown(signed_in, fake_api):
    fake_api.on("GET", "relay/threads/4", body=THREAD)
    html = signed_in.post("/messages/4/", {"body": ""}).content.decode()
    assert not [r for r in fake_api.requests if r.method == "POST" and "relay" in r.url.path]
    assert "This field is required." in html
    refusal = {"status": 409, "code": "relay_blocked", "detail": "The donor does not accept messages.", "fields": {}}
    fake_api.on("POST", "relay/threads/4/messages", status=409, body=refusal)
    html = signed_in.post("/messages/4/", {"body": "hello"}).content.decode()
    assert "The donor does not accept messages." in html


def test_the_donor_blocks_and_the_page_says_so_in_indonesian(signed_in, fake_api):
    signed_in.post("/language/", {"language": "id", "next": "/"})
    fake_api.on("POST", "relay/threads/4/block", body={**THREAD, "blocked": True})
    fake_api.on("GET", "relay/threads/4", body={**THREAD, "blocked": True})
    response = signed_in.post("/messages/4/block/", {"blocked": "yes"}, follow=True)
    html = response.content.decode()
    assert "UDD tidak dapat lagi mengirim pesan kepada Anda di sini." in html
    assert "Terima pesan lagi" in html and "Pesan tentang panggilan darurat" in html


def test_staff_write_from_the_requests_responders_and_see_a_block(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "relay/threads/4", body={**THREAD, "blocked": True})
    html = staff.get("/messages/4/").content.decode()
    assert "Ani Lestari" in html
    assert "The donor does not accept messages in this conversation." in html
    assert 'name="body"' not in html and "Block messages" not in html
    assert staff.post("/messages/4/block/", {"blocked": "yes"}).status_code == 403
