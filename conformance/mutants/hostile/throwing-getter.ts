/** Returns an output whose `shape` getter throws when the judge reads it. */
import { correct, hostile } from "./base.ts";

export default hostile("throwing-getter", (c) =>
  correct(c).map((outs) =>
    outs.map((t) => ({
      data: t.data,
      get shape(): number[] {
        throw Object.create(null) as unknown;
      },
    })),
  ),
);
