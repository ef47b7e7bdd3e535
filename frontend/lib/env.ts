import { z } from 'zod';

/**
 * Public configuration, validated once. NEXT_PUBLIC_* values are inlined at build time, so each is
 * read by its literal name here and nowhere else.
 */
const schema = z.object({
  NEXT_PUBLIC_API_URL: z.url().default('http://localhost:8080'),
});

const parsed = schema.safeParse({
  NEXT_PUBLIC_API_URL: process.env.NEXT_PUBLIC_API_URL || undefined,
});

if (!parsed.success) {
  throw new Error(`Invalid dashboard environment: ${z.prettifyError(parsed.error)}`);
}

export const env = {
  apiUrl: parsed.data.NEXT_PUBLIC_API_URL.replace(/\/+$/, ''),
};
