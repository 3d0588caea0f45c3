import { useEffect, useState } from "react";
import {
  Badge,
  Button,
  FluentProvider,
  Menu,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  NavDrawer,
  NavDrawerBody,
  NavItem,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DarkThemeRegular } from "@fluentui/react-icons";
import { commands, type AppInfo, type StartupView_Serialize } from "./bindings";
import { BackendProvider, useBackend, type Backend } from "./backend";
import { SCREENS, type Handoff, type ScreenId } from "./screens";
import { themes, useTheme, type ResolvedTheme, type ThemeChoice } from "./theme";
import { ScreenView } from "./screens/ScreenView";
import { SignInPage } from "./screens/SignInPage";
import { AccountPanel } from "./AccountPanel";
import { SessionProvider, activeAccount, useSession, type Session } from "./session";
import { StartupGate, StartupNotices, useStarted } from "./StartupGate";

const useStyles = makeStyles({
  root: {
    height: "100vh",
    display: "grid",
    gridTemplateRows: "48px auto 1fr",
    backgroundColor: tokens.colorNeutralBackground2,
  },
  header: {
    // Above the main area, so the account panel (rendered inline) covers it.
    position: "relative",
    zIndex: 1,
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalM,
    paddingInline: tokens.spacingHorizontalL,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  spacer: { flexGrow: 1 },
  tenant: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  onBrand: { color: tokens.colorNeutralForegroundOnBrand },
  account: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  body: { display: "flex", minHeight: 0 },
  // A fixed width: the drawer never gives way to a wide screen (the content
  // would start at another place on every screen).
  nav: { height: "100%", flexShrink: 0, width: "220px", minWidth: "220px" },
  main: {
    flexGrow: 1,
    minWidth: 0,
    overflowY: "auto",
    padding: tokens.spacingHorizontalXXL,
    backgroundColor: tokens.colorNeutralBackground1,
  },
});

const THEME_LABELS: Record<ThemeChoice, string> = {
  system: "Follow the system",
  light: "Light",
  dark: "Dark",
  highContrast: "High contrast",
};

/** What is known before React starts: the start script's answers, or what the prerender draws. */
export interface FirstState {
  report: StartupView_Serialize;
  session: Session;
}

export function App({
  backend = commands,
  initial,
  prerendering,
}: {
  backend?: Backend;
  initial?: FirstState;
  /** Drawn at build time in this theme (firstScreen/prerender.tsx): no window to read. */
  prerendering?: ResolvedTheme;
}) {
  const { choice, resolved, setChoice } = useTheme(prerendering);
  const styles = useStyles();
  return (
    // Layout stays off FluentProvider: Fluent copies the provider's className onto
    // portal mount nodes (tooltips, menus), which would then cover the window.
    <FluentProvider theme={themes[resolved]} data-theme={resolved}>
      <div className={styles.root}>
        <BackendProvider backend={backend}>
          {/* The session is asked for alongside the start's report (the
              backend answers it once the start has ended): the first screen
              waits for one round trip, not two. */}
          <SessionProvider initial={initial?.session}>
            <StartupGate initial={initial?.report}>
              <Frame themeChoice={choice} onThemeChoice={setChoice} />
            </StartupGate>
          </SessionProvider>
        </BackendProvider>
      </div>
    </FluentProvider>
  );
}

function Frame({
  themeChoice,
  onThemeChoice,
}: {
  themeChoice: ThemeChoice;
  onThemeChoice: (choice: ThemeChoice) => void;
}) {
  const styles = useStyles();
  const backend = useBackend();
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [screen, setScreen] = useState<ScreenId>("onboard");
  // What a screen handed the next one ("Assign it now"); the pane clears it.
  const [handoff, setHandoff] = useState<Handoff | null>(null);
  const navigate = (next: ScreenId, given?: Handoff) => {
    setHandoff(given ?? null);
    setScreen(next);
  };
  const [addingAccount, setAddingAccount] = useState(false);
  const [infoVersion, setInfoVersion] = useState(0);
  const { session } = useSession();
  const current = activeAccount(session);
  const signedIn = current !== null && current.active.health !== "SignInAgain";

  const started = useStarted();
  useEffect(() => {
    if (!started) return;
    let live = true;
    backend.appInfo().then((next) => live && setInfo(next));
    return () => {
      live = false;
    };
  }, [backend, infoVersion, started]);

  // A new account signed in: leave the sign-in page.
  const activeId = session?.active?.accountId;
  useEffect(() => setAddingAccount(false), [activeId]);

  return (
    <>
      <header className={styles.header} role="banner">
        <Text className={styles.brand}>Rolecall</Text>
        <div className={styles.spacer} />
        {info && (
          <div className={styles.tenant} data-testid="tenant">
            {info.cloud.mode === "Demo" && (
              <Tooltip content="A local emulator plays Azure; nothing you do here touches a real tenant." relationship="description">
                <Badge appearance="filled" color="warning" data-testid="demo-badge">
                  Demo
                </Badge>
              </Tooltip>
            )}
            <Text className={styles.onBrand} title={`Tenant ${info.cloud.tenant}`}>
              {info.cloud.name}
            </Text>
          </div>
        )}
        <div className={styles.account}>
          <AccountPanel onAddAccount={() => setAddingAccount(true)} />
        </div>
        <Menu
          checkedValues={{ theme: [themeChoice] }}
          onCheckedValueChange={(_, data) => onThemeChoice(data.checkedItems[0] as ThemeChoice)}
        >
          <MenuTrigger disableButtonEnhancement>
            <Tooltip content="Theme" relationship="label">
              <Button appearance="transparent" className={styles.onBrand} icon={<DarkThemeRegular />} />
            </Tooltip>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              {(Object.keys(THEME_LABELS) as ThemeChoice[]).map((value) => (
                <MenuItemRadio key={value} name="theme" value={value}>
                  {THEME_LABELS[value]}
                </MenuItemRadio>
              ))}
            </MenuList>
          </MenuPopover>
        </Menu>
      </header>
      <StartupNotices />
      <div className={styles.body}>
        {/* The screens need a signed-in account: the sign-in page stands alone,
            and the first screen has less to draw. */}
        {signedIn && (
          <NavDrawer
            className={styles.nav}
            open
            type="inline"
            selectedValue={screen}
            onNavItemSelect={(_, data) => navigate(data.value as ScreenId)}
            aria-label="Rolecall"
          >
            <NavDrawerBody>
              {SCREENS.map(({ id, label, icon: Icon }) => (
                <NavItem key={id} value={id} icon={<Icon />} data-testid={`nav-${id}`}>
                  {label}
                </NavItem>
              ))}
            </NavDrawerBody>
          </NavDrawer>
        )}
        {session === null ? (
          <main className={styles.main} aria-busy="true" />
        ) : !signedIn || addingAccount ? (
          <main className={styles.main}>
            <SignInPage demo={info?.cloud.mode === "Demo"} onSettingsSaved={() => setInfoVersion((v) => v + 1)} />
          </main>
        ) : (
          <main className={styles.main} data-testid={`screen-${screen}`}>
            {/* Keyed on the account and tenant: a switch starts every screen afresh. */}
            <ScreenView
              key={`${current?.active.accountId}|${current?.active.tenantId}`}
              screen={screen}
              info={info}
              onNavigate={navigate}
              handoff={handoff}
            />
          </main>
        )}
      </div>
    </>
  );
}
