import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DismissRegular } from "@fluentui/react-icons";
import type { StartupView } from "./bindings";
import { answerOf, useBackend } from "./backend";

const useStyles = makeStyles({
  failure: {
    gridRow: "1 / -1",
    overflowY: "auto",
    maxWidth: "720px",
    margin: "0 auto",
    padding: tokens.spacingHorizontalXXL,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
  },
  what: { whiteSpace: "pre-wrap", overflowWrap: "anywhere" },
  notices: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingHorizontalS,
  },
});

/**
 * Asks the backend how the start went before anything else: a failed start
 * shows only what failed, what to do and where the log is, with Quit; a good
 * one shows the app, with any notices (settings moved aside, a keychain out
 * of reach) above it until dismissed.
 */
export function StartupGate({ initial, children }: { initial?: StartupView; children: ReactNode }) {
  const backend = useBackend();
  // The start script's answer (firstScreen/early.ts), when it came first.
  const [report, setReport] = useState<StartupView | null>(initial ?? null);
  const styles = useStyles();

  useEffect(() => {
    if (initial) return;
    let live = true;
    answerOf(backend, "startupReport")
      .then((next) => {
        performance.mark("rolecall:startup-report");
        if (live) setReport(next);
      })
      .catch((error: unknown) =>
        live &&
        setReport({
          problem: { what: String(error), todo: "Close this window and open Rolecall again." },
          notices: [],
          logFolder: null,
        }),
      );
    return () => {
      live = false;
    };
  }, [backend, initial]);

  // Until the report is in, the frame is drawn without data (no command but
  // the report and the session is called before it: the backend's state may
  // not exist yet), so the first screen only has its own part left to draw.
  if (report?.problem) {
    return (
      <main className={styles.failure} data-testid="startup-failure">
        <h1>Rolecall could not start</h1>
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>What failed</MessageBarTitle>
            <span className={styles.what} data-testid="startup-failure-what">
              {report.problem.what}
            </span>
          </MessageBarBody>
        </MessageBar>
        <Text data-testid="startup-failure-todo">{report.problem.todo}</Text>
        {report.logFolder && (
          <Text>
            The log files are in <code className={styles.what}>{report.logFolder}</code>.
          </Text>
        )}
        <div>
          <Button appearance="primary" onClick={() => void backend.quit()} data-testid="startup-quit">
            Quit Rolecall
          </Button>
        </div>
      </main>
    );
  }
  // One tree shape before and after the report: the frame is not drawn twice.
  return (
    <StartedContext.Provider value={report !== null}>
      <NoticesContext.Provider value={report?.notices ?? NO_NOTICES}>{children}</NoticesContext.Provider>
    </StartedContext.Provider>
  );
}

const NO_NOTICES: string[] = [];
const NoticesContext = createContext<string[]>(NO_NOTICES);
const StartedContext = createContext(true);

/** Whether the start has ended well: commands other than the session may be called. */
export function useStarted(): boolean {
  return useContext(StartedContext);
}

/** The start's notices, each dismissible; placed by the frame under its header. */
export function StartupNotices() {
  const all = useContext(NoticesContext);
  const [dismissed, setDismissed] = useState<number[]>([]);
  const styles = useStyles();
  const notices = all.map((text, index) => ({ text, index })).filter(({ index }) => !dismissed.includes(index));
  if (notices.length === 0) return <div />;
  return (
    <div className={styles.notices} data-testid="startup-notices">
      {notices.map(({ text, index }) => (
        <MessageBar key={index} intent="warning" layout="multiline">
          <MessageBarBody className={styles.what}>{text}</MessageBarBody>
          <MessageBarActions
            containerAction={
              <Button
                appearance="transparent"
                aria-label="Dismiss"
                icon={<DismissRegular />}
                onClick={() => setDismissed((d) => [...d, index])}
              />
            }
          />
        </MessageBar>
      ))}
    </div>
  );
}
