import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditLog } from './audit-log.entity.js';
import { AuditRetention } from './audit-retention.js';
import { AuditController } from './audit.controller.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { CredentialUseAudit } from './credential-use-audit.js';

/** Global: every feature records through AuditService. The retention sweep runs where @nestjs/schedule does (the api). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditLog])],
  controllers: [AuditController],
  providers: [AuditService, AuditRepository, CredentialUseAudit, AuditRetention],
  exports: [AuditService, CredentialUseAudit],
})
export class AuditModule {}
