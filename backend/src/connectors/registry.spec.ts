import { startMockApis } from '../../../scripts/mock-apis/server.js';
import { connectorCatalogue, connectors, getConnector } from './registry.js';

describe('connector registry', () => {
  it('lists every required connector once', () => {
    const keys = connectors.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(
      expect.arrayContaining(['beego', 'bored', 'core', 'discord', 'django', 'dogceo', 'fakestore', 'http', 'nasa', 'newsapi', 'numbers', 'openweather', 'pokeapi', 'restcountries', 'salesforce', 'slack', 'soap', 'swapi', 'thecatapi', 'twilio', 'wordpress']),
    );
    expect(getConnector('slack')?.name).toBe('Slack');
    expect(getConnector('nope')).toBeUndefined();
  });

  it('gives every action a sample that its input schema accepts, and every credential schema a sample', () => {
    for (const c of connectors) {
      if (c.credentials) expect(c.credentials.safeParse(c.sampleCredentials).success).toBe(true);
      for (const a of c.actions) {
        expect({ action: `${c.key}.${a.key}`, ok: a.input.safeParse(a.sample).success }).toEqual({ action: `${c.key}.${a.key}`, ok: true });
      }
    }
  });

  it('has a mock provider, named after its key, for every connector that calls out', async () => {
    const mock = await startMockApis({ port: 0 });
    try {
      const callingOut = connectors.filter((c) => c.actions.some((a) => !a.pure)).map((c) => c.key);
      for (const key of callingOut) await fetch(`${mock.url}/${key}/`);
      expect(mock.requests.map((r) => r.provider)).toEqual(callingOut);
    } finally {
      await mock.close();
    }
  });

  it('exports JSON Schemas with descriptions for the dashboard forms', () => {
    const catalogue = connectorCatalogue();
    const twilio = catalogue.find((c) => c.key === 'twilio')!;
    expect(twilio.credentials).toMatchObject({ type: 'object', required: expect.arrayContaining(['accountSid', 'authToken']) });
    const sms = twilio.actions.find((a) => a.key === 'send_sms')!;
    expect(sms.input).toMatchObject({ type: 'object', properties: { to: { type: 'string', description: expect.stringContaining('E.164') } } });
    expect(catalogue.find((c) => c.key === 'swapi')!.credentials).toBeNull();
    expect(JSON.stringify(catalogue.find((c) => c.key === 'http')!.credentials)).toContain('apiKey');
  });
});
