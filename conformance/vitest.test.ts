// The vitest helper used as a library author would: one call registers one test per case.
// (The failing side — a broken engine failing its tests — is exercised in test/example-project.test.ts.)
import { referenceEngine } from "./engines/reference.ts";
import { defineConformanceTests } from "./vitest.ts";

defineConformanceTests(referenceEngine, { filter: ["lstm/outputs"] });
