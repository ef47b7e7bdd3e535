// @ts-check
/** Keyless public APIs: SWAPI, PokeAPI, Bored API, Numbers API, REST Countries, Dog CEO, Fake Store. */
import { json, route, text } from '../lib.js';

const PEOPLE = [
  { name: 'Luke Skywalker', height: '172', mass: '77', hair_color: 'blond', skin_color: 'fair', eye_color: 'blue', birth_year: '19BBY', gender: 'male', homeworld: 1 },
  { name: 'C-3PO', height: '167', mass: '75', hair_color: 'n/a', skin_color: 'gold', eye_color: 'yellow', birth_year: '112BBY', gender: 'n/a', homeworld: 1 },
  { name: 'R2-D2', height: '96', mass: '32', hair_color: 'n/a', skin_color: 'white, blue', eye_color: 'red', birth_year: '33BBY', gender: 'n/a', homeworld: 8 },
];
const PLANETS = [
  { name: 'Tatooine', rotation_period: '23', orbital_period: '304', diameter: '10465', climate: 'arid', gravity: '1 standard', terrain: 'desert', surface_water: '1', population: '200000' },
  { name: 'Alderaan', rotation_period: '24', orbital_period: '364', diameter: '12500', climate: 'temperate', gravity: '1 standard', terrain: 'grasslands, mountains', surface_water: '40', population: '2000000000' },
];
const STARSHIPS = /** @type {Record<string, Record<string, string>>} */ ({
  9: { name: 'Death Star', model: 'DS-1 Orbital Battle Station', manufacturer: 'Imperial Department of Military Research, Sienar Fleet Systems', cost_in_credits: '1000000000000', length: '120000', crew: '342,953', passengers: '843,342', hyperdrive_rating: '4.0', starship_class: 'Deep Space Mobile Battlestation' },
  10: { name: 'Millennium Falcon', model: 'YT-1300 light freighter', manufacturer: 'Corellian Engineering Corporation', cost_in_credits: '100000', length: '34.37', crew: '4', passengers: '6', hyperdrive_rating: '0.5', starship_class: 'Light freighter' },
});

function swapi() {
  /** @param {string} origin @param {string} kind @param {string | number} id */
  const link = (origin, kind, id) => `${origin}/swapi/api/${kind}/${id}/`;
  const meta = { created: '2014-12-09T13:50:51.644000Z', edited: '2014-12-20T21:17:56.891000Z' };
  return {
    name: 'swapi',
    prefix: '/swapi',
    routes: [
      route('GET', '/swapi/api/:kind/:id/', (req) => {
        const { kind, id } = req.params;
        const o = req.origin;
        if (kind === 'people' && PEOPLE[Number(id) - 1]) {
          const { homeworld, ...p } = PEOPLE[Number(id) - 1];
          return json(200, { ...p, homeworld: link(o, 'planets', homeworld), films: [link(o, 'films', 1)], species: [], vehicles: [], starships: [], ...meta, url: link(o, 'people', id) });
        }
        if (kind === 'planets' && PLANETS[Number(id) - 1]) {
          return json(200, { ...PLANETS[Number(id) - 1], residents: [link(o, 'people', 1)], films: [link(o, 'films', 1)], ...meta, url: link(o, 'planets', id) });
        }
        if (kind === 'starships' && STARSHIPS[id]) {
          return json(200, { ...STARSHIPS[id], pilots: [], films: [link(o, 'films', 1)], ...meta, url: link(o, 'starships', id) });
        }
        return json(404, { detail: 'Not found' });
      }),
    ],
  };
}

const POKEMON = /** @type {Record<string, { id: number, types: string[], abilities: string[], height: number, weight: number, base_experience: number, hp: number }>} */ ({
  bulbasaur: { id: 1, types: ['grass', 'poison'], abilities: ['overgrow', 'chlorophyll'], height: 7, weight: 69, base_experience: 64, hp: 45 },
  charmander: { id: 4, types: ['fire'], abilities: ['blaze', 'solar-power'], height: 6, weight: 85, base_experience: 62, hp: 39 },
  pikachu: { id: 25, types: ['electric'], abilities: ['static', 'lightning-rod'], height: 4, weight: 60, base_experience: 112, hp: 35 },
});

function pokeapi() {
  const api = 'https://pokeapi.co/api/v2';
  return {
    name: 'pokeapi',
    prefix: '/pokeapi',
    routes: [
      route('GET', '/pokeapi/api/v2/pokemon/:name', (req) => {
        const key = req.params.name.toLowerCase();
        const entry = Object.entries(POKEMON).find(([name, p]) => name === key || String(p.id) === key);
        if (!entry) return text(404, 'Not Found');
        const [name, p] = entry;
        return json(200, {
          id: p.id,
          name,
          base_experience: p.base_experience,
          height: p.height,
          weight: p.weight,
          is_default: true,
          order: p.id,
          abilities: p.abilities.map((a, i) => ({ ability: { name: a, url: `${api}/ability/${a}/` }, is_hidden: i > 0, slot: i + 1 })),
          types: p.types.map((t, i) => ({ slot: i + 1, type: { name: t, url: `${api}/type/${t}/` } })),
          stats: [{ base_stat: p.hp, effort: 0, stat: { name: 'hp', url: `${api}/stat/1/` } }],
          sprites: { front_default: `https://raw.githubusercontent.com/PokeAPI/sprites/master/sprites/pokemon/${p.id}.png`, back_default: null },
          species: { name, url: `${api}/pokemon-species/${p.id}/` },
        });
      }),
    ],
  };
}

const ACTIVITIES = [
  { activity: 'Learn Express.js', type: 'education', participants: 1, price: 0.1, link: 'https://expressjs.com/', key: '3943506', accessibility: 0.25 },
  { activity: 'Go to a board game night with friends', type: 'social', participants: 4, price: 0.2, link: '', key: '5914292', accessibility: 0.1 },
  { activity: 'Bake bread from scratch', type: 'cooking', participants: 1, price: 0.3, link: '', key: '4150284', accessibility: 0.2 },
];

function bored() {
  return {
    name: 'bored',
    prefix: '/bored',
    routes: [
      route('GET', '/bored/api/activity', (req) => {
        const { type, participants, key } = req.query;
        const match = ACTIVITIES.find(
          (a) => (!type || a.type === type) && (!participants || a.participants === Number(participants)) && (!key || a.key === key),
        );
        // The Bored API answers 200 with an `error` field when nothing matches.
        return json(200, match ?? { error: 'No activity found with the specified parameters' });
      }),
    ],
  };
}

function numbers() {
  const FACTS = /** @type {Record<string, Record<string, string>>} */ ({
    trivia: { 42: 'the number of spots (or pips, circular patches or pits) on a pair of standard six-sided dice', 7: 'the number of wonders of the ancient world' },
    math: { 42: 'a pronic number', 7: 'the smallest number of times a deck of cards must be riffle shuffled to be random' },
    year: { 1969: 'the year humans first walked on the Moon' },
    date: {},
  });
  return {
    name: 'numbers',
    prefix: '/numbers',
    routes: [
      route('GET', '/numbers/:month/:day/date', (req) => {
        const { month, day } = req.params;
        const m = Number(month);
        const d = Number(day);
        if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return text(400, `Invalid url. ${month}/${day} is not a date.`);
        const dayOfYear = Math.round((Date.UTC(2024, m - 1, d) - Date.UTC(2024, 0, 0)) / 86400000);
        const fact = m === 2 && d === 29 ? 'the day leap years add to February' : null;
        const textOut = fact ? `February 29th is ${fact}.` : `${month}/${day} is a day with no remarkable history (mock).`;
        if (req.query.json === undefined) return text(200, textOut);
        return json(200, { text: textOut, year: 2024, number: dayOfYear, found: Boolean(fact), type: 'date' });
      }),
      route('GET', '/numbers/:n/:type', (req) => {
        const { n, type } = req.params;
        if (!FACTS[type]) return text(404, `Invalid url. Type must be one of trivia, math, date, year.`);
        if (!/^-?\d+$/.test(n) && n !== 'random') return text(400, `Invalid url. ${n} is not a number.`);
        const number = n === 'random' ? 42 : Number(n);
        const fact = FACTS[type][String(number)];
        const textOut = fact ? `${number} is ${fact}.` : `${number} is an uninteresting number.`;
        if (req.query.json === undefined) return text(200, textOut);
        return json(200, { text: textOut, number, found: Boolean(fact), type });
      }),
    ],
  };
}

const COUNTRIES = [
  { common: 'France', official: 'French Republic', cca2: 'FR', cca3: 'FRA', capital: ['Paris'], region: 'Europe', subregion: 'Western Europe', population: 67391582, area: 551695, currencies: { EUR: { name: 'Euro', symbol: '€' } }, languages: { fra: 'French' } },
  { common: 'Germany', official: 'Federal Republic of Germany', cca2: 'DE', cca3: 'DEU', capital: ['Berlin'], region: 'Europe', subregion: 'Western Europe', population: 83240525, area: 357114, currencies: { EUR: { name: 'Euro', symbol: '€' } }, languages: { deu: 'German' } },
  { common: 'Japan', official: 'Japan', cca2: 'JP', cca3: 'JPN', capital: ['Tokyo'], region: 'Asia', subregion: 'Eastern Asia', population: 125836021, area: 377930, currencies: { JPY: { name: 'Japanese yen', symbol: '¥' } }, languages: { jpn: 'Japanese' } },
];

function restcountries() {
  return {
    name: 'restcountries',
    prefix: '/restcountries',
    error: (/** @type {number} */ status, /** @type {string} */ message) => json(status, { status, message }),
    routes: [
      route('GET', '/restcountries/v3.1/name/:name', (req) => {
        const q = req.params.name.toLowerCase();
        const full = req.query.fullText === 'true';
        const hits = COUNTRIES.filter((c) => (full ? c.common.toLowerCase() === q || c.official.toLowerCase() === q : c.common.toLowerCase().includes(q) || c.official.toLowerCase().includes(q)));
        if (!hits.length) return json(404, { status: 404, message: 'Not Found' });
        return json(
          200,
          hits.map(({ common, official, ...c }) => ({
            name: { common, official, nativeName: {} },
            ...c,
            flags: { png: `https://flagcdn.com/w320/${c.cca2.toLowerCase()}.png`, svg: `https://flagcdn.com/${c.cca2.toLowerCase()}.svg` },
          })),
        );
      }),
    ],
  };
}

function dogceo() {
  const BREEDS = ['hound', 'husky', 'labrador', 'pug', 'shiba'];
  /** @param {string} breed */
  const image = (breed) => json(200, { message: `https://images.dog.ceo/breeds/${breed}/n02088094_1003.jpg`, status: 'success' });
  return {
    name: 'dogceo',
    prefix: '/dogceo',
    error: (/** @type {number} */ status, /** @type {string} */ message) => json(status, { status: 'error', message, code: status }),
    routes: [
      route('GET', '/dogceo/api/breeds/image/random', () => image(BREEDS[0])),
      route('GET', '/dogceo/api/breed/:breed/images/random', (req) =>
        BREEDS.includes(req.params.breed)
          ? image(req.params.breed)
          : json(404, { status: 'error', message: 'Breed not found (main breed does not exist)', code: 404 }),
      ),
    ],
  };
}

const PRODUCTS = [
  { id: 1, title: 'Fjallraven - Foldsack No. 1 Backpack, Fits 15 Laptops', price: 109.95, category: "men's clothing", rating: { rate: 3.9, count: 120 } },
  { id: 2, title: 'Mens Casual Premium Slim Fit T-Shirts', price: 22.3, category: "men's clothing", rating: { rate: 4.1, count: 259 } },
  { id: 3, title: 'John Hardy Women\'s Legends Naga Gold & Silver Dragon Station Chain Bracelet', price: 695, category: 'jewelery', rating: { rate: 4.6, count: 400 } },
  { id: 4, title: 'WD 2TB Elements Portable External Hard Drive - USB 3.0', price: 64, category: 'electronics', rating: { rate: 3.3, count: 203 } },
].map((p) => ({ ...p, description: `${p.title}: description.`, image: `https://fakestoreapi.com/img/${p.id}.jpg` }));

function fakestore() {
  return {
    name: 'fakestore',
    prefix: '/fakestore',
    routes: [
      route('GET', '/fakestore/products', (req) => {
        const limit = req.query.limit ? Number(req.query.limit) : undefined;
        const sorted = req.query.sort === 'desc' ? [...PRODUCTS].reverse() : PRODUCTS;
        return json(200, sorted.slice(0, limit));
      }),
      route('GET', '/fakestore/products/category/:category', (req) => json(200, PRODUCTS.filter((p) => p.category === req.params.category))),
      // Fake Store answers an unknown id with 200 and an empty body, not a 404.
      route('GET', '/fakestore/products/:id', (req) => {
        const p = PRODUCTS.find((x) => String(x.id) === req.params.id);
        return p ? json(200, p) : { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '' };
      }),
    ],
  };
}

/** @returns {import('../lib.js').Provider[]} */
export function createOpenDataProviders() {
  return [swapi(), pokeapi(), bored(), numbers(), restcountries(), dogceo(), fakestore()];
}
