import { useEffect, useState } from "react";
import { readChoice, resolveTheme, saveChoice, type ResolvedTheme, type ThemeChoice } from "./themeChoice";
import {
  teamsHighContrastTheme,
  webDarkTheme,
  webLightTheme,
  type Theme,
} from "@fluentui/react-components";

export type { ResolvedTheme, ThemeChoice } from "./themeChoice";
export { resolveTheme } from "./themeChoice";

export const themes: Record<ResolvedTheme, Theme> = {
  light: webLightTheme,
  dark: webDarkTheme,
  highContrast: teamsHighContrastTheme,
};

/**
 * The theme to render, kept in step with the OS while the choice is "system".
 * `prerendering` is the theme drawn at build time (firstScreen/prerender.tsx),
 * where there is no window to read the choice from.
 */
export function useTheme(prerendering?: ResolvedTheme): {
  choice: ThemeChoice;
  resolved: ResolvedTheme;
  setChoice: (choice: ThemeChoice) => void;
} {
  const [choice, setChoiceState] = useState<ThemeChoice>(() =>
    prerendering ? "system" : readChoice(window),
  );
  const media = (query: string) => window.matchMedia(query).matches;
  const [resolved, setResolved] = useState<ResolvedTheme>(() => prerendering ?? resolveTheme(choice, media));

  useEffect(() => {
    const update = () => setResolved(resolveTheme(choice, media));
    update();
    const queries = ["(forced-colors: active)", "(prefers-color-scheme: dark)"].map((q) =>
      window.matchMedia(q),
    );
    queries.forEach((q) => q.addEventListener("change", update));
    return () => queries.forEach((q) => q.removeEventListener("change", update));
  }, [choice]);

  const setChoice = (next: ThemeChoice) => {
    saveChoice(window, next);
    setChoiceState(next);
  };
  return { choice, resolved, setChoice };
}
