import { useState } from "react";
import {
  Button,
  Caption1,
  MessageBar,
  MessageBarBody,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowImportRegular, DismissRegular } from "@fluentui/react-icons";
import type { CsvLeftOutView, MemberView, TermsView } from "../../bindings";
import { describeSchedule } from "../../components/AssignmentType";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { MemberPicker } from "../../components/MemberPicker";
import { FileButton } from "../../components/FileButton";
import { readFile } from "./files";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  leftOut: { margin: `${tokens.spacingVerticalXS} 0 0`, paddingLeft: tokens.spacingHorizontalL },
  chips: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  chip: {
    display: "inline-flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXXS,
    paddingLeft: tokens.spacingHorizontalS,
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorNeutralBackground3,
  },
  muted: { color: tokens.colorNeutralForeground3 },
});

/** Everyone chosen: members by object id, then what the CSV named, once each. */
export function peopleOf(members: MemberView[], imported: string[]): string[] {
  const seen = new Set<string>();
  return [...members.map((m) => m.id), ...imported].filter((p) => {
    const key = p.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A CSV row's own terms in words ("eligible until 2027-03-31 · last day 2027-03-31"); "" when it says nothing. */
export function describeTerms(t: TermsView | undefined): string {
  if (!t) return "";
  const how = t.choice === "standing" ? "active, permanent" : t.choice === "schedule" && t.schedule ? describeSchedule(t.schedule) : "";
  return [how, t.lastDay && `last day ${t.lastDay}`].filter(Boolean).join(" · ");
}

/** Whether a row's terms say anything over the onboarding's. */
const saysSomething = (t: TermsView) => t.choice !== "asTemplate" || !!(t.lastDay || t.justification || t.ticket);

/** Step 3: people from the directory, and from a CSV file (one per row, with optional assignment columns). */
export function PeopleStep({
  members,
  onMembers,
  imported,
  onImported,
  rowTerms = {},
  onRowTerms = () => {},
}: {
  members: MemberView[];
  onMembers: (m: MemberView[]) => void;
  imported: string[];
  onImported: (p: string[]) => void;
  /** Imported people's own terms, by the person as imported. */
  rowTerms?: Record<string, TermsView>;
  onRowTerms?: (t: Record<string, TermsView>) => void;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [summary, setSummary] = useState<{
    file: string;
    count: number;
    added: number;
    leftOut: CsvLeftOutView[];
    column: string;
  } | null>(null);

  const importCsv = async (f: File) => {
    setProblem(null);
    setSummary(null);
    const read = await readFile(f);
    if ("problem" in read) {
      setProblem(read.problem);
      return;
    }
    const { text } = read;
    const r = await backend.peopleFromCsv(text);
    if (r.status === "error") {
      setProblem(r.error);
      return;
    }
    const known = new Set(imported.map((p) => p.toLowerCase()));
    const fresh = r.data.people.map((p) => p.text).filter((p) => !known.has(p.toLowerCase()));
    onImported([...imported, ...fresh]);
    const own = Object.fromEntries(r.data.people.filter((p) => saysSomething(p.terms)).map((p) => [p.text, p.terms]));
    onRowTerms({ ...rowTerms, ...own });
    setSummary({
      file: f.name,
      count: r.data.people.length,
      added: fresh.length,
      leftOut: r.data.leftOut,
      column: r.data.column,
    });
  };

  return (
    <div className={styles.page}>
      <MemberPicker selected={members} onChange={onMembers} />
      <div className={styles.actions}>
        <FileButton
          label="Import CSV…"
          icon={<ArrowImportRegular />}
          accept=".csv,text/csv"
          fileLabel="CSV file of people"
          testId="import-csv-file"
          onFile={(f) => void importCsv(f)}
        />
        <Caption1 className={styles.muted}>
          One person per row: user principal name, object id or application id (a header such as userPrincipalName picks
          the column; assignment, duration, until and lastDay columns set a person's own terms).
        </Caption1>
      </div>
      <ErrorBar problem={problem} title="The file could not be used" />
      {summary && (
        <MessageBar
          intent={summary.count && summary.leftOut.length === 0 ? "success" : "warning"}
          data-testid="csv-summary"
        >
          <MessageBarBody>
            {summary.count === 0
              ? `Nobody found in ${summary.file} (${summary.column}): put one user principal name, object id or application id per row.`
              : `Imported ${summary.count} ${summary.count === 1 ? "person" : "people"} from ${summary.file}, ${summary.column}` +
                (summary.added < summary.count ? ` (${summary.count - summary.added} already in the list).` : ".") +
                " Each is looked up in the directory when you review."}
            {summary.leftOut.length > 0 && (
              <>
                {` Left out ${summary.leftOut.length} ${summary.leftOut.length === 1 ? "row" : "rows"} of the file:`}
                <ul className={styles.leftOut} data-testid="csv-left-out">
                  {summary.leftOut.map((l) => (
                    <li key={l.line}>
                      line {l.line}: {l.reason}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </MessageBarBody>
        </MessageBar>
      )}
      {imported.length > 0 && (
        <>
          <Text weight="semibold">From CSV ({imported.length})</Text>
          <ul className={styles.chips} aria-label="People from CSV">
            {imported.map((p) => (
              <li key={p} className={styles.chip} data-testid="csv-person">
                <Text size={200}>{p}</Text>
                {describeTerms(rowTerms[p]) && (
                  <Text size={200} className={styles.muted} data-testid="csv-person-terms">
                    · {describeTerms(rowTerms[p])}
                  </Text>
                )}
                <Button
                  size="small"
                  appearance="transparent"
                  icon={<DismissRegular />}
                  aria-label={`Remove ${p}`}
                  onClick={() => onImported(imported.filter((x) => x !== p))}
                />
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
