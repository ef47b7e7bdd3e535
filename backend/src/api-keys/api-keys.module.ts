import { Module } from '@nestjs/common';
import { LiveModule } from '../live/live.module.js';
import { ApiKeyVerifier } from './api-key-verifier.js';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';

/**
 * API keys: management (create, list, revoke) and the lookup of a `trb_…` bearer (ApiKeyVerifier),
 * which auth/ turns into the request's user. Below auth: imports nothing of it.
 */
@Module({
  imports: [LiveModule],
  controllers: [ApiKeysController],
  providers: [ApiKeysRepository, ApiKeyVerifier, ApiKeysService],
  exports: [ApiKeyVerifier],
})
export class ApiKeysModule {}
