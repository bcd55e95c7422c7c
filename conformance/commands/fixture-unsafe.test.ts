// Model files that hold code (spec/porting.md §11): tf-keras's legacy .h5 loader runs a Lambda layer's
// bytecode with no safe mode, so `fixture --keras` and the generator's saved-model entries refuse such a file,
// naming the layer, unless `--unsafe` (`"unsafe": true`) is given. The models are built by real Keras in the
// test: a Lambda whose function creates a marker file when called, which Keras does while it rebuilds the model.
// Needs the pinned venv. One Python process builds everything (~10 s); the refusals take under a second each
// (no Keras is imported); the tests marked SLOW run Keras (~10 s each).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadFixtureFile } from "../fixtures/load.ts";
import { codeInModelConfig, describeCode } from "../models/model-code.ts";
import { packageRoot } from "../package-paths.ts";
import { main } from "./fixture.ts";

const venvPython = join(packageRoot(), ".venv", "bin", "python");
const generator = join(packageRoot(), "scripts", "generate_fixtures.py");
const KERAS_TIMEOUT_MS = 180_000;
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2", KERAS_BACKEND: "tensorflow" };

/** Configs for the rule parity check: what the generator finds, the TypeScript reader finds too. */
const fn = { module: "builtins", class_name: "function", config: "my_act", registered_name: "function" };
const PARITY_CONFIGS: unknown[] = [
  {
    module: "keras.src.models.functional",
    class_name: "Functional",
    config: {
      name: "outer",
      layers: [
        { module: "keras.layers", class_name: "Sequential", config: { name: "inner", layers: [{ module: "keras.layers", class_name: "TimeDistributed", config: { name: "td", layer: { class_name: "Lambda", config: { name: "in_td" } } } }] } },
        { module: "keras.layers", class_name: "Bidirectional", config: { name: "bi", layer: { class_name: "LSTM", config: { name: "f", activation: fn } }, backward_layer: { module: "my_layers", class_name: "LSTM", config: { name: "b" } } } },
        { module: "keras.layers", class_name: "RNN", config: { name: "rnn", cell: { module: null, class_name: "MyCell", config: { name: "c" }, registered_name: "mine>MyCell" } } },
        { class_name: "Dense", config: { name: "d" }, inbound_nodes: [{ args: [], kwargs: { k: { class_name: "__lambda__", config: { code: "" } } } }] },
        { class_name: "Lambda", config: { name: "old", function: ["4wEA", null, null], function_type: "lambda" } },
      ],
    },
    compile_config: { loss: fn },
  },
];

/** Builds the test's model files with tf-keras and Keras 3, and runs the generator's rules on PARITY_CONFIGS. */
const BUILD = String.raw`
import json, os, sys
os.environ["KERAS_BACKEND"] = "tensorflow"
sys.path.insert(0, sys.argv[3])
out, marker = sys.argv[1], sys.argv[2]
# The lambda creates the marker whenever Keras calls it: at build time, and when a loader rebuilds the model.
def payload():
    return eval(f"lambda x: (open({marker!r}, 'w').close(), x)[1]")
import tf_keras
inp = tf_keras.Input((3, 2))
tf_keras.Model(inp, tf_keras.layers.LSTM(2, name="lstm")(tf_keras.layers.Lambda(payload(), name="evil")(inp))).save(os.path.join(out, "lambda.h5"))
class Scale(tf_keras.layers.Layer):  # not registered: the .h5 says only "Scale"
    def call(self, x):
        return x * 2.0
inp = tf_keras.Input((3, 2))
tf_keras.Model(inp, Scale(name="scale")(tf_keras.layers.LSTM(2, name="lstm", return_sequences=True)(inp))).save(os.path.join(out, "custom.h5"))
import keras
inp = keras.Input((3, 2))
keras.Model(inp, keras.layers.LSTM(2, name="lstm")(keras.layers.Lambda(payload(), name="evil")(inp))).save(os.path.join(out, "lambda.keras"))
with open(os.path.join(out, "parity.json")) as f:
    configs = json.load(f)
from keras_fixtures.model_safety import code_in_config  # last: the models above need none of the suite's code
print(json.dumps([code_in_config(c) for c in configs]))
`;

let dir = "";
let marker = "";
let parity: string[][] = [];

/** Runs `fixture`, capturing stderr. */
async function fixture(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    return { code: await main(args), stderr };
  } finally {
    spy.mockRestore();
  }
}

/** The generator's `cases` mode on a one-entry list. */
function cases(entry: Record<string, unknown>): { status: number | null; stderr: string; out: string } {
  const list = join(dir, `list-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(list, JSON.stringify({ family: "user/unsafe", cases: [entry] }));
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const run = spawnSync(venvPython, [generator, "cases", "--cases", list, "--out", out, "--no-jax"], { encoding: "utf8", env });
  return { status: run.status, stderr: run.stderr, out };
}

const args = (model: string) => ["--model", join(dir, model), "--layer", "lstm", "--input", join(dir, "x.json"), "--keras"];
const LAMBDA_REFUSED = /layer "evil" \(Lambda\): its function is Python code stored in the file, which Keras runs when it rebuilds the model/;

describe.skipIf(!existsSync(venvPython))("model files that hold code are not loaded without --unsafe", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "fixture-unsafe-"));
    marker = join(dir, "MARKER");
    writeFileSync(join(dir, "build.py"), BUILD);
    writeFileSync(join(dir, "parity.json"), JSON.stringify(PARITY_CONFIGS));
    writeFileSync(join(dir, "x.json"), JSON.stringify({ shape: [1, 3, 2], data: [0.1, -0.2, 0.3, 0.4, -0.5, 0.6] }));
    const run = spawnSync(venvPython, [join(dir, "build.py"), dir, marker, join(packageRoot(), "scripts")], { encoding: "utf8", env });
    if (run.status !== 0) throw new Error(`building the test models failed: ${run.stderr}`);
    parity = JSON.parse(run.stdout.trim().split("\n").pop()!) as string[][];
    // Building called the lambda; from here on the marker means "a loader ran it".
    expect(existsSync(marker)).toBe(true);
    rmSync(marker);
  }, KERAS_TIMEOUT_MS);

  it("fixture --keras refuses a tf-keras .h5 and a Keras 3 .keras with a Lambda layer, exit 2, and nothing runs", async () => {
    for (const model of ["lambda.h5", "lambda.keras"]) {
      const r = await fixture([...args(model), "--out", join(dir, "never.json")]);
      expect(r.code, model).toBe(2);
      expect(r.stderr, model).toMatch(LAMBDA_REFUSED);
      expect(r.stderr, model).toMatch(/--unsafe loads it anyway/);
      expect(r.stderr, model).not.toMatch(/running Keras/);
      expect(existsSync(marker), model).toBe(false);
      expect(existsSync(join(dir, "never.json"))).toBe(false);
    }
  });

  it("the generator's cases mode refuses them too, before it imports Keras (exit 2, nothing written)", () => {
    for (const model of ["lambda.h5", "lambda.keras"]) {
      const r = cases({ model: join(dir, model), layer: "lstm", input: join(dir, "x.json") });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`error: .*cases\\[0\\]\\.model: .*${model.replace(".", "\\.")}: ${LAMBDA_REFUSED.source}; not loaded \\("unsafe": true on the entry lets Keras load it and run that code\\)`));
      expect(r.stderr).not.toContain("Traceback");
      expect(existsSync(r.out)).toBe(false);
      expect(existsSync(marker)).toBe(false);
    }
    expect(cases({ model: join(dir, "lambda.h5"), layer: "lstm", input: join(dir, "x.json"), unsafe: "yes" }).stderr).toMatch(/cases\[0\]\.unsafe: must be true or false/);
  });

  it("the generator's rules find what the TypeScript reader's find", () => {
    expect(parity).toEqual(PARITY_CONFIGS.map((c) => codeInModelConfig(c).map(describeCode)));
    expect(parity[0]).toHaveLength(6);
  });

  it("SLOW: a custom class only the installed Keras can tell from its own is refused by the generator", async () => {
    const r = await fixture(args("custom.h5"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--keras: the Keras generator refused the case: .*custom\.h5: layer "scale" \(Scale\): "Scale" is not a class the installed Keras has \(a custom class\); not loaded/);
  }, KERAS_TIMEOUT_MS);

  it("SLOW: with --unsafe the .h5 and the .keras are loaded (Keras runs the lambda) and the fixture is written", async () => {
    for (const model of ["lambda.h5", "lambda.keras"]) {
      const out = join(dir, `${model}.json`);
      const r = await fixture([...args(model), "--unsafe", "--out", out]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(marker), model).toBe(true);
      rmSync(marker);
      const loaded = loadFixtureFile(out);
      expect(loaded.errors).toEqual([]);
      expect(loaded.cases[0]!.description).toMatch(/^Keras-computed/);
    }
  }, 2 * KERAS_TIMEOUT_MS);
});
