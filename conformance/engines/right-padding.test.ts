import { describe, expect, it } from "vitest";
import { rightPaddedLengths } from "./right-padding.ts";

const mask = (rows: string[]) => ({ shape: [rows.length, rows[0]!.length], data: Uint8Array.from(rows.join(""), (c) => Number(c)) });

describe("rightPaddedLengths", () => {
  it("reads right-padded rows as lengths, including empty and full rows", () => {
    expect(rightPaddedLengths(mask(["1100", "1111", "0000"]))).toEqual({ ok: true, lengths: [2, 4, 0] });
  });

  it("refuses left padding and holes, naming the row and the step", () => {
    const left = rightPaddedLengths(mask(["1111", "0111"]));
    expect(left.ok).toBe(false);
    expect(!left.ok && left.reason).toMatch(/batch row 1 \(0111\).*step 1 is valid after masked step 0/);
    const hole = rightPaddedLengths(mask(["1011"]));
    expect(!hole.ok && hole.reason).toMatch(/step 2 is valid after masked step 1/);
  });
});
