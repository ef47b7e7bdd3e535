/** OpenWeather: current weather for a city (API key as the `appid` query parameter). */
import { z } from 'zod';
import { callProvider, joinUrl, jsonBody, type ProviderInfo } from '../provider-call.js';
import { actionWith, defineConnector } from '../sdk.js';

const credentials = z.object({ apiKey: z.string().min(1).describe('API key from your OpenWeather account') });
const action = actionWith(credentials);
const provider: ProviderInfo = { name: 'OpenWeather', messages: { 401: 'rejected the API key', 404: 'does not know that city' } };

interface WeatherResponse {
  name: string;
  sys: { country: string };
  coord: { lat: number; lon: number };
  weather: { main: string; description: string; icon: string }[];
  main: { temp: number; feels_like: number; temp_min: number; temp_max: number; humidity: number; pressure: number };
  wind: { speed: number };
  dt: number;
}

export const openweather = defineConnector({
  key: 'openweather',
  name: 'OpenWeather',
  icon: 'cloud-sun',
  description: 'Current weather conditions',
  credentials,
  sampleCredentials: { apiKey: 'mock-openweather-key' },
  /**
   * One current-weather call for a fixed city: OpenWeather has no account endpoint, and this is the
   * cheapest keyed call (one of the free plan's 60 a minute). A new key answers 401 for up to a few
   * hours until OpenWeather activates it.
   */
  async test(ctx) {
    const { apiKey } = ctx.credentials;
    const res = await callProvider(ctx, provider, {
      url: joinUrl(ctx.baseUrl('https://api.openweathermap.org'), '/data/2.5/weather'),
      query: { q: 'London,GB', appid: apiKey, units: 'metric' },
      secrets: [apiKey],
    });
    const w = jsonBody<Partial<WeatherResponse>>(res, provider);
    const now = w.main ? `: ${w.main.temp} °C in ${w.name ?? 'London'}` : '';
    return `OpenWeather accepted the API key${now}`;
  },
  actions: [
    action({
      key: 'current_weather',
      name: 'Current weather by city',
      description: 'Current conditions for a city name, optionally with country code ("Paris,FR")',
      input: z.object({
        city: z.string().min(1).describe('City name, optionally ",<country code>" (e.g. London,GB)'),
        units: z.enum(['standard', 'metric', 'imperial']).default('metric').describe('standard = Kelvin, metric = °C and m/s, imperial = °F and mph'),
        lang: z.string().optional().describe('Language of the description, e.g. en, de, fr'),
      }),
      output: z.object({
        city: z.string(),
        country: z.string(),
        latitude: z.number(),
        longitude: z.number(),
        temperature: z.number().describe('In the requested units'),
        feelsLike: z.number(),
        tempMin: z.number(),
        tempMax: z.number(),
        humidity: z.number().describe('Percent'),
        pressure: z.number().describe('hPa'),
        windSpeed: z.number(),
        condition: z.string().describe('e.g. Clouds, Rain'),
        description: z.string().describe('e.g. broken clouds'),
        icon: z.string(),
        units: z.string(),
        observedAt: z.string().describe('ISO time of the observation'),
      }),
      sample: { city: 'London,GB', units: 'metric' },
      async execute(ctx) {
        const { credentials: cred, input } = ctx;
        const res = await callProvider(ctx, provider, {
          url: joinUrl(ctx.baseUrl('https://api.openweathermap.org'), '/data/2.5/weather'),
          query: { q: input.city, appid: cred.apiKey, units: input.units, lang: input.lang },
          secrets: [cred.apiKey],
        });
        const w = res.body as WeatherResponse;
        const first = w.weather[0] ?? { main: '', description: '', icon: '' };
        return {
          city: w.name,
          country: w.sys.country,
          latitude: w.coord.lat,
          longitude: w.coord.lon,
          temperature: w.main.temp,
          feelsLike: w.main.feels_like,
          tempMin: w.main.temp_min,
          tempMax: w.main.temp_max,
          humidity: w.main.humidity,
          pressure: w.main.pressure,
          windSpeed: w.wind.speed,
          condition: first.main,
          description: first.description,
          icon: first.icon,
          units: input.units,
          observedAt: new Date(w.dt * 1000).toISOString(),
        };
      },
    }),
  ],
});
