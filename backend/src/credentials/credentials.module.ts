import { Module, type OnApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createHttpClient, type ClosableHttpClient } from '../common/http/http-client.js';
import { secretBoxProvider } from '../common/secret-box.provider.js';
import { CONFIG, type Config } from '../config/config.js';
import { LiveModule } from '../live/live.module.js';
import { ConnectionsService, CONNECTIONS_HTTP } from './connections.service.js';
import { Credential } from './credential.entity.js';
import { CredentialsController, OAuth2CallbackController } from './credentials.controller.js';
import { CredentialsRepository } from './credentials.repository.js';
import { CredentialsService } from './credentials.service.js';
import { CredentialHealth } from './credential-health.js';
import { AccessTokens } from './oauth2/access-tokens.js';
import { OAuth2Client } from './oauth2/oauth2-client.js';
import { TokensRepository } from './oauth2/tokens.repository.js';

/** The HTTP client of token requests and connection tests (the SSRF guard and timeouts of every outbound call). */
@Injectable()
class ConnectionsHttp implements OnApplicationShutdown {
  readonly client: ClosableHttpClient;
  constructor(@Inject(CONFIG) config: Config) {
    this.client = createHttpClient({ allowPrivateTargets: config.allowPrivateTargets, userAgent: 'Tributary/0.1 (+https://github.com/tributary)', retries: 0 });
  }
  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

@Module({
  imports: [TypeOrmModule.forFeature([Credential]), LiveModule],
  controllers: [CredentialsController, OAuth2CallbackController],
  providers: [
    CredentialsService,
    CredentialsRepository,
    secretBoxProvider,
    ConnectionsHttp,
    { provide: CONNECTIONS_HTTP, inject: [ConnectionsHttp], useFactory: (h: ConnectionsHttp) => h.client },
    { provide: OAuth2Client, inject: [CONNECTIONS_HTTP], useFactory: (http: ClosableHttpClient) => new OAuth2Client(http) },
    TokensRepository,
    AccessTokens,
    ConnectionsService,
    CredentialHealth,
  ],
  exports: [CredentialsService, ConnectionsService, CredentialHealth, TokensRepository],
})
export class CredentialsModule {}
