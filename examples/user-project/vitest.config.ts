// This project's own vitest config: without it, vitest run inside the repository checkout would pick
// up the repository's config from a parent folder and find none of this project's tests.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { include: ["*.test.ts"] } });
