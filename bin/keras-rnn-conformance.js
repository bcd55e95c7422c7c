#!/usr/bin/env node
// The `keras-rnn-conformance` command. In a checkout it runs the TypeScript sources through tsx
// (so a stale dist/ never runs); the published package ships only the built JavaScript (dist/).
import { existsSync } from "node:fs";
import { URL } from "node:url";

const source = new URL("../conformance/cli.ts", import.meta.url);
if (existsSync(source)) {
  const { tsImport } = await import("tsx/esm/api");
  const { runCli } = await tsImport(source.href, import.meta.url);
  await runCli();
} else {
  const { runCli } = await import(new URL("../dist/conformance/cli.js", import.meta.url).href);
  await runCli();
}
