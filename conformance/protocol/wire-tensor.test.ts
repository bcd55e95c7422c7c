import { describe, expect, it } from "vitest";
import { float32ToWire, tensorFromWire, tensorToWire } from "./wire-tensor.ts";

describe("float32ToWire (spec/adapter.md §8.6)", () => {
  it("writes the shortest decimal that gives back the same float32", () => {
    expect(JSON.stringify(float32ToWire(Math.fround(0.1)))).toBe("0.1");
    expect(JSON.stringify(float32ToWire(Math.fround(-1.2345678)))).toBe("-1.2345678");
    expect(JSON.stringify(float32ToWire(Math.fround(3e-40)))).toBe("3e-40"); // subnormal
  });

  it("round-trips every float32 bit pattern it is given", () => {
    const bits = new Uint32Array(5_000);
    let s = 12345;
    for (let k = 0; k < bits.length; k++) bits[k] = s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const values = new Float32Array(bits.buffer).filter((v) => Number.isFinite(v));
    for (const v of values) expect(Math.fround(Number(JSON.stringify(float32ToWire(v))))).toBe(v);
  });

  it("sends non-finite values as strings and reads them back", () => {
    const t = tensorToWire({ shape: [3], data: Float32Array.from([NaN, Infinity, -Infinity]) });
    expect(t.data).toEqual(["NaN", "Infinity", "-Infinity"]);
    const back = tensorFromWire(JSON.parse(JSON.stringify(t)), "/x");
    expect(Number.isNaN(back.data[0])).toBe(true);
    expect(back.data[1]).toBe(Infinity);
    expect(back.data[2]).toBe(-Infinity);
  });
});

describe("tensorFromWire", () => {
  it.each([
    [{ dtype: "float32", shape: [2], data: [1] }, "/o/data: shape (2,) needs 2 values, got 1"],
    [{ dtype: "float64", shape: [1], data: [1] }, '/o/dtype: expected "float32", got "float64"'],
    [{ dtype: "float32", shape: [-1], data: [] }, "/o/shape: expected a list of non-negative integers, got [-1]"],
    [{ dtype: "float32", shape: [1], data: ["1"] }, '/o/data/0: expected a number (or "NaN", "Infinity", "-Infinity"), got "1"'],
    [[1, 2], "/o: expected a tensor {dtype, shape, data}, got [1,2]"],
  ])("refuses %j, naming the field", (value, message) => {
    expect(() => tensorFromWire(value, "/o")).toThrow(message);
  });
});
