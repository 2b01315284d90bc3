// A thin, hand-written helper over the generated types (schema.d.ts, openapi-typescript) and
// openapi-fetch, for what a generator does not do well: exchanging an API key for a token and
// refreshing it before it expires (and once more on a 401), turning problem+json answers into
// typed errors, and waiting until a lease is active.

import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

export type { components, paths, operations } from "./schema.js";
export type Schemas = components["schemas"];
export type Lease = Schemas["Lease"];
export type LeaseEvent = Schemas["LeaseEvent"];
export type ProblemBody = Schemas["Problem"];
/** The codes this version knows; a `ProblemError` may carry others (the set is open). */
export type KnownProblemCode = Schemas["KnownProblemCode"];

/** An error answer (RFC 9457 problem+json). Switch on `code`; `detail` is for humans. */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field?: string | null;
  readonly body: ProblemBody;
  /** The answer's headers (empty when made without them). */
  readonly headers: Headers;
  constructor(status: number, body: ProblemBody, headers?: Headers) {
    super(`${status} ${body.code}: ${body.detail}`);
    this.name = new.target.name;
    this.status = status;
    this.code = body.code;
    this.detail = body.detail;
    this.field = body.field;
    this.body = body;
    this.headers = headers ?? new Headers();
  }
  /** Seconds to wait before retrying, from `Retry-After` (sent with `rate_limited` and
   * `idempotency_key_in_progress`); undefined without one. */
  get retryAfter(): number | undefined {
    const value = this.headers.get("retry-after")?.trim();
    if (!value) return undefined;
    if (/^\d+$/.test(value)) return Number(value);
    const at = Date.parse(value);
    return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
  }
}
/** 400 `invalid_input`, `malformed_body`; 413 `payload_too_large`; 415 `unsupported_media_type`. */
export class InvalidInput extends ProblemError {}
export class Unauthenticated extends ProblemError {}
export class Forbidden extends ProblemError {}
export class NotFound extends ProblemError {}
/** 405 `method_not_allowed`: `allow` lists the methods the path takes. */
export class MethodNotAllowed extends ProblemError {
  get allow(): string[] {
    return (this.headers.get("allow") ?? "").split(",").map((m) => m.trim()).filter(Boolean);
  }
}
/** 409: `conflict`, `illegal_transition`, `idempotency_key_*`, `already_revoked`, `host_in_use`,
 * `booked_after` (an extension runs into a booking of the lease's slices). */
export class Conflict extends ProblemError {}
export class PolicyViolation extends ProblemError {}
export class QuotaExceeded extends ProblemError {}
export class BudgetExceeded extends ProblemError {}
/** 429 `rate_limited`: retry after `retryAfter` seconds. */
export class RateLimited extends ProblemError {}
export class NoCapacity extends ProblemError {}
export class Unavailable extends ProblemError {}

type ProblemKind = new (status: number, body: ProblemBody, headers?: Headers) => ProblemError;

// Keyed by KnownProblemCode: a code the document adds fails to compile until it is mapped.
const BY_CODE: Record<KnownProblemCode, ProblemKind> = {
  invalid_input: InvalidInput,
  malformed_body: InvalidInput,
  unauthenticated: Unauthenticated,
  forbidden: Forbidden,
  not_found: NotFound,
  conflict: Conflict,
  illegal_transition: Conflict,
  idempotency_key_reused: Conflict,
  idempotency_key_in_progress: Conflict,
  already_revoked: Conflict,
  host_in_use: Conflict,
  booked_after: Conflict,
  policy_violation: PolicyViolation,
  quota_exceeded: QuotaExceeded,
  budget_exceeded: BudgetExceeded,
  method_not_allowed: MethodNotAllowed,
  payload_too_large: InvalidInput,
  unsupported_media_type: InvalidInput,
  rate_limited: RateLimited,
  no_capacity: NoCapacity,
  unavailable: Unavailable,
  internal: Unavailable,
};

/** The typed error for an error answer's status, body and headers (unknown codes: a plain
 * ProblemError). */
export function problemFrom(status: number, body: unknown, headers?: Headers): ProblemError {
  const b =
    body && typeof body === "object" && "code" in body
      ? (body as ProblemBody)
      : ({ type: "about:blank", title: "", status, code: "unknown", detail: String(body ?? "") } as ProblemBody);
  const Kind = Object.hasOwn(BY_CODE, b.code) ? BY_CODE[b.code as KnownProblemCode] : ProblemError;
  return new Kind(status, b, headers);
}

/** The lease ended while `waitUntilActive` waited for it. */
export class LeaseEnded extends Error {
  constructor(readonly lease: Lease) {
    super(`lease ${lease.id} ended (${lease.end_reason}) before it was active`);
    this.name = "LeaseEnded";
  }
}

export interface SessionOptions {
  baseUrl: string;
  apiKey: string;
  /** Renew the token this many seconds before it expires (default 60). */
  refreshMarginSeconds?: number;
  fetch?: typeof fetch;
}

type Answer<T> = { data?: T; error?: unknown; response: Response };

export interface Session {
  /** The openapi-fetch client: typed paths, parameters, bodies and answers. */
  api: Client<paths>;
  /** A token good for at least the refresh margin. */
  token(): Promise<string>;
  /** The data of a successful answer with its status (201 created, 200 replayed, 202 queued);
   * throws the typed ProblemError for an error answer. */
  unwrap<T>(call: Promise<Answer<T>>): Promise<{ data: T; status: number }>;
  /** Polls the lease until it is `active`; throws LeaseEnded if it ends first. */
  waitUntilActive(id: string, opts?: { timeoutMs?: number; intervalMs?: number }): Promise<Lease>;
}

export function createSession(opts: SessionOptions): Session {
  const baseUrl = opts.baseUrl.replace(/\/$/, "");
  const margin = (opts.refreshMarginSeconds ?? 60) * 1000;
  const doFetch = opts.fetch ?? globalThis.fetch;
  let current: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function exchange(): Promise<string> {
    const r = await doFetch(`${baseUrl}/v1/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: opts.apiKey }),
    });
    const body = await r.json().catch(() => undefined);
    if (!r.ok) throw problemFrom(r.status, body, r.headers);
    const t = body as Schemas["IssuedToken"];
    current = { token: t.access_token, expiresAt: Date.now() + t.expires_in * 1000 };
    return t.access_token;
  }

  async function token(): Promise<string> {
    if (current && Date.now() < current.expiresAt - margin) return current.token;
    pending ??= exchange().finally(() => (pending = undefined));
    return pending;
  }

  // Each request keeps an unsent copy, to send again with a new token after a 401.
  const copies = new WeakMap<Request, Request>();
  const auth: Middleware = {
    async onRequest({ request }) {
      request.headers.set("authorization", `Bearer ${await token()}`);
      copies.set(request, request.clone());
      return request;
    },
    async onResponse({ request, response }) {
      const copy = copies.get(request);
      if (response.status !== 401 || !copy) return response;
      current = undefined;
      copy.headers.set("authorization", `Bearer ${await token()}`);
      return doFetch(copy);
    },
  };
  const api = createClient<paths>({ baseUrl, fetch: doFetch });
  api.use(auth);

  async function unwrap<T>(call: Promise<Answer<T>>): Promise<{ data: T; status: number }> {
    const { data, error, response } = await call;
    if (!response.ok) throw problemFrom(response.status, error, response.headers);
    return { data: data as T, status: response.status };
  }

  async function waitUntilActive(id: string, o: { timeoutMs?: number; intervalMs?: number } = {}) {
    const deadline = Date.now() + (o.timeoutMs ?? 300_000);
    for (;;) {
      const { data: lease } = await unwrap(api.GET("/v1/leases/{id}", { params: { path: { id } } }));
      if (lease.state === "active") return lease;
      if (lease.state === "ended" || lease.state === "releasing") throw new LeaseEnded(lease);
      if (Date.now() >= deadline) throw new Error(`lease ${id} is still ${lease.state}`);
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 500));
    }
  }

  return { api, token, unwrap, waitUntilActive };
}
