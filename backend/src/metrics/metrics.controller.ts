import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../access/decorators.js';
import { CONFIG, type Config } from '../config/config.js';
import { checkMetricsToken } from './metrics-token.js';
import { MetricsService } from './metrics.service.js';

/** GET /metrics (outside /api) for Prometheus; with METRICS_TOKEN set, only with that bearer token. */
@ApiTags('metrics')
@ApiBearerAuth()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  @Public()
  @Get()
  @ApiProduces('text/plain; version=0.0.4')
  async scrape(@Headers('authorization') authorization: string | undefined, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    checkMetricsToken(authorization, this.config.metricsToken);
    void reply.header('content-type', this.metrics.contentType).header('cache-control', 'no-store');
    return this.metrics.scrape();
  }
}
