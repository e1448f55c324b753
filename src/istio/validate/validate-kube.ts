/**
 * Light checks of the plain Kubernetes objects a plan may apply: the required fields the API
 * server would refuse the object without. Deeper checks are the API server's job.
 */
import { type Issues, isMap, labelMap, listAt, mapAt, nonEmptyString, port } from './validate-common.js';
import type { KubeObject } from '../../kube/manifest.js';

export function validateDeployment(issues: Issues, o: KubeObject): void {
  const spec = mapAt(issues, o.spec, ['spec'], 'spec');
  if (!spec) return;
  const selector = mapAt(issues, spec.selector, ['spec', 'selector'], 'spec.selector');
  const matchLabels =
    selector && mapAt(issues, selector.matchLabels, ['spec', 'selector', 'matchLabels'], 'spec.selector.matchLabels');
  const template = mapAt(issues, spec.template, ['spec', 'template'], 'spec.template');
  if (!template) return;
  const labels = isMap(template.metadata) ? template.metadata.labels : undefined;
  if (labels === undefined)
    issues.add(['spec', 'template', 'metadata', 'labels'], 'spec.template.metadata.labels is required');
  else labelMap(issues, labels, ['spec', 'template', 'metadata', 'labels'], 'template labels');
  if (matchLabels && isMap(labels)) {
    for (const [k, v] of Object.entries(matchLabels)) {
      if (labels[k] !== v)
        issues.add(
          ['spec', 'selector', 'matchLabels', k],
          `selector ${k}=${String(v)} does not match the template's labels`,
        );
    }
  }
  const podSpec = mapAt(issues, template.spec, ['spec', 'template', 'spec'], 'spec.template.spec');
  if (!podSpec) return;
  const containers = listAt(issues, podSpec.containers, ['spec', 'template', 'spec', 'containers']);
  if (containers.length === 0)
    issues.add(['spec', 'template', 'spec', 'containers'], 'a Deployment needs at least one container');
  containers.forEach((c, i) => {
    const path = ['spec', 'template', 'spec', 'containers', i];
    const container = mapAt(issues, c, path, 'a container');
    if (!container) return;
    nonEmptyString(issues, container.name, [...path, 'name'], 'container name');
    nonEmptyString(issues, container.image, [...path, 'image'], 'container image');
  });
}

export function validateService(issues: Issues, o: KubeObject): void {
  const spec = mapAt(issues, o.spec, ['spec'], 'spec');
  if (!spec || spec.type === 'ExternalName') return;
  const ports = listAt(issues, spec.ports, ['spec', 'ports']);
  if (ports.length === 0) issues.add(['spec', 'ports'], 'a Service needs at least one port');
  ports.forEach((p, i) => {
    const entry = mapAt(issues, p, ['spec', 'ports', i], 'a port');
    if (entry) port(issues, entry.port, ['spec', 'ports', i, 'port']);
  });
  if (spec.selector !== undefined) labelMap(issues, spec.selector, ['spec', 'selector'], 'selector');
}

export function validateNamespace(issues: Issues, o: KubeObject): void {
  if (o.metadata.namespace !== undefined)
    issues.add(['metadata', 'namespace'], 'a Namespace has no namespace of its own');
}
