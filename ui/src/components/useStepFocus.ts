import { useEffect, useRef } from "react";

/**
 * Moves the keyboard focus into a wizard's step when the step changes: to
 * its first field, else to the step itself (give the element `tabIndex={-1}`
 * and a label). Without it focus falls to the page body after every step and
 * the next Tab starts again from the header. Not on the first render: a
 * screen opening does not steal focus from the navigation.
 */
export function useStepFocus<T extends HTMLElement>(step: unknown) {
  const ref = useRef<T>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const root = ref.current;
    if (!root) return;
    const field = root.querySelector<HTMLElement>(
      "input:not([disabled]):not([type=hidden]), textarea:not([disabled]), select:not([disabled])",
    );
    (field ?? root).focus();
  }, [step]);
  return ref;
}
