import { Controller, Ip, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Public } from '../access/decorators.js';
import { passwordSchema } from '../auth/auth.controller.js';
import { AuthService } from '../auth/auth.service.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
import { InvitationsService } from './invitations.service.js';

const acceptInvitationSchema = z.object({
  token: z.string().trim().min(1).max(200),
  password: passwordSchema,
  name: z.string().trim().max(200).optional(),
});

/** The invitee's side of an invitation: under /api/auth with sign-up and sign-in, owned by team management. */
@ApiTags('auth')
@Controller('auth')
export class InvitationAcceptanceController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly auth: AuthService,
  ) {}

  /**
   * The invitee sets a password and joins the inviting workspace with the invited role; answers
   * `{ token, user }` like register. An unknown token answers 404; an expired, revoked or used one 409.
   */
  @Public()
  @Post('accept-invitation')
  @ApiZodBody(acceptInvitationSchema)
  async acceptInvitation(@ZodBody(acceptInvitationSchema) body: z.output<typeof acceptInvitationSchema>, @Ip() ip: string) {
    const passwordHash = await this.auth.hashPassword(body.password);
    const user = await this.invitations.accept(body.token, { passwordHash, name: body.name, assertPasswordAllowed: (tenantId) => this.auth.assertPasswordAllowed(tenantId) }, ip);
    return this.auth.sessionFor(user);
  }
}
