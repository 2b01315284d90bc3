// The API client: openapi-fetch over the types generated from openapi/slicebroker.json
// (`npm run gen`), on the page's own origin, with the session's bearer token on every call.

import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { currentToken, expireSession } from "../session";
import { ApiError, asProblem, problemText } from "./errors";

export { ApiError, asProblem, problemText, refusalText, unreachableText } from "./errors";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
export type Lease = Schemas["Lease"];
export type Gpu = Schemas["Gpu"];
export type Host = Schemas["Host"];
export type Capacity = Schemas["Capacity"];
export type Tenant = Schemas["Tenant"];
export type Role = Schemas["Role"];

const auth: Middleware = {
  onRequest({ request }) {
    const token = currentToken();
    if (token && !request.headers.has("authorization")) {
      request.headers.set("authorization", `Bearer ${token}`);
    }
    return request;
  },
  onResponse({ request, response }) {
    // A token the server no longer takes (expired, key revoked): back to the login page.
    if (response.status === 401 && !new URL(request.url).pathname.endsWith("/v1/auth/token")) {
      expireSession("Your session ended (the token expired or the key was revoked). Sign in again.");
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: typeof location === "undefined" ? "http://localhost" : location.origin,
});
api.use(auth);

/** Unwraps an openapi-fetch result: the data, or throws an `ApiError` carrying the problem
 * (its `detail` is the message). */
export async function must<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await call;
  } catch (e) {
    throw new ApiError(problemText(e));
  }
  if (r.error !== undefined || !r.response.ok) {
    throw new ApiError(problemText(r.error, r.response), asProblem(r.error), r.response.status);
  }
  return r.data as T;
}
