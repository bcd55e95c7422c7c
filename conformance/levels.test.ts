import { describe, expect, it } from "vitest";
import { isOutOfScope, levelReached, outOfScope, SCOPE_FEATURES } from "./levels.ts";

const pass = { status: "pass", core: true };
const evidence = { status: "pass", evidence: true };

describe("scope: cells and the Bidirectional wrapper (levels.ts SCOPE_FEATURES)", () => {
  it("a Bidirectional case or property the engine lacks the wrapper for counts toward no level", () => {
    expect(SCOPE_FEATURES).toContain("bidirectional");
    const bidiCase = { status: "unsupported", core: false, missingFeatures: ["bidirectional" as const] };
    const bidiProperty = { status: "unsupported", evidence: true, missingFeatures: ["bidirectional" as const] };
    expect(isOutOfScope(bidiCase)).toBe(true);
    expect(levelReached({ cases: [pass, bidiCase], properties: [evidence, bidiProperty] })).toBe("full");
  });

  it("a missing option is not a scope: the case blocks full, and so does the property", () => {
    const masked = { status: "unsupported", core: false, missingFeatures: ["mask" as const] };
    expect(isOutOfScope(masked)).toBe(false);
    expect(levelReached({ cases: [pass, masked], properties: [evidence] })).toBe("core");
    expect(levelReached({ cases: [pass], properties: [evidence, { status: "unsupported", evidence: true, missingFeatures: ["mask" as const] }] })).toBe("core");
  });

  it("an out-of-scope Bidirectional that did run and failed still blocks (only unsupported is out of scope)", () => {
    const failed = { status: "fail", core: false, missingFeatures: ["bidirectional" as const] };
    expect(levelReached({ cases: [pass, failed], properties: [evidence] })).toBe("core");
    expect(levelReached({ cases: [pass], properties: [{ status: "fail", evidence: true, missingFeatures: ["bidirectional" as const] }] })).toBe("core");
  });

  it("out-of-scope results alone are no evidence", () => {
    const bidiProperty = { status: "unsupported", evidence: true, missingFeatures: ["bidirectional" as const] };
    expect(levelReached({ cases: [pass], properties: [bidiProperty] })).toBe("core");
  });
});

describe("outOfScope: what a level does not speak for", () => {
  it("counts the unsupported cases and properties per scope feature, and nothing else", () => {
    const r = {
      cases: [
        { status: "unsupported", core: false, missingFeatures: ["cell:gru" as const, "bidirectional" as const] },
        { status: "unsupported", core: false, missingFeatures: ["bidirectional" as const] },
        { status: "unsupported", core: false, missingFeatures: ["mask" as const] },
        { status: "fail", core: false, missingFeatures: ["gradients" as const] },
        pass,
      ],
      properties: [{ status: "unsupported", missingFeatures: ["bidirectional" as const] }],
    };
    expect(outOfScope(r)).toEqual([{ feature: "cell:gru", count: 1 }, { feature: "bidirectional", count: 3 }]);
  });
});

describe("scope: the gradient capability (spec/gradients.md §7.1)", () => {
  const pass = { status: "pass", core: true };
  const evidence = { status: "pass", evidence: true };
  it("gradient cases an engine cannot compute are out of its scope: they block no level", () => {
    expect(SCOPE_FEATURES).toContain("gradients");
    const gradientCase = { status: "unsupported", core: false, missingFeatures: ["gradients" as const] };
    expect(isOutOfScope(gradientCase)).toBe(true);
    expect(levelReached({ cases: [pass, gradientCase], properties: [evidence] })).toBe("full");
  });
  it("an engine that declares gradients is judged on them toward full, never core: one failing, erroring or declined blocks full", () => {
    for (const status of ["fail", "error", "unsupported"]) {
      const gradientCase = { status, core: false, missingFeatures: [] };
      expect(isOutOfScope(gradientCase), status).toBe(false);
      expect(levelReached({ cases: [pass, gradientCase], properties: [evidence] }), status).toBe("core");
    }
    // gradient cases alone are no core: a run with only them reaches no level
    expect(levelReached({ cases: [{ status: "pass", core: false }], properties: [evidence] })).toBe("none");
  });
});
