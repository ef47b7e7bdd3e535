import { Activity, Braces, KeyRound, KeySquare, LayoutDashboard, LayoutTemplate, Network, Users, Workflow, type LucideIcon } from 'lucide-react';

export interface NavItem {
  title: string;
  href: string;
  icon: LucideIcon;
  /** Extra path prefixes that mark the item active. */
  match?: string[];
}

/** The dashboard's navigation, as data. */
export const dashboardNav: NavItem[] = [
  { title: 'Overview', href: '/', icon: LayoutDashboard },
  { title: 'Workflows', href: '/workflows', icon: Workflow },
  { title: 'Templates', href: '/templates', icon: LayoutTemplate },
  { title: 'Connections', href: '/connections', icon: KeyRound },
  { title: 'Variables', href: '/variables', icon: Braces },
  { title: 'Logs', href: '/logs', icon: Activity },
  { title: 'Gateway', href: '/gateway', icon: Network },
  { title: 'Team', href: '/team', icon: Users },
  { title: 'API keys', href: '/api-keys', icon: KeySquare },
];

export function isActive(item: NavItem, pathname: string) {
  if (item.href === '/') return pathname === '/';
  return pathname === item.href || pathname.startsWith(`${item.href}/`) || !!item.match?.some((m) => pathname.startsWith(m));
}
