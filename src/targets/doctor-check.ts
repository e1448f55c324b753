/** One item of `meshproof doctor`, the same shape for every target's checks. */
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
