import { Module } from '@nestjs/common';
import { secretBoxProvider } from '../common/secret-box.provider.js';
import { ConsumerChanges } from './consumer-changes.js';
import { ConsumersController } from './consumers.controller.js';
import { ConsumersRepository } from './consumers.repository.js';
import { ConsumersService } from './consumers.service.js';
import { UsageMeter } from './usage-meter.js';

/** API consumers (Kong consumers with a key), the trust of Kong's consumer headers, and usage metering. */
@Module({
  controllers: [ConsumersController],
  providers: [ConsumersRepository, ConsumersService, UsageMeter, ConsumerChanges, secretBoxProvider],
  exports: [ConsumersService, UsageMeter, ConsumerChanges],
})
export class ConsumersModule {}
