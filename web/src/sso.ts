// "Sign in with SSO": the OAuth 2.0 authorization code flow with PKCE (RFC 7636, S256) against
// the OpenID Connect issuer the server trusts (`GET /v1/auth/sso`).
//
// The login page makes a code verifier and a `state`, keeps them in sessionStorage for the
// round trip only, and sends the browser to the issuer's authorization endpoint. The issuer
// sends it back to CALLBACK_PATH with a code; we check `state`, trade the code and the verifier
// at the token endpoint (a form POST from script: the issuer must allow this origin by CORS)
// and keep the **ID token** in memory like the key-based JWT. The ID token is the one whose
// `aud` is always our client id, which the server checks against `oidc_audience` (the client id
// defaults to it); an access token is used only when no ID token comes back and it is a JWT for
// the client id. The server maps the token's claims to a tenant and role, which we learn from
// `GET /v1/auth/whoami`. There is no refresh: when the token expires, the person signs in again.

import type { components } from "./api/schema";
import { unreachableText } from "./api/errors";
import { adoptExternal, logout } from "./session";
import { replace } from "./router";

export type SsoSettings = components["schemas"]["SsoSettings"];
export type WhoAmI = components["schemas"]["WhoAmI"];

/** Where the issuer sends the browser back. */
export const CALLBACK_PATH = "/sso/callback";
/** The round trip's secrets, in this tab's sessionStorage until the callback reads them. */
export const PENDING_KEY = "slicebroker.sso.pending";

export interface Pending {
  state: string;
  verifier: string;
  redirectUri: string;
  tokenEndpoint: string;
  clientId: string;
  issuer: string;
}

/** base64url without padding (RFC 4648 §5), as PKCE and JWTs write bytes. */
export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `n` random bytes as base64url: 32 bytes make a 43-character verifier (RFC 7636 §4.1). */
export function randomString(n = 32): string {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** The S256 code challenge: base64url(SHA-256(ASCII(verifier))) (RFC 7636 §4.2). */
export async function challengeFor(verifier: string): Promise<string> {
  if (!globalThis.crypto?.subtle) {
    throw new Error("Single sign-on needs the dashboard served over https (browsers offer crypto.subtle only there).");
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Whether the `state` that came back is the one we sent (both present, equal). */
export function stateMatches(sent: string | null | undefined, received: string | null | undefined): boolean {
  if (!sent || !received || sent.length !== received.length) return false;
  let diff = 0;
  for (let i = 0; i < sent.length; i++) diff |= sent.charCodeAt(i) ^ received.charCodeAt(i);
  return diff === 0;
}

/** The authorization request URL. */
export function authorizeUrl(endpoint: string, p: { clientId: string; redirectUri: string; challenge: string; state: string }): string {
  const url = new URL(endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", p.clientId);
  url.searchParams.set("redirect_uri", p.redirectUri);
  url.searchParams.set("scope", "openid");
  url.searchParams.set("code_challenge", p.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", p.state);
  return url.toString();
}

/** Whether the server offers SSO the dashboard can use. */
export function usable(s: SsoSettings | null | undefined): s is SsoSettings & {
  issuer: string;
  client_id: string;
  authorization_endpoint: string;
  token_endpoint: string;
} {
  return !!(s && s.enabled && s.issuer && s.client_id && s.authorization_endpoint && s.token_endpoint);
}

export async function fetchSettings(): Promise<SsoSettings | null> {
  try {
    const r = await fetch("/v1/auth/sso");
    return r.ok ? ((await r.json()) as SsoSettings) : null;
  } catch {
    return null;
  }
}

/** Starts the round trip: remembers its secrets and returns where to send the browser. */
export async function begin(settings: SsoSettings, origin = location.origin): Promise<string> {
  if (!usable(settings)) throw new Error("Single sign-on is not configured on this server.");
  const verifier = randomString(32);
  const state = randomString(16);
  const redirectUri = origin + CALLBACK_PATH;
  const pending: Pending = {
    state,
    verifier,
    redirectUri,
    tokenEndpoint: settings.token_endpoint,
    clientId: settings.client_id,
    issuer: settings.issuer,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  return authorizeUrl(settings.authorization_endpoint, {
    clientId: settings.client_id,
    redirectUri,
    challenge: await challengeFor(verifier),
    state,
  });
}

/** The claims of a JWT, unverified (the server verifies); null when it is not one. */
export function peek(token: string): Record<string, unknown> | null {
  const part = token.split(".")[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "="));
    const v = JSON.parse(json);
    return v && typeof v === "object" ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

interface TokenAnswer {
  id_token?: string;
  access_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

/** The token to send as Bearer: the ID token, else a JWT access token for our client id. */
export function pickToken(answer: TokenAnswer, clientId: string): string | null {
  if (answer.id_token) return answer.id_token;
  const claims = answer.access_token ? peek(answer.access_token) : null;
  const aud = claims?.aud;
  if (claims && (aud === clientId || (Array.isArray(aud) && aud.includes(clientId)))) return answer.access_token!;
  return null;
}

function readPending(): Pending | null {
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Pending;
  } catch {
    return null;
  }
}

/**
 * Finishes the round trip from the callback's query; resolves once signed in, throws with a
 * message for people otherwise. The secrets are forgotten whatever happens.
 */
export async function complete(query: string): Promise<void> {
  const params = new URLSearchParams(query);
  const pending = readPending();
  const error = params.get("error");
  if (error) {
    const why = params.get("error_description");
    throw new Error(`The sign-in service refused: ${error}${why ? ` (${why})` : ""}.`);
  }
  if (!pending) throw new Error("No SSO sign-in was in progress in this tab; start again.");
  if (!stateMatches(pending.state, params.get("state"))) {
    throw new Error("The sign-in answer does not belong to the sign-in started here (state mismatch), so it was refused. Start again.");
  }
  const code = params.get("code");
  if (!code) throw new Error("The sign-in service sent no authorization code.");
  let answer: TokenAnswer;
  try {
    const r = await fetch(pending.tokenEndpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: pending.redirectUri,
        client_id: pending.clientId,
        code_verifier: pending.verifier,
      }),
    });
    answer = (await r.json().catch(() => ({}))) as TokenAnswer;
    if (!r.ok || answer.error) {
      const why = answer.error ? `${answer.error}${answer.error_description ? ` (${answer.error_description})` : ""}` : `${r.status}`;
      throw new Error(`The sign-in service would not issue a token: ${why}.`);
    }
  } catch (e) {
    if ((e as Error).message.startsWith("The sign-in service")) throw e;
    throw new Error(`The sign-in service's token endpoint could not be reached: ${(e as Error).message}`);
  }
  const token = pickToken(answer, pending.clientId);
  if (!token) throw new Error("The sign-in service returned no ID token the server could accept.");
  const r = await fetch("/v1/auth/whoami", { headers: { authorization: `Bearer ${token}` } });
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    if (!body || typeof body.detail !== "string") throw new Error(unreachableText(r.status, r.statusText));
    const detail = body.detail;
    throw new Error(
      `The server refused your SSO sign-in: ${detail}. Your account may not be mapped to a slicebroker tenant; ask an administrator.`,
    );
  }
  const who = body as WhoAmI;
  const exp = peek(token)?.exp;
  const expiresAt = typeof exp === "number" ? exp * 1000 : Date.now() + (answer.expires_in ?? 300) * 1000;
  adoptExternal(token, who, expiresAt);
}

/** Runs the callback: signs in, or signs out with the reason; then leaves the callback URL. */
export async function handleCallback(): Promise<void> {
  try {
    await complete(location.search);
    replace("/");
  } catch (e) {
    replace("/");
    logout((e as Error).message);
  }
}
