/** Keras's output shapes, all zeros: the trivial engine a skip-everything expectations file would hide. */
import { hostile, zeros } from "./base.ts";

export default hostile("zeros", zeros);
