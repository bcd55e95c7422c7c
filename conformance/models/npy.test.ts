import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatNpy, parseNpy } from "./npy.ts";

const python = join(import.meta.dirname, "..", "..", ".venv", "bin", "python");

describe(".npy reader and writer", () => {
  it("round-trips any float32 tensor bit for bit", () => {
    const arb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
      fc.array(fc.float({ noNaN: true }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) }).map((v) => ({ shape, data: Float32Array.from(v) })),
    );
    fc.assert(
      fc.property(arb, (t) => {
        const back = parseNpy(formatNpy(t), "t.npy");
        return back.shape.join() === t.shape.join() && back.data.every((v, k) => Object.is(v, t.data[k]));
      }),
    );
  });

  it("refuses what it does not read, naming the file", () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3]), "bad.npy")).toThrow(/bad.npy: not a .npy file/);
    const f8 = formatNpy({ shape: [2], data: Float32Array.from([1, 2]) });
    const header = new TextDecoder().decode(f8.subarray(10, 60)).replace("<f4", ">f4");
    const swapped = f8.slice();
    swapped.set(new TextEncoder().encode(header), 10);
    expect(() => parseNpy(swapped, "be.npy")).toThrow(/be.npy: dtype >f4 is not supported/);
    expect(() => parseNpy(f8.subarray(0, f8.length - 1), "short.npy")).toThrow(/short.npy: data holds 7 bytes/);
  });

  it.skipIf(!existsSync(python))("numpy reads what we write and we read what numpy writes (float32, float64, Fortran refused)", () => {
    const dir = mkdtempSync(join(tmpdir(), "npy-"));
    writeFileSync(join(dir, "ours.npy"), formatNpy({ shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) }));
    const py = `import numpy as np
a = np.load("${dir}/ours.npy"); assert a.dtype == np.float32 and a.shape == (2, 3) and a[1, 2] == 6.5, a
np.save("${dir}/f4.npy", np.arange(6, dtype=np.float32).reshape(3, 2))
np.save("${dir}/f8.npy", np.arange(4, dtype=np.float64) / 3)
np.save("${dir}/fortran.npy", np.asfortranarray(np.ones((2, 3), dtype=np.float32)))`;
    const run = spawnSync(python, ["-c", py], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(parseNpy(readFileSync(join(dir, "f4.npy")), "f4").shape).toEqual([3, 2]);
    expect(Array.from(parseNpy(readFileSync(join(dir, "f8.npy")), "f8").data)).toEqual([0, 1, 2, 3].map((v) => Math.fround(v / 3)));
    expect(() => parseNpy(readFileSync(join(dir, "fortran.npy")), "fortran.npy")).toThrow(/Fortran-order/);
  });
});
