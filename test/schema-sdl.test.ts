import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildAppSchema } from '../src/graphql/schema';
import { printSdl, SCHEMA_SDL_PATH } from '../src/graphql/sdl';

/** SPEC §10: the served schema is committed in the repository, and kept current. */
test(`${SCHEMA_SDL_PATH} is the schema the service serves (else run \`npm run schema\` and commit it)`, async () => {
  const file = path.resolve(__dirname, '..', SCHEMA_SDL_PATH);
  const committed = readFileSync(file, 'utf8');
  const served = printSdl(await buildAppSchema());
  if (committed !== served) {
    const [ours, theirs] = [committed.split('\n'), served.split('\n')];
    const line = ours.findIndex((text, i) => text !== theirs[i]);
    throw new Error(
      `${SCHEMA_SDL_PATH} is stale: the served schema changed (first difference at line ${line + 1}: ${JSON.stringify(theirs[line] ?? '')}). ` +
        `Run \`npm run schema\` and commit ${SCHEMA_SDL_PATH}.`,
    );
  }
});
