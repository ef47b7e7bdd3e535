import { Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { templateUseSchema, type TemplateUse } from '@tributary/contracts';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
import { TemplatesService } from './templates.service.js';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  /** The gallery: each template's name, description, category, connectors and the credentials it needs. */
  @Get()
  list() {
    return this.templates.list();
  }

  /** Creates the template's workflow (disabled), its credentials mapped as an import's are (docs/templates.md). */
  @Post(':key/use')
  @ApiZodBody(templateUseSchema)
  use(@CurrentUser() user: AuthUser, @Param('key') key: string, @ZodBody(templateUseSchema) body: TemplateUse) {
    return this.templates.use(user.tenantId, user.userId, key, body);
  }
}
