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
import { useBackend } from "./backend";

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
export function StartupGate({ children }: { children: ReactNode }) {
  const backend = useBackend();
  const [report, setReport] = useState<StartupView | null>(null);
  const styles = useStyles();

  useEffect(() => {
    let live = true;
    backend
      .startupReport()
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
  }, [backend]);

  if (report === null) return null;
  if (report.problem) {
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
  return <NoticesContext.Provider value={report.notices}>{children}</NoticesContext.Provider>;
}

const NoticesContext = createContext<string[]>([]);

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
