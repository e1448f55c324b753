/**
 * One field of a DestinationRule traffic policy as it applies to a cluster: a subset's own value
 * replaces the rule's, field by field (research/routing-semantics.md §7).
 */
import { isMap } from '../../istio/validate/validate-common.js';

export function policyField(key: string, rulePolicy: unknown, subsetPolicy?: unknown): unknown {
  return fieldOf(subsetPolicy, key) ?? fieldOf(rulePolicy, key);
}

function fieldOf(policy: unknown, key: string): unknown {
  return isMap(policy) ? policy[key] : undefined;
}
