import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { LiveModule } from '../live/live.module.js';
import { InvitationAcceptanceController } from './invitation-acceptance.controller.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { TeamRepository } from './team.repository.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** Team management: members and their roles, invitations. Built on auth (sessions, the identity cache it refreshes on a change). */
@Module({
  imports: [LiveModule, AuthModule],
  controllers: [UsersController, InvitationsController, InvitationAcceptanceController],
  providers: [TeamRepository, UsersService, InvitationsService],
  exports: [UsersService, InvitationsService],
})
export class UsersModule {}
