// The theme choice alone, without Fluent UI: the page's start script
// (firstScreen/early.ts) resolves it before React or Fluent UI has loaded.

/** What the admin picked; "system" follows the OS, including its high-contrast mode. */
export type ThemeChoice = "system" | "light" | "dark" | "highContrast";
export type ResolvedTheme = Exclude<ThemeChoice, "system">;

export const THEME_STORAGE_KEY = "rolecall.theme";
export const RESOLVED_THEMES: readonly ResolvedTheme[] = ["light", "dark", "highContrast"];

/** Resolves "system" from the OS: forced colours win over dark mode, as Windows does. */
export function resolveTheme(choice: ThemeChoice, media: (query: string) => boolean): ResolvedTheme {
  if (choice !== "system") return choice;
  if (media("(forced-colors: active)")) return "highContrast";
  return media("(prefers-color-scheme: dark)") ? "dark" : "light";
}

/** The stored choice; anything else (nothing stored, an old or edited value) is "system". */
export function readChoice(win: Pick<Window, "localStorage">): ThemeChoice {
  let stored: string | null = null;
  try {
    // Inside: a WebView that refuses storage throws from the getter itself.
    stored = win.localStorage.getItem(THEME_STORAGE_KEY);
  } catch {
    // Storage refused: follow the system.
  }
  return stored === "light" || stored === "dark" || stored === "highContrast" ? stored : "system";
}

/** Keeps the choice ("system": none kept); a refused storage keeps it for this run only. */
export function saveChoice(win: Pick<Window, "localStorage">, choice: ThemeChoice): void {
  try {
    if (choice === "system") win.localStorage.removeItem(THEME_STORAGE_KEY);
    else win.localStorage.setItem(THEME_STORAGE_KEY, choice);
  } catch {
    // Storage refused: the choice holds until the window closes.
  }
}

/** The theme this window resolves to now, as `useTheme` and the start script both read it. */
export function currentTheme(win: Pick<Window, "localStorage" | "matchMedia">): ResolvedTheme {
  return resolveTheme(readChoice(win), (query) => win.matchMedia(query).matches);
}
