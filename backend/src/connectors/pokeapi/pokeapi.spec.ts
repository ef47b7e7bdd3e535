import { describeConnector, failureOf } from '../testing.js';
import { pokeapi } from './index.js';

describeConnector(pokeapi, ({ mock, run }) => {
  describe('pokeapi.get_pokemon', () => {
    it('gets a Pokémon by name (case-insensitive) and by number', async () => {
      const out = await run('get_pokemon', { input: { name: 'Pikachu' } });
      expect(out).toMatchObject({ id: 25, name: 'pikachu', types: ['electric'], abilities: ['static', 'lightning-rod'] });
      expect(mock.requests[0].path).toBe('/pokeapi/api/v2/pokemon/pikachu');
      await expect(run('get_pokemon', { input: { name: '4' } })).resolves.toMatchObject({ name: 'charmander' });
    });

    it('reports an unknown Pokémon', async () => {
      const err = await failureOf(run('get_pokemon', { input: { name: 'agumon' } }));
      expect(err.message).toBe('PokeAPI knows no such Pokémon (404 Not Found)');
    });

    it('stops an oversize answer at the size cap', async () => {
      const err = await failureOf(run('get_pokemon', { input: { name: 'mock-oversize' }, http: { maxResponseBytes: 1024 * 1024 } }));
      expect(err).toMatchObject({ retryable: false });
      expect(err.message).toMatch(/^PokeAPI sent too large a response: GET .* is larger than the 1048576-byte limit$/);
    });
  });
});
