/** Correct, but its `close()` throws: the reports must already be written. */
import { correct, hostile } from "./base.ts";

export default hostile("close-throws", correct, () => {
  throw Object.create(null) as unknown;
});
