/** Turns tracing on for the process when the configuration names an OTLP endpoint (api and worker). */
import { Global, Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { startTracing } from './tracing.js';

export const SERVICE_NAME = Symbol('TELEMETRY_SERVICE_NAME');

@Injectable()
export class Telemetry implements OnApplicationShutdown {
  private readonly release?: () => Promise<void>;

  constructor(@Inject(CONFIG) config: Config, @Inject(SERVICE_NAME) defaultServiceName: string) {
    const { tracesUrl, serviceName } = config.tracing;
    if (!tracesUrl) return;
    this.release = startTracing({ tracesUrl, serviceName: serviceName ?? defaultServiceName });
    new Logger('Telemetry').log({ msg: 'tracing on: spans go over OTLP/HTTP', tracesUrl, serviceName: serviceName ?? defaultServiceName });
  }

  /** Flushes the spans still buffered (the last user in the process turns tracing off). */
  async onApplicationShutdown(): Promise<void> {
    await this.release?.();
  }
}

@Global()
@Module({})
export class TelemetryModule {
  /** `serviceName`: the default `service.name` (OTEL_SERVICE_NAME overrides it). */
  static forRoot(serviceName: 'tributary-api' | 'tributary-worker'): DynamicModule {
    return { module: TelemetryModule, providers: [{ provide: SERVICE_NAME, useValue: serviceName }, Telemetry], exports: [Telemetry] };
  }
}
