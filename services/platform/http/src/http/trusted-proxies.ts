import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Which peers may tell us the client's address through X-Forwarded-For (and the protocol and host
 * through X-Forwarded-Proto/-Host). Anything else that sends those headers is ignored, and the
 * client is the TCP peer: otherwise any pod of the cluster, or any program on a laptop, could pick
 * the address the login throttle counts, and a fresh address per request would never be throttled.
 *
 * A list of IP addresses and CIDR blocks (IPv4 or IPv6), e.g. the ingress controller's pod network;
 * empty (the default) trusts nobody.
 */
export type TrustedProxies = readonly string[];

/** Why `entry` is not an address or CIDR block; undefined when it is one. */
export function trustedProxyProblem(entry: string): string | undefined {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR block`;
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)
    return `"${entry}": the prefix length must be 0 to ${bits}`;
  return undefined;
}

/** TRUSTED_PROXIES=10.0.0.0/8,fd00::/8 — comma-separated; unset or empty trusts no proxy. */
export const trustedProxiesSetting = () =>
  z
    .string()
    .default('')
    .transform((text, ctx) => {
      const entries = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const entry of entries) {
        const problem = trustedProxyProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
      return entries as TrustedProxies;
    });

/** Express's `trust proxy` setting for the list: `false` (the socket's peer only) when it is empty. */
export function trustProxySetting(proxies: TrustedProxies = []): false | string[] {
  for (const entry of proxies) {
    const problem = trustedProxyProblem(entry);
    if (problem) throw new Error(`trusted proxies: ${problem}`);
  }
  return proxies.length ? [...proxies] : false;
}
