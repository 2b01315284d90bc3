"""The helper without a server: every code the API documents has its typed error, and
`Session.call_detailed` hands back what the generated parsers cannot read (a CSV report, an
error page that is not problem+json) instead of failing in them."""

import datetime as dt
import importlib
import inspect
import json
import pathlib
import pkgutil

import httpx
import pytest

import slicebroker
from slicebroker import (
    Conflict,
    InvalidInput,
    MethodNotAllowed,
    NotFound,
    Problem,
    RateLimited,
    Session,
    Unavailable,
    problem_from,
)
from slicebroker_client import AuthenticatedClient
from slicebroker_client.api.leases import lease_extend
from slicebroker_client.api.usage import usage_show
from slicebroker_client.models import LeaseExtend, UsageShowFormat

DOCUMENT = pathlib.Path(__file__).resolve().parents[3] / "openapi" / "slicebroker.json"
CSV = "day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,idle_held_slice_hours,cost\r\n"


def _schemas() -> dict:
    return json.loads(DOCUMENT.read_text())["components"]["schemas"]


def _documented_statuses() -> dict[str, int]:
    """Each code's status, from the table in `ProblemCode`'s description."""
    statuses = {}
    for line in _schemas()["ProblemCode"]["description"].splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`") and cells[1].isdigit():
            statuses[cells[0].strip("`")] = int(cells[1])
    return statuses


def test_every_code_the_server_documents_has_a_typed_error():
    known = _schemas()["KnownProblemCode"]["enum"]
    assert known, "KnownProblemCode has no codes"
    missing = [code for code in known if code not in slicebroker._BY_CODE]
    assert not missing, f"codes in openapi/slicebroker.json missing from _BY_CODE: {missing}"
    for code in known:
        kind = slicebroker._BY_CODE[code]
        assert issubclass(kind, Problem) and kind is not Problem, code
        assert kind.__name__ in slicebroker.__all__, kind


def test_each_code_maps_to_the_error_of_its_status():
    statuses = _documented_statuses()
    assert set(statuses) == set(_schemas()["KnownProblemCode"]["enum"])
    by_status = {
        400: {InvalidInput},
        401: {slicebroker.Unauthenticated},
        403: {slicebroker.Forbidden},
        404: {NotFound},
        405: {MethodNotAllowed},
        409: {Conflict},
        413: {InvalidInput},
        415: {InvalidInput},
        422: {slicebroker.PolicyViolation, slicebroker.QuotaExceeded, slicebroker.BudgetExceeded},
        429: {RateLimited},
        500: {Unavailable},
        503: {slicebroker.NoCapacity, Unavailable},
    }
    for code, status in statuses.items():
        assert slicebroker._BY_CODE[code] in by_status[status], f"{code} ({status})"


def _problem(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {"type": f"https://slicebroker.dev/problems/{code}", "title": "", "status": status,
            "detail": f"a {code}", "code": code}
    return httpx.Response(status, json=body,
                          headers={"content-type": "application/problem+json", **(headers or {})})


def test_a_refused_extension_into_a_booking_is_a_conflict():
    e = problem_from(_problem(409, "booked_after"))
    assert isinstance(e, Conflict) and e.code == "booked_after" and e.status == 409


def test_a_rate_limited_answer_says_when_to_retry():
    e = problem_from(_problem(429, "rate_limited", {"Retry-After": "7"}))
    assert isinstance(e, RateLimited) and e.retry_after == 7.0
    assert problem_from(_problem(429, "rate_limited")).retry_after is None
    later = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=120)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )
    assert 100 < problem_from(_problem(429, "rate_limited", {"Retry-After": later})).retry_after <= 120
    in_progress = problem_from(_problem(409, "idempotency_key_in_progress", {"Retry-After": "1"}))
    assert isinstance(in_progress, Conflict) and in_progress.retry_after == 1.0


def test_transport_refusals_are_typed():
    e = problem_from(_problem(405, "method_not_allowed", {"Allow": "GET,HEAD"}))
    assert isinstance(e, MethodNotAllowed) and e.allow == ["GET", "HEAD"]
    assert isinstance(problem_from(_problem(413, "payload_too_large")), InvalidInput)
    assert isinstance(problem_from(_problem(415, "unsupported_media_type")), InvalidInput)
    # A code added after this client, and a body that is not a problem: a plain Problem.
    assert type(problem_from(_problem(418, "something_new"))) is Problem
    page = problem_from(httpx.Response(502, text="<html>bad gateway</html>"))
    assert type(page) is Problem and page.code == "unknown" and "bad gateway" in page.detail


def test_every_generated_operation_is_sent_by_the_session():
    """`Session` builds a generated operation's request with its module's `_get_kwargs` and
    parses with its `_build_response`: a generator that renames them must fail here."""
    import slicebroker_client.api as api

    seen = 0
    for info in pkgutil.walk_packages(api.__path__, api.__name__ + "."):
        module = importlib.import_module(info.name)
        if not hasattr(module, "sync_detailed"):
            continue
        parts = slicebroker._generated(module.sync_detailed)
        assert parts is not None, info.name
        get_kwargs, _ = parts
        wanted = [p for p in inspect.signature(module.sync_detailed).parameters if p != "client"]
        assert list(inspect.signature(get_kwargs).parameters) == wanted, info.name
        seen += 1
    assert seen > 0
    assert slicebroker._generated(lambda **_: None) is None


def _session(handler, monkeypatch) -> tuple[Session, list[httpx.Request]]:
    """A session whose requests go to `handler`, with a token that does not expire."""
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    s = Session("http://sb.test", "sbk_test")

    def refresh() -> AuthenticatedClient:
        s._expires_at = float("inf")
        s._client = AuthenticatedClient(
            base_url="http://sb.test", token=f"t{len(sent)}",
            httpx_args={"transport": httpx.MockTransport(record)},
        )
        return s._client

    monkeypatch.setattr(s, "_refresh", refresh)
    return s, sent


NOW = dt.datetime(2026, 1, 2, tzinfo=dt.timezone.utc)


def test_the_usage_report_as_csv_is_text(monkeypatch):
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v1/usage"
        assert request.url.params["format"] == "csv"
        return httpx.Response(200, text=CSV, headers={"content-type": "text/csv; charset=utf-8"})

    s, sent = _session(handler, monkeypatch)
    r = s.call_detailed(usage_show.sync_detailed, from_=NOW - dt.timedelta(days=1), to=NOW,
                        format_=UsageShowFormat.CSV)
    assert r.status_code == 200 and r.parsed == CSV
    assert s.usage_csv(NOW - dt.timedelta(days=1), NOW) == CSV
    assert sent[-1].url.params["from"] == "2026-01-01T00:00:00+00:00"
    assert "tenant_id" not in sent[-1].url.params


def test_json_answers_are_still_parsed_by_the_generated_client(monkeypatch):
    row = {"day": "2026-01-01", "tenant_id": "01a20e5e-1310-7230-917f-a3ea9c2e7ace",
           "tenant": "demo", "model": "h100-80gb", "profile": "1g.10gb", "slice_hours": 1.5,
           "compute_slice_hours": 1.5, "idle_held_slice_hours": 0.0, "cost": None}
    s, _ = _session(lambda _: httpx.Response(200, json=[row]), monkeypatch)
    rows = s.call(usage_show.sync_detailed, from_=NOW - dt.timedelta(days=1), to=NOW)
    assert [(r.profile, r.slice_hours) for r in rows] == [("1g.10gb", 1.5)]


def test_an_error_is_raised_typed_whatever_its_body(monkeypatch):
    answers = iter([
        _problem(409, "booked_after"),
        httpx.Response(503, text="<html>upstream down</html>", headers={"content-type": "text/html"}),
        _problem(429, "rate_limited", {"Retry-After": "3"}),
    ])
    s, _ = _session(lambda _: next(answers), monkeypatch)
    lease = "01a20e5e-1310-7230-917f-a3ea9c2e7ace"
    with pytest.raises(Conflict) as booked:
        s.call(lease_extend.sync_detailed, id=lease, body=LeaseExtend(by="1h"))
    assert booked.value.code == "booked_after"
    # Was a JSONDecodeError from the generated parser, which reads every 503 as JSON.
    with pytest.raises(Problem) as down:
        s.call(usage_show.sync_detailed, from_=NOW - dt.timedelta(days=1), to=NOW)
    assert down.value.status == 503 and "upstream down" in down.value.detail
    with pytest.raises(RateLimited) as limited:
        s.call(usage_show.sync_detailed, from_=NOW - dt.timedelta(days=1), to=NOW)
    assert limited.value.retry_after == 3.0


def test_a_401_renews_the_token_once(monkeypatch):
    answers = iter([_problem(401, "unauthenticated"), httpx.Response(200, json=[])])
    s, sent = _session(lambda _: next(answers), monkeypatch)
    assert s.call(usage_show.sync_detailed, from_=NOW - dt.timedelta(days=1), to=NOW) == []
    assert len(sent) == 2
    assert sent[0].headers["authorization"] != sent[1].headers["authorization"]
