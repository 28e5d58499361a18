import 'reflect-metadata';
import { ConfigError } from '@app/platform';
import { auditPurgeCommand } from './commands/audit-purge';
import { auditVerifyCommand } from './commands/audit-verify';
import { createFirmCommand } from './commands/create-firm';
import { migrateCommand } from './commands/migrate';
import { rotateKeysCommand } from './commands/rotate-keys';
import { seedDemoCommand } from './commands/seed-demo';
import { startCommand } from './commands/start';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help: string }> = {
  start: {
    run: () => startCommand(),
    help: 'run the API and the worker (embedded PostgreSQL / private Redis when needed)',
  },
  migrate: { run: () => migrateCommand(), help: 'apply pending database migrations' },
  'create-firm': {
    run: (args) => createFirmCommand(args),
    help: 'create a firm and its admin: --name <name> --admin-email <email> (ADMIN_PASSWORD or a generated one)',
  },
  'seed-demo': {
    run: (args) => seedDemoCommand(args),
    help: 'a demo firm, case and N synthetic claimants: [--claimants N]',
  },
  'rotate-keys': { run: () => rotateKeysCommand(), help: 're-encrypt personal data under the newest key version' },
  'audit-verify': {
    run: () => auditVerifyCommand(),
    help: 'check the audit hash chains; exit 1 at the first broken event',
  },
  'audit-purge': {
    run: () => auditPurgeCommand(),
    help: 'remove audit events past their retention period (keep_until); the chains stay verifiable',
  },
};

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const cmd = name ? COMMANDS[name] : undefined;
  if (!cmd) {
    process.stderr.write(
      `usage: npm run cli -- <command>\n${Object.entries(COMMANDS)
        .map(([k, v]) => `  ${k.padEnd(14)} ${v.help}`)
        .join('\n')}\n`,
    );
    return name ? 2 : 0;
  }
  return cmd.run(args);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof ConfigError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
