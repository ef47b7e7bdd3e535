import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser, Roles } from '../access/decorators.js';
import { ApiZodBody, ApiZodQuery, ZodBody, ZodQuery } from '../common/zod.js';
import { listEventsQuery, publishEventSchema, type ListEventsQuery, type PublishEventInput } from './events.schema.js';
import { EventsService } from './events.service.js';

@ApiTags('events')
@ApiBearerAuth()
@Controller('events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** Publishes to the tenant's sockets (`event.published`) and starts workflows with an `event` trigger on the topic. */
  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiZodBody(publishEventSchema)
  publish(@CurrentUser() user: AuthUser, @ZodBody(publishEventSchema) body: PublishEventInput) {
    return this.events.publish(user.tenantId, user.userId, body);
  }

  /** The timeline, newest first; with `groupBy` the counts per hour or day instead. */
  @Get()
  @ApiZodQuery(listEventsQuery)
  list(@CurrentUser() user: AuthUser, @ZodQuery(listEventsQuery) q: ListEventsQuery) {
    return q.groupBy ? this.events.timeline(user.tenantId, { ...q, groupBy: q.groupBy }) : this.events.list(user.tenantId, q);
  }
}
