import { useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Card,
  CardFooter,
  CardHeader,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Text,
  ToggleButton,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import { ArrowExportRegular, ArrowImportRegular, PersonAddRegular, PersonDeleteRegular } from "@fluentui/react-icons";
import type { TemplateView } from "../../bindings";
import { useBackend } from "../../backend";
import { ErrorBar, type Problem } from "../../components/ErrorBar";
import { FileButton } from "../../components/FileButton";
import { readFile } from "./files";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  cards: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(300px, 1fr))", gap: tokens.spacingHorizontalM },
  card: { height: "100%" },
  chosen: { outline: `2px solid ${tokens.colorBrandStroke1}` },
  muted: { color: tokens.colorNeutralForeground3 },
  actions: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
});

export type Mode = "onboard" | "offboard";

/**
 * Step 1: onboarding or offboarding, then the template (choosing one goes on
 * to its tasks); import and export of templates.
 */
export function TemplateStep({
  templates,
  loadProblem,
  selected,
  onSelect,
  mode,
  onMode,
  onImported,
  onRemoveAll,
}: {
  templates: TemplateView[] | null;
  loadProblem: Problem | null;
  selected: string | null;
  onSelect: (t: TemplateView) => void;
  mode: Mode;
  onMode: (m: Mode) => void;
  onImported: (t: TemplateView) => void;
  onRemoveAll: () => void;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const [problem, setProblem] = useState<Problem | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [imported, setImported] = useState<TemplateView | null>(null);

  const importFile = async (f: File) => {
    setProblem(null);
    setSaved(null);
    setImported(null);
    const read = await readFile(f);
    if ("problem" in read) {
      setProblem(read.problem);
      return;
    }
    const { text } = read;
    const r = await backend.importTemplate(f.name, text);
    if (r.status === "ok") {
      setImported(r.data);
      onImported(r.data);
    } else setProblem(r.error);
  };

  const exportTemplate = async (t: TemplateView) => {
    setProblem(null);
    setSaved(null);
    setImported(null);
    const r = await backend.exportTemplate(t.id);
    if (r.status === "ok") setSaved(r.data);
    else setProblem(r.error);
  };

  return (
    <div className={styles.page}>
      <div className={styles.actions} role="group" aria-label="Onboard or offboard">
        <ToggleButton
          icon={<PersonAddRegular />}
          checked={mode === "onboard"}
          appearance={mode === "onboard" ? "primary" : "secondary"}
          data-testid="mode-onboard"
          onClick={() => onMode("onboard")}
        >
          Onboard
        </ToggleButton>
        <ToggleButton
          icon={<PersonDeleteRegular />}
          checked={mode === "offboard"}
          appearance={mode === "offboard" ? "primary" : "secondary"}
          data-testid="mode-offboard"
          onClick={() => onMode("offboard")}
        >
          Offboard
        </ToggleButton>
        <Caption1 className={styles.muted}>
          {mode === "onboard"
            ? "Give people the access the tasks you choose need, nothing more."
            : "Take away the access the template gives, where it put it; access from elsewhere is named and left alone."}
        </Caption1>
      </div>
      <Caption1>Choose a template to go on.</Caption1>
      <ErrorBar problem={loadProblem} title="The templates could not be read" />
      {templates === null && !loadProblem && <Spinner size="small" label="Loading templates…" />}
      {templates && (
        <div className={styles.cards} role="list" aria-label="Templates">
          {templates.map((t) => (
            <div role="listitem" key={t.id}>
              <Card className={mergeClasses(styles.card, selected === t.id && styles.chosen)}>
                <CardHeader
                  header={<Text weight="semibold">{t.name}</Text>}
                  description={
                    <span>
                      {t.builtin ? (
                        <Badge appearance="tint" size="small">
                          Built in
                        </Badge>
                      ) : (
                        <Badge appearance="tint" color="informative" size="small">
                          Yours
                        </Badge>
                      )}{" "}
                      {selected === t.id && (
                        <Badge color="brand" size="small">
                          Chosen
                        </Badge>
                      )}
                    </span>
                  }
                />
                {t.description && <Caption1>{t.description}</Caption1>}
                <Caption1 className={styles.muted}>
                  {t.tasks.length} task{t.tasks.length === 1 ? "" : "s"}
                  {t.inputs.length > 0 && ` · you choose ${t.inputs.map((i) => i.label.replace(/^The /, "the ")).join(", ")}`}
                  {t.customRoles.length > 0 && ` · creates ${t.customRoles.map((r) => `“${r}”`).join(", ")}`}
                </Caption1>
                <CardFooter>
                  <Button
                    appearance={selected === t.id ? "primary" : "secondary"}
                    data-testid={`template-${t.id}`}
                    aria-pressed={selected === t.id}
                    aria-label={`${selected === t.id ? "Chosen: go on" : "Use this template"}: ${t.name}`}
                    onClick={() => onSelect(t)}
                  >
                    {selected === t.id ? "Chosen: go on" : "Use this template"}
                  </Button>
                  <Button
                    appearance="subtle"
                    icon={<ArrowExportRegular />}
                    data-testid={`export-template-${t.id}`}
                    aria-label={`Export ${t.name}`}
                    onClick={() => void exportTemplate(t)}
                  >
                    Export
                  </Button>
                </CardFooter>
              </Card>
            </div>
          ))}
        </div>
      )}
      <div className={styles.actions}>
        <FileButton
          label="Import template…"
          icon={<ArrowImportRegular />}
          accept=".json"
          fileLabel="Template file"
          testId="import-template-file"
          onFile={(f) => void importFile(f)}
        />
        <Button icon={<PersonDeleteRegular />} data-testid="remove-all-access" onClick={onRemoveAll}>
          Remove all access of a person…
        </Button>
      </div>
      <ErrorBar problem={problem} title="That did not work" />
      {imported && (
        <MessageBar intent="success" data-testid="template-imported">
          <MessageBarBody>
            <MessageBarTitle>Imported</MessageBarTitle>
            “{imported.name}” is among your templates now.
          </MessageBarBody>
        </MessageBar>
      )}
      {saved && (
        <MessageBar intent="success" data-testid="template-saved">
          <MessageBarBody>
            <MessageBarTitle>Saved</MessageBarTitle>
            {saved}
          </MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
