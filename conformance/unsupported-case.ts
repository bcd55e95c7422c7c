/**
 * Recognises an engine's "I cannot express this case" (spec/adapter.md §2, `UnsupportedCaseError`),
 * also when it crossed a module or process boundary and only its name survived.
 */
import { UnsupportedCaseError } from "./engine.ts";

/** The reason an engine gave for declining a case, or null when `e` is any other error. */
export function unsupportedReason(e: unknown): string | null {
  if (e instanceof UnsupportedCaseError) return e.reason;
  if (e instanceof Error && e.name === "UnsupportedCaseError") return (e as Partial<UnsupportedCaseError>).reason ?? e.message;
  return null;
}
