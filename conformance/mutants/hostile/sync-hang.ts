/** Never returns from `run`, synchronously: only stopping its thread ends it. */
import { hostile } from "./base.ts";

export default hostile("sync-hang", () => {
  for (;;) {
    // spin
  }
});
