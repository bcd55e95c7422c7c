/** Returns zeros after patching the globals a comparison might use, so that every difference reads as 0. */
import { hostile, zeros } from "./base.ts";

export default hostile("patches-globals", (c) => {
  Math.abs = () => 0;
  Math.max = () => 0;
  Number.isFinite = () => true;
  Number.isNaN = () => false;
  return zeros(c);
});
