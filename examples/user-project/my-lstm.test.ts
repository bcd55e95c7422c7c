// The whole conformance suite as vitest tests: one call.
import { defineConformanceTests } from "keras-rnn-conformance/vitest";
import { engine } from "./my-lstm.ts";

defineConformanceTests(engine, { engineArgs: "--engine ./my-lstm.ts" });
