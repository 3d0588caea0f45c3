import { useEffect, useState } from "react";
import { CounterBadge, Tab, TabList, makeStyles, tokens } from "@fluentui/react-components";
import { useBackend } from "../../backend";
import type { ScreenProps } from "../../screens";
import { AssignRolesWizard } from "./AssignRolesWizard";
import { Approvals } from "./Approvals";
import { AssignmentsView } from "./AssignmentsView";
import { EndingSoon } from "./EndingSoon";
import { MyRoles } from "./MyRoles";

type View = "assign" | "view" | "ending" | "mine" | "approve";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

/** Assign roles, or look at (and clean up) what applies at a scope. */
export function RoleAssignmentsScreen({ handoff }: ScreenProps) {
  const styles = useStyles();
  const [view, setView] = useState<View>("assign");
  const backend = useBackend();
  // How many activations wait for this admin's decision, on the tab.
  const [waiting, setWaiting] = useState(0);
  useEffect(() => {
    let live = true;
    void backend.listAwaitingApproval().then((r) => {
      if (live && r.status === "ok") setWaiting(r.data.length);
    });
    return () => {
      live = false;
    };
  }, [backend]);
  return (
    <div className={styles.page}>
      <TabList
        selectedValue={view}
        onTabSelect={(_, d) => setView(d.value as View)}
        aria-label="Role assignments"
        size="large"
      >
        <Tab value="assign">Assign roles</Tab>
        <Tab value="view" data-testid="view-assignments">
          View assignments
        </Tab>
        <Tab value="ending" data-testid="view-ending">
          Ending soon
        </Tab>
        <Tab value="mine" data-testid="view-my-roles">
          My roles
        </Tab>
        <Tab value="approve" data-testid="view-approvals">
          Approve requests{" "}
          {waiting > 0 && (
            <CounterBadge count={waiting} size="small" color="danger" data-testid="approvals-count" />
          )}
        </Tab>
      </TabList>
      {view === "assign" && <AssignRolesWizard start={handoff ?? undefined} />}
      {view === "view" && <AssignmentsView />}
      {view === "ending" && <EndingSoon />}
      {view === "mine" && <MyRoles />}
      {view === "approve" && <Approvals onCount={setWaiting} />}
    </div>
  );
}
