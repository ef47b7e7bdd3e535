import { Module } from '@nestjs/common';
import { secretBoxProvider } from '../common/secret-box.provider.js';
import { VariablesController } from './variables.controller.js';
import { VariablesRepository } from './variables.repository.js';
import { VariablesService } from './variables.service.js';

/** Workspace variables and their values per environment (docs/variables.md). Workflows validate and promote with it; the engine service reads it per run. */
@Module({
  controllers: [VariablesController],
  providers: [VariablesService, VariablesRepository, secretBoxProvider],
  exports: [VariablesService],
})
export class VariablesModule {}
