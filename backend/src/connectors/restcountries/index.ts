/** REST Countries (v3.1): countries by name. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { defineAction, defineConnector } from '../sdk.js';

const provider: ProviderInfo = { name: 'REST Countries', messages: { 404: 'found no country by that name' } };

interface Country {
  name: { common: string; official: string };
  cca2: string;
  cca3: string;
  capital?: string[];
  region: string;
  subregion?: string;
  population: number;
  area: number;
  currencies?: Record<string, { name: string; symbol?: string }>;
  languages?: Record<string, string>;
  flags: { png: string; svg: string };
}

export const restcountries = defineConnector({
  key: 'restcountries',
  name: 'REST Countries',
  icon: 'globe',
  description: 'Facts about the countries of the world',
  credentials: null,
  actions: [
    defineAction({
      key: 'country_by_name',
      name: 'Find country by name',
      description: 'Countries whose common or official name contains the text (or equals it, with exact match)',
      input: z.object({
        name: z.string().min(1).describe('Country name or part of it, e.g. germany'),
        exact: z.boolean().default(false).describe('Match the full name exactly'),
      }),
      output: z.object({
        countries: z.array(
          z.object({
            name: z.string(),
            officialName: z.string(),
            code: z.string().describe('ISO 3166-1 alpha-2'),
            code3: z.string().describe('ISO 3166-1 alpha-3'),
            capital: z.string().nullable(),
            region: z.string(),
            subregion: z.string().nullable(),
            population: z.number(),
            area: z.number().describe('km²'),
            currencies: z.array(z.string()).describe('ISO 4217 codes'),
            languages: z.array(z.string()),
            flag: z.string().describe('Flag image (PNG) URL'),
          }),
        ),
      }),
      sample: { name: 'germany' },
      async execute(ctx) {
        const res = await callProvider(ctx, provider, {
          url: joinUrl(ctx.baseUrl('https://restcountries.com'), `/v3.1/name/${encodeURIComponent(ctx.input.name)}`),
          query: { fullText: ctx.input.exact ? 'true' : undefined },
        });
        const countries = jsonBody<Country[]>(res, provider);
        return {
          countries: countries.map((c) => ({
            name: c.name.common,
            officialName: c.name.official,
            code: c.cca2,
            code3: c.cca3,
            capital: c.capital?.[0] ?? null,
            region: c.region,
            subregion: c.subregion ?? null,
            population: c.population,
            area: c.area,
            currencies: Object.keys(c.currencies ?? {}),
            languages: Object.values(c.languages ?? {}),
            flag: c.flags.png,
          })),
        };
      },
    }),
  ],
});
