import { describe, expect, it } from "vitest";
import { resolveTheme } from "./theme";

const media = (matching: string[]) => (query: string) => matching.includes(query);

describe("resolveTheme", () => {
  it("follows the OS colour scheme", () => {
    expect(resolveTheme("system", media([]))).toBe("light");
    expect(resolveTheme("system", media(["(prefers-color-scheme: dark)"]))).toBe("dark");
  });

  it("lets forced colours (Windows high contrast) win over dark mode", () => {
    expect(
      resolveTheme("system", media(["(prefers-color-scheme: dark)", "(forced-colors: active)"])),
    ).toBe("highContrast");
  });

  it("keeps an explicit choice whatever the OS says", () => {
    expect(resolveTheme("light", media(["(prefers-color-scheme: dark)"]))).toBe("light");
    expect(resolveTheme("highContrast", media([]))).toBe("highContrast");
  });
});
