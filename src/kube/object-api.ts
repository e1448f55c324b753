/**
 * Server-side apply that sends the object exactly as written. client-node's
 * KubernetesObjectApi.patch passes built-in kinds through its typed models, which drop keys they
 * do not know: a misspelled `spec.replicass: 3` reached the API server as nothing at all and the
 * Deployment got one replica. This sends the JSON as loaded and asks the server for strict field
 * validation, so an unknown field is an error naming it. It reuses client-node's own request
 * plumbing (URL discovery, authentication, TLS, error mapping) by extending the class.
 */
import {
  HttpMethod,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';

export interface RawApplyOptions {
  fieldManager: string;
  force: boolean;
  /** Ask the server to validate and admit the object (webhooks included) without storing it. */
  dryRun?: boolean;
}

export class ObjectApi extends KubernetesObjectApi {
  static make(kc: KubeConfig): ObjectApi {
    const api = kc.makeApiClient(ObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  async applyAsWritten(spec: KubernetesObject, o: RawApplyOptions): Promise<KubernetesObject> {
    const path = await this.specUriPath(spec, 'patch');
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    ctx.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    ctx.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    ctx.setQueryParam('fieldManager', o.fieldManager);
    ctx.setQueryParam('force', String(o.force));
    ctx.setQueryParam('fieldValidation', 'Strict');
    if (o.dryRun) ctx.setQueryParam('dryRun', 'All');
    ctx.setBody(JSON.stringify(spec));
    return this.requestPromise(ctx);
  }
}
