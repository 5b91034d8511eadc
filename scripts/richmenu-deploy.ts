/**
 * Deploys the rich menus to the LINE channel of LINE_CHANNEL_ACCESS_TOKEN
 * (see src/richmenu/deploy.ts for the steps and what happens on failure):
 *
 *   npm run richmenu:deploy                 deploy (or replace) the menus
 *   npm run richmenu:deploy -- --dry-run    read and validate only
 */
import { readEnvironment } from '../src/config/load-config.ts';
import { runRichMenuDeploy } from '../src/richmenu/deploy.ts';

process.exitCode = await runRichMenuDeploy({
  argv: process.argv.slice(2),
  env: readEnvironment(process.env),
  write: (line) => process.stdout.write(`${line}\n`),
  writeError: (line) => process.stderr.write(`${line}\n`),
});
