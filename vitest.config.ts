import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["conformance/**/*.test.ts", "reference/**/*.test.ts", "scripts/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    // Two test files at a time even on two cores: many wait on Python engines, Chromium or npm in
    // other processes, so a second worker overlaps that waiting (the default, cores − 1, is one).
    maxWorkers: 2,
    hookTimeout: 120_000,
  },
});
