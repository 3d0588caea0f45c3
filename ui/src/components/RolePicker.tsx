import { useEffect, useMemo, useState } from "react";
import {
  Badge,
  Button,
  Caption1,
  Checkbox,
  SearchBox,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { RoleView } from "../bindings";
import { useBackend } from "../backend";
import { ErrorBar, type Problem } from "./ErrorBar";
import { SmallestRole } from "./SmallestRole";

const useStyles = makeStyles({
  // No scroll area of its own: the page scrolls (one scroll bar, not two).
  list: { listStyleType: "none", margin: 0, padding: 0 },
  // Not Fluent's grey for an unticked label, which reads as disabled.
  label: { color: tokens.colorNeutralForeground1 },
  row: { padding: `${tokens.spacingVerticalXS} 0`, borderBottom: `1px solid ${tokens.colorNeutralStroke2}` },
  description: { color: tokens.colorNeutralForeground3, display: "block", marginLeft: "32px" },
  permissions: { marginLeft: "32px", fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/**
 * Built-in and custom roles usable at `scope`, searchable by name and
 * description; privileged roles flagged; permissions on request.
 */
export function RolePicker({
  scope,
  selected,
  onChange,
}: {
  scope: string;
  selected: RoleView[];
  onChange: (r: RoleView[]) => void;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const [roles, setRoles] = useState<RoleView[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [text, setText] = useState("");
  const [details, setDetails] = useState<string | null>(null);
  const [finding, setFinding] = useState(false);

  useEffect(() => {
    setRoles(null);
    backend.listRoles(scope).then((r) => (r.status === "ok" ? setRoles(r.data) : setProblem(r.error)));
  }, [backend, scope]);

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return (roles ?? []).filter(
      (r) => !needle || r.name.toLowerCase().includes(needle) || r.description.toLowerCase().includes(needle),
    );
  }, [roles, text]);

  const isSelected = (role: RoleView) => selected.some((s) => s.id === role.id);
  const toggle = (role: RoleView, on: boolean) =>
    onChange(on ? [...selected, role] : selected.filter((s) => s.id !== role.id));

  return (
    <div>
      <div style={{ marginBottom: tokens.spacingVerticalS }}>
        <Button
          appearance="subtle"
          aria-expanded={finding}
          data-testid="find-smallest-role"
          onClick={() => setFinding(!finding)}
        >
          {finding ? "Hide the smallest-role finder" : "Find the smallest role for what they must do"}
        </Button>
        {finding && (
          <SmallestRole
            scope={scope}
            onChoose={(role) => {
              const listed = roles?.find((r) => r.id === role.id) ?? role;
              if (!isSelected(listed)) onChange([...selected, listed]);
            }}
          />
        )}
      </div>
      <SearchBox
        placeholder="Search roles by name or description"
        aria-label="Search roles"
        style={{ width: "100%", maxWidth: "640px" }}
        value={text}
        onChange={(_, d) => setText(d.value)}
      />
      <ErrorBar problem={problem} />
      {roles === null && !problem ? (
        <Spinner size="small" label="Loading roles…" />
      ) : (
        <ul className={styles.list} aria-label="Roles">
          {shown.slice(0, 200).map((role) => (
            <li key={role.id} className={styles.row}>
              <Checkbox
                data-testid={`role-${role.name}`}
                checked={isSelected(role)}
                onChange={(_, d) => toggle(role, !!d.checked)}
                label={
                  <span className={styles.label}>
                    <Text weight="semibold">{role.name}</Text>{" "}
                    {role.privileged && (
                      <Badge color="danger" size="small">
                        Privileged
                      </Badge>
                    )}{" "}
                    {role.custom && (
                      <Badge appearance="outline" size="small">
                        Custom
                      </Badge>
                    )}
                  </span>
                }
              />
              <Caption1 className={styles.description}>{role.description}</Caption1>
              <Button
                appearance="transparent"
                size="small"
                style={{ marginLeft: 24 }}
                aria-expanded={details === role.id}
                onClick={() => setDetails(details === role.id ? null : role.id)}
              >
                {details === role.id ? "Hide permissions" : `Permissions of ${role.name}`}
              </Button>
              {details === role.id && (
                <ul className={styles.permissions} aria-label={`Permissions of ${role.name}`}>
                  {role.permissions.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
          {shown.length === 0 && roles && (
            <li>
              <Caption1>No role matches “{text}”.</Caption1>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}
