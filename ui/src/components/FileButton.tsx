import { useRef, type ReactElement } from "react";
import { Button, makeStyles } from "@fluentui/react-components";

const useStyles = makeStyles({
  // Reachable by WebDriver and tests, hidden from sight: the button opens it.
  file: { position: "absolute", width: "1px", height: "1px", opacity: 0, overflow: "hidden" },
});

/** A button that opens the system's file chooser and hands over the chosen file. */
export function FileButton({
  label,
  icon,
  accept,
  fileLabel,
  testId,
  disabled,
  onFile,
}: {
  label: string;
  icon: ReactElement;
  accept: string;
  /** The hidden input's accessible name. */
  fileLabel: string;
  /** The hidden input's data-testid. */
  testId: string;
  disabled?: boolean;
  onFile: (file: File) => void;
}) {
  const styles = useStyles();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <Button icon={icon} disabled={disabled} onClick={() => input.current?.click()}>
        {label}
      </Button>
      <input
        ref={input}
        className={styles.file}
        type="file"
        accept={accept}
        tabIndex={-1}
        aria-label={fileLabel}
        data-testid={testId}
        onChange={(e) => {
          const f = e.currentTarget.files?.[0];
          // Cleared, so choosing the same file again is a change too.
          e.currentTarget.value = "";
          if (f) onFile(f);
        }}
      />
    </>
  );
}
