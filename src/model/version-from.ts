/**
 * Where a generic expectation reads the version that served an answer (README, "Your own services"):
 * a response header, a field of a JSON body, or the first group of an RE2 regex over the body.
 */
export type VersionFrom = { header: string } | { json: string } | { regex: string };

/** The echo stand-in's header, and the default for an expectation with `versions`. */
export const ECHO_VERSION_HEADER = 'x-version';

export const DEFAULT_VERSION_FROM: VersionFrom = { header: ECHO_VERSION_HEADER };

/** `header x-version`, `json build.version`, `regex "release-(\w+)"`: for messages and reports. */
export function describeVersionFrom(v: VersionFrom): string {
  if ('header' in v) return `header ${v.header}`;
  if ('json' in v) return `json ${v.json}`;
  return `regex ${JSON.stringify(v.regex)}`;
}
