// @vitest-environment node
// The prerender as the build runs it: in Node, with no DOM, through Fluent's
// SSR path (the jsdom tests beside this one see a DOM and take another).
import { describe, expect, it } from "vitest";
import { RESOLVED_THEMES } from "../themeChoice";
import { prerender } from "./prerender";

describe("the build's prerender of the first screen", () => {
  const page = prerender();

  it.each(RESOLVED_THEMES)("draws the sign-in page with its %s theme's variables inside", (theme) => {
    const html = page.pages[theme];
    expect(html).toContain('data-testid="sign-in"');
    expect(html).toContain(`data-theme="${theme}"`);
    // FluentProvider's theme, as a <style> in the markup: the page is drawn in
    // its colours before any script of Fluent's runs.
    expect(html).toMatch(/<style id="fui-FluentProvider[^"]*">\.fui-FluentProvider[^{]*\{ --/);
    // The form waits for the settings, as React draws it; no data is baked in.
    expect(html).not.toContain('data-testid="tenant-input"');
  });

  it("collects Fluent's styles for <head>, marked for Griffel to take over", () => {
    expect(page.styles).toContain("data-make-styles-bucket");
    expect(page.styles).toContain("data-make-styles-rehydration");
    // The same atomic classes serve every theme (they read the theme's variables).
    const classes = (html: string) => new Set([...html.matchAll(/class="([^"]*)"/g)].flatMap((m) => m[1].split(" ")));
    const light = classes(page.pages.light);
    for (const theme of RESOLVED_THEMES) {
      for (const name of classes(page.pages[theme])) {
        if (/^f[a-z0-9]{5,8}$/.test(name)) expect(page.styles, `${theme}: .${name}`).toContain(`.${name}`);
      }
      expect(classes(page.pages[theme]).size).toBe(light.size);
    }
  });
});
