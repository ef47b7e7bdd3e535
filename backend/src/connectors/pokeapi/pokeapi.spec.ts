import { startMockApis, type MockApis } from '../../../../scripts/mock-apis/server.js';
import { failureOf, runAction } from '../testing.js';
import { pokeapi } from './index.js';

let mock: MockApis;
beforeAll(async () => {
  mock = await startMockApis();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe('pokeapi.get_pokemon', () => {
  it('gets a Pokémon by name (case-insensitive) and by number', async () => {
    const out = await runAction(pokeapi, 'get_pokemon', { mockUrl: mock.url, input: { name: 'Pikachu' } });
    expect(out).toMatchObject({ id: 25, name: 'pikachu', types: ['electric'], abilities: ['static', 'lightning-rod'] });
    expect(mock.requests[0].path).toBe('/pokeapi/api/v2/pokemon/pikachu');
    await expect(runAction(pokeapi, 'get_pokemon', { mockUrl: mock.url, input: { name: '4' } })).resolves.toMatchObject({ name: 'charmander' });
  });

  it('reports an unknown Pokémon', async () => {
    const err = await failureOf(runAction(pokeapi, 'get_pokemon', { mockUrl: mock.url, input: { name: 'agumon' } }));
    expect(err.message).toBe('PokeAPI knows no such Pokémon (404 Not Found)');
  });

  it('stops an oversize answer at the size cap', async () => {
    const err = await failureOf(runAction(pokeapi, 'get_pokemon', { mockUrl: mock.url, input: { name: 'mock-oversize' }, http: { maxResponseBytes: 1024 * 1024 } }));
    expect(err).toMatchObject({ retryable: false });
    expect(err.message).toMatch(/^PokeAPI sent too large a response: GET .* is larger than the 1048576-byte limit$/);
  });
});
