/** Correct, but its `close()` never returns, synchronously. */
import { correct, hostile } from "./base.ts";

export default hostile("close-hangs", correct, () => {
  for (;;) {
    // spin
  }
});
