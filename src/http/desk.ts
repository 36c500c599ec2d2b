import express from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { seedDemoTenant } from '../demo';

/** The built desk (Vite output of src/desk): dist/desk beside package.json, from src/ or dist/src/. */
export function deskDirectory(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'desk');
}

/**
 * The case desk at `/` and the GraphQL IDE at `GET /graphql` (Accept: text/html), both
 * static and token-free (SPEC §2, §12): they call the API with the user's own bearer token.
 * Mounted before Apollo so its CDN-loading landing page is never served.
 */
export function mountDesk(app: express.Express, deps: { config: AppConfig; dataSource: DataSource }): void {
  const root = deskDirectory();
  app.get('/graphql', (req, res, next) => {
    if (req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    // Never fall through to Apollo's landing page: it loads from a CDN.
    if (!existsSync(path.join(root, 'ide.html'))) return void res.status(503).type('text/plain').send('The IDE is not built: run `npm run build:desk`.\n');
    res.set('cache-control', 'no-cache').sendFile(path.join(root, 'ide.html'));
  });
  // Development only: the demo users' tokens for the desk's sign-in picker (README: "Demo sign-in").
  if (!deps.config.isProduction && deps.config.JWT_SECRET) {
    const secret = deps.config.JWT_SECRET;
    app.get('/desk/demo-tokens', async (_req, res, next) => {
      try {
        res.set('cache-control', 'no-store').json(await seedDemoTenant(deps.dataSource, secret, deps.config.jwtMaxTtlSeconds));
      } catch (error) {
        next(error);
      }
    });
  }
  app.use('/', express.static(root, { index: 'index.html', fallthrough: true, maxAge: 0 }));
}
