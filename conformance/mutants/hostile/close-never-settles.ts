/** Correct, but its `close()` returns a promise that never settles. */
import { correct, hostile } from "./base.ts";

export default hostile("close-never-settles", correct, () => new Promise<void>(() => undefined));
