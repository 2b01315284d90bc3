// Who is signed in: an API key traded for a JWT (`POST /v1/auth/token`), or a token of the
// organisation's issuer (SSO, see sso.ts). Both live in memory only (a reload signs out); a
// key's token is traded again before it expires, an SSO token ends the session when it
// expires, and signing out forgets them. The role and tenant come from our token's claims, or
// for SSO from `GET /v1/auth/whoami`, and decide what the pages offer; the API still decides
// what is allowed.

import { useEffect, useState } from "preact/hooks";
import { unreachableText } from "./api/errors";

export type Role = "admin" | "tenant-admin" | "member" | "viewer";

export interface Claims {
  sub: string;
  tenant?: string;
  role: Role;
  exp: number;
}

export interface Session {
  token: string;
  claims: Claims;
  /** When the token expires (ms since the epoch). */
  expiresAt: number;
  /** Signed in through the organisation's issuer (no renewal: sign in again). */
  sso?: boolean;
}

let session: Session | null = null;
let apiKey: string | null = null;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let notice: string | null = null;
const listeners = new Set<() => void>();

function changed() {
  for (const l of listeners) l();
}

export function currentToken(): string | null {
  return session?.token ?? null;
}

export function currentSession(): Session | null {
  return session;
}

/** The claims of a JWT, read without checking the signature (the server checks it). */
export function decodeClaims(token: string): Claims {
  const part = token.split(".")[1];
  if (!part) throw new Error("the server sent a token that is not a JWT");
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
  const claims = JSON.parse(json) as Claims;
  if (!claims.role || !claims.sub) throw new Error("the token carries no role");
  return claims;
}

/** The server refused the key (its problem's `detail` is the message), as against not being
 * reached at all. */
export class KeyRefused extends Error {}

interface Issued {
  access_token: string;
  expires_in: number;
}

async function trade(key: string): Promise<Issued> {
  let response: Response;
  try {
    response = await fetch("/v1/auth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ api_key: key }),
    });
  } catch (e) {
    throw new Error(`The server could not be reached: ${(e as Error).message}`);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    if (body && typeof body.detail === "string") throw new KeyRefused(body.detail);
    throw new Error(unreachableText(response.status, response.statusText));
  }
  return body as Issued;
}

function schedule(expiresIn: number) {
  clearTimeout(refreshTimer);
  // At 80 % of the token's life (at least 5 s before it ends), trade the key again.
  const inMs = Math.max(1000, Math.min(expiresIn * 800, expiresIn * 1000 - 5000));
  refreshTimer = setTimeout(refresh, inMs);
}

async function refresh() {
  if (!apiKey) return;
  try {
    const issued = await trade(apiKey);
    adopt(issued);
  } catch (e) {
    expireSession(`Could not renew your session: ${(e as Error).message}`);
  }
}

function adopt(issued: Issued) {
  const claims = decodeClaims(issued.access_token);
  session = {
    token: issued.access_token,
    claims,
    expiresAt: Date.now() + issued.expires_in * 1000,
  };
  schedule(issued.expires_in);
  changed();
}

/** Signs in with a token of the organisation's issuer, as `GET /v1/auth/whoami` read it. */
export function adoptExternal(
  token: string,
  who: { subject: string; tenant_id?: string | null; role: Role },
  expiresAt: number,
) {
  clearTimeout(refreshTimer);
  apiKey = null;
  notice = null;
  session = {
    token,
    claims: { sub: who.subject, tenant: who.tenant_id ?? undefined, role: who.role, exp: Math.floor(expiresAt / 1000) },
    expiresAt,
    sso: true,
  };
  // setTimeout holds at most 2^31-1 ms (about 24 days).
  refreshTimer = setTimeout(
    () => expireSession("Your single sign-on session has ended; sign in again."),
    Math.min(Math.max(0, expiresAt - Date.now()), 2 ** 31 - 1),
  );
  changed();
}

/** Signs in with `key`; throws with the server's `detail` when the key is refused. */
export async function login(key: string): Promise<void> {
  const k = key.trim();
  if (!k) throw new Error("Enter an API key (sbk_…).");
  const issued = await trade(k);
  apiKey = k;
  notice = null;
  adopt(issued);
}

export function logout(message: string | null = null) {
  clearTimeout(refreshTimer);
  session = null;
  apiKey = null;
  notice = message;
  changed();
}

/** Ends the session because the server refused its token. */
export function expireSession(message: string) {
  if (session) logout(message);
}

/** Why the last session ended, for the login page. */
export function sessionNotice(): string | null {
  return notice;
}

export function useSession(): Session | null {
  const [, bump] = useState(0);
  useEffect(() => {
    const l = () => bump((n) => n + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return session;
}

/** What a role may do, as the API's rules say. */
export const can = {
  lease: (r: Role) => r === "member" || r === "tenant-admin",
  administerFleet: (r: Role) => r === "admin",
  manageKeys: (r: Role) => r === "admin" || r === "tenant-admin",
};
