import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

/** A credential as the api answers it: masked hints of its fields, never the secrets. */
export const credentialSchema = z.strictObject({
  id: idSchema,
  connector: z.string(),
  name: z.string(),
  hints: z.record(z.string(), z.string()),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Credential = z.output<typeof credentialSchema>;
