import {
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Title2,
  Body1,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { AppInfo } from "../bindings";
import { SCREENS, type ScreenId } from "../screens";
import { ConnectionCard } from "./ConnectionCard";
import { AppRolesWizard } from "./access/AppRolesWizard";
import { RoleAssignmentsScreen } from "./access/RoleAssignmentsScreen";
import { CustomRoleWizard } from "./access/CustomRoleWizard";
import { ActivityScreen } from "./onboard/ActivityScreen";
import { OnboardScreen } from "./onboard/OnboardScreen";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL, maxWidth: "960px" },
});

/** The page for one navigation entry. */
export function ScreenView({
  screen,
  info,
  onNavigate,
}: {
  screen: ScreenId;
  info: AppInfo | null;
  onNavigate?: (screen: ScreenId) => void;
}) {
  const styles = useStyles();
  const meta = SCREENS.find((s) => s.id === screen)!;
  return (
    <section className={styles.page} aria-labelledby="screen-title">
      <Title2 as="h1" id="screen-title">
        {meta.label}
      </Title2>
      <Body1>{meta.summary}</Body1>
      {screen === "onboard" && <ConnectionCard cloudName={info?.cloud.name} />}
      {screen === "onboard" ? (
        <OnboardScreen />
      ) : screen === "customRoles" ? (
        <CustomRoleWizard onAssign={onNavigate && (() => onNavigate("roleAssignments"))} />
      ) : screen === "roleAssignments" ? (
        <RoleAssignmentsScreen />
      ) : screen === "appRoles" ? (
        <AppRolesWizard />
      ) : screen === "activity" ? (
        <ActivityScreen />
      ) : (
        <MessageBar intent="info" data-testid="not-built">
          <MessageBarBody>
            <MessageBarTitle>Not available in this version</MessageBarTitle>
            This part of Rolecall is still being built. Nothing here can change your tenant yet.
          </MessageBarBody>
        </MessageBar>
      )}
    </section>
  );
}
