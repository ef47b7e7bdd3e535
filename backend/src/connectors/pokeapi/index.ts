/** PokeAPI: Pokémon by name or number. */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { defineAction, defineConnector } from '../sdk.js';

const provider: ProviderInfo = { name: 'PokeAPI', messages: { 404: 'knows no such Pokémon' } };

interface Pokemon {
  id: number;
  name: string;
  height: number;
  weight: number;
  base_experience: number | null;
  types: { type: { name: string } }[];
  abilities: { ability: { name: string } }[];
  sprites: { front_default: string | null };
}

export const pokeapi = defineConnector({
  key: 'pokeapi',
  name: 'PokeAPI',
  icon: 'circle-dot',
  description: 'Pokémon data',
  credentials: null,
  actions: [
    defineAction({
      key: 'get_pokemon',
      name: 'Get Pokémon',
      description: 'A Pokémon by name or national number',
      input: z.object({ name: z.string().min(1).describe('Name (pikachu) or number (25)') }),
      output: z.object({
        id: z.number(),
        name: z.string(),
        height: z.number().describe('Decimetres'),
        weight: z.number().describe('Hectograms'),
        baseExperience: z.number().nullable(),
        types: z.array(z.string()),
        abilities: z.array(z.string()),
        sprite: z.string().nullable().describe('Front sprite image URL'),
      }),
      sample: { name: 'pikachu' },
      async execute(ctx) {
        const name = encodeURIComponent(ctx.input.name.trim().toLowerCase());
        const res = await callProvider(ctx, provider, { url: joinUrl(ctx.baseUrl('https://pokeapi.co'), `/api/v2/pokemon/${name}`) });
        const p = jsonBody<Pokemon>(res, provider);
        return {
          id: p.id,
          name: p.name,
          height: p.height,
          weight: p.weight,
          baseExperience: p.base_experience,
          types: p.types.map((t) => t.type.name),
          abilities: p.abilities.map((a) => a.ability.name),
          sprite: p.sprites.front_default,
        };
      },
    }),
  ],
});
