/**
 * The example Python engines (examples/engines/) through the real protocol: each runs the corpus,
 * and real Keras is checked against the reference on random cases (the property suite's cases).
 * The numpy layers are a layer engine (protocol 2, spec/adapter.md §8.9) twice — with the package's
 * helper (python/keras_rnn_conformance.py: LSTM, GRU, SimpleRNN) and with the protocol by hand (the
 * LSTM) — and must reach level full; torch (nn.LSTM, nn.GRU, nn.RNN) is a layer engine on the helper
 * too, Keras a model engine speaking protocol 1 (Keras composes its own models).
 * Needs a Python with numpy, torch 2.13.0 and Keras: `.venv/bin/python` at the package root or
 * KERAS_RNN_CONFORMANCE_PYTHON. Without one these tests are skipped and the reason is printed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lstmLayers } from "../case.ts";
import { compareTensors, describeComparison } from "../compare.ts";
import type { EngineOutputs } from "../engine.ts";
import { missingFeatures, requiredFeatures } from "../features.ts";
import { defaultFixturesDir, packageRoot } from "../package-paths.ts";
import { buildCase, caseSpecArbitrary, type CaseSpec } from "../properties/arbitraries.ts";
import { runProperties } from "../properties/index.ts";
import { BASE_TOLERANCE } from "../tolerance-policy.ts";
import { loadFixtureDir } from "../fixtures/load.ts";
import { maskingLayerMask } from "../masking-layer.ts";
import { isOutOfScope } from "../levels.ts";
import { runSuite } from "../runner.ts";
import { referenceEngine } from "./reference.ts";
import { createProcessEngine, type ProcessEngine } from "./process.ts";

const python = process.env.KERAS_RNN_CONFORMANCE_PYTHON ?? join(packageRoot(), ".venv", "bin", "python");
/**
 * Each example engine: its script under examples/engines/, the modules it needs, whether it must reach
 * level full, the cells it implements (each must pass cases of its own), and what it may answer
 * `unsupported` for itself (spec/adapter.md §2) besides the features it does not declare.
 */
const ENGINES = {
  "python-numpy": { script: "python-numpy/engine.py", modules: ["numpy"], full: true, cells: ["lstm", "gru", "simple_rnn"], declines: null },
  "python-numpy-raw": { script: "python-numpy/engine_raw.py", modules: ["numpy"], full: true, cells: ["lstm"], declines: null },
  // relu is declared for nn.RNN (a SimpleRNN); nn.LSTM and nn.GRU have tanh built in and decline it.
  "python-torch": { script: "python-torch/engine.py", modules: ["numpy", "torch"], full: false, cells: ["lstm", "gru", "simple_rnn"], declines: /^engine cannot run this case: torch\.nn\.(LSTM|GRU) has activation tanh built in: activation relu has no equivalent$/ },
  "python-keras": { script: "python-keras/engine.py", modules: ["numpy", "keras", "tensorflow", "tf_keras"], full: false, cells: ["lstm", "gru", "simple_rnn"], declines: null },
} as const satisfies Record<string, { script: string; modules: readonly string[]; full: boolean; cells: readonly string[]; declines: RegExp | null }>;
type EngineDir = keyof typeof ENGINES;

/** Which modules the Python has, without importing them (importing TensorFlow alone takes seconds). */
function probeModules(): Set<string> | string {
  if (!existsSync(python)) return `no Python at ${python} (set KERAS_RNN_CONFORMANCE_PYTHON or create the venv; CI has one)`;
  const names = [...new Set(Object.values(ENGINES).flatMap((e) => e.modules))];
  const r = spawnSync(python, ["-c", `import importlib.util as u; print(" ".join(n for n in ${JSON.stringify(names)} if u.find_spec(n)))`], { encoding: "utf8" });
  if (r.status !== 0) return `${python} does not run: ${r.stderr}`;
  return new Set(r.stdout.trim().split(/\s+/));
}

// The README shows the two Python layer engines whole; they must be the files the tests run.
describe("README's Python layer engines", () => {
  it.each(["engine.py", "engine_raw.py"])("shows examples/engines/python-numpy/%s verbatim", (file) => {
    const readme = readFileSync(join(packageRoot(), "README.md"), "utf8");
    expect(readme).toContain("```python\n" + readFileSync(join(packageRoot(), "examples", "engines", "python-numpy", file), "utf8") + "```");
  });
});

const probe = probeModules();
function skipReason(dir: EngineDir): string | undefined {
  if (typeof probe === "string") return probe;
  const missing = ENGINES[dir].modules.filter((m) => !probe.has(m));
  return missing.length > 0 ? `${python} lacks ${missing.join(", ")} (pip install -r examples/engines/requirements.txt)` : undefined;
}

const engineCmd = (dir: EngineDir): string => `"${python}" "${join(packageRoot(), "examples", "engines", ENGINES[dir].script)}"`;
const corpus = loadFixtureDir(defaultFixturesDir());

/** The first `n` cases of each family, in corpus order. */
function firstOfEachFamily<C extends { readonly id: string }>(cases: readonly C[], n: number): C[] {
  const seen = new Map<string, number>();
  return cases.filter((c) => {
    const family = c.id.split("/").slice(0, -2).join("/");
    seen.set(family, (seen.get(family) ?? 0) + 1);
    return seen.get(family)! <= n;
  });
}

for (const dir of Object.keys(ENGINES) as EngineDir[]) {
  const reason = skipReason(dir);
  if (reason !== undefined) {
    console.warn(`SKIPPED ${dir} engine tests: ${reason}`);
    describe.skip(`${dir} engine — skipped: ${reason}`, () => undefined);
    continue;
  }
  describe(`${dir} engine over the protocol`, () => {
    let engine: ProcessEngine;
    beforeAll(async () => {
      engine = await createProcessEngine(engineCmd(dir), { validateProtocol: true, timeoutMs: 60_000 });
    });
    afterAll(async () => engine?.close());

    it("passes the corpus: no fail, no error (unsupported only for features it does not declare, or what it declines with its reason)", async () => {
      expect(corpus.errors).toEqual([]);
      expect(corpus.cases.length).toBeGreaterThan(0);
      // Level full needs the property-based tests too (spec/adapter.md §4.3).
      const properties = ENGINES[dir].full ? { properties: { numRuns: 100, seed: 1, fixtures: corpus.cases } } : {};
      // Real Keras takes about 0.2 s a case: here it runs the first two cases of every family, and the
      // engine table (scripts/engine-results.ts, results/engines/python-keras.json) the whole corpus.
      const cases = dir === "python-keras" ? firstOfEachFamily(corpus.cases, 2) : corpus.cases;
      const result = await runSuite(engine, cases, { timeoutMs: 60_000, engineArgs: `--engine-cmd '${engineCmd(dir)}'`, diagnose: false, ...properties });
      const nonPass = result.cases.filter((v) => v.status !== "pass").map((v) => `${v.id}: ${v.status} ${v.message}`);
      const perSecond = (result.cases.length / (result.durationMs / 1000)).toFixed(1);
      console.log(`${dir}: ${JSON.stringify(result.counts)} in ${Math.round(result.durationMs)} ms (${perSecond} cases/s, ${engine.starts} process start(s))`);
      expect(nonPass.filter((l) => !/: unsupported /.test(l))).toEqual([]);
      const declines: RegExp | null = ENGINES[dir].declines;
      for (const v of result.cases.filter((c) => c.status === "unsupported")) {
        if (v.missingFeatures.length === 0) expect(declines !== null && declines.test(v.message), `${v.id}: ${v.message}`).toBe(true);
      }
      // An engine passes cases of every cell it implements; of the others it runs none (spec/adapter.md §2).
      for (const cell of ["lstm", "gru", "simple_rnn"]) {
        const passed = result.cases.filter((v) => v.id.startsWith(`${cell}/`) && v.status === "pass").length;
        if ((ENGINES[dir].cells as readonly string[]).includes(cell)) expect(passed, `${dir}: ${cell} cases passed`).toBeGreaterThan(0);
        else expect(passed, `${dir}: ${cell} cases passed`).toBe(0);
      }
      expect(engine.starts).toBe(1);
      if (ENGINES[dir].full) {
        expect(engine.kind).toBe("layer");
        // a gradient property is out of scope for an engine without gradients (levels.ts SCOPE_FEATURES): it counts toward no level
        expect(result.properties.filter((p) => p.status !== "pass" && !isOutOfScope(p)).map((p) => `${p.id}: ${p.status} ${p.message}`)).toEqual([]);
        expect(result.level).toBe("full");
      }
    }, 600_000);
  });
}

const numpyReason = skipReason("python-numpy");
describe.skipIf(numpyReason !== undefined)("python/keras_rnn_conformance.py serve_layer", () => {
  const helper = join(packageRoot(), "python");
  /** The hello line of a serve_layer call, or the error it raised. */
  const hello = (args: string): { capabilities?: string[]; error?: string } => {
    const script = `import sys; sys.path.insert(0, ${JSON.stringify(helper)})\nfrom keras_rnn_conformance import serve_layer\nf = lambda call: None\nserve_layer("t", "1", ${args})`;
    const r = spawnSync(python, ["-c", script], { input: "", encoding: "utf8" });
    if (r.status !== 0) return { error: r.stderr };
    return JSON.parse(r.stdout.split("\n")[0]!) as { capabilities: string[] };
  };

  it("declares the cells of the functions it is given, none for lstm alone (the LSTM only, spec/adapter.md §2)", () => {
    expect(hello(`["mask"], f`).capabilities).toEqual(["mask"]);
    expect(hello(`["mask"], f, gru=f`).capabilities).toEqual(["mask", "cell:lstm", "cell:gru"]);
    expect(hello(`["mask"], simple_rnn=f`).capabilities).toEqual(["mask", "cell:simple_rnn"]);
  });

  it("refuses no function, and a cell:* capability without its function", () => {
    expect(hello(`["mask"]`).error).toMatch(/at least one of lstm, gru, simple_rnn/);
    expect(hello(`["cell:gru"], f`).error).toMatch(/capabilities name cell:gru but no gru function/);
  });
});

const kerasReason = skipReason("python-keras");
describe.skipIf(kerasReason !== undefined)(`real Keras against the reference on random cases${kerasReason ? ` — skipped: ${kerasReason}` : ""}`, () => {
  let keras: ProcessEngine;
  beforeAll(async () => {
    keras = await createProcessEngine(engineCmd("python-keras"), { timeoutMs: 60_000 });
  });
  afterAll(async () => keras?.close());

  it("agrees with the reference on 200 random cases of the property arbitrary", async () => {
    // Cases with a Masking layer and initial_state are included: the reference follows Keras 3's
    // dropped mask (spec/lstm.md §3.5.7).
    const usable: CaseSpec[] = fc.sample(caseSpecArbitrary({ features: keras.features }), { numRuns: 200, seed: 20261123 });
    const withDroppedMask = usable.filter((s) => s.dialect === "keras3" && s.masking === "masking_layer" && s.initialState).length;
    const problems: string[] = [];
    const started = performance.now();
    for (const spec of usable) {
      const c = buildCase(spec);
      expect(missingFeatures(requiredFeatures(c), keras.features)).toEqual([]);
      const expected = await referenceEngine.run(c);
      let actual: EngineOutputs;
      try {
        actual = await keras.run(c);
      } catch (e) {
        problems.push(`${JSON.stringify(spec)}: error ${(e as Error).message}`);
        continue;
      }
      expected.forEach((call, i) =>
        call.forEach((want, k) => {
          const got = actual[i]?.[k];
          // Cases whose values overflow float32 (unbounded activations) are compared only where Keras is finite too.
          if (got === undefined) return problems.push(`${JSON.stringify(spec)}: call ${i} has no output ${k}`);
          if (want.data.some((v) => !Number.isFinite(v))) return undefined;
          const cmp = compareTensors(got, want, BASE_TOLERANCE);
          if (!cmp.shapeOk || cmp.mismatches > 0) problems.push(`${JSON.stringify(spec)}: call ${i} output ${k}: ${describeComparison(cmp, BASE_TOLERANCE)}`);
          return undefined;
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`python-keras: 200 random cases in ${seconds.toFixed(1)} s (${(200 / seconds).toFixed(1)} cases/s); ${withDroppedMask} with Masking + initial_state (spec/lstm.md §3.5.7)`);
    expect(problems).toEqual([]);
  }, 900_000);

  // spec/lstm.md §3.5.7: Keras 3.15.1 drops a Masking layer's mask for the LSTM called with
  // initial_state, yet passes it on to the next layer of a stack. The reference does the same.
  for (const depth of [1, 2]) {
    it(`agrees with the reference when Masking's mask meets initial_state (Keras 3, ${depth} LSTM layer(s))`, async () => {
      const spec = fc.sample(caseSpecArbitrary({ features: keras.features, fixed: { masking: "masking_layer", initialState: true, dialect: "keras3", depth, timesteps: 6, batch: 2 } }), { numRuns: 1, seed: 7 })[0]!;
      const c = buildCase(spec);
      expect(lstmLayers(c).length).toBe(depth);
      const fromKeras = await keras.run(c);
      const fromReference = await referenceEngine.run(c);
      fromReference.forEach((call, i) =>
        call.forEach((want, k) => {
          const cmp = compareTensors(fromKeras[i]![k]!, want, BASE_TOLERANCE);
          expect(cmp.shapeOk && cmp.mismatches === 0, `call ${i} output ${k}: ${describeComparison(cmp, BASE_TOLERANCE)}`).toBe(true);
        }),
      );
      // The case must exercise the dropped mask: passing the same mask as mask= (always applied) differs.
      const masking = c.layers.find((l) => l.className === "Masking");
      expect(masking?.className).toBe("Masking");
      const explicit = {
        ...c,
        layers: c.layers.filter((l) => l.className === "LSTM"),
        // masked steps' inputs are skipped, so they need not be zeroed as Masking does
        calls: c.calls.map((call) => ({ ...call, mask: maskingLayerMask(call.x, masking!.config.mask_value) })),
      };
      const withMask = await referenceEngine.run(explicit);
      expect(compareTensors(fromKeras[0]![0]!, withMask[0]![0]!, BASE_TOLERANCE).mismatches).toBeGreaterThan(0);
    }, 120_000);
  }

  it("passes the other properties (metamorphic and fixture-anchored) with Keras as the engine", async () => {
    const results = await runProperties(keras, { numRuns: 5, seed: 4242, fixtures: corpus.cases, timeoutMs: 120_000 });
    const bad = results.filter((r) => r.id !== "agrees-with-reference" && (r.status === "fail" || r.status === "error"));
    console.log(`python-keras properties: ${results.map((r) => `${r.id} ${r.status} (${r.runs} runs, ${Math.round(r.timeMs ?? 0)} ms)`).join("; ")}`);
    expect(bad.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
  }, 900_000);
});
