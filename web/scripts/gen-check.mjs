// Drift check: regenerates the API client's types from ../openapi/slicebroker.json into a
// temporary file and fails if they differ from the checked-in src/api/schema.d.ts.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const web = join(dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(join(tmpdir(), "slicebroker-gen-"));
try {
  const fresh = join(dir, "schema.d.ts");
  execFileSync(
    join(web, "node_modules/.bin/openapi-typescript"),
    // Defaults describe what the server fills in for a field left out of a request: such a
    // field stays optional in the types.
    [join(web, "../openapi/slicebroker.json"), "--default-non-nullable=false", "-o", fresh],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  const checkedIn = readFileSync(join(web, "src/api/schema.d.ts"), "utf8");
  if (readFileSync(fresh, "utf8") !== checkedIn) {
    console.error(
      "web/src/api/schema.d.ts is out of date with openapi/slicebroker.json: run `npm run gen` in web/ and commit it",
    );
    process.exit(1);
  }
  console.log("web/src/api/schema.d.ts matches openapi/slicebroker.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
