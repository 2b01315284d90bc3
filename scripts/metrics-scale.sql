-- Seeds a database (all migrations applied, nothing else in it) with a fleet the size issue 16
-- asks the scrape to stay cheap at: 1,250 hosts with enrolled agents, 10,000 H100s, 200 tenants,
-- 30,000 active leases (three 2g.20gb per GPU, a third of them busy) and 300,000 ended leases
-- with released slices spread over the last 90 days. Then serve it and time `/metrics`:
--   psql "$DB" -f scripts/metrics-scale.sql
--   SLICEBROKER_DATABASE_URL=$DB SLICEBROKER_LIFECYCLE_JOBS=false slicebroker-server serve
--   curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:8080/metrics
\set ON_ERROR_STOP on
BEGIN;
INSERT INTO tenants (id, name, display_name, max_live_compute_slices, monthly_budget_slice_hours)
SELECT gen_random_uuid(), 'tenant-' || i, 'Tenant ' || i, 1000, 100000
FROM generate_series(1, 200) i;
INSERT INTO hosts (id, name, desired_generation, agent_enrolled_at, desired_changed_at)
SELECT gen_random_uuid(), 'gpu-node-' || i, 10, now() - interval '30 days', now() - interval '1 minute'
FROM generate_series(1, 1250) i;
INSERT INTO host_heartbeats (host_id, observed_generation, last_report_at, last_seen_at)
SELECT id, 10, now() - interval '3 seconds', now() - interval '3 seconds' FROM hosts;
INSERT INTO gpus (id, host_id, uuid, device_index, model)
SELECT gen_random_uuid(), h.id, 'GPU-' || h.name || '-' || d, d, 'h100-80gb'
FROM hosts h, generate_series(0, 7) d;
CREATE TEMP TABLE t_ids AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM tenants;
CREATE TEMP TABLE live AS
SELECT gen_random_uuid() AS lease_id, gen_random_uuid() AS slice_id, g.id AS gpu_id, p.start,
       (SELECT id FROM t_ids WHERE n = 1 + (abs(hashtext(g.id::text || p.start)) % 200)) AS tenant_id,
       now() - interval '2 hours' AS granted_at, (random() < 0.33) AS busy
FROM gpus g, (VALUES (0), (2), (4)) p(start);
INSERT INTO leases (id, tenant_id, state, request, slice_count, duration_seconds,
                    idle_timeout_seconds, granted_at, activated_at, ends_at)
SELECT lease_id, tenant_id, 'active', '2g.20gb', 1, 28800, 7200, granted_at, granted_at,
       granted_at + interval '8 hours' FROM live;
INSERT INTO slices (id, lease_id, gpu_id, profile, start, size, compute_slices, memory_gib,
                    tenant_id, during, processes, memory_used_mib, observed_at, last_active_at)
SELECT slice_id, lease_id, gpu_id, '2g.20gb', start, 2, 2, 20, tenant_id,
       tstzrange(granted_at, granted_at + interval '8 hours'),
       CASE WHEN busy THEN '[{"pid": 1, "uid": 1000, "command": "python", "memory_mib": 900}]'::jsonb
            ELSE '[]'::jsonb END,
       CASE WHEN busy THEN 1000 ELSE 0 END, now() - interval '5 seconds',
       CASE WHEN busy THEN now() - interval '5 seconds' ELSE now() - interval '1 hour' END
FROM live;
CREATE TEMP TABLE past AS
SELECT gen_random_uuid() AS lease_id, g.gpu_id, g.tenant_id,
       now() - ((g.k * 10 + i) % 90) * interval '1 day' - interval '10 hours' AS granted_at
FROM (SELECT row_number() OVER () AS k, gpu_id, tenant_id FROM live) g,
     generate_series(1, 10) i;
INSERT INTO leases (id, tenant_id, state, end_reason, request, slice_count, duration_seconds,
                    idle_timeout_seconds, granted_at, activated_at, ends_at, ended_at)
SELECT lease_id, tenant_id, 'ended', 'released', '2g.20gb', 1, 3600, 7200, granted_at,
       granted_at, granted_at + interval '1 hour', granted_at + interval '1 hour' FROM past;
INSERT INTO slices (id, lease_id, gpu_id, profile, start, size, compute_slices, memory_gib,
                    tenant_id, during, released_at, created_at)
SELECT gen_random_uuid(), lease_id, gpu_id, '2g.20gb', 6, 2, 2, 20, tenant_id,
       tstzrange(granted_at, granted_at + interval '1 hour', '[]'), granted_at + interval '1 hour',
       granted_at
FROM past;
COMMIT;
ANALYZE;
