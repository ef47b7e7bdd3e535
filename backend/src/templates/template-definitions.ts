/**
 * The template gallery (`GET /api/templates`, docs/templates.md): each template is a workflow export
 * document (format `tributary.workflow/v1`) with a key, a category and the credentials it needs as
 * references (`cred:<n>`, by connector and a suggested name). `POST /api/templates/:key/use` maps
 * them to the workspace's credentials exactly as an import does. Adding one: an entry here; the e2e
 * test (test/api/templates.e2e-spec.ts) creates every template in a workspace, so a template that no
 * longer validates fails it.
 */
import { WORKFLOW_EXPORT_FORMAT, type WorkflowExport } from '@tributary/contracts';

export interface TemplateDefinition {
  key: string;
  category: 'Notifications' | 'Integration' | 'Flow control' | 'AI' | 'Data' | 'Operations';
  document: WorkflowExport;
}

type Doc = WorkflowExport['workflow'];
type Cred = { connector: string; name: string };

/** A template: its workflow, with `cred:<n>` where the n-th of `credentials` goes. */
function template(key: string, category: TemplateDefinition['category'], credentials: Cred[], workflow: Omit<Doc, 'description'> & { description: string }): TemplateDefinition {
  return {
    key,
    category,
    document: {
      format: WORKFLOW_EXPORT_FORMAT,
      workflow,
      credentials: credentials.map((c, i) => ({ ref: `cred:${i}`, ...c })),
      workflows: [],
      notes: [],
    },
  };
}

const SLACK: Cred = { connector: 'slack', name: 'Slack' };
const DISCORD: Cred = { connector: 'discord', name: 'Discord' };
const TWILIO: Cred = { connector: 'twilio', name: 'Twilio' };
const OPENWEATHER: Cred = { connector: 'openweather', name: 'OpenWeather' };
const SOAP: Cred = { connector: 'soap', name: 'Legacy SOAP service' };
const WORDPRESS: Cred = { connector: 'wordpress', name: 'WordPress' };
const SALESFORCE: Cred = { connector: 'salesforce', name: 'Salesforce' };
const DJANGO: Cred = { connector: 'django', name: 'Django app' };
const LLM: Cred = { connector: 'llm', name: 'LLM' };
const MCP: Cred = { connector: 'mcp', name: 'MCP server' };

export const TEMPLATES: TemplateDefinition[] = [
  template('webhook-order-slack', 'Notifications', [SLACK], {
    name: 'Webhook order → Slack',
    description: 'A webhook receives an order and posts a confirmation to a Slack channel. Try it with {"user": {"name": "Alex"}, "order": {"id": "12345", "total": 42}}.',
    trigger: { type: 'webhook', responseMode: 'async' },
    steps: [{ id: 'notify', name: 'Tell Slack', connector: 'slack', action: 'send_message', credentialId: 'cred:0', input: { text: ':tada: New order #{{order.id}} from {{user.name}} ({{default order.total "?"}} €).' } }],
  }),
  template('daily-weather-discord', 'Notifications', [OPENWEATHER, DISCORD], {
    name: 'Daily weather → Discord',
    description: "Every morning at 7:00 (UTC), reads the current weather of a city from OpenWeather and posts it to a Discord channel. Change the city in the schedule's payload.",
    trigger: { type: 'schedule', cron: '0 7 * * *', timezone: 'UTC', payload: { city: 'London,GB' } },
    steps: [
      { id: 'weather', name: 'Current weather', connector: 'openweather', action: 'current_weather', credentialId: 'cred:0', input: { city: '{{city}}', units: 'metric' } },
      {
        id: 'post',
        name: 'Post to Discord',
        connector: 'discord',
        action: 'send_message',
        credentialId: 'cred:1',
        input: { content: 'Good morning! {{steps.weather.city}}: {{steps.weather.temperature}} °C, {{steps.weather.description}}.' },
      },
    ],
  }),
  template('form-twilio-sms', 'Notifications', [TWILIO], {
    name: 'Form → Twilio SMS',
    description: 'A web form posts {"name": "Ada", "phone": "+14155550123", "appointment": "Tuesday 10:00"} to the webhook; the customer gets an SMS confirmation.',
    trigger: { type: 'webhook', responseMode: 'async' },
    steps: [{ id: 'sms', name: 'Send the SMS', connector: 'twilio', action: 'send_sms', credentialId: 'cred:0', input: { to: '{{phone}}', body: 'Hi {{name}}, your appointment on {{appointment}} is confirmed. Reply STOP to opt out.' } }],
  }),
  template('rest-soap-bridge', 'Integration', [SOAP], {
    name: 'REST to SOAP bridge',
    description: 'A synchronous webhook: POST {"orderId": "1002"} and get JSON back from a legacy SOAP OrderService (GetOrderStatus).',
    trigger: { type: 'webhook', responseMode: 'sync', timeoutMs: 30_000 },
    steps: [
      {
        id: 'soap',
        name: 'Call the SOAP service',
        connector: 'soap',
        action: 'call',
        credentialId: 'cred:0',
        input: { operation: 'GetOrderStatus', namespace: 'http://tributary.dev/legacy/orders', parameters: { OrderId: '{{orderId}}' } },
      },
      { id: 'answer', name: 'Answer as JSON', connector: 'core', action: 'transform', input: { value: { orderId: '{{orderId}}', result: '{{steps.soap.result}}' } } },
    ],
  }),
  template('wordpress-post-slack', 'Integration', [WORDPRESS, SLACK], {
    name: 'Publish a WordPress post → Slack',
    description: 'POST {"title": "…", "content": "<p>…</p>"} to the webhook: the post is published on WordPress and announced on Slack with its link.',
    trigger: { type: 'webhook', responseMode: 'async' },
    steps: [
      { id: 'post', name: 'Publish on WordPress', connector: 'wordpress', action: 'create_post', credentialId: 'cred:0', input: { title: '{{title}}', content: '{{content}}', status: 'publish' } },
      { id: 'announce', name: 'Announce on Slack', connector: 'slack', action: 'send_message', credentialId: 'cred:1', input: { text: ':newspaper: New post: {{title}} {{steps.post.link}}' } },
    ],
  }),
  template('order-fan-out', 'Flow control', [], {
    name: 'Order fan-out (loop)',
    description:
      'A loop block: each line item of the order is sent to a warehouse API, three at a time ({{item}} is the line, {{$index}} its position), then a transform sums it up. ' +
      'Replace the URL with your warehouse API. Try it with {"order": {"id": "A-1042", "items": [{"sku": "KB-01", "quantity": 1}, {"sku": "MS-02", "quantity": 2}]}}.',
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
            input: { method: 'POST', url: 'https://warehouse.example.com/reservations', body: { orderId: '{{order.id}}', line: '{{$index}}', sku: '{{item.sku}}', quantity: '{{item.quantity}}' } },
          },
        ],
      },
      { id: 'summary', name: 'Summary', connector: 'core', action: 'transform', input: { value: { orderId: '{{order.id}}', lines: '{{steps.lines.length}}', reservations: '{{steps.lines}}' } } },
    ],
  }),
  template('refund-approval', 'Flow control', [SLACK], {
    name: 'Refund approval (wait for approval)',
    description:
      'Asks on Slack, then waits (holding no worker) until someone approves or rejects the refund in Tributary; an approval is confirmed on Slack, a rejection fails the run. ' +
      'Run it with {"refund": {"orderId": "A-1042", "customer": "Ada", "amount": 49.99, "reason": "Broken mouse"}}.',
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'ask',
        name: 'Ask on Slack',
        connector: 'slack',
        action: 'send_message',
        credentialId: 'cred:0',
        input: { text: ':raised_hand: Approval needed: refund of {{refund.amount}} to {{refund.customer}} for order #{{refund.orderId}} ("{{refund.reason}}"). Run {{$execution.id}}.' },
      },
      { id: 'approval', name: 'Wait for a manager', type: 'wait', for: 'approval', message: 'Refund this customer?', timeoutSeconds: 7 * 24 * 3600 },
      {
        id: 'confirm',
        name: 'Confirm on Slack',
        connector: 'slack',
        action: 'send_message',
        credentialId: 'cred:0',
        input: { text: ':white_check_mark: Refund for order #{{refund.orderId}} approved by {{steps.approval.by}}.' },
      },
    ],
  }),
  template('support-agent', 'AI', [LLM, MCP], {
    name: 'Support agent (LLM agent with a lookup tool)',
    description:
      "An agent step: the model answers a customer's question, looking orders up with a tool of your MCP server (lookup_order: rename it to your server's tool). " +
      'Run it with {"question": "Where is my order #A-1042?"}.',
    trigger: { type: 'manual' },
    inputSchema: { type: 'object', properties: { question: { type: 'string' } }, required: ['question'] },
    steps: [
      {
        id: 'agent',
        name: 'Answer the customer',
        type: 'agent',
        credentialId: 'cred:0',
        system: 'You are a friendly support assistant. Look orders up before answering; never invent an order status.',
        prompt: '{{question}}',
        tools: [{ kind: 'mcp', credentialId: 'cred:1', tool: 'lookup_order', description: 'Looks up an order by its id' }],
        maxIterations: 6,
      },
      { id: 'reply', name: 'Reply', connector: 'core', action: 'transform', input: { value: { answer: '{{steps.agent.answer}}' } } },
    ],
  }),
  template('ticket-triage', 'AI', [LLM, SLACK], {
    name: 'Ticket triage (LLM structured output)',
    description:
      'A support ticket arrives on the webhook; an LLM classifies it as JSON (category, priority, summary: structured output checked against a schema) and urgent tickets are posted to Slack. ' +
      'Try it with {"ticket": {"id": "T-7", "subject": "Site down", "body": "Checkout answers 500 since 9:00"}}.',
    trigger: { type: 'webhook', responseMode: 'async' },
    steps: [
      {
        id: 'triage',
        name: 'Classify the ticket',
        type: 'agent',
        credentialId: 'cred:0',
        system: 'You triage support tickets. Answer with JSON only.',
        prompt: 'Subject: {{ticket.subject}}\n\n{{ticket.body}}',
        tools: [],
        maxIterations: 3,
        temperature: 0,
        outputSchema: {
          type: 'object',
          properties: {
            category: { type: 'string', enum: ['billing', 'bug', 'question', 'other'] },
            priority: { type: 'string', enum: ['low', 'normal', 'high'] },
            summary: { type: 'string' },
          },
          required: ['category', 'priority', 'summary'],
        },
      },
      {
        id: 'urgent',
        name: 'Urgent?',
        type: 'condition',
        if: '{{eq steps.triage.json.priority "high"}}',
        then: [
          {
            id: 'page',
            name: 'Tell Slack',
            connector: 'slack',
            action: 'send_message',
            credentialId: 'cred:1',
            input: { text: ':rotating_light: Urgent {{steps.triage.json.category}} ticket {{ticket.id}}: {{steps.triage.json.summary}}' },
          },
        ],
        else: [],
      },
    ],
  }),
  template('paginated-sync-code', 'Data', [], {
    name: 'Paginated sync + code step',
    description:
      'Fetches every page of a REST API (Link headers, up to 10 pages, concatenated) and totals the items in a JavaScript code step (sandboxed). Replace the URL with your API. Run it with {}.',
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'list',
        name: 'All items, page by page',
        connector: 'http',
        action: 'request',
        input: { url: 'https://api.example.com/items', query: { per_page: 50 }, pagination: { mode: 'nextLink', maxPages: 10 } },
      },
      {
        id: 'total',
        name: 'Total them (code)',
        connector: 'code',
        action: 'javascript',
        input: {
          input: { items: '{{steps.list.body}}' },
          code: "const items = input.items ?? [];\nconsole.log('items', items.length);\nreturn { count: items.length, ids: items.map((i) => i.id) };",
        },
      },
    ],
  }),
  template('error-alert-slack', 'Operations', [SLACK], {
    name: 'Error alert to Slack (error workflow)',
    description:
      'An error workflow: set it as the error workflow of any other workflow, and each failed run of that one is posted to Slack with its execution id, workflow and error.',
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'alert',
        name: 'Tell Slack',
        connector: 'slack',
        action: 'send_message',
        credentialId: 'cred:0',
        input: { text: ':rotating_light: Run {{execution.id}} of workflow {{execution.workflowId}} failed at step {{default execution.failedStepId "?"}}: {{execution.error}}' },
      },
    ],
  }),
  template('parallel-enrichment', 'Data', [OPENWEATHER], {
    name: 'Parallel enrichment',
    description:
      'A parallel block: REST Countries, OpenWeather and the Numbers API are called at the same time, and a transform merges their answers. Run it with {"country": "France", "city": "Paris", "luckyNumber": 7}.',
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'lookups',
        name: 'Look everything up at once',
        type: 'parallel',
        branches: [
          [{ id: 'country', connector: 'restcountries', action: 'country_by_name', input: { name: '{{country}}', exact: true } }],
          [{ id: 'weather', connector: 'openweather', action: 'current_weather', credentialId: 'cred:0', input: { city: '{{city}}', units: 'metric' } }],
          [{ id: 'numberFact', connector: 'numbers', action: 'number_fact', input: { number: '{{default luckyNumber "42"}}', type: 'trivia' } }],
        ],
      },
      {
        id: 'briefing',
        name: 'Merge the answers',
        connector: 'core',
        action: 'transform',
        input: { value: { country: '{{steps.lookups.[0]}}', weather: '{{steps.lookups.[1]}}', funFact: '{{steps.lookups.[2].text}}' } },
      },
    ],
  }),
  template('salesforce-lead-slack', 'Integration', [SALESFORCE, SLACK], {
    name: 'Web lead → Salesforce + Slack',
    description: 'A contact form posts {"firstName", "lastName", "company", "email"} to the webhook: a Salesforce Lead is created and sales hears about it on Slack.',
    trigger: { type: 'webhook', responseMode: 'async' },
    steps: [
      {
        id: 'lead',
        name: 'Create the lead',
        connector: 'salesforce',
        action: 'create_record',
        credentialId: 'cred:0',
        input: { sobject: 'Lead', fields: { FirstName: '{{firstName}}', LastName: '{{lastName}}', Company: '{{company}}', Email: '{{email}}', LeadSource: 'Web' } },
      },
      { id: 'tell', name: 'Tell sales', connector: 'slack', action: 'send_message', credentialId: 'cred:1', input: { text: ':moneybag: New lead {{firstName}} {{lastName}} ({{company}}): Salesforce id {{steps.lead.id}}' } },
    ],
  }),
  template('salesforce-weekly-report', 'Data', [SALESFORCE, SLACK], {
    name: 'Weekly Salesforce report → Slack',
    description: 'Every Monday at 8:00 (UTC), queries the accounts created in the last week (SOQL), counts them by industry in a code step and posts the summary to Slack.',
    trigger: { type: 'schedule', cron: '0 8 * * 1', timezone: 'UTC' },
    steps: [
      { id: 'accounts', name: 'Last week’s accounts', connector: 'salesforce', action: 'query', credentialId: 'cred:0', input: { soql: 'SELECT Id, Name, Industry FROM Account WHERE CreatedDate = LAST_N_DAYS:7' } },
      {
        id: 'byIndustry',
        name: 'Count by industry (code)',
        connector: 'code',
        action: 'javascript',
        input: {
          input: { records: '{{steps.accounts.records}}' },
          code: "const counts = {};\nfor (const r of input.records ?? []) counts[r.Industry ?? 'Other'] = (counts[r.Industry ?? 'Other'] ?? 0) + 1;\nreturn { total: (input.records ?? []).length, text: Object.entries(counts).map(([k, v]) => `${k}: ${v}`).join(', ') };",
        },
      },
      { id: 'post', name: 'Post the summary', connector: 'slack', action: 'send_message', credentialId: 'cred:1', input: { text: ':bar_chart: {{steps.byIndustry.total}} new accounts last week. {{steps.byIndustry.text}}' } },
    ],
  }),
  template('django-form-forward', 'Integration', [DJANGO], {
    name: 'Webhook → Django form (with CSRF)',
    description: "Forwards a webhook's contact request to a Django app's form (session login and CSRF handled by the connector). Try it with {\"name\": \"Ada\", \"email\": \"ada@example.com\", \"message\": \"Hello\"}.",
    trigger: { type: 'webhook', responseMode: 'async' },
    steps: [
      { id: 'submit', name: 'Submit the form', connector: 'django', action: 'submit_form', credentialId: 'cred:0', input: { path: '/forms/contact/', fields: { name: '{{name}}', email: '{{email}}', message: '{{message}}' } } },
    ],
  }),
  template('vip-greeting', 'Flow control', [], {
    name: 'VIP greeting (condition)',
    description: 'A condition block picks a branch: gold customers get a special greeting. Run it with {"customer": {"name": "Ada", "tier": "gold"}}. No connection needed.',
    trigger: { type: 'manual' },
    steps: [
      {
        id: 'byTier',
        name: 'Gold member?',
        type: 'condition',
        if: '{{eq customer.tier "gold"}}',
        then: [{ id: 'gold', connector: 'core', action: 'transform', input: { value: { text: 'Welcome back, {{customer.name}}! Your next delivery is on us.' } } }],
        else: [{ id: 'standard', connector: 'core', action: 'transform', input: { value: { text: 'Hello {{default customer.name "there"}}, welcome!' } } }],
      },
    ],
  }),
];
