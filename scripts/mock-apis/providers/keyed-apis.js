// @ts-check
/** Public APIs that need a key: OpenWeather, NASA APOD, News API, The Cat API. */
import { json, route, text } from '../lib.js';

export const KEYS = {
  openweather: 'mock-openweather-key',
  nasa: 'DEMO_KEY',
  newsapi: 'mock-newsapi-key',
  thecatapi: 'mock-thecatapi-key',
};

const CITIES = /** @type {Record<string, { id: number, country: string, lat: number, lon: number, temp: number, tz: number }>} */ ({
  london: { id: 2643743, country: 'GB', lat: 51.5085, lon: -0.1257, temp: 14.2, tz: 3600 },
  paris: { id: 2988507, country: 'FR', lat: 48.8534, lon: 2.3488, temp: 17.5, tz: 7200 },
  berlin: { id: 2950159, country: 'DE', lat: 52.5244, lon: 13.4105, temp: 12.9, tz: 7200 },
  tokyo: { id: 1850147, country: 'JP', lat: 35.6895, lon: 139.6917, temp: 21.3, tz: 32400 },
  'new york': { id: 5128581, country: 'US', lat: 40.7143, lon: -74.006, temp: 19.1, tz: -14400 },
});

/** @param {number} celsius @param {string} units */
function convert(celsius, units) {
  if (units === 'imperial') return Math.round(((celsius * 9) / 5 + 32) * 100) / 100;
  if (units === 'metric') return celsius;
  return Math.round((celsius + 273.15) * 100) / 100;
}

function openweather() {
  return {
    name: 'openweather',
    prefix: '/openweather',
    error: (/** @type {number} */ status, /** @type {string} */ message) => json(status, { cod: status, message }),
    routes: [
      route('GET', '/openweather/data/2.5/weather', (req) => {
        const { q, appid, units = 'standard', lang } = req.query;
        if (appid !== KEYS.openweather) {
          return json(401, { cod: 401, message: 'Invalid API key. Please see https://openweathermap.org/faq#error401 for more info.' });
        }
        if (!q) return json(400, { cod: '400', message: 'Nothing to geocode' });
        const name = q.split(',')[0].trim();
        const city = CITIES[name.toLowerCase()];
        if (!city) return json(404, { cod: '404', message: 'city not found' });
        const t = (/** @type {number} */ d) => convert(city.temp + d, units);
        const display = name.replace(/\b\w/g, (c) => c.toUpperCase());
        return json(200, {
          coord: { lon: city.lon, lat: city.lat },
          weather: [{ id: 803, main: 'Clouds', description: lang === 'de' ? 'Überwiegend bewölkt' : 'broken clouds', icon: '04d' }],
          base: 'stations',
          main: { temp: t(0), feels_like: t(-0.6), temp_min: t(-1.5), temp_max: t(1.2), pressure: 1016, humidity: 72, sea_level: 1016, grnd_level: 1012 },
          visibility: 10000,
          wind: { speed: units === 'imperial' ? 9.22 : 4.12, deg: 240 },
          clouds: { all: 75 },
          dt: 1714560000,
          sys: { type: 2, id: 2075535, country: city.country, sunrise: 1714537200, sunset: 1714591200 },
          timezone: city.tz,
          id: city.id,
          name: display,
          cod: 200,
        });
      }),
    ],
  };
}

/**
 * NASA APOD behind api.data.gov, which reports the key's hourly allowance on every answer
 * (`X-RateLimit-Limit`, `X-RateLimit-Remaining`): 30 requests an hour for DEMO_KEY.
 */
function nasa() {
  /** @param {number} status @param {string} code @param {string} message */
  const keyError = (status, code, message) => json(status, { error: { code, message } });
  const HOURLY_LIMIT = 30;
  let used = 0;
  return {
    name: 'nasa',
    prefix: '/nasa',
    reset: () => void (used = 0),
    error: (/** @type {number} */ status, /** @type {string} */ message) =>
      status === 429
        ? keyError(429, 'OVER_RATE_LIMIT', 'You have exceeded your rate limit. Try again later or contact us at https://api.nasa.gov:443/contact/ for assistance')
        : json(status, { code: status, msg: message, service_version: 'v1' }),
    routes: [
      route('GET', '/nasa/planetary/apod', (req) => {
        const { api_key: key, date } = req.query;
        if (!key) return keyError(403, 'API_KEY_MISSING', 'No api_key was supplied. Get one at https://api.nasa.gov:443');
        if (key !== KEYS.nasa) return keyError(403, 'API_KEY_INVALID', 'An invalid api_key was supplied. Get one at https://api.nasa.gov:443');
        used++;
        const allowance = { 'x-ratelimit-limit': String(HOURLY_LIMIT), 'x-ratelimit-remaining': String(Math.max(0, HOURLY_LIMIT - used)) };
        const day = date ?? '2024-05-01';
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) {
          return json(400, { code: 400, msg: `time data '${day}' does not match format '%Y-%m-%d'`, service_version: 'v1' }, allowance);
        }
        if (day < '1995-06-16') {
          return json(400, { code: 400, msg: `Date must be between Jun 16, 1995 and ${new Date().toDateString()}.`, service_version: 'v1' }, allowance);
        }
        return json(200, {
          copyright: 'Mock Observatory',
          date: day,
          explanation: 'A spiral galaxy seen nearly face-on, its arms traced by young blue star clusters and dark dust lanes.',
          hdurl: `https://apod.nasa.gov/apod/image/${day.slice(2, 4)}${day.slice(5, 7)}/M101_hd.jpg`,
          media_type: 'image',
          service_version: 'v1',
          title: 'The Pinwheel Galaxy',
          url: `https://apod.nasa.gov/apod/image/${day.slice(2, 4)}${day.slice(5, 7)}/M101_1024.jpg`,
        }, allowance);
      }),
    ],
  };
}

function newsapi() {
  /** @param {number} status @param {string} code @param {string} message */
  const err = (status, code, message) => json(status, { status: 'error', code, message });
  return {
    name: 'newsapi',
    prefix: '/newsapi',
    error: (/** @type {number} */ status, /** @type {string} */ message) =>
      status === 429
        ? err(429, 'rateLimited', 'You have been rate limited. Back off for a while before trying the request again.')
        : err(status, 'unexpectedError', message),
    routes: [
      route('GET', '/newsapi/v2/top-headlines', (req) => {
        const key = req.headers['x-api-key'] ?? req.query.apiKey;
        if (!key) return err(401, 'apiKeyMissing', 'Your API key is missing. Append this to the URL with the apiKey param, or use the x-api-key HTTP header.');
        if (key !== KEYS.newsapi) {
          return err(401, 'apiKeyInvalid', 'Your API key is invalid or incorrect. Check your key, or go to https://newsapi.org to create a free API key.');
        }
        const { country, category, sources, q } = req.query;
        if (!country && !category && !sources && !q) {
          return err(400, 'parametersMissing', 'Required parameters are missing. Please set any of the following parameters and try again: sources, q, language, country, category.');
        }
        if (sources && (country || category)) {
          return err(400, 'parametersIncompatible', "You can't mix the sources parameter with the country or category parameters.");
        }
        const pageSize = Math.min(Number(req.query.pageSize ?? 20), 100);
        const topics = ['Markets rally as inflation cools', 'New battery chemistry doubles range', 'Local team wins the cup', 'Open-source project reaches 1.0'];
        const matching = topics.filter((t) => !q || t.toLowerCase().includes(q.toLowerCase()));
        const articles = matching
          .slice(0, pageSize)
          .map((title, i) => ({
            source: { id: 'mock-news', name: 'Mock News' },
            author: 'Mock Reporter',
            title,
            description: `${title}: a summary of the story.`,
            url: `https://news.example.com/${country ?? 'world'}/${i + 1}`,
            urlToImage: `https://news.example.com/img/${i + 1}.jpg`,
            publishedAt: `2024-05-01T0${i}:00:00Z`,
            content: `${title}. The full text would follow here… [+1200 chars]`,
          }));
        // totalResults counts every match, not the page: News API pages with pageSize and page.
        return json(200, { status: 'ok', totalResults: matching.length, articles });
      }),
    ],
  };
}

function thecatapi() {
  const BREEDS = /** @type {Record<string, string>} */ ({ beng: 'Bengal', siam: 'Siamese', abys: 'Abyssinian' });
  return {
    name: 'thecatapi',
    prefix: '/thecatapi',
    error: (/** @type {number} */ status, /** @type {string} */ message) => text(status, message),
    routes: [
      route('GET', '/thecatapi/v1/images/search', (req) => {
        const key = req.headers['x-api-key'];
        if (key !== undefined && key !== KEYS.thecatapi) {
          return text(401, "AUTHENTICATION_ERROR - you need to send your API Key as the 'x-api-key' header");
        }
        const limit = Math.max(1, Math.min(Number(req.query.limit ?? 1), key ? 100 : 10));
        const breedIds = (req.query.breed_ids ?? '').split(',').filter(Boolean);
        if (breedIds.some((b) => !BREEDS[b])) return json(200, []);
        return json(
          200,
          Array.from({ length: limit }, (_, i) => {
            const breed = breedIds[i % Math.max(breedIds.length, 1)];
            return {
              id: `mock${i + 1}`,
              url: `https://cdn2.thecatapi.com/images/mock${i + 1}.jpg`,
              width: 1200,
              height: 800,
              breeds: breed ? [{ id: breed, name: BREEDS[breed], temperament: 'Curious, Playful', origin: 'Mock' }] : [],
            };
          }),
        );
      }),
    ],
  };
}

/** @returns {import('../lib.js').Provider[]} */
export function createKeyedApiProviders() {
  return [openweather(), nasa(), newsapi(), thecatapi()];
}
