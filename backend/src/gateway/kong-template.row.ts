import type { KongTemplateOptions, KongUseCase } from '../kong/kong-templates.js';
import type { KongDeclarativeConfig } from '../kong/kong-types.js';

/** A generated gateway pattern for one workflow, kept so the tenant's whole Kong config can be rebuilt and pushed. */
export interface KongTemplateRecord {
  id: string;
  tenantId: string;
  workflowId: string;
  useCase: KongUseCase;

  /** The public path on Kong's proxy; unique across the installation. */
  path: string;
  options: KongTemplateOptions;
  config: KongDeclarativeConfig;
  createdAt: Date;
}
