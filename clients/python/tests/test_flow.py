"""The whole lease flow through the generated client and its helper, against a live server
with simulated GPU hosts (scripts/test-clients.sh starts one and sets SB_URL, SB_ADMIN_KEY)."""

import csv
import datetime as dt
import io
import os
import uuid

import pytest

from slicebroker import NotFound, QuotaExceeded, Session
from slicebroker_client.api.api_keys import api_key_create
from slicebroker_client.api.fleet import capacity_show
from slicebroker_client.api.leases import (
    lease_create,
    lease_events,
    lease_extend,
    lease_release,
    lease_show,
)
from slicebroker_client.api.tenants import tenant_create
from slicebroker_client.api.usage import usage_show
from slicebroker_client.models import (
    ApiKeyCreate,
    LeaseCreate,
    LeaseExtend,
    LeaseState,
    TenantRole,
    TenantCreate,
    TenantPolicyPatch,
    UsageShowFormat,
)

URL = os.environ.get("SB_URL")
pytestmark = pytest.mark.skipif(not URL, reason="needs a live server: scripts/test-clients.sh")


@pytest.fixture(scope="module")
def member() -> Session:
    """A member of a new tenant that may hold one live lease."""
    admin = Session(URL, os.environ["SB_ADMIN_KEY"])
    tenant = admin.call(
        tenant_create.sync_detailed,
        body=TenantCreate(
            name=f"py-{uuid.uuid4().hex[:8]}",
            policy=TenantPolicyPatch(max_live_leases=1),
        ),
    )
    assert tenant.policy.max_live_leases == 1
    # Left out of the patch: the documented default.
    assert tenant.policy.max_lease_seconds == 604800
    key = admin.call(
        api_key_create.sync_detailed,
        id=tenant.id,
        body=ApiKeyCreate(name="portal", role=TenantRole.MEMBER),
    )
    return Session(URL, key.secret)


def test_a_lease_goes_from_request_to_release_through_the_generated_client(member: Session):
    token = member.client().token
    assert token and member.client().token == token  # reused until near expiry

    capacity = member.call(capacity_show.sync_detailed)
    assert any(c.profile == "1g.10gb" and c.available > 0 for c in capacity)

    key = f"job-{uuid.uuid4()}"
    request = LeaseCreate(profile="1g.10gb", duration="2h")
    created = member.call_detailed(lease_create.sync_detailed, body=request, idempotency_key=key)
    assert created.status_code == 201
    lease = created.parsed
    assert lease.state == LeaseState.PROVISIONING

    replay = member.call_detailed(lease_create.sync_detailed, body=request, idempotency_key=key)
    assert replay.status_code == 200
    assert replay.parsed.id == lease.id

    active = member.wait_until_active(lease.id, timeout=120)
    assert active.state == LeaseState.ACTIVE
    assert active.ends_at is not None and active.ends_at.tzinfo is not None
    cuda = active.slices[0].cuda_visible_devices
    assert cuda and cuda.startswith("MIG-")

    # The tenant may hold one live lease: a second is refused by quota, as a typed error.
    with pytest.raises(QuotaExceeded) as refused:
        member.call(
            lease_create.sync_detailed,
            body=LeaseCreate(profile="1g.10gb", duration="1h"),
            idempotency_key=f"job-{uuid.uuid4()}",
        )
    assert refused.value.code == "quota_exceeded" and refused.value.status == 422

    extended = member.call(lease_extend.sync_detailed, id=lease.id, body=LeaseExtend(by="1h"))
    assert extended.ends_at > active.ends_at
    assert extended.extended_seconds == 3600

    events = member.call(lease_events.sync_detailed, id=lease.id)
    kinds = [e.kind for e in events]
    assert kinds[:3] == ["granted", "activated", "extended"], kinds
    granted, _, ext = events[:3]
    assert granted.detail.placements[0].profile == "1g.10gb"
    assert ext.detail.by_seconds == 3600

    released = member.call(lease_release.sync_detailed, id=lease.id)
    assert released.state in (LeaseState.RELEASING, LeaseState.ENDED)

    now = dt.datetime.now(dt.timezone.utc)
    rows = member.call(
        usage_show.sync_detailed,
        from_=now - dt.timedelta(days=1),
        to=now + dt.timedelta(hours=1),
    )
    assert [r.profile for r in rows] == ["1g.10gb"]
    assert rows[0].slice_hours >= 0

    # The same report as CSV (text/csv), which the generated parser would read as JSON.
    report = member.usage_csv(now - dt.timedelta(days=1), now + dt.timedelta(hours=1))
    header, *lines = list(csv.reader(io.StringIO(report)))
    assert header == [
        "day", "tenant_id", "tenant", "model", "profile",
        "slice_hours", "compute_slice_hours", "idle_held_slice_hours", "cost",
    ]
    assert [line[4] for line in lines] == ["1g.10gb"]
    assert lines[0][1] == str(rows[0].tenant_id)
    detailed = member.call_detailed(
        usage_show.sync_detailed,
        from_=now - dt.timedelta(days=1),
        to=now + dt.timedelta(hours=1),
        format_=UsageShowFormat.CSV,
    )
    assert detailed.status_code == 200
    assert detailed.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(detailed.parsed)))[0] == header


def test_a_problem_is_raised_as_its_code(member: Session):
    with pytest.raises(NotFound) as missing:
        member.call(lease_show.sync_detailed, id=uuid.uuid4())
    assert missing.value.code == "not_found"


def test_a_token_is_renewed_before_it_expires():
    # A margin longer than a token lives: every use counts as "about to expire".
    s = Session(URL, os.environ["SB_ADMIN_KEY"], refresh_margin=10**9)
    first = s.client()
    second = s.client()
    assert first is not second
    assert s.call(capacity_show.sync_detailed) is not None
    # With the default margin the token is kept.
    kept = Session(URL, os.environ["SB_ADMIN_KEY"])
    assert kept.client() is kept.client()
