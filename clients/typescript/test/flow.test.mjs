// The whole lease flow through the generated types, openapi-fetch and the session helper,
// against a live server with simulated GPU hosts (scripts/test-clients.sh starts one and sets
// SB_URL and SB_ADMIN_KEY).

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createSession, NotFound, QuotaExceeded } from "../dist/index.js";

const URL = process.env.SB_URL;

test("a lease goes from request to release through the typed client", { skip: !URL && "needs SB_URL" }, async () => {
  const admin = createSession({ baseUrl: URL, apiKey: process.env.SB_ADMIN_KEY });
  const { data: tenant, status } = await admin.unwrap(
    admin.api.POST("/v1/tenants", {
      body: { name: `ts-${randomUUID().slice(0, 8)}`, policy: { max_live_leases: 1 } },
    }),
  );
  assert.equal(status, 201);
  assert.equal(tenant.policy.max_lease_seconds, 604800);
  const { data: key } = await admin.unwrap(
    admin.api.POST("/v1/tenants/{id}/api-keys", {
      params: { path: { id: tenant.id } },
      body: { name: "portal", role: "member" },
    }),
  );

  const s = createSession({ baseUrl: URL, apiKey: key.secret });
  const token = await s.token();
  assert.equal(await s.token(), token, "a token is reused until near its expiry");

  const { data: capacity } = await s.unwrap(s.api.GET("/v1/capacity"));
  assert.ok(capacity.some((c) => c.profile === "1g.10gb" && c.available > 0));

  const idem = `job-${randomUUID()}`;
  const body = { profile: "1g.10gb", duration: "2h" };
  const create = () =>
    s.unwrap(s.api.POST("/v1/leases", { body, params: { header: { "Idempotency-Key": idem } } }));
  const first = await create();
  assert.equal(first.status, 201);
  assert.equal(first.data.state, "provisioning");
  const replay = await create();
  assert.equal(replay.status, 200);
  assert.equal(replay.data.id, first.data.id);

  const active = await s.waitUntilActive(first.data.id, { timeoutMs: 120_000 });
  assert.equal(active.state, "active");
  assert.match(active.slices[0].cuda_visible_devices ?? "", /^MIG-/);

  await assert.rejects(
    s.unwrap(
      s.api.POST("/v1/leases", {
        body: { profile: "1g.10gb", duration: "1h" },
        params: { header: { "Idempotency-Key": `job-${randomUUID()}` } },
      }),
    ),
    (e) => e instanceof QuotaExceeded && e.code === "quota_exceeded" && e.status === 422,
  );

  const { data: extended } = await s.unwrap(
    s.api.POST("/v1/leases/{id}/extend", { params: { path: { id: active.id } }, body: { by: "1h" } }),
  );
  assert.ok(Date.parse(extended.ends_at) > Date.parse(active.ends_at));

  const { data: events } = await s.unwrap(
    s.api.GET("/v1/leases/{id}/events", { params: { path: { id: active.id } } }),
  );
  assert.deepEqual(events.slice(0, 3).map((e) => e.kind), ["granted", "activated", "extended"]);
  const granted = events[0];
  assert.equal(granted.kind === "granted" && granted.detail.placements[0].profile, "1g.10gb");

  const { data: released } = await s.unwrap(
    s.api.POST("/v1/leases/{id}/release", { params: { path: { id: active.id } } }),
  );
  assert.ok(["releasing", "ended"].includes(released.state));

  // Timezone-aware bounds: an offset other than UTC means the same instants.
  const now = new Date();
  const from = new Date(now.getTime() - 86_400_000).toISOString().replace("Z", "+00:00");
  const to = new Date(now.getTime() + 3_600_000).toISOString();
  const { data: rows } = await s.unwrap(s.api.GET("/v1/usage", { params: { query: { from, to } } }));
  assert.deepEqual(rows.map((r) => r.profile), ["1g.10gb"]);

  await assert.rejects(
    s.unwrap(s.api.GET("/v1/leases/{id}", { params: { path: { id: randomUUID() } } })),
    (e) => e instanceof NotFound && e.code === "not_found",
  );
});

test("a token is renewed before it expires", { skip: !URL && "needs SB_URL" }, async () => {
  let exchanges = 0;
  const counting = (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    if (url.endsWith("/v1/auth/token")) exchanges += 1;
    return fetch(input, init);
  };
  // A margin longer than a token lives: every request counts as "about to expire".
  const eager = createSession({ baseUrl: URL, apiKey: process.env.SB_ADMIN_KEY, refreshMarginSeconds: 1e9, fetch: counting });
  await eager.unwrap(eager.api.GET("/v1/capacity"));
  await eager.unwrap(eager.api.GET("/v1/capacity"));
  assert.equal(exchanges, 2);
  exchanges = 0;
  const kept = createSession({ baseUrl: URL, apiKey: process.env.SB_ADMIN_KEY, fetch: counting });
  await kept.unwrap(kept.api.GET("/v1/capacity"));
  await kept.unwrap(kept.api.GET("/v1/capacity"));
  assert.equal(exchanges, 1);
});
