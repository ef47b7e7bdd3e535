import { Module } from '@nestjs/common';
import { ExecutionsCoreModule } from '../executions/executions-core.module.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsService } from './invitations.service.js';
import { TeamRepository } from './team.repository.js';
import { UsersController } from './users.controller.js';
import { UsersService } from './users.service.js';

/** Team management: members and their roles, invitations. Auth uses it to check a token's user on every request. */
@Module({
  imports: [ExecutionsCoreModule],
  controllers: [UsersController, InvitationsController],
  providers: [TeamRepository, UsersService, InvitationsService],
  exports: [UsersService, InvitationsService],
})
export class UsersModule {}
