/**
 * The backward of one GRU step (spec/gradients.md §4.3), for both conventions of spec/gru.md §2.1,
 * §2.2 (reference/cells/gru.ts). Forward: xw = x_t·W + b_in, z = σr(xw_z + hu_z), r = σr(xw_r + hu_r),
 * h̃ = act(a), h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃. With δh = ∂L/∂h_t:
 *
 *   δz̄ = δh ⊙ (h_{t-1} − h̃) ⊙ σr′(xw_z + hu_z)      δa = δh ⊙ (1 − z) ⊙ act′(a)
 *   ∂L/∂h_{t-1} ∋ δh ⊙ z                               (the direct path through z ⊙ h_{t-1})
 *
 *   reset_after = true:  a = xw_h + r ⊙ hu_h, hu = h_{t-1}·U + b_rec
 *     δr̄ = δa ⊙ hu_h ⊙ σr′(·)
 *     δxw = [δz̄, δr̄, δa]        δhu = [δz̄, δr̄, δa ⊙ r]
 *     ∂L/∂W += x_tᵀ δxw, ∂L/∂b_in += δxw; ∂L/∂U += h_{t-1}ᵀ δhu, ∂L/∂b_rec += δhu
 *     ∂L/∂x_t = δxw Wᵀ;  ∂L/∂h_{t-1} += δhu Uᵀ
 *
 *   reset_after = false: a = xw_h + (r ⊙ h_{t-1})·U_h
 *     δ(r⊙h) = δa U_hᵀ,  δr̄ = δ(r⊙h) ⊙ h_{t-1} ⊙ σr′(·),  ∂L/∂h_{t-1} += δ(r⊙h) ⊙ r
 *     ∂L/∂U[:, z r] += h_{t-1}ᵀ [δz̄, δr̄],  ∂L/∂U[:, h] += (r ⊙ h_{t-1})ᵀ δa
 *     ∂L/∂W += x_tᵀ [δz̄, δr̄, δa], ∂L/∂b += [δz̄, δr̄, δa];  ∂L/∂h_{t-1} += [δz̄, δr̄] U[:, z r]ᵀ
 */
import type { Cell } from "../cells/cell.ts";
import { affine } from "../cells/affine.ts";
import { oneStateCell } from "../cells/cell.ts";
import type { GruParams } from "../cells/gru.ts";
import { addOuter, backThrough, zeroWeightGradients, type GradientCell, type StepRecord } from "./cell.ts";
import type { DifferentiableGates } from "./lstm.ts";

export function gruGradientCell(p: GruParams, f: DifferentiableGates): GradientCell {
  const u = p.units;
  const D = p.inputDim;
  const n = 3 * u;
  // saved per row: xw (3u), hu (3u with reset_after; 2u then r ⊙ h_{t-1}·U_h without), r ⊙ h_{t-1} (u)
  const width = n + n + u;
  const useBias = p.inputBias !== null;
  return {
    zeroGradients: () => zeroWeightGradients(D, u, 3, useBias, p.resetAfter ? 2 : 1),
    recording(tape: StepRecord[]): Cell {
      return oneStateCell(p, (batch, x, xOffset, xStride, hPrev) => {
        const h = new Float64Array(batch * u);
        const saved = new Float64Array(batch * width);
        for (let b = 0; b < batch; b++) {
          const row = b * u;
          const xw = saved.subarray(b * width, b * width + n);
          const hu = saved.subarray(b * width + n, b * width + 2 * n);
          const rh = saved.subarray(b * width + 2 * n, (b + 1) * width);
          affine(xw, p.inputBias, x, xOffset + b * xStride, D, p.kernel, n);
          if (p.resetAfter) {
            affine(hu, p.recurrentBias, hPrev, row, u, p.recurrentKernel, n);
            for (let k = 0; k < u; k++) {
              const z = f.recAct(xw[k]! + hu[k]!);
              const r = f.recAct(xw[u + k]! + hu[u + k]!);
              const hh = f.act(xw[2 * u + k]! + r * hu[2 * u + k]!);
              h[row + k] = z * hPrev[row + k]! + (1 - z) * hh;
            }
          } else {
            affine(hu.subarray(0, 2 * u), null, hPrev, row, u, p.recurrentKernel, n);
            for (let k = 0; k < u; k++) rh[k] = f.recAct(xw[u + k]! + hu[u + k]!) * hPrev[row + k]!;
            affine(hu.subarray(2 * u), null, rh, 0, u, p.recurrentKernel, n, 2 * u); // (r ⊙ h_{t-1})·U_h
            for (let k = 0; k < u; k++) {
              const z = f.recAct(xw[k]! + hu[k]!);
              const hh = f.act(xw[2 * u + k]! + hu[2 * u + k]!);
              h[row + k] = z * hPrev[row + k]! + (1 - z) * hh;
            }
          }
        }
        tape.push({ x, xOffset, xStride, prev: [hPrev], saved });
        return h;
      });
    },
    backward(rec, b, [dh], acc, dx, [dhPrev]) {
      const s = rec.saved;
      const base = b * width;
      const hPrev = rec.prev[0]!;
      const dxw = new Float64Array(n);
      const dhu = new Float64Array(n);
      const dPrev = dhPrev!;
      for (let k = 0; k < u; k++) {
        const xz = s[base + k]! + s[base + n + k]!;
        const xr = s[base + u + k]! + s[base + n + u + k]!;
        const z = f.recAct(xz);
        const r = f.recAct(xr);
        const a = p.resetAfter ? s[base + 2 * u + k]! + r * s[base + n + 2 * u + k]! : s[base + 2 * u + k]! + s[base + n + 2 * u + k]!;
        const hh = f.act(a);
        const hp = hPrev[b * u + k]!;
        const dzBar = dh![k]! * (hp - hh) * f.recActD(xz);
        const da = dh![k]! * (1 - z) * f.actD(a);
        dPrev[k] = dh![k]! * z;
        dxw[k] = dzBar;
        dxw[2 * u + k] = da;
        dhu[k] = dzBar;
        if (p.resetAfter) {
          const drBar = da * s[base + n + 2 * u + k]! * f.recActD(xr);
          dxw[u + k] = drBar;
          dhu[u + k] = drBar;
          dhu[2 * u + k] = da * r;
        }
      }
      if (!p.resetAfter) {
        // δ(r ⊙ h_{t-1}) = δa U_hᵀ; then into r and, through the product, into h_{t-1}
        const drh = new Float64Array(u);
        backThrough(drh, p.recurrentKernel, n, 2 * u, dxw.subarray(2 * u));
        for (let k = 0; k < u; k++) {
          const r = f.recAct(s[base + u + k]! + s[base + n + u + k]!);
          const drBar = drh[k]! * hPrev[b * u + k]! * f.recActD(s[base + u + k]! + s[base + n + u + k]!);
          dxw[u + k] = drBar;
          dhu[u + k] = drBar;
          dPrev[k]! += drh[k]! * r;
        }
      }
      addOuter(acc.kernel, n, 0, rec.x, rec.xOffset + b * rec.xStride, D, dxw);
      backThrough(dx, p.kernel, n, 0, dxw);
      if (acc.bias) for (let j = 0; j < n; j++) acc.bias[j]! += dxw[j]!;
      if (p.resetAfter) {
        addOuter(acc.recurrent_kernel, n, 0, hPrev, b * u, u, dhu);
        if (acc.bias) for (let j = 0; j < n; j++) acc.bias[n + j]! += dhu[j]!;
        backThrough(dPrev, p.recurrentKernel, n, 0, dhu, true);
      } else {
        const zr = dhu.subarray(0, 2 * u);
        addOuter(acc.recurrent_kernel, n, 0, hPrev, b * u, u, zr);
        addOuter(acc.recurrent_kernel, n, 2 * u, s, base + 2 * n, u, dxw.subarray(2 * u)); // (r ⊙ h_{t-1})ᵀ δa
        backThrough(dPrev, p.recurrentKernel, n, 0, zr, true);
      }
    },
  };
}
