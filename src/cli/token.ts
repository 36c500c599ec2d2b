import 'reflect-metadata';
import { decodeJwt } from 'jose';
import { parseArgs } from 'node:util';
import { parseClaims, signDevToken } from '../auth/jwt';
import { ConfigError, loadConfig } from '../config';
import { resolveJwtSecret } from '../dev-secret';

/** npm run token -- --tenant T --role DPO [--role AGENT] [--sub id] [--name N] [--email E] [--tz Z] [--country C] [--expires 12h] */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      role: { type: 'string', multiple: true },
      sub: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      tz: { type: 'string' },
      country: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  if (!values.tenant || !values.role?.length) throw new ConfigError('usage: npm run token -- --tenant <tenant id> --role <AGENT|DPO|COMPLIANCE_OFFICER|ADMIN> [--role ...] [--sub <user id>] [--name <name>] [--email <email>] [--tz <IANA zone>] [--country <CC>] [--expires 12h]');
  const config = loadConfig();
  const secret = resolveJwtSecret(config);
  if (!secret) throw new ConfigError('No HS256 secret: set JWT_SECRET (tokens from a JWKS are issued by your identity provider)');
  const roles = values.role.flatMap((r) => r.split(',')).map((r) => r.trim().toUpperCase());
  const sub = values.sub ?? `${values.tenant}-${roles[0].toLowerCase()}`;
  const claims = parseClaims({ sub, tid: values.tenant, roles, name: values.name, email: values.email, tz: values.tz, country: values.country });
  for (const { claim, value, reason } of claims.ignored ?? []) console.error(`warning: --${claim} ${String(value)} is ignored (${reason})`);
  const token = await signDevToken(secret, claims, values.expires);
  // SPEC §3: the service refuses a token that lives longer than JWT_MAX_TTL.
  const { iat, exp } = decodeJwt(token);
  if (Number(exp) - Number(iat) > config.jwtMaxTtlSeconds) throw new ConfigError(`--expires ${values.expires} is longer than JWT_MAX_TTL (${config.JWT_MAX_TTL}): the service would refuse the token`);
  process.stdout.write(`${token}\n`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
