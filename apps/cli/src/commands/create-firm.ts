import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { FirmService } from '@app/security';
import { withCliContext } from '../cli.module';

/** `create-firm --name <name> --admin-email <email> [--admin-name <name>]`; password from ADMIN_PASSWORD or generated. */
export async function createFirmCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-name': { type: 'string' },
    },
    strict: true,
  });
  if (!values.name || !values['admin-email']) {
    process.stderr.write('usage: create-firm --name <name> --admin-email <email> [--admin-name <name>]\n');
    return 2;
  }
  const given = process.env.ADMIN_PASSWORD;
  const password = given && given.length > 0 ? given : randomBytes(18).toString('base64url');
  const result = await withCliContext((app) =>
    app.get(FirmService).createWithAdmin(values.name!, {
      email: values['admin-email']!,
      name: values['admin-name'] ?? 'Administrator',
      password,
    }),
  );
  process.stdout.write(
    `${JSON.stringify({
      firmId: result.firmId,
      adminId: result.admin.id,
      adminEmail: result.admin.email,
      ...(given ? {} : { password }),
    })}\n`,
  );
  return 0;
}
