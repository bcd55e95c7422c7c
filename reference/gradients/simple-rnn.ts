/**
 * The backward of one SimpleRNN step (spec/gradients.md §4.4), for h_t = act(a), a = x_t·W + b +
 * h_{t-1}·U (spec/simple-rnn.md §2.1, reference/cells/simple-rnn.ts). With δh = ∂L/∂h_t:
 *
 *   δa = δh ⊙ act′(a)
 *   ∂L/∂W += x_tᵀ δa    ∂L/∂U += h_{t-1}ᵀ δa    ∂L/∂b += δa
 *   ∂L/∂x_t = δa Wᵀ     ∂L/∂h_{t-1} = δa Uᵀ
 */
import type { Activation } from "../activations.ts";
import { affine } from "../cells/affine.ts";
import { oneStateCell, type Cell } from "../cells/cell.ts";
import type { SimpleRnnParams } from "../cells/simple-rnn.ts";
import type { Derivative } from "./activations.ts";
import { addOuter, backThrough, zeroWeightGradients, type GradientCell, type StepRecord } from "./cell.ts";

export function simpleRnnGradientCell(p: SimpleRnnParams, act: Activation, actD: Derivative): GradientCell {
  const u = p.units;
  const D = p.inputDim;
  return {
    zeroGradients: () => zeroWeightGradients(D, u, 1, p.bias !== null),
    recording(tape: StepRecord[]): Cell {
      return oneStateCell(p, (batch, x, xOffset, xStride, hPrev) => {
        const h = new Float64Array(batch * u);
        const saved = new Float64Array(batch * u); // a, per row
        const xw = new Float64Array(u);
        const hu = new Float64Array(u);
        for (let b = 0; b < batch; b++) {
          affine(xw, p.bias, x, xOffset + b * xStride, D, p.kernel, u); // x_t·W + b
          affine(hu, null, hPrev, b * u, u, p.recurrentKernel, u); // h_{t-1}·U
          for (let k = 0; k < u; k++) {
            saved[b * u + k] = xw[k]! + hu[k]!;
            h[b * u + k] = act(saved[b * u + k]!);
          }
        }
        tape.push({ x, xOffset, xStride, prev: [hPrev], saved });
        return h;
      });
    },
    backward(r, b, [dh], acc, dx, [dhPrev]) {
      const da = new Float64Array(u);
      for (let k = 0; k < u; k++) da[k] = dh![k]! * actD(r.saved[b * u + k]!);
      addOuter(acc.kernel, u, 0, r.x, r.xOffset + b * r.xStride, D, da);
      addOuter(acc.recurrent_kernel, u, 0, r.prev[0]!, b * u, u, da);
      if (acc.bias) for (let k = 0; k < u; k++) acc.bias[k]! += da[k]!;
      backThrough(dx, p.kernel, u, 0, da);
      backThrough(dhPrev!, p.recurrentKernel, u, 0, da);
    },
  };
}
