/** Trust store for both clients: the system CAs plus NODE_EXTRA_CA_CERTS plus ELASTIC_CA_FILE. */
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';

/**
 * Node replaces its default trust store when a `ca` option is given; to keep "add to" semantics
 * (as NODE_EXTRA_CA_CERTS has) the system roots and NODE_EXTRA_CA_CERTS are included explicitly.
 * Returns undefined when no extra CA is configured (Node's defaults then apply unchanged).
 */
export function trustedCas(extraPem: string | undefined, env: NodeJS.ProcessEnv): string[] | undefined {
  if (extraPem === undefined) return undefined;
  const cas = [...rootCertificates];
  const nodeExtra = env.NODE_EXTRA_CA_CERTS;
  if (nodeExtra) {
    try {
      cas.push(readFileSync(nodeExtra, 'utf8'));
    } catch {
      // Node itself warns about an unreadable NODE_EXTRA_CA_CERTS at startup.
    }
  }
  cas.push(extraPem);
  return cas;
}
