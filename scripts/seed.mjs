// Demo data through the public API (so it passes the same validation as users' data): the demo user,
// credentials pointing at the mock external APIs (each connector's sample credential), and sample
// workflows that work offline, among them one per construct of the workflow language v2 (loop,
// approval wait, parallel, sub-workflow call, error workflow), each run once when it is created so the
// dashboard has executions to show (the approval one stays `waiting` for someone to approve it).
// Safe to run repeatedly: credentials and workflows are looked up by name and only missing ones are
// created, so a database seeded by an older version gains the new demos and nothing is duplicated.
import { connectors } from '../backend/dist/connectors/registry.js';
import { rebaseOnMock } from '../backend/dist/connectors/sdk.js';

export const DEMO_EMAIL = 'demo@tributary.local';
export const DEMO_PASSWORD = 'password123';

async function call(api, method, path, token, body) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Every item of a paginated list (`{ items, nextCursor }`). */
async function listAll(api, token, path) {
  const items = [];
  let cursor;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await call(api, 'GET', `${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token);
    if (res.status !== 200) throw new Error(`seeding: GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

/** Names of the demos other code (dev.mjs's summary) points at. */
export const APPROVAL_DEMO = 'Refund approval (wait for approval)';

// Sample payloads: each demo's description shows its own, and its seeded run uses it.
const ORDER = {
  order: {
    id: 'A-1042',
    customer: 'Ada Lovelace',
    items: [
      { sku: 'KB-01', name: 'Mechanical keyboard', quantity: 1, price: 89.0 },
      { sku: 'MS-02', name: 'Wireless mouse', quantity: 2, price: 24.5 },
      { sku: 'CB-03', name: 'USB-C cable', quantity: 3, price: 9.9 },
      { sku: 'ST-04', name: 'Laptop stand', quantity: 1, price: 39.0 },
    ],
  },
};
const REFUND = { refund: { orderId: 'A-1042', customer: 'Ada Lovelace', amount: 49.99, reason: 'Mouse arrived broken' } };
const BRIEFING = { country: 'France', city: 'Paris', luckyNumber: 7 };
const CUSTOMER = { customer: { name: 'Grace Hopper', tier: 'gold' } };
const PARTNER = { partner: 'acme-wholesale' };
const sample = (payload) => JSON.stringify(payload);

/**
 * The sample workflows, in dependency order (a workflow that names another comes after it). Each has
 * a `key` (for `refs`, the ids of those already created or found) and, when it should run once as it
 * is created, `seedRun`: how (`webhook` or `manual`) and with which payload.
 * @param {{ creds: Record<string, string>, refs: Record<string, string>, mockUrl: string }} ctx
 */
function demoWorkflows({ creds, refs, mockUrl }) {
  return [
    {
      key: 'orderConfirmation',
      name: 'Order confirmation to Slack',
      description: "GoFlow's classic: a webhook with an order, a templated Slack message. Try: curl -XPOST <webhookUrl> -H 'content-type: application/json' -d '{\"user\":{\"name\":\"Alex\"},\"order\":{\"id\":\"12345\"}}'",
      trigger: { type: 'webhook', responseMode: 'async' },
      steps: [{ id: 'notify', connector: 'slack', action: 'send_message', credentialId: creds.slack, input: { text: 'Hello {{user.name}}! Order #{{order.id}} confirmed.' } }],
    },
    {
      key: 'soapBridge',
      name: 'Legacy order status (REST to SOAP bridge)',
      description: 'A sync webhook: POST {"orderId": "1002"} and get JSON back from the SOAP OrderService.',
      trigger: { type: 'webhook', responseMode: 'sync' },
      steps: [
        {
          id: 'soap',
          connector: 'soap',
          action: 'call',
          credentialId: creds.soap,
          input: { operation: 'GetOrderStatus', namespace: 'http://tributary.dev/legacy/orders', parameters: { OrderId: '{{orderId}}' } },
        },
        { id: 'answer', connector: 'core', action: 'transform', input: { value: { orderId: '{{orderId}}', result: '{{steps.soap.result}}' } } },
      ],
    },
    {
      key: 'hourlyWeather',
      name: 'Hourly weather to Discord',
      description: 'A schedule, a public API, a message with data from the previous step.',
      trigger: { type: 'schedule', intervalSeconds: 3600, payload: { city: 'London,GB' } },
      steps: [
        { id: 'weather', connector: 'openweather', action: 'current_weather', credentialId: creds.openweather, input: { city: '{{city}}', units: 'metric' } },
        { id: 'post', connector: 'discord', action: 'send_message', credentialId: creds.discord, input: { content: 'Weather in {{city}}: {{json steps.weather}}' } },
      ],
    },
    {
      key: 'vipGreeting',
      name: 'VIP greeting (built-in steps)',
      description: 'Run it by hand with {"customer": {"name": "Ada", "tier": "gold"}}: a condition picks a branch.',
      trigger: { type: 'manual' },
      steps: [
        { id: 'vip', connector: 'core', action: 'condition', input: { if: '{{eq customer.tier "gold"}}', then: ['vipGreeting'], else: ['plainGreeting'] } },
        { id: 'vipGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Welcome back, {{upper customer.name}}!' } } },
        { id: 'plainGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Hello {{default customer.name "there"}}' } } },
      ],
    },

    // ---- workflow language v2: one demo per construct ------------------------------------------

    {
      key: 'orderFanOut',
      name: 'Order fan-out (loop)',
      description:
        'A loop block: a webhook receives an order, the loop sends each line item to the warehouse API (the mock HTTP echo), three at a time, ' +
        'then a transform sums it up. Inside the loop, {{item}} is the current line item and {{$index}} its position; the loop\'s output is ' +
        `the list of each iteration's last output. Try: curl -XPOST <webhookUrl> -H 'content-type: application/json' -d '${sample(ORDER)}'`,
      trigger: { type: 'webhook', responseMode: 'async' },
      steps: [
        {
          id: 'lines',
          name: 'Each line item',
          type: 'loop',
          items: '{{order.items}}',
          concurrency: 3,
          steps: [
            {
              id: 'reserve',
              name: 'Reserve stock',
              connector: 'http',
              action: 'request',
              input: {
                method: 'POST',
                url: `${mockUrl}/http/anything/warehouse/reservations`,
                body: { orderId: '{{order.id}}', line: '{{$index}}', sku: '{{item.sku}}', quantity: '{{item.quantity}}' },
              },
            },
            {
              id: 'reserved',
              name: 'Line result',
              connector: 'core',
              action: 'transform',
              input: { value: { line: '{{$index}}', sku: '{{item.sku}}', quantity: '{{item.quantity}}', warehouseStatus: '{{steps.reserve.status}}' } },
            },
          ],
        },
        {
          id: 'summary',
          name: 'Summary',
          connector: 'core',
          action: 'transform',
          input: {
            value: {
              orderId: '{{order.id}}',
              customer: '{{order.customer}}',
              lineItems: '{{order.items.length}}',
              reserved: '{{steps.lines}}',
              message: 'Order #{{order.id}} for {{order.customer}}: {{steps.lines.length}} line items reserved at the warehouse.',
            },
          },
        },
      ],
      seedRun: { via: 'webhook', payload: ORDER },
    },
    {
      key: 'refundApproval',
      name: APPROVAL_DEMO,
      description:
        'A wait block for an approval: posts "approval needed" to Slack (mock), then the run parks as `waiting` (holding no worker) until ' +
        'someone approves or rejects it: in the dashboard (Logs, open the waiting run) or with POST /api/executions/<id>/approve ' +
        '{"data": {"comment": "…"}} (or /reject). A condition then reads the approval\'s data: an approver\'s comment goes into the Slack ' +
        'confirmation. A rejection fails the run; nobody deciding within 7 days fails it too. ' +
        `Run it by hand with ${sample(REFUND)}`,
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'askApproval',
          name: 'Ask on Slack',
          connector: 'slack',
          action: 'send_message',
          credentialId: creds.slack,
          input: {
            text: ':raised_hand: Approval needed: refund of ${{refund.amount}} to {{refund.customer}} for order #{{refund.orderId}} ("{{refund.reason}}"). Approve or reject run {{$execution.id}} in Tributary.',
          },
        },
        {
          id: 'approval',
          name: 'Wait for a manager',
          type: 'wait',
          for: 'approval',
          message: 'Refund this customer? Approve to pay it out, reject to decline. A comment is passed on to Slack.',
          timeoutSeconds: 7 * 24 * 3600,
        },
        {
          id: 'hasComment',
          name: 'Did the approver comment?',
          type: 'condition',
          if: '{{steps.approval.data.comment}}',
          then: [
            {
              id: 'confirmWithComment',
              connector: 'slack',
              action: 'send_message',
              credentialId: creds.slack,
              input: { text: ':white_check_mark: Refund of ${{refund.amount}} for order #{{refund.orderId}} approved by {{steps.approval.by}}: "{{steps.approval.data.comment}}"' },
            },
          ],
          else: [
            {
              id: 'confirm',
              connector: 'slack',
              action: 'send_message',
              credentialId: creds.slack,
              input: { text: ':white_check_mark: Refund of ${{refund.amount}} for order #{{refund.orderId}} approved by {{steps.approval.by}}.' },
            },
          ],
        },
        {
          id: 'refunded',
          name: 'Result',
          connector: 'core',
          action: 'transform',
          input: { value: { orderId: '{{refund.orderId}}', amount: '{{refund.amount}}', approvedBy: '{{steps.approval.by}}', approvedAt: '{{steps.approval.at}}' } },
        },
      ],
      seedRun: { via: 'manual', payload: REFUND },
    },
    {
      key: 'countryBriefing',
      name: 'Country briefing (parallel enrichment)',
      description:
        'A parallel block: three branches call three public APIs at the same time (REST Countries, OpenWeather, Numbers API; offline, the mock), ' +
        'each ending with its part of the answer. The block\'s output is the list of each branch\'s last output, so the final transform merges ' +
        `steps.lookups.[0], .[1] and .[2]. Run it by hand with ${sample(BRIEFING)} (the mock knows France, Germany and Japan; Paris, Berlin, Tokyo, London, New York).`,
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'lookups',
          name: 'Look everything up at once',
          type: 'parallel',
          branches: [
            [
              { id: 'country', connector: 'restcountries', action: 'country_by_name', input: { name: '{{country}}', exact: true } },
              {
                id: 'countryFacts',
                connector: 'core',
                action: 'transform',
                input: {
                  value: {
                    name: '{{steps.country.countries.[0].name}}',
                    capital: '{{steps.country.countries.[0].capital}}',
                    population: '{{steps.country.countries.[0].population}}',
                    currencies: '{{steps.country.countries.[0].currencies}}',
                  },
                },
              },
            ],
            [
              { id: 'weather', connector: 'openweather', action: 'current_weather', credentialId: creds.openweather, input: { city: '{{city}}', units: 'metric' } },
              {
                id: 'weatherNow',
                connector: 'core',
                action: 'transform',
                input: { value: { city: '{{steps.weather.city}}', temperature: '{{steps.weather.temperature}}', description: '{{steps.weather.description}}' } },
              },
            ],
            [{ id: 'numberFact', connector: 'numbers', action: 'number_fact', input: { number: '{{default luckyNumber "42"}}', type: 'trivia' } }],
          ],
        },
        {
          id: 'briefing',
          name: 'Merge the answers',
          connector: 'core',
          action: 'transform',
          input: {
            value: {
              country: '{{steps.lookups.[0]}}',
              weather: '{{steps.lookups.[1]}}',
              funFact: '{{steps.lookups.[2].text}}',
              text: '{{steps.lookups.[0].name}} (capital {{steps.lookups.[0].capital}}): {{steps.lookups.[1].temperature}} °C and {{steps.lookups.[1].description}} in {{steps.lookups.[1].city}} right now. Fun fact: {{steps.lookups.[2].text}}',
            },
          },
        },
      ],
      seedRun: { via: 'manual', payload: BRIEFING },
    },
    {
      key: 'greetingChild',
      name: 'Format a customer greeting (sub-workflow)',
      description:
        'A small reusable workflow, called by "Welcome a new customer (calls a sub-workflow)": it builds a greeting from the customer it is given ' +
        `(gold members get a special one). Its last output is what the caller receives. Run it alone with ${sample(CUSTOMER)}`,
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'byTier',
          name: 'Gold member?',
          type: 'condition',
          if: '{{eq customer.tier "gold"}}',
          then: [{ id: 'goldGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Welcome back, {{customer.name}}! As a gold member, your next delivery is on us.', tier: 'gold' } } }],
          else: [{ id: 'standardGreeting', connector: 'core', action: 'transform', input: { value: { text: 'Hello {{default customer.name "there"}}, welcome to the shop!', tier: '{{default customer.tier "standard"}}' } } }],
        },
      ],
    },
    {
      key: 'welcomeParent',
      name: 'Welcome a new customer (calls a sub-workflow)',
      description:
        'A call block: runs "Format a customer greeting (sub-workflow)" as a child execution with this run\'s customer, waits for it (wait: true), ' +
        `and posts the greeting it returns to Slack (mock). The child run shows in Logs as an execution of its own. Run it by hand with ${sample(CUSTOMER)}`,
      trigger: { type: 'manual' },
      steps: [
        { id: 'greet', name: 'Format the greeting', type: 'call', workflowId: refs.greetingChild, input: { customer: '{{customer}}' }, wait: true },
        { id: 'post', name: 'Post it', connector: 'slack', action: 'send_message', credentialId: creds.slack, input: { text: '{{steps.greet.text}}' } },
        { id: 'welcome', name: 'Result', connector: 'core', action: 'transform', input: { value: { customer: '{{customer.name}}', greeting: '{{steps.greet.text}}', tier: '{{steps.greet.tier}}' } } },
      ],
      seedRun: { via: 'manual', payload: CUSTOMER },
    },
    {
      key: 'failureAlert',
      name: 'Alert on failed runs (error workflow)',
      description:
        'An error workflow: "Partner sync (fails on purpose)" names it as its errorWorkflowId, so Tributary starts it whenever a run of that workflow fails ' +
        '(whatever triggered it), with {"execution": {"id", "workflowId", "error", "failedStepId"}, "payload": <the failed run\'s payload>}. ' +
        'It posts the failure to Slack (mock). Any workflow can use it: set its error workflow to this one.',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'alert',
          name: 'Tell Slack',
          connector: 'slack',
          action: 'send_message',
          credentialId: creds.slack,
          input: { text: ':rotating_light: Run {{execution.id}} of workflow {{execution.workflowId}} failed. {{execution.error}}' },
        },
      ],
    },
    {
      key: 'partnerSync',
      name: 'Partner sync (fails on purpose)',
      description:
        'Fails every time, to show error workflows: its HTTP step calls a mock endpoint that answers 500, with retry { attempts: 1 } (one step attempt; ' +
        'the HTTP client still retries a 5xx twice within it), so the run fails within a second or two and its error workflow, "Alert on failed runs (error workflow)", runs and posts the failure to Slack (mock). ' +
        `Run it by hand with ${sample(PARTNER)}`,
      trigger: { type: 'manual' },
      errorWorkflowId: refs.failureAlert,
      steps: [
        {
          id: 'fetchOrders',
          name: 'Fetch partner orders',
          connector: 'http',
          action: 'request',
          input: { method: 'GET', url: `${mockUrl}/http/status/500`, query: { partner: '{{partner}}' } },
          retry: { attempts: 1 },
        },
        { id: 'imported', name: 'Never reached', connector: 'core', action: 'transform', input: { value: { partner: '{{partner}}', orders: '{{steps.fetchOrders.body}}' } } },
      ],
      seedRun: { via: 'manual', payload: PARTNER },
    },
    {
      key: 'oauthWhoAmI',
      name: 'Who am I (OAuth2 connection)',
      description:
        'An HTTP step authenticated by an OAuth2 connection ("Demo OAuth2 API (mock)": authorization code with PKCE against the mock provider, connected when the demo was seeded). ' +
        'Tributary keeps its tokens and refreshes them ahead of expiry (or on a 401): open Connections to see its status, test it, or reconnect it.',
      trigger: { type: 'manual' },
      steps: [{ id: 'me', name: 'Ask the provider who we are', connector: 'http', action: 'request', credentialId: creds.oauthDemo, input: { url: `${mockUrl}/oauth/userinfo` } }],
      seedRun: { via: 'manual', payload: {} },
    },
    {
      key: 'pagedListing',
      name: 'Fetch every page (HTTP pagination) and total it (code step)',
      description:
        'An HTTP step with pagination (Link headers, 5 items a page, the pages concatenated: 23 items) followed by a code step: JavaScript in a sandbox (QuickJS) ' +
        'that sums the ids and logs a line. Run it by hand with {}',
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'list',
          name: 'All items, page by page',
          connector: 'http',
          action: 'request',
          input: { url: `${mockUrl}/http/pages/link`, query: { per_page: 5 }, pagination: { mode: 'nextLink', maxPages: 10 } },
        },
        {
          id: 'total',
          name: 'Sum them (code)',
          connector: 'code',
          action: 'javascript',
          input: {
            input: { items: '{{steps.list.body}}' },
            code: "const ids = input.items.map((i) => i.id);\nconsole.log('items', ids.length);\nreturn { count: ids.length, sum: ids.reduce((a, b) => a + b, 0) };",
          },
        },
      ],
      seedRun: { via: 'manual', payload: {} },
    },

    // ---- AI steps (docs/ai.md): tools, an agent, approval before it posts ------------------------

    {
      key: 'orderLookupTool',
      name: 'Look up an order (tool)',
      description: 'A workflow offered as a tool: to agents (the support agent below) and to MCP clients at /mcp (docs/mcp.md). Run it with {"orderId": "A-1042"}.',
      trigger: { type: 'manual' },
      inputSchema: { type: 'object', properties: { orderId: { type: 'string', description: 'The order id, e.g. A-1042' } }, required: ['orderId'] },
      tool: { enabled: true, name: 'lookup_order', description: 'Looks up an order by its id: status, carrier and items' },
      steps: [{ id: 'order', connector: 'core', action: 'transform', input: { value: { orderId: '{{orderId}}', status: 'shipped', carrier: 'DHL', eta: 'tomorrow', items: 4 } } }],
    },
    {
      key: 'slackReplyTool',
      name: 'Post a support reply to Slack (tool)',
      description: 'Posts a text to the support channel: the support agent calls it, after a person approves.',
      trigger: { type: 'manual' },
      inputSchema: { type: 'object', properties: { text: { type: 'string', description: 'The reply to post' } }, required: ['text'] },
      steps: [{ id: 'post', connector: 'slack', action: 'send_message', credentialId: creds.slack, input: { text: '{{text}}' } }],
    },
    {
      key: 'supportAgent',
      name: 'Support agent (AI, approval before it posts)',
      description:
        'An agent step: the model (the mock LLM, or any OpenAI-compatible server on the LLM connection) looks the order up through a sub-workflow, ' +
        'drafts a Slack reply and asks to post it; a person approves the post first (Logs, Approve). Every model and tool call is its own recorded ' +
        `step: a crash resumes the loop without repeating one. Run it with ${sample({ question: 'Where is my order #A-1042?' })}.`,
      trigger: { type: 'manual' },
      steps: [
        {
          id: 'agent',
          type: 'agent',
          credentialId: creds.llm,
          system: 'You are a support assistant. Look orders up before answering; post the reply to Slack.',
          prompt: '{{question}}',
          tools: [
            { kind: 'workflow', workflowId: refs.orderLookupTool, name: 'lookup_order' },
            { kind: 'workflow', workflowId: refs.slackReplyTool, name: 'post_reply', description: 'Posts the reply to the support channel on Slack', approval: true },
          ],
          maxIterations: 6,
        },
      ],
      seedRun: { via: 'manual', payload: { question: 'Where is my order #A-1042?' } },
    },
  ];
}

/**
 * The demo's OAuth2 connection: an "OAuth2 API" credential of the HTTP connector on the mock's
 * authorization server, connected as a user would (the consent form approved), so the demo shows a
 * live, refreshing connection without any setup.
 */
async function seedOAuthConnection(api, token, mock, existingCreds) {
  const name = 'Demo OAuth2 API (mock)';
  const found = existingCreds.find((e) => e.connector === 'http' && e.name === name);
  if (found) return { id: found.id, created: false };
  const clientId = 'tributary-demo';
  const res = await call(api, 'POST', '/api/credentials', token, {
    connector: 'http',
    name,
    oauth2: { grant: 'authorization_code', clientId, clientSecret: `${clientId}-secret`, scopes: ['profile', 'email'], authorizationUrl: `${mock}/oauth/authorize`, tokenUrl: `${mock}/oauth/token`, revocationUrl: `${mock}/oauth/revoke` },
  });
  if (res.status !== 201) throw new Error(`seeding the OAuth2 connection: ${res.status} ${JSON.stringify(res.body)}`);
  const auth = await call(api, 'POST', `/api/credentials/${res.body.id}/oauth2/authorize`, token, {});
  if (auth.status !== 200) throw new Error(`seeding the OAuth2 connection (authorize): ${auth.status} ${JSON.stringify(auth.body)}`);
  const url = new URL(auth.body.authorizationUrl);
  const decided = await fetch(`${mock}/oauth/authorize`, { method: 'POST', body: new URLSearchParams({ ...Object.fromEntries(url.searchParams), decision: 'approve' }), redirect: 'manual' });
  const back = new URL(decided.headers.get('location') ?? '');
  // The provider sends the browser to PUBLIC_URL's callback; the seed calls the api it talks to.
  await fetch(`${api}${back.pathname}${back.search}`, { redirect: 'manual' });
  return { id: res.body.id, created: true };
}

/** A connector's sample credential (written against MOCK_ORIGIN), pointed at the running mock. */
function sampleFor(connector, mockUrl) {
  return rebaseOnMock(connector.sampleCredentials, mockUrl.replace(/\/+$/, ''));
}

/** Starts one run of a freshly created demo, the way a user would; answers its execution id. */
async function startRun(api, token, workflow, seedRun) {
  const res =
    seedRun.via === 'webhook'
      ? await call(api, 'POST', `/api/webhooks/${workflow.id}`, undefined, seedRun.payload)
      : await call(api, 'POST', `/api/workflows/${workflow.id}/run`, token, { payload: seedRun.payload });
  if (res.status !== 202) throw new Error(`seeding a run of "${workflow.name}": ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.executionId;
}

/**
 * @returns {Promise<{ summary: string, approval: { workflowId: string, executionId: string | null } | null }>}
 *   a one-line summary, and the approval demo with its run waiting for approval (if there is one)
 */
export async function seedDemo(api, mockUrl) {
  let auth = await call(api, 'POST', '/api/auth/login', undefined, { email: DEMO_EMAIL, password: DEMO_PASSWORD });
  if (auth.status === 401) {
    auth = await call(api, 'POST', '/api/auth/register', undefined, { email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'Demo User', organization: 'Demo workspace' });
  }
  if (auth.status >= 300) throw new Error(`seeding: could not log in the demo user (${auth.status} ${JSON.stringify(auth.body)})`);
  const token = auth.body.token;
  const mock = mockUrl.replace(/\/+$/, '');

  const existingCreds = await listAll(api, token, '/api/credentials');
  const creds = {};
  let credsCreated = 0;
  for (const c of connectors) {
    if (!c.sampleCredentials) continue;
    const name = `Demo ${c.name} (mock)`;
    const found = existingCreds.find((e) => e.connector === c.key && e.name === name);
    if (found) {
      creds[c.key] = found.id;
      continue;
    }
    const res = await call(api, 'POST', '/api/credentials', token, { connector: c.key, name, data: sampleFor(c, mock) });
    if (res.status !== 201) throw new Error(`seeding credential for ${c.key}: ${res.status} ${JSON.stringify(res.body)}`);
    creds[c.key] = res.body.id;
    credsCreated++;
  }

  const oauth = await seedOAuthConnection(api, token, mock, existingCreds);
  creds.oauthDemo = oauth.id;
  if (oauth.created) credsCreated++;

  const existing = await listAll(api, token, '/api/workflows');
  const refs = {};
  const fresh = [];
  const count = demoWorkflows({ creds, refs, mockUrl: mock }).length;
  for (let i = 0; i < count; i++) {
    // Built again for each one, with the ids known so far: a workflow names only earlier ones.
    const { key, seedRun, ...wf } = demoWorkflows({ creds, refs, mockUrl: mock })[i];
    let saved = existing.find((e) => e.name === wf.name);
    if (!saved) {
      const res = await call(api, 'POST', '/api/workflows', token, wf);
      if (res.status !== 201) throw new Error(`seeding workflow "${wf.name}": ${res.status} ${JSON.stringify(res.body)}`);
      saved = res.body;
      fresh.push({ workflow: saved, seedRun });
    }
    refs[key] = saved.id;
  }

  // One run of each new demo, so Logs is not empty on first start (sub-workflow and error
  // workflow runs follow from their callers').
  let runs = 0;
  let approvalRun = null;
  for (const { workflow, seedRun } of fresh) {
    if (!seedRun) continue;
    const executionId = await startRun(api, token, workflow, seedRun);
    runs++;
    if (workflow.id === refs.refundApproval) approvalRun = executionId;
  }

  let approval = null;
  if (refs.refundApproval) {
    if (!approvalRun) {
      const waiting = await call(api, 'GET', `/api/executions?workflowId=${refs.refundApproval}&status=waiting&limit=1`, token);
      approvalRun = waiting.status === 200 ? (waiting.body.items[0]?.id ?? null) : null;
    }
    approval = { workflowId: refs.refundApproval, executionId: approvalRun };
  }

  const createdWfs = fresh.length;
  const summary =
    createdWfs || credsCreated
      ? `${DEMO_EMAIL} / ${DEMO_PASSWORD}: created ${credsCreated} credentials and ${createdWfs} workflows (${runs} demo runs started); ${existing.length + createdWfs} workflows in all`
      : `${DEMO_EMAIL} / ${DEMO_PASSWORD} already has every demo (${existing.length} workflows)`;
  return { summary, approval };
}
