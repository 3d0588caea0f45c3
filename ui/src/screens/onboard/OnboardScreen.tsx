import { makeStyles, tokens } from "@fluentui/react-components";
import type { ScreenProps } from "../../screens";
import { ConnectionCard } from "../ConnectionCard";
import { InterruptedRuns } from "./InterruptedRuns";
import { OnboardingWizard } from "./OnboardingWizard";

const useStyles = makeStyles({
  page: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalL },
});

/** A run cut short is offered first, where the admin left; then the wizard. */
export function OnboardScreen({ info }: ScreenProps) {
  const styles = useStyles();
  return (
    <div className={styles.page}>
      <ConnectionCard cloudName={info?.cloud.name} compact />
      <InterruptedRuns />
      <OnboardingWizard />
    </div>
  );
}
