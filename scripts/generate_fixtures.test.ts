// The generator's user case list gives one clear line per problem and exit 2, never a traceback
// (issue 2, scripts/README.md "Your own cases"). Only validation runs: no Keras import, fast.
import { describe, it, expect } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const python = join(import.meta.dirname, "..", ".venv", "bin", "python");
const generator = join(import.meta.dirname, "generate_fixtures.py");

describe.skipIf(!existsSync(python))("generate_fixtures.py cases (bad case list)", () => {
  it("names the entry index and field of every problem and exits 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "user-cases-"));
    const list = join(dir, "bad.json");
    writeFileSync(list, JSON.stringify({
      cases: [
        { layers: [{ class_name: "LSTM", config: { units: 0 } }], input_shape: [2, 3, 4] },
        { layers: [{ class_name: "LSTM", config: { units: 2 } }], input_shape: [2, 3] },
      ],
    }));
    const run = spawnSync(python, [generator, "cases", "--cases", list, "--out", join(dir, "out")], { encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("cases[0].layers[0].config.units: must be a positive integer");
    expect(run.stderr).toContain("cases[1].input_shape: must be [batch, timesteps, input_dim]");
    expect(run.stderr).not.toContain("Traceback");
    expect(existsSync(join(dir, "out"))).toBe(false);
  });
});
