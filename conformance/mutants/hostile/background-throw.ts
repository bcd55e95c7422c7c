/** Answers correctly, but a timer it started throws while the case is being computed. */
import { correct, hostile } from "./base.ts";

export default hostile("background-throw", async (c) => {
  setTimeout(() => {
    throw new Error("background work failed");
  }, 0);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return correct(c);
});
