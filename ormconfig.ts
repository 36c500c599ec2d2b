import 'reflect-metadata';
import { createDataSource } from './src/db/data-source';

/** The data source of the TypeORM CLI (`npx typeorm-ts-node-commonjs -d ormconfig.ts ...`). */
if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL is required for the TypeORM CLI (npm run migrate starts the embedded server without it)');
export default createDataSource(process.env.DATABASE_URL, { asOwner: true }); // migrations change the schema
