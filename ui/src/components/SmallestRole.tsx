import { useEffect, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  SearchBox,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DismissRegular } from "@fluentui/react-icons";
import type { OperationView, RankedRoleView, RoleView } from "../bindings";
import { useBackend } from "../backend";
import { ErrorBar, type Problem } from "./ErrorBar";

const useStyles = makeStyles({
  box: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingHorizontalM,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    maxWidth: "720px",
  },
  list: { listStyleType: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: "2px" },
  row: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  grow: { flexGrow: 1, minWidth: 0, overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground3 },
  chips: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS, listStyleType: "none", margin: 0, padding: 0 },
  chip: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalXS,
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorNeutralBackground3,
    overflowWrap: "anywhere",
  },
});

/**
 * Least-privilege advice on the role step: the admin says what the person
 * must do (operations from the catalogue, found by what they do) and gets
 * the roles that cover it, smallest first, each with what it grants beyond
 * the need; Choose ticks one.
 */
export function SmallestRole({ scope, onChoose }: { scope: string; onChoose: (role: RoleView) => void }) {
  const styles = useStyles();
  const backend = useBackend();
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<OperationView[]>([]);
  const [need, setNeed] = useState<string[]>([]);
  const [ranked, setRanked] = useState<RankedRoleView[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);

  useEffect(() => {
    const text = query.trim();
    if (text.length < 3) {
      setFound([]);
      return;
    }
    let live = true;
    // Actions (control plane): what roles at a scope are mostly about.
    void backend.searchOperations(text, false).then((r) => {
      if (!live) return;
      if (r.status === "ok") setFound(r.data.slice(0, 8));
      else setProblem(r.error);
    });
    return () => {
      live = false;
    };
  }, [backend, query]);

  useEffect(() => {
    setRanked(null);
    if (need.length === 0) return;
    let live = true;
    setBusy(true);
    void backend.rankRoles(scope, need).then((r) => {
      if (!live) return;
      setBusy(false);
      if (r.status === "ok") {
        setRanked(r.data);
        setProblem(null);
      } else setProblem(r.error);
    });
    return () => {
      live = false;
    };
  }, [backend, scope, need]);

  return (
    <section className={styles.box} aria-label="Find the smallest role" data-testid="smallest-role">
      <Text weight="semibold">What must they do?</Text>
      <SearchBox
        placeholder="Search operations by what they do, e.g. “support ticket”"
        aria-label="Search operations the person needs"
        data-testid="need-search"
        value={query}
        onChange={(_, d) => setQuery(d.value)}
      />
      {found.length > 0 && (
        <ul className={styles.list} aria-label="Operations found">
          {found.map((op) => (
            <li key={op.name} className={styles.row}>
              <span className={styles.grow}>
                <Text size={200}>{op.displayName || op.name}</Text>{" "}
                <Caption1 className={styles.muted}>{op.name}</Caption1>
              </span>
              <Button
                size="small"
                icon={<AddRegular />}
                disabled={need.includes(op.name)}
                aria-label={`Add ${op.name}`}
                data-testid={`need-${op.name}`}
                onClick={() => setNeed((n) => [...n, op.name])}
              >
                Add
              </Button>
            </li>
          ))}
        </ul>
      )}
      {need.length > 0 && (
        <ul className={styles.chips} aria-label="What they must do">
          {need.map((a) => (
            <li key={a} className={styles.chip}>
              <Text size={200}>{a}</Text>
              <Button
                size="small"
                appearance="transparent"
                icon={<DismissRegular />}
                aria-label={`Remove ${a}`}
                onClick={() => setNeed((n) => n.filter((x) => x !== a))}
              />
            </li>
          ))}
        </ul>
      )}
      <ErrorBar problem={problem} />
      {busy && <Spinner size="tiny" label="Ranking the roles that cover it…" />}
      {ranked && ranked.length === 0 && (
        <Caption1>No role assignable here covers all of it; a custom role can (Custom roles).</Caption1>
      )}
      {ranked && ranked.length > 0 && (
        <ol className={styles.list} aria-label="Roles that cover it, smallest first">
          {ranked.map((r, i) => (
            <li key={r.role.id} className={styles.row} data-testid="ranked-role">
              <span className={styles.grow}>
                <Text weight="semibold">{r.role.name}</Text>{" "}
                {i === 0 && (
                  <Badge color="success" size="small">
                    Smallest
                  </Badge>
                )}{" "}
                {r.role.privileged && (
                  <Badge color="danger" size="small">
                    Privileged
                  </Badge>
                )}
                <br />
                <Caption1 className={styles.muted}>
                  {r.extra === 0
                    ? "Grants exactly this."
                    : `Grants ${r.extra} more operation${r.extra === 1 ? "" : "s"} than asked` +
                      (r.beyond.length ? ` (${r.beyond.slice(0, 3).join(", ")}${r.beyond.length > 3 ? ", …" : ""})` : "") +
                      "."}
                </Caption1>
              </span>
              <Button size="small" data-testid={`choose-role-${r.role.name}`} onClick={() => onChoose(r.role)}>
                Choose
              </Button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
