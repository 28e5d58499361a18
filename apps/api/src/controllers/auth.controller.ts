import { Body, Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AuthService, Permission, type LoginResult, type StaffPrincipal } from '@app/security';
import { CurrentStaff, Public, RequirePermission } from '../http/access.decorators';
import { clientIp } from '../http/client-ip';
import { LoginDto } from '../dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: LoginDto, @Req() req: FastifyRequest): Promise<LoginResult> {
    return this.auth.login(body.email, body.password, clientIp(req));
  }

  @ApiBearerAuth()
  @RequirePermission(Permission.CaseRead)
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentStaff() me: StaffPrincipal): Promise<void> {
    await this.auth.logout(me);
  }

  @ApiBearerAuth()
  @RequirePermission(Permission.CaseRead)
  @Get('me')
  me(@CurrentStaff() me: StaffPrincipal): { id: string; firmId: string; email: string; name: string; role: string } {
    return { id: me.staffId, firmId: me.firmId, email: me.email, name: me.name, role: me.role };
  }
}
