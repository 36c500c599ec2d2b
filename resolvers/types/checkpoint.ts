import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from './objects';
import { DateTimeScalar } from './scalars';

@ObjectType('AuditCheckpoint', {
  description: "A signed statement of every chain head of the tenant at one moment, kept outside the database's control once delivered.",
})
export class AuditCheckpointType {
  @Field(() => ID, { description: 'The checkpoint id, also in its signed payload and file name.' }) id: string;
  @Field(() => DateTimeScalar, { description: 'When it was made: the instant of its AUDIT_CHECKPOINT_CREATED event on the tenant chain.' }) createdAt: Date;
  @Field({
    description:
      'RFC 9162 Merkle tree hash (hex) over the RFC 8785 JSON of {chain, sequence, hash} of every chain head, sorted by chain ("tenant" for the tenant chain).',
  })
  root: string;
  @Field(() => Int, { description: 'Chains covered: one per complaint with events, plus the tenant chain.' }) chains: number;
  @Field(() => Int, { description: 'Events under the heads: the sum of their sequences.' }) events: number;
  @Field({ description: 'Compact JWS (EdDSA) of {id, tenant, createdAt, root, chains, events, heads}, verifiable with /.well-known/jwks.json.' }) jws: string;
}

@ObjectType('AuditCheckpointEdge', { description: 'One checkpoint of a page.' })
export class AuditCheckpointEdge {
  @Field({ description: 'Opaque cursor: pass as `after` for the next page.' }) cursor: string;
  @Field(() => AuditCheckpointType, { description: 'The checkpoint.' }) node: AuditCheckpointType;
}

@ObjectType('AuditCheckpointConnection', { description: 'Checkpoints, newest first.' })
export class AuditCheckpointConnection {
  @Field(() => [AuditCheckpointEdge], { description: 'The page.' }) edges: AuditCheckpointEdge[];
  @Field(() => PageInfo, { description: 'Whether more follow, and the cursor to ask for them.' }) pageInfo: PageInfo;
}
