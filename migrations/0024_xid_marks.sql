-- XIDs are recorded once each. An agent numbers the XIDs of each GPU (XidEvent.seq: one more
-- per XID within a run of the agent, a later run higher) and sends each again until a report
-- carrying it is accepted, so a report lost in transit, refused or stale loses none; a report
-- recorded but whose answer was lost would give its XIDs twice. Per GPU, the highest number
-- recorded: a report's XIDs numbered at or below it are not recorded again (nor counted, nor
-- turned into instance_error events), and of its `xids_dropped` only those numbered above it
-- are counted (the dropped ones are numbered just before its first XID). XIDs without a number
-- (agents before this migration) are recorded as sent.
--
-- Written by the observed-report transaction, after the report's GPU rows and before any lease
-- row, and locked in GPU id order (store::health::lock_xid_marks), like gpu_health: only
-- reports write it, so it adds nothing to the lock order of grants and releases.
CREATE TABLE gpu_xid_marks (
    gpu_id uuid PRIMARY KEY REFERENCES gpus (id),
    seq bigint NOT NULL,
    -- -1: none recorded yet (the row exists so that it can be locked).
    CONSTRAINT gpu_xid_marks_seq_bounded CHECK (seq >= -1)
);
