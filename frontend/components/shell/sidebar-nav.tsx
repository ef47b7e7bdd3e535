'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { ScrollText } from 'lucide-react';
import { dashboardNav, isActive, type NavItem } from '@/config/nav';
import { useCurrentUser } from '@/lib/auth/auth-provider';
import { cn } from '@/lib/utils';

export function SidebarNav({ onNavigate }: { onNavigate?: () => void }) {
  const pathname = usePathname();
  const user = useCurrentUser();
  // The audit log is for admins only (the api answers 403 to others).
  const items: NavItem[] = user?.role === 'admin' ? [...dashboardNav, { title: 'Audit', href: '/audit', icon: ScrollText }] : dashboardNav;
  return (
    <nav aria-label="Main" className="flex flex-col gap-1 px-3">
      {items.map((item) => {
        const active = isActive(item, pathname);
        const Icon = item.icon;
        return (
          <Link
            key={item.href}
            href={item.href}
            onClick={onNavigate}
            aria-current={active ? 'page' : undefined}
            data-testid={`nav-${item.title.toLowerCase()}`}
            className={cn(
              'flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium text-sidebar-muted transition-colors outline-none hover:bg-sidebar-accent hover:text-sidebar-foreground focus-visible:ring-2 focus-visible:ring-ring',
              active && 'bg-sidebar-accent text-sidebar-foreground',
            )}
          >
            <Icon className="size-4" aria-hidden />
            {item.title}
          </Link>
        );
      })}
    </nav>
  );
}
