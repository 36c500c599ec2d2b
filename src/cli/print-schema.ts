import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAppSchema } from '../graphql/schema';
import { printSdl, SCHEMA_SDL_PATH } from '../graphql/sdl';

/** npm run schema: writes the served schema's SDL to src/graphql/schema.graphql (compiled to dist/src/cli). */
async function main(): Promise<void> {
  const target = path.resolve(__dirname, '../../..', SCHEMA_SDL_PATH);
  writeFileSync(target, printSdl(await buildAppSchema()));
  console.log(`wrote ${path.relative(process.cwd(), target)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
