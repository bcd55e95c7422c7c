/** Answers correctly, but leaves a rejected promise nobody handles while the case is computed. */
import { correct, hostile } from "./base.ts";

export default hostile("unhandled-rejection", async (c) => {
  void Promise.reject(new Error("nobody awaited this"));
  await new Promise((resolve) => setTimeout(resolve, 20));
  return correct(c);
});
