import 'reflect-metadata';
import { createDataSource } from '../src/db/data-source';
import { createTestDatabase } from './support/harness';

/**
 * SPEC §10: the entities and the migrations describe the same schema. TypeORM's schema
 * builder is what `migration:generate` runs: against a freshly migrated database it must
 * have nothing to add, alter or drop.
 */
describe('entities and migrations', () => {
  it('agree: a migration generated against a migrated database is empty', async () => {
    const database = await createTestDatabase();
    // As the owner, like the CLI: cms_app may not see every catalog detail it compares.
    const owner = createDataSource(database.url, { poolSize: 1, asOwner: true });
    await owner.initialize();
    try {
      const { upQueries } = await owner.driver.createSchemaBuilder().log();
      expect(upQueries.map((q) => q.query.trim())).toEqual([]);
    } finally {
      await owner.destroy();
      await database.drop();
    }
  });
});
