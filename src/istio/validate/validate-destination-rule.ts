/** DestinationRule checks as Istio's webhook makes them: a host, and subsets with unique valid names. */
import {
  type FieldPath,
  type Issues,
  duration,
  exportTo,
  intIn,
  isDnsLabel,
  isMap,
  knownFields,
  labelMap,
  listAt,
  mapAt,
  nonEmptyString,
} from './validate-common.js';

const SPEC = ['host', 'trafficPolicy', 'subsets', 'exportTo', 'workloadSelector'];
const SUBSET = ['name', 'labels', 'trafficPolicy'];

export function validateDestinationRule(issues: Issues, spec: unknown, namespace = 'default'): void {
  const s = mapAt(issues, spec, ['spec'], 'spec');
  if (!s) return;
  knownFields(issues, s, ['spec'], SPEC);
  if (nonEmptyString(issues, s.host, ['spec', 'host'], 'host') && s.host === '*')
    issues.add(['spec', 'host'], 'host cannot be "*"');
  if (s.exportTo !== undefined) exportTo(issues, s.exportTo, ['spec', 'exportTo'], namespace);
  outlierDetection(issues, s.trafficPolicy, ['spec', 'trafficPolicy']);
  const seen = new Set<string>();
  listAt(issues, s.subsets, ['spec', 'subsets']).forEach((value, i) => {
    const path = ['spec', 'subsets', i];
    const subset = mapAt(issues, value, path, 'a subset');
    if (!subset) return;
    knownFields(issues, subset, path, SUBSET);
    if (nonEmptyString(issues, subset.name, [...path, 'name'], 'subset name')) {
      if (!isDnsLabel(subset.name))
        issues.add([...path, 'name'], `subset name "${subset.name}" is invalid (lowercase letters, digits and -)`);
      if (seen.has(subset.name)) issues.add([...path, 'name'], `duplicate subset name "${subset.name}"`);
      seen.add(subset.name);
    }
    // Istio allows a subset without labels (it then selects every pod of the host).
    if (subset.labels !== undefined) labelMap(issues, subset.labels, [...path, 'labels'], 'subset labels');
    outlierDetection(issues, subset.trafficPolicy, [...path, 'trafficPolicy']);
  });
}

const OUTLIER_COUNTS = [
  'consecutive5xxErrors',
  'consecutiveGatewayErrors',
  'consecutiveErrors',
  'consecutiveLocalOriginFailures',
];

/** trafficPolicy.outlierDetection as Istio checks it: whole counts, durations of at least 1 ms, percents 0–100. */
function outlierDetection(issues: Issues, policy: unknown, at: FieldPath): void {
  if (!isMap(policy) || policy.outlierDetection === undefined) return;
  const path = [...at, 'outlierDetection'];
  const o = mapAt(issues, policy.outlierDetection, path, 'outlierDetection');
  if (!o) return;
  knownFields(issues, o, path, [
    ...OUTLIER_COUNTS,
    'interval',
    'baseEjectionTime',
    'maxEjectionPercent',
    'minHealthPercent',
    'splitExternalLocalOriginErrors',
  ]);
  for (const k of OUTLIER_COUNTS) if (o[k] !== undefined) intIn(issues, o[k], [...path, k], k, 0, 2 ** 31 - 1);
  for (const k of ['interval', 'baseEjectionTime']) if (o[k] !== undefined) duration(issues, o[k], [...path, k], k);
  for (const k of ['maxEjectionPercent', 'minHealthPercent'])
    if (o[k] !== undefined) intIn(issues, o[k], [...path, k], k, 0, 100);
}
