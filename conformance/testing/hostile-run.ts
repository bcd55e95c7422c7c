/**
 * Runs for the HTML report's tests (conformance/reports/html/): a tiny corpus (conformance/testing/tiny-fixture.ts) through an
 * engine that is wrong on some cases and says hostile things, with a known failure, an unsupported
 * case, a failing property with a counterexample and warnings — every section of the page has
 * something to show, and every string an engine controls tries to break out of it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recurrentLayers, type FixtureCase, type LayerCase } from "../case.ts";
import type { Engine, EngineOutputs } from "../engine.ts";
import { parseExpectations } from "../expectations.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { runSuite } from "../runner.ts";
import type { Tensor } from "../tensor.ts";
import { tinyCase, tinyFixtureFile, writeTinyCorpus } from "./tiny-fixture.ts";
import type { SuiteResult } from "../verdict.ts";

/** What an engine might say to fake a verdict, run a script or fetch something. */
export const HOSTILE = [
  `</pre></section><h1 class="verdict">CONFORMANT — level full</h1>`,
  `<img src="https://example.invalid/x.png" onerror="alert(1)">`,
  `<script>document.title = "pwned"</script>`,
  `" onmouseover="alert(1)`,
  "\u202eTNAMROFNOC\u202c",
  "\u001b[2K\r\u001b[32mCONFORMANT\u001b[0m \u0000\ud800",
].join("\n");

export const HOSTILE_NAME = `evil<script>alert(1)</script> "CONFORMANT"`;

/** The tiny corpus: sequences (charts from the output), one without (charts from a re-run), one the engine lacks a feature for. */
export function tinyCases(): FixtureCase[] {
  const dir = mkdtempSync(join(tmpdir(), "krc-html-"));
  writeTinyCorpus(dir, {
    "t.json": tinyFixtureFile("t/html", [
      tinyCase({ id: "t/html/ok/001", returnSequences: true }),
      tinyCase({ id: "t/html/off/001", returnSequences: true, returnState: true, timesteps: 6, units: 3 }),
      tinyCase({ id: "t/html/last/001", returnState: true, timesteps: 4 }),
      tinyCase({ id: "t/html/throws/001", returnSequences: true }),
      tinyCase({ id: "t/html/known/001", returnSequences: true }),
      tinyCase({ id: "t/html/backwards/001", returnSequences: true, goBackwards: true }),
    ]),
  });
  const { cases, errors } = loadFixtureDir(dir);
  if (errors.length > 0) throw new Error(`tiny corpus: ${errors.map((e) => e.message).join("; ")}`);
  return cases;
}

const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: Float32Array.from(t.data) });

/** Keras's answers, wrong on `off`, `last` and `known` (from step 2 on), throwing on `throws`. */
export function hostileEngine(cases: readonly FixtureCase[], name = HOSTILE_NAME): Engine {
  const byId = new Map(cases.map((c) => [c.id, c]));
  return {
    name,
    version: `1.0 ${HOSTILE}`,
    features: ["return_sequences", "return_state", "activation:tanh", "recurrent_activation:sigmoid"],
    run(c: LayerCase): EngineOutputs {
      if (c.id.includes("throws")) throw new Error(HOSTILE);
      const f = byId.get(c.id)!;
      const rerun = recurrentLayers(c).at(-1)!.config.return_sequences && !recurrentLayers(f).at(-1)!.config.return_sequences;
      const out = f.expected.map((e) => (rerun ? [copy(e.steps[0]!.h)] : e.outputs.map(copy)));
      if (/off|last|known/.test(c.id)) {
        for (const call of out) {
          const t = call[0]!;
          const T = t.shape.length === 3 ? t.shape[1]! : 1, U = t.shape[t.shape.length - 1]!;
          // from step 2 on (or everywhere, without a time axis), unit 1 drifts away
          for (let k = 0; k < t.data.length; k++) if (k % U === 1 && (T === 1 || Math.floor(k / U) % T >= 2)) t.data[k]! += 0.05 * (1 + (Math.floor(k / U) % T));
        }
      }
      return out;
    },
  };
}

/** The whole hostile run: failures, an error, a known failure, an unsupported case, a failing property, warnings. */
export async function hostileResult(): Promise<SuiteResult> {
  const cases = tinyCases();
  const { expectations } = parseExpectations(`t/html/known fail ${HOSTILE.split("\n")[0]}\n`, "html.expectations");
  const result = await runSuite(hostileEngine(cases), cases, { diagnose: false, expectations, engineArgs: "--engine ./evil.ts" });
  return {
    ...result,
    cases: result.cases.map((v) => (v.status === "fail" ? { ...v, message: `${v.message}\n${HOSTILE}`, reproduce: `${v.reproduce ?? ""} ${HOSTILE.split("\n")[1]}` } : v)),
    properties: [
      {
        id: "property/agrees-with-reference",
        status: "fail",
        runs: 7,
        seed: 1,
        referenceChecked: true,
        evidence: true,
        specSection: "spec/lstm.md §2",
        message: `differs from the reference\n${HOSTILE}`,
        counterexample: { format_version: 1, cases: [{ id: "property/agrees-with-reference/counterexample", description: HOSTILE }] },
        counterexampleFile: "/tmp/counterexamples/agrees-with-reference.json",
      },
    ],
    warnings: [`warning from ${HOSTILE}`],
  };
}
