import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { helpBlock, quotedHelp } from "./cli-help-readme.ts";
import { packageRoot } from "./package-paths.ts";

describe("README", () => {
  it("quotes `keras-rnn-conformance --help` exactly (fix: npx tsx conformance/cli-help-readme.ts)", () => {
    const path = join(packageRoot(), "README.md");
    expect(existsSync(path), "README.md is missing").toBe(true);
    expect(quotedHelp(readFileSync(path, "utf8"))).toBe(helpBlock());
  });
});
