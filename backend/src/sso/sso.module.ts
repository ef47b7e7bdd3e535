import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { createHttpClient, type ClosableHttpClient } from '../common/http/http-client.js';
import { secretBoxProvider } from '../common/secret-box.provider.js';
import { CONFIG, type Config } from '../config/config.js';
import { OidcClient } from './oidc-client.js';
import { SsoController, SsoLoginController } from './sso.controller.js';
import { SsoRepository } from './sso.repository.js';
import { SsoService } from './sso.service.js';

/** The HTTP client of discovery and token requests to identity providers (the SSRF guard and timeouts of every outbound call). */
@Injectable()
class SsoHttp implements OnApplicationShutdown {
  readonly client: ClosableHttpClient;
  constructor(@Inject(CONFIG) config: Config) {
    this.client = createHttpClient({ allowPrivateTargets: config.allowPrivateTargets, userAgent: 'Tributary/0.1 (+https://github.com/tributary)', retries: 0, timeoutMs: 10_000, maxResponseBytes: 1024 * 1024 });
  }
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

/** Single sign-on with OpenID Connect (docs/sso.md). Built on auth (sessions; it registers itself as auth's SignInPolicy). */
@Module({
  imports: [AuthModule],
  controllers: [SsoController, SsoLoginController],
  providers: [
    SsoHttp,
    secretBoxProvider,
    SsoRepository,
    // http:// issuers only where private targets are allowed (tests, on-premise, development).
    { provide: OidcClient, inject: [SsoHttp, CONFIG], useFactory: (h: SsoHttp, config: Config) => new OidcClient(h.client, config.allowPrivateTargets) },
    SsoService,
  ],
  exports: [SsoRepository],
})
export class SsoModule {}
