/** The one list of connectors. Adding a connector: its folder, and one line here. */
import { beego } from './beego/index.js';
import { bored } from './bored/index.js';
import { code } from './code/index.js';
import { core } from './core/index.js';
import { discord } from './discord/index.js';
import { django } from './django/index.js';
import { dogceo } from './dogceo/index.js';
import { fakestore } from './fakestore/index.js';
import { http } from './http/index.js';
import { llm } from './llm/index.js';
import { mcp } from './mcp/index.js';
import { nasa } from './nasa/index.js';
import { newsapi } from './newsapi/index.js';
import { numbers } from './numbers/index.js';
import { openweather } from './openweather/index.js';
import { pokeapi } from './pokeapi/index.js';
import { restcountries } from './restcountries/index.js';
import { salesforce } from './salesforce/index.js';
import { catalogueEntry, type ConnectorCatalogueEntry, type ConnectorDefinition } from './sdk.js';
import { slack } from './slack/index.js';
import { soap } from './soap/index.js';
import { swapi } from './swapi/index.js';
import { thecatapi } from './thecatapi/index.js';
import { twilio } from './twilio/index.js';
import { wordpress } from './wordpress/index.js';

export const connectors: ConnectorDefinition<unknown>[] = [
  core,
  http,
  code,
  llm,
  mcp,
  soap,
  slack,
  discord,
  twilio,
  salesforce,
  wordpress,
  django,
  beego,
  openweather,
  nasa,
  newsapi,
  swapi,
  pokeapi,
  bored,
  numbers,
  restcountries,
  dogceo,
  thecatapi,
  fakestore,
];

const byKey = new Map(connectors.map((c) => [c.key, c]));
if (byKey.size !== connectors.length) throw new Error('registry: two connectors share a key');

export function getConnector(key: string): ConnectorDefinition<unknown> | undefined {
  return byKey.get(key);
}

let catalogue: ConnectorCatalogueEntry[] | undefined;
/**
 * `GET /api/connectors`: the registry's connectors as the dashboard sees them (JSON Schemas of
 * credentials and actions), computed once; the JSON Schemas do not change at run time.
 */
export function connectorCatalogue(): ConnectorCatalogueEntry[] {
  catalogue ??= connectors.map(catalogueEntry);
  return catalogue;
}
