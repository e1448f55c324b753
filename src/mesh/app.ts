/**
 * The contract between the local mesh and the application stand-ins that run as its pods.
 * An app is an HTTP request listener; its outbound calls go through its pod's sidecar, the way
 * iptables capture sends an app's traffic through Envoy on a cluster.
 */
import type { RequestListener } from 'node:http';

export interface OutboundRequest {
  /** Service host as the app names it: `reviews`, `ratings.default.svc.cluster.local`. */
  host: string;
  port: number;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** The app's own client timeout; on expiry the call rejects with an error whose code is `ETIMEDOUT`. */
  timeoutMs: number;
}

export interface OutboundResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface AppContext {
  /** Pod name like a real one: `reviews-v3-7dbcdcbc56-x9kq2`. */
  podName: string;
  namespace: string;
  labels: Record<string, string>;
  /** The container's env (from the Deployment) merged with what the image bakes in. */
  env: Record<string, string>;
  /** Outbound call through this pod's sidecar. Rejects on transport errors and timeouts. */
  call(req: OutboundRequest): Promise<OutboundResponse>;
}

/** Builds one pod's request listener. */
export type AppFactory = (ctx: AppContext) => RequestListener;

/** Recognises an image reference and returns the app that stands in for it, or null. */
export interface AppCatalog {
  lookup(image: string): StandIn | null;
}

export interface StandIn {
  factory: AppFactory;
  env: Record<string, string>;
  /** Which stand-in it is, for what a target says it runs (`echo`, `bookinfo reviews-v3`). */
  name?: string;
}
