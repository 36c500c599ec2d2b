import { compactVerify, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { loadConfig } from '../src/config';
import { loadEvidenceKeys } from '../src/evidence/keys';
import { createLogger } from '../src/logger';

/**
 * The audit events' synchronous signer (EvidenceKeys.signNow) against jose's: Ed25519 is
 * deterministic, so the same key, header and payload must give the very same compact JWS,
 * and jose verifies it with the published key set, typ and kid included.
 */
test('signNow gives byte for byte the compact JWS jose gives, and it verifies against the published key set', async () => {
  const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
  const config = loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: 'x'.repeat(32),
    EVIDENCE_SIGNING_KEY: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k-2026' }),
  });
  const keys = await loadEvidenceKeys(config, createLogger('silent'));
  for (const payload of [{ hash: 'a'.repeat(64) }, { hash: 'ünïcödé', n: 1 }]) {
    const now = keys.signNow(payload, 'audit-event');
    expect(now).toBe(await keys.sign(payload, 'audit-event'));
    const { payload: bytes, protectedHeader } = await compactVerify(now, createLocalJWKSet(keys.jwks));
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: 'k-2026', typ: 'audit-event' });
    expect(JSON.parse(Buffer.from(bytes).toString('utf8'))).toEqual(payload);
  }
  // Another typ gets its own header, not the first one's.
  expect(keys.signNow({ hash: 'b' }, 'checkpoint')).toBe(await keys.sign({ hash: 'b' }, 'checkpoint'));
});
