import { useSyncExternalStore } from "react";
import type { RunReportView } from "../../bindings";

/**
 * The reports of runs made in this session (onboarding, offboarding,
 * resumed runs), newest first, for the Activity screen. The backend keeps
 * them in memory for export; the journal keeps every write for good.
 */
let reports: RunReportView[] = [];
const listeners = new Set<() => void>();

const emit = () => listeners.forEach((l) => l());

export function addSessionReport(report: RunReportView) {
  reports = [report, ...reports.filter((r) => r.id !== report.id)];
  emit();
}

/** Forgets every report (for a new session, and between tests). */
export function clearSessionReports() {
  reports = [];
  emit();
}

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
};

export function useSessionReports(): RunReportView[] {
  return useSyncExternalStore(subscribe, () => reports);
}
