/** Where the kwok target keeps its files: all under the cache folder, never in ~/.kube. */
import { join } from 'node:path';

export interface KwokLayout {
  dir: string;
  /** The admin kubeconfig: `kubectl --kubeconfig <this>` reaches the control plane. */
  kubeconfig: string;
  /** Pids, ports and folders of the running control plane. */
  state: string;
  logs: string;
  pki: string;
  /** kube-apiserver writes its self-signed serving certificate here. */
  apiserverCerts: string;
  tokenFile: string;
  saKey: string;
  saPub: string;
  /** The working folder of the local istiod (it writes its DNS certificate under it). */
  istiod: string;
  overlay: string;
}

export function kwokLayout(cacheDir: string): KwokLayout {
  const dir = join(cacheDir, 'kwok');
  const pki = join(dir, 'pki');
  return {
    dir,
    kubeconfig: join(dir, 'kubeconfig'),
    state: join(dir, 'state.json'),
    logs: join(dir, 'logs'),
    pki,
    apiserverCerts: join(pki, 'apiserver'),
    tokenFile: join(pki, 'tokens.csv'),
    saKey: join(pki, 'sa.key'),
    saPub: join(pki, 'sa.pub'),
    istiod: join(dir, 'istiod'),
    overlay: join(dir, 'istio-overlay.yaml'),
  };
}

/** The API server's self-signed certificate (leaf and its CA), which the kubeconfig trusts. */
export function apiserverCertFile(l: KwokLayout): string {
  return join(l.apiserverCerts, 'apiserver.crt');
}

/** The key of that certificate; KWOK serves the node's kubelet API with the pair. */
export function apiserverKeyFile(l: KwokLayout): string {
  return join(l.apiserverCerts, 'apiserver.key');
}
