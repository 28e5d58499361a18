import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { CaseService } from '@app/cases';
import { IntakeService, type IntakeReceipt } from '@app/claimants';
import { NotFoundError } from '@app/platform';
import { Public } from '../http/access.decorators';
import { clientIp } from '../http/client-ip';

const EXAMPLE = {
  name: '홍길동',
  birthDate: '1985-03-14',
  phone: '010-1234-5678',
  email: 'gildong@example.kr',
  address: { postalCode: '06236', line1: '서울특별시 강남구 테헤란로 123', line2: '4층' },
  exposedData: ['name', 'phone', 'email', 'address', 'orderHistory', 'entranceCode'],
  noticeReceivedOn: '2025-11-30',
  harms: [{ kind: 'smishing', occurredOn: '2025-12-03', lossKrw: 0, description: '택배 사칭 문자' }],
  consents: { collectionAndUse: true, provisionForLitigation: true },
  attestation: true,
};

@ApiTags('public intake')
@Public()
@Controller('public/cases')
export class PublicIntakeController {
  constructor(
    private readonly cases: CaseService,
    private readonly intake: IntakeService,
  ) {}

  @Get(':slug')
  async get(@Param('slug') slug: string): Promise<Record<string, unknown>> {
    const kase = /^[a-z0-9-]{3,64}$/.test(slug) ? await this.cases.findBySlug(slug) : undefined;
    if (!kase) throw new NotFoundError('Case');
    return {
      slug: kase.slug,
      title: kase.title,
      court: kase.court,
      defendant: kase.defendant.name,
      intakeOpen: kase.intakeOpen,
      consents: kase.consents.map((c) => ({
        key: c.key,
        required: c.required,
        title: c.title,
        purpose: c.purpose,
        items: c.items,
        retention: c.retention,
        refusal: c.refusal,
        version: c.version,
      })),
      evidenceKinds: kase.evidenceKinds,
    };
  }

  /** The form breach victims fill in on their phones. Never accepts a resident registration number. */
  @Post(':slug/claimants')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiBody({ schema: { type: 'object', example: EXAMPLE } })
  async submit(
    @Param('slug') slug: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<IntakeReceipt> {
    if (!/^[a-z0-9-]{3,64}$/.test(slug)) throw new NotFoundError('Case');
    const result = await this.intake.submit(slug, body, idempotencyKey, clientIp(req));
    return result.body;
  }
}
