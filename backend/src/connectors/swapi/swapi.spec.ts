import { describeConnector, failureOf } from '../testing.js';
import { swapi } from './index.js';

describeConnector(swapi, ({ mock, run }) => {
  describe('swapi.get_resource', () => {
    it.each([
      ['person', 1, '/swapi/api/people/1/', 'Luke Skywalker'],
      ['planet', 2, '/swapi/api/planets/2/', 'Alderaan'],
      ['starship', 10, '/swapi/api/starships/10/', 'Millennium Falcon'],
    ])('gets %s %i', async (resource, id, path, name) => {
      const out = await run('get_resource', { input: { resource, id } });
      expect(out).toMatchObject({ name, url: `${mock.url}${path}` });
      expect(mock.requests[0].path).toBe(path);
    });

    it('reports an unknown id', async () => {
      const err = await failureOf(run('get_resource', { input: { resource: 'person', id: 999 } }));
      expect(err).toMatchObject({ message: 'SWAPI has no such record (404 Not found)', status: 404, retryable: false });
    });
  });
});
