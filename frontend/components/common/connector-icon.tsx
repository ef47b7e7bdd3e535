import {
  Bell, Bot, Cat, Cloud, CloudSun, Code, Database, Dog, Globe, Hash, Mail, MessageCircle, MessageSquare,
  Newspaper, Phone, Plug, Rocket, Send, ShoppingCart, Sparkles, Webhook, Workflow, type LucideIcon,
} from 'lucide-react';
import { cn } from '@/lib/utils';

// A small static map keeps the bundle lean; unknown names fall back to emoji or initials.
const icons: Record<string, LucideIcon> = {
  bell: Bell, bot: Bot, cat: Cat, cloud: Cloud, 'cloud-sun': CloudSun, code: Code, database: Database, dog: Dog,
  globe: Globe, hash: Hash, mail: Mail, 'message-circle': MessageCircle, 'message-square': MessageSquare,
  newspaper: Newspaper, phone: Phone, plug: Plug, rocket: Rocket, send: Send, 'shopping-cart': ShoppingCart,
  sparkles: Sparkles, webhook: Webhook, workflow: Workflow, slack: Hash, discord: MessageCircle,
};

export function ConnectorIcon({ icon, name, className }: { icon?: string; name: string; className?: string }) {
  const Icon = icon ? icons[icon.toLowerCase()] : undefined;
  const isEmoji = !!icon && !Icon && !/^[a-z0-9-]+$/i.test(icon);
  return (
    <span aria-hidden className={cn('grid size-8 shrink-0 place-items-center rounded-md border bg-card text-sm', className)}>
      {Icon ? <Icon className="size-4 text-primary" /> : isEmoji ? icon : <span className="font-semibold text-muted-foreground">{name.slice(0, 1).toUpperCase()}</span>}
    </span>
  );
}
