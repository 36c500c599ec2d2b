import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';

export interface WebhookPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
  retryBaseMs: number;
  timeoutMs: number;
}

const byDataSource = new WeakMap<DataSource, WebhookPolicy>();
const STRICT: WebhookPolicy = { allowHttp: false, allowPrivate: false, retryBaseMs: 5_000, timeoutMs: 10_000 };

/** Set at start from the config (WEBHOOK_ALLOW_HTTP, WEBHOOK_ALLOW_PRIVATE); strict until then. */
export function useWebhookPolicy(dataSource: DataSource, policy: WebhookPolicy): void {
  byDataSource.set(dataSource, policy);
}

export function webhookPolicyFrom(config: AppConfig): WebhookPolicy {
  return {
    allowHttp: config.webhookAllowHttp,
    allowPrivate: config.webhookAllowPrivate,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  };
}

export function webhookPolicyOf(dataSource: DataSource): WebhookPolicy {
  return byDataSource.get(dataSource) ?? STRICT;
}

/** Loopback, private, link-local, CGNAT, unspecified, multicast and reserved ranges (v4 and v6). */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE.check(mapped[1], 'ipv4');
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/**
 * Why this URL may not receive webhooks, or null. Checked at registration and again before
 * every delivery, on the addresses DNS gives then (a name may come to point inside).
 */
export async function webhookUrlProblem(raw: string, policy: WebhookPolicy): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) return policy.allowHttp ? 'must be an http(s) URL' : 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (policy.allowPrivate) return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return 'must name a host that resolves';
  }
  if (addresses.some(isPrivateAddress)) return 'must not point to a loopback or private address';
  return null;
}
