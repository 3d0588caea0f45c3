import { Suspense } from "react";
import {
  Title2,
  Body1,
  Spinner,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { AppInfo } from "../bindings";
import { SCREENS, type Handoff, type ScreenId } from "../screens";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "960px" },
});

/** The page for one navigation entry. */
export function ScreenView({
  screen,
  info,
  onNavigate,
  handoff,
}: {
  screen: ScreenId;
  info: AppInfo | null;
  onNavigate?: (screen: ScreenId, handoff?: Handoff) => void;
  handoff?: Handoff | null;
}) {
  const styles = useStyles();
  const meta = SCREENS.find((s) => s.id === screen)!;
  return (
    <section className={styles.page} aria-labelledby="screen-title">
      <Title2 as="h1" id="screen-title">
        {meta.label}
      </Title2>
      <Body1>{meta.summary}</Body1>
      {/* The screen's code arrives with its first showing (a chunk of its own). */}
      <Suspense fallback={<Spinner size="small" label={`Opening ${meta.label}…`} />}>
        <meta.component info={info} onNavigate={onNavigate} handoff={handoff} />
      </Suspense>
    </section>
  );
}
