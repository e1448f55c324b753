/** One line of `meshproof doctor`, whatever the target: what was checked, what was found, the fix. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** `up` cannot work while a required check fails; the others only slow it down or warn. */
  required: boolean;
  /** What was found. */
  detail: string;
  /** What to do about it (empty when ok). */
  fix: string;
}

export function doctorCheck(name: string, required: boolean, ok: boolean, detail: string, fix = ''): DoctorCheck {
  return { name, ok, required, detail, fix: ok ? '' : fix };
}

/** True when every required check passed. */
export function doctorReady(checks: readonly DoctorCheck[]): boolean {
  return checks.every((c) => c.ok || !c.required);
}
