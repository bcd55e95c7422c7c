/** Returns outputs that contain themselves. */
import type { EngineOutputs } from "../../engine.ts";
import { correct, hostile } from "./base.ts";

export default hostile("cyclic-outputs", (c) => {
  const outs = correct(c).map((o) => [...o]) as unknown[][];
  (outs[0] as unknown[]).push(outs);
  return outs as unknown as EngineOutputs;
});
