import { describe, expect, it } from 'vitest';
import { routerNode, sidecarNode, workloadName } from './node-identity.js';
import { edsNames, rdsNames } from './subscriptions.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

describe('node identity', () => {
  const gw = {
    ip: '10.244.0.9',
    pod: 'istio-ingressgateway-5c8f-qwert',
    namespace: 'istio-system',
    labels: { app: 'istio-ingressgateway', istio: 'ingressgateway', 'pod-template-hash': '5c8f' },
    serviceAccount: 'istio-ingressgateway-service-account',
  };

  it('a gateway is a router node named as istio-agent names it, with its service cluster', () => {
    const n = routerNode(gw);
    expect(n.id).toBe('router~10.244.0.9~istio-ingressgateway-5c8f-qwert.istio-system~istio-system.svc.cluster.local');
    expect(n.cluster).toBe('istio-ingressgateway.istio-system');
    expect(n.metadata).toMatchObject({
      NAME: gw.pod,
      NAMESPACE: 'istio-system',
      WORKLOAD_NAME: 'istio-ingressgateway',
      OWNER: 'kubernetes://apis/apps/v1/namespaces/istio-system/deployments/istio-ingressgateway',
    });
    expect(n.metadata.APP_CONTAINERS).toBeUndefined();
  });

  it('a sidecar names its app container', () => {
    expect(
      sidecarNode({
        ...gw,
        pod: 'ratings-v1-6d5f-abcde',
        namespace: 'default',
        labels: { app: 'ratings', 'pod-template-hash': '6d5f' },
      }).metadata.APP_CONTAINERS,
    ).toBe('ratings');
  });

  it('the workload is the Deployment: the pod name without ReplicaSet hash and suffix', () => {
    expect(workloadName({ pod: 'reviews-v2-57bbcdf465-tlgc9', labels: { 'pod-template-hash': '57bbcdf465' } })).toBe(
      'reviews-v2',
    );
    expect(workloadName({ pod: 'standalone-abcde', labels: {} })).toBe('standalone');
  });
});

describe('named subscriptions', () => {
  it("EDS names are the EDS clusters' service names; other cluster types need none", () => {
    const clusters = new Map([
      ['a', { type: 'EDS', edsClusterConfig: { serviceName: 'outbound|9080||a' } }],
      ['b', { type: 'EDS' }],
      ['c', { type: 'ORIGINAL_DST' }],
    ]);
    expect(edsNames(clusters)).toEqual(['b', 'outbound|9080||a']);
  });

  it("RDS names come from each HTTP connection manager's rds, in filter chains and the default chain", () => {
    const hcm = (name: string) => ({ filters: [{ typedConfig: { '@type': HCM, rds: { routeConfigName: name } } }] });
    const listeners = new Map([
      [
        'l1',
        {
          filterChains: [
            hcm('9080'),
            {
              filters: [
                {
                  typedConfig: {
                    '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
                  },
                },
              ],
            },
          ],
        },
      ],
      ['l2', { defaultFilterChain: hcm('http.8080'), filterChains: [hcm('9080')] }],
    ]);
    expect(rdsNames(listeners)).toEqual(['9080', 'http.8080']);
  });
});
