import type { DataSource } from 'typeorm';
import type { Actor } from '../context';
import { UnauthenticatedError } from '../errors';
import { provisionActor } from '../services/provisioning.service';
import type { TokenVerifier } from './jwt';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The one door for every entry point (GraphQL over HTTP, graphql-ws, the CSV report):
 * `Bearer <JWT>` → verified claims → the provisioned actor, or UNAUTHENTICATED.
 */
export async function authenticate(dataSource: DataSource, verifier: TokenVerifier, authorization: unknown): Promise<Actor> {
  const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
  if (!match) throw new UnauthenticatedError('Authorization: Bearer <JWT> is required');
  return provisionActor(dataSource, await verifier.verify(match[1]), verifier.log);
}
