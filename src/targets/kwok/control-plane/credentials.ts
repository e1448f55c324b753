/**
 * The control plane's credentials, made with Node's crypto alone: a bearer token for the admin
 * user (kube-apiserver's --token-auth-file, group system:masters), the service-account signing
 * key pair, and an admin kubeconfig that trusts the API server's serving certificate. The API
 * server signs that certificate itself (--cert-dir, for 127.0.0.1 and localhost), so no X.509
 * code is needed here and nothing leaves the cache folder. The token and the private key are
 * owner-only (private-file.ts), as are the kubeconfig and state.json that carry the token.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { writePrivateFile } from '../../../core/private-file.js';

export const ADMIN_USER = 'meshproof-admin';

export interface Credentials {
  token: string;
  tokenFile: string;
  saKey: string;
  saPub: string;
}

export async function writeCredentials(files: {
  tokenFile: string;
  saKey: string;
  saPub: string;
}): Promise<Credentials> {
  const token = randomBytes(32).toString('hex');
  await writePrivateFile(files.tokenFile, `${token},${ADMIN_USER},${ADMIN_USER},"system:masters"\n`);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writePrivateFile(files.saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(files.saPub, publicKey.export({ type: 'spki', format: 'pem' }));
  return { token, ...files };
}

export interface KubeconfigSpec {
  server: string;
  /** PEM file the client trusts for the server (the API server's self-signed certificate). */
  caFile: string;
  token: string;
  cluster?: string;
}

export function kubeconfigYaml(s: KubeconfigSpec): string {
  const name = s.cluster ?? 'meshproof-kwok';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: s.server, 'certificate-authority': s.caFile } }],
    users: [{ name: ADMIN_USER, user: { token: s.token } }],
    contexts: [{ name, context: { cluster: name, user: ADMIN_USER, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
