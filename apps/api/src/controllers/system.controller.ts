import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { OutboxRelay, SystemPingService, type SystemPingView } from '@app/platform';
import { Permission } from '@app/security';
import { RequirePermission } from '../http/access.decorators';

@ApiTags('operations')
@Controller('system/pings')
export class SystemController {
  constructor(
    private readonly pings: SystemPingService,
    private readonly relay: OutboxRelay,
  ) {}

  /** Queues a `system.ping` job through the outbox; proves the job path end to end. */
  @RequirePermission(Permission.SystemPing)
  @Post()
  @HttpCode(202)
  async create(): Promise<{ id: string; jobId: string }> {
    const out = await this.pings.request();
    this.relay.kick();
    return out;
  }

  @RequirePermission(Permission.SystemPing)
  @Get(':id')
  get(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string): Promise<SystemPingView> {
    return this.pings.get(id);
  }
}
