import { makeStyles, tokens } from "@fluentui/react-components";

export const useStyles = makeStyles({
  wizard: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  column: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "720px" },
  list: { listStyleType: "none", margin: 0, padding: 0 },
  row: {
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalXXS} 0`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: "anywhere" },
  json: { fontFamily: tokens.fontFamilyMonospace, minHeight: "320px" },
  nav: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center" },
  muted: { color: tokens.colorNeutralForeground3 },
  // Spinners start where the text does (Fluent centres them in their row).
  spinner: { justifyContent: "flex-start" },
});
