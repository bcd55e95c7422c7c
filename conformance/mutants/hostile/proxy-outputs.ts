/** Returns its output list behind a Proxy that lies about its length and items. */
import type { EngineOutputs } from "../../engine.ts";
import { correct, hostile } from "./base.ts";

export default hostile("proxy-outputs", (c) => {
  const real = correct(c);
  return new Proxy(real as unknown as object, {
    get: (target, key) => (key === "length" ? real.length : Reflect.get(target, key)),
  }) as EngineOutputs;
});
