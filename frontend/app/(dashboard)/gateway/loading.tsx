import { GatewaySkeleton } from '@/components/gateway/gateway-skeleton';

export default function Loading() {
  return <GatewaySkeleton />;
}
