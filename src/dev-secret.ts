import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from './config';

/**
 * The HS256 secret: JWT_SECRET, or outside production a development secret generated
 * once under the data directory, so that `npm start` and `npm run token` agree.
 * Returns null when tokens come from a JWKS only.
 */
export function resolveJwtSecret(config: AppConfig): string | null {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  if (config.JWT_JWKS_URL || config.isProduction) return null;
  const file = path.resolve(config.DATA_DIR, 'dev-jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}
