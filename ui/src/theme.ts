import { useEffect, useState } from "react";
import {
  teamsHighContrastTheme,
  webDarkTheme,
  webLightTheme,
  type Theme,
} from "@fluentui/react-components";

/** What the admin picked; "system" follows the OS, including its high-contrast mode. */
export type ThemeChoice = "system" | "light" | "dark" | "highContrast";
export type ResolvedTheme = Exclude<ThemeChoice, "system">;

const STORAGE_KEY = "rolecall.theme";

export const themes: Record<ResolvedTheme, Theme> = {
  light: webLightTheme,
  dark: webDarkTheme,
  highContrast: teamsHighContrastTheme,
};

/** Resolves "system" from the OS: forced colours win over dark mode, as Windows does. */
export function resolveTheme(choice: ThemeChoice, media: (query: string) => boolean): ResolvedTheme {
  if (choice !== "system") return choice;
  if (media("(forced-colors: active)")) return "highContrast";
  return media("(prefers-color-scheme: dark)") ? "dark" : "light";
}

function readChoice(): ThemeChoice {
  const stored = window.localStorage.getItem(STORAGE_KEY);
  return stored === "light" || stored === "dark" || stored === "highContrast" ? stored : "system";
}

/** The theme to render, kept in step with the OS while the choice is "system". */
export function useTheme(): {
  choice: ThemeChoice;
  resolved: ResolvedTheme;
  setChoice: (choice: ThemeChoice) => void;
} {
  const [choice, setChoiceState] = useState<ThemeChoice>(readChoice);
  const media = (query: string) => window.matchMedia(query).matches;
  const [resolved, setResolved] = useState<ResolvedTheme>(() => resolveTheme(choice, media));

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
    if (next === "system") window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, next);
    setChoiceState(next);
  };
  return { choice, resolved, setChoice };
}
