import { describe, expect, it } from "vitest";
import { ApiError, asProblem, problemText, refusalText } from "./errors";

const problem = (code: string, status: number, detail: string) => ({ type: `https://slicebroker.dev/problems/${code}`, title: "t", status, code, detail });
const answer = (status: number, statusText = "") => new Response(null, { status, statusText });

describe("problemText", () => {
  it("gives the API's own words, its 503 problems too", () => {
    expect(problemText(problem("quota_exceeded", 422, "quota exceeded: 6 of 7"), answer(422))).toBe("quota exceeded: 6 of 7");
    expect(problemText(problem("no_capacity", 503, "no 7g.80gb is free"), answer(503))).toBe("no 7g.80gb is free");
    expect(problemText(problem("unavailable", 503, "the database is not answering"), answer(503))).toBe("the database is not answering");
  });

  it("says a gateway's error page means the server was not reached, not that it refused", () => {
    const html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    expect(problemText(html, answer(502, "Bad Gateway"))).toBe("The server could not be reached (HTTP 502 from a gateway).");
    expect(problemText({ message: "no healthy upstream" }, answer(503))).toBe("The server could not be reached (HTTP 503 from a gateway).");
    expect(problemText("", answer(504))).toMatch(/^The server could not be reached \(HTTP 504 from a gateway: no answer in time, so a change may still have been made/);
    expect(problemText(undefined, answer(404, "Not Found"))).toBe("Unexpected answer: HTTP 404 Not Found, without the API's problem details.");
    expect(problemText(new TypeError("Failed to fetch"))).toBe("The server could not be reached: Failed to fetch");
  });

  it("takes only a body with a code and a detail for the API's problem", () => {
    expect(asProblem({ detail: "from a proxy" })).toBeUndefined();
    expect(asProblem("text")).toBeUndefined();
    expect(asProblem(problem("not_found", 404, "no such lease"))?.code).toBe("not_found");
  });
});

describe("refusalText", () => {
  it("calls only the API's answer a refusal", () => {
    const refused = new ApiError("outside the policy", problem("invalid", 422, "outside the policy"), 422);
    expect(refusalText("Extend refused", refused)).toBe("Extend refused: outside the policy");
    const unreached = new ApiError(problemText("<html>", answer(502)), undefined, 502);
    expect(refusalText("Extend refused", unreached)).toBe("The server could not be reached (HTTP 502 from a gateway).");
  });
});
