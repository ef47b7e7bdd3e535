import type { Provider } from '@nestjs/common';
import { SecretBox } from './crypto.js';
import { CONFIG, type Config } from '../config/config.js';

export const SECRET_BOX = Symbol('SECRET_BOX');

export const secretBoxProvider: Provider = {
  provide: SECRET_BOX,
  inject: [CONFIG],
  useFactory: (config: Config) => new SecretBox(config.encryption.keys, config.encryption.currentKeyId),
};
