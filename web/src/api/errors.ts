// Failed calls in words: the API's own refusal (a problem, RFC 9457) says why in its `detail`;
// anything else (a gateway's error page, no answer at all) says the server was not reached, so
// it never reads as if the server had refused. Pure, so it is unit-tested.
import type { components } from "./schema";

type Problem = components["schemas"]["Problem"];

/** The problem of a failed call when the API itself answered with one (its `code` and
 * `detail`); a gateway's or proxy's error body is none. */
export function asProblem(error: unknown): Problem | undefined {
  if (!error || typeof error !== "object") return undefined;
  const e = error as Partial<Problem>;
  return typeof e.code === "string" && typeof e.detail === "string" ? (error as Problem) : undefined;
}

/** What to tell people about a failed call: the problem's `detail` (the API's own words, its
 * 503 `no_capacity` or `unavailable` too), else what went wrong on the way. */
export function problemText(error: unknown, response?: Response): string {
  const p = asProblem(error);
  if (p) return p.detail;
  if (response) return unreachableText(response.status, response.statusText);
  if (error instanceof Error) return `The server could not be reached: ${error.message}`;
  return "The server could not be reached.";
}

/** An HTTP error without the API's problem: a gateway's 502, 503 or 504 (the server was not
 * reached, or did not answer in time), or something else in between. */
export function unreachableText(status: number, statusText = ""): string {
  if (status === 504) {
    return "The server could not be reached (HTTP 504 from a gateway: no answer in time, so a change may still have been made; check before trying again).";
  }
  if (status === 502 || status === 503) return `The server could not be reached (HTTP ${status} from a gateway).`;
  return `Unexpected answer: HTTP ${status}${statusText ? ` ${statusText}` : ""}, without the API's problem details.`;
}

/** A failed call: the message to show, and the API's problem when it refused. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly problem?: Problem,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** `<action>: <detail>` when the API refused (answered with a problem); otherwise the failure
 * on the way (a gateway, the network) as it is, so it does not read as a refusal. */
export function refusalText(action: string, e: unknown): string {
  if (e instanceof ApiError) return e.problem ? `${action}: ${e.message}` : e.message;
  return e instanceof Error ? e.message : String(e);
}
