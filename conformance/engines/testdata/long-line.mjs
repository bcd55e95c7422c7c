// Not a protocol engine: a process for timing line assembly in engine-process.ts (spec/adapter.md §8.7).
// It builds one line of argv[2] megabytes, says "ready", and writes the line once it reads a line on
// stdin, so the reader's clock starts after the build and covers the pipe and the assembly only.
/* global process */
import { createInterface } from "node:readline";

const bytes = Math.round(Number(process.argv[2] ?? "50") * 1e6);
const line = "x".repeat(bytes) + "\n";
process.stdout.write("ready\n");
createInterface({ input: process.stdin }).once("line", () => process.stdout.write(line, () => process.exit(0)));
