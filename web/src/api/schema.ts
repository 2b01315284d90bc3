// The API's types: the TypeScript client's, generated once from openapi/slicebroker.json by
// scripts/gen-clients.sh (which the tests check for drift), not a second copy of them.
export type { components, paths } from "../../../clients/typescript/src/schema";
