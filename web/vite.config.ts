/// <reference types="vitest/config" />
// Vite builds the dashboard into dist/ (served by the server with `web_dir`); `npm run dev`
// serves it with hot reload and forwards API calls to a running server (SLICEBROKER_URL,
// default http://127.0.0.1:8080), so the dashboard and the API share an origin as in production.
import { defineConfig } from "vite";

declare const process: { env: Record<string, string | undefined> };
const api = process.env.SLICEBROKER_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 400 },
  server: {
    proxy: Object.fromEntries(
      ["/v1", "/docs", "/openapi.json", "/.well-known"].map((p) => [p, api]),
    ),
  },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
