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
  constructor(status: number, body: ProblemBody) {
    super(`${status} ${body.code}: ${body.detail}`);
    this.name = new.target.name;
    this.status = status;
    this.code = body.code;
    this.detail = body.detail;
    this.field = body.field;
    this.body = body;
  }
}
export class InvalidInput extends ProblemError {}
export class Unauthenticated extends ProblemError {}
export class Forbidden extends ProblemError {}
export class NotFound extends ProblemError {}
export class Conflict extends ProblemError {}
export class PolicyViolation extends ProblemError {}
export class QuotaExceeded extends ProblemError {}
export class BudgetExceeded extends ProblemError {}
export class NoCapacity extends ProblemError {}
export class Unavailable extends ProblemError {}

const BY_CODE: Record<string, new (status: number, body: ProblemBody) => ProblemError> = {
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
  policy_violation: PolicyViolation,
  quota_exceeded: QuotaExceeded,
  budget_exceeded: BudgetExceeded,
  no_capacity: NoCapacity,
  unavailable: Unavailable,
  internal: Unavailable,
};

/** The typed error for an error answer's status and body (unknown codes: a plain ProblemError). */
export function problemFrom(status: number, body: unknown): ProblemError {
  const b =
    body && typeof body === "object" && "code" in body
      ? (body as ProblemBody)
      : ({ type: "about:blank", title: "", status, code: "unknown", detail: String(body ?? "") } as ProblemBody);
  const Kind = BY_CODE[b.code] ?? ProblemError;
  return new Kind(status, b);
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
    if (!r.ok) throw problemFrom(r.status, body);
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
    if (!response.ok) throw problemFrom(response.status, error);
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
