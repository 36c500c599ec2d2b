import type { Express, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { authenticate } from '../auth/authenticate';
import type { TokenVerifier } from '../auth/jwt';
import { EVIDENCE_BUNDLE_ROLES } from '../auth/permissions';
import type { AppConfig } from '../config';
import { RequestContext } from '../context';
import { AppError } from '../errors';
import { loadEvidenceKeys, useEvidenceKeys } from '../evidence/keys';
import type { Logger } from '../logger';
import { evidenceBundle } from '../services/evidence.service';

const STATUS: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 };

function fail(res: Response, status: number, code: string, message: string, requestId: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code, requestId } }] });
}

/**
 * SPEC §7: the evidence bundle of a case, `GET /complaints/{id}/evidence` (a compact JWS,
 * bearer token through the one authentication door), and the evidence key set,
 * `GET /.well-known/jwks.json` (no token: auditors verify with it).
 */
export async function mountEvidenceRoutes(app: Express, deps: { config: AppConfig; dataSource: DataSource; verifier: TokenVerifier; log: Logger }): Promise<void> {
  const { dataSource, verifier, log } = deps;
  const keys = useEvidenceKeys(dataSource, await loadEvidenceKeys(deps.config, log));

  app.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('cache-control', 'public, max-age=300');
    res.json(keys.jwks);
  });

  app.get('/complaints/:id/evidence', async (req: Request<{ id: string }>, res: Response) => {
    const requestId = randomUUID();
    res.setHeader('x-request-id', requestId);
    try {
      const actor = await authenticate(dataSource, verifier, req.headers.authorization);
      if (!actor.roles.some((r) => EVIDENCE_BUNDLE_ROLES.includes(r))) {
        return fail(res, 403, 'FORBIDDEN', `The evidence bundle requires one of the roles ${EVIDENCE_BUNDLE_ROLES.join(', ')}`, requestId);
      }
      const ctx = new RequestContext(dataSource, requestId, log.child({ requestId, tenantId: actor.tenantId, userId: actor.userId }), actor);
      const { jws, bundle } = await evidenceBundle(ctx, req.params.id);
      const reference = String(bundle.complaint.reference).replace(/[^A-Za-z0-9-]/g, '');
      res.status(200).type('application/jose').setHeader('content-disposition', `attachment; filename="${reference}-evidence.jws"`);
      res.send(jws);
    } catch (error) {
      if (error instanceof AppError) return fail(res, STATUS[error.code] ?? 400, error.code, error.message, requestId);
      log.error({ err: error, requestId }, 'evidence bundle failed');
      fail(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error', requestId);
    }
  });
}
