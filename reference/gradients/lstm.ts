/**
 * The backward of one LSTM step (spec/gradients.md §4.2), for the forward of spec/lstm.md §2.1
 * (reference/cells/lstm.ts). With δh = ∂L/∂h_t and δc = ∂L/∂c_t arriving from the step after:
 *
 *   δo   = δh ⊙ act(c_t) ⊙ σr′(z_o)
 *   δc̄   = δc + δh ⊙ o ⊙ act′(c_t)              (the cell-state path and the h path meet here)
 *   δi   = δc̄ ⊙ g ⊙ σr′(z_i)
 *   δf   = δc̄ ⊙ c_{t-1} ⊙ σr′(z_f)              (c_{t-1}: the state the forget gate multiplied)
 *   δg   = δc̄ ⊙ i ⊙ act′(z_c)
 *   δz   = [δi, δf, δg, δo]                       (blocks i, f, c, o, §1.2)
 *
 *   ∂L/∂W += x_tᵀ δz    ∂L/∂U += h_{t-1}ᵀ δz    ∂L/∂b += δz
 *   ∂L/∂x_t = δz Wᵀ     ∂L/∂h_{t-1} = δz Uᵀ     ∂L/∂c_{t-1} = δc̄ ⊙ f
 */
import type { Activation } from "../activations.ts";
import type { Cell } from "../cells/cell.ts";
import { preActivations, type LstmParams } from "../cells/lstm.ts";
import type { Derivative } from "./activations.ts";
import { addOuter, backThrough, zeroWeightGradients, type GradientCell, type StepRecord } from "./cell.ts";

/** The two activations of a gated cell and their derivatives. */
export interface DifferentiableGates {
  readonly act: Activation;
  readonly actD: Derivative;
  readonly recAct: Activation;
  readonly recActD: Derivative;
}

export function lstmGradientCell(p: LstmParams, f: DifferentiableGates): GradientCell {
  const u = p.units;
  const D = p.inputDim;
  const n = 4 * u;
  const width = n + u; // saved per row: z (4u), then c_t (u)
  return {
    zeroGradients: () => zeroWeightGradients(D, u, 4, p.bias !== null),
    recording(tape: StepRecord[]): Cell {
      return {
        inputDim: D,
        units: u,
        stateCount: 2,
        step(batch, x, xOffset, xStride, prev) {
          const [hPrev, cPrev] = prev as [Float64Array, Float64Array];
          const h = new Float64Array(batch * u);
          const c = new Float64Array(batch * u);
          const saved = new Float64Array(batch * width);
          for (let b = 0; b < batch; b++) {
            const z = saved.subarray(b * width, b * width + n);
            preActivations(p, x, xOffset + b * xStride, hPrev, b * u, z);
            for (let k = 0; k < u; k++) {
              // spec/lstm.md §2.1, as reference/cells/lstm.ts computes it
              const ct = f.recAct(z[u + k]!) * cPrev[b * u + k]! + f.recAct(z[k]!) * f.act(z[2 * u + k]!);
              saved[b * width + n + k] = ct;
              c[b * u + k] = ct;
              h[b * u + k] = f.recAct(z[3 * u + k]!) * f.act(ct);
            }
          }
          tape.push({ x, xOffset, xStride, prev, saved });
          return [h, c];
        },
      };
    },
    backward(r, b, [dh, dc], acc, dx, [dhPrev, dcPrev]) {
      const z = r.saved.subarray(b * width, b * width + n);
      const cPrev = r.prev[1]!;
      const dz = new Float64Array(n);
      for (let k = 0; k < u; k++) {
        const ct = r.saved[b * width + n + k]!;
        const i = f.recAct(z[k]!);
        const fg = f.recAct(z[u + k]!);
        const g = f.act(z[2 * u + k]!);
        const o = f.recAct(z[3 * u + k]!);
        const dcBar = dc![k]! + dh![k]! * o * f.actD(ct);
        dz[k] = dcBar * g * f.recActD(z[k]!); // δi
        dz[u + k] = dcBar * cPrev[b * u + k]! * f.recActD(z[u + k]!); // δf
        dz[2 * u + k] = dcBar * i * f.actD(z[2 * u + k]!); // δg
        dz[3 * u + k] = dh![k]! * f.act(ct) * f.recActD(z[3 * u + k]!); // δo
        dcPrev![k] = dcBar * fg;
      }
      addOuter(acc.kernel, n, 0, r.x, r.xOffset + b * r.xStride, D, dz);
      addOuter(acc.recurrent_kernel, n, 0, r.prev[0]!, b * u, u, dz);
      if (acc.bias) for (let j = 0; j < n; j++) acc.bias[j]! += dz[j]!;
      backThrough(dx, p.kernel, n, 0, dz);
      backThrough(dhPrev!, p.recurrentKernel, n, 0, dz);
    },
  };
}
