import { useState } from "react";
import { Tab, TabList, makeStyles, tokens } from "@fluentui/react-components";
import type { ScreenProps } from "../../screens";
import { AssignRolesWizard } from "./AssignRolesWizard";
import { AssignmentsView } from "./AssignmentsView";
import { EndingSoon } from "./EndingSoon";
import { MyRoles } from "./MyRoles";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

/** Assign roles, or look at (and clean up) what applies at a scope. */
export function RoleAssignmentsScreen({ handoff }: ScreenProps) {
  const styles = useStyles();
  const [view, setView] = useState<"assign" | "view" | "ending" | "mine">("assign");
  return (
    <div className={styles.page}>
      <TabList
        selectedValue={view}
        onTabSelect={(_, d) => setView(d.value as "assign" | "view" | "ending" | "mine")}
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
      </TabList>
      {view === "assign" && <AssignRolesWizard start={handoff ?? undefined} />}
      {view === "view" && <AssignmentsView />}
      {view === "ending" && <EndingSoon />}
      {view === "mine" && <MyRoles />}
    </div>
  );
}
