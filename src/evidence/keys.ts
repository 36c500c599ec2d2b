import { calculateJwkThumbprint, CompactSign, exportJWK, generateKeyPair, importJWK, JWK } from 'jose';
import { createPrivateKey, sign as ed25519Sign } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import type { Logger } from '../logger';

/** The file the development evidence key is kept in, under DATA_DIR, reused on the next start. */
export const DEV_KEY_FILE = 'evidence-signing-key.json';

/**
 * The service's evidence key (SPEC §7): signs evidence bundles and audit checkpoints as
 * compact JWS with EdDSA (Ed25519). `jwks` is what /.well-known/jwks.json publishes: the
 * current public key and the earlier ones of EVIDENCE_PUBLIC_KEYS (key rotation).
 */
export interface EvidenceKeys {
  kid: string;
  jwks: { keys: JWK[] };
  /** Where checkpoints are also written as files (AUDIT_CHECKPOINT_DIR), if anywhere. */
  checkpointDir: string | null;
  sign(payload: unknown, typ: string): Promise<string>;
  /**
   * The same compact JWS as `sign`, synchronously: for the audit events, one per event inside
   * the writing transaction (issue 12). Ed25519 is deterministic, so both give the same bytes
   * (test/evidence-keys.test.ts); jose verifies it like any other.
   */
  signNow(payload: unknown, typ: string): string;
}

/** A public JWK as published: kid (the JWK's own, else its RFC 7638 thumbprint), alg, use. */
export async function publicJwkOf(jwk: JWK): Promise<JWK> {
  const { kty, crv, x } = jwk;
  const publicPart: JWK = { kty, crv, x };
  return { ...publicPart, kid: jwk.kid ?? (await calculateJwkThumbprint(publicPart)), alg: 'EdDSA', use: 'sig' };
}

/** Creates the development key once; concurrent starters (API and worker) agree on one file. */
async function developmentKey(dataDir: string): Promise<JWK> {
  const file = path.resolve(dataDir, DEV_KEY_FILE);
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = await generateKeyPair('Ed25519', { extractable: true });
    const jwk = await exportJWK(privateKey);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ ...jwk, kid: await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }) }), { mode: 0o600 });
    try {
      linkSync(temporary, file); // atomic: the first writer wins, later ones read its key
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  return JSON.parse(readFileSync(file, 'utf8')) as JWK;
}

/** Reads the private key from the configuration (validated in config.ts) or the development key. */
export async function signingJwkOf(config: Pick<AppConfig, 'EVIDENCE_SIGNING_KEY' | 'DATA_DIR'>): Promise<JWK> {
  return config.EVIDENCE_SIGNING_KEY ? (JSON.parse(config.EVIDENCE_SIGNING_KEY) as JWK) : developmentKey(config.DATA_DIR);
}

/** The published key set of a configuration, without needing the private key's holder to run. */
export async function publishedJwksOf(config: Pick<AppConfig, 'EVIDENCE_SIGNING_KEY' | 'EVIDENCE_PUBLIC_KEYS' | 'DATA_DIR'>): Promise<{ keys: JWK[] }> {
  const current = await publicJwkOf(await signingJwkOf(config));
  const earlier = config.EVIDENCE_PUBLIC_KEYS ? (JSON.parse(config.EVIDENCE_PUBLIC_KEYS) as JWK[]) : [];
  const keys = [current];
  for (const jwk of earlier) {
    const published = await publicJwkOf(jwk);
    if (!keys.some((k) => k.kid === published.kid)) keys.push(published);
  }
  return { keys };
}

export async function loadEvidenceKeys(config: AppConfig, log: Logger): Promise<EvidenceKeys> {
  if (!config.EVIDENCE_SIGNING_KEY && config.isProduction) {
    log.warn({ dataDir: config.DATA_DIR }, 'EVIDENCE_SIGNING_KEY is not set: evidence and checkpoints are signed with a development key kept under DATA_DIR');
  }
  const privateJwk = await signingJwkOf(config);
  const jwks = await publishedJwksOf(config);
  const kid = jwks.keys[0].kid!;
  const key = await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA');
  return {
    kid,
    jwks,
    checkpointDir: config.AUDIT_CHECKPOINT_DIR ?? null,
    sign: (payload, typ) => new CompactSign(Buffer.from(JSON.stringify(payload), 'utf8')).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(key),
    signNow: compactSigner(privateJwk, kid),
  };
}

/**
 * RFC 7515 §7.1's compact serialization over node:crypto's synchronous Ed25519: a third of the
 * CPU of jose's WebCrypto signature (~30 µs against ~100 µs here) and no hop through the
 * thread pool while the transaction holds its case and counter locks. The header is jose's
 * ({ alg, kid, typ }, in that order), computed once per typ.
 */
function compactSigner(privateJwk: JWK, kid: string): (payload: unknown, typ: string) => string {
  const key = createPrivateKey({ key: privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  const headers = new Map<string, string>();
  return (payload, typ) => {
    let header = headers.get(typ);
    if (!header) headers.set(typ, (header = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, typ }), 'utf8').toString('base64url')));
    const input = `${header}.${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
    return `${input}.${ed25519Sign(null, Buffer.from(input, 'ascii'), key).toString('base64url')}`;
  };
}

/**
 * The keys of the service that owns a DataSource: set once at start (createApp, or the
 * worker process), read by the services that sign (evidence bundles, checkpoints).
 */
const byDataSource = new WeakMap<DataSource, EvidenceKeys>();

export function useEvidenceKeys(dataSource: DataSource, keys: EvidenceKeys): EvidenceKeys {
  byDataSource.set(dataSource, keys);
  return keys;
}

export function evidenceKeysOf(dataSource: DataSource): EvidenceKeys {
  const keys = byDataSource.get(dataSource);
  if (!keys) throw new Error('The evidence key was not loaded for this database: call useEvidenceKeys at start');
  return keys;
}
