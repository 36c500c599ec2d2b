import type { Express, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { authenticate } from '../auth/authenticate';
import type { TokenVerifier } from '../auth/jwt';
import { EVIDENCE_BUNDLE_ROLES } from '../auth/permissions';
import type { AppConfig } from '../config';
import { RequestContext } from '../context';
import { ForbiddenError } from '../errors';
import { loadEvidenceKeys, useEvidenceKeys } from '../evidence/keys';
import type { Logger } from '../logger';
import { evidenceBundle } from '../services/evidence.service';
import type { AccessLog } from './access-log';
import { requestIdOf, sendRestError } from './rest-door';

/**
 * SPEC §7: the evidence bundle of a case, `GET /complaints/{id}/evidence` (a compact JWS,
 * bearer token through the one authentication door), and the evidence key set,
 * `GET /.well-known/jwks.json` (no token: auditors verify with it).
 */
export async function mountEvidenceRoutes(
  app: Express,
  deps: { config: AppConfig; dataSource: DataSource; verifier: TokenVerifier; log: Logger; access: AccessLog },
): Promise<void> {
  const { dataSource, verifier, log, access } = deps;
  const keys = useEvidenceKeys(dataSource, await loadEvidenceKeys(deps.config, log));

  app.get('/.well-known/jwks.json', (_req, res) => {
    res.setHeader('cache-control', 'public, max-age=300');
    res.json(keys.jwks);
  });

  app.get('/complaints/:id/evidence', async (req: Request<{ id: string }>, res: Response) => {
    const requestId = requestIdOf(req, res);
    try {
      const actor = await authenticate(dataSource, verifier, req.headers.authorization);
      access.attach({}, res, actor);
      if (!actor.roles.some((r) => EVIDENCE_BUNDLE_ROLES.includes(r))) {
        throw new ForbiddenError(`The evidence bundle requires one of the roles ${EVIDENCE_BUNDLE_ROLES.join(', ')}`);
      }
      const ctx = new RequestContext(dataSource, requestId, log.child({ requestId, tenantId: actor.tenantId, userId: actor.userId }), actor);
      const { jws, bundle } = await evidenceBundle(ctx, req.params.id);
      const reference = String(bundle.complaint.reference).replace(/[^A-Za-z0-9-]/g, '');
      res.status(200).type('application/jose').setHeader('content-disposition', `attachment; filename="${reference}-evidence.jws"`);
      res.send(jws);
    } catch (error) {
      access.refused(req, res, sendRestError(res, error, requestId, log));
    }
  });
}
