/** Throws an object with no prototype: no toString, no message, nothing a naive `String(e)` can read. */
import { hostile } from "./base.ts";

export default hostile("throws-null-prototype", () => {
  throw Object.create(null) as unknown;
});
