/** Returns objects that claim to be Float32Arrays (prototype and tag) but hold zeros. */
import type { EngineOutputs } from "../../engine.ts";
import { correct, hostile } from "./base.ts";

export default hostile("fake-typed-array", (c) =>
  correct(c).map((outs) =>
    outs.map((t) => {
      const fake = Object.create(Float32Array.prototype) as Record<string | number, unknown>;
      for (let i = 0; i < t.data.length; i++) fake[i] = 0;
      Object.defineProperty(fake, "length", { value: t.data.length });
      return { shape: t.shape, data: fake };
    }),
  ) as unknown as EngineOutputs,
);
