'use client';
import { LogOut } from 'lucide-react';
import { useAuth } from '@/lib/auth/auth-provider';

export function UserMenu() {
  const { state, signOut } = useAuth();
  if (state.status !== 'authenticated') return null;
  const { user } = state.session;
  return (
    <div className="flex items-center gap-3 border-t border-white/10 px-4 py-3">
      <span aria-hidden className="grid size-8 shrink-0 place-items-center rounded-full bg-sidebar-accent text-xs font-semibold text-sidebar-foreground uppercase">
        {(user.name || user.email).slice(0, 2)}
      </span>
      <div className="min-w-0 flex-1 text-xs">
        <p className="truncate font-medium text-sidebar-foreground" data-testid="current-user">
          {user.name || user.email}
        </p>
        <p className="truncate text-sidebar-muted">
          {user.tenantName ? `${user.tenantName} · ` : ''}
          <span data-testid="current-role">{user.role}</span>
        </p>
      </div>
      <button
        type="button"
        onClick={() => signOut()}
        data-testid="logout"
        className="rounded-md p-1.5 text-sidebar-muted outline-none hover:bg-sidebar-accent hover:text-sidebar-foreground focus-visible:ring-2 focus-visible:ring-ring"
      >
        <LogOut className="size-4" aria-hidden />
        <span className="sr-only">Sign out</span>
      </button>
    </div>
  );
}
