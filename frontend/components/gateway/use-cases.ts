import { Cable, Database, Gauge, ShieldCheck, Webhook, type LucideIcon } from 'lucide-react';
import type { KongUseCase } from '@/lib/api/types';

export interface UseCaseMeta {
  label: string;
  /** One line: what the generated route does. */
  summary: string;
  icon: LucideIcon;
  /** The pattern answers with the run's result, which needs a webhook in sync response mode. */
  wantsSync: boolean;
  /** The path Kong serves when none is chosen (`<prefix>/<workflow id>`). */
  prefix: string;
}

export const useCases: Record<KongUseCase, UseCaseMeta> = {
  protocol_bridge: {
    label: 'Protocol bridge',
    summary: 'A REST route in front of a sync webhook whose workflow calls a SOAP service; any verb becomes a JSON POST.',
    icon: Cable,
    wantsSync: true,
    prefix: 'bridge',
  },
  webhook_handler: {
    label: 'Webhook handler',
    summary: 'A POST-only receiver, rate-limited (100 requests per second per client by default).',
    icon: Webhook,
    wantsSync: false,
    prefix: 'hooks',
  },
  smart_aggregator: {
    label: 'Smart aggregator',
    summary: "A cached GET over a sync webhook that combines several APIs; Kong keeps answers 5 minutes by default.",
    icon: Database,
    wantsSync: true,
    prefix: 'aggregate',
  },
  federated_security: {
    label: 'Federated security',
    summary: "Only API keys (or an identity provider's JWTs) of consumers in allowed ACL groups get through.",
    icon: ShieldCheck,
    wantsSync: false,
    prefix: 'secure',
  },
  usage_tracking: {
    label: 'Usage tracking',
    summary: "API key required; every request is metered per consumer, logged to Logstash and counted in Prometheus.",
    icon: Gauge,
    wantsSync: false,
    prefix: 'metered',
  },
};
