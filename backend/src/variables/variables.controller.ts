import { Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../access/auth.types.js';
import { CurrentUser } from '../access/decorators.js';
import { ApiZodBody, ZodBody } from '../common/zod.js';
import { variableInputSchema, variableUpdateSchema, type VariableInput, type VariableUpdate } from '@tributary/contracts';
import { VariablesService } from './variables.service.js';

/** Workspace variables: viewers read them (secret values never leave the api), editors and admins change them. */
@ApiTags('variables')
@ApiBearerAuth()
@Controller('variables')
export class VariablesController {
  constructor(private readonly variables: VariablesService) {}

  @Post()
  @ApiZodBody(variableInputSchema)
  create(@CurrentUser() user: AuthUser, @ZodBody(variableInputSchema) body: VariableInput) {
    return this.variables.create(user.tenantId, user.userId, body);
  }

  @Get()
  list(@CurrentUser() user: AuthUser) {
    return this.variables.list(user.tenantId);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.variables.get(user.tenantId, id);
  }

  @Put(':id')
  @ApiZodBody(variableUpdateSchema)
  update(@CurrentUser() user: AuthUser, @Param('id') id: string, @ZodBody(variableUpdateSchema) body: VariableUpdate) {
    return this.variables.update(user.tenantId, user.userId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    await this.variables.remove(user.tenantId, user.userId, id);
  }
}
