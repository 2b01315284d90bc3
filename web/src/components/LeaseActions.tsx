// Extend (within policy, the limit shown) and release (after a confirmation naming the lease),
// for one lease; refusals show the problem's detail.
import { useState } from "preact/hooks";
import { api, must, refusalText, type Lease, type Tenant } from "../api/client";
import { ErrorNote } from "./Problem";
import { formatDuration, parseDuration } from "../lib/time";
import { releaseQuestion, shortId } from "../lib/lease";

export function extensionLeft(lease: Lease, tenant?: Tenant): number | undefined {
  if (!tenant) return undefined;
  return Math.max(0, tenant.policy.max_total_extension_seconds - lease.extended_seconds);
}

export function LeaseActions({
  lease,
  tenant,
  onDone,
}: {
  lease: Lease;
  tenant?: Tenant;
  onDone: () => void;
}) {
  const [by, setBy] = useState("1h");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<"extend" | "release" | null>(null);
  const left = extensionLeft(lease, tenant);
  const extendable = lease.state === "provisioning" || lease.state === "active";
  const releasable = lease.state !== "ended" && lease.state !== "releasing";
  const act = async (what: "extend" | "release") => {
    setError(null);
    if (what === "extend") {
      const d = parseDuration(by);
      if ("error" in d) {
        setError(`Extend by: ${d.error}`);
        return;
      }
    } else if (!window.confirm(releaseQuestion(lease))) {
      return;
    }
    setBusy(what);
    try {
      if (what === "extend") {
        await must(api.POST("/v1/leases/{id}/extend", { params: { path: { id: lease.id } }, body: { by: by.trim() } }));
      } else {
        await must(api.POST("/v1/leases/{id}/release", { params: { path: { id: lease.id } } }));
      }
      onDone();
    } catch (e) {
      const verb = what === "extend" ? "Extend" : lease.state === "booked" ? "Cancel" : "Release";
      setError(refusalText(`${verb} refused`, e));
    } finally {
      setBusy(null);
    }
  };
  if (!releasable) return null;
  return (
    <div class="lease-actions">
      {extendable ? (
        <div role="group" class="extend">
          <input
            aria-label={`Extend lease ${shortId(lease.id)} by`}
            value={by}
            size={5}
            onInput={(e) => setBy((e.target as HTMLInputElement).value)}
          />
          <button type="button" class="small" aria-busy={busy === "extend"} onClick={() => act("extend")} data-testid="extend">
            Extend
          </button>
        </div>
      ) : null}
      <button
        type="button"
        class="small secondary"
        aria-busy={busy === "release"}
        onClick={() => act("release")}
        data-testid="release"
      >
        {lease.state === "booked" ? "Cancel booking" : "Release"}
      </button>
      {extendable && left !== undefined ? (
        <small class="limit" data-testid="extension-left">
          up to {formatDuration(left)} more
        </small>
      ) : null}
      <ErrorNote message={error} testid="action-error" />
    </div>
  );
}
