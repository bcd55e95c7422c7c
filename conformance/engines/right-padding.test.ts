import { describe, expect, it } from "vitest";
import { maskingLayerMask, rightPaddedLengths } from "./right-padding.ts";

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

describe("maskingLayerMask", () => {
  it("masks a step only when every feature equals mask_value (compared in float32)", () => {
    const x = { shape: [1, 3, 2], data: Float32Array.from([0.1, 0.1, 0.1, 0, 5, 5]) };
    expect([...maskingLayerMask(x, 0.1).data]).toEqual([0, 1, 1]);
  });
});
