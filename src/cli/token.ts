import { decodeJwt } from 'jose';
import { parseArgs } from 'node:util';
import { parseClaims, signDevToken } from '../auth/jwt';
import { ConfigError, loadConfig } from '../config';
import { resolveJwtSecret } from '../dev-secret';

const USAGE = `Usage: npm run -s token -- --tenant <tenant id> --role <role> [options]

Prints a development bearer token (HS256, signed with JWT_SECRET or the dev secret
under DATA_DIR, so \`npm start\` accepts it) on stdout and nothing else.
-s (--silent) keeps npm's own banner out of $(npm run -s token ...).

  --tenant <id>      tenant id (the tid claim), required
  --role <role>      AGENT, DPO, COMPLIANCE_OFFICER or ADMIN; repeat or comma-separate
  --sub <id>         user id (default: <tenant>-<first role>)
  --name <name>      display name
  --email <email>    e-mail address
  --tz <zone>        IANA time zone for a tenant seen for the first time
  --country <CC>     holiday calendar for a tenant seen for the first time
  --expires <span>   lifetime, e.g. 30m, 12h, 7d (default 12h)
  -h, --help         this text

Example: TOKEN=$(npm run -s token -- --tenant demo --role DPO)
`;

/** `npm run -s token -- --tenant T --role DPO`: a development token, instantly (no build, no database). */
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
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.tenant || !values.role?.length) throw new UsageError('--tenant and --role are required');
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
  if (Number(exp) - Number(iat) > config.jwtMaxTtlSeconds)
    throw new ConfigError(`--expires ${values.expires} is longer than JWT_MAX_TTL (${config.JWT_MAX_TTL}): the service would refuse the token`);
  process.stdout.write(`${token}\n`);
}

class UsageError extends Error {}

main().catch((error) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(error instanceof Error ? error.message : error);
  if (usage) console.error('Run `npm run -s token -- --help` for the options.');
  process.exit(usage ? 2 : 1);
});
