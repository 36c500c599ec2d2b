import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet } from 'jose';
import { loadConfig } from '../config';
import { publishedJwksOf } from '../evidence/keys';
import { verifyEvidence } from '../evidence/verify';

const USAGE = 'usage: npm run verify-evidence -- BUNDLE_FILE [--checkpoint CHECKPOINT_JWS_FILE] [--jwks JWKS_FILE_OR_URL]';

/**
 * The key set to verify with: --jwks (a file saved from the service's
 * /.well-known/jwks.json, or that URL), else EVIDENCE_JWKS (the same), else this
 * machine's service configuration (EVIDENCE_SIGNING_KEY + EVIDENCE_PUBLIC_KEYS, or the
 * development key under DATA_DIR, which is never created here).
 */
async function keySet(source: string | undefined): Promise<{ jwks: JSONWebKeySet; from: string }> {
  const given = source ?? process.env.EVIDENCE_JWKS;
  if (given && /^https?:\/\//i.test(given)) {
    const res = await fetch(given, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`${given}: HTTP ${res.status}`);
    return { jwks: (await res.json()) as JSONWebKeySet, from: given };
  }
  if (given) return { jwks: JSON.parse(readFileSync(given, 'utf8')) as JSONWebKeySet, from: given };
  const config = loadConfig();
  if (!config.EVIDENCE_SIGNING_KEY) {
    const devKey = `${config.DATA_DIR}/evidence-signing-key.json`;
    try {
      readFileSync(devKey);
    } catch {
      throw new Error(`No key set to verify with: pass --jwks <file saved from /.well-known/jwks.json, or its URL>\n${USAGE}`);
    }
  }
  return { jwks: await publishedJwksOf(config), from: 'the local service configuration' };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { checkpoint: { type: 'string' }, jwks: { type: 'string' } } });
  if (positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const { jwks } = await keySet(values.jwks);
  const bundle = readFileSync(positionals[0], 'utf8').trim();
  const checkpoint = values.checkpoint ? readFileSync(values.checkpoint, 'utf8').trim() : undefined;
  const report = await verifyEvidence(bundle, jwks, checkpoint);
  if (report.failures.length > 0) {
    for (const line of report.failures) process.stdout.write(`FAIL ${line}\n`);
    return 1;
  }
  process.stdout.write(`${report.summary}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
