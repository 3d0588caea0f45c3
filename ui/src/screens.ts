import { lazy, type ComponentType } from "react";
import type { FluentIcon } from "@fluentui/react-icons";
import type { AppInfo, RoleView, ScopeNode } from "./bindings";

// Each screen is its own chunk, loaded when it is first shown: the first
// screen (sign-in) does not wait for the code of the five behind it.
const OnboardScreen = lazy(() =>
  import("./screens/onboard/OnboardScreen").then((m) => ({ default: m.OnboardScreen })),
);
const CustomRolesScreen = lazy(() =>
  import("./screens/access/CustomRoleWizard").then((m) => ({ default: m.CustomRolesScreen })),
);
const RoleAssignmentsScreen = lazy(() =>
  import("./screens/access/RoleAssignmentsScreen").then((m) => ({ default: m.RoleAssignmentsScreen })),
);
const AppRolesWizard = lazy(() =>
  import("./screens/access/AppRolesWizard").then((m) => ({ default: m.AppRolesWizard })),
);
const ActivityScreen = lazy(() =>
  import("./screens/onboard/ActivityScreen").then((m) => ({ default: m.ActivityScreen })),
);
import {
  AppsListRegular,
  HistoryRegular,
  KeyMultipleRegular,
  PersonAddRegular,
  ShieldKeyholeRegular,
} from "@fluentui/react-icons";

export type ScreenId = "onboard" | "customRoles" | "roleAssignments" | "appRoles" | "activity";

/** What one screen hands the next: a custom role just made, where it may be assigned. */
export interface Handoff {
  role: RoleView;
  scope: ScopeNode;
}

/** What every screen is given by the frame. */
export interface ScreenProps {
  info?: AppInfo | null;
  onNavigate?: (screen: ScreenId, handoff?: Handoff) => void;
  /** What the screen that opened this one handed over, if anything. */
  handoff?: Handoff | null;
}

export interface ScreenInfo {
  id: ScreenId;
  label: string;
  icon: FluentIcon;
  /** One sentence: what an admin does here. */
  summary: string;
  /** What the screen shows. */
  component: ComponentType<ScreenProps>;
}

/** The navigation pane, in order. */
export const SCREENS: ScreenInfo[] = [
  {
    id: "onboard",
    label: "Onboard",
    icon: PersonAddRegular,
    summary:
      "Give a person exactly the Azure and Entra access their tasks need, after checking your own rights and the tenant's live state.",
    component: OnboardScreen,
  },
  {
    id: "customRoles",
    label: "Custom roles",
    icon: ShieldKeyholeRegular,
    summary:
      "Clone a role into a custom role, validated against the provider-operations catalogue before anything is written.",
    component: CustomRolesScreen,
  },
  {
    id: "roleAssignments",
    label: "Role assignments",
    icon: KeyMultipleRegular,
    summary: "Assign several Azure roles to several users, groups or service principals at once, and review what exists.",
    component: RoleAssignmentsScreen,
  },
  {
    id: "appRoles",
    label: "App roles",
    icon: AppsListRegular,
    summary: "Assign enterprise-application app roles, pinned by application id so look-alike apps cannot be picked by mistake.",
    component: AppRolesWizard,
  },
  {
    id: "activity",
    label: "Activity",
    icon: HistoryRegular,
    summary:
      "Runs a crash or a closed window cut short, to resume or discard; this session's reports, ready to export; and everything Rolecall wrote, from its journal, with undo.",
    component: ActivityScreen,
  },
];
