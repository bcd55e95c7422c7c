import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./smoke.ts";

const testdata = (f: string): string => fileURLToPath(new URL(`../engines/testdata/${f}`, import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

async function smoke(argv: string[]): Promise<{ code: number; text: string }> {
  let text = "";
  const code = await main(argv, { out: (t) => (text += t) });
  return { code, text };
}

describe("smoke", () => {
  it("passes a well-behaved engine: handshake, one case, shutdown", async () => {
    const { code, text } = await smoke(["--engine-cmd", `"${tsx}" "${testdata("reference-over-protocol.ts")}"`]);
    expect(text).toMatch(/✓ handshake: reference-over-protocol/);
    expect(text).toMatch(/✓ case smoke\/lstm\/basic\/000: output \(2, 3, 2\) matches the reference/);
    expect(text).toMatch(/smoke: PASS\n$/);
    expect(code).toBe(0);
  });

  it("fails an engine whose numbers are wrong, saying by how much", async () => {
    const { code, text } = await smoke(["--engine-cmd", `"${process.execPath}" "${testdata("fake-engine.mjs")}"`]);
    expect(text).toMatch(/✗ case smoke\/lstm\/basic\/000: output: max abs [0-9.e+-]+ at \(\d, \d, \d\); \d+ element\(s\) outside atol 0.00001/);
    expect(text).toMatch(/smoke: FAIL\n$/);
    expect(code).toBe(1);
  });

  it("exits 2 with the reason when the engine speaks another protocol version", async () => {
    const { code, text } = await smoke(["--engine-cmd", `"${process.execPath}" "${testdata("fake-engine.mjs")}" wrong-version`]);
    expect(text).toMatch(/✗ handshake: .*speaks protocol version 99, this runner speaks version 1/);
    expect(code).toBe(2);
  });

  it("exits 2 on a usage error", async () => {
    expect((await smoke([])).code).toBe(2);
    expect((await smoke(["--engine-cmd", "x", "--timeout", "soon"])).text).toMatch(/--timeout must be a positive integer/);
  });
});
