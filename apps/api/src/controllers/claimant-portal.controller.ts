import { Body, Controller, Get, HttpCode, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ClaimantPortalService } from '@app/claimants';
import { ClaimantRoute, CurrentClaimant, Public } from '../http/access.decorators';
import type { ClaimantPrincipal } from '@app/claimants';
import { clientIp } from '../http/client-ip';
import { ClaimantSessionDto, ContactCorrectionDto } from '../dto/claimant.dto';

@ApiTags('claimant portal')
@Controller()
export class ClaimantPortalController {
  constructor(private readonly portal: ClaimantPortalService) {}

  @Public()
  @Post('public/claimant-sessions')
  @HttpCode(201)
  open(@Body() body: ClaimantSessionDto, @Req() req: FastifyRequest): Promise<{ token: string; expiresAt: string }> {
    return this.portal.openSession(body.reference, body.claimantToken, clientIp(req));
  }

  @ApiBearerAuth()
  @ClaimantRoute()
  @Get('claimant/me')
  me(@CurrentClaimant() me: ClaimantPrincipal): Promise<Record<string, unknown>> {
    return this.portal.me(me);
  }

  @ApiBearerAuth()
  @ClaimantRoute()
  @Patch('claimant/me')
  correct(
    @CurrentClaimant() me: ClaimantPrincipal,
    @Body() body: ContactCorrectionDto,
  ): Promise<Record<string, unknown>> {
    return this.portal.correct(me, {
      phone: body.phone,
      email: body.email,
      address: body.address
        ? { postalCode: body.address.postalCode, line1: body.address.line1, line2: body.address.line2 ?? '' }
        : undefined,
    });
  }

  @ApiBearerAuth()
  @ClaimantRoute()
  @Post('claimant/me/logout')
  @HttpCode(204)
  logout(@CurrentClaimant() me: ClaimantPrincipal): Promise<void> {
    return this.portal.logout(me);
  }

  @ApiBearerAuth()
  @ClaimantRoute()
  @Post('claimant/me/withdraw')
  @HttpCode(200)
  withdraw(@CurrentClaimant() me: ClaimantPrincipal): Promise<Record<string, unknown>> {
    return this.portal.withdraw(me);
  }
}
