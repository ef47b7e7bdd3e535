import { describeConnector, failureOf } from '../testing.js';
import { openweather } from './index.js';

describeConnector(openweather, ({ mock, run, testConnection }) => {
  const check = (apiKey = 'mock-openweather-key') => testConnection({ apiKey });
  describe('openweather.current_weather', () => {
    it('asks for the city with the key and units, and flattens the answer', async () => {
      const out = await run('current_weather', { input: { city: 'Paris,FR', units: 'imperial' } });
      expect(out).toMatchObject({ city: 'Paris', country: 'FR', temperature: 63.5, condition: 'Clouds', description: 'broken clouds', units: 'imperial' });
      expect(mock.requests[0]).toMatchObject({ path: '/openweather/data/2.5/weather', query: { q: 'Paris,FR', appid: 'mock-openweather-key', units: 'imperial' } });
    });

    it('explains a bad API key without repeating it', async () => {
      const err = await failureOf(run('current_weather', { credentials: { apiKey: 'bad-key-456' } }));
      expect(err.message).toBe('OpenWeather rejected the API key (401 Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.)');
      expect(err.retryable).toBe(false);
      expect(JSON.stringify(err)).not.toContain('bad-key-456');
    });

    it('reports an unknown city', async () => {
      const err = await failureOf(run('current_weather', { input: { city: 'Atlantis' } }));
      expect(err).toMatchObject({ message: 'OpenWeather does not know that city (404 city not found)', status: 404 });
    });

    it('times out with a retryable error', async () => {
      const err = await failureOf(run('current_weather', { input: { city: 'mock-slow-2000' }, http: { timeoutMs: 250 } }));
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(/^OpenWeather did not answer in time: GET .*appid=\*\*\*.* timed out after 250 ms$/);
    });

    it('waits out one 429 and succeeds', async () => {
      const out = await run('current_weather', { input: { city: 'London', lang: 'mock-429' } });
      expect(out).toMatchObject({ city: 'London' });
      expect(mock.requests).toHaveLength(2);
    });
  });

  describe('openweather test connection', () => {
    it('asks for the weather in London with the key', async () => {
      await expect(check()).resolves.toBe('OpenWeather accepted the API key: 14.2 °C in London');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]).toMatchObject({ method: 'GET', path: '/openweather/data/2.5/weather', query: { q: 'London,GB', appid: 'mock-openweather-key', units: 'metric' } });
    });

    it('explains a bad key without repeating it', async () => {
      const err = await failureOf(check('bad-key-456'));
      expect(err).toMatchObject({ message: 'OpenWeather rejected the API key (401 Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.)', status: 401 });
      expect(JSON.stringify(err)).not.toContain('bad-key-456');
    });
  });
});
