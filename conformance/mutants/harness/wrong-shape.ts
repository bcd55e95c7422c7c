/** Harness mutant: returns the first output without its last unit (shape (…, units − 1)). */
import type { Engine } from "../../engine.ts";
import { naiveLstmEngine, naiveLstmFeatures } from "../naive-lstm.ts";

const correct = naiveLstmEngine({ name: "naive" });

export const engine: Engine = {
  name: "mutant:harness/wrong-shape",
  version: "1.0.0",
  features: naiveLstmFeatures,
  run: (c) =>
    correct.run(c).map((outputs) =>
      outputs.map((t, k) => {
        if (k > 0) return t;
        const u = t.shape.at(-1)!;
        const rows = t.data.length / u;
        const data = new Float32Array(rows * (u - 1));
        for (let r = 0; r < rows; r++) data.set(t.data.subarray(r * u, r * u + u - 1), r * (u - 1));
        return { shape: [...t.shape.slice(0, -1), u - 1], data };
      }),
    ),
};
export default engine;
