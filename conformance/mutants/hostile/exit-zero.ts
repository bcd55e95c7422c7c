/** Ends the process with exit code 0 from inside `run`, hoping the CI gate reads that as a pass. */
import { hostile } from "./base.ts";

export default hostile("exit-zero", () => process.exit(0));
