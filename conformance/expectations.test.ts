import { describe, expect, it } from "vitest";
import { expectationFor, parseExpectations, unmatchedExpectations } from "./expectations.ts";

describe("expectations file", () => {
  const text = ["# known problems", "", "lstm/masking  fail  masked steps emit zeros  # issue 3", "lstm/masking/start/002 skip too slow", "lstm/stateful skip"].join("\n");

  it("parses entries and reports a missing reason with file and line", () => {
    const { expectations, errors } = parseExpectations(text, "exp.txt");
    expect(expectations.entries).toEqual([
      { pattern: "lstm/masking", kind: "fail", reason: "masked steps emit zeros", line: 3 },
      { pattern: "lstm/masking/start/002", kind: "skip", reason: "too slow", line: 4 },
    ]);
    expect(errors).toEqual(['exp.txt:5: "lstm/stateful skip" needs a reason (why it fails or is skipped)']);
  });

  it("refuses unknown kinds and duplicate entries", () => {
    const { errors } = parseExpectations("a/b xfail why\na/c fail why\na/c skip again", "e");
    expect(errors).toEqual(['e:1: the second field must be "fail" or "skip", got "xfail"', 'e:3: "a/c" is already listed on line 2']);
  });

  it("applies the most specific entry, on whole segments", () => {
    const { expectations } = parseExpectations(text, "exp.txt");
    expect(expectationFor(expectations, "lstm/masking/start/002")?.kind).toBe("skip");
    expect(expectationFor(expectations, "lstm/masking/start/001")?.kind).toBe("fail");
    expect(expectationFor(expectations, "lstm/masking_layer/001")).toBeUndefined();
  });

  it("warns about entries that match nothing", () => {
    const { expectations } = parseExpectations(text, "exp.txt");
    expect(unmatchedExpectations(expectations, ["lstm/masking/end/001"])).toEqual(['exp.txt:4: "lstm/masking/start/002" matches no case; remove it or fix the id']);
  });
});
