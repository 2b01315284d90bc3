-- A host can be removed (DELETE /v1/hosts/{id}) once nothing lives on it: it stays for the
-- history of the leases it served (usage counts from their slices), but it is listed and
-- placed on no more and its agent credential stops working. An agent that enrolls again under
-- the same name brings it back.
ALTER TABLE hosts ADD COLUMN removed_at timestamptz;
CREATE INDEX hosts_present ON hosts (name) WHERE removed_at IS NULL;
