"""Starting a call-out costs a few queries, and its answer matches what a read returns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

# The request, its lock, "one running already?", the INSERT (the caller's token and memberships
# come from the token cache once the client has made a first request).
CALL_OUT_START_QUERIES = 4


@pytest.mark.django_db
def test_call_out_start_queries_and_answer(api, make_request, staff_a):
    blood_request = make_request(units=2)
    client = api(staff_a)
    client.get("/api/v1/me")  # warms the token cache (and its once-a-minute last_used_at write)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(f"/api/v1/requests/{blood_request.pk}/call-outs", {}, format="json")
    assert response.status_code == 201, response.content
    assert len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]) == CALL_OUT_START_QUERIES
    body = response.json()
    assert body["counts"] == {"asked": 0, "coming": 0, "cant": 0} and body["responders"] == []
    assert client.get(f"/api/v1/call-outs/{body['id']}").json() == body
