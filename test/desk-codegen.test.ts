import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The desk is typed against the served schema: `npm run codegen --check` regenerates its
 * operation types from the committed SDL (src/graphql/schema.graphql) and compares them with
 * the committed src/desk/graphql/generated.ts. Run as node itself: the generator is partly ESM.
 */
test("the desk's generated operation types are current (else run `npm run codegen` and commit them)", () => {
  const result = spawnSync(process.execPath, ['scripts/desk-codegen.js', '--check'], { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});
